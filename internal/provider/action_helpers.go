package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// actionClients gives an action that embeds it the configured clients, in
// its Configure.
type actionClients struct{ clients *providerClients }

func (a *actionClients) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

// invokeWith reads an action's configuration into m and returns the vendor
// client it acts with; ok is false when either failed (the diagnostics say
// why) or the provider is not configured yet.
func invokeWith[M, C any](ctx context.Context, clients *providerClients, req action.InvokeRequest, m *M,
	vendor func(*providerClients) (C, diag.Diagnostics), diags *diag.Diagnostics,
) (c C, ok bool) {
	if diags.Append(req.Config.Get(ctx, m)...); diags.HasError() || clients == nil {
		return c, false
	}
	c, d := vendor(clients)
	diags.Append(d...)
	return c, !diags.HasError()
}

// setStrings is a set of strings from a configuration, in Go.
func setStrings(ctx context.Context, set types.Set, diags *diag.Diagnostics) ([]string, bool) {
	var out []string
	diags.Append(set.ElementsAs(ctx, &out, false)...)
	return out, !diags.HasError()
}

// maxNamed is how many items an error lists before it says how many more.
const maxNamed = 20

// listNamed lists items one a line, at most maxNamed of them.
func listNamed(items []string) string {
	shown := items
	if len(shown) > maxNamed {
		shown = shown[:maxNamed]
	}
	out := "  - " + strings.Join(shown, "\n  - ")
	if rest := len(items) - len(shown); rest > 0 {
		out += fmt.Sprintf("\n  … and %d more", rest)
	}
	return out
}
