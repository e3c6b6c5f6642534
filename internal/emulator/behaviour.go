package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gru-iac/gru/internal/armid"
)

// This file is the one place for behaviour that differs between resource providers. Each
// entry says why it is needed; the tests that drive Microsoft's SDK clients fail without it.

const (
	typeStorageAccount  = "microsoft.storage/storageaccounts"
	typePrivateEndpoint = "microsoft.network/privateendpoints"
	// connectionsSegment is the child type through which a resource accepts private endpoints.
	connectionsSegment = "privateEndpointConnections"
)

// putStyle is how a resource provider answers a PUT.
type putStyle struct {
	// createdStatus is the status of a create that completes at once.
	createdStatus int
	// accepted: a long-running PUT is answered 202 Accepted with a Location header and no
	// body, instead of ARM's usual 201 Created with Azure-AsyncOperation and the resource.
	accepted bool
}

// putStyleOf returns the PUT style of a type.
func putStyleOf(armType string) putStyle {
	if strings.EqualFold(armType, typeStorageAccount) {
		// The storage provider's spec (and so armstorage's AccountsClient.BeginCreate)
		// allows only 200 and 202 for a create.
		return putStyle{createdStatus: http.StatusOK, accepted: true}
	}
	return putStyle{createdStatus: http.StatusCreated}
}

// isConnection reports a private endpoint connection: the child through which a resource that
// supports private links accepts endpoints.
func isConnection(armType string) bool {
	return strings.HasSuffix(strings.ToLower(armType), "/"+strings.ToLower(connectionsSegment)) && strings.Count(armType, "/") >= 2
}

// admit runs before a PUT body is validated: the checks a resource provider makes first.
func (e *Emulator) admit(r *request, id *armid.ID, rt *resourceType, existing *record) error {
	switch {
	case strings.EqualFold(rt.info.ARMType, typeStorageAccount):
		if !validStorageName(id.Name) {
			return newError(http.StatusBadRequest, "AccountNameInvalid", "%s is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.", id.Name)
		}
		if existing == nil {
			taken, err := e.storageNameTaken(r.Context(), id.Name, id.Key(), r)
			if err != nil {
				return err
			}
			if taken {
				return newError(http.StatusConflict, "StorageAccountAlreadyTaken", "The storage account named %s is already taken.", id.Name)
			}
		}
	case isConnection(rt.info.ARMType) && existing == nil:
		// Azure creates connections only from the endpoint's side.
		return newError(http.StatusNotFound, "PrivateEndpointConnectionNotFound",
			"Private endpoint connection '%s' does not exist: connections are made by a private endpoint (Microsoft.Network/privateEndpoints) that links to '%s'; a PUT can only change an existing connection's state.", id.Name, id.Parent)
	}
	return nil
}

