package catalog

import (
	"os"
	"syscall"
	"time"
)

// changeTime is the time a file's inode last changed (its content, its listing, its
// permissions, or its times being set), which only the kernel sets.
func changeTime(fi os.FileInfo) (time.Time, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(st.Ctim.Sec, st.Ctim.Nsec), true
}
