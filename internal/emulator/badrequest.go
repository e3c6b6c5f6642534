package emulator

import (
	"net/http"
	"net/url"
)

// Requests that net/http refuses before the emulator sees them get net/http's own plain-text
// answer, not an ARM error body: a request line that does not parse (a path with an invalid
// escape such as %zz, a control character), malformed or oversized headers (400, 431), an
// unknown Transfer-Encoding (501), an unsupported Expect header (417). Azure's front door
// answers such requests with a page of HTML, not JSON, either. Every request that reaches the
// handler and is refused gets an ARM error body.

// checkQuery refuses a query string that does not parse (an invalid escape, a semicolon), which
// url.Values would otherwise drop without a word.
func checkQuery(r *http.Request) error {
	if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
		return newError(http.StatusBadRequest, "BadRequest", "The query string of the request is malformed: %v.", err)
	}
	return nil
}
