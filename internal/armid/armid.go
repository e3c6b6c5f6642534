// Package armid parses, builds and compares Azure Resource Manager resource IDs at every
// scope: tenant (/providers/...), management group, subscription, resource group, nested
// children, and extension resources ({scope}/providers/Microsoft.Authorization/roleAssignments/{name}).
//
// IDs compare case-insensitively, as ARM compares them, and keep the casing the user wrote.
// The package knows nothing of HTTP or of the catalogue.
package armid

import (
	"errors"
	"fmt"
	"strings"
)

// ID is one resource ID. Each ID names one resource and points at the resource it lives under.
type ID struct {
	// Parent is the resource this one is below: the subscription of a resource group, the
	// resource group of a top-level resource, the parent of a child, the resource an extension
	// resource extends. nil for a subscription and for a resource at tenant scope.
	Parent *ID
	// Namespace of the resource's provider: Microsoft.Storage; Microsoft.Resources for
	// subscriptions and resource groups.
	Namespace string
	// Type is the last type segment (privateEndpointConnections, resourceGroups, subscriptions).
	Type string
	Name string
	// block is set when the ID starts a /providers/{namespace} block (a top-level or extension
	// resource); children continue their parent's block.
	block bool
}

// Kinds of scope a resource is deployed at.
const (
	ScopeTenant          = "tenant"
	ScopeManagementGroup = "managementGroup"
	ScopeSubscription    = "subscription"
	ScopeResourceGroup   = "resourceGroup"
	ScopeExtension       = "extension"
)

// MaxLength bounds the IDs Parse accepts; ARM's own limit on a request URL is of this order.
const MaxLength = 4096

// Parse reads a resource ID such as
// /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{a}.
// It refuses empty segments, "." and "..", names with characters that cannot travel in a
// path segment, and a dangling type without a name.
func Parse(s string) (*ID, error) { return parse(s, true) }

// Valid reports whether Parse accepts s, without making the ID: FindIn's check, by the
// thousand.
func Valid(s string) bool {
	_, err := parse(s, false)
	return err == nil
}

// parse is Parse; without build it checks s alone, and returns no ID.
func parse(s string, build bool) (*ID, error) {
	if len(s) > MaxLength {
		return nil, fmt.Errorf("resource ID is %d characters long, more than %d", len(s), MaxLength)
	}
	if !strings.HasPrefix(s, "/") {
		return nil, fmt.Errorf("resource ID %q must start with /", s)
	}
	var held [24]string // most IDs have fewer segments: none to allocate
	segs := held[:0]
	for rest, more := strings.TrimSuffix(s[1:], "/"), true; more; {
		var seg string
		seg, rest, more = strings.Cut(rest, "/")
		if err := checkSegment(seg); err != nil {
			return nil, fmt.Errorf("resource ID %q: %w", s, err)
		}
		segs = append(segs, seg)
	}
	id, named, rest, err := parseScope(segs, build)
	if err != nil {
		return nil, fmt.Errorf("resource ID %q: %w", s, err)
	}
	for len(rest) > 0 {
		if !strings.EqualFold(rest[0], "providers") {
			return nil, fmt.Errorf("resource ID %q: expected providers after %s, found %q", s, id, rest[0])
		}
		if len(rest) < 4 {
			return nil, fmt.Errorf("resource ID %q: incomplete: expected providers/{namespace}/{type}/{name}", s)
		}
		ns := rest[1]
		rest = rest[2:]
		if strings.EqualFold(rest[0], "providers") {
			return nil, fmt.Errorf("resource ID %q: provider %s has no resource type", s, ns)
		}
		first := true
		for len(rest) > 0 && !strings.EqualFold(rest[0], "providers") {
			if len(rest) < 2 {
				return nil, fmt.Errorf("resource ID %q: type %q has no name", s, rest[0])
			}
			if build {
				id = &ID{Parent: id, Namespace: ns, Type: rest[0], Name: rest[1], block: first}
			}
			named, first = true, false
			rest = rest[2:]
		}
	}
	if !named {
		return nil, fmt.Errorf("resource ID %q names no resource", s)
	}
	return id, nil
}

// parseScope reads the leading /subscriptions/{s}[/resourceGroups/{rg}] part, if any, and
// reports whether there is one (named); without build, it makes no ID.
func parseScope(segs []string, build bool) (id *ID, named bool, rest []string, err error) {
	if len(segs) == 0 || segs[0] == "" {
		return nil, false, nil, errors.New("empty")
	}
	if !strings.EqualFold(segs[0], "subscriptions") {
		return nil, false, segs, nil
	}
	if len(segs) < 2 {
		return nil, false, nil, errors.New("subscriptions has no subscription ID")
	}
	rest = segs[2:]
	if len(rest) > 0 && strings.EqualFold(rest[0], "resourceGroups") {
		if len(rest) < 2 {
			return nil, false, nil, errors.New("resourceGroups has no name")
		}
		if build {
			id = ResourceGroup(segs[1], rest[1])
		}
		return id, true, rest[2:], nil
	}
	if build {
		id = Subscription(segs[1])
	}
	return id, true, rest, nil
}

