package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v6"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/swagger"
)

// The conformance test is the second acceptance test of "the emulator answers as ARM does":
// every response the emulator gives in the flows Microsoft's SDK clients run must be valid for
// the response schema of the operation in the examples corpus's swagger (the spec of the
// request's API version, else the nearest version the corpus has).

// exchange is one request and its response, as the client saw it.
type exchange struct {
	Flow       string
	Method     string
	Path       string
	APIVersion string
	Status     int
	Body       []byte
}

// recorder is an http.RoundTripper that keeps every exchange that passes through it.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	flow string
	log  []exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.log = append(r.log, exchange{Flow: r.flow, Method: req.Method, Path: req.URL.Path, APIVersion: req.URL.Query().Get("api-version"), Status: resp.StatusCode, Body: body})
	r.mu.Unlock()
	return resp, nil
}

func (r *recorder) setFlow(name string) {
	r.mu.Lock()
	r.flow = name
	r.mu.Unlock()
}

func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange{}, r.log...)
}

// conformanceFlowsExpectedToFail are the flows the emulator cannot run today, with why. A flow
// listed here that passes fails the test: take it off the list. Under -replay.strict (or
// GRU_REPLAY_STRICT=1) the listed flows fail the test too, as do the known violations below.
var conformanceFlowsExpectedToFail = map[string]string{}

// conformanceKnownViolations are the schema violations the emulator's responses have today,
// as "operationId rule path" (array indexes written []). A violation not listed fails the
// test; a listed one that no longer occurs fails it too: take it off the list.
var conformanceKnownViolations = map[string]bool{}

// asyncStatusSchema is the schema of the operation status an Azure-AsyncOperation header
// points at, which no provider's spec describes: ARM's common type.
var asyncStatusSchema = swagger.SchemaRef{File: "common-types/resource-management/v5/types.json", Pointer: "/definitions/OperationStatusResult"}

var asyncStatusPath = regexp.MustCompile(`(?i)^/subscriptions/[^/]+/providers/[^/]+/locations/[^/]+/operationStatuses/[^/]+$`)

// conformanceWarnings are rules reported but not asserted: JSON Schema allows properties a
// schema does not declare, and ARM's clients read properties without regard to case.
var conformanceWarnings = map[string]bool{"undeclared": true, "case": true}

// flowStep runs one named step of a flow.
type flowStep struct {
	name string
	run  func(ctx context.Context) error
}

type conformanceFlow struct {
	name  string
	steps []flowStep
}

