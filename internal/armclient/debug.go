package armclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/secret"
)

// Redacted replaces secrets in the debug log.
const Redacted = secret.Mask

// debugLog is a pipeline policy that writes every attempt of every request and its answer:
// method, URL, status, duration, headers and JSON bodies, with the Authorization header, keys
// and the properties the catalogue marks secret or write-only redacted. It is a per-retry
// policy, so retries show as attempts of their own.
type debugLog struct {
	mu     sync.Mutex
	w      io.Writer
	redact *redactor
}

func (d *debugLog) Do(req *policy.Request) (*http.Response, error) {
	raw := req.Raw()
	var reqBody []byte
	if body := req.Body(); body != nil {
		reqBody, _ = io.ReadAll(body)
		if err := req.RewindBody(); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	resp, err := req.Next()
	took := time.Since(start)

	var b strings.Builder
	fmt.Fprintf(&b, "--> %s %s\n", raw.Method, raw.URL.String())
	writeHeaders(&b, raw.Header)
	if len(reqBody) > 0 {
		fmt.Fprintf(&b, "    %s\n", d.redact.body(raw.Context(), raw.URL.Path, raw.URL.Query().Get("api-version"), reqBody))
	}
	switch {
	case err != nil:
		fmt.Fprintf(&b, "<-- error after %v: %v\n", took.Round(time.Millisecond), err)
	default:
		fmt.Fprintf(&b, "<-- %s (%v)\n", resp.Status, took.Round(time.Millisecond))
		writeHeaders(&b, resp.Header)
		if resp.Body != nil {
			data, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			resp.Body = io.NopCloser(bytes.NewReader(data))
			if rerr == nil && len(data) > 0 {
				fmt.Fprintf(&b, "    %s\n", d.redact.body(raw.Context(), raw.URL.Path, raw.URL.Query().Get("api-version"), data))
			}
		}
	}
	d.mu.Lock()
	io.WriteString(d.w, b.String())
	d.mu.Unlock()
	return resp, err
}

func writeHeaders(b *strings.Builder, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.Join(h[k], ", ")
		if secretHeader(k) {
			v = Redacted
		}
		fmt.Fprintf(b, "    %s: %s\n", k, v)
	}
}

func secretHeader(name string) bool {
	l := strings.ToLower(name)
	return l == "authorization" || l == "cookie" || l == "set-cookie" || strings.Contains(l, "key") || strings.Contains(l, "token") || strings.Contains(l, "signature")
}

// redactor hides secrets in JSON bodies with gru's one secret rule (package secret), using the
// schema of the URL's type: of the resource, of a collection's items, or of the resource an
// action is called on.
type redactor struct {
	catalog *catalog.Catalog
}

func newRedactor(c *catalog.Catalog) *redactor { return &redactor{catalog: c} }

func (r *redactor) body(ctx context.Context, path, version string, data []byte) string {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		if len(data) > 200 {
			return fmt.Sprintf("(%d bytes, not JSON, not shown)", len(data))
		}
		return strings.TrimSpace(string(data))
	}
	schema, collection := r.schemaOf(ctx, path, version)
	if m, ok := v.(map[string]any); ok && collection {
		if items, ok := m["value"].([]any); ok {
			out := make(map[string]any, len(m))
			for k, val := range m {
				out[k] = val
			}
			out["value"] = secret.Redact(items, &catalog.Type{Kind: catalog.KindArray, Items: schema})
			v = out
			schema = nil
		}
	}
	out, _ := json.Marshal(secret.Redact(v, schema))
	return string(out)
}

// schemaOf finds the body schema of a URL path at an API version (the default version's when
// gru does not hold that one): a resource's, or the items' of a collection (collection true),
// nil when the catalogue has no such type.
func (r *redactor) schemaOf(ctx context.Context, path, version string) (*catalog.Type, bool) {
	collection := false
	id, err := armid.Parse(path)
	if err != nil {
		if id, err = armid.Parse(strings.TrimSuffix(path, "/") + "/_"); err != nil {
			return nil, false
		}
		collection = true
	}
	t, ok := r.catalog.Find(id.ResourceType())
	if !ok && id.Parent != nil {
		// An action such as .../listKeys: the resource it is called on.
		t, ok = r.catalog.Find(id.Parent.ResourceType())
		collection = false
	}
	if !ok {
		return nil, collection
	}
	res, err := r.catalog.Schema(ctx, t, version)
	if err != nil {
		if res, err = r.catalog.Schema(ctx, t, ""); err != nil {
			return nil, collection
		}
	}
	return res.Body, collection
}
