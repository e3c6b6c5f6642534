package emulator

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gru-iac/gru/internal/armid"
)

// reference is a resource ID found in a body.
type reference struct {
	id   *armid.ID
	path string // where, as properties.ipConfigurations[0].properties.subnet.id
	// holds: the referenced resource cannot be deleted while this body refers to it.
	holds bool
}

// referencesIn finds the resource IDs a body refers to, outside the subtree of the resource
// with key self (a network's body names its own subnets). Nothing is returned twice.
func referencesIn(self string, body any) []reference {
	var out []reference
	seen := map[string]bool{}
	var walk func(v any, path, name string)
	walk = func(v any, path, name string) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(x[k], joinPath(path, k), k)
			}
		case []any:
			for i, e := range x {
				walk(e, path+"["+strconv.Itoa(i)+"]", name)
			}
		case string:
			l := strings.ToLower(x)
			if !strings.HasPrefix(l, "/subscriptions/") && !strings.HasPrefix(l, "/providers/") {
				return
			}
			id, err := armid.Parse(x)
			if err != nil {
				return
			}
			key := id.Key()
			if key == self || strings.HasPrefix(key, self+"/") || seen[key] {
				return
			}
			seen[key] = true
			out = append(out, reference{id: id, path: path, holds: holdsInUse(name)})
		}
	}
	walk(body, "", "")
	return out
}

// referenceKeys are the keys of the references that hold what they name in use, never nil
// (a record with nil Refs keeps the references stored before).
func referenceKeys(refs []reference) []string {
	keys := []string{}
	for _, r := range refs {
		if r.holds {
			keys = append(keys, r.id.Key())
		}
	}
	return keys
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// malformedReference finds a value that a client meant as a resource ID but that is not one:
// a nested "id", or a property named like "subnetId", that starts as an ID does but does not
// parse; and the properties whose value must be an ID whatever it looks like. ARM refuses
// them with LinkedInvalidPropertyId before anything else.
func malformedReference(body any) error {
	var found error
	var walk func(v any, path, name string, nested bool)
	walk = func(v any, path, name string, nested bool) {
		if found != nil {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(x[k], joinPath(path, k), k, nested || path != "")
			}
		case []any:
			for i, e := range x {
				walk(e, path+"["+strconv.Itoa(i)+"]", name, true)
			}
		case string:
			mustBeID := mustBeResourceID(name)
			looksLikeID := strings.HasPrefix(x, "/") && (nested && name == "id" || strings.HasSuffix(name, "Id") && hasIDPrefix(x))
			if !mustBeID && !looksLikeID {
				return
			}
			id, err := armid.Parse(x)
			if err != nil {
				found = newError(http.StatusBadRequest, "LinkedInvalidPropertyId",
					"Property id '%s' at path '%s' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.", x, path)
				return
			}
			if sub := id.SubscriptionID(); sub != "" && !isGUID(sub) {
				found = newError(http.StatusBadRequest, "LinkedInvalidPropertyId",
					"Property id '%s' at path '%s' is invalid: the subscription ID '%s' is malformed (a GUID is expected).", x, path, sub)
			}
		}
	}
	walk(body, "", "", false)
	return found
}

func hasIDPrefix(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "/subscriptions/") || strings.HasPrefix(l, "/providers/")
}

// checkReferences refuses a body that refers to a resource of the emulator's subscriptions
// that does not exist, as ARM does (InvalidResourceReference). IDs outside those
// subscriptions, and what Azure itself provides (built-in role definitions, anything under
// a location), are not checked.
func (e *Emulator) checkReferences(ctx context.Context, self *armid.ID, refs []reference, now time.Time) error {
	for _, ref := range refs {
		if _, ours := e.subs[strings.ToLower(ref.id.SubscriptionID())]; !ours || ref.id.IsSubscription() || providedByAzure(ref.id) {
			continue
		}
		rec, err := e.store.get(ctx, ref.id.Key(), now)
		if err != nil {
			return err
		}
		if rec == nil || !rec.GoneAt.IsZero() {
			return newError(http.StatusBadRequest, "InvalidResourceReference",
				"Resource %s referenced by resource %s was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.", ref.id, self)
		}
	}
	return nil
}

// describeUser names a resource that holds another in use, and, for a network interface a
// private endpoint made, that endpoint: deleting it is what frees the interface.
func (e *Emulator) describeUser(ctx context.Context, user string, now time.Time) string {
	uid, err := armid.Parse(user)
	if err != nil || !strings.EqualFold(uid.ResourceType(), "Microsoft.Network/networkInterfaces") {
		return user
	}
	rec, err := e.store.get(ctx, uid.Key(), now)
	if err != nil || rec == nil {
		return user
	}
	if pe := connectionEndpoint(rec); pe != "" { // an interface names its endpoint as a connection does
		return fmt.Sprintf("%s, the network interface of private endpoint %s (delete the endpoint to free it)", user, pe)
	}
	return user
}

// checkNotInUse refuses to delete a resource that a live resource outside it refers to (or
// refers to something inside it), with ARM's code for the type in use:
// InUseSubnetCannotBeDeleted, InUseNetworkSecurityGroupCannotBeDeleted, ...
func (e *Emulator) checkNotInUse(ctx context.Context, id *armid.ID, now time.Time) error {
	user, usedKey, err := e.store.user(ctx, id.Key(), now)
	if err != nil || user == "" {
		return err
	}
	used, err := armid.Parse(usedKey)
	if err != nil {
		used = id
	}
	typ := used.ResourceType()
	if ti, ok := e.catalog.Find(typ); ok {
		typ = ti.ARMType
	}
	kind := typ[strings.LastIndexByte(typ, '/')+1:]
	code := "InUse" + strings.ToUpper(kind[:1]) + strings.TrimSuffix(kind[1:], "s") + "CannotBeDeleted"
	user = e.describeUser(ctx, user, now)
	if used.Key() != id.Key() {
		return newError(http.StatusBadRequest, code, "%s cannot be deleted: %s %s inside it is in use by %s. Delete that resource first, or update it to stop using this one.", id, typ, used, user)
	}
	return newError(http.StatusBadRequest, code, "%s is in use by %s and cannot be deleted. Delete that resource first, or update it to stop using this one.", id, user)
}
