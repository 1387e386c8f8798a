package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

// The model of one OPSWAT group, its converter from the client's Group and
// its schema attributes, shared by endpointgroups_opswat_group and
// endpointgroups_opswat_groups.

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
	devices := types.Int64Value(g.NumberOfDevices)
	if g.DevicesStale { // the run assigned devices to it: the count it listed is not the group's
		devices = types.Int64Null()
	}
	return opswatGroupModel{
		ID:              types.StringValue(g.ID),
		Name:            types.StringValue(g.Name),
		DomainName:      types.StringValue(g.DomainName),
		PolicyID:        stringOrNull(g.PolicyID),
		PolicyName:      stringOrNull(g.PolicyName),
		Description:     types.StringValue(g.Description),
		AutoJoin:        types.BoolValue(g.AutoJoin),
		NumberOfDevices: devices,
		CreatedDate:     stringOrNull(g.CreatedDate),
		LastModified:    stringOrNull(g.LastModified),
	}
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
		"number_of_devices": schema.Int64Attribute{Computed: true, MarkdownDescription: "How many devices are in the group (`number_of_devices`); null when the same run put devices into the group with `endpointgroups_opswat_assign_devices` after listing it, so that the count it has is not the group's."},
		"created_date": schema.StringAttribute{Computed: true, MarkdownDescription: "When the group was created, RFC 3339 in UTC such as `2017-06-12T01:49:39Z` " +
			"(the API's `created_date`, sent in GMT as `Jun 12, 2017 01:49:39 AM`). A value in another format is passed through unchanged."},
		"last_modified": schema.StringAttribute{Computed: true, MarkdownDescription: "When the group was last changed, RFC 3339 in UTC (`last_modified`)."},
	}
}

// defaultOPSWATReadTimeout bounds an OPSWAT read without timeouts.read: a
// walk at the API's 10 requests a minute reads about 500 groups a minute,
// and a wait for another run's walk of the list counts too.
const defaultOPSWATReadTimeout = 5 * time.Minute

// opswatReadTimeouts is the OPSWAT data sources' timeouts block.
func opswatReadTimeouts(ctx context.Context) (schema.SingleNestedBlock, diag.Diagnostics) {
	var diags diag.Diagnostics
	tb, ok := timeouts.BlockWithOpts(ctx, timeouts.Opts{ReadDescription: "How long the read may take: every request, the pacing to " +
		"`requests_per_minute` and any wait for another run's walk of the list (see `opswat.cache_dir`) together. Default `5m`."}).(schema.SingleNestedBlock)
	if !ok {
		diags.AddError("Unexpected Timeouts Block", "terraform-plugin-framework-timeouts returned another kind of block; please report this to the provider's developers.")
		return tb, diags
	}
	tb.MarkdownDescription = "Timeouts of the read, as durations such as `\"30s\"` or `\"15m\"`."
	for name, a := range tb.Attributes {
		if sa, ok := a.(schema.StringAttribute); ok {
			sa.MarkdownDescription = sa.Description
			if name == "read" {
				sa.Validators = append(sa.Validators, positiveReadTimeout{})
			}
			tb.Attributes[name] = sa
		}
	}
	return tb, diags
}

// positiveReadTimeout refuses a timeouts.read of zero or less, which the
// timeouts package accepts: the read would fail before it sent anything.
// A value that is no duration is left to the package's own check.
type positiveReadTimeout struct{}

func (positiveReadTimeout) Description(context.Context) string {
	return "must be a positive duration"
}

func (v positiveReadTimeout) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (positiveReadTimeout) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d > 0 {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Read Timeout", fmt.Sprintf("timeouts.read is %q: the read would time out before it "+
		"sent a request. Give a positive duration such as \"5m\", or leave timeouts.read out for the default of %s.",
		req.ConfigValue.ValueString(), defaultOPSWATReadTimeout))
}

// opswatTimedOut is err of a read that its timeouts.read ended (what says
// what was being read), or err as it is when the read ended otherwise.
func opswatTimedOut(ctx context.Context, err error, limit time.Duration, what string) error {
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &readTimeoutError{what: what, limit: limit, err: err}
	}
	return err
}

// opswatBeginRead starts an OPSWAT data source's read: the client, the
// read bounded by its timeouts.read and tagged as its own, and the origin
// its errors are told with (naming that timeout). ok is false when the read
// cannot start (the diagnostics say why); otherwise the caller defers end,
// which adds what the read has to tell besides its result (the client's
// cache notices, a wait for pacing) and ends the bound.
func opswatBeginRead(ctx context.Context, clients *providerClients, t timeouts.Value, diags *diag.Diagnostics) (
	_ context.Context, c *opswat.Client, origin opswatOrigin, end func(), ok bool,
) {
	c, d := clients.OPSWAT()
	if diags.Append(d...); diags.HasError() {
		return ctx, nil, origin, nil, false
	}
	limit, td := t.Read(ctx, defaultOPSWATReadTimeout)
	if diags.Append(td...); diags.HasError() {
		return ctx, nil, origin, nil, false
	}
	origin = clients.opswatOrigin
	origin.readTimeout = limit
	ctx, cancel := context.WithTimeout(ctx, limit)
	ctx, tag := opswatRead(ctx)
	start := time.Now()
	return ctx, c, origin, func() {
		addOPSWATNotices(diags, c)
		warnIfPaced(diags, c, start, tag)
		cancel()
	}, true
}
