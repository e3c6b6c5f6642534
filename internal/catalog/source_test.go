package catalog

import (
	"strings"
	"testing"
)

func TestSourceCommit(t *testing.T) {
	commit, date := SourceCommit()
	if len(commit) != 40 || strings.Trim(commit, "0123456789abcdef") != "" || date == "" {
		t.Errorf("SourceCommit() = %q, %q", commit, date)
	}
}
