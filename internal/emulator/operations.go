package emulator

import (
	"net/http"
	"strings"
	"time"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/armops"
)

// How the emulator answers each operation comes from Microsoft's REST API specs (the armops
// table): synchronous where the spec is, 200, 201, 202 or 204 as declared, Location or
// Azure-AsyncOperation per final-state-via. Where the table has nothing for a type, ARM's
// usual answers are given.

// answer is how a write is answered.
type answer struct {
	// async: the operation goes on after the answer, which says where to poll it.
	async  bool
	status int
	// location: the answer has a Location header (always with 202); asyncOperation: an
	// Azure-AsyncOperation header.
	location, asyncOperation bool
}

// body: the answer carries the resource (202 Accepted carries nothing).
func (a answer) body() bool { return a.status != http.StatusAccepted }

// putAnswer is how a PUT that creates (or updates) a resource is answered; latency is how long
// provisioning takes (0: at once).
func (e *Emulator) putAnswer(r *request, id *armid.ID, armType string, create bool, latency time.Duration) answer {
	op, ok := e.ops.Resource(armType, r.apiVersion, http.MethodPut, id.Name, "")
	if !ok {
		// ARM's usual answer: 201 Created (200 for an update), with Azure-AsyncOperation
		// when provisioning takes time.
		status := http.StatusOK
		if create || latency > 0 {
			status = http.StatusCreated
		}
		return answer{async: latency > 0, status: status, asyncOperation: latency > 0}
	}
	if latency <= 0 || !op.Async() {
		if create {
			return answer{status: op.Status(http.StatusCreated, http.StatusOK)}
		}
		return answer{status: op.Status(http.StatusOK, http.StatusCreated)}
	}
	status := op.Status(http.StatusCreated, http.StatusAccepted, http.StatusOK)
	if !create {
		status = op.Status(http.StatusAccepted, http.StatusOK, http.StatusCreated)
	}
	return asyncAnswer(op, status)
}

// deleteAnswer is how a DELETE of a live resource is answered. A resource group's deletion
// is long-running even when quick, as in ARM.
func (e *Emulator) deleteAnswer(r *request, id *armid.ID, armType string, latency time.Duration) answer {
	op, ok := e.ops.Resource(armType, r.apiVersion, http.MethodDelete, id.Name, "")
	slow := latency > 0 || id.IsResourceGroup()
	if !ok {
		if !slow {
			return answer{status: http.StatusOK}
		}
		return answer{async: true, status: http.StatusAccepted, location: true, asyncOperation: true}
	}
	if !slow || !op.Async() {
		return answer{status: op.Status(http.StatusOK, http.StatusNoContent)}
	}
	return asyncAnswer(op, op.Status(http.StatusAccepted, http.StatusOK, http.StatusCreated))
}

// goneAnswer is the status of a DELETE of a resource that does not exist.
func (e *Emulator) goneAnswer(r *request, id *armid.ID, armType string) int {
	if op, ok := e.ops.Resource(armType, r.apiVersion, http.MethodDelete, id.Name, ""); ok {
		return op.Status(http.StatusNoContent, http.StatusOK)
	}
	return http.StatusNoContent
}

// asyncAnswer: the headers of a long-running answer. 202 always says Location; the
// final-state-via of the spec says which header the client follows.
func asyncAnswer(op armops.Operation, status int) answer {
	a := answer{async: true, status: status}
	switch strings.ToLower(op.FinalStateVia) {
	case "location":
		a.location = true
	case "azure-async-operation", "original-uri":
		a.asyncOperation = true
		a.location = status == http.StatusAccepted
	default:
		a.asyncOperation = true
		a.location = status == http.StatusAccepted
	}
	return a
}

// transientState is how a type spells a provisioning state in progress (Creating, Updating,
// Deleting): as its own enum has it, or "" when the enum has no such state (the state
// shown stays the last one).
func (rt *resourceType) transientState(want string) string {
	schema := rt.schemaOrFallback()
	if schema == nil || schema.Body == nil {
		return want
	}
	props := schema.Body.Property("properties")
	if props == nil || props.Type == nil {
		return want
	}
	state := props.Type.Property("provisioningState")
	if state == nil || state.Type == nil {
		return want
	}
	values, open := state.Type.Literals()
	if len(values) == 0 {
		return want
	}
	for _, v := range values {
		if strings.EqualFold(v, want) {
			return v
		}
	}
	if strings.EqualFold(want, "Creating") {
		// Providers without a Creating state (Network) show Updating while they create.
		for _, v := range values {
			if strings.EqualFold(v, "Updating") {
				return v
			}
		}
	}
	if open {
		return want
	}
	return ""
}
