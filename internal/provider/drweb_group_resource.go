package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

var (
	_ resource.ResourceWithConfigure    = (*drwebGroupResource)(nil)
	_ resource.ResourceWithImportState  = (*drwebGroupResource)(nil)
	_ resource.ResourceWithUpgradeState = (*drwebGroupResource)(nil)
	_ resource.ResourceWithModifyPlan   = (*drwebGroupResource)(nil)
)

func newDrWebGroupResource() resource.Resource { return &drwebGroupResource{} }

type drwebGroupResource struct {
	resourceClients
}

// Default timeouts of the resource's operations: each covers its requests
// with their retries and the looks after a lost answer.
const (
	defaultCreateTimeout = 10 * time.Minute
	defaultReadTimeout   = 5 * time.Minute
	defaultUpdateTimeout = 10 * time.Minute
	defaultDeleteTimeout = 10 * time.Minute
)

// drwebGroupResourceModel is what the resource manages: what a user sets,
// and what does not change by itself or when another object changes.
// Stations, rights, keys, the time of the last change, the parent's name and
// the path stay in the data source.
type drwebGroupResourceModel struct {
	ID                  types.String   `tfsdk:"id"`
	Name                types.String   `tfsdk:"name"`
	Description         types.String   `tfsdk:"description"`
	ParentID            types.String   `tfsdk:"parent_id"`
	AllowDuplicateNames types.Bool     `tfsdk:"allow_duplicate_names"`
	Created             types.String   `tfsdk:"created"`
	Packages            types.List     `tfsdk:"packages"`
	Installers          types.Map      `tfsdk:"installers"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

var drwebPackageType = types.ObjectType{AttrTypes: map[string]attr.Type{"os": types.StringType, "arch": types.StringType, "url": types.StringType}}

// drwebGroupResourceModelFromAPI converts a group read from the server. The
// provider-side attributes (allow_duplicate_names, timeouts) are not the
// server's: the caller sets them.
func drwebGroupResourceModelFromAPI(g drweb.Group) (drwebGroupResourceModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	pkgs := make([]attr.Value, 0, len(g.Packages))
	for _, p := range g.Packages {
		pkgs = append(pkgs, types.ObjectValueMust(drwebPackageType.AttrTypes, map[string]attr.Value{
			"os": types.StringValue(p.OS), "arch": types.StringValue(p.Arch), "url": types.StringValue(p.URL),
		}))
	}
	list, d := types.ListValue(drwebPackageType, pkgs)
	diags.Append(d...)
	m, d := types.MapValueFrom(context.Background(), types.StringType, drwebInstallers(g.Packages))
	diags.Append(d...)
	return drwebGroupResourceModel{
		ID:          types.StringValue(g.ID),
		Name:        types.StringValue(g.Name),
		Description: types.StringValue(g.Description),
		ParentID:    stringOrNull(g.ParentID),
		Created:     stringOrNull(g.Created),
		Packages:    list,
		Installers:  m,
	}, diags
}

func (m drwebGroupResourceModel) input() drweb.GroupInput {
	return drweb.GroupInput{
		ID: m.ID.ValueString(), Name: m.Name.ValueString(), Description: m.Description.ValueString(), ParentID: m.ParentID.ValueString(),
		AllowDuplicateName: m.AllowDuplicateNames.ValueBool(),
	}
}

// withProviderSide returns m with the provider-side attributes of from:
// what a user set, or their defaults when from has none (an import, an
// upgraded state).
func (m drwebGroupResourceModel) withProviderSide(from drwebGroupResourceModel) drwebGroupResourceModel {
	m.AllowDuplicateNames = from.AllowDuplicateNames
	if m.AllowDuplicateNames.IsNull() || m.AllowDuplicateNames.IsUnknown() {
		m.AllowDuplicateNames = types.BoolValue(false)
	}
	m.Timeouts = from.Timeouts
	if m.Timeouts.IsNull() || m.Timeouts.IsUnknown() || len(m.Timeouts.AttributeTypes(context.Background())) == 0 {
		m.Timeouts = nullTimeouts()
	}
	return m
}

var timeoutOpts = timeouts.Opts{
	Create: true, Read: true, Update: true, Delete: true,
	CreateDescription: "How long a create may take, with its retries and the look after a lost answer. Default `10m`.",
	ReadDescription:   "How long a refresh of the group may take. Default `5m`.",
	UpdateDescription: "How long a change or move may take. Default `10m`.",
	DeleteDescription: "How long a delete may take. Default `10m`.",
}

// drwebGroupIdentity is the resource's identity (Terraform 1.12 and
// later): the group's id, which import blocks can give as `identity`.
type drwebGroupIdentity struct {
	ID types.String `tfsdk:"id"`
}

func (r *drwebGroupResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"id": identityschema.StringAttribute{
			RequiredForImport: true,
			Description:       "The group's id.",
		},
	}}
}

// setIdentity records the group's id as the resource's identity, where the
// CLI supports identities (a nil identity: it does not).
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id types.String, diags *diag.Diagnostics) {
	if identity != nil && !id.IsNull() && !id.IsUnknown() {
		diags.Append(identity.Set(ctx, drwebGroupIdentity{ID: id})...)
	}
}

func (r *drwebGroupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_drweb_group"
}

// drwebGroupSchemaVersion 1 dropped parent_name and added installers,
// allow_duplicate_names and timeouts.
const drwebGroupSchemaVersion = 1

func (r *drwebGroupResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	tb, ok := timeoutsBlock(ctx, timeoutOpts, &resp.Diagnostics)
	if !ok {
		return
	}
	resp.Schema = schema.Schema{
		Version: drwebGroupSchemaVersion,
		MarkdownDescription: "A Dr.Web AV-Desk / Enterprise Security Suite group: created with `add.ds`, changed and moved in the " +
			"tree with `change.ds`, deleted with `delete.ds`, read with `info.ds`, and imported by id or path.\n\n" +
			"Values that change by themselves on the server or when another object changes (stations, rights, license keys, the " +
			"time of the last change, the parent's name, the path) are not part of the resource, so that a plan never reports them " +
			"as changed outside of Terraform: read them with the `endpointgroups_drweb_group` data source. OPSWAT documents no " +
			"writes, so there is no OPSWAT resource.\n\n" +
			"Each write is sent once. When its answer is lost, the provider looks at the server to learn what became of it and " +
			"never sends it blindly again; see the guide \"Managing Dr.Web groups\" for what it guarantees.\n\n" +
			"Where the CLI has resource identities (Terraform 1.12 and later), the resource's identity is its `id`: " +
			"`import { to = endpointgroups_drweb_group.x, identity = { id = \"…\" } }` adopts a group, and " +
			"`terraform plan -generate-config-out=…` writes its configuration.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The group's id. Leave it out for one the server generates, or choose one: digits, Latin letters, " +
					"`_`, `-` and `.`. Changing a chosen id replaces the group.",
				Validators: []validator.String{stringvalidator.RegexMatches(drweb.IDPattern,
					"an id may hold only digits, Latin letters, \"_\", \"-\" and \".\"")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplaceIfConfigured()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The group's name. Names with spaces at either end or control characters are refused at plan " +
					"time (servers do not store them as sent). Unless `allow_duplicate_names` is set, no other group under the same " +
					"parent may have it.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1), groupNameValidator{}},
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(""),
				MarkdownDescription: "The group's description. Default `\"\"`.",
			},
			"parent_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The id of the parent group; leave it out for a top-level group. Changing it moves the group in place " +
					"(with its stations and child groups); a move into the group's own subtree is refused at plan (at apply when the parent is created in the same apply).",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"allow_duplicate_names": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Let the group share its name with another group under the same parent. Default `false`: a " +
					"create, rename or move beside a group of the same name is refused (at plan where the parent is known, else at " +
					"apply), naming that group and, for a create, the `import` block that adopts it, so that a lost answer or a second " +
					"configuration never makes two groups where one was meant (and `path` lookups stay unambiguous); two runs that " +
					"write the name at the same moment leave one group, the other run undoing its write. Set it with " +
					"`create_before_destroy`, where the old group keeps the name until the new one exists. Only the provider reads " +
					"it: changing it sends nothing.",
			},
			"created": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the group was created, RFC 3339 in UTC such as `2014-03-13T10:25:31Z`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"packages": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The agent installers for the group, in server order, as in the data source: known after the " +
					"create, so other resources of the same apply can use them.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"os":   schema.StringAttribute{Computed: true, MarkdownDescription: "The operating system: `windows`, `linux`, `macosx`, `android`, …"},
					"arch": schema.StringAttribute{Computed: true, MarkdownDescription: "The architecture: `all`, `x86` or `x86_64`."},
					"url":  schema.StringAttribute{Computed: true, MarkdownDescription: "The download URL of the installer, which joins new stations to this group."},
				}},
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"installers": schema.MapAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The installer URLs of `packages` keyed `\"<os>/<arch>\"` (`windows/all`, `linux/x86_64`, …), as in the data source.",
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{"timeouts": tb},
	}
}

