package drweb

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// With Known, a membership change does not read the group before: it
// sends the additions Known lacks and the removals it has, reads the group
// once afterwards, and reports each outcome as that listing shows it.
func TestChangeMembersKnown(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	ctx := context.Background()
	berlinSt := srv.DrWebStationsIn(berlin)
	in, out, added := berlinSt[1], berlinSt[2], berlinSt[3]
	if _, err := c.changeMembers(ctx, linux, []string{in, out}, nil); err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	res, err := c.ChangeMembersOf(ctx, MembersChange{Group: linux, Add: []string{in, added}, Remove: []string{out}, Known: []string{in, out}})
	if err != nil {
		t.Fatal(err)
	}
	var sent []string
	for _, r := range srv.Requests() {
		if r.Path == stationChangePath {
			sent = append(sent, r.Query.Get("id"))
		}
	}
	slices.Sort(sent)
	if want := slices.Sorted(slices.Values([]string{added, out})); !slices.Equal(sent, want) {
		t.Errorf("sent %v, want %v", sent, want)
	}
	if n := srv.Count(stationsListPath); n != 1 {
		t.Errorf("%d stations-list.ds requests, want the one read-back", n)
	}
	for _, ch := range res.Changes {
		if ch.Outcome != MemberDone {
			t.Errorf("%s %s: outcome %v (%v)", ch.Op, ch.Station, ch.Outcome, ch.Err)
		}
	}
	if !slices.Equal(res.Before, []string{in, out}) || !slices.Contains(res.After, added) || slices.Contains(res.After, out) {
		t.Errorf("before %v, after %v", res.Before, res.After)
	}
}

// MembersGone: a group shown gone (its id refused, the tree without it) is
// a *GoneError; a refusal the tree contradicts, or a look that fails, is
// not, and any other error passes as it is.
func TestMembersGone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	refusal := func(t *testing.T, c *Client) error {
		t.Helper()
		_, err := c.Stations(ctx, linux)
		var nf *NotFoundError
		if !errors.As(err, &nf) {
			t.Fatalf("the listing of a deleted group: %v", err)
		}
		return err
	}
	t.Run("deleted", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t)
		srv.DeleteDrWebGroup(linux)
		err := c.MembersGone(ctx, linux, refusal(t, c))
		var gone *GoneError
		if !errors.As(err, &gone) || gone.ID != linux || !strings.Contains(err.Error(), "the group tree does not list it") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("the look fails", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t)
		srv.DeleteDrWebGroup(linux)
		first := refusal(t, c)
		srv.AddFault(emulator.Fault{Path: listPath, Status: 500, Body: "down"})
		err := c.MembersGone(ctx, linux, first)
		var gone *GoneError
		if errors.As(err, &gone) || !strings.Contains(err.Error(), "whether it is gone could not be told") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("refused but there", func(t *testing.T) {
		t.Parallel()
		c, _ := setup(t)
		nf := &NotFoundError{ID: linux, Server: errors.New("error 8")}
		err := c.MembersGone(ctx, linux, nf)
		var gone *GoneError
		if errors.As(err, &gone) || !errors.Is(err, nf) || err.Error() != nf.Error() {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("another error", func(t *testing.T) {
		t.Parallel()
		c, _ := setup(t)
		other := errors.New("connection refused")
		if err := c.MembersGone(ctx, linux, other); !errors.Is(err, other) || err.Error() != other.Error() {
			t.Fatalf("got %v", err)
		}
	})
}

// SharedStations keeps, per group, the stations listed in another group
// too, in the group's order; a station in one group only is left out.
func TestSharedStations(t *testing.T) {
	t.Parallel()
	st := func(ids ...string) []Station {
		out := make([]Station, len(ids))
		for i, id := range ids {
			out[i] = Station{ID: id}
		}
		return out
	}
	got := SharedStations([]string{"a", "b", "c"}, [][]Station{st("s3", "s1", "s2"), st("s2", "s4"), st("s1", "s3")})
	want := map[string][]string{"a": {"s3", "s1", "s2"}, "b": {"s2"}, "c": {"s1", "s3"}}
	for g, ids := range want {
		if !slices.Equal(got[g], ids) {
			t.Errorf("group %s: %v, want %v", g, got[g], ids)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// MembershipGroups keeps every group a station can be in, system groups
// too, but Everyone (it lists every station) and Status with its subgroups.
func TestMembershipGroups(t *testing.T) {
	t.Parallel()
	nodes := []TreeNode{
		{ID: "u1"}, {ID: "u2", ParentID: "u1"},
		{ID: EveryoneID, System: true},
		{ID: statusID, System: true}, {ID: "online", ParentID: statusID, System: true}, {ID: "deep", ParentID: "online", System: true},
		{ID: "f991915f-8a15-4cf7-817a-d81d156d2bbe", System: true}, {ID: "win", ParentID: "f991915f-8a15-4cf7-817a-d81d156d2bbe", System: true},
	}
	got := MembershipGroups(nodes)
	if want := []string{"u1", "u2", "f991915f-8a15-4cf7-817a-d81d156d2bbe", "win"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
