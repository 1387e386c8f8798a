package provider

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/devcli"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// stateIDs returns the ids of the resources of a type in the state.
func stateIDs(s *terraform.State, prefix string) []string {
	var ids []string
	for addr, r := range s.RootModule().Resources {
		if strings.HasPrefix(addr, prefix) {
			ids = append(ids, r.Primary.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// groupsUnder returns the ids of the groups under parent whose name starts with prefix.
func groupsUnder(srv *emulator.Server, parent, prefix string) []string {
	var ids []string
	for _, g := range srv.DrWebGroups() {
		if g.ParentID == parent && strings.HasPrefix(g.Name, prefix) {
			ids = append(ids, g.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// sameGroups checks that the server holds exactly the groups the state does.
func sameGroups(srv *emulator.Server, parent, prefix, addrPrefix string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		on, in := groupsUnder(srv, parent, prefix), stateIDs(s, addrPrefix)
		if !slices.Equal(on, in) {
			return fmt.Errorf("the server has %v, the state %v", on, in)
		}
		return nil
	}
}

// A read-back that fails after add.ds (every info.ds of the apply) does not
// lose the group: the state keeps its id and the planned values (with a
// warning), the next refresh fills in the rest, and nothing is created
// twice — alone or in a batch.
func TestAccDrWebGroupResource_readBackFails(t *testing.T) {
	for name, tc := range map[string]struct {
		count int
		fault emulator.Fault
	}{
		"one, errno":      {1, emulator.Fault{Path: infoDS, After: addDS, Errno: 500, Message: "database is locked"}},
		"one, HTML":       {1, emulator.Fault{Path: infoDS, After: addDS, Status: 200, Body: "<html><body>Portal</body></html>"}},
		"twenty, errno":   {20, emulator.Fault{Path: infoDS, After: addDS, Errno: 500, Message: "database is locked"}},
		"twenty, 500s":    {20, emulator.Fault{Path: infoDS, After: addDS, Status: 500, Body: "down"}},
		"one, timeout":    {1, emulator.Fault{Path: infoDS, After: addDS, Delay: 2 * time.Second, Status: 200}},
		"one, another id": {1, emulator.Fault{Path: infoDS, After: addDS, AnswerID: idBerlin}},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startEmulator(t)
			config := faultProvider(srv) + fmt.Sprintf(`
resource "endpointgroups_drweb_group" "x" {
  count     = %d
  name      = "Branch ${count.index}"
  parent_id = %q
}
`, tc.count, idServers)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6,
				CheckDestroy: func(*terraform.State) error {
					if on := groupsUnder(srv, idServers, "Branch "); len(on) != 0 {
						return fmt.Errorf("destroy left %v", on)
					}
					return nil
				},
				Steps: []resource.TestStep{{
					PreConfig: func() { srv.AddFault(tc.fault) },
					Config:    config,
					Check: resource.ComposeTestCheckFunc(
						func(*terraform.State) error { srv.ClearFaults(); return nil }, // the server recovers after the apply
						sameGroups(srv, idServers, "Branch ", "endpointgroups_drweb_group.x"),
						func(*terraform.State) error {
							if n := srv.Count(addDS); n != tc.count {
								return fmt.Errorf("add.ds was sent %d times for %d groups", n, tc.count)
							}
							return nil
						},
					),
				}, {
					// The refresh fills in what the read-back could not: the plan is empty.
					Config:           config,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("endpointgroups_drweb_group.x[0]", tfjsonpath.New("created"), knownvalue.NotNull()),
						statecheck.ExpectKnownValue("endpointgroups_drweb_group.x[0]", tfjsonpath.New("installers"), knownvalue.MapSizeExact(5)),
					},
				}},
			})
		})
	}
}

// count = 2 with one name, the first add.ds answer lost: each instance ends
// with a group of its own, and destroying one leaves the other.
func TestAccDrWebGroupResource_lostAnswerAmongSiblings(t *testing.T) {
	srv := startEmulator(t)
	config := func(n int) string {
		return faultProvider(srv) + fmt.Sprintf(`
resource "endpointgroups_drweb_group" "x" {
  count                 = %d
  name                  = "Twin"
  parent_id             = %q
  allow_duplicate_names = true
}
`, n, idServers)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			PreConfig: func() { srv.AddFault(emulator.Fault{Path: addDS, Times: 1, Lose: true, Status: 502}) },
			Config:    config(2),
			Check: resource.ComposeTestCheckFunc(
				sameGroups(srv, idServers, "Twin", "endpointgroups_drweb_group.x"),
				func(s *terraform.State) error {
					if ids := stateIDs(s, "endpointgroups_drweb_group.x"); len(ids) != 2 || ids[0] == ids[1] {
						return fmt.Errorf("the instances hold %v", ids)
					}
					return nil
				},
			),
		}, {
			Config: config(1),
			Check:  sameGroups(srv, idServers, "Twin", "endpointgroups_drweb_group.x"),
		}},
	})
}

