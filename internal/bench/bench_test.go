package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// The floors of the scale rows follow from their seeds: every group with
// children is listed once, info.ds takes 100 ids (10 at a time for
// Terraform's reads), a listing of stations ends with a short page.
func TestScaleFloorsFollowTheSeeds(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1_000, 20_000} {
		r := drwebGroupsScale(n)
		parents := map[string]bool{"": true}
		for _, g := range r.seed.DrWeb.Groups {
			if g.ParentID != "" {
				parents[g.ParentID] = true
			}
		}
		if got := r.steps[0].floor[drwebList]; got != len(parents) {
			t.Errorf("%d groups: list.ds floor %d, want %d (groups with children and the top level)", n, got, len(parents))
		}
		if got := r.steps[0].floor[drwebInfo]; got != n/100 {
			t.Errorf("%d groups: info.ds floor %d, want %d", n, got, n/100)
		}
	}
	deep := drwebLookupsScale(200)
	if got := deep.steps[0].floor[drwebInfo]; got != 20 {
		t.Errorf("200 lookups, every ancestor among them: info.ds floor %d, want 20", got)
	}
	binary := drwebLookupsScale(20_000)
	config := binary.steps[0].config("http://127.0.0.1:1")
	if n := strings.Count(config, `data "endpointgroups_drweb_group"`); n != 200 {
		t.Errorf("binary tree: %d lookups, want 200", n)
	}
	if got := binary.steps[0].floor[drwebInfo]; got <= 20 || got > 20+20 {
		t.Errorf("binary tree: info.ds floor %d: want 20 and one more per 100 other ancestors", got)
	}
	for _, n := range []int{1_000, 20_000} {
		if got := drwebStationsScale(n).steps[0].floor[drwebPages]; got != n/100+1 {
			t.Errorf("%d stations: %d pages, want %d full ones and the empty one", n, got, n/100)
		}
	}
	if got := opswatNamesScale(40, 706).steps[0].floor[opswatGroups]; got != 15 {
		t.Errorf("40 names over 706 groups: floor %d, want the walk's 15 pages", got)
	}
	if got := opswatNamesScale(9, 2_000).steps[0].floor[opswatGroups]; got != 9 {
		t.Errorf("9 names over 2,000 groups: floor %d, want 9 searches", got)
	}
}

// The groups and stations a row names are in its seed.
func TestScaleRowsNameWhatTheirSeedsHold(t *testing.T) {
	t.Parallel()
	r := drwebMembersScale(1_000)
	srv := emulator.New(r.seed)
	defer srv.Close()
	in := srv.DrWebStationsIn("gen-00000")
	if len(in) != 1_000 {
		t.Fatalf("gen-00000 holds %d stations, want 1,000", len(in))
	}
	for _, st := range r.steps {
		config := st.config(srv.URL)
		for _, id := range []string{in[0], in[999]} {
			if !strings.Contains(config, `"`+id+`"`) && (st.name != "change one" || id != in[0]) {
				t.Errorf("%s: station %s not in the configuration", st.name, id)
			}
		}
	}
	if change := r.steps[2].config(srv.URL); !slices.Contains(srv.DrWebStationsIn("gen-00001"), "gen-00001-st00001") || !strings.Contains(change, `"gen-00001-st00001"`) {
		t.Errorf("change one: the station it puts in is not in the seed")
	}
	names := opswatNamesScale(9, 10_000)
	have := map[string]bool{}
	for _, g := range names.seed.OPSWAT.Groups {
		have[g.GroupName] = true
	}
	for _, line := range strings.Split(names.steps[0].config("http://127.0.0.1:1"), "\n") {
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "name = "); ok && !have[strings.Trim(name, `"`)] {
			t.Errorf("name %s is not in the seed", name)
		}
	}
}

// How each figure grows is read from the smallest size to the largest of
// one family.
func TestScalingNotes(t *testing.T) {
	t.Parallel()
	f := &scaleFamily{name: "stations", unit: "station"}
	step := scaleStep{name: "plan"}
	results := []scaleResult{
		{family: f, size: 1_000, steps: []scaleFigures{{step: step, requests: map[string]int{"a": 10, "b": 1}, wall: time.Second, rssKiB: 40_000}}},
		{family: f, size: 20_000, steps: []scaleFigures{{step: step, requests: map[string]int{"a": 200, "b": 2}, wall: 4 * time.Second, rssKiB: 400_000}}},
		{family: &scaleFamily{name: "once", unit: "group"}, size: 706, steps: []scaleFigures{{step: step}}},
	}
	notes := scalingNotes(results)
	want := []string{
		"stations, plan: 1,000 → 20,000 stations (×20): requests ×18.4, time ×4.0, peak RSS ×10.0, RSS per station ×0.50.",
		"once: one size measured (706 groups).",
	}
	if !slices.Equal(notes, want) {
		t.Errorf("notes:\n%q\nwant\n%q", notes, want)
	}
	if got := requestsCell(scaleFigures{step: scaleStep{floor: map[string]int{drwebChange: 2}}, requests: map[string]int{drwebPages: 33, drwebChange: 2}}); got != "`stations-list.ds` 33, `change.ds` 2 (2)" {
		t.Errorf("requests cell: %s", got)
	}
}

// A target two rows share is printed once.
func TestTargetsPrintedOnce(t *testing.T) {
	t.Parallel()
	same := func(measurement) []check {
		return []check{{"1 request (floor 1)", true}, {"1 request (floor 1)", true}}
	}
	rows := []row{{sc: scenario{name: "a", targets: same}}, {sc: scenario{name: "a", targets: same}},
		{sc: scenario{name: "b", targets: func(measurement) []check { return []check{{"2 requests (target 1)", false}} }}}}
	lines, failed := targetLines(rows)
	want := []string{"met      a: 1 request (floor 1)", "NOT MET  b: 2 requests (target 1)"}
	if !slices.Equal(lines, want) || failed != 1 {
		t.Errorf("targets %q (%d not met), want %q (1)", lines, failed, want)
	}
}
