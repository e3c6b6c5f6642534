package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/executor"
	"github.com/gru-iac/gru/internal/fakecloud"
	"github.com/gru-iac/gru/internal/plan"
	"github.com/gru-iac/gru/internal/project"
	"github.com/gru-iac/gru/internal/project/projecttest"
	"github.com/gru-iac/gru/internal/target"
)

const sub = fakecloud.Subscription

// env is a fake cloud, the engine on it, and the events of its runs.
type env struct {
	t      *testing.T
	cat    *catalog.Catalog
	cloud  *fakecloud.Cloud
	engine *Engine
	mu     sync.Mutex
	events []executor.Event
}

var sharedCatalog = sync.OnceValues(func() (*catalog.Catalog, error) { return catalog.Open(catalog.Options{}) })

func newEnv(t *testing.T) *env {
	cat, err := sharedCatalog()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, cat: cat, cloud: fakecloud.New(cat, sub)}
	e.engine = &Engine{Cloud: e.cloud, Parallelism: 4, InUseRetries: 2, InUseDelay: time.Millisecond,
		Events: func(ev executor.Event) { e.mu.Lock(); e.events = append(e.events, ev); e.mu.Unlock() }}
	return e
}

// res declares a resource: its type, name, body (JSON) and dependencies ("key=name,name").
var res = projecttest.Spec

