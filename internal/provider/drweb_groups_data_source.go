package provider

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/boolvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

var _ datasource.DataSourceWithConfigure = (*drwebGroupsDataSource)(nil)

func newDrWebGroupsDataSource() datasource.DataSource { return &drwebGroupsDataSource{} }

type drwebGroupsDataSource struct {
	dataSourceClients
}

type drwebGroupsModel struct {
	IDs                 []string     `tfsdk:"ids"`
	ParentID            types.String `tfsdk:"parent_id"`
	Recursive           types.Bool   `tfsdk:"recursive"`
	NameRegex           types.String `tfsdk:"name_regex"`
	IncludeSystemGroups types.Bool   `tfsdk:"include_system_groups"`
	MinResults          types.Int64  `tfsdk:"min_results"`
	// groups, by_id and by_path are never set from the model: the state
	// takes them from drwebGroupsValues (see drwebGroupsValues.set).
	Groups types.List `tfsdk:"groups"`
	ByID   types.Map  `tfsdk:"by_id"`
	ByPath types.Map  `tfsdk:"by_path"`
}

// drwebGroupsValues are the computed attributes of the groups found, as
// Terraform values. groups, by_id and by_path hold the same objects: each
// group's object is converted once, on one shared type, and the list and
// both maps share it, so that a group costs one object, not three, and no
// framework value of it outlives its conversion.
type drwebGroupsValues struct {
	IDs                  []string
	Groups, ByID, ByPath tftypes.Value
}

// drwebGroupsFromAPI converts the groups found into the list, its ids and
// the maps, each group's object of type obj made once. Where several
// groups share a path (names may repeat under one parent), the one created
// first keeps it in by_path; the shared paths are returned.
func drwebGroupsFromAPI(ctx context.Context, obj types.ObjectType, groups []drweb.Group) (drwebGroupsValues, []drweb.SharedPath, diag.Diagnostics) {
	objs, diags := objectsOf(ctx, obj, len(groups), func(i int) drwebGroupModel { return drwebGroupModelFromAPI(groups[i]) },
		func(i int) string { return fmt.Sprintf("The group %q", groups[i].ID) })
	if diags.HasError() {
		return drwebGroupsValues{}, nil, diags
	}
	v := drwebGroupsValues{IDs: make([]string, 0, len(groups))}
	byID := make(map[string]tftypes.Value, len(groups))
	for i, g := range groups {
		v.IDs = append(v.IDs, g.ID)
		byID[g.ID] = objs[i]
	}
	byPath, shared := drweb.ByPath(groups)
	paths := make(map[string]tftypes.Value, len(byPath))
	for p, g := range byPath {
		paths[p] = byID[g.ID]
	}
	objType := obj.TerraformType(ctx)
	v.Groups = tftypes.NewValue(tftypes.List{ElementType: objType}, objs)
	v.ByID = tftypes.NewValue(tftypes.Map{ElementType: objType}, byID)
	v.ByPath = tftypes.NewValue(tftypes.Map{ElementType: objType}, paths)
	return v, shared, diags
}

// set writes cfg with the groups found into st: the model's attributes
// through the framework, the groups' collections as they are (converting
// them again would make three objects of each group).
func (v drwebGroupsValues) set(ctx context.Context, st *tfsdk.State, cfg drwebGroupsModel, obj types.ObjectType) diag.Diagnostics {
	cfg.IDs = v.IDs
	cfg.Groups, cfg.ByID, cfg.ByPath = types.ListNull(obj), types.MapNull(obj), types.MapNull(obj)
	if diags := st.Set(ctx, cfg); diags.HasError() {
		return diags
	}
	return setAttributes(st, map[string]tftypes.Value{"groups": v.Groups, "by_id": v.ByID, "by_path": v.ByPath})
}

// drwebGroupObjectType is the type of one group's object in the plural data
// source's schema (TestModelsMatchSchemas proves it is one).
func drwebGroupObjectType(ctx context.Context) types.ObjectType {
	var sr datasource.SchemaResponse
	(&drwebGroupsDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &sr)
	list, _ := sr.Schema.Attributes["groups"].GetType().(types.ListType)
	obj, _ := list.ElemType.(types.ObjectType)
	return obj
}

