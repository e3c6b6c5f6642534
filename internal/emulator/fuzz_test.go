package emulator

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRouter sends arbitrary methods, paths and bodies: the emulator never fails with a 500,
// answers every 4xx with an ARM error body, and a resource created first stays intact.
func FuzzRouter(f *testing.F) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer e.Close()
	methods := []string{"GET", "PUT", "PATCH", "DELETE", "POST", "HEAD", "OPTIONS"}
	do := func(method, target, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://emulator", strings.NewReader(body))
		req.URL.RawPath, req.URL.Path, req.URL.RawQuery = "", "", ""
		if u, err := req.URL.Parse(target); err == nil {
			req.URL = u
		}
		req.Header.Set("Authorization", "Bearer t")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	if rec := do("PUT", sub+"/resourceGroups/keep?api-version=2021-04-01", `{"location":"westeurope"}`); rec.Code != 201 {
		f.Fatalf("setup: %d %s", rec.Code, rec.Body)
	}
	for _, seed := range []struct{ method, path, body string }{
		{"PUT", acct + "?api-version=2021-06-01", acctBody},
		{"GET", sub + "/resources?api-version=2021-04-01&$filter=tagName eq 'a'", ""},
		{"PATCH", sub + "/resourceGroups/keep?api-version=2021-04-01", `{"tags":{"a":"b"}}`},
		{"DELETE", sub + "/resourceGroups/x/providers/Microsoft.Network/virtualNetworks/v/subnets/s?api-version=2024-05-01", ""},
		{"POST", sub + "/providers/Microsoft.Storage/register?api-version=2021-04-01", ""},
		{"GET", "/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/policyDefinitions?api-version=2023-04-01", ""},
		{"GET", sub + "/providers/Microsoft.Storage/locations/global/operationStatuses/x?api-version=2021-06-01", ""},
	} {
		for i, m := range methods {
			if m == seed.method {
				f.Add(uint8(i), seed.path, seed.body)
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, path, body string) {
		method := methods[int(which)%len(methods)]
		if !strings.HasPrefix(path, "/") {
			return
		}
		rec := do(method, path, body)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", method, path, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && rec.Code != 405 || rec.Code == 405 && rec.Body.Len() > 0 {
			var v struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || v.Error.Code == "" {
				t.Fatalf("%s %q: %d without an ARM error: %s", method, path, rec.Code, rec.Body)
			}
		}
		if check := do("GET", sub+"/resourceGroups/keep?api-version=2021-04-01", ""); check.Code != 200 {
			t.Fatalf("after %s %q the kept group reads %d", method, path, check.Code)
		}
	})
}
