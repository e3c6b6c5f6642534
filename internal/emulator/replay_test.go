package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/swagger"
	"github.com/gru-iac/gru/internal/validate"
)

// The replay test is an acceptance test of "the emulator answers as ARM does": it sends the
// request of every PUT example Microsoft wrote for 12 resource providers (the examples corpus
// beside the repository) to the emulator, then GETs the resource, and measures how far the
// answers are from the example's responses. It logs its figures; the thresholds below are the
// issue's goals, and the test fails below them.

// replayStrict reports whether the goals are asserted: always, now that the emulator meets them.
func replayStrict() bool { return true }

const (
	// replayPropertiesGoal: of the keys of the example responses' properties objects, pooled
	// over the corpus, the share the emulator's GET returns.
	replayPropertiesGoal = 0.90
	// replayWriteOnlyGoal: write-only properties a GET returns, over the corpus (ARM returns none).
	replayWriteOnlyGoal = 0
	// The share of PUTs answered with a status the example lists is reported, not asserted:
	// the goal is to know it.
)

// corpusDir is the examples corpus (azure-rest-api-specs of 12 providers with x-ms-examples,
// and the bicep type data at their versions), beside the repository.
var corpusDir = filepath.Join("..", "..", "..", "shared", "azure", "examples-corpus")

func corpusOrSkip(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(corpusDir, "specification")); err != nil {
		t.Skipf("the examples corpus is not beside the repository (%s): nothing to replay", corpusDir)
	}
	return corpusDir
}

// replayGroupVersion is the API version the replay creates resource groups at.
const replayGroupVersion = "2021-04-01"

// replayCase is one PUT example to replay.
type replayCase struct {
	ex   swagger.Example
	doc  *swagger.ExampleDoc
	path string // the concrete path, in the local subscription
	segs []string
}

// replayResult is what the replay of one example found.
type replayResult struct {
	c       *replayCase
	skip    string // why the example was not replayed; "" when it was
	status  int
	code    string // the ARM error code of a failed PUT
	message string
	listed  []int
	matched bool
	// missingRef: the PUT failed for a reference to a resource the replay did not make.
	missingRef bool
	// getStatus is the GET's status; the key counts are for a GET that answered 200.
	getStatus                   int
	topWant, topHave            []string
	propsWant, propsHave        []string
	writeOnlyLeaks, secretLeaks []string
	noTypeData                  bool
	// unheld: the emulator holds no schema at the example's version (it falls back to the
	// default version's, which may not mark what this version makes write-only).
	unheld                bool
	exampleVersionDiffers bool
	// putBody and getBody are the answers, for the schema check.
	putBody, getBody []byte
}

// inProcess sends a request to a handler without a network and returns status, body and error code.
func inProcess(h http.Handler, method, path, apiVersion string, body []byte) (int, []byte, string, string) {
	req := httptest.NewRequest(method, "http://emulator.test"+path+"?api-version="+apiVersion, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer replay")
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	json.Unmarshal(rec.Body.Bytes(), &e)
	return rec.Code, rec.Body.Bytes(), e.Error.Code, e.Error.Message
}

// concrete makes an example body's placeholders real, as a user of the example would: a
// location that is no region ("location1") becomes westus, and a subscription that is no
// GUID ("subid", "{subscription-id}") in an ID becomes another subscription than the
// emulator's (whose resources the emulator does not check), as such an ID stands for.
func concrete(body []byte) []byte {
	if len(body) == 0 {
		return body
	}
	v, err := validate.Decode("example", body)
	if err != nil {
		return body
	}
	var walk func(v any, key string) any
	walk = func(v any, key string) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = walk(e, k)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e, key)
			}
		case string:
			if strings.EqualFold(key, "location") && !knownRegion(NormalizeLocation(x)) {
				return "westus"
			}
			if id, err := armid.Parse(x); err == nil && id.SubscriptionID() != "" && !isGUID(id.SubscriptionID()) {
				return strings.Replace(x, id.SubscriptionID(), "00000000-0000-4000-8000-0000000000ff", 1)
			}
		}
		return v
	}
	out, err := json.Marshal(walk(v, ""))
	if err != nil {
		return body
	}
	return out
}