// groupNameValidator refuses names that servers store differently from how
// they were sent.
type groupNameValidator struct{}

func (groupNameValidator) Description(context.Context) string {
	return "no spaces at either end, no control characters"
}
func (v groupNameValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (groupNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.ValueString() == "" {
		return
	}
	if p := drweb.NameProblem(req.ConfigValue.ValueString()); p != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Dr.Web Group Name",
			fmt.Sprintf("The name %q %s: the group would be stored under another name than the configuration says. "+
				"Remove the spaces or control characters.", req.ConfigValue.ValueString(), p))
	}
}

// ModifyPlan fails a plan whose apply would be refused, as far as the run's
// listings show: a create beside a group of the same name, a rename or move
// onto a taken name, a move into the group's own subtree. It reads only what
// the run reads anyway (the parent's listing, the ancestors' info.ds, each
// once per run), and nothing for a plan that renames and moves nothing.
// Unknown values (a parent created in the same apply) are left to apply,
// which checks again on fresh listings.
func (r *drwebGroupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.clients == nil {
		return // a destroy, or a provider not configured yet
	}
	ctx = withLogging(ctx)
	var plan drwebGroupResourceModel
	if resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...); resp.Diagnostics.HasError() {
		return
	}
	if plan.Name.IsUnknown() || plan.ParentID.IsUnknown() || plan.AllowDuplicateNames.IsUnknown() {
		return
	}
	c, _ := r.clients.DrWeb()
	if c == nil {
		return // the apply says what the configuration lacks
	}
	op, self, renamed, moved := drweb.OpCreate, "", true, false
	if !req.State.Raw.IsNull() {
		var state drwebGroupResourceModel
		if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
			return
		}
		// A replacement's new group stands in for the old one, which goes first.
		self = state.ID.ValueString()
		if plan.ID.Equal(state.ID) {
			op, renamed, moved = drweb.OpChange, !plan.Name.Equal(state.Name), !plan.ParentID.Equal(state.ParentID)
		}
	}
	if op == drweb.OpChange && !renamed && !moved {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	in := plan.input()
	err := c.CheckWrite(ctx, self, in, renamed, moved)
	var dup *drweb.DuplicateNameError
	var subtree *drweb.SubtreeMoveError
	var nf *drweb.NotFoundError
	switch {
	case err == nil:
	case errors.As(err, &nf) && nf.Parent:
		// A parent with a chosen id that this apply creates first: apply tells.
	case errors.As(err, &dup), errors.As(err, &subtree):
		addDrWebWriteError(&resp.Diagnostics, op, err, in)
	default:
		addDrWebError(&resp.Diagnostics, err, path.Root("parent_id"))
	}
}

