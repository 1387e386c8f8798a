//go:build unix

package opswat

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// The cache directory is shared ground: these tests plant what other
// programs, other users and dead runs leave there. (Unix only: Windows
// keeps ownership in ACLs, which the cache does not judge.)

// otherUID is a uid that is not the test's: tests of another user's files
// chown them to it, which needs root (CI runs as root).
const otherUID = 65534

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("making a file that belongs to another user needs root (run the tests as root, as CI does)")
	}
}

// warnCounter counts the client's warnings: a stuck lock must not flood the log.
type warnCounter struct {
	mu    sync.Mutex
	warns []string
}

func (w *warnCounter) Trace(context.Context, string, map[string]any) {}
func (w *warnCounter) Debug(context.Context, string, map[string]any) {}
func (w *warnCounter) Warn(_ context.Context, msg string, _ map[string]any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.warns = append(w.warns, msg)
}

func (w *warnCounter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.warns)
}

func loggedClient(t *testing.T, srv *emulator.Server, dir string, ttl time.Duration) (*Client, *warnCounter) {
	t.Helper()
	w := &warnCounter{}
	s := fast
	s.Logger = w
	c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: ReadAheadFromRPM - 1,
		planWindow: 250 * time.Millisecond, CacheTTL: ttl, CacheDir: dir}, s)
	if err != nil {
		t.Fatal(err)
	}
	return c, w
}

func writeFile(t *testing.T, path, data string, age time.Duration) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if age != 0 {
		at := time.Now().Add(-age)
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
}

// plantEntry writes an entry for c's account that lists one group of the
// planter's choosing.
func plantEntry(t *testing.T, c *Client, path string) {
	t.Helper()
	groups := []Group{{ID: "666", Name: "ATTACKER-CHOSEN"}}
	data, _ := json.Marshal(cacheFile{Format: cacheFormat, Key: c.list.cache.key, FetchedAt: time.Now().UTC(), Groups: &groups})
	writeFile(t, path, string(data), 0)
}

func hasNotice(told []string, want string) bool {
	return slices.ContainsFunc(told, func(s string) bool { return strings.Contains(s, want) })
}

// Writing an entry removes only what the cache made: entries past the TTL,
// and temporary files and other accounts' locks past an hour, by their
// exact names. A module's *.tf.json, a tfvars file, notes, an editor's swap
// file and a temporary file of another program stay, however old.
func TestCachePrunesOnlyItsOwnFiles(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 10)
	dir := t.TempDir()
	c := cachedClient(t, srv, dir, time.Minute)
	old := cacheOtherEntryMaxAge + time.Hour
	theirs := []string{"extra.tf.json", "dev.auto.tfvars.json", "notes.json", "package.json", ".main.tf.swp", ".tmp-notes", ".tmp-" + c.list.cache.key[:12] + "-1234",
		strings.Repeat("a", 64) + ".json.bak", strings.ToUpper(strings.Repeat("a", 64)) + ".json"}
	for _, name := range theirs {
		writeFile(t, filepath.Join(dir, name), "{}", old)
	}
	other := cacheKey(srv.URL, "", "a-rotated-token")
	ours := []string{other + ".json", ".tmp-" + other[:12] + "-0123456789abcdef", other + ".lock"}
	for _, name := range ours {
		writeFile(t, filepath.Join(dir, name), "{}", old)
	}
	if _, err := c.GroupByID(context.Background(), "500000001"); err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(theirs), filepath.Base(c.list.cache.path()))
	slices.Sort(want)
	if got := cacheFiles(t, dir); !slices.Equal(got, want) {
		t.Fatalf("cache directory holds\n%q\nwant\n%q", got, want)
	}
}

