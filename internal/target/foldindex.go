package target

import "strings"

// foldIndex finds resources by a string compared case-insensitively, as ARM compares IDs and
// gru compares keys, without holding lower-cased copies of the strings (by the ten thousand,
// a megabyte or two): it indexes them by a hash of the lower-cased string, and the resource's
// own string tells apart two that share a hash.
type foldIndex struct {
	// of is the string a resource is found by, hash the hash of a string (foldHash).
	of     func(*Resource) string
	hash   func(string) uint64
	byHash map[uint64]*Resource
	// shared holds, by lower-cased string, the resources whose hash another one had first.
	shared map[string]*Resource
}

// keyOf is the string a resource is found by in Target.Resource.
func keyOf(r *Resource) string { return r.Key }

func newFoldIndex(size int, of func(*Resource) string) *foldIndex {
	return &foldIndex{of: of, hash: foldHash, byHash: make(map[uint64]*Resource, size)}
}

// get is the resource of s, nil when there is none.
func (x *foldIndex) get(s string) *Resource {
	if x == nil {
		return nil
	}
	r, ok := x.byHash[x.hash(s)]
	switch {
	case !ok:
		return nil
	case sameFolded(x.of(r), s):
		return r
	}
	return x.shared[strings.ToLower(s)]
}

// put indexes r (and replaces what had its string).
func (x *foldIndex) put(r *Resource) {
	s := x.of(r)
	h := x.hash(s)
	if first, ok := x.byHash[h]; ok && !sameFolded(x.of(first), s) {
		if x.shared == nil {
			x.shared = map[string]*Resource{}
		}
		x.shared[strings.ToLower(s)] = r
		return
	}
	x.byHash[h] = r
}

// FNV-1a's constants, for foldHash.
const fnvOffset, fnvPrime = 14695981039346656037, 1099511628211

// foldHash is the FNV-1a hash of the lower-cased string, ASCII lower-cased as it is hashed.
func foldHash(s string) uint64 {
	if !isASCII(s) {
		return foldHashOf(strings.ToLower(s))
	}
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// foldHashOf is foldHash of a lower-cased string, which may be other than ASCII.
func foldHashOf(lower string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(lower); i++ {
		h = (h ^ uint64(lower[i])) * fnvPrime
	}
	return h
}

// sameFolded reports whether two strings are the same lower-cased.
func sameFolded(a, b string) bool {
	if isASCII(a) && isASCII(b) {
		return strings.EqualFold(a, b)
	}
	return strings.ToLower(a) == strings.ToLower(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
