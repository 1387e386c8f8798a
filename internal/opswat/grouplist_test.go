package opswat

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// After Forget, a lookup reads the API again and sees what changed on the
// server since the run's walk; before it, the walk answers every lookup.
func TestForgetReadsAgain(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, 120)
	ctx := context.Background()
	if _, err := c.GroupByID(ctx, "500000010"); err != nil {
		t.Fatal(err)
	}
	if _, w := searches(t, srv); w != 3 {
		t.Fatalf("the walk sent %d requests, want 3", w)
	}
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(121))
	_, err := c.GroupByID(ctx, "500000120")
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Searched != 120 {
		t.Fatalf("before Forget the run's walk answers: %v", err)
	}
	if s, w := searches(t, srv); s != 0 || w != 3 {
		t.Fatalf("a lookup the walk answers sent %d searches and %d walk requests", s, w-3)
	}

	c.list.Forget(ctx)
	g, err := c.GroupByID(ctx, "500000120")
	if err != nil || g.Name != "group-0121" {
		t.Fatalf("after Forget: %+v %v", g, err)
	}
	if g, err := c.GroupByName(ctx, "group-0121"); err != nil || g.ID != "500000120" {
		t.Fatalf("after Forget, by name: %+v %v", g, err)
	}
	if s, w := searches(t, srv); s != 0 || w != 6 {
		t.Fatalf("after Forget the run sent %d searches and %d walk requests, want 0 and 6 (one walk again)", s, w)
	}
}

// Forget also drops the cache entry that served the run: the account's
// file is removed, and the lookups after it read the API, whose misses
// say so rather than name the entry's age.
func TestForgetDropsTheCacheEntry(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 120)
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := cachedClient(t, srv, dir, 10*time.Minute).GroupByID(ctx, "500000010"); err != nil {
		t.Fatal(err)
	}
	c := cachedClient(t, srv, dir, 10*time.Minute)
	srv.ResetLog()
	_, err := c.GroupByID(ctx, "no-such-id")
	var nf *NotFoundError
	if !errors.As(err, &nf) || !nf.FromCache || len(srv.Requests()) != 0 {
		t.Fatalf("the entry answers the next run with no request: %v, %s", err, srv.Summary())
	}

	c.list.Forget(ctx)
	if _, err := os.Lstat(c.list.cache.path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the entry is still there after Forget: %v", err)
	}
	_, err = c.GroupByID(ctx, "no-such-id")
	if !errors.As(err, &nf) || nf.FromCache || nf.Searched != 120 {
		t.Fatalf("after Forget the API answers: %v", err)
	}
	if s, w := searches(t, srv); s != 0 || w != 3 {
		t.Fatalf("after Forget the run sent %d searches and %d walk requests, want one walk of 3", s, w)
	}
}

// An assignment forgets the run's list: a lookup after it reads the group
// list again (its count of the group stays unknown, as the run changed it).
func TestAssignForgetsTheList(t *testing.T) {
	t.Parallel()
	c, srv, devices := setupDevices(t, 2)
	ctx := context.Background()
	if _, err := c.GroupByID(ctx, groupKiosks); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AssignDevices(ctx, Assignment{GroupID: groupKiosks, Key: ByDeviceID, Devices: ids(devices)}); err != nil {
		t.Fatal(err)
	}
	if _, w := searches(t, srv); w != 1 {
		t.Fatalf("the assignment's check of the group walked again (%d walk requests): the run's walk answers it", w)
	}
	g, err := c.GroupByID(ctx, groupKiosks)
	if err != nil || !g.DevicesStale {
		t.Fatalf("%+v %v", g, err)
	}
	if _, w := searches(t, srv); w != 2 {
		t.Fatalf("a lookup after the assignment sent %d walk requests in all, want 2 (the list read again)", w)
	}
}
