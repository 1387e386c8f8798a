package opswat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

func searches(t *testing.T, srv *emulator.Server) (search, walk int) {
	t.Helper()
	for _, b := range groupRequests(t, srv) {
		if b.Search != "" {
			search++
		} else {
			walk++
		}
	}
	return search, walk
}

// A few lookups by name and nothing else: one search each, whatever the
// size of the account.
func TestFewNamesAreSearched(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, 2000)
	for n, err := range lookupAllSafe(c, "group-0007", "group-1500", "group-1999") {
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	if s, w := searches(t, srv); s != 3 || w != 0 {
		t.Fatalf("%d searches and %d walk requests, want 3 and 0", s, w)
	}
	if n := srv.Count(tokenPath); n != 1 {
		t.Fatalf("%d token requests", n)
	}
}

// More names than a walk is likely to cost, or anything that needs the walk
// anyway, makes one walk serve them all.
func TestManyNamesOrAnIDWalk(t *testing.T) {
	t.Parallel()
	t.Run("many names", func(t *testing.T) {
		t.Parallel()
		// 120 groups: a walk of 3 pages. Nine names at once: the first
		// FreeSearches are searched; the five further ones buy a page each,
		// the list ends within them, and the walk answers all five.
		c, srv := setup(t, 120)
		var names []string
		for i := range 9 {
			names = append(names, fmt.Sprintf("group-%04d", i*10+1))
		}
		for n, err := range lookupAllSafe(c, names...) {
			if err != nil {
				t.Fatalf("%s: %v", n, err)
			}
		}
		if s, w := searches(t, srv); s != FreeSearches || w != 3 {
			t.Fatalf("%d searches and %d walk requests, want %d and 3", s, w, FreeSearches)
		}
	})
	t.Run("a name and an id", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t, 120)
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, err := c.GroupByName(context.Background(), "group-0042"); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			time.Sleep(5 * time.Millisecond) // within the gathering window
			if _, err := c.GroupByID(context.Background(), "500000010"); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		if s, w := searches(t, srv); s != 0 || w != 3 {
			t.Fatalf("%d searches and %d walk requests, want 0 and 3", s, w)
		}
		// Once the walk has run, later lookups by name use it.
		if _, err := c.GroupByName(context.Background(), "group-0099"); err != nil {
			t.Fatal(err)
		}
		if s, w := searches(t, srv); s != 0 || w != 3 {
			t.Fatalf("after the walk: %d searches and %d walk requests", s, w)
		}
	})
}

// However search matches, a lookup finds the right group, or the right
// "not found" with its near misses, with at most one shared walk.
func TestSearchIsOnlyAHint(t *testing.T) {
	t.Parallel()
	for _, mode := range []emulator.SearchMode{emulator.SearchSubstring, emulator.SearchPrefix, emulator.SearchWords, emulator.SearchNever} {
		t.Run(string(mode)+"-", func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, -1)
			srv.SetSearchMode(mode)
			errs := lookupAllSafe(c, "San Francisco", "Finance", "FINANCE")
			if errs["San Francisco"] != nil || errs["Finance"] != nil {
				t.Fatalf("%v", errs)
			}
			var nf *NotFoundError
			if !errors.As(errs["FINANCE"], &nf) || len(nf.CaseOnly) != 2 || nf.Searched != 8 {
				t.Fatalf("not found after the walk, with near misses: %v", errs["FINANCE"])
			}
			if _, w := searches(t, srv); w > 1 {
				t.Fatalf("%d walk requests, want at most one walk (1 page)", w)
			}
		})
	}
}

// A search answer of a full page proves nothing: the walk decides.
func TestFullSearchPageFallsBackToTheWalk(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, 120)
	g, err := c.GroupByName(context.Background(), "group-0001") // "group-0001" is in 12 names … but "group" would be 120
	if err != nil || g.ID != "500000000" {
		t.Fatalf("%+v, %v", g, err)
	}
	g, err = c.GroupByName(context.Background(), "group")
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("%+v, %v", g, err)
	}
	if s, w := searches(t, srv); s != 2 || w != 3 {
		t.Fatalf("%d searches and %d walk requests, want 2 and 3", s, w)
	}
}

// The API's older answer past the last page, 200 with no groups, ends a walk.
func TestEmptyPageEndsAWalk(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, 100)
	srv.SetEmptyPagePastEnd(true)
	groups, err := c.ListGroups(context.Background(), ListOptions{})
	if err != nil || len(groups) != 100 || srv.Count(groupsPath) != 3 {
		t.Fatalf("%d groups in %d requests, %v", len(groups), srv.Count(groupsPath), err)
	}
}

