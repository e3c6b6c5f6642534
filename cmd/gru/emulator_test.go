package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/emulator"
)

// buildGru builds the gru binary into a temporary folder.
func buildGru(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gru")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startEmulator runs `gru emulator serve` as its own process and returns its endpoint and a
// function that stops it with an interrupt, as Ctrl-C would.
func startEmulator(t *testing.T, bin, state string, args ...string) (string, func()) {
	t.Helper()
	cmd, endpoint := launchEmulator(t, bin, state, args...)
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the emulator did not stop cleanly: %v", err)
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Error("the emulator did not stop on interrupt")
		}
	}
	t.Cleanup(stop)
	return endpoint, stop
}

// launchEmulator starts `gru emulator serve` on a free loopback port, with its state below
// state, and returns the process and the endpoint it printed.
func launchEmulator(t testing.TB, bin, state string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"emulator", "serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("no endpoint printed: %v", err)
	}
	return cmd, strings.TrimSpace(strings.TrimPrefix(line, "ARM emulator listening on "))
}

func sdkOptions(endpoint string, transport *http.Client) *arm.ClientOptions {
	co := &arm.ClientOptions{ClientOptions: policy.ClientOptions{
		Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: endpoint, Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Endpoint: endpoint, Audience: "https://management.core.windows.net/"},
		}},
		InsecureAllowCredentialWithHTTP: strings.HasPrefix(endpoint, "http:"),
	}}
	if transport != nil {
		co.Transport = transport
	}
	return co
}

// TestEmulatorServePersistsAcrossRestart runs the emulator as a separate process, writes to it
// with the Azure SDK over plain HTTP, restarts it, and reads the data back.
func TestEmulatorServePersistsAcrossRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gru and runs it as a server")
	}
	bin := buildGru(t)
	state := t.TempDir()
	db := filepath.Join(state, "arm.db")
	ctx := context.Background()
	endpoint, stop := startEmulator(t, bin, state, "--db", db, "--latency", "0")
	co := sdkOptions(endpoint, nil)
	rgs, _ := armresources.NewResourceGroupsClient(emulator.LocalSubscriptionID, armclient.StaticToken("t"), co)
	if _, err := rgs.CreateOrUpdate(ctx, "persisted", armresources.ResourceGroup{Location: to.Ptr("westeurope")}, nil); err != nil {
		t.Fatal(err)
	}
	accounts, _ := armstorage.NewAccountsClient(emulator.LocalSubscriptionID, armclient.StaticToken("t"), co)
	p, err := accounts.BeginCreate(ctx, "persisted", "acct", armstorage.AccountCreateParameters{
		Kind: to.Ptr(armstorage.KindStorageV2), Location: to.Ptr("westeurope"), SKU: &armstorage.SKU{Name: to.Ptr(armstorage.SKUNameStandardLRS)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.PollUntilDone(ctx, nil); err != nil {
		t.Fatal(err)
	}
	stop()

	endpoint, stop = startEmulator(t, bin, state, "--db", db)
	co = sdkOptions(endpoint, nil)
	accounts, _ = armstorage.NewAccountsClient(emulator.LocalSubscriptionID, armclient.StaticToken("t"), co)
	got, err := accounts.GetProperties(ctx, "persisted", "acct", nil)
	if err != nil || *got.Name != "acct" {
		t.Fatalf("after restart: %v", err)
	}
	stop()
}

// TestSeedFlowThroughServeWithGrusClient runs the seed's scenario with gru's own client
// against `gru emulator serve` in a separate process, restarts the emulator, and finds the
// approved connection still there, through the client and through `gru info --endpoint`.
func TestSeedFlowThroughServeWithGrusClient(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gru and runs it as a server")
	}
	bin := buildGru(t)
	state := t.TempDir()
	db := filepath.Join(state, "arm.db")
	ctx := context.Background()
	endpoint, stop := startEmulator(t, bin, state, "--db", db, "--latency", "Microsoft.Storage/storageAccounts=50ms,Microsoft.Network/privateEndpoints=50ms")
	client := func(endpoint string) *armclient.Client {
		c, err := armclient.New(armclient.Options{Endpoint: endpoint, Credential: armclient.StaticToken("t"), Subscription: emulator.LocalSubscriptionID,
			InsecureHTTP: true, PollFrequency: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := client(endpoint)
	rg := "/subscriptions/" + emulator.LocalSubscriptionID + "/resourceGroups/myResourceGroup"
	acct := rg + "/providers/Microsoft.Storage/storageAccounts/mystorageaccount"
	subnet := rg + "/providers/Microsoft.Network/virtualNetworks/myVnet/subnets/mySubnet"
	steps := []struct {
		id   string
		body map[string]any
	}{
		{rg, map[string]any{"location": "westeurope"}},
		{acct, map[string]any{"location": "westeurope", "kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"}}},
		{rg + "/providers/Microsoft.Network/virtualNetworks/myVnet", map[string]any{"location": "westeurope", "properties": map[string]any{"addressSpace": map[string]any{"addressPrefixes": []string{"10.0.0.0/16"}}}}},
		{subnet, map[string]any{"properties": map[string]any{"addressPrefix": "10.0.0.0/24"}}},
		{rg + "/providers/Microsoft.Network/privateEndpoints/myPrivateEndpoint", map[string]any{"location": "westeurope", "properties": map[string]any{
			"subnet":                              map[string]any{"id": subnet},
			"manualPrivateLinkServiceConnections": []any{map[string]any{"name": "c", "properties": map[string]any{"privateLinkServiceId": acct, "groupIds": []string{"blob"}}}},
		}}},
	}
	for _, s := range steps {
		if _, err := c.Put(ctx, s.id, "", s.body); err != nil {
			t.Fatal(err)
		}
	}
	conns, err := c.List(ctx, acct+"/privateEndpointConnections", "2021-06-01", nil)
	if err != nil || len(conns) != 1 {
		t.Fatalf("connections: %v %v", err, conns)
	}
	if _, err := c.Put(ctx, armclient.Field(conns[0], "id"), "2021-06-01", map[string]any{"properties": map[string]any{
		"privateLinkServiceConnectionState": map[string]any{"status": "Approved", "description": "Auto-Approved"}}}); err != nil {
		t.Fatal(err)
	}
	stop()

	endpoint, _ = startEmulator(t, bin, state, "--db", db)
	got, err := client(endpoint).Get(ctx, armclient.Field(conns[0], "id"), "2021-06-01")
	if err != nil {
		t.Fatal(err)
	}
	if s := got["properties"].(map[string]any)["privateLinkServiceConnectionState"].(map[string]any)["status"]; s != "Approved" {
		t.Errorf("after restart the connection is %v", s)
	}
	code, out, errOut := runGru(t, "", "info", "--endpoint", endpoint, "--json")
	var info map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil || info["resourceGroups"] != float64(1) {
		t.Errorf("gru info --endpoint: %d %s %s", code, out, errOut)
	}
}

func TestEmulatorServeTLSAndToken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gru and runs it as a server")
	}
	bin := buildGru(t)
	state := t.TempDir()
	db := filepath.Join(state, "arm.db")
	endpoint, _ := startEmulator(t, bin, state, "--db", db, "--tls", "--token", "t")
	if !strings.HasPrefix(endpoint, "https://") {
		t.Fatalf("endpoint %s", endpoint)
	}
	certFile, _ := emulator.CertificateFiles(db)
	pemData, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		t.Fatal("the printed certificate is not PEM")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	rgs, _ := armresources.NewResourceGroupsClient(emulator.LocalSubscriptionID, armclient.StaticToken("t"), sdkOptions(endpoint, client))
	if _, err := rgs.CreateOrUpdate(context.Background(), "over-tls", armresources.ResourceGroup{Location: to.Ptr("westeurope")}, nil); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", endpoint+"/subscriptions?api-version=2022-12-01", nil)
	req.Header.Set("Authorization", "Bearer wrong")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong token got %d", resp.StatusCode)
	}
}

