package opswat

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// cached returns a client of srv's account with the group-list cache in dir.
func cachedClient(t *testing.T, srv *emulator.Server, dir string, ttl time.Duration) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: ReadAheadFromRPM - 1,
		planWindow: 250 * time.Millisecond, CacheTTL: ttl, CacheDir: dir}, fast)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func cacheFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// A run with the cache walks once and stores the list; the next run (a new
// client, as the next terraform command) answers lookups by id, by name,
// sorted lists and misses from it with no request at all, not even a token.
func TestCacheServesTheNextRun(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 120)
	dir := t.TempDir()
	ctx := context.Background()

	first := cachedClient(t, srv, dir, 10*time.Minute)
	if _, err := first.GroupByID(ctx, "500000010"); err != nil {
		t.Fatal(err)
	}
	if _, w := searches(t, srv); w != 3 {
		t.Fatalf("the first run sent %d walk requests, want 3", w)
	}
	files := cacheFiles(t, dir)
	if len(files) != 1 || !strings.HasSuffix(files[0], ".json") {
		t.Fatalf("cache directory holds %v", files)
	}
	path := filepath.Join(dir, files[0])
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("cache file mode %v (%v), want 0600", info.Mode(), err)
	}
	data, _ := os.ReadFile(path)
	for _, secret := range []string{"demo-secret", "demo-client", first.token} {
		if secret != "" && (strings.Contains(string(data), secret) || strings.Contains(path, secret)) {
			t.Errorf("the cache file or its name holds %q", secret)
		}
	}

	srv.ResetLog()
	next := cachedClient(t, srv, dir, 10*time.Minute)
	g, err := next.GroupByName(ctx, "group-0042")
	if err != nil || g.ID == "" {
		t.Fatalf("by name: %+v %v", g, err)
	}
	if _, err := next.GroupByID(ctx, "500000010"); err != nil {
		t.Fatal(err)
	}
	sorted, err := next.ListGroups(ctx, ListOptions{SortField: "number_of_devices", SortOrder: "desc"})
	if err != nil || len(sorted) != 120 || sorted[0].NumberOfDevices < sorted[119].NumberOfDevices {
		t.Fatalf("sorted from the cache: %d groups, %v", len(sorted), err)
	}
	_, err = next.GroupByName(ctx, "group-9999")
	var nf *NotFoundError
	if !errors.As(err, &nf) || !nf.FromCache || !strings.Contains(err.Error(), "in the cached group list, listed ") {
		t.Fatalf("a miss: %v", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("the run with a fresh cache sent %d requests:\n%s", n, srv.Summary())
	}
	// A search still asks the API: its matching is the vendor's.
	if _, err := next.ListGroups(ctx, ListOptions{Search: "group-004"}); err != nil || srv.Count(groupsPath) != 1 {
		t.Fatalf("a search: %v, %d requests", err, srv.Count(groupsPath))
	}
}

