// Package shareddir finds the shared data folder the generators read (Microsoft's type data,
// the ARM operations table, GruCloud's type table): given on the command line, else
// $GRU_SHARED_DIR, else the folder named shared beside the repository's root. Only the
// generators, tests and benchmarks use it; nothing gru runs depends on that folder.
package shareddir

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/zstd"
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

// Extract unpacks a zstd-compressed tar archive (such as the type data's,
// azure/bicep-types-all/bicep-types-all.tar.zst) into the folder dst: its folders and regular
// files; other entries are skipped, and a name leaving dst is an error.
func Extract(archive, dst string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1))
	if err != nil {
		return err
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", archive, err)
		}
		name := filepath.FromSlash(strings.TrimSuffix(h.Name, "/"))
		if !filepath.IsLocal(name) {
			return fmt.Errorf("%s: entry %q leaves the folder", archive, h.Name)
		}
		path := filepath.Join(dst, name)
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(path, 0o755)
		case tar.TypeReg:
			err = writeFile(path, tr)
		}
		if err != nil {
			return err
		}
	}
}

func writeFile(path string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
