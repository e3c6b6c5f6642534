package plan

import (
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/secret"
	"github.com/gru-iac/gru/internal/target"
)

// Diff is one value a PUT changes: Before is live (nil: absent), After what the code says (nil:
// the PUT removes it, as it does a tag that only live has). Secret values are never held: a
// Sensitive diff has secret.Mask on both sides.
type Diff struct {
	Path      string `json:"path"`
	Before    any    `json:"before"`
	After     any    `json:"after"`
	Sensitive bool   `json:"sensitive,omitempty"`
}

// compare lists what a PUT of want changes in have, by ARM's rules: strings compare exactly,
// except where ARM is case-insensitive (resource IDs and names, enum values, locations, types);
// what only live has stays out, except tags, which a PUT replaces whole; secrets are compared
// only when live returns them and are never shown; write-only properties are never compared.
// Nothing is compared at the paths skip names.
func compare(schema *catalog.Type, want, have map[string]any, skip ...string) []Diff {
	d := &differ{skip: skip}
	d.object(schema, want, have, "", true)
	return d.out
}

type differ struct {
	out  []Diff
	skip []string
}

func (d *differ) add(path string, before, after any, t *catalog.Type) {
	d.out = append(d.out, Diff{Path: path, Before: secret.Redact(before, t), After: secret.Redact(after, t)})
}

func (d *differ) object(t *catalog.Type, want, have map[string]any, path string, root bool) {
	t = secret.Resolve(t, want)
	// Most objects compare equal: compared in any order first, and again in key order (the
	// diffs' order) only when they do not.
	before := len(d.out)
	d.objectIn(t, want, have, path, root, maps.Keys(want))
	if len(d.out) > before {
		d.out = d.out[:before]
		d.objectIn(t, want, have, path, root, slices.Values(slices.Sorted(maps.Keys(want))))
	}
}

// objectIn compares the keys of want that keys gives, in its order.
func (d *differ) objectIn(t *catalog.Type, want, have map[string]any, path string, root bool, keys iter.Seq[string]) {
	for k := range keys {
		w := want[k]
		if w == nil {
			continue // JSON null: not set
		}
		child := join(path, k)
		if slices.Contains(d.skip, child) {
			continue
		}
		ct := secret.Child(t, k)
		_, h, found := lookupKey(have, k)
		if p := propertyOf(t, k); p != nil && p.Flags.Has(catalog.FlagLocal) {
			continue // gru's own (a blob's source): the cloud never returns it
		}
		switch secret.Property(t, k, false) {
		case secret.WriteOnly:
			continue // ARM never returns it: nothing to compare with
		case secret.Readable:
			if found && h != nil && !d.equalQuiet(ct, k, w, h) {
				d.out = append(d.out, Diff{Path: child, Before: secret.Mask, After: secret.Mask, Sensitive: true})
			}
			continue // not returned: taken as write-only
		}
		if !found {
			if t != nil && t.Kind == catalog.KindObject && t.Property(k) == nil && t.AdditionalProperties == nil {
				continue // not in the schema: ARM ignores it (a warning said so), and never returns it
			}
			d.add(child, nil, w, ct)
			continue
		}
		if root && strings.EqualFold(k, "tags") || strings.EqualFold(k, "metadata") && t != nil && t.Name == "BlobProperties" {
			d.tags(w, h, child) // replaced whole: a PUT's tags, a blob upload's metadata
			continue
		}
		d.value(ct, k, w, h, child)
	}
}

// tags compares tags both ways: a PUT replaces them whole, so a tag only live has is removed.
// Tag names are case-insensitive in ARM; values are not.
func (d *differ) tags(want, have any, path string) {
	w, wok := want.(map[string]any)
	h, hok := have.(map[string]any)
	if !wok || !hok {
		d.value(nil, "tags", want, have, path)
		return
	}
	if len(w) == len(h) {
		same := true
		for k, v := range w {
			if hv, ok := h[k]; !ok || !sameScalar(v, hv) { // as written: each has its own
				same = false
				break
			}
		}
		if same {
			return // the same tags, none but these live
		}
	}
	tag := func(path, key string, before, after any) {
		if secret.Name(key) { // a tag named like a secret holds one
			d.out = append(d.out, Diff{Path: path, Before: maskUnlessNil(before), After: maskUnlessNil(after), Sensitive: true})
			return
		}
		d.add(path, before, after, nil)
	}
	for _, k := range slices.Sorted(maps.Keys(w)) {
		_, hv, found := lookupKey(h, k)
		if !found || !sameScalar(w[k], hv) {
			tag(join(path, k), k, hv, w[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if _, _, found := lookupKey(w, k); !found {
			tag(join(path, k), k, h[k], nil)
		}
	}
}

func (d *differ) value(t *catalog.Type, key string, want, have any, path string) {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			d.add(path, have, want, t)
			return
		}
		d.object(t, w, h, path, false)
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			d.add(path, have, want, t)
			return
		}
		items := secret.Items(t)
		for i := range w {
			d.value(items, key, w[i], h[i], fmt.Sprintf("%s[%d]", path, i))
		}
	case target.Unknown:
		d.out = append(d.out, Diff{Path: path, Before: secret.Redact(have, t), After: w})
	default:
		if !equalScalar(t, key, want, have) {
			d.add(path, have, want, t)
		}
	}
}

// equalQuiet compares two values by the same rules, without recording anything.
func (d *differ) equalQuiet(t *catalog.Type, key string, want, have any) bool {
	sub := &differ{}
	sub.value(t, key, want, have, key)
	return len(sub.out) == 0
}

