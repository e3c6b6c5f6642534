// Package armops owns what Microsoft's REST API specs declare about each ARM operation, so that
// gru's local ARM emulator can answer every type as Azure's own specs say it answers: whether a
// PUT, PATCH, DELETE or POST is long-running, which success codes it returns (200, 201, 202,
// 204), how a long-running operation's final state is found (final-state-via), which
// collections exist, whether they are pageable and at which scopes (tenant, management group,
// subscription, resource group, extension) they are served, and which POST actions a type has.
//
// The facts come from every resource-manager swagger file of azure-rest-api-specs (the commit
// is in data/SOURCE; MIT, data/LICENSE), as extracted into the shared data folder's
// azure/arm-operations, whose README gives the lookup rules followed here. The generator
// (`go generate ./internal/armops`, see gen and armopsgen) keeps what an emulator needs in a
// compact table under data/, which this package embeds and parses on Open.
//
// Lookups are case-insensitive on types, actions, methods and names. An api-version that the
// table does not hold for a type falls back to the newest version it holds that is older, else
// to the oldest newer one (the specs stop in July 2024, so newer versions are common).
package armops

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

//go:embed data/armops.txt.gz
var embedded string

// Scope is where an operation's path starts: what comes before the last /providers/ of its URL.
type Scope string

// The scopes, as the table names them.
const (
	Tenant          Scope = "tenant"          // nothing before /providers/
	ManagementGroup Scope = "managementGroup" // /providers/Microsoft.Management/managementGroups/{}
	Subscription    Scope = "subscription"    // /subscriptions/{}
	ResourceGroup   Scope = "resourceGroup"   // /subscriptions/{}/resourceGroups/{}
	// Extension is anything else: another resource (a parent resource path, {resourceUri}) or a
	// {scope} parameter, which stands for any scope.
	Extension Scope = "extension"
)

// Operation is what the specs declare about one operation. Its slices belong to the caller
// (each lookup returns fresh copies).
type Operation struct {
	// Method is the HTTP method, upper case (PUT, GET, PATCH, DELETE, HEAD, POST).
	Method string
	// LRO is the spec's x-ms-long-running-operation flag, as written. Where it disagrees with
	// the codes, Async says how to answer.
	LRO bool
	// FinalStateVia is the spec's x-ms-long-running-operation-options final-state-via:
	// "location", "azure-async-operation", "original-uri", "operation-location", or "" when the
	// spec does not say (clients then get a PUT's or PATCH's result from the resource's own
	// URL, and a POST's or DELETE's from the Location header when one was sent).
	FinalStateVia string
	// Codes are the success (2xx) status codes the spec lists, ascending. Empty only where the
	// spec lists nothing but "default".
	Codes []int
	// OtherCodes are the non-2xx codes the spec lists as responses, such as 404 on a HEAD.
	OtherCodes []int
	// Pageable tells whether a list answers with a nextLink (x-ms-pageable).
	Pageable bool
	// Scopes are where the operation is served.
	Scopes []Scope
	// Names, when set, are the only names the spec allows in the last name slot: the
	// resource's own name for a resource operation (blobServices: "default"), the parent's
	// name for a collection or an action (Web sites/config: "appsettings", ...). Empty means
	// any name.
	Names []string
	// Query is set on a variant that the spec declares for a query string (x-ms-paths), as
	// "key=value" or "key".
	Query []string
}

// Has reports whether the spec lists code as a success code.
func (o Operation) Has(code int) bool { return slices.Contains(o.Codes, code) }