// templateKey is a path template with its parameters blanked, for comparing templates whose
// parameters are named differently ({accountName}, {storageAccountName}).
func templateKey(segs []string) string {
	out := make([]string, len(segs))
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			out[i] = "{}"
		} else {
			out[i] = strings.ToLower(s)
		}
	}
	return strings.Join(out, "/")
}

func pathSegments(p string) []string { return strings.Split(strings.Trim(p, "/"), "/") }

// atResourceGroupScope: /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}...
func atResourceGroupScope(segs []string) bool {
	return len(segs) >= 8 && strings.EqualFold(segs[0], "subscriptions") && strings.EqualFold(segs[2], "resourceGroups") &&
		strings.EqualFold(segs[4], "providers") && !strings.HasPrefix(segs[0], "{")
}

// parentLengths are the lengths of the paths of a resource's ancestors below its resource
// group: each prefix that ends with a resource name (after a type segment of a provider
// block), shortest first.
func parentLengths(segs []string) []int {
	var out []int
	start := -1
	for i := 4; i < len(segs); i++ {
		if strings.EqualFold(segs[i], "providers") {
			start = i + 2 // the first type segment
			continue
		}
		if start >= 0 && i > start && (i-start)%2 == 1 && i+1 < len(segs) {
			out = append(out, i+1)
		}
	}
	return out
}

// successResponse picks the example response the GET is compared with: the one of the
// status the emulator answered if it is a success the example lists with a body, else 200,
// else 201, else any success with a body.
func successResponse(doc *swagger.ExampleDoc, got int) map[string]any {
	body := func(code int) map[string]any {
		r, ok := doc.Responses[fmt.Sprint(code)]
		if !ok {
			return nil
		}
		var m map[string]any
		json.Unmarshal(r.Body, &m)
		return m
	}
	for _, code := range []int{got, 200, 201} {
		if code >= 200 && code < 300 {
			if m := body(code); m != nil {
				return m
			}
		}
	}
	for _, code := range doc.StatusCodes() {
		if m := body(code); m != nil && code < 300 {
			return m
		}
	}
	return nil
}

// missingReference reports an error that says a resource the request refers to (not its
// parent or group) does not exist, or that the resource must be made by another first: the
// replay makes only the example's resource and its ancestors, so such failures are counted
// apart from status mismatches.
func missingReference(status int, code, message string, body []byte) bool {
	if status < 400 || status >= 500 {
		return false
	}
	switch strings.ToLower(code) {
	case "resourcegroupnotfound", "parentresourcenotfound":
		return false
	case "privateendpointconnectionnotfound":
		// A connection is made by a private endpoint on the resource it links to; the
		// example changes one that exists.
		return true
	case "linkedresourcenotfound", "invalidresourcereference", "referencedresourcenotfound", "linkedinvalidpropertyid",
		"invalidlinkedresource", "privatelinkservicenotfound", "resourcereferencenotfound", "missingresourcereference":
		return true
	}
	if !strings.Contains(strings.ToLower(code), "notfound") {
		return false
	}
	// A not-found error that names an ID the request body holds.
	lowerBody := strings.ToLower(string(body))
	for _, word := range strings.FieldsFunc(message, func(r rune) bool { return r == '\'' || r == '"' || r == ' ' }) {
		if strings.HasPrefix(strings.ToLower(word), "/subscriptions/") && strings.Contains(lowerBody, strings.ToLower(strings.TrimRight(word, ".,"))) {
			return true
		}
	}
	return false
}

