package armid

import (
	"slices"
	"strings"
	"testing"
)

func TestParseEveryScope(t *testing.T) {
	for _, tc := range []struct {
		id, typ, scope, sub, rg, name string
	}{
		{"/subscriptions/00000000-0000-0000-0000-000000000001", "Microsoft.Resources/subscriptions", ScopeTenant, "00000000-0000-0000-0000-000000000001", "", "00000000-0000-0000-0000-000000000001"},
		{"/subscriptions/s1/resourceGroups/rg1", "Microsoft.Resources/resourceGroups", ScopeSubscription, "s1", "rg1", "rg1"},
		{"/subscriptions/s1/resourcegroups/RG1/providers/Microsoft.Storage/storageAccounts/acct", "Microsoft.Storage/storageAccounts", ScopeResourceGroup, "s1", "RG1", "acct"},
		{"/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/acct/privateEndpointConnections/pec", "Microsoft.Storage/storageAccounts/privateEndpointConnections", ScopeResourceGroup, "s1", "rg1", "pec"},
		{"/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/acct/blobServices/default/containers/c", "Microsoft.Storage/storageAccounts/blobServices/containers", ScopeResourceGroup, "s1", "rg1", "c"},
		{"/subscriptions/s1/providers/Microsoft.Authorization/roleAssignments/ra", "Microsoft.Authorization/roleAssignments", ScopeSubscription, "s1", "", "ra"},
		{"/providers/Microsoft.Management/managementGroups/mg", "Microsoft.Management/managementGroups", ScopeTenant, "", "", "mg"},
		{"/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/policyDefinitions/p", "Microsoft.Authorization/policyDefinitions", ScopeManagementGroup, "", "", "p"},
		{"/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/acct/providers/Microsoft.Authorization/roleAssignments/ra", "Microsoft.Authorization/roleAssignments", ScopeExtension, "s1", "rg1", "ra"},
		{"/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vn/subnets/sn/providers/Microsoft.Insights/diagnosticSettings/d", "Microsoft.Insights/diagnosticSettings", ScopeExtension, "s1", "rg1", "d"},
	} {
		id, err := Parse(tc.id)
		if err != nil {
			t.Errorf("%s: %v", tc.id, err)
			continue
		}
		if id.ResourceType() != tc.typ || id.Scope() != tc.scope || id.SubscriptionID() != tc.sub || id.ResourceGroupName() != tc.rg || id.Name != tc.name {
			t.Errorf("%s: type %s scope %s sub %s rg %s name %s", tc.id, id.ResourceType(), id.Scope(), id.SubscriptionID(), id.ResourceGroupName(), id.Name)
		}
		want := strings.Replace(tc.id, "resourcegroups", "resourceGroups", 1)
		if id.String() != want {
			t.Errorf("round trip %s -> %s", tc.id, id.String())
		}
	}
}

func TestCompareCaseInsensitivelyKeepCasing(t *testing.T) {
	a, _ := Parse("/subscriptions/S1/resourceGroups/MyRG/providers/Microsoft.Storage/storageAccounts/MyAcct")
	b, _ := Parse("/SUBSCRIPTIONS/s1/RESOURCEGROUPS/myrg/PROVIDERS/microsoft.storage/STORAGEACCOUNTS/myacct")
	if !a.Equal(b) || a.Key() != b.Key() {
		t.Errorf("%s and %s differ", a, b)
	}
	if a.String() != "/subscriptions/S1/resourceGroups/MyRG/providers/Microsoft.Storage/storageAccounts/MyAcct" {
		t.Errorf("casing lost: %s", a)
	}
}

func TestBuild(t *testing.T) {
	rg := ResourceGroup("s1", "rg")
	pec := rg.Provider("Microsoft.Storage", "storageAccounts", "acct").Child("privateEndpointConnections", "c")
	if pec.String() != "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct/privateEndpointConnections/c" {
		t.Errorf("built %s", pec)
	}
	if pec.Parent.String() != "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct" || pec.Parent.Parent.String() != rg.String() {
		t.Error("parents")
	}
	if pec.BlockStart().Name != "acct" || pec.TopLevel() || !pec.Parent.TopLevel() {
		t.Error("block start")
	}
}

func TestParseRefusesBadIDs(t *testing.T) {
	for _, bad := range []string{
		"", "subscriptions/s1", "/", "/subscriptions", "/subscriptions/s1/resourceGroups",
		"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts",
		"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage",
		"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/b",
		"/subscriptions/s1/resourceGroups/../providers/X.Y/z/n",
		"/subscriptions/s1//resourceGroups/rg",
		"/subscriptions/s1/resourceGroups/rg%2Fx",
		"/subscriptions/s1/foo/bar",
		"/subscriptions/s1/resourceGroups/r\x00g",
		"/" + strings.Repeat("a/", MaxLength),
	} {
		if id, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted: %s", bad, id)
		}
		if Valid(bad) {
			t.Errorf("Valid(%q)", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/privateEndpointConnections/p",
		"/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/policyDefinitions/p",
		"/subscriptions/s/resourceGroups/rg/providers/A.B/c/d/providers/E.F/g/h",
		"/subscriptions/s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := Parse(s)
		if Valid(s) != (err == nil) {
			t.Fatalf("Valid(%q) = %v, Parse: %v", s, Valid(s), err)
		}
		if err != nil {
			return
		}
		again, err := Parse(id.String())
		if err != nil {
			t.Fatalf("%q parsed, but its string %q does not: %v", s, id.String(), err)
		}
		if !again.Equal(id) || again.String() != id.String() || again.ResourceType() != id.ResourceType() || again.Scope() != id.Scope() {
			t.Fatalf("%q: round trip %q -> %q", s, id, again)
		}
		if !strings.EqualFold(strings.TrimSuffix(s, "/"), id.String()) {
			t.Fatalf("%q: rebuilt as %q", s, id)
		}
	})
}

func TestEscapeName(t *testing.T) {
	for _, name := range []string{"index.html", "css/site.css", "a~b/c?d#e%f\\g", "~2F"} {
		esc := EscapeName(name)
		if strings.ContainsAny(esc, `/\?#%`) || UnescapeName(esc) != name {
			t.Errorf("%q: escaped %q, back %q", name, esc, UnescapeName(esc))
		}
		if _, err := Parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/blobServices/default/containers/c/blobs/" + esc); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
}

func TestMayBeIDAndFindIn(t *testing.T) {
	for s, want := range map[string]bool{
		"/subscriptions/s/resourceGroups/rg":                 true,
		"/SUBSCRIPTIONS/s":                                   true,
		"/providers/Microsoft.Management/managementGroups/g": true,
		"/Providers/x":                                       true,
		"/subscription":                                      false,
		"subscriptions/s/resourceGroups/rg":                  false,
		"":                                                   false,
	} {
		if got := MayBeID(s); got != want {
			t.Errorf("MayBeID(%q) = %v", s, got)
		}
	}
	body := map[string]any{"id": "/SUBSCRIPTIONS/s/resourceGroups/rg", "list": []any{"/subscriptions/s/resourceGroups/other", "/subscriptions/"}, "n": 1}
	got := FindIn(body)
	slices.Sort(got)
	if want := []string{"/SUBSCRIPTIONS/s/resourceGroups/rg", "/subscriptions/s/resourceGroups/other"}; !slices.Equal(got, want) {
		t.Errorf("FindIn = %v, want %v", got, want)
	}
}
