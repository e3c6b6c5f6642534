// Package schemaview presents a catalogue schema to people and scripts: as an indented
// property tree for a terminal, and as JSON. It owns only the presentation; what the schema
// says comes from the catalog package.
package schemaview

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/gru-iac/gru/internal/catalog"
)

// Header holds the facts shown above the property tree.
type Header struct {
	ShortName      string   `json:"shortName"`
	ARMType        string   `json:"armType"`
	APIVersion     string   `json:"apiVersion"`
	DefaultVersion string   `json:"defaultVersion"`
	HeldVersions   []string `json:"heldVersions"`
	// KnownVersions are every API version Azure publishes for the type, oldest first.
	KnownVersions []string `json:"knownVersions"`
	Scopes        []string `json:"scopes"`
	ReadOnly      bool     `json:"readOnly,omitempty"`
	Parent        string   `json:"parent,omitempty"`
	Aliases       []string `json:"aliases,omitempty"`
	// Has says which of the common top-level properties the body has.
	Has       map[string]bool `json:"has"`
	Functions []string        `json:"functions,omitempty"`
}

// CommonProperties are the top-level properties whose presence the header reports.
func CommonProperties() []string { return []string{"location", "tags", "sku", "identity", "kind"} }

// NewHeader gathers the header facts of a type at a version. parentName is the parent's
// short name, or "" for a top-level type; known lists every published API version.
func NewHeader(t *catalog.TypeInfo, r *catalog.Resource, parentName string, known []string) Header {
	h := Header{
		ShortName: t.ShortName, ARMType: t.ARMType, APIVersion: r.APIVersion, DefaultVersion: t.DefaultVersion,
		HeldVersions: t.HeldVersions(), KnownVersions: known, Scopes: r.WritableScopes.Names(), ReadOnly: r.ReadOnly(),
		Parent: parentName, Aliases: t.Aliases, Has: map[string]bool{},
	}
	if h.ReadOnly {
		h.Scopes = r.ReadableScopes.Names()
	}
	for _, p := range CommonProperties() {
		h.Has[p] = r.Has(p)
	}
	for _, f := range r.Functions {
		h.Functions = append(h.Functions, f.Name)
	}
	return h
}

// WriteText writes the header and the property tree of the body. depth limits how deep the
// tree goes (0: no limit). The text is buffered: a big type's tree is tens of thousands of
// lines (Microsoft.Network/applicationGateways', 1.7 MB), a write each would cost more than
// the rest of gru schema.
func WriteText(w io.Writer, h Header, body *catalog.Type, depth int) error {
	bw := bufio.NewWriterSize(w, 64*1024)
	tw := &textWriter{w: bw, maxDepth: depth, onPath: map[*catalog.Type]bool{}}
	tw.printf("%s\n", h.ShortName)
	tw.printf("  ARM type      %s\n", h.ARMType)
	held := strings.Join(h.HeldVersions, ", ")
	if len(h.HeldVersions) > 3 {
		held = fmt.Sprintf("%d held, every published one", len(h.HeldVersions))
		if len(h.HeldVersions) != len(h.KnownVersions) {
			held = fmt.Sprintf("%d of the %d published held", len(h.HeldVersions), len(h.KnownVersions))
		}
	} else {
		held = "held " + held
	}
	tw.printf("  API version   %s (default %s; %s)\n", h.APIVersion, h.DefaultVersion, held)
	if n := len(h.KnownVersions); n > 0 {
		tw.printf("  Published     %d API versions, %s to %s\n", n, h.KnownVersions[0], h.KnownVersions[n-1])
	}
	scopes := strings.Join(h.Scopes, ", ")
	if h.ReadOnly {
		scopes += " (read-only type: it cannot be deployed)"
	}
	tw.printf("  Scopes        %s\n", scopes)
	if h.Parent != "" {
		tw.printf("  Parent        %s\n", h.Parent)
	}
	var has []string
	for _, p := range CommonProperties() {
		mark := "no"
		if h.Has[p] {
			mark = "yes"
		}
		has = append(has, p+": "+mark)
	}
	tw.printf("  Properties    %s\n", strings.Join(has, ", "))
	if len(h.Aliases) > 0 {
		tw.printf("  Aliases       %s\n", strings.Join(h.Aliases, ", "))
	}
	if len(h.Functions) > 0 {
		tw.printf("  Actions       %s\n", strings.Join(h.Functions, ", "))
	}
	tw.printf("\nBody (name  type  [flags]; descriptions below each line)\n")
	if body != nil {
		tw.members(body, 1)
	}
	if tw.err != nil {
		return tw.err
	}
	return bw.Flush()
}

