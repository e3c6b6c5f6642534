package validate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
)

// seedBody is the body of the seed page's example.
const seedBody = `{
  "properties": {
    "privateLinkServiceConnectionState": {
      "status": "Approved",
      "description": "Auto-Approved"
    }
  }
}`

func seedSchema(t testing.TB) *catalog.Resource {
	return embeddedSchema(t, "Storage::PrivateEndpointConnection", "2021-06-01")
}

// embeddedSchema returns a type's schema from the embedded catalogue.
func embeddedSchema(t testing.TB, name, version string) *catalog.Resource {
	t.Helper()
	c, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ti, err := c.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Schema(context.Background(), ti, version)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustDecode(t testing.TB, s string) any {
	t.Helper()
	v, err := Decode("body.json", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func findProblem(ps []Problem, sev Severity, path string) *Problem {
	for i := range ps {
		if ps[i].Severity == sev && ps[i].Path == path {
			return &ps[i]
		}
	}
	return nil
}

func TestSeedBody(t *testing.T) {
	r := seedSchema(t)
	if ps := Body(r, mustDecode(t, seedBody), Options{}); len(ps) != 0 {
		t.Fatalf("seed body: %v", ps)
	}
	missing := mustDecode(t, `{"properties": {"privateEndpoint": {"id": "/x"}}}`)
	ps := Body(r, missing, Options{})
	if p := findProblem(ps, Error, "properties.privateLinkServiceConnectionState"); p == nil || !strings.Contains(p.Message, "required") {
		t.Errorf("missing required property not reported: %v", ps)
	}
	if p := findProblem(ps, Warning, "properties.privateEndpoint"); p == nil {
		// privateEndpoint is not read-only itself; its id is
		if findProblem(ps, Warning, "properties.privateEndpoint.id") == nil {
			t.Errorf("read-only id not warned about: %v", ps)
		}
	}
	if HasErrors(Body(r, missing, Options{Patch: true})) {
		t.Error("a PATCH body must not need required properties")
	}
	// The status enum is open (modelAsString): ARM takes other strings, and compares case-insensitively.
	if ps := Body(r, mustDecode(t, `{"properties":{"privateLinkServiceConnectionState":{"status":"approved"}}}`), Options{}); len(ps) != 0 {
		t.Errorf("lower-case enum value: %v", ps)
	}
	ps = Body(r, mustDecode(t, `{"properties":{"privateLinkServiceConnectionState":{"status":42}},"name":"x","id":"y","type":"z"}`), Options{})
	p := findProblem(ps, Error, "properties.privateLinkServiceConnectionState.status")
	if p == nil || p.Found != "number 42" || p.Expected != "string" {
		t.Errorf("number for a string: %+v", ps)
	}
	if len(ps) != 1 {
		t.Errorf("id, name and type travel in the URL and are not problems: %v", ps)
	}
	ps = Body(r, mustDecode(t, `{"properties":{"privateLinkServiceConnectionState":{"status":"Approved"},"bogus":1}}`), Options{})
	if p := findProblem(ps, Warning, "properties.bogus"); p == nil || HasErrors(ps) {
		t.Errorf("unknown property must be a warning only: %v", ps)
	}
}

func TestSecretsAreRedacted(t *testing.T) {
	min := int64(12)
	r := &catalog.Resource{Body: &catalog.Type{Kind: catalog.KindObject, Properties: []catalog.Property{
		{Name: "password", Type: &catalog.Type{Kind: catalog.KindString, Sensitive: true, MinLength: &min}},
		{Name: "key", Type: &catalog.Type{Kind: catalog.KindInteger}, Flags: catalog.FlagWriteOnly},
		{Name: "plain", Type: &catalog.Type{Kind: catalog.KindInteger}},
	}}}
	ps := Body(r, mustDecode(t, `{"password":"hunter2","key":"s3cr3t-key","plain":"visible"}`), Options{})
	if len(ps) != 3 {
		t.Fatalf("want 3 problems, got %v", ps)
	}
	for _, p := range ps {
		s := p.String()
		if strings.Contains(s, "hunter2") || strings.Contains(s, "s3cr3t") {
			t.Errorf("secret shown: %s", s)
		}
	}
	if p := findProblem(ps, Error, "plain"); p == nil || !strings.Contains(p.Found, "visible") {
		t.Errorf("a value that is not secret should be shown: %v", ps)
	}
}

func TestDecodeReportsLineAndColumn(t *testing.T) {
	for _, tc := range []struct {
		in        string
		line, col int
	}{
		{"{\n  \"a\": 1,\n  \"b\": ]\n}", 3, 8},
		{"{\"a\": 1", 1, 8},
		{"{\n\"a\": tru }", 2, 9},
		{"{} {}", 1, 4},
		{"", 1, 1},
	} {
		_, err := Decode("f.json", []byte(tc.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: want a syntax error, got %v", tc.in, err)
			continue
		}
		if se.Line != tc.line || se.Column != tc.col {
			t.Errorf("%q: at %d:%d, want %d:%d (%v)", tc.in, se.Line, se.Column, tc.line, tc.col, err)
		}
		if !strings.HasPrefix(err.Error(), fmt.Sprintf("f.json:%d:%d:", se.Line, se.Column)) {
			t.Errorf("message %q does not start with file:line:column", err)
		}
	}
}

func TestStripReadOnly(t *testing.T) {
	r := seedSchema(t)
	body := mustDecode(t, `{"id":"/x","type":"t","properties":{"provisioningState":"Succeeded","privateEndpoint":{"id":"/pe"},"privateLinkServiceConnectionState":{"status":"Approved"}}}`)
	got, _ := json.Marshal(StripReadOnly(r, body))
	want := `{"properties":{"privateEndpoint":{},"privateLinkServiceConnectionState":{"status":"Approved"}}}`
	if string(got) != want {
		t.Errorf("stripped %s\nwant     %s", got, want)
	}
}

// mutation is a change to a valid example that the validator must report at path.
type mutation struct {
	kind  string
	steps []any // keys and indexes from the body to the mutated value's parent
	key   string
	path  string
	apply func(parent map[string]any)
}

// findMutations walks a valid body along its schema and lists the places where each kind of
// mutation applies. It does not descend into unions, whose alternatives make the expected
// path ambiguous.
func findMutations(t *catalog.Type, v any, path string, steps []any, root bool, out *[]mutation) {
	switch t.Kind {
	case catalog.KindObject:
		obj, ok := v.(map[string]any)
		if ok {
			mutationsOfObject(t.Properties, obj, path, steps, root, out)
		}
	case catalog.KindDiscriminatedObject:
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		key, val, present := lookupKey(obj, t.Discriminator)
		s, _ := val.(string)
		if !present || s == "" || root && inURL(key) {
			return
		}
		*out = append(*out, mutation{kind: "discriminator", steps: steps, key: key, path: join(path, key),
			apply: func(p map[string]any) { p[key] = "NoSuchKind" }})
		for _, vr := range t.Variants {
			if strings.EqualFold(vr.Value, s) {
				props := append(append([]catalog.Property{}, t.BaseProperties...), vr.Type.Properties...)
				mutationsOfObject(props, obj, path, steps, root, out)
				return
			}
		}
	case catalog.KindArray:
		list, ok := v.([]any)
		if ok && t.Items != nil {
			for i, item := range list {
				findMutations(t.Items, item, fmt.Sprintf("%s[%d]", path, i), append(append([]any{}, steps...), i), false, out)
			}
		}
	}
}

func mutationsOfObject(props []catalog.Property, obj map[string]any, path string, steps []any, root bool, out *[]mutation) {
	for _, p := range props {
		key, val, present := lookupKey(obj, p.Name)
		if !present || val == nil || p.Flags.Has(catalog.FlagReadOnly) || root && inURL(p.Name) {
			continue
		}
		child := join(path, key)
		k := key
		if p.Flags.Has(catalog.FlagRequired) {
			*out = append(*out, mutation{kind: "required", steps: steps, key: k, path: child, apply: func(m map[string]any) { delete(m, k) }})
		}
		literals, open := p.Type.Literals()
		s, isString := val.(string)
		switch {
		case len(literals) > 0 && !open && isString && p.Type.Kind == catalog.KindUnion && allLiterals(p.Type):
			*out = append(*out, mutation{kind: "enum", steps: steps, key: k, path: child, apply: func(m map[string]any) { m[k] = "NotAnAllowedValue" }})
		case p.Type.Kind == catalog.KindInteger:
			if n, ok := val.(json.Number); ok {
				*out = append(*out, mutation{kind: "integer", steps: steps, key: k, path: child, apply: func(m map[string]any) { m[k] = string(n) }})
			}
		case p.Type.Kind == catalog.KindString && isString && p.Type.Pattern != "":
			bad := "!! not valid \n"
			okGood, checked := p.Type.MatchPattern(s)
			okBad, _ := p.Type.MatchPattern(bad)
			if checked && okGood && !okBad {
				*out = append(*out, mutation{kind: "pattern", steps: steps, key: k, path: child, apply: func(m map[string]any) { m[k] = bad }})
			}
		}
		findMutations(p.Type, val, child, append(append([]any{}, steps...), key), false, out)
	}
}

func allLiterals(t *catalog.Type) bool {
	for _, e := range t.Elements {
		if e.Kind != catalog.KindStringLiteral {
			return false
		}
	}
	return true
}

func navigate(v any, steps []any) map[string]any {
	for _, s := range steps {
		switch k := s.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v.(map[string]any)
}

// TestMutationsAreCaught breaks valid examples of the corpus in five ways and checks that each
// break is reported as an error at the right path.
func TestMutationsAreCaught(t *testing.T) {
	cases := conformanceCases(t)
	c := conformanceCatalog(t)
	ctx := context.Background()
	tried := map[string]int{}
	const perKind = 60
	for _, e := range cases {
		if e.Method != "PUT" {
			continue
		}
		r, err := c.SchemaByARMType(ctx, e.ARMType, e.APIVersion)
		if err != nil {
			t.Fatal(err)
		}
		body := mustDecode(t, string(e.Body))
		opts := Options{Name: e.ResourceName}
		if HasErrors(Body(r, body, opts)) {
			continue
		}
		var muts []mutation
		findMutations(r.Body, body, "", nil, true, &muts)
		kindsDone := map[string]bool{}
		for _, m := range muts {
			if tried[m.kind] >= perKind || kindsDone[m.kind] {
				continue
			}
			kindsDone[m.kind] = true // one of each kind an example, to spread over many types
			tried[m.kind]++
			mutated := mustDecode(t, string(e.Body))
			m.apply(navigate(mutated, m.steps))
			ps := Body(r, mutated, opts)
			if p := findProblem(ps, Error, m.path); p == nil {
				t.Errorf("%s: %s mutation at %s not reported there; got %v", e.ExampleFile, m.kind, m.path, ps)
			}
		}
	}
	for _, kind := range []string{"enum", "required", "integer", "pattern", "discriminator"} {
		if tried[kind] < 3 {
			t.Errorf("only %d %s mutations found in the corpus", tried[kind], kind)
		}
	}
	t.Logf("mutations tried: %v", tried)
}

func TestResourceNames(t *testing.T) {
	account := embeddedSchema(t, "Storage::StorageAccount", "2021-06-01")
	body := mustDecode(t, `{"location":"westeurope","sku":{"name":"Standard_LRS"},"kind":"StorageV2"}`)
	if ps := Body(account, body, Options{Name: "mystorageaccount"}); HasErrors(ps) {
		t.Errorf("good name: %v", ps)
	}
	ps := Body(account, body, Options{Name: "ab"})
	if p := findProblem(ps, Error, "name"); p == nil || !strings.Contains(p.Expected, "at least 3") {
		t.Errorf("short account name: %v", ps)
	}
	blob := embeddedSchema(t, "Microsoft.Storage/storageAccounts/blobServices", "2021-06-01")
	if ps := Body(blob, mustDecode(t, `{}`), Options{Name: "Default"}); HasErrors(ps) {
		t.Errorf("the singleton's name, in other case: %v", ps)
	}
	if p := findProblem(Body(blob, mustDecode(t, `{}`), Options{Name: "other"}), Error, "name"); p == nil || !strings.Contains(p.Expected, `"default"`) {
		t.Errorf("a singleton named otherwise: %v", p)
	}
}

// TestFractionsWhereTheTypeDataSaysInteger: Microsoft's type data has no floating-point type,
// so a container's 0.5 CPU or a budget's 12.75 is a number like 1; the bounds still hold and
// what is no number is refused.
func TestFractionsWhereTheTypeDataSaysInteger(t *testing.T) {
	zero, ten := int64(0), int64(10)
	r := &catalog.Resource{Body: &catalog.Type{Kind: catalog.KindObject, Properties: []catalog.Property{
		{Name: "cpu", Type: &catalog.Type{Kind: catalog.KindInteger, MinValue: &zero, MaxValue: &ten}},
	}}}
	for body, want := range map[string]string{
		`{"cpu":0.5}`:   "",
		`{"cpu":12.75}`: "number too large",
		`{"cpu":10}`:    "",
		`{"cpu":-0.25}`: "number too small",
		`{"cpu":1e1}`:   "",
		`{"cpu":"0.5"}`: "wrong type",
	} {
		ps := Body(r, mustDecode(t, body), Options{})
		switch p := findProblem(ps, Error, "cpu"); {
		case want == "" && p != nil:
			t.Errorf("%s: %v", body, p)
		case want != "" && (p == nil || p.Message != want):
			t.Errorf("%s: got %v, want %q", body, ps, want)
		}
	}
}

// TestIDOnlyReferences: an object holding only an ID where the schema describes a whole
// sub-resource is a reference to it; what the whole object requires is not asked of it.
func TestIDOnlyReferences(t *testing.T) {
	str := &catalog.Type{Kind: catalog.KindString}
	gateway := &catalog.Type{Kind: catalog.KindObject, Name: "LocalNetworkGateway", Properties: []catalog.Property{
		{Name: "id", Type: str},
		{Name: "properties", Type: &catalog.Type{Kind: catalog.KindObject, Properties: []catalog.Property{{Name: "gatewayIpAddress", Type: str}}}, Flags: catalog.FlagRequired},
	}}
	r := &catalog.Resource{Body: &catalog.Type{Kind: catalog.KindObject, Properties: []catalog.Property{{Name: "localNetworkGateway2", Type: gateway}}}}
	if ps := Body(r, mustDecode(t, `{"localNetworkGateway2":{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/localNetworkGateways/g"}}`), Options{}); HasErrors(ps) {
		t.Errorf("an ID-only reference: %v", ps)
	}
	if ps := Body(r, mustDecode(t, `{"localNetworkGateway2":{"name":"g"}}`), Options{}); findProblem(ps, Error, "localNetworkGateway2.properties") == nil {
		t.Errorf("a whole object without its required properties: %v", ps)
	}
}
