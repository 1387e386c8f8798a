package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

var (
	_ datasource.DataSourceWithConfigure        = (*opswatGroupDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*opswatGroupDataSource)(nil)
)

func newOPSWATGroupDataSource() datasource.DataSource { return &opswatGroupDataSource{} }

type opswatGroupDataSource struct {
	dataSourceClients
}

// opswatGroupModel is one OPSWAT group: the singular data source's state and
// each element of the plural one's groups.
type opswatGroupModel struct {
	ID              types.String `tfsdk:"id"`
	Name            types.String `tfsdk:"name"`
	DomainName      types.String `tfsdk:"domain_name"`
	PolicyID        types.String `tfsdk:"policy_id"`
	PolicyName      types.String `tfsdk:"policy_name"`
	Description     types.String `tfsdk:"description"`
	AutoJoin        types.Bool   `tfsdk:"auto_join"`
	NumberOfDevices types.Int64  `tfsdk:"number_of_devices"`
	CreatedDate     types.String `tfsdk:"created_date"`
	LastModified    types.String `tfsdk:"last_modified"`
}

// opswatGroupModelFromAPI converts a client group. The policy, a reference,
// is null when the server leaves it empty; free text (domain, description)
// is passed through, "" when empty.
func opswatGroupModelFromAPI(g opswat.Group) opswatGroupModel {
	return opswatGroupModel{
		ID:              types.StringValue(g.ID),
		Name:            types.StringValue(g.Name),
		DomainName:      types.StringValue(g.DomainName),
		PolicyID:        stringOrNull(g.PolicyID),
		PolicyName:      stringOrNull(g.PolicyName),
		Description:     types.StringValue(g.Description),
		AutoJoin:        types.BoolValue(g.AutoJoin),
		NumberOfDevices: types.Int64Value(g.NumberOfDevices),
		CreatedDate:     stringOrNull(g.CreatedDate),
		LastModified:    stringOrNull(g.LastModified),
	}
}

// stringOrNull maps a reference the server sends as "" (there is none) to
// null. Free text is never passed through it.
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// opswatGroupAttributes are the attributes of one group, all computed; the
// singular data source makes id and name optional.
func opswatGroupAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":                schema.StringAttribute{Computed: true, MarkdownDescription: "The group's id (the API's `group_id`)."},
		"name":              schema.StringAttribute{Computed: true, MarkdownDescription: "The group's name (`group_name`)."},
		"domain_name":       schema.StringAttribute{Computed: true, MarkdownDescription: "The domain of the domain controller the group is synchronised from (`domain_name`); `\"\"` for a group that is not synchronised (never null)."},
		"policy_id":         schema.StringAttribute{Computed: true, MarkdownDescription: "The id of the policy assigned to the group (`policy_id`); null when none is."},
		"policy_name":       schema.StringAttribute{Computed: true, MarkdownDescription: "The name of the policy assigned to the group (`policy_name`); null when none is."},
		"description":       schema.StringAttribute{Computed: true, MarkdownDescription: "The group's description (`description`) as the server sends it; `\"\"` when it has none (never null, so it can be interpolated)."},
		"auto_join":         schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether a device can join the group by itself when it registers to the account (`auto_join`)."},
		"number_of_devices": schema.Int64Attribute{Computed: true, MarkdownDescription: "How many devices are in the group (`number_of_devices`)."},
		"created_date": schema.StringAttribute{Computed: true, MarkdownDescription: "When the group was created, RFC 3339 in UTC such as `2017-06-12T01:49:39Z` " +
			"(the API's `created_date`, sent in GMT as `Jun 12, 2017 01:49:39 AM`). A value in another format is passed through unchanged."},
		"last_modified": schema.StringAttribute{Computed: true, MarkdownDescription: "When the group was last changed, RFC 3339 in UTC (`last_modified`)."},
	}
}

func (d *opswatGroupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_opswat_group"
}

func (d *opswatGroupDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := opswatGroupAttributes()
	attrs["id"] = schema.StringAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "The group's id (the API's `group_id`). Give exactly one of `id` and `name`.",
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	attrs["name"] = schema.StringAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "The group's name (`group_name`), matched exactly and case-sensitively. Give exactly one of `id` and `name`; " +
			"a name that several groups share is an error that lists their ids.",
		Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One OPSWAT MetaDefender IT Access group, looked up by id or by name.\n\n" +
			"A plan pays for what it asks: a lookup by name costs one `search` request, whatever the size of the account. " +
			"The API has no lookup by id, so a lookup by id (or a plural data source without `search`, or a name the search " +
			"does not settle) makes the provider walk the account's group list once per run and answer every lookup from that " +
			"walk: fifty lookups cost what one does (`floor(groups / 50) + 1` requests). Past the first few names, each name also " +
			"reads a page of that walk, so many names never cost more than about twice the walk. With `opswat.cache_ttl`, every " +
			"lookup within the TTL costs no request at all. See the rate-limits guide.",
		Attributes: attrs,
	}
}

// ConfigValidators asks for exactly one lookup key, in one error when none
// or several are given.
func (d *opswatGroupDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name"))}
}

func (d *opswatGroupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = withLogging(ctx)
	var cfg opswatGroupModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := d.clients.OPSWAT()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	start := time.Now()
	defer warnIfPaced(&resp.Diagnostics, c, start)
	defer addOPSWATNotices(&resp.Diagnostics, c)
	var g opswat.Group
	var err error
	at := path.Root("id")
	if !cfg.ID.IsNull() {
		g, err = c.GroupByID(ctx, cfg.ID.ValueString())
	} else {
		at = path.Root("name")
		g, err = c.GroupByName(ctx, cfg.Name.ValueString())
	}
	if err != nil {
		addOPSWATError(&resp.Diagnostics, err, at)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, opswatGroupModelFromAPI(g))...)
}
