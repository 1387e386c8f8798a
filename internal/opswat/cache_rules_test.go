//go:build unix

package opswat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// deadPID is the pid of a process of this host that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run a child process: %v", err)
	}
	return cmd.Process.Pid
}

// A lock whose holder ran on this host and no longer runs is taken over at
// once, however recently it was marked, and the warning says so: whose pid
// and how long it had held the lock.
func TestCacheDeadHoldersLockIsTakenAtOnce(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 10)
	dir := t.TempDir()
	c := cachedClient(t, srv, dir, time.Hour)
	c.list.cache.lockMaxWait = time.Hour // a wait would show as a timeout of the test, not as a pass
	pid := deadPID(t)
	since := time.Now().Add(-3 * time.Minute).UTC().Format(time.RFC3339Nano)
	writeFile(t, c.list.cache.lockPath(), fmt.Sprintf("pid %d\nhost %s\npidns %s\ntoken x\nsince %s\n", pid, thisHost(), thisPIDNamespace(), since), 0) // marked alive just now
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.GroupByID(ctx, "500000001"); err != nil {
		t.Fatal(err)
	}
	told := c.TakeNotices()
	want := fmt.Sprintf("the cache lock %s was left by a run that died (pid %d on this host, which no longer runs, after holding it for 3m0s): "+
		"this run took it over", c.list.cache.lockPath(), pid)
	if !hasNotice(told, want) || hasNotice(told, "has held the cache lock") {
		t.Fatalf("notices: %q", told)
	}
	if got := cacheFiles(t, dir); !slices.Equal(got, []string{filepath.Base(c.list.cache.path())}) {
		t.Fatalf("the directory holds %q", got)
	}
}

// A live holder of this host (this test's own parent process), and a pid
// from another host, are waited for: only the age judges those.
func TestCacheLiveOrForeignHolderIsWaitedFor(t *testing.T) {
	t.Parallel()
	heldLocks.Store("live-test-token", true)
	t.Cleanup(func() { heldLocks.Delete("live-test-token") })
	for name, lock := range map[string]string{
		"live here":    fmt.Sprintf("pid %d\nhost %s\npidns %s\ntoken x\n", os.Getppid(), thisHost(), thisPIDNamespace()),
		"another host": fmt.Sprintf("pid %d\nhost not-%s\npidns %s\ntoken x\n", deadPID(t), thisHost(), thisPIDNamespace()),
		// The same hostname in another pid namespace (a container with
		// --uts host): the pid is not this namespace's to judge.
		"another pid namespace": fmt.Sprintf("pid %d\nhost %s\npidns 1%s\ntoken x\n", deadPID(t), thisHost(), thisPIDNamespace()),
		"no pid namespace":      fmt.Sprintf("pid %d\nhost %s\ntoken x\n", deadPID(t), thisHost()),
		// A pid no kernel gives: 2^32 plus a dead pid would reach kill()
		// as that dead pid.
		"pid out of range": fmt.Sprintf("pid %d\nhost %s\npidns %s\ntoken x\n", 1<<32+deadPID(t), thisHost(), thisPIDNamespace()),
		// This process's own pid, with a token it holds: alive.
		"this process": fmt.Sprintf("pid %d\nhost %s\npidns %s\ntoken live-test-token\n", os.Getpid(), thisHost(), thisPIDNamespace()),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, srv := setup(t, 10)
			c := cachedClient(t, srv, t.TempDir(), time.Hour)
			c.list.cache.lockMaxWait = 300 * time.Millisecond
			writeFile(t, c.list.cache.lockPath(), lock, 0)
			if _, err := c.GroupByID(context.Background(), "500000001"); err != nil {
				t.Fatal(err)
			}
			if told := c.TakeNotices(); !hasNotice(told, "has held the cache lock") || hasNotice(told, "took it over") {
				t.Fatalf("notices: %q", told)
			}
		})
	}
}

