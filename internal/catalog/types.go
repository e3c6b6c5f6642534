package catalog

import (
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2"
)

// Kind says which of the bicep type-system shapes a Type has.
type Kind uint8

// The kinds of the bicep type system that resource bodies are made of.
const (
	KindAny Kind = iota
	KindString
	KindStringLiteral
	KindInteger
	KindBoolean
	KindObject
	KindArray
	KindUnion
	KindDiscriminatedObject
)

func (k Kind) String() string {
	switch k {
	case KindAny:
		return "any"
	case KindString:
		return "string"
	case KindStringLiteral:
		return "string literal"
	case KindInteger:
		return "number"
	case KindBoolean:
		return "boolean"
	case KindObject:
		return "object"
	case KindArray:
		return "array"
	case KindUnion:
		return "union"
	case KindDiscriminatedObject:
		return "discriminated object"
	}
	return "unknown"
}

// PropertyFlags are the bicep property flags.
type PropertyFlags uint8

// Property flags as the bicep type data numbers them.
const (
	FlagRequired           PropertyFlags = 1
	FlagReadOnly           PropertyFlags = 2
	FlagWriteOnly          PropertyFlags = 4
	FlagDeployTimeConstant PropertyFlags = 8
	FlagIdentifier         PropertyFlags = 16
	// FlagLocal is gru's own: a value gru reads itself and the cloud never returns, which is
	// not a secret (a blob's source file). Plans do not compare it.
	FlagLocal PropertyFlags = 32
)

// Has reports whether all of f's bits are set.
func (p PropertyFlags) Has(f PropertyFlags) bool { return p&f == f }

// Names lists the flags in words, in a fixed order.
func (p PropertyFlags) Names() []string {
	var out []string
	for _, f := range []struct {
		flag PropertyFlags
		name string
	}{{FlagRequired, "required"}, {FlagReadOnly, "read-only"}, {FlagWriteOnly, "write-only"}, {FlagDeployTimeConstant, "deploy-time constant"}, {FlagIdentifier, "identifier"}, {FlagLocal, "read by gru"}} {
		if p.Has(f.flag) {
			out = append(out, f.name)
		}
	}
	return out
}

// Type is one node of a resource body schema. Which fields are meaningful depends on Kind.
// Types form a graph that may be cyclic (recursive schemas); they are immutable once loaded,
// so one Type may be shared by many readers.
type Type struct {
	Kind Kind
	// Name is the schema name of an object or discriminated object.
	Name string

	// String constraints; MinLength and MaxLength also bound arrays.
	Pattern   string
	MinLength *int64
	MaxLength *int64
	// Sensitive marks a string or object whose value is a secret.
	Sensitive bool

	// Value is the literal of a KindStringLiteral.
	Value string

	// Integer bounds.
	MinValue *int64
	MaxValue *int64

	// Properties of an object, in the order the type data lists them.
	Properties []Property
	// AdditionalProperties is the type of keys not listed in Properties (maps such as tags); nil when none.
	AdditionalProperties *Type

	// Items is the element type of an array.
	Items *Type

	// Elements are the alternatives of a union.
	Elements []*Type

	// Discriminated objects: the discriminator property, the properties every variant has, and
	// the variants keyed by discriminator value.
	Discriminator  string
	BaseProperties []Property
	Variants       []Variant

	patternOnce  sync.Once
	patternMatch func(string) (bool, error)
}

// Property is a named member of an object type.
type Property struct {
	Name        string
	Type        *Type
	Flags       PropertyFlags
	Description string
}

// Variant is one alternative of a discriminated object.
type Variant struct {
	Value string
	Type  *Type
}

// Property returns the property of an object by name, compared case-insensitively as ARM does; nil if absent.
func (t *Type) Property(name string) *Property {
	for _, list := range [][]Property{t.Properties, t.BaseProperties} {
		for i := range list {
			if strings.EqualFold(list[i].Name, name) {
				return &list[i]
			}
		}
	}
	return nil
}

// At follows a property path such as properties.subnet.id or properties.ipRules[].value (array
// items written []) from an object type, through the variants of discriminated objects; nil
// where the path leaves the schema.
func (t *Type) At(path string) *Type {
	cur := t
	for _, part := range strings.Split(path, ".") {
		name, items := strings.CutSuffix(part, "[]")
		cur = cur.member(name)
		if cur == nil {
			return nil
		}
		if items {
			if cur.Kind != KindArray {
				return nil
			}
			cur = cur.Items
		}
	}
	return cur
}

// HoldsID reports whether a body takes a resource ID (a string) at a dependency's pathId.
// GruCloud's table has pathIds where it puts other values (an SSH key's public key data in
// publicKeys, a key's URL in keyUrl): there a dependency orders, and fills nothing. A path the
// schema does not describe (or a nil body) holds one, as the project may know better.
func (t *Type) HoldsID(pathID string) bool {
	if t == nil {
		return true
	}
	at := t.At(pathID)
	if at == nil {
		return true
	}
	switch at.Kind {
	case KindString, KindAny:
		return true
	case KindUnion:
		for _, e := range at.Elements {
			if e.Kind == KindString {
				return true
			}
		}
	}
	return false
}

