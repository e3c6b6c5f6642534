package jsfmt

import (
	"encoding/json"
	"testing"
)

func TestLiteral(t *testing.T) {
	v := Ordered{
		{"name", "it's"},
		{"x-ms-flag", true},
		{"n", json.Number("1.50")},
		{"list", []any{"a", "b"}},
		{"objs", []any{map[string]any{"b": 1.0, "a": nil}}},
		{"id", Code(`getId({ type: "T" })`)},
		{"empty", Ordered{}},
	}
	want := `{
  name: "it's",
  "x-ms-flag": true,
  n: 1.5,
  list: ["a", "b"],
  objs: [
    {
      a: null,
      b: 1,
    },
  ],
  id: getId({ type: "T" }),
  empty: {},
}`
	if got := Literal(v, 0); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := Quote(`say "hi"`, '"'); got != `'say "hi"'` {
		t.Errorf("quote: %s", got)
	}
	if got := Quote("both ' and \"", '\''); got != "`both ' and \"`" {
		t.Errorf("quote both: %s", got)
	}
	if got := Number("1e21"); got != "1e+21" {
		t.Errorf("number: %s", got)
	}
	long := make([]any, 20)
	for i := range long {
		long[i] = "item-number"
	}
	if got := Literal(long, 0); got[:2] != "[\n" {
		t.Errorf("a long array stays on one line: %s", got)
	}
}
