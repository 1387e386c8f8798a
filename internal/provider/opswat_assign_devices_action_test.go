package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

const (
	opswatDefault = "167641719"
	opswatSF      = "260854829"
	opswatKiosks  = "301122004"
	devicesAction = "/o/api/v3/devices/action"
)

var actionsProbe struct {
	sync.Once
	why   string
	minor int // the CLI's Terraform 1.x
}

// cliActionsMissing says why the test's CLI runs no actions ("" when it
// does): Terraform has them from 1.14, OpenTofu has none.
func cliActionsMissing() string {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	actionsProbe.Do(func() {
		out, err := exec.Command(tf, "version").Output() //nolint:gosec // the test's own CLI
		if err != nil {
			actionsProbe.why = fmt.Sprintf("cannot run %s version: %v", tf, err)
			return
		}
		m := regexp.MustCompile(`(Terraform|OpenTofu) v(\d+)\.(\d+)\.`).FindStringSubmatch(string(out))
		switch {
		case m == nil:
			actionsProbe.why = "unknown CLI version: " + string(out)
		case m[1] == "OpenTofu":
			actionsProbe.why = "OpenTofu has no actions (action blocks, action_trigger, -invoke): they are Terraform 1.14 and later"
		default:
			major, _ := strconv.Atoi(m[2])
			minor, _ := strconv.Atoi(m[3])
			actionsProbe.minor = minor
			if major == 1 && minor < 14 {
				actionsProbe.why = fmt.Sprintf("actions need Terraform 1.14 or later; this run's CLI is %s v%s.%s", m[1], m[2], m[3])
			}
		}
	})
	return actionsProbe.why
}

// skipWithoutActions skips a test whose CLI runs no actions, saying why.
func skipWithoutActions(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" || os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Skip("acceptance tests run with TF_ACC=1 and TF_ACC_TERRAFORM_PATH")
	}
	if why := cliActionsMissing(); why != "" {
		t.Skip(why)
	}
}

// actionTest runs steps of a configuration with actions, on CLIs that have them.
func actionTest(t *testing.T, steps ...resource.TestStep) {
	t.Helper()
	skipWithoutActions(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps:                    steps,
	})
}

// triggered is a terraform_data standing in for a VM, whose creation
// invokes the action.
func triggered(action, name, config string) string {
	return fmt.Sprintf(`
action %[1]q %[2]q {
  config {
%[3]s
  }
}

resource "terraform_data" "vm" {
  input = "vm-1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.%[1]s.%[2]s]
    }
  }
}
`, action, name, config)
}

