package jsfmt

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/nodeoracle"
)

// seedCall is the example of the seed page, as GruCloud's generator writes it before
// formatting.
func seedCall() Node {
	ref := func(group, typ, name string) Node {
		return Index{Object: Dot{Object: Dot{Object: Ident("resources"), Name: group}, Name: typ}, Index: Str(name)}
	}
	return Program{Call{
		Callee: Dot{Object: Dot{Object: Ident("provider"), Name: "Storage"}, Name: "makePrivateEndpointConnection"},
		Args: []Node{ObjectExpr{Expanded: true, Props: []Prop{
			{Key: "name", Value: Str("myPrivateEndpointConnection")},
			{Key: "properties", Value: Arrow{Body: Value(Ordered{{"properties", Ordered{{"privateLinkServiceConnectionState", Ordered{{"status", "Approved"}, {"description", "Auto-Approved"}}}}}})}},
			{Key: "dependencies", Value: Arrow{Params: []Node{ObjectPattern{"resources"}}, Body: ObjectExpr{Expanded: true, Props: []Prop{
				{Key: "resourceGroup", Value: ref("Resources", "ResourceGroup", "myResourceGroup")},
				{Key: "privateEndpoint", Value: ref("Network", "PrivateEndpoint", "myPrivateEndpoint")},
				{Key: "account", Value: ref("Storage", "StorageAccount", "myStorageAccount")},
			}}}},
		}}},
	}}
}

