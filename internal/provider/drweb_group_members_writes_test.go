package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// membersResource is one members resource block.
func membersResource(name, group string, stations ...string) string {
	return fmt.Sprintf(`
resource "endpointgroups_drweb_group_members" %q {
  group_id    = %q
  station_ids = [%s]
}
`, name, group, quoteList(stations))
}

// membersState returns each members resource's group and stations as the
// workdir's state holds them.
func membersState(t *testing.T, c *cli, dir string) map[string]struct {
	Group    string
	Stations []string
} {
	t.Helper()
	out, err := c.run(dir, nil, "show", "-json")
	if err != nil {
		t.Fatalf("show: %v\n%s", err, out)
	}
	var doc struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Type, Name string
					Values     struct {
						GroupID    string   `json:"group_id"`
						StationIDs []string `json:"station_ids"`
					}
				}
			} `json:"root_module"`
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("show -json: %v\n%s", err, out)
	}
	got := map[string]struct {
		Group    string
		Stations []string
	}{}
	for _, r := range doc.Values.RootModule.Resources {
		if r.Type == "endpointgroups_drweb_group_members" {
			got[r.Name] = struct {
				Group    string
				Stations []string
			}{r.Values.GroupID, slices.Sorted(slices.Values(r.Values.StationIDs))}
		}
	}
	return got
}

// apply runs terraform apply and returns its output, failing the test when
// it fails and fail is false (or succeeds and fail is true).
func applyMembers(t *testing.T, c *cli, dir string, fail bool, extra ...string) string {
	t.Helper()
	out, err := c.run(dir, nil, append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, extra...)...)
	if (err != nil) != fail {
		t.Fatalf("apply: error %v, want failure %v\n%s", err, fail, out)
	}
	return strings.Join(strings.Fields(out), " ")
}

// planEmpty fails the test unless a plan of dir shows no change.
func planEmpty(t *testing.T, c *cli, dir string) {
	t.Helper()
	if out, err := c.run(dir, nil, "plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		t.Fatalf("the plan is not empty (%v):\n%s", err, out)
	}
}

