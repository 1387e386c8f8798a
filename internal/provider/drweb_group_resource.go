package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

var (
	_ resource.ResourceWithConfigure   = (*drwebGroupResource)(nil)
	_ resource.ResourceWithImportState = (*drwebGroupResource)(nil)
)

func newDrWebGroupResource() resource.Resource { return &drwebGroupResource{} }

type drwebGroupResource struct {
	clients *providerClients
}

// drwebGroupResourceModel is what the resource manages: what a user sets,
// and what does not change by itself on the server. Stations, rights, keys
// and times of change stay in the data source.
type drwebGroupResourceModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	ParentID    types.String `tfsdk:"parent_id"`
	ParentName  types.String `tfsdk:"parent_name"`
	Created     types.String `tfsdk:"created"`
	Packages    types.List   `tfsdk:"packages"`
}

var drwebPackageType = types.ObjectType{AttrTypes: map[string]attr.Type{"os": types.StringType, "arch": types.StringType, "url": types.StringType}}

// drwebGroupResourceModelFromAPI converts a group read back from the server.
func drwebGroupResourceModelFromAPI(g drweb.Group) (drwebGroupResourceModel, diag.Diagnostics) {
	pkgs := make([]attr.Value, 0, len(g.Packages))
	for _, p := range g.Packages {
		pkgs = append(pkgs, types.ObjectValueMust(drwebPackageType.AttrTypes, map[string]attr.Value{
			"os": types.StringValue(p.OS), "arch": types.StringValue(p.Arch), "url": types.StringValue(p.URL),
		}))
	}
	list, diags := types.ListValue(drwebPackageType, pkgs)
	return drwebGroupResourceModel{
		ID:          types.StringValue(g.ID),
		Name:        types.StringValue(g.Name),
		Description: types.StringValue(g.Description),
		ParentID:    stringOrNull(g.ParentID),
		ParentName:  stringOrNull(g.ParentName),
		Created:     stringOrNull(g.Created),
		Packages:    list,
	}, diags
}

func (m drwebGroupResourceModel) input() drweb.GroupInput {
	return drweb.GroupInput{ID: m.ID.ValueString(), Name: m.Name.ValueString(), Description: m.Description.ValueString(), ParentID: m.ParentID.ValueString()}
}

func (r *drwebGroupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_drweb_group"
}

func (r *drwebGroupResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Dr.Web AV-Desk / Enterprise Security Suite group: created with `add.ds`, changed and moved in the " +
			"tree with `change.ds`, deleted with `delete.ds`, read with `info.ds`, and imported by id.\n\n" +
			"Values that change by themselves on the server (stations, rights, license keys, the time of the last change) are " +
			"not part of the resource, so that a plan never reports them as changed outside of Terraform: read them with the " +
			"`endpointgroups_drweb_group` data source. OPSWAT documents no writes, so there is no OPSWAT resource.\n\n" +
			"A create is never sent twice blindly: when its answer is lost, the provider looks for the group before it writes again.",
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
				Required:            true,
				MarkdownDescription: "The group's name. Names need not be unique; the Control Center shows them in the tree.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(""),
				MarkdownDescription: "The group's description. Default `\"\"`.",
			},
			"parent_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The id of the parent group; leave it out for a top-level group. Changing it moves the group in place " +
					"(with its stations and child groups); a move into the group's own subtree is refused at apply.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"parent_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The name of the parent group; null for a top-level group.",
				PlanModifiers:       []planmodifier.String{sameParentKeepsName{}},
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
		},
	}
}

// sameParentKeepsName plans parent_name from the state while parent_id
// stays the same, and as unknown when the group moves.
type sameParentKeepsName struct{}

func (sameParentKeepsName) Description(context.Context) string {
	return "keeps the parent's name while parent_id does not change"
}
func (m sameParentKeepsName) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (sameParentKeepsName) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() && req.State.Raw.IsNull() { // create
		return
	}
	var planned, current types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("parent_id"), &planned)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("parent_id"), &current)...)
	if planned.Equal(current) {
		resp.PlanValue = req.StateValue
	}
}

func (r *drwebGroupResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

// load reads the resource's model from a plan or a state and returns the
// Dr.Web client; nil when either failed (the diagnostics say why).
func (r *drwebGroupResource) load(ctx context.Context, from interface {
	Get(context.Context, any) diag.Diagnostics
}, m *drwebGroupResourceModel, diags *diag.Diagnostics) *drweb.Client {
	if diags.Append(from.Get(ctx, m)...); diags.HasError() {
		return nil
	}
	c, d := r.clients.DrWeb()
	diags.Append(d...)
	return c
}

func (r *drwebGroupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = withLogging(ctx)
	var plan drwebGroupResourceModel
	c := r.load(ctx, req.Plan, &plan, &resp.Diagnostics)
	if c == nil {
		return
	}
	in := plan.input()
	if plan.ID.IsUnknown() {
		in.ID = ""
	}
	g, err := c.CreateGroup(ctx, in)
	if err != nil {
		addDrWebWriteError(&resp.Diagnostics, "Create", err)
		return
	}
	r.setState(ctx, g, &resp.State, &resp.Diagnostics)
}

func (r *drwebGroupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = withLogging(ctx)
	var state drwebGroupResourceModel
	c := r.load(ctx, req.State, &state, &resp.Diagnostics)
	if c == nil {
		return
	}
	g, err := c.Group(ctx, state.ID.ValueString())
	var nf *drweb.NotFoundError
	if errors.As(err, &nf) {
		resp.Diagnostics.AddWarning("Dr.Web Group Gone",
			fmt.Sprintf("The Dr.Web group %q (%q) no longer exists on the server; it was deleted outside of Terraform. "+
				"It is removed from the state, and the next plan creates it again.", state.ID.ValueString(), state.Name.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addDrWebError(&resp.Diagnostics, err, path.Root("id"))
		return
	}
	r.setState(ctx, g, &resp.State, &resp.Diagnostics)
}

func (r *drwebGroupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = withLogging(ctx)
	var plan, state drwebGroupResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	c := r.load(ctx, req.Plan, &plan, &resp.Diagnostics)
	if c == nil {
		return
	}
	g, err := c.UpdateGroup(ctx, state.ID.ValueString(), plan.input())
	if err != nil {
		addDrWebWriteError(&resp.Diagnostics, "Update", err)
		return
	}
	r.setState(ctx, g, &resp.State, &resp.Diagnostics)
}

func (r *drwebGroupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = withLogging(ctx)
	var state drwebGroupResourceModel
	c := r.load(ctx, req.State, &state, &resp.Diagnostics)
	if c == nil {
		return
	}
	if err := c.DeleteGroup(ctx, state.ID.ValueString()); err != nil {
		addDrWebWriteError(&resp.Diagnostics, "Delete", err)
	}
}

func (r *drwebGroupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

type stateSetter interface {
	Set(ctx context.Context, v any) diag.Diagnostics
}

func (r *drwebGroupResource) setState(ctx context.Context, g drweb.Group, state stateSetter, diags *diag.Diagnostics) {
	m, d := drwebGroupResourceModelFromAPI(g)
	if diags.Append(d...); diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, m)...)
}
