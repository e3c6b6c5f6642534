package docs

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"io"
	"strings"
	"sync"

	"github.com/gru-iac/gru/internal/catalog"
)

//go:generate go run gen_grucloud.go ../../../shared/grucloud/azure-types.json

// grucloudTypes is GruCloud's Azure type table (shared/grucloud/azure-types.json), one line
// per dependency key in the table's order: see gen_grucloud.go.
//
//go:embed data/grucloud-types.tsv.gz
var grucloudTypes []byte

// gruType is a type of GruCloud's table: the names GruCloud's pages use, the PUT path its
// generator read, and its dependency keys in the table's order.
type gruType struct {
	Name, ARMType, APIVersion, PutPath string
	Deps                               []Dependency
}

var gruTable struct {
	once  sync.Once
	types map[string][]*gruType // by lower-case Group::Type, in the table's order
	err   error
}

// lookupGruType finds a type of GruCloud's table by its Group::Type name, case-insensitively.
// A name the table has twice (ContainerService::ContainerService, at two API versions) is the
// entry of the page's API version, else the last (whose page was written last).
func lookupGruType(name, version string) (*gruType, bool) {
	gruTable.once.Do(func() {
		gruTable.types, gruTable.err = readGruTypes(grucloudTypes)
	})
	if gruTable.err != nil {
		return nil, false
	}
	entries := gruTable.types[strings.ToLower(name)]
	for _, t := range entries {
		if t.APIVersion == version {
			return t, true
		}
	}
	if len(entries) == 0 {
		return nil, false
	}
	return entries[len(entries)-1], true
}

func readGruTypes(data []byte) (map[string][]*gruType, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	types := map[string][]*gruType{}
	for _, line := range strings.Split(strings.TrimRight(string(text), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 9 {
			continue
		}
		k := strings.ToLower(f[0])
		var t *gruType
		if n := len(types[k]); n > 0 && types[k][n-1].APIVersion == f[2] && types[k][n-1].PutPath == f[3] {
			t = types[k][n-1]
		} else {
			t = &gruType{Name: f[0], ARMType: f[1], APIVersion: f[2], PutPath: f[3]}
			types[k] = append(types[k], t)
		}
		if f[4] == "" {
			continue
		}
		group, typ, _ := strings.Cut(f[5], "::")
		t.Deps = append(t.Deps, Dependency{Key: f[4], Group: group, Type: typ, Parent: f[6] == "1", List: f[7] == "1"})
	}
	return types, nil
}

// specDependencies are the dependencies a page built from swagger lists and its examples name:
// those of GruCloud's table for a type it has, in the table's order; for another type the
// catalogue's keys, with the resource group and the parents a project names.
func specDependencies(ctx context.Context, cat *catalog.Catalog, t *catalog.TypeInfo, name, version string) ([]Dependency, error) {
	if gt, ok := lookupGruType(name, version); ok {
		return append([]Dependency(nil), gt.Deps...), nil
	}
	var scopes catalog.Scope
	if r, err := cat.Schema(ctx, t, version); err == nil {
		scopes = r.WritableScopes
	} else if r, err := cat.Schema(ctx, t, ""); err == nil { // a version the catalogue lacks
		scopes = r.WritableScopes
	}
	keys, parents, _, err := keysAndParents(cat, t, name, scopes)
	if err != nil {
		return nil, err
	}
	return append(parents, keys...), nil
}

// keysAndParents are a type's dependencies as a page lists them, by one of its names: the
// keys of GruCloud's table (Dependencies), and the parents the table does not give, as a
// project must name them: the resource group (where the type's writable scopes put it in
// one) and each ancestor. Known is every key the catalogue has for the type.
func keysAndParents(cat *catalog.Catalog, t *catalog.TypeInfo, name string, writableScopes catalog.Scope) (keys, parents []Dependency, known []catalog.Dependency, err error) {
	if keys, err = Dependencies(cat, t.ARMType); err != nil {
		return nil, nil, nil, err
	}
	if known, err = cat.Dependencies(t.ARMType); err != nil {
		return nil, nil, nil, err
	}
	fixed, err := cat.FixedNames(name)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, d := range cat.DerivedParents(t, known, fixed) {
		if d.Key == "resourceGroup" && writableScopes != 0 && writableScopes&catalog.ScopeResourceGroup == 0 {
			continue
		}
		group, typeName, _ := strings.Cut(d.TypeName, "::")
		parents = append(parents, Dependency{Key: d.Key, Group: group, Type: typeName, Parent: true})
	}
	return keys, parents, known, nil
}
