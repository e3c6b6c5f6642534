package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// A types folder (Options.TypesDir) is laid out <root>/<provider>/<namespace>/<version>/types.json
// (or types.json.gz), where root is the folder or its generated/ subfolder. Finding the files
// of a namespace and version means knowing which provider folders hold a folder of that
// namespace (any of them may: privatedns/microsoft.network beside network/microsoft.network):
// reading the root and every provider folder, about 370 of them. That listing is cached
// between runs (see readDirCache); below it, the few folders of one namespace are read when
// a schema is asked for, which costs less than checking a cached listing of them would.
//
// The cache is keyed by the folder's absolute path, and holds the state of each folder it
// lists: its modification time, which POSIX file systems update whenever an entry is added,
// removed or renamed, and on Linux its change time too, which nothing but the kernel sets
// (a copy or an archive extracted keeps modification times, not change times). It is dropped
// when one differs, or a folder is gone; it is not written from a listing read within
// racyWindow of a change to a folder, so that a change made in the same tick of the file
// system's clock, after the read, cannot hide behind an equal time. A listing with a folder
// gru could not read (or a broken link) is not cached: it could become readable with no
// change to its parent.

// dirCacheHeader is the first line of a cached listing.
const dirCacheHeader = "gru-types-dir 1"

// racyWindow is how recent a folder's change may be for its listing not to be cached: more
// than the coarsest timestamp granularity of common file systems (FAT's 2 s). Tests shorten it.
var racyWindow = 3 * time.Second

// typesDirIndex is the listing of a types folder down to its namespace folders.
type typesDirIndex struct {
	root string // the folder holding the provider folders
	// namespaces maps each lower-cased namespace to the folders of that name, relative to
	// root (provider/namespace), sorted.
	namespaces map[string][]string
}

// dirListing is what the cache holds: the folders read and their state when read.
type dirListing struct {
	folder    string // Options.TypesDir, absolute
	folderKey string // its state (see statKey)
	generated string // "generated" when the provider folders are in folder/generated, else "."
	rootKey   string // the state of folder/generated ("" when generated is ".")
	providers []providerListing
}

type providerListing struct {
	name    string
	key     string
	entries []string // sorted
}

// statKey is what the cache compares of a folder: its modification time, and what
// changeTime adds.
func statKey(fi os.FileInfo) string {
	key := fmt.Sprintf("m%d", fi.ModTime().UnixNano())
	if c, ok := changeTime(fi); ok {
		key += fmt.Sprintf("c%d", c.UnixNano())
	}
	return key
}

// recent says whether a folder changed within racyWindow before since.
func recent(fi os.FileInfo, since time.Time) bool {
	t := fi.ModTime()
	if c, ok := changeTime(fi); ok && c.After(t) {
		t = c
	}
	return !t.Before(since.Add(-racyWindow))
}

// cacheFile is the file caching the listing of a types folder (its absolute path), or "" when
// there is no cache folder.
func (c *Catalog) cacheFile(folder string) string {
	dir := c.opts.CacheDir
	if dir == "" {
		user, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(user, "gru")
	}
	sum := sha256.Sum256([]byte(folder))
	return filepath.Join(dir, "types-dir", hex.EncodeToString(sum[:16]))
}

// typesDir returns the listing of the types folder: from the cache when it still describes
// the folder, else read from the folder (and cached).
func (c *Catalog) typesDir(ctx context.Context) (*typesDirIndex, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dirIndex != nil {
		return c.dirIndex, nil
	}
	folder, err := filepath.Abs(c.opts.TypesDir)
	if err != nil {
		return nil, fmt.Errorf("types folder: %w", err)
	}
	cache := c.cacheFile(folder)
	l := readDirCache(cache, folder)
	if l == nil {
		c.dirReads++
		var racy bool
		if l, racy, err = listTypesDir(ctx, folder); err != nil {
			return nil, err
		}
		if !racy && cache != "" {
			writeDirCache(cache, l) // a cache that cannot be written is only a slower next run
		}
	}
	idx := &typesDirIndex{root: folder, namespaces: map[string][]string{}}
	if l.generated != "." {
		idx.root = filepath.Join(folder, l.generated)
	}
	for _, p := range l.providers {
		for _, e := range p.entries {
			k := strings.ToLower(e)
			idx.namespaces[k] = append(idx.namespaces[k], filepath.Join(p.name, e))
		}
	}
	for _, dirs := range idx.namespaces {
		sort.Strings(dirs)
	}
	c.dirIndex = idx
	return idx, nil
}

