package armops

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gru-iac/gru/internal/armops/armopsgen"
)

// sharedTable is the source table in the shared data folder, the repository root's sibling.
var sharedTable = filepath.Join("..", "..", "..", "shared", filepath.FromSlash(armopsgen.Dir))

// readShared reads the source table, skipping the test where the shared folder is absent.
func readShared(t *testing.T) *armopsgen.Source {
	t.Helper()
	path := filepath.Join(sharedTable, "arm-operations.json.zst")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("the shared ARM operations table is not beside the repository (%s): the embedded table cannot be compared with its source", path)
	}
	src, err := armopsgen.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestEmbeddedIsGenerated checks that data/ holds what the generator writes from the shared
// data: run `go generate ./internal/armops` when it fails.
func TestEmbeddedIsGenerated(t *testing.T) {
	src := readShared(t)
	data, st, err := armopsgen.Encode(src)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d types, %d type@versions, %d operations; %d records, %d profiles; %d bytes raw, %d compressed",
		st.Types, st.Versions, st.Operations, st.Records, st.Profiles, st.Raw, st.Compressed)
	if !bytes.Equal(data, []byte(embedded)) {
		t.Errorf("data/%s is not what the generator writes from %s (%d bytes, embedded %d): run go generate ./internal/armops",
			armopsgen.File, sharedTable, len(data), len(embedded))
	}
	again, _, err := armopsgen.Encode(src)
	if err != nil || !bytes.Equal(data, again) {
		t.Errorf("two encodings differ (%v)", err)
	}
	for _, name := range []string{"LICENSE", "SOURCE"} {
		want, err := os.ReadFile(filepath.Join(sharedTable, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("data", name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("data/%s differs from the shared one (%v): run go generate ./internal/armops", name, err)
		}
	}
}

// TestEveryRecord checks every declaration of the source, variants included, against the
// parsed table.
func TestEveryRecord(t *testing.T) {
	src := readShared(t)
	tab := open(t)
	if repo, commit := tab.Source(); repo != src.Source.Repo || commit != src.Source.Commit {
		t.Errorf("source %q %q", repo, commit)
	}
	if len(tab.types) != len(src.Types) {
		t.Errorf("%d types, source %d", len(tab.types), len(src.Types))
	}
	n := 0
	check := func(what string, kind Kind, key, ver, action, method string, r *armopsgen.Rec) {
		at, v, s := tab.find(kind, key, ver, method, action)
		if s == nil || v.name != ver || at.name != src.Types[key].Name {
			t.Fatalf("%s: not found", what)
		}
		recs := append([]armopsgen.Rec{*r}, r.Variants...)
		if len(s.recs) != len(recs) {
			t.Fatalf("%s: %d declarations, source %d", what, len(s.recs), len(recs))
		}
		for i, want := range recs {
			got := tab.recs[s.recs[i]]
			scopes := make([]string, len(got.Scopes))
			for j, sc := range got.Scopes {
				scopes[j] = string(sc)
			}
			if got.LRO != want.LRO || got.FinalStateVia != want.FinalStateVia || got.Pageable != want.Pageable ||
				!slices.Equal(got.Codes, want.Codes) || !slices.Equal(got.OtherCodes, want.OtherCodes) ||
				!slices.Equal(scopes, want.Scopes) || !slices.Equal(got.Names, want.Names) || !slices.Equal(got.Query, want.Query) {
				t.Fatalf("%s #%d: %+v, source %+v", what, i, got, want)
			}
		}
		n++
	}
	for key, typ := range src.Types {
		if vs := tab.Versions(key); len(vs) != len(typ.Versions) {
			t.Fatalf("%s: %d versions, source %d", key, len(vs), len(typ.Versions))
		}
		for ver, v := range typ.Versions {
			for m, r := range v.Resource {
				check(key+"@"+ver+" "+m, ResourceOp, key, ver, "", m, r)
			}
			for m, r := range v.Collection {
				check(key+"@"+ver+" list "+m, CollectionOp, key, ver, "", m, r)
			}
			for a, ms := range v.Actions {
				for m, r := range ms {
					check(key+"@"+ver+" "+a+" "+m, ActionOp, key, ver, a, m, r)
				}
			}
		}
	}
	t.Logf("%d operations checked", n)
}