func (e *env) target(opts target.Options, specs ...*project.Spec) *target.Target {
	e.t.Helper()
	proj := &project.Project{Name: "demo", Stage: "dev", Location: "westeurope", Config: map[string]any{}, Resources: specs}
	tg, err := target.Build(context.Background(), e.cat, proj, sub, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	return tg
}

func (e *env) plan(tg *target.Target, opts plan.Options) *plan.Plan {
	e.t.Helper()
	p, err := e.engine.Plan(context.Background(), tg, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// apply plans and applies, and returns the plan and the outcomes.
func (e *env) apply(tg *target.Target, opts plan.Options) (*plan.Plan, []executor.Outcome) {
	e.t.Helper()
	p := e.plan(tg, opts)
	out, err := e.engine.Apply(context.Background(), p)
	if err != nil {
		e.t.Fatal(err)
	}
	return p, out
}

func states(out []executor.Outcome) string {
	var s []string
	for _, o := range out {
		s = append(s, fmt.Sprintf("%s %s %s", o.Action, o.Key, o.State))
	}
	sort.Strings(s)
	return strings.Join(s, "\n")
}

func allDone(t *testing.T, out []executor.Outcome) {
	t.Helper()
	for _, o := range out {
		if o.State != executor.StateDone {
			t.Errorf("%s %s: %s %s", o.Action, o.Key, o.State, o.Error)
		}
	}
}

func summary(p *plan.Plan) string {
	var s []string
	for _, c := range p.Changes {
		if c.Action != plan.NoOp {
			s = append(s, string(c.Action)+" "+c.Key)
		}
	}
	return strings.Join(s, "\n")
}

func rgID(name string) string { return "/subscriptions/" + sub + "/resourceGroups/" + name }

var (
	rg   = res("Resources::ResourceGroup", "rg", "")
	vnet = res("Network::VirtualNetwork", "vnet", `{"properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}`, "resourceGroup=rg")
)

// Bullet 1: a resource whose provisioning failed plans as an update that repairs it, and
// counts as pending; one still provisioning is waited for.
func TestFailedResourcesAreRepaired(t *testing.T) {
	e := newEnv(t)
	acct := func(i int) *project.Spec {
		return res("Storage::StorageAccount", fmt.Sprintf("acct%d", i), `{"kind":"StorageV2","sku":{"name":"Standard_LRS"}}`, "resourceGroup=rg")
	}
	tg := e.target(target.Options{}, rg, acct(1), acct(2), acct(3))
	e.cloud.FailPut = func(id string) bool { return strings.HasSuffix(id, "/acct2") }
	_, out := e.apply(tg, plan.Options{})
	if !strings.Contains(states(out), "create Storage::StorageAccount rg::acct2 failed") {
		t.Fatalf("outcomes:\n%s", states(out))
	}
	e.cloud.FailPut = nil
	p := e.plan(tg, plan.Options{})
	c := p.Change("Storage::StorageAccount rg::acct2")
	if !p.Pending() || c.Action != plan.Update || c.Reasons[0].Kind != plan.ReasonFailed || c.State != "Failed" || summary(p) != "update Storage::StorageAccount rg::acct2" {
		t.Fatalf("plan after a failed create:\n%s\n%+v", summary(p), c)
	}
	_, out = e.apply(tg, plan.Options{})
	allDone(t, out)
	if p := e.plan(tg, plan.Options{}); p.Pending() {
		t.Errorf("after the repair:\n%s", summary(p))
	}
	// One still creating (an interrupted run's) is waited for, not created again.
	e.cloud.Linger(rgID("rg")+"/providers/Microsoft.Storage/storageAccounts/acct3", "Creating", 2)
	var waited []string
	p = e.plan(tg, plan.Options{OnWait: func(key, state string) { waited = append(waited, key+" "+state) }})
	if p.Pending() || len(waited) != 1 || waited[0] != "Storage::StorageAccount rg::acct3 Creating" {
		t.Errorf("waited %v; plan:\n%s", waited, summary(p))
	}
}

// Bullet 2: secrets never appear in a plan, its JSON, events or outcomes; write-only ones are
// not compared with live (Azure never returns them); --replace-secrets sends them again.
func TestSecretsNeverShowAndDoNotDrift(t *testing.T) {
	e := newEnv(t)
	const password, vmPassword, value = "Sq1-P4ssw0rd-Zq", "Vm1-P4ssw0rd-Zq", "Kv1-S3cretValue-Zq"
	tg := e.target(target.Options{}, rg,
		res("Sql::Server", "sql1", `{"properties":{"administratorLogin":"sqladmin","administratorLoginPassword":"`+password+`"}}`, "resourceGroup=rg"),
		res("KeyVault::Vault", "kv1", `{"properties":{"tenantId":"c0ffee00-0000-4000-8000-0000000000a1","sku":{"family":"A","name":"standard"},"accessPolicies":[]}}`, "resourceGroup=rg"),
		res("KeyVault::Secret", "s1", `{"properties":{"value":"`+value+`"}}`, "resourceGroup=rg", "vault=rg::kv1"),
		res("Compute::VirtualMachine", "vm1", `{"properties":{"osProfile":{"computerName":"vm1","adminUsername":"azureuser","adminPassword":"`+vmPassword+`"}}}`, "resourceGroup=rg"),
	)
	p, out := e.apply(tg, plan.Options{})
	allDone(t, out)
	var shown bytes.Buffer
	p.Save(&shown)
	json.NewEncoder(&shown).Encode(out)
	fmt.Fprintf(&shown, "%+v", e.events)
	for _, s := range []string{password, vmPassword, value} {
		if strings.Contains(shown.String(), s) {
			t.Errorf("a secret shows in the plan, outcomes or events")
		}
	}
	if got := e.cloud.Sent(rgID("rg") + "/providers/Microsoft.Sql/servers/sql1")["properties.administratorLoginPassword"]; got != password {
		t.Errorf("the password was not sent: %v", got)
	}
	p = e.plan(tg, plan.Options{})
	if p.Pending() {
		t.Errorf("write-only secrets drift:\n%s", summary(p))
	}
	p = e.plan(tg, plan.Options{ReplaceSecrets: []string{"sql1"}})
	c := p.Change("Sql::Server rg::sql1")
	if summary(p) != "update Sql::Server rg::sql1" || len(c.Diffs) != 1 || !c.Diffs[0].Sensitive || c.Diffs[0].Path != "properties.administratorLoginPassword" {
		t.Errorf("--replace-secrets sql1:\n%s\n%+v", summary(p), c.Diffs)
	}
	p = e.plan(tg, plan.Options{ReplaceSecrets: []string{"*"}})
	if n := p.Counts()[plan.Update]; n != 3 {
		t.Errorf("--replace-secrets: %d updates, want 3 (server, secret, VM):\n%s", n, summary(p))
	}
}

// Bullet 3: case-only edits show; ARM's case-insensitive values do not; tags only live has
// show as removed, and plan, apply and the next plan agree.
func TestExactDiffs(t *testing.T) {
	e := newEnv(t)
	group := func(tags string) *target.Target {
		return e.target(target.Options{}, res("Resources::ResourceGroup", "rg", `{"location":"West Europe","tags":`+tags+`}`))
	}
	_, out := e.apply(group(`{"env":"Prod"}`), plan.Options{})
	allDone(t, out)
	if p := e.plan(group(`{"env":"Prod"}`), plan.Options{}); p.Pending() {
		t.Errorf("West Europe vs westeurope: %+v", p.Changes[0].Diffs)
	}
	p := e.plan(group(`{"env":"prod"}`), plan.Options{})
	if summary(p) != "update Resources::ResourceGroup rg" || p.Changes[0].Diffs[0].Path != "tags.env" {
		t.Errorf("a case-only tag edit: %+v", p.Changes[0])
	}
	live := e.cloud.Resource(rgID("rg"))
	live["tags"].(map[string]any)["owner"] = "portal"
	e.cloud.Set(live)
	p = e.plan(group(`{"env":"Prod"}`), plan.Options{})
	d := p.Changes[0].Diffs
	if len(d) != 1 || d[0].Path != "tags.owner" || d[0].Before != "portal" || d[0].After != nil {
		t.Fatalf("a live-only tag: %+v", d)
	}
	e.apply(group(`{"env":"Prod"}`), plan.Options{})
	if tags := e.cloud.Resource(rgID("rg"))["tags"].(map[string]any); tags["owner"] != nil {
		t.Errorf("apply kept the tag the plan said it removes: %v", tags)
	}
	if p := e.plan(group(`{"env":"Prod"}`), plan.Options{}); p.Pending() {
		t.Errorf("plan after apply: %+v", p.Changes[0].Diffs)
	}
}

// Bullet 4: replacing a resource group plans everything inside it (declared or not), is refused
// without AllowReplace, and with it ends in an empty plan; plan counts equal apply counts.
func TestReplacementTakesItsContents(t *testing.T) {
	e := newEnv(t)
	subnet := res("Network::Subnet", "sn", `{"properties":{"addressPrefix":"10.0.0.0/24"}}`, "resourceGroup=rg", "virtualNetwork=rg::vnet")
	nsg := res("Network::NetworkSecurityGroup", "nsg", "", "resourceGroup=rg")
	at := func(location string) *target.Target {
		return e.target(target.Options{}, res("Resources::ResourceGroup", "rg", `{"location":"`+location+`"}`), vnet, subnet, nsg)
	}
	_, out := e.apply(at("westeurope"), plan.Options{})
	allDone(t, out)
	// Something the project does not declare lives in the group too; and the NSG has a rule
	// made in the portal, which the NSG made again keeps.
	e.cloud.Put(context.Background(), rgID("rg")+"/providers/Microsoft.Network/routeTables/theirs", "", map[string]any{"location": "westeurope"})
	nsgID := rgID("rg") + "/providers/Microsoft.Network/networkSecurityGroups/nsg"
	rule := map[string]any{"name": "ssh", "id": nsgID + "/securityRules/ssh", "properties": map[string]any{"protocol": "Tcp", "access": "Allow", "direction": "Inbound", "priority": json.Number("100"),
		"sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}}
	live := e.cloud.Resource(nsgID)
	live["properties"] = map[string]any{"securityRules": []any{rule}}
	if _, err := e.cloud.Put(context.Background(), nsgID, "", live); err != nil {
		t.Fatal(err)
	}
	if p := e.plan(at("westeurope"), plan.Options{}); p.Pending() {
		t.Fatalf("a rule made in the portal is a change:\n%s", summary(p))
	}
	p := e.plan(at("northeurope"), plan.Options{})
	made := p.Change("Network::NetworkSecurityGroup rg::nsg")
	rules, _ := made.SendBody()["properties"].(map[string]any)["securityRules"].([]any)
	if len(rules) != 1 || made.LiveVersion != "etag:"+e.cloud.Resource(nsgID)["etag"].(string) {
		t.Errorf("the NSG made again: rules %v, live version %q", rules, made.LiveVersion)
	}
	want := "replace Resources::ResourceGroup rg\nreplace Network::VirtualNetwork rg::vnet\nreplace Network::Subnet rg::vnet::sn\nreplace Network::NetworkSecurityGroup rg::nsg\n" +
		"delete Network::RouteTable rg::theirs"
	if summary(p) != want {
		t.Errorf("plan:\n%s\nwant:\n%s", summary(p), want)
	}
	if len(p.Refusals) != 1 || !strings.Contains(p.Refusals[0], "--allow-replace") || !strings.Contains(p.Refusals[0], "4 resources inside it") {
		t.Errorf("refusals: %v", p.Refusals)
	}
	var refused *RefusedError
	if _, err := e.engine.Apply(context.Background(), p); !errors.As(err, &refused) {
		t.Fatalf("a refused plan was applied: %v", err)
	}
	if ids := e.cloud.IDs(); len(ids) != 5 {
		t.Errorf("something changed: %v", ids)
	}
	p, out = e.apply(at("northeurope"), plan.Options{AllowReplace: true})
	allDone(t, out)
	n := p.Counts()
	if len(out) != n[plan.Replace]+n[plan.Delete] {
		t.Errorf("plan counts %v, apply outcomes %d", n, len(out))
	}
	if p := e.plan(at("northeurope"), plan.Options{}); p.Pending() {
		t.Errorf("after the replacement:\n%s", summary(p))
	}
	if e.cloud.Resource(rgID("rg")+"/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn") == nil {
		t.Error("the subnet was not made again")
	}
}

// Bullet 5: deletions follow the references in live bodies, dependents first, after the updates
// that drop a reference; one refused as in use is retried, then reported clearly.
func TestDeletionsFollowDependencies(t *testing.T) {
	e := newEnv(t)
	nsg := res("Network::NetworkSecurityGroup", "nsg", "", "resourceGroup=rg")
	rt := res("Network::RouteTable", "rt", "", "resourceGroup=rg")
	withNSG := res("Network::Subnet", "sn", `{"properties":{"addressPrefix":"10.0.0.0/24"}}`, "resourceGroup=rg", "virtualNetwork=rg::vnet", "networkSecurityGroup=rg::nsg", "routeTable=rg::rt")
	_, out := e.apply(e.target(target.Options{}, rg, vnet, nsg, rt, withNSG), plan.Options{})
	allDone(t, out)
	// The NSG and the route table leave the project, and the subnet drops its references.
	bare := res("Network::Subnet", "sn", `{"properties":{"addressPrefix":"10.0.0.0/24"}}`, "resourceGroup=rg", "virtualNetwork=rg::vnet")
	tg := e.target(target.Options{}, rg, vnet, bare)
	p := e.plan(tg, plan.Options{Prune: true})
	nsgKey := "Network::NetworkSecurityGroup rg::nsg"
	c := p.Change(nsgKey)
	if c == nil || c.Action != plan.Delete || strings.Join(c.DeleteAfter, ",") != "put Network::Subnet rg::vnet::sn" {
		t.Fatalf("plan:\n%s\n%+v", summary(p), c)
	}
	before := len(e.cloud.Log())
	out, err := e.engine.Apply(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	allDone(t, out)
	log := e.cloud.Log()[before:]
	if len(log) != 3 || !strings.HasPrefix(log[0], "PUT ") || !strings.HasPrefix(log[1], "DELETE ") {
		t.Errorf("order: %v", log)
	}
	// Destroy: the subnet goes with its network, the network with the group; an undeclared
	// resource that uses the subnet keeps it in use: tried again, then reported.
	e.cloud.Put(context.Background(), rgID("other"), "", map[string]any{"location": "westeurope"})
	e.cloud.Put(context.Background(), rgID("other")+"/providers/Microsoft.Network/networkInterfaces/nic", "", map[string]any{"location": "westeurope",
		"properties": map[string]any{"ipConfigurations": []any{map[string]any{"name": "c", "properties": map[string]any{"subnet": map[string]any{"id": rgID("rg") + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn"}}}}}})
	dp, err := e.engine.Destroy(context.Background(), tg, plan.DestroyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(dp); got != "delete Resources::ResourceGroup rg\ndelete Network::VirtualNetwork rg::vnet\ndelete Network::Subnet rg::vnet::sn" {
		t.Errorf("destroy plan:\n%s", got)
	}
	out, _ = e.engine.Apply(context.Background(), dp)
	var failed *executor.Outcome
	for i, o := range out {
		if o.Key == "Resources::ResourceGroup rg" {
			failed = &out[i]
		}
	}
	if failed == nil || failed.State != executor.StateFailed || !strings.Contains(failed.Error, "still in use after 3 attempts") || !strings.Contains(failed.Error, "delete or change what uses it") {
		t.Errorf("in use: %+v", failed)
	}
	retried := 0
	for _, ev := range e.events {
		if ev.Kind == executor.Retrying {
			retried++
		}
	}
	if retried != 2 {
		t.Errorf("%d retries, want 2", retried)
	}
	if states(out) != "delete Network::Subnet rg::vnet::sn failed\ndelete Network::VirtualNetwork rg::vnet failed\ndelete Resources::ResourceGroup rg failed" {
		t.Errorf("outcomes:\n%s", states(out))
	}
}

// Bullet 6: unknown properties are warnings with a suggestion, errors when strict.
func TestUnknownPropertiesWarn(t *testing.T) {
	e := newEnv(t)
	acct := res("Storage::StorageAccount", "acct", `{"knd":"StorageV2","kind":"StorageV2","sku":{"name":"Standard_LRS"},"properties":{"allowBlobPublicAcess":false}}`, "resourceGroup=rg")
	tg := e.target(target.Options{}, rg, acct)
	if len(tg.Warnings) != 2 || !strings.Contains(tg.Warnings[0].String(), "did you mean kind?") || !strings.Contains(tg.Warnings[1].String(), "did you mean allowBlobPublicAccess?") {
		t.Errorf("warnings: %v", tg.Warnings)
	}
	if p := e.plan(tg, plan.Options{}); len(p.Warnings) != 2 {
		t.Errorf("plan warnings: %v", p.Warnings)
	}
	proj := &project.Project{Name: "demo", Stage: "dev", Location: "westeurope", Resources: []*project.Spec{rg, acct}}
	_, err := target.Build(context.Background(), e.cat, proj, sub, target.Options{Strict: true})
	if err == nil || !strings.Contains(err.Error(), "2 problems") || !strings.Contains(err.Error(), "acct.js:1:1: Storage::StorageAccount rg::acct: knd") {
		t.Errorf("strict: %v", err)
	}
}

// Bullet 7: a saved plan holds no secret, applies while live is as it was, and is refused once
// live changed.
func TestSavedPlans(t *testing.T) {
	e := newEnv(t)
	const password = "Sq1-P4ssw0rd-Zq"
	sql := res("Sql::Server", "sql1", `{"properties":{"administratorLogin":"sqladmin","administratorLoginPassword":"`+password+`"}}`, "resourceGroup=rg")
	tg := e.target(target.Options{}, rg, sql)
	var file bytes.Buffer
	if err := e.plan(tg, plan.Options{}).Save(&file); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(file.String(), password) {
		t.Fatal("the saved plan holds the password")
	}
	saved, err := plan.Load(bytes.NewReader(file.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	_, out, err := e.engine.ApplySaved(context.Background(), saved, tg)
	if err != nil {
		t.Fatal(err)
	}
	allDone(t, out)
	// A second plan, then a change made elsewhere: the plan is out of date.
	tg2 := e.target(target.Options{}, res("Resources::ResourceGroup", "rg", `{"tags":{"v":"2"}}`), sql)
	file.Reset()
	e.plan(tg2, plan.Options{}).Save(&file)
	saved, _ = plan.Load(bytes.NewReader(file.Bytes()))
	live := e.cloud.Resource(rgID("rg"))
	live["tags"].(map[string]any)["touched"] = "yes"
	e.cloud.Set(live)
	_, _, err = e.engine.ApplySaved(context.Background(), saved, tg2)
	var stale *StaleError
	if !errors.As(err, &stale) || !strings.Contains(err.Error(), "Resources::ResourceGroup rg: changed live since the plan was made") {
		t.Errorf("stale plan: %v", err)
	}
	if tags := e.cloud.Resource(rgID("rg"))["tags"].(map[string]any); tags["v"] != nil {
		t.Error("a stale plan was applied")
	}
}

// Bullet 8: once the endpoint stops answering, nothing new starts and the outcomes say why.
func TestUnreachableEndpointStopsTheRun(t *testing.T) {
	e := newEnv(t)
	specs := []*project.Spec{rg}
	for i := 0; i < 12; i++ {
		specs = append(specs, res("Network::NetworkSecurityGroup", fmt.Sprintf("nsg%02d", i), "", "resourceGroup=rg"))
	}
	tg := e.target(target.Options{}, specs...)
	p := e.plan(tg, plan.Options{})
	e.engine.Parallelism = 1
	puts := 0
	e.cloud.AfterPut = func(c *fakecloud.Cloud, id string, _ map[string]any) {
		if puts++; puts == 4 { // the group and three NSGs
			c.Down.Store(true)
		}
	}
	out, err := e.engine.Apply(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[executor.State]int{}
	for _, o := range out {
		counts[o.State]++
		if o.State == executor.StateCanceled && !strings.Contains(o.Error, "does not answer") {
			t.Errorf("%s: %s", o.Key, o.Error)
		}
	}
	if counts[executor.StateDone] != 4 || counts[executor.StateFailed] != 1 || counts[executor.StateCanceled] != 8 {
		t.Errorf("outcomes: %v\n%s", counts, states(out))
	}
	var u *armclient.UnreachableError
	stopped := false
	for _, ev := range e.events {
		stopped = stopped || ev.Kind == executor.Stopping && errors.As(ev.Err, &u)
	}
	if !stopped {
		t.Error("no stopping event")
	}
}

// Bullet 6, the second half: the body sent is validated once its IDs are filled in, just
// before it is sent; an invalid one fails its resource and nothing is sent.
func TestTheBodySentIsValidated(t *testing.T) {
	e := newEnv(t)
	tg := e.target(target.Options{}, rg, vnet)
	p := e.plan(tg, plan.Options{})
	// The plan's body is the target's (shared, not copied): spoil it after validation.
	p.Change("Network::VirtualNetwork rg::vnet").SendBody()["properties"] = map[string]any{"addressSpace": map[string]any{"addressPrefixes": "10.0.0.0/16"}}
	out, err := e.engine.Apply(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if got := states(out); got != "create Network::VirtualNetwork rg::vnet failed\ncreate Resources::ResourceGroup rg done" {
		t.Errorf("outcomes:\n%s", got)
	}
	for _, o := range out {
		if o.State == executor.StateFailed && !strings.Contains(o.Error, "the body to send is not valid, nothing was sent: properties.addressSpace.addressPrefixes: wrong type") {
			t.Errorf("error: %s", o.Error)
		}
	}
	if log := e.cloud.Log(); len(log) != 1 {
		t.Errorf("sent: %v", log)
	}
}

// Read-only back-references (the subnets an NSG lists, as Azure returns it) say nothing of
// what must be deleted first: no cycle, no update of the NSG.
func TestBackReferencesDoNotOrderDeletions(t *testing.T) {
	e := newEnv(t)
	nsg := res("Network::NetworkSecurityGroup", "nsg", "", "resourceGroup=rg")
	subnet := res("Network::Subnet", "sn", `{"properties":{"addressPrefix":"10.0.0.0/24"}}`, "resourceGroup=rg", "virtualNetwork=rg::vnet", "networkSecurityGroup=rg::nsg")
	tg := e.target(target.Options{}, rg, vnet, nsg, subnet)
	_, out := e.apply(tg, plan.Options{})
	allDone(t, out)
	nsgID := rgID("rg") + "/providers/Microsoft.Network/networkSecurityGroups/nsg"
	live := e.cloud.Resource(nsgID)
	live["properties"].(map[string]any)["subnets"] = []any{map[string]any{"id": rgID("rg") + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn"}}
	e.cloud.Set(live)
	dp, err := e.engine.Destroy(context.Background(), tg, plan.DestroyOptions{Keep: func(r *target.Resource) bool { return !target.IsResourceGroup(r.Type) }})
	if err != nil || len(dp.Refusals) > 0 {
		t.Fatalf("destroy plan: %v %v", err, dp.Refusals)
	}
	if after := dp.Change("Network::VirtualNetwork rg::vnet").DeleteAfter; len(after) != 0 {
		t.Errorf("the network waits for %v", after)
	}
	if after := dp.Change("Network::NetworkSecurityGroup rg::nsg").DeleteAfter; strings.Join(after, ",") != "delete Network::VirtualNetwork rg::vnet" {
		t.Errorf("the NSG waits for %v, want the network (its subnet uses it)", after)
	}
	out, err = e.engine.Apply(context.Background(), dp)
	if err != nil {
		t.Fatal(err)
	}
	allDone(t, out)
	if ids := e.cloud.IDs(); len(ids) != 1 {
		t.Errorf("left: %v", ids)
	}
}

// A read-only resource (readOnly: true) is referred to, never written, tagged or deleted.
func TestReadOnlyResourcesAreNeverWritten(t *testing.T) {
	e := newEnv(t)
	e.cloud.Put(context.Background(), rgID("shared"), "", map[string]any{"location": "westeurope", "tags": map[string]any{"team": "network"}})
	shared := res("Resources::ResourceGroup", "shared", "")
	shared.ReadOnly = true
	nsg := res("Network::NetworkSecurityGroup", "nsg", "", "resourceGroup=shared")
	tg := e.target(target.Options{}, shared, nsg)
	p, out := e.apply(tg, plan.Options{})
	if summary(p) != "create Network::NetworkSecurityGroup shared::nsg" {
		t.Errorf("plan:\n%s", summary(p))
	}
	allDone(t, out)
	if tags := e.cloud.Resource(rgID("shared"))["tags"].(map[string]any); len(tags) != 1 || tags["team"] != "network" {
		t.Errorf("the read-only group was written: %v", tags)
	}
	dp, err := e.engine.Destroy(context.Background(), tg, plan.DestroyOptions{})
	if err != nil || summary(dp) != "delete Network::NetworkSecurityGroup shared::nsg" {
		t.Fatalf("destroy plan: %v\n%s", err, summary(dp))
	}
	out, _ = e.engine.Apply(context.Background(), dp)
	allDone(t, out)
	if e.cloud.Resource(rgID("shared")) == nil {
		t.Error("the read-only group was deleted")
	}
	// One that does not exist is refused.
	missing := res("Resources::ResourceGroup", "nowhere", "")
	missing.ReadOnly = true
	p = e.plan(e.target(target.Options{}, missing, res("Network::NetworkSecurityGroup", "nsg", "", "resourceGroup=nowhere")), plan.Options{})
	if len(p.Refusals) != 1 || !strings.Contains(p.Refusals[0], "Resources::ResourceGroup nowhere is read-only") {
		t.Errorf("refusals: %v", p.Refusals)
	}
}

// An update of a network sends the subnets live lists inline (Azure would take a PUT without
// them as deleting them), and the plan shows only what the project changes.
func TestUpdatesKeepInlineChildren(t *testing.T) {
	e := newEnv(t)
	subnet := res("Network::Subnet", "sn", `{"properties":{"addressPrefix":"10.0.0.0/24"}}`, "resourceGroup=rg", "virtualNetwork=rg::vnet")
	_, out := e.apply(e.target(target.Options{}, rg, vnet, subnet), plan.Options{})
	allDone(t, out)
	vnetID := rgID("rg") + "/providers/Microsoft.Network/virtualNetworks/vnet"
	live := e.cloud.Resource(vnetID) // as Azure returns it: the subnets inline
	live["properties"].(map[string]any)["subnets"] = []any{map[string]any{"name": "sn", "id": vnetID + "/subnets/sn",
		"properties": map[string]any{"addressPrefix": "10.0.0.0/24", "provisioningState": "Succeeded"}}}
	e.cloud.Set(live)
	tagged := res("Network::VirtualNetwork", "vnet", `{"tags":{"t":"1"},"properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}`, "resourceGroup=rg")
	p, out := e.apply(e.target(target.Options{}, rg, tagged, subnet), plan.Options{})
	allDone(t, out)
	c := p.Change("Network::VirtualNetwork rg::vnet")
	if c.Action != plan.Update || len(c.Diffs) != 1 || c.Diffs[0].Path != "tags.t" {
		t.Errorf("plan: %s %+v", c.Action, c.Diffs)
	}
	sent, _ := e.cloud.Resource(vnetID)["properties"].(map[string]any)["subnets"].([]any)
	if len(sent) != 1 {
		t.Errorf("the PUT dropped the subnets: %v", e.cloud.Resource(vnetID))
	}
	// Left alone, it is no change; written only because it refers to what the plan deletes
	// (a pruned security group), its PUT still sends the subnets.
	if p := e.plan(e.target(target.Options{}, rg, tagged, subnet), plan.Options{}); p.Pending() {
		t.Errorf("a network left alone:\n%s", summary(p))
	}
	nsg := res("Network::NetworkSecurityGroup", "nsg", "", "resourceGroup=rg")
	_, out = e.apply(e.target(target.Options{}, rg, tagged, subnet, nsg), plan.Options{})
	allDone(t, out)
	live = e.cloud.Resource(vnetID)
	live["properties"].(map[string]any)["ddosProtectionPlan"] = map[string]any{"id": rgID("rg") + "/providers/Microsoft.Network/networkSecurityGroups/nsg"}
	e.cloud.Set(live)
	p = e.plan(e.target(target.Options{}, rg, tagged, subnet), plan.Options{Prune: true})
	c = p.Change("Network::VirtualNetwork rg::vnet")
	if c.Action != plan.Update || paths(c.Diffs) != "properties.ddosProtectionPlan" {
		t.Fatalf("plan: %s %+v\n%s", c.Action, c.Diffs, summary(p))
	}
	if subnets, _ := c.SendBody()["properties"].(map[string]any)["subnets"].([]any); len(subnets) != 1 {
		t.Errorf("the PUT of a network written to drop a reference leaves out its subnets: %v", c.SendBody())
	}
	// Replaced with its group, it sends them too, as a network written for itself does.
	moved := res("Resources::ResourceGroup", "rg", `{"location":"northeurope"}`)
	p = e.plan(e.target(target.Options{}, moved, tagged, subnet, nsg), plan.Options{AllowReplace: true})
	c = p.Change("Network::VirtualNetwork rg::vnet")
	if subnets, _ := c.SendBody()["properties"].(map[string]any)["subnets"].([]any); c.Action != plan.Replace || len(subnets) != 1 {
		t.Errorf("a network replaced with its group: %s %v", c.Action, c.SendBody())
	}
}

// A resource written shows the references its PUT drops (the project no longer declares
// them); an unknown property, which ARM ignores and never returns, is no perpetual change.
func TestWritesShowTheReferencesTheyDrop(t *testing.T) {
	e := newEnv(t)
	nsg := res("Network::NetworkSecurityGroup", "nsg", "", "resourceGroup=rg")
	subnet := func(prefix string, deps ...string) *project.Spec {
		return res("Network::Subnet", "sn", `{"properties":{"addressPrefix":"`+prefix+`"}}`, append([]string{"resourceGroup=rg", "virtualNetwork=rg::vnet"}, deps...)...)
	}
	_, out := e.apply(e.target(target.Options{}, rg, vnet, nsg, subnet("10.0.0.0/24", "networkSecurityGroup=rg::nsg")), plan.Options{})
	allDone(t, out)
	// Dropping the dependency alone: live-only, left as it is (as a change made elsewhere).
	if p := e.plan(e.target(target.Options{}, rg, vnet, nsg, subnet("10.0.0.0/24")), plan.Options{}); p.Pending() {
		t.Errorf("a dropped dependency alone:\n%s", summary(p))
	}
	p := e.plan(e.target(target.Options{}, rg, vnet, nsg, subnet("10.0.1.0/24")), plan.Options{})
	c := p.Change("Network::Subnet rg::vnet::sn")
	if c.Action != plan.Update || paths(c.Diffs) != "properties.addressPrefix,properties.networkSecurityGroup" || c.Diffs[1].After != nil {
		t.Errorf("plan: %s %+v", c.Action, c.Diffs)
	}
	// An unknown property: sent (a warning says ARM ignores it), never compared.
	typo := res("Network::NetworkSecurityGroup", "nsg", `{"properties":{"flushConnectionz":true}}`, "resourceGroup=rg")
	tg := e.target(target.Options{}, rg, typo)
	if len(tg.Warnings) != 1 {
		t.Fatalf("warnings: %v", tg.Warnings)
	}
	_, out = e.apply(tg, plan.Options{})
	allDone(t, out)
	live := e.cloud.Resource(rgID("rg") + "/providers/Microsoft.Network/networkSecurityGroups/nsg")
	delete(live["properties"].(map[string]any), "flushConnectionz") // as ARM: ignored, never returned
	e.cloud.Set(live)
	if p := e.plan(tg, plan.Options{}); p.Pending() {
		t.Errorf("an unknown property plans a change: %+v", p.Change("Network::NetworkSecurityGroup rg::nsg").Diffs)
	}
}

func paths(ds []plan.Diff) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Path)
	}
	return strings.Join(out, ",")
}

// A plan without Prune names what the project manages but no longer declares, and leaves it;
// with Prune it deletes it. What another project manages is neither.
func TestPlansNameWhatIsNoLongerDeclared(t *testing.T) {
	e := newEnv(t)
	nsg := res("Network::NetworkSecurityGroup", "nsg", "", "resourceGroup=rg")
	_, out := e.apply(e.target(target.Options{}, rg, nsg), plan.Options{})
	allDone(t, out)
	e.cloud.Put(context.Background(), rgID("theirs"), "", map[string]any{"location": "westeurope",
		"tags": map[string]any{"gc-managed-by": "grucloud", "gc-project-name": "other", "gc-stage": "dev"}})
	tg := e.target(target.Options{}, rg)
	p := e.plan(tg, plan.Options{})
	if strings.Join(p.Undeclared, ",") != "Network::NetworkSecurityGroup rg::nsg" || p.Pending() {
		t.Errorf("undeclared %v, pending %v:\n%s", p.Undeclared, p.Pending(), summary(p))
	}
	p = e.plan(tg, plan.Options{Prune: true})
	if len(p.Undeclared) != 0 || summary(p) != "delete Network::NetworkSecurityGroup rg::nsg" {
		t.Errorf("with prune: undeclared %v:\n%s", p.Undeclared, summary(p))
	}
}
