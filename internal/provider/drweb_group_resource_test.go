package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

func groupGone(srv *emulator.Server, ids ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, id := range ids {
			if _, ok := srv.DrWebGroup(id); ok {
				return fmt.Errorf("the group %q is still on the server", id)
			}
		}
		return nil
	}
}

// The whole life of a group, on a JSON server and on an XML-only one:
// create (generated and chosen id), change in place, move, drift, deletion
// outside of Terraform, import, destroy.
func TestAccDrWebGroupResource_lifecycle(t *testing.T) {
	for _, xmlOnly := range []bool{false, true} {
		name := "json"
		if xmlOnly {
			name = "xml"
		}
		t.Run(name, func(t *testing.T) {
			srv := startEmulator(t)
			srv.SetDrWebXMLOnly(xmlOnly)
			var paris string // the generated id
			config := func(body string) string { return providerBlock(srv) + body }
			const created = `
resource "endpointgroups_drweb_group" "paris" {
  name        = "Paris"
  description = "Paris office"
  parent_id   = "` + idOffices + `"
}
resource "endpointgroups_drweb_group" "desks" {
  id        = "paris-desks"
  name      = "Desks"
  parent_id = endpointgroups_drweb_group.paris.id
}
output "linux_installer" {
  value = one([for p in endpointgroups_drweb_group.desks.packages : p.url if p.os == "linux" && p.arch == "x86_64"])
}
`
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6,
				CheckDestroy:             groupGone(srv, "paris-desks"),
				Steps: []resource.TestStep{
					{
						Config: config(created),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("endpointgroups_drweb_group.paris", tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^7e57a000-`))),
							statecheck.ExpectKnownValue("endpointgroups_drweb_group.paris", tfjsonpath.New("created"), knownvalue.StringRegexp(regexp.MustCompile(`^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
							statecheck.ExpectKnownValue("endpointgroups_drweb_group.desks", tfjsonpath.New("id"), knownvalue.StringExact("paris-desks")),
							statecheck.ExpectKnownValue("endpointgroups_drweb_group.desks", tfjsonpath.New("installers"), knownvalue.MapPartial(map[string]knownvalue.Check{
								"linux/x86_64": knownvalue.StringExact(srv.URL + "/download/download.ds?os=linux&arch=x86_64&group-id=paris-desks"),
							})),
							statecheck.ExpectKnownValue("endpointgroups_drweb_group.desks", tfjsonpath.New("allow_duplicate_names"), knownvalue.Bool(false)),
							statecheck.ExpectKnownValue("endpointgroups_drweb_group.desks", tfjsonpath.New("description"), knownvalue.StringExact("")),
							statecheck.ExpectKnownValue("endpointgroups_drweb_group.desks", tfjsonpath.New("packages"), knownvalue.ListSizeExact(5)),
							statecheck.ExpectKnownOutputValue("linux_installer", knownvalue.StringExact(srv.URL+"/download/download.ds?os=linux&arch=x86_64&group-id=paris-desks")),
						},
						Check: func(s *terraform.State) error {
							paris = s.RootModule().Resources["endpointgroups_drweb_group.paris"].Primary.ID
							g, ok := srv.DrWebGroup(paris)
							if !ok || g.Name != "Paris" || g.ParentID != idOffices || g.Description != "Paris office" {
								return fmt.Errorf("on the server: %+v", g)
							}
							return nil
						},
					},
					{
						// Rename in place, and move the child to the top level: updates, not replacements.
						Config: config(strings.NewReplacer(`name        = "Paris"`, `name        = "Paris 8e"`,
							`  parent_id = endpointgroups_drweb_group.paris.id`+"\n", "").Replace(created)),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction("endpointgroups_drweb_group.paris", plancheck.ResourceActionUpdate),
							plancheck.ExpectResourceAction("endpointgroups_drweb_group.desks", plancheck.ResourceActionUpdate),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("endpointgroups_drweb_group.paris", tfjsonpath.New("name"), knownvalue.StringExact("Paris 8e")),
							statecheck.ExpectKnownValue("endpointgroups_drweb_group.desks", tfjsonpath.New("parent_id"), knownvalue.Null()),
						},
					},
					{
						// Moved back under Paris.
						Config: config(strings.NewReplacer(`name        = "Paris"`, `name        = "Paris 8e"`).Replace(created)),
						Check: func(*terraform.State) error {
							if g, _ := srv.DrWebGroup("paris-desks"); g.ParentID != paris {
								return fmt.Errorf("the group is under %q on the server, want %q", g.ParentID, paris)
							}
							return nil
						},
					},
					{
						// Renamed outside of Terraform: the plan shows it and sets it back.
						PreConfig: func() {
							srv.UpdateDrWebGroup("paris-desks", func(g *emulator.DrWebGroup) { g.Name = "Renamed by hand" })
						},
						Config: config(strings.NewReplacer(`name        = "Paris"`, `name        = "Paris 8e"`).Replace(created)),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction("endpointgroups_drweb_group.desks", plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue("endpointgroups_drweb_group.desks", tfjsonpath.New("name"), knownvalue.StringExact("Desks")),
						}},
						Check: func(*terraform.State) error {
							if g, _ := srv.DrWebGroup("paris-desks"); g.Name != "Desks" {
								return fmt.Errorf("the name on the server is %q", g.Name)
							}
							return nil
						},
					},
					{
						// Deleted outside of Terraform: planned for creation again.
						PreConfig: func() { srv.DeleteDrWebGroup("paris-desks") },
						Config:    config(strings.NewReplacer(`name        = "Paris"`, `name        = "Paris 8e"`).Replace(created)),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction("endpointgroups_drweb_group.desks", plancheck.ResourceActionCreate),
						}},
					},
					{
						ResourceName:      "endpointgroups_drweb_group.desks",
						ImportState:       true,
						ImportStateId:     "paris-desks",
						ImportStateVerify: true,
					},
				},
			})
			if paris == "" {
				t.Fatal("no id was generated")
			}
			if _, ok := srv.DrWebGroup(paris); ok {
				t.Fatal("destroy left Paris on the server")
			}
		})
	}
}

