package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

var terraformVersionLine = regexp.MustCompile(`^Terraform v(\d+)\.(\d+)\.`)

// cliAtLeast skips the test unless its CLI is Terraform major.minor or
// later (OpenTofu, whose versions count on their own, is skipped too).
func cliAtLeast(t *testing.T, c *cli, major, minor int, why string) {
	t.Helper()
	out, err := c.run(t.TempDir(), nil, "version")
	if err != nil {
		t.Fatalf("terraform version: %v\n%s", err, out)
	}
	first, _, _ := strings.Cut(out, "\n")
	m := terraformVersionLine.FindStringSubmatch(first)
	if m == nil {
		t.Skipf("%q is not Terraform %d.%d or later, which %s", first, major, minor, why)
	}
	maj, _ := strconv.Atoi(m[1])
	mnr, _ := strconv.Atoi(m[2])
	if maj < major || (maj == major && mnr < minor) {
		t.Skipf("%q is older than Terraform %d.%d, which %s", first, major, minor, why)
	}
}

// System groups and stations of queryTree.
const (
	drwebOSGroup        = "f991915f-8a15-4cf7-817a-d81d156d2bbe" // Operating system
	drwebUngroupedGroup = "411dac63-2a3e-4ce8-af4f-1fbeb94242ef"
	qOSGroup            = "q-os-win11"
	qOSStation          = "q-station-os"
	qUngroupedStation   = "q-station-ungrouped"
)

// queryTree is the default seed with what adoption must get right: groups
// nested three deep, names with "/" in them, and stations in several
// groups (besides the seed's two, one primary in a "/" group and also in
// two others, and two whose primary groups are system groups: an
// "Operating system" subgroup and Ungrouped).
func queryTree(t *testing.T) *emulator.Server {
	t.Helper()
	srv := startEmulator(t)
	groups := srv.DrWebGroups()
	groups = append(groups,
		emulator.DrWebGroup{ID: "q-slash-1", ParentID: idOffices, Name: "Paris/Lyon", Description: "two cities", Created: 1700000000, Modified: 1700000000},
		emulator.DrWebGroup{ID: "q-slash-2", ParentID: "q-slash-1", Name: "A/B \\ C", Created: 1700000001, Modified: 1700000001},
		emulator.DrWebGroup{ID: "q-deep-3", ParentID: "q-slash-2", Name: "Deep", Created: 1700000002, Modified: 1700000002},
		// An "Operating system" subgroup, which may be a station's primary group.
		emulator.DrWebGroup{ID: qOSGroup, ParentID: drwebOSGroup, Name: "Windows 11", Type: 4, Created: 1700000003, Modified: 1700000003},
	)
	srv.SetDrWebGroups(groups)
	stations := srv.DrWebStations()
	stations = append(stations, emulator.DrWebStation{
		ID: "q-station-1", Name: "lyon-01", PrimaryGroup: "q-slash-2", Groups: []string{idBerlinWS, "q-deep-3"}, State: 1,
	}, emulator.DrWebStation{
		// Primary groups that are system groups: each station is in its one
		// user group besides its primary group.
		ID: qOSStation, Name: "win11-01", PrimaryGroup: qOSGroup, Groups: []string{idServers}, State: 1,
	}, emulator.DrWebStation{
		ID: qUngroupedStation, Name: "loose-01", PrimaryGroup: drwebUngroupedGroup, Groups: []string{"q-deep-3"}, State: 1,
	})
	srv.SetDrWebStations(stations)
	return srv
}

