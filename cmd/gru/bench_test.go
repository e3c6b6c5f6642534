package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gru-iac/gru/internal/shareddir"
)

// TestMain removes the type data folder the types-dir benchmark extracts, if it did.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchTypes.root != "" {
		os.RemoveAll(benchTypes.root)
	}
	os.Exit(code)
}

// BenchmarkCommandsCold runs the built gru binary as a new process for each iteration, cold
// start to exit: `gru --help`, `gru version` and `gru schema Storage::PrivateEndpointConnection`
// (goals: 50 ms and 40 MB each). It reports the peak resident memory of each (see peakRSS) and
// the binary's size.
func BenchmarkCommandsCold(b *testing.B) {
	bin := buildGru(b)
	st, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"help", []string{"--help"}},
		{"version", []string{"version"}},
		{"schema", []string{"schema", "Storage::PrivateEndpointConnection"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if out, err := exec.Command(bin, c.args...).CombinedOutput(); err != nil {
					b.Fatalf("%v\n%s", err, out)
				}
			}
			b.StopTimer()
			if mb, ok := peakRSS(b, exec.Command(bin, c.args...)); ok {
				b.ReportMetric(mb, "peak-RSS-MB")
			}
			b.ReportMetric(float64(st.Size())/(1<<20), "binary-MB")
		})
	}
}

// peakRSS runs a command under GNU time (see underTime) and returns its peak resident memory
// in MB; ok is false, with a log line, without GNU time.
func peakRSS(b *testing.B, cmd *exec.Cmd) (mb float64, ok bool) {
	timed, peak := underTime(b, cmd)
	if err := timed.Run(); err != nil {
		b.Logf("no peak memory measured: GNU time: %v", err)
		return 0, false
	}
	return peak()
}

// underTime wraps a command in GNU time (/usr/bin/time), which starts it as a process of its
// own (same arguments, environment, folder and streams); peak then reads its peak resident
// memory in MB. The rusage of a process os/exec started is no measure: Go starts a child with
// vfork, and Linux counts in the child's peak the parent's resident memory when the child
// calls exec (the benchmark's own, tens of MB).
func underTime(b *testing.B, cmd *exec.Cmd) (timed *exec.Cmd, peak func() (mb float64, ok bool)) {
	out := filepath.Join(b.TempDir(), "rss")
	timed = exec.Command("/usr/bin/time", append([]string{"-o", out, "-f", "%M", cmd.Path}, cmd.Args[1:]...)...)
	timed.Env, timed.Dir, timed.Stdin, timed.Stdout, timed.Stderr = cmd.Env, cmd.Dir, cmd.Stdin, cmd.Stdout, cmd.Stderr
	return timed, func() (float64, bool) {
		data, err := os.ReadFile(out)
		if err != nil {
			b.Logf("no peak memory measured: %v", err)
			return 0, false
		}
		fields := strings.Fields(string(data))
		var kb int64
		if len(fields) == 0 {
			return 0, false
		}
		if _, err := fmt.Sscan(fields[len(fields)-1], &kb); err != nil {
			b.Logf("no peak memory measured: GNU time wrote %q", data)
			return 0, false
		}
		return float64(kb) / 1024, true
	}
}

