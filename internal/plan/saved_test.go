package plan

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// Save writes change by change the bytes an indenting json.Encoder writes of the whole plan
// (with no changes, "changes": [] rather than null).
func TestSaveWritesWhatAnEncoderWrites(t *testing.T) {
	for _, p := range []*Plan{
		{Format: Format, Project: "p<&>", CreatedAt: time.Unix(1, 0).UTC()},
		{Format: Format, Project: "p", Changes: []*Change{}},
		{Format: Format, Project: `"changes": []`, Dir: "a\\b", Requests: 3, Refusals: []string{"r"}, Changes: []*Change{
			{Key: "Resources::ResourceGroup rg", Action: NoOp, State: "Succeeded"},
			{Key: "k", Action: Update, Body: map[string]any{"properties": map[string]any{"a": []any{}, "b": map[string]any{}, "c": []any{1, "x<y"}}},
				Diffs: []Diff{{Path: "properties.c", Before: nil, After: []any{1}}}, PutAfter: []string{"put x"}},
		}},
	} {
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		whole := *p
		if whole.Changes == nil {
			whole.Changes = []*Change{}
		}
		if err := enc.Encode(&whole); err != nil {
			t.Fatal(err)
		}
		if err := p.Save(&got); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("Save wrote\n%s\nan encoder\n%s", got.String(), want.String())
		}
	}
}
