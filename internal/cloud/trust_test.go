package cloud

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
)

// TestLocalCloudTakesOnlyItsRunToken: the local cloud's port is open to every process of the
// machine, but only gru, which made the run's token, gets answers.
func TestLocalCloudTakesOnlyItsRunToken(t *testing.T) {
	c, err := Connect(context.Background(), Options{Local: true, LocalDB: filepath.Join(t.TempDir(), "x.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, auth := range []string{"", "Bearer gru-local", "Bearer gru", "Bearer anything"} {
		req, _ := http.NewRequest("GET", c.Endpoint+"/subscriptions?api-version=2022-12-01", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("another process with %q got %d", auth, resp.StatusCode)
		}
	}
	if _, err := c.Client.ListResourceGroups(context.Background()); err != nil {
		t.Errorf("gru itself is refused: %v", err)
	}
	a, _ := runToken()
	b, _ := runToken()
	if len(a) != 64 || a == b {
		t.Errorf("run tokens %q %q", a, b)
	}
}
