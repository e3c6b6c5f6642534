package docs

import (
	"net/url"
	"path"
	"strings"
)

// dereferencing replaces the $refs of a swagger file as json-schema-ref-parser 9 does, what
// GruCloud's generator dereferences with (dereference with its default options): the whole
// document is crawled in its keys' order, each $ref replaced in place by what it points at,
// the target's own $refs replaced first. So:
//
//   - a reference met among its own ancestors is not followed: the value becomes the ancestor
//     object itself, and the schema circular (util.inspect's <ref *1> and [Circular *1]);
//   - a reference with keys beside $ref becomes a new object: those keys first, then the
//     target's keys it lacks;
//   - a reference without such keys is remembered: met again, it is the same object, and where
//     it is met again with keys beside it, the target's keys come first and win, the others
//     being added after them.
//
// Objects are shared, and once crawled never crawled again. Files are those of a loader,
// copied for each dereferencing.
type dereferencing struct {
	load      func(file string) (any, error) // a parsed file, which the dereferencing must not change
	docs      map[string]any                 // the files being dereferenced, by path
	cache     map[string]refResult
	processed map[any]bool
	parents   map[any]bool
}

type refResult struct {
	value    any
	circular bool
}

// dereference dereferences a file and returns its document.
func dereference(file string, load func(string) (any, error)) (any, error) {
	d := &dereferencing{load: load, docs: map[string]any{}, cache: map[string]refResult{}, processed: map[any]bool{}, parents: map[any]bool{}}
	root, err := d.doc(file)
	if err != nil {
		return nil, err
	}
	v, _ := d.crawl(root, file)
	return v, nil
}

// doc is a file's document in this dereferencing, copied from the loader's on first use. A
// file that cannot be read is an empty object: the page does without what it held.
func (d *dereferencing) doc(file string) (any, error) {
	if v, ok := d.docs[file]; ok {
		return v, nil
	}
	v, err := d.load(file)
	if err != nil {
		if _, isRoot := d.docs[""]; len(d.docs) == 0 && !isRoot {
			return nil, err // the swagger file itself
		}
		v = &jsObject{}
	}
	v = cloneJS(v)
	d.docs[file] = v
	return v, nil
}

// isRef reports an object that is a reference json-schema-ref-parser follows: a non-empty
// string $ref, a JSON pointer (#/...), or a reference to another file.
func isRef(v any) (*jsObject, string, bool) {
	o, ok := v.(*jsObject)
	if !ok {
		return nil, "", false
	}
	ref, ok := o.get("$ref")
	s, isString := ref.(string)
	if !ok || !isString || s == "" {
		return nil, "", false
	}
	if strings.HasPrefix(s, "#/") || s == "#" || s[0] != '#' {
		return o, s, true
	}
	return nil, "", false
}

// crawl dereferences the $refs below a value, in place.
func (d *dereferencing) crawl(v any, file string) (any, bool) {
	switch v.(type) {
	case *jsObject, *jsArray:
	default:
		return v, false
	}
	if d.processed[v] {
		return v, false
	}
	d.parents[v] = true
	d.processed[v] = true
	defer delete(d.parents, v)
	if ref, s, ok := isRef(v); ok {
		r := d.reference(ref, s, file)
		return r.value, r.circular
	}
	circular := false
	visit := func(value any, set func(any)) {
		var c bool
		if ref, s, ok := isRef(value); ok {
			r := d.reference(ref, s, file)
			if r.value != value {
				set(r.value)
			}
			c = r.circular
		} else if !d.parents[value] {
			var nv any
			nv, c = d.crawl(value, file)
			if nv != value {
				set(nv)
			}
		} else {
			c = true
		}
		circular = circular || c
	}
	switch x := v.(type) {
	case *jsObject:
		for i := 0; i < len(x.members); i++ {
			i := i
			visit(x.members[i].Value, func(nv any) { x.members[i].Value = nv })
		}
	case *jsArray:
		for i := range x.elems {
			i := i
			visit(x.elems[i], func(nv any) { x.elems[i] = nv })
		}
	}
	return v, circular
}

