// Command gen writes the ARM operations table that package armops embeds, from the shared
// data folder's azure/arm-operations (Microsoft's REST API specs, as extracted there).
//
// It is run by `go generate ./internal/armops`. Its output is deterministic: running it twice on
// the same input writes identical bytes. See package armopsgen for the format.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gru-iac/gru/internal/armops/armopsgen"
)

func main() {
	shared := flag.String("shared", "", "the shared data folder (holding "+armopsgen.Dir+"); default $GRU_SHARED_DIR or ../shared from the repository root")
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
	st, err := armopsgen.Generate(dir, *out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("armops: %d types, %d type@versions, %d operations; %d distinct records, %d distinct profiles; %d bytes raw, %d compressed\n",
		st.Types, st.Versions, st.Operations, st.Records, st.Profiles, st.Raw, st.Compressed)
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
			if _, err := os.Stat(filepath.Join(shared, filepath.FromSlash(armopsgen.Dir))); err != nil {
				return "", fmt.Errorf("no shared data beside the repository (looked for %s): pass -shared or set GRU_SHARED_DIR", shared)
			}
			return shared, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("not inside the gru repository: pass -shared")
		}
	}
}
