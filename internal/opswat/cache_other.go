//go:build !unix

package opswat

import "io/fs"

// cacheOpenFlags: Windows has no O_NOFOLLOW or O_NONBLOCK; links and
// devices are refused by the Lstat that precedes every open.
const cacheOpenFlags = 0

// untrusted: Windows keeps ownership in ACLs that os does not expose; the
// user's profile directories are private by default.
func untrusted(fs.FileInfo) string { return "" }

// processAlive: without a portable liveness check, every holder counts as
// alive and its lock is judged by its age alone.
func processAlive(int) bool { return true }
