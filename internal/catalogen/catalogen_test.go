package catalogen

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

const shared = "../../../shared"

// TestRegenerationIsIdentical regenerates the catalogue from the shared data and compares it
// byte for byte with the committed one.
func TestRegenerationIsIdentical(t *testing.T) {
	if _, err := os.Stat(filepath.Join(shared, "azure", "bicep-types")); err != nil {
		t.Skip("the shared type data is not beside the repository: the committed catalogue cannot be compared with its source")
	}
	if testing.Short() {
		t.Skip("regenerating the catalogue takes seconds; skipped with -short")
	}
	out := t.TempDir()
	st, err := Generate(shared, out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Types < 3400 {
		t.Errorf("%d types", st.Types)
	}
	committed := filepath.Join("..", "catalog", "data")
	want, err := WalkFiles(committed)
	if err != nil {
		t.Fatal(err)
	}
	got, err := WalkFiles(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("generated %d files, committed %d: run go generate ./internal/catalog", len(got), len(want))
	}
	for i, name := range got {
		if want[i] != name {
			t.Fatalf("file lists differ at %s / %s: run go generate ./internal/catalog", name, want[i])
		}
		a, _ := os.ReadFile(filepath.Join(out, name))
		b, _ := os.ReadFile(filepath.Join(committed, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from a fresh generation: run go generate ./internal/catalog", name)
		}
	}
}

func TestSingularPascal(t *testing.T) {
	for in, want := range map[string]string{
		"privateEndpointConnections": "PrivateEndpointConnection",
		"policies":                   "Policy",
		"addresses":                  "Address",
		"Redis":                      "Redis",
		"deploymentStatus":           "DeploymentStatus",
		"privateAccess":              "PrivateAccess",
		"apis":                       "Api",
		"config":                     "Config",
		"api-version-sets":           "ApiVersionSet",
		"skus":                       "Sku",
		"NS":                         "NS", // a DNS record type, not a plural
		"DS":                         "DS",
	} {
		if got := singularPascal(in); got != want {
			t.Errorf("singularPascal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShortNamesResolveCollisions(t *testing.T) {
	types := []string{
		"Microsoft.Web/sites",
		"Microsoft.Web/sites/config",
		"Microsoft.Web/sites/slots",
		"Microsoft.Web/sites/slots/config",
		"Microsoft.Web/staticSites/builds/config",
		"Microsoft.Web/staticSites/config",
		"Microsoft.ApiManagement/service/api-version-sets",
		"Microsoft.ApiManagement/service/apiVersionSets",
		"Contoso.Thing/widgets",
		"Microsoft.Network/privateEndpoints",
		"Microsoft.Other/privateEndpoints",
	}
	got := shortNames(types, map[string]string{"Microsoft.Web/staticSites/config": "Web::Config"})
	for arm, want := range map[string]string{
		"Microsoft.Web/sites":                              "Web::Site",
		"Microsoft.Web/sites/config":                       "Web::SiteConfig",
		"Microsoft.Web/sites/slots/config":                 "Web::SlotConfig",
		"Microsoft.Web/staticSites/builds/config":          "Web::BuildConfig",
		"Microsoft.Web/staticSites/config":                 "Web::Config",
		"Microsoft.ApiManagement/service/apiVersionSets":   "ApiManagement::ServiceApiVersionSet",
		"Microsoft.ApiManagement/service/api-version-sets": "ApiManagement::ServiceApiVersionSet2",
		"Contoso.Thing/widgets":                            "Contoso.Thing::Widget",
		"Microsoft.Network/privateEndpoints":               "Network::PrivateEndpoint",
		"Microsoft.Other/privateEndpoints":                 "Other::PrivateEndpoint",
	} {
		if got[arm] != want {
			t.Errorf("%s: %s, want %s", arm, got[arm], want)
		}
	}
	if err := checkUnique(got); err != nil {
		t.Error(err)
	}
}

func TestCanonicalCasing(t *testing.T) {
	got := canonicalCasing([]string{
		"Microsoft.Network/virtualnetworks/subnets",
		"Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
		"Microsoft.Network/virtualnetworks",
		"microsoft.insights/components",
		"Microsoft.Insights/components/linkedStorageAccounts",
	}, nil)
	for in, want := range map[string]string{
		"Microsoft.Network/virtualnetworks/subnets": "Microsoft.Network/virtualNetworks/subnets",
		"Microsoft.Network/virtualnetworks":         "Microsoft.Network/virtualNetworks",
		"microsoft.insights/components":             "Microsoft.Insights/components",
	} {
		if got[in] != want {
			t.Errorf("%s: %s, want %s", in, got[in], want)
		}
	}
}
