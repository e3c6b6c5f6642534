package docs

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
)

// TestInspectMatchesNode writes schemas and odd values with Inspect and with Node.js's own
// util.inspect(value, { depth: 10 }), and compares: deep objects and arrays ([Object],
// [Array]), long arrays (cut after 100 items, grouped in columns), strings of several lines,
// quotes, wide characters.
func TestInspectMatchesNode(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the util.inspect reference check is skipped")
	}
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var values []any
	for _, name := range append([]string{"Storage::PrivateEndpointConnection"}, otherStorageTypes...) {
		ti, _ := cat.Lookup(name)
		p, err := FromSpecs(context.Background(), cat, ti, "2021-06-01", "testdata/specs-seed")
		if err != nil {
			t.Fatal(err)
		}
		values = append(values, p.Schema)
	}
	for _, name := range []string{"Compute::VirtualMachine", "Web::SiteConfig", "DataFactory::Pipeline"} {
		ti, _ := cat.Lookup(name)
		p, err := FromCatalog(t.Context(), cat, ti, "", "")
		if err != nil {
			t.Fatal(err)
		}
		values = append(values, p.Schema)
	}
	deep := `{"a":1}`
	for i := 0; i < 14; i++ {
		deep = `{"k` + itoa(int64(i)) + `":` + deep + `,"list":[[1,[2,[3]]]]}`
	}
	for _, raw := range []string{
		`{"enum":["Standard_LRS","Standard_GRS","Standard_RAGRS","Standard_ZRS","Premium_LRS","Premium_ZRS","Standard_GZRS","Standard_RAGZRS"]}`,
		`{"a":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30]}`,
		`{"many":[` + strings.TrimSuffix(strings.Repeat(`"Standard_E64-32s_v3",`, 130), ",") + `]}`,
		`{"numbers":[` + strings.TrimSuffix(strings.Repeat(`12,-5,3.25,`, 40), ",") + `]}`,
		`{"s":"it's \"quoted\"","t":"tab\there","u":"back\\slash","n":null,"b":true,"f":1.5,"e":1e21,"k":{"x-y":{"deep":{"deeper":{"deepest":1}}}}}`,
		`[{"a":1},{"b":[{"c":{}}]}, [], {}]`,
		`{"description":"The first line of a long description that goes on.\nThe second line.\nThe third, ending with a newline.\n","short":"a\nb","wide":"日本語の説明文はここにあります。日本語の説明文はここにあります。", "control":"\u0001\u007f\u0085"}`,
		`{"list":["日本語","日本語","日本語","日本語","日本語","日本語","日本語","日本語","日本語","日本語"]}`,
		deep,
	} {
		v, err := parseJS([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		values = append(values, v)
	}
	data, _ := json.Marshal(values)
	cmd := exec.Command("node", "testdata/oracle/inspect.js")
	cmd.Stdin = strings.NewReader(string(data))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, v := range values {
		if got := Inspect(v); got != want[i] {
			t.Errorf("value %d: %s", i, lineDiff(got, want[i]))
		}
	}
}