// sharedPathText says, for a warning, which group kept each shared path
// and which were left out.
func sharedPathText(shared []drweb.SharedPath) string {
	parts := make([]string, len(shared))
	for i, sp := range shared {
		parts[i] = fmt.Sprintf("%q is the path of %q (created first, kept) and of %s", sp.Path, sp.Kept, client.QuoteAll(sp.LeftOut))
	}
	return strings.Join(parts, "; ")
}

func (d *drwebGroupsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_drweb_groups"
}

func (d *drwebGroupsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	byKey := func(what string) schema.MapNestedAttribute {
		return schema.MapNestedAttribute{
			Computed:            true,
			MarkdownDescription: "The groups of `groups` keyed by " + what + ", ready for `for_each`.",
			NestedObject:        schema.NestedAttributeObject{Attributes: drwebGroupAttributes()},
		}
	}
	byPath := byKey("`path`")
	byPath.MarkdownDescription += " Where two groups share a path (the same name under one parent), the one created first " +
		"keeps it (at the same time, the smaller id), so a namesake added later never takes the place of a group a configuration " +
		"already uses; the other and its subgroups are left out, with a warning naming both (`by_id` has them)."
	resp.Schema = schema.Schema{
		MarkdownDescription: "Several Dr.Web AV-Desk / Enterprise Security Suite groups with their rights, license keys and " +
			"packages: exactly the ones given in `ids`, or the groups of a subtree (`parent_id`, `recursive`), optionally " +
			"filtered by name.\n\nThe subtree costs one `list.ds` request per group that has children, once per run; the " +
			"details of the groups found travel in shared `info.ds` requests of up to 100 ids.",
		Attributes: map[string]schema.Attribute{
			"ids": schema.ListAttribute{
				Optional: true, Computed: true,
				ElementType: types.StringType,
				MarkdownDescription: "Given: read exactly these groups, in this order, in one `info.ds` request; an unknown id is an error " +
					"that names it. Conflicts with `parent_id`, `recursive` and `include_system_groups`. Not given: the ids of `groups`, in order.",
				Validators: []validator.List{
					listvalidator.UniqueValues(),
					listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
					listvalidator.ConflictsWith(path.MatchRoot("parent_id"), path.MatchRoot("recursive"), path.MatchRoot("include_system_groups")),
				},
			},
			"parent_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Read the groups under this group. Default: the groups under the top level.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"recursive": schema.BoolAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "`true` (default) for the whole subtree, depth first in server order; `false` for the direct children only.",
			},
			"name_regex": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Keep only the groups whose names match this regular expression " +
					"([RE2 syntax](https://github.com/google/re2/wiki/Syntax)). An invalid expression fails at plan time.",
				Validators: []validator.String{regexValidator()},
			},
			"include_system_groups": schema.BoolAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "At the top level, also list the system groups the server has (Everyone, Ungrouped, Status, " +
					"Operating system, Transport, Tariffs) and, with `recursive`, their subgroups. Default `false`: only user groups, " +
					"whatever the server line (ESS 13.0.1 lists system groups beside user groups, older lines do not).",
				Validators: []validator.Bool{boolvalidator.ConflictsWith(path.MatchRoot("parent_id"))},
			},
			"min_results": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Fail when fewer groups than this are found, with an error that shows the filter. Default `0`. " +
					"Set it to `1` so that a mistyped `name_regex` or `parent_id` stops the plan instead of planning to destroy " +
					"everything a `for_each` over the result created.",
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"groups": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The groups found, each with every attribute of the `endpointgroups_drweb_group` data source.",
				NestedObject:        schema.NestedAttributeObject{Attributes: drwebGroupAttributes()},
			},
			"by_id":   byKey("`id`"),
			"by_path": byPath,
		},
	}
}

