package catalog

import (
	"archive/tar"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gru-iac/gru/internal/shareddir"
	"github.com/klauspost/compress/zstd"
)

// archivePath is the archive of every version of the type data, relative to the shared
// folder (the catalogen package's ArchivePath).
const archivePath = "azure/bicep-types-all/bicep-types-all.tar.zst"

// TestEveryVersionMatchesTheArchive checks, for every type@version of the type data archive,
// that the embedded schema equals the one parsed from the archive's types.json: the same
// resource (type, version, scopes), the same body graph with every field, the same functions.
// Where several files hold a type@version, the one default-versions.json names for the type's
// default version counts, else the first by path, as for the generator.
func TestEveryVersionMatchesTheArchive(t *testing.T) {
	if testing.Short() {
		t.Skip("compares all 34,509 type@version pairs with the archive; skipped with -short")
	}
	shared, err := shareddir.Find("", archivePath)
	if err != nil {
		t.Skipf("the type data archive is not beside the repository (%v): the embedded schemas cannot be compared with it", err)
	}
	var defaults map[string]struct {
		APIVersion string `json:"apiVersion"`
		File       string `json:"file"`
	}
	data, err := os.ReadFile(filepath.Join(shared, "azure", "bicep-types", "default-versions.json"))
	if err != nil {
		t.Skipf("no default-versions.json beside the archive: %v", err)
	}
	if err := json.Unmarshal(data, &defaults); err != nil {
		t.Fatal(err)
	}
	defFile := map[string]string{} // lower type@version -> file
	for ty, d := range defaults {
		defFile[strings.ToLower(ty)+"@"+d.APIVersion] = "generated/" + strings.TrimPrefix(d.File, "generated/")
	}

	type archived struct {
		path string
		file *TypesFile
	}
	files := make(chan [2]string) // path, content
	results := make(chan archived)
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range files {
				parsed, err := ParseTypesFile([]byte(f[1]))
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					continue
				}
				results <- archived{f[0], parsed}
			}
		}()
	}
	go func() {
		defer close(files)
		fh, err := os.Open(filepath.Join(shared, filepath.FromSlash(archivePath)))
		if err != nil {
			errOnce.Do(func() { firstErr = err })
			return
		}
		defer fh.Close()
		zr, err := zstd.NewReader(fh)
		if err != nil {
			errOnce.Do(func() { firstErr = err })
			return
		}
		defer zr.Close()
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				errOnce.Do(func() { firstErr = err })
				return
			}
			parts := strings.Split(h.Name, "/")
			if h.Typeflag != tar.TypeReg || len(parts) != 5 || parts[0] != "generated" || parts[4] != "types.json" {
				continue
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				errOnce.Do(func() { firstErr = err })
				return
			}
			files <- [2]string{h.Name, string(b)}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	// every resource of every file; the owner of each type@version chosen afterwards
	type candidate struct {
		path string
		res  *Resource
	}
	byPair := map[string][]candidate{}
	for a := range results {
		for _, r := range a.file.Resources {
			if a.file.Resource(r.ARMType) != r {
				continue // not the file's first resource of the type: no functions attached
			}
			k := strings.ToLower(r.ARMType) + "@" + r.APIVersion
			byPair[k] = append(byPair[k], candidate{a.path, r})
		}
	}
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	if len(byPair) < 34000 {
		t.Fatalf("the archive holds %d type@version pairs, want about 34,509", len(byPair))
	}

	c := open(t)
	keys := make([]string, 0, len(byPair))
	for k := range byPair {
		keys = append(keys, k)
	}
	sort.Strings(keys) // in the store's rough order, so that the block cache serves neighbours
	var mu sync.Mutex
	checked, bad := 0, 0
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if bad++; bad <= 20 {
			t.Errorf(format, args...)
		}
	}
	work := make(chan string)
	var cw sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		cw.Add(1)
		go func() {
			defer cw.Done()
			for k := range work {
				cands := byPair[k]
				sort.Slice(cands, func(i, j int) bool { return cands[i].path < cands[j].path })
				want := cands[0]
				for _, cd := range cands {
					if cd.path == defFile[k] {
						want = cd
					}
				}
				ti, ok := c.Find(want.res.ARMType)
				if !ok {
					fail("%s: not in the catalogue", k)
					continue
				}
				if !ti.holds(want.res.APIVersion) {
					fail("%s: version not held", k)
					continue
				}
				// Schema, without keeping every decoded schema
				js, err := c.embeddedTypesFile(ti.ARMType, want.res.APIVersion)
				if err != nil {
					fail("%s: %v", k, err)
					continue
				}
				f, err := ParseTypesFile(js)
				if err != nil {
					fail("%s: %v", k, err)
					continue
				}
				got := f.Resource(ti.ARMType)
				if !reflect.DeepEqual(got, want.res) {
					fail("%s: the embedded schema differs from %s's", k, want.path)
					continue
				}
				mu.Lock()
				checked++
				mu.Unlock()
			}
		}()
	}
	for _, k := range keys {
		work <- k
	}
	close(work)
	cw.Wait()
	t.Logf("%d type@version pairs equal to the archive's, %d differ", checked, bad)
}
