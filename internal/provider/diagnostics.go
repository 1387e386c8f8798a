package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

// addOPSWATError turns an OPSWAT client error into a diagnostic; lookup
// failures point at the attribute that was searched for, and hints name
// the remedy that works where the settings came from.
func addOPSWATError(diags *diag.Diagnostics, err error, at path.Path, origin opswatOrigin) {
	var nf *opswat.NotFoundError
	var amb *opswat.AmbiguousError
	var lockWait *opswat.CacheLockWaitError
	switch {
	case errors.As(err, &lockWait) && errors.Is(err, context.Canceled):
		diags.AddError("OPSWAT Read Cancelled", fmt.Sprintf("Terraform stopped the operation (an interrupt) while the provider waited for another "+
			"run to finish listing the OPSWAT groups: that run holds the group-list cache lock %s (held for %s when this run began to wait), "+
			"and this run waited for its list instead of spending the account's requests on a second walk. No request was sent for this read.\n\n"+
			"If no other Terraform run is using opswat.cache_dir, the lock was left by one that died: the next run takes it over at once when "+
			"the process that holds it ran on the same host and in the same pid namespace and is gone, and otherwise once the lock has not been "+
			"marked alive for 30 seconds; you can also delete that lock file.", lockWait.Lock, lockWait.HeldFor()))
	case errors.As(err, &lockWait):
		limit := "its timeout"
		if origin.readTimeout > 0 {
			limit = fmt.Sprintf("its timeout (timeouts.read, %s)", origin.readTimeout)
		}
		diags.AddError("OPSWAT Read Timed Out", fmt.Sprintf("%v.\n\nThe read reached %s while another run held the OPSWAT group-list cache lock %s "+
			"and listed the groups. Run again once that run has finished, give this read a longer timeouts.read, or give this run a cache_dir of its own. "+
			"If no run is using opswat.cache_dir, delete that lock file.", err, limit, lockWait.Lock))
	case errors.As(err, new(*readTimeoutError)):
		diags.AddAttributeError(path.Root("timeouts").AtName("read"), "OPSWAT Read Timed Out", err.Error()+".\n\nThe read reached its "+
			"timeouts.read before the API had answered all it needed; the API's requests are paced to opswat.requests_per_minute (the "+
			"account allows 10 a minute), so a walk of a large group list takes minutes. Give this data source a longer timeouts.read, "+
			"or set opswat.cache_ttl so that the runs sharing opswat.cache_dir walk the list once between them.")
	case errors.As(err, &nf):
		hint := "Check the value: names match exactly and case-sensitively. The endpointgroups_opswat_groups data source lists the groups there are."
		if nf.By == "id" {
			hint = "Check the id (the API's group_id): ids match exactly. The endpointgroups_opswat_groups data source lists the groups there are, with their ids."
		}
		if nf.FromCache {
			hint += fmt.Sprintf(" The list searched is the one opswat.cache_ttl keeps, fetched %s ago: a group made since then is not in it. %s",
				nf.CacheAge.Round(time.Second), origin.cacheRefreshHint())
		}
		diags.AddAttributeError(at, "OPSWAT Group Not Found", nf.Error()+".\n\n"+hint)
	case errors.As(err, &amb):
		diags.AddAttributeError(at, "Ambiguous OPSWAT Group Name", amb.Error()+".\n\nLook the group up by id instead, or rename one of them.")
	case errors.Is(err, opswat.ErrTokenRejected):
		diags.AddError("OPSWAT Access Token Rejected", err.Error()+"\n\nThe access token was refused: check opswat.access_token or "+
			opswatSettings.byConfig(opswat.FieldAccessToken).env+". "+
			"Tokens expire after about 12 hours; client_id and client_secret let the provider fetch fresh ones itself.")
	case errors.Is(err, opswat.ErrCredentialsRejected):
		diags.AddError("OPSWAT Client Credentials Rejected", err.Error()+"\n\nCheck opswat.client_id and opswat.client_secret "+
			"(or "+opswatSettings.byConfig(opswat.FieldClientID).env+" and "+opswatSettings.byConfig(opswat.FieldClientSecret).env+
			"), and that the OAuth client may use the client-credentials grant.")
	default:
		addAPIError(diags, opswatSettings.vendorBlock, err)
	}
}