// unreturnedIn lists where a body holds what the type data says ARM never returns: write-only
// properties (flag 4) in writeOnly, properties of a secure type in secret.
func unreturnedIn(t *catalog.Type, v any, at string, writeOnly, secret *[]string, depth int) {
	if t == nil || depth > 64 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		props := append([]catalog.Property{}, t.Properties...)
		if t.Kind == catalog.KindDiscriminatedObject {
			props = append(props, t.BaseProperties...)
			for k, d := range x {
				if strings.EqualFold(k, t.Discriminator) {
					for _, variant := range t.Variants {
						if s, _ := d.(string); strings.EqualFold(variant.Value, s) && variant.Type != nil {
							props = append(props, variant.Type.Properties...)
						}
					}
				}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if x[k] == nil {
				continue
			}
			var p *catalog.Property
			for i := range props {
				if strings.EqualFold(props[i].Name, k) {
					p = &props[i]
				}
			}
			where := at + "." + k
			switch {
			case p != nil && p.Flags.Has(catalog.FlagWriteOnly):
				*writeOnly = append(*writeOnly, where)
			case p != nil && p.Type != nil && p.Type.Sensitive:
				*secret = append(*secret, where)
			case p != nil:
				unreturnedIn(p.Type, x[k], where, writeOnly, secret, depth+1)
			case t.AdditionalProperties != nil:
				unreturnedIn(t.AdditionalProperties, x[k], where, writeOnly, secret, depth+1)
			}
		}
	case []any:
		if t.Kind == catalog.KindArray {
			for _, e := range x {
				unreturnedIn(t.Items, e, at+"[]", writeOnly, secret, depth+1)
			}
		}
	}
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// present lists the keys of want that have is a key of, without regard to case.
func present(want []string, have map[string]any) []string {
	var out []string
	for _, k := range want {
		if _, _, ok := lookup(have, k); ok {
			out = append(out, k)
		}
	}
	return out
}

func lookup(m map[string]any, name string) (string, any, bool) {
	if v, ok := m[name]; ok {
		return name, v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return k, v, true
		}
	}
	return "", nil, false
}

// replayer replays examples, each in an emulator of its own.
type replayer struct {
	cat      *catalog.Catalog // the emulator's catalogue
	types    *catalog.Catalog // the corpus's type data, at the examples' versions
	parentOf map[string][]*replayCase
}

func (rp *replayer) run(ctx context.Context, c *replayCase) replayResult {
	res := replayResult{c: c, listed: c.doc.StatusCodes()}
	res.exampleVersionDiffers = c.ex.ExampleAPIVersion != "" && c.ex.ExampleAPIVersion != c.ex.APIVersion
	e, err := New(ctx, Options{Catalog: rp.cat})
	if err != nil {
		res.skip = "the emulator did not start: " + err.Error()
		return res
	}
	defer e.Close()
	group := strings.Join(c.segs[:4], "/")
	if s, _, code, _ := inProcess(e, "PUT", "/"+group, replayGroupVersion, []byte(`{"location":"westus"}`)); s >= 300 {
		res.skip = fmt.Sprintf("resource group %q could not be made (%d %s)", c.segs[3], s, code)
		return res
	}
	for _, n := range parentLengths(c.segs) {
		parents := rp.parentsOf(pathSegments(c.ex.Path)[:n])
		if len(parents) == 0 {
			res.skip = "no PUT example makes the parent " + parentType(pathSegments(c.ex.Path)[:n])
			return res
		}
		p := pickParent(parents, c.ex)
		s, _, code, _ := inProcess(e, "PUT", "/"+strings.Join(c.segs[:n], "/"), p.ex.APIVersion, p.ex.Body)
		if s >= 300 {
			res.skip = fmt.Sprintf("the parent %s could not be made (%s)", parentType(pathSegments(c.ex.Path)[:n]), code)
			return res
		}
	}
	status, putBody, code, message := inProcess(e, "PUT", c.path, c.ex.APIVersion, c.ex.Body)
	res.status, res.code, res.message, res.putBody = status, code, message, putBody
	for _, l := range res.listed {
		res.matched = res.matched || l == status
	}
	if !res.matched && missingReference(status, code, message, c.ex.Body) {
		res.missingRef = true
		return res
	}
	if status >= 300 {
		return res
	}
	getStatus, got, _, _ := inProcess(e, "GET", c.path, c.ex.APIVersion, nil)
	res.getStatus, res.getBody = getStatus, got
	if getStatus != http.StatusOK {
		return res
	}
	var have map[string]any
	json.Unmarshal(got, &have)
	want := successResponse(c.doc, status)
	if want != nil {
		res.topWant = keysOf(want)
		res.topHave = present(res.topWant, have)
		if wp, ok := want["properties"].(map[string]any); ok {
			res.propsWant = keysOf(wp)
			hp, _ := have["properties"].(map[string]any)
			res.propsHave = present(res.propsWant, hp)
		}
	}
	schema, err := rp.types.SchemaByARMType(ctx, c.ex.ARMType, c.ex.APIVersion)
	if err != nil || schema.Body == nil {
		res.noTypeData = true
		return res
	}
	unreturnedIn(schema.Body, have, "$", &res.writeOnlyLeaks, &res.secretLeaks, 0)
	if ti, ok := e.catalog.Find(c.ex.ARMType); ok {
		var notHeld *catalog.VersionNotHeldError
		_, err := e.catalog.Schema(ctx, ti, c.ex.APIVersion)
		res.unheld = errors.As(err, &notHeld)
	}
	return res
}

