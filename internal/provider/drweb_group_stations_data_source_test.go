package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

const (
	stationsListPath  = "/api/groups/stations-list.ds"
	statesPath        = "/api/stations/states.ds"
	stationChangePath = "/api/stations/change.ds"
	idBuildStation    = "5f0c9e1a-0001-4c55-8e21-00000000a001" // primary group Linux, also in Berlin
)

// setStations gives a group n stations (the emulator makes them up).
func setStations(t *testing.T, srv *emulator.Server, group string, n int) {
	t.Helper()
	groups := srv.DrWebGroups()
	i := slices.IndexFunc(groups, func(g emulator.DrWebGroup) bool { return g.ID == group })
	if i < 0 {
		t.Fatalf("no group %s", group)
	}
	groups[i].Stations = n
	srv.SetDrWebGroups(groups)
}

// A group of 230 stations read by two data sources: 3 pages of 100 and one
// states.ds in all, every station once and in server order.
func TestAccDrWebGroupStations_paging(t *testing.T) {
	srv := startEmulator(t)
	setStations(t, srv, idBerlin, 230)
	want := srv.DrWebStationsIn(idBerlin)
	if len(want) != 230 {
		t.Fatalf("the emulator has %d stations in Berlin", len(want))
	}
	accTest(t, resource.TestStep{
		Config: providerBlock(srv) + `
data "endpointgroups_drweb_group_stations" "berlin" {
  group_id    = "` + idBerlin + `"
  min_results = 230
}
data "endpointgroups_drweb_group_stations" "again" {
  group_id = "` + idBerlin + `"
}
output "online" {
  value = [for s in data.endpointgroups_drweb_group_stations.berlin.stations : s.name if s.state == 1]
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_group_stations.berlin", tfjsonpath.New("ids"), strList(want...)),
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_group_stations.again", tfjsonpath.New("ids"), strList(want...)),
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_group_stations.berlin", tfjsonpath.New("include_subgroups"), knownvalue.Bool(false)),
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_group_stations.berlin", tfjsonpath.New("stations").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id": knownvalue.StringExact(idBuildStation), "name": knownvalue.StringExact("berlin-build-01"), "state": knownvalue.Int64Exact(1),
				"last_seen": knownvalue.StringExact("2024-11-28T13:20:00Z"), "last_seen_address": knownvalue.StringExact("tcp://10.1.0.21:2193"),
			})),
			// A made-up newbie: never seen.
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_group_stations.berlin", tfjsonpath.New("by_id").AtMapKey(want[9]), knownvalue.ObjectPartial(map[string]knownvalue.Check{
				"state": knownvalue.Int64Exact(2), "last_seen": knownvalue.Null(), "last_seen_address": knownvalue.StringExact(""),
			})),
			// The default line answers like AV-Desk: no all count.
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_group_stations.berlin", tfjsonpath.New("states"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
				"all": knownvalue.Null(), "deleted": knownvalue.Int64Exact(0),
			})),
		},
		Check: func(*terraform.State) error {
			if n, s := srv.Count(stationsListPath), srv.Count(statesPath); n != 3 || s != 1 {
				return fmt.Errorf("%d stations-list.ds and %d states.ds requests, want 3 and 1\n%s", n, s, srv.Summary())
			}
			return nil
		},
	})
}

// include_subgroups gives the same stations in the same order on every
// server line: the group's own, then each subgroup's depth first.
func TestAccDrWebGroupStations_subgroupsEveryLine(t *testing.T) {
	for _, line := range emulator.DrWebServerLines {
		name := string(line)
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			srv := startEmulator(t)
			if err := srv.SetDrWebServerLine(line); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, g := range []string{idServers, idLinux, idWindows} {
				for _, id := range srv.DrWebStationsIn(g) {
					if !slices.Contains(want, id) {
						want = append(want, id)
					}
				}
			}
			all := len(srv.DrWebStationsIn(emulator.EveryoneID))
			var allCheck knownvalue.Check = knownvalue.Int64Exact(int64(len(srv.DrWebStationsIn(idLinux))))
			if line == emulator.DrWebAVDesk413 || line == emulator.DrWebDefault {
				allCheck = knownvalue.Null()
			}
			accTest(t, resource.TestStep{
				Config: providerBlock(srv) + `
data "endpointgroups_drweb_group_stations" "servers" {
  group_id          = "` + idServers + `"
  include_subgroups = true
}
data "endpointgroups_drweb_group_stations" "linux" {
  group_id = "` + idLinux + `"
}
data "endpointgroups_drweb_group_stations" "everyone" {
  group_id          = "` + emulator.EveryoneID + `"
  include_subgroups = true
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group_stations.servers", tfjsonpath.New("ids"), strList(want...)),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group_stations.linux", tfjsonpath.New("states").AtMapKey("all"), allCheck),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group_stations.everyone", tfjsonpath.New("ids"), knownvalue.ListSizeExact(all)),
				},
			})
			if len(want) != 21 {
				t.Errorf("the Servers subtree has %d stations, want 21 (12 + 9)", len(want))
			}
		})
	}
}

