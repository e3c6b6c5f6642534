package catalogen

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// The schema store holds every type@version pair of the type data as one graph of JSON
// entries ("nodes"), deduplicated within each folder of the type data (generated/<folder>):
// two entries are one node when their content is equal once their references are replaced by
// the nodes they point to, cycles included. A node is one line: the compact JSON of its
// entry, with {"$ref":"#/N"} naming node N of the whole store. Lines are cut into blocks of
// about blockSize bytes, never across folders, each an independent zstd frame, so that a
// lookup decodes only the blocks its nodes are in.

// blockSize is the uncompressed size at which a block is closed.
const blockSize = 128 << 10

// StoreHeader is the first line of schemas.txt; the catalogue refuses a store index without it.
const StoreHeader = "gru-catalog-schemas 1"

// sourceFile is one types.json of the type data, its entries compacted.
type sourceFile struct {
	path    string // generated/<folder>/<namespace>/<version>/types.json
	folder  string
	entries [][]byte
	heads   []entryHead
}

type entryHead struct {
	Kind         string `json:"$type"`
	Name         string `json:"name"`
	ResourceType string `json:"resourceType"`
}

// pairRoots is where one type@version's schema starts: its ResourceType node and the
// functions the catalogue attaches to it, as store node ids.
type pairRoots struct {
	armType, version string
	root             int
	fns              []int
}

// readArchive reads every types.json below generated/ of a tar.zst archive, sorted by path.
func readArchive(file string) ([]*sourceFile, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := zstd.NewReader(f)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	var out []*sourceFile
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		parts := strings.Split(h.Name, "/")
		if h.Typeflag != tar.TypeReg || len(parts) != 5 || parts[0] != "generated" || parts[4] != "types.json" {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, h.Name, err)
		}
		sf, err := newSourceFile(h.Name, parts[1], data)
		if err != nil {
			return nil, err
		}
		out = append(out, sf)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

func newSourceFile(name, folder string, data []byte) (*sourceFile, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	sf := &sourceFile{path: name, folder: folder, entries: make([][]byte, len(raw)), heads: make([]entryHead, len(raw))}
	for i, e := range raw {
		var c bytes.Buffer
		if err := json.Compact(&c, e); err != nil {
			return nil, fmt.Errorf("%s: entry %d: %w", name, i, err)
		}
		sf.entries[i] = c.Bytes()
		if err := json.Unmarshal(e, &sf.heads[i]); err != nil {
			return nil, fmt.Errorf("%s: entry %d: %w", name, i, err)
		}
	}
	return sf, nil
}

const refPrefix = `{"$ref":"#/`

// refs lists the references of a compact entry: the start and end of each number.
// (A JSON string cannot hold the prefix unescaped, so a textual scan is exact.)
func refs(line []byte) [][2]int {
	var out [][2]int
	for at := 0; ; {
		i := bytes.Index(line[at:], []byte(refPrefix))
		if i < 0 {
			return out
		}
		s := at + i + len(refPrefix)
		e := s
		for e < len(line) && line[e] >= '0' && line[e] <= '9' {
			e++
		}
		out = append(out, [2]int{s, e})
		at = e
	}
}

// rewriteRefs replaces each reference number n by to(n).
func rewriteRefs(line []byte, to func(int) int) []byte {
	var out []byte
	last := 0
	for _, r := range refs(line) {
		n, _ := strconv.Atoi(string(line[r[0]:r[1]]))
		out = append(out, line[last:r[0]]...)
		out = strconv.AppendInt(out, int64(to(n)), 10)
		last = r[1]
	}
	return append(out, line[last:]...)
}

// folderStore interns the nodes of one folder: a node's key is its content with references
// replaced by the keys' ids (for a cycle group, the whole group's content numbered from a
// deterministic start), so equal keys mean equal content.
type folderStore struct {
	ids      map[string]int
	template [][]byte // by id: the entry with references naming ids
}

func (fs *folderStore) intern(key string, template []byte) int {
	if id, ok := fs.ids[key]; ok {
		return id
	}
	id := len(fs.template)
	fs.ids[key] = id
	fs.template = append(fs.template, template)
	return id
}

