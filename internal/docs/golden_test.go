package docs

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/nodeoracle"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden pages of testdata/pages from gru's output")

// goldenCase is a page kept in testdata/pages: a type at an API version, from a spec tree.
type goldenCase struct {
	name, version, root string
	why                 string // the rules beyond the seed's the page exercises
}

const (
	seedSpecs  = "testdata/specs-seed"
	rulesSpecs = "testdata/specs-rules"
)

var goldenCases = []goldenCase{
	{"Storage::PrivateEndpointConnection", "2021-06-01", seedSpecs, "the seed page"},
	{"Storage::StorageAccount", "2021-06-01", seedSpecs, "several examples, long values, arrays, read-only keys"},
	{"Storage::BlobContainer", "2021-06-01", seedSpecs, "several examples"},
	{"Storage::FileShare", "2021-06-01", seedSpecs, "several examples"},
	{"Storage::Queue", "2021-06-01", seedSpecs, "an object that fits on one line"},
	{"Storage::Table", "2021-06-01", seedSpecs, "several examples, empty bodies"},
	{"Storage::EncryptionScope", "2021-06-01", seedSpecs, "several examples"},
	{"Web::WebAppConfiguration", "2022-03-01", rulesSpecs, "its own PUT (config/web), a multi-line description, an empty body"},
	{"Web::WebAppBackupStatus", "2022-03-01", rulesSpecs, "no PUT"},
	{"Web::WebAppPremierAddOn", "2022-03-01", rulesSpecs, "a PUT without a body"},
	{"Network::FirewallPolicy", "2024-01-01", examplesCorpus, "$ref with sibling keys met again (basePolicy)"},
	{"Network::NetworkInterface", "2024-01-01", examplesCorpus, "recursion (<ref *1>, [Circular *1])"},
	{"Network::Route", "2024-01-01", examplesCorpus, "a small page of the corpus"},
	{"Network::RouteTable", "2024-01-01", examplesCorpus, "recursion, several examples"},
	{"Network::VirtualNetwork", "2024-01-01", examplesCorpus, "recursion, long arrays, long values"},
	{"Network::PrivateDnsZoneGroup", "2024-01-01", examplesCorpus, "depth over 10 ([Object])"},
	{"Network::PublicIPAddress", "2024-01-01", examplesCorpus, "several examples"},
	{"Network::DnsZone", "2018-05-01", examplesCorpus, "tags on one line"},
	{"Compute::DiskAccess", "2023-10-02", examplesCorpus, "depth over 10"},
	{"KeyVault::Vault", "2023-07-01", examplesCorpus, "long arrays of permissions"},
	{"KeyVault::AccessPolicy", "2023-07-01", examplesCorpus, "depth over 10"},
	{"DocumentDB::DatabaseAccount", "2024-05-15", examplesCorpus, "several examples, long values"},
	{"OperationalInsights::Workspace", "2023-09-01", examplesCorpus, "a page of the corpus"},
	{"ManagedIdentity::UserAssignedIdentity", "2023-01-31", examplesCorpus, "a page of the corpus"},
	{"Resources::ResourceGroup", "2024-03-01", examplesCorpus, "no dependencies"},
	{"ContainerRegistry::Registry", "2023-07-01", examplesCorpus, "several examples"},
	{"Web::WebAppConfiguration", "2023-12-01", examplesCorpus, "its own PUT among the config paths"},
	{"Web::WebAppBackupStatus", "2023-12-01", examplesCorpus, "no PUT"},
	{"Web::WebAppMSDeployStatus", "2023-12-01", examplesCorpus, "multi-line descriptions split"},
	{"Web::AppServicePlan", "2023-12-01", examplesCorpus, "a page of the corpus"},
	{"Network::VirtualNetworkGatewayConnectionSharedKey", "2024-01-01", examplesCorpus, "GruCloud's PUT path, whose type the path alone does not name"},
	{"ContainerService::ContainerService", "2017-07-01", examplesCorpus, "a name GruCloud's table has twice"},
}

func (c goldenCase) file() string {
	dir := "seed"
	switch c.root {
	case rulesSpecs:
		dir = "rules"
	case examplesCorpus:
		dir = "corpus"
	}
	group, typ, _ := strings.Cut(c.name, "::")
	return filepath.Join("testdata", "pages", dir, group, typ+"@"+c.version+".md")
}

