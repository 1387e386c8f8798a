package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// membersConfig is a members resource putting stations into Linux.
func membersConfig(srv *emulator.Server, stations ...string) string {
	return providerBlock(srv) + fmt.Sprintf(`
resource "endpointgroups_drweb_group_members" "linux" {
  group_id    = %q
  station_ids = [%s]
}
`, idLinux, quoteList(stations))
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// changes returns the change.ds requests received since the last call, as
// "add:STATION" or "remove:STATION", and forgets them.
func changes(srv *emulator.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		if r.Path != stationChangePath {
			continue
		}
		switch {
		case r.Query.Has("add-group"):
			out = append(out, "add:"+r.Query.Get("id"))
		case r.Query.Has("delete-group"):
			out = append(out, "remove:"+r.Query.Get("id"))
		}
	}
	srv.ResetLog()
	return out
}

// inGroup checks which of the stations the emulator has in a group.
func inGroup(srv *emulator.Server, group string, want map[string]bool) error {
	there := srv.DrWebStationsIn(group)
	for st, in := range want {
		if slices.Contains(there, st) != in {
			return fmt.Errorf("station %s in group %s: %v, want %v", st, group, !in, in)
		}
	}
	return nil
}

// The life of a members resource: create sends one add per station, a plan
// with nothing to do sends nothing and reads the group's pages once, drift
// is repaired, taking one station out is one delete-group, and destroy
// leaves the stations it never listed where they are.
func TestAccDrWebGroupMembers_lifecycle(t *testing.T) {
	srv := startEmulator(t)
	berlin := srv.DrWebStationsIn(idBerlinWS)
	a, b, c := berlin[0], berlin[1], berlin[2]
	own := srv.DrWebStationsIn(idLinux) // primary group Linux: never touched
	addr := "endpointgroups_drweb_group_members.linux"
	expectChanges := func(want ...string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			got := changes(srv)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				return fmt.Errorf("change.ds requests %v, want %v", got, want)
			}
			return nil
		}
	}
	accTest(t,
		resource.TestStep{
			PreConfig: func() { srv.ResetLog() },
			Config:    membersConfig(srv, a, b, c),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("station_ids"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact(a), knownvalue.StringExact(b), knownvalue.StringExact(c),
				})),
			},
			Check: resource.ComposeTestCheckFunc(
				expectChanges("add:"+a, "add:"+b, "add:"+c),
				func(*terraform.State) error {
					return inGroup(srv, idLinux, map[string]bool{a: true, b: true, c: true, own[0]: true})
				},
			),
		},
		// Nothing to do: no write, the group's one page read once.
		resource.TestStep{
			PreConfig:        func() { srv.ResetLog() },
			Config:           membersConfig(srv, a, b, c),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check: func(*terraform.State) error {
				if n := srv.Count(stationChangePath); n != 0 {
					return fmt.Errorf("a plan with nothing to do sent %d change.ds", n)
				}
				return nil
			},
		},
		// Taken out in the Control Center: the next apply puts it back.
		resource.TestStep{
			PreConfig: func() {
				srv.UpdateDrWebStation(b, func(st *emulator.DrWebStation) {
					st.Groups = slices.DeleteFunc(st.Groups, func(g string) bool { return g == idLinux })
				})
				srv.ResetLog()
			},
			Config: membersConfig(srv, a, b, c),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: expectChanges("add:" + b),
		},
		// One station out of the list: one delete-group.
		resource.TestStep{
			PreConfig: func() { srv.ResetLog() },
			Config:    membersConfig(srv, a, c),
			Check: resource.ComposeTestCheckFunc(
				expectChanges("remove:"+b),
				func(*terraform.State) error {
					return inGroup(srv, idLinux, map[string]bool{a: true, b: false, c: true})
				},
			),
		},
		// Destroy: the listed stations leave, the others stay.
		resource.TestStep{
			PreConfig: func() { srv.ResetLog() },
			Config:    providerBlock(srv),
			Check: resource.ComposeTestCheckFunc(
				expectChanges("remove:"+a, "remove:"+c),
				func(*terraform.State) error {
					want := map[string]bool{a: false, c: false}
					for _, id := range own {
						want[id] = true
					}
					if err := inGroup(srv, idLinux, want); err != nil {
						return err
					}
					return inGroup(srv, idBerlinWS, map[string]bool{a: true, b: true, c: true})
				},
			),
		},
	)
}