// addDrWebError turns a Dr.Web client error into a diagnostic.
func addDrWebError(diags *diag.Diagnostics, err error, at path.Path) {
	var nf *drweb.NotFoundError
	var amb *drweb.AmbiguousError
	var tree *drweb.TreeError
	var answer *drweb.AnswerError
	var paging *drweb.PagingError
	var refused *drweb.ListingRefusedError
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
		case nf.Shared != nil:
			hint = "Groups that share a path leave it to the one created first, so the others and their subgroups have no path: look " +
				"the group up by id (the endpointgroups_drweb_groups data source lists the ids), or rename one of the namesakes."
		default:
			hint = "Check the value: names match exactly and case-sensitively. The endpointgroups_drweb_groups data source lists the groups there are, with their paths."
		}
		diags.AddAttributeError(at, "Dr.Web Group Not Found", nf.Error()+".\n\n"+hint)
	case errors.As(err, &amb):
		diags.AddAttributeError(at, "Ambiguous Dr.Web Group Name", amb.Error()+".\n\nSet parent_id to the parent of the one you mean, look it up by path, or by id.")
	case errors.As(err, &tree) && tree.Bound != 0:
		diags.AddError("Dr.Web Group Tree Too Large", err.Error()+".\n\nThe bound guards the provider's memory and sits far above real "+
			"trees, so the server most likely keeps listing new groups: check the group tree in the Dr.Web Control Center and that no "+
			"caching proxy answers /api/ requests. To read a part of a larger tree, look groups up by id or by path, or list one "+
			"group's subtree (parent_id), which count only the groups they walk.")
	case errors.As(err, &tree):
		diags.AddError("Inconsistent Dr.Web Group Tree", err.Error()+".\n\nThe server's answers contradict each other, so the provider stopped "+
			"rather than guess. Check the group tree in the Dr.Web Control Center, and report the server's version to its vendor if it persists.")
	case errors.As(err, &paging) && paging.Bound != "":
		diags.AddAttributeError(at, "Dr.Web Station Listing Too Large", err.Error()+".\n\nThe provider stopped rather than read on: "+
			"no Dr.Web group holds that many stations, so the server's pages most likely never end. Check group_id; a caching "+
			"proxy between the provider and the Dr.Web Server can answer like this: make sure it does not cache /api/ requests.")
	case errors.As(err, &paging):
		diags.AddAttributeError(at, "Inconsistent Dr.Web Station Listing", err.Error()+".\n\nThe server's pages contradict each other, so the provider "+
			"stopped rather than guess. A caching proxy between the provider and the Dr.Web Server can answer like this: make sure "+
			"it does not cache /api/ requests, then try again; report the server's version to its vendor if it persists.")
	case errors.As(err, &answer):
		diags.AddError("Unexpected Dr.Web Answer", err.Error()+".\n\nThe provider does not take an answer about another group for the one "+
			"it asked about, and changed nothing. A caching proxy between the provider and the Dr.Web Server can answer like this: "+
			"make sure it does not cache /api/ requests, then try again.")
	case errors.As(err, new(*drweb.ChangedError)):
		diags.AddError("Dr.Web Group Tree Changed", err.Error()+".\n\nA group was deleted or moved on the server while the provider "+
			"read the tree, so the tree it read is not one the server ever had, and nothing was changed. Run the command again once "+
			"the changes on the server are done.")
	case errors.As(err, &refused) && refused.What != "":
		diags.AddError("Dr.Web Station Listing Refused", err.Error()+".\n\nThe group exists as far as the provider knows, but the server "+
			"would not list its "+refused.What+", so they could not be read and nothing was changed. Check that the administrator "+
			"in drweb.login may see that group and its stations (Dr.Web Control Center, Administrators), then try again.")
	case errors.As(err, &refused):
		diags.AddError("Dr.Web Group Listing Refused", err.Error()+".\n\nThe group exists as far as the provider knows, but the server "+
			"would not list the groups under it, so the tree could not be read and nothing was changed. Check that the administrator "+
			"in drweb.login may see that group (Dr.Web Control Center, Administrators), then try again.")
	case errors.As(err, new(*readTimeoutError)):
		diags.AddAttributeError(at, "Dr.Web Read Timed Out", err.Error()+".\n\nRaise timeouts.read in the block, or check that the "+
			"server answers within request_timeout (or "+rootSettings.byAttr("request_timeout").env+").")
	case errors.Is(err, drweb.ErrAuth):
		diags.AddError("Dr.Web Authentication Failed", err.Error()+" (check drweb.login and drweb.password, or "+drwebSettings.byConfig(drweb.FieldLogin).env+" / "+drwebSettings.byConfig(drweb.FieldPassword).env+
			", and the administrator's Web API permission)")
	default:
		addAPIError(diags, drwebSettings.vendorBlock, err)
	}
}

