package catalog

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testFolder is a types folder for tests: root holds generated/, where files are added.
type testFolder struct {
	t    *testing.T
	root string
}

func newTestFolder(t *testing.T) *testFolder {
	// a short window, which the tests wait out after each change (settle): long enough for
	// a change's timestamp to differ from the previous one's on any file system clock
	old := racyWindow
	racyWindow = 50 * time.Millisecond
	t.Cleanup(func() { racyWindow = old })
	return &testFolder{t, t.TempDir()}
}

// add writes provider/namespace/version/types.json (gzipped when gz) below generated/.
func (f *testFolder) add(provider, namespace, version string, gz bool) string {
	f.t.Helper()
	dir := filepath.Join(f.root, "generated", provider, namespace, version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		f.t.Fatal(err)
	}
	data, name := storageTypes(version), "types.json"
	if gz {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		zw.Close()
		data, name = b.Bytes(), "types.json.gz"
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		f.t.Fatal(err)
	}
	return path
}

// settle waits for the folder's last change to be older than racyWindow.
func settle() { time.Sleep(racyWindow + 20*time.Millisecond) }

// schemaAt opens a catalogue on the folder and decodes Storage::StorageAccount at a version.
func schemaAt(t *testing.T, opts Options, version string) (*Catalog, *Resource, error) {
	t.Helper()
	c, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	ti, err := c.Lookup("Storage::StorageAccount")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Schema(context.Background(), ti, version)
	return c, r, err
}

// cacheFiles lists the files of a cache folder's types-dir/.
func cacheFiles(t *testing.T, cache string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(cache, "types-dir"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, filepath.Join(cache, "types-dir", e.Name()))
	}
	return out
}

func TestTypesDirServesNewVersions(t *testing.T) {
	f := newTestFolder(t)
	f.add("storage", "Microsoft.Storage", "2099-01-01", false)
	f.add("storage", "Microsoft.Storage", "2099-02-01-preview", true)
	f.add("other", "microsoft.other", "2099-01-01", false)
	settle()
	for _, dir := range []string{f.root, filepath.Join(f.root, "generated")} {
		opts := Options{TypesDir: dir, CacheDir: t.TempDir()}
		for _, v := range []string{"2099-01-01", "2099-02-01-PREVIEW"} {
			_, r, err := schemaAt(t, opts, v)
			if err != nil {
				t.Fatalf("%s@%s: %v", dir, v, err)
			}
			if !strings.EqualFold(r.APIVersion, v) || r.Body.Property("sku") == nil || r.Body.Property("sku").Type.Property("name") == nil ||
				len(r.Functions) != 1 || r.Functions[0].Output.Property("keys").Type.Kind != KindInteger {
				t.Errorf("%s@%s: %+v", dir, v, r)
			}
		}
		// an unknown version lists the folder's among those held
		_, _, err := schemaAt(t, opts, "2099-03-01")
		var nh *VersionNotHeldError
		if !errors.As(err, &nh) || !contains(nh.Held, "2099-01-01") || !contains(nh.Held, "2099-02-01-preview") || !contains(nh.Held, "2023-05-01") {
			t.Errorf("%s@2099-03-01: %v", dir, err)
		}
	}
	// a folder holding no type file is an error
	empty := t.TempDir()
	os.MkdirAll(filepath.Join(empty, "storage", "microsoft.storage"), 0o755)
	if _, _, err := schemaAt(t, Options{TypesDir: empty, CacheDir: t.TempDir()}, "2099-01-01"); err == nil || !strings.Contains(err.Error(), "holds no") {
		t.Errorf("empty folder: %v", err)
	}
}

func TestTypesDirCache(t *testing.T) {
	f := newTestFolder(t)
	f.add("storage", "microsoft.storage", "2099-01-01", false)
	f.add("other", "microsoft.other", "2099-01-01", false)
	settle()
	cache := t.TempDir()
	opts := Options{TypesDir: f.root, CacheDir: cache}
	check := func(step, version string, wantReads int, found bool) {
		t.Helper()
		c, r, err := schemaAt(t, opts, version)
		if found && (err != nil || r == nil) {
			t.Errorf("%s: %s: %v", step, version, err)
		}
		var nh *VersionNotHeldError
		if !found && !errors.As(err, &nh) {
			t.Errorf("%s: %s: want a version not held, got %v %v", step, version, r, err)
		}
		if c.dirReads != wantReads {
			t.Errorf("%s: the folder's listing was read %d times, want %d", step, c.dirReads, wantReads)
		}
	}

	// the first use reads the folder and writes the cache
	check("first use", "2099-01-01", 1, true)
	files := cacheFiles(t, cache)
	if len(files) != 1 {
		t.Fatalf("cache files %v", files)
	}
	written, _ := os.ReadFile(files[0])
	if !bytes.HasPrefix(written, []byte(dirCacheHeader+"\n")) {
		t.Fatalf("cache %q", written)
	}
	before, _ := os.Stat(files[0])
	time.Sleep(20 * time.Millisecond)

	// the second reads the cache alone, and leaves it
	check("second use", "2099-01-01", 0, true)
	if after, _ := os.Stat(files[0]); !after.ModTime().Equal(before.ModTime()) {
		t.Error("the cache was rewritten")
	}

	// a version folder added to a known namespace folder is found with the cache
	f.add("storage", "microsoft.storage", "2099-02-01", false)
	settle()
	check("version added", "2099-02-01", 0, true)

	// a file removed is no longer found
	if err := os.Remove(filepath.Join(f.root, "generated", "storage", "microsoft.storage", "2099-02-01", "types.json")); err != nil {
		t.Fatal(err)
	}
	check("file removed", "2099-02-01", 0, false)

	// a namespace folder added to a provider folder, and a provider folder added, change
	// their parents' listings: the cache is read again
	f.add("other", "microsoft.storage", "2099-03-01", false)
	settle()
	check("namespace added", "2099-03-01", 1, true)
	check("namespace added, cached", "2099-03-01", 0, true)
	f.add("storage2", "microsoft.storage", "2099-04-01", false)
	settle()
	check("provider added", "2099-04-01", 1, true)
	check("provider added, cached", "2099-04-01", 0, true)

	// a provider folder the cache lists removed
	if err := os.RemoveAll(filepath.Join(f.root, "generated", "storage2")); err != nil {
		t.Fatal(err)
	}
	settle()
	check("provider removed", "2099-04-01", 1, false)

	// the cache is written the same from the same folder
	settle()
	cached, _ := os.ReadFile(files[0])
	os.Remove(files[0])
	check("rebuilt", "2099-01-01", 1, true)
	if again, _ := os.ReadFile(files[0]); !bytes.Equal(again, cached) {
		t.Errorf("the cache differs when written again:\n%s\n%s", cached, again)
	}
	if n := len(cacheFiles(t, cache)); n != 1 {
		t.Errorf("%d cache files, want 1", n)
	}
}

