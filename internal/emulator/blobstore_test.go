package emulator

import (
	"context"
	"path/filepath"
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