// readTimeoutError is a read that its timeout ended.
type readTimeoutError struct {
	what  string
	limit time.Duration
	err   error
}

func (e *readTimeoutError) Error() string {
	return fmt.Sprintf("%s did not finish within the read's timeout of %s (%v)", e.what, e.limit, e.err)
}

func (e *readTimeoutError) Unwrap() error { return e.err }

func addAPIError(diags *diag.Diagnostics, v vendorBlock, err error) {
	vendor := v.name
	var apiErr *client.APIError
	var reqErr *client.RequestError
	var redirect *client.RedirectError
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var endpoint *client.EndpointError
	switch {
	case errors.As(err, &redirect):
		diags.AddError(vendor+" Redirect Refused", err.Error()+".")
	case errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &invalid):
		diags.AddError(vendor+" Certificate Not Trusted", fmt.Sprintf("%v\n\nThe %s server's TLS certificate could not be verified. "+
			"If the server uses a private or self-signed certificate, give its CA in %s.ca_cert_pem (or a path in %s). "+
			"If the name does not match, use the name the certificate was issued for in the URL. "+
			"%s.insecure_skip_verify (or %s) turns verification off, which exposes the %s.",
			err, vendor, v.block, v.byAttr(attrCACert).env, v.block, v.byAttr(attrInsecure).env, v.credentials))
	case errors.Is(err, context.Canceled):
		diags.AddError(vendor+" Request Cancelled", fmt.Sprintf("Terraform stopped the operation (an interrupt) while the provider waited for the %s API: "+
			"the operation did not finish and no further request was sent (%v).", vendor, err))
	case errors.As(err, &endpoint):
		addEndpointError(diags, v, endpoint)
	case errors.As(err, &apiErr):
		diags.AddError(vendor+" API Error", err.Error())
	case errors.As(err, &reqErr):
		diags.AddError(vendor+" API Unreachable", err.Error()+"\n\nCheck the URL, the network path to the server and request_timeout "+
			"(or "+rootSettings.byAttr("request_timeout").env+").")
	default:
		diags.AddError(fmt.Sprintf("%s Request Failed", vendor), err.Error())
	}
}

