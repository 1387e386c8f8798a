// Command bench measures what a big `terraform plan` costs with this
// provider: the requests each vendor API receives, the plan's wall time
// against an API with realistic latency and against one with none, and the
// provider process's peak memory. It compares the requests with the floor
// (what the APIs' paging and batching make unavoidable) and with a provider
// that asks the API once per data source. `make bench` runs it.
//
// The vendor APIs are the emulator, served on loopback by this process; the
// provider is the binary built from this tree, run by the real Terraform CLI
// through dev_overrides. To read the provider's peak memory, Terraform starts
// this program in its place, which runs the provider as a child with the
// same standard streams and records the child's maximum resident set size.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/devcli"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

// Environment of the provider wrapper.
const (
	envRealProvider = "ENDPOINTGROUPS_BENCH_PROVIDER"
	envRSSFile      = "ENDPOINTGROUPS_BENCH_RSS_FILE"
)

func main() {
	if provider := os.Getenv(envRealProvider); provider != "" {
		os.Exit(wrapProvider(provider))
	}
	latency := flag.Duration("latency", 30*time.Millisecond, "API latency of the realistic runs")
	runs := flag.Int("runs", 3, "plans per scenario and latency; the median wall time is reported")
	terraform := flag.String("terraform", "terraform", "the Terraform CLI")
	only := flag.String("only", "", "run only the scenarios and scale rows whose name contains this")
	slow := flag.Bool("slow", false, "also run the rows at the API's own 10 requests a minute (minutes each)")
	scaleOnly := flag.Bool("scale-only", false, "run the scale rows only")
	scaleMax := flag.Int("scale-max", 1_000, "the largest size of the scale rows: 20000, or 100000 for every size (tens of minutes)")
	flag.Parse()
	if err := run(*terraform, options{latency: *latency, runs: *runs, only: *only, slow: *slow, scaleMax: *scaleMax, scaleOnly: *scaleOnly}); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// wrapProvider runs the real provider with this process's streams and
// appends the child's peak RSS in KiB to the RSS file when it exits.
func wrapProvider(provider string) int {
	signal.Ignore(os.Interrupt) // as the provider does: Terraform stops it over gRPC
	cmd := exec.Command(provider, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "bench wrapper:", err)
		return 1
	}
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	go func() {
		for s := range term {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	if rss, ok := peakRSS(cmd.ProcessState); ok {
		if f, ferr := os.OpenFile(os.Getenv(envRSSFile), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); ferr == nil {
			fmt.Fprintln(f, rss)
			_ = f.Close()
		}
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return 1
	}
	return 0
}

// scenario is one plan configuration over one seeded API.
type scenario struct {
	name    string
	args    []string // extra arguments of terraform plan
	seed    emulator.Seed
	config  func(url string) string
	floor   map[string]int // endpoint → fewest requests possible
	naive   map[string]int // endpoint → requests of a provider that asks per data source
	targets func(m measurement) []check
	// applyFirst: the configuration is applied once before the plans,
	// whose requests applyFloor counts (the plans then have nothing to do).
	applyFirst bool
	applyFloor map[string]int
	// applyArgs are extra arguments of that apply (-invoke); applyNaive
	// what its requests would be for a provider that sends one per item
	// (nil: applyFloor).
	applyArgs  []string
	applyNaive map[string]int
	// actions: the scenario needs a CLI with actions (Terraform 1.14 and
	// later); others skip it, saying so.
	actions bool
	// warm is a configuration planned once before the measured plans (to
	// fill the OPSWAT cache); fails: the measured plans are expected to fail.
	warm  func(url string) string
	fails bool
	// rateLimit: the emulator enforces this many OPSWAT group requests a
	// minute, reading X-RateLimit-Reset-Time as rateReset says.
	rateLimit int
	rateReset emulator.RateLimitReset
	// once: one plan, without API latency (the rate paces it, not the
	// network); the row's other figures are those of that plan.
	once bool
}

type measurement struct {
	applied  map[string]int // path → requests of the apply before the plans
	requests map[string]int // path → requests received
	ids      int            // ids asked for in info.ds requests
	wall     time.Duration  // median plan wall time
	rssKiB   int64          // peak RSS of any provider process
}

type check struct {
	what string
	ok   bool
}

const (
	opswatGroups  = "/o/api/v3/groups"
	opswatToken   = "/o/oauth/token"
	opswatDevices = "/o/api/v3/devices/action"
	drwebInfo     = "/api/groups/info.ds"
	drwebList     = "/api/groups/list.ds"
	drwebPages    = "/api/groups/stations-list.ds"
	drwebStates   = "/api/stations/states.ds"
	drwebChange   = "/api/stations/change.ds"
)

// options are the command's flags past the Terraform CLI.
type options struct {
	latency  time.Duration
	runs     int
	only     string
	slow     bool // the rows at the API's own rate, minutes each
	scaleMax int  // the largest size of the scale rows
	// scaleOnly: the scale table alone, without the cost tables.
	scaleOnly bool
}

// bench is what every row runs with: the CLI, the provider wrapper's
// environment and a work directory.
type bench struct {
	cli  *devcli.CLI
	env  []string
	work string
}

// row is one scenario's measurements, with and without API latency.
type row struct {
	sc         scenario
	slow, fast measurement
}

func run(terraform string, o options) error {
	work, err := os.MkdirTemp("", "endpointgroups-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	defer os.RemoveAll(benchCacheDir)
	b, err := setup(terraform, work)
	if err != nil {
		return err
	}
	rows, err := b.measureRows(o)
	if err != nil {
		return err
	}
	scale, err := b.measureScale(o)
	if err != nil {
		return err
	}
	if len(rows) > 0 {
		printHeader(b.cli.Terraform, o)
		printRequests(rows)
		printTimes(rows, o.latency)
	}
	printScale(scale, o)
	printTargets(rows)
	return nil
}

// setup builds the provider and the CLI that runs it through this
// program (see wrapProvider).
func setup(terraform, work string) (*bench, error) {
	fmt.Println("==> Building the provider")
	providerBin, err := devcli.Build(context.Background(), ".", filepath.Join(work, "provider"), "bench")
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	plugins := filepath.Join(work, "plugins")
	if err := copyFile(self, filepath.Join(plugins, devcli.Binary)); err != nil {
		return nil, err
	}
	cli, err := devcli.New(terraform, plugins, work)
	if err != nil {
		return nil, err
	}
	return &bench{cli: cli, env: []string{envRealProvider + "=" + providerBin}, work: work}, nil
}

// measureRows runs every scenario the options select, with and without
// API latency.
func (b *bench) measureRows(o options) ([]row, error) {
	var rows []row
	if o.scaleOnly {
		return nil, nil
	}
	for _, sc := range scenarios(o.slow) {
		if !strings.Contains(sc.name, o.only) {
			continue
		}
		if sc.actions && !hasActions(b.cli.Terraform) {
			fmt.Printf("==> %s: skipped, the CLI (%s) has no actions (Terraform 1.14 and later)\n", sc.name, tfVersion(b.cli.Terraform))
			continue
		}
		r := row{sc: sc}
		latencies, runs := []time.Duration{o.latency, 0}, o.runs
		if sc.once {
			latencies, runs = []time.Duration{0}, 1
		}
		for _, lat := range latencies {
			fmt.Printf("==> %s, API latency %s: %d plans\n", sc.name, lat, runs)
			m, err := measure(b.cli, b.env, b.work, sc, lat, runs)
			if err != nil {
				return nil, fmt.Errorf("%s (latency %s): %w", sc.name, lat, err)
			}
			if lat == 0 {
				r.fast = m
			} else {
				r.slow = m
			}
		}
		if sc.once {
			r.slow = r.fast
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func printHeader(terraform string, o options) {
	fmt.Printf("\n## Cost of one `terraform plan` (%s, %d CPUs, %s, Terraform %s, median of %d plans)\n\n",
		time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), runtime.GOOS+"/"+runtime.GOARCH, tfVersion(terraform), o.runs)
	fmt.Println("OPSWAT: 2,000 groups; 200 data sources (120 lookups by name, 70 by id, 10 `opswat_groups` with `name_regex`), or 3, 9 or 20 lookups by name;")
	fmt.Println("with `cache_ttl`: the 200 data sources applied, then planned; a mistyped name with a warm cache.")
	if o.slow {
		fmt.Println("OPSWAT at the account's rate: a lookup by id over 1,000 groups, the emulator enforcing 10/min, once per reading of X-RateLimit-Reset-Time.")
	}
	fmt.Println("Dr.Web: 500 groups in a tree (5 children per group); 250 data sources (200 lookups by id, 50 by name).")
	fmt.Println("Dr.Web stations: a group of 1,000 stations read by 20 data sources; a members resource putting 100 stations into a group (applied once, then planned).")
	fmt.Println("OPSWAT devices: 500 devices put into a group by one `terraform apply -invoke` of `endpointgroups_opswat_assign_devices` (Terraform 1.14 and later).")
	fmt.Println()
}

// printRequests prints each row's requests per endpoint beside the floor
// and a provider that walks the API once per data source.
func printRequests(rows []row) {
	var notes []string
	fmt.Println("| scenario | endpoint | requests | floor | one walk per data source |")
	fmt.Println("|---|---|---:|---:|---:|")
	for _, r := range rows {
		for _, p := range slices.Sorted(maps.Keys(r.sc.applyFloor)) {
			naive := r.sc.applyFloor[p]
			if r.sc.applyNaive != nil {
				naive = r.sc.applyNaive[p]
			}
			fmt.Printf("| %s: apply | `%s` | %d | %d | %d |\n", r.sc.name, p, r.slow.applied[p], r.sc.applyFloor[p], naive)
		}
		name := r.sc.name
		if r.sc.applyFirst {
			name += ": plan after it"
		}
		for _, p := range slices.Sorted(maps.Keys(r.sc.floor)) {
			fmt.Printf("| %s | `%s` | %d | %d | %d |\n", name, p, r.slow.requests[p], r.sc.floor[p], r.sc.naive[p])
		}
		if n := r.slow.requests[drwebInfo]; n > 0 {
			notes = append(notes, fmt.Sprintf("%s: %.1f ids per `info.ds` request on average.", r.sc.name, float64(r.slow.ids)/float64(n)))
		}
	}
	for _, n := range notes {
		fmt.Printf("\n%s\n", n)
	}
}

// printTimes prints each row's plan time with and without API latency,
// and the provider's peak memory.
func printTimes(rows []row, latency time.Duration) {
	fmt.Printf("\n| scenario | plan, API latency %s | plan, no API latency | ratio | provider peak RSS |\n", latency)
	fmt.Println("|---|---:|---:|---:|---:|")
	for _, r := range rows {
		if r.sc.once {
			fmt.Printf("| %s | (one plan only) | %.2f s | | %.0f MiB |\n", r.sc.name, r.fast.wall.Seconds(), float64(r.fast.rssKiB)/1024)
			continue
		}
		fmt.Printf("| %s | %.2f s | %.2f s | %.2fx | %.0f MiB |\n", r.sc.name, r.slow.wall.Seconds(), r.fast.wall.Seconds(),
			r.slow.wall.Seconds()/r.fast.wall.Seconds(), float64(max(r.slow.rssKiB, r.fast.rssKiB))/1024)
	}
}

// printTargets prints every row's targets once: met or not.
func printTargets(rows []row) {
	if len(rows) == 0 {
		return
	}
	fmt.Println("\nTargets:")
	lines, failed := targetLines(rows)
	for _, l := range lines {
		fmt.Println("  " + l)
	}
	if failed > 0 {
		fmt.Printf("\n%d target(s) not met (the README's \"Measured\" section says why).\n", failed)
	}
}

// targetLines are the rows' targets, each once, marked met or not, and
// how many are not.
func targetLines(rows []row) ([]string, int) {
	var lines []string
	failed := 0
	printed := map[string]bool{}
	for _, r := range rows {
		// The latency ratio is in the table above: reported, not a target
		// (it swings with the machine's load more than with the provider).
		for _, c := range r.sc.targets(r.slow) {
			line := r.sc.name + ": " + c.what
			if printed[line] {
				continue
			}
			printed[line] = true
			mark := "met    "
			if !c.ok {
				mark = "NOT MET"
				failed++
			}
			lines = append(lines, mark+"  "+line)
		}
	}
	return lines, failed
}

// measure runs the scenario's plan `runs` times against a fresh emulator
// with the given latency and returns the requests of the first plan, the
// median wall time and the peak RSS.
func measure(cli *devcli.CLI, env []string, work string, sc scenario, latency time.Duration, runs int) (measurement, error) {
	srv := emulator.New(sc.seed)
	defer srv.Close()
	srv.SetLatency(latency)
	if sc.rateLimit > 0 {
		srv.SetRateLimit(sc.rateLimit, time.Minute)
		srv.SetRateLimitReset(sc.rateReset)
		srv.SetRateLimitStyle(emulator.RateLimitHeadersOnly)
	}
	dir, err := os.MkdirTemp(work, "plan-")
	if err != nil {
		return measurement{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(sc.config(srv.URL)), 0o600); err != nil {
		return measurement{}, err
	}
	m := measurement{}
	if sc.warm != nil { // its memory is not the plan's: no RSS file
		if err := warm(cli, env, work, sc.warm(srv.URL)); err != nil {
			return m, err
		}
		srv.ResetLog()
	}
	rssFile := filepath.Join(dir, "rss")
	env = append(slices.Clip(env), envRSSFile+"="+rssFile)
	if sc.applyFirst {
		if _, _, err := terraform(cli, env, dir, append([]string{"apply", "-auto-approve"}, sc.applyArgs...)); err != nil {
			return m, err
		}
		m.applied = countRequests(srv, nil)
	}
	var walls []time.Duration
	for i := range runs {
		srv.ResetLog()
		wall, out, err := terraform(cli, env, dir, append([]string{"plan"}, sc.args...))
		walls = append(walls, wall)
		switch {
		case sc.fails && err == nil:
			return m, fmt.Errorf("terraform plan succeeded, and should have failed:\n%s", tail(out))
		case !sc.fails && err != nil:
			return m, err
		}
		if i == 0 {
			m.requests = countRequests(srv, &m.ids)
		}
	}
	slices.Sort(walls)
	m.wall = walls[len(walls)/2]
	m.rssKiB, err = readRSS(rssFile)
	return m, err
}

// warm plans config once in a directory of its own, to fill the OPSWAT
// cache that the measured plans then read.
func warm(cli *devcli.CLI, env []string, work, config string) error {
	dir, err := os.MkdirTemp(work, "warm-")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		return err
	}
	if _, _, err := terraform(cli, env, dir, []string{"plan"}); err != nil {
		return fmt.Errorf("warming: %w", err)
	}
	return nil
}

// terraform runs one command (plan or apply and its arguments) in dir and
// returns its wall time and output; a failure quotes the output's end.
func terraform(cli *devcli.CLI, env []string, dir string, args []string) (time.Duration, string, error) {
	args = append([]string{args[0], "-input=false", "-lock=false", "-no-color"}, args[1:]...)
	cmd := cli.Command(context.Background(), dir, env, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return wall, out.String(), fmt.Errorf("terraform %s: %w\n%s", args[0], err, tail(out.String()))
	}
	return wall, out.String(), nil
}

// countRequests is the requests srv received per path; with ids, it adds
// the ids asked for in info.ds requests.
func countRequests(srv *emulator.Server, ids *int) map[string]int {
	n := map[string]int{}
	for _, r := range srv.Requests() {
		n[r.Path]++
		if ids != nil && r.Path == drwebInfo {
			*ids += len(r.Query["id"])
		}
	}
	return n
}

// newConfig starts a scenario's configuration: the provider's source and
// a provider block holding the given vendor block.
func newConfig(vendorBlock string) *strings.Builder {
	b := &strings.Builder{}
	b.WriteString(`terraform {
  required_providers {
    endpointgroups = { source = "` + devcli.Source + `" }
  }
}
provider "endpointgroups" {
`)
	b.WriteString(vendorBlock)
	b.WriteString("}\n")
	return b
}

// scenarios are the rows of the cost tables; slow adds those at the API's
// own rate.
func scenarios(slow bool) []scenario {
	sequential := opswatScenario(opswat.ReadAheadFromRPM - 1)
	sequential.name += " (sequential walk)"
	readAhead := opswatScenario(6000)
	readAhead.name += " (read-ahead)"
	cached := opswatScenario(ReadAheadBelow)
	cached.name = "OPSWAT, 200 data sources, `cache_ttl = \"10m\"`"
	cached.applyFirst = true
	cached.applyFloor = map[string]int{opswatGroups: 41, opswatToken: 1}
	cached.config = withCache(cached.config)
	cached.floor = map[string]int{opswatGroups: 0, opswatToken: 0}
	cached.targets = func(m measurement) []check {
		return []check{{fmt.Sprintf("%d group and %d token requests for the apply, %d and %d for the plan after it (target: one walk in all)",
			m.applied[opswatGroups], m.applied[opswatToken], m.requests[opswatGroups], m.requests[opswatToken]),
			m.applied[opswatGroups] <= 41 && m.requests[opswatGroups] == 0 && m.requests[opswatToken] == 0}}
	}
	all := []scenario{sequential, readAhead, opswatFewNames(), cached, opswatTypo(), opswatNames(9), opswatNames(20),
		drwebScenario(10), drwebScenario(50), drwebStationsScenario(), drwebMembersScenario(), opswatAssignScenario(),
		drwebGroupsScenario(1_000), drwebGroupsScenario(5_000)}
	if slow {
		all = append(all, opswatRateScenario(emulator.ResetWholeWindow), opswatRateScenario(emulator.ResetFirstPlace), opswatRateScenario(emulator.ResetFixedMinute))
	}
	return all
}

// OPSWAT: 500 devices put into a group by one `terraform apply -invoke` of
// the assign action: the group checked against the list (one page, one
// token), then 50 devices a request. The plans after it invoke nothing.
func opswatAssignScenario() scenario {
	const devices = 500
	seed := emulator.DefaultSeed()
	seed.OPSWAT.Devices = emulator.GenerateOPSWATDevices(devices, "167641719")
	ids := make([]string, devices)
	for i, d := range seed.OPSWAT.Devices {
		ids[i] = fmt.Sprintf("%q", d.ID)
	}
	return scenario{
		name:       "OPSWAT, 500 devices assigned in one invoke",
		seed:       seed,
		applyFirst: true,
		applyArgs:  []string{"-invoke=action.endpointgroups_opswat_assign_devices.fleet"},
		actions:    true,
		applyFloor: map[string]int{opswatDevices: devices / 50, opswatGroups: 1, opswatToken: 1},
		applyNaive: map[string]int{opswatDevices: devices, opswatGroups: 1, opswatToken: 1},
		config: func(url string) string {
			// Paced below read-ahead, as the typo scenario: exact counts, and
			// the floor is the same at any pace.
			b := newConfig(fmt.Sprintf("  opswat {\n    base_url            = %q\n    client_id           = \"demo-client\"\n    client_secret       = \"demo-secret\"\n    requests_per_minute = %d\n  }\n", url, ReadAheadBelow))
			fmt.Fprintf(b, "action \"endpointgroups_opswat_assign_devices\" \"fleet\" {\n  config {\n    group_id   = \"301122004\"\n    device_ids = [%s]\n  }\n}\n", strings.Join(ids, ", "))
			return b.String()
		},
		floor: map[string]int{opswatDevices: 0},
		naive: map[string]int{opswatDevices: 0},
		targets: func(m measurement) []check {
			return []check{{fmt.Sprintf("%d device action, %d group and %d token requests to assign 500 devices (target: 10, at most 1 and 1)",
				m.applied[opswatDevices], m.applied[opswatGroups], m.applied[opswatToken]),
				m.applied[opswatDevices] == devices/50 && m.applied[opswatGroups] <= 1 && m.applied[opswatToken] <= 1}}
		},
	}
}

// OPSWAT: a lookup by id (a walk of the whole list) at an enforced
// 10 requests a minute, the server sending the X-RateLimit-* headers on
// every answer and reading Reset-Time as given. 1,000 groups (21 pages)
// rather than 2,000 keep the row at about two minutes while still needing
// three of the account's windows: the rate allows the walk in
// (pages-1)/10 minutes, and the row's target is that plus 20 %.
func opswatRateScenario(reading emulator.RateLimitReset) scenario {
	const groups, rpm = 1000, 10
	pages := groups/50 + 1 // a full last page needs the empty one that ends the list
	allowed := time.Duration((pages-1)/rpm) * time.Minute
	readings := map[emulator.RateLimitReset]string{
		emulator.ResetWholeWindow: "until the whole window is free",
		emulator.ResetFirstPlace:  "until a place frees",
		emulator.ResetFixedMinute: "until a fixed minute ends",
	}
	seed := emulator.DefaultSeed()
	seed.OPSWAT.Groups = emulator.GenerateOPSWATGroups(groups)
	last := seed.OPSWAT.Groups[len(seed.OPSWAT.Groups)-1].GroupID
	return scenario{
		name:      fmt.Sprintf("OPSWAT lookup by id, %d groups, enforced %d/min, Reset-Time %s", groups, rpm, readings[reading]),
		seed:      seed,
		rateLimit: rpm,
		rateReset: reading,
		once:      true,
		config: func(url string) string {
			b := newConfig(opswatBlockAt(url, rpm))
			fmt.Fprintf(b, "data \"endpointgroups_opswat_group\" \"by_id\" {\n  id = %q\n}\n", last)
			return b.String()
		},
		floor: map[string]int{opswatGroups: pages, opswatToken: 1},
		naive: map[string]int{opswatGroups: pages, opswatToken: 1},
		targets: func(m measurement) []check {
			return []check{{fmt.Sprintf("%d group requests (floor %d) in %s; the rate allows %s", m.requests[opswatGroups], pages, m.wall.Round(time.Second), allowed),
				m.requests[opswatGroups] == pages && m.wall <= allowed*12/10}}
		},
	}
}

// ReadAheadBelow is a rate just below read-ahead: exact request counts.
const ReadAheadBelow = opswat.ReadAheadFromRPM - 1

// benchCacheDir holds the OPSWAT cache entries of the scenarios that use
// one (each emulator's own base URL keys its entry); run removes it.
var benchCacheDir = filepath.Join(os.TempDir(), fmt.Sprintf("endpointgroups-bench-cache-%d", os.Getpid()))

// withCache adds cache_ttl and cache_dir to a configuration's opswat block.
func withCache(config func(string) string) func(string) string {
	return func(url string) string {
		return strings.Replace(config(url), "  opswat {\n", fmt.Sprintf("  opswat {\n    cache_ttl = \"10m\"\n    cache_dir = %q\n", benchCacheDir), 1)
	}
}

func opswatBlockAt(url string, rpm int) string {
	return fmt.Sprintf("  opswat {\n    base_url            = %q\n    client_id           = \"demo-client\"\n    client_secret       = \"demo-secret\"\n    requests_per_minute = %d\n  }\n", url, rpm)
}

// OPSWAT: a mistyped name on 2,000 groups with a warm cache: not found at
// once, with no request.
func opswatTypo() scenario {
	seed := emulator.DefaultSeed()
	seed.OPSWAT.Groups = emulator.GenerateOPSWATGroups(2000)
	return scenario{
		name:  "OPSWAT, a typo on 2,000 groups, warm cache",
		seed:  seed,
		fails: true,
		warm: withCache(func(url string) string {
			return newConfig(opswatBlockAt(url, ReadAheadBelow)).String() + "data \"endpointgroups_opswat_group\" \"x\" {\n  id = \"500000001\"\n}\n"
		}),
		config: withCache(func(url string) string {
			return newConfig(opswatBlockAt(url, ReadAheadBelow)).String() + "data \"endpointgroups_opswat_group\" \"x\" {\n  name = \"group-9999\"\n}\n"
		}),
		floor: map[string]int{opswatGroups: 0, opswatToken: 0},
		naive: map[string]int{opswatGroups: 41, opswatToken: 1},
		targets: func(m measurement) []check {
			return []check{{fmt.Sprintf("%d group and %d token requests for a name not in the cached list (target 0)", m.requests[opswatGroups], m.requests[opswatToken]),
				m.requests[opswatGroups] == 0 && m.requests[opswatToken] == 0}}
		},
	}
}

// OPSWAT without a cache: k lookups by name on 2,000 groups, read all at
// once: k searches and a walk page for each name past the first
// opswat.FreeSearches, at most twice the cheaper of k searches and a walk.
func opswatNames(k int) scenario {
	seed := emulator.DefaultSeed()
	seed.OPSWAT.Groups = emulator.GenerateOPSWATGroups(2000)
	pages := max(0, k-opswat.FreeSearches)
	return scenario{
		name: fmt.Sprintf("OPSWAT, %d lookups by name, no cache", k),
		seed: seed,
		args: []string{fmt.Sprintf("-parallelism=%d", k)},
		config: func(url string) string {
			b := newConfig(opswatBlockAt(url, ReadAheadBelow))
			for i := range k {
				fmt.Fprintf(b, "data \"endpointgroups_opswat_group\" \"n%d\" {\n  name = \"group-%04d\"\n}\n", i, i*97+1)
			}
			return b.String()
		},
		floor: map[string]int{opswatGroups: min(k, 41), opswatToken: 1},
		naive: map[string]int{opswatGroups: k * 41, opswatToken: k},
		targets: func(m measurement) []check {
			return []check{{fmt.Sprintf("%d group requests for %d names (target at most %d: %d searches and %d pages)", m.requests[opswatGroups], k, k+pages, k, pages),
				m.requests[opswatGroups] <= k+pages && m.requests[opswatGroups] <= 2*min(k, 41)}}
		},
	}
}

// drwebStationSeed is a small tree whose first group holds 1,000 stations
// and whose second holds 100.
func drwebStationSeed() emulator.Seed {
	seed := emulator.DefaultSeed()
	seed.DrWeb.Groups = emulator.GenerateDrWebTree(20, 5)
	seed.DrWeb.Stations = nil
	seed.DrWeb.Groups[1].Stations = 1000 // gen-00000
	seed.DrWeb.Groups[2].Stations = 100  // gen-00001
	seed.DrWeb.Groups[3].Stations = 2    // gen-00002
	return seed
}

func drwebBlock(url string) string {
	return fmt.Sprintf("  drweb {\n    url      = %q\n    login    = \"admin\"\n    password = \"demo-password\"\n  }\n", url)
}

// Dr.Web: the plural data source over a tree of n groups (100 at the top
// level, the rest below them): one list.ds per group with children, and the
// groups' details in info.ds batches of 100. Its memory is the figure to
// watch: each group's object is in groups, by_id and by_path.
func drwebGroupsScenario(n int) scenario {
	const fanout = 100
	seed := emulator.DefaultSeed()
	seed.DrWeb.Groups = emulator.GenerateDrWebTree(n, fanout)
	for i := range seed.DrWeb.Groups {
		seed.DrWeb.Groups[i].Stations = 0 // stations are another row's subject
	}
	parents := n/fanout - 1 // the groups gen-00000 ... that have children
	info := (n + 99) / 100
	return scenario{
		name: fmt.Sprintf("Dr.Web, `drweb_groups` over %s groups", thousands(n)),
		seed: seed,
		config: func(url string) string {
			b := newConfig(drwebBlock(url))
			b.WriteString("data \"endpointgroups_drweb_groups\" \"all\" {}\n")
			b.WriteString("output \"n\" {\n  value = length(data.endpointgroups_drweb_groups.all.groups)\n}\n")
			return b.String()
		},
		floor: map[string]int{drwebInfo: info, drwebList: 1 + parents},
		naive: map[string]int{drwebInfo: n, drwebList: 1 + parents},
		targets: func(m measurement) []check {
			perGroup := float64(m.rssKiB) / float64(n)
			return []check{
				{fmt.Sprintf("%d info.ds requests for %d groups (floor %d)", m.requests[drwebInfo], n, info), m.requests[drwebInfo] <= 2*info},
				{fmt.Sprintf("provider peak RSS %.1f KiB per group (target at most 30)", perGroup), perGroup <= 30},
			}
		},
	}
}

// thousands writes n with commas: 20,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Dr.Web: one group of 1,000 stations read by 20 data sources: its 10
// full pages, the empty 11th that ends the listing (a full page is always
// followed by the next), and one states.ds, shared by all of them.
func drwebStationsScenario() scenario {
	const readers, pages = 20, 11
	return scenario{
		name: "Dr.Web, 1,000-station group, 20 data sources",
		seed: drwebStationSeed(),
		config: func(url string) string {
			b := newConfig(drwebBlock(url))
			for i := range readers {
				fmt.Fprintf(b, "data \"endpointgroups_drweb_group_stations\" \"g_%d\" {\n  group_id = \"gen-00000\"\n}\n", i)
			}
			b.WriteString("output \"n\" {\n  value = length(data.endpointgroups_drweb_group_stations.g_0.ids)\n}\n")
			return b.String()
		},
		floor: map[string]int{drwebPages: pages, drwebStates: 1},
		naive: map[string]int{drwebPages: readers * pages, drwebStates: readers},
		targets: func(m measurement) []check {
			return []check{{fmt.Sprintf("%d stations-list.ds and %d states.ds requests for 20 reads of 1,000 stations (floor %d and 1)",
				m.requests[drwebPages], m.requests[drwebStates], pages), m.requests[drwebPages] <= pages && m.requests[drwebStates] <= 1}}
		},
	}
}

// Dr.Web: a members resource putting the 100 stations of one group into
// another that holds 2: the apply sends one change.ds per station; a plan
// after it sends none and reads the group's 2 pages once.
func drwebMembersScenario() scenario {
	seed := drwebStationSeed()
	var ids []string
	for i := range 100 {
		ids = append(ids, fmt.Sprintf("%q", fmt.Sprintf("gen-00001-st%05d", i+1)))
	}
	return scenario{
		name:       "Dr.Web, members resource of 100 stations",
		seed:       seed,
		applyFirst: true,
		applyFloor: map[string]int{drwebChange: 100},
		config: func(url string) string {
			b := newConfig(drwebBlock(url))
			fmt.Fprintf(b, "resource \"endpointgroups_drweb_group_members\" \"m\" {\n  group_id    = \"gen-00002\"\n  station_ids = [%s]\n}\n", strings.Join(ids, ", "))
			return b.String()
		},
		floor: map[string]int{drwebPages: 2, drwebChange: 0},
		naive: map[string]int{drwebPages: 2, drwebChange: 0},
		targets: func(m measurement) []check {
			return []check{
				{fmt.Sprintf("%d change.ds requests to add 100 stations (target 100)", m.applied[drwebChange]), m.applied[drwebChange] == 100},
				{fmt.Sprintf("%d change.ds and %d stations-list.ds requests in a plan with nothing to do (target 0 and 2)",
					m.requests[drwebChange], m.requests[drwebPages]), m.requests[drwebChange] == 0 && m.requests[drwebPages] <= 2},
			}
		},
	}
}

// OPSWAT at the API's own 10 requests a minute: 2,000 groups and three
// lookups by name, nothing else. Each name is one search request.
func opswatFewNames() scenario {
	const groups = 2000
	seed := emulator.DefaultSeed()
	seed.OPSWAT.Groups = emulator.GenerateOPSWATGroups(groups)
	return scenario{
		name: "OPSWAT, 3 lookups by name, 10 requests/min",
		seed: seed,
		config: func(url string) string {
			b := newConfig(fmt.Sprintf(`  opswat {
    base_url      = %q
    client_id     = "demo-client"
    client_secret = "demo-secret"
  }
`, url))
			for i, n := range []int{7, 1500, 2000} {
				fmt.Fprintf(b, "data \"endpointgroups_opswat_group\" \"name_%d\" {\n  name = \"group-%04d\"\n}\n", i, n)
			}
			b.WriteString("output \"ids\" {\n  value = [data.endpointgroups_opswat_group.name_0.id, data.endpointgroups_opswat_group.name_2.id]\n}\n")
			return b.String()
		},
		floor: map[string]int{opswatGroups: 3, opswatToken: 1},
		naive: map[string]int{opswatGroups: 3 * (groups/50 + 1), opswatToken: 3},
		targets: func(m measurement) []check {
			return []check{{fmt.Sprintf("%d group requests and %d token request for 3 lookups by name (target: at most 3 and 1)",
				m.requests[opswatGroups], m.requests[opswatToken]), m.requests[opswatGroups] <= 3 && m.requests[opswatToken] <= 1}}
		},
	}
}

// OPSWAT: 2,000 groups; 120 lookups by name, 70 by id and 10 plural data
// sources filtering the full list by regex: 200 data sources, one query.
// Below opswat.ReadAheadFromRPM requests a minute the walk is sequential;
// from it, the walk reads pages ahead.
func opswatScenario(rpm int) scenario {
	const groups = 2000
	seed := emulator.DefaultSeed()
	seed.OPSWAT.Groups = emulator.GenerateOPSWATGroups(groups)
	pages := groups/50 + 1 // the API has no total: a full last page needs one more request to see the end
	return scenario{
		name: fmt.Sprintf("OPSWAT, %d requests/min", rpm),
		seed: seed,
		config: func(url string) string {
			b := newConfig(fmt.Sprintf(`  opswat {
    base_url            = %q
    client_id           = "demo-client"
    client_secret       = "demo-secret"
    requests_per_minute = %d
  }
`, url, rpm))
			for i := range 120 {
				fmt.Fprintf(b, "data \"endpointgroups_opswat_group\" \"name_%d\" {\n  name = \"group-%04d\"\n}\n", i, i*16+1)
			}
			for i := range 70 {
				fmt.Fprintf(b, "data \"endpointgroups_opswat_group\" \"id_%d\" {\n  id = \"%d\"\n}\n", i, 500000000+i*28+7)
			}
			for i := range 10 {
				fmt.Fprintf(b, "data \"endpointgroups_opswat_groups\" \"regex_%d\" {\n  name_regex = \"^group-%d\"\n}\n", i, i%2)
			}
			b.WriteString("output \"ids\" {\n  value = [data.endpointgroups_opswat_group.name_0.id, data.endpointgroups_opswat_group.id_69.name, length(data.endpointgroups_opswat_groups.regex_0.ids)]\n}\n")
			return b.String()
		},
		floor: map[string]int{opswatGroups: (groups + 49) / 50, opswatToken: 1},
		naive: map[string]int{opswatGroups: 200 * pages, opswatToken: 200},
		targets: func(m measurement) []check {
			return []check{
				{fmt.Sprintf("%d group requests and %d token request (floor %d; a list of an exact multiple of 50 needs one more page to show its end)",
					m.requests[opswatGroups], m.requests[opswatToken], (groups+49)/50), m.requests[opswatGroups] <= pages && m.requests[opswatToken] <= 1},
			}
		},
	}
}

// Dr.Web: 500 groups in a tree, 200 lookups by id and 50 by name, read
// `parallelism` at a time: a batch of info.ds holds at most that many ids.
func drwebScenario(parallelism int) scenario {
	const groups, fanout = 500, 5
	seed := emulator.DefaultSeed()
	seed.DrWeb.Groups = emulator.GenerateDrWebTree(groups, fanout)
	parents := 1 // Everyone
	for _, g := range seed.DrWeb.Groups {
		for _, c := range seed.DrWeb.Groups {
			if c.ParentID == g.ID {
				parents++
				break
			}
		}
	}
	name := "Dr.Web"
	var args []string
	if parallelism != 10 { // Terraform's default
		name += fmt.Sprintf(", `-parallelism=%d`", parallelism)
		args = []string{fmt.Sprintf("-parallelism=%d", parallelism)}
	}
	floor := (250 + parallelism - 1) / parallelism
	return scenario{
		name: name,
		args: args,
		seed: seed,
		config: func(url string) string {
			b := newConfig(fmt.Sprintf(`  drweb {
    url      = %q
    login    = "admin"
    password = "demo-password"
  }
`, url))
			for i := range 200 {
				fmt.Fprintf(b, "data \"endpointgroups_drweb_group\" \"id_%d\" {\n  id = \"gen-%05d\"\n}\n", i, i*5/2)
			}
			for i := range 50 {
				fmt.Fprintf(b, "data \"endpointgroups_drweb_group\" \"name_%d\" {\n  name = \"group-%05d\"\n}\n", i, i*10+3)
			}
			b.WriteString("output \"ids\" {\n  value = [data.endpointgroups_drweb_group.id_0.name, data.endpointgroups_drweb_group.name_49.id]\n}\n")
			return b.String()
		},
		floor: map[string]int{drwebInfo: floor, drwebList: parents},
		naive: map[string]int{drwebInfo: 250, drwebList: 50 * parents},
		targets: func(m measurement) []check {
			return []check{
				{fmt.Sprintf("%d info.ds requests for 250 lookups and their paths (target at most 30; floor %d, %d reads at a time)",
					m.requests[drwebInfo], floor, parallelism), m.requests[drwebInfo] <= 30},
				{fmt.Sprintf("%d list.ds requests: the tree listed once (%d groups have children)", m.requests[drwebList], parents), m.requests[drwebList] <= parents},
			}
		},
	}
}

func tfVersion(tf string) string {
	out, err := exec.Command(tf, "version").Output()
	if err != nil {
		return "?"
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimPrefix(cmp.Or(first, "?"), "Terraform ")
}

// hasActions tells whether the CLI runs actions: Terraform 1.14 and later.
func hasActions(tf string) bool {
	m := regexp.MustCompile(`^v?(\d+)\.(\d+)\.`).FindStringSubmatch(tfVersion(tf))
	if m == nil {
		return false
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return major > 1 || (major == 1 && minor >= 14)
}

func copyFile(from, to string) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		_ = dst.Close()
		return err
	}
	return dst.Close()
}

// tail is the end of a command's output, for an error.
func tail(s string) string {
	const n = 3000
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
