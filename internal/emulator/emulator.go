// Package emulator is gru's local Azure Resource Manager: an http.Handler that speaks the ARM
// protocol for every type of the catalogue (status codes, headers, error bodies, api-version
// checks, long-running operations as ARM's async protocol has them), validates bodies with the
// catalogue, and keeps its resources in SQLite.
//
// BlobHandler serves the data plane of the storage accounts it holds: Azure Blob Storage's REST
// API, path-style (/<account>/<container>/<blob>) as Azurite serves it, with Shared Key
// authorization, blobs kept in the same database (the blob*.go files).
//
// It owns the emulated cloud's behaviour; it knows nothing of gru's engine or projects.
// Behaviour specific to a resource type lives in behaviour.go, and only there.
package emulator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
)

// LocalSubscriptionID is the subscription of the local cloud.
const LocalSubscriptionID = "c0ffee00-0000-4000-8000-000000000001"

// LocalTenantID is the tenant of the local cloud.
const LocalTenantID = "c0ffee00-0000-4000-8000-0000000000a1"

// MaxBodyBytes is the largest request body the emulator reads, as ARM's limit.
const MaxBodyBytes = 4 << 20

// Options configure an emulator. The zero value is an in-memory emulator of the local
// subscription that takes any bearer token and answers at once.
type Options struct {
	// DBPath is the SQLite file; "" keeps everything in memory.
	DBPath string
	// Catalog is the type catalogue; nil opens the embedded one.
	Catalog *catalog.Catalog
	// Token, when set, is the only bearer token accepted.
	Token string
	// Latency is how long a long-running operation takes (0: operations finish at once).
	// TypeLatency overrides it per ARM type (keys compared case-insensitively).
	Latency     time.Duration
	TypeLatency map[string]time.Duration
	// Subscriptions are the subscriptions that exist; empty means LocalSubscriptionID alone.
	Subscriptions []string
	// PageSize is how many items a list returns before a nextLink (default 100);
	// ResourcesPageSize how many /resources returns (default 1000, as ARM's).
	PageSize, ResourcesPageSize int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Throttle, when set, limits requests per subscription as ARM does (see ARMThrottle).
	Throttle *Throttle
	// FaultRate is the share of requests that get an injected fault (a 500, a 503, a dropped
	// connection before or after the request is handled, a failed long-running operation),
	// drawn from Seed so that a drill can be replayed.
	FaultRate float64
	Seed      uint64
	// BlobEndpoint is the base URL where BlobHandler is served (http://127.0.0.1:41234): the
	// storage accounts' properties.primaryEndpoints.blob then show <BlobEndpoint>/<account>/,
	// where Microsoft's blob SDKs reach them, rather than Azure's address.
	BlobEndpoint string
}

// RealisticLatencies are how long some slow types take in Azure, roughly: the emulator's
// default when it serves gru's local cloud (tests use none).
func RealisticLatencies() map[string]time.Duration {
	return map[string]time.Duration{
		"Microsoft.Storage/storageAccounts":  400 * time.Millisecond,
		"Microsoft.Network/privateEndpoints": 600 * time.Millisecond,
		"Microsoft.Network/virtualNetworks":  200 * time.Millisecond,
		"Microsoft.Resources/resourceGroups": 300 * time.Millisecond,
	}
}

// Emulator serves ARM. It is safe for concurrent use.
type Emulator struct {
	opts    Options
	store   *store
	catalog *catalog.Catalog
	ops     *lazyOps // how the specs declare each operation
	// inline serialises the writes that read and rewrite lists in other resources' bodies (a
	// network's subnets, an account's private endpoint connections), so that concurrent
	// writes do not lose each other's entries.
	inline  sync.Mutex
	subs    map[string]string // lower-cased ID -> ID
	limiter *limiter          // nil without a throttle
	faults  *faults           // nil without faults
	// injected counts the faults injected, by kind.
	injected [faultFailOperation + 1]atomic.Int64
	// lastETag is the last ETag the blob service gave (a FILETIME).
	lastETag atomic.Int64
}

// InjectedFaults counts the faults injected so far, by kind.
func (e *Emulator) InjectedFaults() map[string]int64 {
	return map[string]int64{
		"500": e.injected[fault500].Load(), "503": e.injected[fault503].Load(),
		"drop-before": e.injected[faultDropBefore].Load(), "drop-after": e.injected[faultDropAfter].Load(),
		"failed-operation": e.injected[faultFailOperation].Load(),
	}
}

