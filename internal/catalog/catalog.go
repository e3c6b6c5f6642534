// Package catalog owns gru's knowledge of Azure Resource Manager types: every ARM resource type,
// its short name (Group::Type) and aliases, the API versions known for it, and its body schema
// at every published version, read from Microsoft's bicep-types-az type data embedded in the
// binary (see the catalogen package, which writes it, and store.go) or from a type-data folder
// the user names.
//
// Decoding is lazy: opening a catalogue reads only the small index; a schema is decoded from
// the few blocks of the embedded schema store that hold it the first time it is asked for, and
// kept. The catalogue knows no HTTP and no validation rules; it only describes.
package catalog

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode"
	"weak"

	"github.com/klauspost/compress/zstd"
)

//go:embed data/index.txt.zst data/versions.txt.zst data/dependencies.txt.gz data/grucloud.txt.gz data/schemas.txt.zst
var embedded embed.FS

// indexHeader must match the first line the generator writes.
const indexHeader = "gru-catalog-index 1"

// TypeInfo is what the catalogue knows of an ARM type without decoding its schema.
type TypeInfo struct {
	// ARMType in its canonical spelling, e.g. Microsoft.Storage/storageAccounts/privateEndpointConnections.
	ARMType string
	// ShortName is Group::Type, e.g. Storage::PrivateEndpointConnection.
	ShortName string
	// DefaultVersion is the latest stable API version (the latest preview where there is no stable one).
	DefaultVersion string
	// Aliases are other names that resolve to this type (GruCloud's, derived ones).
	Aliases []string

	// held are the versions the embedded data holds, newest first, comma-separated: split
	// only when listed (thousands of types, a few looked at).
	held string
}

// holds reports whether the embedded data holds a version of the type.
func (t *TypeInfo) holds(version string) bool {
	for rest := t.held; rest != ""; {
		var v string
		v, rest, _ = strings.Cut(rest, ",")
		if v == version {
			return true
		}
	}
	return false
}

// Group is the part of the short name before "::".
func (t *TypeInfo) Group() string { g, _, _ := strings.Cut(t.ShortName, "::"); return g }

// Name is the part of the short name after "::".
func (t *TypeInfo) Name() string { _, n, _ := strings.Cut(t.ShortName, "::"); return n }

// Namespace is the provider namespace of the type, e.g. Microsoft.Storage.
func (t *TypeInfo) Namespace() string { ns, _, _ := strings.Cut(t.ARMType, "/"); return ns }

// ParentType is the ARM type of the parent of a nested type, "" for a top-level type.
func (t *TypeInfo) ParentType() string {
	i := strings.LastIndexByte(t.ARMType, '/')
	if strings.Count(t.ARMType, "/") < 2 {
		return ""
	}
	return t.ARMType[:i]
}

// HeldVersions lists the API versions whose schema the embedded catalogue holds (every version
// of the type data), newest first.
func (t *TypeInfo) HeldVersions() []string {
	if t.held == "" {
		return nil
	}
	return strings.Split(t.held, ",")
}

// Options configure a catalogue. The zero value uses the embedded data alone.
type Options struct {
	// TypesDir is a bicep-types-az "generated" folder (or the repository root holding it):
	// <folder>/<namespace>/<api-version>/types.json, optionally gzipped as types.json.gz.
	// It serves the versions the embedded data does not hold (published after gru was built).
	TypesDir string
	// CacheDir is where the listing of TypesDir's folders is cached between runs, in
	// types-dir/<hash of the folder's absolute path>; by default gru/ in the user's cache
	// folder (os.UserCacheDir: $XDG_CACHE_HOME, else ~/.cache, on Linux). A cache that cannot
	// be read or written is ignored.
	CacheDir string
}

