package provider

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// groupRequestKinds counts the group requests the emulator saw: with a
// search, and without (the walk).
func groupRequestKinds(t *testing.T, srv *emulator.Server) (search, walk int) {
	t.Helper()
	for _, r := range srv.Requests() {
		if r.Path != groupsPath {
			continue
		}
		var b struct{ Search string }
		if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
			t.Fatal(err)
		}
		if b.Search != "" {
			search++
		} else {
			walk++
		}
	}
	return search, walk
}

// One `terraform plan` at the API's default 10 requests a minute, against an
// account of 2,000 groups: what it costs depends on what it asks.
func TestAccOPSWATPlanCost(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	const names = `
data "endpointgroups_opswat_group" "a" {
  name = "group-0007"
}
data "endpointgroups_opswat_group" "b" {
  name = "group-1500"
}
data "endpointgroups_opswat_group" "c" {
  name = "group-2000"
}
output "ids" {
  value = [data.endpointgroups_opswat_group.a.id, data.endpointgroups_opswat_group.b.id, data.endpointgroups_opswat_group.c.id]
}
`
	for _, tc := range []struct {
		name         string
		mode         emulator.SearchMode
		extra        string
		search, walk int
	}{
		{name: "three names", search: 3},
		{name: "three names, a search that matches whole words only", mode: emulator.SearchWords, search: 3},
		{name: "three names, a search that never matches", mode: emulator.SearchNever, search: 3, walk: 41},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startEmulator(t)
			srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(2000))
			srv.SetSearchMode(tc.mode)
			dir := workdir(t, fmt.Sprintf(`
provider "endpointgroups" {
  opswat {
    base_url      = %q
    client_id     = "demo-client"
    client_secret = "demo-secret"
    requests_per_minute = 119 # below read-ahead: exact counts
  }
}
`, srv.URL)+names+tc.extra)
			out, err := c.run(dir, nil, "plan", "-no-color", "-input=false")
			if err != nil {
				t.Fatalf("terraform plan: %v\n%s", err, out)
			}
			if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, `+ ids = [ + "500000006", + "500001499", + "500001999", ]`) {
				t.Fatalf("the plan does not show the ids:\n%s", out)
			}
			search, walk := groupRequestKinds(t, srv)
			if search != tc.search || walk != tc.walk {
				t.Errorf("%d search and %d walk requests, want %d and %d", search, walk, tc.search, tc.walk)
			}
			if n := srv.Count("/o/oauth/token"); n != 1 {
				t.Errorf("%d token requests, want 1", n)
			}
		})
	}
}

// A lookup by id in the same plan makes one walk serve the names too.
func TestAccOPSWATPlanCostWithAnID(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(120))
	dir := workdir(t, fmt.Sprintf(`
provider "endpointgroups" {
  opswat {
    base_url      = %q
    client_id     = "demo-client"
    client_secret = "demo-secret"
    requests_per_minute = 119
  }
}
data "endpointgroups_opswat_group" "a" {
  name = "group-0007"
}
data "endpointgroups_opswat_group" "b" {
  name = "group-0100"
}
data "endpointgroups_opswat_group" "c" {
  id = "500000042"
}
`, srv.URL))
	if out, err := c.run(dir, nil, "plan", "-no-color", "-input=false"); err != nil {
		t.Fatalf("terraform plan: %v\n%s", err, out)
	}
	if search, walk := groupRequestKinds(t, srv); search != 0 || walk != 3 {
		t.Errorf("%d search and %d walk requests, want 0 and 3 (one walk of 120 groups)", search, walk)
	}
}
