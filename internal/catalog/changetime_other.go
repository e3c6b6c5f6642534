//go:build !linux

package catalog

import (
	"os"
	"time"
)

// changeTime is not read on this system: the cache of a types folder relies on modification
// times alone.
func changeTime(os.FileInfo) (time.Time, bool) { return time.Time{}, false }