// BenchmarkSchemaCommandColdVersions runs `gru schema TYPE --api-version V` as a new process
// for a big type of each of the largest providers at its oldest, middle and newest API
// versions. It reports the slowest of the runs' median wall times and the largest peak
// resident memory (goals: 50 ms and 40 MB each; see peakRSS), and logs every run's
// (go test -v).
func BenchmarkSchemaCommandColdVersions(b *testing.B) {
	bin := buildGru(b)
	types := []string{
		"Microsoft.Network/virtualNetworks", "Microsoft.Network/applicationGateways",
		"Microsoft.Compute/virtualMachines", "Microsoft.Compute/virtualMachineScaleSets",
		"Microsoft.Web/sites", "Microsoft.ApiManagement/service",
	}
	var runs [][2]string // type, version
	for _, t := range types {
		out, err := exec.Command(bin, "types", "--versions", t, "--json").Output()
		if err != nil {
			b.Fatalf("gru types --versions %s: %v", t, err)
		}
		var list struct {
			Versions []struct {
				Version string `json:"version"`
				Held    bool   `json:"held"`
			} `json:"versions"`
		}
		if err := json.Unmarshal(out, &list); err != nil {
			b.Fatal(err)
		}
		var held []string // newest first
		for _, v := range list.Versions {
			if v.Held {
				held = append(held, v.Version)
			}
		}
		if len(held) == 0 {
			b.Fatalf("%s: no held version", t)
		}
		for _, v := range []string{held[len(held)-1], held[len(held)/2], held[0]} {
			runs = append(runs, [2]string{t, v})
		}
	}
	took := make([][]time.Duration, len(runs))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k, r := range runs {
			cmd := exec.Command(bin, "schema", r[0], "--api-version", r[1])
			start := time.Now()
			if err := cmd.Run(); err != nil {
				b.Fatalf("gru schema %s --api-version %s: %v", r[0], r[1], err)
			}
			took[k] = append(took[k], time.Since(start))
		}
	}
	b.StopTimer()
	var slowest time.Duration
	var largest float64
	for k, r := range runs {
		m := median(took[k])
		mb, _ := peakRSS(b, exec.Command(bin, "schema", r[0], "--api-version", r[1]))
		b.Logf("%s@%s: %.1f ms, %.1f MB", r[0], r[1], m.Seconds()*1000, mb)
		slowest, largest = max(slowest, m), max(largest, mb)
	}
	b.ReportMetric(slowest.Seconds()*1000, "slowest-ms")
	if largest > 0 {
		b.ReportMetric(largest, "peak-RSS-MB")
	}
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// benchTypes is the type data folder the types-dir benchmark extracts once per test binary.
var benchTypes struct {
	once      sync.Once
	root      string // removed by TestMain
	generated string // root/generated
	newest    string // Microsoft.Network's newest version, which gru embeds
	extracted time.Time
	err       error
}

// onlyInFolder is the API version the benchmark's type data folder holds and gru does not.
const onlyInFolder = "2099-01-01"

// typesFolder extracts the shared type data archive (every version of bicep-types-az, about
// 360 MB) to a temporary folder once, and copies Microsoft.Network's newest version there as
// 2099-01-01 (the types and apiVersion values it names too), a version gru does not embed. It skips the benchmark when the archive is absent.
func typesFolder(b *testing.B) (generated, newest string) {
	const archive = "azure/bicep-types-all/bicep-types-all.tar.zst"
	shared, err := shareddir.Find("", archive)
	if err != nil {
		b.Skipf("the type data archive is not beside the repository (%v): the benchmark needs a real types folder", err)
	}
	benchTypes.once.Do(func() {
		root, err := os.MkdirTemp("", "gru-bench-types-")
		if err != nil {
			benchTypes.err = err
			return
		}
		benchTypes.root = root
		if benchTypes.err = shareddir.Extract(filepath.Join(shared, filepath.FromSlash(archive)), root); benchTypes.err != nil {
			return
		}
		benchTypes.generated = filepath.Join(root, "generated")
		ns := filepath.Join(benchTypes.generated, "network", "microsoft.network")
		versions, err := os.ReadDir(ns)
		if err != nil || len(versions) == 0 {
			benchTypes.err = fmt.Errorf("no Microsoft.Network versions in the archive: %v", err)
			return
		}
		benchTypes.newest = versions[len(versions)-1].Name()
		data, err := os.ReadFile(filepath.Join(ns, benchTypes.newest, "types.json"))
		if err == nil {
			// the version the copy's types name, and their apiVersion literals
			data = bytes.ReplaceAll(data, []byte("@"+benchTypes.newest+`"`), []byte("@"+onlyInFolder+`"`))
			data = bytes.ReplaceAll(data, []byte(`"`+benchTypes.newest+`"`), []byte(`"`+onlyInFolder+`"`))
			err = os.Mkdir(filepath.Join(ns, onlyInFolder), 0o755)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(ns, onlyInFolder, "types.json"), data, 0o644)
		}
		benchTypes.err = err
		benchTypes.extracted = time.Now()
	})
	if benchTypes.err != nil {
		b.Fatal(benchTypes.err)
	}
	return benchTypes.generated, benchTypes.newest
}

