package drweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

const (
	linux   = "8f1c2a10-0007-4e11-9a01-000000000007"
	buildSt = "5f0c9e1a-0001-4c55-8e21-00000000a001" // primary group Linux, also in Berlin
)

// withStations gives a group n stations (made up by the emulator).
func withStations(t *testing.T, srv *emulator.Server, group string, n int) {
	t.Helper()
	groups := srv.DrWebGroups()
	i := slices.IndexFunc(groups, func(g emulator.DrWebGroup) bool { return g.ID == group })
	if i < 0 {
		t.Fatalf("no group %s", group)
	}
	groups[i].Stations = n
	srv.SetDrWebGroups(groups)
}

func stationIDs(sts []Station) []string {
	out := make([]string, len(sts))
	for i, s := range sts {
		out[i] = s.ID
	}
	return out
}

// 230 stations at 100 a page: 3 requests on every server line, every
// station once and in server order; concurrent readers share the pages.
func TestStationsPagingEveryLine(t *testing.T) {
	t.Parallel()
	for _, line := range emulator.DrWebServerLines {
		t.Run(string(line)+"_", func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			if err := srv.SetDrWebServerLine(line); err != nil {
				t.Fatal(err)
			}
			withStations(t, srv, berlin, 230)
			want := srv.DrWebStationsIn(berlin)
			if len(want) != 230 {
				t.Fatalf("the emulator has %d stations in Berlin", len(want))
			}
			var wg sync.WaitGroup
			got := make([][]Station, 10)
			errs := make([]error, 10)
			for i := range got {
				wg.Go(func() { got[i], errs[i] = c.Stations(context.Background(), berlin) })
			}
			wg.Wait()
			for i := range got {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				if !slices.Equal(stationIDs(got[i]), want) {
					t.Fatalf("reader %d got %d stations, not the server's 230 in order", i, len(got[i]))
				}
			}
			want3 := 3
			if line == emulator.DrWebESS12 {
				want3++ // the first JSON answer does not parse: asked again in XML
			}
			if n := srv.Count(stationsListPath); n != want3 {
				t.Errorf("%d stations-list.ds requests, want %d\n%s", n, want3, srv.Summary())
			}
			st := got[0][0]
			if st.ID != buildSt || st.Name != "berlin-build-01" || st.State != 1 || st.LastSeen != "2024-11-28T13:20:00Z" || st.LastSeenAddress != "tcp://10.1.0.21:2193" {
				t.Errorf("first station: %+v", st)
			}
		})
	}
}

// The vendor's example: stations total counts the page's rows; the pages
// block says how many pages there are.
func TestDecodeVendorStationsPage(t *testing.T) {
	t.Parallel()
	doc, err := decode(response(`<drweb-es-api api_version="4.3.0" status="true">
 <stations total="2">
  <station id="1" name="Android SDK built for x865d56" last_seen_time="1588001727"
           last_seen_addr="tcp://192.168.233.131:49285" state="2" os="17105152" os_name="Android Phone"
           login_addr="10.3.0.16" login_mac="02:00:00:44:55:66" expires="0" createtime="20200427081641436"
           blockbeg="0" blockend="0"/>
  <station id="2" name="never" last_seen_time="0" last_seen_addr="" state="0"/>
 </stations>
 <pages total="4" current="1" objects-per-page="2"/>
</drweb-es-api>`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Station{
		{ID: "1", Name: "Android SDK built for x865d56", State: 2, LastSeen: "2020-04-27T15:35:27Z", LastSeenAddress: "tcp://192.168.233.131:49285"},
		{ID: "2", Name: "never"},
	}
	if !slices.Equal(doc.Stations, want) || doc.Pages == nil || *doc.Pages != (pages{Total: 4, Current: 1}) {
		t.Fatalf("got %+v pages %+v", doc.Stations, doc.Pages)
	}
	for name, body := range map[string]string{
		"json list":   `{"head":{"status":true},"data":{"stations":{"total":1,"list":[{"id":"1","name":"a","state":"1","last_seen_time":1588001727}]},"pages":{"total":"1","current":1}}}`,
		"json bare":   `{"head":{"status":true},"data":{"stations":[{"id":1,"name":"a","state":1,"last_seen_time":"1588001727"}],"pages":{"total":1}}}`,
		"json nopage": `{"head":{"status":true},"data":{"stations":[{"id":1,"name":"a","state":1,"last_seen_time":"1588001727"}]}}`,
	} {
		doc, err := decode(response(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := []Station{{ID: "1", Name: "a", State: 1, LastSeen: "2020-04-27T15:35:27Z"}}; !slices.Equal(doc.Stations, want) {
			t.Errorf("%s: %+v", name, doc.Stations)
		}
	}
}

// hostilePages serves stations-list.ds from page: the rows of a page (ids
// first to first+n-1), the pages total as sent, and the current page.
func hostilePages(t *testing.T, page func(p int) (first, n int, total string, current int)) (*Client, *int) {
	t.Helper()
	var mu sync.Mutex
	asked := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked++
		mu.Unlock()
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		first, n, total, current := page(p)
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `<station id="s%d" name="n" state="0"/>`, first+i)
		}
		w.Header().Set("Content-Type", "text/xml")
		_, _ = fmt.Fprintf(w, `<drweb-es-api status="true"><stations total="%d">%s</stations><pages total="%s" current="%d"/></drweb-es-api>`, n, b.String(), total, current)
	}))
	t.Cleanup(ts.Close)
	c, err := New(Config{URL: ts.URL, Login: "a", Password: "b"}, fast)
	if err != nil {
		t.Fatal(err)
	}
	return c, &asked
}

// A listing that contradicts itself is an error naming the group and the
// page, never a part of the group taken for the whole; one that under-reports
// its pages is read to its end; each bound stops a listing with an error
// that names it.
func TestStationsPagingContradictions(t *testing.T) {
	t.Parallel()
	// ok pages: 250 stations, 100 a page, the pages total as given.
	ok := func(total string) func(p int) (int, int, string, int) {
		return func(p int) (int, int, string, int) {
			return (p - 1) * 100, max(0, min(100, 250-(p-1)*100)), total, p
		}
	}
	for _, tc := range []struct {
		name   string
		page   func(p int) (first, n int, total string, current int)
		bounds *stationListBounds
		want   string // the error; "" for the 250 stations
		bound  string
		asked  int
	}{
		{name: "under-reported total", page: ok("1"), asked: 3},
		{name: "total zero", page: ok("0"), asked: 3},
		{name: "exact", page: ok("3"), asked: 3},
		{name: "full last page", page: func(p int) (int, int, string, int) {
			return (p - 1) * 100, max(0, min(100, 200-(p-1)*100)), "2", p
		}, want: "", asked: 3},
		{name: "total not a number", page: ok("lots"), want: `at page 1: its pages total "lots" is not a whole number`},
		{name: "total fraction", page: ok("3.5"), want: `at page 1: its pages total "3.5" is not a whole number`},
		{name: "total negative", page: ok("-3"), want: `its pages total "-3" is not a whole number`},
		{name: "empty page before the last", page: func(p int) (int, int, string, int) {
			if p == 2 {
				return 0, 0, "3", p
			}
			return ok("3")(p)
		}, want: `at page 2: the page holds 0 stations, fewer than the 100 asked for, yet the answer gives 3 pages`},
		{name: "short page before the last", page: func(p int) (int, int, string, int) {
			return (p - 1) * 100, 40, "3", p
		}, want: `at page 1: the page holds 40 stations, fewer than the 100 asked for, yet the answer gives 3 pages`},
		{name: "a page repeated", page: func(p int) (int, int, string, int) {
			return 0, 100, "9", p
		}, want: `at page 2: the page holds only stations of earlier pages`, asked: 2},
		{name: "larger than asked", page: func(p int) (int, int, string, int) {
			return (p - 1) * 1000, 1000, "9", p
		}, want: `at page 1: the page holds 1000 stations, more than the 100 asked for`, asked: 1},
		{name: "another page", page: func(p int) (int, int, string, int) {
			return (p - 1) * 100, 100, "9", 1
		}, want: `at page 2: page 2 was asked for and page 1 came back`},
		{name: "pages bound", page: func(p int) (int, int, string, int) { return (p - 1) * 100, 100, "1", p },
			bounds: &stationListBounds{Pages: 5, Stations: 1e6, Bytes: 1 << 30},
			want:   `stopped at page 6: it has more than 5 pages of 100 stations, the most a listing reads`, bound: "pages", asked: 5},
		{name: "stations bound", page: func(p int) (int, int, string, int) { return (p - 1) * 100, 100, "1", p },
			bounds: &stationListBounds{Pages: 100, Stations: 250, Bytes: 1 << 30},
			want:   `stopped at page 3: it holds more than 250 stations, the most a listing keeps`, bound: "stations", asked: 3},
		{name: "bytes bound", page: func(p int) (int, int, string, int) { return (p - 1) * 100, 100, "1", p },
			bounds: &stationListBounds{Pages: 100, Stations: 1e6, Bytes: 64 << 10},
			want:   `its answers passed 64 KiB, the most a listing reads`, bound: "bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, asked := hostilePages(t, tc.page)
			if tc.bounds != nil {
				c.stationBounds = *tc.bounds
			}
			got, err := c.Stations(context.Background(), "g-1")
			if tc.want == "" {
				if err != nil || len(got) != max(200, min(250, len(got))) || got[0].ID != "s0" {
					t.Fatalf("got %d stations, %v", len(got), err)
				}
			} else {
				var pe *PagingError
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `the group "g-1"`) || pe.Bound != tc.bound || got != nil {
					t.Fatalf("got %d stations and %v, want an error with %q (bound %q)", len(got), err, tc.want, tc.bound)
				}
			}
			if tc.asked != 0 && *asked != tc.asked {
				t.Errorf("%d requests, want %d", *asked, tc.asked)
			}
		})
	}
}

// States on every line: AV-Desk sends no all count, and it stays nil.
func TestStationStates(t *testing.T) {
	t.Parallel()
	for _, line := range emulator.DrWebServerLines {
		c, srv := setup(t)
		if err := srv.SetDrWebServerLine(line); err != nil {
			t.Fatal(err)
		}
		s, err := c.States(context.Background(), berlin)
		if err != nil {
			t.Fatal(err)
		}
		noAll := line == emulator.DrWebAVDesk413 || line == emulator.DrWebDefault
		if (s.All == nil) != noAll || s.Online == nil || s.Offline == nil || s.WithUpdateErrors == nil || s.Deleted == nil {
			t.Fatalf("%s: %+v", line, s)
		}
		if *s.Online+*s.Offline != 25 || (s.All != nil && *s.All != 25) {
			t.Errorf("%s: online %d + offline %d, all %v; want 25 stations", line, *s.Online, *s.Offline, s.All)
		}
		if _, err := c.States(context.Background(), "no-such-group"); !errors.Is(err, client.ErrNotFound) {
			t.Errorf("%s: unknown group: %v", line, err)
		}
	}
}

// A subtree's stations: the group's own, then each subgroup's depth first,
// each station once, the same on every line.
func TestSubtreeStations(t *testing.T) {
	t.Parallel()
	for _, line := range emulator.DrWebServerLines {
		c, srv := setup(t)
		if err := srv.SetDrWebServerLine(line); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, g := range []string{offices, berlin, "8f1c2a10-0004-4e11-9a01-000000000004", moscow, "8f1c2a10-0005-4e11-9a01-000000000005"} {
			for _, id := range srv.DrWebStationsIn(g) {
				if !slices.Contains(want, id) {
					want = append(want, id)
				}
			}
		}
		got, err := c.SubtreeStations(context.Background(), offices)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(stationIDs(got), want) || len(want) != 120 {
			t.Errorf("%s: got %d stations, want the 120 in tree order", line, len(got))
		}
	}
}