// addEndpointError says which setting leads to the wrong place, and what to
// set it to.
func addEndpointError(diags *diag.Diagnostics, v vendorBlock, e *client.EndpointError) {
	u := v.byConfig(v.url)
	setting := fmt.Sprintf("%s.%s (or %s)", v.block, u.attr, u.env)
	var fix string
	switch e.Problem {
	case client.HTTPSToPlainHTTP:
		fix = fmt.Sprintf("Set %s to %q, or turn HTTPS on at the server (plain HTTP carries the %s unencrypted).", setting, "http://"+e.Host+e.Path, v.credentials)
	case client.HTTPToTLS:
		fix = fmt.Sprintf("Set %s to %q; if the server's certificate is self-signed, give its CA in %s.ca_cert_pem.", setting, "https://"+e.Host+e.Path, v.block)
	case client.UnknownHost:
		fix = fmt.Sprintf("Check the host name in %s (for example %s) and that this machine's DNS resolves it.", setting, v.example)
	case client.PathNotFound:
		scheme := "https://"
		if strings.HasPrefix(e.BaseURL, "http://") {
			scheme = "http://"
		}
		fix = fmt.Sprintf("Set %s to %q, without the path, unless a proxy serves the API under it.", setting, scheme+e.Host)
	}
	diags.AddError("Wrong "+v.name+" URL", capitalize(e.Error())+".\n\n"+fix)
}

// importBlock is the import block that adopts an existing group. Terraform
// does not tell a provider the address of the resource it plans, but it
// prints it above the diagnostic ("with endpointgroups_drweb_group.x"):
// the block points there.
func importBlock(id string) string {
	return fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n\n(to: this resource's address, which Terraform shows above, after \"with\")",
		addressPlaceholder, id)
}

// addressPlaceholder stands for the resource's address in the advice.
const addressPlaceholder = "endpointgroups_drweb_group.<name>"

