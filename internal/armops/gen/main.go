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

	"github.com/gru-iac/gru/internal/armops/armopsgen"
	"github.com/gru-iac/gru/internal/shareddir"
)

func main() {
	shared := flag.String("shared", "", "the shared data folder (holding "+armopsgen.Dir+"); default $GRU_SHARED_DIR or ../shared from the repository root")
	out := flag.String("out", "data", "output folder")
	flag.Parse()
	dir, err := shareddir.Find(*shared, armopsgen.Dir)
	if err != nil {
		log.Fatal(err)
	}
	st, err := armopsgen.Generate(dir, *out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("armops: %d types, %d type@versions, %d operations; %d distinct records, %d distinct profiles; %d bytes raw, %d compressed\n",
		st.Types, st.Versions, st.Operations, st.Records, st.Profiles, st.Raw, st.Compressed)
}
