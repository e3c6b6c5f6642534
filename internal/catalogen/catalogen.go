// Package catalogen writes gru's embedded catalogue data from Microsoft's bicep-types-az type
// data and GruCloud's type table. It owns the choice of what is embedded and how it is named:
// the canonical spelling of every ARM type, its short name Group::Type, and its aliases.
// The catalogue package reads what it writes; nothing else depends on it, and it knows
// nothing of HTTP, validation or the CLI.
package catalogen

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// Stats summarises a generation.
type Stats struct {
	Types, Aliases, Files int
	Pairs, Nodes, Blocks  int
	Bytes                 int64
}

// ArchivePath is the archive of every version of the type data, relative to the shared folder.
const ArchivePath = "azure/bicep-types-all/bicep-types-all.tar.zst"

// grucloudExtras are dependency keys GruCloud's own type definitions have beyond its published
// table (facts about GruCloud's behaviour, in the table's format), added after the table's.
//
//go:embed grucloud-extras.json
var grucloudExtras []byte

// gruTypes are gru's own types, in the type data's format: what GruCloud's hand-written
// Storage types manage through the Blob service rather than ARM (a blob, the Blob service's
// properties; facts from the Blob service's REST reference), and ARM types of GruCloud's table
// that Microsoft's type data lacks because they have no PUT (a cloud service's role
// instances; facts from the Compute REST specs).
//
//go:embed gru-types.json
var gruTypes []byte

// gruTypesFile is the file default-versions names for gru's own types.
const gruTypesFile = "gru/types/types.json"

// IndexHeader is the first line of index.txt; the catalogue refuses an index without it.
const IndexHeader = "gru-catalog-index 1"

type defaultVersion struct {
	APIVersion string `json:"apiVersion"`
	File       string `json:"file"`
}

type grucloudType struct {
	Group        string              `json:"group"`
	Type         string              `json:"type"`
	ARMType      string              `json:"armType"`
	APIVersion   string              `json:"apiVersion"`
	PutPath      string              `json:"putPath"`
	Dependencies orderedDependencies `json:"dependencies"`
	// HandWritten marks a type GruCloud defines in its own code, beyond its published table
	// (Storage::Blob): gru holds it as its table's types, and lists its keys on its pages.
	HandWritten bool `json:"handWritten"`
}

// orderedDependencies keeps GruCloud's dependency keys in the order its table lists them,
// which is the order its documentation pages show them in.
type orderedDependencies []struct {
	Key string
	grucloudDependency
}

func (o *orderedDependencies) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var d grucloudDependency
		if err := dec.Decode(&d); err != nil {
			return err
		}
		*o = append(*o, struct {
			Key string
			grucloudDependency
		}{tok.(string), d})
	}
	return nil
}

type grucloudDependency struct {
	Name   string `json:"name"` // the placeholder of a parent in the PUT path
	Type   string `json:"type"`
	Group  string `json:"group"`
	Parent bool   `json:"parent"`
	List   bool   `json:"list"`
	PathID string `json:"pathId"`
}

