package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// drillProject writes 200 resources: 4 resource groups, each with a virtual network, 12
// subnets, 12 network security groups, 12 route tables and 12 storage accounts.
func drillProject(t *testing.T, seed uint64) string {
	var sb strings.Builder
	sb.WriteString("exports.createResources = () => [\n")
	for g := 0; g < 4; g++ {
		rg := fmt.Sprintf("drill%d", g)
		fmt.Fprintf(&sb, "{ type: \"ResourceGroup\", group: \"Resources\", name: %q },\n", rg)
		fmt.Fprintf(&sb, "{ type: \"VirtualNetwork\", group: \"Network\", name: \"vnet\", properties: () => ({ properties: { addressSpace: { addressPrefixes: [\"10.0.0.0/16\"] } } }), dependencies: () => ({ resourceGroup: %q }) },\n", rg)
		for i := 0; i < 12; i++ {
			fmt.Fprintf(&sb, "{ type: \"NetworkSecurityGroup\", group: \"Network\", name: \"nsg%d\", dependencies: () => ({ resourceGroup: %q }) },\n", i, rg)
			fmt.Fprintf(&sb, "{ type: \"RouteTable\", group: \"Network\", name: \"rt%d\", dependencies: () => ({ resourceGroup: %q }) },\n", i, rg)
			fmt.Fprintf(&sb, "{ type: \"Subnet\", group: \"Network\", name: \"sn%d\", properties: () => ({ properties: { addressPrefix: \"10.0.%d.0/24\" } }), dependencies: () => ({ resourceGroup: %q, virtualNetwork: \"%s::vnet\", networkSecurityGroup: \"%s::nsg%d\" }) },\n", i, i, rg, rg, rg, i)
			fmt.Fprintf(&sb, "{ type: \"StorageAccount\", group: \"Storage\", name: \"dr%ds%dx%02d\", properties: () => ({ kind: \"StorageV2\", sku: { name: \"Standard_LRS\" } }), dependencies: () => ({ resourceGroup: %q }) },\n", seed, g, i, rg)
		}
	}
	sb.WriteString("];\n")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(sb.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "config.js"), []byte(fmt.Sprintf(`module.exports = { projectName: "drill%d", location: "westeurope" };`, seed)), 0o644)
	return dir
}

// listed reads gru list --our --json.
func listOur(t *testing.T, bin, endpoint, dir string) []map[string]any {
	t.Helper()
	out, err := exec.Command(bin, "list", "--our", "--json", "--endpoint", endpoint, "-C", dir).Output()
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("list: %v %s", err, out)
	}
	return rows
}

// TestFaultDrill applies 200 resources against `gru emulator serve --fault-rate 0.2` (latency
// 1 ms, so that operations can fail) for five seeds; then the emulator is restarted on the same
// database without faults, and a second apply repairs every resource whose provisioning
// failed; the plan after it is empty, and nothing is lost, doubled or untagged.
func TestFaultDrill(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5}
	if testing.Short() {
		seeds = seeds[:1]
	}
	bin := buildGru(t)
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			t.Parallel() // the seeds' runs mostly wait for retries
			state := t.TempDir()
			db := filepath.Join(state, "arm.db")
			dir := drillProject(t, seed)
			endpoint, stop := startEmulator(t, bin, state, "--db", db, "--latency", "1ms", "--fault-rate", "0.2", "--seed", fmt.Sprint(seed))
			first := exec.Command(bin, "apply", "-f", "--parallelism", "20", "--endpoint", endpoint, "-C", dir)
			out, _ := first.CombinedOutput()
			failedLive := 0
			for _, r := range listOur(t, bin, endpoint, dir) {
				if r["failed"] == true {
					failedLive++
				}
			}
			stop()
			endpoint, _ = startEmulator(t, bin, state, "--db", db, "--latency", "1ms")
			plan, _ := exec.Command(bin, "plan", "--json", "--endpoint", endpoint, "-C", dir).Output()
			var p struct {
				Changes []struct {
					Action  string `json:"action"`
					Reasons []struct {
						Kind string `json:"kind"`
					} `json:"reasons"`
				} `json:"changes"`
			}
			json.Unmarshal(plan, &p)
			repairs := 0
			for _, c := range p.Changes {
				for _, r := range c.Reasons {
					if r.Kind == "failed" {
						repairs++
					}
				}
			}
			if repairs != failedLive {
				t.Errorf("list shows %d failed resources, the plan repairs %d", failedLive, repairs)
			}
			second, err := exec.Command(bin, "apply", "-f", "--endpoint", endpoint, "-C", dir).CombinedOutput()
			if err != nil {
				t.Fatalf("second apply: %v\n%s\nfirst apply:\n%s", err, tail(string(second), 3000), tail(string(out), 3000))
			}
			if code := exitOf(exec.Command(bin, "plan", "--exit-code", "--endpoint", endpoint, "-C", dir)); code != 0 {
				t.Errorf("the plan after the second apply is not empty (exit %d)", code)
			}
			rows := listOur(t, bin, endpoint, dir)
			seen := map[string]bool{}
			for _, r := range rows {
				id := strings.ToLower(r["id"].(string))
				if seen[id] {
					t.Errorf("%s is listed twice", id)
				}
				seen[id] = true
				if r["failed"] == true || r["state"] != "Succeeded" && r["state"] != "Exists" {
					t.Errorf("%s is %v", id, r["state"])
				}
			}
			if len(rows) != 200 {
				t.Errorf("%d resources managed after the drill, want 200", len(rows))
			}
			t.Logf("seed %d: first apply: %s; %d failed live, repaired by the second", seed, lastLine(string(out)), failedLive)
		})
	}
}

