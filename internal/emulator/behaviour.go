package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
)

// This file is the one place for behaviour that differs between resource providers. Each
// entry says why it is needed; the tests that drive Microsoft's SDK clients fail without it.

const (
	typeStorageAccount  = "microsoft.storage/storageaccounts"
	typeBlobContainer   = "microsoft.storage/storageaccounts/blobservices/containers"
	typePrivateEndpoint = "microsoft.network/privateendpoints"
	// connectionsSegment is the child type through which a resource accepts private endpoints.
	connectionsSegment = "privateEndpointConnections"
)

// isConnection reports a private endpoint connection: the child through which a resource that
// supports private links accepts endpoints.
func isConnection(armType string) bool {
	return strings.HasSuffix(strings.ToLower(armType), "/"+strings.ToLower(connectionsSegment)) && strings.Count(armType, "/") >= 2
}

// admit runs before a PUT body is validated: the checks ARM and the resource provider make
// first: the location, global names, what cannot change, role assignments' rules.
func (e *Emulator) admit(r *request, id *armid.ID, rt *resourceType, body map[string]any, existing *record) error {
	if err := checkLocation(id, rt.info.ARMType, body, existing); err != nil {
		return err
	}
	if existing == nil {
		if err := e.checkGlobalName(r, id, rt.info.ARMType); err != nil {
			return err
		}
	}
	if strings.EqualFold(rt.info.ARMType, typeRoleAssignment) {
		if err := e.checkRoleAssignment(r, id, body, existing); err != nil {
			return err
		}
	}
	switch {
	case strings.EqualFold(rt.info.ARMType, typeStorageAccount):
		if !validStorageName(id.Name) {
			return newError(http.StatusBadRequest, "AccountNameInvalid", "%s is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.", id.Name)
		}
	case strings.EqualFold(rt.info.ARMType, "Microsoft.Storage/storageAccounts/blobServices/containers") && !validContainerName(id.Name):
		return newError(http.StatusBadRequest, "ContainerOperationFailure",
			"The specified resource name contains invalid characters. Container names are 3 to 63 lower-case letters, numbers and hyphens (not two in a row), starting and ending with a letter or number; or $root, $web, $logs.")
	case isConnection(rt.info.ARMType) && existing == nil:
		// Azure creates connections only from the endpoint's side.
		return newError(http.StatusNotFound, "PrivateEndpointConnectionNotFound",
			"Private endpoint connection '%s' does not exist: connections are made by a private endpoint (Microsoft.Network/privateEndpoints) that links to '%s'; a PUT can only change an existing connection's state.", id.Name, id.Parent)
	}
	return nil
}

const typeRoleAssignment = "microsoft.authorization/roleassignments"

// globalNames are the types whose names are DNS names, unique across Azure, with the error
// their provider answers when a name is taken.
func globalNames(armType string) (code, message string, ok bool) {
	switch strings.ToLower(armType) {
	case typeStorageAccount:
		return "StorageAccountAlreadyTaken", "The storage account named %s is already taken.", true
	case "microsoft.keyvault/vaults":
		return "VaultAlreadyExists", "The vault name '%s' is already in use. Vault names are globally unique so it is possible that the name is already taken.", true
	case "microsoft.containerregistry/registries":
		return "AlreadyInUse", "The registry DNS name %s.azurecr.io is already in use. You can check if the name is already claimed using the checkNameAvailability API.", true
	case "microsoft.web/sites":
		return "Conflict", "Website with given name %s already exists.", true
	case "microsoft.documentdb/databaseaccounts":
		return "Conflict", "Dns record for %s under zone Document is already taken. Please use a different name for the account.", true
	case "microsoft.sql/servers":
		return "ServerNameAlreadyExists", "The server name '%s' is already in use; server names are unique across Azure.", true
	case "microsoft.dbforpostgresql/flexibleservers":
		return "ServerNameAlreadyExists", "Specified server name '%s' is already used.", true
	case "microsoft.appconfiguration/configurationstores", "microsoft.search/searchservices", "microsoft.cache/redis", "microsoft.servicebus/namespaces", "microsoft.eventhub/namespaces", "microsoft.signalrservice/signalr":
		return "NameAlreadyExists", "The name '%s' is already in use: names of this type are DNS names, unique across Azure.", true
	}
	return "", "", false
}

// checkGlobalName refuses to create a resource whose name, global across Azure, another
// resource of the emulator has, in any subscription or group.
func (e *Emulator) checkGlobalName(r *request, id *armid.ID, armType string) error {
	code, message, ok := globalNames(armType)
	if !ok {
		return nil
	}
	recs, err := e.store.named(r.Context(), armType, id.Name, r.now)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if rec.Key != id.Key() {
			return newError(http.StatusConflict, code, message, id.Name)
		}
	}
	return nil
}

// checkLocation refuses a location that is no Azure region, and a change of an existing
// resource's location (ARM cannot move a resource by PUT).
func checkLocation(id *armid.ID, armType string, body map[string]any, existing *record) error {
	raw, ok := body["location"].(string)
	if !ok {
		return nil
	}
	location := NormalizeLocation(raw)
	if !knownRegion(location) {
		if id.IsResourceGroup() {
			return newError(http.StatusBadRequest, "LocationNotAvailableForResourceGroup", "The provided location '%s' is not available for resource group. List of available regions is '%s'.", raw, strings.Join(regionNames(), ","))
		}
		return newError(http.StatusBadRequest, "LocationNotAvailableForResourceType", "The provided location '%s' is not available for resource type '%s'. List of available regions for the resource type is '%s'.", raw, armType, strings.Join(append(regionNames(), "global"), ","))
	}
	if existing == nil {
		return nil
	}
	var before struct {
		Location string `json:"location"`
	}
	json.Unmarshal([]byte(existing.Body), &before)
	if before.Location == "" || before.Location == location {
		return nil
	}
	if id.IsResourceGroup() {
		return newError(http.StatusConflict, "InvalidResourceGroupLocation", "Invalid resource group location '%s'. The Resource group already exists in location '%s'.", raw, before.Location)
	}
	return newError(http.StatusConflict, "InvalidResourceLocation", "The resource '%s' already exists in location '%s' in resource group '%s'. A resource with the same name cannot be created in location '%s'. Please select a new resource name.", id.Name, before.Location, id.ResourceGroupName(), location)
}