// parentsOf finds the examples that make a parent: of its template, or of one that has a
// parameter where the child's path has a literal name (blobServices/{name} for
// blobServices/default).
func (rp *replayer) parentsOf(tmpl []string) []*replayCase {
	if p := rp.parentOf[templateKey(tmpl)]; len(p) > 0 {
		return p
	}
	last := len(tmpl) - 1
	if strings.HasPrefix(tmpl[last], "{") {
		return nil
	}
	general := append(append([]string{}, tmpl[:last]...), "{}")
	return rp.parentOf[templateKey(general)]
}

func parentType(segs []string) string {
	for i := len(segs) - 1; i >= 0; i-- {
		if strings.EqualFold(segs[i], "providers") {
			parts := []string{segs[i+1]}
			for j := i + 2; j < len(segs); j += 2 {
				parts = append(parts, segs[j])
			}
			return strings.Join(parts, "/")
		}
	}
	return strings.Join(segs, "/")
}

// pickParent chooses the example that makes a parent: one of the child's spec file, else of
// its API version, else the newest.
func pickParent(parents []*replayCase, child swagger.Example) *replayCase {
	for _, p := range parents {
		if p.ex.SpecFile == child.SpecFile {
			return p
		}
	}
	for _, p := range parents {
		if p.ex.APIVersion == child.APIVersion {
			return p
		}
	}
	best := parents[0]
	for _, p := range parents[1:] {
		if p.ex.APIVersion > best.ex.APIVersion {
			best = p
		}
	}
	return best
}

// replayCases reads the PUT examples of the corpus; skipped counts those left out, by reason.
func replayCases(t *testing.T, corpus string) (cases []*replayCase, parentOf map[string][]*replayCase, skipped map[string]int) {
	t.Helper()
	root := filepath.Join(corpus, "specification")
	examples, unreadable, err := swagger.RequestExamples(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	fsys := os.DirFS(root)
	skipped = map[string]int{}
	for _, u := range unreadable {
		if strings.Contains(u, " PUT ") {
			skipped["the example has no readable body"]++
		}
	}
	parentOf = map[string][]*replayCase{}
	for _, ex := range examples {
		if ex.Method != "PUT" {
			continue
		}
		tmpl := pathSegments(ex.Path)
		if !atResourceGroupScope(tmpl) {
			skipped["not at resource-group scope"]++
			continue
		}
		doc, err := swagger.ReadExampleDoc(fsys, ex.ExampleFile)
		if err != nil {
			skipped["the example file cannot be read"]++
			continue
		}
		p, missing := swagger.FillPath(ex.Path, func(name string) (string, bool) {
			if strings.EqualFold(name, "subscriptionId") {
				return LocalSubscriptionID, true
			}
			return doc.Param(name)
		})
		if len(missing) > 0 {
			skipped["the example lacks a path parameter"]++
			continue
		}
		ex.Body = concrete(ex.Body)
		c := &replayCase{ex: ex, doc: doc, path: p, segs: pathSegments(p)}
		if len(doc.StatusCodes()) == 0 {
			skipped["the example lists no response"]++
			continue
		}
		cases = append(cases, c)
		parentOf[templateKey(tmpl)] = append(parentOf[templateKey(tmpl)], c)
	}
	return cases, parentOf, skipped
}

var (
	replayReportFlag = flag.String("replay.report", "", "write the replay's outcome for each example to this file, as JSON lines")
	replayTypesFlag  = flag.Bool("replay.types", false, "give the replayed emulator the corpus's type data, so that it validates every example at its own API version")
)

// replayAll replays the cases in parallel, each in an emulator of its own. The emulators share
// a catalogue: the embedded one, as gru ships it (examples at versions it does not hold are
// stored without validation), or with -replay.types the corpus's type data. The corpus's type
// data also serves the write-only check.
func replayAll(t *testing.T, corpus string, cases []*replayCase, parentOf map[string][]*replayCase) []replayResult {
	t.Helper()
	typesDir := filepath.Join(corpus, "bicep-types", "generated")
	types, err := catalog.Open(catalog.Options{TypesDir: typesDir, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if *replayTypesFlag {
		cat = types
	}
	rp := &replayer{cat: cat, types: types, parentOf: parentOf}
	results := make([]replayResult, len(cases))
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] = rp.run(context.Background(), cases[i])
			}
		}()
	}
	for i := range cases {
		work <- i
	}
	close(work)
	wg.Wait()
	return results
}