// listTypesDir reads the root of a types folder and its provider folders. It says whether a
// folder changed too recently for the listing to be cached. A folder holding no type file
// (<root>/<provider>/<namespace>/<version>/types.json) is an error.
func listTypesDir(ctx context.Context, folder string) (l *dirListing, racy bool, err error) {
	start := time.Now()
	fi, err := os.Stat(folder)
	if err != nil {
		return nil, false, fmt.Errorf("types folder: %w", err)
	}
	if !fi.IsDir() {
		return nil, false, fmt.Errorf("types folder %s is not a folder", folder)
	}
	l = &dirListing{folder: folder, folderKey: statKey(fi), generated: "."}
	racy = recent(fi, start)
	root := folder
	gen := filepath.Join(folder, "generated")
	if gi, err := os.Stat(gen); err == nil && gi.IsDir() {
		root, l.generated, l.rootKey = gen, "generated", statKey(gi)
		racy = racy || recent(gi, start)
	} else if _, lerr := os.Lstat(gen); err != nil && (lerr == nil || !errors.Is(err, fs.ErrNotExist)) {
		racy = true // a broken link or an entry gru cannot read (see the providers below)
	}
	names, err := readNames(root)
	if err != nil {
		return nil, false, fmt.Errorf("types folder: %w", err)
	}
	found := false
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		dir := filepath.Join(root, name)
		pi, err := os.Stat(dir)
		if err == nil && !pi.IsDir() {
			continue // a file beside the provider folders
		}
		var entries []string
		if err == nil {
			entries, err = readNames(dir)
		}
		if err != nil {
			// a broken link or an unreadable folder holds nothing gru can read now, but may
			// later with no change to the root's listing: such a listing is not cached
			racy = true
			continue
		}
		racy = racy || recent(pi, start)
		l.providers = append(l.providers, providerListing{name: name, key: statKey(pi), entries: entries})
		for _, e := range entries {
			if !found {
				found = len(versionFiles(filepath.Join(dir, e), "")) > 0
			}
		}
	}
	if !found {
		return nil, false, fmt.Errorf("types folder %s holds no <folder>/<namespace>/<version>/types.json", folder)
	}
	return l, racy, nil
}

// readNames lists a folder's entries, sorted.
func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// versionFiles lists the type files of a namespace folder by lower-cased version, for one
// version only when version is not "".
func versionFiles(nsDir, version string) map[string][]string {
	names, err := readNames(nsDir)
	if err != nil {
		return nil
	}
	out := map[string][]string{}
	for _, v := range names {
		if version != "" && !strings.EqualFold(v, version) {
			continue
		}
		for _, file := range []string{"types.json", "types.json.gz"} {
			path := filepath.Join(nsDir, v, file)
			if _, err := os.Lstat(path); err == nil {
				k := strings.ToLower(v)
				out[k] = append(out[k], path)
			}
		}
	}
	return out
}

// dirFiles lists the type files of a namespace in the types folder by lower-cased version
// (one version only when version is not ""), each list sorted. Each answer is read once a
// process (a schema is asked for every request, and every resource, at its version); callers
// must not change it.
func (c *Catalog) dirFiles(ctx context.Context, namespace, version string) (map[string][]string, error) {
	key := strings.ToLower(namespace) + "@" + strings.ToLower(version)
	c.mu.Lock()
	listed, ok := c.dirListed[key]
	c.mu.Unlock()
	if ok {
		return listed, nil
	}
	out, err := c.listDirFiles(ctx, namespace, version)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.dirListed == nil {
		c.dirListed = map[string]map[string][]string{}
	}
	c.dirListed[key] = out
	c.mu.Unlock()
	return out, nil
}