func TestFormatSeedExample(t *testing.T) {
	want := `provider.Storage.makePrivateEndpointConnection({
  name: "myPrivateEndpointConnection",
  properties: () => ({
    properties: {
      privateLinkServiceConnectionState: {
        status: "Approved",
        description: "Auto-Approved",
      },
    },
  }),
  dependencies: ({ resources }) => ({
    resourceGroup: resources.Resources.ResourceGroup["myResourceGroup"],
    privateEndpoint: resources.Network.PrivateEndpoint["myPrivateEndpoint"],
    account: resources.Storage.StorageAccount["myStorageAccount"],
  }),
});
`
	if got := Format(seedCall()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestFormatRules: the layouts of prettier the issue names, written out.
func TestFormatRules(t *testing.T) {
	for _, c := range []struct {
		value any
		want  string
	}{
		{Ordered{{"tags", Ordered{{"key1", "value1"}, {"key2", "value2"}}}}, `({ tags: { key1: "value1", key2: "value2" } });`},
		{Ordered{{"properties", Ordered{{"nextHop", "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworkGateways/gw"}}}}, `({
  properties: {
    nextHop:
      "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworkGateways/gw",
  },
});`},
		{Ordered{{"addressPrefixes", []any{"10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16"}}}, `({
  addressPrefixes: [
    "10.0.0.0/16",
    "10.1.0.0/16",
    "10.2.0.0/16",
    "10.3.0.0/16",
    "10.4.0.0/16",
  ],
});`},
	} {
		got := Format(Program{Arrow{Body: Value(c.value)}.Body})
		got = strings.TrimSuffix(got, "\n")
		if got != c.want {
			t.Errorf("got\n%s\nwant\n%s", got, c.want)
		}
	}
}

// randomValue makes a JSON-like value of the shapes swagger examples have.
func randomValue(r *rand.Rand, depth int) any {
	words := []string{"name", "properties", "id", "location", "x-ms-flag", "1", "10", "01", "1.5", "été", "日本", "$ref", "default", "a b", "it's", `say "hi"`, "back\\slash", "new\nline", "addressPrefix", "privateLinkServiceConnectionState", "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/subnet1"}
	switch k := r.Intn(10); {
	case depth > 4 || k < 3:
		return words[r.Intn(len(words))]
	case k == 3:
		return []float64{0, 1, -1, 1.5, 1e21, 1e-7, 123456789012, -0.25, 65535}[r.Intn(9)]
	case k == 4:
		return []any{true, false, nil}[r.Intn(3)]
	case k < 7:
		n := r.Intn(6)
		if r.Intn(4) == 0 {
			n += 8
		}
		a := make([]any, n)
		allNumbers := r.Intn(3) == 0
		for i := range a {
			if allNumbers {
				a[i] = float64(r.Intn(100000)) - 10
			} else {
				a[i] = randomValue(r, depth+1)
			}
		}
		return a
	default:
		n := r.Intn(5)
		o := Ordered{}
		for i := 0; i < n; i++ {
			o = append(o, Member{words[r.Intn(len(words))] + fmt.Sprint(i), randomValue(r, depth+1)})
		}
		return o
	}
}

func dependencies(r *rand.Rand) Node {
	o := ObjectExpr{Expanded: true}
	for i := 0; i < 1+r.Intn(3); i++ {
		group := []string{"Network", "Web", "Resources"}[r.Intn(3)]
		typ := []string{"AppServiceEnvironmentAseCustomDnsSuffixConfiguration", "Vault", "PrivateEndpoint", "UserAssignedIdentity"}[r.Intn(4)]
		var v Node = Index{Object: Dot{Object: Dot{Object: Ident("resources"), Name: group}, Name: typ}, Index: Str("my" + typ)}
		if r.Intn(3) == 0 {
			v = ArrayExpr{v}
		}
		o.Props = append(o.Props, Prop{Key: []string{"appServiceEnvironmentAseCustomDnsSuffixConfiguration", "vault", "managedIdentities", "rg"}[r.Intn(4)], Value: v})
	}
	return o
}

// TestFormatMatchesPrettier formats examples shaped like GruCloud's pages with jsfmt and with
// prettier 2 itself, and compares.
func TestFormatMatchesPrettier(t *testing.T) {
	dir := nodeoracle.Packages(t, nodeoracle.Prettier)
	r := rand.New(rand.NewSource(13))
	programs := []Node{seedCall()}
	for i := 0; i < 400; i++ {
		body := randomValue(r, 0)
		props := []Prop{{Key: "name", Value: Str("my" + strings.Repeat("Name", r.Intn(12)))}}
		if r.Intn(5) > 0 {
			props = append(props, Prop{Key: "properties", Value: Arrow{Body: Value(body)}})
		}
		if r.Intn(3) > 0 {
			props = append(props, Prop{Key: "dependencies", Value: Arrow{Params: []Node{ObjectPattern{"resources"}}, Body: dependencies(r)}})
		}
		call := Call{Callee: Dot{Object: Dot{Object: Ident("provider"), Name: "Web"}, Name: "make" + strings.Repeat("Site", 1+r.Intn(8))}, Args: []Node{ObjectExpr{Expanded: r.Intn(4) > 0, Props: props}}}
		programs = append(programs, Program{call})
		// The modern style: an entry of createResources' array with getId calls.
		entry := ObjectExpr{Expanded: true, Props: []Prop{
			{Key: "type", Value: Str("Site")},
			{Key: "properties", Value: Arrow{Params: []Node{ObjectPattern{"config", "getId"}}, Body: ObjectExpr{Props: []Prop{
				{Key: "id", Value: Call{Callee: Ident("getId"), Args: []Node{ObjectExpr{Props: []Prop{{Key: "type", Value: Str("Subnet")}, {Key: "group", Value: Str("Network")}, {Key: "name", Value: Str(strings.Repeat("rg::vnet::", 1+r.Intn(6)))}}}}}},
				{Key: "body", Value: Value(randomValue(r, 1))},
			}}}},
		}}
		programs = append(programs, Program{Assign{Left: Dot{Object: Ident("exports"), Name: "createResources"}, Right: Arrow{Body: ArrayExpr{entry}}}})
	}
	sources := make([]string, len(programs))
	for i, p := range programs {
		sources[i] = Source(p)
	}
	input, _ := json.Marshal(sources)
	var want []string
	if err := json.Unmarshal(nodeoracle.Run(t, dir, "testdata/prettier.js", input), &want); err != nil {
		t.Fatal(err)
	}
	failures := 0
	for i, p := range programs {
		if got := Format(p); got != want[i] {
			failures++
			if failures <= 3 {
				t.Errorf("case %d differs from prettier:\nsource %s\n%s", i, sources[i], firstDifference(got, want[i]))
			}
		}
	}
	if failures > 0 {
		t.Errorf("%d of %d cases differ from %s", failures, len(programs), nodeoracle.Describe(nodeoracle.Prettier))
	}
}

func firstDifference(got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(gl) && i < len(wl); i++ {
		if gl[i] != wl[i] {
			return fmt.Sprintf("line %d:\n jsfmt    %q\n prettier %q\n--- jsfmt\n%s\n--- prettier\n%s", i+1, gl[i], wl[i], got, want)
		}
	}
	return fmt.Sprintf("%d lines, prettier %d\n--- jsfmt\n%s\n--- prettier\n%s", len(gl), len(wl), got, want)
}
