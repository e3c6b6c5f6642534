package catalog

import "strings"

// InlineChildren lists the properties of a type's body that hold child resources which are
// also resources of their own, of the child type of the same name (a network's subnets, a
// security group's rules, a route table's routes). Azure keeps both views as one: a PUT of
// the parent creates, updates and deletes the children its list names or leaves out, and a
// child's own PUT or DELETE shows in the parent's list.
func InlineChildren(armType string) []string {
	switch strings.ToLower(armType) {
	case "microsoft.network/virtualnetworks":
		return []string{"subnets", "virtualNetworkPeerings"}
	case "microsoft.network/networksecuritygroups":
		return []string{"securityRules"}
	case "microsoft.network/routetables":
		return []string{"routes"}
	}
	return nil
}