func (r *drwebGroupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = withLogging(ctx)
	var plan drwebGroupResourceModel
	c := loadDrWeb(ctx, r.clients, req.Plan, &plan, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, defaultCreateTimeout, &resp.Diagnostics)
	defer cancel()
	in := plan.input()
	if plan.ID.IsUnknown() {
		in.ID = ""
	}
	res, err := c.CreateGroup(ctx, in)
	if err != nil {
		addDrWebWriteError(&resp.Diagnostics, drweb.OpCreate, err, in)
		if res.Group.ID != "" { // a group the run could not undo: never lose its id
			r.setWritten(ctx, res, plan, resp.State.Set, resp.Private, &resp.Diagnostics)
			setIdentity(ctx, resp.Identity, types.StringValue(res.Group.ID), &resp.Diagnostics)
		}
		return
	}
	r.setWritten(ctx, res, plan, resp.State.Set, resp.Private, &resp.Diagnostics)
	setIdentity(ctx, resp.Identity, types.StringValue(res.Group.ID), &resp.Diagnostics)
}

// privateSetter is the resource's private state of a response.
type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// storedNameKey holds, in the resource's private state, the name the server
// stored for the configured one when it did not store it as sent.
const storedNameKey = "stored_name"

type storedName struct {
	Sent   string `json:"sent"`
	Stored string `json:"stored"`
}