func TestAccDrWebGroupStations_errors(t *testing.T) {
	srv := startEmulator(t)
	for name, tc := range map[string]struct{ config, want string }{
		"unknown group": {`group_id = "no-such-group"`, `Dr.Web group "no-such-group" not found`},
		"too few":       {`group_id = "` + idWindows + `"` + "\n  min_results = 10", `Found 9 stations directly in the group "` + idWindows + `", fewer than min_results = 10.`},
		"empty id":      {`group_id = ""`, `Attribute group_id string length must be at least 1`},
	} {
		t.Run(name, func(t *testing.T) {
			accTest(t, resource.TestStep{
				Config:      providerBlock(srv) + "data \"endpointgroups_drweb_group_stations\" \"x\" {\n  " + tc.config + "\n}\n",
				ExpectError: errorRe(tc.want),
			})
		})
	}
}

// stationsConfig is one stations data source of Berlin, with extra
// arguments.
func stationsConfig(srv *emulator.Server, extra string) string {
	return providerBlock(srv) + `
data "endpointgroups_drweb_group_stations" "berlin" {
  group_id = "` + idBerlin + `"
  ` + extra + `
}
`
}

// A listing that contradicts itself fails naming the group and the page,
// never a part of the group taken for the whole; a server that
// under-reports its pages is read to its end.
func TestAccDrWebGroupStations_hostilePages(t *testing.T) {
	srv := startEmulator(t)
	setStations(t, srv, idBerlin, 256)
	want := srv.DrWebStationsIn(idBerlin)
	hostile := func(h emulator.DrWebStationsHostility) func() {
		return func() { srv.SetDrWebStationsHostility(h); srv.ResetLog() }
	}
	inconsistent := func(page int, why string) *regexp.Regexp {
		return errorRe(fmt.Sprintf(`Dr.Web's station listing of the group "%s" cannot be trusted at page %d: %s`, idBerlin, page, why))
	}
	accTest(t,
		resource.TestStep{
			PreConfig: hostile(emulator.DrWebStationsHostility{PagesTotal: "1"}),
			Config:    stationsConfig(srv, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.endpointgroups_drweb_group_stations.berlin", tfjsonpath.New("ids"), strList(want...)),
			},
		},
		resource.TestStep{
			PreConfig:   hostile(emulator.DrWebStationsHostility{PagesTotal: "lots"}),
			Config:      stationsConfig(srv, ""),
			ExpectError: inconsistent(1, `its pages total "lots" is not a whole number`),
		},
		resource.TestStep{
			PreConfig:   hostile(emulator.DrWebStationsHostility{EmptyPage: 2}),
			Config:      stationsConfig(srv, ""),
			ExpectError: inconsistent(2, `the page holds 0 stations, fewer than the 100 asked for, yet the answer gives 3 pages`),
		},
		resource.TestStep{
			PreConfig:   hostile(emulator.DrWebStationsHostility{RepeatFirst: true, PagesTotal: "1000000"}),
			Config:      stationsConfig(srv, ""),
			ExpectError: inconsistent(2, `the page holds only stations of earlier pages`),
			Check: func(*terraform.State) error {
				if n := srv.Count(stationsListPath); n > 4 {
					return fmt.Errorf("%d stations-list.ds for a server that repeats its first page", n)
				}
				return nil
			},
		},
		resource.TestStep{
			PreConfig:   hostile(emulator.DrWebStationsHostility{PerPage: 1000}),
			Config:      stationsConfig(srv, ""),
			ExpectError: inconsistent(1, `the page holds 256 stations, more than the 100 asked for`),
		},
	)
}

// Counts that are not non-negative whole numbers are null, with a warning
// that names them; the others are as the server sent them.
func TestAccDrWebGroupStations_countsNotNumbers(t *testing.T) {
	srv := startEmulator(t)
	srv.SetDrWebStationsHostility(emulator.DrWebStationsHostility{Counts: map[string]string{
		"online": "lots", "offline": "3.5", "new": "100000000000000000000000", "deleted": "-2",
	}})
	c := newCLI(t)
	dir := workdir(t, stationsConfig(srv, "")+`
output "states" {
  value = data.endpointgroups_drweb_group_stations.berlin.states
}
`)
	out, err := c.run(dir, nil, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Warning: Dr.Web Station Counts Not Numbers", `the count "online" of states.ds is "lots"`, `the count "offline" of states.ds is "3.5"`,
		`"deleted" of states.ds is "-2"`, `"new" of states.ds is "1000000000000000000000`} {
		if !strings.Contains(flat, want) {
			t.Errorf("the apply's output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(flat, "Warning: Dr.Web Station Counts Not Numbers") != 1 {
		t.Errorf("want one warning:\n%s", out)
	}
	out, err = c.run(dir, nil, "output", "-json", "states")
	if err != nil {
		t.Fatalf("output: %v\n%s", err, out)
	}
	var states map[string]*int64
	if err := json.Unmarshal([]byte(out), &states); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if states["online"] != nil || states["offline"] != nil || states["new"] != nil || states["deleted"] != nil || states["activated"] == nil {
		t.Errorf("states %s", out)
	}
}

// The read's timeout bounds the whole read, every page and retry: a server
// that is too slow fails with an error naming the timeout.
func TestAccDrWebGroupStations_readTimeout(t *testing.T) {
	srv := startEmulator(t)
	srv.SetLatency(20 * time.Second)
	accTest(t, resource.TestStep{
		Config: stationsConfig(srv, `timeouts {
    read = "2s"
  }`),
		ExpectError: errorRe(`Error: Dr.Web Read Timed Out`),
	}, resource.TestStep{
		Config: stationsConfig(srv, `timeouts {
    read = "2s"
  }`),
		ExpectError: errorRe(`reading the stations of the group "` + idBerlin + `" did not finish within the read's timeout of 2s`),
	})
}
