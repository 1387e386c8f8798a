//go:build unix

package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// The OPSWAT cache directory as shared ground, as a user sees it: the
// files left there, the warnings, the values read.

// A lookup by id walks the list: the walk is what takes the cache lock.
const opswatCacheByID = `
data "endpointgroups_opswat_group" "x" {
  id = "500000001"
}
output "name" {
  value = data.endpointgroups_opswat_group.x.name
}
`

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// onlyEntry returns the name of the one cache entry in dir.
func onlyEntry(t *testing.T, dir string) string {
	t.Helper()
	var found []string
	for _, n := range dirNames(t, dir) {
		if len(n) == 69 && strings.HasSuffix(n, ".json") {
			found = append(found, n)
		}
	}
	if len(found) != 1 {
		t.Fatalf("cache entries in %s: %q", dir, found)
	}
	return found[0]
}

// With cache_dir = the module's own directory, an apply leaves every file
// of the module there, however old: only the cache's own entry is added.
func TestAccOPSWATCacheKeepsTheModulesFiles(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(10))
	dir := workdir(t, opswatProviderBlock(srv, "    cache_dir           = path.module\n    cache_ttl           = \"1m\"\n")+opswatCacheByID)
	old := time.Now().Add(-2 * time.Hour)
	theirs := map[string]string{
		"extra.tf.json":        `{"locals": {"extra": 1}}`,
		"dev.auto.tfvars.json": `{}`,
		"notes.json":           `{"note": "mine"}`,
		"package.json":         `{}`,
		".main.tf.swp":         "swap",
		".tmp-upload":          "partial",
	}
	for name, body := range theirs {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := c.run(dir, nil, "apply", "-auto-approve", "-no-color", "-input=false"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	names := dirNames(t, dir)
	for name := range theirs {
		if !slices.Contains(names, name) {
			t.Errorf("the apply deleted the module's %s", name)
		}
	}
	onlyEntry(t, dir)
}

// An entry planted in a directory that others can write (a sticky,
// /tmp-like shared directory) is never served: the run warns, reads the
// API, and outputs the group the API has.
func TestAccOPSWATCacheRefusesPlantedEntry(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(10))
	cacheDir := t.TempDir()
	dir := workdir(t, opswatCacheConfig(srv, cacheDir, "1h", opswatCacheByID))
	if out, err := c.run(dir, nil, "apply", "-auto-approve", "-no-color", "-input=false"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	entry := filepath.Join(cacheDir, onlyEntry(t, cacheDir))
	var f map[string]any
	data, _ := os.ReadFile(entry)
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	f["groups"] = []map[string]any{{"ID": "500000001", "Name": "ATTACKER-CHOSEN"}}
	data, _ = json.Marshal(f)
	if err := os.WriteFile(entry, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cacheDir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	out, err := c.run(dir, nil, "apply", "-auto-approve", "-no-color", "-input=false")
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Warning: OPSWAT Group Cache", "The cache directory " + cacheDir + " is not used: users other than its owner can write it (mode 1777: a shared sticky directory like /tmp",
		"must belong to the user the provider runs as and be writable by no one else", `name = "group-0002"`} {
		if !strings.Contains(flat, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "ATTACKER-CHOSEN") || opswatRequests(srv) == 0 {
		t.Errorf("the planted entry was served (%d requests):\n%s", opswatRequests(srv), out)
	}
	if os.Geteuid() != 0 {
		return
	}
	// Another user's entry in a directory of the user's own: refused too.
	if err := os.Chmod(cacheDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(entry, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	out, err = c.run(dir, nil, "apply", "-auto-approve", "-no-color", "-input=false")
	flat = strings.Join(strings.Fields(out), " ")
	if err != nil || !strings.Contains(flat, "is not used: it belongs to another user (uid 65534") || !strings.Contains(flat, `name = "group-0002"`) {
		t.Errorf("another user's entry: %v\n%s", err, out)
	}
}

// A lock the run cannot remove (a directory there) and an entry that is a
// FIFO: one warning each, a prompt walk, no hang and no flood of log lines.
func TestAccOPSWATCacheStuckLockAndFIFO(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(10))
	cacheDir := t.TempDir()
	dir := workdir(t, opswatCacheConfig(srv, cacheDir, "1h", opswatCacheByID))
	if out, err := c.run(dir, nil, "apply", "-auto-approve", "-no-color", "-input=false"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	entry := filepath.Join(cacheDir, onlyEntry(t, cacheDir))
	lock := strings.TrimSuffix(entry, ".json") + ".lock"
	if err := os.Remove(entry); err != nil {
		t.Fatal(err)
	}
	if err := mkfifo(entry); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(lock, "inside"), 0o700); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(t.TempDir(), "tf.log")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // far below the 30-minute bound a wait would reach
	defer cancel()
	var buf bytes.Buffer
	cmd := c.Command(ctx, dir, []string{"TF_LOG=WARN", "TF_LOG_PATH=" + logFile}, "apply", "-auto-approve", "-no-color", "-input=false")
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	out := buf.String()
	if ctx.Err() != nil || err != nil {
		t.Fatalf("apply: %v (%v)\n%s", err, ctx.Err(), out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"is not used: it is a FIFO, not a regular file; remove it", `name = "group-0002"`} {
		if !strings.Contains(flat, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	log, _ := os.ReadFile(logFile)
	if n := bytes.Count(log, []byte("cache")); n > 10 {
		t.Errorf("the log speaks of the cache %d times", n)
	}
	// The FIFO gone, the directory in the lock's place: reported once, and
	// the run walks without it.
	if err := os.Remove(entry); err != nil {
		t.Fatal(err)
	}
	out, err = c.run(dir, nil, "apply", "-auto-approve", "-no-color", "-input=false")
	flat = strings.Join(strings.Fields(out), " ")
	if err != nil || strings.Count(flat, "is not a lock this provider made: it is a directory; remove it") != 1 {
		t.Errorf("the stuck lock: %v\n%s", err, out)
	}
}

// A run that finds another run's live lock says that it waits, naming the
// lock and its holder; an interrupt ends the wait with an error that says
// it was waiting for that lock, not for the API.
func TestAccOPSWATCacheLiveLock(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(10))
	cacheDir := t.TempDir()
	dir := workdir(t, opswatCacheConfig(srv, cacheDir, "1h", opswatCacheByID))
	if out, err := c.run(dir, nil, "apply", "-auto-approve", "-no-color", "-input=false"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	entry := filepath.Join(cacheDir, onlyEntry(t, cacheDir))
	lock := strings.TrimSuffix(entry, ".json") + ".lock"
	saved, _ := os.ReadFile(entry)
	// Another run holds the lock, and marks it alive as a live one does.
	hold := func() (stop func()) {
		since := time.Now().Add(-90 * time.Second).UTC().Format(time.RFC3339Nano)
		if err := os.WriteFile(lock, []byte("pid 4242\nsince "+since+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			for {
				select {
				case <-done:
					return
				case <-time.After(time.Second):
					now := time.Now()
					_ = os.Chtimes(lock, now, now)
				}
			}
		}()
		return func() { close(done) }
	}
	start := func(logFile string, args ...string) (*bytes.Buffer, *exec.Cmd, context.CancelFunc) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		var buf bytes.Buffer
		cmd := c.Command(ctx, dir, []string{"TF_LOG=WARN", "TF_LOG_PATH=" + logFile}, append(args, "-no-color", "-input=false")...)
		cmd.Stdout, cmd.Stderr = &buf, &buf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The wait is under way once the provider has logged it.
		for {
			if log, _ := os.ReadFile(logFile); bytes.Contains(log, []byte("has held the cache lock")) {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("the run never waited on the lock:\n%s", buf.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		return &buf, cmd, cancel
	}

	// The holder finishes: its entry serves the waiting run, which says it waited.
	if err := os.Remove(entry); err != nil {
		t.Fatal(err)
	}
	stop := hold()
	srv.ResetLog()
	buf, cmd, cancel := start(filepath.Join(t.TempDir(), "tf.log"), "apply", "-auto-approve")
	defer cancel()
	if err := os.WriteFile(entry, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	stop()
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	flat := strings.Join(strings.Fields(buf.String()), " ")
	if err != nil || !strings.Contains(flat, "Warning: OPSWAT Group Cache") ||
		!strings.Contains(flat, "Another run (pid 4242) has held the cache lock "+lock+" for 1m") ||
		!strings.Contains(flat, "and is listing the groups: this run waited for its entry") || !strings.Contains(flat, `name = "group-0002"`) {
		t.Errorf("the wait: %v\n%s", err, buf.String())
	}
	if n := opswatRequests(srv); n != 0 {
		t.Errorf("the waiting run sent %d OPSWAT requests, want 0 (it had the other run's entry)", n)
	}

	// Interrupted while waiting: the error names the lock.
	if err := os.Remove(entry); err != nil {
		t.Fatal(err)
	}
	stop = hold()
	defer stop()
	buf, cmd, cancel = start(filepath.Join(t.TempDir(), "tf.log"), "plan")
	defer cancel()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	flat = strings.Join(strings.Fields(buf.String()), " ")
	if err == nil || !strings.Contains(flat, "Error: OPSWAT Read Cancelled") || !strings.Contains(flat, "holds the group-list cache lock "+lock) ||
		strings.Contains(flat, "waited for the OPSWAT API") {
		t.Errorf("the interrupted wait: %v\n%s", err, buf.String())
	}
}
