package target

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/project"
	"github.com/gru-iac/gru/internal/shareddir"
)

// gruCloudType is an entry of GruCloud's Azure type table.
type gruCloudType struct {
	Group, Type, ArmType, PutPath string
	Dependencies                  map[string]struct {
		Type, Group, Name, PathID string
		Parent, List              bool
	}
}

// TestGruCloudTypeTable walks GruCloud's whole Azure type table: every type is known under its
// GruCloud name with its ARM type; every dependency key is known, refers to the same type, and
// has the same parent, list and pathId meaning; and a resource named as GruCloud names it
// (its parents' names and its own, joined by ::) gets the ID of the table's PUT path.
func TestGruCloudTypeTable(t *testing.T) {
	shared, err := shareddir.Find("", "grucloud/azure-types.json")
	if err != nil {
		t.Skipf("GruCloud's type table is not here (%v): the shared data folder is needed", err)
	}
	data, err := os.ReadFile(filepath.Join(shared, "grucloud", "azure-types.json"))
	if err != nil {
		t.Fatal(err)
	}
	var table []gruCloudType
	if err := json.Unmarshal(data, &table); err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	armTypeOf := map[string]string{}
	for _, e := range table {
		armTypeOf[e.Group+"::"+e.Type] = e.ArmType
	}
	placeholder := regexp.MustCompile(`\{[^}]+\}`)
	const sub = "00000000-0000-0000-0000-000000000000"
	for _, e := range table {
		name := e.Group + "::" + e.Type
		ti, err := cat.Lookup(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !strings.EqualFold(ti.ARMType, e.ArmType) {
			t.Errorf("%s is %s in gru, %s in GruCloud", name, ti.ARMType, e.ArmType)
			continue
		}
		deps, err := cat.Dependencies(ti.ARMType)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		byKey := map[string]catalog.Dependency{}
		for _, d := range deps {
			byKey[d.Key] = d
		}
		for key, want := range e.Dependencies {
			got, ok := byKey[key]
			if want.Parent && want.Group == e.Group && want.Type == e.Type {
				// The table names the type as its own parent (a slip): gru takes the type
				// whose name the placeholder gives in the PUT path.
				want.Type, want.Group = "", ""
				if ok && !strings.HasPrefix(strings.ToLower(e.ArmType), strings.ToLower(got.ARMType)+"/") {
					t.Errorf("%s: dependency %s refers to %s, which is not a parent", name, key, got.ARMType)
				}
			}
			switch {
			case !ok:
				t.Errorf("%s: dependency key %s is unknown", name, key)
			case want.Type == "ResourceGroup" && !IsResourceGroup(mustLookup(t, cat, got.ARMType)):
				t.Errorf("%s: dependency %s refers to %s, want a resource group", name, key, got.ARMType)
			case want.Type != "" && want.Type != "ResourceGroup" && armTypeOf[want.Group+"::"+want.Type] != "" && !strings.EqualFold(got.ARMType, armTypeOf[want.Group+"::"+want.Type]):
				t.Errorf("%s: dependency %s refers to %s, want %s", name, key, got.ARMType, armTypeOf[want.Group+"::"+want.Type])
			case got.Parent != want.Parent || got.List != want.List || got.PathID != want.PathID:
				t.Errorf("%s: dependency %s is parent %v, list %v, pathId %q; want %v, %v, %q", name, key, got.Parent, got.List, got.PathID, want.Parent, want.List, want.PathID)
			}
		}
		// Its ID, from a name as GruCloud writes it: one part per placeholder of the path.
		// Extension resources ({scope}/providers/...) take their scope from a dependency.
		if !strings.HasPrefix(e.PutPath, "/subscriptions/{subscriptionId}") {
			continue
		}
		var parts []string
		wantID := placeholder.ReplaceAllStringFunc(e.PutPath, func(p string) string {
			if p == "{subscriptionId}" {
				return sub
			}
			part := strings.ToLower(strings.Trim(p, "{}"))
			if len(part) > 12 {
				part = part[:12]
			}
			parts = append(parts, part)
			return part
		})
		if len(parts) == 0 {
			continue // at the subscription, by a fixed name
		}
		id, err := IDOf(cat, sub, project.Ref{Type: e.Type, Group: e.Group, Name: strings.Join(parts, "::")})
		if err != nil {
			t.Errorf("%s named %s: %v", name, strings.Join(parts, "::"), err)
		} else if !strings.EqualFold(armid.ARMPath(id), wantID) && !strings.HasPrefix(id, "(") {
			t.Errorf("%s named %s: ID %s, want %s", name, strings.Join(parts, "::"), id, wantID)
		}
	}
}

func mustLookup(t *testing.T, cat *catalog.Catalog, name string) *catalog.TypeInfo {
	ti, err := cat.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return ti
}
