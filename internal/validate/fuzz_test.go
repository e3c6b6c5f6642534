package validate

import (
	"context"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
)

// FuzzBody feeds arbitrary bytes through Decode and Body against schemas with every kind of
// type (objects, discriminated objects, unions, arrays, patterns, bounds): nothing may panic,
// and every problem must name a path-like location.
func FuzzBody(f *testing.F) {
	c, err := catalog.Open(catalog.Options{})
	if err != nil {
		f.Fatal(err)
	}
	var schemas []*catalog.Resource
	for _, name := range []string{
		"Storage::PrivateEndpointConnection@2021-06-01",
		"Storage::StorageAccount@2021-06-01",
		"Network::VirtualNetwork",
		"Compute::VirtualMachine",
		"Web::SiteConfig",
		"DataFactory::Pipeline",
	} {
		ref, _ := catalog.ParseTypeRef(name)
		ti, err := c.Lookup(ref.Name)
		if err != nil {
			f.Fatal(err)
		}
		r, err := c.Schema(context.Background(), ti, ref.APIVersion)
		if err != nil {
			f.Fatal(err)
		}
		schemas = append(schemas, r)
	}
	f.Add(uint8(0), []byte(seedBody), false)
	f.Add(uint8(1), []byte(`{"sku":{"name":"Standard_LRS"},"kind":"StorageV2","location":"x","properties":{"networkAcls":{"defaultAction":"Deny","ipRules":[{"value":"1.2.3.4"}]}}}`), false)
	f.Add(uint8(2), []byte(`{"properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},"subnets":[{"name":"a","properties":{"addressPrefix":"10.0.0.0/24"}}]}}`), true)
	f.Add(uint8(5), []byte(`{"properties":{"activities":[{"type":"Copy","name":"c","typeProperties":{}}]}}`), false)
	f.Add(uint8(3), []byte(`[1, "a", null, {"a": 1e400}]`), false)
	f.Fuzz(func(t *testing.T, which uint8, data []byte, patch bool) {
		body, err := Decode("fuzz.json", data)
		if err != nil {
			return
		}
		r := schemas[int(which)%len(schemas)]
		for _, p := range Body(r, body, Options{Patch: patch, Name: "web"}) {
			if p.Message == "" {
				t.Fatalf("problem without a message: %+v", p)
			}
		}
		StripReadOnly(r, body)
	})
}