func TestTypesDirRecentChangesAreNotCached(t *testing.T) {
	f := newTestFolder(t)
	f.add("storage", "microsoft.storage", "2099-01-01", false)
	racyWindow = time.Hour
	cache := t.TempDir()
	for i := 0; i < 2; i++ {
		c, _, err := schemaAt(t, Options{TypesDir: f.root, CacheDir: cache}, "2099-01-01")
		if err != nil || c.dirReads != 1 {
			t.Errorf("use %d: %v, %d reads", i, err, c.dirReads)
		}
	}
	if files := cacheFiles(t, cache); len(files) != 0 {
		t.Errorf("a listing of folders changed within the hour was cached: %v", files)
	}
}

func TestTypesDirBadCaches(t *testing.T) {
	f := newTestFolder(t)
	f.add("storage", "microsoft.storage", "2099-01-01", false)
	settle()
	cache := t.TempDir()
	opts := Options{TypesDir: f.root, CacheDir: cache}
	if _, _, err := schemaAt(t, opts, "2099-01-01"); err != nil {
		t.Fatal(err)
	}
	file := cacheFiles(t, cache)[0]
	good, _ := os.ReadFile(file)
	listing, err := parseDirCache(good)
	if err != nil {
		t.Fatal(err)
	}
	edited := func(edit func(l dirListing) dirListing) string {
		data, ok := formatDirCache(ptr(edit(*listing)))
		if !ok {
			t.Fatal("not written")
		}
		return string(data)
	}
	for name, bad := range map[string]string{
		"garbage":      "\x00\x01garbage",
		"empty":        "",
		"truncated":    string(good[:len(good)-5]),
		"cut short":    string(good[:bytes.LastIndex(good, []byte("\nP\t"))+1]),
		"damaged":      strings.Replace(string(good), "microsoft.storage", "microsoft.storagf", 1),
		"other header": resum(strings.Replace(string(good), dirCacheHeader, "gru-types-dir 0", 1)),
		"other folder": edited(func(l dirListing) dirListing { l.folder += "x"; return l }),
		"no such provider": edited(func(l dirListing) dirListing {
			l.providers = append(l.providers, providerListing{name: "nosuch", key: l.providers[0].key})
			return l
		}),
		"other state": edited(func(l dirListing) dirListing { l.folderKey += "1"; return l }),
		"other root":  edited(func(l dirListing) dirListing { l.generated, l.rootKey = ".", ""; return l }),
		"bad line":    resum(strings.Replace(string(good), "\nP\t", "\nX\t", 1)),
		"short line":  resum(strings.Replace(string(good), "\nroot\t", "\nroot", 1)),
	} {
		if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		c, _, err := schemaAt(t, opts, "2099-01-01")
		if err != nil || c.dirReads != 1 {
			t.Errorf("%s: %v, %d reads", name, err, c.dirReads)
		}
		if again, _ := os.ReadFile(file); !bytes.Equal(again, good) {
			t.Errorf("%s: the cache was not written again", name)
		}
	}
	// a cache folder that cannot be written costs the cache alone
	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, nil, 0o644)
	for i := 0; i < 2; i++ {
		c, _, err := schemaAt(t, Options{TypesDir: f.root, CacheDir: notDir}, "2099-01-01")
		if err != nil || c.dirReads != 1 {
			t.Errorf("unwritable cache: %v, %d reads", err, c.dirReads)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// resum gives an edited cache the sum of its lines.
func resum(cache string) string {
	body, _, _ := strings.Cut(cache, "\nsum\t")
	return body + "\nsum\t" + checksum([]byte(body+"\n")) + "\n"
}