// An account that allows 3 requests a window and answers 429 with the
// documented X-RateLimit-* headers only: a walk that needs more completes,
// waiting out the windows, with at most 3 requests refused.
func TestWalkThroughRateLimitHeadersOnly(t *testing.T) {
	t.Parallel()
	const window = 300 * time.Millisecond
	seed := emulator.DefaultSeed()
	seed.OPSWAT.Groups = emulator.GenerateOPSWATGroups(320) // 7 pages
	srv := emulator.New(seed)
	t.Cleanup(srv.Close)
	srv.SetRateLimit(3, window)
	srv.SetRateLimitStyle(emulator.RateLimitHeadersOnly)
	srv.SpendRateLimit(2)                                                                                                                          // another integration of the account spent some
	c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: 10, rateWindow: window}, fast) // the client believes in 10
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	groups, err := c.ListGroups(context.Background(), ListOptions{})
	if err != nil || len(groups) != 320 {
		t.Fatalf("%d groups, %v", len(groups), err)
	}
	if n := srv.Throttled(); n > 3 {
		t.Fatalf("%d requests refused, want at most 3", n)
	}
	if r := c.Waited(start); r.Requests < 7 {
		t.Fatalf("report %+v", r)
	}
}

// A token fetched before a long wait for the pacing is not sent stale: it is
// replaced when the request's turn comes, and never blamed on the credentials.
func TestTokenIsFreshAfterThePacingWait(t *testing.T) {
	t.Parallel()
	const window = 400 * time.Millisecond
	seed := emulator.DefaultSeed()
	seed.OPSWAT.Groups = emulator.GenerateOPSWATGroups(160) // 4 pages
	seed.OPSWAT.TokenLifetime = 1                           // renewed early: valid for about 0.9 s
	srv := emulator.New(seed)
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: 1, rateWindow: window}, fast)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := c.ListGroups(context.Background(), ListOptions{})
	if err != nil || len(groups) != 160 {
		t.Fatalf("%d groups, %v", len(groups), err)
	}
	for _, r := range srv.Requests() {
		if r.Path == groupsPath && r.Status == 401 {
			t.Fatal("a stale token was sent")
		}
	}
	if n := srv.Count(tokenPath); n < 2 {
		t.Fatalf("%d token requests: the test did not outlast a token", n)
	}
}

// lookupAllSafe is lookupAll without the test's own goroutine reporting.
func lookupAllSafe(c *Client, names ...string) map[string]error {
	var mu sync.Mutex
	errs := map[string]error{}
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Go(func() {
			g, err := c.GroupByName(context.Background(), n)
			if err == nil && g.Name != n {
				err = fmt.Errorf("got %q", g.Name)
			}
			mu.Lock()
			defer mu.Unlock()
			errs[n] = err
		})
	}
	wg.Wait()
	return errs
}

// A server that answers pages 1, 2, 1, 2, … all full ends the walk at the
// first page that brings nothing new, with a clear error.
func TestRepeatingPagesEndTheWalk(t *testing.T) {
	t.Parallel()
	full := func(offset int) string {
		var b strings.Builder
		b.WriteString("[")
		for i := range pageSize {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"group_id":"%d","group_name":"g%d"}`, offset+i, offset+i)
		}
		return b.String() + "]"
	}
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, full(int(n+1)%2*pageSize))
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, AccessToken: "t0ken", RequestsPerMinute: ReadAheadFromRPM - 1}, fast)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListGroups(context.Background(), ListOptions{})
	if err == nil || !strings.Contains(err.Error(), "page 3 brings no group that the pages before it did not") || calls.Load() != 3 {
		t.Fatalf("after %d pages: %v", calls.Load(), err)
	}
}

// The cost model with no count of the account's groups: on 2,000 groups
// (a walk of 41 requests), names cost their searches and one walk page for
// each name past FreeSearches; when those pages end the list, the walk
// answers the names instead of their searches. No number of names costs a
// whole walk at once (1, 9, 20, 200 names: 1, 14, 36, 45).
func TestNamesCostNoCliff(t *testing.T) {
	t.Parallel()
	for _, k := range []int{1, 4, 9, 20, 200} {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, 2000)
			var names []string
			for i := range k {
				names = append(names, fmt.Sprintf("group-%04d", i*(1999/k)+1))
			}
			for n, err := range lookupAllSafe(c, names...) {
				if err != nil {
					t.Fatalf("%s: %v", n, err)
				}
			}
			walk := 2000/pageSize + 1 // 40 full pages and the empty one that ends the list
			wantPages, wantSearches := min(max(0, k-FreeSearches), walk), k
			if k-FreeSearches >= walk { // the names bought the whole walk, which answers them all
				wantSearches = FreeSearches
			}
			s, w := searches(t, srv)
			if s != wantSearches || w != wantPages {
				t.Fatalf("%d searches and %d walk requests, want %d and %d", s, w, wantSearches, wantPages)
			}
			if total := s + w; total > max(2*k-FreeSearches, k) || total > 2*walk+FreeSearches {
				t.Fatalf("%d requests for %d names: more than min(2k-4, 2 × walk + 4)", total, k)
			}
		})
	}
}
