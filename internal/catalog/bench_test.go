package catalog

import (
	"context"
	"testing"
)

// BenchmarkOpen decodes the embedded index: the cost every command pays once.
func BenchmarkOpen(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := Open(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookup resolves a short name, an alias and an ARM type in an open catalogue.
func BenchmarkLookup(b *testing.B) {
	c := open(b)
	names := []string{"Storage::PrivateEndpointConnection", "Web::WebAppConfiguration", "microsoft.network/virtualnetworks/subnets"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Lookup(names[i%len(names)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSchemaColdStorage opens a catalogue and decodes the seed type's schema file:
// what `gru schema Storage::PrivateEndpointConnection --api-version 2021-06-01` does in-process.
func BenchmarkSchemaColdStorage(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c, err := Open(Options{})
		if err != nil {
			b.Fatal(err)
		}
		ti, err := c.Lookup("Storage::PrivateEndpointConnection")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Schema(context.Background(), ti, "2021-06-01"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSchemaColdNetwork decodes the largest common provider file (Microsoft.Network).
func BenchmarkSchemaColdNetwork(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c := open(b)
		ti, _ := c.Lookup("Network::VirtualNetwork")
		if _, err := c.Schema(context.Background(), ti, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSuggest finds the nearest names to a misspelt one among every name and alias.
func BenchmarkSuggest(b *testing.B) {
	c := open(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Suggest("Storage::StorageAcount", 3)
	}
}

// BenchmarkSchemaColdVersions opens a catalogue and decodes a few types at old and new API
// versions, each a lookup with nothing cached: the schema store's index, then the blocks of
// each schema.
func BenchmarkSchemaColdVersions(b *testing.B) {
	pairs := [][2]string{
		{"Network::VirtualNetwork", "2018-08-01"},
		{"Compute::VirtualMachine", "2019-07-01"},
		{"Storage::StorageAccount", "2016-01-01"},
		{"Web::Site", "2022-03-01"},
		{"KeyVault::Vault", "2019-09-01"},
	}
	for i := 0; i < b.N; i++ {
		c := open(b)
		for _, p := range pairs {
			ti, err := c.Lookup(p[0])
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.Schema(context.Background(), ti, p[1]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkSchemaOneVersion decodes one old version of one type in an open catalogue whose
// schema store index is read, block cache emptied: the cost of one lookup.
func BenchmarkSchemaOneVersion(b *testing.B) {
	c := open(b)
	s, err := c.schemaStore()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.cache = nil
		js, err := c.embeddedTypesFile("Microsoft.Network/virtualNetworks", "2018-08-01")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseTypesFile(js); err != nil {
			b.Fatal(err)
		}
	}
}
