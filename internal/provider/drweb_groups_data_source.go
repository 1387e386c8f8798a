package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

var _ datasource.DataSourceWithConfigure = (*drwebGroupsDataSource)(nil)

func newDrWebGroupsDataSource() datasource.DataSource { return &drwebGroupsDataSource{} }

type drwebGroupsDataSource struct {
	clients *providerClients
}

type drwebGroupsModel struct {
	IDs       []string          `tfsdk:"ids"`
	ParentID  types.String      `tfsdk:"parent_id"`
	Recursive types.Bool        `tfsdk:"recursive"`
	NameRegex types.String      `tfsdk:"name_regex"`
	Groups    []drwebGroupModel `tfsdk:"groups"`
}

// drwebSelectIDs picks, from the nodes of a tree walk, the ids whose names
// match re (all when nil), in walk order.
func drwebSelectIDs(nodes []drweb.TreeNode, re *regexp.Regexp) []string {
	ids := []string{}
	for _, n := range nodes {
		if re == nil || re.MatchString(n.Name) {
			ids = append(ids, n.ID)
		}
	}
	return ids
}

func (d *drwebGroupsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_drweb_groups"
}

func (d *drwebGroupsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Several Dr.Web AV-Desk / Enterprise Security Suite groups with their rights, license keys and " +
			"packages: exactly the ones given in `ids`, or the groups of a subtree (`parent_id`, `recursive`), optionally " +
			"filtered by name.",
		Attributes: map[string]schema.Attribute{
			"ids": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Read exactly these groups, in this order, in one `info.ds` request. An unknown id is an error " +
					"that names it. Conflicts with `parent_id` and `recursive`.",
				Validators: []validator.List{
					listvalidator.UniqueValues(),
					listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
					listvalidator.ConflictsWith(path.MatchRoot("parent_id"), path.MatchRoot("recursive")),
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
			"groups": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The groups found, each with every attribute of the `endpointgroups_drweb_group` data source.",
				NestedObject:        schema.NestedAttributeObject{Attributes: drwebGroupAttributes()},
			},
		},
	}
}

func (d *drwebGroupsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
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
	if cfg.IDs != nil {
		var err error
		if groups, err = c.GroupsByID(ctx, cfg.IDs); err != nil {
			addDrWebError(&resp.Diagnostics, err, path.Root("ids"))
			return
		}
		if re != nil {
			kept := groups[:0]
			for _, g := range groups {
				if re.MatchString(g.Name) {
					kept = append(kept, g)
				}
			}
			groups = kept
		}
	} else {
		if cfg.Recursive.IsNull() {
			cfg.Recursive = types.BoolValue(true)
		}
		nodes, err := c.Tree(ctx, cfg.ParentID.ValueString(), cfg.Recursive.ValueBool())
		if err != nil {
			addDrWebError(&resp.Diagnostics, err, path.Root("parent_id"))
			return
		}
		// Filter by name before asking for details: unwanted groups cost nothing.
		if groups, err = c.GroupsByID(ctx, drwebSelectIDs(nodes, re)); err != nil {
			addDrWebError(&resp.Diagnostics, err, path.Root("parent_id"))
			return
		}
	}
	cfg.Groups = make([]drwebGroupModel, 0, len(groups))
	for _, g := range groups {
		cfg.Groups = append(cfg.Groups, drwebGroupModelFromAPI(g))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}
