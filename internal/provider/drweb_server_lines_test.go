package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

const idUngrouped = "411dac63-2a3e-4ce8-af4f-1fbeb94242ef"

// Every documented server line gives the same groups: nested lookups by
// name, system groups by name, parent_id narrowing, subtrees and direct
// children, paths, and "" for an empty description.
func TestAccDrWebServerLines(t *testing.T) {
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
			accTest(t, resource.TestStep{
				Config: providerBlock(srv) + `
data "endpointgroups_drweb_group" "berlin_ws" {
  name      = "Workstations"
  parent_id = "` + idBerlin + `"
}
data "endpointgroups_drweb_group" "linux" {
  name = "Linux"
}
data "endpointgroups_drweb_group" "ungrouped" {
  name = "Ungrouped"
}
data "endpointgroups_drweb_group" "everyone" {
  name = "Everyone"
}
data "endpointgroups_drweb_group" "by_path" {
  path = "Offices/Moscow/Workstations"
}
data "endpointgroups_drweb_group" "test" {
  id = "123123123"
}
data "endpointgroups_drweb_groups" "offices_tree" {
  parent_id = "` + idOffices + `"
}
data "endpointgroups_drweb_groups" "offices_children" {
  parent_id = "` + idOffices + `"
  recursive = false
}
data "endpointgroups_drweb_groups" "top" {
  recursive = false
}
data "endpointgroups_drweb_groups" "top_with_system" {
  recursive             = false
  include_system_groups = true
}
output "template" {
  value = "[${data.endpointgroups_drweb_group.test.description}]"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.berlin_ws", tfjsonpath.New("id"), knownvalue.StringExact(idBerlinWS)),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.berlin_ws", tfjsonpath.New("path"), knownvalue.StringExact("Offices/Berlin/Workstations")),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.linux", tfjsonpath.New("id"), knownvalue.StringExact(idLinux)),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.linux", tfjsonpath.New("parent_name"), knownvalue.StringExact("Servers")),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.ungrouped", tfjsonpath.New("id"), knownvalue.StringExact(idUngrouped)),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.ungrouped", tfjsonpath.New("stations"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.everyone", tfjsonpath.New("id"), knownvalue.StringExact(emulator.EveryoneID)),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.by_path", tfjsonpath.New("id"), knownvalue.StringExact(idMoscowWS)),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.by_path", tfjsonpath.New("description"), knownvalue.StringExact("Moscow desktops")),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.test", tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownOutputValue("template", knownvalue.StringExact("[]")),
					namesAre("data.endpointgroups_drweb_groups.offices_tree", "Berlin", "Workstations", "Moscow", "Workstations"),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_groups.offices_tree", tfjsonpath.New("ids"), strList(idBerlin, idBerlinWS, idMoscow, idMoscowWS)),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_groups.offices_tree", tfjsonpath.New("by_path"), knownvalue.MapPartial(map[string]knownvalue.Check{
						"Offices/Berlin/Workstations": knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(idBerlinWS)}),
						"Offices/Moscow/Workstations": knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(idMoscowWS)}),
					})),
					namesAre("data.endpointgroups_drweb_groups.offices_children", "Berlin", "Moscow"),
					namesAre("data.endpointgroups_drweb_groups.top", "TEST-GROUP", "Offices", "Servers"),
					namesAre("data.endpointgroups_drweb_groups.top_with_system", "TEST-GROUP", "Offices", "Servers",
						"Everyone", "Ungrouped", "Status", "Operating system", "Transport", "Tariffs"),
				},
			})
		})
	}
}

// One `terraform plan` against ESS 12: one JSON request that fails to
// parse, then XML for the rest of the run: exactly one request more than the
// same plan against a server that answers XML only, and a WARN line saying why.
func TestAccDrWebUnquotedVersionCostsOneRequest(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	costs := map[emulator.DrWebServerLine]int{}
	for _, line := range []emulator.DrWebServerLine{emulator.DrWebAVDesk413, emulator.DrWebESS12} {
		srv := startEmulator(t)
		if err := srv.SetDrWebServerLine(line); err != nil {
			t.Fatal(err)
		}
		dir := workdir(t, providerBlock(srv)+`
data "endpointgroups_drweb_group" "linux" {
  name = "Linux"
}
data "endpointgroups_drweb_groups" "all" {}
output "linux" {
  value = data.endpointgroups_drweb_group.linux.id
}
`)
		out, err := c.run(dir, []string{"TF_LOG=WARN"}, "plan", "-input=false", "-no-color")
		if err != nil || !strings.Contains(out, `linux = "`+idLinux+`"`) {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
		if line == emulator.DrWebESS12 && !strings.Contains(out, "Dr.Web answered format=json with a body that is not valid JSON; asking for XML from now on") {
			t.Errorf("no WARN line about the fallback:\n%s", out)
		}
		jsonAsked := 0
		for _, r := range srv.Requests() {
			if r.Query.Get("format") == "json" {
				jsonAsked++
			}
		}
		if line == emulator.DrWebESS12 && jsonAsked != 1 {
			t.Errorf("format=json was asked %d times in one plan, want once", jsonAsked)
		}
		costs[line] = len(srv.Requests())
	}
	// The fallback itself is one request (format=json asked once, above).
	// The totals of two plans differ by it, give or take one info.ds batch
	// that a loaded machine splits or merges (Terraform starts the reads
	// at its own pace): never by a request per read.
	if d := costs[emulator.DrWebESS12] - costs[emulator.DrWebAVDesk413]; d < 0 || d > 2 {
		t.Fatalf("requests: ESS 12 %d, AV-Desk (XML only) %d: the fallback must cost one request (one batch either way)", costs[emulator.DrWebESS12], costs[emulator.DrWebAVDesk413])
	}
}

// Names repeat; paths, maps and installers spare users the expressions they
// would write by hand, and fail clearly where a value is missing.
func TestAccDrWebMapsAndInstallers(t *testing.T) {
	srv := startEmulator(t)
	groups := append(emulator.DefaultSeed().DrWeb.Groups, emulator.DrWebGroup{ID: "rnd", ParentID: idServers, Name: "R/D", Description: "slash"})
	srv.SetDrWebGroups(groups)
	accTest(t, resource.TestStep{
		Config: providerBlock(srv) + `
data "endpointgroups_drweb_groups" "all" {
  min_results = 1
}
data "endpointgroups_drweb_group" "rnd" {
  path = "Servers/R\\/D"
}
output "linux_installer" {
  value = data.endpointgroups_drweb_group.rnd.installers["linux/x86_64"]
}
output "scanner_allowed" {
  value = data.endpointgroups_drweb_groups.all.by_path["Offices/Berlin"].rights.by_code["1"] == 1
}
output "workstations" {
  value = sort([for p, g in data.endpointgroups_drweb_groups.all.by_path : g.id if g.name == "Workstations"])
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.rnd", tfjsonpath.New("id"), knownvalue.StringExact("rnd")),
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.rnd", tfjsonpath.New("path"), knownvalue.StringExact(`Servers/R\/D`)),
			statecheck.ExpectKnownOutputValue("linux_installer", knownvalue.StringExact(srv.URL+"/download/download.ds?os=linux&arch=x86_64&group-id=rnd")),
			statecheck.ExpectKnownOutputValue("scanner_allowed", knownvalue.Bool(true)),
			statecheck.ExpectKnownOutputValue("workstations", strList(idBerlinWS, idMoscowWS)),
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_groups.all", tfjsonpath.New("by_id").AtMapKey("rnd").AtMapKey("path"), knownvalue.StringExact(`Servers/R\/D`)),
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_groups.all", tfjsonpath.New("by_path"), knownvalue.MapSizeExact(10)),
		},
	}, resource.TestStep{
		Config: providerBlock(srv) + `
data "endpointgroups_drweb_group" "berlin" {
  path = "Offices/Berlin"
}
output "missing" {
  value = data.endpointgroups_drweb_group.berlin.installers["linux/arm64"]
}
`,
		ExpectError: errorRe(`The given key does not identify an element in this collection value`),
	})
}

