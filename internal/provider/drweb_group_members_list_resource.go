package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

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
			"The API does not say which group is a station's primary group. Every station has exactly one, which may be a " +
			"system group (an \"Operating system\" subgroup, Ungrouped), so a station that the listings show in one group " +
			"only is there as its primary group, and is left out (the resource could never take it out). A station in several " +
			"groups, system groups counted, is listed in each user group it is in, the one that is its primary group too: a " +
			"destroy there leaves it in the group, with a warning. Everyone (it holds every station) and the virtual Status " +
			"groups say nothing about where a station is; system groups themselves are never results, nor are the groups under " +
			"them (on AV-Desk, whose `list.ds` gives no type, one batch of `info.ds` for the groups with shared stations and their " +
			"ancestors tells them), and with `include_resource` neither is a group whose id an import id cannot carry (other " +
			"characters than digits, Latin letters, `_`, `-` and `.`), named in a warning.\n\n" +
			"A query walks the whole group tree once, system groups included, and lists the stations of every group in it " +
			"but Everyone and Status (`stations-list.ds`, every page, each group once), since a station of the subtree may " +
			"also be in groups outside it. An import by group id takes the same stations.",
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
	shared, all, err := drwebSharedMembers(ctx, c, "")
	if err != nil {
		addDrWebError(&diags, err, path.Root("parent_id"))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	// AV-Desk's list.ds has no type: info.ds tells which of the groups
	// with shared stations are system groups, or under one, by the rule
	// of the group list.
	var candidates []drweb.TreeNode
	for _, n := range scope {
		if !n.System && len(shared[n.ID]) > 0 {
			candidates = append(candidates, n)
		}
	}
	_, system, err := c.SystemGroupsAmong(ctx, all, candidates)
	if err != nil {
		addDrWebError(&diags, err, path.Root("parent_id"))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	results, unfit := drwebMembersResults(scope, shared, system, limitOf(req), req.IncludeResource)
	stream.Results = func(push func(list.ListResult) bool) {
		if len(unfit) > 0 {
			var d diag.Diagnostics
			d.AddWarning("Dr.Web Groups Left Out of Import",
				fmt.Sprintf("These groups hold stations that are in another group too, but include_resource is set and their ids have "+
					"other characters than digits, Latin letters, \"_\", \"-\" and \".\", which an import id cannot carry, so they are "+
					"left out and -generate-config-out writes nothing for them: %s. Without include_resource they are listed with "+
					"their identity and path.", strings.Join(unfit, "; ")))
			if !push(list.ListResult{Diagnostics: d}) {
				return
			}
		}
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
// results: one for each group with shared stations that is no system group
// (by its node or system, see drweb.Client.SystemGroupsAmong), at most limit. With
// withResource, a group whose id is outside drweb.IDPattern is no result
// but one of unfit (its path and id): the generated import would fail,
// and Terraform (1.14 to 1.16.4) crashes generating the configuration of
// a result without a resource object.
func drwebMembersResults(scope []drweb.TreeNode, shared map[string][]string, system map[string]bool, limit int, withResource bool) (out []drwebMembersResult, unfit []string) {
	for _, n := range scope {
		if len(out) >= limit {
			break
		}
		if n.System || system[n.ID] || len(shared[n.ID]) == 0 {
			continue
		}
		if withResource && !drweb.IDPattern.MatchString(n.ID) {
			unfit = append(unfit, fmt.Sprintf("%q (id %q)", n.Path, n.ID))
			continue
		}
		out = append(out, drwebMembersResult{path: n.Path, model: drwebGroupMembersResourceModel{
			GroupID: types.StringValue(n.ID), StationIDs: shared[n.ID], Timeouts: nullTimeouts(),
		}})
	}
	return out, unfit
}

// drwebSharedMembers returns, with the whole tree it walked, for every group of the tree and for the
// group also when it is none of them ("" for none), the stations that the
// listings show in another group too: those a members resource can take
// out (see drweb.SharedStations). Whether a station is elsewhere too takes
// every group a station can be in, system groups included (but Everyone
// and Status), listed once per run (the tree and each group's stations are
// shared with the run's other reads).
func drwebSharedMembers(ctx context.Context, c *drweb.Client, also string) (map[string][]string, []drweb.TreeNode, error) {
	// System groups too: a station's primary group may be one of them.
	all, _, err := drwebSubtree(ctx, c, drwebSubtreeFilter{Recursive: true, IncludeSystemGroups: true})
	if err != nil {
		return nil, nil, err
	}
	ids := drweb.MembershipGroups(all)
	if also != "" && !slices.Contains(ids, also) {
		ids = append(ids, also)
	}
	lists, err := c.StationsOfGroups(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	return drweb.SharedStations(ids, lists), all, nil
}

// drwebImportMembers is what an import of a group's members by group id
// takes: the stations of the group that are in another group too, as the
// list resource lists them, with a warning naming how many of its listed
// stations were left out and why.
func drwebImportMembers(ctx context.Context, c *drweb.Client, group string, listed int, diags *diag.Diagnostics) ([]string, error) {
	shared, _, err := drwebSharedMembers(ctx, c, group)
	if err != nil {
		return nil, err
	}
	ids := shared[group]
	if left := listed - len(ids); left > 0 {
		diags.AddWarning("Dr.Web Stations Left Out of Import",
			fmt.Sprintf("%d of the %d stations in the group %q are in no other group (Everyone and the Status groups aside): the group is their primary group, which the "+
				"server never takes a station out of, so the resource could not manage them and the import leaves them out. "+
				"To adopt exactly some stations, import GROUP:STATION,STATION.", left, listed, group))
	}
	if ids == nil {
		ids = []string{}
	}
	return ids, nil
}
