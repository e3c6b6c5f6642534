package catalog

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func open(t testing.TB) *Catalog {
	t.Helper()
	c, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCatalogueCoversEveryType(t *testing.T) {
	c := open(t)
	if n := len(c.Types()); n < 3400 {
		t.Fatalf("catalogue has %d types, want about 3,400", n)
	}
	seen := map[string]bool{}
	for _, ti := range c.Types() {
		k := strings.ToLower(ti.ShortName)
		if seen[k] {
			t.Errorf("short name %s given twice", ti.ShortName)
		}
		seen[k] = true
		if len(ti.HeldVersions()) == 0 {
			t.Errorf("%s: no held version", ti.ARMType)
		}
		if !contains(ti.HeldVersions(), ti.DefaultVersion) {
			t.Errorf("%s: default version %s not held (held %v)", ti.ARMType, ti.DefaultVersion, ti.HeldVersions())
		}
	}
}

func TestLookupNames(t *testing.T) {
	c := open(t)
	for name, want := range map[string]string{
		"Storage::PrivateEndpointConnection":                           "Microsoft.Storage/storageAccounts/privateEndpointConnections",
		"storage::privateendpointconnection":                           "Microsoft.Storage/storageAccounts/privateEndpointConnections",
		"Microsoft.Storage/storageAccounts/privateEndpointConnections": "Microsoft.Storage/storageAccounts/privateEndpointConnections",
		"MICROSOFT.STORAGE/STORAGEACCOUNTS":                            "Microsoft.Storage/storageAccounts",
		"Network::PrivateEndpoint":                                     "Microsoft.Network/privateEndpoints",
		"Storage::StorageAccount":                                      "Microsoft.Storage/storageAccounts",
		"Network::Subnet":                                              "Microsoft.Network/virtualNetworks/subnets",
		"Network::VirtualNetwork":                                      "Microsoft.Network/virtualNetworks",
		"Resources::ResourceGroup":                                     "Microsoft.Resources/resourceGroups",
		"Cache::Redis":                                                 "Microsoft.Cache/redis",
		// GruCloud's names for Web sites' config instances are aliases of one type.
		"Web::WebAppConfiguration": "Microsoft.Web/sites/config",
		// a derived name stays usable where GruCloud's name won
		"Storage::Container": "Microsoft.Storage/storageAccounts/blobServices/containers",
	} {
		ti, err := c.Lookup(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !strings.EqualFold(ti.ARMType, want) {
			t.Errorf("%s resolved to %s, want %s", name, ti.ARMType, want)
		}
	}
	// GruCloud's spelling of an ARM type wins over the type data's lower-case variant.
	ti, _ := c.Lookup("Network::Subnet")
	if ti.ARMType != "Microsoft.Network/virtualNetworks/subnets" {
		t.Errorf("canonical spelling %s", ti.ARMType)
	}
}

func TestUnknownTypeSuggests(t *testing.T) {
	c := open(t)
	for name, want := range map[string]string{
		"Storage::StorageAcount":            "Storage::StorageAccount",
		"Storage::PrivateEndpointConection": "Storage::PrivateEndpointConnection",
		"StorageAccounts":                   "Storage::StorageAccount",
		"Microsoft.Storage/storageAccount":  "Microsoft.Storage/storageAccounts",
		"Netwrk::VirtualNetwork":            "Network::VirtualNetwork",
	} {
		_, err := c.Lookup(name)
		var u *UnknownTypeError
		if !errors.As(err, &u) {
			t.Errorf("%s: want an unknown-type error, got %v", name, err)
			continue
		}
		if len(u.Suggestions) == 0 || len(u.Suggestions) > 3 || !contains(u.Suggestions, want) {
			t.Errorf("%s: suggestions %v, want up to three including %s", name, u.Suggestions, want)
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: message %q does not suggest %s", name, err, want)
		}
	}
}

func TestParseTypeRef(t *testing.T) {
	good := map[string]TypeRef{
		"Storage::StorageAccount":                        {Name: "Storage::StorageAccount"},
		" Microsoft.Storage/storageAccounts@2021-06-01 ": {Name: "Microsoft.Storage/storageAccounts", APIVersion: "2021-06-01"},
		"Microsoft.Web/sites@2024-01-01-preview":         {Name: "Microsoft.Web/sites", APIVersion: "2024-01-01-preview"},
	}
	for in, want := range good {
		got, err := ParseTypeRef(in)
		if err != nil || got != want {
			t.Errorf("ParseTypeRef(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "Storage:StorageAccount", "::X", "Storage::", "a//b", "Microsoft.Storage/x@2021", "x@", "St orage", "a::b::c", "a::b/c"} {
		if _, err := ParseTypeRef(bad); err == nil {
			t.Errorf("ParseTypeRef(%q) accepted", bad)
		}
	}
}

func TestSeedSchema(t *testing.T) {
	c := open(t)
	ti, err := c.Lookup("Storage::PrivateEndpointConnection")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Schema(context.Background(), ti, "2021-06-01")
	if err != nil {
		t.Fatal(err)
	}
	if r.WritableScopes != ScopeResourceGroup || r.Has("location") || r.Has("tags") {
		t.Errorf("scopes %v, location %v, tags %v", r.WritableScopes.Names(), r.Has("location"), r.Has("tags"))
	}
	if ti.ParentType() != "Microsoft.Storage/storageAccounts" {
		t.Errorf("parent %q", ti.ParentType())
	}
	props := r.Body.Property("properties")
	if props == nil || props.Type.Kind != KindObject {
		t.Fatalf("no properties object: %+v", props)
	}
	state := props.Type.Property("privateLinkServiceConnectionState")
	if state == nil || !state.Flags.Has(FlagRequired) {
		t.Fatalf("privateLinkServiceConnectionState not required: %+v", state)
	}
	status := state.Type.Property("status")
	values, open := status.Type.Literals()
	if strings.Join(values, ",") != "Pending,Approved,Rejected" || !open {
		t.Errorf("status literals %v open %v", values, open)
	}
	pe := props.Type.Property("privateEndpoint").Type.Property("id")
	if !pe.Flags.Has(FlagReadOnly) {
		t.Errorf("privateEndpoint.id flags %v", pe.Flags.Names())
	}
	if ps := props.Type.Property("provisioningState"); !ps.Flags.Has(FlagReadOnly) {
		t.Errorf("provisioningState flags %v", ps.Flags.Names())
	}
	// the default version is held too, and is newer
	latest, err := c.Schema(context.Background(), ti, "")
	if err != nil || latest.APIVersion <= "2021-06-01" {
		t.Errorf("default schema %v %v", latest, err)
	}
}

func TestVersionNotHeld(t *testing.T) {
	c := open(t)
	ti, _ := c.Lookup("Storage::StorageAccount")
	// every published version is held
	if r, err := c.Schema(context.Background(), ti, "2019-06-01"); err != nil || r.APIVersion != "2019-06-01" {
		t.Fatalf("2019-06-01: %v %v", r, err)
	}
	_, err := c.Schema(context.Background(), ti, "1999-01-01")
	var nh *VersionNotHeldError
	if !errors.As(err, &nh) {
		t.Fatalf("want VersionNotHeldError, got %v", err)
	}
	if nh.Known || !contains(nh.Held, "2019-06-01") || !contains(nh.Held, "2021-06-01") || !contains(nh.Held, ti.DefaultVersion) {
		t.Errorf("unknown version: %+v", nh)
	}
}

func TestLazyDecoding(t *testing.T) {
	c := open(t)
	ti, _ := c.Lookup("Storage::StorageAccount")
	if _, err := c.Schema(context.Background(), ti, ""); err != nil {
		t.Fatal(err)
	}
	if n := len(c.files); n != 1 {
		t.Errorf("one schema decoded %d type files", n)
	}
	if c.versions.Value() != nil || c.knownVersions != nil {
		t.Error("version list decoded without being asked for")
	}
}

// TestKnownVersionsOutliveTheirTable: the versions of the types asked for are kept; the table
// of all of them goes with a collection, and is read again for another type, the same.
func TestKnownVersionsOutliveTheirTable(t *testing.T) {
	c := open(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	account, err := c.KnownVersions("Microsoft.Storage/storageAccounts")
	if err != nil || !slices.Contains(account, "2021-06-01") || !slices.Contains(account, "2019-06-01") {
		t.Fatalf("storage accounts: %v %v", account, err)
	}
	runtime.GC()
	runtime.GC()
	if c.versions.Value() != nil {
		t.Error("the table of every type's versions outlived a collection")
	}
	runtime.ReadMemStats(&after)
	if held := int64(after.HeapAlloc) - int64(before.HeapAlloc); held > 400<<10 {
		t.Errorf("one type's versions hold %d bytes: the table's text (676 KB) stays", held)
	}
	if again, _ := c.KnownVersions("microsoft.storage/STORAGEACCOUNTS"); !slices.Equal(again, account) {
		t.Errorf("asked again: %v, first %v", again, account)
	}
	if c.versions.Value() != nil {
		t.Error("the table was read again for a type already asked for")
	}
	vnet, err := c.KnownVersions("Microsoft.Network/virtualNetworks")
	if err != nil || !slices.Contains(vnet, "2023-05-01") {
		t.Errorf("virtual networks, from the table read again: %v %v", vnet, err)
	}
	if none, err := c.KnownVersions("Microsoft.Nothing/nothings"); none != nil || err != nil {
		t.Errorf("an unknown type: %v %v", none, err)
	}
}

func TestShortNamesOfGroups(t *testing.T) {
	c := open(t)
	for arm, short := range map[string]string{
		"Microsoft.Storage/storageAccounts/privateEndpointConnections": "Storage::PrivateEndpointConnection",
		"Microsoft.Network/privateEndpoints":                           "Network::PrivateEndpoint",
		"Microsoft.Cache/redis/privateEndpointConnections":             "Cache::RedisPrivateEndpointConnection",
		"ArizeAi.ObservabilityEval/organizations":                      "ArizeAi.ObservabilityEval::Organization",
	} {
		ti, err := c.Lookup(arm)
		if err != nil {
			t.Errorf("%s: %v", arm, err)
			continue
		}
		if ti.ShortName != short {
			t.Errorf("%s: short name %s, want %s", arm, ti.ShortName, short)
		}
	}
}

// TestEverySchemaDecodes decodes every held version of every type, and checks that every
// string pattern in them can be run (RE2, or the .NET-compatible engine for look-arounds).
func TestEverySchemaDecodes(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes the whole catalogue")
	}
	c := open(t)
	seen := map[*Type]bool{}
	patterns := 0
	var walk func(x *Type)
	walk = func(x *Type) {
		if x == nil || seen[x] {
			return
		}
		seen[x] = true
		if x.Pattern != "" {
			patterns++
			if _, checked := x.MatchPattern(""); !checked {
				t.Errorf("pattern %q cannot be run", x.Pattern)
			}
		}
		for _, list := range [][]Property{x.Properties, x.BaseProperties} {
			for _, p := range list {
				walk(p.Type)
			}
		}
		for _, v := range x.Variants {
			walk(v.Type)
		}
		for _, e := range x.Elements {
			walk(e)
		}
		walk(x.Items)
		walk(x.AdditionalProperties)
	}
	// Every type's default version, and every version of one type in eight (the archive's
	// test, TestEveryPairMatchesTheArchive, compares all 34,509 where ../shared is).
	for i, ti := range c.Types() {
		versions := []string{ti.DefaultVersion}
		if i%8 == 0 {
			versions = ti.HeldVersions()
		}
		for _, v := range versions {
			r, err := c.Schema(context.Background(), ti, v)
			if err != nil {
				t.Fatalf("%s@%s: %v", ti.ARMType, v, err)
			}
			if r.Body == nil {
				t.Errorf("%s@%s: no body", ti.ARMType, v)
			}
			walk(r.Body)
		}
	}
	if patterns < 500 {
		t.Errorf("only %d patterns seen", patterns)
	}
}

func TestLookAroundPatterns(t *testing.T) {
	min, max := int64(3), int64(24)
	x := &Type{Kind: KindString, Pattern: `^(?=.{3,24}$)[^0-9][A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$`, MinLength: &min, MaxLength: &max}
	for s, want := range map[string]bool{"abc-def": true, "1abc": false, "ab": false, "abc--def": false} {
		if got, checked := x.MatchPattern(s); !checked || got != want {
			t.Errorf("%q: matched %v checked %v, want %v", s, got, checked, want)
		}
	}
}

func TestGruCloudDependencies(t *testing.T) {
	c := open(t)
	deps, err := c.Dependencies("microsoft.storage/storageaccounts/privateendpointconnections")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Dependency{}
	for _, d := range deps {
		got[d.Key] = d
	}
	if d := got["privateEndpoint"]; d.ARMType != "Microsoft.Network/privateEndpoints" || d.PathID != "properties.privateEndpoint.id" || d.Parent {
		t.Errorf("privateEndpoint: %+v", d)
	}
	if d := got["account"]; d.ARMType != "Microsoft.Storage/storageAccounts" || !d.Parent {
		t.Errorf("account: %+v", d)
	}
	nat, _ := c.Dependencies("Microsoft.Network/natGateways")
	for _, d := range nat {
		if d.Key == "publicIpAddresses" && (!d.List || d.PathID != "properties.publicIpAddresses[].id") {
			t.Errorf("publicIpAddresses: %+v", d)
		}
	}
	if none, _ := c.Dependencies("Microsoft.AgFoodPlatform/farmBeats"); len(none) != 0 {
		t.Errorf("a type outside GruCloud's table has %v", none)
	}
}