// Two groups of one name under one parent share a path: the one created
// first keeps it in by_path and in lookups by path, so a namesake created in
// the console never plans a destroy of what a configuration keys by path.
func TestAccDrWebSharedPath(t *testing.T) {
	srv := startEmulator(t)
	config := providerBlock(srv) + `
data "endpointgroups_drweb_groups" "offices" {
  parent_id = "` + idOffices + `"
}
resource "terraform_data" "per_group" {
  for_each = data.endpointgroups_drweb_groups.offices.by_path
  input    = each.value.id
}
`
	accTest(t, resource.TestStep{
		Config: config,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_groups.offices", tfjsonpath.New("by_path"), knownvalue.MapSizeExact(4)),
		},
	}, resource.TestStep{
		// Someone adds a second Workstations under Berlin, with a child.
		PreConfig: func() {
			groups := append(emulator.DefaultSeed().DrWeb.Groups,
				emulator.DrWebGroup{ID: "ws-new", ParentID: idBerlin, Name: "Workstations", Created: 1800000000},
				emulator.DrWebGroup{ID: "ws-new-kid", ParentID: "ws-new", Name: "Kiosks", Created: 1800000001})
			srv.SetDrWebGroups(groups)
		},
		Config:           config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_groups.offices", tfjsonpath.New("by_path"), knownvalue.MapSizeExact(4)),
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_groups.offices", tfjsonpath.New("by_path").AtMapKey("Offices/Berlin/Workstations").AtMapKey("id"),
				knownvalue.StringExact(idBerlinWS)),
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_groups.offices", tfjsonpath.New("by_id"), knownvalue.MapSizeExact(6)),
		},
	}, resource.TestStep{
		Config: providerBlock(srv) + `data "endpointgroups_drweb_group" "ws" { path = "Offices/Berlin/Workstations" }`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.ws", tfjsonpath.New("id"), knownvalue.StringExact(idBerlinWS)),
		},
	})
}