// Catalog answers questions about ARM types. It is safe for concurrent use.
type Catalog struct {
	opts Options
	// indexOnce reads the index (indexed); indexErr is why it could not.
	indexOnce sync.Once
	indexErr  error
	types     []*TypeInfo
	// names maps every lower-cased short name, alias and ARM type to its type.
	names map[string]*TypeInfo

	mu    sync.Mutex
	files map[string]*loadedFile // by embedded key, or by file below TypesDir and type
	// versions is every type's known versions (versionTable), held weakly: read again once
	// collected; knownVersions keeps those of the types asked for (the few a plan's requests
	// name), so that the table's 1 MB need not stay.
	versions      weak.Pointer[versionTable]
	knownVersions map[string]knownVersions
	deps          map[string][]Dependency // lower ARM type -> GruCloud's dependency keys; nil until needed
	// dirIndex is the listing of TypesDir, nil until needed; typeFiles are the type files
	// below it read, by path; dirReads counts the listings read from the folder rather than
	// the cache.
	dirIndex  *typesDirIndex
	typeFiles map[string]*dirFile
	dirReads  int
	// dirListed are dirFiles' answers by lower namespace@version, read once a process.
	dirListed map[string]map[string][]string
	// fixedNames: lower Group::Type -> the names its ID fixes (see FixedNames), and grucloud:
	// GruCloud's types with their ARM types; nil until needed
	fixedNames map[string][]string
	grucloud   [][2]string

	storeOnce sync.Once
	store     *schemaStore
	storeErr  error
	// zdec decodes the embedded zstd data (tables and the schema store's blocks).
	zdec *zstd.Decoder
}

// readZstd reads an embedded zstd file.
func (c *Catalog) readZstd(name string) ([]byte, error) {
	data, err := embedded.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return c.zdec.DecodeAll(data, nil)
}

// schemaStore reads the index of the embedded schema store once.
func (c *Catalog) schemaStore() (*schemaStore, error) {
	c.storeOnce.Do(func() {
		index, err := c.readZstd("data/schemas.txt.zst")
		if err != nil {
			c.storeErr = fmt.Errorf("reading the embedded schema store's index: %w", err)
			return
		}
		c.store, c.storeErr = readStore(index, storeBlob, c.zdec)
	})
	return c.store, c.storeErr
}

// Dependency is one of GruCloud's dependency keys of a type: the key a project names it by
// (resourceGroup, virtualNetwork, privateEndpoint, publicIpAddresses, ...), the type it
// refers to, whether it is the parent (part of the resource's ID), whether it takes a list,
// and where in the body the dependency's ID goes (pathId, such as properties.subnet.id or
// properties.publicIpAddresses[].id), if anywhere.
type Dependency struct {
	Key     string
	ARMType string
	Parent  bool
	List    bool
	PathID  string
	// Extra marks a key GruCloud's own type definitions have beyond its published table (a
	// connection's virtualNetworkGateway): projects use it, its documentation pages do not list it.
	Extra bool
	// TypeName is GruCloud's name of the type it refers to (Group::Type), which may be an alias
	// fixing names (Web::AppServiceEnvironmentAseV3NetworkingConfiguration).
	TypeName string
}

type loadedFile struct {
	once sync.Once
	file *TypesFile
	err  error
}

// Open opens the embedded catalogue. Its index (3 MB once read) is read on first use, not
// before: a plan reads its project first, whose JavaScript holds memory of its own while it
// runs. A bad index (a build that skipped go generate) is Lookup's error, and leaves the
// catalogue without types.
func Open(opts Options) (*Catalog, error) {
	zdec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		return nil, err
	}
	return &Catalog{opts: opts, files: map[string]*loadedFile{}, typeFiles: map[string]*dirFile{}, zdec: zdec}, nil
}

// indexed reads the index once, and says why it could not.
func (c *Catalog) indexed() error {
	c.indexOnce.Do(func() {
		if c.indexErr = c.readIndex(); c.indexErr != nil {
			c.types, c.names = nil, nil
		}
	})
	return c.indexErr
}

