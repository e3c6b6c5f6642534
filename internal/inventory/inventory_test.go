package inventory

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/fakecloud"
	"github.com/gru-iac/gru/internal/ownership"
)

const sub = "00000000-0000-0000-0000-000000000000"

// paused is a cloud whose /resources listing stops after its first n items until resumed.
type paused struct {
	*fakecloud.Cloud
	n               int
	reached, resume chan struct{}
}

func (p paused) ListResourcesEach(ctx context.Context, resourceGroup, filter string, each func(armclient.Header)) error {
	read := 0
	return p.Cloud.ListResourcesEach(ctx, resourceGroup, filter, func(h armclient.Header) {
		if read == p.n {
			close(p.reached)
			<-p.resume
		}
		read++
		each(h)
	})
}

func TestTaggedListingLeavesOutWhatIsDeclared(t *testing.T) {
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	owner := ownership.Owner{Project: "p", Stage: "dev"}
	tags := map[string]any{}
	for k, v := range owner.Tags() {
		tags[k] = v
	}
	cloud := fakecloud.New(cat, sub)
	group := "/subscriptions/" + sub + "/resourceGroups/rg"
	cloud.Set(map[string]any{"id": group, "name": "rg", "type": "Microsoft.Resources/resourceGroups", "location": "westeurope", "tags": tags})
	nsg := func(name string) string {
		return group + "/providers/Microsoft.Network/networkSecurityGroups/" + name
	}
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		body := map[string]any{"id": nsg(name), "name": name, "type": "Microsoft.Network/networkSecurityGroups", "location": "westeurope", "tags": tags}
		if name == "e" {
			body["tags"] = map[string]any{"team": "other"} // not the project's
		}
		cloud.Set(body)
	}
	ids := func(hs []armclient.Header) []string {
		var out []string
		for _, h := range hs {
			out = append(out, h.ID[strings.LastIndex(h.ID, "/")+1:])
		}
		return out
	}

	all, n, err := Tagged(context.Background(), cloud, owner)
	if err != nil || n != 2 {
		t.Fatalf("Tagged: %v, %d requests", err, n)
	}
	if got, want := ids(all), []string{"rg", "a", "b", "c", "d"}; !slices.Equal(got, want) {
		t.Errorf("Tagged = %v, want %v", got, want)
	}

	// Declared while the listing runs: it leaves out what was read (a) and what is read after (c).
	p := paused{Cloud: cloud, n: 2, reached: make(chan struct{}), resume: make(chan struct{})}
	l := StartTagged(context.Background(), p, owner)
	<-p.reached
	declared := map[string]bool{strings.ToLower(group): true, strings.ToLower(nsg("a")): true, strings.ToLower(nsg("c")): true}
	l.Declared(func(id string) bool { return declared[strings.ToLower(id)] })
	close(p.resume)
	strays, n, err := l.Wait()
	if err != nil || n != 2 {
		t.Fatalf("Wait: %v, %d requests", err, n)
	}
	if got, want := ids(strays), []string{"b", "d"}; !slices.Equal(got, want) {
		t.Errorf("strays = %v, want %v", got, want)
	}
	l.Stop() // after the end: returns at once
}
