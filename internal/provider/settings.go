package provider

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// A provider setting is declared once, as a row of its block's table
// (rootSettings, opswatSettings, drwebSettings): the row gives the schema
// attribute, the environment variable, the vendor Config field it fills, how
// errors name it, and how its value is applied; a vendor block's table also
// holds the block's description and the words of the errors only that vendor
// reports. The schema, resolution (attribute over environment), unknown
// detection, the field-error mapping (configProblem) and the tests' list of
// variables (envVars) all read the tables.

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
	doc         string // the block's description
	subsystem   string // of its log lines
	product     string // what its data sources read
	credentials string // what travels unencrypted over http://
	example     string // an address to show in errors
	urlHint     string // what the URL must be
	url         client.ConfigField
	// urlNamesHost is a URL error that names the address to use itself:
	// urlHint is not added to it.
	urlNamesHost error
	// problem, when set, words the configuration errors only this vendor
	// reports; nil from it leaves an error to the words every block shares.
	problem func(v vendorBlock, ce *client.ConfigError, name func(client.ConfigField) string) diag.Diagnostics
	fields  []field
}

// byConfig and byAttr find a setting of the block; the tests check that
// every vendor field and every attribute the provider names has a row.
func (v vendorBlock) byConfig(f client.ConfigField) field {
	return v.find(func(s field) bool { return s.config == f })
}

func (v vendorBlock) byAttr(attr string) field {
	return v.find(func(s field) bool { return s.attr == attr })
}

func (v vendorBlock) find(is func(field) bool) field {
	if i := slices.IndexFunc(v.fields, is); i >= 0 {
		return v.fields[i]
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

// schemaBlock is the vendor block's schema.
func (b settingsBlock[S]) schemaBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{MarkdownDescription: b.doc, Attributes: b.attributes()}
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
// or else its environment variable (an empty variable is not set). A
// setting unknown at plan time is a problem of its own in a vendor block;
// the provider's own settings take it as not set. Credentials come from the
// configuration when any is set there, and from the environment otherwise,
// so that the two never mix; credentialsFromEnv says which.
func (b settingsBlock[S]) resolve(values blockValues, getenv getenvFunc, src *S) (credentialsFromEnv bool, problem diag.Diagnostics) {
	if attr := b.unknown(values); attr != "" && b.block != "" {
		return false, notKnownYet(b.vendorBlock, attr)
	}
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
					return badVariable(v, "true or false")
				}
				tls(src).insecure, tls(src).insecureInConfig = b, v.inConfig
				return nil
			},
		},
	}
}

// badVariable is an environment variable whose value does not parse (an
// attribute's was refused by its validator already).
func badVariable(v value, want string) diag.Diagnostics {
	return notConfigured("Invalid "+v.env, fmt.Sprintf("The environment variable %s is %q; it must be %s.", v.env, v.raw, want))
}

func notConfigured(summary, detail string) diag.Diagnostics {
	var d diag.Diagnostics
	d.AddError(summary, detail)
	return d
}

// warn adds a warning about a setting of the block: at its attribute when
// the value came from there, naming its environment variable otherwise.
func (v vendorBlock) warn(diags *diag.Diagnostics, inConfig bool, f field, summary, detail string) {
	if inConfig {
		diags.AddAttributeWarning(path.Root(v.block).AtName(f.attr), summary, detail)
		return
	}
	diags.AddWarning(summary, fmt.Sprintf("%s (set by the environment variable %s)", detail, f.env))
}

// configProblem turns a vendor's configuration error into what the user
// reads: the attribute to set and its environment variable. Credentials
// that came from the environment are named by their variables.
func configProblem(v vendorBlock, err error, fromEnv bool) diag.Diagnostics {
	var ce *client.ConfigError
	if !errors.As(err, &ce) {
		return notConfigured("Invalid "+v.name+" Configuration", err.Error())
	}
	// name is how the user gave a field: by its attribute or its variable.
	name := func(field client.ConfigField) string {
		if fromEnv {
			return v.byConfig(field).env
		}
		return v.block + "." + v.byConfig(field).attr
	}
	if v.problem != nil {
		if d := v.problem(v, ce, name); d != nil {
			return d
		}
	}
	f := v.byConfig(ce.Field)
	switch {
	case ce.Problem == client.Missing && ce.Other == "":
		return notConfigured(v.name+" Not Configured",
			fmt.Sprintf("This configuration uses %s groups, but the provider has no %s %s: set %s.%s in the provider "+
				"configuration or the environment variable %s.", v.product, v.name, strings.ReplaceAll(f.attr, "_", " "), v.block, f.attr, f.env))
	case ce.Problem == client.Missing:
		return notConfigured("Incomplete "+v.name+" Credentials",
			fmt.Sprintf("%s is set but the %s is missing: set %s.%s or the environment variable %s.", name(ce.Other), f.label, v.block, f.attr, f.env))
	}
	detail := fmt.Sprintf("The %s %s (%s.%s or %s) is invalid: %v.", v.name, f.label, v.block, f.attr, f.env, ce.Err)
	if ce.Field == v.url && (v.urlNamesHost == nil || !errors.Is(ce.Err, v.urlNamesHost)) {
		detail += " " + v.urlHint
	}
	return notConfigured("Invalid "+v.name+" "+f.title, detail)
}

func notKnownYet(v vendorBlock, attr string) diag.Diagnostics {
	env := v.byAttr(attr).env
	return notConfigured(v.name+" Configuration Not Known Yet",
		fmt.Sprintf("The provider's %s.%s depends on a value that is only known after apply, but the provider "+
			"needs it during plan, when data sources are read and resources refreshed. Use a value known at plan time (a variable, or the %s environment variable), "+
			"or apply the resource it comes from first.", v.block, attr, env))
}