// An entry another user planted is not used: the run warns and lists the
// groups from the API, and leaves the planted file alone.
func TestCacheRefusesAnotherUsersEntry(t *testing.T) {
	needRoot(t)
	t.Parallel()
	_, srv := setup(t, 10)
	dir := t.TempDir()
	c := cachedClient(t, srv, dir, time.Hour)
	plantEntry(t, c, c.list.cache.path())
	if err := os.Chown(c.list.cache.path(), otherUID, otherUID); err != nil {
		t.Fatal(err)
	}
	g, err := c.GroupByName(context.Background(), "group-0001")
	if err != nil || g.ID != "500000000" {
		t.Fatalf("got %+v, %v", g, err)
	}
	if told := c.TakeNotices(); !hasNotice(told, "is not used: it belongs to another user (uid 65534") {
		t.Fatalf("notices: %q", told)
	}
	if _, err := c.GroupByName(context.Background(), "ATTACKER-CHOSEN"); err == nil {
		t.Fatal("the planted group was served")
	}
	if len(srv.Requests()) == 0 {
		t.Fatal("no request: the planted entry was used")
	}
	if info, err := os.Stat(c.list.cache.path()); err != nil || untrusted(info) == "" {
		t.Fatalf("the planted entry was replaced: %v", err)
	}
}

// An entry that others can write, or one reached through a symbolic link,
// is not used either.
func TestCacheRefusesWritableOrLinkedEntry(t *testing.T) {
	t.Parallel()
	for name, plant := range map[string]func(t *testing.T, c *Client){
		"world-writable": func(t *testing.T, c *Client) {
			plantEntry(t, c, c.list.cache.path())
			if err := os.Chmod(c.list.cache.path(), 0o666); err != nil {
				t.Fatal(err)
			}
		},
		"symbolic link": func(t *testing.T, c *Client) {
			target := filepath.Join(t.TempDir(), "planted.json")
			plantEntry(t, c, target)
			if err := os.Symlink(target, c.list.cache.path()); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, srv := setup(t, 10)
			c := cachedClient(t, srv, t.TempDir(), time.Hour)
			plant(t, c)
			g, err := c.GroupByName(context.Background(), "group-0001")
			if err != nil || g.ID != "500000000" || len(srv.Requests()) == 0 {
				t.Fatalf("got %+v, %v after %d requests", g, err, len(srv.Requests()))
			}
			want := map[string]string{"world-writable": "users other than its owner can write it (mode 0666)", "symbolic link": "it is a symbolic link"}[name]
			if told := c.TakeNotices(); !hasNotice(told, want) || !hasNotice(told, "remove it") {
				t.Fatalf("notices: %q", told)
			}
		})
	}
}

// A directory that others can write (a sticky /tmp-like one) or that
// belongs to another user is not used at all: nothing read, nothing written.
func TestCacheRefusesSharedDirectory(t *testing.T) {
	t.Parallel()
	for name, prepare := range map[string]func(t *testing.T, dir string){
		"sticky and world-writable": func(t *testing.T, dir string) {
			if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
				t.Fatal(err)
			}
		},
		"another user's": func(t *testing.T, dir string) {
			needRoot(t)
			if err := os.Chown(dir, otherUID, otherUID); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, srv := setup(t, 10)
			dir := t.TempDir()
			c := cachedClient(t, srv, dir, time.Hour)
			plantEntry(t, c, c.list.cache.path())
			prepare(t, dir)
			g, err := c.GroupByName(context.Background(), "group-0001")
			if err != nil || g.ID != "500000000" {
				t.Fatalf("got %+v, %v", g, err)
			}
			if _, err := c.GroupByID(context.Background(), "500000002"); err != nil {
				t.Fatal(err)
			}
			told := c.TakeNotices()
			if len(told) != 1 || !strings.Contains(told[0], "the cache directory "+dir+" is not used") ||
				!strings.Contains(told[0], "must belong to the user the provider runs as and be writable by no one else") {
				t.Fatalf("notices: %q", told)
			}
			if got := cacheFiles(t, dir); !slices.Equal(got, []string{filepath.Base(c.list.cache.path())}) {
				t.Fatalf("the directory holds %q: the run wrote there", got)
			}
		})
	}
}