// equalScalar compares two JSON scalars as ARM would see them.
func equalScalar(t *catalog.Type, key string, want, have any) bool {
	ws, wok := want.(string)
	hs, hok := have.(string)
	if wok && hok {
		if ws == hs {
			return true
		}
		if !strings.EqualFold(strings.ReplaceAll(ws, " ", ""), strings.ReplaceAll(hs, " ", "")) {
			return false
		}
		return caseInsensitive(t, key, ws, hs)
	}
	return sameScalar(want, have)
}

// caseInsensitive reports whether ARM treats two strings that differ only in case (and, for
// locations, spaces) as equal: resource IDs, names and types, locations, and enum values.
func caseInsensitive(t *catalog.Type, key, want, have string) bool {
	k := strings.ToLower(key)
	switch {
	case strings.HasSuffix(k, "location") || k == "locationname":
		return normLocation(want) == normLocation(have) // West Europe is westeurope
	case !strings.EqualFold(want, have):
		return false // beyond case, only locations may differ (by spaces)
	case k == "name" || k == "type" || k == "id" || strings.HasSuffix(key, "Id") || strings.HasSuffix(key, "ID") || strings.HasSuffix(key, "Ids"):
		return true // names, types and IDs (GUIDs too) are case-insensitive in ARM
	case looksLikeID(want) && looksLikeID(have):
		return true
	}
	if t != nil {
		literals, _ := t.Literals()
		for _, l := range literals {
			if strings.EqualFold(l, want) {
				return true
			}
		}
	}
	return false
}

func looksLikeID(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "/subscriptions/") || strings.HasPrefix(l, "/providers/")
}

func normLocation(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }

func maskUnlessNil(v any) any {
	if v == nil {
		return nil
	}
	return secret.Mask
}

// sameScalar compares numbers by value (json.Number and float64 alike), others exactly.
func sameScalar(a, b any) bool {
	an, aok := number(a)
	bn, bok := number(b)
	if aok && bok {
		return an == bn
	}
	return fmt.Sprintf("%T %v", a, a) == fmt.Sprintf("%T %v", b, b)
}

func number(v any) (string, bool) {
	switch x := v.(type) {
	case json.Number:
		if f, err := strconv.ParseFloat(string(x), 64); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64), true
		}
		return string(x), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case int:
		return strconv.FormatFloat(float64(x), 'g', -1, 64), true
	case int64:
		return strconv.FormatFloat(float64(x), 'g', -1, 64), true
	}
	return "", false
}

// drift lists the writable properties live has that the code does not declare (Azure's
// defaults, changes made elsewhere): a PUT of the code may reset them.
func drift(t *catalog.Type, want, have map[string]any, path string) []Diff {
	var out []Diff
	t = secret.Resolve(t, have)
	for _, k := range slices.Sorted(maps.Keys(have)) {
		lk := strings.ToLower(k)
		if path == "" && (lk == "id" || lk == "name" || lk == "type" || lk == "etag" || lk == "systemdata" || lk == "tags" || lk == "apiversion") {
			continue
		}
		var p *catalog.Property
		if t != nil {
			p = t.Property(k)
		}
		if t != nil && p == nil && t.AdditionalProperties == nil {
			continue // not in the schema: nothing a PUT would send
		}
		if p != nil && (p.Flags.Has(catalog.FlagReadOnly) || p.Flags.Has(catalog.FlagWriteOnly) || p.Flags.Has(catalog.FlagLocal)) {
			continue
		}
		child := join(path, k)
		_, w, declared := lookupKey(want, k)
		hm, hok := have[k].(map[string]any)
		if secret.Property(t, k, false) != secret.None {
			if !declared || w == nil {
				out = append(out, Diff{Path: child, Before: secret.Mask, Sensitive: true})
			}
			continue
		}
		if hok && (p != nil || t == nil) {
			// An object: what of it is writable and not declared.
			wm, _ := w.(map[string]any)
			out = append(out, drift(secret.Child(t, k), wm, hm, child)...)
			continue
		}
		if !declared || w == nil {
			out = append(out, Diff{Path: child, Before: secret.Redact(have[k], secret.Child(t, k))})
		}
	}
	return out
}

// immutable reports a property that ARM cannot change in place: one the type data marks
// deploy-time constant, and a resource's location, which ARM never moves.
func immutable(schema *catalog.Type, path string) bool {
	if strings.EqualFold(path, "location") {
		return true
	}
	t := schema
	for _, k := range strings.Split(path, ".") {
		if i := strings.IndexByte(k, '['); i >= 0 {
			k = k[:i]
		}
		if t == nil {
			return false
		}
		p := t.Property(k)
		if p == nil {
			return false
		}
		if p.Flags.Has(catalog.FlagDeployTimeConstant) {
			return true
		}
		t = p.Type
		for t != nil && t.Kind == catalog.KindArray {
			t = t.Items
		}
	}
	return false
}

// secretPaths lists where a body holds secrets (for rolling them on request).
func secretPaths(t *catalog.Type, v any, path string) []string {
	var out []string
	t = secret.Resolve(t, v)
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if x[k] == nil {
				continue
			}
			if secret.Property(t, k, false) != secret.None {
				out = append(out, join(path, k))
				continue
			}
			out = append(out, secretPaths(secret.Child(t, k), x[k], join(path, k))...)
		}
	case []any:
		for i, e := range x {
			out = append(out, secretPaths(secret.Items(t), e, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return out
}

// lookupKey finds a property by name: exactly, else case-insensitively (ARM reads bodies so).
func lookupKey(m map[string]any, key string) (string, any, bool) {
	if v, ok := m[key]; ok {
		return key, v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return k, v, true
		}
	}
	return "", nil, false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// propertyOf is a property of an object schema, nil without one.
func propertyOf(t *catalog.Type, key string) *catalog.Property {
	if t == nil {
		return nil
	}
	return t.Property(key)
}
