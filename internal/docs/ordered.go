// Package docs writes gru's resource documentation pages, the way GruCloud's Azure pages are
// written: front matter, examples as provider.<Group>.make<Type> calls, dependencies, the
// request body's schema in Node's util.inspect notation, and the API version. A page comes
// from a swagger file of azure-rest-api-specs (its x-ms-examples and body schema) or, without
// one, from the catalogue. The package knows nothing of ARM requests or projects.
package docs

import (
	"bytes"
	"encoding/json"
)

// Object is a JSON object that keeps its keys in the order they were written, as swagger
// files and JavaScript objects do.
type Object []Member

// Member is one key of an Object.
type Member struct {
	Key   string
	Value any
}

// Get returns a key's value.
func (o Object) Get(key string) (any, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

// String returns a key's string value, "" if absent or not a string.
func (o Object) String(key string) string {
	v, _ := o.Get(key)
	s, _ := v.(string)
	return s
}

// MarshalJSON writes the object with its keys in order.
func (o Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.Key)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.Value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
