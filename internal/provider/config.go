package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

// The provider's defaults for the settings every vendor shares.
const (
	defaultRequestTimeout = 30 * time.Second
	defaultMaxRetries     = 5
	maxRetriesLimit       = 50
)

// Environment variables, named in errors so that users know both ways to fix one.
const (
	envOPSWATBaseURL      = "OPSWAT_BASE_URL"
	envOPSWATAccessToken  = "OPSWAT_ACCESS_TOKEN"
	envOPSWATClientID     = "OPSWAT_CLIENT_ID"
	envOPSWATClientSecret = "OPSWAT_CLIENT_SECRET"
	envOPSWATRPM          = "OPSWAT_REQUESTS_PER_MINUTE"
	envOPSWATCAFile       = "OPSWAT_CA_CERT_FILE"
	envOPSWATInsecure     = "OPSWAT_INSECURE_SKIP_VERIFY"
	envOPSWATCacheTTL     = "OPSWAT_CACHE_TTL"
	envOPSWATCacheDir     = "OPSWAT_CACHE_DIR"
	envRequestTimeout     = "ENDPOINTGROUPS_REQUEST_TIMEOUT"
	envMaxRetries         = "ENDPOINTGROUPS_MAX_RETRIES"
	envDrWebURL           = "DRWEB_URL"
	envDrWebLogin         = "DRWEB_LOGIN"
	envDrWebPassword      = "DRWEB_PASSWORD"
	envDrWebCAFile        = "DRWEB_CA_CERT_FILE"
	envDrWebInsecure      = "DRWEB_INSECURE_SKIP_VERIFY"
)

type providerModel struct {
	RequestTimeout types.String       `tfsdk:"request_timeout"`
	MaxRetries     types.Int64        `tfsdk:"max_retries"`
	OPSWAT         *opswatConfigModel `tfsdk:"opswat"`
	DrWeb          *drwebConfigModel  `tfsdk:"drweb"`
}

type opswatConfigModel struct {
	BaseURL            types.String `tfsdk:"base_url"`
	AccessToken        types.String `tfsdk:"access_token"`
	ClientID           types.String `tfsdk:"client_id"`
	ClientSecret       types.String `tfsdk:"client_secret"`
	RequestsPerMinute  types.Int64  `tfsdk:"requests_per_minute"`
	CacheTTL           types.String `tfsdk:"cache_ttl"`
	CacheDir           types.String `tfsdk:"cache_dir"`
	CACertPEM          types.String `tfsdk:"ca_cert_pem"`
	InsecureSkipVerify types.Bool   `tfsdk:"insecure_skip_verify"`
}

type drwebConfigModel struct {
	URL                types.String `tfsdk:"url"`
	Login              types.String `tfsdk:"login"`
	Password           types.String `tfsdk:"password"`
	CACertPEM          types.String `tfsdk:"ca_cert_pem"`
	InsecureSkipVerify types.Bool   `tfsdk:"insecure_skip_verify"`
}

// envLookup reads the process environment; tests pass their own.
func envLookup(name string) (string, bool) { return os.LookupEnv(name) }

type getenvFunc func(string) (string, bool)

// providerClients is what the provider hands its data sources and resources: a client per
// vendor, or the reason that vendor cannot be used.
type providerClients struct {
	opswat        *opswat.Client
	opswatProblem diag.Diagnostics
	drweb         *drweb.Client
	drwebProblem  diag.Diagnostics
}

// OPSWAT returns the OPSWAT client, or an error naming what is missing.
func (c *providerClients) OPSWAT() (*opswat.Client, diag.Diagnostics) {
	if c.opswat == nil {
		return nil, c.opswatProblem
	}
	return c.opswat, nil
}

// DrWeb returns the Dr.Web client, or an error naming what is missing.
func (c *providerClients) DrWeb() (*drweb.Client, diag.Diagnostics) {
	if c.drweb == nil {
		return nil, c.drwebProblem
	}
	return c.drweb, nil
}

// dataSourceClients gives a data source that embeds it the configured
// clients, in its Configure.
type dataSourceClients struct{ clients *providerClients }

func (d *dataSourceClients) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

