package opswat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

const (
	groupDefault = "167641719"
	groupSF      = "260854829"
	groupKiosks  = "301122004"
)

type actionBody struct {
	Types  string
	IDs    []string
	MACs   []string
	Params struct {
		GroupID string `json:"group_id"`
	}
}

func actionRequests(t *testing.T, srv *emulator.Server) []actionBody {
	t.Helper()
	var out []actionBody
	for _, r := range srv.Requests() {
		if r.Path != devicesActionPath {
			continue
		}
		var b actionBody
		if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
			t.Fatalf("request body %q: %v", r.Body, err)
		}
		out = append(out, b)
	}
	return out
}

func setupDevices(t *testing.T, n int) (*Client, *emulator.Server, []emulator.OPSWATDevice) {
	t.Helper()
	c, srv := setup(t, -1)
	devices := emulator.GenerateOPSWATDevices(n, groupDefault)
	srv.SetOPSWATDevices(devices)
	return c, srv, devices
}

func ids(devices []emulator.OPSWATDevice) []string {
	out := make([]string, len(devices))
	for i, d := range devices {
		out[i] = d.ID
	}
	return out
}

// 120 devices go in 3 requests of at most 50, each answered per device in
// every documented shape, and the server then holds them in the group.
func TestAssignDevicesInChunks(t *testing.T) {
	t.Parallel()
	for name, shape := range map[string]emulator.OPSWATActionAnswer{"v3.0": emulator.ActionAnswerV30, "items": emulator.ActionAnswerItems, "wrapped": emulator.ActionAnswerWrapped} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, srv, devices := setupDevices(t, 120)
			srv.SetOPSWATActionAnswer(shape)
			var progress []AssignProgress
			res, err := c.AssignDevices(context.Background(), Assignment{GroupID: groupKiosks, Key: ByDeviceID, Devices: ids(devices),
				Progress: func(p AssignProgress) { progress = append(progress, p) }})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.NotAssigned()) != 0 || len(res.Outcomes) != 120 || res.Requests != 3 {
				t.Fatalf("not assigned %v, %d outcomes, %d requests", res.NotAssigned(), len(res.Outcomes), res.Requests)
			}
			reqs := actionRequests(t, srv)
			if len(reqs) != 3 || len(reqs[0].IDs) != 50 || len(reqs[1].IDs) != 50 || len(reqs[2].IDs) != 20 {
				t.Fatalf("requests %+v", reqs)
			}
			for _, r := range reqs {
				if r.Types != "assign_to_group" || r.Params.GroupID != groupKiosks || len(r.MACs) != 0 {
					t.Fatalf("request %+v", r)
				}
			}
			if len(progress) != 3 || progress[2] != (AssignProgress{Chunk: 3, Chunks: 3, Done: 120, Total: 120, Requests: len(srv.Requests())}) || len(srv.Requests()) != 5 {
				t.Fatalf("progress %+v", progress)
			}
			for id, g := range srv.OPSWATDeviceGroups() {
				if g != groupKiosks {
					t.Errorf("device %s is in %s", id, g)
				}
			}
		})
	}
}

// MACs are sent as the API's listings write them, whatever form they were
// given in; a MAC that is not one is refused before anything is sent.
func TestAssignByMAC(t *testing.T) {
	t.Parallel()
	c, srv, _ := setupDevices(t, 0)
	srv.SetOPSWATDevices([]emulator.OPSWATDevice{
		{ID: "d1", MAC: "02:00:00:44:55:01", GroupID: groupDefault},
		{ID: "d2", MAC: "02:00:00:44:55:0a", GroupID: groupDefault},
		{ID: "d3", MAC: "02:00:00:44:55:0b", GroupID: groupDefault},
	})
	res, err := c.AssignDevices(context.Background(), Assignment{GroupID: groupSF, Key: ByMAC, Devices: []string{"02-00-00-44-55-01", "02:00:00:44:55:0A", "0200.0044.550b"}})
	if err != nil || len(res.NotAssigned()) != 0 {
		t.Fatalf("%v, not assigned %+v", err, res.NotAssigned())
	}
	reqs := actionRequests(t, srv)
	if len(reqs) != 1 || !slices.Equal(reqs[0].MACs, []string{"02:00:00:44:55:01", "02:00:00:44:55:0a", "02:00:00:44:55:0b"}) || len(reqs[0].IDs) != 0 {
		t.Fatalf("requests %+v", reqs)
	}
	if g := srv.OPSWATDeviceGroups(); g["d1"] != groupSF || g["d2"] != groupSF || g["d3"] != groupSF {
		t.Fatalf("groups %v", g)
	}
	_, err = c.AssignDevices(context.Background(), Assignment{GroupID: groupSF, Key: ByMAC, Devices: []string{"02:00:00:44:55"}})
	if !errors.Is(err, ErrInvalidMAC) || len(actionRequests(t, srv)) != 1 {
		t.Fatalf("%v", err)
	}
}