// canonical gives every entry of a file its id in the folder's store.
func (fs *folderStore) canonical(sf *sourceFile) []int {
	n := len(sf.entries)
	children := make([][]int, n)
	for i, e := range sf.entries {
		for _, r := range refs(e) {
			c, _ := strconv.Atoi(string(e[r[0]:r[1]]))
			children[i] = append(children[i], c)
		}
	}
	ids := make([]int, n)
	for _, comp := range tarjan(children) {
		if len(comp) == 1 && !containsInt(children[comp[0]], comp[0]) {
			v := comp[0]
			t := rewriteRefs(sf.entries[v], func(c int) int { return ids[c] })
			ids[v] = fs.intern("n"+string(t), t)
			continue
		}
		in := map[int]bool{}
		for _, v := range comp {
			in[v] = true
		}
		// shallow signature: references inside the group blanked, others by id
		shallow := func(v int) string {
			return string(rewriteRefs(sf.entries[v], func(c int) int {
				if in[c] {
					return -1
				}
				return ids[c]
			}))
		}
		sig := map[int]string{}
		min := ""
		for i, v := range comp {
			sig[v] = shallow(v)
			if i == 0 || sig[v] < min {
				min = sig[v]
			}
		}
		var starts []int
		for _, v := range comp {
			if sig[v] == min {
				starts = append(starts, v)
			}
		}
		sort.Ints(starts)
		if len(starts) > 8 {
			starts = starts[:8]
		}
		var best string
		var bestOrder map[int]int
		for _, s := range starts {
			order := map[int]int{}
			var seq []int
			stack := []int{s}
			for len(stack) > 0 {
				v := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if _, seen := order[v]; seen {
					continue
				}
				order[v] = len(seq)
				seq = append(seq, v)
				for k := len(children[v]) - 1; k >= 0; k-- {
					if c := children[v][k]; in[c] {
						stack = append(stack, c)
					}
				}
			}
			var text strings.Builder
			for _, v := range seq {
				text.Write(rewriteRefs(sf.entries[v], func(c int) int {
					if in[c] {
						return -1 - order[c] // inside the group: by position, negative
					}
					return ids[c]
				}))
				text.WriteByte('\n')
			}
			if bestOrder == nil || text.String() < best {
				best, bestOrder = text.String(), order
			}
		}
		// the group's members take consecutive ids in group order; a member's key is the
		// group's text and its position
		seq := make([]int, len(comp))
		for v, k := range bestOrder {
			seq[k] = v
		}
		if id, ok := fs.ids["g"+best]; ok {
			for k, v := range seq {
				ids[v] = id + k
			}
			continue
		}
		base := len(fs.template)
		for k, v := range seq {
			ids[v] = base + k
		}
		fs.ids["g"+best] = base
		for _, v := range seq {
			fs.template = append(fs.template, rewriteRefs(sf.entries[v], func(c int) int { return ids[c] }))
		}
	}
	return ids
}

func containsInt(list []int, x int) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

// tarjan returns the strongly connected components of a graph, children's before parents'.
func tarjan(children [][]int) [][]int {
	n := len(children)
	index := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	var out [][]int
	next := 0
	type frame struct{ v, i int }
	for s := 0; s < n; s++ {
		if index[s] >= 0 {
			continue
		}
		work := []frame{{s, 0}}
		index[s], low[s] = next, next
		next++
		stack = append(stack, s)
		onStack[s] = true
		for len(work) > 0 {
			f := &work[len(work)-1]
			v := f.v
			if f.i < len(children[v]) {
				w := children[v][f.i]
				f.i++
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					work = append(work, frame{w, 0})
				} else if onStack[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}
			if low[v] == index[v] {
				var comp []int
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp = append(comp, w)
					if w == v {
						break
					}
				}
				out = append(out, comp)
			}
			work = work[:len(work)-1]
			if len(work) > 0 {
				if u := work[len(work)-1].v; low[v] < low[u] {
					low[u] = low[v]
				}
			}
		}
	}
	return out
}

// storeOutput is what buildStore writes: the blocks, the block table and every pair's roots.
type storeOutput struct {
	blocks     [][]byte // compressed
	firstNode  []int    // by block
	nodes      int
	pairs      map[string]map[string]pairRoots // lower ARM type -> version -> roots
	rawBytes   int
	pairsTotal int
}

// PairOwner picks, for a type@version that several files hold, the file the catalogue uses:
// the one default-versions.json names for the type's default version, else the first path.
// files must be sorted by path.
func pairOwners(files []*sourceFile, defaults map[string]defaultVersion) map[string]string {
	defFile := map[string]string{} // lower type@version -> file
	for t, d := range defaults {
		defFile[strings.ToLower(t)+"@"+d.APIVersion] = "generated/" + strings.TrimPrefix(d.File, "generated/")
	}
	owner := map[string]string{}
	for _, sf := range files {
		for _, h := range sf.heads {
			if h.Kind != "ResourceType" {
				continue
			}
			t, v, _ := strings.Cut(h.Name, "@")
			k := strings.ToLower(t) + "@" + v
			if _, taken := owner[k]; !taken || defFile[k] == sf.path {
				owner[k] = sf.path
			}
		}
	}
	return owner
}