// New opens the emulator's database and returns the emulator.
func New(ctx context.Context, opts Options) (*Emulator, error) {
	if opts.Catalog == nil {
		c, err := catalog.Open(catalog.Options{})
		if err != nil {
			return nil, err
		}
		opts.Catalog = c
	}
	if len(opts.Subscriptions) == 0 {
		opts.Subscriptions = []string{LocalSubscriptionID}
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.ResourcesPageSize <= 0 {
		opts.ResourcesPageSize = 1000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.BlobEndpoint = strings.TrimSuffix(opts.BlobEndpoint, "/")
	st, err := openStore(ctx, opts.DBPath, opts.Now)
	if err != nil {
		return nil, err
	}
	e := &Emulator{opts: opts, store: st, catalog: opts.Catalog, ops: &lazyOps{}, subs: map[string]string{}, faults: newFaults(opts.FaultRate, opts.Seed)}
	if opts.Throttle != nil {
		e.limiter = &limiter{cfg: *opts.Throttle, buckets: map[string]*bucketState{}}
	}
	for _, s := range opts.Subscriptions {
		e.subs[strings.ToLower(s)] = s
	}
	if err := e.seedBuiltIns(ctx); err != nil {
		st.close()
		return nil, err
	}
	return e, nil
}

// seedBuiltIns writes what Azure provides in every subscription: the built-in role
// definitions (not top-level resources: /resources does not list them).
func (e *Emulator) seedBuiltIns(ctx context.Context) error {
	var recs []*record
	for _, sub := range e.opts.Subscriptions {
		// Written once per database: a run that only reads (a plan) writes nothing.
		roles := builtInRoles()
		have, err := e.store.ofType(ctx, strings.ToLower(sub), "microsoft.authorization/roledefinitions", "", len(roles)+1000, e.opts.Now())
		if err != nil {
			return err
		}
		present := map[string]bool{}
		for _, rec := range have {
			present[lastName(rec.Key)] = true
		}
		for guid, name := range roles {
			if present[guid] {
				continue
			}
			id := armid.Subscription(sub).Provider("Microsoft.Authorization", "roleDefinitions", guid)
			rec := newRecord(id, "2022-04-01")
			rec.TopLevel = false
			rec.setBody(map[string]any{
				"id": id.String(), "name": guid, "type": "Microsoft.Authorization/roleDefinitions",
				"properties": map[string]any{
					"roleName": name, "type": "BuiltInRole", "assignableScopes": []any{"/"},
					"description": "A built-in role of Azure, served by the gru emulator under its real ID; its permissions are not modelled.",
					"permissions": []any{},
				},
			})
			recs = append(recs, rec)
		}
	}
	if len(recs) == 0 {
		return nil
	}
	if err := e.store.put(ctx, nil, recs...); err != nil {
		return fmt.Errorf("writing the built-in role definitions: %w", err)
	}
	return nil
}

// Close closes the database.
func (e *Emulator) Close() error { return e.store.close() }

func (e *Emulator) latency(armType string) time.Duration {
	for t, d := range e.opts.TypeLatency {
		if strings.EqualFold(t, armType) {
			return d
		}
	}
	return e.opts.Latency
}

// request is what every handler needs of an incoming call.
type request struct {
	*http.Request
	w          http.ResponseWriter
	now        time.Time
	apiVersion string
	requestID  string
	// failOperation makes a long-running operation started by this request fail (a drill).
	failOperation bool
}

// ServeHTTP answers one ARM request.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &request{Request: r, w: w, now: e.opts.Now(), requestID: newID()}
	w.Header().Set("x-ms-request-id", req.requestID)
	w.Header().Set("x-ms-correlation-request-id", correlationID(r, req.requestID))
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			writeError(w, newError(http.StatusInternalServerError, "InternalServerError", "the emulator failed on this request (%v); the store is unchanged", v))
		}
	}()
	if err := e.authenticate(r); err != nil {
		e.answer(w, err)
		return
	}
	if err := e.throttle(req); err != nil {
		e.answer(w, err)
		return
	}
	fault := e.faults.draw(r.Method)
	e.injected[fault].Add(1)
	switch fault {
	case fault500:
		e.answer(w, newError(http.StatusInternalServerError, "InternalServerError", "An injected fault (--fault-rate): the request was not handled."))
		return
	case fault503:
		retryAfter(w, 200*time.Millisecond)
		e.answer(w, newError(http.StatusServiceUnavailable, "ServiceUnavailable", "An injected fault (--fault-rate): the service is unavailable; the request was not handled."))
		return
	case faultDropBefore:
		dropConnection(w)
		return
	case faultDropAfter:
		req.w = &lostAnswer{header: http.Header{}}
		e.answer(req.w, e.serve(req))
		dropConnection(w)
		return
	case faultFailOperation:
		req.failOperation = true
	}
	e.answer(w, e.serve(req))
}

// answer writes an error as ARM does; nil means the handler answered.
func (e *Emulator) answer(w http.ResponseWriter, err error) {
	if err == nil {
		return
	}
	var ae *armError
	if !errors.As(err, &ae) {
		ae = newError(http.StatusInternalServerError, "InternalServerError", "%v", err)
	}
	writeError(w, ae)
}

// lostAnswer takes an answer that the client will never see (its connection drops).
type lostAnswer struct{ header http.Header }

func (l *lostAnswer) Header() http.Header         { return l.header }
func (l *lostAnswer) Write(b []byte) (int, error) { return len(b), nil }
func (l *lostAnswer) WriteHeader(int)             {}

func correlationID(r *http.Request, fallback string) string {
	if c := r.Header.Get("x-ms-correlation-request-id"); c != "" && len(c) < 100 {
		return c
	}
	return fallback
}