type counted struct {
	key string
	n   int
}

// top sorts counts, largest first, and keeps n.
func top(m map[string]int, n int) []counted {
	var out []counted
	for k, v := range m {
		out = append(out, counted{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].key < out[j].key
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64{}, xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// TestReplayPutExamples replays the corpus's PUT examples at resource-group scope and reports
// how the emulator's answers compare with the examples' responses.
func TestReplayPutExamples(t *testing.T) {
	corpus := corpusOrSkip(t)
	cases, parentOf, skipped := replayCases(t, corpus)
	results := replayAll(t, corpus, cases, parentOf)

	var replayed, matched, missingRef, succeeded, compared, versionDiffers int
	var topWant, topHave, propsWant, propsHave, leakCases, secretCases, noTypes, heldLeaks int
	var shares []float64
	mismatch, codes, missedProps, missedTop, leaks, secrets := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	typeWant, typeHave, mismatchType := map[string]int{}, map[string]int{}, map[string]int{}
	for _, r := range results {
		if r.skip != "" {
			skipped[r.skip]++
			continue
		}
		replayed++
		if r.exampleVersionDiffers {
			versionDiffers++
		}
		switch {
		case r.matched:
			matched++
		case r.missingRef:
			missingRef++
			codes["resource the replay did not make: "+r.code]++
			continue
		default:
			mismatch[fmt.Sprintf("got %d, listed %v", r.status, r.listed)]++
			mismatchType[fmt.Sprintf("%s: got %d, listed %v", r.c.ex.ARMType, r.status, r.listed)]++
			if r.code != "" {
				codes[fmt.Sprintf("%d %s", r.status, r.code)]++
			}
		}
		if r.status >= 300 {
			continue
		}
		succeeded++
		if r.getStatus != http.StatusOK {
			codes[fmt.Sprintf("GET after PUT: %d", r.getStatus)]++
			continue
		}
		compared++
		topWant += len(r.topWant)
		topHave += len(r.topHave)
		propsWant += len(r.propsWant)
		propsHave += len(r.propsHave)
		typeWant[r.c.ex.ARMType] += len(r.propsWant)
		typeHave[r.c.ex.ARMType] += len(r.propsHave)
		if len(r.propsWant) > 0 {
			shares = append(shares, float64(len(r.propsHave))/float64(len(r.propsWant)))
		}
		for _, k := range difference(r.propsWant, r.propsHave) {
			missedProps["properties."+k]++
		}
		for _, k := range difference(r.topWant, r.topHave) {
			missedTop[k]++
		}
		if r.noTypeData {
			noTypes++
		}
		if len(r.writeOnlyLeaks) > 0 {
			leakCases++
		}
		if len(r.secretLeaks) > 0 {
			secretCases++
		}
		for _, l := range r.writeOnlyLeaks {
			leaks[r.c.ex.ARMType+" "+l]++
			if !r.unheld {
				heldLeaks++
			}
		}
		for _, l := range r.secretLeaks {
			secrets[r.c.ex.ARMType+" "+l]++
		}
	}
	if replayed < 500 {
		t.Fatalf("only %d examples replayed: the corpus or the replay is broken", replayed)
	}
	propsShare := pct(propsHave, propsWant)
	t.Logf("PUT examples at resource-group scope replayed: %d, each at its spec's version (%d state another api-version); skipped:", replayed, versionDiffers)
	for _, s := range top(skipped, 100) {
		t.Logf("  %5d  %s", s.n, s.key)
	}
	t.Logf("(a) status in the example's listed codes: %d/%d = %.1f%% (%d more failed for want of a resource the replay did not make, counted apart; with them %.1f%%)",
		matched, replayed-missingRef, pct(matched, replayed-missingRef), missingRef, pct(matched, replayed))
	t.Logf("    status mismatches by (got, listed):")
	for _, m := range top(mismatch, 20) {
		t.Logf("  %5d  %s", m.n, m.key)
	}
	t.Logf("    status mismatches by type:")
	for _, m := range top(mismatchType, 20) {
		t.Logf("  %5d  %s", m.n, m.key)
	}
	t.Logf("    failures by error code:")
	for _, m := range top(codes, 25) {
		t.Logf("  %5d  %s", m.n, m.key)
	}
	t.Logf("(b) of %d successful PUTs, %d GETs compared with the example's response", succeeded, compared)
	t.Logf("    properties keys present: %d/%d = %.1f%% pooled, median %.1f%% over %d examples with properties (goal %.0f%% pooled)",
		propsHave, propsWant, propsShare, 100*median(shares), len(shares), 100*replayPropertiesGoal)
	t.Logf("    top-level keys present: %d/%d = %.1f%% pooled", topHave, topWant, pct(topHave, topWant))
	t.Logf("    most-missed properties keys (examples missing it):")
	for _, m := range top(missedProps, 20) {
		t.Logf("  %5d  %s", m.n, m.key)
	}
	t.Logf("    most-missed top-level keys:")
	for _, m := range top(missedTop, 10) {
		t.Logf("  %5d  %s", m.n, m.key)
	}
	t.Logf("    lowest properties coverage by type (of types with >= 10 keys wanted):")
	low := map[string]int{}
	for typ, w := range typeWant {
		if w >= 10 {
			low[typ] = -int(1000 * float64(typeHave[typ]) / float64(w))
		}
	}
	for _, m := range top(low, 10) {
		t.Logf("  %5.1f%%  %s (%d/%d)", -float64(m.n)/10, m.key, typeHave[m.key], typeWant[m.key])
	}
	t.Logf("(c) write-only properties returned by GET: %d examples, %d properties, %d of them at versions the emulator holds (%d examples without type data at their version)", leakCases, sumCounts(leaks), heldLeaks, noTypes)
	for _, m := range top(leaks, 15) {
		t.Logf("  %5d  %s", m.n, m.key)
	}
	t.Logf("    secure-typed properties returned by GET: %d examples, %d properties", secretCases, sumCounts(secrets))
	for _, m := range top(secrets, 15) {
		t.Logf("  %5d  %s", m.n, m.key)
	}
	replaySchemaCheck(t, corpus, results)
	if *replayReportFlag != "" {
		writeReplayReport(t, *replayReportFlag, results)
	}
	if !replayStrict() {
		t.Logf("goals not asserted: run with -replay.strict or GRU_REPLAY_STRICT=1 to fail below them")
		return
	}
	if propsShare < 100*replayPropertiesGoal {
		t.Errorf("properties keys present %.1f%% pooled, under the goal of %.0f%%", propsShare, 100*replayPropertiesGoal)
	}
	// At a version gru does not hold, the emulator knows the type at its default version only
	// (every version comes with the all-versions catalogue): those leaks are reported above.
	if heldLeaks > replayWriteOnlyGoal {
		t.Errorf("%d write-only properties returned by GET at versions the emulator holds, over the goal of %d", heldLeaks, replayWriteOnlyGoal)
	}
}

func difference(all, some []string) []string {
	have := map[string]bool{}
	for _, s := range some {
		have[s] = true
	}
	var out []string
	for _, s := range all {
		if !have[s] {
			out = append(out, s)
		}
	}
	return out
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// replaySchemaCheck validates the replay's answers (the PUT's, and the GET's after a
// successful PUT) against the response schemas of the example's own operations, and reports
// the share that are valid and the violations by rule and place.
func replaySchemaCheck(t *testing.T, corpus string, results []replayResult) {
	t.Helper()
	specs, err := swagger.LoadSpecs(context.Background(), os.DirFS(filepath.Join(corpus, "specification")))
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]*swagger.Operation{}
	for _, op := range specs.Operations() {
		ops[op.SpecFile+" "+op.Method+" "+op.Path] = op
	}
	checked, valid, statusOK := map[string]int{}, map[string]int{}, map[string]int{}
	byRule, byPlace := map[string]int{}, map[string]int{}
	check := func(kind string, op *swagger.Operation, status int, body []byte) {
		if op == nil {
			return
		}
		vs, err := specs.CheckResponse(op, status, body, swagger.ValidateOptions{})
		if err != nil {
			vs = []swagger.Violation{{Path: "$", Rule: "body", Detail: err.Error()}}
		}
		checked[kind]++
		if len(vs) == 0 {
			valid[kind]++
		}
		statusListed := true
		for _, v := range vs {
			byRule[v.Rule]++
			if v.Rule == "status" {
				statusListed = false
				continue
			}
			byPlace[fmt.Sprintf("%s %s %s %s", op.OperationID, v.Rule, indexless(v.Path), shortDetail(v))]++
		}
		if statusListed {
			statusOK[kind]++
		}
	}
	for _, r := range results {
		if r.skip != "" || r.missingRef {
			continue
		}
		check("PUT", ops[r.c.ex.SpecFile+" PUT "+r.c.ex.Path], r.status, r.putBody)
		if r.status < 300 && r.getStatus != 0 {
			check("GET", ops[r.c.ex.SpecFile+" GET "+r.c.ex.Path], r.getStatus, r.getBody)
		}
	}
	t.Logf("(d) answers valid for the response schema of the example's operation: PUT %d/%d = %.1f%%, GET %d/%d = %.1f%%",
		valid["PUT"], checked["PUT"], pct(valid["PUT"], checked["PUT"]), valid["GET"], checked["GET"], pct(valid["GET"], checked["GET"]))
	t.Logf("    PUT status among the responses the spec lists for the operation (not only the example's): %d/%d = %.1f%%", statusOK["PUT"], checked["PUT"], pct(statusOK["PUT"], checked["PUT"]))
	for _, r := range top(byRule, 10) {
		t.Logf("  %5d  violations of rule %s", r.n, r.key)
	}
	t.Logf("    most frequent violations other than status:")
	for _, r := range top(byPlace, 20) {
		t.Logf("  %5d  %s", r.n, r.key)
	}
}

// shortDetail is a violation's detail without the value, so that violations group.
func shortDetail(v swagger.Violation) string {
	if v.Rule == "type" || v.Rule == "null" || v.Rule == "required" {
		return v.Detail
	}
	return ""
}

// writeReplayReport writes one JSON line for each example: what it asked, what it got and
// what its GET lacked.
func writeReplayReport(t *testing.T, name string, results []replayResult) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range results {
		enc.Encode(map[string]any{
			"example": r.c.ex.ExampleFile, "type": r.c.ex.ARMType, "apiVersion": r.c.ex.APIVersion, "skip": r.skip,
			"status": r.status, "listed": r.listed, "matched": r.matched, "missingReference": r.missingRef,
			"code": r.code, "message": r.message, "getStatus": r.getStatus,
			"missingProperties": difference(r.propsWant, r.propsHave), "missingTopLevel": difference(r.topWant, r.topHave),
			"writeOnlyReturned": r.writeOnlyLeaks, "secretReturned": r.secretLeaks,
		})
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote the outcome of %d examples to %s", len(results), name)
}
