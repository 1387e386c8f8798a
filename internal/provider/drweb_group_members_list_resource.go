package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

var _ list.ListResourceWithConfigure = (*drwebGroupMembersListResource)(nil)

func newDrWebGroupMembersListResource() list.ListResource { return &drwebGroupMembersListResource{} }

// drwebGroupMembersListResource lists, for `terraform query`, the groups
// of a subtree that hold stations besides their primary group, each as the
// resource endpointgroups_drweb_group_members that manages those stations.
type drwebGroupMembersListResource struct {
	resourceClients
}

// drwebGroupMembersListModel is the configuration of a list block.
type drwebGroupMembersListModel struct {
	ParentID  types.String `tfsdk:"parent_id"`
	Recursive types.Bool   `tfsdk:"recursive"`
	NameRegex types.String `tfsdk:"name_regex"`
}

func (r *drwebGroupMembersListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_drweb_group_members"
}

func (r *drwebGroupMembersListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists, for `terraform query` (Terraform 1.14 and later), the Dr.Web groups of a subtree that hold " +
			"stations besides their primary group: one result per group, with the identity `group_id`, the group's path as " +
			"display name, and with `include_resource` the resource `endpointgroups_drweb_group_members` listing exactly those " +
			"stations, as an import would save it.\n\n" +
			"The API does not say which group is a station's primary group. Every station has one, so a station that the " +
			"listings show in one group only is there as its primary group, and is left out (the resource could never take " +
			"it out). A station in several groups is listed in each of them, the one that is its primary group too: a destroy " +
			"there leaves it in the group, with a warning. System groups (Everyone holds every station) are never listed.\n\n" +
			"A query walks the whole group tree once and lists the stations of every group in it (`stations-list.ds`, every " +
			"page, each group once), since a station of the subtree may also be in groups outside it.",
		Attributes: drwebListSubtreeAttributes(),
	}
}

func (r *drwebGroupMembersListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	ctx = withLogging(ctx)
	var diags diag.Diagnostics
	var cfg drwebGroupMembersListModel
	c := listDrWeb(ctx, r.clients, req, &cfg, &diags)
	if c == nil {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	re, ok := compileNameRegex(cfg.NameRegex, &diags)
	if !ok {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	scope, _, err := drwebSubtree(ctx, c, drwebSubtreeFilter{
		ParentID: cfg.ParentID.ValueString(), Recursive: cfg.Recursive.IsNull() || cfg.Recursive.ValueBool(), NameRegex: re,
	})
	if err != nil {
		addDrWebError(&diags, err, path.Root("parent_id"))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	// Whether a station is in another group too takes every user group
	// (the tree listing is shared: the walk of the scope above cost it).
	all, _, err := drwebSubtree(ctx, c, drwebSubtreeFilter{Recursive: true})
	if err != nil {
		addDrWebError(&diags, err, path.Root("parent_id"))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	ids := make([]string, len(all))
	for i, n := range all {
		ids[i] = n.ID
	}
	lists, err := c.StationsOfGroups(ctx, ids)
	if err != nil {
		addDrWebError(&diags, err, path.Root("parent_id"))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	shared := drweb.SharedStations(ids, lists)
	results := drwebMembersResults(scope, shared, limitOf(req))
	stream.Results = func(push func(list.ListResult) bool) {
		for _, m := range results {
			res := req.NewListResult(ctx)
			res.DisplayName = m.path
			res.Diagnostics.Append(res.Identity.Set(ctx, drwebGroupMembersIdentity{GroupID: m.model.GroupID})...)
			if req.IncludeResource {
				res.Diagnostics.Append(res.Resource.Set(ctx, m.model)...)
			}
			if !push(res) {
				return
			}
		}
	}
}

// drwebMembersResult is one result of the members list resource.
type drwebMembersResult struct {
	path  string
	model drwebGroupMembersResourceModel
}

// drwebMembersResults turns the groups of the scope, in tree order, into
// results: one for each group with shared stations, at most limit.
func drwebMembersResults(scope []drweb.TreeNode, shared map[string][]string, limit int) []drwebMembersResult {
	var out []drwebMembersResult
	for _, n := range scope {
		if len(out) >= limit {
			break
		}
		if n.System || len(shared[n.ID]) == 0 {
			continue
		}
		out = append(out, drwebMembersResult{path: n.Path, model: drwebGroupMembersResourceModel{
			GroupID: types.StringValue(n.ID), StationIDs: shared[n.ID], Timeouts: nullTimeouts(),
		}})
	}
	return out
}
