package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// stateStations returns the station ids the state holds for a members
// resource, sorted.
func stateStations(s *terraform.State, addr string) ([]string, error) {
	r := s.RootModule().Resources[addr]
	if r == nil {
		return nil, fmt.Errorf("%s is not in the state", addr)
	}
	n, err := strconv.Atoi(r.Primary.Attributes["station_ids.#"])
	if err != nil {
		return nil, fmt.Errorf("%s: station_ids.# = %q", addr, r.Primary.Attributes["station_ids.#"])
	}
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, r.Primary.Attributes[fmt.Sprintf("station_ids.%d", i)])
	}
	slices.Sort(out)
	return out, nil
}

// The members fault matrix through the real CLI: an addition and a removal,
// each meeting one fault of change.ds (a reset, HTTP 500, an errno refusal,
// a timeout), before the server carries the change out and after. After
// the apply, the state and the group on the server agree (a change the
// group does not show done is an error, and its station's state is what
// the group holds), and the change was sent once; a clean repair apply then
// sends just what is left, and leaves the server equal to the
// configuration with an empty plan (which the test framework checks after
// each apply).
func TestAccDrWebGroupMembers_faults(t *testing.T) {
	faults := []struct {
		name string
		f    emulator.Fault
		// the error of the apply when the fault strikes before the write,
		// for an addition and a removal
		add, remove string
	}{
		{"reset", emulator.Fault{Drop: true}, `Dr.Web Station Change Outcome Unknown`, `Dr.Web Station Change Outcome Unknown`},
		{"500", emulator.Fault{Status: 500, Body: "<html><body>Internal error</body></html>"}, `Dr.Web Station Change Outcome Unknown`, `Dr.Web Station Change Outcome Unknown`},
		{"errno", emulator.Fault{Errno: 3, Message: "Access denied"}, `Dr.Web Station Not Added To Group[\s\S]*Access\s+denied`, `Dr.Web Station Not Removed From Group[\s\S]*Access\s+denied`},
		{"timeout", emulator.Fault{Delay: 2 * time.Second, Status: 200}, `Dr.Web Station Change Outcome Unknown`, `Dr.Web Station Change Outcome Unknown`},
	}
	const addr = "endpointgroups_drweb_group_members.m"
	for _, op := range []string{"add", "remove"} {
		for _, fc := range faults {
			for _, after := range []bool{false, true} {
				name := op + " " + fc.name + " before"
				if after {
					name = op + " " + fc.name + " after"
				}
				t.Run(name, func(t *testing.T) {
					srv := startEmulator(t)
					st := srv.DrWebStationsIn(idWindows)
					a, b, c := st[1], st[2], st[3] // none of them in the group
					pool := []string{a, b, c}
					config := func(stations ...string) string {
						return faultProvider(srv) + membersResource("m", idLinux, stations...)
					}
					// The addition takes [a] to [a b]; the removal [a b] to [a].
					from, to, want := []string{a}, []string{a, b}, "^add:"+regexp.QuoteMeta(b)+"$"
					expect := fc.add
					if op == "remove" {
						from, to, want, expect = []string{a, b}, []string{a}, "^remove:"+regexp.QuoteMeta(b)+"$", fc.remove
					}
					// What the group and the state hold after the faulty
					// apply: the change done when the server carried it out.
					held := from
					if after {
						held, expect = to, ""
					}
					agree := func(want []string) resource.TestCheckFunc {
						return func(s *terraform.State) error {
							got, err := stateStations(s, addr)
							if err != nil {
								return err
							}
							server := serverHas(srv, idLinux, pool)
							if want = slices.Sorted(slices.Values(want)); !slices.Equal(got, want) || !slices.Equal(server, want) {
								return fmt.Errorf("the state holds %v and the server %v, want %v", got, server, want)
							}
							return nil
						}
					}
					sentOnce := func(s *terraform.State) error {
						got := changes(srv)
						if len(got) != 1 || !regexp.MustCompile(want).MatchString(got[0]) {
							return fmt.Errorf("the faulty apply sent %v, want the one change %s", got, want)
						}
						return nil
					}
					var expectErr *regexp.Regexp
					if expect != "" {
						expectErr = regexp.MustCompile(expect)
					}
					steps := []resource.TestStep{
						{Config: config(from...), Check: agree(from)},
						{
							PreConfig: func() {
								srv.ResetLog()
								f := fc.f
								f.Path, f.Times, f.Lose = stationChangePath, 1, after
								srv.AddFault(f)
							},
							Config:      config(to...),
							ExpectError: expectErr,
							Check:       resource.ComposeAggregateTestCheckFunc(sentOnce, agree(held)),
						},
					}
					if expectErr != nil {
						// A failed apply runs no checks: a refresh (which can
						// only drop stations the group lacks, never add
						// any) shows what the apply left in the state.
						steps = append(steps, resource.TestStep{
							RefreshState: true,
							// The next plan shows the change again.
							ExpectNonEmptyPlan: true,
							Check:              resource.ComposeAggregateTestCheckFunc(sentOnce, agree(held)),
						})
					}
					steps = append(steps, resource.TestStep{
						PreConfig: func() { srv.ResetLog() },
						Config:    config(to...),
						Check: resource.ComposeAggregateTestCheckFunc(agree(to), func(*terraform.State) error {
							got := changes(srv)
							switch {
							case after && len(got) != 0:
								return fmt.Errorf("the repair apply sent %v, want nothing", got)
							case !after && (len(got) != 1 || !regexp.MustCompile(want).MatchString(got[0])):
								return fmt.Errorf("the repair apply sent %v, want the one change %s", got, want)
							}
							return nil
						}),
					})
					resource.ParallelTest(t, resource.TestCase{
						ProtoV6ProviderFactories: protoV6,
						CheckDestroy: func(*terraform.State) error {
							if got := serverHas(srv, idLinux, pool); len(got) != 0 {
								return fmt.Errorf("the destroy left %v in the group", got)
							}
							return nil
						},
						Steps: steps,
					})
				})
			}
		}
	}
}