// A station whose primary group is the group cannot be taken out of it:
// the apply says so with a warning, the station stays, and the next plan
// is empty (the removal is not planned again).
func TestAccDrWebGroupMembers_primaryGroup(t *testing.T) {
	srv := startEmulator(t)
	primary := srv.DrWebStationsIn(idLinux)[1] // a made-up station of Linux
	other := srv.DrWebStationsIn(idWindows)[1]
	c := newCLI(t)
	dir := workdir(t, membersConfig(srv, primary, other))
	if out, err := c.run(dir, nil, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if got := changes(srv); !slices.Equal(got, []string{"add:" + other}) {
		t.Errorf("create sent %v, want only the add of the station not in the group yet", got)
	}
	writeConfig(t, dir, membersConfig(srv, other))
	out, err := c.run(dir, nil, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	for _, want := range []string{"Warning: Dr.Web Station Kept In Its Primary Group", primary, "primary group"} {
		if !strings.Contains(out, want) {
			t.Errorf("the apply's output lacks %q:\n%s", want, out)
		}
	}
	if got := changes(srv); !slices.Equal(got, []string{"remove:" + primary}) {
		t.Errorf("the update sent %v, want one delete-group", got)
	}
	if err := inGroup(srv, idLinux, map[string]bool{primary: true, other: true}); err != nil {
		t.Error(err)
	}
	out, err = c.run(dir, nil, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if err != nil {
		t.Errorf("the plan after the warning is not empty (%v):\n%s", err, out)
	}
	if got := changes(srv); len(got) != 0 {
		t.Errorf("the plan sent %v", got)
	}
}

// An unknown station: an error naming it; the station changed before it
// stays in the group, and the fixed configuration sends nothing more for
// it (a failed create keeps no state, so that Terraform does not taint the
// resource and take the station out and back in). In an update, the
// stations changed stay in the state.
func TestAccDrWebGroupMembers_unknownStation(t *testing.T) {
	srv := startEmulator(t)
	good, other := srv.DrWebStationsIn(idWindows)[2], srv.DrWebStationsIn(idWindows)[3]
	accTest(t,
		resource.TestStep{
			Config:      membersConfig(srv, good, "no-such-station"),
			ExpectError: errorRe(`Dr.Web refused to add the station "no-such-station" to the group "` + idLinux + `": error 8: Station 'no-such-station' not found`),
			Check: func(*terraform.State) error {
				return inGroup(srv, idLinux, map[string]bool{good: true})
			},
		},
		resource.TestStep{
			PreConfig: func() {
				if err := inGroup(srv, idLinux, map[string]bool{good: true}); err != nil {
					t.Error(err)
				}
				srv.ResetLog()
			},
			Config: membersConfig(srv, good),
			Check: func(*terraform.State) error {
				if got := changes(srv); len(got) != 0 {
					return fmt.Errorf("the fixed configuration sent %v for a station already in the group", got)
				}
				return nil
			},
		},
		// An update with an unknown station: the error names it, the other
		// station added stays in the state, and the plan shows only the
		// unknown one again.
		resource.TestStep{
			Config:      membersConfig(srv, good, other, "no-such-station"),
			ExpectError: regexp.MustCompile(`Dr.Web refused to add the station "no-such-station"[\s\S]*The state now holds the\s+stations`),
		},
		resource.TestStep{
			Config:           membersConfig(srv, good, other),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("endpointgroups_drweb_group_members.linux", tfjsonpath.New("station_ids"), knownvalue.SetSizeExact(2)),
			},
		},
	)
}

// A group the server does not know: an error at group_id, nothing sent.
func TestAccDrWebGroupMembers_unknownGroup(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config: providerBlock(srv) + `
resource "endpointgroups_drweb_group_members" "x" {
  group_id    = "no-such-group"
  station_ids = ["` + idBuildStation + `"]
}
`,
		ExpectError: errorRe(`Dr.Web group "no-such-group" not found`),
		Check: func(*terraform.State) error {
			if n := srv.Count(stationChangePath); n != 0 {
				return fmt.Errorf("%d change.ds sent for an unknown group", n)
			}
			return nil
		},
	})
}

