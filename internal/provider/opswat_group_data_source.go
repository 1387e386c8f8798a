package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

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

func (d *opswatGroupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_opswat_group"
}

// opswatGroupDataSourceModel is the singular data source's state: the
// group and the read's timeouts.
type opswatGroupDataSourceModel struct {
	opswatGroupModel
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

func (d *opswatGroupDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	tb, diags := opswatReadTimeouts(ctx)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
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
		Blocks:     map[string]schema.Block{"timeouts": tb},
	}
}

// ConfigValidators asks for exactly one lookup key, in one error when none
// or several are given.
func (d *opswatGroupDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name"))}
}

func (d *opswatGroupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = withLogging(ctx)
	var cfg opswatGroupDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, c, origin, end, ok := opswatBeginRead(ctx, d.clients, cfg.Timeouts, &resp.Diagnostics)
	if !ok {
		return
	}
	defer end()
	var g opswat.Group
	var err error
	at := path.Root("id")
	if !cfg.ID.IsNull() {
		g, err = c.GroupByID(ctx, cfg.ID.ValueString())
		err = opswatTimedOut(ctx, err, origin.readTimeout, fmt.Sprintf("looking up the OPSWAT group with id %q", cfg.ID.ValueString()))
	} else {
		at = path.Root("name")
		g, err = c.GroupByName(ctx, cfg.Name.ValueString())
		err = opswatTimedOut(ctx, err, origin.readTimeout, fmt.Sprintf("looking up the OPSWAT group named %q", cfg.Name.ValueString()))
	}
	if err != nil {
		addOPSWATError(&resp.Diagnostics, err, at, origin)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, opswatGroupDataSourceModel{opswatGroupModelFromAPI(g), cfg.Timeouts})...)
}
