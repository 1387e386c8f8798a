//go:build unix

package main

import (
	"os"
	"syscall"
)

// peakRSS is the peak resident memory of a finished process as the system
// reports it (KiB on Linux).
func peakRSS(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	return int64(ru.Maxrss), true //nolint:unconvert // not int64 on every Unix
}