func TestNormalizeMAC(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"02:00:00:44:55:66": "02:00:00:44:55:66", "02-00-00-44-55-6A": "02:00:00:44:55:6a",
		"0200.0044.5566": "02:00:00:44:55:66", "020000445566": "02:00:00:44:55:66", " 02:00:00:44:55:66 ": "02:00:00:44:55:66",
		"02:00:00:44:55": "", "zz:00:00:44:55:66": "", "02:00:00:44:55:66:77:88": "", "": "",
		// No device has these: broadcast, multicast (low bit of the first
		// octet set), all zeros.
		"ff:ff:ff:ff:ff:ff": "", "FF-FF-FF-FF-FF-FF": "", "01:00:5e:00:00:fb": "", "33:33:00:00:00:01": "", "03:00:00:44:55:66": "",
		"00:00:00:00:00:00": "", "000000000000": "",
	} {
		got, err := NormalizeMAC(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("NormalizeMAC(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// An unknown group is refused before any device action is sent.
func TestAssignUnknownGroupSendsNothing(t *testing.T) {
	t.Parallel()
	c, srv, devices := setupDevices(t, 3)
	_, err := c.AssignDevices(context.Background(), Assignment{GroupID: "999", Key: ByDeviceID, Devices: ids(devices)})
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Value != "999" || len(actionRequests(t, srv)) != 0 {
		t.Fatalf("%v; %d device actions", err, len(actionRequests(t, srv)))
	}
}

// Each device not assigned is named with what the answer said of it.
func TestAssignPerDeviceOutcomes(t *testing.T) {
	t.Parallel()
	for name, shape := range map[string]emulator.OPSWATActionAnswer{"v3.0": emulator.ActionAnswerV30, "items": emulator.ActionAnswerItems} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, srv, _ := setupDevices(t, 0)
			srv.SetOPSWATActionAnswer(shape)
			srv.SetOPSWATDevices([]emulator.OPSWATDevice{
				{ID: "ok", GroupID: groupDefault}, {ID: "dc", GroupID: groupDefault, DomainController: true},
				{ID: "fails", GroupID: groupDefault, Fails: true}, {ID: "silent", GroupID: groupDefault, Unanswered: true},
			})
			res, err := c.AssignDevices(context.Background(), Assignment{GroupID: groupSF, Key: ByDeviceID, Devices: []string{"ok", "dc", "fails", "silent", "nosuch"}})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]AssignStatus{}
			for _, o := range res.Outcomes {
				got[o.Device] = o.Status
			}
			want := map[string]AssignStatus{"ok": AssignDone, "dc": AssignNotSupported, "fails": AssignFailed, "silent": AssignMissing, "nosuch": AssignFailed}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("outcomes %v, want %v", got, want)
			}
			g := srv.OPSWATDeviceGroups()
			if g["ok"] != groupSF || g["dc"] != groupDefault || g["fails"] != groupDefault || g["silent"] != groupSF {
				t.Fatalf("server groups %v", g)
			}
		})
	}
}

