package provider

import (
	"cmp"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// The Dr.Web write paths of the emulator.
const (
	addDS    = "/api/groups/add.ds"
	changeDS = "/api/groups/change.ds"
	deleteDS = "/api/groups/delete.ds"
	infoDS   = "/api/groups/info.ds"
	listDS   = "/api/groups/list.ds"
)

// writeFault is one way a write's answer goes wrong, before or after the
// server carried the write out, and the error a user sees when the provider
// cannot take the write as done.
type writeFault struct {
	name  string
	fault emulator.Fault
	after bool
	want  string // the error of the apply; "" when it succeeds
}

// writeFaults are the faults of the emulator a write meets: statuses,
// empty 503, 429, reset, timeout, unreadable 2xx answers, a refusal and an
// answer about another group, each before and after the write is applied.
func writeFaults(unknown string) []writeFault {
	base := []struct {
		name string
		f    emulator.Fault
	}{
		{"500 HTML", emulator.Fault{Status: 500, Body: "<html><body>Internal error</body></html>"}},
		{"empty 503", emulator.Fault{Status: 503}},
		{"429", emulator.Fault{Status: 429, RetryAfter: "0"}},
		{"reset", emulator.Fault{Drop: true}},
		{"timeout", emulator.Fault{Delay: 2 * time.Second, Status: 200}},
		{"truncated 2xx", emulator.Fault{Status: 200, ContentType: "text/xml", Body: `<drweb-avdesk-api status="true"><group id="`}},
		{"HTML 2xx", emulator.Fault{Status: 200, Body: "<html><body>Portal</body></html>"}},
		{"empty 2xx", emulator.Fault{Status: 200, ContentType: "application/json"}},
		{"errno", emulator.Fault{Errno: 500, Message: "database is locked"}},
		{"answer for another id", emulator.Fault{AnswerID: "not-this-one"}},
	}
	var out []writeFault
	for _, b := range base {
		for _, after := range []bool{false, true} {
			f := b.f
			f.Lose, f.Times = after, 1
			wf := writeFault{name: b.name, fault: f, after: after, want: unknown}
			switch {
			case b.name == "answer for another id":
				wf.want = `Unexpected Dr.Web Answer`
			case after:
				wf.want = ""
			case b.name == "errno":
				wf.want = `Refused[\s\S]*error\s+500:\s+database\s+is\s+locked`
			}
			out = append(out, wf)
		}
	}
	return out
}

func (f writeFault) String() string {
	if f.after {
		return f.name + " after"
	}
	return f.name + " before"
}

func (f writeFault) expect() *regexp.Regexp {
	if f.want == "" {
		return nil
	}
	return regexp.MustCompile(f.want)
}

// faultProvider is the provider block of the fault tests: one-second
// request timeouts, so that the timeout faults stay short.
func faultProvider(srv *emulator.Server) string {
	return providerBlockWith(srv, providerSettings{maxRetries: 2, requestTimeout: "1s", requestsPerMinute: 1000})
}

// exactlyOne checks that the server holds exactly one group of that name
// under the parent, and that it is the one the state holds.
func exactlyOne(srv *emulator.Server, addr, parent, name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		on := srv.DrWebGroupsNamed(parent, name)
		r := s.RootModule().Resources[addr]
		switch {
		case len(on) != 1:
			return fmt.Errorf("the server has %d groups named %q under %q: %v", len(on), name, parent, on)
		case r == nil:
			return fmt.Errorf("%s is not in the state; the server has %v", addr, on)
		case r.Primary.ID != on[0]:
			return fmt.Errorf("the state holds %q, the server %q", r.Primary.ID, on[0])
		}
		return nil
	}
}

// The fault tests run on one CLI (the one `make test` uses): make compat
// skips them (-skip TestAccDrWebWriteFaults) and runs the lifecycle.

// A create that meets any fault leaves, after the apply and after the one
// that follows, exactly the group the configuration asks for, known to
// Terraform, with add.ds sent once per apply.
func TestAccDrWebWriteFaults_create(t *testing.T) {
	for _, tc := range writeFaults(`Dr.Web Create Outcome Unknown[\s\S]*nothing\s+was\s+sent\s+again`) {
		t.Run(tc.String(), func(t *testing.T) {
			srv := startEmulator(t)
			config := accRequiredProviders() + faultProvider(srv) + `
resource "endpointgroups_drweb_group" "x" {
  name      = "Madrid"
  parent_id = "` + idOffices + `"
}
`
			steps := []resource.TestStep{{
				PreConfig: func() {
					f := tc.fault
					f.Path = addDS
					srv.AddFault(f)
				},
				Config:      config,
				ExpectError: tc.expect(),
				Check:       exactlyOne(srv, "endpointgroups_drweb_group.x", idOffices, "Madrid"),
			}}
			if tc.want != "" {
				steps = append(steps, resource.TestStep{
					PreConfig: func() {
						if n := srv.Count(addDS); n != 1 {
							t.Errorf("add.ds was sent %d times in the first apply", n)
						}
						if on := srv.DrWebGroupsNamed(idOffices, "Madrid"); len(on) != 0 && !tc.after {
							t.Errorf("a write that failed before it was applied left %v", on)
						}
					},
					Config:      config,
					ExpectError: map[bool]*regexp.Regexp{true: regexp.MustCompile(`Dr.Web Group Name Taken[\s\S]*import\s+\{`)}[tc.after],
				})
				if tc.after { // the group the lost answer made is named, then adopted
					steps = append(steps, resource.TestStep{
						ResourceName: "endpointgroups_drweb_group.x", ImportState: true, ImportStatePersist: true,
						ImportStateIdFunc: func(*terraform.State) (string, error) {
							on := srv.DrWebGroupsNamed(idOffices, "Madrid")
							if len(on) != 1 {
								return "", fmt.Errorf("groups named Madrid: %v", on)
							}
							return on[0], nil
						},
						Config: config,
					})
				}
				steps = append(steps, resource.TestStep{
					Config: config,
					Check:  exactlyOne(srv, "endpointgroups_drweb_group.x", idOffices, "Madrid"),
				})
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6,
				CheckDestroy:             func(*terraform.State) error { return noneNamed(srv, idOffices, "Madrid") },
				Steps:                    steps,
			})
		})
	}
}

// accRequiredProviders names the provider's source as the test run's CLI
// expects it: an import step that keeps its state (ImportStatePersist) uses
// the configuration as written.
func accRequiredProviders() string {
	host := cmp.Or(os.Getenv("TF_ACC_PROVIDER_HOST"), "registry.terraform.io")
	ns := cmp.Or(os.Getenv("TF_ACC_PROVIDER_NAMESPACE"), "endpointgroups")
	return fmt.Sprintf("terraform {\n  required_providers {\n    endpointgroups = { source = %q }\n  }\n}\n", host+"/"+ns+"/endpointgroups")
}

func noneNamed(srv *emulator.Server, parent, name string) error {
	if on := srv.DrWebGroupsNamed(parent, name); len(on) != 0 {
		return fmt.Errorf("destroy left %v", on)
	}
	return nil
}

// A change that meets any fault is sent once per apply; the next apply
// finishes it, and the server ends with the configured name.
func TestAccDrWebWriteFaults_update(t *testing.T) {
	for _, tc := range writeFaults(`Dr.Web Update Outcome Unknown[\s\S]*nothing\s+was\s+sent\s+again`) {
		t.Run(tc.String(), func(t *testing.T) {
			srv := startEmulator(t)
			config := func(name string) string {
				return faultProvider(srv) + `
resource "endpointgroups_drweb_group" "x" {
  id        = "u1"
  name      = "` + name + `"
  parent_id = "` + idServers + `"
}
`
			}
			named := func(want string) resource.TestCheckFunc {
				return func(*terraform.State) error {
					if g, ok := srv.DrWebGroup("u1"); !ok || g.Name != want {
						return fmt.Errorf("on the server: %+v, want the name %q", g, want)
					}
					return nil
				}
			}
			steps := []resource.TestStep{
				{Config: config("Before")},
				{
					PreConfig: func() {
						f := tc.fault
						f.Path = changeDS
						srv.AddFault(f)
					},
					Config:      config("After"),
					ExpectError: tc.expect(),
					Check:       named("After"),
				},
			}
			if tc.want != "" {
				steps = append(steps, resource.TestStep{
					PreConfig: func() {
						if n := srv.Count(changeDS); n != 1 {
							t.Errorf("change.ds was sent %d times in the apply", n)
						}
					},
					Config: config("After"),
					Check:  named("After"),
				})
			}
			resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: protoV6, CheckDestroy: groupGone(srv, "u1"), Steps: steps})
		})
	}
}

