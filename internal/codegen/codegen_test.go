package codegen

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/target"
)

const sub = "/subscriptions/s"

func TestGenerate(t *testing.T) {
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rg := sub + "/resourceGroups/rg"
	live := []map[string]any{
		{"id": rg, "name": "rg", "type": "Microsoft.Resources/resourceGroups", "location": "westeurope",
			"tags": map[string]any{"gc-managed-by": "grucloud", "team": "a"}, "properties": map[string]any{"provisioningState": "Succeeded"}},
		{"id": rg + "/providers/Microsoft.Network/natGateways/nat", "name": "nat", "type": "Microsoft.Network/natGateways", "location": "northeurope",
			"sku": map[string]any{"name": "Standard"},
			"properties": map[string]any{
				"publicIpAddresses": []any{map[string]any{"id": rg + "/providers/Microsoft.Network/publicIPAddresses/ip"}},
				"publicIpPrefixes":  []any{map[string]any{"id": "/subscriptions/other/resourceGroups/x/providers/Microsoft.Network/publicIPPrefixes/pp"}},
				"subnets":           []any{map[string]any{"id": rg + "/providers/Microsoft.Network/virtualNetworks/v/subnets/s"}}, // read-only: dropped
			}},
		{"id": rg + "/providers/Microsoft.Network/publicIPAddresses/ip", "name": "ip", "type": "Microsoft.Network/publicIPAddresses", "location": "westeurope",
			"sku": map[string]any{"name": "Standard"}, "properties": map[string]any{"publicIPAllocationMethod": "Static", "ipAddress": "1.2.3.4"}},
	}
	gen, err := Generate(context.Background(), cat, live, Options{ProjectName: "p", Location: "westeurope"})
	if err != nil {
		t.Fatal(err)
	}
	files := gen.Files
	js := files["resources.js"]
	for _, want := range []string{
		`team: "a"`, // the user's tags stay
		`publicIpAddresses: ["rg::ip"]`,
		`location: "northeurope"`, // not the config's
		"location: config.location",
		`resourceGroup: "rg"`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("resources.js lacks %s:\n%s", want, js)
		}
	}
	for _, unwanted := range []string{"gc-managed-by", "provisioningState", "subnets", "publicIPAddresses/ip\""} {
		if strings.Contains(js, unwanted) {
			t.Errorf("resources.js holds %s:\n%s", unwanted, js)
		}
	}
	if !strings.Contains(js, "/subscriptions/other/") {
		t.Error("an ID outside the selection is not kept as a literal")
	}
	if strings.Index(js, `name: "ip"`) > strings.Index(js, `name: "nat"`) {
		t.Error("the NAT gateway is written before the address it depends on")
	}
	if Edited(files["resources.js"]) || !Edited(files["resources.js"]+"// more\n") || !Edited("exports.createResources = () => [];") {
		t.Error("Edited does not tell generated files from edited ones")
	}
}

