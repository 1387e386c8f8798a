package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// The scale table: how the requests, the time and the provider's memory
// grow with the size of an account. A row runs its steps once each, in
// order, against one emulator with no API latency: the figures are about
// size, not the network. Sizes past -scale-max are left out, as are the
// rows at the API's own rate without -slow.

// scaleFamily is one measurement at several sizes.
type scaleFamily struct {
	name  string
	unit  string // what the size counts, memory is given per one: group, station
	sizes []int
	row   func(size int) scaleRow
	slow  bool // at the API's own rate: only with -slow
	// tooBig says, for a size, why it does not fit on a 2-CPU, 24 GiB
	// machine even when -scale-max allows it ("" or nil: it fits).
	tooBig func(size int) string
}

// scaleRow is one size of a family.
type scaleRow struct {
	label     string // the row's name, when the family's name and size do not say it
	seed      emulator.Seed
	rateLimit int // OPSWAT requests a minute the emulator enforces (0: none)
	steps     []scaleStep
}

// scaleStep is one terraform command of a row.
type scaleStep struct {
	name   string // plan, create, no-op plan, change one
	apply  bool
	args   []string
	config func(url string) string
	floor  map[string]int // endpoint → fewest requests possible; an endpoint left out has no floor the row asserts
}

// scaleFigures are what one step cost.
type scaleFigures struct {
	step     scaleStep
	requests map[string]int
	wall     time.Duration
	rssKiB   int64
}

// scaleResult is one measured size of a family.
type scaleResult struct {
	family *scaleFamily
	label  string
	size   int
	steps  []scaleFigures
	// notRun says why this size was not measured.
	notRun string
}

func scaleFamilies() []scaleFamily {
	return []scaleFamily{
		{name: "Dr.Web, `drweb_groups` over all groups", unit: "group", sizes: []int{1_000, 20_000, 100_000}, row: drwebGroupsScale, tooBig: drwebGroupsTooBig},
		{name: "Dr.Web, 200 lookups by id", unit: "group", sizes: []int{200, 20_000}, row: drwebLookupsScale},
		{name: "Dr.Web, one group's stations (`drweb_group_stations`)", unit: "station", sizes: []int{1_000, 20_000, 100_000}, row: drwebStationsScale},
		{name: "Dr.Web, members resource", unit: "station", sizes: []int{1_000, 5_000}, row: drwebMembersScale},
		{name: "OPSWAT, 9 lookups by name", unit: "group", sizes: []int{2_000, 10_000}, row: func(n int) scaleRow { return opswatNamesScale(9, n) }},
		{name: "OPSWAT, 40 lookups by name", unit: "group", sizes: []int{706}, row: func(n int) scaleRow { return opswatNamesScale(40, n) }},
		{name: "OPSWAT, lookup by id, enforced 10/min", unit: "group", sizes: []int{2_000}, row: opswatRateScale, slow: true},
	}
}

// measureScale runs the scale rows the options select.
func (b *bench) measureScale(o options) ([]scaleResult, error) {
	var out []scaleResult
	families := scaleFamilies()
	for i := range families {
		f := &families[i]
		if !strings.Contains(f.name, o.only) || (f.slow && !o.slow) {
			continue
		}
		for _, size := range f.sizes {
			// A family's smallest size always runs: the row shows it works.
			why := ""
			switch {
			case size > o.scaleMax && size != f.sizes[0]:
				why = fmt.Sprintf("past -scale-max %d", o.scaleMax)
			case f.tooBig != nil:
				why = f.tooBig(size)
			}
			if why != "" {
				fmt.Printf("==> %s, %s %ss: not run (%s)\n", f.name, thousands(size), f.unit, why)
				out = append(out, scaleResult{family: f, size: size, notRun: why})
				continue
			}
			r := f.row(size)
			fmt.Printf("==> %s, %s %ss: %d steps\n", f.name, thousands(size), f.unit, len(r.steps))
			steps, err := b.measureSteps(r)
			if err != nil {
				return nil, fmt.Errorf("%s, %d %ss: %w", f.name, size, f.unit, err)
			}
			out = append(out, scaleResult{family: f, label: r.label, size: size, steps: steps})
		}
	}
	return out, nil
}

