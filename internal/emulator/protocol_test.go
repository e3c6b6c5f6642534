package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
)

const sub = "/subscriptions/" + LocalSubscriptionID

// call sends one request over a real connection and returns status, ARM error code and body.
func call(t *testing.T, srv *httptest.Server, method, path, token, body string) (int, string, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var v map[string]any
	json.Unmarshal(data, &v)
	code := ""
	if e, ok := v["error"].(map[string]any); ok {
		code, _ = e["code"].(string)
	}
	return resp.StatusCode, code, v
}

func newServer(t *testing.T, opts Options) *httptest.Server {
	t.Helper()
	e, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(func() { srv.Close(); e.Close() })
	return srv
}

const acct = sub + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct"
const acctBody = `{"location":"westeurope","kind":"StorageV2","sku":{"name":"Standard_LRS"}}`

func TestBadInputGetsARMErrors(t *testing.T) {
	srv := newServer(t, Options{Token: "right"})
	if s, code, _ := call(t, srv, "PUT", sub+"/resourceGroups/rg?api-version=2021-04-01", "right", `{"location":"westeurope"}`); s != 201 {
		t.Fatalf("create group: %d %s", s, code)
	}
	for _, tc := range []struct {
		name, method, path, token, body string
		status                          int
		code                            string
	}{
		{"no token", "GET", sub + "/resourceGroups/rg?api-version=2021-04-01", "", "", 401, "AuthenticationFailed"},
		{"wrong token", "GET", sub + "/resourceGroups/rg?api-version=2021-04-01", "wrong", "", 401, "InvalidAuthenticationToken"},
		{"no api-version", "GET", sub + "/resourceGroups/rg", "right", "", 400, "MissingApiVersionParameter"},
		{"malformed api-version", "GET", sub + "/resourceGroups/rg?api-version=latest", "right", "", 400, "InvalidApiVersionParameter"},
		{"unknown api-version", "PUT", acct + "?api-version=2099-01-01", "right", acctBody, 400, "NoRegisteredProviderFound"},
		{"unknown type", "PUT", sub + "/resourceGroups/rg/providers/Microsoft.Storage/noSuchThings/x?api-version=2023-05-01", "right", "{}", 400, "InvalidResourceType"},
		{"unknown namespace", "PUT", sub + "/resourceGroups/rg/providers/Contoso.Nothing/things/x?api-version=2023-05-01", "right", "{}", 400, "InvalidResourceNamespace"},
		{"malformed JSON", "PUT", acct + "?api-version=2021-06-01", "right", `{"location":`, 400, "InvalidRequestContent"},
		{"not an object", "PUT", acct + "?api-version=2021-06-01", "right", `[1]`, 400, "InvalidRequestContent"},
		{"wrong type", "PUT", acct + "?api-version=2021-06-01", "right", `{"location":"westeurope","kind":"StorageV2","sku":{"name":42}}`, 400, "InvalidRequestContent"},
		{"missing required", "PUT", acct + "?api-version=2021-06-01", "right", `{"location":"westeurope","kind":"StorageV2"}`, 400, "InvalidRequestContent"},
		{"oversized body", "PUT", acct + "?api-version=2021-06-01", "right", `{"location":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, 413, "RequestEntityTooLarge"},
		{"encoded slash", "GET", sub + "/resourceGroups/rg%2F..%2Fother?api-version=2021-04-01", "right", "", 400, "InvalidResourceId"},
		{"dot dot", "GET", sub + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/..?api-version=2021-06-01", "right", "", 400, "InvalidResourceId"},
		{"empty segment", "GET", sub + "//resourceGroups/rg?api-version=2021-04-01", "right", "", 400, "InvalidResourceId"},
		{"missing group", "PUT", sub + "/resourceGroups/nope/providers/Microsoft.Storage/storageAccounts/a?api-version=2021-06-01", "right", acctBody, 404, "ResourceGroupNotFound"},
		{"missing parent", "PUT", acct + "/blobServices/default?api-version=2021-06-01", "right", `{}`, 404, "ParentResourceNotFound"},
		{"unknown subscription", "GET", "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg?api-version=2021-04-01", "right", "", 404, "SubscriptionNotFound"},
		{"missing resource", "GET", acct + "?api-version=2021-06-01", "right", "", 404, "ResourceNotFound"},
		{"bad filter", "GET", sub + "/resources?api-version=2021-04-01&$filter=substringof('a',name)", "right", "", 400, "InvalidFilterInQueryString"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, code, body := call(t, srv, tc.method, tc.path, tc.token, tc.body)
			if status != tc.status || code != tc.code {
				t.Errorf("%d %s, want %d %s: %v", status, code, tc.status, tc.code, body)
			}
			if e, ok := body["error"].(map[string]any); !ok || e["message"] == "" {
				t.Errorf("no ARM error body: %v", body)
			}
		})
	}
	// Nothing above reached the store: the group is alone.
	_, _, list := call(t, srv, "GET", sub+"/resources?api-version=2021-04-01", "right", "")
	if v, _ := list["value"].([]any); len(v) != 0 {
		t.Errorf("bad requests left resources: %v", list)
	}
	_, _, body := call(t, srv, "PUT", acct+"?api-version=2021-06-01", "right", `{"location":"westeurope","kind":"StorageV2","sku":{"name":42}}`)
	if target := body["error"].(map[string]any)["target"]; target != "sku.name" {
		t.Errorf("target %v, want sku.name", target)
	}
}

func TestPutGetPatchDelete(t *testing.T) {
	srv := newServer(t, Options{})
	call(t, srv, "PUT", sub+"/resourceGroups/RG?api-version=2021-04-01", "t", `{"location":"West Europe"}`)
	status, _, created := call(t, srv, "PUT", strings.Replace(acct, "rg", "rg", 1)+"?api-version=2021-06-01", "t",
		`{"location":"West Europe","kind":"StorageV2","sku":{"name":"Standard_LRS"},"tags":{"a":"1","b":"2"},"id":"ignored","properties":{"provisioningState":"Failed","minimumTlsVersion":"TLS1_2"}}`)
	if status != 200 { // the storage provider answers 200 to a create that completes at once
		t.Fatalf("create: %d %v", status, created)
	}
	props := created["properties"].(map[string]any)
	if created["id"] != acct || created["location"] != "westeurope" || props["provisioningState"] != "Succeeded" || props["minimumTlsVersion"] != "TLS1_2" {
		t.Errorf("created %v", created)
	}
	// Names are case-insensitive and keep the casing of the first write.
	_, _, got := call(t, srv, "GET", strings.ToUpper(acct[:14])+strings.ToLower(acct[14:])+"?api-version=2021-06-01", "t", "")
	if got["id"] != acct {
		t.Errorf("get by other casing: %v", got["id"])
	}
	status, _, patched := call(t, srv, "PATCH", acct+"?api-version=2021-06-01", "t", `{"tags":{"c":"3"},"properties":{"supportsHttpsTrafficOnly":true}}`)
	pp := patched["properties"].(map[string]any)
	if status != 200 || fmt.Sprint(patched["tags"]) != "map[c:3]" || pp["minimumTlsVersion"] != "TLS1_2" || pp["supportsHttpsTrafficOnly"] != true {
		t.Errorf("patch: %d %v", status, patched)
	}
	// The storage spec declares 200 alone for a blob service's PUT.
	if s, _, _ := call(t, srv, "PUT", acct+"/blobServices/default?api-version=2021-06-01", "t", `{}`); s != 200 {
		t.Errorf("child create: %d", s)
	}
	_, _, coll := call(t, srv, "GET", acct+"/blobServices?api-version=2021-06-01", "t", "")
	if v := coll["value"].([]any); len(v) != 1 {
		t.Errorf("collection: %v", coll)
	}
	if s, _, _ := call(t, srv, "DELETE", acct+"?api-version=2021-06-01", "t", ""); s != 200 {
		t.Errorf("delete: %d", s)
	}
	if s, _, _ := call(t, srv, "DELETE", acct+"?api-version=2021-06-01", "t", ""); s != 204 {
		t.Errorf("delete again: %d, want 204 (idempotent)", s)
	}
	if s, code, _ := call(t, srv, "GET", acct+"/blobServices/default?api-version=2021-06-01", "t", ""); s != 404 || code != "ParentResourceNotFound" {
		t.Errorf("child after its parent's deletion: %d %s", s, code)
	}
}

func TestPagingAndFilters(t *testing.T) {
	srv := newServer(t, Options{PageSize: 3, ResourcesPageSize: 5})
	call(t, srv, "PUT", sub+"/resourceGroups/rg?api-version=2021-04-01", "t", `{"location":"westeurope"}`)
	for i := 0; i < 7; i++ {
		tags := `{"env":"dev"}`
		if i%2 == 1 {
			tags = `{"env":"prod"}`
		}
		path := fmt.Sprintf("%s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct%d?api-version=2021-06-01", sub, i)
		if s, code, _ := call(t, srv, "PUT", path, "t", `{"location":"westeurope","kind":"StorageV2","sku":{"name":"Standard_LRS"},"tags":`+tags+`}`); s != 200 {
			t.Fatalf("%d %s", s, code)
		}
	}
	// A collection pages by PageSize, /resources by ResourcesPageSize (ARM's: 1000).
	for list, want := range map[string][]int{
		"/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts?api-version=2021-06-01": {3, 3, 1},
		"/resources?api-version=2021-04-01":                                                     {5, 2},
	} {
		var sizes []int
		next := sub + list
		for pages := 0; next != ""; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			_, _, page := call(t, srv, "GET", next, "t", "")
			sizes = append(sizes, len(page["value"].([]any)))
			next, _ = page["nextLink"].(string)
			next = strings.TrimPrefix(next, srv.URL)
		}
		if !slices.Equal(sizes, want) {
			t.Errorf("%s: pages of %v, want %v", list, sizes, want)
		}
	}
	_, _, filtered := call(t, srv, "GET", sub+"/resources?api-version=2021-04-01&$filter="+
		strings.ReplaceAll("resourceType eq 'Microsoft.Storage/storageAccounts' and tagName eq 'env' and tagValue eq 'prod'", " ", "%20"), "t", "")
	if v := filtered["value"].([]any); len(v) != 3 {
		t.Errorf("filtered %d, want 3", len(v))
	}
}

func TestResourcesPagesAsARM(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.opts.PageSize != 100 || e.opts.ResourcesPageSize != 1000 {
		t.Errorf("pages of %d, /resources of %d: want 100 and ARM's 1000", e.opts.PageSize, e.opts.ResourcesPageSize)
	}
}

func TestPersistsAcrossRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "arm.db")
	first := newServer(t, Options{DBPath: db})
	call(t, first, "PUT", sub+"/resourceGroups/kept?api-version=2021-04-01", "t", `{"location":"westeurope"}`)
	first.Close()
	second := newServer(t, Options{DBPath: db})
	if s, _, body := call(t, second, "GET", sub+"/resourceGroups/KEPT?api-version=2021-04-01", "t", ""); s != 200 || body["name"] != "kept" {
		t.Errorf("after restart: %d %v", s, body)
	}
}

func TestConcurrentWritesAreSafe(t *testing.T) {
	srv := newServer(t, Options{DBPath: filepath.Join(t.TempDir(), "arm.db")})
	call(t, srv, "PUT", sub+"/resourceGroups/rg?api-version=2021-04-01", "t", `{"location":"westeurope"}`)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 8; i++ {
				path := fmt.Sprintf("%s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v%d-%d?api-version=2024-05-01", sub, w, i)
				req, _ := http.NewRequest("PUT", srv.URL+path, strings.NewReader(`{"location":"westeurope","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}`))
				req.Header.Set("Authorization", "Bearer t")
				resp, err := srv.Client().Do(req)
				if err != nil {
					errs <- err.Error()
					continue
				}
				resp.Body.Close()
				if resp.StatusCode != 201 {
					errs <- fmt.Sprint(resp.StatusCode)
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	_, _, list := call(t, srv, "GET", sub+"/resourceGroups/rg/resources?api-version=2021-04-01", "t", "")
	if n := len(list["value"].([]any)); n != 64 {
		t.Errorf("%d of 64 resources stored", n)
	}
}

func authorized(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer t")
	return req
}

// TestWriteOnlyPropertiesAreNeverReturned: as Azure, a SQL server's password is taken and
// never returned, on GET nor in a list; at the embedded API version, and at one gru does not
// hold (the default version's flags then apply).
func TestWriteOnlyPropertiesAreNeverReturned(t *testing.T) {
	srv := newServer(t, Options{})
	call(t, srv, "PUT", sub+"/resourceGroups/rg?api-version=2021-04-01", "t", `{"location":"westeurope"}`)
	for _, version := range []string{"2025-01-01", "2023-08-01"} {
		server := sub + "/resourceGroups/rg/providers/Microsoft.Sql/servers/sql-" + version
		body := `{"location":"westeurope","properties":{"administratorLogin":"sqladmin","administratorLoginPassword":"Never-Returned-1"}}`
		s, _, put := call(t, srv, "PUT", server+"?api-version="+version, "t", body)
		if s >= 300 {
			t.Fatalf("PUT: %d %v", s, put)
		}
		_, _, got := call(t, srv, "GET", server+"?api-version="+version, "t", "")
		_, _, list := call(t, srv, "GET", sub+"/resourceGroups/rg/providers/Microsoft.Sql/servers?api-version="+version, "t", "")
		for what, v := range map[string]any{"PUT": put, "GET": got, "list": list} {
			data, _ := json.Marshal(v)
			if strings.Contains(string(data), "Never-Returned-1") || !strings.Contains(string(data), "sqladmin") {
				t.Errorf("%s %s answers %s", version, what, data)
			}
		}
	}
}

// TestSecretsAreNeverReturned: a VM's admin password (a secure string) and a Key Vault
// secret's value (which Azure documents as never returned) are not returned, nor kept.
func TestSecretsAreNeverReturned(t *testing.T) {
	srv := newServer(t, Options{})
	call(t, srv, "PUT", sub+"/resourceGroups/rg?api-version=2021-04-01", "t", `{"location":"westeurope"}`)
	vm := sub + "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1?api-version=2024-07-01"
	if s, _, body := call(t, srv, "PUT", vm, "t", `{"location":"westeurope","properties":{"osProfile":{"computerName":"vm1","adminUsername":"azureuser","adminPassword":"Never-Returned-2"}}}`); s >= 300 {
		t.Fatalf("VM: %d %v", s, body)
	}
	kv := sub + "/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1"
	if s, _, body := call(t, srv, "PUT", kv+"?api-version=2023-07-01", "t", `{"location":"westeurope","properties":{"tenantId":"c0ffee00-0000-4000-8000-0000000000a1","sku":{"family":"A","name":"standard"},"accessPolicies":[]}}`); s >= 300 {
		t.Fatalf("vault: %d %v", s, body)
	}
	if s, _, body := call(t, srv, "PUT", kv+"/secrets/s1?api-version=2023-07-01", "t", `{"properties":{"value":"Never-Returned-3","contentType":"text/plain"}}`); s >= 300 {
		t.Fatalf("secret: %d %v", s, body)
	}
	for _, path := range []string{vm, kv + "/secrets/s1?api-version=2023-07-01", kv + "/secrets?api-version=2023-07-01"} {
		_, _, got := call(t, srv, "GET", path, "t", "")
		data, _ := json.Marshal(got)
		if strings.Contains(string(data), "Never-Returned") || !strings.Contains(string(data), "properties") {
			t.Errorf("GET %s answers %s", path, data)
		}
	}
}

// TestVersionsOfATypesFolder: an API version newer than the embedded type data, which the
// catalogue's types folder holds, is served and validated at its own schema; without the
// folder it is refused as ARM refuses an unknown version.
func TestVersionsOfATypesFolder(t *testing.T) {
	folder := t.TempDir()
	from := filepath.Join("..", "validate", "testdata", "conformance", "types", "privatedns", "microsoft.network", "2020-06-01", "types.json.gz")
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(folder, "privatedns", "microsoft.network", "2099-06-01")
	os.MkdirAll(newer, 0o755)
	os.WriteFile(filepath.Join(newer, "types.json.gz"), data, 0o644)
	cat, err := catalog.Open(catalog.Options{TypesDir: folder, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	zone := sub + "/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/example.com?api-version=2099-06-01"
	srv := newServer(t, Options{Catalog: cat})
	call(t, srv, "PUT", sub+"/resourceGroups/rg?api-version=2021-04-01", "t", `{"location":"westeurope"}`)
	if status, code, body := call(t, srv, "PUT", zone, "t", `{"location":"global","tags":"not an object"}`); status != 400 || code != "InvalidRequestContent" {
		t.Errorf("a wrong body at the folder's version: %d %s %v", status, code, body)
	}
	if status, code, body := call(t, srv, "PUT", zone, "t", `{"location":"global","tags":{"a":"b"}}`); status >= 300 {
		t.Errorf("the folder's version: %d %s %v", status, code, body)
	}
	plain := newServer(t, Options{})
	call(t, plain, "PUT", sub+"/resourceGroups/rg?api-version=2021-04-01", "t", `{"location":"westeurope"}`)
	if status, code, _ := call(t, plain, "PUT", zone, "t", `{"location":"global"}`); status != 400 || code != "NoRegisteredProviderFound" {
		t.Errorf("without the folder: %d %s", status, code)
	}
}
