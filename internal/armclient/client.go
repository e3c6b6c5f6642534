// Package armclient is gru's Azure Resource Manager client: generic operations on any resource
// ID (get, create-or-update and wait, update, delete and wait, list with paging), built on
// Microsoft's azcore pipeline. gru's own concerns (pacing under ARM's rate limits, a debug log
// with secrets redacted) are policies of that pipeline; retries with Retry-After, bearer tokens
// and long-running-operation polling are azcore's.
//
// It knows ARM's protocol and nothing of projects or of the engine. It talks to Azure and to
// gru's emulator alike.
package armclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unsafe"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/tidwall/gjson"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
)

// DefaultEndpoint is Azure's public Resource Manager endpoint.
const DefaultEndpoint = "https://management.azure.com"

// Options configure a client. Zero values are the documented defaults.
type Options struct {
	// Endpoint is the Resource Manager endpoint (default DefaultEndpoint).
	Endpoint string
	// Credential gets bearer tokens (required).
	Credential azcore.TokenCredential
	// Subscription is the subscription that relative operations work in.
	Subscription string
	// InsecureHTTP lets bearer tokens travel over plain HTTP: only for an emulator on loopback.
	InsecureHTTP bool
	// Transport sends requests (default: azcore's HTTP client).
	Transport policy.Transporter
	// RootCAs are the certificate authorities the default transport trusts (default: the
	// system's), e.g. the system's and an emulator's own certificate.
	RootCAs *x509.CertPool
	// Catalog gives each type's default API version and which properties are secret
	// (default: the embedded catalogue).
	Catalog *catalog.Catalog
	// Debug, when set, receives a log of every request and response, secrets redacted.
	Debug io.Writer
	// Retry bounds retries of throttled, failed and dropped requests
	// (default: 8 retries, 1s to 60s apart, honouring Retry-After).
	Retry policy.RetryOptions
	// Limits are the request rates the client paces itself to (default: ARMLimits).
	Limits *Limits
	// PollFrequency is how often a long-running operation is polled when ARM says nothing
	// (default 2s; ARM's Retry-After wins).
	PollFrequency time.Duration
	// Unreachable says when to stop trying an endpoint that answers nothing at all.
	Unreachable Unreachable
	// ResponseTimeout bounds the wait for an answer's headers (default: a minute); it applies
	// to the default transport only.
	ResponseTimeout time.Duration
}

// Client performs ARM operations. It is safe for concurrent use.
type Client struct {
	pl       runtime.Pipeline
	endpoint string
	sub      string
	catalog  *catalog.Catalog
	pollFreq time.Duration
	pacer    *pacer
}

// New builds a client.
func New(opts Options) (*Client, error) {
	if opts.Credential == nil {
		return nil, errors.New("armclient: a credential is required")
	}
	if opts.Endpoint == "" {
		opts.Endpoint = DefaultEndpoint
	}
	opts.Endpoint = strings.TrimSuffix(opts.Endpoint, "/")
	if opts.Catalog == nil {
		c, err := catalog.Open(catalog.Options{})
		if err != nil {
			return nil, err
		}
		opts.Catalog = c
	}
	if opts.Retry.MaxRetries == 0 {
		opts.Retry.MaxRetries = 8
	}
	if opts.Retry.RetryDelay == 0 {
		opts.Retry.RetryDelay = time.Second
	}
	if opts.Retry.MaxRetryDelay == 0 {
		opts.Retry.MaxRetryDelay = 60 * time.Second
	}
	if opts.PollFrequency == 0 {
		opts.PollFrequency = 2 * time.Second
	}
	limits := ARMLimits()
	if opts.Limits != nil {
		limits = *opts.Limits
	}
	if opts.Transport == nil {
		if opts.ResponseTimeout <= 0 {
			opts.ResponseTimeout = time.Minute
		}
		opts.Transport = defaultTransport(opts.ResponseTimeout, opts.RootCAs)
	}
	p := newPacer(limits)
	perRetry := []policy.Policy{newBreaker(opts.Endpoint, opts.Unreachable), p}
	if opts.Debug != nil {
		perRetry = append(perRetry, &debugLog{w: opts.Debug, redact: newRedactor(opts.Catalog)})
	}
	co := &arm.ClientOptions{
		ClientOptions: policy.ClientOptions{
			Cloud: cloud.Configuration{
				ActiveDirectoryAuthorityHost: cloud.AzurePublic.ActiveDirectoryAuthorityHost,
				Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
					cloud.ResourceManager: {Endpoint: opts.Endpoint, Audience: "https://management.core.windows.net/"},
				},
			},
			Retry:                           opts.Retry,
			Transport:                       opts.Transport,
			PerRetryPolicies:                perRetry,
			InsecureAllowCredentialWithHTTP: opts.InsecureHTTP,
			Telemetry:                       policy.TelemetryOptions{ApplicationID: "gru"},
		},
		DisableRPRegistration: true,
	}
	ac, err := arm.NewClient("gru", "v0.1.0", opts.Credential, co)
	if err != nil {
		return nil, fmt.Errorf("building the ARM client: %w", err)
	}
	return &Client{pl: ac.Pipeline(), endpoint: opts.Endpoint, sub: opts.Subscription, catalog: opts.Catalog, pollFreq: opts.PollFrequency, pacer: p}, nil
}

