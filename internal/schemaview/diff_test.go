package schemaview

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
)

func TestDiffBetweenVersions(t *testing.T) {
	str := &catalog.Type{Kind: catalog.KindString}
	enum := func(values ...string) *catalog.Type {
		u := &catalog.Type{Kind: catalog.KindUnion}
		for _, v := range values {
			u.Elements = append(u.Elements, &catalog.Type{Kind: catalog.KindStringLiteral, Value: v})
		}
		return u
	}
	v1 := &catalog.Type{Kind: catalog.KindObject, Properties: []catalog.Property{
		{Name: "apiVersion", Type: enum("2020-01-01")},
		{Name: "tier", Type: enum("Hot", "Cool")},
		{Name: "old", Type: str},
		{Name: "size", Type: str, Flags: catalog.FlagRequired},
		{Name: "props", Type: &catalog.Type{Kind: catalog.KindObject, Properties: []catalog.Property{{Name: "x", Type: str}}}},
	}}
	v2 := &catalog.Type{Kind: catalog.KindObject, Properties: []catalog.Property{
		{Name: "apiVersion", Type: enum("2024-01-01")},
		{Name: "tier", Type: enum("Hot", "Cold")},
		{Name: "size", Type: &catalog.Type{Kind: catalog.KindInteger}},
		{Name: "props", Type: &catalog.Type{Kind: catalog.KindObject, Properties: []catalog.Property{{Name: "x", Type: str, Flags: catalog.FlagReadOnly}, {Name: "y", Type: str}}}},
	}}
	var b bytes.Buffer
	if err := WriteDiffText(&b, "T", "2020-01-01", "2024-01-01", Diff(v1, v2)); err != nil {
		t.Fatal(err)
	}
	want := `T: from 2020-01-01 to 2024-01-01, 6 change(s)
- old  string
~ props.x  flags +read-only
+ props.y  string
~ size  type string -> number
~ size  flags -required
~ tier  enum +Cold -Cool
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if got := Diff(v1, v1); len(got) != 0 {
		t.Errorf("a version against itself: %v", got)
	}
	b.Reset()
	WriteDiffJSON(&b, "T", "a", "b", nil)
	if !strings.Contains(b.String(), `"changes": []`) {
		t.Errorf("json: %s", b.String())
	}
}

// TestDiffReadsNamesAsARMDoes: a name or an enum value whose case alone changed is the same to
// ARM (renamed, not removed and added; no enum change), and nothing below a property read-only
// in both versions is compared.
func TestDiffReadsNamesAsARMDoes(t *testing.T) {
	str := &catalog.Type{Kind: catalog.KindString}
	enum := func(values ...string) *catalog.Type {
		u := &catalog.Type{Kind: catalog.KindUnion}
		for _, v := range values {
			u.Elements = append(u.Elements, &catalog.Type{Kind: catalog.KindStringLiteral, Value: v})
		}
		return u
	}
	copyOf := func(inner string) *catalog.Type {
		return &catalog.Type{Kind: catalog.KindObject, Properties: []catalog.Property{{Name: inner, Type: str}}}
	}
	v1 := &catalog.Type{Kind: catalog.KindObject, Properties: []catalog.Property{
		{Name: "ipConfigurations", Type: str},
		{Name: "state", Type: enum("Available", "Gone")},
		{Name: "embedded", Type: copyOf("a"), Flags: catalog.FlagReadOnly},
	}}
	v2 := &catalog.Type{Kind: catalog.KindObject, Properties: []catalog.Property{
		{Name: "ipConfigurationS", Type: str},
		{Name: "state", Type: enum("available", "Gone", "New")},
		{Name: "embedded", Type: copyOf("b"), Flags: catalog.FlagReadOnly},
	}}
	var b bytes.Buffer
	WriteDiffText(&b, "T", "1", "2", Diff(v1, v2))
	want := `T: from 1 to 2, 2 change(s)
~ ipConfigurations  renamed ipConfigurations -> ipConfigurationS (case only: ARM reads names without case)
~ state  enum +New
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
