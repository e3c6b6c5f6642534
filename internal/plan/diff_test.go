package plan

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/secret"
)

func schemaOf(t *testing.T, name string) *catalog.Type {
	t.Helper()
	c, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ti, err := c.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Schema(context.Background(), ti, "")
	if err != nil {
		t.Fatal(err)
	}
	return r.Body
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func paths(ds []Diff) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Path)
	}
	return strings.Join(out, ",")
}

// TestDiffIsExactExceptWhereARMIsNot: IDs, names, enum values, locations and types compare as
// ARM does; every other string exactly; numbers by value.
func TestDiffIsExactExceptWhereARMIsNot(t *testing.T) {
	acct := schemaOf(t, "Storage::StorageAccount")
	want := decode(t, `{"location":"West Europe","kind":"storagev2","sku":{"name":"standard_lrs"},
		"properties":{"accessTier":"hot","minimumTlsVersion":"TLS1_2","customDomain":{"name":"Example.COM"},
		"networkAcls":{"defaultAction":"allow","virtualNetworkRules":[{"id":"/SUBSCRIPTIONS/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/v/subnets/s"}]}},
		"tags":{"env":"Prod"}}`)
	have := decode(t, `{"location":"westeurope","kind":"StorageV2","sku":{"name":"Standard_LRS","tier":"Standard"},
		"properties":{"accessTier":"Hot","minimumTlsVersion":"TLS1_2","customDomain":{"name":"example.com"},"provisioningState":"Succeeded",
		"networkAcls":{"defaultAction":"Allow","virtualNetworkRules":[{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"}]}},
		"tags":{"env":"Prod"}}`)
	if d := compare(acct, want, have); len(d) != 0 {
		t.Errorf("differences where ARM sees none: %+v", d)
	}
	// A tag value changed only in case is a change; so is a location in another region.
	have["tags"] = map[string]any{"env": "prod"}
	have["location"] = "northeurope"
	if got := paths(compare(acct, want, have)); got != "location,tags.env" {
		t.Errorf("diffs %s, want location,tags.env", got)
	}
	// Numbers compare by value.
	if d := compare(nil, decode(t, `{"n":3,"f":1.50}`), map[string]any{"n": float64(3), "f": 1.5}); len(d) != 0 {
		t.Errorf("numbers: %+v", d)
	}
	// A free string (no enum) compares exactly.
	if got := paths(compare(nil, decode(t, `{"properties":{"description":"Hello"}}`), decode(t, `{"properties":{"description":"hello"}}`))); got != "properties.description" {
		t.Errorf("free string: %s", got)
	}
}

// TestDiffShowsTagsThePutRemoves: tags are replaced whole, so a tag only live has is shown as
// removed; other live-only properties stay out of the diff, and in drift.
func TestDiffShowsTagsThePutRemoves(t *testing.T) {
	rg := schemaOf(t, "Resources::ResourceGroup")
	want := decode(t, `{"location":"westeurope","tags":{"a":"1"}}`)
	have := decode(t, `{"location":"westeurope","tags":{"a":"1","__proto__":"x","owner":"me"},"managedBy":"someone","properties":{"provisioningState":"Succeeded"}}`)
	d := compare(rg, want, have)
	if paths(d) != "tags.__proto__,tags.owner" || d[1].Before != "me" || d[1].After != nil {
		t.Errorf("diffs: %+v", d)
	}
	if dr := drift(rg, want, have, ""); paths(dr) != "managedBy" {
		t.Errorf("drift: %+v", dr)
	}
}

// TestDiffNeverHoldsSecrets: a secret that live returns is compared but shown masked; one
// that live does not return (write-only) is not compared at all.
func TestDiffNeverHoldsSecrets(t *testing.T) {
	sql := schemaOf(t, "Sql::Server")
	want := decode(t, `{"location":"westeurope","properties":{"administratorLogin":"admin","administratorLoginPassword":"S3cret-One!"}}`)
	have := decode(t, `{"location":"westeurope","properties":{"administratorLogin":"admin"}}`)
	if d := compare(sql, want, have); len(d) != 0 {
		t.Errorf("a write-only password is compared: %+v", d)
	}
	have["properties"].(map[string]any)["administratorLoginPassword"] = "returned-anyway"
	if d := compare(sql, want, have); len(d) != 0 {
		t.Errorf("a write-only password that live returns is compared: %+v", d)
	}
	kv := schemaOf(t, "KeyVault::Secret")
	want = decode(t, `{"properties":{"value":"S3cret-Two!"}}`)
	have = decode(t, `{"properties":{"value":"old-value"}}`)
	d := compare(kv, want, have)
	data, _ := json.Marshal(d)
	if len(d) != 1 || !d[0].Sensitive || strings.Contains(string(data), "S3cret") || strings.Contains(string(data), "old-value") {
		t.Errorf("a readable secret: %s", data)
	}
	// A new resource's whole body, as it shows in a diff, has its secrets masked.
	d = compare(sql, decode(t, `{"properties":{"administratorLoginPassword":"S3cret-One!","administratorLogin":"a"}}`), decode(t, `{}`))
	data, _ = json.Marshal(d)
	if strings.Contains(string(data), "S3cret") || !strings.Contains(string(data), secret.Mask) {
		t.Errorf("a new object's secrets: %s", data)
	}
}