// An add.ds that lands after request_timeout: the apply says the outcome is
// unknown and sends nothing again; the next apply names the group instead
// of making a second one; imported, it plans no change.
func TestAccDrWebGroupResource_lateCreate(t *testing.T) {
	srv := startEmulator(t)
	config := accRequiredProviders() + faultProvider(srv) + `
resource "endpointgroups_drweb_group" "x" {
  name      = "Late"
  parent_id = "` + idServers + `"
}
`
	landed := func() string {
		for range 800 { // up to 20 s
			if on := srv.DrWebGroupsNamed(idServers, "Late"); len(on) == 1 {
				return on[0]
			}
			time.Sleep(25 * time.Millisecond)
		}
		return ""
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		CheckDestroy:             func(*terraform.State) error { return noneNamed(srv, idServers, "Late") },
		Steps: []resource.TestStep{{
			PreConfig: func() {
				srv.AddFault(emulator.Fault{Path: addDS, Times: 1, Late: true, Delay: 4 * time.Second, Status: 200}) // well after the look that follows the 1 s timeout
			},
			Config:      config,
			ExpectError: regexp.MustCompile(`Dr.Web Create Outcome Unknown[\s\S]*no\s+new\s+group\s+of\s+that\s+name\s+is\s+there\s+yet`),
		}, {
			PreConfig: func() {
				if landed() == "" {
					t.Error("the late add.ds never landed")
				}
				if n := srv.Count(addDS); n != 1 {
					t.Errorf("add.ds was sent %d times", n)
				}
			},
			Config:      config,
			ExpectError: regexp.MustCompile(`Dr.Web Group Name Taken[\s\S]*already\s+holds\s+a\s+group\s+named\s+"Late"`),
		}, {
			ResourceName: "endpointgroups_drweb_group.x", ImportState: true, ImportStatePersist: true,
			ImportStateIdFunc: func(*terraform.State) (string, error) { return landed(), nil },
			Config:            config,
		}, {
			Config:           config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check:            exactlyOne(srv, "endpointgroups_drweb_group.x", idServers, "Late"),
		}},
	})
}

// An add.ds answer naming a group that existed before the write is not
// trusted: nothing is adopted, and that group is never deleted.
func TestAccDrWebGroupResource_answerNamesAnExistingGroup(t *testing.T) {
	srv := startEmulator(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		CheckDestroy: func(*terraform.State) error {
			if g, ok := srv.DrWebGroup(idBerlin); !ok || g.Name != "Berlin" {
				return fmt.Errorf("Berlin was touched: %+v", g)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			PreConfig: func() { srv.AddFault(emulator.Fault{Path: addDS, Times: 1, AnswerID: idBerlin}) },
			Config: faultProvider(srv) + `
resource "endpointgroups_drweb_group" "x" {
  id   = "oslo"
  name = "Oslo"
}
`,
			ExpectError: regexp.MustCompile(`Unexpected Dr.Web Answer[\s\S]*` + idBerlin),
		}, {
			PreConfig: func() { srv.AddFault(emulator.Fault{Path: addDS, Times: 1, Lose: true, AnswerID: idBerlin}) },
			Config: faultProvider(srv) + `
resource "endpointgroups_drweb_group" "x" {
  name      = "Oslo"
  parent_id = "` + idOffices + `"
}
`,
			ExpectError: regexp.MustCompile(`Unexpected Dr.Web Answer[\s\S]*` + idBerlin),
		}, {
			Config: faultProvider(srv),
		}},
	})
}