// Import by group id takes the stations of the group that are in another
// group too (Windows holds one of Moscow's), not those it holds as their
// primary group, which the resource could never take out; a configuration
// that lists them then plans nothing. Import of GROUP:STATION,STATION takes
// just those.
func TestAccDrWebGroupMembers_import(t *testing.T) {
	srv := startEmulator(t)
	windows := srv.DrWebStationsIn(idWindows)
	const shared = "5f0c9e1a-0002-4c55-8e21-00000000a002" // primary group Windows, also in Moscow
	if !slices.Contains(windows, shared) {
		t.Fatalf("the seed's Windows group lacks %s: %v", shared, windows)
	}
	config := accRequiredProviders() + providerBlock(srv) + `
resource "endpointgroups_drweb_group_members" "w" {
  group_id    = "` + idWindows + `"
  station_ids = ["` + shared + `"]
}
`
	two := windows[3] + "," + windows[4]
	accTest(t,
		resource.TestStep{
			Config: config, ResourceName: "endpointgroups_drweb_group_members.w", ImportState: true, ImportStatePersist: true,
			ImportStateId: idWindows,
			ImportStateCheck: func(states []*terraform.InstanceState) error {
				if len(states) != 1 || states[0].Attributes["station_ids.#"] != "1" || states[0].Attributes["station_ids.0"] != shared {
					return fmt.Errorf("imported %v, want the one station of the group that is in another group too", states)
				}
				return nil
			},
		},
		resource.TestStep{
			PreConfig:        func() { srv.ResetLog() },
			Config:           config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check: func(*terraform.State) error {
				if n := srv.Count(stationChangePath); n != 0 {
					return fmt.Errorf("import and an empty plan sent %d change.ds", n)
				}
				return nil
			},
		},
		resource.TestStep{
			Config: config, ResourceName: "endpointgroups_drweb_group_members.w", ImportState: true,
			ImportStateId: idWindows + ":" + two,
			ImportStateCheck: func(states []*terraform.InstanceState) error {
				got := states[0].Attributes
				if got["station_ids.#"] != "2" || got["group_id"] != idWindows {
					return fmt.Errorf("imported %v, want the two stations named", got)
				}
				return nil
			},
		},
		resource.TestStep{
			Config: config, ResourceName: "endpointgroups_drweb_group_members.w", ImportState: true,
			ImportStateId: idWindows + ":no-such-station",
			ExpectError:   errorRe(`The stations "no-such-station" are not in the group "` + idWindows + `"`),
		},
	)
}

