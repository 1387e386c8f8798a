package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/boolvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

var _ list.ListResourceWithConfigure = (*drwebGroupListResource)(nil)

func newDrWebGroupListResource() list.ListResource { return &drwebGroupListResource{} }

// drwebGroupListResource lists the groups of a subtree for `terraform
// query` (Terraform 1.14 and later), each as the resource
// endpointgroups_drweb_group would import it.
type drwebGroupListResource struct {
	resourceClients
}

// drwebGroupListModel is the configuration of a list block: the subtree
// filter of the plural data source.
type drwebGroupListModel struct {
	ParentID            types.String `tfsdk:"parent_id"`
	Recursive           types.Bool   `tfsdk:"recursive"`
	NameRegex           types.String `tfsdk:"name_regex"`
	IncludeSystemGroups types.Bool   `tfsdk:"include_system_groups"`
}

func (m drwebGroupListModel) filter() drwebSubtreeFilter {
	return drwebSubtreeFilter{
		ParentID:            m.ParentID.ValueString(),
		Recursive:           m.Recursive.IsNull() || m.Recursive.ValueBool(),
		IncludeSystemGroups: m.IncludeSystemGroups.ValueBool(),
	}
}

func (r *drwebGroupListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_drweb_group"
}

// drwebListSubtreeAttributes are the subtree settings both list resources
// take, with the meanings of the plural data source.
func drwebListSubtreeAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"parent_id": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "List the groups under this group. Default: the groups under the top level.",
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"recursive": schema.BoolAttribute{
			Optional:            true,
			MarkdownDescription: "`true` (default) for the whole subtree, depth first in server order; `false` for the direct children only.",
		},
		"name_regex": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Keep only the groups whose names match this regular expression " +
				"([RE2 syntax](https://github.com/google/re2/wiki/Syntax)). An invalid expression is an error before anything is listed.",
			Validators: []validator.String{regexValidator()},
		},
	}
}

func (r *drwebGroupListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	attrs := drwebListSubtreeAttributes()
	attrs["include_system_groups"] = schema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "At the top level, also list the system groups the server has (Everyone, Ungrouped, Status, Operating " +
			"system, Transport, Tariffs) and, with `recursive`, their subgroups. Default `false`. System groups cannot be managed " +
			"(the server refuses to change or delete them): they are listed with their identity and path only, and left out, with " +
			"a warning, when `include_resource` is set, so that `-generate-config-out` never writes a resource for one.",
		Validators: []validator.Bool{boolvalidator.ConflictsWith(path.MatchRoot("parent_id"))},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the Dr.Web groups of a subtree for `terraform query` (Terraform 1.14 and later), each with " +
			"its identity (`id`) and its path as display name, and with `include_resource` the resource " +
			"`endpointgroups_drweb_group` exactly as an import would save it: `terraform query -generate-config-out=generated.tf` " +
			"writes an `import` block and a `resource` block for each, which then plan no change. With `include_resource`, groups " +
			"the resource could not adopt (an id with other characters than digits, Latin letters, `_`, `-` and `.`; a name " +
			"with leading or trailing spaces or control characters) are left out with one warning naming them and why.\n\n" +
			"The settings mean what they mean on the `endpointgroups_drweb_groups` data source. A query walks the subtree once " +
			"(one `list.ds` request per group that has children); with `include_resource`, the details of the groups listed " +
			"(at most `limit`) travel in shared `info.ds` requests of up to 100 ids, with those of their ancestors in the walk: " +
			"everything under a system group is a system group, on every server line, also where only `info.ds` gives the type " +
			"(AV-Desk), so a group under one is left out with the system groups.",
		Attributes: attrs,
	}
}

