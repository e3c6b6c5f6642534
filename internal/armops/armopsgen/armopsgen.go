// Package armopsgen turns the shared ARM operations table (azure/arm-operations in the shared
// data folder: every ARM operation of Microsoft's REST API specs, as zstd-compressed JSON) into
// the compact table that package armops embeds.
//
// It is used by the generator (internal/armops/gen, run by `go generate ./internal/armops`) and
// by armops' tests, which check that the embedded table is what this package writes from the
// shared data. It must not import armops.
//
// The table is gzip-compressed text, written deterministically (the same input gives the same
// bytes). Lines, in this order:
//
//	armops 1
//	source <TAB> <repo> <TAB> <commit>
//	records <TAB> <count>
//	<count> record lines:  <flags> <TAB> <finalStateVia> <TAB> <codes> <TAB> <otherCodes> <TAB> <scopes> <TAB> <names> <TAB> <query>
//	profiles <TAB> <count>
//	<count> profile lines: entries separated by spaces
//	types <TAB> <count>
//	<count> type lines:    <name as written> <TAB> <version>=<profile> <TAB> ...
//
// A record is one operation as the specs declare it: flags holds "l" for a long-running
// operation and "p" for a pageable one; codes, otherCodes, names and query are comma-separated
// lists; scopes is a string of scope letters (t tenant, m managementGroup, s subscription,
// r resourceGroup, e extension). Identical records are written once and referred to by their
// index (0-based, in order of appearance).
//
// A profile is everything one type declares at one api-version; identical profiles are written
// once and referred to by index. Its entries are r/<method>=<records> (an operation on the
// resource), c/<method>=<records> (on its collection) and a/<action>/<method>=<records> (a
// POST-style action on the resource), where <records> is the main record's index followed by the
// indexes of its variants (other declarations of the same operation, told apart by name, query
// or scope), separated by commas. Methods are lower case.
//
// The source's "generic" path templates (by-id operations and type segments that are parameters
// without an enum) are left out: the lookup rules never reach them. So are the variants'
// "src" file names.
package armopsgen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// Rec is one operation record of the source table.
type Rec struct {
	LRO           bool     `json:"lro"`
	FinalStateVia string   `json:"finalStateVia"`
	Codes         []int    `json:"codes"`
	Pageable      bool     `json:"pageable"`
	OtherCodes    []int    `json:"otherCodes"`
	Scopes        []string `json:"scopes"`
	Names         []string `json:"names"`
	Query         []string `json:"query"`
	Variants      []Rec    `json:"variants"`
}

// Version is what one type declares at one api-version: records by lower-case method, and the
// actions' records by action name (as written) and method.
type Version struct {
	Resource   map[string]*Rec            `json:"resource"`
	Collection map[string]*Rec            `json:"collection"`
	Actions    map[string]map[string]*Rec `json:"actions"`
}

// Type is one ARM type (or a bare provider namespace, for provider-level actions).
type Type struct {
	Name     string              `json:"name"`
	Versions map[string]*Version `json:"versions"`
}

// Source is the shared table, less its generic path templates.
type Source struct {
	Source struct {
		Repo   string `json:"repo"`
		Commit string `json:"commit"`
	} `json:"source"`
	// Types by lower-cased ARM type.
	Types map[string]*Type `json:"types"`
}

// Dir is where the table sits in the shared data folder.
const Dir = "azure/arm-operations"

// File is the name of the embedded table in armops' data folder.
const File = "armops.txt.gz"

// Read reads the zstd-compressed JSON table.
func Read(path string) (*Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec, err := zstd.NewReader(f)
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	var src Source
	if err := json.NewDecoder(dec).Decode(&src); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(src.Types) == 0 {
		return nil, fmt.Errorf("%s: no types", path)
	}
	return &src, nil
}

// Stats tells what Encode wrote.
type Stats struct {
	Types, Versions, Operations int // as in the source (operations counting main records only)
	Records, Profiles           int // distinct ones written
	Raw, Compressed             int // bytes
}

var scopeLetters = map[string]byte{
	"tenant": 't', "managementGroup": 'm', "subscription": 's', "resourceGroup": 'r', "extension": 'e',
}

