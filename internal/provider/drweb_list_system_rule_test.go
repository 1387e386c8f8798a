package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// On every server line, both list resources with include_resource leave
// out a system group under a user group (Type 4, which AV-Desk's list.ds
// does not show and info.ds does), and the user group under it, since
// everything under a system group is system; the members list leaves out a
// group whose id an import cannot carry, and lists the group beside it.
func TestAccDrWebListResources_systemRuleOnEveryLine(t *testing.T) {
	for _, line := range []emulator.DrWebServerLine{emulator.DrWebDefault, emulator.DrWebESS12} {
		t.Run("line="+string(line), func(t *testing.T) {
			srv := queryTree(t)
			if err := srv.SetDrWebServerLine(line); err != nil {
				t.Fatal(err)
			}
			srv.SetDrWebGroups(append(srv.DrWebGroups(),
				emulator.DrWebGroup{ID: "q-sys4", ParentID: idServers, Name: "Agents", Type: 4, Created: 1700000010, Modified: 1700000010},
				emulator.DrWebGroup{ID: "q-under-sys", ParentID: "q-sys4", Name: "Under agents", Created: 1700000011, Modified: 1700000011},
				emulator.DrWebGroup{ID: "q:colon", ParentID: idServers, Name: "Legacy", Created: 1700000012, Modified: 1700000012},
				emulator.DrWebGroup{ID: "q-plain", ParentID: idServers, Name: "Plain", Created: 1700000013, Modified: 1700000013},
			))
			srv.SetDrWebStations(append(srv.DrWebStations(), emulator.DrWebStation{
				ID: "q-station-rule", Name: "rule-01", PrimaryGroup: idBerlinWS, Groups: []string{"q-sys4", "q-under-sys", "q:colon", "q-plain"}, State: 1,
			}))
			group := func(id string) map[string]knownvalue.Check {
				return map[string]knownvalue.Check{"id": knownvalue.StringExact(id)}
			}
			members := func(id string) map[string]knownvalue.Check {
				return map[string]knownvalue.Check{"group_id": knownvalue.StringExact(id)}
			}
			queryTest(t, srv, resource.TestStep{
				Query: true,
				Config: `
list "endpointgroups_drweb_group" "servers" {
  provider         = endpointgroups
  include_resource = true
  limit            = 1000
  config {
    parent_id = "` + idServers + `"
  }
}
list "endpointgroups_drweb_group_members" "servers" {
  provider         = endpointgroups
  include_resource = true
  limit            = 1000
  config {
    parent_id = "` + idServers + `"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectIdentity("endpointgroups_drweb_group.servers", group("q-plain")),
					querycheck.ExpectNoIdentity("endpointgroups_drweb_group.servers", group("q-sys4")),
					querycheck.ExpectNoIdentity("endpointgroups_drweb_group.servers", group("q-under-sys")),
					querycheck.ExpectIdentity("endpointgroups_drweb_group_members.servers", members("q-plain")),
					querycheck.ExpectNoIdentity("endpointgroups_drweb_group_members.servers", members("q-sys4")),
					querycheck.ExpectNoIdentity("endpointgroups_drweb_group_members.servers", members("q-under-sys")),
					querycheck.ExpectNoIdentity("endpointgroups_drweb_group_members.servers", members("q:colon")),
				},
			})
		})
	}
}