func exitOf(cmd *exec.Cmd) int {
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "Apply:") {
			return lines[i]
		}
	}
	return lines[len(lines)-1]
}

// TestFailedCreatesAreRepaired is the reproduction: 20 storage accounts, one at a
// time, against an emulator that fails a share of requests and operations (seed 8): the
// first apply fails some, list marks them, plan counts them pending, and the next apply
// repairs them.
func TestFailedCreatesAreRepaired(t *testing.T) {
	bin := buildGru(t)
	state := t.TempDir()
	var sb strings.Builder
	sb.WriteString("exports.createResources = () => [\n{ type: \"ResourceGroup\", group: \"Resources\", name: \"rg-repair\" },\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&sb, "{ type: \"StorageAccount\", group: \"Storage\", name: \"repair%02d\", properties: () => ({ kind: \"StorageV2\", sku: { name: \"Standard_LRS\" } }), dependencies: () => ({ resourceGroup: \"rg-repair\" }) },\n", i)
	}
	sb.WriteString("];\n")
	dir := writeProject(t, sb.String())
	endpoint, _ := startEmulator(t, bin, state, "--db", filepath.Join(state, "arm.db"), "--latency", "1ms", "--fault-rate", "0.2", "--seed", "8")
	out, err := exec.Command(bin, "apply", "-f", "--parallelism", "1", "--endpoint", endpoint, "-C", dir).CombinedOutput()
	if err == nil {
		t.Skipf("no failure at this seed:\n%s", out)
	}
	failed := 0
	for _, r := range listOur(t, bin, endpoint, dir) {
		if r["failed"] == true {
			failed++
		}
	}
	if failed == 0 {
		t.Fatalf("the first apply failed, but no resource is marked failed:\n%s", tail(string(out), 2000))
	}
	// The emulator keeps failing a share of requests: apply until it converges, each run
	// making progress, and the plan counts failed resources as pending until then.
	for run := 0; ; run++ {
		if code := exitOf(exec.Command(bin, "plan", "--exit-code", "--endpoint", endpoint, "-C", dir)); code == 0 {
			break
		} else if code != 2 {
			t.Fatalf("plan: exit %d", code)
		}
		if run == 5 {
			t.Fatal("five applies did not converge")
		}
		exec.Command(bin, "apply", "-f", "--parallelism", "1", "--endpoint", endpoint, "-C", dir).Run()
	}
	for _, r := range listOur(t, bin, endpoint, dir) {
		if r["failed"] == true {
			t.Errorf("%s is still failed", r["id"])
		}
	}
}

// TestUnreachableEndpointFailsFast: an endpoint that answers nothing (a closed port) fails a
// plan within seconds, naming the endpoint, instead of retrying for minutes.
func TestUnreachableEndpointFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	dir := writeProject(t, `exports.createResources = () => [{ type: "ResourceGroup", group: "Resources", name: "rg" }];`)
	start := time.Now()
	code, _, errOut := runGru(t, "", "apply", "-f", "--endpoint", endpoint, "-C", dir)
	took := time.Since(start)
	if code != 1 || !strings.Contains(errOut, endpoint+" does not answer") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	// Without the breaker, azcore's retries take about four minutes.
	if took > time.Minute {
		t.Errorf("failing took %v", took)
	}
	t.Logf("failed after %v", took.Round(time.Millisecond))
}
