package catalog

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// A types.json of a types folder holds a whole namespace at one version: Microsoft.Network's
// is 1.3 MB, 5,000 entries, 60 ms to decode. A schema needs a few hundred of them, so the
// file is only split into its entries (a scan that decodes nothing), and a schema decodes
// the entries reachable from its type's ResourceType and functions, written as a small
// types.json with references renumbered, as the embedded schema store does.

// dirFile is a type file of the types folder, split into its entries.
type dirFile struct {
	once    sync.Once
	err     error
	data    []byte
	entries [][2]int // start and end of each entry in data
	// resources maps each lower-cased ARM type to the file's first ResourceType entry of
	// it, functions to its ResourceFunctionType entries, in the file's order.
	resources map[string]int
	functions map[string][]int
}

// maxDepth bounds the nesting of a scanned file (types.json nests five levels or so).
const maxDepth = 1000

var errScan = errors.New("not a types.json: malformed JSON")

// jsonScanner walks JSON text without decoding it. It checks the structure (brackets, strings,
// commas and colons), not the scalars: the entries a schema takes are decoded, and checked, by
// ParseTypesFile.
type jsonScanner struct {
	data []byte
	i    int
	// ref, when set, is called for every member "$ref" with a string value: the value's
	// span in data (quotes excluded).
	ref func(start, end int)
	// member, when set, is called for every member with a string value of the top object:
	// its key and its value, as written (escapes left).
	member func(key, value []byte)
}

func (s *jsonScanner) space() {
	d, i := s.data, s.i
	for i < len(d) && d[i] <= ' ' {
		switch d[i] {
		case ' ', '\t', '\n', '\r':
		default:
			s.i = i
			return
		}
		i++
		// indentation, eight spaces at a time
		for i+8 <= len(d) && binary.LittleEndian.Uint64(d[i:]) == 0x2020202020202020 {
			i += 8
		}
	}
	s.i = i
}

// expect skips white space and the byte b.
func (s *jsonScanner) expect(b byte) error {
	s.space()
	if s.i >= len(s.data) || s.data[s.i] != b {
		return errScan
	}
	s.i++
	return nil
}

// str skips the string at s.i and returns its content's span.
func (s *jsonScanner) str() (start, end int, err error) {
	if s.i >= len(s.data) || s.data[s.i] != '"' {
		return 0, 0, errScan
	}
	start = s.i + 1
	for j := start; ; {
		k := bytes.IndexByte(s.data[j:], '"')
		if k < 0 {
			return 0, 0, errScan
		}
		q := j + k
		slashes := 0
		for b := q - 1; b >= start && s.data[b] == '\\'; b-- {
			slashes++
		}
		if slashes%2 == 0 {
			s.i = q + 1
			return start, q, nil
		}
		j = q + 1
	}
}

// value skips the value at s.i (white space first), at a nesting depth (the top object is 1).
func (s *jsonScanner) value(depth int) error {
	if depth > maxDepth {
		return errScan
	}
	s.space()
	if s.i >= len(s.data) {
		return errScan
	}
	switch s.data[s.i] {
	case '{':
		s.i++
		for first := true; ; first = false {
			s.space()
			if s.i < len(s.data) && s.data[s.i] == '}' {
				s.i++
				return nil
			}
			if !first {
				if err := s.expect(','); err != nil {
					return err
				}
				s.space()
			}
			ks, ke, err := s.str()
			if err != nil {
				return err
			}
			if err := s.expect(':'); err != nil {
				return err
			}
			s.space()
			if s.i >= len(s.data) || s.data[s.i] != '"' {
				if err := s.value(depth + 1); err != nil {
					return err
				}
				continue
			}
			vs, ve, err := s.str()
			if err != nil {
				return err
			}
			key := s.data[ks:ke]
			if s.ref != nil && contentIs(key, "$ref") {
				s.ref(vs, ve)
			}
			if s.member != nil && depth == 1 {
				s.member(key, s.data[vs:ve])
			}
		}
	case '[':
		s.i++
		for first := true; ; first = false {
			s.space()
			if s.i < len(s.data) && s.data[s.i] == ']' {
				s.i++
				return nil
			}
			if !first {
				if err := s.expect(','); err != nil {
					return err
				}
			}
			if err := s.value(depth + 1); err != nil {
				return err
			}
		}
	case '"':
		_, _, err := s.str()
		return err
	default: // a number, true, false or null
		start := s.i
	scalar:
		for ; s.i < len(s.data); s.i++ {
			switch s.data[s.i] {
			case ',', ']', '}', ' ', '\t', '\n', '\r':
				break scalar
			}
		}
		if s.i == start {
			return errScan
		}
		return nil
	}
}

