package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// raceRounds is how many times each pipeline pair runs, without and with
// API latency: enough for both interleavings (one run sees the other's
// group before its write, or only after it) to come up.
const raceRounds = 5

// Two pipelines (separate states, one server) applying the same new group
// at once never leave two groups of one name: after each round the server
// holds at most one, the run whose state holds it is the only one that
// succeeded, and every run that failed says why (the name was taken before
// its write, or it gave way to a concurrent create and deleted its own
// group). Re-running each pipeline then converges: exactly one group, held
// by exactly one state, and the other pipeline's plan names it.
func TestAccDrWebGroupConcurrentPipelines(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	config := providerBlock(srv) + `
resource "endpointgroups_drweb_group" "parallel" {
  name = "Parallel-Test"
}
`
	apply := func(dir string) (string, error) { // Terraform wraps its messages: one space between words
		out, err := c.run(dir, nil, "apply", "-auto-approve", "-no-color", "-input=false")
		return strings.Join(strings.Fields(out), " "), err
	}
	for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
		srv.SetLatency(latency)
		for round := range raceRounds {
			label := fmt.Sprintf("latency %s, round %d", latency, round+1)
			dirs := [2]string{workdir(t, config), workdir(t, config)}
			var outs [2]string
			var errs [2]error
			var wg sync.WaitGroup
			for i := range dirs {
				wg.Go(func() { outs[i], errs[i] = apply(dirs[i]) })
			}
			wg.Wait()
			ids := srv.DrWebGroupsNamed("", "Parallel-Test")
			if len(ids) > 1 {
				t.Fatalf("%s: the server holds %d groups named Parallel-Test: %v\n--- run 1:\n%s\n--- run 2:\n%s", label, len(ids), ids, outs[0], outs[1])
			}
			outcome := ""
			for i := range dirs {
				held := stateGroupID(t, dirs[i])
				switch {
				case errs[i] == nil:
					if len(ids) != 1 || held != ids[0] {
						t.Fatalf("%s: run %d succeeded holding %q, the server holds %v:\n%s", label, i+1, held, ids, outs[i])
					}
					outcome += "kept "
				case held != "":
					t.Fatalf("%s: run %d failed but its state holds %q:\n%s", label, i+1, held, outs[i])
				case strings.Contains(outs[i], "Dr.Web Concurrent Create") && strings.Contains(outs[i], "this run deleted its own new group") &&
					strings.Contains(outs[i], "re-run to adopt or rename"):
					outcome += "yielded "
				case strings.Contains(outs[i], "Dr.Web Group Name Taken") && len(ids) == 1 && strings.Contains(outs[i], ids[0]):
					outcome += "refused "
				default:
					t.Fatalf("%s: run %d failed without saying the name was taken or that it gave way:\n%s", label, i+1, outs[i])
				}
			}
			if len(ids) == 1 && strings.Count(outcome, "kept") != 1 {
				t.Fatalf("%s: one group on the server, runs: %s", label, outcome)
			}
			if len(ids) == 0 && outcome != "yielded yielded " {
				t.Fatalf("%s: no group on the server, runs: %s", label, outcome)
			}
			if len(ids) == 0 { // every run gave way: only when the server's times could not order the groups
				for i := range dirs {
					if !strings.Contains(outs[i], "cannot tell which came first") {
						t.Fatalf("%s: both runs gave way, run %d not for a tie:\n%s", label, i+1, outs[i])
					}
				}
			}
			t.Logf("%s: %s", label, outcome)

			// Each pipeline re-runs, one after the other.
			for i := range dirs {
				out, err := apply(dirs[i])
				now := srv.DrWebGroupsNamed("", "Parallel-Test")
				if len(now) != 1 {
					t.Fatalf("%s: after pipeline %d re-ran, the server holds %v:\n%s", label, i+1, now, out)
				}
				held := stateGroupID(t, dirs[i])
				switch {
				case err == nil && held == now[0]:
				case err != nil && held == "" && strings.Contains(out, "Dr.Web Group Name Taken") && strings.Contains(out, now[0]):
				default:
					t.Fatalf("%s: pipeline %d re-ran (error %v) holding %q, the server holds %v:\n%s", label, i+1, err, held, now, out)
				}
			}
			if a, b := stateGroupID(t, dirs[0]), stateGroupID(t, dirs[1]); (a == "") == (b == "") {
				t.Fatalf("%s: after the re-runs the states hold %q and %q: want exactly one", label, a, b)
			}
			for _, id := range srv.DrWebGroupsNamed("", "Parallel-Test") {
				srv.DeleteDrWebGroup(id)
			}
		}
	}
}

