package catalog

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"weak"

	"github.com/klauspost/compress/zstd"
)

// The schema store (written by the catalogen package) holds every type@version of the type
// data as one graph of JSON entries, deduplicated: each node is a line, the compact JSON of a
// types.json entry whose references ({"$ref":"#/N"}) name nodes of the whole store. The lines
// are cut into blocks, each an independent zstd frame of schemas.zst; schemas.txt.zst gives
// each block's offset and first node, and each type@version's ResourceType node and function
// nodes. A lookup decodes the blocks holding the nodes reachable from those, writes them as a
// small types.json (the ResourceType first) and parses it as any other.

//go:embed data/schemas.zst
var storeBlob []byte

// storeHeader must match the first line of schemas.txt.
const storeHeader = "gru-catalog-schemas 1"

// blockCacheSize is how many decoded blocks a catalogue keeps (about 128 KB each).
const blockCacheSize = 8

type schemaStore struct {
	blob      []byte
	offsets   []int // block i is blob[offsets[i]:offsets[i+1]]
	firstNode []int // block i holds nodes firstNode[i] to firstNode[i+1]-1
	pairs     map[string]string

	mu sync.Mutex
	// cache holds the blocks decoded last, least recently used first, weakly: they serve the
	// lookups of a burst (a project's types, one after the other), and a collection takes them
	// (1 MB) rather than the plan that follows keeping them.
	cache []cachedBlock

	decoder *zstd.Decoder // the catalogue's (DecodeAll may be called concurrently)
}

// cachedBlock is a decoded block the cache holds weakly.
type cachedBlock struct {
	index int
	block weak.Pointer[decodedBlock]
}

type decodedBlock struct {
	index int
	data  []byte
	lines []int // start of each line, and the end
}

// readStore parses a store index: B lines (block offset, first node), an E line (end of the
// blob, node count), then S lines (lower-cased ARM type, version@root+function+..., ...).
func readStore(index, blob []byte, decoder *zstd.Decoder) (*schemaStore, error) {
	s := &schemaStore{blob: blob, pairs: map[string]string{}, decoder: decoder}
	sc := bufio.NewScanner(bytes.NewReader(index))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	if !sc.Scan() || sc.Text() != storeHeader {
		return nil, errors.New("the embedded schema store has an unknown format: run go generate ./internal/catalog")
	}
	ended := false
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("the embedded schema store has a bad line: %q", sc.Text())
		}
		switch f[0] {
		case "B", "E":
			off, err1 := strconv.Atoi(f[1])
			node, err2 := strconv.Atoi(f[2])
			if err1 != nil || err2 != nil || ended {
				return nil, fmt.Errorf("the embedded schema store has a bad line: %q", sc.Text())
			}
			s.offsets = append(s.offsets, off)
			s.firstNode = append(s.firstNode, node)
			ended = f[0] == "E"
		case "S":
			s.pairs[f[1]] = f[2]
		default:
			return nil, fmt.Errorf("the embedded schema store has a bad line: %q", sc.Text())
		}
	}
	if !ended || s.offsets[len(s.offsets)-1] != len(blob) {
		return nil, errors.New("the embedded schema store does not match its index: run go generate ./internal/catalog")
	}
	return s, nil
}

// roots gives the ResourceType node and the function nodes of a type at a version.
func (s *schemaStore) roots(armType, version string) ([]int, bool) {
	for _, part := range strings.Split(s.pairs[strings.ToLower(armType)], ",") {
		v, ids, _ := strings.Cut(part, "@")
		if v != version {
			continue
		}
		var out []int
		for _, id := range strings.Split(ids, "+") {
			n, err := strconv.Atoi(id)
			if err != nil {
				return nil, false
			}
			out = append(out, n)
		}
		return out, true
	}
	return nil, false
}