// BenchmarkValidateTypesDir runs `gru validate --types-dir DIR` as a new process for a version
// only the folder holds (Network::VirtualNetwork@2099-01-01) in the full type data folder of
// the shared archive (see typesFolder), its cache in a new folder. It reports the first run
// (cold: nothing cached), the median of the b.N runs after it (warm), the median of the same
// validation at the embedded newest version without --types-dir, and the peak resident
// memory of a warm run and of the embedded validation (see peakRSS).
func BenchmarkValidateTypesDir(b *testing.B) {
	dir, newest := typesFolder(b)
	bin := buildGru(b)
	work := b.TempDir()
	body := filepath.Join(work, "vnet.json")
	if err := os.WriteFile(body, []byte(`{"location":"westeurope","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}`), 0o644); err != nil {
		b.Fatal(err)
	}
	env := append(os.Environ(), "XDG_CACHE_HOME="+filepath.Join(work, "cache"), "GRU_TYPES_DIR=")
	command := func(version string, args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"validate", body, "--type", "Network::VirtualNetwork", "--api-version", version}, args...)...)
		cmd.Env = env
		return cmd
	}
	run := func(version string, args ...string) time.Duration {
		cmd := command(version, args...)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		took := time.Since(start)
		if err != nil || !strings.Contains(string(out), "@"+version+": 0 errors") {
			b.Fatalf("gru validate at %s: %v\n%s", version, err, out)
		}
		return took
	}
	// gru caches the listing of a folder whose folders changed 3 s ago at least
	time.Sleep(time.Until(benchTypes.extracted.Add(4 * time.Second)))
	cold := run(onlyInFolder, "--types-dir", dir)
	var embedded []time.Duration
	for i := 0; i < 5; i++ {
		embedded = append(embedded, run(newest))
	}
	var warm []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		warm = append(warm, run(onlyInFolder, "--types-dir", dir))
	}
	b.StopTimer()
	b.ReportMetric(cold.Seconds()*1000, "cold-ms")
	b.ReportMetric(median(warm).Seconds()*1000, "warm-ms")
	b.ReportMetric(median(embedded).Seconds()*1000, "embedded-ms")
	if mb, ok := peakRSS(b, command(onlyInFolder, "--types-dir", dir)); ok {
		b.ReportMetric(mb, "warm-peak-RSS-MB")
	}
	if mb, ok := peakRSS(b, command(newest)); ok {
		b.ReportMetric(mb, "embedded-peak-RSS-MB")
	}
}

// writeBigProject writes a project of groups × 40 resources: per resource group, a virtual
// network, 13 subnets, 13 storage accounts and 12 private endpoints (subnet i, account i).
func writeBigProject(b *testing.B, dir string, groups int) int {
	var sb strings.Builder
	sb.WriteString("exports.createResources = () => [\n")
	n := 0
	for g := 0; g < groups; g++ {
		rg := fmt.Sprintf("rg%02d", g)
		fmt.Fprintf(&sb, "{ type: \"ResourceGroup\", group: \"Resources\", name: %q },\n", rg)
		fmt.Fprintf(&sb, "{ type: \"VirtualNetwork\", group: \"Network\", name: \"vnet\", properties: () => ({ properties: { addressSpace: { addressPrefixes: [\"10.0.0.0/16\"] } } }), dependencies: () => ({ resourceGroup: %q }) },\n", rg)
		n += 2
		for i := 0; i < 13; i++ {
			fmt.Fprintf(&sb, "{ type: \"Subnet\", group: \"Network\", name: \"sn%d\", properties: () => ({ properties: { addressPrefix: \"10.0.%d.0/24\" } }), dependencies: () => ({ resourceGroup: %q, virtualNetwork: \"%s::vnet\" }) },\n", i, i, rg, rg)
			fmt.Fprintf(&sb, "{ type: \"StorageAccount\", group: \"Storage\", name: \"acct%02dx%02d\", properties: () => ({ kind: \"StorageV2\", sku: { name: \"Standard_LRS\" } }), dependencies: () => ({ resourceGroup: %q }) },\n", g, i, rg)
			n += 2
			if i < 12 {
				fmt.Fprintf(&sb, `{ type: "PrivateEndpoint", group: "Network", name: "pe%d", properties: ({ getId }) => ({ properties: { manualPrivateLinkServiceConnections: [{ name: "c", properties: { privateLinkServiceId: getId({ type: "StorageAccount", group: "Storage", name: "%s::acct%02dx%02d" }), groupIds: ["blob"] } }] } }), dependencies: () => ({ resourceGroup: %q, subnet: "%s::vnet::sn%d", account: "%s::acct%02dx%02d" }) },`+"\n", i, rg, g, i, rg, rg, i, rg, g, i)
				n++
			}
		}
	}
	sb.WriteString("];\n")
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(sb.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "config.js"), []byte(`module.exports = { projectName: "bench", location: "westeurope" };`), 0o644)
	return n
}

