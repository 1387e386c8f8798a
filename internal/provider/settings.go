package provider

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// A provider setting is declared once, as a row of its block's table
// (rootSettings, opswatSettings, drwebSettings): the row gives the schema
// attribute, the environment variable, the vendor Config field it fills, how
// errors name it, and how its value is applied. Resolution (attribute over
// environment), unknown detection, the field-error mapping and the tests'
// list of variables all read the tables.

// The TLS settings every vendor block has; the provider names them in hints.
const (
	attrCACert   = "ca_cert_pem"
	attrInsecure = "insecure_skip_verify"
)

// settingKind is the Terraform type of a setting's attribute.
type settingKind int

const (
	stringSetting settingKind = iota
	int64Setting
	boolSetting
)

// field is how users know a setting: its attribute, its environment
// variable, and how errors speak of it.
type field struct {
	attr, env    string
	config       client.ConfigField // the vendor Config field it fills, if any
	label, title string             // "base URL" in a sentence, "Base URL" in a summary
}

// value is a setting as the user gave it: its attribute's value written out,
// or else its environment variable.
type value struct {
	field
	raw      string
	inConfig bool
}

// setting is one row of a block's table; S is what the block resolves to.
type setting[S any] struct {
	field
	kind       settingKind
	sensitive  bool
	doc        string // the attribute's description; $ENV stands for the variable's name
	strings    []validator.String
	ints       []validator.Int64
	credential bool // taken with the block's other credentials from one place: the configuration if any is set there, else the environment
	// apply puts a value into S; it is called only for a value the user
	// gave, and reports what is wrong with it.
	apply func(src *S, v value) diag.Diagnostics
}

// vendorBlock names a vendor's configuration block and says how examples,
// warnings and errors speak of the vendor; fields come from its table.
type vendorBlock struct {
	name, block string // "OPSWAT", "opswat"
	subsystem   string // of its log lines
	product     string // what its data sources read
	credentials string // what travels unencrypted over http://
	example     string // an address to show in errors
	urlHint     string // what the URL must be
	url         client.ConfigField
	fields      []field
}

// byConfig and byAttr find a setting of the block; the tests check that
// every vendor field and every attribute the provider names has a row.
func (v vendorBlock) byConfig(f client.ConfigField) field {
	for _, s := range v.fields {
		if s.config == f {
			return s
		}
	}
	return field{}
}

func (v vendorBlock) byAttr(attr string) field {
	for _, s := range v.fields {
		if s.attr == attr {
			return s
		}
	}
	return field{}
}

// settingsBlock is a block's table: the vendorBlock, and its settings in the
// order they are applied.
type settingsBlock[S any] struct {
	vendorBlock
	settings []setting[S]
}

func newSettingsBlock[S any](v vendorBlock, settings []setting[S]) settingsBlock[S] {
	for _, s := range settings {
		v.fields = append(v.fields, s.field)
	}
	return settingsBlock[S]{vendorBlock: v, settings: settings}
}

// attributes is the block's schema.
func (b settingsBlock[S]) attributes() map[string]schema.Attribute {
	attrs := make(map[string]schema.Attribute, len(b.settings))
	for _, s := range b.settings {
		doc := strings.ReplaceAll(s.doc, "$ENV", s.env)
		switch s.kind {
		case stringSetting:
			attrs[s.attr] = schema.StringAttribute{MarkdownDescription: doc, Optional: true, Sensitive: s.sensitive, Validators: s.strings}
		case int64Setting:
			attrs[s.attr] = schema.Int64Attribute{MarkdownDescription: doc, Optional: true, Sensitive: s.sensitive, Validators: s.ints}
		case boolSetting:
			attrs[s.attr] = schema.BoolAttribute{MarkdownDescription: doc, Optional: true, Sensitive: s.sensitive}
		}
	}
	return attrs
}

// blockValues is a block's configuration by attribute name; an attribute
// that is not there is null.
type blockValues map[string]attr.Value

// unknown names the block's first setting that is unknown at plan time, or "".
func (b settingsBlock[S]) unknown(values blockValues) string {
	for _, s := range b.settings {
		if v := values[s.attr]; v != nil && v.IsUnknown() {
			return s.attr
		}
	}
	return ""
}

