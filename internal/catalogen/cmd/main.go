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
	"os"
	"path/filepath"

	"github.com/gru-iac/gru/internal/catalogen"
)

func main() {
	shared := flag.String("shared", "", "the shared data folder (holding azure/bicep-types and grucloud/); default $GRU_SHARED_DIR or ../shared from the repository root")
	out := flag.String("out", "data", "output folder")
	flag.Parse()
	dir := *shared
	if dir == "" {
		dir = os.Getenv("GRU_SHARED_DIR")
	}
	if dir == "" {
		var err error
		if dir, err = findShared(); err != nil {
			log.Fatal(err)
		}
	}
	stats, err := catalogen.Generate(dir, *out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("catalogue: %d types, %d aliases, %d type files, %d bytes compressed\n", stats.Types, stats.Aliases, stats.Files, stats.Bytes)
}

// findShared looks for the shared folder beside the repository root, walking up from here.
func findShared() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			shared := filepath.Join(filepath.Dir(d), "shared")
			if _, err := os.Stat(filepath.Join(shared, "azure", "bicep-types")); err != nil {
				return "", fmt.Errorf("no shared data beside the repository (looked for %s): pass -shared or set GRU_SHARED_DIR", shared)
			}
			return shared, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("not inside the gru repository: pass -shared")
		}
	}
}