func TestImmutable(t *testing.T) {
	acct := schemaOf(t, "Storage::StorageAccount")
	for path, want := range map[string]bool{"location": true, "name": true, "properties.accessTier": false, "tags.x": false} {
		if got := immutable(acct, path); got != want {
			t.Errorf("immutable(%s) = %v", path, got)
		}
	}
}

// A tag named like a secret holds one; a readable secret that live returns as null is not
// returned (no diff each plan); locations of every kind ignore case and spaces.
func TestDiffEdges(t *testing.T) {
	rg := schemaOf(t, "Resources::ResourceGroup")
	d := compare(rg, decode(t, `{"tags":{"apiKey":"New-Value-456"}}`), decode(t, `{"tags":{"apiKey":"Old-Value-123"}}`))
	data, _ := json.Marshal(d)
	if len(d) != 1 || !d[0].Sensitive || strings.Contains(string(data), "Value-") {
		t.Errorf("a secret tag: %s", data)
	}
	kv := schemaOf(t, "KeyVault::Secret")
	if d := compare(kv, decode(t, `{"properties":{"value":"x"}}`), decode(t, `{"properties":{"value":null}}`)); len(d) != 0 {
		t.Errorf("a secret returned as null: %+v", d)
	}
	if d := compare(nil, decode(t, `{"properties":{"secondaryLocation":"North Europe"}}`), decode(t, `{"properties":{"secondaryLocation":"northeurope"}}`)); len(d) != 0 {
		t.Errorf("secondaryLocation: %+v", d)
	}
}

func TestHoldsIDs(t *testing.T) {
	own := map[string]any{"id": "/subscriptions/s/resourceGroups/rg", "name": "rg", "properties": map[string]any{"n": 1, "list": []any{"a"}}}
	if holdsIDs(own, true) {
		t.Error("its own ID counts")
	}
	other := map[string]any{"id": "/subscriptions/s/resourceGroups/rg", "properties": map[string]any{"nsg": map[string]any{"id": "/Subscriptions/s/x"}}}
	inList := map[string]any{"properties": map[string]any{"list": []any{map[string]any{"x": "/providers/p"}}}}
	if !holdsIDs(other, true) || !holdsIDs(inList, true) {
		t.Error("an ID another property holds is missed")
	}
}

// TestInlineTextIsTheJSONOfTheLists: the text a dropped change keeps of its inline child
// lists is what encoding/json writes of them, empty or not.
func TestInlineTextIsTheJSONOfTheLists(t *testing.T) {
	for _, lists := range []map[string]any{
		{},
		{"securityRules": []any{}},
		{"securityRules": []any(nil)},
		{"subnets": []any{}, "virtualNetworkPeerings": []any{}, "a\"<b>": []any{}},
		{"subnets": []any{map[string]any{"name": "sn", "properties": map[string]any{"addressPrefix": "10.0.0.0/24"}}}, "virtualNetworkPeerings": []any{}},
	} {
		got, err := inlineText(lists)
		want, _ := json.Marshal(map[string]any{"properties": lists})
		if err != nil || got != string(want) {
			t.Errorf("%v: %s %v, want %s", lists, got, err, want)
		}
	}
}

// TestDiffsInKeyOrder: objects are compared in any order first, but their diffs come in key
// order, at every level, tags too.
func TestDiffsInKeyOrder(t *testing.T) {
	want, have := map[string]any{}, map[string]any{}
	inner, innerLive := map[string]any{}, map[string]any{}
	tags, liveTags := map[string]any{}, map[string]any{}
	var keys []string
	for _, k := range "mkbqaxdjfhzcgp" {
		key := string(k)
		want[key], have[key] = "want-"+key, "live-"+key
		inner[key], innerLive[key] = 1.0, 2.0
		tags[key], liveTags[key] = "t", "u"
		keys = append(keys, key)
	}
	want["nested"], have["nested"] = inner, innerLive
	want["tags"], have["tags"] = tags, liveTags
	for range 5 { // maps iterate in a new order each time
		got := compare(nil, want, have)
		var paths []string
		for _, d := range got {
			paths = append(paths, d.Path)
		}
		if !slices.IsSorted(paths) || len(paths) != 3*len(keys) {
			t.Fatalf("diffs out of key order: %v", paths)
		}
	}
}
