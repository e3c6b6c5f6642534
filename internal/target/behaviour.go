package target

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/project"
)

// This file is the one place for what the engine does differently for some types.

// identityDependency names the dependency through which Azure names a resource of a type:
// a private endpoint connection is made by Azure when a private endpoint links to a
// resource, under a name Azure chooses; a project declares it to set its state, and gru
// finds it as the connection whose properties.privateEndpoint.id is that endpoint.
func identityDependency(armType string) string {
	if strings.HasSuffix(strings.ToLower(armType), "/privateendpointconnections") {
		return "privateEndpoint"
	}
	return ""
}

// EndpointOf returns the properties.privateEndpoint.id of a live connection.
func EndpointOf(live map[string]any) string {
	props, _ := live["properties"].(map[string]any)
	pe, _ := props["privateEndpoint"].(map[string]any)
	id, _ := pe["id"].(string)
	return id
}

// MadeByAzure reports a live resource that Azure made for another one and deletes with it, which
// no project declares: a private endpoint's network interface, a cloud service's role
// instances, a storage account's blob, file, queue and table services while they keep Azure's
// default settings, and its Blob service's data-plane properties while none is set.
func MadeByAzure(live map[string]any) bool {
	typ, _ := live["type"].(string)
	props, _ := live["properties"].(map[string]any)
	if strings.EqualFold(typ, "Microsoft.Compute/cloudServices/roleInstances") {
		return true // a cloud service's role instances come and go with its roles
	}
	if strings.EqualFold(typ, "Microsoft.Storage/storageAccounts/blobServices/serviceProperties") {
		// The Blob service's data-plane properties, as long as nothing is set.
		props, _ := live["properties"].(map[string]any)
		site, _ := props["staticWebsite"].(map[string]any)
		retention, _ := props["deleteRetentionPolicy"].(map[string]any)
		return site["enabled"] != true && withoutEmpty(props["cors"]) == nil && retention["enabled"] != true
	}
	if defaults := storageServiceDefaults(typ); defaults != nil {
		name, _ := live["name"].(string)
		return strings.EqualFold(name, "default") && sameJSON(withoutEmpty(props), withoutEmpty(defaults))
	}
	if !strings.EqualFold(typ, "Microsoft.Network/networkInterfaces") {
		return false
	}
	pe, _ := props["privateEndpoint"].(map[string]any)
	id, _ := pe["id"].(string)
	return id != ""
}

// storageServiceDefaults are the settings Azure gives a service of a new storage account, nil
// for other types.
func storageServiceDefaults(armType string) map[string]any {
	cors := map[string]any{"corsRules": []any{}}
	switch strings.ToLower(armType) {
	case "microsoft.storage/storageaccounts/blobservices":
		return map[string]any{"cors": cors, "deleteRetentionPolicy": map[string]any{"allowPermanentDelete": false, "enabled": false}}
	case "microsoft.storage/storageaccounts/fileservices":
		return map[string]any{"cors": cors, "shareDeleteRetentionPolicy": map[string]any{"enabled": true, "days": 7}, "protocolSettings": map[string]any{"smb": map[string]any{}}}
	case "microsoft.storage/storageaccounts/queueservices", "microsoft.storage/storageaccounts/tableservices":
		return map[string]any{"cors": cors}
	}
	return nil
}

// withoutEmpty drops empty objects and arrays, at any depth.
func withoutEmpty(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if e = withoutEmpty(e); e != nil {
				out[k] = e
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(x) == 0 {
			return nil
		}
	}
	return v
}

// sameJSON compares two values as JSON (numbers by value, whatever their Go type).
func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		return false
	}
	var x, y any
	json.Unmarshal(ja, &x)
	json.Unmarshal(jb, &y)
	return reflect.DeepEqual(x, y)
}

// NamesOf lists the names of an ID, one for each type segment of its type (the top-level
// resource's first): a blob container's are account, default, container.
func NamesOf(id *armid.ID) []string {
	var names []string
	for cur := id; cur != nil && !cur.IsResourceGroup() && !cur.IsSubscription(); cur = cur.Parent {
		names = append([]string{cur.Name}, names...)
		if cur.TopLevel() {
			break
		}
	}
	return names
}

// FixedNamesMatch reports whether an ID has the names a type's GruCloud PUT path fixes
// (catalog.FixedNames); false when it fixes none.
func FixedNamesMatch(id *armid.ID, fixed []string) bool {
	names := NamesOf(id)
	if len(fixed) == 0 || len(names) != len(fixed) {
		return false
	}
	for i, f := range fixed {
		if f != "" && !strings.EqualFold(f, names[i]) {
			return false
		}
	}
	return true
}

// GruCloudName is GruCloud's name of the resource an ID names, without the names its type's
// PUT path fixes: rg::account::container for a blob container, not rg::account::default::container.
func GruCloudName(id *armid.ID, fixed []string) string {
	if !FixedNamesMatch(id, fixed) {
		return FullName(id)
	}
	var parts []string
	if rg := id.ResourceGroupName(); rg != "" {
		parts = append(parts, rg)
	}
	for i, n := range NamesOf(id) {
		if fixed[i] == "" || i == len(fixed)-1 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, "::")
}

