package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

var (
	_ resource.ResourceWithConfigure   = (*drwebGroupMembersResource)(nil)
	_ resource.ResourceWithImportState = (*drwebGroupMembersResource)(nil)
	_ resource.ResourceWithIdentity    = (*drwebGroupMembersResource)(nil)
)

func newDrWebGroupMembersResource() resource.Resource { return &drwebGroupMembersResource{} }

type drwebGroupMembersResource struct {
	resourceClients
}

// drwebGroupMembersResourceModel is the stations that must be in a group.
type drwebGroupMembersResourceModel struct {
	GroupID    types.String   `tfsdk:"group_id"`
	StationIDs []string       `tfsdk:"station_ids"`
	Timeouts   timeouts.Value `tfsdk:"timeouts"`
}

// drwebGroupMembersIdentity is the resource's identity (Terraform 1.12 and
// later): the group's id.
type drwebGroupMembersIdentity struct {
	GroupID types.String `tfsdk:"group_id"`
}

func setMembersIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, group types.String, diags *diag.Diagnostics) {
	if identity != nil && !group.IsNull() && !group.IsUnknown() {
		diags.Append(identity.Set(ctx, drwebGroupMembersIdentity{GroupID: group})...)
	}
}

func (r *drwebGroupMembersResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"group_id": identityschema.StringAttribute{RequiredForImport: true, Description: "The group's id."},
	}}
}

func (r *drwebGroupMembersResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_drweb_group_members"
}

var membersTimeoutOpts = timeouts.Opts{
	Create: true, Read: true, Update: true, Delete: true,
	CreateDescription: "How long putting the stations into the group may take, with the read-back after a lost answer. Default `10m`.",
	ReadDescription:   "How long reading the group's stations may take. Default `5m`.",
	UpdateDescription: "How long adding and taking out stations may take. Default `10m`.",
	DeleteDescription: "How long taking the stations out may take. Default `10m`.",
}

func (r *drwebGroupMembersResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	tb, ok := timeoutsBlock(ctx, membersTimeoutOpts, &resp.Diagnostics)
	if !ok {
		return
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Stations that must be in a Dr.Web AV-Desk / Enterprise Security Suite group, besides their primary " +
			"group. The resource is additive: stations it does not list are never touched, so several resources (or the " +
			"Control Center) can put stations into one group.\n\n" +
			"Create and update send one `stations/change.ds?add-group=` per listed station that is not in the group yet, and one " +
			"`delete-group=` per station taken out of `station_ids`; read lists the group's stations (`stations-list.ds`, every " +
			"page, shared with the run's other reads of the group) and keeps in the state the listed stations that are there, so " +
			"a station taken out in the Control Center is drift that the next apply repairs. Each change is sent once; after an " +
			"uncertain answer the provider reads the group back instead of guessing. An unknown station or group is an error that " +
			"names it: in an update, the stations already changed stay in the state; a create that fails part-way saves no state " +
			"(Terraform would taint it, and replacing it would take every station out and back in), and the stations it added stay " +
			"in the group, where the next apply finds them and sends nothing for them.\n\n" +
			"Out of scope: a station's primary group (`parent-group`), which the server never takes a station out of with " +
			"`delete-group` (taking a station out of its primary group is reported as a warning, and the resource stops listing " +
			"it), and authoritative membership (removing the stations not listed). The action `endpointgroups_drweb_move_stations` " +
			"(Terraform 1.14 and later) sets stations' primary group.\n\n" +
			"Import takes a group id (the stations of the group that the listings show in another group too, as the list resource " +
			"`endpointgroups_drweb_group_members` lists them; those in it as their primary group only are left out, with a warning, " +
			"since the resource could never take them out) or `GROUP:STATION,STATION` (just those). Where the CLI has resource identities " +
			"(Terraform 1.12 and later), the identity is `group_id`.",
		Attributes: map[string]schema.Attribute{
			"group_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The id of the group. Changing it replaces the resource: the stations leave the old group and join the new one.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"station_ids": schema.SetAttribute{
				Required: true, ElementType: types.StringType,
				MarkdownDescription: "The ids of the stations that must be in the group, such as the `ids` of the " +
					"`endpointgroups_drweb_group_stations` data source, or another system's list.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
		},
		Blocks: map[string]schema.Block{"timeouts": tb},
	}
}

func (r *drwebGroupMembersResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = withLogging(ctx)
	var plan drwebGroupMembersResourceModel
	c := loadDrWeb(ctx, r.clients, req.Plan, &plan, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, defaultCreateTimeout, &resp.Diagnostics)
	defer cancel()
	// A create that fails part-way saves no state: a state with an error
	// would make Terraform taint the resource and replace it next time,
	// taking out and putting back every station it added. The stations
	// added stay in the group, and the next create finds them there and
	// sends nothing for them.
	r.apply(ctx, c, plan, nil, func(ctx context.Context, m any) diag.Diagnostics {
		if resp.Diagnostics.HasError() {
			return nil
		}
		return resp.State.Set(ctx, m)
	}, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		setMembersIdentity(ctx, resp.Identity, plan.GroupID, &resp.Diagnostics)
	}
}

