package emulator

import "strings"

// This file is the one place for behaviour that differs between resource providers. Each
// entry says why it is needed; the tests driving Microsoft's SDK clients fail without it.

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
	switch strings.ToLower(armType) {
	case "microsoft.storage/storageaccounts":
		// The storage provider's spec (and so armstorage's AccountsClient.BeginCreate)
		// allows only 200 and 202 for a create.
		return putStyle{createdStatus: 200, accepted: true}
	}
	return putStyle{createdStatus: 201}
}