// A lock naming this process's pid in its namespace but with no token it
// holds was left by an earlier process that had this pid: taken at once.
func TestCacheOwnPIDWithAnotherTokenIsDead(t *testing.T) {
	t.Parallel()
	if thisPIDNamespace() == "" || thisHost() == "" {
		t.Skip("no pid namespace or hostname to judge a pid by")
	}
	_, srv := setup(t, 10)
	c := cachedClient(t, srv, t.TempDir(), time.Hour)
	c.list.cache.lockMaxWait = time.Hour
	writeFile(t, c.list.cache.lockPath(), fmt.Sprintf("pid %d\nhost %s\npidns %s\ntoken earlier-process\n", os.Getpid(), thisHost(), thisPIDNamespace()), 0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.GroupByID(ctx, "500000001"); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("the cache lock %s was left by a run that died (pid %d on this host, which no longer runs", c.list.cache.lockPath(), os.Getpid())
	if told := c.TakeNotices(); !hasNotice(told, want) || hasNotice(told, "has held the cache lock") {
		t.Fatalf("notices: %q", told)
	}
}

// Runs that find one dead lock at once take it over one at a time: in
// every round exactly one holds the lock, however the takeovers interleave
// (a later one never removes the lock an earlier one made in its place),
// and nothing is left in the directory once the holder releases.
func TestCacheDeadLockTakenOverByOneOfManyAtOnce(t *testing.T) {
	t.Parallel()
	if thisPIDNamespace() == "" || thisHost() == "" {
		t.Skip("no pid namespace or hostname to judge a pid by")
	}
	_, srv := setup(t, 10)
	dir := t.TempDir()
	pid := deadPID(t)
	const runs, rounds = 8, 25
	for round := range rounds {
		caches := make([]*diskCache, runs)
		for i := range caches {
			caches[i] = cachedClient(t, srv, dir, time.Hour).list.cache
			caches[i].lockMaxWait = 50 * time.Millisecond // the runs that do not hold it give up soon
		}
		writeFile(t, caches[0].lockPath(), fmt.Sprintf("pid %d\nhost %s\npidns %s\ntoken dead-%d\n", pid, thisHost(), thisPIDNamespace(), round), 0)
		var returned, released sync.WaitGroup
		returned.Add(runs)
		released.Add(runs)
		start := make(chan struct{})
		for _, d := range caches {
			go func() {
				defer released.Done()
				<-start
				_, release, err := d.freshOrLock(context.Background(), time.Time{})
				returned.Done()
				if err != nil {
					t.Errorf("round %d: %v", round, err)
					return
				}
				returned.Wait() // the holder keeps the lock until every run has decided
				release()
			}()
		}
		close(start)
		released.Wait()
		holders := 0
		for _, d := range caches {
			holders += int(d.locks.Load())
		}
		if holders != 1 {
			t.Fatalf("round %d: %d runs held the lock taken over, want 1", round, holders)
		}
		if got := cacheFiles(t, dir); len(got) != 0 {
			t.Fatalf("round %d: the directory holds %q after the release", round, got)
		}
	}
}

// A run whose lock was taken over while it was suspended does not remove
// the lock that another run holds now.
func TestCacheReleaseKeepsAnotherRunsLock(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 10)
	c := cachedClient(t, srv, t.TempDir(), time.Hour)
	_, release, err := c.list.cache.freshOrLock(context.Background(), time.Time{})
	if err != nil || release == nil {
		t.Fatalf("took no lock: %v", err)
	}
	theirs := "pid 1\nhost h\ntoken someone-else\n"
	writeFile(t, c.list.cache.lockPath(), theirs, 0)
	release()
	if data, err := os.ReadFile(c.list.cache.lockPath()); err != nil || string(data) != theirs {
		t.Fatalf("the other run's lock: %q, %v", data, err)
	}
	// And its own lock is removed.
	if err := os.Remove(c.list.cache.lockPath()); err != nil {
		t.Fatal(err)
	}
	_, release, _ = c.list.cache.freshOrLock(context.Background(), time.Time{})
	release()
	if _, err := os.Lstat(c.list.cache.lockPath()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the run's own lock stayed: %v", err)
	}
}

