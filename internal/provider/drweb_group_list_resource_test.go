package provider

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// skipBelowQuery is the version check of every test of a list resource:
// `terraform query` and list blocks came with Terraform 1.14 (OpenTofu,
// whose versions count on their own, has neither: 1.12.6 is skipped too).
var skipBelowQuery = []tfversion.TerraformVersionCheck{skipSaying{
	TerraformVersionCheck: tfversion.SkipBelow(tfversion.Version1_14_0),
	why:                   "list resources and `terraform query` came with Terraform 1.14 (OpenTofu has neither)",
}}

// skipSaying is a version check whose skip message also says why.
type skipSaying struct {
	tfversion.TerraformVersionCheck
	why string
}

func (s skipSaying) CheckTerraformVersion(ctx context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	s.TerraformVersionCheck.CheckTerraformVersion(ctx, req, resp)
	if resp.Skip != "" {
		resp.Skip += ": " + s.why
	}
}

// queryTest runs a configuration step that sets up the provider, then the
// query steps, against srv.
func queryTest(t *testing.T, srv *emulator.Server, steps ...resource.TestStep) {
	t.Helper()
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   skipBelowQuery,
		ProtoV6ProviderFactories: protoV6,
		Steps:                    append([]resource.TestStep{{Config: accRequiredProviders() + providerBlock(srv)}}, steps...),
	})
}

// requestsTo returns the requests srv received for path.
func requestsTo(srv *emulator.Server, path string) []emulator.Request {
	return slices.DeleteFunc(srv.Requests(), func(r emulator.Request) bool { return r.Path != path })
}

