package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// opswatCacheConfig reads groups of srv's account with the group-list
// cache in dir: lookups by name and by id, and a sorted plural.
func opswatCacheConfig(srv *emulator.Server, dir, ttl, lookups string) string {
	settings := fmt.Sprintf("    cache_dir           = %q\n", dir)
	if ttl != "" { // "": left to the environment
		settings += fmt.Sprintf("    cache_ttl           = %q\n", ttl)
	}
	return opswatProviderBlock(srv, settings) + lookups
}

// opswatProviderBlock configures OPSWAT against the emulator at 119
// requests a minute (below read-ahead: exact request counts), with extra
// settings for the opswat block.
func opswatProviderBlock(srv *emulator.Server, extra string) string {
	return fmt.Sprintf(`
provider "endpointgroups" {
  opswat {
    base_url            = %q
    client_id           = "demo-client"
    client_secret       = "demo-secret"
    requests_per_minute = 119
%s  }
}
`, srv.URL, extra)
}

const opswatCachedLookups = `
data "endpointgroups_opswat_group" "by_name" {
  name = "group-0042"
}
data "endpointgroups_opswat_group" "by_id" {
  id = "500000100"
}
data "endpointgroups_opswat_groups" "busiest" {
  sort_field = "number_of_devices"
  sort_order = "desc"
}
resource "terraform_data" "uses" {
  input = [data.endpointgroups_opswat_group.by_name.id, data.endpointgroups_opswat_group.by_id.name, data.endpointgroups_opswat_groups.busiest.ids[0]]
}
`

func opswatRequests(srv *emulator.Server) int {
	return srv.Count(groupsPath) + srv.Count("/o/oauth/token")
}

// Plan, then apply, with cache_ttl: the plan walks once; the apply (a new
// provider process, which reads its data sources again) sends no OPSWAT
// request. The entry is the account's only file, readable by its owner
// only, and holds no credential.
func TestAccOPSWATCachePlanThenApply(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(200))
	cacheDir := t.TempDir()
	dir := workdir(t, opswatCacheConfig(srv, cacheDir, "10m", opswatCachedLookups))
	if out, err := c.run(dir, nil, "plan", "-out=tfplan", "-no-color", "-input=false"); err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	if search, walk := groupRequestKinds(t, srv); search != 0 || walk != 5 {
		t.Errorf("the plan sent %d search and %d walk requests, want one walk of 5", search, walk)
	}
	srv.ResetLog()
	if out, err := c.run(dir, nil, "apply", "-no-color", "-input=false", "tfplan"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if n := opswatRequests(srv); n != 0 {
		t.Errorf("the apply sent %d OPSWAT requests, want 0:\n%s", n, srv.Summary())
	}
	entries, err := os.ReadDir(cacheDir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("cache directory: %v %v", entries, err)
	}
	info, _ := entries[0].Info()
	if info.Mode().Perm() != 0o600 {
		t.Errorf("the entry's mode is %v, want 0600", info.Mode().Perm())
	}
	data, _ := os.ReadFile(filepath.Join(cacheDir, entries[0].Name()))
	for _, secret := range []string{"demo-secret", "demo-client", "access_token"} {
		if strings.Contains(string(data), secret) || strings.Contains(entries[0].Name(), secret) {
			t.Errorf("the entry or its name holds %q", secret)
		}
	}
	for _, tok := range srv.IssuedTokenValues() {
		if strings.Contains(string(data), tok) {
			t.Errorf("the entry holds an access token")
		}
	}
}

// Two plans at once on one cache directory: one walk between them.
func TestAccOPSWATCacheTwoPlansAtOnce(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(200))
	cacheDir := t.TempDir()
	var wg sync.WaitGroup
	for range 2 {
		dir := workdir(t, opswatCacheConfig(srv, cacheDir, "10m", opswatCachedLookups))
		wg.Go(func() {
			if out, err := c.run(dir, nil, "plan", "-no-color", "-input=false"); err != nil {
				t.Errorf("plan: %v\n%s", err, out)
			}
		})
	}
	wg.Wait()
	if search, walk := groupRequestKinds(t, srv); search != 0 || walk != 5 {
		t.Errorf("two plans sent %d search and %d walk requests, want one walk of 5", search, walk)
	}
}

