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
)

// Redacted replaces secrets in the debug log.
const Redacted = "REDACTED"

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
		fmt.Fprintf(&b, "    %s\n", d.redact.body(raw.Context(), raw.URL.Path, reqBody))
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
				fmt.Fprintf(&b, "    %s\n", d.redact.body(raw.Context(), raw.URL.Path, data))
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

// redactor hides secrets in JSON bodies: properties the catalogue marks sensitive or
// write-only for the type of the URL, and everywhere the properties whose names say they hold
// one (password, secret, key values, connection strings, tokens).
type redactor struct {
	catalog *catalog.Catalog
}

func newRedactor(c *catalog.Catalog) *redactor { return &redactor{catalog: c} }

func (r *redactor) body(ctx context.Context, path string, data []byte) string {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		if len(data) > 200 {
			return fmt.Sprintf("(%d bytes, not JSON, not shown)", len(data))
		}
		return strings.TrimSpace(string(data))
	}
	var schema *catalog.Type
	if id, err := armid.Parse(path); err == nil {
		if t, ok := r.catalog.Find(id.ResourceType()); ok {
			if res, err := r.catalog.Schema(ctx, t, ""); err == nil {
				schema = res.Body
			}
		}
	}
	out, _ := json.Marshal(redactValue(v, schema, ""))
	return string(out)
}

func redactValue(v any, t *catalog.Type, key string) any {
	if secretName(key) || t != nil && t.Sensitive {
		if _, isObj := v.(map[string]any); !isObj {
			return Redacted
		}
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			var child *catalog.Type
			secret := false
			if t != nil {
				if p := t.Property(k); p != nil {
					child = p.Type
					secret = p.Flags.Has(catalog.FlagWriteOnly) || p.Type.Sensitive
				} else if t.AdditionalProperties != nil {
					child = t.AdditionalProperties
				}
			}
			if secret {
				out[k] = Redacted
				continue
			}
			out[k] = redactValue(val, child, k)
		}
		// A key listing ({"keyName":"key1","value":"..."}) keeps its name, never its value.
		if _, named := x["keyName"]; named {
			if _, has := out["value"]; has {
				out["value"] = Redacted
			}
		}
		return out
	case []any:
		var item *catalog.Type
		if t != nil && t.Kind == catalog.KindArray {
			item = t.Items
		}
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = redactValue(val, item, key)
		}
		return out
	}
	return v
}

// secretName reports property names that hold secrets in ARM bodies.
func secretName(key string) bool {
	l := strings.ToLower(key)
	for _, s := range []string{"password", "secret", "connectionstring", "accesskey", "primarykey", "secondarykey", "sastoken", "accounttoken", "privatekey", "sharedkey"} {
		if strings.Contains(l, s) {
			return true
		}
	}
	return l == "key" || l == "token"
}