// checkRoleAssignment applies the rules of role assignments: a GUID for a name, a role
// definition that exists, no second assignment of a role to a principal at one scope, and
// neither principal nor role changed in place.
func (e *Emulator) checkRoleAssignment(r *request, id *armid.ID, body map[string]any, existing *record) error {
	if !isGUID(id.Name) {
		return newError(http.StatusBadRequest, "InvalidRoleAssignmentId", "The role assignment ID '%s' is not valid. The role assignment ID must be a GUID.", id.Name)
	}
	props, _ := body["properties"].(map[string]any)
	role, _ := props["roleDefinitionId"].(string)
	principal, _ := props["principalId"].(string)
	if rid, err := armid.Parse(role); err == nil {
		if _, ours := e.subs[strings.ToLower(rid.SubscriptionID())]; ours && !providedByAzure(rid) {
			rec, err := e.store.get(r.Context(), rid.Key(), r.now)
			if err != nil {
				return err
			}
			if rec == nil {
				return newError(http.StatusBadRequest, "RoleDefinitionDoesNotExist", "The specified role definition with ID '%s' does not exist.", rid.Name)
			}
		}
	}
	if existing != nil {
		var before struct {
			Properties struct {
				RoleDefinitionID string `json:"roleDefinitionId"`
				PrincipalID      string `json:"principalId"`
			} `json:"properties"`
		}
		json.Unmarshal([]byte(existing.Body), &before)
		if !strings.EqualFold(lastName(strings.ToLower(before.Properties.RoleDefinitionID)), lastName(strings.ToLower(role))) || !strings.EqualFold(before.Properties.PrincipalID, principal) {
			return newError(http.StatusBadRequest, "RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.")
		}
		return nil
	}
	scope := ""
	if id.Parent != nil {
		scope = id.Parent.Key()
	}
	others, err := e.store.children(r.Context(), scope, typeRoleAssignment, "", 100000, r.now)
	if err != nil {
		return err
	}
	for _, other := range others {
		var b struct {
			Properties struct {
				RoleDefinitionID string `json:"roleDefinitionId"`
				PrincipalID      string `json:"principalId"`
			} `json:"properties"`
		}
		json.Unmarshal([]byte(other.Body), &b)
		if strings.EqualFold(b.Properties.PrincipalID, principal) && strings.EqualFold(lastName(strings.ToLower(b.Properties.RoleDefinitionID)), lastName(strings.ToLower(role))) {
			return newError(http.StatusConflict, "RoleAssignmentExists", "The role assignment already exists: %s.", other.ID)
		}
	}
	return nil
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// regions are Azure's public regions, by name and display name.
func regions() [][2]string {
	return [][2]string{
		{"eastus", "East US"}, {"eastus2", "East US 2"}, {"westus", "West US"}, {"westus2", "West US 2"}, {"westus3", "West US 3"},
		{"centralus", "Central US"}, {"northcentralus", "North Central US"}, {"southcentralus", "South Central US"}, {"westcentralus", "West Central US"},
		{"canadacentral", "Canada Central"}, {"canadaeast", "Canada East"}, {"brazilsouth", "Brazil South"}, {"brazilsoutheast", "Brazil Southeast"},
		{"mexicocentral", "Mexico Central"}, {"northeurope", "North Europe"}, {"westeurope", "West Europe"}, {"uksouth", "UK South"}, {"ukwest", "UK West"},
		{"francecentral", "France Central"}, {"francesouth", "France South"}, {"germanywestcentral", "Germany West Central"}, {"germanynorth", "Germany North"},
		{"switzerlandnorth", "Switzerland North"}, {"switzerlandwest", "Switzerland West"}, {"norwayeast", "Norway East"}, {"norwaywest", "Norway West"},
		{"swedencentral", "Sweden Central"}, {"swedensouth", "Sweden South"}, {"polandcentral", "Poland Central"}, {"italynorth", "Italy North"},
		{"spaincentral", "Spain Central"}, {"austriaeast", "Austria East"}, {"belgiumcentral", "Belgium Central"}, {"denmarkeast", "Denmark East"},
		{"southeastasia", "Southeast Asia"}, {"eastasia", "East Asia"}, {"japaneast", "Japan East"}, {"japanwest", "Japan West"},
		{"koreacentral", "Korea Central"}, {"koreasouth", "Korea South"}, {"centralindia", "Central India"}, {"southindia", "South India"}, {"westindia", "West India"},
		{"jioindiawest", "Jio India West"}, {"jioindiacentral", "Jio India Central"}, {"indonesiacentral", "Indonesia Central"}, {"malaysiawest", "Malaysia West"},
		{"australiaeast", "Australia East"}, {"australiasoutheast", "Australia Southeast"}, {"australiacentral", "Australia Central"}, {"australiacentral2", "Australia Central 2"},
		{"newzealandnorth", "New Zealand North"}, {"southafricanorth", "South Africa North"}, {"southafricawest", "South Africa West"},
		{"uaenorth", "UAE North"}, {"uaecentral", "UAE Central"}, {"qatarcentral", "Qatar Central"}, {"israelcentral", "Israel Central"},
		{"chilecentral", "Chile Central"},
	}
}

// regionNames are the regions' names, as ARM writes locations.
func regionNames() []string {
	var out []string
	for _, r := range regions() {
		out = append(out, r[0])
	}
	return out
}

// knownRegion: an Azure region, or "global" (the location of global resources).
func knownRegion(location string) bool {
	return location == "global" || slices.Contains(regionNames(), location)
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

// validContainerName: a blob container's name as the Blob service takes it.
func validContainerName(name string) bool {
	switch name {
	case "$root", "$web", "$logs":
		return true
	}
	if len(name) < 3 || len(name) > 63 || strings.Contains(name, "--") || name[0] == '-' || name[len(name)-1] == '-' {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
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
	case strings.EqualFold(rt.info.ARMType, typeStorageAccount) && existing == nil:
		return func() error { return e.store.put(r.Context(), nil, storageServices(id, out, r.apiVersion)...) }, nil
	}
	return nil, nil
}

// storageServices are the blob, file, queue and table services Azure gives a new storage
// account, each named default, with Azure's default settings: containers, shares, queues and
// tables are made in them without declaring them.
func storageServices(account *armid.ID, body map[string]any, apiVersion string) []*record {
	cors := func() map[string]any { return map[string]any{"corsRules": []any{}} }
	services := []struct {
		collection string
		props      map[string]any
	}{
		{"blobServices", map[string]any{"cors": cors(), "deleteRetentionPolicy": map[string]any{"allowPermanentDelete": false, "enabled": false}}},
		{"fileServices", map[string]any{"cors": cors(), "shareDeleteRetentionPolicy": map[string]any{"enabled": true, "days": 7}, "protocolSettings": map[string]any{"smb": map[string]any{}}}},
		{"queueServices", map[string]any{"cors": cors()}},
		{"tableServices", map[string]any{"cors": cors()}},
	}
	var recs []*record
	for _, s := range services {
		id := account.Child(s.collection, "default")
		svc := map[string]any{"id": id.String(), "name": "default", "type": "Microsoft.Storage/storageAccounts/" + s.collection, "properties": s.props}
		if sku, ok := body["sku"]; ok && (s.collection == "blobServices" || s.collection == "fileServices") {
			svc["sku"] = sku
		}
		rec := newRecord(id, apiVersion)
		rec.setBody(svc)
		recs = append(recs, rec)
	}
	return recs
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
	targets := map[string]*armid.ID{}
	nic, err := e.endpointInterface(r, id, out, existing)
	if err != nil {
		return nil, err
	}
	var dns []any
	for _, link := range endpointLinks(out) {
		ep := link.entry["properties"].(map[string]any)
		if _, ours := e.subs[strings.ToLower(link.target.SubscriptionID())]; !ours {
			// A resource of another subscription (or tenant): its owner approves the
			// connection there, which the local cloud cannot see.
			if err := checkGroupIDs(link.target, asStrings(ep["groupIds"])); err != nil {
				return nil, err
			}
			ep["privateLinkServiceConnectionState"] = map[string]any{"status": "Pending", "description": "Awaiting approval by the owner of the resource, outside the local cloud.", "actionsRequired": "None"}
			ep["provisioningState"] = "Succeeded"
			continue
		}
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
		if err := checkGroupIDs(link.target, asStrings(ep["groupIds"])); err != nil {
			return nil, err
		}
		conn, err := e.connectionOf(r, link.target, id)
		if err != nil {
			return nil, err
		}
		var state map[string]any
		var connID *armid.ID
		if conn != nil {
			connID, _ = armid.Parse(conn.ID)
			body := conn.decoded()
			state, _ = body["properties"].(map[string]any)["privateLinkServiceConnectionState"].(map[string]any)
		} else {
			connID = link.target.Child(connectionsSegment, id.Name+"."+newID())
			message, _ := ep["requestMessage"].(string)
			state = map[string]any{"status": "Approved", "description": "Auto-Approved", "actionRequired": "None"}
			if link.manual {
				state = map[string]any{"status": "Pending", "description": message, "actionRequired": "None"}
			}
		}
		keep[connID.Key()] = true
		targets[link.target.Key()] = link.target
		for _, g := range asStrings(ep["groupIds"]) {
			if fqdn := privateLinkFQDN(link.target, g); fqdn != "" {
				dns = append(dns, map[string]any{"fqdn": fqdn, "ipAddresses": []any{nic.address}})
			}
		}
		state = e.spellState(connType.ARMType, state)
		ep["privateLinkServiceConnectionState"] = e.spellState(typePrivateEndpoint, state)
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
	props := out["properties"].(map[string]any)
	props["networkInterfaces"] = []any{map[string]any{"id": nic.id.String()}}
	if dns == nil {
		dns = []any{}
	}
	props["customDnsConfigs"] = dns
	var stale []string
	if existing != nil {
		before := existing.decoded()
		for _, link := range endpointLinks(before) {
			if conn, err := e.connectionOf(r, link.target, id); err == nil && conn != nil && !keep[conn.Key] {
				stale = append(stale, conn.Key)
				targets[link.target.Key()] = link.target
			}
		}
	}
	return func() error {
		recs := []*record{nic.record}
		for _, w := range writes {
			rec := newRecord(w.id, r.apiVersion)
			rec.setBody(w.body)
			recs = append(recs, rec)
		}
		if err := e.store.put(r.Context(), nil, recs...); err != nil {
			return err
		}
		for _, key := range stale {
			if _, err := e.store.remove(r.Context(), key, time.Time{}, r.now, nil, ""); err != nil {
				return err
			}
		}
		return e.listConnections(r, targets)
	}, nil
}

// endpointNIC is the network interface Azure makes for a private endpoint in its subnet.
type endpointNIC struct {
	id      *armid.ID
	address string
	record  *record
}

// endpointInterface makes (or keeps) a private endpoint's network interface, named
// <endpoint>.nic.<guid> beside it, with an address of its subnet. The interface holds the
// subnet in use; the endpoint holds the interface.
func (e *Emulator) endpointInterface(r *request, id *armid.ID, out map[string]any, existing *record) (*endpointNIC, error) {
	props, _ := out["properties"].(map[string]any)
	subnet, _ := props["subnet"].(map[string]any)
	subnetID, _ := subnet["id"].(string)
	sid, err := armid.Parse(subnetID)
	if err != nil {
		return nil, newError(http.StatusBadRequest, "InvalidRequestFormat", "Private endpoint '%s' has no properties.subnet.id: an endpoint takes an address in a subnet.", id.Name)
	}
	// The endpoint keeps its interface and address; a new one gets a name no resource has.
	var nicID *armid.ID
	address := ""
	if existing != nil {
		before := existing.decoded()
		bp, _ := before["properties"].(map[string]any)
		if nics, _ := bp["networkInterfaces"].([]any); len(nics) > 0 {
			nic, _ := nics[0].(map[string]any)
			nicID, _ = armid.Parse(fmt.Sprint(nic["id"]))
		}
		if nicID != nil {
			if address, err = e.interfaceAddress(r, nicID, sid); err != nil {
				return nil, err
			}
		}
	}
	for attempt := 0; nicID == nil; attempt++ {
		candidate := id.Parent.Provider("Microsoft.Network", "networkInterfaces", id.Name+".nic."+guid(fmt.Sprintf("%s|nic|%d", id.Key(), attempt)))
		taken, err := e.store.get(r.Context(), candidate.Key(), r.now)
		if err != nil {
			return nil, err
		}
		if taken == nil {
			nicID = candidate
		}
	}
	if address == "" {
		if address, err = e.freeAddress(r, sid); err != nil {
			return nil, err
		}
	}
	config := nicID.Child("ipConfigurations", "privateEndpointIpConfig."+guid(id.Key()+"|ipconfig"))
	body := map[string]any{
		"id": nicID.String(), "name": nicID.Name, "type": "Microsoft.Network/networkInterfaces",
		"location": out["location"], "etag": etag(nicID.Key(), r.now),
		"properties": map[string]any{
			"provisioningState": "Succeeded", "resourceGuid": guid(nicID.Key()),
			"ipConfigurations": []any{map[string]any{
				"id": config.String(), "name": config.Name, "type": "Microsoft.Network/networkInterfaces/ipConfigurations",
				"properties": map[string]any{
					"provisioningState": "Succeeded", "privateIPAddress": address, "privateIPAllocationMethod": "Dynamic",
					"subnet": map[string]any{"id": sid.String()}, "primary": true, "privateIPAddressVersion": "IPv4",
				},
			}},
			"privateEndpoint": map[string]any{"id": id.String()}, "nicType": "Standard",
			"enableIPForwarding": false, "enableAcceleratedNetworking": false, "vnetEncryptionSupported": false,
			"dnsSettings": map[string]any{"dnsServers": []any{}, "appliedDnsServers": []any{}},
		},
	}
	rec := newRecord(nicID, "2025-09-01")
	rec.setBody(body)
	rec.Refs = []string{sid.Key()}
	return &endpointNIC{id: nicID, address: address, record: rec}, nil
}

// interfaceAddress is the address a network interface has in a subnet ("" when none).
func (e *Emulator) interfaceAddress(r *request, nic, subnet *armid.ID) (string, error) {
	rec, err := e.store.get(r.Context(), nic.Key(), r.now)
	if err != nil || rec == nil {
		return "", err
	}
	return addressIn(rec.Body, subnet), nil
}

// addressIn is the private address a network interface's body has in a subnet.
func addressIn(body string, subnet *armid.ID) string {
	var nic struct {
		Properties struct {
			IPConfigurations []struct {
				Properties struct {
					PrivateIPAddress string `json:"privateIPAddress"`
					Subnet           struct {
						ID string `json:"id"`
					} `json:"subnet"`
				} `json:"properties"`
			} `json:"ipConfigurations"`
		} `json:"properties"`
	}
	json.Unmarshal([]byte(body), &nic)
	for _, c := range nic.Properties.IPConfigurations {
		if strings.EqualFold(c.Properties.Subnet.ID, subnet.String()) {
			return c.Properties.PrivateIPAddress
		}
	}
	return ""
}

// freeAddress picks the lowest free address of a subnet for a new interface: Azure keeps the
// first four and the last.
func (e *Emulator) freeAddress(r *request, subnet *armid.ID) (string, error) {
	rec, err := e.store.get(r.Context(), subnet.Key(), r.now)
	if err != nil || rec == nil {
		return "", err
	}
	body := rec.decoded()
	prefixes := subnetPrefixes(body)
	if len(prefixes) == 0 {
		return "", nil
	}
	prefix, err := netip.ParsePrefix(prefixes[0])
	if err != nil {
		return "", nil
	}
	users, err := e.store.referrers(r.Context(), subnet.Key(), r.now)
	if err != nil {
		return "", err
	}
	used := map[string]bool{}
	for _, u := range users {
		if a := addressIn(u.Body, subnet); a != "" {
			used[a] = true
		}
	}
	addr := prefix.Masked().Addr()
	for i := 0; i < 4; i++ {
		addr = addr.Next()
	}
	for ; prefix.Contains(addr.Next()); addr = addr.Next() {
		if !used[addr.String()] {
			return addr.String(), nil
		}
	}
	return "", newError(http.StatusBadRequest, "SubnetIsFull", "Subnet %s has no free address left for the private endpoint's network interface.", subnet)
}

// privateLinkFQDN is the name a private endpoint's DNS configuration gives a target's group.
func privateLinkFQDN(target *armid.ID, group string) string {
	name := strings.ToLower(target.Name)
	switch strings.ToLower(target.ResourceType()) {
	case typeStorageAccount:
		service, secondary := strings.CutSuffix(group, "_secondary")
		if secondary {
			name += "-secondary"
		}
		return name + "." + service + ".core.windows.net"
	case "microsoft.keyvault/vaults":
		return name + ".vault.azure.net"
	case "microsoft.containerregistry/registries":
		return name + ".azurecr.io"
	case "microsoft.sql/servers":
		return name + ".database.windows.net"
	case "microsoft.web/sites":
		return name + ".azurewebsites.net"
	}
	return ""
}

// listConnections writes into each target's properties.privateEndpointConnections the
// connections it has, as Azure shows them on the resource.
func (e *Emulator) listConnections(r *request, targets map[string]*armid.ID) error {
	for _, target := range targets {
		rec, err := e.store.get(r.Context(), target.Key(), r.now)
		if err != nil || rec == nil {
			if err != nil {
				return err
			}
			continue
		}
		conns, err := e.store.children(r.Context(), target.Key(), strings.ToLower(target.ResourceType()+"/"+connectionsSegment), "", 1000, r.now)
		if err != nil {
			return err
		}
		list := []any{}
		for _, c := range conns {
			body := c.decoded()
			list = append(list, body)
		}
		body := rec.decoded()
		props, _ := body["properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
			body["properties"] = props
		}
		props["privateEndpointConnections"] = list
		rec.setBody(body)
		if err := e.store.put(r.Context(), nil, rec); err != nil {
			return err
		}
	}
	return nil
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

// spellState spells a connection state's "actions required" as the type's spec does: Storage
// says actionRequired, Network and most others actionsRequired.
func (e *Emulator) spellState(armType string, state map[string]any) map[string]any {
	key := "actionsRequired"
	if ti, ok := e.catalog.Find(armType); ok {
		if schema, err := e.catalog.Schema(context.Background(), ti, ""); err == nil && schema.Body != nil {
			t := schema.Body
			for _, name := range []string{"properties", "privateLinkServiceConnectionState"} {
				if p := t.Property(name); p != nil && p.Type != nil {
					t = p.Type
				}
			}
			if t.Property("actionRequired") != nil {
				key = "actionRequired"
			}
		}
	}
	out := make(map[string]any, len(state))
	for k, v := range state {
		if k == "actionRequired" || k == "actionsRequired" {
			k = key
		}
		out[k] = v
	}
	return out
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
		body := rec.decoded()
		for _, link := range endpointLinks(body) {
			if link.target.Equal(id.Parent) && state != nil {
				link.entry["properties"].(map[string]any)["privateLinkServiceConnectionState"] = e.spellState(typePrivateEndpoint, state)
			}
		}
		rec.setBody(body)
		if err := e.store.put(r.Context(), nil, rec); err != nil {
			return err
		}
		return e.listConnections(r, map[string]*armid.ID{id.Parent.Key(): id.Parent})
	}, nil
}

// release runs before a resource is deleted: deleting a private endpoint removes its
// connections from the resources it linked to, and its network interface.
func (e *Emulator) release(r *request, id *armid.ID, rt *resourceType, rec *record) error {
	if !strings.EqualFold(rt.info.ARMType, typePrivateEndpoint) {
		return nil
	}
	body := rec.decoded()
	targets := map[string]*armid.ID{}
	for _, link := range endpointLinks(body) {
		conn, err := e.connectionOf(r, link.target, id)
		if err != nil {
			return err
		}
		if conn != nil {
			if _, err := e.store.remove(r.Context(), conn.Key, time.Time{}, r.now, nil, ""); err != nil {
				return err
			}
			targets[link.target.Key()] = link.target
		}
	}
	props, _ := body["properties"].(map[string]any)
	nics, _ := props["networkInterfaces"].([]any)
	for _, raw := range nics {
		nic, _ := raw.(map[string]any)
		if nicID, err := armid.Parse(fmt.Sprint(nic["id"])); err == nil {
			if _, err := e.store.remove(r.Context(), nicID.Key(), time.Time{}, r.now, nil, ""); err != nil {
				return err
			}
		}
	}
	return e.listConnections(r, targets)
}

// heldByService are the keys of resources a service made for a resource, which it holds in
// use: a private endpoint's network interface cannot be deleted on its own.
func heldByService(armType string, out map[string]any) []string {
	if !strings.EqualFold(armType, typePrivateEndpoint) {
		return nil
	}
	props, _ := out["properties"].(map[string]any)
	nics, _ := props["networkInterfaces"].([]any)
	var keys []string
	for _, raw := range nics {
		nic, _ := raw.(map[string]any)
		if id, err := armid.Parse(fmt.Sprint(nic["id"])); err == nil {
			keys = append(keys, id.Key())
		}
	}
	return keys
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
	return map[string]any{"keyName": keyName, "value": base64.StdEncoding.EncodeToString(append(a[:], b[:]...)), "permissions": "Full"}
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

// holdsInUse says whether a reference under a property of this name keeps what it names from
// being deleted. Most do (a NIC's subnet, a subnet's security group, an app's plan); a
// private endpoint's link does not: deleting the linked resource leaves the endpoint with a
// disconnected connection. Nor do the destinations of diagnostic settings.
func holdsInUse(property string) bool {
	switch property {
	case "privateLinkServiceId", "workspaceId", "storageAccountId", "eventHubAuthorizationRuleId", "marketplacePartnerId":
		return false
	}
	return true
}

// mustBeResourceID names the properties whose value Azure takes only as a resource ID,
// whatever it looks like.
func mustBeResourceID(property string) bool {
	return property == "privateLinkServiceId"
}

// providedByAzure: IDs of what Azure itself offers under a location (platform images, ...),
// which no client creates and the emulator does not store. (The built-in role definitions are
// stored: seedBuiltIns.)
func providedByAzure(id *armid.ID) bool {
	for p := id; p != nil; p = p.Parent {
		if strings.EqualFold(p.Type, "locations") {
			return true
		}
	}
	return false
}

// builtInRoles are the role definitions Azure provides, by GUID: the common ones, with their
// real IDs, so that role assignments written for Azure name roles that exist here too.
func builtInRoles() map[string]string {
	return map[string]string{
		"8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
		"b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
		"acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
		"18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
		"f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
		"ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
		"b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
		"2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
		"974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
		"19e7f393-937e-4f77-808e-94535e297925": "Storage Queue Data Reader",
		"0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
		"76199698-9eea-4c19-bc75-cec21354c6b6": "Storage Table Data Reader",
		"17d1049b-9a84-46fb-8f53-869881c3d3ab": "Storage Account Contributor",
		"00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
		"4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
		"b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
		"14b46e9e-c2b7-41b4-b07b-48a6ebf60603": "Key Vault Crypto Officer",
		"12338af0-0e69-4776-bea7-57ae8d297424": "Key Vault Crypto User",
		"a4417e6f-fecd-4de8-b567-7b0420556985": "Key Vault Certificates Officer",
		"21090545-7ca7-4776-b22c-e363652d74d2": "Key Vault Reader",
		"f25e0fa2-a7c8-4377-a976-54943a77a395": "Key Vault Contributor",
		"7f951dda-4ed3-4680-a7ca-43fe172d538d": "AcrPull",
		"8311e382-0749-4cb8-b61a-304f252e45ec": "AcrPush",
		"4d97b98b-1d4f-4787-a291-c67834d212e7": "Network Contributor",
		"9980e02c-c2be-4d73-94e8-173b1dc7cf3c": "Virtual Machine Contributor",
		"de139f84-1756-47ae-9be6-808fbbe84772": "Website Contributor",
		"f1a07417-d97a-45cb-824c-7a7467783830": "Managed Identity Operator",
		"e40ec5ca-96e0-45a2-b4ff-59039f2c2b59": "Managed Identity Contributor",
		"73c42c96-874c-492b-b04d-ab87d138a893": "Log Analytics Reader",
		"92aaf0da-9dab-42b6-94a3-d43ce8d16293": "Log Analytics Contributor",
		"43d0d8ad-25c7-4714-9337-8ba259a9fe05": "Monitoring Reader",
		"749f88d5-cbae-40b8-bcfc-e573ddc772fa": "Monitoring Contributor",
		"3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
		"5e0bd9bd-7b93-4f28-af87-19fc36ad61bd": "Cognitive Services OpenAI User",
		"a97b65f3-24c7-4388-baec-2e87135dc908": "Cognitive Services User",
		"090c5cfd-751d-490a-894a-3ce6f1109419": "Azure Service Bus Data Owner",
		"69a216fc-b8fb-44d8-bc22-1f3c2cd27a39": "Azure Service Bus Data Sender",
		"4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0": "Azure Service Bus Data Receiver",
		"f526a384-b230-433a-b45c-95f59c4a2dec": "Azure Event Hubs Data Owner",
		"2b629674-e913-4c01-ae53-ef4638d8f975": "Azure Event Hubs Data Sender",
		"a638d3c7-ab3a-418d-83e6-5f17a39d4fde": "Azure Event Hubs Data Receiver",
		"5bd9cd88-fe45-4216-938b-f97437e15450": "DocumentDB Account Contributor",
		"b12aa53e-6015-4669-85d0-8515ebb3ae7f": "Private DNS Zone Contributor",
		"befefa01-2a29-4197-83a8-272ff33ce314": "DNS Zone Contributor",
	}
}

const (
	typeVirtualNetwork = "microsoft.network/virtualnetworks"
	typeSubnet         = "microsoft.network/virtualnetworks/subnets"
)

// checkNetworkRules applies a virtual network's rules to a PUT of the network or of one of its
// subnets: address prefixes in CIDR notation, written as the network address; each subnet
// inside the network's address space; no two subnets overlapping. ARM's codes and wording.
func (e *Emulator) checkNetworkRules(r *request, id *armid.ID, rt *resourceType, out map[string]any) error {
	var network map[string]any
	var subnets []map[string]any
	switch strings.ToLower(rt.info.ARMType) {
	case typeVirtualNetwork:
		network = out
		props, _ := out["properties"].(map[string]any)
		list, _ := props["subnets"].([]any)
		for _, s := range list {
			if m, ok := s.(map[string]any); ok {
				subnets = append(subnets, m)
			}
		}
	case typeSubnet:
		others, parent, err := e.siblings(r.Context(), id, r.now)
		if err != nil || parent == nil {
			return err
		}
		network, subnets = parent, append(others, out)
	default:
		return nil
	}
	networkName, _ := network["name"].(string)
	props, _ := network["properties"].(map[string]any)
	space, _ := props["addressSpace"].(map[string]any)
	var spaces []netip.Prefix
	for _, raw := range asStrings(space["addressPrefixes"]) {
		p, err := parseCIDR(raw, id)
		if err != nil {
			return err
		}
		for _, other := range spaces {
			if other.Overlaps(p) {
				return newError(http.StatusBadRequest, "VnetAddressSpacesOverlap", "Cannot create or update virtual network %s: its address spaces %s and %s overlap.", networkName, other, p)
			}
		}
		spaces = append(spaces, p)
	}
	type subnet struct {
		name   string
		prefix netip.Prefix
	}
	var seen []subnet
	networkID := id
	if strings.EqualFold(rt.info.ARMType, typeSubnet) {
		networkID = id.Parent
	}
	for _, s := range subnets {
		name, _ := s["name"].(string)
		raws := subnetPrefixes(s)
		if err := e.checkSubnetInUse(r, networkID.Child("subnets", name), raws); err != nil {
			return err
		}
		for _, raw := range raws {
			p, err := parseCIDR(raw, id)
			if err != nil {
				return err
			}
			inside := false
			for _, sp := range spaces {
				inside = inside || sp.Bits() <= p.Bits() && sp.Contains(p.Addr())
			}
			if !inside && len(spaces) > 0 {
				return newError(http.StatusBadRequest, "NetcfgSubnetRangeOutsideVnet",
					"Subnet '%s' is not valid because its IP address range %s is outside the IP address range of virtual network '%s' (%s).", name, raw, networkName, strings.Join(asStrings(space["addressPrefixes"]), ", "))
			}
			for _, other := range seen {
				if other.prefix.Overlaps(p) {
					return newError(http.StatusBadRequest, "NetcfgSubnetRangesOverlap",
						"Subnet '%s' is not valid because its IP address range %s overlaps with that of an existing subnet '%s' (%s) in virtual network '%s'.", name, raw, other.name, other.prefix, networkName)
				}
			}
			seen = append(seen, subnet{name, p})
		}
	}
	return nil
}

// subnetPrefixes are a subnet body's address prefixes.
func subnetPrefixes(body map[string]any) []string {
	props, _ := body["properties"].(map[string]any)
	raws := asStrings(props["addressPrefixes"])
	if one, ok := props["addressPrefix"].(string); ok {
		raws = append(raws, one)
	}
	return raws
}

// checkSubnetInUse refuses to change the address range of a subnet that something uses (a
// network interface has an address in it).
func (e *Emulator) checkSubnetInUse(r *request, subnet *armid.ID, prefixes []string) error {
	rec, err := e.store.get(r.Context(), subnet.Key(), r.now)
	if err != nil || rec == nil {
		return err
	}
	body := rec.decoded()
	before := subnetPrefixes(body)
	slices.Sort(before)
	after := slices.Clone(prefixes)
	slices.Sort(after)
	if slices.Equal(before, after) {
		return nil
	}
	user, _, err := e.store.user(r.Context(), subnet.Key(), r.now)
	if err != nil || user == "" {
		return err
	}
	return newError(http.StatusBadRequest, "InUseSubnetCannotBeUpdated", "Subnet %s is in use by %s: its address range (%s) cannot change to %s while it is.", subnet.Name, e.describeUser(r.Context(), user, r.now), strings.Join(before, ", "), strings.Join(prefixes, ", "))
}

// parseCIDR reads an address prefix as the network provider does.
func parseCIDR(s string, id *armid.ID) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, newError(http.StatusBadRequest, "InvalidCIDRNotation", "The address prefix %s in resource %s has an invalid CIDR notation.", s, id)
	}
	if p.Masked() != p {
		return p, newError(http.StatusBadRequest, "InvalidCIDRNotation", "The address prefix %s in resource %s has an invalid CIDR notation. For the given prefix length, the address prefix should be %s.", s, id, p.Masked())
	}
	return p, nil
}

func asStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// privateLinkGroups are the sub-resources (group IDs) a private endpoint can connect to on
// the types whose list is known; nil for the others, which are not checked.
func privateLinkGroups(armType string) []string {
	switch strings.ToLower(armType) {
	case typeStorageAccount:
		return []string{"blob", "blob_secondary", "file", "file_secondary", "queue", "queue_secondary", "table", "table_secondary", "web", "web_secondary", "dfs", "dfs_secondary"}
	case "microsoft.keyvault/vaults":
		return []string{"vault"}
	case "microsoft.containerregistry/registries":
		return []string{"registry"}
	case "microsoft.sql/servers":
		return []string{"sqlServer"}
	case "microsoft.web/sites":
		return []string{"sites"}
	}
	return nil
}

// checkGroupIDs: a connection to a first-party resource names exactly one of the group IDs
// its type offers, spelt as Azure spells it.
func checkGroupIDs(target *armid.ID, groups []string) error {
	offered := privateLinkGroups(target.ResourceType())
	if offered == nil {
		return nil
	}
	if len(groups) > 1 {
		return newError(http.StatusBadRequest, "OnlyOneGroupIdPermitted", "The private link service connection has the following group Ids: %s. Only one group Id is permitted when connecting to a first-party resource (%s).", strings.Join(groups, ", "), target)
	}
	for _, g := range groups {
		if !slices.Contains(offered, g) {
			return newError(http.StatusBadRequest, "InvalidValuesForRequestParameters", "Call to %s failed. Error message: Values for request parameters are invalid: GroupId: %s. The group IDs of this type are: %s.", target.ResourceType(), g, strings.Join(offered, ", "))
		}
	}
	return nil
}

// computeForType fills the properties a service computes, or defaults, that clients read to
// use a resource: a storage account's endpoints, a vault's URI, a cluster's node resource
// group, a site's host name. A default never overrides what the request says.
func (e *Emulator) computeForType(r *request, armType string, id *armid.ID, out map[string]any) {
	now := r.now
	props, _ := out["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	setDefault := func(m map[string]any, key string, v any) {
		if _, has := m[key]; !has {
			m[key] = v
		}
	}
	// A parent lists its inline children, none at first.
	for _, list := range catalog.InlineChildren(armType) {
		setDefault(props, list, []any{})
	}
	name := strings.ToLower(id.Name)
	location, _ := out["location"].(string)
	switch strings.ToLower(armType) {
	case typeStorageAccount:
		endpoints := map[string]any{}
		for _, service := range []string{"blob", "queue", "table", "file", "dfs"} {
			endpoints[service] = "https://" + name + "." + service + ".core.windows.net/"
		}
		endpoints["web"] = "https://" + name + ".z6.web.core.windows.net/"
		props["primaryEndpoints"] = endpoints
		props["primaryLocation"] = location
		props["statusOfPrimary"] = "available"
		setDefault(props, "supportsHttpsTrafficOnly", true)
		setDefault(props, "minimumTlsVersion", "TLS1_2")
		setDefault(props, "allowBlobPublicAccess", false)
		created := now.UTC().Format(time.RFC3339Nano)
		setDefault(props, "keyCreationTime", map[string]any{"key1": created, "key2": created})
		if kind, _ := out["kind"].(string); strings.EqualFold(kind, "StorageV2") || strings.EqualFold(kind, "BlobStorage") {
			setDefault(props, "accessTier", "Hot")
		}
		setDefault(props, "networkAcls", map[string]any{"bypass": "AzureServices", "defaultAction": "Allow", "ipRules": []any{}, "virtualNetworkRules": []any{}})
		sku, _ := out["sku"].(map[string]any)
		if skuName := strings.ToUpper(fmt.Sprint(sku["name"])); strings.Contains(skuName, "GRS") || strings.Contains(skuName, "GZRS") {
			if pair := pairedRegion(location); pair != "" {
				props["secondaryLocation"] = pair
				props["statusOfSecondary"] = "available"
			}
		} else {
			// What only geo-redundant accounts have.
			for _, k := range []string{"secondaryLocation", "statusOfSecondary", "secondaryEndpoints", "lastGeoFailoverTime", "geoReplicationStats"} {
				delete(props, k)
			}
		}
	case "microsoft.keyvault/vaults":
		props["vaultUri"] = "https://" + name + ".vault.azure.net/"
	case "microsoft.compute/virtualmachinescalesets":
		if mode, _ := props["orchestrationMode"].(string); !strings.EqualFold(mode, "Flexible") {
			setDefault(props, "singlePlacementGroup", true)
		}
	case "microsoft.containerservice/managedclusters":
		setDefault(props, "nodeResourceGroup", fmt.Sprintf("MC_%s_%s_%s", id.ResourceGroupName(), id.Name, location))
		setDefault(props, "maxAgentPools", 100)
		if v, ok := props["kubernetesVersion"]; ok {
			setDefault(props, "currentKubernetesVersion", v)
		}
		if prefix, ok := props["dnsPrefix"].(string); ok {
			setDefault(props, "fqdn", strings.ToLower(prefix)+"-"+guid(id.Key())[:8]+".hcp."+location+".azmk8s.io")
		}
		if pools, ok := props["agentPoolProfiles"].([]any); ok {
			for _, raw := range pools {
				if pool, ok := raw.(map[string]any); ok {
					agentPoolDefaults(pool, setDefault)
				}
			}
		}
	case "microsoft.containerservice/managedclusters/agentpools":
		agentPoolDefaults(props, setDefault)
	case "microsoft.network/publicipaddresses":
		setDefault(props, "publicIPAddressVersion", "IPv4")
		setDefault(props, "idleTimeoutInMinutes", 4)
		method := "Dynamic"
		if sku, _ := out["sku"].(map[string]any); sku != nil && strings.EqualFold(fmt.Sprint(sku["name"]), "Standard") {
			method = "Static"
		}
		setDefault(props, "publicIPAllocationMethod", method)
		setDefault(props, "ddosSettings", map[string]any{"protectionMode": "VirtualNetworkInherited"})
		if strings.EqualFold(fmt.Sprint(props["publicIPAllocationMethod"]), "Static") && !strings.EqualFold(fmt.Sprint(props["publicIPAddressVersion"]), "IPv6") {
			// A static address is allocated at creation, and kept: one of the documentation
			// range 198.51.100.0/24 and 203.0.113.0/24, the same for the same ID.
			g := guid(strings.ToLower(id.String()) + "|ip")
			b1, _ := strconv.ParseUint(g[0:2], 16, 8)
			b2, _ := strconv.ParseUint(g[2:4], 16, 8)
			block := "198.51.100."
			if b1%2 == 1 {
				block = "203.0.113."
			}
			setDefault(props, "ipAddress", block+strconv.FormatUint(1+b2%254, 10))
		}
	case "microsoft.network/virtualnetworks/virtualnetworkpeerings":
		setDefault(props, "peeringState", "Connected")
		setDefault(props, "peeringSyncLevel", "FullyInSync")
		// Each side's address space, as the networks have them now.
		space := func(network string) any {
			nid, err := armid.Parse(network)
			if err != nil {
				return nil
			}
			rec, err := e.store.get(r.Context(), nid.Key(), r.now)
			if err != nil || rec == nil {
				return nil
			}
			body := rec.decoded()
			np, _ := body["properties"].(map[string]any)
			return np["addressSpace"]
		}
		remote, _ := props["remoteVirtualNetwork"].(map[string]any)
		if s := space(fmt.Sprint(remote["id"])); s != nil {
			props["remoteAddressSpace"], props["remoteVirtualNetworkAddressSpace"] = s, s
		}
		if s := space(id.Parent.String()); s != nil {
			props["localAddressSpace"], props["localVirtualNetworkAddressSpace"] = s, s
		}
	case "microsoft.dbforpostgresql/flexibleservers":
		props["fullyQualifiedDomainName"] = name + ".postgres.database.azure.com"
		setDefault(props, "version", "16")
		setDefault(props, "minorVersion", "4")
		setDefault(props, "availabilityZone", "1")
		setDefault(props, "replicationRole", "Primary")
		setDefault(props, "replicaCapacity", 5)
		setDefault(props, "maintenanceWindow", map[string]any{"customWindow": "Disabled", "dayOfWeek": 0, "startHour": 0, "startMinute": 0})
		setDefault(props, "authConfig", map[string]any{"activeDirectoryAuth": "Disabled", "passwordAuth": "Enabled"})
		setDefault(props, "backup", map[string]any{"backupRetentionDays": 7, "geoRedundantBackup": "Disabled", "earliestRestoreDate": now.UTC().Format(time.RFC3339)})
		setDefault(props, "highAvailability", map[string]any{"mode": "Disabled", "state": "NotEnabled"})
		setDefault(props, "network", map[string]any{"publicNetworkAccess": "Enabled"})
		setDefault(props, "storage", map[string]any{"storageSizeGB": 128, "autoGrow": "Disabled", "tier": "P10", "iops": 500})
		setDefault(props, "dataEncryption", map[string]any{"type": "SystemManaged"})
	case "microsoft.containerregistry/registries":
		props["loginServer"] = name + ".azurecr.io"
		setDefault(props, "adminUserEnabled", false)
		setDefault(props, "dataEndpointEnabled", false)
		setDefault(props, "publicNetworkAccess", "Enabled")
		setDefault(props, "networkRuleBypassOptions", "AzureServices")
		setDefault(props, "zoneRedundancy", "Disabled")
		setDefault(props, "encryption", map[string]any{"status": "disabled"})
		setDefault(props, "policies", map[string]any{
			"quarantinePolicy": map[string]any{"status": "disabled"}, "trustPolicy": map[string]any{"type": "Notary", "status": "disabled"},
			"retentionPolicy": map[string]any{"days": 7, "status": "disabled"}, "exportPolicy": map[string]any{"status": "enabled"},
		})
		if sku, _ := out["sku"].(map[string]any); strings.EqualFold(fmt.Sprint(sku["name"]), "Premium") {
			setDefault(props, "networkRuleSet", map[string]any{"defaultAction": "Allow", "ipRules": []any{}})
		}
	case "microsoft.documentdb/databaseaccounts":
		setDefault(props, "instanceId", guid(id.Key()+"|instance"))
		setDefault(props, "documentEndpoint", "https://"+name+".documents.azure.com:443/")
		setDefault(props, "disableKeyBasedMetadataWriteAccess", false)
		setDefault(props, "enableFreeTier", false)
		setDefault(props, "enableAnalyticalStorage", false)
		setDefault(props, "minimalTlsVersion", "Tls12")
		setDefault(props, "networkAclBypass", "None")
		setDefault(props, "networkAclBypassResourceIds", []any{})
		setDefault(props, "ipRules", []any{})
		setDefault(props, "cors", []any{})
		setDefault(props, "consistencyPolicy", map[string]any{"defaultConsistencyLevel": "Session", "maxIntervalInSeconds": 5, "maxStalenessPrefix": 100})
		setDefault(props, "backupPolicy", map[string]any{"type": "Periodic", "periodicModeProperties": map[string]any{"backupIntervalInMinutes": 240, "backupRetentionIntervalInHours": 8, "backupStorageRedundancy": "Geo"}})
		created := now.UTC().Format(time.RFC3339Nano)
		keys := map[string]any{}
		for _, k := range []string{"primaryMasterKey", "secondaryMasterKey", "primaryReadonlyMasterKey", "secondaryReadonlyMasterKey"} {
			keys[k] = map[string]any{"generationTime": created}
		}
		setDefault(props, "keysMetadata", keys)
	case "microsoft.dbforpostgresql/servergroupsv2":
		// Azure Cosmos DB for PostgreSQL: the administrator is always citus.
		setDefault(props, "administratorLogin", "citus")
		setDefault(props, "state", "Ready")
		setDefault(props, "maintenanceWindow", map[string]any{"customWindow": "Disabled", "dayOfWeek": 0, "startHour": 0, "startMinute": 0})
		setDefault(props, "nodeEnablePublicIpAccess", false)
		setDefault(props, "nodeServerEdition", "MemoryOptimized")
		setDefault(props, "nodeStorageQuotaInMb", 524288)
		setDefault(props, "nodeVCores", 4)
		setDefault(props, "serverNames", []any{})
	case "microsoft.network/networkinterfaces":
		setDefault(props, "enableIPForwarding", false)
		setDefault(props, "enableAcceleratedNetworking", false)
		setDefault(props, "dnsSettings", map[string]any{"dnsServers": []any{}, "appliedDnsServers": []any{}})
		setDefault(props, "nicType", "Standard")
	case "microsoft.network/networksecuritygroups":
		props["defaultSecurityRules"] = defaultSecurityRules(id)
	case "microsoft.network/routetables":
		setDefault(props, "disableBgpRoutePropagation", false)
	case typeSubnet:
		setDefault(props, "delegations", []any{})
		setDefault(props, "privateEndpointNetworkPolicies", "Disabled")
		setDefault(props, "privateLinkServiceNetworkPolicies", "Enabled")
	case "microsoft.network/bastionhosts":
		setDefault(props, "dnsName", "bst-"+guid(id.Key())+".bastion.azure.com")
		setDefault(props, "scaleUnits", 2)
		for _, flag := range []string{"disableCopyPaste", "enableIpConnect", "enableKerberos", "enableSessionRecording", "enableShareableLink", "enableTunneling"} {
			setDefault(props, flag, false)
		}
	case "microsoft.web/sites", "microsoft.web/sites/slots":
		host := name
		if id.Parent != nil && strings.EqualFold(id.Type, "slots") {
			host = strings.ToLower(id.Parent.Name) + "-" + name
		}
		setDefault(props, "defaultHostName", host+".azurewebsites.net")
		setDefault(props, "hostNames", []any{host + ".azurewebsites.net"})
		setDefault(props, "enabledHostNames", []any{host + ".azurewebsites.net", host + ".scm.azurewebsites.net"})
		setDefault(props, "enabled", true)
		setDefault(props, "httpsOnly", false)
		setDefault(props, "clientAffinityEnabled", true)
		setDefault(props, "clientCertEnabled", false)
		setDefault(props, "hostNamesDisabled", false)
		setDefault(props, "containerSize", 0)
		setDefault(props, "dailyMemoryTimeQuota", 0)
		setDefault(props, "hyperV", false)
		setDefault(props, "isXenon", false)
		setDefault(props, "reserved", false)
		setDefault(props, "state", "Running")
		setDefault(props, "usageState", "Normal")
		setDefault(props, "availabilityState", "Normal")
		setDefault(props, "resourceGroup", id.ResourceGroupName())
		setDefault(props, "repositorySiteName", id.Name)
		setDefault(props, "redundancyMode", "None")
		setDefault(props, "scmSiteAlsoStopped", false)
		setDefault(props, "storageAccountRequired", false)
		setDefault(props, "clientCertMode", "Required")
		setDefault(props, "publicNetworkAccess", "Enabled")
		setDefault(props, "keyVaultReferenceIdentity", "SystemAssigned")
		for _, flag := range []string{"vnetContentShareEnabled", "vnetImagePullEnabled", "vnetRouteAllEnabled", "vnetBackupRestoreEnabled"} {
			setDefault(props, flag, false)
		}
		// Addresses of the documentation ranges: the emulator has no real ones.
		setDefault(props, "outboundIpAddresses", "203.0.113.10,203.0.113.11")
		setDefault(props, "possibleOutboundIpAddresses", "203.0.113.10,203.0.113.11,203.0.113.12,203.0.113.13")
		setDefault(props, "customDomainVerificationId", strings.ToUpper(strings.ReplaceAll(guid(id.Key()+"|domain"), "-", "")))
		setDefault(props, "hostNameSslStates", []any{
			map[string]any{"name": host + ".azurewebsites.net", "sslState": "Disabled", "hostType": "Standard"},
			map[string]any{"name": host + ".scm.azurewebsites.net", "sslState": "Disabled", "hostType": "Repository"},
		})
	}
	if len(props) > 0 {
		out["properties"] = props
	}
}

// agentPoolDefaults are what AKS fills in an agent pool the request leaves open.
func agentPoolDefaults(pool map[string]any, setDefault func(map[string]any, string, any)) {
	setDefault(pool, "maxPods", 110)
	setDefault(pool, "osType", "Linux")
	setDefault(pool, "type", "VirtualMachineScaleSets")
	if v, ok := pool["orchestratorVersion"]; ok {
		setDefault(pool, "currentOrchestratorVersion", v)
	}
}

// pairedRegion is the region Azure pairs with a region (where geo-redundant storage keeps its
// secondary), "" for a region not listed.
func pairedRegion(region string) string {
	pairs := [][2]string{
		{"eastus", "westus"}, {"eastus2", "centralus"}, {"westus2", "westcentralus"}, {"westus3", "eastus"},
		{"northcentralus", "southcentralus"}, {"canadacentral", "canadaeast"}, {"brazilsouth", "southcentralus"},
		{"northeurope", "westeurope"}, {"uksouth", "ukwest"}, {"francecentral", "francesouth"},
		{"germanywestcentral", "germanynorth"}, {"switzerlandnorth", "switzerlandwest"}, {"norwayeast", "norwaywest"},
		{"swedencentral", "swedensouth"}, {"southeastasia", "eastasia"}, {"japaneast", "japanwest"},
		{"koreacentral", "koreasouth"}, {"centralindia", "southindia"}, {"australiaeast", "australiasoutheast"},
		{"southafricanorth", "southafricawest"}, {"uaenorth", "uaecentral"},
	}
	region = NormalizeLocation(region)
	for _, p := range pairs {
		switch region {
		case p[0]:
			return p[1]
		case p[1]:
			if p[0] == "westus3" || p[0] == "brazilsouth" {
				continue // one-way pairs
			}
			return p[0]
		}
	}
	return ""
}

// defaultSecurityRules are the six rules Azure gives every network security group.
func defaultSecurityRules(nsg *armid.ID) []any {
	rule := func(name, direction, access string, priority int, source, destination, description string) any {
		id := nsg.Child("defaultSecurityRules", name)
		return map[string]any{
			"id": id.String(), "name": name, "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
			"properties": map[string]any{
				"provisioningState": "Succeeded", "description": description, "protocol": "*",
				"sourcePortRange": "*", "destinationPortRange": "*", "sourceAddressPrefix": source, "destinationAddressPrefix": destination,
				"access": access, "priority": priority, "direction": direction,
				"sourcePortRanges": []any{}, "destinationPortRanges": []any{}, "sourceAddressPrefixes": []any{}, "destinationAddressPrefixes": []any{},
			},
		}
	}
	return []any{
		rule("AllowVnetInBound", "Inbound", "Allow", 65000, "VirtualNetwork", "VirtualNetwork", "Allow inbound traffic from all VMs in VNET"),
		rule("AllowAzureLoadBalancerInBound", "Inbound", "Allow", 65001, "AzureLoadBalancer", "*", "Allow inbound traffic from azure load balancer"),
		rule("DenyAllInBound", "Inbound", "Deny", 65500, "*", "*", "Deny all inbound traffic"),
		rule("AllowVnetOutBound", "Outbound", "Allow", 65000, "VirtualNetwork", "VirtualNetwork", "Allow outbound traffic from all VMs to all VMs in VNET"),
		rule("AllowInternetOutBound", "Outbound", "Allow", 65001, "*", "Internet", "Allow outbound traffic from all VMs to Internet"),
		rule("DenyAllOutBound", "Outbound", "Deny", 65500, "*", "*", "Deny all outbound traffic"),
	}
}