// A lost answer, before or after the server applied the chunk, is sent
// again once, with a warning; lost twice, the chunk's devices are unknown
// and the later chunks are not sent. A refusal is never sent again.
func TestAssignFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		faults   []emulator.Fault
		requests int
		statuses []AssignStatus // per chunk of 2 chunks
		resent   bool
		moved    int // devices in the target group afterwards
	}{
		{"dropped before", []emulator.Fault{{Path: devicesActionPath, Times: 1, Drop: true}}, 3, []AssignStatus{AssignDone, AssignDone}, true, 60},
		{"lost after", []emulator.Fault{{Path: devicesActionPath, Times: 1, Lose: true}}, 3, []AssignStatus{AssignDone, AssignDone}, true, 60},
		{"502 after", []emulator.Fault{{Path: devicesActionPath, Times: 1, Lose: true, Status: 502}}, 3, []AssignStatus{AssignDone, AssignDone}, true, 60},
		{"html 200 before", []emulator.Fault{{Path: devicesActionPath, Times: 1, Status: 200, Body: "<html>maintenance</html>"}}, 3, []AssignStatus{AssignDone, AssignDone}, true, 60},
		{"lost twice after", []emulator.Fault{{Path: devicesActionPath, Times: 2, Lose: true}}, 2, []AssignStatus{AssignUnknown, AssignNotSent}, true, 50},
		{"lost twice before", []emulator.Fault{{Path: devicesActionPath, Times: 2, Drop: true}}, 2, []AssignStatus{AssignUnknown, AssignNotSent}, true, 0},
		{"refused", []emulator.Fault{{Path: devicesActionPath, Times: 1, Status: 400, ContentType: "application/json", Body: `{"error":"invalid input"}`}}, 1, []AssignStatus{AssignRefused, AssignNotSent}, false, 0},
		{"second chunk lost after", []emulator.Fault{{Path: devicesActionPath, After: devicesActionPath, Times: 1, Lose: true}}, 3, []AssignStatus{AssignDone, AssignDone}, true, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv, devices := setupDevices(t, 60)
			for _, f := range tc.faults {
				srv.AddFault(f)
			}
			res, err := c.AssignDevices(context.Background(), Assignment{GroupID: groupKiosks, Key: ByDeviceID, Devices: ids(devices)})
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests != tc.requests || len(actionRequests(t, srv)) != tc.requests || res.AllRequests != len(srv.Requests()) {
				t.Fatalf("%d device actions, %d requests (server: %d, %d), want %d", res.Requests, res.AllRequests, len(actionRequests(t, srv)), len(srv.Requests()), tc.requests)
			}
			if first, second := res.Outcomes[0].Status, res.Outcomes[59].Status; first != tc.statuses[0] || second != tc.statuses[1] {
				t.Fatalf("statuses %v %v (%v), want %v", first, second, res.Outcomes[0].Err, tc.statuses)
			}
			if (len(res.Warnings) > 0) != tc.resent || (tc.resent && !strings.Contains(res.Warnings[0], "sent again")) {
				t.Fatalf("warnings %q", res.Warnings)
			}
			moved := 0
			for _, g := range srv.OPSWATDeviceGroups() {
				if g == groupKiosks {
					moved++
				}
			}
			if moved != tc.moved {
				t.Fatalf("%d devices in the group, want %d", moved, tc.moved)
			}
		})
	}
}

// A 429 is waited out as for a read, and is not a resend.
func TestAssignWaitsOutRateLimit(t *testing.T) {
	t.Parallel()
	c, srv, devices := setupDevices(t, 2)
	srv.AddFault(emulator.Fault{Path: devicesActionPath, Times: 1, Status: 429, RetryAfter: "0", ContentType: "application/json", Body: `{"error":"The request exceeds the API rate limit"}`})
	res, err := c.AssignDevices(context.Background(), Assignment{GroupID: groupKiosks, Key: ByDeviceID, Devices: ids(devices)})
	if err != nil || len(res.NotAssigned()) != 0 || len(res.Warnings) != 0 || len(actionRequests(t, srv)) != 2 {
		t.Fatalf("%v: not assigned %+v, warnings %q, %d requests", err, res.NotAssigned(), res.Warnings, len(actionRequests(t, srv)))
	}
	// The 429 was a request sent: it counts, as the server saw it.
	if res.Requests != 2 || res.AllRequests != len(srv.Requests()) {
		t.Fatalf("%d device actions and %d requests counted; the server saw %d and %d", res.Requests, res.AllRequests, len(actionRequests(t, srv)), len(srv.Requests()))
	}
}

// A device action whose token was refused is sent again with a fresh one:
// the refused request, the token fetch and the resend all count.
func TestAssignCountsTokenRefresh(t *testing.T) {
	t.Parallel()
	c, srv, devices := setupDevices(t, 2)
	if _, err := c.GroupByID(context.Background(), groupKiosks); err != nil {
		t.Fatal(err)
	}
	srv.ExpireTokens()
	srv.ResetLog()
	var progress []AssignProgress
	res, err := c.AssignDevices(context.Background(), Assignment{GroupID: groupKiosks, Key: ByDeviceID, Devices: ids(devices),
		Progress: func(p AssignProgress) { progress = append(progress, p) }})
	if err != nil || len(res.NotAssigned()) != 0 {
		t.Fatalf("%v %+v", err, res.NotAssigned())
	}
	if srv.Count(tokenPath) != 1 || len(actionRequests(t, srv)) != 2 || len(srv.Requests()) != 3 {
		t.Fatalf("the server saw %s", srv.Summary())
	}
	if res.Requests != 2 || res.AllRequests != 3 || len(progress) != 1 || progress[0].Requests != 3 {
		t.Fatalf("%d device actions and %d requests counted, progress %+v", res.Requests, res.AllRequests, progress)
	}
}

// After an assignment the run no longer serves the group's device count,
// and a complete walk it makes afterwards is not stored in the cache.
func TestAssignMakesCountsStale(t *testing.T) {
	t.Parallel()
	seed := emulator.DefaultSeed()
	srv := emulator.New(seed)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: 1000, CacheRefresh: true, CacheDir: dir}, fast)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.AssignDevices(context.Background(), Assignment{GroupID: groupKiosks, Key: ByDeviceID, Devices: []string{"a1b2c3d4e5f60001"}})
	if err != nil || len(res.NotAssigned()) != 0 {
		t.Fatalf("%v %+v", err, res.NotAssigned())
	}
	g, err := c.GroupByID(context.Background(), groupKiosks)
	if err != nil || !g.DevicesStale || g.NumberOfDevices != 0 {
		t.Fatalf("%+v %v", g, err)
	}
	other, _ := c.GroupByName(context.Background(), "Engineering")
	if other.DevicesStale || other.NumberOfDevices != 42 {
		t.Fatalf("%+v", other)
	}
	list, _ := c.ListGroups(context.Background(), ListOptions{SortField: "number_of_devices"})
	for _, g := range list {
		if (g.ID == groupKiosks) != g.DevicesStale {
			t.Fatalf("%+v", g)
		}
	}
	// The entry the check of the group stored is removed, and a complete
	// walk the run finishes later is not stored.
	if c.list.cache.read(context.Background()) != nil {
		t.Fatal("the cache entry from before the assignment is still there")
	}
	c.list.completed(context.Background(), list, time.Now())
	if c.list.cache.read(context.Background()) != nil {
		t.Fatal("a walk completed after an assignment was stored in the cache")
	}
	// A new run (a new client) lists the count the server now has.
	c2, _ := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: 1000}, fast)
	g2, err := c2.GroupByID(context.Background(), groupKiosks)
	if err != nil || g2.DevicesStale || g2.NumberOfDevices != 9 {
		t.Fatalf("%+v %v", g2, err)
	}
}

// An interrupt stops the assignment before the next chunk.
func TestAssignInterrupted(t *testing.T) {
	t.Parallel()
	c, srv, devices := setupDevices(t, 120)
	ctx, cancel := context.WithCancel(context.Background())
	var progress []AssignProgress
	res, err := c.AssignDevices(ctx, Assignment{GroupID: groupKiosks, Key: ByDeviceID, Devices: ids(devices),
		Progress: func(p AssignProgress) {
			progress = append(progress, p)
			if p.Chunk == 1 {
				cancel()
			}
		}})
	// Told once that the rest is not sent, never that a request was answered.
	if len(progress) != 2 || progress[1].NotSent != 70 || progress[1].Chunk != 2 || progress[1].Done != 50 {
		t.Fatalf("progress %+v", progress)
	}
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcomes[0].Status != AssignDone || res.Outcomes[119].Status != AssignNotSent || len(actionRequests(t, srv)) != 1 {
		t.Fatalf("%v %v, %d requests", res.Outcomes[0].Status, res.Outcomes[119].Status, len(actionRequests(t, srv)))
	}
}

// An answer that names a device twice with different statuses contradicts
// itself: the device is neither assigned nor failed but unknown, named with
// both statuses; the other devices of the answer keep what it says of them.
func TestAssignAnswerContradictsItself(t *testing.T) {
	t.Parallel()
	for name, shape := range map[string]emulator.OPSWATActionAnswer{"v3.0": emulator.ActionAnswerV30, "items": emulator.ActionAnswerItems, "wrapped": emulator.ActionAnswerWrapped} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, srv, _ := setupDevices(t, 0)
			srv.SetOPSWATActionAnswer(shape)
			srv.SetOPSWATDevices([]emulator.OPSWATDevice{{ID: "ok", GroupID: groupDefault}, {ID: "twice", GroupID: groupDefault, AnsweredTwice: true}})
			res, err := c.AssignDevices(context.Background(), Assignment{GroupID: groupSF, Key: ByDeviceID, Devices: []string{"ok", "twice"}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcomes[0].Status != AssignDone || res.Requests != 1 {
				t.Fatalf("%+v, %d requests", res.Outcomes, res.Requests)
			}
			o := res.Outcomes[1]
			var ce *ContradictionError
			if o.Status != AssignContradicted || !errors.As(o.Err, &ce) || ce.Device != "twice" || ce.First != "1" || ce.Second != "0" {
				t.Fatalf("%+v", o)
			}
			if want := `the answer gives the device "twice" the status "1" and also the status "0": it contradicts itself`; !strings.Contains(o.Err.Error(), want) {
				t.Fatalf("%q", o.Err)
			}
			// Unknown is not sent again: the server would likely say the same.
			if n := len(actionRequests(t, srv)); n != 1 || len(res.Warnings) != 0 {
				t.Fatalf("%d requests, warnings %q", n, res.Warnings)
			}
		})
	}
}

// An answer mixing v3.0 members and a v3.1 list is read whole: the devices
// of both parts have what it says of them, and the wrapper's own members
// ("total") are no devices.
func TestAssignMixedAnswerReadWhole(t *testing.T) {
	t.Parallel()
	c, srv, _ := setupDevices(t, 0)
	srv.SetOPSWATActionAnswer(emulator.ActionAnswerMixed)
	srv.SetOPSWATDevices([]emulator.OPSWATDevice{
		{ID: "a", GroupID: groupDefault}, {ID: "b", GroupID: groupDefault, Fails: true},
		{ID: "c", GroupID: groupDefault}, {ID: "d", GroupID: groupDefault, DomainController: true},
	})
	res, err := c.AssignDevices(context.Background(), Assignment{GroupID: groupSF, Key: ByDeviceID, Devices: []string{"a", "b", "c", "d"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]AssignStatus{}
	for _, o := range res.Outcomes {
		got[o.Device] = o.Status
	}
	want := map[string]AssignStatus{"a": AssignDone, "b": AssignFailed, "c": AssignDone, "d": AssignNotSupported}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("outcomes %v, want %v", got, want)
	}
	if g := srv.OPSWATDeviceGroups(); g["a"] != groupSF || g["c"] != groupSF || g["b"] != groupDefault {
		t.Fatalf("server groups %v", g)
	}
}

// An interrupt while a chunk waits its turn at the rate limiter sends
// nothing of it: its devices are not sent, never "may or may not be in the
// group".
func TestAssignInterruptedAtTheLimiter(t *testing.T) {
	t.Parallel()
	seed := emulator.DefaultSeed()
	srv := emulator.New(seed)
	t.Cleanup(srv.Close)
	devices := emulator.GenerateOPSWATDevices(100, groupDefault)
	srv.SetOPSWATDevices(devices)
	c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: 3}, fast)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	res, _ := c.AssignDevices(ctx, Assignment{GroupID: groupKiosks, Key: ByDeviceID, Devices: ids(devices)})
	sent := len(actionRequests(t, srv))
	if sent >= 2 || len(res.Outcomes) != 100 {
		t.Fatalf("%d device actions sent at 3 a minute, %d outcomes", sent, len(res.Outcomes))
	}
	for i, o := range res.Outcomes {
		want := AssignNotSent
		if i < 50*sent {
			want = AssignDone
		}
		if o.Status != want {
			t.Fatalf("device %d: %v (%v), want %v: %d device actions sent", i, o.Status, o.Err, want, sent)
		}
	}
}