// Subscription is the client's subscription.
func (c *Client) Subscription() string { return c.sub }

// Resource is a resource as ARM returns it.
type Resource = map[string]any

// Field returns a top-level string property of a resource (id, name, type, location).
func Field(r Resource, key string) string { s, _ := r[key].(string); return s }

// apiVersion settles the API version of a call: the caller's, else the type's default.
func (c *Client) apiVersion(id, version string) (string, error) {
	if version != "" {
		return version, nil
	}
	parsed, err := armid.Parse(id)
	if err != nil {
		probe, perr := armid.Parse(strings.TrimSuffix(id, "/") + "/_") // a collection
		if perr != nil {
			return "", err
		}
		parsed = probe
	}
	t, ok := c.catalog.Find(parsed.ResourceType())
	if !ok {
		return "", fmt.Errorf("%s: the catalogue has no type %s: give an API version", id, parsed.ResourceType())
	}
	return t.DefaultVersion, nil
}

func (c *Client) newRequest(ctx context.Context, method, path, version string, query url.Values) (*policy.Request, error) {
	u := c.endpoint + armid.ARMPath(path) // a nameless singleton's path has no name
	req, err := runtime.NewRequest(ctx, method, u)
	if err != nil {
		return nil, err
	}
	q := req.Raw().URL.Query()
	for k, vs := range query {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	q.Set("api-version", version)
	req.Raw().URL.RawQuery = q.Encode()
	req.Raw().Header.Set("Accept", "application/json")
	return req, nil
}

// Get reads a resource. version "" is the type's default API version.
func (c *Client) Get(ctx context.Context, id, version string) (Resource, error) {
	version, err := c.apiVersion(id, version)
	if err != nil {
		return nil, err
	}
	req, err := c.newRequest(ctx, http.MethodGet, id, version, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.pl.Do(req)
	if err != nil {
		return nil, wrap(http.MethodGet, id, err)
	}
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		return nil, decodeError(http.MethodGet, id, resp)
	}
	res, err := decodeResource(resp)
	return identify(id, res), err
}

// identify gives a nameless singleton's answer (a connection's shared key: {"value": ...})
// the ID, name and type gru knows it by; any other answer is returned as it is.
func identify(id string, res Resource) Resource {
	if !armid.MaybeNameless(id) {
		return res
	}
	p, err := armid.Parse(id)
	if err != nil || !armid.Nameless(p) || res == nil {
		return res
	}
	res["id"], res["name"] = p.String(), p.Name
	if t, ok := res["type"].(string); !ok || t == "" {
		res["type"] = p.ResourceType()
	}
	return res
}

// Put creates or updates a resource and waits for its long-running operation, if any, to end.
func (c *Client) Put(ctx context.Context, id, version string, body any) (Resource, error) {
	return c.write(ctx, http.MethodPut, id, version, body)
}

// Patch updates a resource with a partial body and waits for it.
func (c *Client) Patch(ctx context.Context, id, version string, body any) (Resource, error) {
	return c.write(ctx, http.MethodPatch, id, version, body)
}

func (c *Client) write(ctx context.Context, method, id, version string, body any) (Resource, error) {
	version, err := c.apiVersion(id, version)
	if err != nil {
		return nil, err
	}
	req, err := c.newRequest(ctx, method, id, version, nil)
	if err != nil {
		return nil, err
	}
	if err := runtime.MarshalAsJSON(req, body); err != nil {
		return nil, fmt.Errorf("%s %s: encoding the body: %w", method, id, err)
	}
	resp, err := c.pl.Do(req)
	if err != nil {
		return nil, wrap(method, id, err)
	}
	if !runtime.HasStatusCode(resp, http.StatusOK, http.StatusCreated, http.StatusAccepted) {
		return nil, decodeError(method, id, resp)
	}
	if !isLongRunning(resp) {
		if resp.StatusCode == http.StatusAccepted {
			return nil, nil
		}
		res, err := decodeResource(resp)
		return identify(id, res), err
	}
	poller, err := runtime.NewPoller[Resource](resp, c.pl, &runtime.NewPollerOptions[Resource]{FinalStateVia: runtime.FinalStateViaAzureAsyncOp})
	if err != nil {
		return nil, wrap(method, id, err)
	}
	res, err := poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: c.pollFreq})
	if err != nil {
		return nil, wrap(method, id, err)
	}
	if len(res) == 0 {
		// Some providers end the operation without the resource: read it.
		return c.Get(ctx, id, version)
	}
	return identify(id, res), nil
}

