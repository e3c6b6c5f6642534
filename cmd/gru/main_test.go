package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// runGru runs the command line in-process and returns its exit code and output.
func runGru(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestSchemaShowsTheSeedFacts is acceptance point 1: the same facts as the seed page's schema.
func TestSchemaShowsTheSeedFacts(t *testing.T) {
	code, out, errOut := runGru(t, "", "schema", "Storage::PrivateEndpointConnection", "--api-version", "2021-06-01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Microsoft.Storage/storageAccounts/privateEndpointConnections",
		"API version   2021-06-01",
		"Parent        Storage::StorageAccount",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	state := lineAfter(out, "privateLinkServiceConnectionState")
	if !strings.Contains(state, "[required]") {
		t.Errorf("privateLinkServiceConnectionState not shown required: %q", state)
	}
	status := lineAfter(out, "status ")
	if !strings.Contains(status, `"Pending" | "Approved" | "Rejected"`) {
		t.Errorf("status values: %q", status)
	}
	if ps := lineAfter(out, "provisioningState"); !strings.Contains(ps, "read-only") {
		t.Errorf("provisioningState: %q", ps)
	}
	pe := strings.Split(out[strings.Index(out, "privateEndpoint "):], "\n")
	if !strings.Contains(pe[2], "id") || !strings.Contains(pe[2], "[read-only]") {
		t.Errorf("privateEndpoint.id: %q", pe[2])
	}
}

func lineAfter(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return l
		}
	}
	return ""
}