// Encode writes the compact table, gzip-compressed.
func Encode(src *Source) ([]byte, Stats, error) {
	var st Stats
	var recLines []string
	recIndex := map[string]int{}
	var profLines []string
	profIndex := map[string]int{}
	var typeLines []string

	record := func(r *Rec) (int, error) {
		line, err := recordLine(r)
		if err != nil {
			return 0, err
		}
		i, ok := recIndex[line]
		if !ok {
			i = len(recLines)
			recIndex[line] = i
			recLines = append(recLines, line)
		}
		return i, nil
	}
	entry := func(prefix string, r *Rec) (string, error) {
		if r == nil {
			return "", errors.New("null record")
		}
		st.Operations++
		var b strings.Builder
		b.WriteString(prefix)
		b.WriteByte('=')
		for k, x := range append([]Rec{*r}, r.Variants...) {
			if k > 0 && len(x.Variants) > 0 {
				return "", errors.New("a variant with variants")
			}
			i, err := record(&x)
			if err != nil {
				return "", err
			}
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(i))
		}
		return b.String(), nil
	}

	for _, key := range sortedKeys(src.Types) {
		t := src.Types[key]
		if t == nil || t.Name == "" || strings.ToLower(t.Name) != key || strings.ContainsAny(t.Name, "\t\n") {
			return nil, st, fmt.Errorf("type %q: bad name", key)
		}
		st.Types++
		line := []string{t.Name}
		for _, ver := range sortedKeys(t.Versions) {
			v := t.Versions[ver]
			if v == nil || !plain(ver, "\t\n=") {
				return nil, st, fmt.Errorf("type %s: bad version %q", key, ver)
			}
			st.Versions++
			var entries []string
			add := func(prefix string, r *Rec) error {
				e, err := entry(prefix, r)
				if err != nil {
					return fmt.Errorf("type %s@%s %s: %w", key, ver, prefix, err)
				}
				entries = append(entries, e)
				return nil
			}
			for _, m := range sortedKeys(v.Resource) {
				if err := checkMethod(m); err != nil {
					return nil, st, err
				}
				if err := add("r/"+m, v.Resource[m]); err != nil {
					return nil, st, err
				}
			}
			for _, m := range sortedKeys(v.Collection) {
				if err := checkMethod(m); err != nil {
					return nil, st, err
				}
				if err := add("c/"+m, v.Collection[m]); err != nil {
					return nil, st, err
				}
			}
			for _, a := range sortedKeys(v.Actions) {
				if a == "" || !plain(a, "\t\n /=, ") {
					return nil, st, fmt.Errorf("type %s@%s: bad action %q", key, ver, a)
				}
				for _, m := range sortedKeys(v.Actions[a]) {
					if err := checkMethod(m); err != nil {
						return nil, st, err
					}
					if err := add("a/"+a+"/"+m, v.Actions[a][m]); err != nil {
						return nil, st, err
					}
				}
			}
			prof := strings.Join(entries, " ")
			i, ok := profIndex[prof]
			if !ok {
				i = len(profLines)
				profIndex[prof] = i
				profLines = append(profLines, prof)
			}
			line = append(line, ver+"="+strconv.Itoa(i))
		}
		typeLines = append(typeLines, strings.Join(line, "\t"))
	}
	st.Records, st.Profiles = len(recLines), len(profLines)

	var raw bytes.Buffer
	if !plain(src.Source.Repo, "\t\n") || !plain(src.Source.Commit, "\t\n") {
		return nil, st, errors.New("bad source line")
	}
	fmt.Fprintf(&raw, "armops 1\nsource\t%s\t%s\n", src.Source.Repo, src.Source.Commit)
	for _, sec := range []struct {
		name  string
		lines []string
	}{{"records", recLines}, {"profiles", profLines}, {"types", typeLines}} {
		fmt.Fprintf(&raw, "%s\t%d\n", sec.name, len(sec.lines))
		for _, l := range sec.lines {
			raw.WriteString(l)
			raw.WriteByte('\n')
		}
	}
	st.Raw = raw.Len()

	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, st, err
	}
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, st, err
	}
	if err := zw.Close(); err != nil {
		return nil, st, err
	}
	st.Compressed = out.Len()
	return out.Bytes(), st, nil
}

func recordLine(r *Rec) (string, error) {
	var flags string
	if r.LRO {
		flags += "l"
	}
	if r.Pageable {
		flags += "p"
	}
	scopes := make([]byte, 0, len(r.Scopes))
	for _, s := range r.Scopes {
		c, ok := scopeLetters[s]
		if !ok {
			return "", fmt.Errorf("unknown scope %q", s)
		}
		scopes = append(scopes, c)
	}
	for _, l := range [][]string{r.Names, r.Query} {
		for _, s := range l {
			if s == "" || !plain(s, "\t\n,") {
				return "", fmt.Errorf("bad name or query %q", s)
			}
		}
	}
	if !plain(r.FinalStateVia, "\t\n") {
		return "", fmt.Errorf("bad finalStateVia %q", r.FinalStateVia)
	}
	return strings.Join([]string{flags, r.FinalStateVia, ints(r.Codes), ints(r.OtherCodes), string(scopes),
		strings.Join(r.Names, ","), strings.Join(r.Query, ",")}, "\t"), nil
}

func checkMethod(m string) error {
	switch m {
	case "get", "put", "patch", "delete", "head", "post", "options":
		return nil
	}
	return fmt.Errorf("unknown method %q", m)
}

func ints(l []int) string {
	s := make([]string, len(l))
	for i, n := range l {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// plain reports whether s holds none of the characters in bad.
func plain(s, bad string) bool { return !strings.ContainsAny(s, bad) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Generate reads the table from the shared data folder and writes armops' data folder: the
// compact table and, beside it, the upstream LICENSE and SOURCE.
func Generate(shared, out string) (Stats, error) {
	dir := filepath.Join(shared, filepath.FromSlash(Dir))
	src, err := Read(filepath.Join(dir, "arm-operations.json.zst"))
	if err != nil {
		return Stats{}, err
	}
	data, st, err := Encode(src)
	if err != nil {
		return st, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return st, err
	}
	for _, name := range []string{"LICENSE", "SOURCE"} {
		if err := copyFile(filepath.Join(dir, name), filepath.Join(out, name)); err != nil {
			return st, err
		}
	}
	return st, os.WriteFile(filepath.Join(out, File), data, 0o644)
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}