func (r *drwebGroupListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	ctx = withLogging(ctx)
	var diags diag.Diagnostics
	var cfg drwebGroupListModel
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
	f := cfg.filter()
	// The walk unfiltered too: the ancestors of the groups that name_regex
	// keeps decide whether they are system groups.
	tree, err := c.Tree(ctx, f.ParentID, f.Recursive, f.IncludeSystemGroups)
	nodes := keepNamed(tree, re, func(n drweb.TreeNode) string { return n.Name })
	if err != nil {
		addDrWebError(&diags, err, path.Root("parent_id"))
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	var system []string
	if req.IncludeResource {
		// A resource object for a system group would make
		// -generate-config-out write a resource that cannot be imported.
		kept := nodes[:0:0]
		for _, n := range nodes {
			if n.System {
				system = append(system, n.Path)
				continue
			}
			kept = append(kept, n)
		}
		nodes = kept
	}
	nodes = nodes[:min(len(nodes), limitOf(req))]
	// With include_resource, the resource object of each group that an
	// import could adopt: groups[i] for nodes[i], nil where there is none.
	groups := make([]*drweb.Group, len(nodes))
	var unfit []string
	if req.IncludeResource {
		// A group whose id or name the resource refuses gets no resource
		// object: -generate-config-out would write a resource whose import
		// or plan fails. Nor is it a result: Terraform (1.14 to 1.16.4)
		// crashes generating the configuration of a result without one.
		var fit []drweb.TreeNode
		var at []int
		drop := map[int]bool{}
		for i, n := range nodes {
			if why := drwebUnfitGroup(n); why != "" {
				unfit = append(unfit, fmt.Sprintf("%q (id %q) %s", n.Path, n.ID, why))
				drop[i] = true
				continue
			}
			fit, at = append(fit, n), append(at, i)
		}
		// One batch of info.ds for every group listed, as the data source.
		got, sys, err := c.SystemGroupsAmong(ctx, tree, fit)
		if err != nil {
			addDrWebError(&diags, err, path.Root("parent_id"))
			stream.Results = list.ListResultsStreamDiagnostics(diags)
			return
		}
		// info.ds gives a type on lines whose list.ds does not: a group
		// it calls a system group, or one under such a group, is left
		// out like the others.
		for j, n := range fit {
			if sys[n.ID] {
				system = append(system, n.Path)
				drop[at[j]] = true
				continue
			}
			g := got[n.ID]
			groups[at[j]] = &g
		}
		keptNodes, keptGroups := nodes[:0:0], groups[:0:0]
		for i := range nodes {
			if !drop[i] {
				keptNodes, keptGroups = append(keptNodes, nodes[i]), append(keptGroups, groups[i])
			}
		}
		nodes, groups = keptNodes, keptGroups
	}
	stream.Results = func(push func(list.ListResult) bool) {
		var d diag.Diagnostics
		if len(system) > 0 {
			d.AddWarning("Dr.Web System Groups Left Out",
				fmt.Sprintf("The system groups %s match the list block, but include_resource is set and the server refuses to change "+
					"or delete a system group, so no resource can manage them: they are left out. Read them with the "+
					"endpointgroups_drweb_group data source.", client.QuoteAll(system)))
		}
		if len(unfit) > 0 {
			d.AddWarning("Dr.Web Groups Left Out of Import",
				fmt.Sprintf("These groups match the list block, but include_resource is set and the resource "+
					"endpointgroups_drweb_group could not adopt them as they are, so they are left out and -generate-config-out "+
					"writes nothing for them: %s. Without include_resource they are listed with their identity and path. "+
					"Rename such a group in the Dr.Web Control Center (a name without leading or trailing spaces "+
					"or control characters) and query again; a group whose id has other characters than digits, Latin letters, "+
					"\"_\", \"-\" and \".\" can be read with the endpointgroups_drweb_group data source only.", strings.Join(unfit, "; ")))
		}
		if d.WarningsCount() > 0 && !push(list.ListResult{Diagnostics: d}) {
			return
		}
		for i, n := range nodes {
			res := req.NewListResult(ctx)
			res.DisplayName = n.Path
			res.Diagnostics.Append(res.Identity.Set(ctx, drwebGroupIdentity{ID: types.StringValue(n.ID)})...)
			if groups[i] != nil {
				m, d := drwebGroupResourceModelFromAPI(*groups[i])
				if res.Diagnostics.Append(d...); !d.HasError() {
					res.Diagnostics.Append(res.Resource.Set(ctx, m.withProviderSide(drwebGroupResourceModel{}))...)
				}
			}
			if !push(res) {
				return
			}
		}
	}
}

// drwebUnfitGroup says why the resource endpointgroups_drweb_group could
// not adopt a listed group (its id or name is one the resource refuses),
// or "" when it could.
func drwebUnfitGroup(n drweb.TreeNode) string {
	if !drweb.IDPattern.MatchString(n.ID) {
		return "has an id with other characters than digits, Latin letters, \"_\", \"-\" and \".\""
	}
	if p := drweb.NameProblem(n.Name); p != "" {
		return "has a name that " + p
	}
	return ""
}