// serverState is what adoption must leave alone: every group with its
// name, parent and description, and every station's groups.
func serverState(srv *emulator.Server) string {
	var lines []string
	for _, g := range srv.DrWebGroups() {
		lines = append(lines, fmt.Sprintf("group %s parent=%s name=%q description=%q", g.ID, g.ParentID, g.Name, g.Description))
	}
	for _, st := range srv.DrWebStations() {
		gs := slices.Clone(st.Groups)
		slices.Sort(gs)
		lines = append(lines, fmt.Sprintf("station %s primary=%s groups=%v", st.ID, st.PrimaryGroup, gs))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

var planSummary = regexp.MustCompile(`Plan: (\d+) to import, (\d+) to add, (\d+) to change, (\d+) to destroy`)

// Adopting a whole server: `terraform query -generate-config-out` writes
// an import block and a resource for every group and members resource
// listed; `terraform plan` on the result imports them all with no change,
// the apply sends no write, and the next plan is empty.
func TestAccDrWebQueryGenerateAndPlan(t *testing.T) {
	c := newCLI(t)
	cliAtLeast(t, c, 1, 14, "has list resources and `terraform query`")
	t.Parallel()
	srv := queryTree(t)
	before := serverState(srv)
	dir := workdir(t, providerBlock(srv))
	// The guide's query ("Adopting an existing Dr.Web server").
	query := `
list "endpointgroups_drweb_group" "all" {
  provider         = endpointgroups
  include_resource = true
  limit            = 1000 # Terraform's default is 100 results per list block
}

list "endpointgroups_drweb_group_members" "all" {
  provider         = endpointgroups
  include_resource = true
  limit            = 1000
}
`
	if err := os.WriteFile(filepath.Join(dir, "adopt.tfquery.hcl"), []byte(query), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := c.run(dir, nil, "query", "-no-color", "-generate-config-out=generated.tf")
	if err != nil {
		t.Fatalf("terraform query: %v\n%s", err, out)
	}
	generated, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
	if err != nil {
		t.Fatalf("terraform query wrote no generated.tf: %v\n%s", err, out)
	}
	gen := string(generated)
	t.Logf("generated.tf:\n%s", gen)
	// Every user group, system groups never; every group with stations
	// of another group too.
	wantGroups := 0
	for _, g := range srv.DrWebGroups() {
		if g.Type == 0 && !slices.Contains(drweb.SystemGroupIDs, g.ID) {
			wantGroups++
			if !strings.Contains(gen, strconv.Quote(g.ID)) {
				t.Errorf("generated.tf does not name the group %s (%q)", g.ID, g.Name)
			}
		}
	}
	for _, name := range []string{`"Paris/Lyon"`, `"A/B \\ C"`} {
		if !strings.Contains(gen, name) {
			t.Errorf("generated.tf lacks the name %s:\n%s", name, gen)
		}
	}
	gotGroups := strings.Count(gen, `resource "endpointgroups_drweb_group" `)
	gotMembers := strings.Count(gen, `resource "endpointgroups_drweb_group_members" `)
	// Berlin, Moscow, Linux, Windows (the seed's two stations), the three
	// groups of q-station-1 (Deep holds q-station-ungrouped too), and
	// Servers, which holds a station of "Operating system/Windows 11".
	if gotGroups != wantGroups || gotMembers != 8 {
		t.Fatalf("generated %d groups and %d members resources, want %d and 8:\n%s", gotGroups, gotMembers, wantGroups, gen)
	}
	for _, st := range []string{qOSStation, qUngroupedStation} {
		if !strings.Contains(gen, strconv.Quote(st)) {
			t.Errorf("generated.tf leaves out %s, whose primary group is a system group:\n%s", st, gen)
		}
	}
	if strings.Contains(gen, strconv.Quote(qOSGroup)) {
		t.Errorf("generated.tf names the system group %s:\n%s", qOSGroup, gen)
	}

	srv.ResetLog()
	out, err = c.run(dir, nil, "plan", "-no-color", "-input=false", "-out=adopt.tfplan")
	if err != nil {
		t.Fatalf("terraform plan: %v\n%s", err, out)
	}
	m := planSummary.FindStringSubmatch(out)
	if m == nil || m[1] != strconv.Itoa(gotGroups+gotMembers) || m[2] != "0" || m[3] != "0" || m[4] != "0" {
		t.Fatalf("plan of the generated configuration: %v, want %d to import and nothing else\n%s", m, gotGroups+gotMembers, out)
	}
	out, err = c.run(dir, nil, "apply", "-no-color", "-input=false", "adopt.tfplan")
	if err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}
	for _, r := range srv.Requests() {
		if slices.Contains([]string{"/api/groups/add.ds", "/api/groups/change.ds", "/api/groups/delete.ds", "/api/stations/change.ds"}, r.Path) {
			t.Errorf("adoption sent %s?%s", r.Path, r.Query.Encode())
		}
	}
	if after := serverState(srv); after != before {
		t.Errorf("the server changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	out, err = c.run(dir, nil, "plan", "-no-color", "-input=false", "-detailed-exitcode")
	if err != nil {
		t.Fatalf("the plan after adoption is not empty (%v):\n%s", err, out)
	}
	// The import said which stations it left out; a plan of what is
	// adopted says nothing of it again.
	if strings.Contains(out, "Left Out of Import") {
		t.Errorf("the plan after adoption repeats the import's warning:\n%s", out)
	}
}

// Groups whose id or name the resource refuses are left out of a query
// with include_resource (Terraform crashes generating the configuration of
// a result without a resource object), with one warning naming them and
// why: the generated configuration has nothing for them, and its plan
// imports the others with no change.
func TestAccDrWebQueryGenerateUnfitGroups(t *testing.T) {
	c := newCLI(t)
	cliAtLeast(t, c, 1, 14, "has list resources and `terraform query`")
	t.Parallel()
	srv := startEmulator(t)
	const oddID, spacedID, oddChild = "q odd:id", "q-spaced", "q-odd-child"
	srv.SetDrWebGroups(append(srv.DrWebGroups(),
		emulator.DrWebGroup{ID: oddID, Name: "Odd", Created: 1700000000, Modified: 1700000000},
		emulator.DrWebGroup{ID: spacedID, ParentID: idServers, Name: "Spaced ", Created: 1700000001, Modified: 1700000001},
		emulator.DrWebGroup{ID: oddChild, ParentID: oddID, Name: "Child", Created: 1700000002, Modified: 1700000002},
	))
	dir := workdir(t, providerBlock(srv))
	query := `
list "endpointgroups_drweb_group" "all" {
  provider         = endpointgroups
  include_resource = true
  limit            = 1000
}
`
	if err := os.WriteFile(filepath.Join(dir, "adopt.tfquery.hcl"), []byte(query), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := c.run(dir, nil, "query", "-no-color", "-generate-config-out=generated.tf")
	if err != nil {
		t.Fatalf("terraform query: %v\n%s", err, out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	if strings.Count(flat, "Dr.Web Groups Left Out of Import") != 1 ||
		!strings.Contains(flat, `"Odd" (id "q odd:id") has an id with other characters`) ||
		!strings.Contains(flat, `"Servers/Spaced " (id "q-spaced") has a name that starts or ends with spaces`) {
		t.Errorf("terraform query does not warn once naming both groups and why:\n%s", out)
	}
	generated, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
	if err != nil {
		t.Fatalf("terraform query wrote no generated.tf: %v\n%s", err, out)
	}
	gen := string(generated)
	for _, name := range []string{"Odd", "Spaced "} {
		if regexp.MustCompile(`\bname\s+=\s+` + regexp.QuoteMeta(strconv.Quote(name))).MatchString(gen) {
			t.Errorf("generated.tf has a resource for %q, which cannot be imported:\n%s", name, gen)
		}
	}
	// The child of the odd group has a fine id and name: it is adopted.
	if !strings.Contains(gen, strconv.Quote(oddChild)) {
		t.Errorf("generated.tf lacks %q:\n%s", oddChild, gen)
	}
	groups := strings.Count(gen, `resource "endpointgroups_drweb_group" `)
	if want := len(srv.DrWebGroups()) - len(drweb.SystemGroupIDs) - 2; groups != want {
		t.Errorf("generated %d groups, want %d (every user group but the two):\n%s", groups, want, gen)
	}
	out, err = c.run(dir, nil, "plan", "-no-color", "-input=false")
	if err != nil {
		t.Fatalf("terraform plan: %v\n%s", err, out)
	}
	if m := planSummary.FindStringSubmatch(out); m == nil || m[1] != strconv.Itoa(groups) || m[2] != "0" || m[3] != "0" || m[4] != "0" {
		t.Fatalf("plan of the generated configuration: %v, want %d to import and nothing else\n%s", m, groups, out)
	}
}