func checkSegment(seg string) error {
	switch seg {
	case "":
		return errors.New("empty segment")
	case ".", "..":
		return fmt.Errorf("segment %q is not allowed", seg)
	}
	for _, r := range seg {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`\?#%`, r) {
			return fmt.Errorf("segment %q has the character %q, which a resource name cannot have", seg, r)
		}
	}
	return nil
}

// Subscription is the ID /subscriptions/{id}.
func Subscription(id string) *ID {
	return &ID{Namespace: "Microsoft.Resources", Type: "subscriptions", Name: id}
}

// ResourceGroup is the ID /subscriptions/{sub}/resourceGroups/{name}.
func ResourceGroup(subscription, name string) *ID {
	return &ID{Parent: Subscription(subscription), Namespace: "Microsoft.Resources", Type: "resourceGroups", Name: name}
}

// Child returns the ID of a child resource of id: same provider block, one more type and name.
func (id *ID) Child(typ, name string) *ID {
	return &ID{Parent: id, Namespace: id.Namespace, Type: typ, Name: name}
}

// Provider returns the ID of a resource of a namespace under id (a top-level resource when id
// is a resource group or subscription, an extension resource when id is a resource).
func (id *ID) Provider(namespace, typ, name string) *ID {
	return &ID{Parent: id, Namespace: namespace, Type: typ, Name: name, block: true}
}

func (id *ID) isSubscription() bool {
	return id.Parent == nil && !id.block && strings.EqualFold(id.Type, "subscriptions")
}

func (id *ID) isResourceGroup() bool {
	return !id.block && id.Parent != nil && id.Parent.isSubscription() && strings.EqualFold(id.Type, "resourceGroups")
}

// String writes the ID with the casing it was given (ARM's keywords in their usual casing).
func (id *ID) String() string {
	var b strings.Builder
	id.write(&b)
	return b.String()
}

func (id *ID) write(b *strings.Builder) {
	switch {
	case id.isSubscription():
		b.WriteString("/subscriptions/")
		b.WriteString(id.Name)
		return
	case id.isResourceGroup():
		id.Parent.write(b)
		b.WriteString("/resourceGroups/")
		b.WriteString(id.Name)
		return
	}
	if id.Parent != nil {
		id.Parent.write(b)
	}
	if id.block {
		b.WriteString("/providers/")
		b.WriteString(id.Namespace)
	}
	b.WriteByte('/')
	b.WriteString(id.Type)
	b.WriteByte('/')
	b.WriteString(id.Name)
}

// Key is the ID lower-cased: equal for IDs that ARM takes as the same resource.
func (id *ID) Key() string { return strings.ToLower(id.String()) }

// Equal compares two IDs as ARM does, case-insensitively.
func (id *ID) Equal(other *ID) bool { return other != nil && id.Key() == other.Key() }

// ResourceType is the full type: Microsoft.Storage/storageAccounts/privateEndpointConnections,
// Microsoft.Resources/resourceGroups, Microsoft.Resources/subscriptions.
func (id *ID) ResourceType() string {
	var types []string
	cur := id
	for {
		types = append(types, cur.Type)
		if !cur.isChild() {
			break
		}
		cur = cur.Parent
	}
	for i, j := 0, len(types)-1; i < j; i, j = i+1, j-1 {
		types[i], types[j] = types[j], types[i]
	}
	return cur.Namespace + "/" + strings.Join(types, "/")
}

// isChild reports a resource that continues its parent's provider block.
func (id *ID) isChild() bool {
	return !id.block && id.Parent != nil && !id.isSubscription() && !id.isResourceGroup()
}

// TopLevel reports whether the resource starts its provider block (it is not a child).
func (id *ID) TopLevel() bool { return id.block }

// BlockStart returns the top-level resource of id's provider block: id itself for a top-level
// or extension resource, the outermost parent of the same block for a child.
func (id *ID) BlockStart() *ID {
	cur := id
	for cur.isChild() {
		cur = cur.Parent
	}
	return cur
}

