// Command gen writes gru's embedded catalogue of ARM resource types from Microsoft's
// bicep-types-az type data and GruCloud's type table, as found in the shared data folder.
//
// It is run by `go generate ./internal/catalog`. Its output is deterministic: running it twice
// on the same input writes identical bytes.
//
// Output, under the catalogue's data folder:
//   - schemas.zst and schemas.txt.zst: the schema store, every type@version of the type data
//     archive (azure/bicep-types-all) and of gru's own types, and its index (see the
//     catalogen package);
//   - index.txt.zst: every ARM type with its short name, default version and the versions the
//     catalogue holds for it, then the aliases;
//   - versions.txt.zst: every known API version of every type;
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
	dir, err := shareddir.Find(*shared, catalogen.ArchivePath)
	if err != nil {
		log.Fatal(err)
	}
	stats, err := catalogen.Generate(dir, *out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("catalogue: %d types, %d aliases; %d type@version pairs from %d type files in %d nodes, %d blocks; %d bytes compressed\n",
		stats.Types, stats.Aliases, stats.Pairs, stats.Files, stats.Nodes, stats.Blocks, stats.Bytes)
}