// member is the type of a property of an object, or of any variant of a discriminated object.
func (t *Type) member(name string) *Type {
	if t == nil {
		return nil
	}
	if p := t.Property(name); p != nil {
		return p.Type
	}
	for _, v := range t.Variants {
		if v.Type != nil {
			if p := v.Type.Property(name); p != nil {
				return p.Type
			}
		}
	}
	return nil
}

// MatchPattern reports whether s matches the pattern of a string type. checked is false when
// the type has no pattern, or when the pattern cannot be run. Patterns are compiled once: with
// Go's RE2 engine where it accepts them, otherwise with a .NET-compatible engine (the type data
// comes from .NET services and uses look-arounds and long repeats that RE2 refuses), bounded
// by a match timeout so that no input can make it run long.
func (t *Type) MatchPattern(s string) (matched, checked bool) {
	t.patternOnce.Do(func() {
		if t.Pattern == "" {
			return
		}
		if re, err := regexp.Compile(t.Pattern); err == nil {
			t.patternMatch = func(s string) (bool, error) { return re.MatchString(s), nil }
			return
		}
		if re, err := regexp2.Compile(t.Pattern, regexp2.None); err == nil {
			re.MatchTimeout = patternTimeout
			t.patternMatch = re.MatchString
		}
	})
	if t.patternMatch == nil {
		return false, false
	}
	ok, err := t.patternMatch(s)
	if err != nil {
		return false, false
	}
	return ok, true
}

// patternTimeout bounds one match of a backtracking pattern.
const patternTimeout = 100 * time.Millisecond

// Literals returns the string literal alternatives of t (itself if it is a literal, its literal
// elements if it is a union), and whether the union also admits any other string.
func (t *Type) Literals() (values []string, openString bool) {
	switch t.Kind {
	case KindStringLiteral:
		return []string{t.Value}, false
	case KindUnion:
		for _, e := range t.Elements {
			switch e.Kind {
			case KindStringLiteral:
				values = append(values, e.Value)
			case KindString:
				openString = true
			}
		}
	}
	return values, openString
}

// Describe returns a short human description of the type, such as `string`,
// `"Pending" | "Approved" | string`, `array of object PrivateEndpoint` or `map of string`.
func (t *Type) Describe() string {
	return t.describe(0)
}

func (t *Type) describe(depth int) string {
	if depth > 3 {
		return t.Kind.String()
	}
	switch t.Kind {
	case KindStringLiteral:
		return `"` + t.Value + `"`
	case KindUnion:
		parts := make([]string, 0, len(t.Elements))
		for _, e := range t.Elements {
			parts = append(parts, e.describe(depth+1))
		}
		return strings.Join(parts, " | ")
	case KindArray:
		if t.Items == nil {
			return "array"
		}
		return "array of " + t.Items.describe(depth+1)
	case KindObject:
		if len(t.Properties) == 0 && t.AdditionalProperties != nil {
			return "map of " + t.AdditionalProperties.describe(depth+1)
		}
		if t.Name != "" {
			return "object " + t.Name
		}
		return "object"
	case KindDiscriminatedObject:
		return "object " + t.Name + " (by " + t.Discriminator + ")"
	}
	return t.Kind.String()
}

// Scope is a bit set of the places a resource can be deployed, as the bicep type data numbers them.
type Scope uint8

// Deployment scopes.
const (
	ScopeTenant          Scope = 1
	ScopeManagementGroup Scope = 2
	ScopeSubscription    Scope = 4
	ScopeResourceGroup   Scope = 8
	ScopeExtension       Scope = 16
)

// Names lists the scopes in words.
func (s Scope) Names() []string {
	var out []string
	for _, n := range []struct {
		s    Scope
		name string
	}{{ScopeTenant, "tenant"}, {ScopeManagementGroup, "managementGroup"}, {ScopeSubscription, "subscription"}, {ScopeResourceGroup, "resourceGroup"}, {ScopeExtension, "extension"}} {
		if s&n.s != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// Resource is the schema of one ARM resource type at one API version.
type Resource struct {
	// ARMType is the type as the type data spells it, e.g. Microsoft.Storage/storageAccounts.
	ARMType    string
	APIVersion string
	Body       *Type
	// ReadableScopes and WritableScopes: where the type can be read and deployed.
	ReadableScopes Scope
	WritableScopes Scope
	// Functions are the POST actions of the type at this version (listKeys, ...).
	Functions []*Function
}

// Function is a resource action such as listKeys.
type Function struct {
	Name   string
	Input  *Type
	Output *Type
}

// Has reports whether the body has a top-level property (location, tags, sku, identity, kind, ...).
func (r *Resource) Has(property string) bool {
	return r.Body != nil && r.Body.Property(property) != nil
}

// ReadOnly reports whether the type can only be read (no writable scope), such as a list of
// deleted accounts.
func (r *Resource) ReadOnly() bool { return r.WritableScopes == 0 }