// resourceClients gives a resource that embeds it the configured clients,
// in its Configure.
type resourceClients struct{ clients *providerClients }

func (r *resourceClients) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

// clientsFrom turns a data source's or resource's ProviderData into the configured clients.
// It returns nil before the provider is configured (validation), which
// callers treat as "nothing to do yet".
func clientsFrom(data any, diags *diag.Diagnostics) *providerClients {
	if data == nil {
		return nil
	}
	c, ok := data.(*providerClients)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *providerClients, got %T. This is a bug in the provider: please report it.", data))
		return nil
	}
	return c
}

// setting resolves attribute > environment variable.
func setting(attr types.String, env string, getenv getenvFunc) string {
	if isSet(attr) {
		return attr.ValueString()
	}
	v, _ := getenv(env)
	return v
}

func isSet(attr types.String) bool { return !attr.IsNull() && !attr.IsUnknown() }

// tlsSettings are the connection settings both vendors share.
type tlsSettings struct {
	caCertPEM string
	insecure  bool

	// Where the values the connection warnings are about came from: a
	// warning about an attribute points at it; one about an environment
	// variable has no place in the configuration to point at.
	insecureInConfig, urlInConfig bool
}

// field is one setting of a vendor block: its attribute, its environment
// variable and how errors speak of it.
type field struct {
	attr, env    string
	label, title string // "base URL" in a sentence, "Base URL" in a summary
}

// vendorBlock names a vendor's configuration block, maps the vendor's
// Config fields to its attributes and environment variables, and says how
// examples and warnings speak of the vendor.
type vendorBlock struct {
	name, block         string // "OPSWAT", "opswat"
	subsystem           string // of its log lines
	product             string // what its data sources read
	envCAFile, envInsec string
	credentials         string                       // what travels unencrypted over http://
	example             string                       // an address to show in errors
	urlHint             string                       // what the URL must be
	fields              map[client.ConfigField]field // keyed by the vendor's Config fields
}

var (
	opswatBlock = vendorBlock{
		name: "OPSWAT", block: "opswat", subsystem: subsystemOPSWAT, product: "OPSWAT MetaDefender IT Access", envCAFile: envOPSWATCAFile, envInsec: envOPSWATInsecure,
		credentials: "access token and client secret", example: opswat.DefaultBaseURL, urlHint: "Use the API host, such as " + opswat.DefaultBaseURL + ".",
		fields: map[client.ConfigField]field{
			opswat.FieldBaseURL:           {"base_url", envOPSWATBaseURL, "base URL", "Base URL"},
			opswat.FieldAccessToken:       {"access_token", envOPSWATAccessToken, "access token", "Access Token"},
			opswat.FieldClientID:          {"client_id", envOPSWATClientID, "client ID", "Client ID"},
			opswat.FieldClientSecret:      {"client_secret", envOPSWATClientSecret, "client secret", "Client Secret"},
			opswat.FieldRequestsPerMinute: {"requests_per_minute", envOPSWATRPM, "requests per minute", "Requests Per Minute"},
			opswat.FieldCacheTTL:          {"cache_ttl", envOPSWATCacheTTL, "cache TTL", "Cache TTL"},
			opswat.FieldCacheDir:          {"cache_dir", envOPSWATCacheDir, "cache directory", "Cache Directory"},
		},
	}
	drwebBlock = vendorBlock{
		name: "Dr.Web", block: "drweb", subsystem: subsystemDrWeb, product: "Dr.Web", envCAFile: envDrWebCAFile, envInsec: envDrWebInsecure,
		credentials: "administrator's login and password", example: "https://esuite.example.com:9081",
		urlHint: "Use the server's web address, such as https://esuite.example.com:9081.",
		fields: map[client.ConfigField]field{
			drweb.FieldURL:      {"url", envDrWebURL, "server URL", "URL"},
			drweb.FieldLogin:    {"login", envDrWebLogin, "login", "Login"},
			drweb.FieldPassword: {"password", envDrWebPassword, "password", "Password"},
		},
	}
)