func TestConformanceOfResponses(t *testing.T) {
	corpus := corpusOrSkip(t)
	ctx := context.Background()
	specs, err := swagger.LoadSpecs(ctx, os.DirFS(filepath.Join(corpus, "specification")))
	if err != nil {
		t.Fatal(err)
	}
	// The latencies of gru's local cloud, so that the SDK's pollers poll, and a GET during a
	// long-running operation sees it running.
	_, srv, co := serve(t, Options{Latency: 20 * time.Millisecond, TypeLatency: RealisticLatencies()})
	rec := &recorder{next: srv.Client().Transport}
	co.Transport = &http.Client{Transport: rec}

	flows := conformanceFlows(t, co)
	failed := map[string]string{}
	for _, f := range flows {
		rec.setFlow(f.name)
		for _, s := range f.steps {
			if err := s.run(ctx); err != nil {
				failed[f.name] = fmt.Sprintf("%s: %v", s.name, firstLine(err))
				break
			}
		}
	}
	rec.setFlow("")
	for _, f := range flows {
		why, expected := conformanceFlowsExpectedToFail[f.name]
		msg, fails := failed[f.name]
		switch {
		case fails && expected && replayStrict():
			t.Errorf("flow %q fails (%s): %s", f.name, why, msg)
		case fails && expected:
			t.Logf("flow %q fails, as expected (%s): %s", f.name, why, msg)
		case fails:
			t.Errorf("flow %q fails: %s", f.name, msg)
		case expected:
			t.Errorf("flow %q passes now: take it off conformanceFlowsExpectedToFail", f.name)
		default:
			t.Logf("flow %q passes", f.name)
		}
	}

	exchanges := rec.exchanges()
	byRule, unmatched := map[string]int{}, map[string]int{}
	seen := map[string]bool{}
	var checked, nearest int
	for _, x := range exchanges {
		op, exact := specs.Match(x.Method, x.Path, x.APIVersion)
		var vs []swagger.Violation
		var err error
		switch {
		case op != nil:
			if !exact {
				nearest++
			}
			vs, err = specs.CheckResponse(op, x.Status, x.Body, swagger.ValidateOptions{Undeclared: true})
		case x.Method == http.MethodGet && x.Status == http.StatusOK && asyncStatusPath.MatchString(x.Path):
			op = &swagger.Operation{OperationID: "AsyncOperationStatus", APIVersion: "common-types v5"}
			vs, err = specs.ValidateJSON(asyncStatusSchema, x.Body, swagger.ValidateOptions{Undeclared: true})
		default:
			unmatched[fmt.Sprintf("%s %s -> %d", x.Method, templateOf(x.Path), x.Status)]++
			continue
		}
		checked++
		t.Logf("checked: %s %s %s -> %d against %s@%s: %d violations", x.Flow, x.Method, templateOf(x.Path), x.Status, op.OperationID, op.APIVersion, len(vs))
		if err != nil {
			vs = []swagger.Violation{{Path: "$", Rule: "body", Schema: op.SpecFile, Detail: err.Error()}}
		}
		for _, v := range vs {
			key := fmt.Sprintf("%s %s %s", op.OperationID, v.Rule, indexless(v.Path))
			byRule[v.Rule]++
			if seen[key] {
				continue
			}
			seen[key] = true
			line := fmt.Sprintf("%s %s %s -> %d, %s@%s: %s", x.Flow, x.Method, x.Path, x.Status, op.OperationID, op.APIVersion, v)
			switch {
			case conformanceWarnings[v.Rule]:
				t.Logf("warning: %s", line)
			case v.Rule == "ref":
				t.Logf("the spec has a reference that cannot be followed: %s", line)
			case conformanceKnownViolations[key]:
				t.Logf("known violation: %s", line)
			case replayStrict():
				t.Errorf("violation: %s\n(key %q)", line, key)
			default:
				t.Errorf("new violation: %s\n(fix the emulator, or list %q in conformanceKnownViolations)", line, key)
			}
		}
	}
	for key := range conformanceKnownViolations {
		if !seen[key] {
			t.Errorf("known violation %q no longer occurs: take it off conformanceKnownViolations", key)
		}
	}
	if replayStrict() && len(conformanceKnownViolations) > 0 {
		t.Errorf("%d known violations remain (strict mode)", len(conformanceKnownViolations))
	}
	t.Logf("%d responses recorded in %d flows (%d failed); %d checked against an operation of the corpus (%d at the nearest version, not the request's) or ARM's operation status, %d with no schema",
		len(exchanges), len(flows), len(failed), checked, nearest, len(exchanges)-checked)
	for _, r := range top(byRule, 20) {
		t.Logf("  %5d  violations of rule %s", r.n, r.key)
	}
	for _, u := range top(unmatched, 20) {
		t.Logf("  %5d  unmatched (not in the corpus's specs): %s", u.n, u.key)
	}
	if checked < 20 {
		t.Errorf("only %d responses checked against the specs", checked)
	}
}

var (
	indexRE = regexp.MustCompile(`\[\d+\]`)
	guidRE  = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
)

func indexless(p string) string { return indexRE.ReplaceAllString(p, "[]") }

