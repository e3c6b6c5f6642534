package catalogen

import (
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/jinzhu/inflection"
)

// canonicalCasing picks one spelling for every ARM type. The type data spells some namespaces
// and segments in more than one way (Microsoft.Network/virtualnetworks/subnets next to
// Microsoft.Network/virtualNetworks/virtualNetworkPeerings). For every lower-cased prefix of a
// type path, the spelling chosen is the one with the most capital letters in its last segment
// (camel case is how the REST API documents them), then the most frequent, then the smallest.
// preferred spellings (GruCloud's) win over all of that.
func canonicalCasing(types []string, preferred []string) map[string]string {
	type tally map[string]int
	seen := map[string]tally{} // lower-cased prefix -> spelling of its last segment -> count
	add := func(t string, weight int) {
		segs := strings.Split(t, "/")
		for i := range segs {
			key := strings.ToLower(strings.Join(segs[:i+1], "/"))
			if seen[key] == nil {
				seen[key] = tally{}
			}
			seen[key][segs[i]] += weight
		}
	}
	for _, t := range types {
		add(t, 1)
	}
	chosen := map[string]string{}
	for key, spellings := range seen {
		best := ""
		for s := range spellings {
			if best == "" || better(s, best, spellings) {
				best = s
			}
		}
		chosen[key] = best
	}
	for _, p := range preferred {
		segs := strings.Split(p, "/")
		for i := range segs {
			key := strings.ToLower(strings.Join(segs[:i+1], "/"))
			if _, ok := chosen[key]; ok {
				chosen[key] = segs[i]
			}
		}
	}
	out := map[string]string{}
	for _, t := range types {
		segs := strings.Split(t, "/")
		for i := range segs {
			segs[i] = chosen[strings.ToLower(strings.Join(segs[:i+1], "/"))]
		}
		out[t] = strings.Join(segs, "/")
	}
	return out
}

func better(a, b string, counts map[string]int) bool {
	if ua, ub := upperCount(a), upperCount(b); ua != ub {
		return ua > ub
	}
	if counts[a] != counts[b] {
		return counts[a] > counts[b]
	}
	return a < b
}

func upperCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsUpper(r) {
			n++
		}
	}
	return n
}

// groupOf is the short-name group of a namespace: the namespace without a leading
// "Microsoft." (other vendors keep their whole namespace).
func groupOf(namespace string) string {
	if len(namespace) > len("Microsoft.") && strings.EqualFold(namespace[:len("Microsoft.")], "Microsoft.") {
		return namespace[len("Microsoft."):]
	}
	return namespace
}

// singularPascal turns a collection segment (privateEndpointConnections) into a type name
// (PrivateEndpointConnection).
func singularPascal(segment string) string {
	s := segment
	if looksPlural(segment) {
		s = inflection.Singular(segment)
	}
	var b strings.Builder
	upper := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true // api-version-sets -> ApiVersionSet
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// shortNames gives every ARM type (canonical casing) a unique short type name within its group.
// Names fixed in advance (GruCloud's) are kept as they are; a derived name that collides with
// another name of its group is prefixed with its parent's singular name, then its
// grandparent's, until it is unique or has no ancestor left.
func shortNames(types []string, fixed map[string]string) map[string]string {
	type candidate struct {
		armType string
		group   string
		segs    []string // type segments after the namespace
		depth   int      // how many segments the name is built from
		name    string
	}
	var cands []*candidate
	taken := map[string]bool{} // lower(group::name) of fixed names
	out := map[string]string{}
	for _, t := range types {
		ns, rest, _ := strings.Cut(t, "/")
		group := groupOf(ns)
		if name, ok := fixed[t]; ok {
			out[t] = name
			taken[strings.ToLower(name)] = true
			continue
		}
		c := &candidate{armType: t, group: group, segs: strings.Split(rest, "/"), depth: 1}
		cands = append(cands, c)
	}
	build := func(c *candidate) {
		var b strings.Builder
		for _, s := range c.segs[len(c.segs)-c.depth:] {
			b.WriteString(singularPascal(s))
		}
		c.name = b.String()
	}
	for _, c := range cands {
		build(c)
	}
	for {
		byName := map[string][]*candidate{}
		for _, c := range cands {
			key := strings.ToLower(c.group + "::" + c.name)
			byName[key] = append(byName[key], c)
		}
		changed := false
		keys := make([]string, 0, len(byName))
		for k := range byName {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			list := byName[k]
			if len(list) < 2 && !taken[k] {
				continue
			}
			for _, c := range list {
				if c.depth < len(c.segs) {
					c.depth++
					build(c)
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	// What ancestors cannot tell apart (two spellings of one collection, such as
	// api-version-sets and apiVersionSets) is numbered, the conventional spelling first.
	byName := map[string][]*candidate{}
	for _, c := range cands {
		key := strings.ToLower(c.group + "::" + c.name)
		byName[key] = append(byName[key], c)
	}
	for key, list := range byName {
		sort.Slice(list, func(i, j int) bool {
			pi, pj := unconventional(list[i].armType), unconventional(list[j].armType)
			if pi != pj {
				return !pi
			}
			return list[i].armType < list[j].armType
		})
		n := 1
		if taken[key] {
			n = 2
		}
		for i, c := range list {
			name := c.group + "::" + c.name
			if i > 0 || n > 1 {
				name += strconv.Itoa(n + i)
			}
			out[c.armType] = name
		}
	}
	return out
}

// unconventional reports a type path with characters other than letters, digits, '.' and '/'.
func unconventional(armType string) bool {
	return strings.IndexFunc(armType, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != '/'
	}) >= 0
}

// looksPlural keeps words that end in s but are singular (Redis, deploymentStatus,
// privateAccess) away from the singulariser, and words that do not end in s (config, data) as
// they are. Plurals ending in "is" or "us" are real in the type data (apis, wikis, skus), so
// only these singular endings are known.
func looksPlural(segment string) bool {
	if segment == strings.ToUpper(segment) {
		return false // an acronym: a DNS zone's NS and DS records
	}
	l := strings.ToLower(segment)
	if !strings.HasSuffix(l, "s") {
		return false
	}
	for _, singular := range []string{"ss", "status", "redis"} {
		if strings.HasSuffix(l, singular) {
			return false
		}
	}
	return true
}