// configProblem turns a vendor's configuration error into what the user
// reads: the attribute to set and its environment variable. Credentials
// that came from the environment are named by their variables.
func configProblem(v vendorBlock, err error, fromEnv bool) diag.Diagnostics {
	var ce *client.ConfigError
	if !errors.As(err, &ce) {
		return notConfigured("Invalid "+v.name+" Configuration", err.Error())
	}
	f := v.fields[ce.Field]
	// name is how the user gave a field: by its attribute or its variable.
	name := func(field client.ConfigField) string {
		if fromEnv {
			return v.fields[field].env
		}
		return v.block + "." + v.fields[field].attr
	}
	switch {
	case ce.Problem == client.Missing && v.block == "opswat" && ce.Field == "AccessToken":
		return notConfigured("OPSWAT Not Configured",
			fmt.Sprintf("This configuration reads OPSWAT MetaDefender IT Access groups, but the provider has no OPSWAT credentials. "+
				"In the provider's opswat block set access_token (or the environment variable %s), or client_id and client_secret "+
				"(or %s and %s).", envOPSWATAccessToken, envOPSWATClientID, envOPSWATClientSecret))
	case ce.Problem == client.Missing && ce.Other == "":
		return notConfigured(v.name+" Not Configured",
			fmt.Sprintf("This configuration uses %s groups, but the provider has no %s %s: set %s.%s in the provider "+
				"configuration or the environment variable %s.", v.product, v.name, strings.ReplaceAll(f.attr, "_", " "), v.block, f.attr, f.env))
	case ce.Problem == client.Missing:
		return notConfigured("Incomplete "+v.name+" Credentials",
			fmt.Sprintf("%s is set but the %s is missing: set %s.%s or the environment variable %s.", name(ce.Other), f.label, v.block, f.attr, f.env))
	case ce.Problem == client.Conflict:
		// OPSWAT's access token against its client credentials: the one
		// conflict a vendor reports.
		return notConfigured("Conflicting "+v.name+" Credentials",
			fmt.Sprintf("Both %s and %s/%s are set. Set either an access token or client credentials, not both.",
				name(ce.Field), name(opswat.FieldClientID), name(opswat.FieldClientSecret)))
	}
	detail := fmt.Sprintf("The %s %s (%s.%s or %s) is invalid: %v.", v.name, f.label, v.block, f.attr, f.env, ce.Err)
	if (f.attr == "url" || f.attr == "base_url") && !errors.Is(ce.Err, opswat.ErrBaseURLHasPath) { // that one names the host to use
		detail += " " + v.urlHint
	}
	return notConfigured("Invalid "+v.name+" "+f.title, detail)
}

// resolveTLS works out a vendor's TLS settings (attribute > environment).
func resolveTLS(v vendorBlock, ca types.String, insecure types.Bool, getenv getenvFunc) (s tlsSettings, problem diag.Diagnostics) {
	if isSet(ca) {
		s.caCertPEM = ca.ValueString()
	} else if file, ok := getenv(v.envCAFile); ok && file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return s, notConfigured("Unreadable "+v.name+" CA Certificate File",
				fmt.Sprintf("%s names %q, which cannot be read: %v.", v.envCAFile, file, err))
		}
		if _, err := client.TLSConfig(string(data), false); err != nil {
			return s, notConfigured("Invalid "+v.name+" CA Certificate File",
				fmt.Sprintf("%s names %q: %v.", v.envCAFile, file, err))
		}
		s.caCertPEM = string(data)
	}
	if !insecure.IsNull() {
		s.insecure, s.insecureInConfig = insecure.ValueBool(), true
	} else if val, ok := getenv(v.envInsec); ok && val != "" {
		b, err := strconv.ParseBool(strings.TrimSpace(val))
		if err != nil {
			return s, notConfigured("Invalid "+v.envInsec,
				fmt.Sprintf("The environment variable %s is %q; it must be true or false.", v.envInsec, val))
		}
		s.insecure = b
	}
	return s, nil
}