// defaultTransport is azcore's default HTTP client with bounds on the silences it waits
// through: a connection within 10 s, a TLS handshake within 10 s, response headers within
// the response timeout (ARM answers long operations at once, with a URL to poll).
func defaultTransport(responseTimeout time.Duration, roots *x509.CertPool) *http.Client {
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: responseTimeout,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, Renegotiation: tls.RenegotiateFreelyAsClient, RootCAs: roots},
	}
	return &http.Client{Transport: t}
}

func isLongRunning(resp *http.Response) bool {
	if resp.Header.Get("Azure-AsyncOperation") != "" || resp.Header.Get("Operation-Location") != "" {
		return true
	}
	return resp.StatusCode == http.StatusAccepted && resp.Header.Get("Location") != ""
}

// Delete deletes a resource and waits for the deletion to end. Deleting what does not exist
// is not an error (ARM answers 204).
func (c *Client) Delete(ctx context.Context, id, version string) error {
	if armid.MaybeNameless(id) {
		if p, err := armid.Parse(id); err == nil && armid.Nameless(p) {
			return nil // ARM deletes it with its parent (a connection's shared key has no DELETE)
		}
	}
	version, err := c.apiVersion(id, version)
	if err != nil {
		return err
	}
	req, err := c.newRequest(ctx, http.MethodDelete, id, version, nil)
	if err != nil {
		return err
	}
	resp, err := c.pl.Do(req)
	if err != nil {
		return wrap(http.MethodDelete, id, err)
	}
	switch {
	case resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotFound:
		return nil
	case !runtime.HasStatusCode(resp, http.StatusOK, http.StatusAccepted):
		return decodeError(http.MethodDelete, id, resp)
	case !isLongRunning(resp):
		return nil
	}
	poller, err := runtime.NewPoller[Resource](resp, c.pl, nil)
	if err != nil {
		return wrap(http.MethodDelete, id, err)
	}
	_, err = poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: c.pollFreq})
	return wrap(http.MethodDelete, id, err)
}

// Post calls a resource action (listKeys, ...). It is never retried: an action may not be
// idempotent.
func (c *Client) Post(ctx context.Context, id, action, version string, body any) (Resource, error) {
	version, err := c.apiVersion(id, version)
	if err != nil {
		return nil, err
	}
	path := strings.TrimSuffix(id, "/") + "/" + action
	req, err := c.newRequest(policy.WithRetryOptions(ctx, policy.RetryOptions{MaxRetries: -1}), http.MethodPost, path, version, nil)
	if err != nil {
		return nil, err
	}
	if body != nil {
		if err := runtime.MarshalAsJSON(req, body); err != nil {
			return nil, err
		}
	}
	resp, err := c.pl.Do(req)
	if err != nil {
		return nil, wrap(http.MethodPost, path, err)
	}
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		return nil, decodeError(http.MethodPost, path, resp)
	}
	return decodeResource(resp)
}

