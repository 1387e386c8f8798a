// Package devcli runs the Terraform CLI (or OpenTofu) against the provider
// built from this tree, through a dev_overrides CLI configuration: the demo,
// the benchmark and the tests that need a separate provider process share
// it. Nothing is installed or downloaded.
package devcli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Source is the provider's address in configurations and dev_overrides.
const Source = "endpointgroups/endpointgroups"

// Binary is the provider's file name, as Terraform looks for it.
const Binary = "terraform-provider-endpointgroups"

// Build builds the provider of the module at root into dir, stamped with
// version, and returns the binary's path; on failure the error carries the
// compiler's output.
func Build(ctx context.Context, root, dir, version string) (string, error) {
	return BuildShowing(ctx, root, dir, version, nil)
}

// BuildShowing is Build that, when progress is not nil, shows there what the
// go command does as it does it: the modules it downloads and each package
// it compiles (a first build takes minutes, and silence looks like a hang).
func BuildShowing(ctx context.Context, root, dir, version string, progress io.Writer) (string, error) {
	bin := filepath.Join(dir, Binary)
	// -trimpath as in the GNUmakefile's BUILD_FLAGS: one set of flags, one build cache.
	args := []string{"build", "-trimpath", "-o", bin, "-ldflags", "-X main.version=" + version}
	if progress != nil {
		args = append(args, "-v") // each package as it is compiled; none when the cache has them
	}
	cmd := exec.CommandContext(ctx, "go", append(args, ".")...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if progress != nil {
		cmd.Stderr = io.MultiWriter(&out, progress)
	}
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building the provider: %w\n%s", err, out.Bytes())
	}
	return bin, nil
}

// CLI is one Terraform binary whose provider comes from a directory.
type CLI struct {
	Terraform string // the terraform (or tofu) binary
	Config    string // the CLI configuration file with the dev override
}

// New finds terraform (a name on PATH or a path) and writes a CLI
// configuration into work that points the provider at pluginDir (the
// directory holding Binary).
func New(terraform, pluginDir, work string) (*CLI, error) {
	tf, err := exec.LookPath(terraform)
	if err != nil {
		return nil, fmt.Errorf("the Terraform CLI: %w", err)
	}
	// Commands run in other directories: a relative path would not hold there.
	if tf, err = filepath.Abs(tf); err != nil {
		return nil, err
	}
	if pluginDir, err = filepath.Abs(pluginDir); err != nil {
		return nil, err
	}
	rc := filepath.Join(work, "terraformrc")
	text := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", Source, filepath.ToSlash(pluginDir))
	if err := os.WriteFile(rc, []byte(text), 0o600); err != nil {
		return nil, err
	}
	return &CLI{Terraform: tf, Config: rc}, nil
}

// inherited are variables of the caller's environment that would change
// what the CLI does or prints; a caller that wants one passes it in env.
var inherited = []string{"TF_CLI_CONFIG_FILE", "TF_LOG", "TF_LOG_PATH", "TF_LOG_CORE", "TF_LOG_PROVIDER", "TF_DATA_DIR", "TF_CLI_ARGS"}

// Command prepares `terraform args…` in dir: the dev override, no update
// checks, automation output, then env, whose values win.
func (c *CLI) Command(ctx context.Context, dir string, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.Terraform, args...)
	cmd.Dir = dir
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(inherited, name) || strings.HasPrefix(name, "TF_CLI_ARGS_")
	})
	cmd.Env = append(cmd.Env, "TF_CLI_CONFIG_FILE="+c.Config, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	cmd.Env = append(cmd.Env, env...)
	return cmd
}