// Generate reads <shared>/azure/bicep-types (default and known versions), the archive of every
// version's type data (ArchivePath) and <shared>/grucloud/azure-types.json, and writes the
// catalogue into out, replacing what was there.
func Generate(shared, out string) (Stats, error) {
	var st Stats
	bicep := filepath.Join(shared, "azure", "bicep-types")
	var defaults map[string]defaultVersion
	if err := readJSON(filepath.Join(bicep, "default-versions.json"), &defaults); err != nil {
		return st, err
	}
	var versions map[string][]string
	if err := readJSON(filepath.Join(bicep, "versions.json"), &versions); err != nil {
		return st, err
	}
	var grucloud []grucloudType
	if err := readJSON(filepath.Join(shared, "grucloud", "azure-types.json"), &grucloud); err != nil {
		return st, err
	}
	var extras []grucloudType
	if err := json.Unmarshal(grucloudExtras, &extras); err != nil {
		return st, fmt.Errorf("grucloud-extras.json: %w", err)
	}
	// GruCloud's hand-written types count as its table's; the other extras add keys only.
	var keysOnly []grucloudType
	for _, e := range extras {
		if e.HandWritten {
			grucloud = append(grucloud, e)
		} else {
			keysOnly = append(keysOnly, e)
		}
	}
	extras = keysOnly
	// gru's own types, at their one version each.
	var dataPlane []struct {
		Kind string `json:"$type"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(gruTypes, &dataPlane); err != nil {
		return st, fmt.Errorf("gru-types.json: %w", err)
	}
	for _, e := range dataPlane {
		if t, v, ok := strings.Cut(e.Name, "@"); ok && e.Kind == "ResourceType" {
			defaults[t] = defaultVersion{APIVersion: v, File: gruTypesFile}
			// ARM serves a child at its parent's versions (a connection's shared key at the
			// connection's); the data plane's types have their one version.
			versions[t] = []string{v}
			if parent := versions[path.Dir(t)]; len(parent) > 0 && !strings.Contains(t, "/blobServices/") {
				versions[t] = parent
			}
		}
	}

	// Every type@version of the archive, and gru's own, in the schema store.
	files, err := readArchive(filepath.Join(shared, filepath.FromSlash(ArchivePath)))
	if err != nil {
		return st, err
	}
	gru, err := gruSourceFile()
	if err != nil {
		return st, err
	}
	files = append(files, gru) // a folder of its own, last
	store, err := buildStore(files, defaults)
	if err != nil {
		return st, err
	}
	if err := os.RemoveAll(filepath.Join(out, "types")); err != nil {
		return st, err
	}
	blob, storeIndex := store.index()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return st, err
	}
	if err := os.WriteFile(filepath.Join(out, "schemas.zst"), blob, 0o644); err != nil {
		return st, err
	}
	n, err := writeZstd(filepath.Join(out, "schemas.txt.zst"), storeIndex)
	if err != nil {
		return st, err
	}
	st.Bytes += int64(len(blob)) + n
	st.Files, st.Pairs, st.Nodes, st.Blocks = len(files), store.pairsTotal, store.nodes, len(store.blocks)

	// Names.
	armTypes := sortedKeys(defaults)
	var preferred []string
	for _, g := range grucloud {
		preferred = append(preferred, g.ARMType)
	}
	canon := canonicalCasing(armTypes, preferred)
	byLower := map[string]string{} // lower ARM type -> canonical
	for _, t := range armTypes {
		byLower[strings.ToLower(t)] = canon[t]
	}
	fixed, gcAliases := grucloudNames(grucloud, byLower)
	canonTypes := make([]string, 0, len(armTypes))
	for _, t := range armTypes {
		canonTypes = append(canonTypes, canon[t])
	}
	sort.Strings(canonTypes)
	derived := shortNames(canonTypes, nil)
	short := shortNames(canonTypes, fixed)
	if err := checkUnique(short); err != nil {
		return st, err
	}
	aliases := aliasTable(short, derived, gcAliases)
	st.Types, st.Aliases = len(canonTypes), len(aliases)

	// index.txt: one T line a type, then one A line an alias.
	var idx bytes.Buffer
	idx.WriteString(IndexHeader + "\n")
	for _, upstream := range armTypes {
		t := canon[upstream]
		vs := sortedKeys(store.pairs[strings.ToLower(upstream)])
		sort.Sort(sort.Reverse(sort.StringSlice(vs)))
		fmt.Fprintf(&idx, "T\t%s\t%s\t%s\t%s\n", t, short[t], defaults[upstream].APIVersion, strings.Join(vs, ","))
	}
	for _, a := range aliases {
		fmt.Fprintf(&idx, "A\t%s\t%s\n", a[0], a[1])
	}
	n, err = writeZstd(filepath.Join(out, "index.txt.zst"), idx.Bytes())
	if err != nil {
		return st, err
	}
	st.Bytes += n

	var vers bytes.Buffer
	for _, upstream := range armTypes {
		fmt.Fprintf(&vers, "%s\t%s\n", canon[upstream], strings.Join(versions[upstream], ","))
	}
	if n, err = writeZstd(filepath.Join(out, "versions.txt.zst"), vers.Bytes()); err != nil {
		return st, err
	}
	st.Bytes += n

	deps, err := dependencyTable(grucloud, extras, short, aliases, byLower)
	if err != nil {
		return st, err
	}
	if n, err = writeGzip(filepath.Join(out, "dependencies.txt.gz"), deps); err != nil {
		return st, err
	}
	st.Bytes += n

	if n, err = writeGzip(filepath.Join(out, "grucloud.txt.gz"), grucloudTable(grucloud, byLower)); err != nil {
		return st, err
	}
	st.Bytes += n

	for _, f := range []string{"LICENSE", "SOURCE-COMMIT"} {
		data, err := os.ReadFile(filepath.Join(shared, filepath.FromSlash(path.Dir(ArchivePath)), f))
		if err != nil {
			return st, err
		}
		if err := os.WriteFile(filepath.Join(out, f), data, 0o644); err != nil {
			return st, err
		}
	}
	return st, nil
}

// fileKey names an embedded file by its source path without generated/ and /types.json:
// storage/microsoft.storage/2021-06-01.
func fileKey(source string) string {
	k := strings.TrimPrefix(source, "generated/")
	return path.Dir(k)
}

// grucloudNames returns the short names GruCloud gives to catalogue types (the canonical name
// where GruCloud has exactly one name at its newest API version for the type; several names
// mean GruCloud models named instances of one type, such as Web sites' config) and every
// GruCloud name as an alias.
func grucloudNames(table []grucloudType, byLower map[string]string) (fixed map[string]string, aliases map[string]string) {
	fixed = map[string]string{}
	aliases = map[string]string{} // name -> canonical ARM type
	newest := map[string][]grucloudType{}
	for _, g := range table {
		t, ok := byLower[strings.ToLower(g.ARMType)]
		if !ok {
			continue // a type the type data no longer has
		}
		aliases[g.Group+"::"+g.Type] = t
		cur := newest[t]
		switch {
		case len(cur) == 0 || g.APIVersion > cur[0].APIVersion:
			newest[t] = []grucloudType{g}
		case g.APIVersion == cur[0].APIVersion && (g.Group != cur[0].Group || g.Type != cur[0].Type):
			newest[t] = append(cur, g)
		}
	}
	for t, list := range newest {
		if len(list) == 1 {
			fixed[t] = list[0].Group + "::" + list[0].Type
		}
	}
	return fixed, aliases
}

func checkUnique(short map[string]string) error {
	seen := map[string]string{}
	for _, t := range sortedKeys(short) {
		k := strings.ToLower(short[t])
		if other, dup := seen[k]; dup {
			return fmt.Errorf("short name %s is given to both %s and %s", short[t], other, t)
		}
		seen[k] = t
	}
	return nil
}

// aliasTable lists the names that resolve to a type besides its short name: GruCloud's names
// and the derived name where GruCloud's won. A name that is another type's short name, or that
// two types would share, is left out.
func aliasTable(short, derived, grucloud map[string]string) [][2]string {
	canonical := map[string]bool{}
	for _, n := range short {
		canonical[strings.ToLower(n)] = true
	}
	target := map[string]string{}
	ambiguous := map[string]bool{}
	add := func(name, t string) {
		k := strings.ToLower(name)
		if canonical[k] {
			return
		}
		if prev, ok := target[k]; ok && prev != t {
			ambiguous[k] = true
		}
		target[k] = t
	}
	for name, t := range grucloud {
		add(name, t)
	}
	for t, d := range derived {
		if d != short[t] {
			add(d, t)
		}
	}
	names := map[string]string{} // lower -> spelled
	for name := range grucloud {
		names[strings.ToLower(name)] = name
	}
	for _, d := range derived {
		names[strings.ToLower(d)] = d
	}
	var out [][2]string
	for _, k := range sortedKeys(target) {
		if !ambiguous[k] {
			out = append(out, [2]string{names[k], target[k]})
		}
	}
	return out
}

// dependencyTable writes GruCloud's dependency keys of each type: one line a key,
// "<ARM type> <key> <target ARM type> <parent 0|1> <list 0|1> <pathId>", tab-separated, types
// sorted and keys in the order of GruCloud's table. Where GruCloud models one ARM type under
// several names, their keys are merged, first come first.
func dependencyTable(table, extras []grucloudType, short map[string]string, aliases [][2]string, byLower map[string]string) ([]byte, error) {
	names := map[string]string{} // lower Group::Type -> ARM type
	for t, n := range short {
		names[strings.ToLower(n)] = t
	}
	for _, a := range aliases {
		if _, taken := names[strings.ToLower(a[0])]; !taken {
			names[strings.ToLower(a[0])] = a[1]
		}
	}
	for _, g := range table {
		if t, ok := byLower[strings.ToLower(g.ARMType)]; ok {
			if _, taken := names[strings.ToLower(g.Group+"::"+g.Type)]; !taken {
				names[strings.ToLower(g.Group+"::"+g.Type)] = t
			}
		}
	}
	byType := map[string][]string{}
	seen := map[string]bool{}
	for i, g := range append(append([]grucloudType{}, table...), extras...) {
		extra := 0 // 1 for a key GruCloud's published table does not have
		if i >= len(table) {
			extra = 1
		}
		from, ok := byLower[strings.ToLower(g.ARMType)]
		if !ok {
			continue
		}
		for _, d := range g.Dependencies {
			toName := d.Group + "::" + d.Type
			to, ok := names[strings.ToLower(toName)]
			if ok && d.Parent && to == from {
				// The table names the type itself as its own parent (domainOwnershipIdentifiers'
				// domain, expressRoutePorts/authorizations' expressRoutePort): the parent is the
				// type whose name the dependency's placeholder gives in the PUT path.
				if p, found := byLower[strings.ToLower(parentAt(g.PutPath, d.Name))]; found {
					to, toName = p, short[p]
				}
			}
			if !ok || seen[from+"\t"+d.Key] {
				continue // a type the catalogue does not have, or a key already listed
			}
			seen[from+"\t"+d.Key] = true
			byType[from] = append(byType[from], fmt.Sprintf("%s\t%s\t%s\t%d\t%d\t%s\t%d\t%s", from, d.Key, to, b2i(d.Parent), b2i(d.List), d.PathID, extra, toName))
		}
	}
	var buf bytes.Buffer
	for _, t := range sortedKeys(byType) {
		for _, l := range byType[t] {
			buf.WriteString(l + "\n")
		}
	}
	return buf.Bytes(), nil
}

// grucloudTable lists every type of GruCloud's table: Group::Type, its ARM type, and, when
// its PUT path fixes some of the names in its ID (a blob container's blobServices/default, a
// web app configuration's config/web), for each type segment of its ID the fixed name or *
// ("" when none is fixed). GruCloud names such resources without the fixed parts
// (rg::account::container).
func grucloudTable(table []grucloudType, byLower map[string]string) []byte {
	lines := map[string]string{}
	for _, g := range table {
		armType, ok := byLower[strings.ToLower(g.ARMType)]
		if !ok {
			armType = g.ARMType // a type Microsoft's type data lacks
		}
		fixed := ""
		if names, isFixed := fixedNames(g.PutPath, armType); isFixed {
			fixed = strings.Join(names, "/")
		}
		name := g.Group + "::" + g.Type
		lines[strings.ToLower(name)] = name + "\t" + armType + "\t" + fixed + "\n"
	}
	var buf bytes.Buffer
	for _, k := range sortedKeys(lines) {
		buf.WriteString(lines[k])
	}
	return buf.Bytes()
}

// fixedNames reads a PUT path: for each type segment of the ID, the fixed name or *, and
// whether any is fixed. A path that is not type/name pairs of the type fixes none.
func fixedNames(putPath, armType string) ([]string, bool) {
	i := strings.LastIndex(strings.ToLower(putPath), "/providers/")
	if i < 0 {
		return nil, false
	}
	segs := strings.Split(putPath[i+len("/providers/"):], "/")[1:] // t1/n1/t2/n2...
	if len(segs)%2 != 0 && strings.EqualFold(segs[len(segs)-1], path.Base(armType)) {
		segs = append(segs, "default") // a nameless singleton (connections/{}/sharedkey): gru names it default
	}
	if len(segs)%2 != 0 || len(segs)/2 != strings.Count(armType, "/") {
		return nil, false
	}
	names, fixed := make([]string, 0, len(segs)/2), false
	for j := 1; j < len(segs); j += 2 {
		if strings.HasPrefix(segs[j], "{") {
			names = append(names, "*")
		} else {
			names, fixed = append(names, segs[j]), true
		}
	}
	return names, fixed
}

// parentAt is the ARM type whose name a PUT path's placeholder gives ({domainName} in
// .../domains/{domainName}/domainOwnershipIdentifiers/{name} gives Microsoft.DomainRegistration/domains),
// "" when the placeholder is not a name of the path.
func parentAt(putPath, placeholder string) string {
	i := strings.LastIndex(strings.ToLower(putPath), "/providers/")
	if i < 0 {
		return ""
	}
	segs := strings.Split(putPath[i+len("/providers/"):], "/")
	for j := 2; j < len(segs); j += 2 {
		if segs[j] == "{"+placeholder+"}" {
			types := []string{segs[0]}
			for k := 1; k < j; k += 2 {
				types = append(types, segs[k])
			}
			return strings.Join(types, "/")
		}
	}
	return ""
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func readJSON(file string, v any) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// writeGzip writes data gzipped with a fixed header, so that equal input gives equal bytes.
// writeZstd writes data as one zstd frame at the best level, deterministic as the store's
// blocks: the big tables, which every run of gru reads, decode several times faster than gzip.
func writeZstd(file string, data []byte) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return 0, err
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return 0, err
	}
	defer enc.Close()
	out := enc.EncodeAll(data, nil)
	return int64(len(out)), os.WriteFile(file, out, 0o644)
}

func writeGzip(file string, data []byte) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return 0, err
	}
	if _, err := zw.Write(data); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int64(buf.Len()), os.WriteFile(file, buf.Bytes(), 0o644)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// WalkFiles lists every regular file below dir as slash paths relative to it, sorted; for
// comparing two generations.
func WalkFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	sort.Strings(out)
	return out, err
}
