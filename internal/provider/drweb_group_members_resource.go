package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

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
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

var (
	_ resource.ResourceWithConfigure   = (*drwebGroupMembersResource)(nil)
	_ resource.ResourceWithImportState = (*drwebGroupMembersResource)(nil)
	_ resource.ResourceWithIdentity    = (*drwebGroupMembersResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*drwebGroupMembersResource)(nil)
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
			"Read lists the group's stations (`stations-list.ds`, every page, shared with the run's other reads of the group) and " +
			"keeps in the state the listed stations that are there, so a station taken out in the Control Center is drift that the " +
			"next apply repairs. Create lists the group and sends one `stations/change.ds?add-group=` per listed station that is not " +
			"in it yet. An update starts from the plan's refresh, which has just listed the group: it sends one `add-group=` per " +
			"listed station that the state lacks and one `delete-group=` per station taken out of `station_ids`, without listing " +
			"the group again first, so a plan and an apply that change stations read the group twice in all. Each change is sent " +
			"once, and after its writes the resource reads the group back: the state says what the group shows. A station whose removal is not " +
			"shown done stays in the state, so that the next plan takes it out again; a station the server accepts but never lists " +
			"(marked deleted) is named in a warning once and not sent again. A listed station that something else (the Control " +
			"Center, another run) takes out of the group after the run listed it fails the apply with an error naming it; the state then " +
			"lacks it, so that the next apply puts it back. An unknown station or group is an error that names " +
			"it (at plan, where the run has listed the Everyone group); a create that fails part-way saves no state (Terraform " +
			"would taint it, and replacing it would take every station out and back in), and the error names the stations it " +
			"added, which stay in the group, where the next apply finds them and sends nothing for them.\n\n" +
			"One station belongs to one members resource per group: two members resources of one configuration that list one " +
			"station of one group fail at plan. The check sees the members resources of one provider configuration only: two " +
			"provider aliases (two `provider \"endpointgroups\"` blocks) on one Dr.Web server each check their own resources, so " +
			"a resource of each that lists the same station of the same group passes the plan, and the two undo each other as two " +
			"configurations would (a destroy of one takes the station out from under the other). Give each group's stations to " +
			"members resources of one alias. A station moved from one to another of the same group in one apply stays in the " +
			"group. Under `-target` Terraform shows the provider neither the state nor the configuration of the resources it " +
			"leaves out, so that check cannot see them: `terraform destroy -target` of one members resource takes out its stations even " +
			"where another members resource lists them for the same group; that resource's next plan shows them missing, and its " +
			"apply puts them back. Before a targeted destroy or change, check that no other members resource lists the same " +
			"stations of the group, or target it too.\n\n" +
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
				Required: true, ElementType: types.StringType, CustomType: newStationIDsType(),
				MarkdownDescription: "The ids of the stations that must be in the group, such as the `ids` of the " +
					"`endpointgroups_drweb_group_stations` data source, or another system's list. A station belongs to one members " +
					"resource per group: another members resource of the configuration that lists it for the same group fails the plan.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
		},
		Blocks: map[string]schema.Block{"timeouts": tb},
	}
}

// drwebGroupMembersPlanModel is the resource as a plan may hold it: the
// station ids may be unknown (from a resource created in the same apply).
type drwebGroupMembersPlanModel struct {
	GroupID    types.String    `tfsdk:"group_id"`
	StationIDs stationIDsValue `tfsdk:"station_ids"`
	Timeouts   timeouts.Value  `tfsdk:"timeouts"`
}

// knownStrings returns the known elements of a set of strings.
func knownStrings(set basetypes.SetValue) []string {
	var out []string
	for _, v := range set.Elements() {
		if s, ok := v.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			out = append(out, s.ValueString())
		}
	}
	return out
}

