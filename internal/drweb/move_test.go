package drweb

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

const windowsGroup = "8f1c2a10-0008-4e11-9a01-000000000008"

func primaryOf(t *testing.T, srv *emulator.Server, station string) string {
	t.Helper()
	for _, st := range srv.DrWebStations() {
		if st.ID == station {
			return st.PrimaryGroup
		}
	}
	t.Fatalf("no station %s", station)
	return ""
}

// Each station's change is sent once with parent-group, and the group is
// then each one's primary group, on every server line; progress is told
// per station.
func TestMoveStations(t *testing.T) {
	t.Parallel()
	for _, line := range emulator.DrWebServerLines {
		t.Run(string(line)+"_", func(t *testing.T) {
			t.Parallel()
			testMoveStations(t, line)
		})
	}
}

func testMoveStations(t *testing.T, line emulator.DrWebServerLine) {
	c, srv := setup(t)
	if err := srv.SetDrWebServerLine(line); err != nil {
		t.Fatal(err)
	}
	sts := append([]string{buildSt}, srv.DrWebStationsIn(berlin)[3:6]...)
	var seen []string
	res, err := c.MoveStations(context.Background(), windowsGroup, sts, func(m StationMove, done, total int) {
		if total != 4 || done < 1 || done > 4 {
			t.Errorf("progress %d of %d", done, total)
		}
		seen = append(seen, m.Station)
	})
	if err != nil || len(res.NotMoved()) != 0 {
		t.Fatalf("%v %+v", err, res.NotMoved())
	}
	slices.Sort(seen)
	want := slices.Sorted(slices.Values(sts))
	if !slices.Equal(seen, want) {
		t.Fatalf("progress for %v", seen)
	}
	for _, st := range sts {
		if p := primaryOf(t, srv, st); p != windowsGroup {
			t.Errorf("station %s: primary group %s", st, p)
		}
	}
	var changes []string
	for _, r := range srv.Requests() {
		if r.Path == stationChangePath {
			if r.Query.Get("parent-group") != windowsGroup || r.Query.Has("add-group") || r.Query.Has("delete-group") {
				t.Errorf("change.ds %v", r.Query)
			}
			changes = append(changes, r.Query.Get("id"))
		}
	}
	slices.Sort(changes)
	if !slices.Equal(changes, want) {
		t.Fatalf("change.ds for %v", changes)
	}
}

// An unknown group is refused before anything is sent.
func TestMoveStationsUnknownGroup(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	_, err := c.MoveStations(context.Background(), "no-such-group", []string{buildSt}, nil)
	var nf *NotFoundError
	if !errors.As(err, &nf) || srv.Count(stationChangePath) != 0 {
		t.Fatalf("%v; %d change.ds", err, srv.Count(stationChangePath))
	}
}

