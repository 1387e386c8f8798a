//go:build unix

package opswat

import "syscall"

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }
