package provider

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

const (
	stationChange = "/api/stations/change.ds"
	buildStation  = "5f0c9e1a-0001-4c55-8e21-00000000a001" // primary group Linux, also in Berlin
)

// primaryGroups checks the server's primary group of each station.
func primaryGroups(srv *emulator.Server, want map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, st := range srv.DrWebStations() {
			if g, ok := want[st.ID]; ok && st.PrimaryGroup != g {
				return fmt.Errorf("station %s: primary group %s, want %s", st.ID, st.PrimaryGroup, g)
			}
		}
		return nil
	}
}

// parentGroupChanges returns the stations change.ds was sent for, checking
// that each is a parent-group change and nothing else.
func parentGroupChanges(srv *emulator.Server, group string) ([]string, error) {
	var out []string
	for _, r := range srv.Requests() {
		if r.Path != stationChange {
			continue
		}
		if r.Query.Get("parent-group") != group || r.Query.Has("add-group") || r.Query.Has("delete-group") {
			return nil, fmt.Errorf("change.ds %v", r.Query)
		}
		out = append(out, r.Query.Get("id"))
	}
	slices.Sort(out)
	return out, nil
}

// A VM's creation makes a group the primary group of its stations, one
// change each, on every server line (XML and JSON).
func TestAccDrWebMoveStations_trigger(t *testing.T) {
	srv := startEmulator(t)
	sts := append([]string{buildStation}, srv.DrWebStationsIn(idBerlin)[3:5]...)
	want := map[string]string{}
	for _, st := range sts {
		want[st] = idWindows
	}
	actionTest(t, resource.TestStep{
		Config: providerBlock(srv) + triggered("endpointgroups_drweb_move_stations", "to_windows",
			`    group_id    = "`+idWindows+`"
    station_ids = `+hcl(sts)),
		Check: resource.ComposeTestCheckFunc(primaryGroups(srv, want), func(*terraform.State) error {
			got, err := parentGroupChanges(srv, idWindows)
			if err != nil {
				return err
			}
			if !slices.Equal(got, slices.Sorted(slices.Values(sts))) {
				return fmt.Errorf("change.ds for %v", got)
			}
			return nil
		}),
	})
}

// An unknown group fails before any change; a refused station is named.
func TestAccDrWebMoveStations_errors(t *testing.T) {
	srv := startEmulator(t)
	actionTest(t, resource.TestStep{
		Config: providerBlock(srv) + triggered("endpointgroups_drweb_move_stations", "nowhere",
			`    group_id    = "no-such-group"
    station_ids = ["`+buildStation+`"]`),
		ExpectError: inOrder("Dr.Web Group Not Found", "No station was changed."),
	}, resource.TestStep{
		Config: providerBlock(srv),
		Check: func(*terraform.State) error {
			if n := srv.Count(stationChange); n != 0 {
				return fmt.Errorf("%d change.ds sent for an unknown group", n)
			}
			return nil
		},
	}, resource.TestStep{
		Config: providerBlock(srv) + triggered("endpointgroups_drweb_move_stations", "some_unknown",
			`    group_id    = "`+idWindows+`"
    station_ids = ["`+buildStation+`", "no-such-station"]`),
		ExpectError: inOrder("Dr.Web Stations Not Moved", `1 of 2 stations were not shown moved into the group "`+idWindows+`"`, "no-such-station: refused by the server"),
	}, resource.TestStep{
		Config: providerBlock(srv),
		Check:  primaryGroups(srv, map[string]string{buildStation: idWindows}),
	})
}

// Under each fault before and after the write is applied, each change is
// sent once and the action ends as the server holds the stations: a lost
// answer that the listing shows applied is a warning, one it shows not
// applied is an error naming the station.
func TestAccDrWebMoveStations_faults(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault emulator.Fault
		err   string
		moved bool
	}{
		{"drop before", emulator.Fault{Drop: true}, "not moved: the answer was lost and the group does not list the station", false},
		{"refusal before", emulator.Fault{Errno: 13, Message: "Access denied"}, "refused by the server", false},
		{"lost after", emulator.Fault{Lose: true}, "", true},
		{"refusal after", emulator.Fault{Lose: true, Errno: 13, Message: "Access denied"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startEmulator(t)
			st := srv.DrWebStationsIn(idBerlin)[4]
			f := tc.fault
			f.Path, f.Times = stationChange, 1
			srv.AddFault(f)
			var step resource.TestStep
			step.Config = providerBlock(srv) + triggered("endpointgroups_drweb_move_stations", "faulty",
				`    group_id    = "`+idWindows+`"
    station_ids = ["`+st+`"]`)
			if tc.err != "" {
				step.ExpectError = inOrder("Dr.Web Stations Not Moved", st, tc.err)
			}
			actionTest(t, step, resource.TestStep{
				Config: providerBlock(srv),
				Check: func(*terraform.State) error {
					if n := srv.Count(stationChange); n != 1 {
						return fmt.Errorf("change.ds sent %d times", n)
					}
					primary := ""
					for _, s := range srv.DrWebStations() {
						if s.ID == st {
							primary = s.PrimaryGroup
						}
					}
					if (primary == idWindows) != tc.moved {
						return fmt.Errorf("primary group %s; moved expected: %v", primary, tc.moved)
					}
					return nil
				},
			})
		})
	}
}

// terraform apply -invoke moves stations by themselves, with progress per station.
func TestAccDrWebMoveStations_invoke(t *testing.T) {
	skipWithoutActions(t)
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	sts := srv.DrWebStationsIn(idMoscow)[2:4]
	dir := workdir(t, providerBlock(srv)+`
action "endpointgroups_drweb_move_stations" "to_linux" {
  config {
    group_id    = "`+idLinux+`"
    station_ids = `+hcl(sts)+`
  }
}
`)
	out, err := c.run(dir, nil, "apply", "-invoke=action.endpointgroups_drweb_move_stations.to_linux", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("terraform apply -invoke: %v\n%s", err, out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, st := range sts {
		if !strings.Contains(flat, "station "+st+" moved") {
			t.Errorf("no progress for %s:\n%s", st, out)
		}
	}
	if err := primaryGroups(srv, map[string]string{sts[0]: idLinux, sts[1]: idLinux})(nil); err != nil {
		t.Fatal(err)
	}
}
