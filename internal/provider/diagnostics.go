package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

// addOPSWATError turns an OPSWAT client error into a diagnostic; lookup
// failures point at the attribute that was searched for.
func addOPSWATError(diags *diag.Diagnostics, err error, at path.Path) {
	var nf *opswat.NotFoundError
	var amb *opswat.AmbiguousError
	switch {
	case errors.As(err, &nf):
		hint := "Check the value: names match exactly and case-sensitively. The endpointgroups_opswat_groups data source lists the groups there are."
		if nf.By == "id" {
			hint = "Check the id (the API's group_id): ids match exactly. The endpointgroups_opswat_groups data source lists the groups there are, with their ids."
		}
		diags.AddAttributeError(at, "OPSWAT Group Not Found", nf.Error()+".\n\n"+hint)
	case errors.As(err, &amb):
		diags.AddAttributeError(at, "Ambiguous OPSWAT Group Name", amb.Error()+".\n\nLook the group up by id instead, or rename one of them.")
	case errors.Is(err, opswat.ErrTokenRejected):
		diags.AddError("OPSWAT Access Token Rejected", err.Error()+"\n\nThe access token was refused: check opswat.access_token or OPSWAT_ACCESS_TOKEN. "+
			"Tokens expire after about 12 hours; client_id and client_secret let the provider fetch fresh ones itself.")
	case errors.Is(err, opswat.ErrCredentialsRejected):
		diags.AddError("OPSWAT Client Credentials Rejected", err.Error()+"\n\nCheck opswat.client_id and opswat.client_secret "+
			"(or OPSWAT_CLIENT_ID and OPSWAT_CLIENT_SECRET), and that the OAuth client may use the client-credentials grant.")
	default:
		addAPIError(diags, opswatBlock, err)
	}
}

// addDrWebError turns a Dr.Web client error into a diagnostic.
func addDrWebError(diags *diag.Diagnostics, err error, at path.Path) {
	var nf *drweb.NotFoundError
	var amb *drweb.AmbiguousError
	var tree *drweb.TreeError
	switch {
	case errors.As(err, &nf):
		if nf.Parent {
			at = path.Root("parent_id")
		}
		var hint string
		switch {
		case nf.Parent:
			hint = "Set parent_id to the id of an existing group: the endpointgroups_drweb_groups data source lists the groups there are, with their ids."
		case nf.ID != "":
			hint = "Check the id: ids match exactly. The endpointgroups_drweb_groups data source lists the groups there are, with their ids; " +
				"a group deleted on the server is gone for good."
		default:
			hint = "Check the value: names match exactly and case-sensitively. The endpointgroups_drweb_groups data source lists the groups there are, with their paths."
		}
		diags.AddAttributeError(at, "Dr.Web Group Not Found", nf.Error()+".\n\n"+hint)
	case errors.As(err, &amb) && amb.Path != "":
		diags.AddAttributeError(at, "Ambiguous Dr.Web Group Path", amb.Error()+".\n\nThe server has two groups of the same name under one parent: look the one you mean up by id, or rename one of them.")
	case errors.As(err, &amb):
		diags.AddAttributeError(at, "Ambiguous Dr.Web Group Name", amb.Error()+".\n\nSet parent_id to the parent of the one you mean, look it up by path, or by id.")
	case errors.As(err, &tree):
		diags.AddError("Inconsistent Dr.Web Group Tree", err.Error()+".\n\nThe server's answers contradict each other, so the provider stopped "+
			"rather than guess. Check the group tree in the Dr.Web Control Center, and report the server's version to its vendor if it persists.")
	case errors.Is(err, drweb.ErrAuth):
		diags.AddError("Dr.Web Authentication Failed", err.Error())
	default:
		addAPIError(diags, drwebBlock, err)
	}
}