// readIndex reads the embedded index: every type, its names and aliases.
func (c *Catalog) readIndex() error {
	c.names = map[string]*TypeInfo{}
	data, err := c.readZstd("data/index.txt.zst")
	if err != nil {
		return fmt.Errorf("reading the embedded catalogue index: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	if !sc.Scan() || sc.Text() != indexHeader {
		return errors.New("the embedded catalogue index has an unknown format: run go generate ./internal/catalog")
	}
	var aliases [][2]string
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		switch {
		case f[0] == "T" && len(f) == 5:
			t := &TypeInfo{ARMType: f[1], ShortName: f[2], DefaultVersion: f[3]}
			t.held = f[4]
			c.types = append(c.types, t)
			c.names[strings.ToLower(t.ShortName)] = t
			c.names[strings.ToLower(t.ARMType)] = t
		case f[0] == "A" && len(f) == 3:
			aliases = append(aliases, [2]string{f[1], f[2]})
		default:
			return fmt.Errorf("the embedded catalogue index has a bad line: %q", sc.Text())
		}
	}
	for _, a := range aliases {
		t := c.names[strings.ToLower(a[1])]
		if t == nil {
			return fmt.Errorf("the embedded catalogue index names alias %s for an unknown type %s", a[0], a[1])
		}
		t.Aliases = append(t.Aliases, a[0])
		if _, taken := c.names[strings.ToLower(a[0])]; !taken {
			c.names[strings.ToLower(a[0])] = t
		}
	}
	sort.Slice(c.types, func(i, j int) bool { return c.types[i].ShortName < c.types[j].ShortName })
	return nil
}

// Types lists every type, sorted by short name.
func (c *Catalog) Types() []*TypeInfo {
	c.indexed()
	return c.types
}

// Lookup finds a type by short name (Storage::PrivateEndpointConnection), alias or ARM type
// (Microsoft.Storage/storageAccounts/privateEndpointConnections), case-insensitively.
// An unknown name gives an *UnknownTypeError with the nearest names.
func (c *Catalog) Lookup(name string) (*TypeInfo, error) {
	ref, err := ParseTypeRef(name)
	if err != nil {
		return nil, err
	}
	if err := c.indexed(); err != nil {
		return nil, err
	}
	if t := c.names[strings.ToLower(ref.Name)]; t != nil {
		return t, nil
	}
	return nil, &UnknownTypeError{Name: name, Suggestions: c.Suggest(ref.Name, 3)}
}

// Find looks up a short name, alias or ARM type, case-insensitively, without parsing it or
// suggesting others: for callers that only need a yes or no, such as the emulator's router.
func (c *Catalog) Find(name string) (*TypeInfo, bool) {
	c.indexed()
	t, ok := c.names[strings.ToLower(name)]
	return t, ok
}

// UnknownTypeError says a type name is not in the catalogue.
type UnknownTypeError struct {
	Name        string
	Suggestions []string
}

func (e *UnknownTypeError) Error() string {
	msg := fmt.Sprintf("unknown resource type %q", e.Name)
	if len(e.Suggestions) > 0 {
		msg += "; did you mean " + strings.Join(e.Suggestions, ", ") + "?"
	}
	return msg + " (`gru types` lists them all)"
}

// VersionNotHeldError says the catalogue has no schema for a type at an API version.
type VersionNotHeldError struct {
	ARMType string
	Version string
	// Held are the versions the catalogue can validate; Known says whether Azure has the version at all.
	Held  []string
	Known bool
}

func (e *VersionNotHeldError) Error() string {
	what := "is not an API version known for"
	if e.Known {
		what = "is not held by gru's catalogue for"
	}
	held := strings.Join(e.Held, ", ")
	if len(e.Held) > 4 {
		held = fmt.Sprintf("%d versions, the newest %s (gru types --versions %s lists them)", len(e.Held), strings.Join(e.Held[:3], ", "), e.ARMType)
	}
	return fmt.Sprintf("API version %s %s %s; it holds %s (point --types-dir or GRU_TYPES_DIR at a bicep-types-az generated/ folder for others)",
		e.Version, what, e.ARMType, held)
}

