//go:build unix

package emulator

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDatabaseFilesAreOwnersOnly creates a database under the most permissive umask and
// finds it, its write-ahead log and its shared-memory index readable by their owner alone; a
// database that was readable by others is tightened.
func TestDatabaseFilesAreOwnersOnly(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	db := filepath.Join(dir, "arm.db")
	loose := filepath.Join(dir, "loose.db")
	if err := os.WriteFile(loose, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{db, loose} {
		e, err := New(context.Background(), Options{DBPath: path})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(e)
		if s, code, _ := call(t, srv, "PUT", sub+"/resourceGroups/rg?api-version=2021-04-01", "t", `{"location":"westeurope"}`); s != 201 {
			t.Fatalf("write: %d %s", s, code)
		}
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			info, err := os.Stat(f)
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(f), err)
			} else if info.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want -rw-------", filepath.Base(f), info.Mode().Perm())
			}
		}
		srv.Close()
		e.Close()
	}
}