// The group list resource lists a subtree with the identity, the path as
// display name and the object an import saves; limit, name_regex,
// recursive and system groups behave as on the plural data source; the
// whole query walks the tree once and asks info.ds once for every group
// whose resource object it returns.
func TestAccDrWebGroupListResource_query(t *testing.T) {
	srv := startEmulator(t)
	byID := func(id string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)})
	}
	queryTest(t, srv, resource.TestStep{
		PreConfig: srv.ResetLog,
		Query:     true,
		Config: `
list "endpointgroups_drweb_group" "offices" {
  provider         = endpointgroups
  include_resource = true
  config {
    parent_id = "` + idOffices + `"
  }
}
list "endpointgroups_drweb_group" "top" {
  provider = endpointgroups
  config {
    recursive = false
  }
}
list "endpointgroups_drweb_group" "workstations" {
  provider = endpointgroups
  limit    = 1
  config {
    name_regex = "^Work"
  }
}
list "endpointgroups_drweb_group" "system" {
  provider = endpointgroups
  config {
    recursive             = false
    include_system_groups = true
  }
}
`,
		QueryResultChecks: []querycheck.QueryResultCheck{
			querycheck.ExpectLength("endpointgroups_drweb_group.offices", 4),
			querycheck.ExpectIdentity("endpointgroups_drweb_group.offices", map[string]knownvalue.Check{"id": knownvalue.StringExact(idBerlinWS)}),
			querycheck.ExpectResourceDisplayName("endpointgroups_drweb_group.offices", byID(idBerlinWS), knownvalue.StringExact("Offices/Berlin/Workstations")),
			querycheck.ExpectResourceDisplayName("endpointgroups_drweb_group.offices", byID(idMoscow), knownvalue.StringExact("Offices/Moscow")),
			querycheck.ExpectResourceKnownValues("endpointgroups_drweb_group.offices", byID(idBerlinWS), []querycheck.KnownValueCheck{
				{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(idBerlinWS)},
				{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact("Workstations")},
				{Path: tfjsonpath.New("parent_id"), KnownValue: knownvalue.StringExact(idBerlin)},
				{Path: tfjsonpath.New("description"), KnownValue: knownvalue.NotNull()},
				{Path: tfjsonpath.New("allow_duplicate_names"), KnownValue: knownvalue.Bool(false)},
				{Path: tfjsonpath.New("created"), KnownValue: knownvalue.NotNull()},
				{Path: tfjsonpath.New("installers"), KnownValue: knownvalue.NotNull()},
			}),
			// The top level's user groups only, without include_system_groups.
			querycheck.ExpectLength("endpointgroups_drweb_group.top", 3),
			querycheck.ExpectResourceDisplayName("endpointgroups_drweb_group.top", byID(idServers), knownvalue.StringExact("Servers")),
			querycheck.ExpectLength("endpointgroups_drweb_group.workstations", 1),
			querycheck.ExpectIdentity("endpointgroups_drweb_group.system", map[string]knownvalue.Check{"id": knownvalue.StringExact(emulator.EveryoneID)}),
			querycheck.ExpectIdentity("endpointgroups_drweb_group.system", map[string]knownvalue.Check{"id": knownvalue.StringExact(idServers)}),
		},
	})
	// One provider process served every list block of the query: one
	// walk of the tree (a list.ds per group with children, each once)
	// and the details of the four groups of "offices" in one info.ds.
	lists := map[string]int{}
	for _, r := range requestsTo(srv, "/api/groups/list.ds") {
		lists[r.Query.Get("parent-group")]++
	}
	for parent, n := range lists {
		if n != 1 {
			t.Errorf("list.ds of %q was asked %d times, want once: %v", parent, n, lists)
		}
	}
	// (The walk itself asks info.ds for the system groups on lines whose
	// list.ds leaves them out.)
	asked := map[string]int{}
	var batch []string
	for _, r := range requestsTo(srv, "/api/groups/info.ds") {
		for _, id := range r.Query["id"] {
			asked[id]++
		}
		if slices.Contains(r.Query["id"], idBerlin) {
			batch = sorted(r.Query["id"])
		}
	}
	for id, n := range asked {
		if n != 1 {
			t.Errorf("info.ds asked for %s %d times, want once: %v", id, n, asked)
		}
	}
	if want := sorted([]string{idBerlin, idMoscow, idBerlinWS, idMoscowWS}); !slices.Equal(batch, want) {
		t.Errorf("the info.ds request for Offices' groups asked for %v, want %v together", batch, want)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// With include_resource, a system group is left out with a warning (the
// server refuses to change or delete one, so a generated resource could
// not be imported); an invalid regular expression and an unknown parent
// are errors that say what is wrong.
func TestAccDrWebGroupListResource_errors(t *testing.T) {
	srv := startEmulator(t)
	queryTest(t, srv, resource.TestStep{
		Query: true,
		Config: `
list "endpointgroups_drweb_group" "system" {
  provider         = endpointgroups
  include_resource = true
  config {
    recursive             = false
    include_system_groups = true
  }
}
`,
		QueryResultChecks: []querycheck.QueryResultCheck{
			querycheck.ExpectLength("endpointgroups_drweb_group.system", 3),
			querycheck.ExpectIdentity("endpointgroups_drweb_group.system", map[string]knownvalue.Check{"id": knownvalue.StringExact(idOffices)}),
		},
	}, resource.TestStep{
		Query: true,
		Config: `
list "endpointgroups_drweb_group" "bad" {
  provider = endpointgroups
  config {
    name_regex = "(unclosed"
  }
}
`,
		ExpectError: errorRe("Invalid Regular Expression"),
	}, resource.TestStep{
		Query: true,
		Config: `
list "endpointgroups_drweb_group" "gone" {
  provider = endpointgroups
  config {
    parent_id = "no-such-group"
  }
}
`,
		ExpectError: errorRe("no-such-group"),
	}, resource.TestStep{
		// A listing refused for another reason than "not found" is not
		// a parent that does not exist.
		PreConfig: func() {
			srv.AddFault(emulator.Fault{Path: "/api/groups/list.ds", Errno: 12, Message: "Access denied for admin"})
		},
		Query: true,
		Config: `
list "endpointgroups_drweb_group" "refused" {
  provider = endpointgroups
  config {
    parent_id = "` + idBerlin + `"
  }
}
`,
		ExpectError: regexp.MustCompile(`(?s)Dr.Web Group Listing Refused.*refused to list the child groups of\s+"` + idBerlin + `".*Access\s+denied\s+for\s+admin`),
	})
}

// The members list resource gives one result per group that holds
// stations the listings show in another group too, with exactly those
// stations; groups whose stations are only their own are left out.
func TestAccDrWebGroupMembersListResource_query(t *testing.T) {
	srv := startEmulator(t)
	const st1, st2 = "5f0c9e1a-0001-4c55-8e21-00000000a001", "5f0c9e1a-0002-4c55-8e21-00000000a002"
	queryTest(t, srv, resource.TestStep{
		PreConfig: srv.ResetLog,
		Query:     true,
		Config: `
list "endpointgroups_drweb_group_members" "offices" {
  provider         = endpointgroups
  include_resource = true
  config {
    parent_id = "` + idOffices + `"
  }
}
list "endpointgroups_drweb_group_members" "all" {
  provider = endpointgroups
}
`,
		QueryResultChecks: []querycheck.QueryResultCheck{
			querycheck.ExpectLength("endpointgroups_drweb_group_members.offices", 2),
			querycheck.ExpectResourceKnownValues("endpointgroups_drweb_group_members.offices",
				queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"group_id": knownvalue.StringExact(idBerlin)}),
				[]querycheck.KnownValueCheck{
					{Path: tfjsonpath.New("group_id"), KnownValue: knownvalue.StringExact(idBerlin)},
					{Path: tfjsonpath.New("station_ids"), KnownValue: knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(st1)})},
				}),
			querycheck.ExpectResourceDisplayName("endpointgroups_drweb_group_members.offices",
				queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"group_id": knownvalue.StringExact(idMoscow)}),
				knownvalue.StringExact("Offices/Moscow")),
			querycheck.ExpectResourceKnownValues("endpointgroups_drweb_group_members.offices",
				queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"group_id": knownvalue.StringExact(idMoscow)}),
				[]querycheck.KnownValueCheck{
					{Path: tfjsonpath.New("station_ids"), KnownValue: knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(st2)})},
				}),
			// The whole tree: Linux and Windows hold the two stations too
			// (the API does not say which group is a station's primary one).
			querycheck.ExpectLength("endpointgroups_drweb_group_members.all", 4),
		},
	})
	// Each group's stations were listed once for both list blocks.
	per := map[string]int{}
	for _, r := range requestsTo(srv, "/api/groups/stations-list.ds") {
		per[r.Query.Get("id")+" page "+r.Query.Get("page")]++
	}
	for k, n := range per {
		if n != 1 {
			t.Errorf("stations-list.ds %s asked %d times, want once: %v", k, n, per)
		}
	}
	if len(per) == 0 || strings.Contains(strings.Join(keysOf(per), ","), emulator.EveryoneID) {
		t.Errorf("stations-list.ds: %v, want the user groups' listings only", per)
	}
}