// setWritten saves the result of a create or change: the group as read
// back, with the planned name when the server stored another, or, when
// reading back failed, the id and the planned values (the values only a
// read gives stay null until the next refresh) — with a warning for each.
func (r *drwebGroupResource) setWritten(ctx context.Context, res drweb.WriteResult, plan drwebGroupResourceModel,
	set func(context.Context, any) diag.Diagnostics, private privateSetter, diags *diag.Diagnostics) {
	addDrWebWriteWarnings(diags, res, plan.Name.ValueString())
	m, d := drwebGroupResourceModelFromAPI(res.Group)
	if diags.Append(d...); diags.HasError() {
		return
	}
	if res.ReadBack != nil {
		if res.Group.Created == "" {
			m.Created = types.StringNull()
			m.Packages = types.ListNull(drwebPackageType)
			m.Installers = types.MapNull(types.StringType)
		}
	}
	stored := storedName{}
	if res.StoredName != "" {
		m.Name = plan.Name
		stored = storedName{Sent: plan.Name.ValueString(), Stored: res.StoredName}
	}
	b, _ := json.Marshal(stored)
	diags.Append(private.SetKey(ctx, storedNameKey, b)...)
	diags.Append(set(ctx, m.withProviderSide(plan))...)
}

func (r *drwebGroupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = withLogging(ctx)
	var state drwebGroupResourceModel
	c := loadDrWeb(ctx, r.clients, req.State, &state, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	g, err := c.ReadGroup(ctx, state.ID.ValueString(), state.ParentID.ValueString())
	var gone *drweb.GoneError
	if errors.As(err, &gone) {
		// The framework wants an identity after every read, a removal too.
		setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
		resp.Diagnostics.Append(groupGoneWarning(gone, state.Name.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addDrWebError(&resp.Diagnostics, err, path.Root("id"))
		return
	}
	m, d := drwebGroupResourceModelFromAPI(g)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	// A name the server stores differently from how it was sent is not
	// drift while the server still has what it stored for it.
	if b, d := req.Private.GetKey(ctx, storedNameKey); !d.HasError() && len(b) > 0 {
		var s storedName
		if json.Unmarshal(b, &s) == nil && s.Stored != "" && s.Stored == g.Name && s.Sent == state.Name.ValueString() {
			m.Name = state.Name
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m.withProviderSide(state))...)
	setIdentity(ctx, resp.Identity, m.ID, &resp.Diagnostics)
}

// groupGoneWarning says that a group in the state is gone and why that is
// known, once.
func groupGoneWarning(gone *drweb.GoneError, name string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Dr.Web Group Gone", fmt.Sprintf("The Dr.Web group %q (%q) no longer exists: the server "+
		"refuses its id (%v), and %s does not list it. It was deleted outside of Terraform, so it is removed from the state, "+
		"and the next plan creates it again.", gone.ID, name, gone.Server, drweb.DescribeParent(gone.ParentID)))
}

func (r *drwebGroupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = withLogging(ctx)
	var plan, state drwebGroupResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	c := loadDrWeb(ctx, r.clients, req.Plan, &plan, &resp.Diagnostics)
	if c == nil {
		return
	}
	if plan.Name.Equal(state.Name) && plan.Description.Equal(state.Description) && plan.ParentID.Equal(state.ParentID) {
		// Only what the provider itself reads changed: nothing to send.
		state = state.withProviderSide(plan)
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
		setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, defaultUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	in := plan.input()
	res, err := c.UpdateGroup(ctx, state.ID.ValueString(), in)
	if err != nil {
		addDrWebWriteError(&resp.Diagnostics, drweb.OpChange, err, in)
		if res.Group.ID != "" { // a change the run could not undo: the state says what the server holds
			r.setWritten(ctx, res, plan, resp.State.Set, resp.Private, &resp.Diagnostics)
			setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
		}
		return
	}
	r.setWritten(ctx, res, plan, resp.State.Set, resp.Private, &resp.Diagnostics)
	setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
}

func (r *drwebGroupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = withLogging(ctx)
	var state drwebGroupResourceModel
	c := loadDrWeb(ctx, r.clients, req.State, &state, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	in := state.input()
	res, err := c.DeleteGroup(ctx, in.ID, in.ParentID)
	if err != nil {
		addDrWebWriteError(&resp.Diagnostics, drweb.OpDelete, err, in)
		return
	}
	addDrWebWriteWarnings(&resp.Diagnostics, res, in.Name)
}

// ImportState takes a group's id or its path. A value that could be an id
// is tried as one first; a value with "/" in it, or one no group has as its
// id, is taken as a path. System groups are refused: they cannot be changed
// or deleted.
func (r *drwebGroupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctx = withLogging(ctx)
	c, d := r.clients.DrWeb()
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	value := req.ID
	if value == "" && req.Identity != nil { // import { identity = { id = "…" } }
		var id drwebGroupIdentity
		if resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...); resp.Diagnostics.HasError() {
			return
		}
		value = id.ID.ValueString()
	}
	var tried []string
	var g drweb.Group
	var err error
	found := false
	if drweb.IDPattern.MatchString(value) {
		g, err = c.GroupWithoutPath(ctx, value)
		var nf *drweb.NotFoundError
		switch {
		case err == nil:
			found = true
		case !errors.As(err, &nf):
			addDrWebError(&resp.Diagnostics, err, path.Root("id"))
			return
		default:
			tried = append(tried, fmt.Sprintf("as an id: %v", err))
		}
	}
	if !found {
		g, err = c.GroupByPath(ctx, value)
		if err != nil {
			tried = append(tried, fmt.Sprintf("as a path: %v", err))
			resp.Diagnostics.AddError("Dr.Web Group Not Found for Import",
				fmt.Sprintf("No Dr.Web group was found for %q, tried %s.\n\nImport takes a group's id (as the data source "+
					"endpointgroups_drweb_group shows it) or its path, names from the top level down joined by \"/\" "+
					"(\"Offices/Berlin\"; a \"/\" in a name written \"\\/\").", value, strings.Join(tried, "; and ")))
			return
		}
	}
	if g.IsSystem() {
		resp.Diagnostics.AddError("Cannot Import a Dr.Web System Group",
			fmt.Sprintf("The group %q (%q) is a system group: the server refuses to change or delete it, so Terraform cannot "+
				"manage it. Read it with the endpointgroups_drweb_group data source instead.", g.ID, g.Name))
		return
	}
	m, d := drwebGroupResourceModelFromAPI(g)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m.withProviderSide(drwebGroupResourceModel{}))...)
	setIdentity(ctx, resp.Identity, m.ID, &resp.Diagnostics)
}

