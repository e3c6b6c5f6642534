// Package shareddir finds the shared data folder the generators read (Microsoft's type data,
// the ARM operations table, GruCloud's type table): given on the command line, else
// $GRU_SHARED_DIR, else the folder named shared beside the repository's root. Only the
// generators use it; nothing gru runs depends on that folder.
package shareddir

import (
	"fmt"
	"os"
	"path/filepath"
)

// Find returns the shared folder: given when not empty, else $GRU_SHARED_DIR, else ../shared
// from the root of the repository the working directory is in, which must hold need (a path
// relative to the shared folder, with slashes).
func Find(given, need string) (string, error) {
	if given != "" {
		return given, nil
	}
	if dir := os.Getenv("GRU_SHARED_DIR"); dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			shared := filepath.Join(filepath.Dir(d), "shared")
			if _, err := os.Stat(filepath.Join(shared, filepath.FromSlash(need))); err != nil {
				return "", fmt.Errorf("no shared data beside the repository (looked for %s): pass -shared or set GRU_SHARED_DIR", filepath.Join(shared, filepath.FromSlash(need)))
			}
			return shared, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("not inside the gru repository: pass -shared or set GRU_SHARED_DIR")
		}
	}
}