// TestEmulatorServeLosesNoAcknowledgedWriteOnKill kills the emulator process (no clean stop)
// right after writes were acknowledged, and finds every one after a restart.
func TestEmulatorServeLosesNoAcknowledgedWriteOnKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gru and runs it as a server")
	}
	bin := buildGru(t)
	state := t.TempDir()
	db := filepath.Join(state, "arm.db")
	cmd, endpoint := launchEmulator(t, bin, state, "--db", db, "--latency", "0")
	rgs, _ := armresources.NewResourceGroupsClient(emulator.LocalSubscriptionID, armclient.StaticToken("t"), sdkOptions(endpoint, nil))
	ctx := context.Background()
	const n = 25
	for i := 0; i < n; i++ {
		if _, err := rgs.CreateOrUpdate(ctx, "rg"+string(rune('a'+i)), armresources.ResourceGroup{Location: to.Ptr("westeurope")}, nil); err != nil {
			t.Fatal(err)
		}
	}
	cmd.Process.Kill() // SIGKILL: no shutdown, no checkpoint
	cmd.Wait()

	endpoint, _ = startEmulator(t, bin, state, "--db", db)
	rgs, _ = armresources.NewResourceGroupsClient(emulator.LocalSubscriptionID, armclient.StaticToken("t"), sdkOptions(endpoint, nil))
	count := 0
	for pager := rgs.NewListPager(nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		count += len(page.Value)
	}
	if count != n {
		t.Errorf("%d of %d acknowledged resource groups survived the kill", count, n)
	}
}
