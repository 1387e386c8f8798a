package provider

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/devcli"
)

// cli runs the Terraform CLI against the provider binary built from this
// tree, through dev_overrides. Tests use it for what the in-process test
// framework cannot show: a separate provider process, its log at TRACE, an
// interrupt from the keyboard.
type cli struct{ *devcli.CLI }

// providerBuild builds the provider once per test binary.
var providerBuild struct {
	sync.Once
	dir string
	err error
}

// newCLI builds the provider (once) and skips unless acceptance tests run.
func newCLI(t *testing.T) *cli {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does) to run the Terraform CLI against the built provider")
	}
	providerBuild.Do(func() {
		// Shared by every test of the binary, so not t.TempDir: TestMain removes it.
		providerBuild.dir, providerBuild.err = os.MkdirTemp("", "endpointgroups-provider-") //nolint:usetesting // outlives the first test
		if providerBuild.err == nil {
			_, providerBuild.err = devcli.Build(context.Background(), filepath.Join("..", ".."), providerBuild.dir, "test")
		}
	})
	if providerBuild.err != nil {
		t.Fatal(providerBuild.err)
	}
	c, err := devcli.New(tf, providerBuild.dir, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &cli{c}
}

// run runs terraform to the end and returns everything it printed.
func (c *cli) run(dir string, env []string, args ...string) (string, error) {
	var out bytes.Buffer
	cmd := c.Command(context.Background(), dir, env, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// requiredProviders names the provider's source, as every configuration
// that uses it from the registry (or a dev override) must.
const requiredProviders = `terraform {
  required_providers {
    endpointgroups = {
      source = "` + devcli.Source + `"
    }
  }
}
`

// workdir writes the given configuration into a new directory.
func workdir(t *testing.T, config string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(requiredProviders+config), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// logEntryStart is how a Terraform log entry begins: its timestamp.
var logEntryStart = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`)

// The logging line the README documents shows one vendor's exchanges in full
// (TRACE, bodies included) and nothing of the other vendor or the SDK.
func TestAccLoggingExample(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	dir := workdir(t, providerBlock(srv)+`
data "endpointgroups_opswat_group" "kiosks" {
  name = "Kiosks"
}
data "endpointgroups_drweb_group" "linux" {
  id = "`+idLinux+`"
}
`)
	// README: TF_LOG_PROVIDER=TRACE TF_LOG_SDK=OFF TF_LOG_PROVIDER_ENDPOINTGROUPS_OPSWAT=OFF terraform plan
	logFile := filepath.Join(t.TempDir(), "terraform.log")
	env := []string{"TF_LOG_PROVIDER=TRACE", "TF_LOG_SDK=OFF", "TF_LOG_PROVIDER_ENDPOINTGROUPS_OPSWAT=OFF", "TF_LOG_PATH=" + logFile}
	if out, err := c.run(dir, env, "plan", "-no-color", "-input=false"); err != nil {
		t.Fatalf("terraform plan: %v\n%s", err, out)
	}
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	// One entry per log line; a body's lines continue its entry.
	var entries []string
	for _, line := range strings.Split(string(data), "\n") {
		if len(entries) == 0 || logEntryStart.MatchString(line) {
			entries = append(entries, line)
		} else {
			entries[len(entries)-1] += "\n" + line
		}
	}
	count := map[string]int{}
	for _, line := range entries {
		for _, m := range []string{"@module=endpointgroups.drweb", "@module=endpointgroups.opswat", "@module=sdk."} {
			if strings.Contains(line, m) {
				count[m]++
			}
		}
		if strings.Contains(line, "@module=endpointgroups.drweb") && strings.Contains(line, "[TRACE]") && strings.Contains(line, "API response body") {
			count["drweb bodies"]++
		}
	}
	if count["@module=endpointgroups.drweb"] == 0 || count["drweb bodies"] == 0 || count["@module=endpointgroups.opswat"] != 0 || count["@module=sdk."] != 0 {
		var drwebLines []string
		for _, line := range entries {
			if strings.Contains(line, "endpointgroups.drweb") {
				drwebLines = append(drwebLines, line)
			}
		}
		t.Fatalf("lines per subsystem: %v\n%s", count, strings.Join(drwebLines, "\n"))
	}
	t.Logf("lines per subsystem: %v", count)
}

// writeConfig replaces the configuration of a workdir.
func writeConfig(t *testing.T, dir, config string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(requiredProviders+config), 0o600); err != nil {
		t.Fatal(err)
	}
}