// inOrder matches texts that come in this order, across Terraform's line wrapping.
func inOrder(texts ...string) *regexp.Regexp {
	parts := make([]string, len(texts))
	for i, s := range texts {
		parts[i] = strings.Join(strings.Fields(regexp.QuoteMeta(s)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

func hcl(values []string) string {
	b, _ := json.Marshal(values)
	return string(b)
}

// deviceGroups checks the server's groups of devices after an apply.
func deviceGroups(srv *emulator.Server, want map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := srv.OPSWATDeviceGroups()
		for id, g := range want {
			if got[id] != g {
				return fmt.Errorf("device %s is in group %q, want %q (all: %v)", id, got[id], g, got)
			}
		}
		return nil
	}
}

type actionBody struct {
	Types  string
	IDs    []string
	MACs   []string
	Params struct {
		GroupID string `json:"group_id"`
	}
}

func deviceActions(t *testing.T, srv *emulator.Server) []actionBody {
	t.Helper()
	var out []actionBody
	for _, r := range srv.Requests() {
		if r.Path != devicesAction {
			continue
		}
		var b actionBody
		if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
			t.Fatalf("device action body %q: %v", r.Body, err)
		}
		out = append(out, b)
	}
	return out
}

func generatedDevices(srv *emulator.Server, n int) []string {
	devices := emulator.GenerateOPSWATDevices(n, opswatDefault)
	srv.SetOPSWATDevices(devices)
	ids := make([]string, n)
	for i, d := range devices {
		ids[i] = d.ID
	}
	return ids
}

// A VM's creation assigns 120 devices in 3 requests of at most 50; the
// server then holds every one in the group.
func TestAccOPSWATAssignDevices_trigger(t *testing.T) {
	srv := startEmulator(t)
	ids := generatedDevices(srv, 120)
	want := map[string]string{}
	for _, id := range ids {
		want[id] = opswatKiosks
	}
	actionTest(t, resource.TestStep{
		Config: providerBlock(srv) + triggered("endpointgroups_opswat_assign_devices", "kiosk",
			`    group_id   = "`+opswatKiosks+`"
    device_ids = `+hcl(ids)),
		Check: resource.ComposeTestCheckFunc(deviceGroups(srv, want), func(*terraform.State) error {
			reqs := deviceActions(t, srv)
			if len(reqs) != 3 || len(reqs[0].IDs)+len(reqs[1].IDs)+len(reqs[2].IDs) != 120 || len(reqs[2].IDs) != 20 {
				return fmt.Errorf("%d device actions: %+v", len(reqs), reqs)
			}
			for _, r := range reqs {
				if r.Types != "assign_to_group" || r.Params.GroupID != opswatKiosks || len(r.MACs) != 0 {
					return fmt.Errorf("device action %+v", r)
				}
			}
			return nil
		}),
	})
}

// By MAC address: written any documented way, sent as the listings write them.
func TestAccOPSWATAssignDevices_macs(t *testing.T) {
	srv := startEmulator(t)
	actionTest(t, resource.TestStep{
		Config: providerBlock(srv) + triggered("endpointgroups_opswat_assign_devices", "by_mac",
			`    group_id      = "`+opswatKiosks+`"
    mac_addresses = ["02-00-00-44-55-01", "02:00:00:44:55:02", "0200.0044.5503"]`),
		Check: resource.ComposeTestCheckFunc(
			deviceGroups(srv, map[string]string{"a1b2c3d4e5f60001": opswatKiosks, "a1b2c3d4e5f60002": opswatKiosks, "a1b2c3d4e5f60003": opswatKiosks}),
			func(*terraform.State) error {
				reqs := deviceActions(t, srv)
				if len(reqs) != 1 || !slices.Equal(slices.Sorted(slices.Values(reqs[0].MACs)), []string{"02:00:00:44:55:01", "02:00:00:44:55:02", "02:00:00:44:55:03"}) {
					return fmt.Errorf("device actions %+v", reqs)
				}
				return nil
			}),
	})
}

// What is wrong in the configuration fails before anything is sent: a
// MAC that is not one, both or neither of the device sets, an empty set,
// and a group the account does not have (checked against the group list).
func TestAccOPSWATAssignDevices_refusedBeforeAnyWrite(t *testing.T) {
	srv := startEmulator(t)
	step := func(config, msg string) resource.TestStep {
		return resource.TestStep{
			Config:      providerBlock(srv) + triggered("endpointgroups_opswat_assign_devices", "bad", config),
			ExpectError: errorRe(msg),
		}
	}
	actionTest(t,
		step(`    group_id      = "`+opswatKiosks+`"
    mac_addresses = ["02:00:00:44:55"]`, `"02:00:00:44:55" is not a MAC address`),
		step(`    group_id      = "`+opswatKiosks+`"
    mac_addresses = ["02:00:00:44:55:01", "FF:FF:FF:FF:FF:FF"]`, `"FF:FF:FF:FF:FF:FF" is the broadcast address, not a device's`),
		step(`    group_id      = "`+opswatKiosks+`"
    mac_addresses = ["01-00-5e-00-00-fb"]`, `"01-00-5e-00-00-fb" is a multicast address (the lowest bit of its first octet, 01, is set)`),
		step(`    group_id      = "`+opswatKiosks+`"
    mac_addresses = ["0000.0000.0000"]`, `"0000.0000.0000" is all zeros, which no device has`),
		step(`    group_id      = "`+opswatKiosks+`"
    device_ids    = ["a"]
    mac_addresses = ["02:00:00:44:55:01"]`, `2 attributes specified when one (and only one) of [mac_addresses] is required`),
		step(`    group_id = "`+opswatKiosks+`"`, `No attribute specified when one (and only one) of`),
		step(`    group_id   = "`+opswatKiosks+`"
    device_ids = []`, `set must contain at least 1 elements`),
		step(`    group_id   = "999999"
    device_ids = ["a1b2c3d4e5f60001"]`, `no OPSWAT group has id "999999" (searched 8 groups). No device was sent to the API.`),
		resource.TestStep{
			Config: providerBlock(srv),
			Check: func(*terraform.State) error {
				if n := srv.Count(devicesAction); n != 0 {
					return fmt.Errorf("%d device actions sent", n)
				}
				return nil
			},
		},
	)
}

// Each device not assigned is named with what the API said of it, in both
// answer shapes; the others are assigned all the same.
func TestAccOPSWATAssignDevices_perDeviceFailures(t *testing.T) {
	for name, shape := range map[string]emulator.OPSWATActionAnswer{"v3.0": emulator.ActionAnswerV30, "v3.1 items": emulator.ActionAnswerWrapped} {
		t.Run(name, func(t *testing.T) {
			srv := startEmulator(t)
			srv.SetOPSWATActionAnswer(shape)
			srv.SetOPSWATDevices([]emulator.OPSWATDevice{
				{ID: "ok-1", GroupID: opswatDefault}, {ID: "dc-1", GroupID: opswatDefault, DomainController: true},
				{ID: "fails-1", GroupID: opswatDefault, Fails: true}, {ID: "silent-1", GroupID: opswatDefault, Unanswered: true},
			})
			actionTest(t, resource.TestStep{
				Config: providerBlock(srv) + triggered("endpointgroups_opswat_assign_devices", "mixed",
					`    group_id   = "`+opswatSF+`"
    device_ids = ["ok-1", "dc-1", "fails-1", "silent-1", "nosuch-1"]`),
				ExpectError: inOrder("OPSWAT Devices Not Assigned", `4 of 5 devices (by device id) were not put into the group 260854829 ("San Francisco"); 1 assigned.`,
					"1 device: the API answered -1", "dc-1", "2 devices: the API answered 0", "fails-1", "nosuch-1",
					"1 device: the API's answer does not mention them", "silent-1"),
			}, resource.TestStep{
				Config: providerBlock(srv),
				Check:  deviceGroups(srv, map[string]string{"ok-1": opswatSF, "dc-1": opswatDefault, "fails-1": opswatDefault, "silent-1": opswatSF}),
			})
		})
	}
}

// Under each fault before and after the server applies a request, the
// action ends with the server's assignments as it reports them: a lost
// answer is sent again once (a warning says so), twice lost is an error
// naming the devices whose outcome is unknown, a refusal is never resent.
func TestAccOPSWATAssignDevices_faults(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fault    emulator.Fault
		requests int
		err      string // "" for success
		moved    bool
	}{
		{"dropped before", emulator.Fault{Drop: true, Times: 1}, 3, "", true},
		{"lost after", emulator.Fault{Lose: true, Times: 1}, 3, "", true},
		{"502 after", emulator.Fault{Lose: true, Status: 502, Times: 1}, 3, "", true},
		{"lost twice after", emulator.Fault{Lose: true, Times: 2}, 2, `the request's answer was lost twice: they may or may not be in the group`, true},
		{"lost twice before", emulator.Fault{Drop: true, Times: 2}, 2, `the request's answer was lost twice`, false},
		{"refused", emulator.Fault{Status: 400, Times: 1, ContentType: "application/json", Body: `{"error":"The JSON body is invalid"}`}, 1, `the API refused the request`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startEmulator(t)
			ids := generatedDevices(srv, 60)
			f := tc.fault
			f.Path = devicesAction
			srv.AddFault(f)
			var expect *regexp.Regexp
			if tc.err != "" {
				expect = errorRe(tc.err)
			}
			actionTest(t, resource.TestStep{
				Config: providerBlock(srv) + triggered("endpointgroups_opswat_assign_devices", "faulty",
					`    group_id   = "`+opswatKiosks+`"
    device_ids = `+hcl(ids)),
				ExpectError: expect,
			}, resource.TestStep{
				Config: providerBlock(srv),
				Check: func(*terraform.State) error {
					if n := srv.Count(devicesAction); n != tc.requests {
						return fmt.Errorf("%d device actions, want %d", n, tc.requests)
					}
					// The first chunk's devices are where the server put them.
					got := srv.OPSWATDeviceGroups()
					inGroup := 0
					for _, id := range ids[:50] {
						if got[id] == opswatKiosks {
							inGroup++
						}
					}
					if want := map[bool]int{true: 50, false: 0}[tc.moved]; inGroup != want {
						return fmt.Errorf("%d of the first 50 devices in the group, want %d", inGroup, want)
					}
					if tc.err == "" {
						for _, id := range ids {
							if got[id] != opswatKiosks {
								return fmt.Errorf("device %s is in %s after a successful invoke", id, got[id])
							}
						}
					}
					return nil
				},
			})
		})
	}
}