// addDrWebWriteError turns the error of a resource's write into a
// diagnostic that says what happened and what to do.
func addDrWebWriteError(diags *diag.Diagnostics, op drweb.Op, err error, in drweb.GroupInput) {
	title := map[drweb.Op]string{drweb.OpCreate: "Create", drweb.OpChange: "Update", drweb.OpDelete: "Delete"}[op]
	var we *drweb.WriteError
	var unknown *drweb.OutcomeUnknownError
	var dup *drweb.DuplicateNameError
	var taken *drweb.IDTakenError
	var answer *drweb.AnswerError
	var subtree *drweb.SubtreeMoveError
	var race *drweb.ConcurrentWriteError
	switch {
	case errors.As(err, &dup) && dup.Existing.System:
		diags.AddAttributeError(path.Root("name"), "Dr.Web Group Name Taken", err.Error()+".\n\n"+
			"A system group cannot be managed or renamed: choose another name for this group.")
	case errors.As(err, &dup) && op == drweb.OpChange:
		diags.AddAttributeError(path.Root("name"), "Dr.Web Group Name Taken", fmt.Sprintf("%v, so this group cannot be renamed or "+
			"moved there.\n\nChoose another name (or another parent_id) for this group. To let it share the name with %q, set "+
			"allow_duplicate_names = true.", err, dup.Existing.ID))
	case errors.As(err, &dup):
		diags.AddAttributeError(path.Root("name"), "Dr.Web Group Name Taken", fmt.Sprintf("%v.\n\n"+
			"If that is the group this resource means, adopt it instead of making a second one of the same name:\n\n%s\n\n"+
			"(or terraform import "+addressPlaceholder+" %s). To make another group of the same name beside it, set "+
			"allow_duplicate_names = true; with create_before_destroy, set it too (the old group keeps the name until the new one exists).",
			err, importBlock(dup.Existing.ID), dup.Existing.ID))
	case errors.As(err, &race) && race.UndoErr != nil:
		diags.AddError("Dr.Web Concurrent "+title, err.Error()+".\n\nTwo groups of that name are on the server now. The state keeps "+
			"this run's group: delete one of them (or set allow_duplicate_names = true if both are meant), then run terraform apply again.")
	case errors.As(err, &race):
		var ids []string
		for _, o := range race.Others {
			ids = append(ids, fmt.Sprintf("%q", o.ID))
		}
		what, todo := "created", "re-run to adopt or rename: the next plan names the group that holds the name; adopt it with an "+
			"import block if it is the group this resource means, or choose another name"
		if race.Op != drweb.OpCreate {
			what, todo = "renamed or moved", "re-run to rename: the next plan names the group that holds the name; choose another "+
				"name or parent for this one"
		}
		diags.AddAttributeError(path.Root("name"), "Dr.Web Concurrent "+title, fmt.Sprintf("%s.\n\nA concurrent run %s %s named %q "+
			"under %s at the same time: %s. Every run decides by the same rule which group keeps a name (the one that took it "+
			"first by the server's times; in the same second, none), so exactly one survives.",
			capitalize(err.Error()), what, strings.Join(ids, ", "), race.Name, drweb.DescribeParent(race.ParentID), todo))
	case errors.As(err, &taken):
		diags.AddAttributeError(path.Root("id"), "Dr.Web Group ID Taken", fmt.Sprintf("%v.\n\nThe group %q (named %q) has that id. "+
			"Choose another id, or adopt that group:\n\n%s", taken.Refusal, taken.Existing.ID, taken.Existing.Name, importBlock(taken.Existing.ID)))
	case errors.As(err, &unknown):
		var todo string
		switch op {
		case drweb.OpCreate:
			todo = fmt.Sprintf("The group may exist now, or may appear shortly. Look under %s in the Dr.Web Control Center (or with the "+
				"endpointgroups_drweb_groups data source) for a group named %q: if it is there, adopt it with an import block "+
				"(import { to = endpointgroups_drweb_group.<name>, id = \"<its id>\" }); if it is not, run terraform apply again. "+
				"Unless allow_duplicate_names is set, the next apply refuses to create a second group of that name, and names the one it finds.",
				drweb.DescribeParent(in.ParentID), in.Name)
		case drweb.OpDelete:
			todo = "The group stays in the state. Run terraform apply (or destroy) again: it deletes the group if it is still there, " +
				"and forgets it if it is gone."
		default:
			todo = "The state keeps the group as it was before. Run terraform apply again: the plan shows whether the change is still needed."
		}
		diags.AddError("Dr.Web "+title+" Outcome Unknown", err.Error()+".\n\n"+todo)
	case errors.As(err, &answer):
		diags.AddError("Unexpected Dr.Web Answer", err.Error()+".\n\nNothing was adopted or changed in the state. A caching proxy "+
			"between the provider and the Dr.Web Server can answer like this: make sure it does not cache /api/ requests, then check "+
			"the group tree in the Control Center and run terraform apply again.")
	case errors.As(err, &subtree):
		diags.AddAttributeError(path.Root("parent_id"), "Dr.Web Group Cannot Move Into Its Subtree", capitalize(err.Error())+
			".\n\nA group cannot move into its own subtree: choose a parent_id outside it.")
	case errors.As(err, &we):
		var hint string
		switch {
		case errors.Is(err, drweb.ErrSystemGroup) && op == drweb.OpDelete:
			hint = "System groups cannot be deleted: remove the resource from the state instead (terraform state rm, or a removed block)."
		case errors.Is(err, drweb.ErrSystemGroup):
			hint = "System groups cannot be changed: remove the resource from the configuration and from the state (terraform state rm, or a removed block)."
		case op == drweb.OpDelete:
			hint = "The group is still there. If it still has child groups, delete or move them first (Terraform deletes children " +
				"before parents when their parent_id refers to the parent resource)."
		default:
			hint = "Check the name and parent_id."
		}
		diags.AddError("Dr.Web "+title+" Refused", err.Error()+".\n\n"+hint)
	default:
		addDrWebError(diags, err, path.Root("id"))
	}
}

