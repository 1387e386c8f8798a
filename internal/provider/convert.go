package provider

import "github.com/hashicorp/terraform-plugin-framework/types"

// Converters every model uses.

// stringOrNull maps a reference the server sends as "" (there is none) to
// null. Free text is never passed through it.
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