// A change whose answer is lost after the server applied it is confirmed by
// reading the group back, with a warning; one whose request failed before
// (a 502) is reported as unknown, and neither is sent twice.
func TestAccDrWebGroupMembers_lostAnswers(t *testing.T) {
	srv := startEmulator(t)
	st := srv.DrWebStationsIn(idWindows)
	c := newCLI(t)
	dir := workdir(t, membersConfig(srv, st[1]))
	srv.AddFault(emulator.Fault{Path: stationChangePath, Lose: true, Times: 1})
	out, err := c.run(dir, nil, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil || !strings.Contains(out, "Warning: Dr.Web Answer Lost, Change Confirmed") {
		t.Fatalf("apply after a lost answer (%v):\n%s", err, out)
	}
	if got := changes(srv); !slices.Equal(got, []string{"add:" + st[1]}) {
		t.Errorf("sent %v, want one add", got)
	}
	writeConfig(t, dir, membersConfig(srv, st[1], st[2]))
	srv.AddFault(emulator.Fault{Path: stationChangePath, Status: 502, Times: 1})
	out, err = c.run(dir, nil, "apply", "-auto-approve", "-input=false", "-no-color")
	if err == nil || !strings.Contains(out, "Error: Dr.Web Station Change Outcome Unknown") || !strings.Contains(out, st[2]) {
		t.Fatalf("apply after a 502 (%v):\n%s", err, out)
	}
	if got := changes(srv); !slices.Equal(got, []string{"add:" + st[2]}) {
		t.Errorf("sent %v, want one add and no second one", got)
	}
	if err := inGroup(srv, idLinux, map[string]bool{st[1]: true, st[2]: false}); err != nil {
		t.Error(err)
	}
	// The next apply sends the add that never happened, once.
	if out, err := c.run(dir, nil, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if got := changes(srv); !slices.Equal(got, []string{"add:" + st[2]}) {
		t.Errorf("sent %v, want the one add", got)
	}
}

// The group deleted in the Control Center: the refresh says so and drops
// the resource, the plan shows it to be created, and the apply fails naming
// the group, having sent nothing; a destroy with the group gone succeeds
// with nothing to send.
func TestAccDrWebGroupMembers_groupGone(t *testing.T) {
	srv := startEmulator(t)
	st := srv.DrWebStationsIn(idWindows)[1]
	c := newCLI(t)
	dir := workdir(t, membersConfig(srv, st))
	if out, err := c.run(dir, nil, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if !srv.DeleteDrWebGroup(idLinux) {
		t.Fatal("no Linux group")
	}
	srv.ResetLog()
	out, err := c.run(dir, nil, "plan", "-input=false", "-no-color")
	flat := strings.Join(strings.Fields(out), " ")
	if err != nil || !strings.Contains(flat, "Warning: Dr.Web Group Gone") || !strings.Contains(flat, "the resource is removed from the state") ||
		!strings.Contains(flat, "endpointgroups_drweb_group_members.linux will be created") {
		t.Errorf("the plan after the group went (%v):\n%s", err, out)
	}
	out, err = c.run(dir, nil, "apply", "-auto-approve", "-input=false", "-no-color")
	if flat := strings.Join(strings.Fields(out), " "); err == nil || !strings.Contains(flat, `Dr.Web group "`+idLinux+`" not found`) {
		t.Errorf("the apply after the group went (%v):\n%s", err, out)
	}
	if n := srv.Count(stationChangePath); n != 0 {
		t.Errorf("the plan and the apply sent %d change.ds", n)
	}
	if out, err := c.run(dir, nil, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("destroy: %v\n%s", err, out)
	}
	if n := srv.Count(stationChangePath); n != 0 {
		t.Errorf("the destroy sent %d change.ds", n)
	}
}

// An import id that is neither a group nor GROUP:STATION,STATION.
func TestAccDrWebGroupMembers_badImportID(t *testing.T) {
	srv := startEmulator(t)
	for _, id := range []string{":s-1", idWindows + ":", idWindows + ": , "} {
		t.Run(id, func(t *testing.T) {
			accTest(t, resource.TestStep{
				Config: accRequiredProviders() + providerBlock(srv) + `
resource "endpointgroups_drweb_group_members" "w" {
  group_id    = "` + idWindows + `"
  station_ids = []
}
`,
				ResourceName: "endpointgroups_drweb_group_members.w", ImportState: true, ImportStateId: id,
				ExpectError: errorRe(`The import id "` + id + `" is neither a group id nor GROUP:STATION,STATION.`),
			})
		})
	}
}
