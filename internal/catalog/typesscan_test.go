package catalog

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gru-iac/gru/internal/shareddir"
	"github.com/klauspost/compress/zstd"
)

// TestTypesFileSchemasMatchFullParse splits every types.json of the type data archive as a
// types folder's file is, and checks that the schema of each of its resource types, decoded
// from its reachable entries alone, equals the one of the whole file decoded.
func TestTypesFileSchemasMatchFullParse(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes every file of the type data archive twice; skipped with -short")
	}
	shared, err := shareddir.Find("", archivePath)
	if err != nil {
		t.Skipf("the type data archive is not beside the repository (%v)", err)
	}
	fh, err := os.Open(filepath.Join(shared, filepath.FromSlash(archivePath)))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zr, err := zstd.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	type file struct {
		name string
		data []byte
	}
	work := make(chan file)
	var mu sync.Mutex
	var wg sync.WaitGroup
	files, schemas, bad := 0, 0, 0
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				n, errs := checkSplit(f.data)
				mu.Lock()
				files++
				schemas += n
				for _, e := range errs {
					if bad++; bad <= 20 {
						t.Errorf("%s: %s", f.name, e)
					}
				}
				mu.Unlock()
			}
		}()
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg || !strings.HasSuffix(h.Name, "/types.json") {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		work <- file{h.Name, data}
	}
	close(work)
	wg.Wait()
	if files < 3000 {
		t.Errorf("the archive holds %d types.json files, want about 3,166", files)
	}
	t.Logf("%d schemas of %d files equal to the whole files', %d differ", schemas, files, bad)
}

// checkSplit compares the schema of every resource type of a types.json decoded from its
// reachable entries with the one of the whole file decoded.
func checkSplit(data []byte) (int, []string) {
	whole, err := ParseTypesFile(data)
	if err != nil {
		return 0, []string{err.Error()}
	}
	f := &dirFile{data: data}
	if err := f.split(); err != nil {
		return 0, []string{"split: " + err.Error()}
	}
	var errs []string
	seen := map[string]bool{}
	for _, r := range whole.Resources {
		k := strings.ToLower(r.ARMType)
		if seen[k] {
			continue
		}
		seen[k] = true
		js, ok, err := f.typesFile(r.ARMType)
		if err != nil || !ok {
			errs = append(errs, r.ARMType+": not found by the split")
			continue
		}
		part, err := ParseTypesFile(js)
		if err != nil {
			errs = append(errs, r.ARMType+": "+err.Error())
			continue
		}
		if !reflect.DeepEqual(part.Resource(r.ARMType), whole.Resource(r.ARMType)) {
			errs = append(errs, r.ARMType+": the schema differs from the whole file's")
		}
	}
	if len(seen) != len(f.resources) {
		errs = append(errs, "the split finds other resource types than the whole file")
	}
	return len(seen), errs
}

// TestTypesFolderFilesSplit checks the schemas decoded from a type file's reachable entries
// against the whole file's, for the test type files of the repository (real ones, small).
func TestTypesFolderFilesSplit(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "validate", "testdata", "conformance", "types", "*", "*", "*", "types.json.gz"))
	if len(files) == 0 {
		t.Fatal("no test type files")
	}
	for _, file := range files {
		data, err := readGzip(os.DirFS(filepath.Dir(file)), filepath.Base(file))
		if err != nil {
			t.Fatal(err)
		}
		n, errs := checkSplit(data)
		for _, e := range errs {
			t.Errorf("%s: %s", file, e)
		}
		if n == 0 {
			t.Errorf("%s: no resource type", file)
		}
	}
	if _, errs := checkSplit(storageTypes("2099-01-01")); len(errs) > 0 {
		t.Error(errs)
	}
	// malformed files are refused
	for _, bad := range []string{``, `{}`, `[`, `[{]`, `[{"a":}]`, `[{"a" 1}]`, `["x`, `[1,]`, `[] x`, strings.Repeat("[", 2000) + strings.Repeat("]", 2000)} {
		if err := (&dirFile{data: []byte(bad)}).split(); err == nil {
			t.Errorf("%q split", bad)
		}
	}
}

// storageTypes is a types.json describing Microsoft.Storage/storageAccounts at a version,
// with a function, and an entry nothing reaches.
func storageTypes(version string) []byte {
	return []byte(strings.ReplaceAll(`[
  {"$type": "StringType"},
  {"$type": "StringLiteralType", "value": "Microsoft.Storage/storageAccounts"},
  {"$type": "StringLiteralType", "value": "VERSION"},
  {
    "$type": "ObjectType",
    "name": "Microsoft.Storage/storageAccounts",
    "properties": {
      "name": {"type": {"$ref": "#/0"}, "flags": 9, "description": "a \"quoted\" {\"$ref\": \"#/99\"} text"},
      "type": {"type": {"$ref": "#/1"}, "flags": 10},
      "apiVersion": {"type": {"$ref": "#/2"}, "flags": 10},
      "location": {"type": {"$ref": "#/0"}, "flags": 1},
      "sku": {"type": {"$ref": "#/4"}, "flags": 1}
    }
  },
  {"$type": "ObjectType", "name": "Sku", "properties": {"name": {"type": {"$ref": "#/0"}, "flags": 1}}},
  {"$type": "ResourceType", "name": "Microsoft.Storage/storageAccounts@VERSION", "scopeType": 8, "body": {"$ref": "#/3"}, "flags": 0},
  {"$type": "IntegerType", "minValue": 1},
  {"$type": "ObjectType", "name": "ListKeysResult", "properties": {"keys": {"type": {"$ref": "#/6"}, "flags": 2}}},
  {"$type": "ResourceFunctionType", "name": "listKeys", "resourceType": "Microsoft.Storage/storageAccounts", "apiVersion": "VERSION", "output": {"$ref": "#/7"}},
  {"$type": "BooleanType"}
]`, "VERSION", version))
}