func TestSchemaJSON(t *testing.T) {
	code, out, errOut := runGru(t, "", "schema", "microsoft.storage/storageaccounts/privateendpointconnections@2021-06-01", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		ShortName  string `json:"shortName"`
		APIVersion string `json:"apiVersion"`
		Body       struct {
			Properties []struct {
				Name   string `json:"name"`
				Schema struct {
					Properties []struct {
						Name  string   `json:"name"`
						Flags []string `json:"flags"`
					} `json:"properties"`
				} `json:"schema"`
			} `json:"properties"`
		} `json:"body"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.ShortName != "Storage::PrivateEndpointConnection" || doc.APIVersion != "2021-06-01" {
		t.Errorf("%+v", doc)
	}
	found := false
	for _, p := range doc.Body.Properties {
		for _, q := range p.Schema.Properties {
			if p.Name == "properties" && q.Name == "privateLinkServiceConnectionState" {
				found = len(q.Flags) == 1 && q.Flags[0] == "required"
			}
		}
	}
	if !found {
		t.Error("JSON schema lacks the required privateLinkServiceConnectionState")
	}
}

func TestUnknownTypeSuggestsNames(t *testing.T) {
	code, _, errOut := runGru(t, "", "schema", "Storage::StorageAcount")
	if code != 1 || !strings.Contains(errOut, "did you mean Storage::StorageAccount") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func TestSchemaOfVersionNotHeld(t *testing.T) {
	// every published version is embedded
	if code, out, errOut := runGru(t, "", "schema", "Storage::StorageAccount", "--api-version", "2019-06-01"); code != 0 || !strings.Contains(out, "2019-06-01") {
		t.Errorf("2019-06-01: exit %d: %s", code, errOut)
	}
	code, _, errOut := runGru(t, "", "schema", "Storage::StorageAccount", "--api-version", "1999-01-01")
	if code != 1 || !strings.Contains(errOut, "versions, the newest ") || !strings.Contains(errOut, "gru types --versions") || !strings.Contains(errOut, "--types-dir") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func TestTypes(t *testing.T) {
	code, out, _ := runGru(t, "", "types", "privateendpointconnection", "--group", "storage")
	if code != 0 || !strings.Contains(out, "Storage::PrivateEndpointConnection") || strings.Count(out, "\n") != 2 {
		t.Errorf("exit %d: %s", code, out)
	}
	code, out, _ = runGru(t, "", "types", "--json")
	var rows []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) < 3400 {
		t.Errorf("types --json: exit %d, %d rows", code, len(rows))
	}
	if code, _, errOut := runGru(t, "", "types", "nothing-is-called-this"); code != 1 || !strings.Contains(errOut, "no type matches") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	// A near miss says what was meant.
	if code, _, errOut := runGru(t, "", "types", "storageacount"); code != 1 || !strings.Contains(errOut, "did you mean StorageAccount") {
		t.Errorf("a misspelt filter: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runGru(t, "", "types", "--group", "Storag"); code != 1 || !strings.Contains(errOut, `no type is of group "Storag" (did you mean Storage?)`) {
		t.Errorf("a misspelt group: exit %d: %s", code, errOut)
	}
}

func writeFile(t *testing.T, name, content string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValidate(t *testing.T) {
	seed := writeFile(t, "seed.json", `{"properties":{"privateLinkServiceConnectionState":{"status":"Approved","description":"Auto-Approved"}}}`)
	code, out, errOut := runGru(t, "", "validate", seed, "--type", "Storage::PrivateEndpointConnection", "--api-version", "2021-06-01")
	if code != 0 || !strings.Contains(out, "0 errors, 0 warnings: valid") {
		t.Errorf("seed body: exit %d: %s %s", code, out, errOut)
	}

	bad := writeFile(t, "bad.json", `{"sku":{"name":42},"kind":"StorageV2","location":"westeurope","properties":{"minimumTlsVersion":"TLS9"}}`)
	code, out, _ = runGru(t, "", "validate", bad, "--type", "Storage::StorageAccount", "--api-version", "2021-06-01")
	if code != 1 {
		t.Errorf("invalid body: exit %d", code)
	}
	for _, want := range []string{"sku.name: wrong type: expected", "found number 42", "1 error, 0 warnings"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = runGru(t, `{"properties":{}}`, "validate", "-", "--type", "Storage::PrivateEndpointConnection", "--api-version", "2021-06-01", "--json")
	var res struct {
		Valid    bool `json:"valid"`
		Problems []struct {
			Severity, Path string
		} `json:"problems"`
	}
	if code != 1 || json.Unmarshal([]byte(out), &res) != nil || res.Valid || len(res.Problems) != 1 ||
		res.Problems[0].Path != "properties.privateLinkServiceConnectionState" || res.Problems[0].Severity != "error" {
		t.Errorf("--json from stdin: exit %d: %s", code, out)
	}
	if code, _, _ := runGru(t, `{"properties":{}}`, "validate", "-", "--type", "Storage::PrivateEndpointConnection", "--api-version", "2021-06-01", "--patch"); code != 0 {
		t.Errorf("--patch: exit %d", code)
	}
}

func TestValidateMalformedJSON(t *testing.T) {
	f := writeFile(t, "broken.json", "{\n  \"properties\": {\n    \"a\": 1,\n  }\n}\n")
	code, _, errOut := runGru(t, "", "validate", f, "--type", "Storage::StorageAccount")
	if code != 1 || !strings.Contains(errOut, "broken.json:4:3: malformed JSON") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func TestValidateVersionNotHeldWarns(t *testing.T) {
	f := writeFile(t, "b.json", `{}`)
	code, _, errOut := runGru(t, "", "validate", f, "--type", "Storage::StorageAccount", "--api-version", "1999-01-01")
	if code != 0 || strings.Count(errOut, "warning:") != 1 || !strings.Contains(errOut, "not validated") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	// an old published version is validated: {} lacks its required properties
	if code, out, _ := runGru(t, "", "validate", f, "--type", "Storage::StorageAccount", "--api-version", "2019-06-01"); code != 1 || !strings.Contains(out, "Storage::StorageAccount@2019-06-01: 3 errors") {
		t.Errorf("2019-06-01: exit %d: %s", code, out)
	}
}

func TestValidateWithTypesDir(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	dir := filepath.Join("..", "..", "internal", "validate", "testdata", "conformance", "types")
	f := writeFile(t, "b.json", `{"location":"westeurope","sku":{"name":"Standard_LRS"},"kind":"StorageV2"}`)
	code, out, errOut := runGru(t, "", "validate", f, "--type", "Storage::StorageAccount", "--api-version", "2023-05-01", "--types-dir", dir)
	if code != 0 || !strings.Contains(out, "Storage::StorageAccount@2023-05-01: 0 errors") {
		t.Errorf("exit %d: %s %s", code, out, errOut)
	}
	// a version only the folder holds (Microsoft.DBforPostgreSQL's, under a later name)
	newer := t.TempDir()
	data, err := os.ReadFile(filepath.Join(dir, "postgresqlhsc", "microsoft.dbforpostgresql", "2022-11-08", "types.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(newer, "generated", "postgresqlhsc", "microsoft.dbforpostgresql", "2099-11-08"), 0o755)
	os.WriteFile(filepath.Join(newer, "generated", "postgresqlhsc", "microsoft.dbforpostgresql", "2099-11-08", "types.json.gz"), data, 0o644)
	g := writeFile(t, "pg.json", `{"location":"westeurope","properties":{"nodeCount":"two"}}`)
	code, out, errOut = runGru(t, "", "validate", g, "--type", "Microsoft.DBforPostgreSQL/serverGroupsv2", "--api-version", "2099-11-08", "--types-dir", newer)
	if code != 1 || !strings.Contains(out, "@2099-11-08: 1 error") || !strings.Contains(out, "nodeCount") {
		t.Errorf("a version only the folder holds: exit %d: %s %s", code, out, errOut)
	}
	if code, out, _ := runGru(t, "", "types", "--versions", "Microsoft.DBforPostgreSQL/serverGroupsv2", "--types-dir", newer); code != 0 || !regexp.MustCompile(`(?m)^2099-11-08\s+stable\s+from --types-dir$`).MatchString(out) {
		t.Errorf("types --versions with the folder: exit %d\n%s", code, out)
	}
	// the listing of the folders is cached in the user's cache folder (os.UserCacheDir honours
	// $XDG_CACHE_HOME on Linux) once they are 3 s old
	if runtime.GOOS != "linux" || testing.Short() {
		return
	}
	time.Sleep(3500 * time.Millisecond)
	if code, out, errOut = runGru(t, "", "validate", g, "--type", "Microsoft.DBforPostgreSQL/serverGroupsv2", "--api-version", "2099-11-08", "--types-dir", newer); code != 1 {
		t.Errorf("exit %d: %s %s", code, out, errOut)
	}
	if cached, _ := filepath.Glob(filepath.Join(cache, "gru", "types-dir", "*")); len(cached) != 1 {
		t.Errorf("cached in $XDG_CACHE_HOME/gru/types-dir: %v, want one file", cached)
	}
}

func TestVersionAndHelp(t *testing.T) {
	if code, out, _ := runGru(t, "", "--version"); code != 0 || !strings.Contains(out, version) {
		t.Errorf("--version: %d %q", code, out)
	}
	if code, out, _ := runGru(t, "", "validate", "--help"); code != 0 || !strings.Contains(out, "Exit status") {
		t.Errorf("validate --help: %d", code)
	}
	if code, out, _ := runGru(t, "", "completion", "bash"); code != 0 || !strings.Contains(out, "bash completion") {
		t.Errorf("completion: %d", code)
	}
}

func TestInfoLocal(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	code, out, errOut := runGru(t, "", "info", "--local")
	if code != 0 || !strings.Contains(out, "c0ffee00-0000-4000-8000-000000000001") || !strings.Contains(out, "cloud            local") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	code, out, errOut = runGru(t, "", "info", "--local", "--json", "--debug")
	var info map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil || info["cloud"] != "local" || info["state"] != "Enabled" {
		t.Errorf("--json: exit %d: %s", code, out)
	}
	if !strings.Contains(errOut, "--> GET http://127.0.0.1:") || !strings.Contains(errOut, "Authorization: (sensitive)") {
		t.Errorf("--debug shows no request: %s", errOut)
	}
	if code, _, errOut := runGru(t, "", "info", "--local", "--endpoint", "http://127.0.0.1:1"); code != 1 || !strings.Contains(errOut, "choose one") {
		t.Errorf("--local with --endpoint: %d %s", code, errOut)
	}
}

// TestDocReproducesTheSeedPage runs gru doc on the committed copy of the seed's specs.
func TestDocReproducesTheSeedPage(t *testing.T) {
	code, out, errOut := runGru(t, "", "doc", "Storage::PrivateEndpointConnection", "--api-version", "2021-06-01", "--specs", "../../internal/docs/testdata/specs-seed")
	want, err := os.ReadFile("../../internal/docs/testdata/seed-page.md")
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 || out != string(want) {
		t.Errorf("exit %d %s: the page differs from the seed page", code, errOut)
	}
	// Without a version, the specs' newest when they lack the catalogue's default version.
	if code, out, errOut := runGru(t, "", "doc", "Storage::PrivateEndpointConnection", "--specs", "../../internal/docs/testdata/specs-seed"); code != 0 || out != string(want) {
		t.Errorf("without --api-version: exit %d %s: the page differs from the seed page", code, errOut)
	}
	if code, _, errOut := runGru(t, "", "doc"); code != 1 || !strings.Contains(errOut, "--all") {
		t.Errorf("doc without a type: %d %s", code, errOut)
	}
}

// TestNoStrayInterruptMessage: ordinary runs, successful or not, never say they were
// interrupted (the end of a run used to race with the signal handler's message).
func TestNoStrayInterruptMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gru and runs it many times")
	}
	bin := buildGru(t)
	for i := 0; i < 40; i++ {
		args := [][]string{{"types"}, {"schema", "Nope::Nothing"}, {"--help"}}[i%3]
		cmd := exec.Command(bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Run()
		if strings.Contains(stderr.String(), "interrupted") {
			t.Fatalf("gru %v said: %s", args, stderr.String())
		}
	}
}

// TestTypeVersionsAndStrictValidation: gru types --versions lists a type's published
// versions, newest first, stable or preview, default and held; validate --strict fails on a
// version gru cannot validate, which is otherwise a warning.
func TestTypeVersionsAndStrictValidation(t *testing.T) {
	code, out, _ := runGru(t, "", "types", "--versions", "Network::VirtualNetwork", "--json")
	var got struct {
		Versions []struct {
			Version         string
			Stable, Default bool
			Held            bool
		}
	}
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || len(got.Versions) < 50 {
		t.Fatalf("types --versions: exit %d %v\n%s", code, err, tail(out, 500))
	}
	first, last := got.Versions[0], got.Versions[len(got.Versions)-1]
	if !first.Default || !first.Stable || first.Version <= last.Version || last.Version != "2015-05-01-preview" || last.Stable || !last.Held {
		t.Errorf("versions: first %+v, last %+v", first, last)
	}
	f := writeFile(t, "b.json", `{}`)
	if code, _, errOut := runGru(t, "", "validate", f, "--type", "Network::VirtualNetwork", "--api-version", "2099-01-01", "--strict"); code != 1 || !strings.Contains(errOut, "not validated (--strict)") {
		t.Errorf("--strict on an unknown version: exit %d %s", code, errOut)
	}
	if code, _, errOut := runGru(t, "", "validate", f, "--type", "Network::VirtualNetwork", "--api-version", "2099-01-01"); code != 0 || strings.Count(errOut, ", ") > 12 {
		t.Errorf("without --strict: exit %d, or the warning lists every version: %s", code, errOut)
	}
	// As plan and apply --strict, an unknown property is an error; with --json the warning of
	// an unvalidated body is in the JSON alone.
	typo := writeFile(t, "typo.json", `{"location":"westeurope","sku":{"name":"Standard_LRS"},"kind":"StorageV2","properties":{"allowBlobPublicAcess":true}}`)
	if code, out, _ := runGru(t, "", "validate", typo, "--type", "Storage::StorageAccount"); code != 0 || !strings.Contains(out, "1 warning: valid") {
		t.Errorf("an unknown property: exit %d %s", code, out)
	}
	if code, out, _ := runGru(t, "", "validate", typo, "--type", "Storage::StorageAccount", "--strict"); code != 1 || !strings.Contains(out, "(an error with --strict); did you mean allowBlobPublicAccess?") {
		t.Errorf("an unknown property with --strict: exit %d %s", code, out)
	}
	if code, out, errOut := runGru(t, "", "validate", f, "--type", "Network::VirtualNetwork", "--api-version", "2099-01-01", "--json"); code != 0 || errOut != "" || !strings.Contains(out, `"validated": false`) {
		t.Errorf("--json of an unvalidated body: exit %d %s %s", code, out, errOut)
	}
}

// TestSchemaDiff: gru schema TYPE --diff V1 V2 shows what changed between two published
// versions (as text and JSON); the same version twice changes nothing.
func TestSchemaDiff(t *testing.T) {
	code, out, errOut := runGru(t, "", "schema", "Storage::StorageAccount", "--diff", "2021-06-01", "2023-05-01")
	if code != 0 || !strings.Contains(out, "+ properties.allowedCopyScope") || !strings.Contains(out, "~ properties.accessTier  enum +Premium") {
		t.Errorf("exit %d %s\n%s", code, errOut, tail(out, 2000))
	}
	code, out, _ = runGru(t, "", "schema", "Storage::StorageAccount", "--diff", "2023-05-01", "2023-05-01", "--json")
	if code != 0 || !strings.Contains(out, `"changes": []`) {
		t.Errorf("the same version: exit %d\n%s", code, out)
	}
	if code, _, errOut := runGru(t, "", "schema", "Storage::StorageAccount", "--diff", "1999-01-01"); code != 1 || !strings.Contains(errOut, "1999-01-01") {
		t.Errorf("an unknown version: exit %d %s", code, errOut)
	}
	// --api-version gives the second version as the second argument does.
	_, byArg, _ := runGru(t, "", "schema", "Storage::StorageAccount", "--diff", "2021-06-01", "2023-05-01")
	_, byFlag, _ := runGru(t, "", "schema", "Storage::StorageAccount", "--diff", "2021-06-01", "--api-version", "2023-05-01")
	if byFlag != byArg {
		t.Errorf("--diff V1 --api-version V2 differs from --diff V1 V2:\n%s", byFlag)
	}
}
