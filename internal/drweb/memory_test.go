package drweb

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// infoIDs returns every id the server was asked for with info.ds.
func infoIDs(srv *emulator.Server) []string {
	var ids []string
	for _, r := range srv.Requests() {
		if r.Path == infoPath {
			ids = append(ids, r.Query["id"]...)
		}
	}
	return ids
}

// After a walk of the tree, a lookup by id asks info.ds for the group
// alone: its ancestors' names and parents come from the listing.
func TestPathFromTheRunsListing(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	ctx := context.Background()
	if _, err := c.Tree(ctx, "", true, false); err != nil {
		t.Fatal(err)
	}
	g, err := c.GroupByID(ctx, berlinWS)
	if err != nil || g.Path != "Offices/Berlin/Workstations" {
		t.Fatalf("%+v, %v", g, err)
	}
	if ids := infoIDs(srv); !slices.Equal(ids, []string{berlinWS}) {
		t.Fatalf("info.ds was asked for %v, want only the group itself", ids)
	}
}

// Without a listing, each ancestor is asked once per run, whatever number
// of lookups share it.
func TestAncestorsAskedOnce(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	var wg sync.WaitGroup
	for _, id := range []string{berlinWS, moscowWS, berlin, moscow, berlinWS} {
		wg.Go(func() {
			if _, err := c.GroupByID(context.Background(), id); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	ids := infoIDs(srv)
	seen := map[string]int{}
	for _, id := range ids {
		seen[id]++
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("%s was asked %d times: %v", id, n, ids)
		}
	}
	if seen[offices] != 1 {
		t.Errorf("the shared ancestor Offices was asked %d times", seen[offices])
	}
}

// A lookup by id that needs an ancestor while a walk of the tree is under
// way waits for the walk to list it instead of asking info.ds.
func TestPathWaitsForAWalkUnderWay(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	ctx := context.Background()
	srv.SetLatency(100 * time.Millisecond) // a walk that takes a while
	walked := make(chan error, 1)
	go func() { _, err := c.Tree(ctx, "", true, false); walked <- err }()
	for srv.Count(listPath) == 0 {
		time.Sleep(time.Millisecond)
	}
	g, err := c.GroupByID(ctx, berlinWS)
	if err != nil || g.Path != "Offices/Berlin/Workstations" {
		t.Fatalf("%+v, %v", g, err)
	}
	if err := <-walked; err != nil {
		t.Fatal(err)
	}
	if ids := infoIDs(srv); !slices.Equal(ids, []string{berlinWS}) {
		t.Fatalf("info.ds was asked for %v, want only the group itself", ids)
	}
}

// A quiet batch that still expects ids from lookups under way waits for
// them, but never past maxWait.
func TestBatchWaitsForExpectedLookups(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var sent [][]string
	expect := int64(3)
	b := newBatcher(10*time.Millisecond, 2*time.Second, 100,
		func(_ context.Context, ids []string) map[string]result {
			mu.Lock()
			sent = append(sent, ids)
			mu.Unlock()
			out := map[string]result{}
			for _, id := range ids {
				out[id] = result{group: Group{ID: id}}
			}
			return out
		}, func() int64 { return expect })
	var wg sync.WaitGroup
	for i, id := range []string{"a", "b", "c"} {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 100 * time.Millisecond) // ten windows apart
			if _, err := b.get(context.Background(), id); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(sent) != 1 || len(sent[0]) != 3 {
		t.Fatalf("batches %v, want one with the three ids", sent)
	}
	// Expecting more than ever come: the batch goes at maxWait.
	b.mu.Lock()
	expect, b.gate.MaxWait = 10, 300*time.Millisecond
	b.mu.Unlock()
	start := time.Now()
	if _, err := b.get(context.Background(), "d"); err != nil || time.Since(start) < 250*time.Millisecond {
		t.Fatalf("%v after %s", err, time.Since(start))
	}
}

// A lookup counts once however it goes: one by name that ends in one by id
// is one lookup under way, and while it waits on listings (several at once
// on a level of the tree) it is one lookup parked, from which the batcher
// expects no id. Done, it leaves neither count behind.
func TestLookupCountsOnce(t *testing.T) {
	t.Parallel()
	for name, lookUp := range map[string]func(c *Client) error{
		"by name in the tree": func(c *Client) error {
			_, err := c.GroupByName(context.Background(), "Berlin", "")
			return err
		},
		"by name under a parent": func(c *Client) error {
			_, err := c.GroupByName(context.Background(), "Berlin", offices)
			return err
		},
		"by path": func(c *Client) error {
			_, err := c.GroupByPath(context.Background(), "Offices/Berlin/Workstations")
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.SetLatency(20 * time.Millisecond)
			done := make(chan error, 1)
			go func() { done <- lookUp(c) }()
			var lookups, parked int64
			for running := true; running; {
				select {
				case err := <-done:
					if err != nil {
						t.Fatal(err)
					}
					running = false
				default:
					lookups, parked = max(lookups, c.mem.lookups.Load()), max(parked, c.mem.parked.Load())
					time.Sleep(100 * time.Microsecond)
				}
			}
			if lookups != 1 || parked != 1 {
				t.Errorf("at most %d lookups under way and %d parked, want 1 and 1", lookups, parked)
			}
			if n, p := c.mem.lookups.Load(), c.mem.parked.Load(); n != 0 || p != 0 {
				t.Errorf("%d lookups under way and %d parked after the lookup, want none", n, p)
			}
		})
	}
}
