package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

// A refused station listing names the group and the server's text and is
// no "group not found"; a group gone during a walk says the tree changed
// and to run again, and points at no parent_id.
func TestAddDrWebErrorListingRefusedAndChanged(t *testing.T) {
	t.Parallel()
	srvErr := &client.APIError{Code: "2", Message: "no rights"}
	var diags diag.Diagnostics
	addDrWebError(&diags, &drweb.ListingRefusedError{ID: "g", What: "stations", Server: srvErr}, path.Root("group_id"))
	if len(diags) != 1 || diags[0].Summary() != "Dr.Web Station Listing Refused" ||
		!strings.Contains(diags[0].Detail(), `stations of "g"`) || !strings.Contains(diags[0].Detail(), "no rights") {
		t.Fatalf("refused station listing: %v", diags)
	}
	diags = nil
	addDrWebError(&diags, &drweb.ChangedError{ID: "kid", ParentID: "p", Server: srvErr}, path.Root("parent_id"))
	if len(diags) != 1 || diags[0].Summary() != "Dr.Web Group Tree Changed" || strings.Contains(diags[0].Detail(), "Set parent_id") ||
		!strings.Contains(diags[0].Detail(), `"kid"`) || !strings.Contains(diags[0].Detail(), "Run the command again") {
		t.Fatalf("group gone mid-walk: %v", diags)
	}
	if wp, ok := diags[0].(diag.DiagnosticWithPath); ok {
		t.Errorf("group gone mid-walk points at %v; it is no configured attribute's fault", wp.Path())
	}
}
