package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/action"
)

// actionClients gives an action that embeds it the configured clients, in
// its Configure.
type actionClients struct{ clients *providerClients }

func (a *actionClients) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
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