// Membership changes: adds and a removal are sent once each, the primary
// group's removal is reported as kept, an unknown station as refused, a
// station already in the group costs nothing.
func TestChangeMembers(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	ctx := context.Background()
	before := srv.DrWebStationsIn(linux)
	linuxOwn := before[1] // a made-up station whose primary group is Linux
	berlinSt := srv.DrWebStationsIn(berlin)[3]
	// Put one of Berlin's stations into Linux first, to take it out below.
	if _, err := c.changeMembers(ctx, linux, []string{berlinSt}, nil); err != nil {
		t.Fatal(err)
	}
	srv.ResetLog()
	res, err := c.changeMembers(ctx, linux, []string{"new-1", buildSt}, []string{berlinSt, linuxOwn})
	if err != nil {
		t.Fatal(err)
	}
	outcome := map[string]MemberOutcome{}
	for _, ch := range res.Changes {
		outcome[ch.Station] = ch.Outcome
	}
	if len(res.Changes) != 3 || outcome["new-1"] != MemberRefused || outcome[berlinSt] != MemberDone || outcome[linuxOwn] != MemberKeptPrimary {
		t.Errorf("changes: %+v", res.Changes)
	}
	var refused *StationWriteError
	for _, ch := range res.Changes {
		if ch.Station == "new-1" && (!errors.As(ch.Err, &refused) || !strings.Contains(ch.Err.Error(), `Dr.Web refused to add the station "new-1" to the group "`+linux+`": error 8`)) {
			t.Errorf("unknown station: %v", ch.Err)
		}
	}
	if n := srv.Count(stationChangePath); n != 3 {
		t.Errorf("%d change.ds requests, want 3 (none for the station already there)", n)
	}
	if slices.Contains(res.After, berlinSt) || !slices.Contains(res.After, linuxOwn) || !slices.Contains(res.After, buildSt) {
		t.Errorf("after: %v", res.After)
	}
	if _, err := c.changeMembers(ctx, "no-such-group", []string{buildSt}, nil); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("unknown group: %v", err)
	}
}