// listDirFiles is dirFiles read from the folder.
func (c *Catalog) listDirFiles(ctx context.Context, namespace, version string) (map[string][]string, error) {
	idx, err := c.typesDir(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, rel := range idx.namespaces[strings.ToLower(namespace)] {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for v, files := range versionFiles(filepath.Join(idx.root, rel), version) {
			out[v] = append(out[v], files...)
		}
	}
	for _, files := range out {
		sort.Strings(files)
	}
	return out, nil
}

// readDirCache reads the cached listing of a types folder, nil when there is none, it cannot
// be read, or the folder changed since.
func readDirCache(cache, folder string) *dirListing {
	if cache == "" {
		return nil
	}
	data, err := os.ReadFile(cache)
	if err != nil {
		return nil
	}
	l, err := parseDirCache(data)
	if err != nil || l.folder != folder {
		return nil
	}
	if fi, err := os.Stat(folder); err != nil || !fi.IsDir() || statKey(fi) != l.folderKey {
		return nil
	}
	root := folder
	if l.generated != "." {
		root = filepath.Join(folder, l.generated)
		if fi, err := os.Stat(root); err != nil || !fi.IsDir() || statKey(fi) != l.rootKey {
			return nil
		}
	}
	for _, p := range l.providers {
		if fi, err := os.Stat(filepath.Join(root, p.name)); err != nil || !fi.IsDir() || statKey(fi) != p.key {
			return nil
		}
	}
	return l
}

// The cache is lines of tab-separated fields:
//
//	gru-types-dir 1
//	folder	<the types folder, absolute>	<its state>
//	root	<generated or .>	<the state of generated, or nothing>
//	P	<provider folder>	<its state>	<its entries>...
//	sum	<SHA-256 of the lines before, hex>
//
// the providers sorted by name, each one's entries sorted; a state is m<modification time in
// ns>, then c<change time in ns> where there is one. The sum refuses a cache cut short or
// damaged, which could otherwise describe fewer providers than the folder has.

var errBadCache = errors.New("bad cache")

func parseDirCache(data []byte) (*dirListing, error) {
	body, sum, ok := bytes.Cut(data, []byte("\nsum\t"))
	if !ok || string(sum) != checksum(data[:len(body)+1])+"\n" {
		return nil, errBadCache
	}
	lines := strings.Split(string(body), "\n")
	if len(lines) < 3 || lines[0] != dirCacheHeader {
		return nil, errBadCache
	}
	l := &dirListing{}
	for i, line := range lines[1:] {
		f := strings.Split(line, "\t")
		switch {
		case i == 0 && len(f) == 3 && f[0] == "folder":
			l.folder, l.folderKey = f[1], f[2]
		case i == 1 && len(f) == 3 && f[0] == "root" && (f[1] == "." || f[1] == "generated"):
			l.generated, l.rootKey = f[1], f[2]
		case i >= 2 && len(f) >= 3 && f[0] == "P":
			l.providers = append(l.providers, providerListing{name: f[1], key: f[2], entries: f[3:]})
		default:
			return nil, errBadCache
		}
	}
	if l.generated == "" || l.folder == "" {
		return nil, errBadCache
	}
	return l, nil
}

func formatDirCache(l *dirListing) ([]byte, bool) {
	var b bytes.Buffer
	fields := func(f ...string) bool {
		for i, s := range f {
			if strings.ContainsAny(s, "\t\n\r") {
				return false
			}
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(s)
		}
		b.WriteByte('\n')
		return true
	}
	ok := fields(dirCacheHeader) && fields("folder", l.folder, l.folderKey) && fields("root", l.generated, l.rootKey)
	for _, p := range l.providers {
		ok = ok && fields(append([]string{"P", p.name, p.key}, p.entries...)...)
	}
	fields("sum", checksum(b.Bytes()))
	return b.Bytes(), ok
}

func checksum(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// writeDirCache writes a listing to the cache, through a temporary file renamed over it, so
// that a reader sees the old cache or the new, never part of one. Names holding tabs or line
// breaks are not cached. Errors are ignored: the cache only saves time.
func writeDirCache(cache string, l *dirListing) {
	data, ok := formatDirCache(l)
	if !ok {
		return
	}
	if err := os.MkdirAll(filepath.Dir(cache), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(cache), ".tmp-*")
	if err != nil {
		return
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), cache)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
}
