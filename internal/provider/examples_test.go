package provider

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestExamplesValidate runs `terraform validate` on every example directory
// against the provider built from this tree, and checks that they are
// `terraform fmt` clean: the examples are what the documentation shows.
func TestExamplesValidate(t *testing.T) {
	c := newCLI(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	terraform := func(dir string, args ...string) (string, error) { return c.run(dir, nil, args...) }

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
	if len(dirs) < 7 {
		t.Fatalf("found %d example directories, want the provider, four data sources, the resource and the demo", len(dirs))
	}
	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		t.Run(rel, func(t *testing.T) {
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
				t.Errorf("terraform validate: %v\n%s", err, out)
			}
		})
	}
}
