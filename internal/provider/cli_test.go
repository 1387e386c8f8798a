package provider

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// cli runs the Terraform CLI against the provider binary built from this
// tree, through dev_overrides. Tests use it for what the in-process test
// framework cannot show: a separate provider process, its log at TRACE, an
// interrupt from the keyboard.
type cli struct {
	tf string // the Terraform binary
	rc string // CLI configuration with the dev override
}

// providerBuild builds the provider once per test binary.
var providerBuild struct {
	sync.Once
	dir string
	err error
	out []byte
}

// newCLI builds the provider (once) and skips unless acceptance tests run.
func newCLI(t *testing.T) *cli {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does) to run the Terraform CLI against the built provider")
	}
	providerBuild.Do(func() {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			providerBuild.err = err
			return
		}
		// Shared by every test of the binary, so not t.TempDir: TestMain removes it.
		providerBuild.dir, providerBuild.err = os.MkdirTemp("", "endpointgroups-provider-") //nolint:usetesting // outlives the first test
		if providerBuild.err != nil {
			return
		}
		build := exec.Command("go", "build", "-o", filepath.Join(providerBuild.dir, "terraform-provider-endpointgroups"), ".")
		build.Dir = root
		providerBuild.out, providerBuild.err = build.CombinedOutput()
	})
	if providerBuild.err != nil {
		t.Fatalf("building the provider: %v\n%s", providerBuild.err, providerBuild.out)
	}
	rc := filepath.Join(t.TempDir(), "terraformrc")
	if err := os.WriteFile(rc, []byte(`provider_installation {
  dev_overrides {
    "endpointgroups/endpointgroups" = "`+filepath.ToSlash(providerBuild.dir)+`"
  }
  direct {}
}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	return &cli{tf: tf, rc: rc}
}

// command prepares `terraform args…` in dir with extra environment.
func (c *cli) command(ctx context.Context, dir string, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.tf, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+c.rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// run runs terraform to the end and returns everything it printed.
func (c *cli) run(dir string, env []string, args ...string) (string, error) {
	var out bytes.Buffer
	cmd := c.command(context.Background(), dir, env, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// requiredProviders names the provider's source, as every configuration
// that uses it from the registry (or a dev override) must.
const requiredProviders = `terraform {
  required_providers {
    endpointgroups = {
      source = "endpointgroups/endpointgroups"
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