// contentIs says whether a JSON string's content is a text.
func contentIs(content []byte, text string) bool {
	if bytes.IndexByte(content, '\\') < 0 {
		return string(content) == text
	}
	return unescaped(content) == text
}

// unescaped is the text of a JSON string's content.
func unescaped(content []byte) string {
	if bytes.IndexByte(content, '\\') < 0 {
		return string(content)
	}
	var s string
	if json.Unmarshal(append(append([]byte{'"'}, content...), '"'), &s) != nil {
		return string(content)
	}
	return s
}

// split finds the entries of a types.json and its resources and functions.
func (f *dirFile) split() error {
	s := &jsonScanner{data: f.data}
	if err := s.expect('['); err != nil {
		return err
	}
	f.resources, f.functions = map[string]int{}, map[string][]int{}
	var kind, name, resourceType []byte
	s.member = func(key, value []byte) {
		switch {
		case contentIs(key, "$type"):
			kind = value
		case contentIs(key, "name"):
			name = value
		case contentIs(key, "resourceType"):
			resourceType = value
		}
	}
	for first := true; ; first = false {
		s.space()
		if s.i < len(s.data) && s.data[s.i] == ']' {
			s.i++
			break
		}
		if !first {
			if err := s.expect(','); err != nil {
				return err
			}
			s.space()
		}
		start := s.i
		kind, name, resourceType = nil, nil, nil
		if err := s.value(1); err != nil {
			return err
		}
		n := len(f.entries)
		f.entries = append(f.entries, [2]int{start, s.i})
		switch {
		case contentIs(kind, "ResourceType"):
			armType, _, _ := strings.Cut(unescaped(name), "@")
			if k := strings.ToLower(armType); !hasKey(f.resources, k) {
				f.resources[k] = n
			}
		case contentIs(kind, "ResourceFunctionType"):
			k := strings.ToLower(unescaped(resourceType))
			f.functions[k] = append(f.functions[k], n)
		}
	}
	s.space()
	if s.i != len(s.data) {
		return errScan
	}
	return nil
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

// typesFile writes the entries reachable from the file's first ResourceType of a type and
// its functions as a types.json: those first, then the rest in the order they are reached,
// references renumbered. ok is false when the file does not describe the type.
func (f *dirFile) typesFile(armType string) (out []byte, ok bool, err error) {
	k := strings.ToLower(armType)
	res, ok := f.resources[k]
	if !ok {
		return nil, false, nil
	}
	type ref struct{ start, end, target int } // in data
	order := append([]int{res}, f.functions[k]...)
	local := map[int]int{}
	for i, e := range order {
		local[e] = i
	}
	refs := make([][]ref, 0, len(order))
	for next := 0; next < len(order); next++ {
		span := f.entries[order[next]]
		var list []ref
		s := &jsonScanner{data: f.data[:span[1]], i: span[0]}
		s.ref = func(start, end int) {
			target := -1
			if n, ok := strings.CutPrefix(unescaped(f.data[start:end]), "#/"); ok {
				if t, err := strconv.Atoi(n); err == nil && t >= 0 && t < len(f.entries) {
					target = t
				}
			}
			if target < 0 {
				return // not a reference to an entry: left as written, which ParseTypesFile refuses where it reads one
			}
			list = append(list, ref{start, end, target})
			if _, seen := local[target]; !seen {
				local[target] = len(order)
				order = append(order, target)
			}
		}
		if err := s.value(1); err != nil {
			return nil, false, err
		}
		refs = append(refs, list)
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range order {
		if i > 0 {
			b.WriteByte(',')
		}
		at := f.entries[e][0]
		for _, r := range refs[i] {
			b.Write(f.data[at:r.start])
			b.WriteString("#/" + strconv.Itoa(local[r.target]))
			at = r.end
		}
		b.Write(f.data[at:f.entries[e][1]])
	}
	b.WriteByte(']')
	return b.Bytes(), true, nil
}

// dirFileOf returns a type file of the types folder, read and split once.
func (c *Catalog) dirFileOf(path string, read func() ([]byte, error)) (*dirFile, error) {
	c.mu.Lock()
	f := c.typeFiles[path]
	if f == nil {
		f = &dirFile{}
		c.typeFiles[path] = f
	}
	c.mu.Unlock()
	f.once.Do(func() {
		if f.data, f.err = read(); f.err == nil {
			f.err = f.split()
		}
		if f.err != nil {
			f.err = fmt.Errorf("loading type data %s: %w", path, f.err)
		}
	})
	return f, f.err
}