func keysOf(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// drwebMembersResults keeps the groups of the scope that hold shared
// stations, in tree order, never a system group, at most limit of them.
func TestDrWebMembersResults(t *testing.T) {
	t.Parallel()
	scope := []drweb.TreeNode{
		{ID: "a", Path: "A"}, {ID: "sys", Path: "Everyone", System: true}, {ID: "b", Path: "A/B"}, {ID: "c", Path: "C"}, {ID: "d", Path: "D"},
	}
	shared := map[string][]string{"a": {"s1"}, "sys": {"s1"}, "c": {"s1", "s2"}, "d": {"s2"}}
	var got []string
	results, _ := drwebMembersResults(scope, shared, nil, 2, true)
	for _, r := range results {
		got = append(got, r.path+"="+strings.Join(r.model.StationIDs, ","))
	}
	if want := []string{"A=s1", "C=s1,s2"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// With include_resource, a group whose id is outside drweb.IDPattern is no
// result of the members list but named as left out: the import that
// -generate-config-out writes for it would fail. Without, it is listed.
func TestDrWebMembersResults_unfitID(t *testing.T) {
	t.Parallel()
	scope := []drweb.TreeNode{{ID: "legacy:42", Path: "Legacy"}, {ID: "b", Path: "B"}}
	shared := map[string][]string{"legacy:42": {"s1"}, "b": {"s1"}}
	results, unfit := drwebMembersResults(scope, shared, nil, 100, true)
	if len(results) != 1 || results[0].model.GroupID.ValueString() != "b" || len(unfit) != 1 || !strings.Contains(unfit[0], `"legacy:42"`) {
		t.Errorf("with include_resource: results %v, left out %v; want only B, and legacy:42 left out", results, unfit)
	}
	results, unfit = drwebMembersResults(scope, shared, nil, 100, false)
	if len(results) != 2 || len(unfit) != 0 {
		t.Errorf("without include_resource: results %v, left out %v; want both groups listed", results, unfit)
	}
}

// A subgroup of a system group is a system group, even where list.ds gives
// no type (AV-Desk, the emulator's default line) and its id is not a
// well-known one: with include_resource it is left out (a resource for it
// could not be imported), under include_system_groups and under a
// parent_id that is a system group alike; without, it is listed by path.
// So is a group that info.ds (read for the resource anyway) calls a system
// group.
func TestAccDrWebGroupListResource_systemSubgroups(t *testing.T) {
	srv := queryTree(t)
	// A top-level group whose info.ds type (10, a pseudogroup) says what
	// list.ds on this line does not.
	srv.SetDrWebGroups(append(srv.DrWebGroups(), emulator.DrWebGroup{ID: "q-pseudo", Name: "Pseudo", Type: 10, Created: 1700000004, Modified: 1700000004}))
	byID := func(id string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)})
	}
	userGroups := 0
	for _, g := range srv.DrWebGroups() {
		if g.Type == 0 && !slices.Contains(drweb.SystemGroupIDs, g.ID) {
			userGroups++
		}
	}
	queryTest(t, srv, resource.TestStep{
		Query: true,
		Config: `
list "endpointgroups_drweb_group" "everything" {
  provider         = endpointgroups
  include_resource = true
  limit            = 1000
  config {
    include_system_groups = true
  }
}
list "endpointgroups_drweb_group" "os" {
  provider         = endpointgroups
  include_resource = true
  config {
    parent_id = "` + drwebOSGroup + `"
  }
}
list "endpointgroups_drweb_group" "paths" {
  provider = endpointgroups
  limit    = 1000
  config {
    include_system_groups = true
  }
}
`,
		QueryResultChecks: []querycheck.QueryResultCheck{
			querycheck.ExpectLength("endpointgroups_drweb_group.everything", userGroups),
			querycheck.ExpectLength("endpointgroups_drweb_group.os", 0),
			querycheck.ExpectResourceDisplayName("endpointgroups_drweb_group.paths", byID(qOSGroup), knownvalue.StringExact("Operating system/Windows 11")),
		},
	})
}
