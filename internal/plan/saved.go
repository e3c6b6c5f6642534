package plan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Saved plans hold no secret, not even hashed: bodies are masked, and applying a saved plan
// reads the secrets from the project again. Applying one makes the plan anew and compares:
// the same changes, the same bodies (by hash) and the same live versions, or it refuses.

// Save writes the plan as JSON, indented. The changes are written one by one, so that a plan
// of many resources is never held whole in memory as text: the bytes are those of a
// json.Encoder with SetIndent("", "  ").
func (p *Plan) Save(w io.Writer) error {
	if len(p.Changes) == 0 {
		empty := *p
		empty.Changes = []*Change{} // [], not null
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(&empty)
	}
	head := *p
	head.Changes = []*Change{}
	data, err := json.MarshalIndent(&head, "", "  ")
	if err != nil {
		return err
	}
	// Strings are escaped in JSON: the first unescaped "changes": [] is the field itself.
	const empty = `"changes": []`
	at := bytes.Index(data, []byte(empty))
	if at < 0 {
		return fmt.Errorf("writing the plan: no changes field in %.80s", data)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(data[:at])
	bw.WriteString(`"changes": [`)
	for i, c := range p.Changes {
		item, err := json.MarshalIndent(c, "    ", "  ")
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(item)
	}
	if len(p.Changes) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteByte(']')
	bw.Write(data[at+len(empty):])
	bw.WriteByte('\n')
	return bw.Flush()
}

// Load reads a saved plan.
func Load(r io.Reader) (*Plan, error) {
	var p Plan
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("not a saved plan: %w", err)
	}
	if p.Format != Format {
		return nil, fmt.Errorf("not a saved plan of this gru: format %q, want %q", p.Format, Format)
	}
	p.byKey = map[string]*Change{}
	for _, c := range p.Changes {
		p.byKey[strings.ToLower(c.Key)] = c
	}
	return &p, nil
}

// Stale lists how a fresh plan differs from a saved one: each entry says what changed since
// the saved plan was made. An empty list means the saved plan is still exactly what apply does.
func Stale(saved, fresh *Plan) []string {
	var out []string
	if !strings.EqualFold(saved.Subscription, fresh.Subscription) {
		out = append(out, fmt.Sprintf("the plan was made for subscription %s, not %s", saved.Subscription, fresh.Subscription))
	}
	if saved.Project != fresh.Project || saved.Stage != fresh.Stage {
		out = append(out, fmt.Sprintf("the plan was made for project %s (stage %s), not %s (stage %s)", saved.Project, saved.Stage, fresh.Project, fresh.Stage))
	}
	for _, s := range saved.Changes {
		f := fresh.Change(s.Key)
		switch {
		case f == nil:
			out = append(out, fmt.Sprintf("%s: planned %s, now not in the plan", s.Key, s.Action))
		case f.Action != s.Action:
			out = append(out, fmt.Sprintf("%s: planned %s, now %s", s.Key, s.Action, f.Action))
		case s.Action != NoOp && s.LiveVersion != f.LiveVersion:
			// What the plan leaves alone may change (Azure updates read-only values): only
			// what it changes must be as it was.
			out = append(out, fmt.Sprintf("%s: changed live since the plan was made", s.Key))
		case s.BodyHash != f.BodyHash:
			out = append(out, fmt.Sprintf("%s: the project changed what it sends since the plan was made", s.Key))
		case !strings.EqualFold(s.ID, f.ID):
			out = append(out, fmt.Sprintf("%s: planned at %s, now %s", s.Key, s.ID, f.ID))
		}
	}
	for _, f := range fresh.Changes {
		if saved.Change(f.Key) == nil && f.Action != NoOp {
			out = append(out, fmt.Sprintf("%s: %s now, not in the plan", f.Key, f.Action))
		}
	}
	return out
}
