package plan

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gru-iac/gru/internal/armclient"
)

// provisioningState is a live resource's properties.provisioningState, "" when it has none.
func provisioningState(live map[string]any) string {
	_, props, _ := lookupKey(live, "properties")
	m, _ := props.(map[string]any)
	_, v, _ := lookupKey(m, "provisioningState")
	s, _ := v.(string)
	return s
}

// failed reports a provisioning state that ended without the resource being what was asked.
func failed(state string) bool {
	return strings.EqualFold(state, "Failed") || strings.EqualFold(state, "Canceled") || strings.EqualFold(state, "Cancelled")
}

// Failed reports whether a live resource's provisioning failed or was canceled.
func Failed(live map[string]any) bool { return failed(provisioningState(live)) }

// transitional reports a provisioning state of an operation still running.
func transitional(state string) bool {
	switch strings.ToLower(state) {
	case "accepted", "creating", "updating", "provisioning", "deleting", "inprogress", "running", "migrating", "scaling":
		return true
	}
	return false
}

// waitSettled reads a resource until its provisioning state is no longer transitional, and
// returns it (nil once it is gone) with the requests made.
func waitSettled(ctx context.Context, c Cloud, id, version string, timeout time.Duration) (map[string]any, int, error) {
	if timeout <= 0 {
		timeout = 20 * time.Minute
	}
	deadline := time.Now().Add(timeout)
	delay := 500 * time.Millisecond
	requests := 0
	for {
		live, err := c.Get(ctx, id, version)
		requests++
		switch {
		case armclient.IsNotFound(err):
			return nil, requests, nil
		case err != nil:
			return nil, requests, err
		case !transitional(provisioningState(live)):
			return live, requests, nil
		case time.Now().After(deadline):
			return nil, requests, fmt.Errorf("still %s after %v: an operation started elsewhere has not ended; try again later", provisioningState(live), timeout)
		}
		select {
		case <-ctx.Done():
			return nil, requests, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}