// block returns a decoded block, from the cache when it is there.
func (s *schemaStore) block(i int) (*decodedBlock, error) {
	s.mu.Lock()
	for k, c := range s.cache {
		if c.index != i {
			continue
		}
		copy(s.cache[k:], s.cache[k+1:])
		b := c.block.Value()
		if b == nil { // collected
			s.cache = s.cache[:len(s.cache)-1]
			break
		}
		s.cache[len(s.cache)-1] = c
		s.mu.Unlock()
		return b, nil
	}
	s.mu.Unlock()
	data, err := s.decoder.DecodeAll(s.blob[s.offsets[i]:s.offsets[i+1]], nil)
	if err != nil {
		return nil, fmt.Errorf("decoding block %d of the schema store: %w", i, err)
	}
	b := &decodedBlock{index: i, data: data, lines: []int{0}}
	for at := 0; at < len(data); {
		n := bytes.IndexByte(data[at:], '\n')
		if n < 0 {
			return nil, fmt.Errorf("block %d of the schema store does not end a line", i)
		}
		at += n + 1
		b.lines = append(b.lines, at)
	}
	s.mu.Lock()
	if len(s.cache) >= blockCacheSize {
		s.cache = append(s.cache[:0], s.cache[1:]...)
	}
	s.cache = append(s.cache, cachedBlock{i, weak.Make(b)})
	s.mu.Unlock()
	return b, nil
}

// node returns the line of a node, without its newline.
func (s *schemaStore) node(id int) ([]byte, error) {
	i := sort.Search(len(s.firstNode), func(k int) bool { return s.firstNode[k] > id }) - 1
	if i < 0 || i >= len(s.offsets)-1 {
		return nil, fmt.Errorf("the schema store has no node %d", id)
	}
	b, err := s.block(i)
	if err != nil {
		return nil, err
	}
	k := id - s.firstNode[i]
	if k+1 >= len(b.lines) {
		return nil, fmt.Errorf("the schema store has no node %d", id)
	}
	return b.data[b.lines[k] : b.lines[k+1]-1], nil
}

const refPrefix = `{"$ref":"#/`

// forRefs calls f with the start and end of each reference number of a compact entry (a JSON
// string cannot hold the prefix unescaped, so a textual scan is exact).
func forRefs(line []byte, f func(s, e int)) {
	for at := 0; ; {
		i := bytes.Index(line[at:], []byte(refPrefix))
		if i < 0 {
			return
		}
		s := at + i + len(refPrefix)
		e := s
		for e < len(line) && line[e] >= '0' && line[e] <= '9' {
			e++
		}
		f(s, e)
		at = e
	}
}

// typesFile writes the nodes reachable from roots as a types.json: the ResourceType, the
// functions, then the rest in depth-first order, references renumbered.
func (s *schemaStore) typesFile(roots []int) ([]byte, error) {
	var entries [][]byte
	local := map[int]int{}
	var stack []int
	push := func(line []byte) {
		var kids []int
		forRefs(line, func(a, b int) {
			n, _ := strconv.Atoi(string(line[a:b]))
			kids = append(kids, n)
		})
		for k := len(kids) - 1; k >= 0; k-- {
			stack = append(stack, kids[k])
		}
	}
	for _, r := range roots { // the functions are referred to by no entry
		line, err := s.node(r)
		if err != nil {
			return nil, err
		}
		entries = append(entries, line)
	}
	for k := len(roots) - 1; k >= 0; k-- {
		push(entries[k])
	}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, seen := local[id]; seen {
			continue
		}
		line, err := s.node(id)
		if err != nil {
			return nil, err
		}
		local[id] = len(entries)
		entries = append(entries, line)
		push(line)
	}
	var out bytes.Buffer
	out.WriteByte('[')
	for i, line := range entries {
		if i > 0 {
			out.WriteByte(',')
		}
		last := 0
		forRefs(line, func(a, b int) {
			n, _ := strconv.Atoi(string(line[a:b]))
			out.Write(line[last:a])
			out.WriteString(strconv.Itoa(local[n]))
			last = b
		})
		out.Write(line[last:])
	}
	out.WriteByte(']')
	return out.Bytes(), nil
}
