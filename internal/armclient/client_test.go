package armclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/emulator"
)

const sub = "/subscriptions/" + emulator.LocalSubscriptionID

// syncBuffer is a debug log that several goroutines write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// local starts an emulator behind a real TLS listener and a client of it.
func local(t *testing.T, eopts emulator.Options, copts Options) (*Client, *emulator.Emulator) {
	t.Helper()
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	eopts.Catalog = cat
	emu, err := emulator.New(context.Background(), eopts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(emu)
	t.Cleanup(func() { srv.Close(); emu.Close() })
	copts.Endpoint, copts.Transport, copts.Catalog = srv.URL, srv.Client(), cat
	copts.Credential = StaticToken("local")
	copts.Subscription = emulator.LocalSubscriptionID
	if copts.PollFrequency == 0 {
		copts.PollFrequency = 10 * time.Millisecond
	}
	if copts.Retry.RetryDelay == 0 {
		copts.Retry = policy.RetryOptions{MaxRetries: 10, RetryDelay: 5 * time.Millisecond, MaxRetryDelay: 2 * time.Second}
	}
	c, err := New(copts)
	if err != nil {
		t.Fatal(err)
	}
	return c, emu
}

// TestSeedFlowThroughGrusClient is the seed's scenario through gru's own client.
func TestSeedFlowThroughGrusClient(t *testing.T) {
	c, _ := local(t, emulator.Options{TypeLatency: map[string]time.Duration{
		"Microsoft.Storage/storageAccounts": 30 * time.Millisecond, "Microsoft.Network/privateEndpoints": 30 * time.Millisecond,
		"Microsoft.Resources/resourceGroups": 30 * time.Millisecond,
	}}, Options{})
	ctx := context.Background()
	rg := sub + "/resourceGroups/myResourceGroup"
	if _, err := c.Put(ctx, rg, "", map[string]any{"location": "westeurope"}); err != nil {
		t.Fatal(err)
	}
	acct := rg + "/providers/Microsoft.Storage/storageAccounts/mystorageaccount"
	created, err := c.Put(ctx, acct, "2021-06-01", map[string]any{"location": "westeurope", "kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"}})
	if err != nil {
		t.Fatal(err)
	}
	if Field(created, "id") != acct || created["properties"].(map[string]any)["provisioningState"] != "Succeeded" {
		t.Errorf("created %v", created)
	}
	vnet := rg + "/providers/Microsoft.Network/virtualNetworks/myVnet"
	if _, err := c.Put(ctx, vnet, "", map[string]any{"location": "westeurope", "properties": map[string]any{"addressSpace": map[string]any{"addressPrefixes": []string{"10.0.0.0/16"}}}}); err != nil {
		t.Fatal(err)
	}
	subnet := vnet + "/subnets/mySubnet"
	if _, err := c.Put(ctx, subnet, "", map[string]any{"properties": map[string]any{"addressPrefix": "10.0.0.0/24"}}); err != nil {
		t.Fatal(err)
	}
	pe := rg + "/providers/Microsoft.Network/privateEndpoints/myPrivateEndpoint"
	if _, err := c.Put(ctx, pe, "", map[string]any{"location": "westeurope", "properties": map[string]any{
		"subnet":                              map[string]any{"id": subnet},
		"manualPrivateLinkServiceConnections": []any{map[string]any{"name": "toBlob", "properties": map[string]any{"privateLinkServiceId": acct, "groupIds": []string{"blob"}}}},
	}}); err != nil {
		t.Fatal(err)
	}
	conns, err := c.List(ctx, acct+"/privateEndpointConnections", "2021-06-01", nil)
	if err != nil || len(conns) != 1 {
		t.Fatalf("connections: %v %v", err, conns)
	}
	state := func(r Resource) string {
		return r["properties"].(map[string]any)["privateLinkServiceConnectionState"].(map[string]any)["status"].(string)
	}
	if state(conns[0]) != "Pending" {
		t.Errorf("connection %v", conns[0])
	}
	connID := Field(conns[0], "id")
	approved, err := c.Put(ctx, connID, "2021-06-01", map[string]any{"properties": map[string]any{"privateLinkServiceConnectionState": map[string]any{"status": "Approved", "description": "Auto-Approved"}}})
	if err != nil || state(approved) != "Approved" {
		t.Fatalf("approve: %v %v", err, approved)
	}
	if got, err := c.Get(ctx, connID, "2021-06-01"); err != nil || state(got) != "Approved" {
		t.Errorf("get: %v", err)
	}
	if err := c.Delete(ctx, pe, ""); err != nil {
		t.Fatal(err)
	}
	if conns, _ := c.List(ctx, acct+"/privateEndpointConnections", "2021-06-01", nil); len(conns) != 0 {
		t.Errorf("connections after the endpoint's deletion: %v", conns)
	}
	if err := c.Delete(ctx, rg, ""); err != nil {
		t.Fatal(err)
	}
	all, err := c.ListResources(ctx, "", "")
	if err != nil || len(all) != 0 {
		t.Errorf("after the group's deletion: %v %v", err, all)
	}
	if err := c.Delete(ctx, rg, ""); err != nil {
		t.Errorf("deleting what is gone: %v", err)
	}
}