// addDrWebWriteWarnings says how a write that worked went, when the user
// should know: a lost answer, a group not read back, a name stored otherwise.
func addDrWebWriteWarnings(diags *diag.Diagnostics, res drweb.WriteResult, name string) {
	id := res.Group.ID
	if res.LostAnswer != nil {
		diags.AddWarning("Dr.Web Answer Lost, Write Found Done", fmt.Sprintf("The answer to the write of the group %q was not a success (%v), "+
			"so nothing was sent again: a look at the server showed the write carried out, and the state records it.", id, res.LostAnswer))
	}
	if res.ReadBack != nil {
		diags.AddWarning("Dr.Web Group Written, Not Read Back", fmt.Sprintf("The group %q was written, but reading it back failed (%v). "+
			"The state keeps its id and the configured values; the values only the server knows (created, packages, installers) "+
			"are filled in by the next refresh.", id, res.ReadBack))
	}
	if res.RaceCheck != nil {
		diags.AddWarning("Dr.Web Concurrent Write Not Checked", fmt.Sprintf("The group %q was written, but listing its parent "+
			"afterwards, to see whether a concurrent run wrote a group of the same name there, failed (%v). The group is kept; "+
			"if another pipeline applied at the same time, check the parent for a second group of the name.", id, res.RaceCheck))
	}
	if res.StoredName != "" {
		diags.AddWarning("Dr.Web Stored Another Name", fmt.Sprintf("The server stored the group %q as %q, not as %q (it cuts or "+
			"changes some names). The group is kept; the state keeps the configured name while the server keeps %q. "+
			"To make them the same, set name = %q.", id, res.StoredName, name, res.StoredName, res.StoredName))
	}
}

// pacedReadWarning is how long an OPSWAT read may wait on purpose before
// its result says why it took so long.
const pacedReadWarning = 5 * time.Second

// readTags numbers the OPSWAT reads of a provider process, so that each
// read's warning tells its own requests from the other reads'.
var readTags atomic.Int64

// opswatRead marks ctx as one OPSWAT read's, and returns its tag.
func opswatRead(ctx context.Context) (context.Context, string) {
	tag := fmt.Sprintf("read-%d", readTags.Add(1))
	return client.WithReadTag(ctx, tag), tag
}