// Under each fault before and after the write is applied, each change is
// sent once, and its outcome is what the server holds where the listing
// can show it; a station already listed in the group stays unknown.
func TestMoveStationsFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		fault  emulator.Fault
		member bool // the station is in the target group (as a member) before
		want   MoveStatus
		moved  bool
	}{
		{"drop before", emulator.Fault{Drop: true}, false, MoveNotDone, false},
		{"502 before", emulator.Fault{Status: 502}, false, MoveNotDone, false},
		{"refusal before", emulator.Fault{Errno: 13, Message: "Access denied"}, false, MoveRefused, false},
		{"lost after", emulator.Fault{Lose: true}, false, MoveDoneAnswerLost, true},
		{"502 after", emulator.Fault{Lose: true, Status: 502}, false, MoveDoneAnswerLost, true},
		{"refusal after", emulator.Fault{Lose: true, Errno: 13, Message: "Access denied"}, false, MoveDoneAnswerLost, true},
		{"other station", emulator.Fault{AnswerID: "someone-else"}, false, MoveNotDone, false},
		// Ids are compared exactly, except that a generated UUID's hex
		// digits fold: an answer naming the station's own id in capitals
		// is the station; a chosen id in other case is another.
		{"own id in other case, not a UUID", emulator.Fault{AnswerID: "UPPER"}, false, MoveNotDone, false},
		{"lost after, a member before", emulator.Fault{Lose: true}, true, MoveUnknown, true},
		{"drop before, a member before", emulator.Fault{Drop: true}, true, MoveUnknown, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			st := srv.DrWebStationsIn(berlin)[4]
			target := windowsGroup
			if tc.member {
				st, target = buildSt, berlin // primary Linux, a member of Berlin
			}
			f := tc.fault
			f.Path, f.Times = stationChangePath, 1
			if f.AnswerID == "UPPER" {
				f.AnswerID = strings.ToUpper(st)
			}
			srv.AddFault(f)
			res, err := c.MoveStations(context.Background(), target, []string{st}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if n := srv.Count(stationChangePath); n != 1 {
				t.Errorf("change.ds sent %d times", n)
			}
			m := res.Moves[0]
			if m.Status != tc.want || (m.Status != MoveDoneAnswerLost && m.Err == nil) {
				t.Fatalf("status %d (%v), want %d", m.Status, m.Err, tc.want)
			}
			if moved := primaryOf(t, srv, st) == target; moved != tc.moved {
				t.Fatalf("moved on the server: %v, want %v", moved, tc.moved)
			}
			if m.Status == MoveUnknown && !strings.Contains(m.Err.Error(), "primary group") {
				t.Fatalf("unknown without saying why: %v", m.Err)
			}
		})
	}
}

// A UUID the server answers in capitals names the station it was asked
// about: the move is a plain success, not a doubt settled by a listing.
func TestMoveStationsAnswerUUIDCase(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.AddFault(emulator.Fault{Path: stationChangePath, Times: 1, Lose: true, AnswerID: strings.ToUpper(buildSt)})
	res, err := c.MoveStations(context.Background(), windowsGroup, []string{buildSt}, nil)
	if err != nil || res.Moves[0].Status != MoveDone || res.Moves[0].Err != nil {
		t.Fatalf("%v %+v", err, res.Moves)
	}
	if p := primaryOf(t, srv, buildSt); p != windowsGroup {
		t.Fatalf("primary group %s", p)
	}
	if n := srv.Count(stationChangePath); n != 1 {
		t.Fatalf("change.ds sent %d times", n)
	}
}

// A generated id written in two cases is one station: one change is sent.
func TestMoveStationsOneChangePerStationWhateverTheCase(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	res, err := c.MoveStations(context.Background(), windowsGroup, []string{buildSt, strings.ToUpper(buildSt)}, nil)
	if err != nil || len(res.Moves) != 1 || res.Moves[0].Status != MoveDone {
		t.Fatalf("%v %+v", err, res.Moves)
	}
	if n := srv.Count(stationChangePath); n != 1 {
		t.Fatalf("change.ds sent %d times, want once", n)
	}
}

// An interrupt leaves the stations not yet sent as not sent.
func TestMoveStationsInterrupted(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.MoveStations(ctx, windowsGroup, []string{buildSt}, nil); err == nil {
		t.Fatal("moved with a cancelled context")
	}
	if srv.Count(stationChangePath) != 0 {
		t.Fatal("change.ds sent after the interrupt")
	}
}

// A group that cannot be primary (Status, Everyone) is refused by the
// server, which the result says, and the station stays where it was.
func TestMoveStationsIntoStatusRefused(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	for _, g := range []string{emulator.StatusGroupID, emulator.EveryoneID} {
		res, err := c.MoveStations(context.Background(), g, []string{buildSt}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var refused *moveError
		if m := res.Moves[0]; m.Status != MoveRefused || !errors.As(m.Err, &refused) || refused.Code != "36" || primaryOf(t, srv, buildSt) != linux {
			t.Fatalf("%s: %+v", g, m)
		}
	}
}
