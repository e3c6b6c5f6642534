// Command gen writes gru's embedded catalogue of ARM resource types from Microsoft's
// bicep-types-az type data and GruCloud's type table, as found in the shared data folder.
//
// It is run by `go generate ./internal/catalog`. Its output is deterministic: running it twice
// on the same input writes identical bytes.
//
// Output, under the catalogue's data folder:
//   - types/<folder>/<namespace>/<version>.json.gz: each types.json that holds some type's
//     default API version (and Microsoft.Storage 2021-06-01), compacted and gzipped;
//   - index.txt.gz: every ARM type with its short name, default version and the versions and
//     files the catalogue holds for it, then the aliases;
//   - versions.txt.gz: every known API version of every type;
//   - LICENSE and SOURCE-COMMIT of the type data.
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/gru-iac/gru/internal/catalogen"
	"github.com/gru-iac/gru/internal/shareddir"
)

func main() {
	shared := flag.String("shared", "", "the shared data folder (holding azure/bicep-types and grucloud/); default $GRU_SHARED_DIR or ../shared from the repository root")
	out := flag.String("out", "data", "output folder")
	flag.Parse()
	dir, err := shareddir.Find(*shared, "azure/bicep-types")
	if err != nil {
		log.Fatal(err)
	}
	stats, err := catalogen.Generate(dir, *out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("catalogue: %d types, %d aliases, %d type files, %d bytes compressed\n", stats.Types, stats.Aliases, stats.Files, stats.Bytes)
}
