package provider

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// An interrupt during a long -invoke (devices paced at 3 requests a minute,
// so the second request would wait most of a minute) stops it at once: the
// request waiting its turn is never sent, and the run says what was done
// (the first 50 devices assigned) and what not (the rest not sent).
func TestAccOPSWATAssignDevices_interruptCLI(t *testing.T) {
	skipWithoutActions(t)
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	devices := generatedDevices(srv, 150)
	dir := workdir(t, providerBlockWith(srv, providerSettings{maxRetries: 2, requestsPerMinute: 3})+`
action "endpointgroups_opswat_assign_devices" "fleet" {
  config {
    group_id   = "`+opswatKiosks+`"
    device_ids = `+hcl(devices)+`
  }
}
`)
	// The guard only ends a run that ignores the interrupt: the full run
	// would take minutes.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := c.Command(ctx, dir, nil, "apply", "-invoke=action.endpointgroups_opswat_assign_devices.fleet", "-auto-approve", "-input=false", "-no-color")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	var mu sync.Mutex
	firstAnswered := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		once := sync.Once{}
		for sc.Scan() {
			mu.Lock()
			out.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if strings.Contains(sc.Text(), "request 1 of 3 answered") {
				once.Do(func() { close(firstAnswered) })
			}
		}
	}()
	select {
	case <-firstAnswered:
	case <-ctx.Done():
		t.Fatalf("no progress for the first request")
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	_ = pw.Close()
	mu.Lock()
	text := strings.Join(strings.Fields(out.String()), " ")
	mu.Unlock()
	if ctx.Err() != nil {
		t.Fatalf("terraform did not stop on the interrupt:\n%s", text)
	}
	// Terraform 1.14 ends an interrupted -invoke with "Apply complete!"
	// and shows none of the action's diagnostics: what was done is told
	// by the action's last progress message.
	_ = err
	if n := srv.Count(devicesAction); n != 1 {
		t.Fatalf("%d device actions sent; only the one answered before the interrupt should be:\n%s", n, text)
	}
	wants := []string{"Interrupt received", "request 1 of 3 answered, 50 of 150 devices assigned"}
	// Terraform shows no diagnostics of an interrupted action (1.14 and 1.16
	// may even end with "Apply complete!"), and 1.14.9 crashes on progress
	// sent after the interrupt, so the action sends none: the progress
	// before it says what was done, and nothing may claim a later request.
	if strings.Contains(text, "request 2 of 3 answered") || strings.Contains(text, "TERRAFORM CRASH") {
		t.Errorf("a request not sent is reported answered, or Terraform crashed:\n%s", text[strings.Index(text, "Interrupt received"):])
	}
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("the output does not say %q:\n%s", want, text[max(0, strings.Index(text, "Action started")):])
		}
	}
	moved := 0
	for _, g := range srv.OPSWATDeviceGroups() {
		if g == opswatKiosks {
			moved++
		}
	}
	// The seed's own devices in Kiosks, and the 50 assigned.
	if want := 50 + seedDevicesIn(srv, opswatKiosks, devices); moved != want {
		t.Errorf("%d devices in the group, want %d", moved, want)
	}
}

// seedDevicesIn counts the devices in group that are not among generated.
func seedDevicesIn(srv *emulator.Server, group string, generated []string) int {
	gen := map[string]bool{}
	for _, d := range generated {
		gen[d] = true
	}
	n := 0
	for _, d := range srv.OPSWATDevices() {
		if d.GroupID == group && !gen[d.ID] {
			n++
		}
	}
	return n
}

// With TF_LOG=TRACE, the whole log of an -invoke of both actions holds no
// credential: not the OPSWAT client secret or any token the emulator issued,
// not the Dr.Web password nor its Basic authorization.
func TestAccActionsTraceLogHoldsNoSecret(t *testing.T) {
	skipWithoutActions(t)
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	devices := generatedDevices(srv, 3)
	sts := srv.DrWebStationsIn(idMoscow)[:2]
	dir := workdir(t, providerBlock(srv)+`
action "endpointgroups_opswat_assign_devices" "fleet" {
  config {
    group_id   = "`+opswatKiosks+`"
    device_ids = `+hcl(devices)+`
  }
}
action "endpointgroups_drweb_move_stations" "to_linux" {
  config {
    group_id    = "`+idLinux+`"
    station_ids = `+hcl(sts)+`
  }
}
`)
	logFile := dir + "/trace.log"
	env := []string{"TF_LOG=TRACE", "TF_LOG_PATH=" + logFile}
	var all strings.Builder
	for _, a := range []string{"action.endpointgroups_opswat_assign_devices.fleet", "action.endpointgroups_drweb_move_stations.to_linux"} {
		out, err := c.run(dir, env, "apply", "-invoke="+a, "-auto-approve", "-input=false", "-no-color")
		if err != nil {
			t.Fatalf("%s: %v\n%s", a, err, out)
		}
		all.WriteString(out)
	}
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	all.Write(data)
	log := all.String()
	// The log is the real thing: it shows both vendors' requests.
	if !strings.Contains(log, "/o/api/v3/devices/action") || !strings.Contains(log, "/api/stations/change.ds") {
		t.Fatalf("the trace log shows no device action or station change (%d bytes)", len(log))
	}
	secrets := map[string]string{
		"the OPSWAT client secret":       "demo-secret",
		"the Dr.Web password":            "demo-password",
		"the Dr.Web Basic authorization": base64.StdEncoding.EncodeToString([]byte("admin:demo-password")),
	}
	tokens := srv.IssuedTokenValues()
	if len(tokens) == 0 {
		t.Fatal("the emulator issued no token")
	}
	for i, tok := range tokens {
		secrets[fmt.Sprintf("OPSWAT token %d", i+1)] = tok
	}
	for what, s := range secrets {
		if strings.Contains(log, s) {
			i := strings.Index(log, s)
			t.Errorf("the trace log holds %s: …%s…", what, log[max(0, i-120):min(len(log), i+len(s)+40)])
		}
	}
}