func TestARMErrorsAreDecoded(t *testing.T) {
	c, _ := local(t, emulator.Options{}, Options{})
	_, err := c.Get(context.Background(), sub+"/resourceGroups/nope/providers/Microsoft.Storage/storageAccounts/x", "2021-06-01")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %v", err)
	}
	if e.StatusCode != 404 || e.Code != "ResourceGroupNotFound" || e.RequestID == "" || !IsNotFound(err) || !IsCode(err, "resourcegroupnotfound") {
		t.Errorf("%+v", e)
	}
	c.Put(context.Background(), sub+"/resourceGroups/rg", "", map[string]any{"location": "westeurope"})
	_, err = c.Put(context.Background(), sub+"/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct", "2021-06-01",
		map[string]any{"location": "westeurope", "kind": "StorageV2", "sku": map[string]any{"name": 42}})
	if !errors.As(err, &e) || e.StatusCode != 400 || e.Target != "sku.name" || len(e.Details) != 1 {
		t.Errorf("validation error: %v", err)
	}
	if !strings.Contains(err.Error(), "PUT /subscriptions/") || !strings.Contains(err.Error(), "sku.name") {
		t.Errorf("message lacks context: %v", err)
	}
}

func TestDebugLogRedactsSecrets(t *testing.T) {
	var log syncBuffer
	c, _ := local(t, emulator.Options{}, Options{Debug: &log})
	ctx := context.Background()
	c.Put(ctx, sub+"/resourceGroups/rg", "", map[string]any{"location": "westeurope"})
	acct := sub + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct"
	if _, err := c.Put(ctx, acct, "2021-06-01", map[string]any{"location": "westeurope", "kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"}}); err != nil {
		t.Fatal(err)
	}
	keys, err := c.Post(ctx, acct, "listKeys", "2021-06-01", nil)
	if err != nil {
		t.Fatal(err)
	}
	secret := keys["keys"].([]any)[0].(map[string]any)["value"].(string)
	out := log.String()
	if strings.Contains(out, secret) {
		t.Error("an account key is in the debug log")
	}
	if strings.Contains(out, "Bearer local") || !strings.Contains(out, "Authorization: "+Redacted) {
		t.Error("the bearer token is not redacted")
	}
	for _, want := range []string{"--> PUT ", "<-- 200", "keyName", "POST ", "listKeys"} {
		if !strings.Contains(out, want) {
			t.Errorf("the debug log lacks %q", want)
		}
	}
}

func TestRedactionFollowsTheSchema(t *testing.T) {
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := newRedactor(cat)
	body := `{"location":"westeurope","properties":{"osProfile":{"computerName":"vm1","adminUsername":"me","adminPassword":"Hunter2!Hunter2!"}}}`
	out := r.body(context.Background(), sub+"/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1", "2024-07-01", []byte(body))
	if strings.Contains(out, "Hunter2") || !strings.Contains(out, "vm1") {
		t.Errorf("redacted: %s", out)
	}
	// A Key Vault secret's value: not named like a secret, the value of an object that is one;
	// in a resource and in a collection's items.
	kv := sub + "/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/secrets"
	for path, body := range map[string]string{
		kv + "/s1": `{"properties":{"value":"TopSecretValue1","contentType":"text/plain"}}`,
		kv:         `{"value":[{"id":"x","properties":{"value":"TopSecretValue1","contentType":"text/plain"}}]}`,
	} {
		out := r.body(context.Background(), path, "", []byte(body))
		if strings.Contains(out, "TopSecretValue1") || !strings.Contains(out, "text/plain") {
			t.Errorf("%s redacted: %s", path, out)
		}
	}
}