// measureSteps runs a row's steps in one directory (an apply's state is
// the next step's) against one emulator.
func (b *bench) measureSteps(r scaleRow) ([]scaleFigures, error) {
	srv := emulator.New(r.seed)
	defer srv.Close()
	if r.rateLimit > 0 {
		srv.SetRateLimit(r.rateLimit, time.Minute)
		srv.SetRateLimitStyle(emulator.RateLimitHeadersOnly)
	}
	dir, err := os.MkdirTemp(b.work, "scale-")
	if err != nil {
		return nil, err
	}
	var out []scaleFigures
	for i, st := range r.steps {
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(st.config(srv.URL)), 0o600); err != nil {
			return nil, err
		}
		rssFile := filepath.Join(dir, fmt.Sprintf("rss-%d", i))
		args := []string{"plan"}
		if st.apply {
			args = []string{"apply", "-auto-approve"}
		}
		srv.ResetLog()
		wall, _, err := terraform(b.cli, append(slices.Clip(b.env), envRSSFile+"="+rssFile), dir, append(args, st.args...))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", st.name, err)
		}
		f := scaleFigures{step: st, wall: wall, requests: countRequests(srv, nil)}
		if f.rssKiB, err = readRSS(rssFile); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// readRSS is the largest peak RSS the provider wrapper recorded in file.
func readRSS(file string) (int64, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, fmt.Errorf("the provider wrapper recorded no memory figure: %w", err)
	}
	var peak int64
	for _, line := range strings.Fields(string(data)) {
		if v, err := strconv.ParseInt(line, 10, 64); err == nil {
			peak = max(peak, v)
		}
	}
	return peak, nil
}

// printScale prints the scale table and, for each family measured at more
// than one size, how each figure grows from its smallest size to its
// largest.
func printScale(results []scaleResult, o options) {
	if len(results) == 0 {
		return
	}
	fmt.Printf("\n## Scale (one run per step, no API latency; sizes up to -scale-max %d)\n\n", o.scaleMax)
	fmt.Println("| row | step | requests (floor) | time | provider peak RSS | RSS per group / station |")
	fmt.Println("|---|---|---|---:|---:|---:|")
	for _, r := range results {
		if r.notRun != "" {
			fmt.Printf("| %s | | not run: %s | | | |\n", r.name(), r.notRun)
			continue
		}
		for _, f := range r.steps {
			fmt.Printf("| %s | %s | %s | %.2f s | %.0f MiB | %.2f KiB per %s |\n", r.name(), f.step.name, requestsCell(f),
				f.wall.Seconds(), float64(f.rssKiB)/1024, float64(f.rssKiB)/float64(r.size), r.family.unit)
		}
	}
	fmt.Println("\nScaling (largest size against smallest):")
	for _, notes := range scalingNotes(results) {
		fmt.Println("  " + notes)
	}
}

// name is the row's name in the table.
func (r scaleResult) name() string {
	if r.label != "" {
		return r.family.name + ", " + r.label
	}
	return fmt.Sprintf("%s, %s %ss", r.family.name, thousands(r.size), r.family.unit)
}

// requestsCell lists a step's requests per endpoint, each with its floor
// where the row has one.
func requestsCell(f scaleFigures) string {
	paths := slices.Sorted(maps.Keys(f.requests))
	for p := range f.step.floor {
		if !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	var cells []string
	for _, p := range paths {
		cell := fmt.Sprintf("`%s` %d", shortPath(p), f.requests[p])
		if fl, ok := f.step.floor[p]; ok {
			cell += fmt.Sprintf(" (%d)", fl)
		}
		cells = append(cells, cell)
	}
	if len(cells) == 0 {
		return "none"
	}
	return strings.Join(cells, ", ")
}

// shortPath is an endpoint's script or last element.
func shortPath(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// scalingNotes says, per family and step, how requests, time, peak RSS
// and RSS per unit grow from the smallest size measured to the largest.
func scalingNotes(all []scaleResult) []string {
	results := slices.DeleteFunc(slices.Clone(all), func(r scaleResult) bool { return r.notRun != "" })
	var notes []string
	for i := 0; i < len(results); {
		j := i
		for j < len(results) && results[j].family == results[i].family {
			j++
		}
		first, last := results[i], results[j-1]
		i = j
		if first.size == last.size {
			notes = append(notes, fmt.Sprintf("%s: one size measured (%s %ss).", first.family.name, thousands(first.size), first.family.unit))
			continue
		}
		k := float64(last.size) / float64(first.size)
		for s := range first.steps {
			a, b := first.steps[s], last.steps[s]
			notes = append(notes, fmt.Sprintf("%s, %s: %s → %s %ss (×%.0f): requests ×%.1f, time ×%.1f, peak RSS ×%.1f, RSS per %s ×%.2f.",
				first.family.name, a.step.name, thousands(first.size), thousands(last.size), first.family.unit, k,
				ratio(total(b.requests), total(a.requests)), ratio(b.wall.Seconds(), a.wall.Seconds()),
				ratio(float64(b.rssKiB), float64(a.rssKiB)), first.family.unit,
				ratio(float64(b.rssKiB)/float64(last.size), float64(a.rssKiB)/float64(first.size))))
		}
	}
	return notes
}

func total(m map[string]int) float64 {
	n := 0
	for _, v := range m {
		n += v
	}
	return float64(n)
}

func ratio[T int | float64](a, b T) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