// connectionWarnings warns about connections that expose the credentials.
func connectionWarnings(v vendorBlock, s tlsSettings, u *url.URL) (warnings diag.Diagnostics) {
	urlField := v.fields[drweb.FieldURL]
	if urlField.attr == "" {
		urlField = v.fields[opswat.FieldBaseURL]
	}
	warn := func(inConfig bool, attr, env, summary, detail string) {
		if inConfig {
			warnings.AddAttributeWarning(path.Root(v.block).AtName(attr), summary, detail)
			return
		}
		warnings.AddWarning(summary, fmt.Sprintf("%s (set by the environment variable %s)", detail, env))
	}
	if s.insecure && u.Scheme == "https" {
		warn(s.insecureInConfig, "insecure_skip_verify", v.envInsec, v.name+" TLS Verification Is Off",
			fmt.Sprintf("insecure_skip_verify is true: the provider does not check the %s server's certificate, so anyone on the way "+
				"can pose as the server and read the %s. Give the server's CA in %s.ca_cert_pem (or %s) instead.",
				v.name, v.credentials, v.block, v.envCAFile))
	}
	if u.Scheme == "http" && !isLoopback(u) {
		warn(s.urlInConfig, urlField.attr, urlField.env, v.name+" Credentials Sent Unencrypted",
			fmt.Sprintf("The %s URL %s uses plain http:// to a host other than this machine, so the %s travel unencrypted. "+
				"Use the server's https:// address (such as %s).", v.name, u.Redacted(), v.credentials, v.example))
	}
	return warnings
}

func notConfigured(summary, detail string) diag.Diagnostics {
	var d diag.Diagnostics
	d.AddError(summary, detail)
	return d
}

// opswatSource is the OPSWAT block and the environment mapped onto the
// vendor's Config, before the vendor validates it.
type opswatSource struct {
	cfg     opswat.Config
	tls     tlsSettings
	fromEnv bool // the credentials came from the environment
}

// resolveOPSWAT maps attributes and environment variables (attribute wins)
// onto the OPSWAT Config. A problem here is one of the sources itself: a
// value unknown at plan time, a variable that does not parse.
func resolveOPSWAT(m *opswatConfigModel, getenv getenvFunc) (src opswatSource, problem diag.Diagnostics) {
	if m == nil {
		m = &opswatConfigModel{}
	}
	if attr := unknownOPSWAT(m); attr != "" {
		return src, notKnownYet(opswatBlock, attr)
	}
	src.cfg.BaseURL = setting(m.BaseURL, envOPSWATBaseURL, getenv)
	if !m.RequestsPerMinute.IsNull() {
		src.cfg.RequestsPerMinute = int(m.RequestsPerMinute.ValueInt64())
	} else if v, ok := getenv(envOPSWATRPM); ok && v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return src, notConfigured("Invalid OPSWAT_REQUESTS_PER_MINUTE",
				fmt.Sprintf("The environment variable %s is %q; it must be a whole number of at least 1 (the API allows %d).", envOPSWATRPM, v, opswat.DefaultRequestsPerMinute))
		}
		src.cfg.RequestsPerMinute = n
	}
	if ttl := setting(m.CacheTTL, envOPSWATCacheTTL, getenv); ttl != "" {
		d, err := parseTTL(ttl)
		if err != nil {
			return src, notConfigured("Invalid OPSWAT Cache TTL",
				fmt.Sprintf("The cache TTL (opswat.cache_ttl or %s) is invalid: %v.", envOPSWATCacheTTL, err))
		}
		src.cfg.CacheTTL, src.cfg.CacheRefresh = d, d == 0
	}
	src.cfg.CacheDir = setting(m.CacheDir, envOPSWATCacheDir, getenv)
	if src.cfg.CacheDir == "" && (src.cfg.CacheTTL > 0 || src.cfg.CacheRefresh) {
		base, err := os.UserCacheDir()
		if err != nil {
			return src, notConfigured("No Directory for the OPSWAT Cache",
				fmt.Sprintf("cache_ttl is set, but the user's cache directory is not known (%v): set opswat.cache_dir or %s.", err, envOPSWATCacheDir))
		}
		src.cfg.CacheDir = filepath.Join(base, "terraform-provider-endpointgroups", "opswat")
	}
	if src.tls, problem = resolveTLS(opswatBlock, m.CACertPEM, m.InsecureSkipVerify, getenv); problem.HasError() {
		return src, problem
	}
	src.tls.urlInConfig = !m.BaseURL.IsNull()
	// Credentials come from the configuration when any is set there, and
	// from the environment otherwise, so that the two never mix.
	none := types.StringNull()
	if isSet(m.AccessToken) || isSet(m.ClientID) || isSet(m.ClientSecret) {
		src.cfg.AccessToken, src.cfg.ClientID, src.cfg.ClientSecret = m.AccessToken.ValueString(), m.ClientID.ValueString(), m.ClientSecret.ValueString()
	} else {
		src.fromEnv = true
		src.cfg.AccessToken = setting(none, envOPSWATAccessToken, getenv)
		src.cfg.ClientID = setting(none, envOPSWATClientID, getenv)
		src.cfg.ClientSecret = setting(none, envOPSWATClientSecret, getenv)
	}
	return src, nil
}

