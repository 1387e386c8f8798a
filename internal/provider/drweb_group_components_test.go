package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

const componentsConfig = `
data "endpointgroups_drweb_group" "offices" {
  id = "` + idOffices + `"
}
data "endpointgroups_drweb_group" "berlin" {
  path = "Offices/Berlin"
}
data "endpointgroups_drweb_groups" "offices" {
  parent_id = "` + idOffices + `"
  recursive = false
}
`

func component(code int64, name string, status int64) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"code": knownvalue.Int64Exact(code), "name": knownvalue.StringExact(name), "status": knownvalue.Int64Exact(status),
	})
}

// officesComponents is the install policy the seed gives Offices.
func officesComponents(inherited bool, fromID, fromName string) knownvalue.Check {
	var from, fromN knownvalue.Check = knownvalue.Null(), knownvalue.Null()
	if fromID != "" {
		from, fromN = knownvalue.StringExact(fromID), knownvalue.StringExact(fromName)
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"inherited":            knownvalue.Bool(inherited),
		"inherited_group_id":   from,
		"inherited_group_name": fromN,
		"items": knownvalue.ListExact([]knownvalue.Check{
			component(4, "Dr.Web Scanner for Windows", 2), component(30, "Dr.Web Agent for Windows", 2),
			component(38, "SpIDer Gate", 2), component(105, "Dr.Web Firewall", 1),
		}),
		"by_code": knownvalue.MapExact(map[string]knownvalue.Check{
			"4": knownvalue.Int64Exact(2), "30": knownvalue.Int64Exact(2), "38": knownvalue.Int64Exact(2), "105": knownvalue.Int64Exact(1),
		}),
	})
}

// Components come in the same info.ds request as rights and keys, on every
// line that prints them (ESS 12 and 13, JSON or XML); AV-Desk prints none,
// and the attribute is null there.
func TestAccDrWebGroupComponents_serverLines(t *testing.T) {
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
			printed := line == emulator.DrWebESS12 || line == emulator.DrWebESS1301
			var own, inherited knownvalue.Check = knownvalue.Null(), knownvalue.Null()
			if printed {
				own, inherited = officesComponents(false, "", ""), officesComponents(true, idOffices, "Offices")
			}
			accTest(t, resource.TestStep{
				Config: providerBlock(srv) + componentsConfig,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.offices", tfjsonpath.New("components"), own),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.berlin", tfjsonpath.New("components"), inherited),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_groups.offices", tfjsonpath.New("groups").AtSliceIndex(0).AtMapKey("components"), inherited),
				},
				Check: func(*terraform.State) error {
					for _, r := range srv.Requests() {
						if r.Path == "/api/groups/info.ds" && r.Query.Get("components") != "yes" {
							t.Errorf("info.ds asked without components=yes: %v", r.Query)
						}
					}
					return nil
				},
			})
		})
	}
}

// A server that refuses components=yes is asked once more without it, and
// never again with it in the run: the groups read, components null.
// The emulator answers every refusal with status 200, so a 200 without the
// parameter is a success only with its id in the answer: the plan shows it.
func TestAccDrWebGroupComponents_refused(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	if err := srv.SetDrWebServerLine(emulator.DrWebESS1301); err != nil {
		t.Fatal(err)
	}
	srv.SetDrWebRefuseComponents(true)
	c := newCLI(t)
	dir := workdir(t, providerBlock(srv)+componentsConfig+`
output "offices" {
  value = data.endpointgroups_drweb_group.offices.components == null
}
output "berlin" {
  value = data.endpointgroups_drweb_group.berlin.id
}
`)
	out, err := c.run(dir, nil, "plan", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("plan failed: %v\n%s", err, out)
	}
	for _, want := range []string{`offices\s+=\s+true`, `berlin\s+=\s+"` + idBerlin + `"`} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	// Refused batches are split down to one id before the parameter is
	// dropped; once an answer without it has succeeded, it is never sent again.
	with, settled := 0, false
	for _, r := range srv.Requests() {
		if r.Path != "/api/groups/info.ds" {
			continue
		}
		switch {
		case r.Query.Has("components") && settled:
			t.Errorf("components=yes sent again after the server refused it: %v", r.Query)
		case r.Query.Has("components"):
			with++
		case r.Status == 200 && len(r.Query["id"]) > 0:
			settled = true
		}
	}
	if with == 0 || with > 3 {
		t.Errorf("info.ds was asked %d times with components=yes, want 1 to 3 (a batch, its halves, one id)\n%s", with, srv.Summary())
	}
}
