package provider

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// pagesOf counts the stations-list.ds requests the emulator received for
// a group.
func pagesOf(srv *emulator.Server, group string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Path == stationsListPath && r.Query.Get("id") == group {
			n++
		}
	}
	return n
}

// planCheckFunc is a plan check written as a function.
type planCheckFunc func() error

func (f planCheckFunc) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f()
}

// A members resource of a group of several pages: a plan reads the group
// once (its refresh), and an apply that changes stations reads it once
// more, after its writes: the refresh's listing is what the update starts
// from. Each change is one change.ds.
func TestAccDrWebGroupMembers_readsOncePerChange(t *testing.T) {
	srv := startEmulator(t)
	setStations(t, srv, idMoscowWS, 260)
	pool := srv.DrWebStationsIn(idMoscowWS)
	own := len(srv.DrWebStationsIn(idLinux))
	first := pool[:250]
	// pages is the listing of Linux holding n of the pool: full pages of
	// 100, and the short (or empty) page that ends it.
	pages := func(n int) int { return (own+n)/100 + 1 }
	if pages(250) < 3 {
		t.Fatalf("Linux would have %d pages", pages(250))
	}
	// counts expects the pages of Linux and the change.ds requests since
	// the step began.
	counts := func(when string, wantPages int, wantChanges ...string) error {
		got := pagesOf(srv, idLinux)
		var sent []string
		for _, r := range srv.Requests() {
			switch {
			case r.Path != stationChangePath:
			case r.Query.Has("add-group"):
				sent = append(sent, "add:"+r.Query.Get("id"))
			default:
				sent = append(sent, "remove:"+r.Query.Get("id"))
			}
		}
		slices.Sort(sent)
		slices.Sort(wantChanges)
		if got != wantPages || !slices.Equal(sent, wantChanges) {
			return fmt.Errorf("%s: %d pages of the group and change.ds %v, want %d pages and %v", when, got, sent, wantPages, wantChanges)
		}
		return nil
	}
	afterPlan := func(wantPages int) resource.ConfigPlanChecks {
		return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{planCheckFunc(func() error { return counts("the plan", wantPages) })}}
	}
	added, swapped := pool[250], pool[251]
	accTest(t,
		resource.TestStep{Config: membersConfig(srv, first...)},
		// Nothing to do: the refresh's pages, no write.
		resource.TestStep{
			PreConfig:        func() { srv.ResetLog() },
			Config:           membersConfig(srv, first...),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check:            func(*terraform.State) error { return counts("a plan with nothing to do", pages(250)) },
		},
		// One station more: the refresh, the one add, the read-back.
		resource.TestStep{
			PreConfig:        func() { srv.ResetLog() },
			Config:           membersConfig(srv, append(slices.Clone(first), added)...),
			ConfigPlanChecks: afterPlan(pages(250)),
			Check: func(*terraform.State) error {
				return counts("adding one", pages(250)+pages(251), "add:"+added)
			},
		},
		// One station swapped for another: two changes, the group read
		// twice in all.
		resource.TestStep{
			PreConfig:        func() { srv.ResetLog() },
			Config:           membersConfig(srv, append(slices.Clone(first[1:]), added, swapped)...),
			ConfigPlanChecks: afterPlan(pages(251)),
			Check: func(*terraform.State) error {
				return counts("swapping one", pages(251)+pages(251), "add:"+swapped, "remove:"+first[0])
			},
		},
	)
}