// List reads every resource of a collection path (such as
// /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts),
// following nextLink. query adds parameters such as $filter.
func (c *Client) List(ctx context.Context, collection, version string, query url.Values) ([]Resource, error) {
	var out []Resource
	err := c.ListEach(ctx, collection, version, query, func(r Resource) { out = append(out, r) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListEach lists a collection as List does, giving each item to each as it is decoded: pages
// are read as they arrive, never held whole, so that what each keeps of an item is all that
// stays in memory.
func (c *Client) ListEach(ctx context.Context, collection, version string, query url.Values, each func(Resource)) error {
	if one, err := armid.Parse(strings.TrimSuffix(collection, "/") + "/default"); err == nil && armid.Nameless(one) {
		// A nameless singleton's "collection" is the singleton itself.
		res, err := c.Get(ctx, one.String(), version)
		if err != nil {
			return err
		}
		each(res)
		return nil
	}
	return listPages(ctx, c, collection, version, query, each)
}

// ListEachDecoded lists as ListEach does, making each item from its JSON text with decode (a
// reader that leaves out what the caller never reads, say) rather than decoding it whole. The
// text is valid JSON (each page is checked whole): decode need not check it again.
func (c *Client) ListEachDecoded(ctx context.Context, collection, version string, query url.Values, decode func(text string) (Resource, error), each func(Resource)) error {
	if one, err := armid.Parse(strings.TrimSuffix(collection, "/") + "/default"); err == nil && armid.Nameless(one) {
		res, err := c.Get(ctx, one.String(), version)
		if err != nil || res == nil {
			return err // nil: an empty answer, nothing to list
		}
		text, err := json.Marshal(res)
		if err != nil {
			return err
		}
		if res, err = decode(string(text)); err != nil {
			return fmt.Errorf("GET %s: %w", one, err)
		}
		each(res)
		return nil
	}
	return pages(ctx, c, collection, version, query, func(body io.Reader, size int64) (string, error) {
		return readTextPage(body, size, decode, each)
	})
}

// readTextPage reads a list page, {"value": [...], "nextLink": "..."}, whole (size bytes, when
// known) and gives each item's JSON text to decode, what it makes to each; it returns the next
// link. Other keys are skipped; a null value is an empty page.
func readTextPage(body io.Reader, size int64, decode func(text string) (Resource, error), each func(Resource)) (string, error) {
	var buf bytes.Buffer
	if size > 0 && size < maxPresize {
		buf.Grow(int(size) + bytes.MinRead) // one allocation of the page's size
	}
	if _, err := buf.ReadFrom(body); err != nil {
		return "", err
	}
	// The page's bytes are not written again, and what decode makes of it holds copies:
	// read as a string without a copy of its own.
	page := unsafe.String(unsafe.SliceData(buf.Bytes()), buf.Len())
	if !gjson.Valid(page) || !gjson.Parse(page).IsObject() {
		return "", errors.New("the page is not a JSON object")
	}
	value := gjson.Get(page, "value")
	if value.Exists() && value.Type != gjson.Null && !value.IsArray() {
		return "", fmt.Errorf("value is %s, not an array", value.Raw)
	}
	if !value.IsArray() {
		value = gjson.Result{} // absent or null: no items
	}
	var failed error
	value.ForEach(func(_, item gjson.Result) bool {
		res, err := decode(item.Raw)
		if err != nil {
			failed = err
			return false
		}
		each(res)
		return true
	})
	if failed != nil {
		return "", failed
	}
	link := gjson.Get(page, "nextLink")
	if link.Exists() && link.Type != gjson.Null && link.Type != gjson.String {
		return "", fmt.Errorf("nextLink is %s, not a string", link.Raw)
	}
	return strings.Clone(link.Str), nil
}

// listPages lists a collection page by page, decoding each item into a T for each.
func listPages[T any](ctx context.Context, c *Client, collection, version string, query url.Values, each func(T)) error {
	return pages(ctx, c, collection, version, query, func(body io.Reader, _ int64) (string, error) { return decodePage(body, each) })
}

// maxPresize bounds the buffer made at the size a page announces.
const maxPresize = 64 << 20

// pages requests a collection page by page, giving each page's body and announced size (-1
// when unknown) to read, which returns the page's next link ("" on the last).
func pages(ctx context.Context, c *Client, collection, version string, query url.Values, read func(body io.Reader, size int64) (next string, err error)) error {
	version, err := c.apiVersion(collection, version)
	if err != nil {
		return err
	}
	req, err := c.newRequest(ctx, http.MethodGet, collection, version, query)
	if err != nil {
		return err
	}
	for page := 1; ; page++ {
		runtime.SkipBodyDownload(req)
		resp, err := c.pl.Do(req)
		if err != nil {
			return wrap(http.MethodGet, collection, err)
		}
		if !runtime.HasStatusCode(resp, http.StatusOK) {
			err := decodeError(http.MethodGet, collection, resp)
			resp.Body.Close()
			return err
		}
		next, err := read(resp.Body, resp.ContentLength)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("GET %s: decoding page %d: %w", collection, page, err)
		}
		if next == "" {
			return nil
		}
		if req, err = runtime.NewRequest(ctx, http.MethodGet, next); err != nil {
			return err
		}
	}
}

// decodePage reads a list page, {"value": [...], "nextLink": "..."}, item by item, and returns
// its next link. Other keys are skipped; a null value is an empty page.
func decodePage[T any](r io.Reader, each func(T)) (next string, err error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return "", err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		switch key, _ := tok.(string); key {
		case "value":
			if tok, err = dec.Token(); err != nil {
				return "", err
			}
			if tok == nil {
				continue
			}
			if d, ok := tok.(json.Delim); !ok || d != '[' {
				return "", fmt.Errorf("value is %v, not an array", tok)
			}
			for dec.More() {
				var item T
				if err := dec.Decode(&item); err != nil {
					return "", err
				}
				each(item)
			}
			if _, err := dec.Token(); err != nil { // ]
				return "", err
			}
		case "nextLink":
			var link *string
			if err := dec.Decode(&link); err != nil {
				return "", fmt.Errorf("nextLink: %w", err)
			}
			if link != nil {
				next = *link
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", err
			}
		}
	}
	return next, expectDelim(dec, '}')
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("found %v where %q was expected", tok, want)
	}
	return nil
}

