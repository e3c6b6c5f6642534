package docs

import (
	"context"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
)

// rulesPage builds a page from testdata/specs-rules, swagger files written for these tests.
func rulesPage(t *testing.T, name string) *Page {
	t.Helper()
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ti, err := cat.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenSpecs("testdata/specs-rules")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Page(context.Background(), cat, ti, name, "2022-03-01")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTypesWithoutPut: a type the swagger has no PUT of (a web app's backups) has a page without
// examples and an empty string as its schema; a PUT without a body shows an empty string,
// and its examples no properties.
func TestTypesWithoutPut(t *testing.T) {
	md := rulesPage(t, "Web::WebAppBackupStatus").Markdown()
	if !strings.Contains(md, "## Examples\n## Dependencies\n") || !strings.Contains(md, "## Swagger Schema\n```js\n''\n```\n") {
		t.Errorf("backups:\n%s", md)
	}
	md = rulesPage(t, "Web::WebAppPremierAddOn").Markdown()
	if !strings.Contains(md, "### Add a premier add-on\n```js\nprovider.Web.makeWebAppPremierAddOn({\n  name: \"myWebAppPremierAddOn\",\n  dependencies:") ||
		!strings.Contains(md, "## Swagger Schema\n```js\n''\n```\n") {
		t.Errorf("a PUT without a body:\n%s", md)
	}
}

// TestFixedNameTypesUseTheirOwnPut: a type whose name GruCloud fixes (a web app's configuration
// is sites/{name}/config/web) comes from that path's PUT, not the first config PUT of the file
// (appsettings), and links the file it is in.
func TestFixedNameTypesUseTheirOwnPut(t *testing.T) {
	md := rulesPage(t, "Web::WebAppConfiguration").Markdown()
	for _, want := range []string{
		"### Update Site Config\n```js\nprovider.Web.makeWebAppConfiguration({\n",
		"### Update Site Config, nothing set\n",
		"description: 'Web app configuration ARM resource.'",
		"[here](https://github.com/Azure/azure-rest-api-specs/tree/main/specification/web/resource-manager/Microsoft.Web/stable/2022-03-01/WebApps.json)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the page lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "Setting1") {
		t.Errorf("the page shows the appsettings example:\n%s", md)
	}
}
