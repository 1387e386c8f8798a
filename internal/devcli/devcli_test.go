package devcli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The CLI runs in the directory asked for, with the dev override and
// without the caller's TF_LOG, even when named by a relative path.
func TestCommand(t *testing.T) {
	t.Setenv("TF_LOG", "trace")
	t.Setenv("TF_CLI_CONFIG_FILE", "/nonexistent/terraformrc")
	bin := t.TempDir()
	fake := "#!/bin/sh\necho \"rc=$TF_CLI_CONFIG_FILE log=$TF_LOG pwd=$PWD extra=$EXTRA args=$*\"\n"
	if err := os.WriteFile(filepath.Join(bin, "terraform"), []byte(fake), 0o700); err != nil { //nolint:gosec // a script the test runs
		t.Fatal(err)
	}
	t.Chdir(bin)
	work, dir := t.TempDir(), t.TempDir()
	cli, err := New("./terraform", "plugins", work)
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(cli.Terraform) {
		t.Errorf("the CLI's path %q is relative: it would not hold in another directory", cli.Terraform)
	}
	rc, err := os.ReadFile(cli.Config)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"endpointgroups/endpointgroups" = "` + filepath.ToSlash(filepath.Join(bin, "plugins")) + `"`; !strings.Contains(string(rc), want) {
		t.Errorf("CLI configuration:\n%s\nwant %s", rc, want)
	}
	out, err := cli.Command(context.Background(), dir, []string{"EXTRA=yes"}, "plan", "-no-color").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if want := "rc=" + cli.Config + " log= pwd=" + dir + " extra=yes args=plan -no-color\n"; string(out) != want {
		t.Errorf("got  %s want %s", out, want)
	}
	if _, err := New("no-such-terraform-here", "plugins", work); err == nil || !strings.Contains(err.Error(), "the Terraform CLI") {
		t.Errorf("a missing CLI: %v", err)
	}
}
