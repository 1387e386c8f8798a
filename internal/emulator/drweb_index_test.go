package emulator

import (
	"encoding/xml"
	"net/url"
	"slices"
	"testing"
)

// listIDs is what list.ds answers for a parent ("" for the top level).
func listIDs(t *testing.T, s *Server, parent string) []string {
	t.Helper()
	var doc struct {
		Groups []struct {
			ID string `xml:"id,attr"`
		} `xml:"groups>group"`
	}
	if err := xml.Unmarshal([]byte(drwebGet(t, s, "/api/groups/list.ds?parent-group="+url.QueryEscape(parent))), &doc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, g := range doc.Groups {
		ids = append(ids, g.ID)
	}
	return ids
}

// stationIDs is the first page (1,000 a page) of a group's stations.
func stationIDs(t *testing.T, s *Server, group string) []string {
	t.Helper()
	var doc struct {
		Stations []struct {
			ID string `xml:"id,attr"`
		} `xml:"stations>station"`
	}
	if err := xml.Unmarshal([]byte(drwebGet(t, s, "/api/groups/stations-list.ds?per-page=1000&id="+url.QueryEscape(group))), &doc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, st := range doc.Stations {
		ids = append(ids, st.ID)
	}
	return ids
}

// The listings answer from indexes of the store; every way the store
// changes (the API's writes and a test's changes behind the client's back)
// shows in the next answer.
func TestDrWebListingsFollowEveryChange(t *testing.T) {
	t.Parallel()
	seed := DefaultSeed()
	seed.DrWeb.Groups = GenerateDrWebTree(2000, 10)
	seed.DrWeb.Stations = nil
	s := New(seed)
	defer s.Close()

	if got := listIDs(t, s, "gen-00003"); !slices.Equal(got, []string{"gen-00040", "gen-00041", "gen-00042", "gen-00043", "gen-00044", "gen-00045", "gen-00046", "gen-00047", "gen-00048", "gen-00049"}) {
		t.Fatalf("children of gen-00003: %v", got)
	}
	if got := listIDs(t, s, ""); len(got) != 10 || got[0] != "gen-00000" {
		t.Fatalf("top level: %v", got)
	}
	s.AddDrWebGroup(DrWebGroup{ID: "behind", ParentID: "gen-00003", Name: "behind"})
	drwebGet(t, s, "/api/groups/add.ds?id=added&name=added&parent-group=gen-00003")
	s.UpdateDrWebGroup("gen-00040", func(g *DrWebGroup) { g.ParentID = "gen-00004" })
	drwebGet(t, s, "/api/groups/change.ds?id=gen-00041&parent-group=gen-00004")
	s.DeleteDrWebGroup("gen-00042")
	drwebGet(t, s, "/api/groups/delete.ds?id=gen-01999")
	if got := listIDs(t, s, "gen-00003"); !slices.Equal(got, []string{"gen-00043", "gen-00044", "gen-00045", "gen-00046", "gen-00047", "gen-00048", "gen-00049", "behind", "added"}) {
		t.Errorf("children of gen-00003 after the changes: %v", got)
	}
	if got := listIDs(t, s, "gen-00198"); len(got) != 9 || slices.Contains(got, "gen-01999") {
		t.Errorf("children of gen-00198 after delete.ds: %v", got)
	}
	if got := listIDs(t, s, "gen-00004"); !slices.Contains(got, "gen-00040") || !slices.Contains(got, "gen-00041") || len(got) != 12 {
		t.Errorf("children of gen-00004 after the moves: %v", got)
	}

	// gen-00005 holds 5 made-up stations (i % 17).
	if got := stationIDs(t, s, "gen-00005"); len(got) != 5 || got[0] != "gen-00005-st00001" {
		t.Fatalf("stations of gen-00005: %v", got)
	}
	drwebGet(t, s, "/api/stations/change.ds?id=gen-00005-st00001&parent-group=gen-00006")
	s.UpdateDrWebStation("gen-00005-st00002", func(st *DrWebStation) { st.Groups = append(st.Groups, "gen-00006") })
	s.UpdateDrWebStation("gen-00005-st00003", func(st *DrWebStation) { st.Deleted = true })
	if got := stationIDs(t, s, "gen-00005"); !slices.Equal(got, []string{"gen-00005-st00002", "gen-00005-st00004", "gen-00005-st00005"}) {
		t.Errorf("stations of gen-00005 after the changes: %v", got)
	}
	if got := stationIDs(t, s, "gen-00006"); len(got) != 8 || !slices.Contains(got, "gen-00005-st00001") || !slices.Contains(got, "gen-00005-st00002") {
		t.Errorf("stations of gen-00006 after the changes: %v", got)
	}
	s.SetDrWebStations([]DrWebStation{{ID: "only", Name: "only", PrimaryGroup: "gen-00006"}})
	if got := stationIDs(t, s, "gen-00006"); len(got) != 6 || got[0] != "only" {
		t.Errorf("stations of gen-00006 after SetDrWebStations: %v", got)
	}

	s.SetDrWebGroups(GenerateDrWebTree(30, 3))
	if got := listIDs(t, s, "gen-00003"); !slices.Equal(got, []string{"gen-00012", "gen-00013", "gen-00014"}) {
		t.Errorf("children of gen-00003 after SetDrWebGroups: %v", got)
	}
}
