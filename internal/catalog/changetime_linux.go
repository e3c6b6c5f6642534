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
	return time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec)), true // int32 on 32-bit Linux
}