// A lock the run cannot remove (a directory that is not empty, another
// user's file) is reported once, and the run walks without it at once:
// no spin, no flood of warnings.
func TestCacheLockThatCannotBeUsed(t *testing.T) {
	t.Parallel()
	for name, plant := range map[string]func(t *testing.T, lock string){
		"non-empty directory": func(t *testing.T, lock string) {
			if err := os.MkdirAll(filepath.Join(lock, "inside"), 0o700); err != nil {
				t.Fatal(err)
			}
		},
		"another user's stale lock": func(t *testing.T, lock string) {
			needRoot(t)
			writeFile(t, lock, "pid 1\n", time.Hour)
			if err := os.Chown(lock, otherUID, otherUID); err != nil {
				t.Fatal(err)
			}
		},
		"dangling link": func(t *testing.T, lock string) {
			if err := os.Symlink(filepath.Join(filepath.Dir(lock), "gone"), lock); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, srv := setup(t, 10)
			dir := t.TempDir()
			c, logged := loggedClient(t, srv, dir, time.Hour)
			plant(t, c.list.cache.lockPath())
			// Far below the 30-minute bound that a wait would reach.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if _, err := c.GroupByID(ctx, "500000001"); err != nil {
				t.Fatal(err)
			}
			told := c.TakeNotices()
			if len(told) != 1 || !strings.Contains(told[0], "the cache lock "+c.list.cache.lockPath()+" is not a lock this provider made") ||
				!strings.Contains(told[0], "remove it") {
				t.Fatalf("notices: %q", told)
			}
			if n := logged.count(); n != 1 {
				t.Fatalf("%d warnings logged, want 1: %q", n, logged.warns)
			}
			if e := c.list.cache.read(context.Background()); e == nil || !e.fresh {
				t.Fatal("the walk was not stored")
			}
			if _, err := os.Lstat(c.list.cache.lockPath()); err != nil {
				t.Fatalf("the lock that is not the cache's was removed: %v", err)
			}
		})
	}
}

// A lock dated in the future (a clock set back) is not waited on: it is
// taken over as one no run marks alive.
func TestCacheLockFromTheFuture(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 10)
	dir := t.TempDir()
	c := cachedClient(t, srv, dir, time.Hour)
	writeFile(t, c.list.cache.lockPath(), "pid 1\n", -time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.GroupByID(ctx, "500000001"); err != nil {
		t.Fatal(err)
	}
	if got := cacheFiles(t, dir); !slices.Equal(got, []string{filepath.Base(c.list.cache.path())}) {
		t.Fatalf("the directory holds %q", got)
	}
}

