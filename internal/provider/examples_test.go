package provider

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestExamplesValidate runs `terraform validate` and `terraform plan` on
// every example directory against the provider built from this tree and
// the emulator (the provider's settings from the environment, as a user's
// CI would give them), and checks that they are `terraform fmt` clean: the
// examples are what the documentation shows and what users copy first.
func TestExamplesValidate(t *testing.T) {
	c := newCLI(t)
	srv := startEmulator(t)
	env := []string{
		"OPSWAT_BASE_URL=" + srv.URL, "OPSWAT_CLIENT_ID=demo-client", "OPSWAT_CLIENT_SECRET=demo-secret", "OPSWAT_REQUESTS_PER_MINUTE=1000",
		"DRWEB_URL=" + srv.URL, "DRWEB_LOGIN=admin", "DRWEB_PASSWORD=demo-password",
		// The provider example's variables.
		"TF_VAR_opswat_client_id=demo-client", "TF_VAR_opswat_client_secret=demo-secret", "TF_VAR_drweb_password=demo-password",
		"TF_VAR_drweb_ca_cert_pem=" + testCA(),
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	terraform := func(dir string, args ...string) (string, error) { return c.run(dir, env, args...) }

	examples := filepath.Join(root, "examples")
	fmtDirs := []string{examples} // a CLI without provider functions cannot parse examples/functions
	if !cliHasFunctions(t) {
		entries, _ := os.ReadDir(examples)
		fmtDirs = nil
		for _, e := range entries {
			if e.IsDir() && e.Name() != "functions" {
				fmtDirs = append(fmtDirs, filepath.Join(examples, e.Name()))
			}
		}
	}
	for _, dir := range fmtDirs {
		if out, err := terraform(dir, "fmt", "-check", "-recursive", "-diff"); err != nil {
			t.Errorf("examples are not terraform fmt clean:\n%s", out)
		}
	}
	var dirs []string
	_ = filepath.WalkDir(examples, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".tf") && !slices.Contains(dirs, filepath.Dir(path)) {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	if len(dirs) < 7 {
		t.Fatalf("found %d example directories, want the provider, four data sources, the resource and the demo", len(dirs))
	}
	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		t.Run(rel, func(t *testing.T) {
			if strings.HasPrefix(filepath.ToSlash(rel), "examples/functions/") && !cliHasFunctions(t) {
				t.Skip("provider-defined functions need Terraform 1.8 or OpenTofu 1.7 and later")
			}
			if strings.HasPrefix(filepath.ToSlash(rel), "examples/actions/") {
				if why := cliActionsMissing(); why != "" {
					t.Skip(why)
				}
			}
			tmp := t.TempDir()
			files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
			// import-*.tf are import block snippets for the docs: they name a
			// resource the snippet leaves out.
			files = slices.DeleteFunc(files, func(f string) bool { return strings.HasPrefix(filepath.Base(f), "import") })
			hasBlock := false
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				hasBlock = hasBlock || strings.Contains(string(data), "required_providers")
				if err := os.WriteFile(filepath.Join(tmp, filepath.Base(f)), data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if !hasBlock { // the data source examples show only the data source, as documentation pages do
				if err := os.WriteFile(filepath.Join(tmp, "zz_required_providers.tf"), []byte(requiredProviders), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if out, err := terraform(tmp, "validate", "-no-color"); err != nil || !strings.Contains(out, "Success!") {
				t.Fatalf("terraform validate: %v\n%s", err, out)
			}
			if out, err := terraform(tmp, "plan", "-no-color", "-input=false"); err != nil {
				t.Errorf("terraform plan against the emulator: %v\n%s", err, out)
			}
		})
	}
}

// TestExamplesQuery runs `terraform query` on every list resource example
// (Terraform 1.14 and later) against the provider built from this tree and
// the emulator, its settings from the environment: each list block must
// find what its comment says it lists.
func TestExamplesQuery(t *testing.T) {
	c := newCLI(t)
	cliAtLeast(t, c, 1, 14, "has list resources and `terraform query`")
	srv := startEmulator(t)
	env := []string{"DRWEB_URL=" + srv.URL, "DRWEB_LOGIN=admin", "DRWEB_PASSWORD=demo-password"}
	dirs, _ := filepath.Glob(filepath.Join("..", "..", "examples", "list-resources", "*"))
	if len(dirs) < 2 {
		t.Fatalf("found %d list resource examples, want one per list resource", len(dirs))
	}
	// What each example's blocks list from the default seed: results per block.
	want := map[string]map[string]int{
		"endpointgroups_drweb_group":         {"offices": 4, "servers": 1},
		"endpointgroups_drweb_group_members": {"all": 4},
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			tmp := workdir(t, "")
			files, _ := filepath.Glob(filepath.Join(dir, "*.tfquery.hcl"))
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(tmp, filepath.Base(f)), data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			out, err := c.run(tmp, env, "query", "-no-color", "-json")
			if err != nil {
				t.Fatalf("terraform query: %v\n%s", err, out)
			}
			got := map[string]int{}
			for _, line := range strings.Split(out, "\n") {
				var msg struct {
					Type  string `json:"type"`
					Found struct {
						Address string `json:"address"` // list.<type>.<block>
					} `json:"list_resource_found"`
				}
				if json.Unmarshal([]byte(line), &msg) == nil && msg.Type == "list_resource_found" {
					got[msg.Found.Address[strings.LastIndex(msg.Found.Address, ".")+1:]]++
				}
			}
			for block, n := range want[name] {
				if got[block] != n {
					t.Errorf("list block %q found %d results, want %d\n%s", block, got[block], n, out)
				}
			}
			if len(got) != len(want[name]) {
				t.Errorf("results per block %v, want %v", got, want[name])
			}
		})
	}
}

// cliHasFunctions tells whether the test's CLI calls provider-defined
// functions: Terraform 1.8 and later, OpenTofu 1.7 and later.
func cliHasFunctions(t *testing.T) bool {
	t.Helper()
	out, err := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "version").Output() //nolint:gosec // the test's own CLI
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(Terraform|OpenTofu) v(\d+)\.(\d+)\.`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("unknown CLI version: %s", out)
	}
	major, _ := strconv.Atoi(m[2])
	minor, _ := strconv.Atoi(m[3])
	least := 8
	if m[1] == "OpenTofu" {
		least = 7
	}
	return major > 1 || (major == 1 && minor >= least)
}
