package target

import (
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"
)

// Nearest returns up to n of the candidates closest to a misspelt name, case-insensitively,
// nearest first: those less than a third of its length and two edits away.
func Nearest(name string, candidates []string, n int) []string {
	q := strings.ToLower(name)
	limit := len(q)/3 + 2
	type scored struct {
		name string
		dist int
	}
	var list []scored
	seen := map[string]bool{}
	for _, c := range candidates {
		if seen[c] {
			continue
		}
		seen[c] = true
		if d := levenshtein.ComputeDistance(q, strings.ToLower(c)); d < limit {
			list = append(list, scored{c, d})
		}
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].dist != list[j].dist {
			return list[i].dist < list[j].dist
		}
		return list[i].name < list[j].name
	})
	var out []string
	for _, s := range list {
		if len(out) == n {
			break
		}
		out = append(out, s.name)
	}
	return out
}

// DidYouMean is " (did you mean a or b?)" for suggestions, "" for none.
func DidYouMean(suggestions []string) string {
	if len(suggestions) == 0 {
		return ""
	}
	return " (did you mean " + strings.Join(suggestions, " or ") + "?)"
}
