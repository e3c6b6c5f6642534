package armops

import (
	"net/url"
	"strings"
)

// Kind tells what a request addresses.
type Kind uint8

// The kinds of operation.
const (
	ResourceOp   Kind = iota + 1 // an operation on a resource: /.../{type}/{name}
	CollectionOp                 // an operation on a collection: /.../{type}
	ActionOp                     // an action on a resource or a provider: /.../{name}/{action}
)

func (k Kind) String() string {
	switch k {
	case ResourceOp:
		return "resource"
	case CollectionOp:
		return "collection"
	case ActionOp:
		return "action"
	}
	return "Kind(?)"
}

// Match is what Lookup finds for a request.
type Match struct {
	// Operation is the declaration that answers the request (the variant picked, if any).
	Operation
	Kind Kind
	// Type is the ARM type as the specs write it: the resource's, the collection items', or
	// the one the action acts on (a bare namespace for a provider-level action).
	Type string
	// Action is the action as the specs write it, for an ActionOp.
	Action string
	// Name is the resource's own name (ResourceOp) or its parent's (CollectionOp, ActionOp);
	// empty when there is none.
	Name string
	// Scope is where the request's path starts.
	Scope Scope
	// APIVersion is the api-version whose declarations answer (see Table.Resolve).
	APIVersion string
}

// Lookup finds the declaration that answers an ARM request, following the table's README: it
// takes the path after the last /providers/ (its prefix gives the scope) as
// Namespace/type1/name1/type2/name2...; an even number of segments after the namespace is a
// resource; an odd number ending in S is the collection of parent/S when the specs declare one
// for the method, else the action S on the parent. Paths without /providers/ are
// Microsoft.Resources' built-ins (subscriptions, resourceGroups, tagNames, ...), and
// /.../providers[/{namespace}[/{action}]] is Microsoft.Resources/providers. The api-version is
// the URL's api-version parameter (the newest when absent); the query also picks variants
// declared for a query string. False when the specs declare no such operation at that scope.
func (t *Table) Lookup(method string, u *url.URL) (Match, bool) {
	var segs []string
	for _, s := range strings.Split(u.Path, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	q := u.Query()
	c := call{t: t, method: method, apiVersion: q.Get("api-version"), query: q}

	last := -1
	for i, s := range segs {
		if strings.EqualFold(s, "providers") {
			last = i
		}
	}
	if last < 0 {
		// Built-ins: try the longest scope prefix that leaves a path, then shorter ones
		// (/subscriptions/{}/resourceGroups/{}/resources is the resources collection at
		// resourceGroup scope, /subscriptions/{}/resourceGroups/{}/exportTemplate an action on
		// the resource group at subscription scope).
		var prefixes []int
		if len(segs) >= 4 && strings.EqualFold(segs[0], "subscriptions") && strings.EqualFold(segs[2], "resourceGroups") {
			prefixes = append(prefixes, 4)
		}
		if len(segs) >= 2 && strings.EqualFold(segs[0], "subscriptions") {
			prefixes = append(prefixes, 2)
		}
		prefixes = append(prefixes, 0)
		for _, n := range prefixes {
			if n < len(segs) {
				if m, ok := c.path(scopeOf(segs[:n]), "Microsoft.Resources", segs[n:]); ok {
					return m, true
				}
			}
		}
		return Match{}, false
	}

	scope := scopeOf(segs[:last])
	rest := segs[last+1:]
	const providers = "Microsoft.Resources/providers"
	switch len(rest) {
	case 0: // /.../providers: the resource providers
		return c.get(CollectionOp, scope, providers, "", "")
	case 1: // /.../providers/{namespace}: one resource provider
		return c.get(ResourceOp, scope, providers, "", rest[0])
	}
	if m, ok := c.path(scope, rest[0], rest[1:]); ok {
		return m, true
	}
	if len(rest) == 2 { // /.../providers/{namespace}/register and the like
		return c.get(ActionOp, scope, providers, rest[1], rest[0])
	}
	return Match{}, false
}

// call is one request being looked up.
type call struct {
	t          *Table
	method     string
	apiVersion string
	query      url.Values
}

// path looks up namespace/tail at scope.
func (c call) path(scope Scope, namespace string, tail []string) (Match, bool) {
	typ := namespace
	for i := 0; i+1 < len(tail); i += 2 {
		typ += "/" + tail[i]
	}
	if len(tail)%2 == 0 {
		if len(tail) == 0 {
			return Match{}, false
		}
		return c.get(ResourceOp, scope, typ, "", tail[len(tail)-1])
	}
	s := tail[len(tail)-1]
	var parentName string
	if len(tail) >= 3 {
		parentName = tail[len(tail)-2]
	}
	if m, ok := c.get(CollectionOp, scope, typ+"/"+s, "", parentName); ok {
		return m, true
	}
	return c.get(ActionOp, scope, typ, s, parentName)
}

func (c call) get(kind Kind, scope Scope, armType, action, name string) (Match, bool) {
	at, v, s := c.t.find(kind, armType, c.apiVersion, c.method, action)
	op, ok := c.t.pick(s, name, c.query, scope)
	if !ok {
		return Match{}, false
	}
	return Match{Operation: op.clone(c.method), Kind: kind, Type: at.name, Action: s.action, Name: name, Scope: scope, APIVersion: v.name}, true
}

// scopeOf names the scope of a path prefix (the segments before the last /providers/).
func scopeOf(prefix []string) Scope {
	switch {
	case len(prefix) == 0:
		return Tenant
	case len(prefix) == 2 && strings.EqualFold(prefix[0], "subscriptions"):
		return Subscription
	case len(prefix) == 4 && strings.EqualFold(prefix[0], "subscriptions") && strings.EqualFold(prefix[2], "resourceGroups"):
		return ResourceGroup
	case len(prefix) == 4 && strings.EqualFold(prefix[0], "providers") && strings.EqualFold(prefix[1], "Microsoft.Management") &&
		strings.EqualFold(prefix[2], "managementGroups"):
		return ManagementGroup
	}
	return Extension
}