// Waiting on a live lock is said, naming the lock and its holder; an
// interrupt ends the wait with an error that says what the run waited for.
func TestCacheLiveLockWaitIsToldAndInterruptible(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 10)
	dir := t.TempDir()
	c := cachedClient(t, srv, dir, time.Hour)
	since := time.Now().Add(-5 * time.Minute).UTC().Format(time.RFC3339Nano)
	writeFile(t, c.list.cache.lockPath(), "pid 4242\nsince "+since+"\n", 0) // marked alive just now
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.GroupByID(ctx, "500000001")
		errc <- err
	}()
	// The wait is under way once it has been told.
	giveUp := time.After(time.Minute)
	for !hasNotice(c.notices.peek(), "has held the cache lock") {
		select {
		case err := <-errc:
			t.Fatalf("the lookup ended without waiting: %v", err)
		case <-giveUp:
			cancel()
			t.Fatal("the wait on the live lock was never told")
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	err := <-errc
	var lockErr *CacheLockWaitError
	if !errors.As(err, &lockErr) || !errors.Is(err, context.Canceled) || lockErr.Lock != c.list.cache.lockPath() {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "while waiting for the OPSWAT group-list cache lock "+c.list.cache.lockPath()) || !strings.Contains(err.Error(), "held for 5m") {
		t.Fatalf("got %v", err)
	}
	told := c.TakeNotices()
	if len(told) != 1 || !strings.Contains(told[0], "another run (pid 4242) has held the cache lock "+c.list.cache.lockPath()+" for 5m") {
		t.Fatalf("notices: %q", told)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("%d requests while waiting for the other run", n)
	}
}

// An entry that is a FIFO never blocks the run, one linked to /dev/zero is
// not read, and one past the size cap is not read into memory: each is
// reported, and the run lists the groups itself.
func TestCacheEntryThatIsNotAFile(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		plant func(t *testing.T, entry string)
		want  string
	}{
		"fifo": {func(t *testing.T, entry string) {
			if err := mkfifo(entry); err != nil {
				t.Skipf("no FIFO here: %v", err)
			}
		}, "it is a FIFO, not a regular file"},
		"link to /dev/zero": {func(t *testing.T, entry string) {
			if err := os.Symlink("/dev/zero", entry); err != nil {
				t.Fatal(err)
			}
		}, "it is a symbolic link"},
		"past the size cap": {func(t *testing.T, entry string) {
			f, err := os.OpenFile(entry, os.O_CREATE|os.O_WRONLY, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(cacheMaxEntryBytes + 1); err != nil { // sparse: no disk used
				t.Fatal(err)
			}
		}, "it is larger than the 64 MiB an entry may be"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, srv := setup(t, 10)
			c := cachedClient(t, srv, t.TempDir(), time.Hour)
			tc.plant(t, c.list.cache.path())
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if _, err := c.GroupByID(ctx, "500000001"); err != nil {
				t.Fatal(err)
			}
			if told := c.TakeNotices(); !hasNotice(told, tc.want) {
				t.Fatalf("notices: %q", told)
			}
		})
	}
}

// An entry whose list is null, or missing, is corrupt, not an empty list.
func TestCacheNullGroupsIsCorrupt(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 10)
	c := cachedClient(t, srv, t.TempDir(), time.Hour)
	body := `{"format":1,"key":"` + c.list.cache.key + `","fetched_at":"` + time.Now().UTC().Format(time.RFC3339) + `","groups":null}`
	writeFile(t, c.list.cache.path(), body, 0)
	g, err := c.GroupByName(context.Background(), "group-0003")
	if err != nil || g.ID != "500000002" {
		t.Fatalf("got %+v, %v", g, err)
	}
	if told := c.TakeNotices(); !hasNotice(told, `it holds no group list ("groups" is missing or null)`) {
		t.Fatalf("notices: %q", told)
	}
}

// A refresh (cache_ttl 0s) costs what a run without the cache does: one
// name is one search. It leaves no old entry to serve the next run.
func TestCacheRefreshSearchesOneName(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 200)
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := cachedClient(t, srv, dir, time.Hour).GroupByID(ctx, "500000001"); err != nil {
		t.Fatal(err)
	}
	srv.SetOPSWATGroups(append(emulator.GenerateOPSWATGroups(200), emulator.OPSWATGroup{GroupID: "700000000", GroupName: "new-group"}))
	srv.ResetLog()
	c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: ReadAheadFromRPM - 1,
		planWindow: 250 * time.Millisecond, CacheRefresh: true, CacheDir: dir}, fast)
	if err != nil {
		t.Fatal(err)
	}
	if g, err := c.GroupByName(ctx, "new-group"); err != nil || g.ID != "700000000" {
		t.Fatalf("the refresh: %+v, %v", g, err)
	}
	if s, w := searches(t, srv); s != 1 || w != 0 {
		t.Fatalf("the refresh sent %d searches and %d walk requests, want 1 and 0", s, w)
	}
	if got := cacheFiles(t, dir); len(got) != 0 {
		t.Fatalf("the old entry is still there: %q", got)
	}
	srv.ResetLog()
	if _, err := cachedClient(t, srv, dir, time.Hour).GroupByID(ctx, "700000000"); err != nil {
		t.Fatalf("the run after the refresh: %v", err)
	}
}