func TestResolveSubscription(t *testing.T) {
	t.Setenv("AZURE_SUBSCRIPTION_ID", "")
	dir := t.TempDir()
	t.Setenv("AZURE_CONFIG_DIR", dir)
	if _, err := ResolveSubscription(""); err == nil {
		t.Error("no flag, no environment and no CLI profile gave a subscription")
	}
	profile := "\xef\xbb\xbf" + `{"subscriptions":[{"id":"aaa","isDefault":false},{"id":"bbb","isDefault":true}]}`
	if err := os.WriteFile(filepath.Join(dir, "azureProfile.json"), []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err := ResolveSubscription(""); s != "bbb" || err != nil {
		t.Errorf("CLI default: %q %v", s, err)
	}
	t.Setenv("AZURE_SUBSCRIPTION_ID", "env")
	if s, _ := ResolveSubscription(""); s != "env" {
		t.Errorf("environment: %q", s)
	}
	if s, _ := ResolveSubscription("flag"); s != "flag" {
		t.Errorf("flag: %q", s)
	}
}

// TestDrillUnderThrottleAndFaults creates 200 resources, 20 at a time, against an emulator
// with ARM's throttle and one request in five faulted: none is lost or made twice, and the
// retries show in the debug log. (Dropped connections make Go's HTTP transport resend some
// reads on its own, unseen by any policy, so a few 429s can happen here; they are retried.
// TestPacingAvoidsThrottling shows the pacing without faults.)
func TestDrillUnderThrottleAndFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the throttle's buckets to refill")
	}
	var log syncBuffer
	// /resources pages of 50: the listing crosses page boundaries under faults.
	c, emu := local(t, emulator.Options{Throttle: emulator.ARMThrottle(), FaultRate: 0.2, Seed: 42, ResourcesPageSize: 50,
		TypeLatency: map[string]time.Duration{"Microsoft.Network/networkSecurityGroups": 5 * time.Millisecond}}, Options{Debug: &log})
	ctx := context.Background()
	for attempt := 0; ; attempt++ {
		if _, err := c.Put(ctx, sub+"/resourceGroups/drill", "", map[string]any{"location": "westeurope"}); err == nil {
			break
		} else if attempt == 5 {
			t.Fatal(err)
		}
	}
	const n = 200
	sem := make(chan struct{}, 20)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			id := fmt.Sprintf("%s/resourceGroups/drill/providers/Microsoft.Network/networkSecurityGroups/nsg%03d", sub, i)
			var err error
			for attempt := 0; attempt < 5; attempt++ { // a failed long-running operation is retried whole
				if _, err = c.Put(ctx, id, "", map[string]any{"location": "westeurope"}); err == nil {
					return
				}
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var all []Resource
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if all, err = c.ListResources(ctx, "drill", "resourceType eq 'Microsoft.Network/networkSecurityGroups'"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range all {
		if seen[Field(r, "name")] {
			t.Errorf("%s twice", Field(r, "name"))
		}
		seen[Field(r, "name")] = true
	}
	if len(seen) != n {
		t.Errorf("%d of %d resources exist", len(seen), n)
	}
	out := log.String()
	throttled := strings.Count(out, "<-- 429")
	retried := 0
	attempts := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "--> PUT ") {
			attempts[line]++
		}
	}
	for _, k := range attempts {
		if k > 1 {
			retried++
		}
	}
	if retried == 0 {
		t.Error("no retry is visible in the debug log")
	}
	t.Logf("faults injected %v; PUTs retried %d; 429s %d; requests the pacer held back %d", emu.InjectedFaults(), retried, throttled, c.Waits())
}

