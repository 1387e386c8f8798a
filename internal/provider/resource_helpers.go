package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

// What the resources and list resources share: their timeouts, loading a
// plan, a state or a list block with the client that acts on it, and a
// query's limit.

// timeoutsBlock is the timeouts block of a resource. The timeouts package
// describes its block in plain text only: the same words go in Markdown
// for the docs.
func timeoutsBlock(ctx context.Context, opts timeouts.Opts, diags *diag.Diagnostics) (schema.SingleNestedBlock, bool) {
	tb, ok := timeouts.Block(ctx, opts).(schema.SingleNestedBlock)
	if !ok {
		diags.AddError("Unexpected Timeouts Block", fmt.Sprintf("terraform-plugin-framework-timeouts returned a %T; please report this to the provider's developers.", timeouts.Block(ctx, opts)))
		return tb, false
	}
	tb.MarkdownDescription = "Timeouts of the resource's operations, as durations such as `\"30s\"` or `\"15m\"`."
	for name, a := range tb.Attributes {
		if s, ok := a.(schema.StringAttribute); ok {
			s.MarkdownDescription = s.Description
			tb.Attributes[name] = s
		}
	}
	return tb, true
}

func nullTimeouts() timeouts.Value {
	return timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
		"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
	})}
}

// stateOrPlan is a resource's plan or state, or a configuration.
type stateOrPlan interface {
	Get(context.Context, any) diag.Diagnostics
}

// loadDrWeb reads a model from a plan, a state or a configuration and
// returns the Dr.Web client; nil when either failed (the diagnostics say
// why).
func loadDrWeb[M any](ctx context.Context, clients *providerClients, from stateOrPlan, m *M, diags *diag.Diagnostics) *drweb.Client {
	if diags.Append(from.Get(ctx, m)...); diags.HasError() {
		return nil
	}
	c, d := clients.DrWeb()
	diags.Append(d...)
	return c
}

// withTimeout bounds an operation by its timeout from the timeouts block.
func withTimeout(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, dd := get(ctx, def)
	diags.Append(dd...)
	return context.WithTimeout(ctx, d)
}

// listDrWeb reads a list block's configuration and returns the Dr.Web
// client; nil when either failed (the diagnostics say why).
func listDrWeb[M any](ctx context.Context, clients *providerClients, req list.ListRequest, cfg *M, diags *diag.Diagnostics) *drweb.Client {
	if clients == nil {
		diags.AddError("Provider Not Configured",
			"The list resource was asked for results before the provider was configured. This is a bug in the provider or the CLI: "+
				"please report it to the provider's developers.")
		return nil
	}
	return loadDrWeb(ctx, clients, req.Config, cfg, diags)
}

// limitOf is the number of results a query asks for at most: Terraform's
// `limit` (100 unless the list block says otherwise); none when it sends
// no positive limit.
func limitOf(req list.ListRequest) int {
	if req.Limit <= 0 || req.Limit > int64(^uint32(0)>>1) {
		return int(^uint32(0) >> 1)
	}
	return int(req.Limit)
}