// A lost answer is settled by reading the group, not by sending again.
func TestChangeMembersLostAnswer(t *testing.T) {
	t.Parallel()
	for _, lose := range []bool{false, true} {
		c, srv := setup(t)
		st := srv.DrWebStationsIn(berlin)[5]
		if lose { // applied, answer lost
			srv.AddFault(emulator.Fault{Path: stationChangePath, Lose: true, Times: 1})
		} else { // never applied
			srv.AddFault(emulator.Fault{Path: stationChangePath, Status: 502, Times: 1})
		}
		res, err := c.changeMembers(context.Background(), linux, []string{st}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := MemberUnknown
		if lose {
			want = MemberDoneAnswerLost
		}
		if len(res.Changes) != 1 || res.Changes[0].Outcome != want || slices.Contains(res.After, st) != lose {
			t.Errorf("lose=%v: %+v after %v", lose, res.Changes, res.After)
		}
		if n := srv.Count(stationChangePath); n != 1 {
			t.Errorf("lose=%v: change.ds sent %d times", lose, n)
		}
	}
}

// Every fault before and after the server applies a change: the change is
// sent once, and its outcome is what the group then shows (done exactly
// when the station is where it should be), never a guess.
func TestChangeMembersFaults(t *testing.T) {
	t.Parallel()
	faults := map[string]emulator.Fault{
		"drop before":         {Drop: true},
		"502 before":          {Status: 502},
		"html 503 before":     {Status: 503, Body: "<html>busy</html>"},
		"refusal before":      {Errno: 13, Message: "Access denied"},
		"lost after":          {Lose: true},
		"502 after":           {Lose: true, Status: 502},
		"refusal after":       {Lose: true, Errno: 13, Message: "Access denied"},
		"other station":       {AnswerID: "someone-else"},
		"other station after": {Lose: true, AnswerID: "someone-else"},
	}
	for name, f := range faults {
		for _, op := range []MemberOp{OpAddStation, OpRemoveStation} {
			t.Run(name+"/"+string(op), func(t *testing.T) {
				t.Parallel()
				c, srv := setup(t)
				st := srv.DrWebStationsIn(berlin)[4]
				ctx := context.Background()
				var add, remove []string
				if op == OpAddStation {
					add = []string{st}
				} else {
					if _, err := c.changeMembers(ctx, linux, []string{st}, nil); err != nil {
						t.Fatal(err)
					}
					remove = []string{st}
				}
				srv.ResetLog()
				fault := f // the two ops' subtests run at once
				fault.Path, fault.Times = stationChangePath, 1
				srv.AddFault(fault)
				res, err := c.changeMembers(ctx, linux, add, remove)
				if err != nil {
					t.Fatal(err)
				}
				if n := srv.Count(stationChangePath); n != 1 {
					t.Errorf("change.ds sent %d times", n)
				}
				if len(res.Changes) != 1 {
					t.Fatalf("changes: %+v", res.Changes)
				}
				ch := res.Changes[0]
				in := slices.Contains(srv.DrWebStationsIn(linux), st)
				shown := in == (op == OpAddStation)
				switch ch.Outcome {
				case MemberDone, MemberDoneAnswerLost:
					if !shown {
						t.Errorf("outcome %d, but the group does not show the change", ch.Outcome)
					}
				case MemberRefused, MemberUnknown:
					if shown {
						t.Errorf("outcome %d (%v), but the group shows the change", ch.Outcome, ch.Err)
					}
					if ch.Err == nil {
						t.Errorf("outcome %d without an error", ch.Outcome)
					}
				default:
					t.Errorf("outcome %d", ch.Outcome)
				}
				if slices.Contains(res.After, st) != in {
					t.Errorf("After says %v, the server %v", slices.Contains(res.After, st), in)
				}
			})
		}
	}
}

// A refusal that echoes the password or the Basic value reaches neither
// the error nor its message.
func TestChangeMembersRefusalIsRedacted(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	st := srv.DrWebStationsIn(berlin)[6]
	srv.AddFault(emulator.Fault{Path: stationChangePath, Errno: 13, Message: "denied for admin:demo-password (YWRtaW46ZGVtby1wYXNzd29yZA==)", Times: 1})
	res, err := c.changeMembers(context.Background(), linux, []string{st}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1 || res.Changes[0].Outcome != MemberRefused {
		t.Fatalf("changes: %+v", res.Changes)
	}
	msg := res.Changes[0].Err.Error()
	if strings.Contains(msg, "demo-password") || strings.Contains(msg, "YWRtaW46ZGVtby1wYXNzd29yZA==") || !strings.Contains(msg, "error 13") {
		t.Fatalf("the refusal: %s", msg)
	}
}

// Counts that are not non-negative whole numbers are nil, each named in a
// warning; the others are kept.
func TestStationStatesNotNumbers(t *testing.T) {
	t.Parallel()
	for _, xmlOnly := range []bool{false, true} {
		c, srv := setup(t)
		srv.SetDrWebXMLOnly(xmlOnly)
		srv.SetDrWebStationsHostility(emulator.DrWebStationsHostility{Counts: map[string]string{
			"online": "lots", "offline": "3.5", "new": "100000000000000000000000", "deleted": "-1", "newbies": "",
		}})
		s, err := c.States(context.Background(), berlin)
		if err != nil {
			t.Fatal(err)
		}
		if s.Online != nil || s.Offline != nil || s.New != nil || s.Deleted != nil || s.Newbies != nil || s.WithUpdateErrors == nil {
			t.Errorf("xml %v: %+v", xmlOnly, s)
		}
		got := strings.Join(s.Warnings, "\n")
		for _, want := range []string{`"online" of states.ds is "lots"`, `"offline" of states.ds is "3.5"`, `"new" of states.ds is "1000000000000000000000`, `"deleted" of states.ds is "-1"`, `"newbies" of states.ds is ""`} {
			if !strings.Contains(got, want) {
				t.Errorf("xml %v: the warnings lack %q:\n%s", xmlOnly, want, got)
			}
		}
	}
}

// A station the server accepts but never lists (marked deleted) is
// MemberNotListed after the read-back, not taken for done; a removal of
// it named as Unlisted is sent although the listing does not show it.
func TestChangeMembersNotListed(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	ctx := context.Background()
	ghost := srv.DrWebStationsIn(berlin)[5]
	srv.UpdateDrWebStation(ghost, func(st *emulator.DrWebStation) { st.Deleted = true })
	srv.ResetLog()
	res, err := c.changeMembers(ctx, linux, []string{ghost}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1 || res.Changes[0].Outcome != MemberNotListed || slices.Contains(res.After, ghost) {
		t.Errorf("changes %+v after %v", res.Changes, res.After)
	}
	if n := srv.Count(stationsListPath); n != 2 {
		t.Errorf("%d listings, want the one before and the read-back", n)
	}
	res, err = c.ChangeMembersOf(ctx, MembersChange{Group: linux, Remove: []string{ghost}, Unlisted: []string{ghost}})
	if err != nil || len(res.Changes) != 1 || res.Changes[0].Outcome != MemberDone {
		t.Errorf("removal of the unlisted station: %+v, %v", res.Changes, err)
	}
	if st := srv.DrWebStations(); slices.ContainsFunc(st, func(s emulator.DrWebStation) bool { return s.ID == ghost && slices.Contains(s.Groups, linux) }) {
		t.Error("the unlisted station is still in the group on the server")
	}
}

// One change holds its stations: another's removal of one of them is not
// sent, whichever of the two comes first, and the group keeps it.
func TestChangeMembersHold(t *testing.T) {
	t.Parallel()
	for _, holdFirst := range []bool{true, false} {
		c, srv := setup(t)
		ctx := context.Background()
		st := srv.DrWebStationsIn(berlin)[6]
		if _, err := c.changeMembers(ctx, linux, []string{st}, nil); err != nil {
			t.Fatal(err)
		}
		hold := func() {
			if _, err := c.ChangeMembersOf(ctx, MembersChange{Group: linux, Add: []string{st}, Hold: true}); err != nil {
				t.Fatal(err)
			}
		}
		if holdFirst {
			hold()
		}
		other := srv.DrWebStationsIn(berlin)[7] // a change sent beside the one held back
		res, err := c.changeMembers(ctx, linux, []string{other}, []string{st})
		if err != nil {
			t.Fatal(err)
		}
		outcome := map[string]MemberOutcome{}
		for _, ch := range res.Changes {
			outcome[ch.Station] = ch.Outcome
		}
		if holdFirst && (len(res.Changes) != 2 || outcome[st] != MemberKeptForOther || outcome[other] != MemberDone) {
			t.Errorf("held first: %+v", res.Changes)
		}
		if !holdFirst {
			hold()
		}
		if !slices.Contains(srv.DrWebStationsIn(linux), st) {
			t.Errorf("held first %v: the station left the group", holdFirst)
		}
	}
}

// Only the not-found refusal (errno 8) of a station listing or of the
// state counts says the group is gone; another (no rights) names the group
// and what the server said.
func TestStationListingRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path     string
		errno    int
		notFound bool
	}{
		{stationsListPath, errnoNotFound, true}, {stationsListPath, 2, false},
		{statesPath, errnoNotFound, true}, {statesPath, 2, false},
	} {
		c, srv := setup(t)
		srv.AddFault(emulator.Fault{Path: tc.path, Errno: tc.errno, Message: "no rights for admin"})
		var err error
		if tc.path == statesPath {
			_, err = c.States(context.Background(), berlin)
		} else {
			_, err = c.Stations(context.Background(), berlin)
		}
		var nf *NotFoundError
		var refused *ListingRefusedError
		switch {
		case tc.notFound && (!errors.As(err, &nf) || nf.ID != berlin):
			t.Errorf("%s errno %d: got %v, want the group %q not found", tc.path, tc.errno, err, berlin)
		case !tc.notFound && (errors.As(err, &nf) || errors.Is(err, client.ErrNotFound) || !errors.As(err, &refused) || refused.ID != berlin ||
			!strings.Contains(err.Error(), berlin) || !strings.Contains(err.Error(), "no rights for admin")):
			t.Errorf("%s errno %d: got %v (%T), want a refusal naming %q and the server's text", tc.path, tc.errno, err, err, berlin)
		}
	}
}
