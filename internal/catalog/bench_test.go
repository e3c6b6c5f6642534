package catalog

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gru-iac/gru/internal/shareddir"
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

// benchFolder is the type data folder the types-dir benchmarks extract once per test binary.
var benchFolder struct {
	once sync.Once
	root string // removed by TestMain
	err  error
}

// TestMain removes the type data folder the types-dir benchmarks extract, if they did.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchFolder.root != "" {
		os.RemoveAll(benchFolder.root)
	}
	os.Exit(code)
}

// onlyInFolder is the API version the benchmarks' type data folder holds and gru does not.
const onlyInFolder = "2099-01-01"

// typesFolder extracts the shared type data archive (every version of bicep-types-az, about
// 360 MB) to a temporary folder once, with Microsoft.Network's newest version copied as
// 2099-01-01 (see asVersion), and returns its generated/ folder. It skips the benchmark when the archive is
// absent.
func typesFolder(b *testing.B) string {
	shared, err := shareddir.Find("", archivePath)
	if err != nil {
		b.Skipf("the type data archive is not beside the repository (%v): the benchmark needs a real types folder", err)
	}
	benchFolder.once.Do(func() {
		if benchFolder.root, benchFolder.err = os.MkdirTemp("", "gru-bench-types-"); benchFolder.err != nil {
			return
		}
		if benchFolder.err = shareddir.Extract(filepath.Join(shared, filepath.FromSlash(archivePath)), benchFolder.root); benchFolder.err != nil {
			return
		}
		ns := filepath.Join(benchFolder.root, "generated", "network", "microsoft.network")
		versions, err := os.ReadDir(ns)
		if err != nil || len(versions) == 0 {
			benchFolder.err = fmt.Errorf("no Microsoft.Network versions in the archive: %v", err)
			return
		}
		newest := versions[len(versions)-1].Name()
		data, err := os.ReadFile(filepath.Join(ns, newest, "types.json"))
		if err == nil {
			data = asVersion(data, newest)
			err = os.Mkdir(filepath.Join(ns, onlyInFolder), 0o755)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(ns, onlyInFolder, "types.json"), data, 0o644)
		}
		benchFolder.err = err
		time.Sleep(racyWindow) // for the listing of the new folders to be cached
	})
	if benchFolder.err != nil {
		b.Fatal(benchFolder.err)
	}
	return filepath.Join(benchFolder.root, "generated")
}

// BenchmarkTypesDirSchema opens a catalogue with the full type data folder as its types
// folder, its listing cached, and decodes Network::VirtualNetwork at a version only the folder
// holds (a copy of the newest, whose embedded schema BenchmarkSchemaColdNetwork decodes):
// what `gru validate --types-dir` does in-process after its first run. It reports the first
// run's time (cold: nothing cached) too.
func BenchmarkTypesDirSchema(b *testing.B) {
	opts := Options{TypesDir: typesFolder(b), CacheDir: b.TempDir()}
	run := func() *Catalog {
		c, err := Open(opts)
		if err != nil {
			b.Fatal(err)
		}
		ti, err := c.Lookup("Network::VirtualNetwork")
		if err != nil {
			b.Fatal(err)
		}
		if r, err := c.Schema(context.Background(), ti, onlyInFolder); err != nil || r.APIVersion != onlyInFolder {
			b.Fatalf("%v %v", r, err)
		}
		return c
	}
	start := time.Now()
	run()
	cold := time.Since(start)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if c := run(); c.dirReads != 0 {
			b.Fatal("the folder's listing was read again")
		}
	}
	b.ReportMetric(cold.Seconds()*1000, "cold-ms")
}

// asVersion rewrites a types.json of one version as another's: the version its types name
// (Microsoft.Network/virtualNetworks@2025-09-01) and their apiVersion literals.
func asVersion(data []byte, from string) []byte {
	data = bytes.ReplaceAll(data, []byte("@"+from+`"`), []byte("@"+onlyInFolder+`"`))
	return bytes.ReplaceAll(data, []byte(`"`+from+`"`), []byte(`"`+onlyInFolder+`"`))
}
