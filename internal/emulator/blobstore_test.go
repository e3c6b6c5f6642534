package emulator

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMigrationAddsBlobTables(t *testing.T) {
	db := filepath.Join(t.TempDir(), "arm.db")
	s, err := openStore(context.Background(), db, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	// Back to layout 2: no blob tables.
	if _, err := s.db.Exec("DROP TABLE blobs; DROP TABLE blob_blocks; DROP TABLE blob_services; PRAGMA user_version = 2"); err != nil {
		t.Fatal(err)
	}
	s.close()
	s, err = openStore(context.Background(), db, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	var version, tables int
	s.db.QueryRow("PRAGMA user_version").Scan(&version)
	s.db.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('blobs', 'blob_blocks', 'blob_services')").Scan(&tables)
	if version != schemaVersion || tables != 3 {
		t.Errorf("after migration: layout %d, %d blob tables", version, tables)
	}
}

// TestMigrationAddsEnvelopes: a database of layout 3 gets each resource's envelope, which
// /resources lists; resources written since have theirs.
func TestMigrationAddsEnvelopes(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "arm.db")
	s, err := openStore(ctx, db, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt","location":"westeurope","name":"rt",` +
		`"properties":{"routes":[]},"systemData":{"createdBy":"x"},"tags":{"a":"b"},"type":"Microsoft.Network/routeTables"}`
	rec := &record{Key: "/subscriptions/s/resourcegroups/rg/providers/microsoft.network/routetables/rt", ID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt",
		ParentKey: "/subscriptions/s/resourcegroups/rg", Type: "microsoft.network/routetables", Sub: "s", Group: "rg", TopLevel: true, APIVersion: "2024-05-01", Body: body}
	if err := s.put(ctx, nil, rec); err != nil {
		t.Fatal(err)
	}
	want := `{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt","location":"westeurope","name":"rt","tags":{"a":"b"},"type":"Microsoft.Network/routeTables"}`
	listed := func(s *store) string {
		t.Helper()
		recs, err := s.topLevel(ctx, "s", "", "", 10, time.Now(), true)
		if err != nil || len(recs) != 1 {
			t.Fatalf("%d listed: %v", len(recs), err)
		}
		return recs[0].shortBody()
	}
	if got := listed(s); got != want {
		t.Errorf("written: %s", got)
	}
	// Back to layout 3: no envelopes.
	if _, err := s.db.Exec("ALTER TABLE resources DROP COLUMN envelope; PRAGMA user_version = 3"); err != nil {
		t.Fatal(err)
	}
	s.close()
	if s, err = openStore(ctx, db, time.Now); err != nil {
		t.Fatal(err)
	}
	defer s.close()
	var version int
	s.db.QueryRow("PRAGMA user_version").Scan(&version)
	if got := listed(s); version != schemaVersion || got != want {
		t.Errorf("after migration: layout %d, %s", version, got)
	}
	// A row an older gru wrote since has no envelope: its body serves.
	if _, err := s.db.Exec("UPDATE resources SET envelope = ''"); err != nil {
		t.Fatal(err)
	}
	if got := listed(s); got != want {
		t.Errorf("without its envelope: %s", got)
	}
}

// TestMigrationAtOnce: processes opening an older database at once wait for each other; each
// opens it, brought up to date once.
func TestMigrationAtOnce(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "arm.db")
	s, err := openStore(ctx, db, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var recs []*record
	for i := range 2000 {
		key := fmt.Sprintf("/subscriptions/s/resourcegroups/rg/providers/microsoft.network/routetables/rt%d", i)
		recs = append(recs, &record{Key: key, ID: key, ParentKey: "/subscriptions/s/resourcegroups/rg", Type: "microsoft.network/routetables", Sub: "s", Group: "rg",
			TopLevel: true, APIVersion: "2024-05-01", Body: fmt.Sprintf(`{"id":%q,"name":"rt%d","properties":{"routes":[]},"type":"Microsoft.Network/routeTables"}`, key, i)})
	}
	if err := s.put(ctx, nil, recs...); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("ALTER TABLE resources DROP COLUMN envelope; PRAGMA user_version = 3"); err != nil {
		t.Fatal(err)
	}
	s.close()
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			s, err := openStore(ctx, db, time.Now)
			if err == nil {
				s.close()
			}
			errs <- err
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Errorf("opening at once: %v", err)
		}
	}
}

// TestMigrationFromLayout1: a database from before resources.name and refs gets both: names
// from the keys, and the references its bodies hold.
func TestMigrationFromLayout1(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "arm.db")
	s, err := openStore(ctx, db, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	nsg := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg"
	sn := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn"
	rec := &record{Key: strings.ToLower(sn), ID: sn, ParentKey: strings.ToLower("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet"),
		Type: "microsoft.network/virtualnetworks/subnets", Sub: "s", Group: "rg", APIVersion: "2024-05-01",
		Body: fmt.Sprintf(`{"id":%q,"name":"sn","properties":{"networkSecurityGroup":{"id":%q}}}`, sn, nsg)}
	if err := s.put(ctx, nil, rec); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("DROP INDEX resources_by_name; ALTER TABLE resources DROP COLUMN name; DELETE FROM refs; PRAGMA user_version = 1"); err != nil {
		t.Fatal(err)
	}
	s.close()
	if s, err = openStore(ctx, db, time.Now); err != nil {
		t.Fatal(err)
	}
	defer s.close()
	var name, to string
	s.db.QueryRow("SELECT name FROM resources").Scan(&name)
	s.db.QueryRow("SELECT to_key FROM refs").Scan(&to)
	if name != "sn" || to != strings.ToLower(nsg) {
		t.Errorf("after migration: name %q, reference to %q", name, to)
	}
}

// TestReadersKeepSmallPageCaches: each reading connection of a database file keeps a page
// cache of its own, outside Go's heap: small, as listings read each page once.
func TestReadersKeepSmallPageCaches(t *testing.T) {
	s, err := openStore(context.Background(), filepath.Join(t.TempDir(), "arm.db"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	var pages int
	if err := s.reader.QueryRow("PRAGMA cache_size").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if pages != -256 {
		t.Errorf("readers' cache_size = %d, want -256 (KiB)", pages)
	}
}