// warnIfPaced adds a warning to an OPSWAT read that waited more than a few
// seconds for the provider's pacing or the API's rate-limit windows: how
// long, for whose requests (its own, or those of the other reads whose
// result it shares), why, and the cheapest fix for that.
func warnIfPaced(diags *diag.Diagnostics, c *opswat.Client, start time.Time, tag string) {
	r := c.WaitedFor(start, tag)
	if r.Pacing+r.RateLimited < pacedReadWarning {
		return
	}
	rpm := c.RequestsPerMinute()
	window := "minute"
	if r.Window != time.Minute {
		window = r.Window.String()
	}
	var whose string
	switch others := r.Requests - r.Own; {
	case r.Own > 0 && others == 0:
		whose = fmt.Sprintf("It waited for its own %s.", plural(r.Own, "OPSWAT request"))
	case r.Own > 0:
		whose = fmt.Sprintf("It waited for its own %s and for %s sent meanwhile for other OPSWAT reads of this run, which share the "+
			"provider's pace (%s of waiting were its own requests').", plural(r.Own, "OPSWAT request"), plural(others, "request"), (r.OwnPacing + r.OwnRateLimited).Round(time.Second))
	default:
		whose = fmt.Sprintf("It sent no request of its own: it waited for the result of %s sent for other OPSWAT reads of this run, "+
			"which it shares (one walk of the group list serves every read that needs it).", plural(others, "request"))
	}
	var why []string
	if r.Pacing > 0 {
		why = append(why, fmt.Sprintf("%s for the provider's own pacing: opswat.requests_per_minute = %d lets %d requests be under way or "+
			"answered less than a %s ago at any moment, and when its last wait began it was counting %d (requests of this run from before "+
			"this read too, each until a %s after its answer, and any the API's X-RateLimit-Remaining said were spent by others)",
			r.Pacing.Round(time.Second), rpm, rpm, window, r.InWindow, window))
	}
	if r.RateLimited > 0 {
		why = append(why, fmt.Sprintf("%s for the API's rate-limit windows: the API answered 429, so other clients of the same account "+
			"(or other Terraform runs) spent part of its limit", r.RateLimited.Round(time.Second)))
	}
	paying := "The requests were for lookups by name (one search each) and pages of the group list."
	fix := "set opswat.cache_ttl (such as \"10m\") so that a plan and its apply, and the runs after them, share one walk of the list"
	if cause, ok := c.Walked(); ok {
		switch cause.Kind {
		case opswat.WalkForID:
			paying = fmt.Sprintf("The run walked the whole group list, 50 groups a request, because of a lookup by id (%q): the API has no lookup by id.", cause.Value)
			fix = "look groups up by name instead (one search each), or set opswat.cache_ttl so that the walk serves later runs too"
		case opswat.WalkForList:
			paying = "The run walked the whole group list, 50 groups a request, for an endpointgroups_opswat_groups data source without search."
			fix = "give that data source a search (the API's keyword search costs one request), or set opswat.cache_ttl so that the walk serves later runs too"
		case opswat.WalkForNoExactMatch:
			paying = fmt.Sprintf("The run walked the whole group list, 50 groups a request, because the API's search found no group named exactly %q: "+
				"only the whole list can show that no group has that name (a typo costs a walk).", cause.Value)
			fix = "check that name; with opswat.cache_ttl set, a name missing from the cached list fails at once, with no request"
		case opswat.WalkForFullSearch:
			paying = fmt.Sprintf("The run walked the whole group list, 50 groups a request, because the API's search for %q answered a full page, "+
				"which does not show the groups past it.", cause.Value)
			fix = "set opswat.cache_ttl so that the walk serves later runs too, or look that group up by a more distinctive name"
		case opswat.WalkForManyNames:
			paying = "The run walked the whole group list, 50 groups a request, because its lookups by name were more than the searches " +
				"that cost less than a walk."
			fix = "set opswat.cache_ttl so that the walk serves later runs too, or share one endpointgroups_opswat_groups between the lookups"
		}
	}
	var limit string
	switch {
	case r.AccountLimit > 0 && r.AccountLimit < rpm:
		limit = fmt.Sprintf("The API says this account allows %d requests a %s (X-RateLimit-Limit), fewer than requests_per_minute = %d: "+
			"set opswat.requests_per_minute = %d (or less, shared among runs at the same time), since a higher pace only brings 429 answers.",
			r.AccountLimit, window, rpm, r.AccountLimit)
	case r.AccountLimit > rpm:
		limit = fmt.Sprintf("The API says this account allows %d requests a %s (X-RateLimit-Limit): requests_per_minute may go up to %d, "+
			"shared among the runs against the account at the same time (for example %d each for two).", r.AccountLimit, window, r.AccountLimit, r.AccountLimit/2)
	case r.AccountLimit == rpm:
		limit = fmt.Sprintf("The API says this account allows %d requests a %s (X-RateLimit-Limit), the pace the provider keeps: raising "+
			"requests_per_minute would only bring 429 answers. Runs against the account at the same time share it (for example %d each for two).",
			r.AccountLimit, window, max(r.AccountLimit/2, 1))
	default:
		limit = "Pacing holds per Terraform run: runs against the same account at the same time each send up to requests_per_minute, " +
			"so give each a share (for example 5 each for two runs at the API's 10). Raise requests_per_minute only if the account allows " +
			"more: the API states the account's limit in the X-RateLimit-Limit header of its answers."
	}
	diags.AddWarning("OPSWAT Read Waited for the Rate Limit",
		fmt.Sprintf("This read waited %s on purpose, not because the API was slow. %s Of that time, %s.\n\n%s The cheapest fix: %s.\n\n%s",
			(r.Pacing+r.RateLimited).Round(time.Second), whose, strings.Join(why, "; and "), paying, fix, limit))
}

func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// addOPSWATNotices turns what the OPSWAT client has to tell about its
// group-list cache into warnings, each once a run.
func addOPSWATNotices(diags *diag.Diagnostics, c *opswat.Client) {
	for _, n := range c.TakeNotices() {
		diags.AddWarning("OPSWAT Group Cache", capitalize(n)+".")
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