func addAPIError(diags *diag.Diagnostics, v vendorBlock, err error) {
	vendor := v.name
	var apiErr *client.APIError
	var reqErr *client.RequestError
	var redirect *client.RedirectError
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &redirect):
		diags.AddError(vendor+" Redirect Refused", err.Error()+".")
	case errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &invalid):
		diags.AddError(vendor+" Certificate Not Trusted", fmt.Sprintf("%v\n\nThe %s server's TLS certificate could not be verified. "+
			"If the server uses a private or self-signed certificate, give its CA in %s.ca_cert_pem (or a path in %s). "+
			"If the name does not match, use the name the certificate was issued for in the URL. "+
			"%s.insecure_skip_verify (or %s) turns verification off, which exposes the %s.",
			err, vendor, v.block, v.envCAFile, v.block, v.envInsec, v.credentials))
	case errors.Is(err, context.Canceled):
		diags.AddError(vendor+" Request Cancelled", fmt.Sprintf("Terraform stopped the operation (an interrupt) while the provider waited for the %s API: "+
			"the data source was not read and no further request was sent (%v).", vendor, err))
	case errors.As(err, &apiErr):
		diags.AddError(vendor+" API Error", err.Error())
	case errors.As(err, &reqErr):
		diags.AddError(vendor+" API Unreachable", err.Error()+"\n\nCheck the URL, the network path to the server and request_timeout "+
			"(or "+envRequestTimeout+").")
	default:
		diags.AddError(fmt.Sprintf("%s Request Failed", vendor), err.Error())
	}
}

// addDrWebWriteError turns the error of a resource's write into a diagnostic.
func addDrWebWriteError(diags *diag.Diagnostics, op string, err error) {
	var we *drweb.WriteError
	var uncertain *drweb.UncertainWriteError
	switch {
	case errors.As(err, &uncertain):
		diags.AddError("Dr.Web "+op+" Outcome Unknown", err.Error()+".")
	case errors.As(err, &we):
		diags.AddError("Dr.Web "+op+" Refused", err.Error()+".")
	default:
		addDrWebError(diags, err, path.Root("id"))
	}
}

// pacedReadWarning is how long an OPSWAT read may wait on purpose before
// its result says why it took so long.
const pacedReadWarning = 5 * time.Second

// warnIfPaced adds a warning to an OPSWAT read that waited more than a few
// seconds for the provider's pacing or the API's rate-limit windows: how
// long, why, and what would make the plan cheaper.
func warnIfPaced(diags *diag.Diagnostics, c *opswat.Client, start time.Time) {
	r := c.Waited(start)
	if r.Pacing+r.RateLimited < pacedReadWarning {
		return
	}
	var why []string
	if r.Pacing > 0 {
		why = append(why, fmt.Sprintf("%s for the provider's own pacing: the run sent %d OPSWAT requests while this data source was read, "+
			"and opswat.requests_per_minute = %d lets no more than that many go in any minute", r.Pacing.Round(time.Second), r.Requests, c.RequestsPerMinute()))
	}
	if r.RateLimited > 0 {
		why = append(why, fmt.Sprintf("%s for the API's rate-limit windows: the API answered 429, so other clients of the same account "+
			"(or other Terraform runs) spent part of its limit", r.RateLimited.Round(time.Second)))
	}
	diags.AddWarning("OPSWAT Read Waited for the Rate Limit",
		fmt.Sprintf("This read waited %s on purpose, not because the API was slow: %s.\n\n"+
			"To make plans cheaper: look groups up by name rather than by id (a run's first %d lookups by name cost one request each; "+
			"by id, the whole group list is walked, 50 groups a request); share one endpointgroups_opswat_groups without search "+
			"between the data sources that need many groups; raise requests_per_minute if the account allows more. Pacing holds per "+
			"Terraform run: runs against the same account at the same time each send up to requests_per_minute, so give each a share "+
			"(for example 5 each for two runs at the API's 10).",
			(r.Pacing+r.RateLimited).Round(time.Second), strings.Join(why, "; and "), opswat.MaxSearches))
}