// idSet is a list of ids as a set: the lists here are as long as a
// group's stations, so each lookup is a map's, never a scan.
func idSet(ids []string) map[string]bool {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// splitByPrior returns the stations of keep that had holds already and
// those of had that keep lacks, each in its list's order.
func splitByPrior(keep, had []string) (held, drops []string) {
	inKeep, inHad := idSet(keep), idSet(had)
	for _, id := range keep {
		if inHad[id] {
			held = append(held, id)
		}
	}
	for _, id := range had {
		if !inKeep[id] {
			drops = append(drops, id)
		}
	}
	return held, drops
}

// ModifyPlan catches at plan what the run can already see: two members
// resources of the configuration claiming one station of one group, and a
// station to add that the run's listing of every station (the Everyone
// group, when something in the run listed it) does not show. Unknown
// values defer to apply, whose own checks stay (the server can change
// between plan and apply).
func (r *drwebGroupMembersResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.clients == nil {
		return // the provider is not configured yet (validate)
	}
	var plan, state drwebGroupMembersPlanModel
	planned, prior := !req.Plan.Raw.IsNull(), !req.State.Raw.IsNull()
	if planned {
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	}
	if prior {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	var had []string
	if prior {
		had = knownStrings(state.StationIDs.SetValue)
	}
	if planned && (plan.GroupID.IsUnknown() || plan.StationIDs.IsUnknown()) {
		return
	}
	claims := &r.clients.memberClaims
	var conflicts []memberConflict
	if !planned || (prior && plan.GroupID.ValueString() != state.GroupID.ValueString()) {
		// A destroy, or the old group of a replacement: every station of
		// the state leaves it.
		conflicts = claims.claim(state.GroupID.ValueString(), memberClaim{Drops: had})
	}
	if planned {
		group := plan.GroupID.ValueString()
		keep := knownStrings(plan.StationIDs.SetValue)
		c := memberClaim{Keep: keep}
		if prior && state.GroupID.ValueString() == group {
			c.Held, c.Drops = splitByPrior(keep, had)
		}
		conflicts = append(conflicts, claims.claim(group, c)...)
		r.checkKnownStations(group, keep, c.Held, &resp.Diagnostics)
	}
	group := state.GroupID.ValueString()
	if planned {
		group = plan.GroupID.ValueString()
	}
	for _, cf := range conflicts {
		why := "another endpointgroups_drweb_group_members resource of this configuration lists it too"
		if !cf.Both {
			why = "one endpointgroups_drweb_group_members resource of this configuration takes it out of the group (a destroy, or " +
				"station_ids without it) while another keeps it in its state and sends nothing for it"
		}
		resp.Diagnostics.AddAttributeError(path.Root("station_ids"), "Dr.Web Station Claimed Twice",
			fmt.Sprintf("The station %q of the group %q is claimed twice: %s. Applying this would leave the group without the station "+
				"while a state says it holds it. One station belongs to one members resource per group: list it in one of them only. "+
				"To move it from one resource to another, take it out of one and add it to the other in one apply: the provider "+
				"keeps it in the group.", cf.Station, group, why))
	}
}

// checkKnownStations fails the plan for a station to add that the run's
// listing of the Everyone group (which holds every station) does not
// show; without that listing the apply tells.
func (r *drwebGroupMembersResource) checkKnownStations(group string, keep, held []string, diags *diag.Diagnostics) {
	c := r.clients.drweb
	if c == nil {
		return
	}
	everyone, ok := c.ListedStations(drweb.EveryoneID)
	if !ok {
		return
	}
	known := map[string]bool{}
	for _, st := range everyone {
		known[st.ID] = true
	}
	if own, ok := c.ListedStations(group); ok {
		for _, st := range own {
			known[st.ID] = true
		}
	}
	var unknown []string
	isHeld := idSet(held)
	for _, id := range keep {
		if !known[id] && !isHeld[id] {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		diags.AddAttributeError(path.Root("station_ids"), "Dr.Web Station Not Found",
			fmt.Sprintf("The stations %s are not among the %d stations that this run's listing of the Everyone group shows, so they "+
				"cannot be added to the group %q. Check the ids: the endpointgroups_drweb_group_stations data source of the Everyone "+
				"group lists every station. Nothing was sent.", client.QuoteAll(unknown), len(everyone), group))
	}
}

// privateUnlisted is the private state key of the stations that the server
// accepted and never listed (JSON list of ids).
const privateUnlisted = "unlisted"

// privateState is the part of a request or response that holds private
// state.
type privateState interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}

// unlistedOf reads the stations kept in the state although no listing
// shows them.
func unlistedOf(ctx context.Context, p privateState, diags *diag.Diagnostics) []string {
	if p == nil {
		return nil
	}
	raw, d := p.GetKey(ctx, privateUnlisted)
	diags.Append(d...)
	var ids []string
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &ids); err != nil {
			diags.AddWarning("Unreadable Private State", fmt.Sprintf("The provider's private state of this members resource could not be read (%v): "+
				"stations accepted but never listed are no longer remembered, and the next plan may show them again.", err))
			return nil
		}
	}
	return ids
}