// blobSource reads the file a blob's source names (relative to the project folder) and puts
// its MD5 in the body, which the plan compares with the blob's: an unchanged file is not
// uploaded again. The source becomes an absolute path, for the upload. It reports false after
// a problem.
func (b *builder) blobSource(r *Resource, body map[string]any) bool {
	if !strings.EqualFold(r.Type.ARMType, "Microsoft.Storage/storageAccounts/blobServices/containers/blobs") {
		return true
	}
	source, _ := body["source"].(string)
	if source == "" {
		b.problem(CodeInvalidProperty, r.Spec, r, "source", "required: the file whose content the blob holds, relative to the project folder")
		return false
	}
	if !filepath.IsAbs(source) {
		source = filepath.Join(b.t.Project.Dir, source)
	}
	data, err := project.ReadInside(b.t.Project.Dir, source)
	if err != nil {
		b.problem(CodeInvalidProperty, r.Spec, r, "source", "%v", err)
		return false
	}
	sum := md5.Sum(data)
	body["source"] = source
	props, _ := body["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		body["properties"] = props
	}
	props["contentMD5"] = base64.StdEncoding.EncodeToString(sum[:])
	// An upload replaces them: what the project leaves out is Azure's default, so that the
	// plan shows what an upload would drop.
	if _, ok := props["metadata"]; !ok {
		props["metadata"] = map[string]any{}
	}
	if _, ok := props["contentType"]; !ok {
		props["contentType"] = "application/octet-stream"
	}
	return true
}

// takesLiveValue reports a pathId of GruCloud's table where GruCloud puts a value of the
// dependency's live body rather than its ID: a container apps environment's
// logAnalyticsConfiguration.customerId is its workspace's properties.customerId (a GUID),
// known once the workspace exists.
func takesLiveValue(pathID string) bool {
	return strings.HasSuffix(strings.ToLower(pathID), ".customerid")
}

// userAssignedIdentities gives a resource the user-assigned identities its dependencies name
// (GruCloud's managedIdentities key) as ARM takes them: identity.userAssignedIdentities
// keyed by each identity's ID, and the identity's type including UserAssigned.
func (b *builder) userAssignedIdentities(r *Resource, body map[string]any) {
	if r.Schema.Body == nil || r.Schema.Body.At("identity.userAssignedIdentities") == nil {
		return
	}
	var ids []string
	for _, d := range b.depsOf(r) {
		if d.PathID != "" || !strings.EqualFold(d.ARMType, "Microsoft.ManagedIdentity/userAssignedIdentities") {
			continue
		}
		for _, dep := range r.Deps.Of(d.Key) {
			if dep.ID != nil {
				ids = append(ids, dep.IDString())
			}
		}
	}
	if len(ids) == 0 {
		return
	}
	identity, _ := body["identity"].(map[string]any)
	if identity == nil {
		identity = map[string]any{}
		body["identity"] = identity
	}
	assigned, _ := identity["userAssignedIdentities"].(map[string]any)
	if assigned == nil {
		assigned = map[string]any{}
		identity["userAssignedIdentities"] = assigned
	}
	for _, id := range ids {
		found := false
		for k := range assigned {
			found = found || strings.EqualFold(k, id)
		}
		if !found {
			assigned[id] = map[string]any{}
		}
	}
	switch t, _ := identity["type"].(string); {
	case t == "" || strings.EqualFold(t, "None"):
		identity["type"] = "UserAssigned"
	case strings.EqualFold(t, "SystemAssigned"):
		identity["type"] = "SystemAssigned, UserAssigned"
	}
}

// sshPublicKeys writes the SSH keys a virtual machine (or scale set) names with GruCloud's
// sshPublicKeys dependency into its Linux configuration, as GruCloud does: one entry each,
// for the admin user's authorized_keys, holding the key resource's public key (a value of its
// live body, known once it exists). Keys the project writes itself are left as they are.
func (b *builder) sshPublicKeys(r *Resource, body map[string]any) {
	for _, d := range b.depsOf(r) {
		if !strings.EqualFold(d.ARMType, "Microsoft.Compute/sshPublicKeys") || !strings.HasSuffix(d.PathID, "linuxConfiguration.ssh.publicKeys") || len(r.Deps.Of(d.Key)) == 0 {
			continue
		}
		osProfilePath := strings.TrimSuffix(d.PathID, ".linuxConfiguration.ssh.publicKeys")
		osProfile, _ := PathValue(body, osProfilePath)
		profile, _ := osProfile.(map[string]any)
		existing, _ := PathValue(body, d.PathID)
		user, _ := profile["adminUsername"].(string)
		if user == "" {
			user = "azureuser"
		}
		var keys []any
		for _, dep := range r.Deps.Of(d.Key) {
			referTo(r, dep)
			if !slices.Contains(dep.ValuePaths, "properties.publicKey") {
				dep.ValuePaths = append(dep.ValuePaths, "properties.publicKey")
			}
			keys = append(keys, map[string]any{"path": "/home/" + user + "/.ssh/authorized_keys", "keyData": Unknown{IDOf: dep.Key, Path: "properties.publicKey"}})
		}
		if written, ok := existing.([]any); ok {
			// Entries the project writes without their key (GruCloud's generated projects
			// write the path alone) take it from the key resources, in order.
			for i, e := range written {
				if entry, ok := e.(map[string]any); ok && entry["keyData"] == nil && i < len(keys) {
					entry["keyData"] = keys[i].(map[string]any)["keyData"]
				}
			}
			continue
		}
		setPath(body, d.PathID, []any{keys})
	}
}