// An existing group adopted with an import block plans no change when the
// configuration matches it.
func TestAccDrWebGroupResource_importBlock(t *testing.T) {
	srv := startEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			Config: providerBlock(srv) + `
import {
  to = endpointgroups_drweb_group.moscow
  id = "` + idMoscow + `"
}
resource "endpointgroups_drweb_group" "moscow" {
  name        = "Moscow"
  description = "Moscow office"
  parent_id   = "` + idOffices + `"
}
`,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("endpointgroups_drweb_group.moscow", plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("endpointgroups_drweb_group.moscow", tfjsonpath.New("parent_id"), knownvalue.StringExact(idOffices)),
			},
		}, {
			// Forget it again without deleting it (destroy would refuse: it has children).
			Config: providerBlock(srv),
			PreConfig: func() {
				srv.SetDrWebGroups(emulator.DefaultSeed().DrWeb.Groups)
			},
			Destroy:     false,
			ExpectError: regexp.MustCompile(`Dr.Web Delete Refused[\s\S]*has child groups`),
		}, {
			// Remove its children so that the test's own destroy goes through.
			PreConfig: func() {
				srv.DeleteDrWebGroup(idMoscowWS)
			},
			Config: providerBlock(srv),
		}},
	})
}

func TestAccDrWebGroupResource_errors(t *testing.T) {
	srv := startEmulator(t)
	for name, tc := range map[string]struct{ body, want string }{
		"bad id":        {`id = "a b"` + "\n  name = \"x\"", `an id may hold only digits, Latin letters, "_", "-" and "."`},
		"empty name":    {`name = ""`, `Attribute name string length must be at least 1, got: 0`},
		"duplicate id":  {`id = "` + idBerlin + `"` + "\n  name = \"x\"", `Dr.Web refused to create the group "` + idBerlin + `": error 39: Group '` + idBerlin + `' already exists.`},
		"no parent":     {"name = \"x\"\n  parent_id = \"nowhere\"", `the parent group "nowhere" does not exist`},
		"no such group": {"name = \"x\"\n  parent_id = \"\"", `Attribute parent_id string length must be at least 1, got: 0`},
	} {
		t.Run(name, func(t *testing.T) {
			accTest(t, resource.TestStep{
				Config:      providerBlock(srv) + "resource \"endpointgroups_drweb_group\" \"x\" {\n  " + tc.body + "\n}\n",
				ExpectError: errorRe(tc.want),
			})
		})
	}
}

// A move into the group's own subtree is refused with what to do.
func TestAccDrWebGroupResource_moveUnderItself(t *testing.T) {
	srv := startEmulator(t)
	const cfg = `
resource "endpointgroups_drweb_group" "top" {
  id   = "top"
  name = "Top"
  %s
}
resource "endpointgroups_drweb_group" "child" {
  id        = "child"
  name      = "Child"
  parent_id = "top"
  depends_on = [endpointgroups_drweb_group.top]
}
`
	accTest(t,
		resource.TestStep{Config: providerBlock(srv) + fmt.Sprintf(cfg, "")},
		resource.TestStep{
			// Refused by the plan: nothing is sent.
			Config:   providerBlock(srv) + fmt.Sprintf(cfg, `parent_id = "child"`),
			PlanOnly: true,
			ExpectError: errorRe(`The group "top" cannot move under "child": that is the group itself or one of its descendants ` +
				`(nothing was sent to the server). A group cannot move into its own subtree: choose a parent_id outside it.`),
		},
		resource.TestStep{
			PreConfig: func() {
				if n := srv.Count(changeDS); n != 0 {
					t.Errorf("%d change.ds for a move the plan refused", n)
				}
			},
			Config: providerBlock(srv) + fmt.Sprintf(cfg, ""),
		},
	)
}

