package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

func TestDrWebSelect(t *testing.T) {
	t.Parallel()
	nodes := []drweb.TreeNode{{ID: "1", Name: "Workstations"}, {ID: "2", Name: "Servers"}, {ID: "3", Name: "Workstations"}}
	if got := keepNamed(nodes, regexp.MustCompile("^Work"), func(n drweb.TreeNode) string { return n.Name }); len(got) != 2 || got[0].ID != "1" || got[1].ID != "3" {
		t.Fatalf("got %v", got)
	}
	if got := keepNamed(nil, nil, func(n drweb.TreeNode) string { return n.Name }); got == nil || len(got) != 0 {
		t.Fatalf("got %v", got)
	}
}

func TestDrWebGroupsFromAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, shared, diags := drwebGroupsFromAPI(ctx, drwebGroupObjectType(ctx), []drweb.Group{
		{ID: "1", Name: "A", Path: "A"},
		{ID: "2", Name: "B", Path: "A/B", ParentID: "1", Created: "2020-01-01T00:00:00Z"},
		{ID: "3", Name: "B", Path: "A/B", ParentID: "1", Created: "2019-01-01T00:00:00Z"},
		{ID: "4", Name: "B", Path: "C/B"},
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	idOf := func(v tftypes.Value) string {
		var o map[string]tftypes.Value
		var id string
		if err := v.As(&o); err != nil {
			t.Fatal(err)
		}
		if err := o["id"].As(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	var groups []tftypes.Value
	var byID, byPath map[string]tftypes.Value
	if err := errors.Join(v.Groups.As(&groups), v.ByID.As(&byID), v.ByPath.As(&byPath)); err != nil {
		t.Fatal(err)
	}
	if len(v.IDs) != 4 || len(groups) != 4 || len(byID) != 4 || idOf(byID["3"]) != "3" {
		t.Fatalf("ids %v, groups %d, by_id %d", v.IDs, len(groups), len(byID))
	}
	if len(byPath) != 3 || idOf(byPath["A/B"]) != "3" || idOf(byPath["C/B"]) != "4" ||
		len(shared) != 1 || shared[0].Path != "A/B" || shared[0].Kept != "3" || !slices.Equal(shared[0].LeftOut, []string{"2"}) {
		t.Fatalf("by_path %v, shared %+v", v.ByPath, shared)
	}
	if got := sharedPathText(shared); got != `"A/B" is the path of "3" (created first, kept) and of "2"` {
		t.Fatalf("warning text %q", got)
	}
}

func namesAre(addr string, names ...string) statecheck.StateCheck {
	var checks []knownvalue.Check
	for _, n := range names {
		checks = append(checks, knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(n)}))
	}
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("groups"), knownvalue.ListExact(checks))
}

func TestAccDrWebGroups_selections(t *testing.T) {
	for _, xmlOnly := range []bool{false, true} {
		name := "json"
		if xmlOnly {
			name = "xml"
		}
		t.Run(name, func(t *testing.T) {
			srv := startEmulator(t)
			srv.SetDrWebXMLOnly(xmlOnly)
			accTest(t, resource.TestStep{
				Config: providerBlock(srv) + `
data "endpointgroups_drweb_groups" "by_ids" {
  ids = ["` + idLinux + `", "` + idBerlin + `", "` + emulator.EveryoneID + `"]
}
data "endpointgroups_drweb_groups" "all" {}
data "endpointgroups_drweb_groups" "offices_tree" {
  parent_id = "` + idOffices + `"
}
data "endpointgroups_drweb_groups" "offices_children" {
  parent_id = "` + idOffices + `"
  recursive = false
}
data "endpointgroups_drweb_groups" "workstations" {
  name_regex = "^Work"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					namesAre("data.endpointgroups_drweb_groups.by_ids", "Linux", "Berlin", "Everyone"),
					namesAre("data.endpointgroups_drweb_groups.all", "TEST-GROUP", "Offices", "Berlin", "Workstations", "Moscow", "Workstations", "Servers", "Linux", "Windows"),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_groups.all", tfjsonpath.New("recursive"), knownvalue.Bool(true)),
					namesAre("data.endpointgroups_drweb_groups.offices_tree", "Berlin", "Workstations", "Moscow", "Workstations"),
					namesAre("data.endpointgroups_drweb_groups.offices_children", "Berlin", "Moscow"),
					namesAre("data.endpointgroups_drweb_groups.workstations", "Workstations", "Workstations"),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_groups.workstations", tfjsonpath.New("groups").AtSliceIndex(1), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"id":          knownvalue.StringExact(idMoscowWS),
						"parent_name": knownvalue.StringExact("Moscow"),
						"stations":    knownvalue.Int64Exact(35),
						"rights":      knownvalue.ObjectPartial(map[string]knownvalue.Check{"inherited_group_name": knownvalue.StringExact("Offices")}),
						"packages":    knownvalue.ListSizeExact(5),
					})),
				},
			})
		})
	}
}

func TestAccDrWebGroups_errors(t *testing.T) {
	srv := startEmulator(t)
	for name, tc := range map[string]struct{ body, want string }{
		"unknown id":        {`ids = ["` + idLinux + `", "gone"]`, `Dr.Web group "gone" not found`},
		"ids and parent":    {`ids = ["a"]` + "\n  parent_id = \"b\"", `Attribute "parent_id" cannot be specified when "ids" is specified`},
		"ids and recursive": {`ids = ["a"]` + "\n  recursive = false", `Attribute "recursive" cannot be specified when "ids" is specified`},
		"duplicate ids":     {`ids = ["a", "a"]`, `This attribute contains duplicate values of: "a"`},
		"bad regex":         {`name_regex = "*"`, "error parsing regexp: missing argument to repetition operator: `*`"},
		"unknown parent":    {`parent_id = "nowhere"`, `the parent group "nowhere" does not exist`},
		"system and parent": {"parent_id = \"" + idOffices + "\"\n  include_system_groups = true", `Attribute "parent_id" cannot be specified when "include_system_groups" is specified`},
		"ids and system":    {`ids = ["a"]` + "\n  include_system_groups = true", `Attribute "include_system_groups" cannot be specified when "ids" is specified`},
		"min_results":       {"name_regex = \"^Wrokstations$\"\n  min_results = 1", `Found 0 groups, fewer than min_results = 1. The filter was parent_id = the top level, recursive = true, include_system_groups = false, name_regex = "^Wrokstations$", applied to 9 groups.`},
		"min_results ids":   {"ids = [\"" + idLinux + "\"]\n  name_regex = \"^W\"\n  min_results = 1", `Found 0 groups, fewer than min_results = 1. The filter was ids = "` + idLinux + `", name_regex = "^W", applied to 1 groups.`},
	} {
		t.Run(name, func(t *testing.T) {
			accTest(t, resource.TestStep{
				Config:      providerBlock(srv) + "data \"endpointgroups_drweb_groups\" \"x\" {\n  " + tc.body + "\n}\n",
				ExpectError: errorRe(tc.want),
			})
		})
	}
}

// A server whose group tree lists a group below itself ends the read with a
// clear error instead of an endless walk.
func TestAccDrWebGroups_inconsistentTree(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"head":{"status":true},"data":{"groups":{"list":[{"id":"a","name":"A","child_groups":1}]}}}`)
	}))
	t.Cleanup(srv.Close)
	accTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "endpointgroups" {
  drweb {
    url      = %q
    login    = "admin"
    password = "pw"
  }
}
data "endpointgroups_drweb_groups" "all" {}
`, srv.URL),
		ExpectError: errorRe(`Inconsistent Dr.Web Group Tree`),
	})
}