// Async reports whether the emulator should answer as a long-running operation: a first
// answer of 201 or 202 with a polling header (Azure-AsyncOperation or Location), the result
// coming later. That is the case when the spec flags the operation long-running AND lists 201
// or 202.
//
// Where the flag and the codes disagree, the codes decide, since clients check the first
// answer's status against the codes the spec lists:
//   - long-running without 201 or 202 (PATCH, PUT or POST with only 200, DELETE with 200 and
//     204; about 1,200 records): answered synchronously with a listed code and the final
//     result, no polling header. Every ARM poller takes a 200 or 204 without a polling header
//     as done, while a 201 or 202 would fail the client's status check.
//   - 202 without the long-running flag (about 1,450 records): not long-running, since the
//     client will not poll. The emulator finishes the work at once and answers another listed
//     code (200, 204) when there is one; where 202 is the only code it answers 202, with no
//     body and no polling header, the work already done.
func (o Operation) Async() bool { return o.LRO && (o.Has(201) || o.Has(202)) }

// Status picks the status code of the first answer: the first of prefer that the spec lists
// (Status(201) for a PUT that creates, Status(204) for a DELETE of nothing); else, for an Async
// operation, 202 if listed, else 201; else 200 if listed, else the first listed code, else 200
// (the spec lists only "default").
func (o Operation) Status(prefer ...int) int {
	for _, c := range prefer {
		if o.Has(c) {
			return c
		}
	}
	switch {
	case o.Async() && o.Has(202):
		return 202
	case o.Async():
		return 201
	case o.Has(200) || len(o.Codes) == 0:
		return 200
	}
	return o.Codes[0]
}

// ServedAt reports whether the operation may be served at scope s: it lists s, or it lists
// Extension, which includes {scope} paths that stand for any scope.
func (o Operation) ServedAt(s Scope) bool {
	return slices.Contains(o.Scopes, s) || slices.Contains(o.Scopes, Extension)
}

// Allows reports whether name may fill the operation's last name slot (see Names).
func (o Operation) Allows(name string) bool {
	return len(o.Names) == 0 || containsFold(o.Names, name)
}

func (o Operation) clone(method string) Operation {
	o.Method = strings.ToUpper(method)
	o.Codes = slices.Clone(o.Codes)
	o.OtherCodes = slices.Clone(o.OtherCodes)
	o.Scopes = slices.Clone(o.Scopes)
	o.Names = slices.Clone(o.Names)
	o.Query = slices.Clone(o.Query)
	return o
}

// Table is the parsed operations table. It is read-only and safe for concurrent use.
type Table struct {
	repo, commit string
	types        map[string]*armType // by lower-cased type
	recs         []Operation         // Method unset
	profs        [][]slot
}

type armType struct {
	name     string
	versions []version // ascending (compareVersions)
}

type version struct {
	name string
	prof int
}

// slot is one declared operation of a profile: its main record and variants.
type slot struct {
	kind   Kind
	method string // lower case
	action string // as written
	recs   []int32
}

// Open parses the embedded table. Keep the Table: each call parses anew.
func Open() (*Table, error) {
	zr, err := gzip.NewReader(strings.NewReader(embedded))
	if err != nil {
		return nil, fmt.Errorf("armops: %w", err)
	}
	var buf bytes.Buffer
	buf.Grow(1 << 21)
	if _, err := io.Copy(&buf, zr); err != nil {
		return nil, fmt.Errorf("armops: %w", err)
	}
	t, err := parse(buf.String())
	if err != nil {
		return nil, fmt.Errorf("armops: embedded table: %w", err)
	}
	return t, nil
}

// Source tells which azure-rest-api-specs repository and commit the table comes from.
func (t *Table) Source() (repo, commit string) { return t.repo, t.commit }

// Name returns armType as the specs write it (Microsoft.Storage/storageAccounts), and whether
// the table knows it. armType may be a bare provider namespace that has provider-level actions.
func (t *Table) Name(armType string) (string, bool) {
	at := t.types[strings.ToLower(armType)]
	if at == nil {
		return "", false
	}
	return at.name, true
}

// Versions lists the api-versions the table holds for armType, oldest first (by date; at one
// date a preview or beta before the stable version). Nil if the type is unknown.
func (t *Table) Versions(armType string) []string {
	at := t.types[strings.ToLower(armType)]
	if at == nil {
		return nil
	}
	out := make([]string, len(at.versions))
	for i, v := range at.versions {
		out[i] = v.name
	}
	return out
}