// Schema returns the schema of a type at an API version ("" for the default version), from
// the embedded data, which holds every version published when gru was built; a version it
// does not hold (newer) comes from the types folder of the options, if any.
func (c *Catalog) Schema(ctx context.Context, t *TypeInfo, version string) (*Resource, error) {
	if version == "" {
		version = t.DefaultVersion
	}
	if c.opts.TypesDir != "" && !t.holds(version) {
		r, err := c.schemaFromDir(ctx, t.ARMType, version)
		if err != nil || r != nil {
			return r, err
		}
	}
	if t.holds(version) {
		f, err := c.load(ctx, "embedded:"+strings.ToLower(t.ARMType)+"@"+version, func() ([]byte, error) {
			return c.embeddedTypesFile(t.ARMType, version)
		})
		if err != nil {
			return nil, fmt.Errorf("loading the schema of %s@%s: %w", t.ARMType, version, err)
		}
		if r := f.Resource(t.ARMType); r != nil {
			return r, nil
		}
		return nil, fmt.Errorf("the catalogue's schema store holds no %s at %s: run go generate ./internal/catalog", t.ARMType, version)
	}
	known, err := c.KnownVersions(t.ARMType)
	if err != nil {
		return nil, err
	}
	isKnown := false
	for _, v := range known {
		isKnown = isKnown || strings.EqualFold(v, version)
	}
	return nil, &VersionNotHeldError{ARMType: t.ARMType, Version: version, Held: c.heldWithDir(ctx, t), Known: isKnown}
}

// embeddedTypesFile writes a types.json holding a type at a version, from the schema store.
func (c *Catalog) embeddedTypesFile(armType, version string) ([]byte, error) {
	s, err := c.schemaStore()
	if err != nil {
		return nil, err
	}
	roots, ok := s.roots(armType, version)
	if !ok {
		return nil, fmt.Errorf("the catalogue lists %s@%s, which its schema store does not hold: run go generate ./internal/catalog", armType, version)
	}
	return s.typesFile(roots)
}

// SchemaByARMType is Schema for an ARM type that may be absent from the embedded index but
// present in the types folder (a type newer than gru).
func (c *Catalog) SchemaByARMType(ctx context.Context, armType, version string) (*Resource, error) {
	if err := c.indexed(); err != nil {
		return nil, err
	}
	if t := c.names[strings.ToLower(armType)]; t != nil {
		return c.Schema(ctx, t, version)
	}
	if c.opts.TypesDir != "" && version != "" {
		r, err := c.schemaFromDir(ctx, armType, version)
		if err != nil || r != nil {
			return r, err
		}
	}
	return nil, &UnknownTypeError{Name: armType, Suggestions: c.Suggest(armType, 3)}
}

// Held lists the API versions of a type whose schema the catalogue can give, newest first: the
// embedded ones, and those the types folder (Options.TypesDir) holds beyond them.
func (c *Catalog) Held(ctx context.Context, t *TypeInfo) []string { return c.heldWithDir(ctx, t) }