// benchApply1000 applies the 1,000-resource project with gru and the emulator as separate
// processes, and reports wall time against the bound, plan's requests and gru's peak memory.
func benchApply1000(b *testing.B, serveArgs []string, bound func(ops int) time.Duration) {
	bin := buildGru(b)
	for i := 0; i < b.N; i++ {
		state := b.TempDir()
		dir := b.TempDir()
		ops := writeBigProject(b, dir, 25)
		serve, endpoint := launchEmulator(b, bin, state, append([]string{"--db", filepath.Join(state, "arm.db")}, serveArgs...)...)

		// What an apply does before its first write: start, load the project, plan.
		start := time.Now()
		if out, err := exec.Command(bin, "plan", "--endpoint", endpoint, "-C", dir).CombinedOutput(); err != nil {
			serve.Process.Kill()
			b.Fatalf("plan before: %v\n%s", err, tailOf(string(out), 2000))
		}
		before := time.Since(start)

		apply, peak := underTime(b, exec.Command(bin, "apply", "-f", "--endpoint", endpoint, "-C", dir, "--debug"))
		var debug bytes.Buffer
		apply.Stderr = &debug
		start = time.Now()
		out, err := apply.Output()
		took := time.Since(start)
		if err != nil {
			serve.Process.Kill()
			b.Fatalf("apply: %v\n%s", err, tailOf(string(out), 2000))
		}

		plan := exec.Command(bin, "plan", "--endpoint", endpoint, "-C", dir, "--json")
		planOut, err := plan.Output()
		serve.Process.Signal(syscall.SIGINT)
		serve.Wait()
		if err != nil {
			b.Fatalf("plan: %v", err)
		}
		var p struct {
			Requests int `json:"requests"`
			Changes  []struct {
				Action string `json:"action"`
			} `json:"changes"`
		}
		json.Unmarshal(planOut, &p)
		for _, c := range p.Changes {
			if c.Action != "no change" {
				b.Errorf("after apply the plan still has a %s", c.Action)
				break
			}
		}
		limit := bound(ops)
		b.ReportMetric(took.Seconds(), "apply-s")
		b.ReportMetric(limit.Seconds(), "bound-s")
		b.ReportMetric(took.Seconds()/limit.Seconds(), "x-bound")
		b.ReportMetric(before.Seconds(), "plan-before-s")
		b.ReportMetric((took-before).Seconds()/limit.Seconds(), "x-bound-after-plan")
		b.ReportMetric(float64(p.Requests), "plan-requests")
		if mb, ok := peak(); ok {
			b.ReportMetric(mb, "apply-peak-MB")
		}
		b.ReportMetric(float64(strings.Count(debug.String(), "<-- 429")), "429s")
		b.ReportMetric(float64(ops), "resources")
	}
}

func tailOf(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// BenchmarkApply1000 applies 1,000 resources with 100 ms latency per operation. The bound is
// max(critical path, operations × latency / parallelism): 1,000 × 0.1 s / 20 = 5 s.
func BenchmarkApply1000(b *testing.B) {
	benchApply1000(b, []string{"--latency", "100ms"}, func(ops int) time.Duration {
		return max(4*100*time.Millisecond, time.Duration(ops)*100*time.Millisecond/20)
	})
}

// BenchmarkApply1000Throttled is the same under ARM's throttle: writes beyond the 200-token
// bucket come at 10 a second, so the bound is (writes - 200) / 10 seconds.
func BenchmarkApply1000Throttled(b *testing.B) {
	benchApply1000(b, []string{"--latency", "100ms", "--throttle", "arm"}, func(ops int) time.Duration {
		return time.Duration(ops-200) * time.Second / 10
	})
}

// BenchmarkGraph1000 draws the 1,000-resource project and renders it with Graphviz's dot,
// whole and collapsed by type.
func BenchmarkGraph1000(b *testing.B) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		b.Skip("Graphviz's dot is not installed")
	}
	bin := buildGru(b)
	dir := b.TempDir()
	writeBigProject(b, dir, 25)
	for i := 0; i < b.N; i++ {
		for _, collapse := range []bool{false, true} {
			args := []string{"graph", "--endpoint", "http://127.0.0.1:1", "-C", dir}
			if collapse {
				args = append(args, "--collapse")
			}
			graph, err := exec.Command(bin, args...).Output()
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			render := exec.Command(dot, "-Tsvg", "-o", filepath.Join(dir, "g.svg"))
			render.Stdin = bytes.NewReader(graph)
			if out, err := render.CombinedOutput(); err != nil {
				b.Fatalf("dot: %v %s", err, out)
			}
			name := "render-s"
			if collapse {
				name = "collapsed-render-s"
				b.ReportMetric(float64(strings.Count(string(graph), "[label=")), "collapsed-nodes")
			}
			b.ReportMetric(time.Since(start).Seconds(), name)
		}
	}
}