// newOPSWAT builds the OPSWAT client; a problem means the OPSWAT data
// sources cannot run (the Dr.Web ones still can).
func newOPSWAT(m *opswatConfigModel, getenv getenvFunc, s client.Settings) (c *opswat.Client, warnings, problem diag.Diagnostics) {
	src, problem := resolveOPSWAT(m, getenv)
	if problem.HasError() {
		return nil, nil, problem
	}
	return connect(opswatBlock, src.tls, s, src.fromEnv, func(s client.Settings) (*opswat.Client, error) { return opswat.New(src.cfg, s) })
}

// connect builds a vendor's client with the shared settings and the
// vendor's TLS settings and log subsystem, and warns about connections
// that expose the credentials.
func connect[C interface{ BaseURL() *url.URL }](v vendorBlock, tls tlsSettings, s client.Settings, fromEnv bool,
	newClient func(client.Settings) (C, error),
) (c C, warnings, problem diag.Diagnostics) {
	s.CACertPEM, s.InsecureSkipVerify, s.Logger = tls.caCertPEM, tls.insecure, tfLogger{subsystem: v.subsystem}
	c, err := newClient(s)
	if err != nil {
		return c, nil, configProblem(v, err, fromEnv)
	}
	return c, connectionWarnings(v, tls, c.BaseURL()), nil
}

// drwebSource is the Dr.Web block and the environment mapped onto the
// vendor's Config.
type drwebSource struct {
	cfg drweb.Config
	tls tlsSettings
}

// resolveDrWeb maps attributes and environment variables (attribute wins)
// onto the Dr.Web Config.
func resolveDrWeb(m *drwebConfigModel, getenv getenvFunc) (src drwebSource, problem diag.Diagnostics) {
	if m == nil {
		m = &drwebConfigModel{}
	}
	if attr := unknownDrWeb(m); attr != "" {
		return src, notKnownYet(drwebBlock, attr)
	}
	src.cfg = drweb.Config{
		URL:      setting(m.URL, envDrWebURL, getenv),
		Login:    setting(m.Login, envDrWebLogin, getenv),
		Password: setting(m.Password, envDrWebPassword, getenv),
	}
	src.tls, problem = resolveTLS(drwebBlock, m.CACertPEM, m.InsecureSkipVerify, getenv)
	src.tls.urlInConfig = !m.URL.IsNull()
	return src, problem
}

// newDrWeb builds the Dr.Web client; a problem means the Dr.Web data
// sources and resource cannot run.
func newDrWeb(m *drwebConfigModel, getenv getenvFunc, s client.Settings) (c *drweb.Client, warnings, problem diag.Diagnostics) {
	src, problem := resolveDrWeb(m, getenv)
	if problem.HasError() {
		return nil, nil, problem
	}
	return connect(drwebBlock, src.tls, s, false, func(s client.Settings) (*drweb.Client, error) {
		c, err := drweb.New(src.cfg, s)
		if err == nil && src.cfg.Password == "" && (m == nil || m.Password.IsNull()) {
			// The API takes an empty password only when the configuration
			// says so (password = ""): one set nowhere was forgotten.
			return nil, &client.ConfigError{Vendor: drweb.Vendor, Field: "Password", Problem: client.Missing}
		}
		return c, err
	})
}

