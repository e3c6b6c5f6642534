package docs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// The values GruCloud's generator handles are JavaScript values: JSON.parse's objects, whose
// keys that are array indices come first in ascending order, and whose numbers are doubles;
// objects and arrays have an identity, which json-schema-ref-parser's dereferencing shares and
// makes circular, and util.inspect shows. jsObject and jsArray are those, by pointer.

// jsObject is a JavaScript object: its keys in JavaScript's order.
type jsObject struct {
	members []Member
}

// jsArray is a JavaScript array.
type jsArray struct {
	elems []any
}

func (o *jsObject) get(key string) (any, bool) {
	for _, m := range o.members {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

func (o *jsObject) has(key string) bool {
	_, ok := o.get(key)
	return ok
}

func (o *jsObject) str(key string) string {
	v, _ := o.get(key)
	s, _ := v.(string)
	return s
}

// set assigns a key as JavaScript does: in place when the object has it, else after the
// other keys, or among the index keys in ascending order for an index key.
func (o *jsObject) set(key string, v any) {
	for i := range o.members {
		if o.members[i].Key == key {
			o.members[i].Value = v
			return
		}
	}
	m := Member{Key: key, Value: v}
	if n, ok := arrayIndex(key); ok {
		at := 0
		for at < len(o.members) {
			k, isIndex := arrayIndex(o.members[at].Key)
			if !isIndex || k > n {
				break
			}
			at++
		}
		o.members = append(o.members, Member{})
		copy(o.members[at+1:], o.members[at:])
		o.members[at] = m
		return
	}
	o.members = append(o.members, m)
}

// arrayIndex reports a key that JavaScript orders as an array index: a canonical decimal
// integer below 2^32-1.
func arrayIndex(key string) (uint64, bool) {
	if key == "" || len(key) > 10 || len(key) > 1 && key[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseUint(key, 10, 64)
	if err != nil || n >= 1<<32-1 {
		return 0, false
	}
	return n, true
}

// parseJS parses JSON as JSON.parse does: objects and arrays as jsObject and jsArray, numbers
// as float64, a key given twice keeping its first place and last value.
func parseJS(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseJSValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("text after the JSON value")
	}
	return v, nil
}

func parseJSValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &jsObject{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseJSValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(k.(string), v)
			}
			_, err := dec.Token()
			return o, err
		case '[':
			a := &jsArray{elems: []any{}}
			for dec.More() {
				v, err := parseJSValue(dec)
				if err != nil {
					return nil, err
				}
				a.elems = append(a.elems, v)
			}
			_, err := dec.Token()
			return a, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	return tok, nil
}

// cloneJS copies a parsed value (which has no shared parts) for a dereferencing to change.
func cloneJS(v any) any {
	switch x := v.(type) {
	case *jsObject:
		o := &jsObject{members: make([]Member, len(x.members))}
		for i, m := range x.members {
			o.members[i] = Member{Key: m.Key, Value: cloneJS(m.Value)}
		}
		return o
	case *jsArray:
		a := &jsArray{elems: make([]any, len(x.elems))}
		for i, e := range x.elems {
			a.elems[i] = cloneJS(e)
		}
		return a
	}
	return v
}

// plain turns a JavaScript value without cycles into the page's ordered values (Object,
// []any); cycles are cut where met.
func plain(v any) any {
	return plainOf(v, map[any]bool{})
}

func plainOf(v any, onPath map[any]bool) any {
	switch x := v.(type) {
	case *jsObject:
		if onPath[x] {
			return Object{}
		}
		onPath[x] = true
		defer delete(onPath, x)
		o := make(Object, len(x.members))
		for i, m := range x.members {
			o[i] = Member{Key: m.Key, Value: plainOf(m.Value, onPath)}
		}
		return o
	case *jsArray:
		if onPath[x] {
			return []any{}
		}
		onPath[x] = true
		defer delete(onPath, x)
		out := make([]any, len(x.elems))
		for i, e := range x.elems {
			out[i] = plainOf(e, onPath)
		}
		return out
	}
	return v
}

// MarshalJSON writes the object with its keys in order (a circular value cannot be written).
func (o *jsObject) MarshalJSON() ([]byte, error) { return Object(o.members).MarshalJSON() }

// MarshalJSON writes the array.
func (a *jsArray) MarshalJSON() ([]byte, error) { return json.Marshal(a.elems) }