// BenchmarkGencode1000 writes the project of the 1,000 live resources of the benchmark
// project (emulator in a separate process, no latency), and reports time and requests.
func BenchmarkGencode1000(b *testing.B) {
	bin := buildGru(b)
	state, dir := b.TempDir(), b.TempDir()
	writeBigProject(b, dir, 25)
	serve, endpoint := launchEmulator(b, bin, state, "--db", filepath.Join(state, "arm.db"), "--latency", "0")
	defer func() { serve.Process.Signal(syscall.SIGINT); serve.Wait() }()
	if out, err := exec.Command(bin, "apply", "-f", "--endpoint", endpoint, "-C", dir).CombinedOutput(); err != nil {
		b.Fatalf("apply: %v %s", err, tailOf(string(out), 1000))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		gen := b.TempDir()
		start := time.Now()
		cmd := exec.Command(bin, "gencode", "--endpoint", endpoint, "--our", "-o", gen)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("gencode: %v %s", err, stderr.String())
		}
		b.ReportMetric(time.Since(start).Seconds(), "gencode-s")
		var requests, resources int
		msg := stderr.String()
		if i := strings.LastIndex(msg, "("); i >= 0 {
			fmt.Sscanf(msg[i:], "(%d requests)", &requests)
		}
		fmt.Sscanf(msg[strings.Index(msg, " for ")+5:], "%d", &resources)
		b.ReportMetric(float64(requests), "requests")
		b.ReportMetric(float64(resources), "resources")
	}
}

// writeWideProject writes groups × 200 resources that need no slow provider: per resource
// group, a virtual network, 49 subnets, 49 network security groups, 50 route tables and 50
// application security groups.
func writeWideProject(b *testing.B, dir string, groups int) int {
	var sb strings.Builder
	sb.WriteString("exports.createResources = () => [\n")
	n := 0
	for g := 0; g < groups; g++ {
		rg := fmt.Sprintf("wide%02d", g)
		fmt.Fprintf(&sb, "{ type: \"ResourceGroup\", group: \"Resources\", name: %q },\n", rg)
		fmt.Fprintf(&sb, "{ type: \"VirtualNetwork\", group: \"Network\", name: \"vnet\", properties: () => ({ properties: { addressSpace: { addressPrefixes: [\"10.0.0.0/16\"] } } }), dependencies: () => ({ resourceGroup: %q }) },\n", rg)
		n += 2
		for i := 0; i < 50; i++ {
			if i < 49 {
				fmt.Fprintf(&sb, "{ type: \"NetworkSecurityGroup\", group: \"Network\", name: \"nsg%d\", dependencies: () => ({ resourceGroup: %q }) },\n", i, rg)
				fmt.Fprintf(&sb, "{ type: \"Subnet\", group: \"Network\", name: \"sn%d\", properties: () => ({ properties: { addressPrefix: \"10.0.%d.0/24\" } }), dependencies: () => ({ resourceGroup: %q, virtualNetwork: \"%s::vnet\", networkSecurityGroup: \"%s::nsg%d\" }) },\n", i, i, rg, rg, rg, i)
				n += 2
			}
			fmt.Fprintf(&sb, "{ type: \"RouteTable\", group: \"Network\", name: \"rt%d\", properties: () => ({ tags: { team: \"t%d\" } }), dependencies: () => ({ resourceGroup: %q }) },\n", i, i%7, rg)
			fmt.Fprintf(&sb, "{ type: \"ApplicationSecurityGroup\", group: \"Network\", name: \"asg%d\", dependencies: () => ({ resourceGroup: %q }) },\n", i, rg)
			n += 2
		}
	}
	sb.WriteString("];\n")
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(sb.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "config.js"), []byte(`module.exports = { projectName: "wide", location: "westeurope" };`), 0o644)
	return n
}