func isLoopback(u *url.URL) bool {
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// configureClients builds the vendor clients from the configuration.
func configureClients(cfg providerModel, getenv getenvFunc, version, terraformVersion string) (*providerClients, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := client.Settings{Timeout: defaultRequestTimeout, MaxRetries: defaultMaxRetries, UserAgent: "terraform-provider-endpointgroups/" + version}
	if terraformVersion != "" {
		s.UserAgent += " (+terraform " + terraformVersion + ")"
	}
	if v := setting(cfg.RequestTimeout, envRequestTimeout, getenv); v != "" {
		d, err := parseDuration(v)
		if err != nil {
			diags.AddAttributeError(path.Root("request_timeout"), "Invalid Request Timeout", fmt.Sprintf("request_timeout (or %s): %v", envRequestTimeout, err))
			return nil, diags
		}
		s.Timeout = d
	}
	if !cfg.MaxRetries.IsNull() && !cfg.MaxRetries.IsUnknown() {
		s.MaxRetries = int(cfg.MaxRetries.ValueInt64())
	} else if v, ok := getenv(envMaxRetries); ok && v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > maxRetriesLimit {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid "+envMaxRetries,
				fmt.Sprintf("The environment variable %s is %q; it must be a whole number from 0 to %d.", envMaxRetries, v, maxRetriesLimit))
			return nil, diags
		}
		s.MaxRetries = n
	}

	clients := &providerClients{}
	var warnings diag.Diagnostics
	clients.opswat, warnings, clients.opswatProblem = newOPSWAT(cfg.OPSWAT, getenv, s)
	diags.Append(warnings...)
	clients.drweb, warnings, clients.drwebProblem = newDrWeb(cfg.DrWeb, getenv, s)
	diags.Append(warnings...)
	return clients, diags
}

// unknownOPSWAT and unknownDrWeb name the first attribute of a block that
// is unknown at plan time, or "".
func unknownOPSWAT(m *opswatConfigModel) string {
	return firstUnknown([]string{"base_url", "access_token", "client_id", "client_secret", "requests_per_minute", "cache_ttl", "cache_dir", "ca_cert_pem", "insecure_skip_verify"},
		m.BaseURL, m.AccessToken, m.ClientID, m.ClientSecret, m.RequestsPerMinute, m.CacheTTL, m.CacheDir, m.CACertPEM, m.InsecureSkipVerify)
}

func unknownDrWeb(m *drwebConfigModel) string {
	return firstUnknown([]string{"url", "login", "password", "ca_cert_pem", "insecure_skip_verify"},
		m.URL, m.Login, m.Password, m.CACertPEM, m.InsecureSkipVerify)
}

func firstUnknown(names []string, values ...interface{ IsUnknown() bool }) string {
	for i, v := range values {
		if v.IsUnknown() {
			return names[i]
		}
	}
	return ""
}

func notKnownYet(v vendorBlock, attr string) diag.Diagnostics {
	env := map[string]string{"ca_cert_pem": v.envCAFile, "insecure_skip_verify": v.envInsec}[attr]
	for _, f := range v.fields {
		if f.attr == attr {
			env = f.env
		}
	}
	return notConfigured(v.name+" Configuration Not Known Yet",
		fmt.Sprintf("The provider's %s.%s depends on a value that is only known after apply, but the provider "+
			"needs it during plan, when data sources are read and resources refreshed. Use a value known at plan time (a variable, or the %s environment variable), "+
			"or apply the resource it comes from first.", v.block, attr, env))
}

// hasUnknown reports whether any configuration value is unknown at plan time.
func hasUnknown(cfg providerModel) bool {
	return cfg.RequestTimeout.IsUnknown() || cfg.MaxRetries.IsUnknown() ||
		(cfg.OPSWAT != nil && unknownOPSWAT(cfg.OPSWAT) != "") || (cfg.DrWeb != nil && unknownDrWeb(cfg.DrWeb) != "")
}

// parseTTL reads a cache TTL: a duration such as 10m, or 0 for none.
func parseTTL(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write it like 10m or 1h, or 0s for no cache", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative: give 0s for no cache, or a duration such as 10m", s)
	}
	return d, nil
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write it like 30s, 2m or 1m30s", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration: a request needs some time, such as 30s", s)
	}
	return d, nil
}
