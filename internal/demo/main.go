// Command demo runs `terraform plan` on examples/demo against the emulator
// of both vendor APIs: it builds the provider into a temporary directory,
// serves the emulator on a free loopback port, points Terraform at the build
// with dev_overrides, prints what the emulated APIs received, and removes
// everything when done. No account, no network. `make demo` runs it from
// the repository's root.
//
//	go run ./internal/demo [-terraform terraform]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/devcli"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

func main() {
	terraform := flag.String("terraform", "terraform", "the Terraform (or OpenTofu) CLI")
	flag.Parse()
	if err := run(*terraform); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			os.Exit(exit.ExitCode())
		}
		os.Exit(1)
	}
}

func run(terraform string) error {
	// An interrupt from the keyboard reaches terraform too, which stops the
	// plan itself; this process waits for it and cleans up.
	signal.Ignore(os.Interrupt)
	work, err := os.MkdirTemp("", "endpointgroups-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	plugins := filepath.Join(work, "bin")
	cli, err := devcli.New(terraform, plugins, work)
	if err != nil {
		return err
	}
	fmt.Println("==> Building the provider (go build; the first build downloads its Go modules and compiles them, which takes a few")
	fmt.Println("    minutes: each module and package is listed below as it comes; later builds take seconds)")
	if _, err := devcli.BuildShowing(context.Background(), ".", plugins, "demo", &indented{w: os.Stdout, start: true}); err != nil {
		return err
	}
	fmt.Println("==> Starting the emulator of the OPSWAT and Dr.Web APIs on 127.0.0.1")
	srv := emulator.New(emulator.DefaultSeed())
	defer srv.Close()
	fmt.Println("    serving", srv.URL)

	dir := filepath.Join(work, "demo")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("examples", "demo"))); err != nil {
		return err
	}
	args := []string{"plan", "-input=false", "-lock=false"}
	if fi, err := os.Stdout.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		args = append(args, "-no-color")
	}
	fmt.Println("==> terraform plan (examples/demo)")
	cmd := cli.Command(context.Background(), dir, []string{
		"OPSWAT_BASE_URL=" + srv.URL, "OPSWAT_CLIENT_ID=demo-client", "OPSWAT_CLIENT_SECRET=demo-secret",
		"DRWEB_URL=" + srv.URL, "DRWEB_LOGIN=admin", "DRWEB_PASSWORD=demo-password",
	}, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	planErr := cmd.Run()
	fmt.Println("==> What the emulated APIs received for this plan")
	fmt.Print(srv.Summary())
	return planErr
}

// indented writes each line it is given to w, indented under the demo's
// "==>" headings.
type indented struct {
	w     io.Writer
	start bool // the next byte begins a line
}

func (p *indented) Write(b []byte) (int, error) {
	var out []byte
	for _, c := range b {
		if p.start {
			out = append(out, "    "...)
		}
		out = append(out, c)
		p.start = c == '\n'
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}