// goldenPages builds the pages of the cases whose spec tree is there, with the swagger path
// each came from.
func goldenPages(t *testing.T) (cases []goldenCase, pages []*Page, paths []*specPath, trees []*Specs) {
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opened := map[string]*Specs{}
	for _, c := range goldenCases {
		if _, err := os.Stat(c.root); err != nil {
			t.Logf("%s: %s is not there (shared/ is beside the repository in a checkout with the test data): skipped", c.name, c.root)
			continue
		}
		s := opened[c.root]
		if s == nil {
			if s, err = OpenSpecs(c.root); err != nil {
				t.Fatal(err)
			}
			opened[c.root] = s
		}
		ti, err := cat.Lookup(c.name)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Page(context.Background(), cat, ti, c.name, c.version)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		putPath := ""
		if gt, ok := lookupGruType(c.name, c.version); ok {
			putPath = gt.PutPath
		}
		sp, err := s.findPath(ti.ARMType, putPath, c.version)
		if err != nil {
			t.Fatal(err)
		}
		cases, pages, paths, trees = append(cases, c), append(pages, p), append(paths, sp), append(trees, s)
	}
	return
}

// TestGoldenPages: gru doc writes the pages of testdata/pages (go test -run TestGoldenPages
// -update rewrites them; TestGoldenPagesMatchNode checks them against GruCloud's generator
// rules run in node).
func TestGoldenPages(t *testing.T) {
	cases, pages, _, _ := goldenPages(t)
	for i, c := range cases {
		got := pages[i].Markdown()
		if *updateGolden {
			if err := os.MkdirAll(filepath.Dir(c.file()), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(c.file(), []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(c.file())
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s@%s (%s) differs from %s: %s", c.name, c.version, c.why, c.file(), lineDiff(got, string(want)))
		}
	}
}

// TestGoldenPagesMatchNode writes the golden pages with GruCloud's generator rules in node
// (testdata/oracle/page.js: json-schema-ref-parser 9, prettier 2, util.inspect with depth 10,
// the dependencies of shared/grucloud/azure-types.json) and compares them with testdata/pages.
func TestGoldenPagesMatchNode(t *testing.T) {
	dir := nodeoracle.Packages(t, nodeoracle.Prettier, nodeoracle.RefParser)
	cases, pages, paths, trees := goldenPages(t)
	type dep struct {
		Key   string `json:"key"`
		Group string `json:"group"`
		Type  string `json:"type"`
		List  bool   `json:"list"`
	}
	type job struct {
		Name       string `json:"name"`
		File       string `json:"file"`
		Path       string `json:"path"`
		APIVersion string `json:"apiVersion"`
		SpecFile   string `json:"specFile"`
		Deps       []dep  `json:"deps"`
	}
	var jobs []job
	for i, c := range cases {
		abs, err := filepath.Abs(filepath.FromSlash(paths[i].file))
		if err != nil {
			t.Fatal(err)
		}
		j := job{Name: c.name, File: abs, Path: paths[i].key, APIVersion: c.version, SpecFile: strings.TrimPrefix(strings.TrimPrefix(paths[i].file, trees[i].root), "/"), Deps: []dep{}}
		for _, d := range pages[i].Deps {
			j.Deps = append(j.Deps, dep{d.Key, d.Group, d.Type, d.List})
		}
		jobs = append(jobs, j)
	}
	table := sharedPath("grucloud/azure-types.json")
	if _, err := os.Stat(table); err != nil {
		t.Logf("%s is not there: node takes the dependencies gru lists", table)
		table = ""
	} else if table, err = filepath.Abs(table); err != nil {
		t.Fatal(err)
	}
	input, _ := json.Marshal(map[string]any{"table": table, "jobs": jobs})
	var want []string
	if err := json.Unmarshal(nodeoracle.Run(t, dir, "testdata/oracle/page.js", input), &want); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		golden, err := os.ReadFile(c.file())
		if err != nil {
			t.Fatal(err)
		}
		if want[i] != string(golden) {
			t.Errorf("%s@%s (%s): GruCloud's rules in node write another page than %s: %s", c.name, c.version, c.why, c.file(), lineDiff(string(golden), want[i]))
		}
	}
	t.Logf("%d pages compared with %s", len(cases), nodeoracle.Describe(nodeoracle.Prettier, nodeoracle.RefParser))
}
