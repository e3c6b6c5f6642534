package catalog

import (
	"strings"
	"testing"
)

// FuzzParseTypeRef: the name parser never panics, and what it accepts either resolves or
// gives an unknown-type error with at most three suggestions.
func FuzzParseTypeRef(f *testing.F) {
	c, err := Open(Options{})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"Storage::StorageAccount", "Microsoft.Storage/storageAccounts@2021-06-01", "a::b", "::", "x/y/z", "@", "Storage::StorageAcount", "ü::ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseTypeRef(s)
		if err != nil {
			return
		}
		if ref.Name == "" || strings.Contains(ref.Name, "@") {
			t.Fatalf("accepted %q as %+v", s, ref)
		}
		ti, err := c.Lookup(s)
		if err == nil {
			if ti.ShortName == "" {
				t.Fatalf("%q resolved to an unnamed type", s)
			}
			return
		}
		if u, ok := err.(*UnknownTypeError); ok && len(u.Suggestions) > 3 {
			t.Fatalf("%q: %d suggestions", s, len(u.Suggestions))
		}
	})
}

// FuzzParseTypesFile: malformed type data gives an error, never a panic.
func FuzzParseTypesFile(f *testing.F) {
	f.Add([]byte(`[{"$type":"StringType"},{"$type":"ObjectType","name":"x","properties":{"a":{"type":{"$ref":"#/0"},"flags":1}}},{"$type":"ResourceType","name":"A.B/c@2020-01-01","body":{"$ref":"#/1"},"readableScopes":8,"writableScopes":8}]`))
	f.Add([]byte(`[{"$type":"UnionType","elements":[{"$ref":"#/5"}]}]`))
	f.Add([]byte(`[{"$type":"DiscriminatedObjectType","name":"d","discriminator":"k","baseProperties":{},"elements":{"A":{"$ref":"#/0"}}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseTypesFile(data)
	})
}