func (d *drwebGroupsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = withLogging(ctx)
	var cfg drwebGroupsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := d.clients.DrWeb()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	re, ok := compileNameRegex(cfg.NameRegex, &resp.Diagnostics)
	if !ok {
		return
	}

	var groups []drweb.Group
	var searched int
	if cfg.IDs != nil {
		var err error
		if groups, err = c.GroupsByID(ctx, cfg.IDs); err != nil {
			addDrWebError(&resp.Diagnostics, err, path.Root("ids"))
			return
		}
		searched = len(groups)
		groups = keepNamed(groups, re, func(g drweb.Group) string { return g.Name })
	} else {
		if cfg.Recursive.IsNull() {
			cfg.Recursive = types.BoolValue(true)
		}
		if cfg.IncludeSystemGroups.IsNull() {
			cfg.IncludeSystemGroups = types.BoolValue(false)
		}
		nodes, walked, err := drwebSubtree(ctx, c, drwebSubtreeFilter{
			ParentID: cfg.ParentID.ValueString(), Recursive: cfg.Recursive.ValueBool(),
			IncludeSystemGroups: cfg.IncludeSystemGroups.ValueBool(), NameRegex: re,
		})
		if err != nil {
			addDrWebError(&resp.Diagnostics, err, path.Root("parent_id"))
			return
		}
		searched = walked
		if groups, err = c.GroupsOf(ctx, nodes); err != nil {
			addDrWebError(&resp.Diagnostics, err, path.Root("parent_id"))
			return
		}
	}
	if least := cfg.MinResults.ValueInt64(); int64(len(groups)) < least {
		addTooFew(&resp.Diagnostics, "Dr.Web Groups", len(groups), least, drwebFilterText(cfg), searched,
			"Check the filter's values (names and regular expressions match case-sensitively).")
		return
	}
	obj := drwebGroupObjectType(ctx)
	found, shared, diags := drwebGroupsFromAPI(ctx, obj, groups)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	if len(shared) > 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("by_path"), "Dr.Web Group Paths Shared",
			fmt.Sprintf("Several groups have the same name under one parent: %s. In by_path each path stays with the group "+
				"created first, so a configuration that uses it keeps it; the others and their subgroups are left out of by_path "+
				"(groups and by_id have them). Rename one of each to give every group a path of its own.", sharedPathText(shared)))
	}
	resp.Diagnostics.Append(found.set(ctx, &resp.State, cfg, obj)...)
}

// drwebSubtreeFilter is the subtree the plural data source and the list
// resources look at, with the same meanings in each.
type drwebSubtreeFilter struct {
	ParentID            string // "" for the top level
	Recursive           bool
	IncludeSystemGroups bool
	NameRegex           *regexp.Regexp // nil keeps every name
}

// drwebSubtree walks the subtree once (the tree listing a run shares) and
// returns the groups whose names match, in tree order, with the number of
// groups walked. Names are filtered before any details are asked for, so
// that groups left out cost nothing.
func drwebSubtree(ctx context.Context, c *drweb.Client, f drwebSubtreeFilter) ([]drweb.TreeNode, int, error) {
	nodes, err := c.Tree(ctx, f.ParentID, f.Recursive, f.IncludeSystemGroups)
	if err != nil {
		return nil, 0, err
	}
	return keepNamed(nodes, f.NameRegex, func(n drweb.TreeNode) string { return n.Name }), len(nodes), nil
}

// drwebFilterText describes the filter for an error message.
func drwebFilterText(cfg drwebGroupsModel) string {
	var parts []string
	if cfg.IDs != nil {
		parts = append(parts, "ids = "+client.QuoteAll(cfg.IDs))
	} else {
		parent := "the top level"
		if !cfg.ParentID.IsNull() {
			parent = strconv.Quote(cfg.ParentID.ValueString())
		}
		parts = append(parts, "parent_id = "+parent, fmt.Sprintf("recursive = %t", cfg.Recursive.ValueBool()),
			fmt.Sprintf("include_system_groups = %t", cfg.IncludeSystemGroups.ValueBool()))
	}
	if !cfg.NameRegex.IsNull() {
		parts = append(parts, "name_regex = "+strconv.Quote(cfg.NameRegex.ValueString()))
	}
	return strings.Join(parts, ", ")
}