func (r *drwebGroupMembersResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = withLogging(ctx)
	var plan, state drwebGroupMembersResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	c := loadDrWeb(ctx, r.clients, req.Plan, &plan, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, defaultUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	var drop []string
	for _, id := range state.StationIDs {
		if !slices.Contains(plan.StationIDs, id) {
			drop = append(drop, id)
		}
	}
	r.apply(ctx, c, plan, drop, resp.State.Set, &resp.Diagnostics)
	setMembersIdentity(ctx, resp.Identity, plan.GroupID, &resp.Diagnostics)
}

// apply puts the planned stations into the group and takes drop out of it,
// then saves the planned stations that the group holds: those whose change
// failed stay out of the state, so that the next plan shows them again,
// and those already changed stay in it, errors or not (an update; see
// Create for a create).
func (r *drwebGroupMembersResource) apply(ctx context.Context, c *drweb.Client, plan drwebGroupMembersResourceModel, drop []string,
	set func(context.Context, any) diag.Diagnostics, diags *diag.Diagnostics) {
	group := plan.GroupID.ValueString()
	res, err := c.ChangeMembers(ctx, group, plan.StationIDs, drop)
	if err != nil {
		addDrWebError(diags, err, path.Root("group_id"))
		return
	}
	addMemberChangeDiagnostics(diags, group, res)
	has := membersAfter(res)
	state := plan
	state.StationIDs = slices.DeleteFunc(slices.Clone(plan.StationIDs), func(id string) bool { return !has[id] })
	diags.Append(set(ctx, state)...)
}

// membersAfter is what the group is known to hold after the changes: the
// listing read afterwards, or, when that failed, the listing before with
// the additions the server accepted.
func membersAfter(res drweb.MembersResult) map[string]bool {
	has := map[string]bool{}
	if res.After != nil {
		for _, id := range res.After {
			has[id] = true
		}
		return has
	}
	for _, id := range res.Before {
		has[id] = true
	}
	for _, ch := range res.Changes {
		switch {
		case ch.Op == drweb.OpAddStation && (ch.Outcome == drweb.MemberDone || ch.Outcome == drweb.MemberDoneAnswerLost):
			has[ch.Station] = true
		case ch.Op == drweb.OpRemoveStation && (ch.Outcome == drweb.MemberDone || ch.Outcome == drweb.MemberDoneAnswerLost):
			delete(has, ch.Station)
		}
	}
	return has
}

// addMemberChangeDiagnostics reports each change that did not simply
// succeed: refusals and unknown outcomes as errors, a lost answer that the
// group shows done and a station kept in its primary group as warnings.
func addMemberChangeDiagnostics(diags *diag.Diagnostics, group string, res drweb.MembersResult) {
	var kept, lost []string
	for _, ch := range res.Changes {
		verb := "Added To"
		if ch.Op == drweb.OpRemoveStation {
			verb = "Removed From"
		}
		switch ch.Outcome {
		case drweb.MemberRefused:
			diags.AddAttributeError(path.Root("station_ids"), "Dr.Web Station Not "+verb+" Group",
				fmt.Sprintf("%v.\n\nNothing was sent again. Check the station's id (the endpointgroups_drweb_group_stations data source "+
					"of the Everyone group lists every station) and the administrator's privilege to move stations into groups; the "+
					"stations changed before it stay in the state.", ch.Err))
		case drweb.MemberUnknown:
			diags.AddAttributeError(path.Root("station_ids"), "Dr.Web Station Change Outcome Unknown",
				fmt.Sprintf("The %s of the station %q (group %q) got no usable answer (%v), and the group's stations do not show it "+
					"done. Nothing was sent again; the next plan reads the group and shows the change again if it is still needed.",
					ch.Op, ch.Station, group, ch.Err))
		case drweb.MemberKeptPrimary:
			kept = append(kept, ch.Station)
		case drweb.MemberDoneAnswerLost:
			lost = append(lost, ch.Station)
		}
	}
	if len(kept) > 0 {
		diags.AddAttributeWarning(path.Root("station_ids"), "Dr.Web Station Kept In Its Primary Group",
			fmt.Sprintf("The stations %s stay in the group %q: it is their primary group, and the server ignores delete-group for a "+
				"station's primary group. The resource no longer lists them and will not try again. To take them out, give them "+
				"another primary group with the action endpointgroups_drweb_move_stations or in the Dr.Web Control Center.", client.QuoteAll(kept), group))
	}
	if len(lost) > 0 {
		diags.AddWarning("Dr.Web Answer Lost, Change Confirmed",
			fmt.Sprintf("The answers to the changes of the stations %s were lost, or did not say they were done; reading the group "+
				"%q back shows them done, so nothing was sent again.", client.QuoteAll(lost), group))
	}
}

func (r *drwebGroupMembersResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = withLogging(ctx)
	var state drwebGroupMembersResourceModel
	c := loadDrWeb(ctx, r.clients, req.State, &state, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	group := state.GroupID.ValueString()
	stations, err := c.Stations(ctx, group)
	if err != nil {
		if r.gone(ctx, c, group, err, &resp.Diagnostics) {
			setMembersIdentity(ctx, resp.Identity, state.GroupID, &resp.Diagnostics)
			resp.State.RemoveResource(ctx)
		}
		return
	}
	there := map[string]bool{}
	for _, s := range stations {
		there[s.ID] = true
	}
	state.StationIDs = slices.DeleteFunc(slices.Clone(state.StationIDs), func(id string) bool { return !there[id] })
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	setMembersIdentity(ctx, resp.Identity, state.GroupID, &resp.Diagnostics)
}

// gone reports whether the group of a failed station listing is shown to be
// gone (with a warning); otherwise it adds the error.
func (r *drwebGroupMembersResource) gone(ctx context.Context, c *drweb.Client, group string, err error, diags *diag.Diagnostics) bool {
	var nf *drweb.NotFoundError
	if !errors.As(err, &nf) {
		addDrWebError(diags, err, path.Root("group_id"))
		return false
	}
	gone, gerr := c.GroupGone(ctx, group)
	switch {
	case gerr != nil:
		addDrWebError(diags, fmt.Errorf("the server refused the group %q (%s), and whether it is gone could not be told: %w", group, nf.Server.Error(), gerr), path.Root("group_id"))
		return false
	case !gone:
		addDrWebError(diags, err, path.Root("group_id"))
		return false
	}
	diags.AddWarning("Dr.Web Group Gone",
		fmt.Sprintf("The Dr.Web group %q no longer exists (%v), so its stations are no longer in it: the resource is removed from the state.", group, err))
	return true
}

func (r *drwebGroupMembersResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = withLogging(ctx)
	var state drwebGroupMembersResourceModel
	c := loadDrWeb(ctx, r.clients, req.State, &state, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	group := state.GroupID.ValueString()
	res, err := c.ChangeMembers(ctx, group, nil, state.StationIDs)
	if err != nil {
		// A group that is gone holds no station: nothing to remove (with
		// a warning); any other failure is an error, and the state stays.
		r.gone(ctx, c, group, err, &resp.Diagnostics)
		return
	}
	addMemberChangeDiagnostics(&resp.Diagnostics, group, res)
}

// ImportState takes "GROUP" (every station directly in the group) or
// "GROUP:STATION,STATION" (just those), or an identity with the group id.
func (r *drwebGroupMembersResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctx = withLogging(ctx)
	c, d := r.clients.DrWeb()
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	value := req.ID
	if value == "" && req.Identity != nil {
		var id drwebGroupMembersIdentity
		if resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...); resp.Diagnostics.HasError() {
			return
		}
		value = id.GroupID.ValueString()
	}
	group, list, listed := strings.Cut(value, ":")
	group = strings.TrimSpace(group)
	var ids []string
	if listed {
		for s := range strings.SplitSeq(list, ",") {
			if s = strings.TrimSpace(s); s != "" && !slices.Contains(ids, s) {
				ids = append(ids, s)
			}
		}
	}
	if group == "" || (listed && len(ids) == 0) {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import id %q is neither a group id nor GROUP:STATION,STATION. Give the group's id to adopt every station "+
				"directly in it, or the group's id, a colon and the station ids separated by commas to adopt just those.", value))
		return
	}
	stations, err := c.Stations(ctx, group)
	if err != nil {
		addDrWebError(&resp.Diagnostics, err, path.Root("group_id"))
		return
	}
	there := make([]string, 0, len(stations))
	for _, s := range stations {
		there = append(there, s.ID)
	}
	if !listed {
		// What the list resource lists: the stations it can take out.
		if there, err = drwebImportMembers(ctx, c, group, len(stations), &resp.Diagnostics); err != nil {
			addDrWebError(&resp.Diagnostics, err, path.Root("group_id"))
			return
		}
	}
	if listed {
		var missing []string
		for _, id := range ids {
			if !slices.Contains(there, id) {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			resp.Diagnostics.AddError("Dr.Web Stations Not In Group",
				fmt.Sprintf("The stations %s are not in the group %q, so they cannot be imported as its members. Leave them out of the "+
					"import id; the resource's configuration can list them, and the apply then adds them.", client.QuoteAll(missing), group))
			return
		}
		there = ids
	}
	m := drwebGroupMembersResourceModel{GroupID: types.StringValue(group), StationIDs: there, Timeouts: nullTimeouts()}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
	setMembersIdentity(ctx, resp.Identity, m.GroupID, &resp.Diagnostics)
}
