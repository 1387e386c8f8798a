//go:build unix

package opswat

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// cacheOpenFlags open cache files without following a link at the last
// component, and without blocking on a FIFO or a device (a planted FIFO
// would otherwise hang the run on open).
const cacheOpenFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK | syscall.O_CLOEXEC

// untrusted says why a cache directory or file must not be trusted, or ""
// when it may: it belongs to the user the provider runs as, and no one else
// can write it. Anyone else who can write there could plant the group list
// the run reads.
func untrusted(info fs.FileInfo) string {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	if me := os.Geteuid(); int(st.Uid) != me {
		return fmt.Sprintf("it belongs to another user (uid %d; this run is uid %d)", st.Uid, me)
	}
	if perm := info.Mode().Perm(); perm&0o022 != 0 {
		if info.Mode()&fs.ModeSticky != 0 {
			// A sticky directory shown as 0777 would hide that it is a
			// shared one like /tmp, which is the point.
			return fmt.Sprintf("users other than its owner can write it (mode %04o: a shared sticky directory like /tmp, where any user can add files)", perm|0o1000)
		}
		return fmt.Sprintf("users other than its owner can write it (mode %04o)", perm)
	}
	return ""
}

// processAlive reports whether a process of this host runs with pid: a
// signal 0 finds it, or is refused because it is another user's (EPERM).
// Only ESRCH says it is gone; anything else counts as alive, so that a lock
// is never taken from a run that may still hold it.
func processAlive(pid int) bool {
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
