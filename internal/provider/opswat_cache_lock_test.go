//go:build unix

package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// pidNamespace is this process's pid namespace as a lock names it (the
// inode of /proc/self/ns/pid), or "" where there is none.
func pidNamespace() string {
	link, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.TrimPrefix(link, "pid:["), "]")
}

// plantOPSWATLock makes the cache entry of srv's account in cacheDir (one
// plan), removes it and puts lock in its lock's place, so that the next run
// finds another run's walk under way. It returns the lock's path.
func plantOPSWATLock(t *testing.T, c *cli, dir, cacheDir, lock string) string {
	t.Helper()
	if out, err := c.run(dir, nil, "plan", "-no-color", "-input=false"); err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	entries, _ := os.ReadDir(cacheDir)
	if len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".json") {
		t.Fatalf("cache directory: %v", entries)
	}
	entry := filepath.Join(cacheDir, entries[0].Name())
	if err := os.Remove(entry); err != nil {
		t.Fatal(err)
	}
	path := strings.TrimSuffix(entry, ".json") + ".lock"
	if err := os.WriteFile(path, []byte(lock), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A read waiting on another run's live lock ends at its timeouts.read with
// an error naming the lock, its holder and the timeout, and sends no
// request; the wait itself is told as a warning.
func TestAccOPSWATCacheLockWaitEndsAtReadTimeout(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(60))
	cacheDir := t.TempDir()
	dir := workdir(t, opswatCacheConfig(srv, cacheDir, "10m", `
data "endpointgroups_opswat_group" "x" {
  id = "500000001"
  timeouts {
    read = "3s"
  }
}
`))
	host, _ := os.Hostname()
	lock := plantOPSWATLock(t, c, dir, cacheDir, fmt.Sprintf("pid %d\nhost %s\ntoken theirs\nsince %s\n", os.Getpid(), host,
		time.Now().Add(-2*time.Minute).UTC().Format(time.RFC3339Nano)))
	// The holder marks its lock alive, as a walk under way does.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() {
		for ctx.Err() == nil {
			now := time.Now()
			_ = os.Chtimes(lock, now, now)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
	srv.ResetLog()
	out, err := c.run(dir, nil, "plan", "-no-color", "-input=false")
	if err == nil {
		t.Fatalf("the plan did not fail:\n%s", out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		"Error: OPSWAT Read Timed Out",
		fmt.Sprintf("stopped while waiting for the OPSWAT group-list cache lock %s, which another run (pid %d) had held for 2m", lock, os.Getpid()),
		"The read reached its timeout (timeouts.read, 3s) while another run held the OPSWAT group-list cache lock " + lock,
		fmt.Sprintf("another run (pid %d) has held the cache lock %s", os.Getpid(), lock),
	} {
		if !strings.Contains(strings.ToLower(flat), strings.ToLower(want)) {
			t.Errorf("the output does not say %q:\n%s", want, out)
		}
	}
	if n := opswatRequests(srv); n != 0 {
		t.Errorf("%d OPSWAT requests while waiting for the other run", n)
	}
}

// A lock left by a run of this host that died is taken over at once: the
// plan succeeds, warns that it took the lock over (whose pid, how old) and
// stores the entry.
func TestAccOPSWATCacheDeadRunsLockIsTakenOver(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(60))
	cacheDir := t.TempDir()
	dir := workdir(t, opswatCacheConfig(srv, cacheDir, "10m", `
data "endpointgroups_opswat_group" "x" {
  id = "500000001"
}
`))
	child := exec.Command("true")
	if err := child.Run(); err != nil {
		t.Skipf("cannot run a child process: %v", err)
	}
	host, _ := os.Hostname()
	lock := plantOPSWATLock(t, c, dir, cacheDir, fmt.Sprintf("pid %d\nhost %s\npidns %s\ntoken theirs\nsince %s\n", child.Process.Pid, host,
		pidNamespace(), time.Now().Add(-90*time.Second).UTC().Format(time.RFC3339Nano)))
	out, err := c.run(dir, nil, "plan", "-no-color", "-input=false")
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	want := fmt.Sprintf("the cache lock %s was left by a run that died (pid %d on this host, which no longer runs, after holding it for 1m3", lock, child.Process.Pid)
	if !strings.Contains(strings.ToLower(flat), strings.ToLower(want)) || !strings.Contains(flat, "this run took it over and lists the groups") {
		t.Errorf("the output does not say %q:\n%s", want, out)
	}
	if _, err := os.Stat(strings.TrimSuffix(lock, ".lock") + ".json"); err != nil {
		t.Errorf("no entry after the takeover: %v", err)
	}
	if _, err := os.Lstat(lock); err == nil {
		t.Errorf("the lock stayed after the run")
	}
}
