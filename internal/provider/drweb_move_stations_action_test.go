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

// Through the CLI, on every server line and in each format it serves, each
// fault before and after the write is applied ends as the server holds the
// station: an error naming it where the listing shows it not moved (or the
// server refused), a warning where the listing shows it moved; a re-run
// then settles every station. One station per fault, one workdir per line.
func TestAccDrWebMoveStations_faultsEveryLine(t *testing.T) {
	skipWithoutActions(t)
	c := newCLI(t)
	faults := []struct {
		name  string
		fault emulator.Fault
		moved bool
		says  string // the error (or, moved, the warning) the run shows
	}{
		{"reset before", emulator.Fault{Drop: true}, false, "not moved: the answer was lost and the group does not list the station"},
		{"reset after", emulator.Fault{Lose: true}, true, "Dr.Web Station Move Settled By Reading Back"},
		{"500 before", emulator.Fault{Status: 500}, false, "not moved: the answer was lost and the group does not list the station"},
		{"500 after", emulator.Fault{Lose: true, Status: 500}, true, "Dr.Web Station Move Settled By Reading Back"},
		{"errno before", emulator.Fault{Errno: 13, Message: "Access denied"}, false, "refused by the server"},
		{"errno after", emulator.Fault{Lose: true, Errno: 13, Message: "Access denied"}, true, "Dr.Web Station Move Settled By Reading Back"},
	}
	for _, v := range []struct {
		name    string
		line    emulator.DrWebServerLine
		xmlOnly bool
	}{
		{"avdesk-4.1.3 json", emulator.DrWebDefault, false},
		{"avdesk-4.1.3 xml", emulator.DrWebAVDesk413, true},
		{"ess-12 xml", emulator.DrWebESS12, false}, // its JSON does not parse: the client settles on XML
		{"ess-13.0.1 json", emulator.DrWebESS1301, false},
		{"ess-13.0.1 xml", emulator.DrWebESS1301, true},
	} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			srv := startEmulator(t)
			if err := srv.SetDrWebServerLine(v.line); err != nil {
				t.Fatal(err)
			}
			if v.xmlOnly {
				srv.SetDrWebXMLOnly(true)
			}
			sts := srv.DrWebStationsIn(idBerlin)
			if len(sts) < len(faults) {
				t.Fatalf("%d stations in Berlin", len(sts))
			}
			sts = sts[:len(faults)]
			before := map[string]string{}
			for _, st := range srv.DrWebStations() {
				before[st.ID] = st.PrimaryGroup
			}
			config := providerBlock(srv)
			for i, st := range sts {
				config += fmt.Sprintf("action \"endpointgroups_drweb_move_stations\" \"f%d\" {\n  config {\n    group_id    = %q\n    station_ids = [%q]\n  }\n}\n", i, idWindows, st)
			}
			config += fmt.Sprintf("action \"endpointgroups_drweb_move_stations\" \"all\" {\n  config {\n    group_id    = %q\n    station_ids = %s\n  }\n}\n", idWindows, hcl(sts))
			dir := workdir(t, config)
			invoke := func(name string) (string, error) {
				out, err := c.run(dir, nil, "apply", "-invoke=action.endpointgroups_drweb_move_stations."+name, "-auto-approve", "-input=false", "-no-color")
				return strings.Join(strings.Fields(out), " "), err
			}
			for i, f := range faults {
				st := sts[i]
				fault := f.fault
				fault.Path, fault.Times = stationChange, 1
				srv.AddFault(fault)
				out, err := invoke(fmt.Sprintf("f%d", i))
				if (err == nil) != f.moved || !strings.Contains(out, f.says) {
					t.Errorf("%s: error %v, want moved=%v and %q:\n%s", f.name, err, f.moved, f.says, out)
				}
				if !f.moved && !strings.Contains(out, "Dr.Web Stations Not Moved") || !strings.Contains(out, st) {
					t.Errorf("%s: the station %s is not named:\n%s", f.name, st, out)
				}
				if got, _ := parentGroupChanges(srv, idWindows); !slices.Contains(got, st) || len(got) != i+1 {
					t.Errorf("%s: change.ds sent for %v", f.name, got)
				}
				if err := primaryGroups(srv, map[string]string{st: map[bool]string{true: idWindows, false: before[st]}[f.moved]})(nil); err != nil {
					t.Errorf("%s: %v", f.name, err)
				}
			}
			// A clean re-run settles every station, moved or not.
			out, err := invoke("all")
			if err != nil || strings.Contains(out, "Dr.Web Station") || !strings.Contains(out, "Actions: 1 invoked") {
				t.Fatalf("re-run: %v\n%s", err, out)
			}
			want := map[string]string{}
			for _, st := range sts {
				want[st] = idWindows
			}
			if err := primaryGroups(srv, want)(nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}