func TestNames(t *testing.T) {
	for id, want := range map[string]string{
		sub + "/resourceGroups/rg": "rg",
		sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s": "rg::v::s",
		sub + "/providers/Microsoft.Network/dnsZones/z":                                    "z",
	} {
		parsed, err := armid.Parse(id)
		if err != nil {
			t.Fatal(err)
		}
		if got := target.FullName(parsed); got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
	for path, want := range map[string]string{
		"properties.manualPrivateLinkServiceConnections.properties.privateLinkServiceId": "privateLinkService",
		"properties.subnet.id": "subnet",
	} {
		if got := keyFromPath(path); got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
}

// TestSecretsBecomeEnvironmentVariables: gencode never writes a secret value; each secret, and
// each required secret live does not return, reads process.env, and the variables are listed.
func TestSecretsBecomeEnvironmentVariables(t *testing.T) {
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rg := sub + "/resourceGroups/rg"
	live := []map[string]any{
		{"id": rg, "name": "rg", "type": "Microsoft.Resources/resourceGroups", "location": "westeurope", "tags": map[string]any{"__proto__": "kept"}},
		{"id": rg + "/providers/Microsoft.Sql/servers/sql1", "name": "sql1", "type": "Microsoft.Sql/servers", "location": "westeurope",
			"properties": map[string]any{"administratorLogin": "sqladmin"}},
		{"id": rg + "/providers/Microsoft.KeyVault/vaults/kv1/secrets/s1", "name": "s1", "type": "Microsoft.KeyVault/vaults/secrets",
			"properties": map[string]any{"value": "Kv1-S3cretValue", "contentType": "text/plain"}},
		{"id": rg + "/providers/Microsoft.Web/sites/app", "name": "app", "type": "Microsoft.Web/sites", "location": "westeurope",
			"properties": map[string]any{"siteConfig": map[string]any{"connectionStrings": []any{map[string]any{"name": "db", "connectionString": "Server=x;Password=Pw1-Zq", "type": "SQLAzure"}}}}},
	}
	gen, err := Generate(context.Background(), cat, live, Options{ProjectName: "p", Location: "westeurope"})
	if err != nil {
		t.Fatal(err)
	}
	js := gen.Files["resources.js"]
	for _, secret := range []string{"Kv1-S3cretValue", "Pw1-Zq"} {
		if strings.Contains(js, secret) {
			t.Errorf("resources.js holds a secret:\n%s", js)
		}
	}
	for _, want := range []string{"administratorLoginPassword: process.env.SQL1_ADMINISTRATOR_LOGIN_PASSWORD", "value: process.env.KV1_S1_VALUE",
		"connectionStrings: JSON.parse(process.env.APP_SITE_CONFIG_CONNECTION_STRINGS)", `["__proto__"]: "kept"`} {
		if !strings.Contains(js, want) {
			t.Errorf("resources.js lacks %s:\n%s", want, js)
		}
	}
	var names []string
	for _, v := range gen.Env {
		names = append(names, v.Name)
	}
	sort.Strings(names)
	if strings.Join(names, " ") != "APP_SITE_CONFIG_CONNECTION_STRINGS KV1_S1_VALUE SQL1_ADMINISTRATOR_LOGIN_PASSWORD" {
		t.Errorf("variables: %v", names)
	}
}

// TestConfigGivesTenantAndSubscription: a tenant ID is written as config.tenantId, and an ID
// within the subscription that names nothing written as ${config.subscriptionId}, as
// GruCloud's projects write them.
func TestConfigGivesTenantAndSubscription(t *testing.T) {
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const tenant = "11111111-2222-3333-4444-555555555555"
	rg := sub + "/resourceGroups/rg"
	live := []map[string]any{
		{"id": rg, "name": "rg", "type": "Microsoft.Resources/resourceGroups", "location": "westeurope"},
		{"id": rg + "/providers/Microsoft.KeyVault/vaults/kv1", "name": "kv1", "type": "Microsoft.KeyVault/vaults", "location": "westeurope",
			"properties": map[string]any{"tenantId": tenant, "sku": map[string]any{"family": "A", "name": "standard"},
				"networkAcls": map[string]any{"virtualNetworkRules": []any{map[string]any{"id": sub + "/resourceGroups/other/providers/Microsoft.Network/virtualNetworks/v/subnets/s"}}}}},
	}
	gen, err := Generate(context.Background(), cat, live, Options{ProjectName: "p", Location: "westeurope", TenantID: tenant, SubscriptionID: strings.TrimPrefix(sub, "/subscriptions/")})
	if err != nil {
		t.Fatal(err)
	}
	js := gen.Files["resources.js"]
	for _, want := range []string{"tenantId: config.tenantId", "id: `/subscriptions/${config.subscriptionId}/resourceGroups/other/providers/Microsoft.Network/virtualNetworks/v/subnets/s`"} {
		if !strings.Contains(js, want) {
			t.Errorf("resources.js lacks %s:\n%s", want, js)
		}
	}
	if strings.Contains(js, tenant) {
		t.Errorf("resources.js holds the tenant literally:\n%s", js)
	}
}