// BenchmarkPlan10000 plans a project of 10,000 resources that are all live, on the local
// cloud (gru plan --local: the emulator in the same process), and reports the median over the
// runs of the plan's wall time, its CPU time (user and system: steadier than wall time on a
// busy machine), gru's peak memory, and the requests made. The resources are deployed first
// through `gru emulator serve` on the same database.
func BenchmarkPlan10000(b *testing.B) {
	bin := buildGru(b)
	state, dir := b.TempDir(), b.TempDir()
	db := filepath.Join(state, "arm.db")
	n := writeWideProject(b, dir, 50)
	serve, endpoint := launchEmulator(b, bin, state, "--db", db, "--latency", "0")
	start := time.Now()
	if out, err := exec.Command(bin, "apply", "-f", "--parallelism", "50", "--endpoint", endpoint, "-C", dir).CombinedOutput(); err != nil {
		serve.Process.Kill()
		b.Fatalf("apply: %v %s", err, tailOf(string(out), 1000))
	}
	b.Logf("deployed %d resources in %v", n, time.Since(start).Round(time.Second))
	serve.Process.Signal(syscall.SIGINT)
	serve.Wait()
	var walls, cpus, peaks []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "plan", "--local", "--json", "-C", dir)
		cmd.Env = append(os.Environ(), "GRU_LOCAL_DB="+db)
		plan, peak := underTime(b, cmd)
		start := time.Now()
		out, err := plan.Output()
		took := time.Since(start)
		if err != nil {
			b.Fatalf("plan: %v", err)
		}
		var p struct {
			Requests int `json:"requests"`
			Changes  []struct {
				Action string `json:"action"`
			} `json:"changes"`
		}
		json.Unmarshal(out, &p)
		pending := 0
		for _, c := range p.Changes {
			if c.Action != "no change" {
				pending++
			}
		}
		if len(p.Changes) != n || pending != 0 {
			b.Fatalf("the plan has %d changes, %d pending; want %d, none pending", len(p.Changes), pending, n)
		}
		walls = append(walls, took.Seconds())
		cpus = append(cpus, (plan.ProcessState.UserTime() + plan.ProcessState.SystemTime()).Seconds())
		if mb, ok := peak(); ok {
			peaks = append(peaks, mb)
		}
		b.ReportMetric(float64(p.Requests), "requests")
		b.ReportMetric(float64(n), "resources")
	}
	b.ReportMetric(medianOf(walls), "plan-s")
	b.ReportMetric(medianOf(cpus), "plan-cpu-s")
	if len(peaks) > 0 {
		b.ReportMetric(medianOf(peaks), "peak-RSS-MB")
	}
}

// medianOf is the middle of values (the mean of the two middle ones for an even count).
func medianOf(values []float64) float64 {
	v := slices.Sorted(slices.Values(values))
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// BenchmarkApplyScaling applies a project of 1,000 resources, then one of 10,000, to one
// emulator database at --latency 0, destroying each after, for several cycles: the cost of a
// request must not grow with the store, nor with the cycles before. It reports each apply's
// time and the ratio of the 10,000 to the 1,000 (goal: at most 12) in the first and the last
// cycle.
func BenchmarkApplyScaling(b *testing.B) {
	bin := buildGru(b)
	const cycles = 3
	for i := 0; i < b.N; i++ {
		state := b.TempDir()
		serve, endpoint := launchEmulator(b, bin, state, "--db", filepath.Join(state, "arm.db"), "--latency", "0")
		run := func(args ...string) time.Duration {
			start := time.Now()
			if out, err := exec.Command(bin, append(args, "--endpoint", endpoint)...).CombinedOutput(); err != nil {
				serve.Process.Kill()
				b.Fatalf("%v: %v\n%s", args, err, tailOf(string(out), 2000))
			}
			return time.Since(start)
		}
		small, large := b.TempDir(), b.TempDir()
		writeWideProject(b, small, 5)
		writeWideProject(b, large, 50)
		for c := 1; c <= cycles; c++ {
			t1 := run("apply", "-f", "--parallelism", "50", "-C", small)
			run("destroy", "-f", "-C", small)
			t10 := run("apply", "-f", "--parallelism", "50", "-C", large)
			run("destroy", "-f", "-C", large)
			b.Logf("cycle %d: 1,000 in %v, 10,000 in %v: %.1fx", c, t1.Round(time.Millisecond), t10.Round(time.Millisecond), t10.Seconds()/t1.Seconds())
			if c == 1 || c == cycles {
				b.ReportMetric(t1.Seconds(), fmt.Sprintf("apply1k-cycle%d-s", c))
				b.ReportMetric(t10.Seconds(), fmt.Sprintf("apply10k-cycle%d-s", c))
				b.ReportMetric(t10.Seconds()/t1.Seconds(), fmt.Sprintf("ratio-cycle%d", c))
			}
		}
		serve.Process.Signal(syscall.SIGINT)
		serve.Wait()
	}
}