// Resolve returns the api-version whose declarations answer a request for apiVersion of
// armType: apiVersion itself when the table holds it; else the newest held version older than
// it; else the oldest newer one. An empty apiVersion resolves to the newest. False if the type
// is unknown.
func (t *Table) Resolve(armType, apiVersion string) (string, bool) {
	at := t.types[strings.ToLower(armType)]
	if at == nil {
		return "", false
	}
	v := at.resolve(apiVersion)
	return v.name, true
}

func (at *armType) resolve(apiVersion string) version {
	if apiVersion == "" {
		return at.versions[len(at.versions)-1]
	}
	apiVersion = strings.ToLower(apiVersion)
	i, found := slices.BinarySearchFunc(at.versions, apiVersion, func(v version, s string) int {
		return compareVersions(v.name, s)
	})
	switch {
	case found:
		return at.versions[i]
	case i > 0:
		return at.versions[i-1]
	}
	return at.versions[0]
}

// compareVersions orders api-versions by date, and at one date anything with a suffix
// (-preview, -beta, -privatepreview) before the stable version.
func compareVersions(a, b string) int {
	da, sa := splitVersion(a)
	db, sb := splitVersion(b)
	if c := strings.Compare(da, db); c != 0 {
		return c
	}
	switch {
	case sa == sb:
		return 0
	case sa == "":
		return 1
	case sb == "":
		return -1
	}
	return strings.Compare(sa, sb)
}

func splitVersion(v string) (date, suffix string) {
	if len(v) > 10 && v[10] == '-' {
		return v[:10], v[11:]
	}
	return v, ""
}

// find returns the declaration of one operation of armType at the resolved version: the type,
// the version and the slot; a nil slot when there is none.
func (t *Table) find(kind Kind, armType, apiVersion, method, action string) (*armType, version, *slot) {
	at := t.types[strings.ToLower(armType)]
	if at == nil {
		return nil, version{}, nil
	}
	v := at.resolve(apiVersion)
	method = strings.ToLower(method)
	var fold *slot
	prof := t.profs[v.prof]
	for i := range prof {
		s := &prof[i]
		if s.kind != kind || s.method != method {
			continue
		}
		if kind != ActionOp || s.action == action {
			return at, v, s
		}
		if fold == nil && strings.EqualFold(s.action, action) {
			fold = s
		}
	}
	return at, v, fold
}

// pick chooses among an operation's declarations, by the README's rules: a variant whose names
// hold the request's name, or whose query the request's query matches; else one whose scopes
// hold the request's scope while the main declaration's do not; else the main declaration.
// A variant that is not served at the request's scope is never picked. With a scope, the
// result must be served there (ServedAt).
func (t *Table) pick(s *slot, name string, query url.Values, scope Scope) (Operation, bool) {
	if s == nil {
		return Operation{}, false
	}
	recs := s.recs
	main := t.recs[recs[0]]
	variants := recs[1:]
	for _, i := range variants {
		v := t.recs[i]
		if scope != "" && !v.ServedAt(scope) {
			continue
		}
		if name != "" && containsFold(v.Names, name) || len(v.Query) > 0 && queryMatches(v.Query, query) {
			return v, true
		}
	}
	if scope != "" {
		for _, i := range variants {
			v := t.recs[i]
			if slices.Contains(v.Scopes, scope) && !slices.Contains(main.Scopes, scope) {
				return v, true
			}
		}
		if !main.ServedAt(scope) {
			return Operation{}, false
		}
	}
	return main, true
}

