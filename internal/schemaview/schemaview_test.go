package schemaview

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
)

// recursive builds an object type that contains itself (as JSON schema filters and expression
// trees do in the type data).
func recursive() *catalog.Type {
	node := &catalog.Type{Kind: catalog.KindObject, Name: "Node"}
	node.Properties = []catalog.Property{
		{Name: "value", Type: &catalog.Type{Kind: catalog.KindString}, Flags: catalog.FlagRequired, Description: "The value."},
		{Name: "children", Type: &catalog.Type{Kind: catalog.KindArray, Items: node}},
	}
	return node
}

func TestTextStopsAtRecursion(t *testing.T) {
	var buf bytes.Buffer
	h := Header{ShortName: "X::Y", ARMType: "X.Z/ys", APIVersion: "2020-01-01", Has: map[string]bool{"location": true}}
	if err := WriteText(&buf, h, recursive(), 0); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"location: yes", "value", "[required]", "The value.", "array of object Node", "(recursive: Node, as above)"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	var limited bytes.Buffer
	WriteText(&limited, h, recursive(), 1)
	if strings.Contains(limited.String(), "recursive") {
		t.Errorf("--depth 1 went deeper:\n%s", limited.String())
	}
}

func TestJSONStopsAtRecursion(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, Header{ShortName: "X::Y"}, recursive()); err != nil {
		t.Fatal(err)
	}
	var doc Document
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	items := doc.Body.Properties[1].Schema.Items
	if items == nil || !items.Recursive || items.Name != "Node" {
		t.Errorf("children items: %+v", items)
	}
	if doc.Body.Properties[0].Flags[0] != "required" {
		t.Errorf("flags: %+v", doc.Body.Properties[0])
	}
}

func TestOneLine(t *testing.T) {
	for _, s := range []string{"", " ", "a", "a b", " a", "a ", "a  b", "a\nb", "a\tb\r\n", "a\u00a0b", "é b", "a\x00b", "  a  b  "} {
		if got, want := oneLine(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", s, got, want)
		}
	}
}
