package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// A station whose primary group is a system group is in each user group it
// is listed in besides its primary group: the members list lists it there,
// and the walk reads the system groups' listings (but Everyone's and
// Status', which say nothing about where a station is).
func TestAccDrWebGroupMembersListResource_systemPrimary(t *testing.T) {
	srv := queryTree(t)
	byGroup := func(id string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"group_id": knownvalue.StringExact(id)})
	}
	queryTest(t, srv, resource.TestStep{
		PreConfig: srv.ResetLog,
		Query:     true,
		Config: `
list "endpointgroups_drweb_group_members" "servers" {
  provider         = endpointgroups
  include_resource = true
  config {
    parent_id = "` + idServers + `"
    recursive = false
  }
}
list "endpointgroups_drweb_group_members" "all" {
  provider = endpointgroups
  limit    = 1000
}
`,
		QueryResultChecks: []querycheck.QueryResultCheck{
			// Linux and Windows hold the seed's shared stations; Servers
			// itself is no result of a list of its children.
			querycheck.ExpectLength("endpointgroups_drweb_group_members.servers", 2),
			querycheck.ExpectLength("endpointgroups_drweb_group_members.all", 8),
			querycheck.ExpectIdentity("endpointgroups_drweb_group_members.all", map[string]knownvalue.Check{"group_id": knownvalue.StringExact(idServers)}),
			querycheck.ExpectResourceDisplayName("endpointgroups_drweb_group_members.all", byGroup(idServers), knownvalue.StringExact("Servers")),
		},
	}, resource.TestStep{
		Query: true,
		Config: `
list "endpointgroups_drweb_group_members" "top" {
  provider         = endpointgroups
  include_resource = true
  config {
    recursive = false
  }
}
`,
		QueryResultChecks: []querycheck.QueryResultCheck{
			querycheck.ExpectLength("endpointgroups_drweb_group_members.top", 1),
			querycheck.ExpectResourceKnownValues("endpointgroups_drweb_group_members.top", byGroup(idServers), []querycheck.KnownValueCheck{
				{Path: tfjsonpath.New("station_ids"), KnownValue: knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(qOSStation)})},
			}),
		},
	})
	listed := map[string]bool{}
	for _, r := range requestsTo(srv, "/api/groups/stations-list.ds") {
		listed[r.Query.Get("id")] = true
	}
	if listed[drwebEveryoneGroup] || listed[drwebStatusGroup] {
		t.Errorf("stations-list.ds of Everyone or Status (%v): their stations say nothing about where a station is", listed)
	}
	if !listed[qOSGroup] {
		t.Errorf("no stations-list.ds of %s: a station's primary group may be an Operating system subgroup", qOSGroup)
	}
}

const (
	drwebEveryoneGroup = "20e27d73-d21d-b211-a788-85419c46f0e6"
	drwebStatusGroup   = "48afe720-953c-4075-856c-361f3ff06b6d"
)
