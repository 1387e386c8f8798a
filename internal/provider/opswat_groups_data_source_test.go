package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

func TestOPSWATGroupsFromAPI(t *testing.T) {
	t.Parallel()
	groups := []opswat.Group{{ID: "1", Name: "Finance"}, {ID: "2", Name: "finance"}, {ID: "3", Name: "Kiosks"}}
	var m opswatGroupsModel
	opswatGroupsFromAPI(&m, groups, regexp.MustCompile(`^[Ff]in`))
	if len(m.IDs) != 2 || m.IDs[0] != "1" || m.IDs[1] != "2" || m.Groups[1].Name.ValueString() != "finance" ||
		len(m.ByID) != 2 || m.ByID["2"].Name.ValueString() != "finance" {
		t.Fatalf("got %+v", m)
	}
	var empty opswatGroupsModel
	if opswatGroupsFromAPI(&empty, nil, nil); empty.IDs == nil || empty.ByID == nil {
		t.Fatal("no groups must be an empty list and map, not null")
	}
}

func TestAccOPSWATGroups_searchAndSort(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config: providerBlock(srv) + `
data "endpointgroups_opswat_groups" "av" {
  search     = "antivirus"
  sort_field = "number_of_devices"
  sort_order = "desc"
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_opswat_groups.av", tfjsonpath.New("ids"),
				knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("260854829"), knownvalue.StringExact("167641719"), knownvalue.StringExact("301122003")})),
			statecheck.ExpectKnownValue("data.endpointgroups_opswat_groups.av", tfjsonpath.New("groups").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id":                knownvalue.StringExact("260854829"),
				"name":              knownvalue.StringExact("San Francisco"),
				"domain_name":       knownvalue.StringExact("your_domain.com"),
				"policy_id":         knownvalue.StringExact("33010675"),
				"policy_name":       knownvalue.StringExact("Policy Antivirus-critical"),
				"description":       knownvalue.StringExact("This is a group synchronized from an active directory"),
				"auto_join":         knownvalue.Bool(true),
				"number_of_devices": knownvalue.Int64Exact(100),
				"created_date":      knownvalue.StringExact("2017-07-17T07:56:22Z"),
				"last_modified":     knownvalue.StringExact("2017-08-04T07:01:33Z"),
			})),
			statecheck.ExpectKnownValue("data.endpointgroups_opswat_groups.av", tfjsonpath.New("groups").AtSliceIndex(2).AtMapKey("domain_name"), knownvalue.StringExact("")),
		},
	})
}

func TestAccOPSWATGroups_nameRegexAndAllPages(t *testing.T) {
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(137))
	accTest(t, resource.TestStep{
		Config: providerBlock(srv) + `
data "endpointgroups_opswat_groups" "all" {}

data "endpointgroups_opswat_groups" "tens" {
  name_regex = "^group-01[0-9]0$"
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_opswat_groups.all", tfjsonpath.New("ids"), knownvalue.ListSizeExact(137)),
			statecheck.ExpectKnownValue("data.endpointgroups_opswat_groups.all", tfjsonpath.New("groups").AtSliceIndex(136).AtMapKey("name"), knownvalue.StringExact("group-0137")),
			statecheck.ExpectKnownValue("data.endpointgroups_opswat_groups.tens", tfjsonpath.New("ids"),
				knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("500000099"), knownvalue.StringExact("500000109"), knownvalue.StringExact("500000119"), knownvalue.StringExact("500000129")})),
		},
	})
}

func TestAccOPSWATGroups_emptyResult(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config: providerBlock(srv) + `
data "endpointgroups_opswat_groups" "none" {
  search = "no group is called this"
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_opswat_groups.none", tfjsonpath.New("ids"), knownvalue.ListSizeExact(0)),
			statecheck.ExpectKnownValue("data.endpointgroups_opswat_groups.none", tfjsonpath.New("groups"), knownvalue.ListSizeExact(0)),
		},
	})
}

func TestAccOPSWATGroups_invalidInputs(t *testing.T) {
	srv := startEmulator(t)
	for _, tc := range []struct{ body, want string }{
		{`name_regex = "group-("`, `Invalid Regular Expression with data.endpointgroups_opswat_groups.x`},
		{`name_regex = "group-("`, "error parsing regexp: missing closing ): `group-(`"},
		{`sort_field = "size"`, `Attribute sort_field value must be one of: ["group_name" "domain_name" "policy_name" "number_of_devices" "last_update"], got: "size"`},
		{`sort_order = "up"`, `Attribute sort_order value must be one of: ["asc" "desc"], got: "up"`},
	} {
		t.Run(tc.body, func(t *testing.T) {
			accTest(t, resource.TestStep{
				Config:      providerBlock(srv) + "data \"endpointgroups_opswat_groups\" \"x\" {\n  " + tc.body + "\n}\n",
				PlanOnly:    true,
				ExpectError: errorRe(tc.want),
			})
		})
	}
	if n := srv.Count("/o/api/v3/groups"); n != 0 {
		t.Errorf("invalid inputs reached the API: %d requests", n)
	}
}

func TestAccOPSWATGroups_htmlFromProxy(t *testing.T) {
	srv := startEmulator(t)
	srv.AddFault(emulator.Fault{Path: "/o/api/v3/groups", Status: 502, Body: "<html><body><h1>502 Bad Gateway</h1></body></html>"})
	accTest(t, resource.TestStep{
		Config:      providerBlock(srv) + "data \"endpointgroups_opswat_groups\" \"x\" {}\n",
		ExpectError: errorRe(`HTTP 502 Bad Gateway; the body starts with "<html><body><h1>502 Bad Gateway</h1></body></html>" (still failing after 2 retries)`),
	})
}

// by_id keys the groups for for_each, names that repeat included; min_results
// turns an empty result into an error that shows the filter.
func TestAccOPSWATGroups_byIDAndMinResults(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config: providerBlock(srv) + `
data "endpointgroups_opswat_groups" "contractors" {
  search      = "Contractors"
  min_results = 2
}
output "domains" {
  value = { for id, g in data.endpointgroups_opswat_groups.contractors.by_id : id => "${g.name}@${g.domain_name}" }
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_opswat_groups.contractors", tfjsonpath.New("by_id"), knownvalue.MapExact(map[string]knownvalue.Check{
				"301122005": knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("Contractors"), "domain_name": knownvalue.StringExact("")}),
				"301122006": knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("Contractors"), "domain_name": knownvalue.StringExact("partners.example.com")}),
			})),
			statecheck.ExpectKnownOutputValue("domains", knownvalue.MapExact(map[string]knownvalue.Check{
				"301122005": knownvalue.StringExact("Contractors@"), "301122006": knownvalue.StringExact("Contractors@partners.example.com"),
			})),
		},
	}, resource.TestStep{
		Config: providerBlock(srv) + `
data "endpointgroups_opswat_groups" "typo" {
  search      = "Contractors"
  name_regex  = "^Contractor$"
  min_results = 1
}
`,
		ExpectError: errorRe(`Too Few OPSWAT Groups with data.endpointgroups_opswat_groups.typo`),
	}, resource.TestStep{
		Config: providerBlock(srv) + `
data "endpointgroups_opswat_groups" "typo" {
  search      = "Contractors"
  name_regex  = "^Contractor$"
  min_results = 1
}
`,
		ExpectError: errorRe(`Found 0 groups, fewer than min_results = 1. The filter was search = "Contractors", name_regex = "^Contractor$", applied to 2 groups.`),
	})
}
