package provider

import (
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The filters the plural data sources and the list resources share:
// name_regex (checked in the schema by regexValidator) and min_results.

// keepNamed keeps, in order, the items whose names match re (all when nil):
// the name_regex filter of the plural data sources.
func keepNamed[T any](items []T, re *regexp.Regexp, nameOf func(T) string) []T {
	out := make([]T, 0, len(items))
	for _, it := range items {
		if re == nil || re.MatchString(nameOf(it)) {
			out = append(out, it)
		}
	}
	return out
}

// addTooFew is the min_results error of a plural data source: how many were
// found, by which filter, among how many.
func addTooFew(diags *diag.Diagnostics, what string, found int, least int64, filter string, searched int, advice string) {
	diags.AddAttributeError(path.Root("min_results"), "Too Few "+what,
		fmt.Sprintf("Found %d groups, fewer than min_results = %d. The filter was %s, applied to %d groups. %s",
			found, least, filter, searched, advice))
}

// compileNameRegex compiles an optional name_regex (nil when unset). The
// schema validator has checked it at plan time already.
func compileNameRegex(v types.String, diags *diag.Diagnostics) (*regexp.Regexp, bool) {
	if v.IsNull() || v.IsUnknown() {
		return nil, true
	}
	re, err := regexp.Compile(v.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("name_regex"), "Invalid Regular Expression", err.Error())
		return nil, false
	}
	return re, true
}