// reference dereferences one $ref met in a file.
func (d *dereferencing) reference(ref *jsObject, s, file string) refResult {
	refPath := resolveURL(file, s)
	if cached, ok := d.cache[refPath]; ok {
		if len(ref.members) > 1 {
			merged := &jsObject{}
			target, _ := cached.value.(*jsObject)
			if target != nil {
				merged.members = append(merged.members, target.members...)
			}
			for _, m := range ref.members {
				if m.Key != "$ref" && (target == nil || !target.has(m.Key)) {
					merged.set(m.Key, m.Value)
				}
			}
			return refResult{value: merged, circular: cached.circular}
		}
		return cached
	}
	target, targetFile, ok := d.resolve(refPath)
	if !ok {
		return refResult{}
	}
	circular := d.parents[target]
	value := extend(ref, target)
	if !circular {
		value, circular = d.crawl(value, targetFile)
	}
	r := refResult{value: value, circular: circular}
	if len(ref.members) == 1 {
		d.cache[refPath] = r
	}
	return r
}

// extend is what a reference becomes: the target, or for a reference with other keys a new
// object of those keys and then the target's keys they lack.
func extend(ref *jsObject, target any) any {
	if len(ref.members) < 2 {
		return target
	}
	var targetKeys []Member
	switch t := target.(type) {
	case *jsObject:
		targetKeys = t.members
	case *jsArray:
		for i, e := range t.elems {
			targetKeys = append(targetKeys, Member{Key: itoa(int64(i)), Value: e})
		}
	default:
		return target
	}
	merged := &jsObject{}
	for _, m := range ref.members {
		if m.Key != "$ref" {
			merged.set(m.Key, m.Value)
		}
	}
	for _, m := range targetKeys {
		if !merged.has(m.Key) {
			merged.set(m.Key, m.Value)
		}
	}
	return merged
}

// resolve finds what a reference (file#pointer) points at, following the references met on
// the way, and the file it is in.
func (d *dereferencing) resolve(refPath string) (any, string, bool) {
	file, hash, _ := strings.Cut(refPath, "#")
	doc, err := d.doc(file)
	if err != nil {
		return nil, "", false
	}
	tokens, ok := pointerTokens(hash)
	if !ok {
		return nil, "", false
	}
	v := doc
	for _, tok := range tokens {
		if nv, nf, ok := d.follow(v, file, refPath); ok {
			v, file = nv, nf
		}
		if o, isObject := v.(*jsObject); isObject && o.has("$ref") {
			return v, file, true
		}
		switch x := v.(type) {
		case *jsObject:
			nv, ok := x.get(tok)
			if !ok || nv == nil {
				return nil, "", false
			}
			v = nv
		case *jsArray:
			i, ok := arrayIndex(tok)
			if !ok || int(i) >= len(x.elems) || x.elems[i] == nil {
				return nil, "", false
			}
			v = x.elems[i]
		default:
			return nil, "", false
		}
	}
	if nv, nf, ok := d.follow(v, file, refPath); ok {
		v, file = nv, nf
	}
	return v, file, true
}

// follow resolves a value met while resolving a pointer when it is a reference itself: the
// value it points at and its file; for a reference with other keys, the merged object in the
// same file.
func (d *dereferencing) follow(v any, file, from string) (any, string, bool) {
	ref, s, ok := isRef(v)
	if !ok {
		return nil, "", false
	}
	target := resolveURL(file, s)
	if target == from {
		return nil, "", false
	}
	tv, tf, ok := d.resolve(target)
	if !ok {
		return nil, "", false
	}
	if len(ref.members) > 1 {
		return extend(ref, tv), file, true
	}
	return tv, tf, true
}

// pointerTokens splits a JSON pointer (/definitions/Foo) into its unescaped tokens.
func pointerTokens(hash string) ([]string, bool) {
	if hash == "" || hash == "/" && false {
		return nil, true
	}
	parts := strings.Split(hash, "/")
	if parts[0] != "" {
		return nil, false
	}
	tokens := parts[1:]
	for i, t := range tokens {
		t = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
		if u, err := url.PathUnescape(t); err == nil {
			t = u
		}
		tokens[i] = t
	}
	return tokens, true
}

// resolveURL resolves a reference against the file it is written in: file#pointer.
func resolveURL(file, ref string) string {
	target, hash, hasHash := strings.Cut(ref, "#")
	out := file
	if target != "" {
		if path.IsAbs(target) {
			out = path.Clean(target)
		} else {
			out = path.Join(path.Dir(file), target)
		}
	}
	if hasHash {
		return out + "#" + hash
	}
	return out
}