// Scope returns where the resource is deployed: tenant, managementGroup, subscription,
// resourceGroup or extension (a resource extending another resource).
func (id *ID) Scope() string {
	switch {
	case id.isSubscription():
		return ScopeTenant
	case id.isResourceGroup():
		return ScopeSubscription
	}
	start := id.BlockStart()
	p := start.Parent
	switch {
	case p == nil:
		return ScopeTenant
	case p.isSubscription():
		return ScopeSubscription
	case p.isResourceGroup():
		return ScopeResourceGroup
	case p.block && strings.EqualFold(p.Namespace, "Microsoft.Management") && strings.EqualFold(p.Type, "managementGroups") && p.Parent == nil:
		return ScopeManagementGroup
	}
	return ScopeExtension
}

// SubscriptionID returns the subscription the ID is in, "" when it is outside any.
func (id *ID) SubscriptionID() string {
	for cur := id; cur != nil; cur = cur.Parent {
		if cur.isSubscription() {
			return cur.Name
		}
	}
	return ""
}

// ResourceGroupName returns the resource group the ID is in (or names), "" when none.
func (id *ID) ResourceGroupName() string {
	for cur := id; cur != nil; cur = cur.Parent {
		if cur.isResourceGroup() {
			return cur.Name
		}
	}
	return ""
}

// IsResourceGroup reports whether the ID names a resource group.
func (id *ID) IsResourceGroup() bool { return id.isResourceGroup() }

// IsSubscription reports whether the ID names a subscription.
func (id *ID) IsSubscription() bool { return id.isSubscription() }

// FindIn lists the strings of a decoded JSON value (objects, arrays) that are ARM resource IDs:
// the references a body holds.
func FindIn(v any) []string {
	var out []string
	for _, s := range MayBeIDsIn(v) {
		if Valid(s) {
			out = append(out, s)
		}
	}
	return out
}

// MayBeIDsIn lists the strings of a decoded JSON value that MayBeID accepts, unparsed.
func MayBeIDsIn(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			if MayBeID(x) {
				out = append(out, x)
			}
		}
	}
	walk(v)
	return out
}

// MayBeID reports, without parsing, whether a string starts as an ARM ID does: /subscriptions/
// or /providers/, in any case.
func MayBeID(s string) bool {
	return hasPrefixFold(s, "/subscriptions/") || hasPrefixFold(s, "/providers/")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// endsInDefault reports a path whose last segment is default, as a nameless singleton's ID.
func endsInDefault(path string) bool {
	path = strings.TrimSuffix(path, "/")
	return len(path) >= len("/default") && strings.EqualFold(path[len(path)-len("/default"):], "/default")
}

// MaybeNameless reports, without parsing, whether an ID may be a nameless singleton's.
func MaybeNameless(id string) bool { return endsInDefault(id) }

// Nameless reports an ID of a nameless singleton: an ARM type whose path has no name of its
// own (a connection's shared key is .../connections/{name}/sharedkey). gru names its one
// resource default (.../connections/{name}/sharedkey/default), so that its ID has ARM's
// shape; the ARM path leaves the name out (see ARMPath).
func Nameless(id *ID) bool {
	if id == nil || !strings.EqualFold(id.Name, "default") {
		return false
	}
	switch strings.ToLower(id.ResourceType()) {
	case "microsoft.network/connections/sharedkey":
		return true
	}
	return false
}

// ARMPath is the path ARM serves a resource ID at: the ID itself, but for nameless
// singletons, whose path leaves out the name gru gives them.
func ARMPath(id string) string {
	if !endsInDefault(id) {
		return id // every request passes here: parse only what may be a nameless singleton
	}
	if p, err := Parse(id); err == nil && Nameless(p) {
		return strings.TrimSuffix(strings.TrimSuffix(id, "/"), "/"+p.Name)
	}
	return id
}

// EscapeName writes a name that a path segment cannot hold as it is (a blob's css/site.css) so
// that an ID can: ~ / \ ? # % become ~7E ~2F ~5C ~3F ~23 ~25. UnescapeName reverses it.
func EscapeName(name string) string {
	return nameEscaper().Replace(name)
}

// UnescapeName reads a name EscapeName wrote.
func UnescapeName(name string) string {
	if !strings.Contains(name, "~") {
		return name
	}
	return nameUnescaper().Replace(name)
}

func nameEscaper() *strings.Replacer {
	return strings.NewReplacer("~", "~7E", "/", "~2F", `\`, "~5C", "?", "~3F", "#", "~23", "%", "~25")
}

func nameUnescaper() *strings.Replacer {
	return strings.NewReplacer("~7E", "~", "~2F", "/", "~5C", `\`, "~3F", "?", "~23", "#", "~25", "%", "~7e", "~", "~2f", "/", "~5c", `\`, "~3f", "?")
}