// A delete that meets any fault is sent once per apply and reported done
// only when the group is gone; the next apply finishes it.
func TestAccDrWebWriteFaults_delete(t *testing.T) {
	for _, tc := range writeFaults(`Dr.Web Delete Outcome Unknown[\s\S]*still\s+there`) {
		t.Run(tc.String(), func(t *testing.T) {
			srv := startEmulator(t)
			create := faultProvider(srv) + `
resource "endpointgroups_drweb_group" "x" {
  id        = "d1"
  name      = "Doomed"
  parent_id = "` + idServers + `"
}
`
			there := func(want bool) resource.TestCheckFunc {
				return func(*terraform.State) error {
					if _, ok := srv.DrWebGroup("d1"); ok != want {
						return fmt.Errorf("the group on the server: %v, want %v", ok, want)
					}
					return nil
				}
			}
			steps := []resource.TestStep{
				{Config: create},
				{
					PreConfig: func() {
						f := tc.fault
						f.Path = deleteDS
						srv.AddFault(f)
					},
					Config:      faultProvider(srv),
					ExpectError: tc.expect(),
					Check:       there(false),
				},
			}
			if tc.want != "" {
				steps = append(steps, resource.TestStep{
					PreConfig: func() {
						if n := srv.Count(deleteDS); n != 1 {
							t.Errorf("delete.ds was sent %d times in the apply", n)
						}
						if _, ok := srv.DrWebGroup("d1"); ok != !tc.after {
							t.Errorf("the group on the server after the failed delete: %v", ok)
						}
					},
					Config: faultProvider(srv),
					Check:  there(false),
				})
			}
			resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: protoV6, CheckDestroy: groupGone(srv, "d1"), Steps: steps})
		})
	}
}

// A refresh that meets a refusal of info.ds, or an answer about another
// group, keeps the groups: an error, never "gone", never a second group.
func TestAccDrWebWriteFaults_refresh(t *testing.T) {
	for name, f := range map[string]emulator.Fault{
		"errno":              {Path: infoDS, Errno: 500, Message: "database is locked"},
		"another id":         {Path: infoDS, AnswerID: idBerlin},
		"errno and no list":  {Path: infoDS, Errno: 500, Message: "database is locked"},
		"HTML 2xx":           {Path: infoDS, Status: 200, Body: "<html><body>Portal</body></html>"},
		"errno on the batch": {Path: infoDS, Errno: 8, Message: "Group not found"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startEmulator(t)
			config := faultProvider(srv) + `
resource "endpointgroups_drweb_group" "x" {
  count     = 10
  name      = "Branch ${count.index}"
  parent_id = "` + idServers + `"
}
`
			var ids []string
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6,
				Steps: []resource.TestStep{
					{Config: config, Check: func(s *terraform.State) error {
						for i := range 10 {
							ids = append(ids, s.RootModule().Resources[fmt.Sprintf("endpointgroups_drweb_group.x.%d", i)].Primary.ID)
						}
						return nil
					}},
					{
						PreConfig: func() {
							srv.AddFault(f)
							if name == "errno and no list" {
								srv.AddFault(emulator.Fault{Path: listDS, Status: 500, Body: "down"})
							}
						},
						Config:      config,
						ExpectError: regexp.MustCompile(`Inconsistent Dr.Web Group Tree|Unexpected|Dr.Web API Error|could not be told`),
					},
					{
						PreConfig: func() {
							srv.ClearFaults()
							if n := srv.Count(addDS); n != 10 {
								t.Errorf("add.ds was sent %d times, want 10", n)
							}
						},
						Config: config,
						Check: func(*terraform.State) error {
							var on []string
							for _, g := range srv.DrWebGroups() {
								if g.ParentID == idServers && strings.HasPrefix(g.Name, "Branch ") {
									on = append(on, g.ID)
								}
							}
							slices.Sort(on)
							want := slices.Sorted(slices.Values(ids))
							if !slices.Equal(on, want) {
								return fmt.Errorf("the server has %v, the state had %v", on, want)
							}
							return nil
						},
					},
				},
			})
		})
	}
}