// resourcesVersion is the API version of the Microsoft.Resources lists.
const resourcesVersion = "2021-04-01"

// ListResourceGroups lists the resource groups of the client's subscription.
func (c *Client) ListResourceGroups(ctx context.Context) ([]Resource, error) {
	return c.List(ctx, "/subscriptions/"+c.sub+"/resourcegroups", resourcesVersion, nil)
}

// ListResources lists the top-level resources of the subscription, or of one resource group,
// with an optional ARM $filter (resourceType eq '...', tagName eq '...' and tagValue eq '...').
func (c *Client) ListResources(ctx context.Context, resourceGroup, filter string) ([]Resource, error) {
	var out []Resource
	if err := listPages(ctx, c, c.resourcesPath(resourceGroup), resourcesVersion, resourcesQuery(filter), func(r Resource) { out = append(out, r) }); err != nil {
		return nil, err
	}
	return out, nil
}

// Header is what a list of resources says of each that deciding ownership needs: its ID, its
// type and its tags.
type Header struct {
	ID   string            `json:"id"`
	Type string            `json:"type"`
	Tags map[string]string `json:"tags"`
}

// ListResourcesEach is ListResources giving each item's header to each as it is read (see
// ListEach): a subscription's resources by the thousand, decoded no further.
func (c *Client) ListResourcesEach(ctx context.Context, resourceGroup, filter string, each func(Header)) error {
	return listPages(ctx, c, c.resourcesPath(resourceGroup), resourcesVersion, resourcesQuery(filter), each)
}

// resourcesPath is the /resources list of the subscription, or of one of its resource groups.
func (c *Client) resourcesPath(resourceGroup string) string {
	if resourceGroup != "" {
		return "/subscriptions/" + c.sub + "/resourceGroups/" + url.PathEscape(resourceGroup) + "/resources"
	}
	return "/subscriptions/" + c.sub + "/resources"
}

func resourcesQuery(filter string) url.Values {
	if filter == "" {
		return nil
	}
	return url.Values{"$filter": {filter}}
}

func decodeResource(resp *http.Response) (Resource, error) {
	data, err := runtime.Payload(resp)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	var r Resource
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s %s: the answer is not a JSON object: %w", resp.Request.Method, resp.Request.URL.Path, err)
	}
	return r, nil
}
