package armops

import (
	"slices"
	"testing"
)

// open parses the embedded table.
func open(tb testing.TB) *Table {
	tb.Helper()
	t, err := Open()
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// want checks an operation's flag and codes.
func want(t *testing.T, what string, op Operation, ok bool, lro bool, codes ...int) {
	t.Helper()
	if !ok {
		t.Fatalf("%s: not found", what)
	}
	if op.LRO != lro || !slices.Equal(op.Codes, codes) {
		t.Errorf("%s: lro %v codes %v, want lro %v codes %v", what, op.LRO, op.Codes, lro, codes)
	}
}

func TestSource(t *testing.T) {
	tab := open(t)
	repo, commit := tab.Source()
	if commit != "cbbe228fd422db02b65e2748f83df5f2bcad7581" || repo == "" {
		t.Errorf("source %q %q", repo, commit)
	}
	if n := len(tab.types); n != 4242 {
		t.Errorf("%d types, want 4242", n)
	}
}

func TestResourceGroups(t *testing.T) {
	tab := open(t)
	const rg = "Microsoft.Resources/resourceGroups"
	for _, v := range []string{"2021-04-01", "2024-03-01"} {
		put, ok := tab.Resource(rg, v, "PUT", "rg1", Subscription)
		want(t, "resourceGroups PUT "+v, put, ok, false, 200, 201)
		if put.Async() || put.Method != "PUT" || put.Status(201) != 201 || put.Status() != 200 {
			t.Errorf("resourceGroups PUT %s: %+v async %v", v, put, put.Async())
		}
		del, ok := tab.Resource(rg, v, "DELETE", "rg1", Subscription)
		want(t, "resourceGroups DELETE "+v, del, ok, true, 200, 202)
		if !del.Async() || del.Status() != 202 || del.FinalStateVia != "" {
			t.Errorf("resourceGroups DELETE %s: %+v", v, del)
		}
		head, ok := tab.Resource(rg, v, "HEAD", "rg1", Subscription)
		want(t, "resourceGroups HEAD "+v, head, ok, false, 204)
		if !slices.Equal(head.OtherCodes, []int{404}) {
			t.Errorf("resourceGroups HEAD other codes %v", head.OtherCodes)
		}
	}
	// A resource group lives at subscription scope, not in a resource group.
	if _, ok := tab.Resource(rg, "2021-04-01", "PUT", "rg1", ResourceGroup); ok {
		t.Error("resourceGroups PUT served at resourceGroup scope")
	}
	col, ok := tab.Collection(rg, "2021-04-01", Subscription)
	want(t, "resourceGroups list", col, ok, false, 200)
	if !col.Pageable {
		t.Error("resourceGroups list not pageable")
	}
}

func TestStorageAccounts(t *testing.T) {
	tab := open(t)
	const sa = "Microsoft.Storage/storageAccounts"
	put, ok := tab.Resource(sa, "2023-01-01", "PUT", "acct", ResourceGroup)
	want(t, "storageAccounts PUT", put, ok, true, 200, 202)
	if !put.Async() || put.Status(201) != 202 || put.FinalStateVia != "" || !slices.Equal(put.Scopes, []Scope{ResourceGroup}) {
		t.Errorf("storageAccounts PUT: %+v", put)
	}
	del, ok := tab.Resource(sa, "2023-01-01", "DELETE", "acct", ResourceGroup)
	want(t, "storageAccounts DELETE", del, ok, false, 200, 204)
	if del.Async() || del.Status() != 200 || del.Status(204) != 204 {
		t.Errorf("storageAccounts DELETE: %+v", del)
	}
	patch, ok := tab.Resource(sa, "2023-01-01", "PATCH", "acct", "")
	want(t, "storageAccounts PATCH", patch, ok, false, 200)
	if _, ok := tab.Resource(sa, "2023-01-01", "PUT", "acct", Subscription); ok {
		t.Error("storageAccounts PUT served at subscription scope")
	}

	col, ok := tab.Collection(sa, "2023-01-01", "")
	want(t, "storageAccounts list", col, ok, false, 200)
	if !col.Pageable || !slices.Equal(col.Scopes, []Scope{Subscription, ResourceGroup}) {
		t.Errorf("storageAccounts list: %+v", col)
	}
	for _, s := range []Scope{Subscription, ResourceGroup} {
		if _, ok := tab.Collection(sa, "2023-01-01", s); !ok {
			t.Errorf("storageAccounts list not served at %s", s)
		}
	}
	for _, s := range []Scope{Tenant, ManagementGroup, Extension} {
		if _, ok := tab.Collection(sa, "2023-01-01", s); ok {
			t.Errorf("storageAccounts list served at %s", s)
		}
	}

	keys, ok := tab.Action(sa, "2023-01-01", "listKeys", "POST", "acct")
	want(t, "storageAccounts listKeys", keys, ok, false, 200)
	if keys.Method != "POST" || keys.Async() || keys.Status() != 200 {
		t.Errorf("listKeys: %+v", keys)
	}
	fail, ok := tab.Action(sa, "2023-01-01", "failover", "POST", "")
	want(t, "storageAccounts failover", fail, ok, true, 200, 202)
	if fail.FinalStateVia != "location" || !fail.Async() {
		t.Errorf("failover: %+v", fail)
	}
	if _, ok := tab.Action(sa, "2023-01-01", "listKeys", "GET", ""); ok {
		t.Error("listKeys found for GET")
	}
	if _, ok := tab.Action(sa, "2023-01-01", "noSuchAction", "POST", ""); ok {
		t.Error("an unknown action was found")
	}

	// A provider-level action, on the bare namespace.
	check, ok := tab.Action("Microsoft.Storage", "2023-01-01", "checkNameAvailability", "POST", "")
	want(t, "checkNameAvailability", check, ok, false, 200)
	if !slices.Equal(check.Scopes, []Scope{Subscription}) {
		t.Errorf("checkNameAvailability scopes %v", check.Scopes)
	}
}

func TestVirtualNetworks(t *testing.T) {
	tab := open(t)
	const vnet = "Microsoft.Network/virtualNetworks"
	for _, s := range []Scope{Subscription, ResourceGroup} { // listAll and list
		col, ok := tab.Collection(vnet, "2023-09-01", s)
		want(t, "virtualNetworks list at "+string(s), col, ok, false, 200)
		if !col.Pageable {
			t.Errorf("virtualNetworks list at %s not pageable", s)
		}
	}
	put, ok := tab.Resource(vnet, "2023-09-01", "PUT", "vnet", ResourceGroup)
	want(t, "virtualNetworks PUT", put, ok, true, 200, 201)
	if put.FinalStateVia != "azure-async-operation" || !put.Async() || put.Status(201) != 201 || put.Status() != 201 {
		t.Errorf("virtualNetworks PUT: %+v", put)
	}
	del, ok := tab.Resource(vnet, "2023-09-01", "DELETE", "vnet", ResourceGroup)
	want(t, "virtualNetworks DELETE", del, ok, true, 200, 202, 204)
	if del.FinalStateVia != "location" || del.Status() != 202 {
		t.Errorf("virtualNetworks DELETE: %+v", del)
	}
}

func TestVersionFallback(t *testing.T) {
	tab := open(t)
	const sa = "Microsoft.Storage/storageAccounts"
	vs := tab.Versions(sa)
	if len(vs) != 25 || vs[0] != "2015-05-01-preview" || vs[len(vs)-1] != "2023-05-01" {
		t.Fatalf("storageAccounts versions %v", vs)
	}
	if !slices.IsSortedFunc(vs, compareVersions) {
		t.Errorf("versions not sorted: %v", vs)
	}
	for req, got := range map[string]string{
		"2023-01-01":         "2023-01-01", // held
		"2023-02-01":         "2023-01-01", // the newest older one
		"2025-06-01":         "2023-05-01", // newer than any: the newest
		"2099-01-01":         "2023-05-01",
		"2014-01-01":         "2015-05-01-preview", // older than any: the oldest
		"2018-03-01":         "2018-03-01-preview", // a preview comes before its stable version
		"2018-02-01-preview": "2017-10-01",
		"2023-01-01-PREVIEW": "2022-09-01",
		"":                   "2023-05-01", // none: the newest
	} {
		if v, ok := tab.Resolve(sa, req); !ok || v != got {
			t.Errorf("Resolve(%q) = %q, want %q", req, v, got)
		}
	}
	// The fallback answers as the version it falls back to.
	put, ok := tab.Resource(sa, "2099-01-01", "PUT", "acct", ResourceGroup)
	want(t, "storageAccounts PUT 2099-01-01", put, ok, true, 200, 202)
	old, ok := tab.Resource(sa, "2001-01-01", "PUT", "acct", ResourceGroup)
	first, _ := tab.Resource(sa, "2015-05-01-preview", "PUT", "acct", ResourceGroup)
	if !ok || !slices.Equal(old.Codes, first.Codes) || old.LRO != first.LRO {
		t.Errorf("storageAccounts PUT 2001-01-01: %+v, want %+v", old, first)
	}
	if _, ok := tab.Resolve("Microsoft.Nothing/things", "2023-01-01"); ok {
		t.Error("an unknown type resolved")
	}
	if tab.Versions("Microsoft.Nothing/things") != nil {
		t.Error("an unknown type has versions")
	}
	if _, ok := tab.Resource("Microsoft.Nothing/things", "2023-01-01", "PUT", "x", ""); ok {
		t.Error("an unknown type has a PUT")
	}
}

func TestCaseInsensitive(t *testing.T) {
	tab := open(t)
	if name, ok := tab.Name("MICROSOFT.STORAGE/storageaccounts"); !ok || name != "Microsoft.Storage/storageAccounts" {
		t.Errorf("Name = %q, %v", name, ok)
	}
	put, ok := tab.Resource("microsoft.storage/STORAGEACCOUNTS", "2023-01-01", "put", "acct", ResourceGroup)
	want(t, "lower-case storageAccounts put", put, ok, true, 200, 202)
	if put.Method != "PUT" {
		t.Errorf("method %q", put.Method)
	}
	keys, ok := tab.Action("MICROSOFT.STORAGE/STORAGEACCOUNTS", "2023-01-01", "LISTKEYS", "post", "")
	want(t, "LISTKEYS", keys, ok, false, 200)
	sas, ok := tab.Action("Microsoft.Storage/storageAccounts", "2023-01-01", "listAccountSas", "POST", "")
	want(t, "listAccountSas (written ListAccountSas)", sas, ok, false, 200)
	if !slices.Equal(tab.Versions("microsoft.storage/storageaccounts"), tab.Versions("Microsoft.Storage/storageAccounts")) {
		t.Error("versions differ by case")
	}
}

func TestNamesAndVariants(t *testing.T) {
	tab := open(t)
	// blobServices: the only name is "default".
	blob, ok := tab.Resource("Microsoft.Storage/storageAccounts/blobServices", "2023-01-01", "PUT", "default", ResourceGroup)
	want(t, "blobServices PUT", blob, ok, false, 200)
	if !slices.Equal(blob.Names, []string{"default"}) || !blob.Allows("Default") || blob.Allows("other") {
		t.Errorf("blobServices names %v", blob.Names)
	}
	// The containers' collection names its parent: the blob service "default".
	containers, ok := tab.Collection("Microsoft.Storage/storageAccounts/blobServices/containers", "2023-01-01", ResourceGroup)
	if !ok || !containers.Allows("default") || containers.Allows("x") {
		t.Errorf("containers list: %+v %v", containers, ok)
	}
	// storageAccounts take any name.
	if sa, _ := tab.Resource("Microsoft.Storage/storageAccounts", "2023-01-01", "GET", "x", ""); !sa.Allows("anything") {
		t.Error("storageAccounts restrict their names")
	}

	// A variant picked by the parent's name: Web sites/config list.
	const config = "Microsoft.Web/sites/config"
	app, ok := tab.Action(config, "2023-12-01", "list", "POST", "appsettings")
	want(t, "config/appsettings/list", app, ok, false, 200)
	cred, ok := tab.Action(config, "2023-12-01", "list", "POST", "publishingcredentials")
	want(t, "config/publishingcredentials/list", cred, ok, true, 200)
	if cred.Async() || cred.Status() != 200 { // long-running without 201/202: answered at once
		t.Errorf("publishingcredentials list: async %v status %d", cred.Async(), cred.Status())
	}
	if !slices.Equal(cred.Names, []string{"publishingcredentials"}) {
		t.Errorf("publishingcredentials names %v", cred.Names)
	}
	main, ok := tab.Action(config, "2023-12-01", "list", "POST", "")
	if !ok || main.LRO {
		t.Errorf("config list without a name: %+v", main)
	}

	// A variant picked by name and scope: /subscriptions/{}/providers/Microsoft.MachineLearningServices/workspaces/skus.
	const ws = "Microsoft.MachineLearningServices/workspaces"
	skus, ok := tab.Resource(ws, "2019-11-01", "GET", "skus", Subscription)
	if !ok || !skus.Pageable || !slices.Equal(skus.Scopes, []Scope{Subscription}) {
		t.Errorf("workspaces/skus at subscription: %+v %v", skus, ok)
	}
	named, ok := tab.Resource(ws, "2019-11-01", "GET", "skus", ResourceGroup) // a workspace named skus
	if !ok || named.Pageable || !slices.Equal(named.Scopes, []Scope{ResourceGroup}) {
		t.Errorf("workspace skus in a resource group: %+v %v", named, ok)
	}

	// A variant picked by scope alone.
	const gca = "Microsoft.GuestConfiguration/guestConfigurationAssignments"
	sub, ok := tab.Collection(gca, "2018-11-20", Subscription)
	want(t, "guestConfigurationAssignments list at subscription", sub, ok, false, 200, 204)
	ext, ok := tab.Collection(gca, "2018-11-20", Extension)
	want(t, "guestConfigurationAssignments list at extension", ext, ok, false, 200)
}

func TestDisagreements(t *testing.T) {
	tab := open(t)
	// Long-running without 201/202: answered at once with 200.
	cs, ok := tab.Resource("Microsoft.Compute/cloudServices", "2020-10-01-preview", "PATCH", "cs", ResourceGroup)
	want(t, "cloudServices PATCH", cs, ok, true, 200)
	if cs.Async() || cs.Status() != 200 {
		t.Errorf("cloudServices PATCH: async %v status %d", cs.Async(), cs.Status())
	}
	// 202 without the flag: not long-running; 200 preferred.
	redis, ok := tab.Resource("Microsoft.Cache/redis", "2015-08-01", "DELETE", "r", ResourceGroup)
	want(t, "redis DELETE", redis, ok, false, 200, 202)
	if redis.Async() || redis.Status() != 200 {
		t.Errorf("redis DELETE: async %v status %d", redis.Async(), redis.Status())
	}
	// 202 alone without the flag: answered 202, not long-running.
	promo, ok := tab.Resource("Microsoft.Billing/promotions", "2020-09-01-preview", "PUT", "p", Tenant)
	want(t, "promotions PUT", promo, ok, false, 202)
	if promo.Async() || promo.Status(201) != 202 {
		t.Errorf("promotions PUT: async %v status %d", promo.Async(), promo.Status(201))
	}
	// Nothing but "default": 200.
	if (Operation{}).Status() != 200 {
		t.Error("an operation without codes does not answer 200")
	}
}

func TestExtensionScope(t *testing.T) {
	tab := open(t)
	// roleAssignments live at {scope}: extension, which stands for any scope.
	ra, ok := tab.Resource("Microsoft.Authorization/roleAssignments", "2022-04-01", "PUT", "00000000-0000-0000-0000-000000000000", Subscription)
	want(t, "roleAssignments PUT at subscription", ra, ok, false, 200, 201)
	if !ra.ServedAt(ResourceGroup) || !slices.Equal(ra.Scopes, []Scope{Extension}) {
		t.Errorf("roleAssignments: %+v", ra)
	}
}

func TestResultsAreCopies(t *testing.T) {
	tab := open(t)
	a, _ := tab.Resource("Microsoft.Storage/storageAccounts", "2023-01-01", "PUT", "x", "")
	a.Codes[0] = 999
	a.Scopes[0] = Tenant
	b, _ := tab.Resource("Microsoft.Storage/storageAccounts", "2023-01-01", "PUT", "x", "")
	if b.Codes[0] != 200 || b.Scopes[0] != ResourceGroup {
		t.Errorf("a caller's change reached the table: %+v", b)
	}
}

func BenchmarkOpen(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResource(b *testing.B) {
	tab := open(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := tab.Resource("Microsoft.Storage/storageAccounts", "2025-01-01", "PUT", "acct", ResourceGroup); !ok {
			b.Fatal("not found")
		}
	}
}
