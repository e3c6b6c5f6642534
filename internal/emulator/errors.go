package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// armError is an error as ARM writes it: {"error":{"code","message","target","details"}}.
type armError struct {
	status  int
	Code    string     `json:"code"`
	Message string     `json:"message"`
	Target  string     `json:"target,omitempty"`
	Details []armError `json:"details,omitempty"`
}

func (e *armError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.Code, e.Message) }

func newError(status int, code, format string, args ...any) *armError {
	return &armError{status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, e *armError) {
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"`)
	}
	w.Header().Set("x-ms-failure-cause", "gateway")
	writeJSON(w, e.status, map[string]any{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"error":{"code":"InternalServerError","message":"the emulator could not encode its answer"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(data)
}
