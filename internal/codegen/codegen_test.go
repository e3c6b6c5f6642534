package codegen

import (
	"context"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
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
	files, err := Generate(context.Background(), cat, live, Options{ProjectName: "p", Location: "westeurope"})
	if err != nil {
		t.Fatal(err)
	}
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
		if got := gcName(parsed); got != want {
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
