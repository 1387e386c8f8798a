package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

// A walk stopped by the provider's memory bound is reported as that, not as
// a server whose tree contradicts itself.
func TestTreeBoundDiagnostic(t *testing.T) {
	t.Parallel()
	var diags diag.Diagnostics
	addDrWebError(&diags, &drweb.TreeError{Bound: drweb.DefaultTreeBound}, path.Empty())
	if len(diags) != 1 || diags[0].Summary() != "Dr.Web Group Tree Too Large" ||
		!strings.Contains(diags[0].Detail(), "look groups up by id or by path") {
		t.Fatalf("got %v", diags)
	}
}
