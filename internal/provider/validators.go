package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// stringCheck is a string validator made of a description and a check that
// returns the problem's summary and detail (empty when the value is fine).
type stringCheck struct {
	description string
	check       func(string) (summary, detail string)
}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if summary, detail := v.check(req.ConfigValue.ValueString()); summary != "" {
		resp.Diagnostics.AddAttributeError(req.Path, summary, detail)
	}
}

func durationValidator() validator.String {
	return stringCheck{"value must be a positive Go duration such as 30s", func(s string) (string, string) {
		if _, err := parseDuration(s); err != nil {
			return "Invalid Duration", err.Error()
		}
		return "", ""
	}}
}

// ttlValidator checks a cache TTL: a duration, 0 for a refresh.
func ttlValidator() validator.String {
	return stringCheck{"value must be a Go duration such as 10m, or 0s to refresh the cache now", func(s string) (string, string) {
		if _, err := parseTTL(s); err != nil {
			return "Invalid Cache TTL", err.Error()
		}
		return "", ""
	}}
}

// urlValidator checks a vendor's URL with its parser, and shows that
// vendor's example when it is wrong.
func urlValidator(parse func(string) (*url.URL, error), example string) validator.String {
	return stringCheck{"value must be an absolute http:// or https:// URL", func(s string) (string, string) {
		if _, err := parse(s); err != nil {
			return "Invalid URL", fmt.Sprintf("%v. Give the scheme and host, such as %s.", err, example)
		}
		return "", ""
	}}
}

func pemValidator() validator.String {
	return stringCheck{"value must hold at least one PEM certificate", func(s string) (string, string) {
		if _, err := client.TLSConfig(s, false); err != nil {
			return "Invalid CA Certificate", fmt.Sprintf("%v. Pass the file's contents, for example ca_cert_pem = file(\"ca.pem\").", err)
		}
		return "", ""
	}}
}

func regexValidator() validator.String {
	return stringCheck{"value must be a valid RE2 regular expression", func(s string) (string, string) {
		if _, err := regexp.Compile(s); err != nil {
			return "Invalid Regular Expression", fmt.Sprintf("%v. The syntax is RE2 (https://github.com/google/re2/wiki/Syntax).", err)
		}
		return "", ""
	}}
}

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
