package validate

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
)

// TestDecodeWritableIsDropReadOnly: WritableDecoder.Decode of every committed request example (1,048
// bodies of 12 providers, at their API versions) is what encoding/json decodes, DropReadOnly
// then trimmed; the values at kept paths are read whole.
func TestDecodeWritableIsDropReadOnly(t *testing.T) {
	c := conformanceCatalog(t)
	ctx := context.Background()
	keep := []string{"id", "properties.provisioningState", "properties.privateEndpoint", "properties.nothing.here"}
	trimmed := 0
	for _, e := range conformanceCases(t) {
		r, err := c.SchemaByARMType(ctx, e.ARMType, e.APIVersion)
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if json.Unmarshal(e.Body, &want) != nil || want == nil {
			continue
		}
		plain := deepCopyJSON(want)
		kept := map[string]any{}
		for _, p := range keep {
			if v, ok := valueAt(want, p); ok {
				kept[p] = deepCopyJSON(v)
			}
		}
		DropReadOnly(r, want)
		for p, v := range kept {
			setAt(want, p, v)
		}
		got, err := NewWritableDecoder(keep...).Decode(r, string(e.Body))
		if err != nil {
			t.Fatalf("%s: %v", caseKey(e), err)
		}
		if !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("%s:\n got %s\nwant %s", caseKey(e), g, w)
		}
		if !reflect.DeepEqual(got, plain) {
			trimmed++
		}
	}
	if trimmed < 5 { // request examples seldom carry read-only values
		t.Errorf("only %d examples had read-only values left out", trimmed)
	}
}

// TestDecodeWritableText: strings (escapes, non-ASCII), numbers and nesting decode as
// encoding/json decodes them, without a schema and with one; what is not an object is refused.
func TestDecodeWritableText(t *testing.T) {
	c, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	nsg, err := c.SchemaByARMType(context.Background(), "Microsoft.Network/networkSecurityGroups", "")
	if err != nil {
		t.Fatal(err)
	}
	text := `{"id":"/x","name":"caf\u00e9 \"q\" \\ \t","location":"westeurope","n":[1e3,-0.0,12345678901234567890,0.1,null,true,false,[],{}],
		"tags":{"a":"é"},"properties":{"provisioningState":"Succeeded","defaultSecurityRules":[{"name":"r","properties":{"priority":65000}}],
		"securityRules":[{"name":"s","properties":{"priority":100,"provisioningState":"Succeeded","access":"Allow"}}]}}`
	for _, schema := range []*catalog.Resource{nil, nsg} {
		var want map[string]any
		if err := json.Unmarshal([]byte(text), &want); err != nil {
			t.Fatal(err)
		}
		if schema != nil {
			DropReadOnly(schema, want)
			if _, ok := want["properties"].(map[string]any)["defaultSecurityRules"]; ok {
				t.Fatal("the default rules are not read-only in the schema: the test needs another")
			}
		}
		got, err := NewWritableDecoder().Decode(schema, text)
		if err != nil || !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("schema %v: %v\n got %s\nwant %s", schema != nil, err, g, w)
		}
		// Of a text known valid (an item of a page checked whole): the same, unchecked.
		if valid, err := NewWritableDecoder().DecodeValid(schema, text); err != nil || !reflect.DeepEqual(valid, want) {
			t.Errorf("schema %v: DecodeValid differs: %v %v", schema != nil, err, valid)
		}
	}
	// A kept path goes through lists by index: a rule's provisioning state, read-only, stays.
	kept, err := NewWritableDecoder("properties.securityRules.0.properties.provisioningState").Decode(nsg, text)
	rule, _ := kept["properties"].(map[string]any)["securityRules"].([]any)[0].(map[string]any)["properties"].(map[string]any)
	if err != nil || rule["provisioningState"] != "Succeeded" || rule["priority"] != float64(100) {
		t.Errorf("a kept path through a list: %v %v", err, kept)
	}
	for _, bad := range []string{`[1]`, `"x"`, `{"a":`, ``, `{"a":1}x`} {
		if _, err := NewWritableDecoder().Decode(nsg, bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func deepCopyJSON(v any) any {
	data, _ := json.Marshal(v)
	var out any
	json.Unmarshal(data, &out)
	return out
}

func valueAt(body map[string]any, path string) (any, bool) {
	var cur any = body
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func setAt(body map[string]any, path string, v any) {
	keys := strings.Split(path, ".")
	cur := body
	for _, k := range keys[:len(keys)-1] {
		next, ok := cur[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[k] = next
		}
		cur = next
	}
	cur[keys[len(keys)-1]] = v
}
