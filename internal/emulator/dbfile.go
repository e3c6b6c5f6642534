package emulator

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// dbFileMode is the mode of the database and of SQLite's files beside it: the emulated cloud
// holds what its clients sent (keys, connection strings), which is no one else's to read.
const dbFileMode = 0o600

// prepareDBFile creates the database file, readable and writable by its owner alone, before
// SQLite opens it, whatever the umask; a file that exists is tightened to that mode, as are a
// write-ahead log and shared-memory index left beside it. SQLite gives the logs it creates
// later the database file's mode.
func prepareDBFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, dbFileMode)
	created := err == nil
	switch {
	case created:
		f.Close()
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("creating the emulator database %s: %w", path, err)
	}
	// The umask may have taken bits away (or, if it is odd, left too few): set the mode. Files
	// that were there are tightened where their owner may: SQLite opens them either way.
	if err := os.Chmod(path, dbFileMode); err != nil && created {
		return fmt.Errorf("restricting the emulator database %s to its owner: %w", path, err)
	}
	for _, side := range []string{path + "-wal", path + "-shm"} {
		os.Chmod(side, dbFileMode)
	}
	return nil
}
