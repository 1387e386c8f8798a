package provider

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
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
	dataSourceClients
}

type opswatGroupsModel struct {
	Search     types.String                `tfsdk:"search"`
	NameRegex  types.String                `tfsdk:"name_regex"`
	SortField  types.String                `tfsdk:"sort_field"`
	SortOrder  types.String                `tfsdk:"sort_order"`
	MinResults types.Int64                 `tfsdk:"min_results"`
	IDs        []string                    `tfsdk:"ids"`
	Groups     []opswatGroupModel          `tfsdk:"groups"`
	ByID       map[string]opswatGroupModel `tfsdk:"by_id"`
	Timeouts   timeouts.Value              `tfsdk:"timeouts"`
}

// opswatGroupsFromAPI keeps the groups whose names match re (all when nil),
// in the API's order, and fills ids, groups and by_id.
func opswatGroupsFromAPI(m *opswatGroupsModel, groups []opswat.Group, re *regexp.Regexp) {
	m.IDs, m.Groups, m.ByID = []string{}, []opswatGroupModel{}, map[string]opswatGroupModel{}
	for _, g := range keepNamed(groups, re, func(g opswat.Group) string { return g.Name }) {
		gm := opswatGroupModelFromAPI(g)
		m.IDs = append(m.IDs, g.ID)
		m.Groups = append(m.Groups, gm)
		m.ByID[g.ID] = gm
	}
}

func (d *opswatGroupsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_opswat_groups"
}

func (d *opswatGroupsDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	tb, diags := opswatReadTimeouts(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	resp.Schema = schema.Schema{
		Blocks:              map[string]schema.Block{"timeouts": tb},
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
			"min_results": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Fail when fewer groups than this are found, with an error that shows the filter. Default `0`. " +
					"Set it to `1` so that a mistyped `search` or `name_regex` stops the plan instead of planning to destroy " +
					"everything a `for_each` over the result created.",
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"groups": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The groups found, each with every attribute of the `endpointgroups_opswat_group` data source.",
				NestedObject:        schema.NestedAttributeObject{Attributes: opswatGroupAttributes()},
			},
			"by_id": schema.MapNestedAttribute{
				Computed: true,
				MarkdownDescription: "The groups of `groups` keyed by `id`, ready for `for_each`. Names can repeat in an account " +
					"(two groups may share one), so there is no map by name.",
				NestedObject: schema.NestedAttributeObject{Attributes: opswatGroupAttributes()},
			},
		},
	}
}

func (d *opswatGroupsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = withLogging(ctx)
	var cfg opswatGroupsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, c, origin, end, ok := opswatBeginRead(ctx, d.clients, cfg.Timeouts, &resp.Diagnostics)
	if !ok {
		return
	}
	defer end()
	re, ok := compileNameRegex(cfg.NameRegex, &resp.Diagnostics)
	if !ok {
		return
	}
	groups, err := c.ListGroups(ctx, opswat.ListOptions{
		Search: cfg.Search.ValueString(), SortField: cfg.SortField.ValueString(), SortOrder: cfg.SortOrder.ValueString(),
	})
	what := "listing the OPSWAT groups"
	if cfg.Search.ValueString() != "" {
		what = fmt.Sprintf("searching the OPSWAT groups for %q", cfg.Search.ValueString())
	}
	if err = opswatTimedOut(ctx, err, origin.readTimeout, what); err != nil {
		addOPSWATError(&resp.Diagnostics, err, path.Root("search"), origin)
		return
	}
	opswatGroupsFromAPI(&cfg, groups, re)
	if least := cfg.MinResults.ValueInt64(); int64(len(cfg.Groups)) < least {
		filter := []string{"search = " + strconv.Quote(cfg.Search.ValueString())}
		if !cfg.NameRegex.IsNull() {
			filter = append(filter, "name_regex = "+strconv.Quote(cfg.NameRegex.ValueString()))
		}
		addTooFew(&resp.Diagnostics, "OPSWAT Groups", len(cfg.Groups), least, strings.Join(filter, ", "), len(groups),
			"Check the filter's values (name_regex matches case-sensitively).")
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}