// serverHas returns which of the stations the emulator has in the group.
func serverHas(srv *emulator.Server, group string, stations []string) []string {
	var out []string
	for _, id := range srv.DrWebStationsIn(group) {
		if slices.Contains(stations, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// A removal that fails (HTTP 500, a refusal, a reset before the write)
// keeps the station in the state, so that the next plan shows the removal
// again, and a clean apply takes it out.
func TestAccDrWebGroupMembers_failedRemovalStaysInState(t *testing.T) {
	c := newCLI(t)
	for name, fault := range map[string]emulator.Fault{
		"500":     {Status: 500, Body: "<html>Internal Server Error</html>"},
		"refusal": {Errno: 3, Message: "Access denied"},
		"reset":   {Drop: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := startEmulator(t)
			st := srv.DrWebStationsIn(idWindows)
			a, b := st[1], st[2]
			dir := workdir(t, providerBlock(srv)+membersResource("m", idLinux, a, b))
			applyMembers(t, c, dir, false)
			writeConfig(t, dir, providerBlock(srv)+membersResource("m", idLinux, a))
			fault.Path = stationChangePath
			srv.AddFault(fault)
			applyMembers(t, c, dir, true)
			srv.ClearFaults()
			if got := membersState(t, c, dir)["m"].Stations; !slices.Equal(got, slices.Sorted(slices.Values([]string{a, b}))) {
				t.Errorf("the state after the failed removal holds %v, want both (the server still has %v)", got, serverHas(srv, idLinux, []string{a, b}))
			}
			if got := serverHas(srv, idLinux, []string{a, b}); len(got) != 2 {
				t.Errorf("the server has %v", got)
			}
			out, err := c.run(dir, nil, "plan", "-detailed-exitcode", "-input=false", "-no-color")
			if err == nil || !strings.Contains(out, b) {
				t.Errorf("the next plan does not take %s out again (%v):\n%s", b, err, out)
			}
			srv.ResetLog()
			applyMembers(t, c, dir, false)
			if got := changes(srv); !slices.Equal(got, []string{"remove:" + b}) {
				t.Errorf("the repair sent %v, want the one removal", got)
			}
			if got := serverHas(srv, idLinux, []string{a, b}); !slices.Equal(got, []string{a}) {
				t.Errorf("after the repair the server has %v", got)
			}
			planEmpty(t, c, dir)
		})
	}
}

// A station moved from one members resource to another of the same group
// in one apply stays in the group, and the state of the one that lists it
// says so, whichever of the two Terraform changes first.
func TestAccDrWebGroupMembers_moveBetweenResources(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	st := srv.DrWebStationsIn(idWindows)
	x, y, z, w := st[1], st[2], st[3], st[4]
	all := []string{x, y, z, w}
	// Latency makes the two resources' changes overlap (a window, not a
	// timing assertion): each must see what the other did.
	srv.SetLatency(100 * time.Millisecond)
	dir := workdir(t, providerBlock(srv)+membersResource("a", idLinux, x, y)+membersResource("b", idLinux, z))
	applyMembers(t, c, dir, false)
	// Each round moves stations between a and b; in the third, a also adds
	// a station of its own while it lets x go to b.
	for round, cfg := range [][2][]string{{{y}, {z, x}}, {{y, x}, {z}}, {{y, w}, {z, x}}, {{}, {x, y, z, w}}} {
		writeConfig(t, dir, providerBlock(srv)+membersResource("a", idLinux, cfg[0]...)+membersResource("b", idLinux, cfg[1]...))
		out := applyMembers(t, c, dir, false)
		state := membersState(t, c, dir)
		want := slices.Sorted(slices.Values(append(slices.Clone(cfg[0]), cfg[1]...)))
		if got := serverHas(srv, idLinux, all); !slices.Equal(got, want) {
			t.Errorf("round %d: the server has %v, want %v\n%s", round, got, want, out)
		}
		if got, w := state["b"].Stations, slices.Sorted(slices.Values(cfg[1])); !slices.Equal(got, w) {
			t.Errorf("round %d: b's state %v, want %v", round, got, w)
		}
		if got, w := state["a"].Stations, slices.Sorted(slices.Values(cfg[0])); !slices.Equal(got, w) {
			t.Errorf("round %d: a's state %v, want %v", round, got, w)
		}
		planEmpty(t, c, dir)
	}
}

// A station the server accepts but never lists (marked deleted) is named
// in one warning; later applies send nothing for it and plan no change;
// a destroy takes it out.
func TestAccDrWebGroupMembers_acceptedNotListed(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	st := srv.DrWebStationsIn(idWindows)
	ghost, plain := st[4], st[5]
	srv.UpdateDrWebStation(ghost, func(s *emulator.DrWebStation) { s.Deleted = true })
	dir := workdir(t, providerBlock(srv)+membersResource("m", idLinux, ghost, plain))
	out := applyMembers(t, c, dir, false)
	if strings.Count(out, "Warning: Dr.Web Station Accepted But Not Listed") != 1 || !strings.Contains(out, ghost) {
		t.Errorf("the first apply does not warn once about %s:\n%s", ghost, out)
	}
	srv.ResetLog()
	for range 2 {
		out = applyMembers(t, c, dir, false)
		if strings.Contains(out, "Accepted But Not Listed") || !strings.Contains(out, "No changes.") {
			t.Errorf("a later apply:\n%s", out)
		}
	}
	if got := changes(srv); len(got) != 0 {
		t.Errorf("later applies sent %v", got)
	}
	if got := membersState(t, c, dir)["m"].Stations; !slices.Equal(got, slices.Sorted(slices.Values([]string{ghost, plain}))) {
		t.Errorf("the state holds %v", got)
	}
	out = applyMembers(t, c, dir, false, "-destroy")
	got := changes(srv)
	slices.Sort(got)
	if want := slices.Sorted(slices.Values([]string{"remove:" + ghost, "remove:" + plain})); !slices.Equal(got, want) {
		t.Errorf("the destroy sent %v, want %v\n%s", got, want, out)
	}
	for _, s := range srv.DrWebStations() {
		if (s.ID == ghost || s.ID == plain) && slices.Contains(s.Groups, idLinux) {
			t.Errorf("%s is still in the group after the destroy", s.ID)
		}
	}
}

// Two members resources of one configuration that claim one station of
// one group fail at plan, naming the station, before anything is sent;
// so does the destroy of one of two resources that both hold it (states
// made before, here by import), and the station stays.
func TestAccDrWebGroupMembers_claimedTwice(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	st := srv.DrWebStationsIn(idWindows)
	x, y := st[6], st[7]
	dir := workdir(t, providerBlock(srv)+membersResource("a", idLinux, x, y)+membersResource("b", idLinux, x))
	srv.ResetLog()
	out := applyMembers(t, c, dir, true)
	if !strings.Contains(out, "Error: Dr.Web Station Claimed Twice") || !strings.Contains(out, `The station "`+x+`" of the group "`+idLinux+`" is claimed twice`) {
		t.Errorf("the plan with two claims:\n%s", out)
	}
	if n := srv.Count(stationChangePath); n != 0 {
		t.Errorf("%d change.ds sent", n)
	}
	// Both states hold x: a made it, b adopted it by import.
	writeConfig(t, dir, providerBlock(srv)+membersResource("a", idLinux, x, y))
	applyMembers(t, c, dir, false)
	writeConfig(t, dir, providerBlock(srv)+membersResource("a", idLinux, x, y)+membersResource("b", idLinux, x))
	if out, err := c.run(dir, nil, "import", "-input=false", "-no-color", "endpointgroups_drweb_group_members.b", idLinux+":"+x); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	writeConfig(t, dir, providerBlock(srv)+membersResource("b", idLinux, x))
	srv.ResetLog()
	out = applyMembers(t, c, dir, true)
	if !strings.Contains(out, "Error: Dr.Web Station Claimed Twice") || !strings.Contains(out, "takes it out of the group (a destroy") {
		t.Errorf("the destroy of one of two holders:\n%s", out)
	}
	if n := srv.Count(stationChangePath); n != 0 {
		t.Errorf("%d change.ds sent", n)
	}
	if got := serverHas(srv, idLinux, []string{x, y}); !slices.Equal(got, slices.Sorted(slices.Values([]string{x, y}))) {
		t.Errorf("the server has %v", got)
	}
}

// A station that this run's listing of every station (the Everyone group)
// does not show fails at plan, before anything is sent; where nothing
// listed Everyone, the apply tells, and says what the create added.
func TestAccDrWebGroupMembers_unknownStationAtPlan(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	good := srv.DrWebStationsIn(idWindows)[8]
	dir := workdir(t, providerBlock(srv)+`
data "endpointgroups_drweb_group_stations" "everyone" {
  group_id = "`+emulator.EveryoneID+`"
}
resource "endpointgroups_drweb_group_members" "m" {
  group_id    = "`+idLinux+`"
  station_ids = ["`+good+`", "no-such-station"]
  depends_on  = [data.endpointgroups_drweb_group_stations.everyone]
}
`)
	srv.ResetLog()
	out := applyMembers(t, c, dir, true)
	if !strings.Contains(out, "Error: Dr.Web Station Not Found") || !strings.Contains(out, `The stations "no-such-station" are not among the`) {
		t.Errorf("the plan:\n%s", out)
	}
	if n := srv.Count(stationChangePath); n != 0 {
		t.Errorf("%d change.ds sent", n)
	}
	writeConfig(t, dir, providerBlock(srv)+membersResource("m", idLinux, good, "no-such-station"))
	out = applyMembers(t, c, dir, true)
	for _, want := range []string{`Dr.Web refused to add the station "no-such-station"`, "The create saved no state",
		`This apply added "` + good + `" to the group "` + idLinux + `"; they stay there`} {
		if !strings.Contains(out, want) {
			t.Errorf("the apply lacks %q:\n%s", want, out)
		}
	}
}

// The fault matrix: members resources of several groups at
// -parallelism=10 while every 3rd change.ds fails (HTTP 500, a refusal, a
// reset before the write, a lost answer), and every 4th with a 500. After each apply, every station
// the state holds is in the group on the server, and every station the
// server has in the group that the configuration does not list is in the
// state (so the next plan takes it out); after a clean repair apply, the
// server, the configuration and the state agree.
func TestAccDrWebGroupMembers_faultMatrix(t *testing.T) {
	c := newCLI(t)
	for name, fault := range map[string]emulator.Fault{
		"500":         {Status: 500, Body: "<html>Internal Server Error</html>", Every: 3},
		"500 every 4": {Status: 500, Body: "<html>Internal Server Error</html>", Every: 4},
		"refusal":     {Errno: 3, Message: "Access denied", Every: 3},
		"reset":       {Drop: true, Every: 3},
		"lost":        {Lose: true, Every: 3},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := startEmulator(t)
			pool := srv.DrWebStationsIn(idMoscowWS) // 35 stations, none of them in the groups below
			groups := []string{idLinux, idWindows, idBerlinWS, idServers}
			// Two configurations: each group gets 4 stations, then drops
			// two and takes two others.
			configs := []map[string][]string{{}, {}}
			for i, g := range groups {
				base := pool[i*6 : i*6+6]
				configs[0][g] = slices.Clone(base[:4])
				configs[1][g] = []string{base[0], base[1], base[4], base[5]}
			}
			render := func(cfg map[string][]string) string {
				out := providerBlock(srv)
				for i, g := range groups {
					out += membersResource(fmt.Sprintf("g%d", i), g, cfg[g]...)
				}
				return out
			}
			d := workdir(t, render(configs[0]))
			check := func(when string, cfg map[string][]string, repaired bool) {
				t.Helper()
				state := membersState(t, c, d)
				for i, g := range groups {
					server := serverHas(srv, g, pool)
					held := state[fmt.Sprintf("g%d", i)].Stations
					for _, id := range held {
						if !slices.Contains(server, id) {
							t.Errorf("%s: group %s: the state holds %s, the server does not", when, g, id)
						}
					}
					for _, id := range server {
						if !slices.Contains(cfg[g], id) && !slices.Contains(held, id) {
							t.Errorf("%s: group %s: the server holds %s, which neither the configuration nor the state lists", when, g, id)
						}
					}
					if want := slices.Sorted(slices.Values(cfg[g])); repaired && (!slices.Equal(server, want) || !slices.Equal(held, want)) {
						t.Errorf("%s: group %s: server %v, state %v, configuration %v", when, g, server, held, want)
					}
				}
			}
			for step, cfg := range configs {
				writeConfig(t, d, render(cfg))
				f := fault
				f.Path = stationChangePath
				srv.AddFault(f)
				out, err := c.run(d, nil, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10")
				srv.ClearFaults()
				if strings.Contains(out, "panic") || (err == nil) != fault.Lose {
					// A lost answer is confirmed by the read-back; every
					// other fault fails the apply.
					t.Fatalf("step %d: error %v:\n%s", step, err, out)
				}
				check(fmt.Sprintf("step %d with faults", step), cfg, false)
				applyMembers(t, c, d, false, "-parallelism=10")
				check(fmt.Sprintf("step %d repaired", step), cfg, true)
				planEmpty(t, c, d)
			}
		})
	}
}

// An interrupt (Ctrl-C) while a removal waits for its answer: the apply
// stops, the state keeps the station the group still holds, and the next
// apply takes it out.
func TestAccDrWebGroupMembers_interruptedRemoval(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	st := srv.DrWebStationsIn(idWindows)
	a, b := st[1], st[2]
	dir := workdir(t, providerBlock(srv)+membersResource("m", idLinux, a, b))
	applyMembers(t, c, dir, false)
	writeConfig(t, dir, providerBlock(srv)+membersResource("m", idLinux, a))
	// The removal hangs far longer than the test waits; the interrupt ends it.
	srv.AddFault(emulator.Fault{Path: stationChangePath, Delay: 10 * time.Minute, Times: 1})
	srv.ResetLog()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := c.Command(ctx, dir, nil, "apply", "-auto-approve", "-input=false", "-no-color")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for srv.Count(stationChangePath) == 0 {
		if ctx.Err() != nil {
			t.Fatalf("the removal was never sent:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil || ctx.Err() != nil {
		t.Fatalf("the interrupted apply: %v (test context %v)\n%s", err, ctx.Err(), out.String())
	}
	srv.ClearFaults()
	if got, want := membersState(t, c, dir)["m"].Stations, slices.Sorted(slices.Values([]string{a, b})); !slices.Equal(got, want) {
		t.Errorf("the state after the interrupt holds %v, want %v (the server has %v)\n%s", got, want, serverHas(srv, idLinux, []string{a, b}), out.String())
	}
	srv.ResetLog()
	applyMembers(t, c, dir, false)
	if got := changes(srv); !slices.Equal(got, []string{"remove:" + b}) {
		t.Errorf("the next apply sent %v, want the one removal", got)
	}
	if got := serverHas(srv, idLinux, []string{a, b}); !slices.Equal(got, []string{a}) {
		t.Errorf("after the next apply the server has %v", got)
	}
}

// A station the resource holds that is taken out of the group in the
// console while the apply adds another: the read-back lacks it. The apply
// fails naming it (never Terraform's "inconsistent result"), the state
// says what the group shows, and the next apply puts it back.
func TestAccDrWebGroupMembers_stationGoneDuringApply(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	st := srv.DrWebStationsIn(idWindows)
	a, b := st[1], st[2]
	dir := workdir(t, providerBlock(srv)+membersResource("m", idLinux, a))
	applyMembers(t, c, dir, false)
	writeConfig(t, dir, providerBlock(srv)+membersResource("m", idLinux, a, b))
	srv.OnDrWebStationChange(func(q url.Values, stations []emulator.DrWebStation) {
		if q.Get("id") != b || q.Get("add-group") != idLinux {
			return
		}
		for i := range stations {
			if stations[i].ID == a {
				stations[i].Groups = slices.DeleteFunc(slices.Clone(stations[i].Groups), func(g string) bool { return g == idLinux })
			}
		}
	})
	out := applyMembers(t, c, dir, true)
	srv.OnDrWebStationChange(nil)
	if strings.Contains(out, "inconsistent result") || !strings.Contains(out, "Dr.Web Station Left The Group") || !strings.Contains(out, `"`+a+`"`) {
		t.Errorf("the apply does not name the station that left the group:\n%s", out)
	}
	if got := membersState(t, c, dir)["m"].Stations; !slices.Equal(got, []string{b}) {
		t.Errorf("the state after the apply holds %v, want just %s (the server has %v)", got, b, serverHas(srv, idLinux, []string{a, b}))
	}
	if got := serverHas(srv, idLinux, []string{a, b}); !slices.Equal(got, []string{b}) {
		t.Errorf("the server has %v", got)
	}
	srv.ResetLog()
	applyMembers(t, c, dir, false)
	if got := changes(srv); !slices.Equal(got, []string{"add:" + a}) {
		t.Errorf("the repair sent %v, want the one addition", got)
	}
	if got, want := serverHas(srv, idLinux, []string{a, b}), slices.Sorted(slices.Values([]string{a, b})); !slices.Equal(got, want) {
		t.Errorf("after the repair the server has %v", got)
	}
	planEmpty(t, c, dir)
}

// terraform destroy -target of one members resource, while another one's
// state holds the same station of the same group: Terraform shows the
// provider neither the other resource's state nor its configuration, so
// the station leaves the group (the plan-time check cannot see the claim).
// What the docs promise: the other resource's next plan puts the station
// back, and a clean apply leaves the server as configured.
func TestAccDrWebGroupMembers_targetedDestroy(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	st := srv.DrWebStationsIn(idWindows)
	s, u := st[1], st[2]
	dir := workdir(t, providerBlock(srv)+membersResource("a", idLinux, s)+membersResource("b", idLinux, u))
	applyMembers(t, c, dir, false)
	// A targeted apply of b alone gets past the check that sees both: b
	// holds s too, sending nothing for it.
	writeConfig(t, dir, providerBlock(srv)+membersResource("a", idLinux, s)+membersResource("b", idLinux, s, u))
	applyMembers(t, c, dir, false, "-target=endpointgroups_drweb_group_members.b")
	if got := membersState(t, c, dir); !slices.Equal(got["a"].Stations, []string{s}) || !slices.Contains(got["b"].Stations, s) {
		t.Fatalf("the states do not both hold %s: %v", s, got)
	}
	// Without -target the plan sees both claims and fails.
	if out, err := c.run(dir, nil, "plan", "-input=false", "-no-color"); err == nil || !strings.Contains(out, "Dr.Web Station Claimed Twice") {
		t.Errorf("the plan of both does not fail on the claim (%v):\n%s", err, out)
	}
	srv.ResetLog()
	out, err := c.run(dir, nil, "destroy", "-auto-approve", "-input=false", "-no-color", "-target=endpointgroups_drweb_group_members.a")
	if err != nil {
		t.Fatalf("destroy -target: %v\n%s", err, out)
	}
	if got := changes(srv); !slices.Equal(got, []string{"remove:" + s}) {
		t.Errorf("the targeted destroy sent %v", got)
	}
	// The user drops a from the configuration; b's next plan puts s back.
	writeConfig(t, dir, providerBlock(srv)+membersResource("b", idLinux, s, u))
	if out, err := c.run(dir, nil, "plan", "-detailed-exitcode", "-input=false", "-no-color"); err == nil || !strings.Contains(out, `+ "`+s+`"`) {
		t.Errorf("the next plan does not put %s back (%v):\n%s", s, err, out)
	}
	srv.ResetLog()
	applyMembers(t, c, dir, false)
	if got := changes(srv); !slices.Equal(got, []string{"add:" + s}) {
		t.Errorf("the repair sent %v, want the one addition", got)
	}
	if got, want := serverHas(srv, idLinux, []string{s, u}), slices.Sorted(slices.Values([]string{s, u})); !slices.Equal(got, want) {
		t.Errorf("after the repair the server has %v, want %v", got, want)
	}
	if got := membersState(t, c, dir)["b"].Stations; !slices.Equal(got, slices.Sorted(slices.Values([]string{s, u}))) {
		t.Errorf("after the repair the state of b holds %v", got)
	}
	planEmpty(t, c, dir)
}