// stateGroupID returns the id of the group the local state in dir holds,
// "" when it holds none.
func stateGroupID(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes struct {
					ID string `json:"id"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	for _, r := range st.Resources {
		if r.Type == "endpointgroups_drweb_group" && len(r.Instances) > 0 {
			return r.Instances[0].Attributes.ID
		}
	}
	return ""
}

// Two pipelines renaming their own groups onto one name at once never
// leave two groups of it: the run that gives way changes its group back,
// so the server and its state still hold the old name; re-running each
// pipeline leaves one group of the name, and the other pipeline's plan
// says to choose another name.
func TestAccDrWebGroupConcurrentRenames(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	config := func(name string) string {
		return providerBlock(srv) + fmt.Sprintf(`
resource "endpointgroups_drweb_group" "g" {
  name = %q
}
`, name)
	}
	apply := func(dir string) (string, error) {
		out, err := c.run(dir, nil, "apply", "-auto-approve", "-no-color", "-input=false")
		return strings.Join(strings.Fields(out), " "), err
	}
	for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
		for round := range raceRounds {
			srv.SetLatency(0)
			label := fmt.Sprintf("latency %s, round %d", latency, round+1)
			var dirs [2]string
			var ids [2]string
			for i := range dirs {
				dirs[i] = workdir(t, config(fmt.Sprintf("Rename-%d-%d", round, i)))
				if out, err := apply(dirs[i]); err != nil {
					t.Fatalf("%s: creating group %d: %v\n%s", label, i+1, err, out)
				}
				ids[i] = stateGroupID(t, dirs[i])
				if err := os.WriteFile(filepath.Join(dirs[i], "main.tf"), []byte(requiredProviders+config("Parallel-Rename")), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			srv.SetLatency(latency)
			var outs [2]string
			var errs [2]error
			var wg sync.WaitGroup
			for i := range dirs {
				wg.Go(func() { outs[i], errs[i] = apply(dirs[i]) })
			}
			wg.Wait()
			named := srv.DrWebGroupsNamed("", "Parallel-Rename")
			if len(named) > 1 {
				t.Fatalf("%s: the server holds %d groups named Parallel-Rename: %v\n--- run 1:\n%s\n--- run 2:\n%s", label, len(named), named, outs[0], outs[1])
			}
			outcome := ""
			for i := range dirs {
				g, ok := srv.DrWebGroup(ids[i])
				switch {
				case !ok:
					t.Fatalf("%s: group %d (%q) is gone", label, i+1, ids[i])
				case errs[i] == nil:
					if g.Name != "Parallel-Rename" {
						t.Fatalf("%s: run %d succeeded, its group is named %q:\n%s", label, i+1, g.Name, outs[i])
					}
					outcome += "renamed "
				case g.Name != fmt.Sprintf("Rename-%d-%d", round, i):
					t.Fatalf("%s: run %d failed, its group is named %q, not changed back:\n%s", label, i+1, g.Name, outs[i])
				case strings.Contains(outs[i], "Dr.Web Concurrent Update") && strings.Contains(outs[i], "changed the group") &&
					strings.Contains(outs[i], "re-run to rename"):
					outcome += "yielded "
				case strings.Contains(outs[i], "Dr.Web Group Name Taken") && strings.Contains(outs[i], "cannot be renamed or moved there"):
					outcome += "refused "
				default:
					t.Fatalf("%s: run %d failed without saying the name was taken or that it gave way:\n%s", label, i+1, outs[i])
				}
			}
			if strings.Count(outcome, "renamed") != len(named) {
				t.Fatalf("%s: %d groups named Parallel-Rename, runs: %s", label, len(named), outcome)
			}
			t.Logf("%s: %s", label, outcome)

			// Each pipeline re-runs, one after the other: one rename goes through, the other is refused at plan.
			srv.SetLatency(0)
			for i := range dirs {
				out, err := apply(dirs[i])
				g, _ := srv.DrWebGroup(ids[i])
				switch {
				case err == nil && g.Name == "Parallel-Rename":
				case err != nil && strings.Contains(out, "Dr.Web Group Name Taken") && strings.Contains(out, "Choose another name"):
				default:
					t.Fatalf("%s: pipeline %d re-ran (error %v), its group is named %q:\n%s", label, i+1, err, g.Name, out)
				}
			}
			if named := srv.DrWebGroupsNamed("", "Parallel-Rename"); len(named) != 1 {
				t.Fatalf("%s: after the re-runs the server holds %v", label, named)
			}
			for _, id := range ids {
				srv.DeleteDrWebGroup(id)
			}
		}
	}
}