// terraform apply -invoke runs the action alone, in a separate provider
// process, with its progress and the resend warning on the terminal.
func TestAccOPSWATAssignDevices_invoke(t *testing.T) {
	skipWithoutActions(t)
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	ids := generatedDevices(srv, 70)
	srv.AddFault(emulator.Fault{Path: devicesAction, Lose: true, Times: 1})
	dir := workdir(t, providerBlock(srv)+`
action "endpointgroups_opswat_assign_devices" "kiosks" {
  config {
    group_id   = "`+opswatKiosks+`"
    device_ids = `+hcl(ids)+`
  }
}
`)
	out, err := c.run(dir, nil, "apply", "-invoke=action.endpointgroups_opswat_assign_devices.kiosks", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("terraform apply -invoke: %v\n%s", err, out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		"request 1 of 2 answered, 50 of 70 devices assigned (sent again after a lost answer)",
		"request 2 of 2 answered, 70 of 70 devices assigned",
		"OPSWAT Device Action Sent Again",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	for _, id := range ids {
		if g := srv.OPSWATDeviceGroups()[id]; g != opswatKiosks {
			t.Fatalf("device %s is in %s", id, g)
		}
	}
	if n := srv.Count(devicesAction); n != 3 {
		t.Fatalf("%d device actions, want 3", n)
	}
}

// A read that follows the assignment in the same run does not serve the
// group's device count from the list read before it: null, where the next
// run reads the server's. Terraform 1.16 reads a data source that depends
// on the trigger after the action; 1.14 and 1.15 read it beside the action,
// before the assignment, and get the count of then.
func TestAccOPSWATAssignDevices_countStaleInTheRun(t *testing.T) {
	skipWithoutActions(t)
	srv := startEmulator(t)
	config := providerBlock(srv) + triggered("endpointgroups_opswat_assign_devices", "kiosk",
		`    group_id   = "`+opswatKiosks+`"
    device_ids = ["a1b2c3d4e5f60001"]`) + `
data "endpointgroups_opswat_group" "after" {
  id         = "` + opswatKiosks + `"
  depends_on = [terraform_data.vm]
}
`
	var want knownvalue.Check = knownvalue.Null()
	if actionsProbe.minor < 16 {
		want = knownvalue.Int64Exact(8)
	}
	actionTest(t, resource.TestStep{
		Config: config,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_opswat_group.after", tfjsonpath.New("number_of_devices"), want),
		},
	}, resource.TestStep{
		Config: providerBlock(srv) + `
data "endpointgroups_opswat_group" "later" {
  id = "` + opswatKiosks + `"
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_opswat_group.later", tfjsonpath.New("number_of_devices"), knownvalue.Int64Exact(9)),
		},
	})
}
