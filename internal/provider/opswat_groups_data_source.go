package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

var _ datasource.DataSourceWithConfigure = (*opswatGroupsDataSource)(nil)

func newOPSWATGroupsDataSource() datasource.DataSource { return &opswatGroupsDataSource{} }

type opswatGroupsDataSource struct {
	clients *providerClients
}

type opswatGroupsModel struct {
	Search    types.String       `tfsdk:"search"`
	NameRegex types.String       `tfsdk:"name_regex"`
	SortField types.String       `tfsdk:"sort_field"`
	SortOrder types.String       `tfsdk:"sort_order"`
	IDs       []string           `tfsdk:"ids"`
	Groups    []opswatGroupModel `tfsdk:"groups"`
}

// opswatGroupsFromAPI keeps the groups whose names match re (all when nil),
// in the API's order.
func opswatGroupsFromAPI(groups []opswat.Group, re *regexp.Regexp) (ids []string, models []opswatGroupModel) {
	ids, models = []string{}, []opswatGroupModel{}
	for _, g := range groups {
		if re != nil && !re.MatchString(g.Name) {
			continue
		}
		ids = append(ids, g.ID)
		models = append(models, opswatGroupModelFromAPI(g))
	}
	return ids, models
}

func (d *opswatGroupsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_opswat_groups"
}

func (d *opswatGroupsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The OPSWAT MetaDefender IT Access groups that match a search, all of them (every page), in the API's order.",
		Attributes: map[string]schema.Attribute{
			"search": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The API's keyword search: groups whose name or assigned policy name contains it. Default: every group.",
			},
			"name_regex": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Keep only the groups whose names match this regular expression " +
					"([RE2 syntax](https://github.com/google/re2/wiki/Syntax)), applied after `search`. An invalid expression fails at plan time.",
				Validators: []validator.String{regexValidator()},
			},
			"sort_field": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "What the API sorts by: `group_name` (default), `domain_name`, `policy_name`, `number_of_devices` or `last_update`.",
				Validators:          []validator.String{stringvalidator.OneOf(opswat.SortFields...)},
			},
			"sort_order": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "`asc` (default) or `desc`.",
				Validators:          []validator.String{stringvalidator.OneOf(opswat.SortOrders...)},
			},
			"ids": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The ids of the groups found, in the order of `groups`.",
			},
			"groups": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The groups found, each with every attribute of the `endpointgroups_opswat_group` data source.",
				NestedObject:        schema.NestedAttributeObject{Attributes: opswatGroupAttributes()},
			},
		},
	}
}

func (d *opswatGroupsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *opswatGroupsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = withLogging(ctx)
	var cfg opswatGroupsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := d.clients.OPSWAT()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	re, ok := compileNameRegex(cfg.NameRegex, &resp.Diagnostics)
	if !ok {
		return
	}
	groups, err := c.ListGroups(ctx, opswat.ListOptions{
		Search: cfg.Search.ValueString(), SortField: cfg.SortField.ValueString(), SortOrder: cfg.SortOrder.ValueString(),
	})
	if err != nil {
		addOPSWATError(&resp.Diagnostics, err, path.Root("search"))
		return
	}
	cfg.IDs, cfg.Groups = opswatGroupsFromAPI(groups, re)
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}