// Destroy never claims what it did not do: with info.ds and delete.ds
// refused, the group stays in the state and on the server; once the server
// recovers, destroy deletes it.
func TestAccDrWebGroupResource_destroyRefused(t *testing.T) {
	srv := startEmulator(t)
	create := faultProvider(srv) + `
resource "endpointgroups_drweb_group" "x" {
  id   = "keep"
  name = "Keep"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		CheckDestroy:             groupGone(srv, "keep"),
		Steps: []resource.TestStep{{Config: create}, {
			PreConfig: func() {
				srv.AddFault(emulator.Fault{Path: deleteDS, Times: 1, Errno: 500, Message: "database is locked"})
				srv.AddFault(emulator.Fault{Path: infoDS, After: deleteDS, Errno: 500, Message: "database is locked"})
			},
			Config:      faultProvider(srv),
			ExpectError: regexp.MustCompile(`Dr.Web Delete Refused[\s\S]*database\s+is\s+locked`),
		}, {
			PreConfig: func() {
				srv.ClearFaults()
				if _, ok := srv.DrWebGroup("keep"); !ok {
					t.Error("the refused delete removed the group")
				}
				if n := srv.Count(deleteDS); n != 1 {
					t.Errorf("the refused delete.ds was sent %d times", n)
				}
			},
			Config: faultProvider(srv),
		}},
	})
}

// A name taken under the parent is refused before anything is sent, naming
// the group and the import block that adopts it; a system group's name says
// so; allow_duplicate_names makes a second group.
func TestAccDrWebGroupResource_duplicateNames(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config: providerBlock(srv) + `
resource "endpointgroups_drweb_group" "x" {
  name      = "Berlin"
  parent_id = "` + idOffices + `"
}
`,
		ExpectError: errorRe(`The group "` + idOffices + `" already holds a group named "Berlin": "` + idBerlin + `". If that is the group this resource means, adopt it ` +
			`instead of making a second one of the same name: import { to = endpointgroups_drweb_group.<name> id = "` + idBerlin + `" }`),
	}, resource.TestStep{
		Config:      providerBlock(srv) + "resource \"endpointgroups_drweb_group\" \"x\" {\n  name = \"Ungrouped\"\n}\n",
		ExpectError: errorRe(`The top level already holds a system group named "Ungrouped": "411dac63-2a3e-4ce8-af4f-1fbeb94242ef". A system group cannot be managed or renamed`),
	}, resource.TestStep{
		Config: providerBlock(srv) + `
resource "endpointgroups_drweb_group" "x" {
  name                  = "Berlin"
  parent_id             = "` + idOffices + `"
  allow_duplicate_names = true
}
`,
		Check: func(*terraform.State) error {
			if on := srv.DrWebGroupsNamed(idOffices, "Berlin"); len(on) != 2 {
				return fmt.Errorf("groups named Berlin: %v", on)
			}
			if n := srv.Count(addDS); n != 1 {
				return fmt.Errorf("add.ds was sent %d times, want only for the allowed one", n)
			}
			return nil
		},
	}, resource.TestStep{
		// Only the provider reads it: switching it off sends no write.
		PreConfig: srv.ResetLog,
		Config: providerBlock(srv) + `
resource "endpointgroups_drweb_group" "x" {
  name      = "Berlin"
  parent_id = "` + idOffices + `"
}
`,
		Check: func(*terraform.State) error {
			if n := srv.Count(changeDS) + srv.Count(addDS); n != 0 {
				return fmt.Errorf("%d writes for a provider-side attribute", n)
			}
			return nil
		},
	})
}

// Names servers would store otherwise are refused at plan time; a name a
// server cuts is kept with a warning and plans no change afterwards.
func TestAccDrWebGroupResource_names(t *testing.T) {
	srv := startEmulator(t)
	srv.SetDrWebNameLimit(8)
	var steps []resource.TestStep
	for _, bad := range []string{" Paris", "Paris ", "Pa\\tris"} {
		steps = append(steps, resource.TestStep{
			Config:      providerBlock(srv) + "resource \"endpointgroups_drweb_group\" \"x\" {\n  name = \"" + bad + "\"\n}\n",
			ExpectError: regexp.MustCompile(`Invalid Dr.Web Group Name`),
		})
	}
	cut := srv
	config := providerBlock(cut) + "resource \"endpointgroups_drweb_group\" \"x\" {\n  name = \"Headquarters\"\n}\n"
	accTest(t, append(steps, resource.TestStep{
		Config: config,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("endpointgroups_drweb_group.x", tfjsonpath.New("name"), knownvalue.StringExact("Headquarters")),
		},
		Check: func(*terraform.State) error {
			if on := cut.DrWebGroupsNamed("", "Headquar"); len(on) != 1 {
				return fmt.Errorf("groups named Headquar: %v", on)
			}
			return nil
		},
	}, resource.TestStep{
		Config:           config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
	})...)
}

// Import takes an id or a path, says which it tried when neither finds a
// group, and refuses system groups.
func TestAccDrWebGroupResource_import(t *testing.T) {
	srv := startEmulator(t)
	block := func(id, name string) string {
		return providerBlock(srv) + fmt.Sprintf(`
import {
  to = endpointgroups_drweb_group.x
  id = %q
}
resource "endpointgroups_drweb_group" "x" {
  name        = %q
  description = "Linux servers"
  parent_id   = %q
}
`, id, name, idServers)
	}
	accTest(t, resource.TestStep{
		Config:      block("Servers/Nowhere", "Nowhere"),
		ExpectError: errorRe(`No Dr.Web group was found for "Servers/Nowhere", tried as a path: no Dr.Web group has the path "Servers/Nowhere"`),
	}, resource.TestStep{
		Config:      block("nosuchid", "Nowhere"),
		ExpectError: errorRe(`No Dr.Web group was found for "nosuchid", tried as an id: Dr.Web group "nosuchid" not found`),
	}, resource.TestStep{
		Config:      providerBlock(srv) + "import {\n  to = endpointgroups_drweb_group.x\n  id = \"Ungrouped\"\n}\nresource \"endpointgroups_drweb_group\" \"x\" {\n  name = \"Ungrouped\"\n}\n",
		ExpectError: errorRe(`Cannot Import a Dr.Web System Group`),
	}, resource.TestStep{
		Config: block("Servers/Linux", "Linux"),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("endpointgroups_drweb_group.x", plancheck.ResourceActionNoop),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("endpointgroups_drweb_group.x", tfjsonpath.New("id"), knownvalue.StringExact(idLinux)),
			statecheck.ExpectKnownValue("endpointgroups_drweb_group.x", tfjsonpath.New("allow_duplicate_names"), knownvalue.Bool(false)),
		},
	})
}

// A state written by the previous release (schema version 0, with
// parent_name) is upgraded and plans no change; warnings for recoveries
// reach the user; write refusals that echo the credentials are redacted in
// the output and in the TRACE log.
func TestAccDrWebGroupResource_upgradeWarningsSecrets(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	config := fmt.Sprintf(`
provider "endpointgroups" {
  max_retries = 1
  drweb {
    url      = %q
    login    = "admin"
    password = "demo-password"
  }
}
resource "endpointgroups_drweb_group" "moscow" {
  name        = "Moscow"
  description = "Moscow office"
  parent_id   = %q
}
`, srv.URL, idOffices)
	dir := workdir(t, config)
	state := fmt.Sprintf(`{
  "version": 4, "terraform_version": "1.5.7", "serial": 1, "lineage": "0e5b7f4e-3c1a-4b7e-9a55-5d0b9d7c2a11", "outputs": {},
  "resources": [{
    "mode": "managed", "type": "endpointgroups_drweb_group", "name": "moscow",
    "provider": "provider[\"registry.terraform.io/%s\"]",
    "instances": [{"schema_version": 0, "attributes": {
      "id": %q, "name": "Moscow", "description": "Moscow office", "parent_id": %q, "parent_name": "Offices",
      "created": "2017-07-14T02:43:20Z", "packages": []
    }, "sensitive_attributes": []}]
  }],
  "check_results": null
}`, devcli.Source, idMoscow, idOffices)
	if err := os.WriteFile(filepath.Join(dir, "terraform.tfstate"), []byte(state), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := c.run(dir, nil, "plan", "-no-color", "-input=false", "-detailed-exitcode")
	if err != nil {
		t.Fatalf("a state of the previous release plans a change or fails: %v\n%s", err, out)
	}

	// A lost answer found done, and a name the server cuts: both said.
	srv.AddFault(emulator.Fault{Path: addDS, Times: 1, Lose: true, Status: 502, Body: "Bad Gateway"})
	dir = workdir(t, strings.Split(config, "resource ")[0]+"resource \"endpointgroups_drweb_group\" \"lyon\" {\n  name = \"Lyon\"\n}\n")
	out, err = c.run(dir, nil, "apply", "-no-color", "-input=false", "-auto-approve")
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Warning: Dr.Web Answer Lost, Write Found Done", "HTTP 502 Bad Gateway"} {
		if err != nil || !strings.Contains(flat, want) {
			t.Errorf("the apply (%v) does not show %q:\n%s", err, want, out)
		}
	}
	srv.SetDrWebNameLimit(8)
	dir = workdir(t, strings.Split(config, "resource ")[0]+"resource \"endpointgroups_drweb_group\" \"hq\" {\n  name = \"Headquarters\"\n}\n")
	out, err = c.run(dir, nil, "apply", "-no-color", "-input=false", "-auto-approve")
	flat = strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Warning: Dr.Web Stored Another Name", `as "Headquar", not as "Headquarters"`} {
		if err != nil || !strings.Contains(flat, want) {
			t.Errorf("the apply (%v) does not show %q:\n%s", err, want, out)
		}
	}
	if out, err := c.run(dir, nil, "plan", "-no-color", "-input=false", "-detailed-exitcode"); err != nil {
		t.Errorf("a name the server cut plans a change or fails: %v\n%s", err, out)
	}

	// Refusals that echo the password and the Basic value.
	secretSrv := startEmulator(t)
	for _, p := range []string{addDS, changeDS} {
		secretSrv.AddFault(emulator.Fault{Path: p, Errno: 2, Message: "refused for admin:demo-password (Authorization: Basic " + basic("demo-password") + ")"})
	}
	dir = workdir(t, strings.Replace(strings.Split(config, "resource ")[0], srv.URL, secretSrv.URL, 1)+"resource \"endpointgroups_drweb_group\" \"leak\" {\n  name = \"Leak\"\n}\n")
	logFile := filepath.Join(t.TempDir(), "terraform.log")
	out, err = c.run(dir, []string{"TF_LOG=TRACE", "TF_LOG_PATH=" + logFile}, "apply", "-no-color", "-input=false", "-auto-approve")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(out, "Dr.Web Create Refused") {
		t.Fatalf("the apply: %v\n%s", err, out)
	}
	logData, _ := os.ReadFile(logFile)
	for where, text := range map[string]string{"output": out, "TRACE log": string(logData)} {
		for _, secret := range []string{"demo-password", basic("demo-password")} {
			if i := strings.Index(text, secret); i >= 0 {
				t.Errorf("the %s shows a secret: …%s…", where, text[max(0, i-200):min(len(text), i+len(secret)+50)])
			}
		}
	}
}