func (c *Catalog) heldWithDir(ctx context.Context, t *TypeInfo) []string {
	held := t.HeldVersions()
	if c.opts.TypesDir == "" {
		return held
	}
	versions, err := c.dirFiles(ctx, t.Namespace(), "")
	if err != nil {
		return held
	}
	for v, files := range versions {
		if contains(held, v) {
			continue
		}
		// a candidate only: the folder's file for that version may not describe this type
		for _, file := range files {
			if f, err := c.dirFile(file); err == nil && hasKey(f.resources, strings.ToLower(t.ARMType)) {
				held = append(held, v)
				break
			}
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(held)))
	return held
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// KnownVersions lists every API version Azure publishes for a type (not only those held), oldest first.
func (c *Catalog) KnownVersions(armType string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := strings.ToLower(armType)
	known, ok := c.knownVersions[key]
	if !ok {
		table := c.versions.Value()
		if table == nil {
			data, err := c.readZstd("data/versions.txt.zst")
			if err != nil {
				return nil, fmt.Errorf("reading the embedded version list: %w", err)
			}
			// each type's list is split when asked for: splitting all of them (60,000
			// versions) took 3 ms of every gru schema
			table = &versionTable{byType: map[string]string{}}
			for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				t, vs, _ := strings.Cut(line, "\t")
				table.byType[strings.ToLower(t)] = vs
			}
			c.versions = weak.Make(table)
		}
		known.list, known.ok = table.byType[key]
		known.list = strings.Clone(known.list) // not a slice of the table's text, which goes
		if c.knownVersions == nil {
			c.knownVersions = map[string]knownVersions{}
		}
		c.knownVersions[key] = known
	}
	if !known.ok {
		return nil, nil
	}
	return strings.Split(known.list, ","), nil
}

// versionTable is every type's known versions, comma-separated, by lower-cased ARM type.
type versionTable struct{ byType map[string]string }

// knownVersions are a type's known versions, comma-separated; ok is false for a type the
// table does not have.
type knownVersions struct {
	list string
	ok   bool
}

// Dependencies returns GruCloud's dependency keys of a type, in the order of GruCloud's table;
// none for a type GruCloud's table does not describe.
func (c *Catalog) Dependencies(armType string) ([]Dependency, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deps == nil {
		data, err := readGzip(embedded, "data/dependencies.txt.gz")
		if err != nil {
			return nil, fmt.Errorf("reading the embedded dependency table: %w", err)
		}
		c.deps = map[string][]Dependency{}
		for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
			f := strings.Split(line, "\t") // pathId may be empty
			if len(f) != 8 {
				return nil, fmt.Errorf("the embedded dependency table has a bad line: %q", line)
			}
			k := strings.ToLower(f[0])
			c.deps[k] = append(c.deps[k], Dependency{Key: f[1], ARMType: f[2], Parent: f[3] == "1", List: f[4] == "1", PathID: f[5], Extra: f[6] == "1", TypeName: f[7]})
		}
	}
	return c.deps[strings.ToLower(armType)], nil
}

// DerivedParents gives a type the parent keys that GruCloud's table does not (known are the
// keys it has): resourceGroup, then the singular of each ancestor collection (virtualNetwork,
// ...), but for ancestors whose name is fixed (fixed, see FixedNames: a blob container's
// blobServices/default).
func (c *Catalog) DerivedParents(ti *TypeInfo, known []Dependency, fixed []string) []Dependency {
	has := map[string]bool{}
	for _, d := range known {
		if d.Parent {
			has[strings.ToLower(d.ARMType)] = true
		}
	}
	var out []Dependency
	if !has["microsoft.resources/resourcegroups"] && !strings.EqualFold(ti.ARMType, "Microsoft.Resources/resourceGroups") {
		out = append(out, Dependency{Key: "resourceGroup", ARMType: "Microsoft.Resources/resourceGroups", Parent: true, TypeName: "Resources::ResourceGroup"})
	}
	for p := ti.ParentType(); p != ""; {
		if i := strings.Count(p, "/") - 1; !has[strings.ToLower(p)] && (i >= len(fixed) || fixed[i] == "") {
			if pt, ok := c.Find(p); ok {
				name := []rune(pt.Name())
				name[0] = unicode.ToLower(name[0])
				out = append(out, Dependency{Key: string(name), ARMType: pt.ARMType, Parent: true, TypeName: pt.ShortName})
			}
		}
		next := strings.LastIndexByte(p, '/')
		if strings.Count(p, "/") < 2 {
			break
		}
		p = p[:next]
	}
	return out
}