// UpgradeState turns a state of schema version 0 (which held parent_name
// and had no installers, allow_duplicate_names or timeouts) into version 1.
func (r *drwebGroupResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	pkg := schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
		"os": schema.StringAttribute{Computed: true}, "arch": schema.StringAttribute{Computed: true}, "url": schema.StringAttribute{Computed: true},
	}}
	return map[int64]resource.StateUpgrader{
		0: {
			PriorSchema: &schema.Schema{Attributes: map[string]schema.Attribute{
				"id":          schema.StringAttribute{Optional: true, Computed: true},
				"name":        schema.StringAttribute{Required: true},
				"description": schema.StringAttribute{Optional: true, Computed: true},
				"parent_id":   schema.StringAttribute{Optional: true},
				"parent_name": schema.StringAttribute{Computed: true},
				"created":     schema.StringAttribute{Computed: true},
				"packages":    schema.ListNestedAttribute{Computed: true, NestedObject: pkg},
			}},
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				var old struct {
					ID          types.String `tfsdk:"id"`
					Name        types.String `tfsdk:"name"`
					Description types.String `tfsdk:"description"`
					ParentID    types.String `tfsdk:"parent_id"`
					ParentName  types.String `tfsdk:"parent_name"`
					Created     types.String `tfsdk:"created"`
					Packages    types.List   `tfsdk:"packages"`
				}
				if resp.Diagnostics.Append(req.State.Get(ctx, &old)...); resp.Diagnostics.HasError() {
					return
				}
				m := drwebGroupResourceModel{
					ID: old.ID, Name: old.Name, Description: old.Description, ParentID: old.ParentID, Created: old.Created,
					Packages: old.Packages, Installers: types.MapNull(types.StringType),
				}
				if !old.Packages.IsNull() && !old.Packages.IsUnknown() {
					var pkgs []drweb.Package
					for _, v := range old.Packages.Elements() {
						o, ok := v.(types.Object)
						if !ok {
							continue
						}
						a := o.Attributes()
						os, _ := a["os"].(types.String)
						arch, _ := a["arch"].(types.String)
						url, _ := a["url"].(types.String)
						pkgs = append(pkgs, drweb.Package{OS: os.ValueString(), Arch: arch.ValueString(), URL: url.ValueString()})
					}
					im, d := types.MapValueFrom(ctx, types.StringType, drwebInstallers(pkgs))
					resp.Diagnostics.Append(d...)
					m.Installers = im
				}
				resp.Diagnostics.Append(resp.State.Set(ctx, m.withProviderSide(drwebGroupResourceModel{}))...)
			},
		},
	}
}
