package provider

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestExamplesValidate runs `terraform validate` on every example directory
// against the provider built from this tree, and checks that they are
// `terraform fmt` clean: the examples are what the documentation shows.
func TestExamplesValidate(t *testing.T) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does) to validate the examples with Terraform")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	bin := filepath.Join(work, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-endpointgroups"), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	rc := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(rc, []byte(`provider_installation {
  dev_overrides {
    "endpointgroups/endpointgroups" = "`+filepath.ToSlash(bin)+`"
  }
  direct {}
}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	terraform := func(dir string, args ...string) (string, error) {
		cmd := exec.Command(tf, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	examples := filepath.Join(root, "examples")
	if out, err := terraform(examples, "fmt", "-check", "-recursive", "-diff"); err != nil {
		t.Errorf("examples are not terraform fmt clean:\n%s", out)
	}
	var dirs []string
	_ = filepath.WalkDir(examples, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".tf") && !slices.Contains(dirs, filepath.Dir(path)) {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	if len(dirs) < 6 {
		t.Fatalf("found %d example directories, want the provider, four data sources and the demo", len(dirs))
	}
	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		t.Run(rel, func(t *testing.T) {
			tmp := t.TempDir()
			files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
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
				block := "terraform {\n  required_providers {\n    endpointgroups = {\n      source = \"endpointgroups/endpointgroups\"\n    }\n  }\n}\n"
				if err := os.WriteFile(filepath.Join(tmp, "zz_required_providers.tf"), []byte(block), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if out, err := terraform(tmp, "validate", "-no-color"); err != nil || !strings.Contains(out, "Success!") {
				t.Errorf("terraform validate: %v\n%s", err, out)
			}
		})
	}
}