// templateOf blanks the IDs in a path, so that the unmatched group by shape.
func templateOf(p string) string {
	p = guidRE.ReplaceAllString(p, "{id}")
	return p
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		// The SDK's errors put the method and URL on the first line and the ARM error code below.
		code := ""
		for _, line := range strings.Split(s, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "ERROR CODE:") {
				code = strings.TrimSpace(line)
			}
		}
		return strings.TrimSpace(s[:i]) + " " + code
	}
	return s
}

// conformanceFlows are the SDK-like flows whose responses are checked. They share the
// resources they make, in order: a flow that needs what an earlier one made fails with it.
func conformanceFlows(t *testing.T, opts *arm.ClientOptions) []conformanceFlow {
	cred := armclient.StaticToken("t")
	rgs, err := armresources.NewResourceGroupsClient(LocalSubscriptionID, cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	accounts, _ := armstorage.NewAccountsClient(LocalSubscriptionID, cred, opts)
	connections, _ := armstorage.NewPrivateEndpointConnectionsClient(LocalSubscriptionID, cred, opts)
	vnets, _ := armnetwork.NewVirtualNetworksClient(LocalSubscriptionID, cred, opts)
	subnets, _ := armnetwork.NewSubnetsClient(LocalSubscriptionID, cred, opts)
	endpoints, _ := armnetwork.NewPrivateEndpointsClient(LocalSubscriptionID, cred, opts)

	const group, account, vnet, subnet, endpoint = "conformance", "conformanceacct", "conformanceVnet", "default", "conformancePe"
	var accountID, subnetID, connectionName string
	step := func(name string, run func(ctx context.Context) error) flowStep { return flowStep{name, run} }
	drain := func(more func() bool, next func(ctx context.Context) (int, error)) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			n := 0
			for more() {
				got, err := next(ctx)
				if err != nil {
					return err
				}
				n += got
			}
			if n == 0 {
				return errors.New("the list is empty")
			}
			return nil
		}
	}
	return []conformanceFlow{
		{"resource groups", []flowStep{
			step("create", func(ctx context.Context) error {
				_, err := rgs.CreateOrUpdate(ctx, "conformanceScratch", armresources.ResourceGroup{Location: to.Ptr("westeurope"), Tags: map[string]*string{"k": to.Ptr("v")}}, nil)
				return err
			}),
			step("get", func(ctx context.Context) error { _, err := rgs.Get(ctx, "conformanceScratch", nil); return err }),
			step("check existence", func(ctx context.Context) error {
				_, err := rgs.CheckExistence(ctx, "conformanceScratch", nil)
				return err
			}),
			step("list", func(ctx context.Context) error {
				p := rgs.NewListPager(nil)
				return drain(p.More, func(ctx context.Context) (int, error) { page, err := p.NextPage(ctx); return len(page.Value), err })(ctx)
			}),
			step("delete", func(ctx context.Context) error {
				p, err := rgs.BeginDelete(ctx, "conformanceScratch", nil)
				if err != nil {
					return err
				}
				_, err = p.PollUntilDone(ctx, fastPoll)
				return err
			}),
			step("get after delete", func(ctx context.Context) error {
				if _, err := rgs.Get(ctx, "conformanceScratch", nil); armCode(err) != "ResourceGroupNotFound" {
					return fmt.Errorf("want ResourceGroupNotFound, got %v", err)
				}
				return nil
			}),
		}},
		{"storage accounts", []flowStep{
			step("create the group", func(ctx context.Context) error {
				_, err := rgs.CreateOrUpdate(ctx, group, armresources.ResourceGroup{Location: to.Ptr("westeurope")}, nil)
				return err
			}),
			step("check name availability", func(ctx context.Context) error {
				_, err := accounts.CheckNameAvailability(ctx, armstorage.AccountCheckNameAvailabilityParameters{Name: to.Ptr(account), Type: to.Ptr("Microsoft.Storage/storageAccounts")}, nil)
				return err
			}),
			step("create", func(ctx context.Context) error {
				p, err := accounts.BeginCreate(ctx, group, account, armstorage.AccountCreateParameters{
					Kind: to.Ptr(armstorage.KindStorageV2), Location: to.Ptr("westeurope"), SKU: &armstorage.SKU{Name: to.Ptr(armstorage.SKUNameStandardLRS)},
					Tags: map[string]*string{"k": to.Ptr("v")},
				}, nil)
				if err != nil {
					return err
				}
				got, err := p.PollUntilDone(ctx, fastPoll)
				if err == nil && got.ID != nil {
					accountID = *got.ID
				}
				return err
			}),
			step("get properties", func(ctx context.Context) error {
				_, err := accounts.GetProperties(ctx, group, account, nil)
				return err
			}),
			step("list by resource group", func(ctx context.Context) error {
				p := accounts.NewListByResourceGroupPager(group, nil)
				return drain(p.More, func(ctx context.Context) (int, error) { page, err := p.NextPage(ctx); return len(page.Value), err })(ctx)
			}),
			step("list keys", func(ctx context.Context) error { _, err := accounts.ListKeys(ctx, group, account, nil); return err }),
			step("update tags", func(ctx context.Context) error {
				_, err := accounts.Update(ctx, group, account, armstorage.AccountUpdateParameters{Tags: map[string]*string{"k": to.Ptr("w")}}, nil)
				return err
			}),
			step("get while an update runs", func(ctx context.Context) error {
				p, err := accounts.BeginCreate(ctx, group, account, armstorage.AccountCreateParameters{
					Kind: to.Ptr(armstorage.KindStorageV2), Location: to.Ptr("westeurope"), SKU: &armstorage.SKU{Name: to.Ptr(armstorage.SKUNameStandardLRS)},
				}, nil)
				if err != nil {
					return err
				}
				if _, err := accounts.GetProperties(ctx, group, account, nil); err != nil {
					return err
				}
				_, err = p.PollUntilDone(ctx, fastPoll)
				return err
			}),
		}},
		{"storage accounts: list by subscription", []flowStep{
			step("list", func(ctx context.Context) error {
				p := accounts.NewListPager(nil)
				return drain(p.More, func(ctx context.Context) (int, error) { page, err := p.NextPage(ctx); return len(page.Value), err })(ctx)
			}),
		}},
		{"virtual networks", []flowStep{
			step("create", func(ctx context.Context) error {
				p, err := vnets.BeginCreateOrUpdate(ctx, group, vnet, armnetwork.VirtualNetwork{Location: to.Ptr("westeurope"),
					Properties: &armnetwork.VirtualNetworkPropertiesFormat{AddressSpace: &armnetwork.AddressSpace{AddressPrefixes: []*string{to.Ptr("10.0.0.0/16")}}}}, nil)
				if err != nil {
					return err
				}
				_, err = p.PollUntilDone(ctx, fastPoll)
				return err
			}),
			step("create a subnet", func(ctx context.Context) error {
				p, err := subnets.BeginCreateOrUpdate(ctx, group, vnet, subnet, armnetwork.Subnet{Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: to.Ptr("10.0.0.0/24")}}, nil)
				if err != nil {
					return err
				}
				got, err := p.PollUntilDone(ctx, fastPoll)
				if err == nil && got.ID != nil {
					subnetID = *got.ID
				}
				return err
			}),
			step("get", func(ctx context.Context) error { _, err := vnets.Get(ctx, group, vnet, nil); return err }),
			step("get the subnet", func(ctx context.Context) error { _, err := subnets.Get(ctx, group, vnet, subnet, nil); return err }),
			step("list subnets", func(ctx context.Context) error {
				p := subnets.NewListPager(group, vnet, nil)
				return drain(p.More, func(ctx context.Context) (int, error) { page, err := p.NextPage(ctx); return len(page.Value), err })(ctx)
			}),
			step("list by resource group", func(ctx context.Context) error {
				p := vnets.NewListPager(group, nil)
				return drain(p.More, func(ctx context.Context) (int, error) { page, err := p.NextPage(ctx); return len(page.Value), err })(ctx)
			}),
		}},
		{"virtual networks: list all", []flowStep{
			step("list all", func(ctx context.Context) error {
				p := vnets.NewListAllPager(nil)
				return drain(p.More, func(ctx context.Context) (int, error) { page, err := p.NextPage(ctx); return len(page.Value), err })(ctx)
			}),
		}},
		{"private endpoint to a storage account", []flowStep{
			step("create the endpoint", func(ctx context.Context) error {
				if accountID == "" || subnetID == "" {
					return errors.New("no storage account or subnet from the flows before")
				}
				p, err := endpoints.BeginCreateOrUpdate(ctx, group, endpoint, armnetwork.PrivateEndpoint{
					Location: to.Ptr("westeurope"),
					Properties: &armnetwork.PrivateEndpointProperties{
						Subnet: &armnetwork.Subnet{ID: to.Ptr(subnetID)},
						PrivateLinkServiceConnections: []*armnetwork.PrivateLinkServiceConnection{{
							Name:       to.Ptr("toBlob"),
							Properties: &armnetwork.PrivateLinkServiceConnectionProperties{PrivateLinkServiceID: to.Ptr(accountID), GroupIDs: []*string{to.Ptr("blob")}},
						}},
					},
				}, nil)
				if err != nil {
					return err
				}
				_, err = p.PollUntilDone(ctx, fastPoll)
				return err
			}),
			step("get the endpoint", func(ctx context.Context) error { _, err := endpoints.Get(ctx, group, endpoint, nil); return err }),
			step("list the account's connections", func(ctx context.Context) error {
				p := connections.NewListPager(group, account, nil)
				return drain(p.More, func(ctx context.Context) (int, error) {
					page, err := p.NextPage(ctx)
					for _, c := range page.Value {
						if c.Name != nil {
							connectionName = *c.Name
						}
					}
					return len(page.Value), err
				})(ctx)
			}),
			step("get the connection", func(ctx context.Context) error {
				_, err := connections.Get(ctx, group, account, connectionName, nil)
				return err
			}),
			step("get the account", func(ctx context.Context) error {
				_, err := accounts.GetProperties(ctx, group, account, nil)
				return err
			}),
		}},
		{"private endpoints: delete", []flowStep{
			step("delete the endpoint", func(ctx context.Context) error {
				p, err := endpoints.BeginDelete(ctx, group, endpoint, nil)
				if err != nil {
					return err
				}
				_, err = p.PollUntilDone(ctx, fastPoll)
				return err
			}),
			step("list the account's connections", func(ctx context.Context) error {
				p := connections.NewListPager(group, account, nil)
				for p.More() {
					page, err := p.NextPage(ctx)
					if err != nil {
						return err
					}
					if len(page.Value) > 0 {
						return fmt.Errorf("%d connections left", len(page.Value))
					}
				}
				return nil
			}),
		}},
		{"storage accounts: delete", []flowStep{
			step("delete the account", func(ctx context.Context) error { _, err := accounts.Delete(ctx, group, account, nil); return err }),
			step("get the deleted account", func(ctx context.Context) error {
				if _, err := accounts.GetProperties(ctx, group, account, nil); armCode(err) != "ResourceNotFound" {
					return fmt.Errorf("want ResourceNotFound, got %v", err)
				}
				return nil
			}),
		}},
		{"resource groups: delete a group with resources", []flowStep{
			step("delete the group", func(ctx context.Context) error {
				p, err := rgs.BeginDelete(ctx, group, nil)
				if err != nil {
					return err
				}
				_, err = p.PollUntilDone(ctx, fastPoll)
				return err
			}),
		}},
	}
}