type textWriter struct {
	w        *bufio.Writer
	maxDepth int
	onPath   map[*catalog.Type]bool
	err      error
}

func (tw *textWriter) printf(format string, args ...any) {
	if tw.err == nil {
		_, tw.err = fmt.Fprintf(tw.w, format, args...)
	}
}

// write writes strings, as printf("%s%s...") would without formatting them.
func (tw *textWriter) write(parts ...string) {
	for _, s := range parts {
		if tw.err == nil {
			_, tw.err = tw.w.WriteString(s)
		}
	}
}

// members prints the properties of an object-like type at an indent level.
func (tw *textWriter) members(t *catalog.Type, level int) {
	if tw.maxDepth > 0 && level > tw.maxDepth {
		return
	}
	if tw.onPath[t] {
		tw.printf("%s(recursive: %s, as above)\n", indent(level), t.Name)
		return
	}
	tw.onPath[t] = true
	defer delete(tw.onPath, t)
	switch t.Kind {
	case catalog.KindObject:
		for _, p := range t.Properties {
			tw.property(p, level)
		}
		if t.AdditionalProperties != nil && len(t.Properties) > 0 {
			tw.printf("%s%-*s %s\n", indent(level), 30, "{any other key}", t.AdditionalProperties.Describe())
		}
		if t.AdditionalProperties != nil && expandable(t.AdditionalProperties) {
			tw.printf("%s{each value}\n", indent(level))
			tw.members(t.AdditionalProperties, level+1)
		}
	case catalog.KindDiscriminatedObject:
		for _, p := range t.BaseProperties {
			tw.property(p, level)
		}
		for _, v := range t.Variants {
			tw.printf("%swhen %s = %q:\n", indent(level), t.Discriminator, v.Value)
			tw.members(v.Type, level+1)
		}
	case catalog.KindArray:
		if t.Items != nil && expandable(t.Items) {
			tw.members(t.Items, level)
		}
	case catalog.KindUnion:
		for _, e := range t.Elements {
			if expandable(e) {
				tw.printf("%sas %s:\n", indent(level), e.Describe())
				tw.members(e, level+1)
			}
		}
	}
}

func (tw *textWriter) property(p catalog.Property, level int) {
	flags := ""
	if names := p.Flags.Names(); len(names) > 0 {
		flags = "  [" + strings.Join(names, ", ") + "]"
	}
	if p.Type.Sensitive {
		flags += "  [secret]"
	}
	name := indent(level) + p.Name
	pad := "" // to 40 characters, as %-40s
	if n := utf8.RuneCountInString(name); n < 40 {
		pad = spaces[:40-n]
	}
	tw.write(name, pad, " ", p.Type.Describe(), constraints(p.Type), flags, "\n")
	if p.Description != "" {
		tw.write(indent(level), "  ", oneLine(p.Description), "\n")
	}
	if expandable(p.Type) {
		tw.members(p.Type, level+1)
	}
}

// expandable reports types whose members are printed below them.
func expandable(t *catalog.Type) bool {
	switch t.Kind {
	case catalog.KindObject:
		return len(t.Properties) > 0 || t.AdditionalProperties != nil && expandable(t.AdditionalProperties)
	case catalog.KindDiscriminatedObject:
		return true
	case catalog.KindArray:
		return t.Items != nil && expandable(t.Items)
	case catalog.KindUnion:
		for _, e := range t.Elements {
			if expandable(e) {
				return true
			}
		}
	}
	return false
}

func constraints(t *catalog.Type) string {
	var c []string
	if t.Pattern != "" {
		c = append(c, "pattern /"+t.Pattern+"/")
	}
	if t.MinLength != nil {
		c = append(c, fmt.Sprintf("min length %d", *t.MinLength))
	}
	if t.MaxLength != nil {
		c = append(c, fmt.Sprintf("max length %d", *t.MaxLength))
	}
	if t.MinValue != nil {
		c = append(c, fmt.Sprintf("min %d", *t.MinValue))
	}
	if t.MaxValue != nil {
		c = append(c, fmt.Sprintf("max %d", *t.MaxValue))
	}
	if len(c) == 0 {
		return ""
	}
	return " (" + strings.Join(c, ", ") + ")"
}

// spaces are the indents of the first levels.
const spaces = "                                                                "

func indent(level int) string {
	if 2*level <= len(spaces) {
		return spaces[:2*level]
	}
	return strings.Repeat("  ", level)
}

// oneLine collapses the white space of a description to single spaces. Most are one line
// already, and are returned as they are.
func oneLine(s string) string {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' '), c < ' ', c >= 0x80:
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s
}
