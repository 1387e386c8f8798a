package drweb

import (
	"slices"
	"testing"
)

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
