package emulator

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/gru-iac/gru/internal/armclient"
)

func TestThrottleBuckets(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := newServer(t, Options{Now: clock, Throttle: &Throttle{Reads: Bucket{5, 1}, Writes: Bucket{2, 1}, Deletes: Bucket{2, 1}}})
	put := func(name string) (int, string) {
		s, code, _ := call(t, srv, "PUT", sub+"/resourceGroups/"+name+"?api-version=2021-04-01", "t", `{"location":"westeurope"}`)
		return s, code
	}
	if s, _ := put("a"); s != 201 {
		t.Fatalf("first write: %d", s)
	}
	if s, _ := put("b"); s != 201 {
		t.Fatalf("second write: %d", s)
	}
	if s, code := put("c"); s != 429 || code != "SubscriptionRequestsThrottled" {
		t.Fatalf("third write: %d %s", s, code)
	}
	// Reads have their own bucket.
	if s, _, _ := call(t, srv, "GET", sub+"/resourceGroups/a?api-version=2021-04-01", "t", ""); s != 200 {
		t.Errorf("a read while writes are throttled: %d", s)
	}
	if _, _, list := call(t, srv, "GET", sub+"/resourceGroups?api-version=2021-04-01", "t", ""); len(list["value"].([]any)) != 2 {
		t.Errorf("the throttled write was stored: %v", list)
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if s, _ := put("c"); s != 201 {
		t.Errorf("after a second's refill: %d", s)
	}
}

func TestThrottleHeaders(t *testing.T) {
	srv := newServer(t, Options{Throttle: ARMThrottle()})
	req := fmt.Sprintf("%s%s/resourceGroups?api-version=2021-04-01", srv.URL, sub)
	resp, err := srv.Client().Do(authorized(t, "GET", req))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("x-ms-ratelimit-remaining-subscription-reads"); got != "249" {
		t.Errorf("remaining reads %q, want 249", got)
	}
	if _, err := ParseThrottle("25:10:10"); err != nil {
		t.Error(err)
	}
	if th, err := ParseThrottle("250@25:200@10:200@10"); err != nil || *th != *ARMThrottle() {
		t.Errorf("%+v %v", th, err)
	}
	for _, bad := range []string{"", "1:2", "a:b:c", "0:1:1", "0@1:1:1"} {
		if _, err := ParseThrottle(bad); err == nil {
			t.Errorf("ParseThrottle(%q) accepted", bad)
		}
	}
}

// TestFaultDrillLosesNothing creates 200 resources through Microsoft's SDK against an emulator
// that faults one request in five (500s, 503s, dropped connections before and after handling,
// failed operations). The SDK's retries and a retry of failed operations make every resource
// exist exactly once. (Throttling is drilled with gru's own client, which paces itself.)
func TestFaultDrillLosesNothing(t *testing.T) {
	emu, _, co := serve(t, Options{FaultRate: 0.2, Seed: 7,
		TypeLatency: map[string]time.Duration{"Microsoft.Network/virtualNetworks": 5 * time.Millisecond}})
	co.Retry = policy.RetryOptions{MaxRetries: 20, RetryDelay: time.Millisecond, MaxRetryDelay: 20 * time.Millisecond}
	ctx := context.Background()
	rgs, _ := armresources.NewResourceGroupsClient(LocalSubscriptionID, armclient.StaticToken("t"), co)
	for attempt := 0; ; attempt++ {
		if _, err := rgs.CreateOrUpdate(ctx, "drill", armresources.ResourceGroup{Location: to.Ptr("westeurope")}, nil); err == nil {
			break
		} else if attempt > 10 {
			t.Fatal(err)
		}
	}
	client, _ := armresources.NewClient(LocalSubscriptionID, armclient.StaticToken("t"), co)
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 8)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			id := fmt.Sprintf("/subscriptions/%s/resourceGroups/drill/providers/Microsoft.Network/virtualNetworks/vnet%03d", LocalSubscriptionID, i)
			body := armresources.GenericResource{Location: to.Ptr("westeurope"), Properties: map[string]any{"addressSpace": map[string]any{"addressPrefixes": []string{"10.0.0.0/16"}}}}
			var last error
			for attempt := 0; attempt < 10; attempt++ {
				p, err := client.BeginCreateOrUpdateByID(ctx, id, "2024-05-01", body, nil)
				if err == nil {
					_, err = p.PollUntilDone(ctx, fastPoll)
				}
				if last = err; err == nil {
					return
				}
			}
			errs <- fmt.Errorf("%s: %w", id, last)
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]int{}
	for pager := client.NewListByResourceGroupPager("drill", nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Value {
			seen[*r.Name]++
		}
	}
	if len(seen) != n {
		t.Errorf("%d of %d resources exist", len(seen), n)
	}
	for name, count := range seen {
		if count != 1 {
			t.Errorf("%s listed %d times", name, count)
		}
	}
	faults := emu.InjectedFaults()
	for _, kind := range []string{"500", "503", "drop-before", "drop-after", "failed-operation"} {
		if faults[kind] == 0 {
			t.Errorf("no %s fault was injected: %v", kind, faults)
		}
	}
	t.Logf("faults injected: %v", faults)
}
