package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gru-iac/gru/internal/catalog"
)

// versionInfo is what gru version says.
type versionInfo struct {
	Version string `json:"version"`
	// Commit is gru's source commit, from the build's VCS stamp ("unknown" without one, as
	// with go build -buildvcs=false); Modified says the tree had changes not committed.
	Commit   string `json:"commit"`
	Modified bool   `json:"modified"`
	// CatalogCommit is the bicep-types-az commit the embedded type data comes from.
	CatalogCommit string `json:"catalogCommit"`
	CatalogDate   string `json:"catalogDate,omitempty"`
	GoVersion     string `json:"goVersion"`
	Platform      string `json:"platform"`
}

func currentVersion() versionInfo {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(bi)
}

// versionOf is the version of a build with this build information (nil: none).
func versionOf(bi *debug.BuildInfo) versionInfo {
	v := versionInfo{Version: version, Commit: "unknown", GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Commit = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	v.CatalogCommit, v.CatalogDate = catalog.SourceCommit()
	return v
}

// versionText is gru version's text, also what --version prints.
func versionText() string {
	v := currentVersion()
	var b strings.Builder
	fmt.Fprintf(&b, "gru %s\n", v.Version)
	commit := v.Commit
	if v.Modified {
		commit += " (with changes not committed)"
	}
	fmt.Fprintf(&b, "  commit          %s\n", commit)
	catalogue := v.CatalogCommit
	if v.CatalogDate != "" {
		catalogue += " (" + v.CatalogDate + ")"
	}
	fmt.Fprintf(&b, "  type data       bicep-types-az %s\n", catalogue)
	fmt.Fprintf(&b, "  go              %s %s\n", v.GoVersion, v.Platform)
	return b.String()
}

func newVersionCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print gru's version, commit, the type data's source commit and the Go version",
		Long: `Print gru's version, the commit it was built from ("unknown" when the build has no VCS
stamp, as with go build -buildvcs=false; marked when the tree had changes not committed), the
bicep-types-az commit the embedded type data was generated from, and the Go version it was
built with. gru --version prints the same; --json writes them as JSON.`,
		Example: `  gru version
  gru version --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.json {
				return writeJSON(cmd.OutOrStdout(), currentVersion())
			}
			_, err := fmt.Fprint(cmd.OutOrStdout(), versionText())
			return err
		},
	}
}
