package target

import "strings"

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
// no project declares: a private endpoint's network interface.
func MadeByAzure(live map[string]any) bool {
	typ, _ := live["type"].(string)
	if !strings.EqualFold(typ, "Microsoft.Network/networkInterfaces") {
		return false
	}
	props, _ := live["properties"].(map[string]any)
	pe, _ := props["privateEndpoint"].(map[string]any)
	id, _ := pe["id"].(string)
	return id != ""
}