// resolve applies each setting the user gave to src: the attribute's value,
// or else its environment variable (an empty variable is not set).
// Credentials come from the configuration when any is set there, and from
// the environment otherwise, so that the two never mix; credentialsFromEnv
// says which.
func (b settingsBlock[S]) resolve(values blockValues, getenv getenvFunc, src *S) (credentialsFromEnv bool, problem diag.Diagnostics) {
	hasCredentials, credentialsInConfig := false, false
	for _, s := range b.settings {
		if s.credential {
			hasCredentials = true
			if _, ok := configValue(values[s.attr]); ok {
				credentialsInConfig = true
			}
		}
	}
	for _, s := range b.settings {
		v, ok := configValue(values[s.attr])
		if !ok && (!s.credential || !credentialsInConfig) {
			raw, _ := getenv(s.env)
			v, ok = value{raw: raw}, raw != ""
		}
		v.field = s.field
		if !ok {
			continue
		}
		if problem = s.apply(src, v); problem.HasError() {
			return false, problem
		}
	}
	return hasCredentials && !credentialsInConfig, nil
}

// configValue writes out an attribute's value; ok is false when it is null
// or unknown.
func configValue(v attr.Value) (value, bool) {
	if v == nil || v.IsNull() || v.IsUnknown() {
		return value{}, false
	}
	switch v := v.(type) {
	case types.String:
		return value{raw: v.ValueString(), inConfig: true}, true
	case types.Int64:
		return value{raw: strconv.FormatInt(v.ValueInt64(), 10), inConfig: true}, true
	case types.Bool:
		return value{raw: strconv.FormatBool(v.ValueBool()), inConfig: true}, true
	}
	return value{}, false
}

// envVars are the environment variables of every setting.
func envVars() []string {
	var names []string
	for _, v := range []vendorBlock{rootSettings.vendorBlock, opswatSettings.vendorBlock, drwebSettings.vendorBlock} {
		for _, f := range v.fields {
			names = append(names, f.env)
		}
	}
	return names
}

// wholeNumber reads a whole number from lo to hi (hi < lo: no upper bound).
func wholeNumber(raw string, lo, hi int) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	return n, err == nil && n >= lo && (hi < lo || n <= hi)
}

// tlsSettings are the connection settings both vendors share.
type tlsSettings struct {
	caCertPEM string
	insecure  bool

	// Where the values the connection warnings are about came from: a
	// warning about an attribute points at it; one about an environment
	// variable has no place in the configuration to point at.
	insecureInConfig, urlInConfig bool
}

// tlsRows are the TLS settings of a vendor block, the same shape in both;
// tls finds them in what the block resolves to.
func tlsRows[S any](v vendorBlock, envCAFile, envInsecure string, tls func(*S) *tlsSettings) []setting[S] {
	vendor, credentials := v.name, v.credentials
	return []setting[S]{
		{
			field: field{attr: attrCACert, env: envCAFile, label: "CA certificate", title: "CA Certificate"},
			doc: "PEM-encoded CA certificates to trust besides the system's, for a " + vendor + " server with a " +
				"self-signed or private certificate (for example `file(\"ca.pem\")`). Environment variable `$ENV` (a path to the PEM file).",
			strings: []validator.String{pemValidator()},
			apply: func(src *S, v value) diag.Diagnostics {
				if v.inConfig {
					tls(src).caCertPEM = v.raw
					return nil
				}
				data, err := os.ReadFile(v.raw)
				if err != nil {
					return notConfigured("Unreadable "+vendor+" CA Certificate File", fmt.Sprintf("%s names %q, which cannot be read: %v.", v.env, v.raw, err))
				}
				if _, err := client.TLSConfig(string(data), false); err != nil {
					return notConfigured("Invalid "+vendor+" CA Certificate File", fmt.Sprintf("%s names %q: %v.", v.env, v.raw, err))
				}
				tls(src).caCertPEM = string(data)
				return nil
			},
		},
		{
			field: field{attr: attrInsecure, env: envInsecure, label: "TLS verification switch", title: "Insecure Skip Verify"},
			kind:  boolSetting,
			doc: "Skip verification of the " + vendor + " server's TLS certificate. Anyone between the provider and " +
				"the server can then read the " + credentials + ": prefer `ca_cert_pem`. Environment variable `$ENV`; default `false`.",
			apply: func(src *S, v value) diag.Diagnostics {
				b, err := strconv.ParseBool(strings.TrimSpace(v.raw))
				if err != nil {
					return notConfigured("Invalid "+v.env, fmt.Sprintf("The environment variable %s is %q; it must be true or false.", v.env, v.raw))
				}
				tls(src).insecure, tls(src).insecureInConfig = b, v.inConfig
				return nil
			},
		},
	}
}

func notConfigured(summary, detail string) diag.Diagnostics {
	var d diag.Diagnostics
	d.AddError(summary, detail)
	return d
}