// GruCloudTypes lists the types of GruCloud's table by GruCloud's names (Group::Type), sorted,
// each with its ARM type.
func (c *Catalog) GruCloudTypes() ([][2]string, error) {
	if err := c.loadGruCloud(); err != nil {
		return nil, err
	}
	return c.grucloud, nil
}

// FixedNames says, for a type as a project names it (Group::Type, GruCloud's name), which names
// of its ID are fixed by GruCloud's PUT path: one entry per type segment of the ID (the top
// level type first), the fixed name, or "" where the name is the project's. A blob
// container's are ["", "default", ""]: storageAccounts/{account}/blobServices/default/
// containers/{container}; a web app configuration's ["", "web"]. nil when none is fixed.
func (c *Catalog) FixedNames(name string) ([]string, error) {
	if err := c.loadGruCloud(); err != nil {
		return nil, err
	}
	return c.fixedNames[strings.ToLower(name)], nil
}

// loadGruCloud reads the embedded list of GruCloud's types once.
func (c *Catalog) loadGruCloud() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fixedNames != nil {
		return nil
	}
	data, err := readGzip(embedded, "data/grucloud.txt.gz")
	if err != nil {
		return fmt.Errorf("reading the embedded list of GruCloud's types: %w", err)
	}
	fixed := map[string][]string{}
	var types [][2]string
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return fmt.Errorf("the embedded list of GruCloud's types has a bad line: %q", line)
		}
		types = append(types, [2]string{f[0], f[1]})
		if f[2] == "" {
			continue
		}
		names := strings.Split(f[2], "/")
		for i, n := range names {
			if n == "*" {
				names[i] = ""
			}
		}
		fixed[strings.ToLower(f[0])] = names
	}
	c.fixedNames, c.grucloud = fixed, types
	return nil
}

// load decodes a type file once and caches it.
func (c *Catalog) load(ctx context.Context, key string, read func() ([]byte, error)) (*TypesFile, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	lf := c.files[key]
	if lf == nil {
		lf = &loadedFile{}
		c.files[key] = lf
	}
	c.mu.Unlock()
	lf.once.Do(func() {
		data, err := read()
		if err != nil {
			lf.err = err
			return
		}
		lf.file, lf.err = ParseTypesFile(data)
	})
	return lf.file, lf.err
}

// schemaFromDir returns the schema of a type at a version from the types folder, nil when
// the folder has none.
func (c *Catalog) schemaFromDir(ctx context.Context, armType, version string) (*Resource, error) {
	ns, _, _ := strings.Cut(armType, "/")
	versions, err := c.dirFiles(ctx, ns, version)
	if err != nil {
		return nil, err
	}
	for _, file := range versions[strings.ToLower(version)] {
		df, err := c.dirFile(file)
		if err != nil {
			return nil, err
		}
		if !hasKey(df.resources, strings.ToLower(armType)) {
			continue
		}
		f, err := c.load(ctx, "dir:"+file+"#"+strings.ToLower(armType), func() ([]byte, error) {
			js, _, err := df.typesFile(armType)
			return js, err
		})
		if err != nil {
			return nil, fmt.Errorf("loading the schema of %s@%s from %s: %w", armType, version, file, err)
		}
		if r := f.Resource(armType); r != nil {
			return r, nil
		}
		return nil, fmt.Errorf("%s lists %s, which its schema lacks", file, armType)
	}
	return nil, nil
}

// dirFile reads a type file of the types folder (gzipped when its name ends in .gz) and
// splits it into its entries, once.
func (c *Catalog) dirFile(file string) (*dirFile, error) {
	return c.dirFileOf(file, func() ([]byte, error) {
		if strings.HasSuffix(file, ".gz") {
			return readGzip(os.DirFS(filepath.Dir(file)), filepath.Base(file))
		}
		return os.ReadFile(file)
	})
}

func readGzip(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}