// setUnlisted writes the stations kept although no listing shows them.
func setUnlisted(ctx context.Context, set func(context.Context, string, []byte) diag.Diagnostics, ids []string, diags *diag.Diagnostics) {
	raw := []byte("[]")
	if len(ids) > 0 {
		raw, _ = json.Marshal(ids)
	}
	diags.Append(set(ctx, privateUnlisted, raw)...)
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
	// sends nothing for them; the error names them.
	saved, unlisted, ok := r.apply(ctx, c, plan, membersPrior{create: true}, &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	state := plan
	state.StationIDs = saved
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	setUnlisted(ctx, resp.Private.SetKey, unlisted, &resp.Diagnostics)
	setMembersIdentity(ctx, resp.Identity, plan.GroupID, &resp.Diagnostics)
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
	prior := membersPrior{unlisted: unlistedOf(ctx, req.Private, &resp.Diagnostics)}
	_, prior.drop = splitByPrior(plan.StationIDs, state.StationIDs)
	// The plan's refresh has just listed the group and kept in the state
	// the stations it shows: the update starts from them rather than read
	// the group a second time, and the read-back after its changes says
	// what the group holds.
	wasUnlisted := idSet(prior.unlisted)
	prior.known = slices.DeleteFunc(slices.Clone(state.StationIDs), func(id string) bool { return wasUnlisted[id] })
	if prior.known == nil {
		prior.known = []string{}
	}
	saved, unlisted, ok := r.apply(ctx, c, plan, prior, &resp.Diagnostics)
	if !ok {
		return // nothing was sent: the state stays as it was
	}
	next := plan
	next.StationIDs = saved
	resp.Diagnostics.Append(resp.State.Set(ctx, next)...)
	setUnlisted(ctx, resp.Private.SetKey, unlisted, &resp.Diagnostics)
	setMembersIdentity(ctx, resp.Identity, plan.GroupID, &resp.Diagnostics)
}

// membersPrior is what a change starts from: a create, or an update with
// the stations of the state that the plan drops, and those accepted before
// but never listed.
type membersPrior struct {
	create         bool
	drop, unlisted []string
	// known: the stations the group held at the refresh (nil: read it
	// before the changes).
	known []string
}

// apply puts the planned stations into the group and takes prior.drop out
// of it, then returns what the state is to say, which is what the group
// shows: the planned stations that it holds (or that the server accepted
// and never lists: unlisted), and the dropped ones whose removal it does
// not show done, so that the next plan takes them out again. A dropped
// station kept in its primary group or for another members resource of
// the run leaves the state. ok is false when nothing was sent (the
// diagnostics say why).
func (r *drwebGroupMembersResource) apply(ctx context.Context, c *drweb.Client, plan drwebGroupMembersResourceModel, prior membersPrior,
	diags *diag.Diagnostics) (saved, unlisted []string, ok bool) {
	group := plan.GroupID.ValueString()
	res, err := c.ChangeMembersOf(ctx, drweb.MembersChange{Group: group, Add: plan.StationIDs, Remove: prior.drop, Unlisted: prior.unlisted, Hold: true, Known: prior.known})
	if err != nil {
		addDrWebError(diags, err, path.Root("group_id"))
		return nil, nil, false
	}
	saved, unlisted = membersSaved(res, plan.StationIDs, prior)
	note := membersNote(prior.create, group, res, saved)
	addMemberChangeDiagnostics(diags, group, res, note)
	if gone := membersVanished(res, plan.StationIDs, saved); len(gone) > 0 {
		// The state cannot list a station the group no longer shows, and
		// Terraform takes a saved set without a planned element as a bug
		// unless the apply fails: an error that names the stations, with
		// the state saying what the group holds, so the next plan puts
		// them back.
		diags.AddAttributeError(path.Root("station_ids"), "Dr.Web Station Left The Group During Apply",
			fmt.Sprintf("The stations %s were in the group %q when this run listed it, and reading the group back after its "+
				"changes no longer shows them: something else (the Dr.Web Control Center, another run) took them out meanwhile. "+
				"Nothing was sent for them. Run the apply again to put them back, or take them out of station_ids if they are "+
				"to stay out. %s", client.QuoteAll(gone), group, note))
	}
	return saved, unlisted, true
}

// membersVanished returns the planned stations that the group showed
// before the changes, that no change of this apply was sent for, and that
// the read-back no longer shows: taken out by someone else meanwhile.
func membersVanished(res drweb.MembersResult, planned, saved []string) []string {
	if res.After == nil {
		return nil // not read back: nothing is known to have gone
	}
	changed := map[string]bool{}
	for _, ch := range res.Changes {
		changed[ch.Station] = true
	}
	before, kept := idSet(res.Before), idSet(saved)
	var gone []string
	for _, id := range planned {
		if before[id] && !changed[id] && !kept[id] {
			gone = append(gone, id)
		}
	}
	return gone
}

// membersSaved is what the state is to hold after res (see apply).
func membersSaved(res drweb.MembersResult, planned []string, prior membersPrior) (saved, unlisted []string) {
	saved = []string{} // an empty set, as planned, not null
	has := membersAfter(res)
	outcome := map[string]drweb.MemberOutcome{}
	for _, ch := range res.Changes {
		outcome[ch.Station] = ch.Outcome
	}
	priorUnlisted := idSet(prior.unlisted)
	wasUnlisted := func(id string) bool { return priorUnlisted[id] && !has[id] }
	for _, id := range planned {
		o, changed := outcome[id]
		switch {
		case has[id]:
			saved = append(saved, id)
		case changed && o == drweb.MemberNotListed, !changed && wasUnlisted(id):
			saved, unlisted = append(saved, id), append(unlisted, id)
		}
	}
	for _, id := range prior.drop {
		o, changed := outcome[id]
		switch {
		case changed && (o == drweb.MemberKeptPrimary || o == drweb.MemberKeptForOther):
		case changed && (o == drweb.MemberDone || o == drweb.MemberDoneAnswerLost):
		case has[id]:
			saved = append(saved, id)
		case wasUnlisted(id):
			saved, unlisted = append(saved, id), append(unlisted, id)
		}
	}
	return saved, unlisted
}

// membersAfter is what the group is known to hold after the changes: the
// listing read afterwards, or, when that failed, the listing before with
// the changes it showed done.
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

// membersNote says, for an error, what the changes left in the group and
// what the state holds.
func membersNote(create bool, group string, res drweb.MembersResult, saved []string) string {
	if create {
		var added []string
		for _, ch := range res.Changes {
			if ch.Op == drweb.OpAddStation && (ch.Outcome == drweb.MemberDone || ch.Outcome == drweb.MemberDoneAnswerLost || ch.Outcome == drweb.MemberNotListed) {
				added = append(added, ch.Station)
			}
		}
		note := "The create saved no state, so that Terraform does not replace the resource (which would take out and put back every station). "
		if len(added) == 0 {
			return note + "This apply added no station to the group."
		}
		return note + fmt.Sprintf("This apply added %s to the group %q; they stay there, and the next apply finds them and sends nothing for them.",
			client.QuoteAll(added), group)
	}
	if len(saved) == 0 {
		return "The state now holds no station of the group."
	}
	return fmt.Sprintf("The state now holds the stations %s: those the group %q shows, with any whose removal it does not show done, so that "+
		"the next plan takes them out again.", client.QuoteAll(saved), group)
}

// addMemberChangeDiagnostics reports each change that did not simply
// succeed: refusals and unknown outcomes as errors (each with note, what
// the state holds), a lost answer that the group shows done, a station
// kept in its primary group or for another members resource, and one
// accepted but never listed as warnings.
func addMemberChangeDiagnostics(diags *diag.Diagnostics, group string, res drweb.MembersResult, note string) {
	var kept, lost, unlisted, others []string
	for _, ch := range res.Changes {
		verb := "Added To"
		if ch.Op == drweb.OpRemoveStation {
			verb = "Removed From"
		}
		switch ch.Outcome {
		case drweb.MemberRefused:
			diags.AddAttributeError(path.Root("station_ids"), "Dr.Web Station Not "+verb+" Group",
				fmt.Sprintf("%v.\n\nNothing was sent again. Check the station's id (the endpointgroups_drweb_group_stations data source "+
					"of the Everyone group lists every station) and the administrator's privilege to move stations into groups. %s", ch.Err, note))
		case drweb.MemberUnknown:
			diags.AddAttributeError(path.Root("station_ids"), "Dr.Web Station Change Outcome Unknown",
				fmt.Sprintf("The %s of the station %q (group %q) got no usable answer (%v), and the group's stations do not show it "+
					"done. Nothing was sent again; the next plan reads the group and shows the change again if it is still needed. %s",
					ch.Op, ch.Station, group, ch.Err, note))
		case drweb.MemberKeptPrimary:
			kept = append(kept, ch.Station)
		case drweb.MemberDoneAnswerLost:
			lost = append(lost, ch.Station)
		case drweb.MemberNotListed:
			unlisted = append(unlisted, ch.Station)
		case drweb.MemberKeptForOther:
			others = append(others, ch.Station)
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
	if len(unlisted) > 0 {
		diags.AddAttributeWarning(path.Root("station_ids"), "Dr.Web Station Accepted But Not Listed",
			fmt.Sprintf("Dr.Web accepted the stations %s into the group %q, yet the group's listing does not show them (a station "+
				"marked deleted is accepted and never listed). The state keeps them, and later applies do not send them again; a "+
				"destroy still takes them out. Check them in the Dr.Web Control Center.", client.QuoteAll(unlisted), group))
	}
	if len(others) > 0 {
		diags.AddAttributeWarning(path.Root("station_ids"), "Dr.Web Station Kept For Another Members Resource",
			fmt.Sprintf("The stations %s stay in the group %q: another endpointgroups_drweb_group_members resource of this run lists "+
				"them, so they were not taken out. This resource no longer lists them.", client.QuoteAll(others), group))
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
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = &readTimeoutError{what: fmt.Sprintf("reading the stations of the group %q", group), limit: readLimit(ctx, state), err: err}
		}
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
	// A station accepted but never listed stays, as the apply that added
	// it said; once listed, it is like any other.
	var unlisted []string
	inState := idSet(state.StationIDs)
	for _, id := range unlistedOf(ctx, req.Private, &resp.Diagnostics) {
		if !there[id] && inState[id] {
			unlisted = append(unlisted, id)
		}
	}
	keepUnlisted := idSet(unlisted)
	state.StationIDs = slices.DeleteFunc(slices.Clone(state.StationIDs), func(id string) bool { return !there[id] && !keepUnlisted[id] })
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	setUnlisted(ctx, resp.Private.SetKey, unlisted, &resp.Diagnostics)
	setMembersIdentity(ctx, resp.Identity, state.GroupID, &resp.Diagnostics)
}

// readLimit is the read's timeout as the state gives it.
func readLimit(ctx context.Context, state drwebGroupMembersResourceModel) time.Duration {
	d, _ := state.Timeouts.Read(ctx, defaultReadTimeout)
	return d
}

// gone reports whether the group of a failed station listing is shown to be
// gone (with a warning); otherwise it adds the error. The client decides
// (drweb.Client.MembersGone), by the rule the group resource's reads use.
func (r *drwebGroupMembersResource) gone(ctx context.Context, c *drweb.Client, group string, err error, diags *diag.Diagnostics) bool {
	err = c.MembersGone(ctx, group, err)
	var gone *drweb.GoneError
	if !errors.As(err, &gone) {
		addDrWebError(diags, err, path.Root("group_id"))
		return false
	}
	diags.AddWarning("Dr.Web Group Gone",
		fmt.Sprintf("The Dr.Web group %q no longer exists: the server refuses its id (%v), and the group tree does not list it. Its "+
			"stations are no longer in it, so the resource is removed from the state.", group, gone.Server))
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
	prior := membersPrior{drop: state.StationIDs, unlisted: unlistedOf(ctx, req.Private, &resp.Diagnostics)}
	res, err := c.ChangeMembersOf(ctx, drweb.MembersChange{Group: group, Remove: prior.drop, Unlisted: prior.unlisted})
	if err != nil {
		// A group that is gone holds no station: nothing to remove (with
		// a warning); any other failure is an error, and the state stays.
		r.gone(ctx, c, group, err, &resp.Diagnostics)
		return
	}
	left, unlisted := membersSaved(res, nil, prior)
	addMemberChangeDiagnostics(&resp.Diagnostics, group, res, membersNote(false, group, res, left))
	if resp.Diagnostics.HasError() {
		// The destroy failed: the state keeps the stations the group still
		// shows, so that the next destroy takes out just those.
		state.StationIDs = left
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
		setUnlisted(ctx, resp.Private.SetKey, unlisted, &resp.Diagnostics)
	}
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
	var group string
	var ids []string
	var listed bool
	if value == "" && req.Identity != nil {
		// An identity holds the group id itself (the list resource writes
		// it as the server listed it): taken literally, not parsed as an
		// import id, which would cut an id with ":" in it.
		var id drwebGroupMembersIdentity
		if resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...); resp.Diagnostics.HasError() {
			return
		}
		if group = id.GroupID.ValueString(); group == "" {
			resp.Diagnostics.AddAttributeError(path.Root("group_id"), "Invalid Import Identity",
				"The import identity has no group_id. Set group_id to the id of the group whose stations to adopt.")
			return
		}
	} else {
		var list string
		group, list, listed = strings.Cut(value, ":")
		group = strings.TrimSpace(group)
		if listed {
			seen := map[string]bool{}
			for s := range strings.SplitSeq(list, ",") {
				if s = strings.TrimSpace(s); s != "" && !seen[s] {
					seen[s] = true
					ids = append(ids, s)
				}
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
		inGroup := idSet(there)
		for _, id := range ids {
			if !inGroup[id] {
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
