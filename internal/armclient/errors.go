package armclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Error is an error answered by ARM, decoded from {"error":{"code","message","target","details"}}.
type Error struct {
	Method     string
	Path       string
	StatusCode int
	Code       string
	Message    string
	Target     string
	Details    []Detail
	RequestID  string
}

// Detail is one entry of an ARM error's details.
type Detail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Target  string `json:"target,omitempty"`
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.StatusCode < 300 {
		// A long-running operation that ended in failure (its status was read fine).
		fmt.Fprintf(&b, "%s %s: the operation failed: %s: %s", e.Method, e.Path, e.Code, e.Message)
	} else {
		fmt.Fprintf(&b, "%s %s: %d %s: %s", e.Method, e.Path, e.StatusCode, e.Code, e.Message)
	}
	if e.Target != "" && !strings.Contains(e.Message, e.Target) {
		fmt.Fprintf(&b, " (target %s)", e.Target)
	}
	for _, d := range e.Details {
		if d.Message != e.Message {
			fmt.Fprintf(&b, "; %s", d.Message)
		}
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request id %s]", e.RequestID)
	}
	return b.String()
}

// IsCode reports whether err is an ARM error with one of the codes (compared case-insensitively).
func IsCode(err error, codes ...string) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range codes {
		if strings.EqualFold(e.Code, c) {
			return true
		}
	}
	return false
}

// IsInUse reports an ARM refusal to delete a resource that another one still uses
// (InUseSubnetCannotBeDeleted, NicInUse, ResourceInUse, ...).
func IsInUse(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	c := strings.ToLower(e.Code)
	return strings.Contains(c, "inuse") || c == "cannotdeleteresource"
}

// IsBusy reports an ARM refusal because another operation on the resource is in progress.
func IsBusy(err error) bool { return IsCode(err, "AnotherOperationInProgress", "OperationNotAllowed") }

// IsNotFound reports a 404 of any code (ResourceNotFound, ResourceGroupNotFound, ...).
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound
}

// decodeError turns an unexpected answer into an *Error.
func decodeError(method, path string, resp *http.Response) error {
	e := &Error{Method: method, Path: path, StatusCode: resp.StatusCode, RequestID: resp.Header.Get("x-ms-request-id")}
	var body struct {
		Error struct {
			Code    string   `json:"code"`
			Message string   `json:"message"`
			Target  string   `json:"target"`
			Details []Detail `json:"details"`
		} `json:"error"`
	}
	data, _ := runtime.Payload(resp)
	if json.Unmarshal(data, &body) == nil && body.Error.Code != "" {
		e.Code, e.Message, e.Target, e.Details = body.Error.Code, body.Error.Message, body.Error.Target, body.Error.Details
	} else {
		e.Code = http.StatusText(resp.StatusCode)
		e.Message = strings.TrimSpace(string(data))
		if len(e.Message) > 300 {
			e.Message = e.Message[:300] + "..."
		}
		if e.Message == "" {
			e.Message = "no error body"
		}
	}
	return e
}

// wrap gives errors from azcore (a failed long-running operation, a transport failure) the
// operation's context, decoding ARM errors where there is a response.
func wrap(method, path string, err error) error {
	if err == nil {
		return nil
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.RawResponse != nil {
		decoded := decodeError(method, path, re.RawResponse).(*Error)
		if decoded.Code == http.StatusText(re.StatusCode) && re.ErrorCode != "" {
			decoded.Code = re.ErrorCode
		}
		return decoded
	}
	return fmt.Errorf("%s %s: %w", method, path, err)
}
