package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

// An interrupted wait on the cache lock says how a dead run's lock is
// taken over: at once when its process ran in this host's pid namespace
// and is gone, else once it has not been marked alive for 30 seconds.
func TestOPSWATLockWaitCancelledSaysHowADeadLockIsTakenOver(t *testing.T) {
	t.Parallel()
	var diags diag.Diagnostics
	err := &opswat.CacheLockWaitError{Lock: "/c/k.lock", Holder: "pid 4242", Err: context.Canceled}
	addOPSWATError(&diags, err, path.Root("name"), opswatOrigin{})
	if len(diags) != 1 || diags[0].Summary() != "OPSWAT Read Cancelled" {
		t.Fatalf("diagnostics: %v", diags)
	}
	detail := strings.Join(strings.Fields(diags[0].Detail()), " ")
	for _, want := range []string{
		"takes it over at once when the process that holds it ran on the same host and in the same pid namespace and is gone",
		"otherwise once the lock has not been marked alive for 30 seconds",
		"delete that lock file",
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("the detail lacks %q:\n%s", want, detail)
		}
	}
	if strings.Contains(detail, "once no run has marked it alive") {
		t.Errorf("the detail keeps the old rule:\n%s", detail)
	}
}
