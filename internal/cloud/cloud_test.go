package cloud

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoopback(t *testing.T) {
	for endpoint, want := range map[string]bool{
		"http://127.0.0.1:4280": true, "http://localhost:80": true, "http://[::1]:1": true,
		"http://10.0.0.1:4280": false, "https://management.azure.com": false, "::bad": false,
	} {
		if got := isLoopback(endpoint); got != want {
			t.Errorf("%s: %v", endpoint, got)
		}
	}
}

func TestLocalCloud(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("GRU_LOCAL_DB", "")
	db, err := DefaultLocalDB()
	if err != nil || !strings.HasSuffix(db, filepath.Join("gru", "local-arm.db")) {
		t.Errorf("default database %s %v", db, err)
	}
	c, err := Connect(context.Background(), Options{Local: true, LocalDB: filepath.Join(t.TempDir(), "x.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Kind != "local" || !strings.HasPrefix(c.Endpoint, "http://127.0.0.1:") {
		t.Errorf("%+v", c)
	}
	if _, err := c.Client.ListResourceGroups(context.Background()); err != nil {
		t.Errorf("the local cloud does not answer: %v", err)
	}
	if _, err := Connect(context.Background(), Options{Local: true, Endpoint: "http://127.0.0.1:1"}); err == nil {
		t.Error("--local with --endpoint was accepted")
	}
}
