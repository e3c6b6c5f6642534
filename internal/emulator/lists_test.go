package emulator

import (
	"encoding/json"
	"testing"
	"time"
)

// TestEnvelopeIsTheShortView: the envelope read without decoding a stored body is the short
// view that decoding it whole gives.
func TestEnvelopeIsTheShortView(t *testing.T) {
	for _, body := range []string{
		`{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a","name":"a","type":"Microsoft.Storage/storageAccounts","location":"westeurope","kind":"StorageV2","sku":{"name":"Standard_LRS","tier":"Standard"},"tags":{"gc-managed-by":"grucloud","z":"1","a":"<&>"},"properties":{"provisioningState":"Succeeded","x":[1,2]},"systemData":{"createdAt":"2024-01-01T00:00:00Z"}}`,
		`{"id":"/subscriptions/s/resourceGroups/rg","name":"rg","type":"Microsoft.Resources/resourceGroups","location":"westeurope","managedBy":null,"zones":["1"],"identity":{"type":"SystemAssigned"},"plan":{"name":"p"},"extendedLocation":{"name":"e","type":"EdgeZone"}}`,
		`{"id":"x","name":"é ü","type":"t"}`,
	} {
		var decoded map[string]any
		if err := json.Unmarshal([]byte(body), &decoded); err != nil {
			t.Fatal(err)
		}
		rec := &record{ReadyAt: time.Unix(1, 0)}
		rec.setBody(decoded) // as the store keeps it
		got, ok := rec.envelope().short()
		// an $expand of nothing known takes the decoding path
		want := shortView([]string{"nothing"})(rec, time.Unix(2, 0))
		if !ok || got != want {
			t.Errorf("envelope\n%s\nshort view by decoding\n%s", got, want)
		}
	}
}

// TestFilterClauses: $filter clauses read a stored body as ARM does: property names without
// case, tag names without case and tag values exactly.
func TestFilterClauses(t *testing.T) {
	rec := &record{Body: `{"name":"ra1","type":"Microsoft.Authorization/roleAssignments","location":"westeurope",` +
		`"tags":{"Team":"Web"},"properties":{"principalID":"P-1","roleName":"Reader"}}`}
	for filter, want := range map[string]bool{
		"principalId eq 'p-1'": true,
		"principalId eq 'p-2'": false,
		"roleName eq 'reader'": true,
		"name eq 'RA1'":        true,
		"resourceType eq 'microsoft.authorization/roleassignments'": true,
		"location eq 'West Europe'":                                 true,
		"tagName eq 'team' and tagValue eq 'Web'":                   true,
		"tagName eq 'team' and tagValue eq 'web'":                   false,
		"tagName eq 'owner'":                                        false,
	} {
		clauses, err := parseFilter(filter)
		if err != nil {
			t.Fatalf("%s: %v", filter, err)
		}
		if got := matches(clauses, rec); got != want {
			t.Errorf("%s: %v, want %v", filter, got, want)
		}
	}
}