// TestPacingAvoidsThrottling sends more writes than the throttle's bucket holds, 20 at a
// time: the client waits for tokens instead of being refused.
func TestPacingAvoidsThrottling(t *testing.T) {
	var log syncBuffer
	throttle := &emulator.Throttle{Reads: emulator.Bucket{Capacity: 100, PerSecond: 100}, Writes: emulator.Bucket{Capacity: 20, PerSecond: 60}, Deletes: emulator.Bucket{Capacity: 20, PerSecond: 60}}
	c, _ := local(t, emulator.Options{Throttle: throttle}, Options{Debug: &log, Limits: &Limits{Reads: 100, Writes: 60, Deletes: 60}})
	ctx := context.Background()
	if _, err := c.Put(ctx, sub+"/resourceGroups/paced", "", map[string]any{"location": "westeurope"}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sem := make(chan struct{}, 20)
	var wg sync.WaitGroup
	const n = 120
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if _, err := c.Put(ctx, fmt.Sprintf("%s/resourceGroups/paced/providers/Microsoft.Network/networkSecurityGroups/nsg%03d", sub, i), "", map[string]any{"location": "westeurope"}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	took := time.Since(start)
	if throttled := strings.Count(log.String(), "<-- 429"); throttled > 0 {
		t.Errorf("%d answers were 429: the client did not pace itself", throttled)
	}
	// The bound: what the bucket held, then the refill rate.
	bound := time.Duration(n-19) * time.Second / 60
	if took < bound*8/10 {
		t.Errorf("%d writes took %v, faster than the throttle allows (%v): the emulator did not throttle", n, took, bound)
	}
	if c.Waits() == 0 {
		t.Error("the pacer never held a request back")
	}
	t.Logf("%d writes in %v (throttle bound %v); the pacer held back %d", n, took, bound, c.Waits())
}

func TestListPagesAreReadItemByItem(t *testing.T) {
	cases := []struct {
		page, next, err string
		names           []string
	}{
		{page: `{"value":[{"name":"a"},{"name":"b","properties":{"x":[1,2]}}],"nextLink":"https://next"}`, next: "https://next", names: []string{"a", "b"}},
		{page: `{"nextLink":null,"@odata.count":2,"value":[{"name":"a"}]}`, names: []string{"a"}},
		{page: `{"value":null}`},
		{page: `{}`},
		{page: `{"value":{"name":"a"}}`, err: "not an array"},
		{page: `[]`, err: `where "{" was expected`},
		{page: `null`, err: `where "{" was expected`},
		{page: `{"value":[],"nextLink":5}`, err: "nextLink"},
		{page: `{"value":[{"name":"a"},`, err: "EOF"},
	}
	// Item by item, and whole with each item's text decoded by the caller (ListEachDecoded).
	readers := map[string]func(page string, each func(Resource)) (string, error){
		"decoded": func(page string, each func(Resource)) (string, error) {
			return decodePage(strings.NewReader(page), each)
		},
		"text": func(page string, each func(Resource)) (string, error) {
			decode := func(text string) (Resource, error) {
				var r Resource
				return r, json.Unmarshal([]byte(text), &r)
			}
			return readTextPage(strings.NewReader(page), int64(len(page)), decode, each)
		},
	}
	for name, read := range readers {
		for _, c := range cases {
			var names []string
			next, err := read(c.page, func(r Resource) { names = append(names, r["name"].(string)) })
			if c.err != "" {
				if err == nil || name == "decoded" && !strings.Contains(err.Error(), c.err) {
					t.Errorf("%s %s: error %v, want one saying %q", name, c.page, err, c.err)
				}
				continue
			}
			if err != nil || next != c.next || strings.Join(names, ",") != strings.Join(c.names, ",") {
				t.Errorf("%s %s: got %v, next %q, error %v; want %v, next %q", name, c.page, names, next, err, c.names, c.next)
			}
		}
	}
}

func TestListFollowsEveryPage(t *testing.T) {
	c, _ := local(t, emulator.Options{PageSize: 2}, Options{})
	ctx := context.Background()
	if _, err := c.Put(ctx, sub+"/resourceGroups/paged", "2021-04-01", map[string]any{"location": "westeurope"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := c.Put(ctx, fmt.Sprintf("%s/resourceGroups/paged/providers/Microsoft.Network/routeTables/rt%d", sub, i), "", map[string]any{"location": "westeurope"}); err != nil {
			t.Fatal(err)
		}
	}
	items, err := c.List(ctx, sub+"/resourceGroups/paged/providers/Microsoft.Network/routeTables", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range items {
		names = append(names, it["name"].(string))
	}
	if strings.Join(names, ",") != "rt0,rt1,rt2,rt3,rt4" {
		t.Errorf("listed %v over pages of 2, want rt0 to rt4", names)
	}
	if _, err := c.List(ctx, sub+"/resourceGroups/absent/providers/Microsoft.Network/routeTables", "", nil); !IsNotFound(err) {
		t.Errorf("listing in a missing group: %v, want not found", err)
	}
}
