package docs

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
)

// TestInspectMatchesNode writes schemas and odd values with Inspect and with Node.js's own
// util.inspect, and compares.
func TestInspectMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the util.inspect reference check is skipped")
	}
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var values []any
	for _, name := range append([]string{"Storage::PrivateEndpointConnection"}, otherStorageTypes...) {
		ti, _ := cat.Lookup(name)
		p, err := FromSpecs(cat, ti, "2021-06-01", "testdata/specs-seed")
		if err != nil {
			t.Fatal(err)
		}
		values = append(values, p.Schema)
	}
	for _, raw := range []string{
		`{"enum":["Standard_LRS","Standard_GRS","Standard_RAGRS","Standard_ZRS","Premium_LRS","Premium_ZRS","Standard_GZRS","Standard_RAGZRS"]}`,
		`{"a":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30]}`,
		`{"many":[` + strings.TrimSuffix(strings.Repeat(`"Standard_E64-32s_v3",`, 130), ",") + `]}`,
		`{"s":"it's \"quoted\"","t":"tab\there","u":"back\\slash","n":null,"b":true,"f":1.5,"e":1e21,"k":{"x-y":{"deep":{"deeper":{"deepest":1}}}}}`,
		`[{"a":1},{"b":[{"c":{}}]}, [], {}]`,
	} {
		v, err := decodeOrdered([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		values = append(values, v)
	}
	for i, v := range values {
		data, _ := json.Marshal(v)
		cmd := exec.Command(node, "-e", `let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(require("util").inspect(JSON.parse(s),{depth:null,maxArrayLength:null})))`)
		cmd.Stdin = strings.NewReader(string(data))
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(string(out), "\n")
		if got := Inspect(v); got != want {
			gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
			for j := 0; j < len(gl) && j < len(wl); j++ {
				if gl[j] != wl[j] {
					t.Errorf("value %d, line %d:\n gru  %q\n node %q", i, j+1, gl[j], wl[j])
					break
				}
			}
			if len(gl) != len(wl) {
				t.Errorf("value %d: %d lines, node %d", i, len(gl), len(wl))
			}
		}
	}
}