// Resource returns the declaration of method (PUT, GET, PATCH, DELETE, HEAD, and the odd POST
// whose last segment the spec writes as a name) on a resource of armType named name, at scope:
// the declaration of the variant that the name or the scope picks, else the main one (see
// Operation.Names and Allows to check the name itself). The scope is where the resource lives:
// what comes before its type's segments (a resource group lives at subscription scope, a
// storage account at resourceGroup scope, a diagnostic setting on it at extension scope). An
// empty name or scope picks no variant, and an empty scope matches any. False when the type has
// no such operation at the resolved api-version, or not at that scope.
func (t *Table) Resource(armType, apiVersion, method, name string, scope Scope) (Operation, bool) {
	_, _, s := t.find(ResourceOp, armType, apiVersion, method, "")
	op, ok := t.pick(s, name, nil, scope)
	if !ok {
		return Operation{}, false
	}
	return op.clone(method), true
}

// Collection returns the declaration of the GET that lists armType's collection (armType being
// the items' type, Microsoft.Storage/storageAccounts) at scope. False when the specs serve no
// such list at that scope. With an empty scope it answers for any scope, and the Operation's
// Scopes tell where the list is served.
func (t *Table) Collection(armType, apiVersion string, scope Scope) (Operation, bool) {
	_, _, s := t.find(CollectionOp, armType, apiVersion, "get", "")
	op, ok := t.pick(s, "", nil, scope)
	if !ok {
		return Operation{}, false
	}
	return op.clone("GET"), true
}