// validStorageName: 3 to 24 lower-case letters and digits, as the storage provider requires.
func validStorageName(name string) bool {
	if len(name) < 3 || len(name) > 24 {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// storageNameTaken: storage account names are global (they are DNS names), across every
// subscription and group of the emulator.
func (e *Emulator) storageNameTaken(ctx context.Context, name, ownKey string, r *request) (bool, error) {
	recs, err := e.store.named(ctx, typeStorageAccount, name, r.now)
	if err != nil {
		return false, err
	}
	for _, rec := range recs {
		if rec.Key != ownKey {
			return true, nil
		}
	}
	return false, nil
}

// shape adjusts a rendered resource before it is stored, and returns writes to make once it is.
func (e *Emulator) shape(r *request, id *armid.ID, rt *resourceType, out map[string]any, existing *record) (func() error, error) {
	switch {
	case strings.EqualFold(rt.info.ARMType, typePrivateEndpoint):
		return e.shapePrivateEndpoint(r, id, out, existing)
	case isConnection(rt.info.ARMType):
		return e.shapeConnection(r, id, out, existing)
	}
	return nil, nil
}

// endpointLink is one entry of a private endpoint's (manual)privateLinkServiceConnections.
type endpointLink struct {
	entry  map[string]any // the entry in the endpoint's body
	target *armid.ID
	manual bool
}

func endpointLinks(body map[string]any) []endpointLink {
	props, _ := body["properties"].(map[string]any)
	var links []endpointLink
	for _, list := range []struct {
		key    string
		manual bool
	}{{"privateLinkServiceConnections", false}, {"manualPrivateLinkServiceConnections", true}} {
		entries, _ := props[list.key].([]any)
		for _, raw := range entries {
			entry, _ := raw.(map[string]any)
			ep, _ := entry["properties"].(map[string]any)
			target, _ := ep["privateLinkServiceId"].(string)
			tid, err := armid.Parse(target)
			if entry == nil || err != nil {
				continue
			}
			links = append(links, endpointLink{entry: entry, target: tid, manual: list.manual})
		}
	}
	return links
}

// shapePrivateEndpoint makes, on each resource the endpoint links to, the connection Azure
// would make: approved at once for privateLinkServiceConnections, pending for
// manualPrivateLinkServiceConnections, named <endpoint>.<guid>. The endpoint's own entries
// show the same state.
func (e *Emulator) shapePrivateEndpoint(r *request, id *armid.ID, out map[string]any, existing *record) (func() error, error) {
	type pending struct {
		id   *armid.ID
		body map[string]any
	}
	var writes []pending
	keep := map[string]bool{}
	for _, link := range endpointLinks(out) {
		target, err := e.store.get(r.Context(), link.target.Key(), r.now)
		if err != nil {
			return nil, err
		}
		if target == nil {
			return nil, newError(http.StatusBadRequest, "PrivateLinkServiceNotFound", "The private link resource '%s' of private endpoint '%s' was not found.", link.target, id.Name)
		}
		connType, ok := e.catalog.Find(link.target.ResourceType() + "/" + connectionsSegment)
		if !ok {
			return nil, newError(http.StatusBadRequest, "PrivateLinkServiceNotSupported", "The resource type '%s' does not support private endpoints.", link.target.ResourceType())
		}
		ep := link.entry["properties"].(map[string]any)
		conn, err := e.connectionOf(r, link.target, id)
		if err != nil {
			return nil, err
		}
		var state map[string]any
		var connID *armid.ID
		if conn != nil {
			connID, _ = armid.Parse(conn.ID)
			var body map[string]any
			json.Unmarshal([]byte(conn.Body), &body)
			state, _ = body["properties"].(map[string]any)["privateLinkServiceConnectionState"].(map[string]any)
		} else {
			connID = link.target.Child(connectionsSegment, id.Name+"."+newID())
			message, _ := ep["requestMessage"].(string)
			state = map[string]any{"status": "Approved", "description": "Auto-Approved", "actionsRequired": "None"}
			if link.manual {
				state = map[string]any{"status": "Pending", "description": message, "actionsRequired": "None"}
			}
		}
		keep[connID.Key()] = true
		ep["privateLinkServiceConnectionState"] = state
		ep["provisioningState"] = "Succeeded"
		writes = append(writes, pending{connID, map[string]any{
			"id": connID.String(), "name": connID.Name, "type": connType.ARMType,
			"properties": map[string]any{
				"privateEndpoint":                   map[string]any{"id": id.String()},
				"privateLinkServiceConnectionState": state,
				"provisioningState":                 "Succeeded",
			},
		}})
	}
	var stale []string
	if existing != nil {
		var before map[string]any
		json.Unmarshal([]byte(existing.Body), &before)
		for _, link := range endpointLinks(before) {
			if conn, err := e.connectionOf(r, link.target, id); err == nil && conn != nil && !keep[conn.Key] {
				stale = append(stale, conn.Key)
			}
		}
	}
	return func() error {
		for _, w := range writes {
			rec := newRecord(w.id, r.apiVersion)
			rec.setBody(w.body)
			if err := e.store.put(r.Context(), rec, nil); err != nil {
				return err
			}
		}
		for _, key := range stale {
			if _, err := e.store.remove(r.Context(), key, time.Time{}, r.now, nil); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// connectionOf finds the connection a private endpoint has on a target, nil if none.
func (e *Emulator) connectionOf(r *request, target, endpoint *armid.ID) (*record, error) {
	recs, err := e.store.children(r.Context(), target.Key(), strings.ToLower(target.ResourceType()+"/"+connectionsSegment), "", 1000, r.now)
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		if strings.EqualFold(connectionEndpoint(rec), endpoint.String()) {
			return rec, nil
		}
	}
	return nil, nil
}

// connectionEndpoint is the ID of the private endpoint a connection belongs to.
func connectionEndpoint(rec *record) string {
	var body struct {
		Properties struct {
			PrivateEndpoint struct {
				ID string `json:"id"`
			} `json:"privateEndpoint"`
		} `json:"properties"`
	}
	json.Unmarshal([]byte(rec.Body), &body)
	return body.Properties.PrivateEndpoint.ID
}

// shapeConnection keeps what the server owns in a connection (its endpoint) through a PUT,
// and shows the new state on the endpoint's side too.
func (e *Emulator) shapeConnection(r *request, id *armid.ID, out map[string]any, existing *record) (func() error, error) {
	endpointID := connectionEndpoint(existing)
	props, _ := out["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		out["properties"] = props
	}
	props["privateEndpoint"] = map[string]any{"id": endpointID}
	state, _ := props["privateLinkServiceConnectionState"].(map[string]any)
	return func() error {
		pe, err := armid.Parse(endpointID)
		if err != nil {
			return nil
		}
		rec, err := e.store.get(r.Context(), pe.Key(), r.now)
		if err != nil || rec == nil {
			return err
		}
		var body map[string]any
		json.Unmarshal([]byte(rec.Body), &body)
		for _, link := range endpointLinks(body) {
			if link.target.Equal(id.Parent) && state != nil {
				link.entry["properties"].(map[string]any)["privateLinkServiceConnectionState"] = state
			}
		}
		rec.setBody(body)
		return e.store.put(r.Context(), rec, nil)
	}, nil
}

// release runs before a resource is deleted: deleting a private endpoint removes its
// connections from the resources it linked to.
func (e *Emulator) release(r *request, id *armid.ID, rt *resourceType, rec *record) error {
	if !strings.EqualFold(rt.info.ARMType, typePrivateEndpoint) {
		return nil
	}
	var body map[string]any
	json.Unmarshal([]byte(rec.Body), &body)
	for _, link := range endpointLinks(body) {
		conn, err := e.connectionOf(r, link.target, id)
		if err != nil {
			return err
		}
		if conn != nil {
			if _, err := e.store.remove(r.Context(), conn.Key, time.Time{}, r.now, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// unreturned removes from a stored body what a provider never returns although its schema does
// not mark it write-only: a Key Vault secret's value (its description says so).
func unreturned(armType string, body map[string]any) {
	if strings.EqualFold(armType, "Microsoft.KeyVault/vaults/secrets") {
		if props, ok := body["properties"].(map[string]any); ok {
			delete(props, "value")
		}
	}
}

// resourceAction answers the POST actions the emulator implements; false when it has none.
func (e *Emulator) resourceAction(r *request, rt *resourceType, rec *record, name string) bool {
	if strings.EqualFold(rt.info.ARMType, typeStorageAccount) && strings.EqualFold(name, "listKeys") {
		writeJSON(r.w, http.StatusOK, map[string]any{"keys": []any{storageKey(rec.Key, "key1"), storageKey(rec.Key, "key2")}})
		return true
	}
	return false
}

// storageKey derives a stable account key from the account's ID, so that listKeys answers
// the same across restarts without storing secrets.
func storageKey(accountKey, keyName string) map[string]any {
	a := sha256.Sum256([]byte("gru-emulator storage key 1|" + accountKey + "|" + keyName))
	b := sha256.Sum256([]byte("gru-emulator storage key 2|" + accountKey + "|" + keyName))
	return map[string]any{"keyName": keyName, "value": base64.StdEncoding.EncodeToString(append(a[:], b[:]...)), "permissions": "FULL"}
}

// providerAction answers the POST actions of a provider namespace in a subscription.
func (e *Emulator) providerAction(r *request, namespace, action string) error {
	if strings.EqualFold(namespace, "Microsoft.Storage") && strings.EqualFold(action, "checkNameAvailability") {
		body, err := readBody(r)
		if err != nil {
			return err
		}
		name, _ := body["name"].(string)
		answer := map[string]any{"nameAvailable": true}
		switch taken, err := e.storageNameTaken(r.Context(), name, "", r); {
		case err != nil:
			return err
		case !validStorageName(name):
			answer = map[string]any{"nameAvailable": false, "reason": "AccountNameInvalid", "message": fmt.Sprintf("%s is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.", name)}
		case taken:
			answer = map[string]any{"nameAvailable": false, "reason": "AlreadyExists", "message": fmt.Sprintf("The storage account named %s is already taken.", name)}
		}
		writeJSON(r.w, http.StatusOK, answer)
		return nil
	}
	return newError(http.StatusBadRequest, "UnsupportedAction", "The emulator does not implement the action '%s' of %s.", action, namespace)
}