// A refresh (cache_ttl 0s) reads no entry, so it neither takes nor waits
// on the lock: it walks at once and stores its walk.
func TestCacheRefreshDoesNotWaitOnTheLock(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 10)
	dir := t.TempDir()
	c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", CacheRefresh: true, CacheDir: dir}, fast)
	if err != nil {
		t.Fatal(err)
	}
	c.list.cache.lockMaxWait = time.Hour
	lock := "pid 1\nhost elsewhere\ntoken x\n" // live, of another run
	writeFile(t, c.list.cache.lockPath(), lock, 0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.ListGroups(ctx, ListOptions{}); err != nil {
		t.Fatal(err)
	}
	if told := c.TakeNotices(); hasNotice(told, "cache lock") {
		t.Fatalf("notices: %q", told)
	}
	if data, _ := os.ReadFile(c.list.cache.lockPath()); string(data) != lock {
		t.Fatalf("the other run's lock became %q", data)
	}
	if _, err := os.Stat(c.list.cache.path()); err != nil {
		t.Fatalf("the refresh stored no entry: %v", err)
	}
}

// A short TTL of this run does not prune another account's entry: only an
// entry older than cacheOtherEntryMaxAge is.
func TestCachePruneDoesNotJudgeOthersByThisTTL(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 10)
	dir := t.TempDir()
	c := cachedClient(t, srv, dir, time.Second)
	recent := filepath.Join(dir, cacheKey(srv.URL, "another-client", "")+".json")
	ancient := filepath.Join(dir, cacheKey(srv.URL, "a-third-client", "")+".json")
	writeFile(t, recent, "{}", time.Hour)
	writeFile(t, ancient, "{}", cacheOtherEntryMaxAge+time.Minute)
	if _, err := c.GroupByID(context.Background(), "500000001"); err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Base(c.list.cache.path()), filepath.Base(recent)}
	slices.Sort(want)
	if got := cacheFiles(t, dir); !slices.Equal(got, want) {
		t.Fatalf("the directory holds %q, want %q", got, want)
	}
}

// An entry the read would refuse for its size is not written: the run
// keeps its groups, warns, and leaves no file behind.
func TestCacheDoesNotWriteAnEntryPastTheCap(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 10)
	dir := t.TempDir()
	c := cachedClient(t, srv, dir, time.Hour)
	c.list.cache.maxEntry = 1000 // the 10 groups of the account take more
	if _, err := c.GroupByID(context.Background(), "500000001"); err != nil {
		t.Fatal(err)
	}
	if told := c.TakeNotices(); !hasNotice(told, "the group list was not stored in the cache directory "+dir+": it takes more than the 1000 bytes an entry may be") {
		t.Fatalf("notices: %q", told)
	}
	if got := cacheFiles(t, dir); len(got) != 0 {
		t.Fatalf("the directory holds %q", got)
	}
}

// An entry whose list no walk could give (a group without an id, an id
// twice, a negative count) is corrupt: it is reported, walked past and
// replaced.
func TestCacheEntryIsValidatedLikeAWalk(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		groups []Group
		want   string
	}{
		"no id":          {[]Group{{ID: "500000001", Name: "a"}, {Name: "b"}}, "group 2 of its list has no id"},
		"id twice":       {[]Group{{ID: "500000001", Name: "a"}, {ID: "500000001", Name: "b"}}, `it lists the group id "500000001" more than once`},
		"negative count": {[]Group{{ID: "500000001", Name: "a", NumberOfDevices: -3}}, `the group id "500000001" has a negative number of devices (-3)`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, srv := setup(t, 10)
			c := cachedClient(t, srv, t.TempDir(), time.Hour)
			data, _ := json.Marshal(cacheFile{Format: cacheFormat, Key: c.list.cache.key, FetchedAt: time.Now().UTC(), Groups: &tc.groups})
			writeFile(t, c.list.cache.path(), string(data), 0)
			got, err := c.ListGroups(context.Background(), ListOptions{})
			if err != nil || len(got) != 10 {
				t.Fatalf("got %d groups, %v", len(got), err)
			}
			if told := c.TakeNotices(); !hasNotice(told, "was ignored: "+tc.want) {
				t.Fatalf("notices: %q", told)
			}
			stored, _ := os.ReadFile(c.list.cache.path())
			var f cacheFile
			if err := json.Unmarshal(stored, &f); err != nil || f.Groups == nil || len(*f.Groups) != 10 {
				t.Fatalf("the entry was not replaced by the walk: %s", stored)
			}
		})
	}
}