// Action returns the declaration of action (listKeys, as written or in any case) called with
// method (mostly POST) on a resource of armType named name. armType may be a bare provider
// namespace for a provider-level action (Microsoft.Storage, checkNameAvailability). name picks a
// variant when the spec declares the action differently for some resource names (Web
// sites/config list: "publishingcredentials" is long-running); it may be empty. False when the
// type has no such action at the resolved api-version.
func (t *Table) Action(armType, apiVersion, action, method, name string) (Operation, bool) {
	_, _, s := t.find(ActionOp, armType, apiVersion, method, action)
	op, ok := t.pick(s, name, nil, "")
	if !ok {
		return Operation{}, false
	}
	return op.clone(method), true
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// queryMatches reports whether q holds every "key=value" (or "key") of want.
func queryMatches(want []string, q url.Values) bool {
	for _, w := range want {
		k, v, hasValue := strings.Cut(w, "=")
		found := false
		for qk, qv := range q {
			if !strings.EqualFold(qk, k) {
				continue
			}
			if !hasValue || containsFold(qv, v) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// parse reads the text written by armopsgen.Encode.
func parse(s string) (*Table, error) {
	p := &parser{rest: s}
	if p.line() != "armops 1" {
		return nil, errors.New("not an armops 1 table")
	}
	src := strings.Split(p.line(), "\t")
	if len(src) != 3 || src[0] != "source" {
		return nil, p.errorf("bad source line")
	}
	t := &Table{repo: src[1], commit: src[2]}

	n, err := p.count("records")
	if err != nil {
		return nil, err
	}
	t.recs = make([]Operation, n)
	for i := range t.recs {
		if t.recs[i], err = parseRecord(p.line()); err != nil {
			return nil, p.errorf("%v", err)
		}
	}

	if n, err = p.count("profiles"); err != nil {
		return nil, err
	}
	t.profs = make([][]slot, n)
	for i := range t.profs {
		if t.profs[i], err = parseProfile(p.line(), len(t.recs)); err != nil {
			return nil, p.errorf("%v", err)
		}
	}

	if n, err = p.count("types"); err != nil {
		return nil, err
	}
	t.types = make(map[string]*armType, n)
	for range n {
		line := p.line()
		name, rest, _ := strings.Cut(line, "\t")
		at := &armType{name: name, versions: make([]version, 0, strings.Count(rest, "\t")+1)}
		for rest != "" {
			var f string
			f, rest, _ = strings.Cut(rest, "\t")
			ver, idx, ok := strings.Cut(f, "=")
			prof, err := strconv.Atoi(idx)
			if !ok || err != nil || prof < 0 || prof >= len(t.profs) {
				return nil, p.errorf("bad version %q", f)
			}
			at.versions = append(at.versions, version{name: ver, prof: prof})
		}
		if name == "" || len(at.versions) == 0 {
			return nil, p.errorf("bad type line")
		}
		slices.SortFunc(at.versions, func(a, b version) int { return compareVersions(a.name, b.name) })
		t.types[strings.ToLower(name)] = at
	}
	if p.rest != "" {
		return nil, p.errorf("trailing data")
	}
	return t, nil
}

type parser struct {
	rest string
	n    int
}

func (p *parser) line() string {
	l, rest, _ := strings.Cut(p.rest, "\n")
	p.rest = rest
	p.n++
	return l
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("line %d: %s", p.n, fmt.Sprintf(format, args...))
}

func (p *parser) count(section string) (int, error) {
	name, num, _ := strings.Cut(p.line(), "\t")
	n, err := strconv.Atoi(num)
	if name != section || err != nil || n < 0 || n > len(p.rest) {
		return 0, p.errorf("expected the %s section", section)
	}
	return n, nil
}

func scopeByLetter(c byte) Scope {
	switch c {
	case 't':
		return Tenant
	case 'm':
		return ManagementGroup
	case 's':
		return Subscription
	case 'r':
		return ResourceGroup
	case 'e':
		return Extension
	}
	return ""
}

func parseRecord(line string) (Operation, error) {
	f := strings.Split(line, "\t")
	if len(f) != 7 {
		return Operation{}, fmt.Errorf("bad record %q", line)
	}
	var op Operation
	op.LRO = strings.Contains(f[0], "l")
	op.Pageable = strings.Contains(f[0], "p")
	op.FinalStateVia = f[1]
	var err error
	if op.Codes, err = parseInts(f[2]); err != nil {
		return op, err
	}
	if op.OtherCodes, err = parseInts(f[3]); err != nil {
		return op, err
	}
	for _, c := range []byte(f[4]) {
		sc := scopeByLetter(c)
		if sc == "" {
			return op, fmt.Errorf("bad scope %q", c)
		}
		op.Scopes = append(op.Scopes, sc)
	}
	op.Names = splitList(f[5])
	op.Query = splitList(f[6])
	return op, nil
}

func parseInts(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	out := make([]int, 0, strings.Count(s, ",")+1)
	for s != "" {
		var f string
		f, s, _ = strings.Cut(s, ",")
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// method interns a lower-case method.
func method(m string) string {
	switch m {
	case "get":
		return "get"
	case "put":
		return "put"
	case "patch":
		return "patch"
	case "delete":
		return "delete"
	case "head":
		return "head"
	case "post":
		return "post"
	case "options":
		return "options"
	}
	return ""
}

func parseProfile(line string, nrecs int) ([]slot, error) {
	out := make([]slot, 0, strings.Count(line, " ")+1)
	for line != "" {
		var e string
		e, line, _ = strings.Cut(line, " ")
		key, idx, ok := strings.Cut(e, "=")
		if !ok || len(key) < 3 || key[1] != '/' {
			return nil, fmt.Errorf("bad entry %q", e)
		}
		var s slot
		m := key[2:]
		switch key[0] {
		case 'r':
			s.kind = ResourceOp
		case 'c':
			s.kind = CollectionOp
		case 'a':
			s.kind = ActionOp
			s.action, m, ok = strings.Cut(m, "/")
			if !ok || s.action == "" {
				return nil, fmt.Errorf("bad entry %q", e)
			}
		default:
			return nil, fmt.Errorf("bad entry %q", e)
		}
		if s.method = method(m); s.method == "" {
			return nil, fmt.Errorf("bad method in %q", e)
		}
		s.recs = make([]int32, 0, strings.Count(idx, ",")+1)
		for idx != "" {
			var f string
			f, idx, _ = strings.Cut(idx, ",")
			n, err := strconv.Atoi(f)
			if err != nil || n < 0 || n >= nrecs {
				return nil, fmt.Errorf("bad record index in %q", e)
			}
			s.recs = append(s.recs, int32(n))
		}
		if len(s.recs) == 0 {
			return nil, fmt.Errorf("no record in %q", e)
		}
		out = append(out, s)
	}
	return out, nil
}