// What apply would refuse fails at plan, from the listings the plan reads
// anyway: a create beside a group of the name (with the import block that
// adopts it), a rename onto a sibling's name (with another name as the
// advice). A plan that renames and moves nothing lists nothing.
func TestAccDrWebGroupResource_planTimeTruth(t *testing.T) {
	srv := startEmulator(t)
	const two = `
resource "endpointgroups_drweb_group" "a" {
  name      = "PT-A"
  parent_id = "` + idOffices + `"
}
resource "endpointgroups_drweb_group" "b" {
  name      = %q
  parent_id = "` + idOffices + `"
}
`
	accTest(t,
		resource.TestStep{Config: providerBlock(srv) + fmt.Sprintf(two, "PT-B")},
		resource.TestStep{
			Config:      providerBlock(srv) + fmt.Sprintf(two, "PT-A"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Dr.Web Group Name Taken[\s\S]*already\s+holds\s+a\s+group\s+named\s+"PT-A":\s+"[^"]+",\s+so\s+this\s+group\s+cannot\s+be\s+renamed\s+or\s+moved\s+there.\s+Choose\s+another\s+name`),
		},
		resource.TestStep{
			Config: providerBlock(srv) + fmt.Sprintf(two, "PT-B") + `
resource "endpointgroups_drweb_group" "c" {
  name      = "Berlin"
  parent_id = "` + idOffices + `"
}
`,
			PlanOnly: true,
			ExpectError: errorRe(`The group "` + idOffices + `" already holds a group named "Berlin": "` + idBerlin + `". If that is the group this ` +
				`resource means, adopt it instead of making a second one of the same name: import { to = endpointgroups_drweb_group.<name> id = "` +
				idBerlin + `" } (to: this resource's address, which Terraform shows above, after "with")`),
		},
		resource.TestStep{
			PreConfig: func() {
				if n := srv.Count(addDS); n != 2 {
					t.Errorf("%d add.ds, want 2: the refused plans send nothing", n)
				}
				if n := srv.Count(changeDS); n != 0 {
					t.Errorf("%d change.ds, want none", n)
				}
				srv.ResetLog()
			},
			Config:   providerBlock(srv) + fmt.Sprintf(two, "PT-B"),
			PlanOnly: true,
		},
		resource.TestStep{
			PreConfig: func() {
				// The plan-only step above: refreshes (info.ds), and no listing.
				if n := srv.Count(listDS); n != 0 {
					t.Errorf("a plan without renames or moves sent %d list.ds, want 0", n)
				}
			},
			Config: providerBlock(srv) + fmt.Sprintf(two, "PT-B"),
		},
	)
}

// The resource's model converts into its schema and back, every attribute described.
func TestDrWebGroupResourceModelMatchesSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var resp fwresource.SchemaResponse
	newDrWebGroupResource().Schema(ctx, fwresource.SchemaRequest{}, &resp)
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatal(diags)
	}
	m, diags := drwebGroupResourceModelFromAPI(sampleDrWebGroup)
	if diags.HasError() {
		t.Fatal(diags)
	}
	m = m.withProviderSide(drwebGroupResourceModel{})
	if !m.ParentID.IsNull() || m.Description.ValueString() != "" || m.Packages.IsNull() || len(m.Packages.Elements()) != 1 ||
		len(m.Installers.Elements()) != 1 || m.AllowDuplicateNames.ValueBool() {
		t.Fatalf("converted: %+v", m)
	}
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, m); diags.HasError() {
		t.Fatalf("the model does not fit the schema: %v", diags)
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("%s has no description", name)
		}
	}
}

// A create whose answer is lost, on a server that then cannot be asked
// whether the group exists, fails with what to do, and sends add.ds once.
func TestAccDrWebGroupResource_uncertainCreate(t *testing.T) {
	srv := startEmulator(t)
	srv.AddFault(emulator.Fault{Path: "/api/groups/add.ds", Times: 1, Drop: true})
	srv.AddFault(emulator.Fault{Path: "/api/groups/list.ds", After: "/api/groups/add.ds", Status: 500, Body: "database unavailable"})
	accTest(t, resource.TestStep{
		Config:      providerBlock(srv) + "resource \"endpointgroups_drweb_group\" \"x\" {\n  id   = \"lost\"\n  name = \"Lost\"\n}\n",
		ExpectError: errorRe(`Dr.Web Create Outcome Unknown`),
	}, resource.TestStep{
		PreConfig: func() {
			if n := srv.Count("/api/groups/add.ds"); n != 1 {
				t.Errorf("add.ds was sent %d times, want once", n)
			}
			srv.ClearFaults()
		},
		Config:      providerBlock(srv) + "resource \"endpointgroups_drweb_group\" \"x\" {\n  id   = \"lost\"\n  name = \"Lost\"\n}\n",
		ExpectError: nil,
	})
}
