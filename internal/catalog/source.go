package catalog

import (
	_ "embed"
	"strings"
)

// sourceCommit is the line the generator copies from the type data: the bicep-types-az
// commit the embedded catalogue was generated from, then its date.
//
//go:embed data/SOURCE-COMMIT
var sourceCommit string

// SourceCommit is the bicep-types-az commit the embedded type data comes from, and that
// commit's date as the source records it ("" when it records none).
func SourceCommit() (commit, date string) {
	commit, date, _ = strings.Cut(strings.TrimSpace(sourceCommit), " ")
	return commit, strings.TrimSpace(date)
}