func (e *Emulator) serve(r *request) error {
	if r.Body != nil {
		r.Body = http.MaxBytesReader(r.w, r.Body, MaxBodyBytes)
	}
	raw := r.URL.EscapedPath()
	lower := strings.ToLower(raw)
	if strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") {
		return newError(http.StatusBadRequest, "InvalidResourceId", "the request path has an encoded slash, which no resource ID can have")
	}
	path, err := url.PathUnescape(raw)
	if err != nil {
		return newError(http.StatusBadRequest, "InvalidResourceId", "the request path is not a valid URL path: %v", err)
	}
	path = strings.TrimSuffix(path, "/")
	if len(path) > armid.MaxLength {
		return newError(http.StatusBadRequest, "InvalidResourceId", "the request path is longer than %d characters", armid.MaxLength)
	}
	if err := checkQuery(r.Request); err != nil {
		return err
	}
	r.apiVersion = r.URL.Query().Get("api-version")
	if r.apiVersion == "" {
		return newError(http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
	}
	if !validVersion(r.apiVersion) {
		return newError(http.StatusBadRequest, "InvalidApiVersionParameter", "The api-version '%s' is invalid. The supported versions are of the form YYYY-MM-DD[-preview].", r.apiVersion)
	}
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case path == "/subscriptions":
		return e.listSubscriptions(r)
	case len(segs) == 2 && strings.EqualFold(segs[0], "subscriptions"):
		return e.getSubscription(r, segs[1])
	case len(segs) == 3 && strings.EqualFold(segs[0], "subscriptions") && strings.EqualFold(segs[2], "resources"):
		return e.listResources(r, segs[1], "")
	case len(segs) == 5 && strings.EqualFold(segs[0], "subscriptions") && strings.EqualFold(segs[2], "resourceGroups") && strings.EqualFold(segs[4], "resources"):
		return e.listResources(r, segs[1], segs[3])
	case len(segs) == 2 && strings.EqualFold(segs[0], "providers"):
		return e.provider(r, "", segs[1])
	case len(segs) >= 4 && len(segs) <= 5 && strings.EqualFold(segs[0], "subscriptions") && strings.EqualFold(segs[2], "providers"):
		return e.provider(r, segs[1], strings.Join(segs[3:], "/"))
	case len(segs) == 8 && strings.EqualFold(segs[0], "subscriptions") && strings.EqualFold(segs[2], "providers") && strings.EqualFold(segs[4], "locations") &&
		(strings.EqualFold(segs[6], "operationStatuses") || strings.EqualFold(segs[6], "operationResults")):
		return e.getOperation(r, segs[1], segs[7], strings.EqualFold(segs[6], "operationResults"))
	}
	if id, err := armid.Parse(path); err == nil {
		return e.resource(r, id)
	}
	// A nameless singleton (a connection's shared key): the resource gru calls default.
	if id, err := armid.Parse(path + "/default"); err == nil && armid.Nameless(id) && r.Method != http.MethodPost {
		return e.resource(r, id)
	}
	// A collection (GET) or an action (POST) below a resource: the path with a name added is an ID.
	if id, err := armid.Parse(path + "/_"); err == nil {
		return e.collection(r, id.Parent, id)
	}
	_, err = armid.Parse(path)
	return newError(http.StatusBadRequest, "InvalidResourceId", "%v", err)
}

func (e *Emulator) subscription(id string) (string, error) {
	s, ok := e.subs[strings.ToLower(id)]
	if !ok {
		return "", newError(http.StatusNotFound, "SubscriptionNotFound", "The subscription '%s' could not be found.", id)
	}
	return s, nil
}

func (e *Emulator) listSubscriptions(r *request) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed(r)
	}
	var value []any
	for _, s := range e.opts.Subscriptions {
		value = append(value, subscriptionBody(s))
	}
	writeJSON(r.w, http.StatusOK, map[string]any{"value": value})
	return nil
}

func (e *Emulator) getSubscription(r *request, id string) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed(r)
	}
	s, err := e.subscription(id)
	if err != nil {
		return err
	}
	writeJSON(r.w, http.StatusOK, subscriptionBody(s))
	return nil
}

func subscriptionBody(s string) map[string]any {
	return map[string]any{
		"id": "/subscriptions/" + s, "subscriptionId": s, "tenantId": LocalTenantID,
		"displayName": "gru local cloud", "state": "Enabled",
		"subscriptionPolicies": map[string]any{"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"},
		"authorizationSource":  "RoleBased",
	}
}

func methodNotAllowed(r *request) error {
	return newError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The requested method '%s' is not allowed on '%s'.", r.Method, r.URL.Path)
}

func validVersion(v string) bool {
	if len(v) < 10 {
		return false
	}
	for i, c := range v[:10] {
		if (i == 4 || i == 7) != (c == '-') || c != '-' && (c < '0' || c > '9') {
			return false
		}
	}
	return len(v) == 10 || v[10] == '-' && len(v) > 11 && len(v) < 40
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}