// A run waiting on a live lock reads the entry again only once it has
// changed, not at every poll.
func TestCacheWaitRereadsOnlyAChangedEntry(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 10)
	c := cachedClient(t, srv, t.TempDir(), time.Hour)
	writeFile(t, c.list.cache.path(), "not an entry", 0)
	writeFile(t, c.list.cache.lockPath(), "pid 1\nhost elsewhere\n", 0)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.GroupByID(ctx, "500000001")
		errc <- err
	}()
	giveUp := time.After(time.Minute)
	for c.list.cache.polls.Load() < 6 {
		select {
		case err := <-errc:
			t.Fatalf("the lookup ended without waiting: %v", err)
		case <-giveUp:
			cancel()
			t.Fatal("the wait did not poll")
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("the cancelled wait ended without an error")
	}
	// One read as the run first looks for its entry, one at the wait's
	// first poll; none after.
	if polls, reads := c.list.cache.polls.Load(), c.list.cache.reads.Load(); reads != 2 {
		t.Fatalf("%d reads of an unchanged entry in %d polls", reads, polls)
	}
}

// A waiting run finds the holder's new entry even when it has the old
// entry's time and size (a file system with coarse timestamps): renamed
// into place, it is another file; rewritten in place, it is read once more
// when the lock is gone, before the run would take the lock and walk.
func TestCacheWaitFindsAnEntryOfTheSameTimeAndSize(t *testing.T) {
	t.Parallel()
	for _, renamed := range []bool{true, false} {
		t.Run(fmt.Sprintf("renamed=%v", renamed), func(t *testing.T) {
			t.Parallel()
			_, srv := setup(t, 10)
			c := cachedClient(t, srv, t.TempDir(), time.Hour)
			c.list.cache.lockMaxWait = time.Minute
			entry := func(fetched time.Time) []byte {
				groups := []Group{{ID: "500000001", Name: "group-0001"}}
				data, err := json.Marshal(cacheFile{Format: cacheFormat, Key: c.list.cache.key, FetchedAt: fetched.UTC().Truncate(time.Second), Groups: &groups})
				if err != nil {
					t.Fatal(err)
				}
				return data
			}
			old, fresh := entry(time.Now().Add(-2*time.Hour)), entry(time.Now())
			if len(old) != len(fresh) {
				t.Fatalf("the entries differ in size: %d, %d", len(old), len(fresh))
			}
			mtime := time.Now().Add(-time.Minute).Truncate(time.Second)
			put := func(path string, data []byte) {
				t.Helper()
				if err := os.WriteFile(path, data, 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(path, mtime, mtime); err != nil {
					t.Fatal(err)
				}
			}
			put(c.list.cache.path(), old)
			writeFile(t, c.list.cache.lockPath(), "pid 1\nhost elsewhere\ntoken theirs\n", 0)
			type result struct {
				e       *cacheEntry
				release func()
				err     error
			}
			done := make(chan result, 1)
			go func() {
				e, release, err := c.list.cache.freshOrLock(context.Background(), time.Time{})
				done <- result{e, release, err}
			}()
			for c.list.cache.polls.Load() < 3 {
				select {
				case r := <-done:
					t.Fatalf("the run ended without waiting: %+v", r)
				case <-time.After(10 * time.Millisecond):
				}
			}
			if renamed {
				tmp := filepath.Join(filepath.Dir(c.list.cache.path()), "new")
				put(tmp, fresh)
				if err := os.Rename(tmp, c.list.cache.path()); err != nil {
					t.Fatal(err)
				}
			} else {
				put(c.list.cache.path(), fresh)
				if err := os.Remove(c.list.cache.lockPath()); err != nil {
					t.Fatal(err)
				}
			}
			r := <-done
			if r.err != nil || r.e == nil || !r.e.fresh || r.release != nil {
				t.Fatalf("the run did not take the holder's entry: entry %+v, lock taken %v, %v; notices %q", r.e, r.release != nil, r.err, c.TakeNotices())
			}
			// The holder's lock is its own still; a lock the run took to
			// read once more is gone.
			_, err := os.Lstat(c.list.cache.lockPath())
			if renamed != (err == nil) {
				t.Fatalf("the lock after the wait: %v", err)
			}
		})
	}
}

// A cache directory that is no directory is told for what it is: a link
// to nowhere, a file; a sticky shared directory shows its sticky mode.
func TestCacheDirectoryMessagesSayWhatItIs(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		prepare func(t *testing.T, base string) string
		want    string
	}{
		"dangling link": {func(t *testing.T, base string) string {
			dir := filepath.Join(base, "cache")
			if err := os.Symlink(filepath.Join(base, "gone"), dir); err != nil {
				t.Fatal(err)
			}
			return dir
		}, "is not used: it is a symbolic link to %s/gone, which does not exist; point the cache at a directory"},
		"a file": {func(t *testing.T, base string) string {
			dir := filepath.Join(base, "cache")
			writeFile(t, dir, "x", 0)
			return dir
		}, "is not used: it is a file, not a directory; point the cache at a directory"},
		"sticky": {func(t *testing.T, base string) string {
			if err := os.Chmod(base, 0o777|os.ModeSticky); err != nil {
				t.Fatal(err)
			}
			return base
		}, "users other than its owner can write it (mode 1777: a shared sticky directory like /tmp, where any user can add files)"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, srv := setup(t, 10)
			base := t.TempDir()
			dir := tc.prepare(t, base)
			c := cachedClient(t, srv, dir, time.Hour)
			if _, err := c.GroupByID(context.Background(), "500000001"); err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if strings.Contains(want, "%s") {
				want = fmt.Sprintf(want, base)
			}
			if told := c.TakeNotices(); len(told) != 1 || !strings.Contains(told[0], "the cache directory "+dir+" ") || !strings.Contains(told[0], want) {
				t.Fatalf("notices: %q\nwant %q", told, want)
			}
		})
	}
}

// An entry's fetched_at is when the walk's first page came, not when the
// walk ended: a slow later page makes the entry no younger.
func TestCacheFetchedAtIsTheFirstPage(t *testing.T) {
	t.Parallel()
	const slow = 1500 * time.Millisecond
	_, srv := setup(t, 120) // three pages
	srv.AddFault(emulator.Fault{Path: groupsPath, After: groupsPath, Times: 1, Status: 503, RetryAfter: "0", Delay: slow})
	c := cachedClient(t, srv, t.TempDir(), time.Hour)
	if _, err := c.GroupByID(context.Background(), "500000100"); err != nil {
		t.Fatal(err)
	}
	stored := time.Now()
	data, err := os.ReadFile(c.list.cache.path())
	if err != nil {
		t.Fatal(err)
	}
	var f cacheFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	// Page 2 was answered at least `slow` after page 1 came, and the entry
	// was written after page 2 came.
	if waited := stored.Sub(f.FetchedAt); waited < slow {
		t.Fatalf("fetched_at %s is %s before the walk ended, less than the %s that page 2 took: it is not the first page's time", f.FetchedAt, waited, slow)
	}
}
