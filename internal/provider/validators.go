package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// The schema's string validators: each checks a value at plan time with the
// parser that reads it later, so that plan and apply judge it alike.

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