// A typo with a warm cache: no request at all, and an error that names the
// cached list's age and how to read the account as it is.
func TestAccOPSWATCacheTypo(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(2000))
	cacheDir := t.TempDir()
	warm := workdir(t, opswatCacheConfig(srv, cacheDir, "1h", `
data "endpointgroups_opswat_group" "x" {
  id = "500000001"
}
`))
	if out, err := c.run(warm, nil, "plan", "-no-color", "-input=false"); err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	srv.ResetLog()
	typo := workdir(t, opswatCacheConfig(srv, cacheDir, "1h", `
data "endpointgroups_opswat_group" "x" {
  name = "group-9999"
}
`))
	out, err := c.run(typo, nil, "plan", "-no-color", "-input=false")
	if err == nil {
		t.Fatalf("a typo planned:\n%s", out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{`Error: OPSWAT Group Not Found`, `no OPSWAT group has name "group-9999" in the cached group list, listed `,
		`ago (searched 2000 groups)`, `run once with cache_ttl = "0s" in the provider's opswat block: the attribute wins over OPSWAT_CACHE_TTL`,
		`-var opswat_cache_ttl=0s`} {
		if !strings.Contains(flat, want) {
			t.Errorf("the error lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(flat, "run once with OPSWAT_CACHE_TTL=0s") {
		t.Errorf("the error advises the variable, which the attribute overrides:\n%s", out)
	}
	if n := opswatRequests(srv); n != 0 {
		t.Errorf("the typo sent %d OPSWAT requests, want 0", n)
	}
	// The remedy the error gives works: cache_ttl = "0s" reads the account
	// as it is, for what an uncached run costs (one search, not a walk of
	// 41 pages), and leaves no old list behind.
	srv.SetOPSWATGroups(append(emulator.GenerateOPSWATGroups(2000), emulator.OPSWATGroup{GroupID: "700000000", GroupName: "group-9999"}))
	refresh := workdir(t, opswatCacheConfig(srv, cacheDir, "0s", `
data "endpointgroups_opswat_group" "x" {
  name = "group-9999"
}
`))
	if out, err := c.run(refresh, nil, "plan", "-no-color", "-input=false"); err != nil {
		t.Fatalf("the refresh: %v\n%s", err, out)
	}
	if search, walk := groupRequestKinds(t, srv); search != 1 || walk != 0 {
		t.Errorf("the refresh sent %d search and %d walk requests, want 1 and 0", search, walk)
	}
	if entries, _ := os.ReadDir(cacheDir); len(entries) != 0 {
		t.Errorf("the old entry is still in the cache directory: %v", entries)
	}
	srv.ResetLog()
	if out, err := c.run(typo, nil, "plan", "-no-color", "-input=false"); err != nil {
		t.Fatalf("the plan after the refresh: %v\n%s", err, out)
	}
}

// With cache_ttl from the environment, a miss names the variable, and the
// variable refreshes.
func TestAccOPSWATCacheTypoFromEnvironment(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(120))
	cacheDir := t.TempDir()
	dir := workdir(t, opswatCacheConfig(srv, cacheDir, "", `
data "endpointgroups_opswat_group" "x" {
  id = "500000001"
}
`))
	if out, err := c.run(dir, []string{"OPSWAT_CACHE_TTL=1h"}, "plan", "-no-color", "-input=false"); err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	typo := workdir(t, opswatCacheConfig(srv, cacheDir, "", `
data "endpointgroups_opswat_group" "x" {
  name = "new-group"
}
`))
	out, err := c.run(typo, []string{"OPSWAT_CACHE_TTL=1h"}, "plan", "-no-color", "-input=false")
	flat := strings.Join(strings.Fields(out), " ")
	if err == nil || !strings.Contains(flat, "To refresh it now, run once with OPSWAT_CACHE_TTL=0s") || strings.Contains(flat, `cache_ttl = "0s"`) {
		t.Fatalf("the miss: %v\n%s", err, out)
	}
	srv.SetOPSWATGroups(append(emulator.GenerateOPSWATGroups(120), emulator.OPSWATGroup{GroupID: "700000000", GroupName: "new-group"}))
	srv.ResetLog()
	if out, err := c.run(typo, []string{"OPSWAT_CACHE_TTL=0s"}, "plan", "-no-color", "-input=false"); err != nil {
		t.Fatalf("the refresh: %v\n%s", err, out)
	}
	if search, walk := groupRequestKinds(t, srv); search != 1 || walk != 0 {
		t.Errorf("the refresh sent %d search and %d walk requests, want 1 and 0", search, walk)
	}
}

// A corrupt entry is ignored with a warning and replaced.
func TestAccOPSWATCacheCorruptEntry(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(60))
	cacheDir := t.TempDir()
	dir := workdir(t, opswatCacheConfig(srv, cacheDir, "10m", `
data "endpointgroups_opswat_group" "x" {
  id = "500000001"
}
`))
	if out, err := c.run(dir, nil, "plan", "-no-color", "-input=false"); err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	entries, _ := os.ReadDir(cacheDir)
	if len(entries) != 1 {
		t.Fatalf("cache directory: %v", entries)
	}
	entry := filepath.Join(cacheDir, entries[0].Name())
	if err := os.WriteFile(entry, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := c.run(dir, nil, "plan", "-no-color", "-input=false")
	if err != nil {
		t.Fatalf("plan with a corrupt entry: %v\n%s", err, out)
	}
	if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, "Warning: OPSWAT Group Cache") || !strings.Contains(flat, "was ignored: it is not a cache entry") {
		t.Errorf("no warning about the corrupt entry:\n%s", out)
	}
	if data, _ := os.ReadFile(entry); !strings.Contains(string(data), `"format":1`) {
		t.Errorf("the corrupt entry was not replaced: %.80s", data)
	}
}

// Without a cache, nine and twenty names on 2,000 groups cost what the
// cost model says: their searches, and a page of the walk for each name
// past the first four, with one token request.
func TestAccOPSWATManyNamesCost(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, k := range []int{9, 20} {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			t.Parallel()
			srv := startEmulator(t)
			srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(2000))
			var b strings.Builder
			for i := range k {
				fmt.Fprintf(&b, "data \"endpointgroups_opswat_group\" \"g%d\" {\n  name = \"group-%04d\"\n}\n", i, i*97+1)
			}
			dir := workdir(t, opswatProviderBlock(srv, "")+b.String())
			if out, err := c.run(dir, nil, "plan", "-no-color", "-input=false", fmt.Sprintf("-parallelism=%d", k)); err != nil {
				t.Fatalf("plan: %v\n%s", err, out)
			}
			search, walk := groupRequestKinds(t, srv)
			if search > k || walk > k-4 || search+walk > 2*k {
				t.Errorf("%d names sent %d search and %d walk requests, more than the cost model's %d and %d", k, search, walk, k, k-4)
			}
			if n := srv.Count("/o/oauth/token"); n != 1 {
				t.Errorf("%d token requests", n)
			}
		})
	}
}

// A cache_ttl that is not a duration, is too large for one or is empty
// fails at plan time, on the attribute.
func TestAccOPSWATCacheTTLInvalid(t *testing.T) {
	srv := startEmulator(t)
	for ttl, want := range map[string]string{
		"ten minutes": `"ten minutes" is not a duration: write it like 10m or 1h, or 0s to refresh the cache now (leave it unset for no cache)`,
		"-5m":         `"-5m" is negative: give a duration such as 10m, or 0s to refresh the cache now (leave it unset for no cache)`,
		"9999999999h": `"9999999999h" is too large: a duration can be at most 2562047h47m16s (about 292 years); give one such as 10m`,
		"":            `"" is empty: give a duration such as 10m, or 0s to refresh the cache now (leave it unset, null, for no cache)`,
	} {
		t.Run(ttl, func(t *testing.T) {
			accTest(t, resource.TestStep{
				Config: opswatProviderBlock(srv, fmt.Sprintf("    cache_dir = %q\n    cache_ttl = %q\n", t.TempDir(), ttl)) +
					"data \"endpointgroups_opswat_group\" \"x\" {\n  id = \"167641719\"\n}\n",
				ExpectError: errorRe(want),
			})
		})
	}
}