// buildStore lays out the store: folder by folder (in path order), the pairs whose file the
// folder owns, default versions first (newest first), then the other versions by type, newest
// first; nodes numbered depth-first from each pair's roots.
func buildStore(files []*sourceFile, defaults map[string]defaultVersion) (*storeOutput, error) {
	owner := pairOwners(files, defaults)
	isDefault := map[string]bool{}
	for t, d := range defaults {
		isDefault[strings.ToLower(t)+"@"+d.APIVersion] = true
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	out := &storeOutput{pairs: map[string]map[string]pairRoots{}}
	var cur []byte // current block, uncompressed
	flush := func() {
		if len(cur) > 0 {
			out.blocks = append(out.blocks, enc.EncodeAll(cur, nil))
			out.rawBytes += len(cur)
			cur = nil
		}
	}
	for start := 0; start < len(files); {
		end := start
		for end < len(files) && files[end].folder == files[start].folder {
			end++
		}
		fs := &folderStore{ids: map[string]int{}}
		type pair struct {
			armType, version string
			def              bool
			roots            []int // folder ids
		}
		var pairs []pair
		for _, sf := range files[start:end] {
			ids := fs.canonical(sf)
			first := map[string]int{} // lower type -> its first ResourceType entry
			for i, h := range sf.heads {
				if h.Kind == "ResourceType" {
					t, _, _ := strings.Cut(h.Name, "@")
					if _, ok := first[strings.ToLower(t)]; !ok {
						first[strings.ToLower(t)] = i
					}
				}
			}
			for i, h := range sf.heads {
				if h.Kind != "ResourceType" {
					continue
				}
				t, v, _ := strings.Cut(h.Name, "@")
				k := strings.ToLower(t) + "@" + v
				if owner[k] != sf.path {
					continue
				}
				owner[k] = "" // taken: a second entry of the same name in the file is not served
				p := pair{armType: t, version: v, def: isDefault[k], roots: []int{ids[i]}}
				if first[strings.ToLower(t)] == i {
					for j, fh := range sf.heads {
						if fh.Kind == "ResourceFunctionType" && strings.EqualFold(fh.ResourceType, t) {
							p.roots = append(p.roots, ids[j])
						}
					}
				}
				pairs = append(pairs, p)
			}
		}
		sort.SliceStable(pairs, func(i, j int) bool {
			a, b := pairs[i], pairs[j]
			if a.def != b.def {
				return a.def
			}
			if a.def {
				if a.version != b.version {
					return a.version > b.version
				}
				return strings.ToLower(a.armType) < strings.ToLower(b.armType)
			}
			if la, lb := strings.ToLower(a.armType), strings.ToLower(b.armType); la != lb {
				return la < lb
			}
			return a.version > b.version
		})
		// number the nodes depth-first from each pair's roots
		global := map[int]int{}
		var seq []int
		for _, p := range pairs {
			stack := make([]int, 0, len(p.roots))
			for k := len(p.roots) - 1; k >= 0; k-- {
				stack = append(stack, p.roots[k])
			}
			for len(stack) > 0 {
				v := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if _, seen := global[v]; seen {
					continue
				}
				global[v] = out.nodes + len(seq)
				seq = append(seq, v)
				rs := refs(fs.template[v])
				for k := len(rs) - 1; k >= 0; k-- {
					c, _ := strconv.Atoi(string(fs.template[v][rs[k][0]:rs[k][1]]))
					if _, seen := global[c]; !seen {
						stack = append(stack, c)
					}
				}
			}
			lt := strings.ToLower(p.armType)
			if out.pairs[lt] == nil {
				out.pairs[lt] = map[string]pairRoots{}
			}
			pr := pairRoots{armType: p.armType, version: p.version, root: global[p.roots[0]]}
			for _, f := range p.roots[1:] {
				pr.fns = append(pr.fns, global[f])
			}
			out.pairs[lt][p.version] = pr
			out.pairsTotal++
		}
		for k, v := range seq {
			line := rewriteRefs(fs.template[v], func(c int) int { return global[c] })
			if len(cur) > 0 && len(cur)+len(line)+1 > blockSize {
				flush()
			}
			if len(cur) == 0 {
				out.firstNode = append(out.firstNode, out.nodes+k)
			}
			cur = append(append(cur, line...), '\n')
		}
		flush() // blocks never cross folders
		out.nodes += len(seq)
		start = end
	}
	return out, nil
}

// writeStore writes schemas.zst (the blocks, concatenated) and the text of schemas.txt: the
// header, one B line a block (offset in schemas.zst, first node), then one S line a type
// (lower-cased ARM type, then version@root+function+... for each version, newest first).
func (s *storeOutput) index() (blob, index []byte) {
	var idx bytes.Buffer
	idx.WriteString(StoreHeader + "\n")
	off := 0
	for i, b := range s.blocks {
		fmt.Fprintf(&idx, "B\t%d\t%d\n", off, s.firstNode[i])
		off += len(b)
		blob = append(blob, b...)
	}
	fmt.Fprintf(&idx, "E\t%d\t%d\n", off, s.nodes)
	for _, lt := range sortedKeys(s.pairs) {
		vs := sortedKeys(s.pairs[lt])
		sort.Sort(sort.Reverse(sort.StringSlice(vs)))
		parts := make([]string, len(vs))
		for i, v := range vs {
			p := s.pairs[lt][v]
			ids := []string{strconv.Itoa(p.root)}
			for _, f := range p.fns {
				ids = append(ids, strconv.Itoa(f))
			}
			parts[i] = v + "@" + strings.Join(ids, "+")
		}
		fmt.Fprintf(&idx, "S\t%s\t%s\n", lt, strings.Join(parts, ","))
	}
	return blob, idx.Bytes()
}

// gruSourceFile is gru's own type data as a folder of its own.
func gruSourceFile() (*sourceFile, error) {
	return newSourceFile("generated/"+gruTypesFile, "~gru", gruTypes)
}