// Past its TTL an entry is not used, but it tells the planner the account's
// size: nine names on 120 groups (a walk of 3 pages) walk at once.
func TestCacheExpiredEntryIsWalkedAgain(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 120)
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := cachedClient(t, srv, dir, time.Minute).GroupByID(ctx, "500000010"); err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	c := cachedClient(t, srv, dir, time.Nanosecond) // everything is past its TTL
	var names []string
	for i := range 9 {
		names = append(names, fmt.Sprintf("group-%04d", i*10+1))
	}
	for n, err := range lookupAllSafe(c, names...) {
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	if s, w := searches(t, srv); s != 0 || w != 3 {
		t.Fatalf("%d searches and %d walk requests, want 0 and 3 (9 searches cost more than a walk of 3)", s, w)
	}
	// Two names cost less than the walk: searched.
	srv.ResetLog()
	c = cachedClient(t, srv, t.TempDir(), time.Nanosecond)
	c.list.cache.dir = dir
	for n, err := range lookupAllSafe(c, "group-0001", "group-0002") {
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	if s, w := searches(t, srv); s != 2 || w != 0 {
		t.Fatalf("%d searches and %d walk requests, want 2 and 0", s, w)
	}
}

// A corrupt or foreign file is ignored with a notice and replaced by the
// next walk's entry.
func TestCacheCorruptFileIsReplaced(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 60)
	dir := t.TempDir()
	c := cachedClient(t, srv, dir, 10*time.Minute)
	if err := os.WriteFile(c.list.cache.path(), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GroupByID(context.Background(), "500000010"); err != nil {
		t.Fatal(err)
	}
	told := c.TakeNotices()
	if len(told) != 1 || !strings.Contains(told[0], "was ignored: it is not a cache entry") {
		t.Fatalf("notices: %q", told)
	}
	if e := c.list.cache.read(context.Background()); e == nil || !e.fresh || len(e.groups) != 60 {
		t.Fatalf("the entry after the walk: %+v", e)
	}
	// Another account's entry under this name is foreign.
	other := &diskCache{dir: dir, key: cacheKey(srv.URL, "someone-else", ""), ttl: time.Minute, notices: &notices{logger: c.http.Logger()}}
	data, _ := os.ReadFile(c.list.cache.path())
	if err := os.WriteFile(other.path(), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if e := other.read(context.Background()); e != nil || len(other.notices.take()) != 1 {
		t.Fatalf("a foreign entry was read: %+v", e)
	}
}

// Runs that share a cache directory and start together walk once between
// them: one takes the lock and walks, the others wait for its entry.
func TestCacheConcurrentRunsWalkOnce(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 200)
	srv.SetLatency(20 * time.Millisecond)
	dir := t.TempDir()
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			c := cachedClient(t, srv, dir, 10*time.Minute)
			if _, err := c.GroupByID(context.Background(), "500000010"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, w := searches(t, srv); w != 5 {
		t.Fatalf("three runs sent %d walk requests, want one walk of 5", w)
	}
	if files := cacheFiles(t, dir); len(files) != 1 {
		t.Fatalf("cache directory holds %v (the lock left behind?)", files)
	}
}

// A lock left by a run that died is taken over once it is stale; entries
// past their TTL (a rotated token's) are pruned when an entry is written.
func TestCacheStaleLockAndPruning(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 10)
	dir := t.TempDir()
	c := cachedClient(t, srv, dir, 10*time.Minute)
	old := time.Now().Add(-cacheOtherEntryMaxAge - time.Hour)
	if err := os.WriteFile(c.list.cache.lockPath(), []byte("pid 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rotated := filepath.Join(dir, cacheKey(srv.URL, "", "an-old-token")+".json")
	if err := os.WriteFile(rotated, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{c.list.cache.lockPath(), rotated} {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.GroupByID(ctx, "500000001"); err != nil {
		t.Fatal(err)
	}
	if files := cacheFiles(t, dir); !slices.Equal(files, []string{filepath.Base(c.list.cache.path())}) {
		t.Fatalf("cache directory holds %v, want only the new entry", files)
	}
}

// The key is a hash: the same account gives the same name, and neither the
// client id nor the token appears in it.
func TestCacheKey(t *testing.T) {
	t.Parallel()
	a := cacheKey("https://gears.opswat.com", "id-1", "")
	if a != cacheKey("https://gears.opswat.com/", "id-1", "tok") || a == cacheKey("https://gears.opswat.com", "id-2", "") ||
		a == cacheKey("https://other.example.com", "id-1", "") || len(a) != 64 || strings.Contains(a, "id-1") {
		t.Fatalf("keys: %s", a)
	}
	if cacheKey("https://h", "", "tok-1") == cacheKey("https://h", "", "tok-2") {
		t.Fatal("two tokens share a key")
	}
}

// A refresh (cache_ttl 0s) uses no entry, walks, and stores its walk for
// the runs that have a TTL.
func TestCacheRefresh(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 60)
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := cachedClient(t, srv, dir, time.Hour).GroupByID(ctx, "500000001"); err != nil {
		t.Fatal(err)
	}
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(61))
	srv.ResetLog()
	c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", CacheRefresh: true, CacheDir: dir}, fast)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GroupByID(ctx, "500000060"); err != nil {
		t.Fatalf("the refresh did not see the new group: %v", err)
	}
	if _, w := searches(t, srv); w != 2 {
		t.Fatalf("the refresh sent %d walk requests, want 2", w)
	}
	srv.ResetLog()
	if _, err := cachedClient(t, srv, dir, time.Hour).GroupByID(ctx, "500000060"); err != nil || len(srv.Requests()) != 0 {
		t.Fatalf("the run after the refresh: %v, %d requests", err, len(srv.Requests()))
	}
}

// A run that holds the lock for longer than the wait allows is not waited
// for past it: the run walks itself, and says so.
func TestCacheLockWaitIsBounded(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 10)
	dir := t.TempDir()
	c := cachedClient(t, srv, dir, 10*time.Minute)
	c.list.cache.lockMaxWait = 300 * time.Millisecond
	if err := os.WriteFile(c.list.cache.lockPath(), []byte("pid 1\n"), 0o600); err != nil { // alive: just made
		t.Fatal(err)
	}
	if _, err := c.GroupByID(context.Background(), "500000001"); err != nil {
		t.Fatal(err)
	}
	if told := c.TakeNotices(); len(told) != 2 || !strings.Contains(told[0], "this run waited for its entry rather than list them again, for up to 300ms") ||
		!strings.Contains(told[1], "has held the cache lock "+c.list.cache.lockPath()+" for more than 300ms; this run lists the groups itself") {
		t.Fatalf("notices: %q", told)
	}
}
