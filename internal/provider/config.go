package provider

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

const (
	defaultOPSWATBaseURL  = opswat.DefaultBaseURL
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

// providerClients is what the provider hands its data sources: a client per
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

// clientsFrom turns a data source's ProviderData into the configured clients.
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

// setting resolves attribute > environment variable > default.
func setting(attr types.String, env string, getenv getenvFunc, def string) string {
	if !attr.IsNull() && !attr.IsUnknown() {
		return attr.ValueString()
	}
	if v, ok := getenv(env); ok && v != "" {
		return v
	}
	return def
}

func isSet(attr types.String) bool { return !attr.IsNull() && !attr.IsUnknown() }

// opswatSettings is the resolved OPSWAT configuration.
type opswatSettings struct {
	baseURL           string
	accessToken       string
	clientID          string
	clientSecret      string
	requestsPerMinute int
	tls               tlsSettings
}

// tlsSettings are the connection settings both vendors share.
type tlsSettings struct {
	caCertPEM string
	insecure  bool
}

// vendorBlock names a vendor's configuration block, its environment
// variables and how its examples and warnings speak of it.
type vendorBlock struct {
	name, block         string // "OPSWAT", "opswat"
	envCAFile, envInsec string
	credentials         string // what travels unencrypted over http://
	example             string // an address to show in errors
}

var (
	opswatBlock = vendorBlock{"OPSWAT", "opswat", envOPSWATCAFile, envOPSWATInsecure, "access token and client secret", "https://gears.opswat.com"}
	drwebBlock  = vendorBlock{"Dr.Web", "drweb", envDrWebCAFile, envDrWebInsecure, "administrator's login and password", "https://esuite.example.com:9081"}
)

// resolveTLS works out a vendor's TLS settings (attribute > environment),
// and warns about connections that expose the credentials.
func resolveTLS(v vendorBlock, ca types.String, insecure types.Bool, getenv getenvFunc, u *url.URL) (s tlsSettings, warnings, problem diag.Diagnostics) {
	if isSet(ca) {
		s.caCertPEM = ca.ValueString()
	} else if file, ok := getenv(v.envCAFile); ok && file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return s, nil, notConfigured("Unreadable "+v.name+" CA Certificate File",
				fmt.Sprintf("%s names %q, which cannot be read: %v.", v.envCAFile, file, err))
		}
		if _, err := client.TLSConfig(string(data), false); err != nil {
			return s, nil, notConfigured("Invalid "+v.name+" CA Certificate File",
				fmt.Sprintf("%s names %q: %v.", v.envCAFile, file, err))
		}
		s.caCertPEM = string(data)
	}
	if !insecure.IsNull() {
		s.insecure = insecure.ValueBool()
	} else if val, ok := getenv(v.envInsec); ok && val != "" {
		b, err := strconv.ParseBool(strings.TrimSpace(val))
		if err != nil {
			return s, nil, notConfigured("Invalid "+v.envInsec,
				fmt.Sprintf("The environment variable %s is %q; it must be true or false.", v.envInsec, val))
		}
		s.insecure = b
	}
	if s.insecure && u.Scheme == "https" {
		warnings.AddAttributeWarning(path.Root(v.block).AtName("insecure_skip_verify"), v.name+" TLS Verification Is Off",
			fmt.Sprintf("insecure_skip_verify is true: the provider does not check the %s server's certificate, so anyone on the way "+
				"can pose as the server and read the %s. Give the server's CA in %s.ca_cert_pem (or %s) instead.",
				v.name, v.credentials, v.block, v.envCAFile))
	}
	if u.Scheme == "http" && !isLoopback(u) {
		warnings.AddAttributeWarning(path.Root(v.block).AtName(map[string]string{"opswat": "base_url", "drweb": "url"}[v.block]), v.name+" Credentials Sent Unencrypted",
			fmt.Sprintf("The %s URL %s uses plain http:// to a host other than this machine, so the %s travel unencrypted. "+
				"Use the server's https:// address (such as %s).", v.name, u.Redacted(), v.credentials, v.example))
	}
	return s, warnings, nil
}

func notConfigured(summary, detail string) diag.Diagnostics {
	var d diag.Diagnostics
	d.AddError(summary, detail)
	return d
}

// resolveOPSWAT works out the OPSWAT settings; a non-empty problem means the
// OPSWAT data sources cannot run (the Dr.Web ones still can).
func resolveOPSWAT(cfg *opswatConfigModel, getenv getenvFunc) (s opswatSettings, warnings, problem diag.Diagnostics) {
	if cfg == nil {
		cfg = &opswatConfigModel{}
	}
	for name, v := range map[string]interface{ IsUnknown() bool }{
		"base_url": cfg.BaseURL, "access_token": cfg.AccessToken, "client_id": cfg.ClientID,
		"client_secret": cfg.ClientSecret, "requests_per_minute": cfg.RequestsPerMinute,
		"ca_cert_pem": cfg.CACertPEM, "insecure_skip_verify": cfg.InsecureSkipVerify,
	} {
		if v.IsUnknown() {
			return opswatSettings{}, nil, notConfigured("OPSWAT Configuration Not Known Yet",
				fmt.Sprintf("The provider's opswat.%s depends on a value that is only known after apply, but data sources "+
					"are read during plan. Use a value known at plan time (a variable, or the %s environment variable), "+
					"or apply the resource it comes from first.", name, envFor(name)))
		}
	}
	s = opswatSettings{
		baseURL:           setting(cfg.BaseURL, envOPSWATBaseURL, getenv, defaultOPSWATBaseURL),
		requestsPerMinute: opswat.DefaultRequestsPerMinute,
	}
	if !cfg.RequestsPerMinute.IsNull() {
		s.requestsPerMinute = int(cfg.RequestsPerMinute.ValueInt64())
	} else if v, ok := getenv(envOPSWATRPM); ok && v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return s, nil, notConfigured("Invalid OPSWAT_REQUESTS_PER_MINUTE",
				fmt.Sprintf("The environment variable %s is %q; it must be a whole number of at least 1 (the API allows 10).", envOPSWATRPM, v))
		}
		s.requestsPerMinute = n
	}
	u, err := parseOPSWATBaseURL(s.baseURL)
	if err != nil {
		return s, nil, notConfigured("Invalid OPSWAT Base URL",
			fmt.Sprintf("The OPSWAT base URL (opswat.base_url or %s) is invalid: %v. Use the API host, such as %s.", envOPSWATBaseURL, err, defaultOPSWATBaseURL))
	}
	if s.tls, warnings, problem = resolveTLS(opswatBlock, cfg.CACertPEM, cfg.InsecureSkipVerify, getenv, u); problem.HasError() {
		return s, nil, problem
	}

	// Credentials come from the configuration when any is set there, and
	// from the environment otherwise, so that the two never mix.
	if isSet(cfg.AccessToken) || isSet(cfg.ClientID) || isSet(cfg.ClientSecret) {
		s.accessToken, s.clientID, s.clientSecret = cfg.AccessToken.ValueString(), cfg.ClientID.ValueString(), cfg.ClientSecret.ValueString()
		return s, warnings, nil
	}
	s.accessToken = setting(types.StringNull(), envOPSWATAccessToken, getenv, "")
	s.clientID = setting(types.StringNull(), envOPSWATClientID, getenv, "")
	s.clientSecret = setting(types.StringNull(), envOPSWATClientSecret, getenv, "")
	switch {
	case s.accessToken != "" && (s.clientID != "" || s.clientSecret != ""):
		return s, nil, notConfigured("Conflicting OPSWAT Credentials",
			fmt.Sprintf("Both %s and %s/%s are set. Set either an access token or client credentials, not both.", envOPSWATAccessToken, envOPSWATClientID, envOPSWATClientSecret))
	case s.accessToken == "" && s.clientID == "" && s.clientSecret == "":
		return s, nil, notConfigured("OPSWAT Not Configured",
			fmt.Sprintf("This data source reads OPSWAT MetaDefender IT Access groups, but the provider has no OPSWAT credentials. "+
				"In the provider's opswat block set access_token (or the environment variable %s), or client_id and client_secret "+
				"(or %s and %s).", envOPSWATAccessToken, envOPSWATClientID, envOPSWATClientSecret))
	case s.accessToken == "" && s.clientID == "":
		return s, nil, notConfigured("Incomplete OPSWAT Credentials",
			fmt.Sprintf("%s is set but the client ID is missing: set opswat.client_id or the environment variable %s.", envOPSWATClientSecret, envOPSWATClientID))
	case s.accessToken == "" && s.clientSecret == "":
		return s, nil, notConfigured("Incomplete OPSWAT Credentials",
			fmt.Sprintf("%s is set but the client secret is missing: set opswat.client_secret or the environment variable %s.", envOPSWATClientID, envOPSWATClientSecret))
	}
	return s, warnings, nil
}

func envFor(attr string) string {
	return map[string]string{
		"base_url": envOPSWATBaseURL, "access_token": envOPSWATAccessToken, "client_id": envOPSWATClientID,
		"client_secret": envOPSWATClientSecret, "requests_per_minute": envOPSWATRPM,
		"url": envDrWebURL, "login": envDrWebLogin, "request_timeout": envRequestTimeout, "max_retries": envMaxRetries, "password": envDrWebPassword,
		"ca_cert_pem": envDrWebCAFile, "insecure_skip_verify": envDrWebInsecure,
	}[attr]
}

// drwebSettings is the resolved Dr.Web configuration.
type drwebSettings struct {
	url, login, password string
	tls                  tlsSettings
}

// resolveDrWeb works out the Dr.Web settings; warnings are returned with a
// nil problem, errors make the Dr.Web data sources fail.
func resolveDrWeb(cfg *drwebConfigModel, getenv getenvFunc) (s drwebSettings, warnings, problem diag.Diagnostics) {
	if cfg == nil {
		cfg = &drwebConfigModel{}
	}
	for name, v := range map[string]interface{ IsUnknown() bool }{
		"url": cfg.URL, "login": cfg.Login, "password": cfg.Password, "ca_cert_pem": cfg.CACertPEM, "insecure_skip_verify": cfg.InsecureSkipVerify,
	} {
		if v.IsUnknown() {
			return s, nil, notConfigured("Dr.Web Configuration Not Known Yet",
				fmt.Sprintf("The provider's drweb.%s depends on a value that is only known after apply, but data sources "+
					"are read during plan. Use a value known at plan time (a variable, or the %s environment variable), "+
					"or apply the resource it comes from first.", name, envFor(name)))
		}
	}
	s.url = setting(cfg.URL, envDrWebURL, getenv, "")
	s.login = setting(cfg.Login, envDrWebLogin, getenv, "")
	s.password = setting(cfg.Password, envDrWebPassword, getenv, "")
	missing := func(attr, env string) diag.Diagnostics {
		return notConfigured("Dr.Web Not Configured",
			fmt.Sprintf("This data source reads Dr.Web groups, but the provider has no Dr.Web %s: set drweb.%s in the provider "+
				"configuration or the environment variable %s.", strings.ReplaceAll(attr, "_", " "), attr, env))
	}
	switch {
	case s.url == "":
		return s, nil, missing("url", envDrWebURL)
	case s.login == "":
		return s, nil, missing("login", envDrWebLogin)
	case s.password == "" && cfg.Password.IsNull():
		return s, nil, missing("password", envDrWebPassword)
	}
	u, err := client.ParseBaseURL(s.url)
	if err != nil {
		return s, nil, notConfigured("Invalid Dr.Web URL",
			fmt.Sprintf("The Dr.Web server URL (drweb.url or %s) is invalid: %v. Use the server's web address, such as %s.", envDrWebURL, err, drwebBlock.example))
	}
	s.tls, warnings, problem = resolveTLS(drwebBlock, cfg.CACertPEM, cfg.InsecureSkipVerify, getenv, u)
	return s, warnings, problem
}

// parseOPSWATBaseURL checks an OPSWAT base URL: the API host, without a path
// (the client adds /o/api/v3/… itself).
func parseOPSWATBaseURL(s string) (*url.URL, error) {
	u, err := client.ParseBaseURL(s)
	if err != nil {
		return nil, err
	}
	if u.Path != "" {
		return nil, fmt.Errorf("%s has a path (%q), but the base URL is the API host only: use %s", u.Redacted(), u.Path, (&url.URL{Scheme: u.Scheme, Host: u.Host}).String())
	}
	return u, nil
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
	timeout := defaultRequestTimeout
	if v := setting(cfg.RequestTimeout, envRequestTimeout, getenv, ""); v != "" {
		d, err := parseDuration(v)
		if err != nil {
			diags.AddAttributeError(path.Root("request_timeout"), "Invalid Request Timeout", fmt.Sprintf("request_timeout (or %s): %v", envRequestTimeout, err))
			return nil, diags
		}
		timeout = d
	}
	retries := defaultMaxRetries
	if !cfg.MaxRetries.IsNull() && !cfg.MaxRetries.IsUnknown() {
		retries = int(cfg.MaxRetries.ValueInt64())
	} else if v, ok := getenv(envMaxRetries); ok && v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > maxRetriesLimit {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid "+envMaxRetries,
				fmt.Sprintf("The environment variable %s is %q; it must be a whole number from 0 to %d.", envMaxRetries, v, maxRetriesLimit))
			return nil, diags
		}
		retries = n
	}
	ua := "terraform-provider-endpointgroups/" + version
	if terraformVersion != "" {
		ua += " (+terraform " + terraformVersion + ")"
	}
	base := client.Config{UserAgent: ua, Timeout: timeout, MaxRetries: retries}

	clients := &providerClients{}
	if s, warnings, problem := resolveOPSWAT(cfg.OPSWAT, getenv); problem.HasError() {
		clients.opswatProblem = problem
	} else {
		diags.Append(warnings...)
		httpCfg := base
		httpCfg.Logger = tfLogger{subsystem: subsystemOPSWAT}
		httpCfg.CACertPEM, httpCfg.InsecureSkipVerify = s.tls.caCertPEM, s.tls.insecure
		opts := []opswat.Option{opswat.WithBaseURL(s.baseURL), opswat.WithRequestsPerMinute(s.requestsPerMinute), opswat.WithHTTP(httpCfg)}
		if s.accessToken != "" {
			opts = append(opts, opswat.WithAccessToken(s.accessToken))
		} else {
			opts = append(opts, opswat.WithClientCredentials(s.clientID, s.clientSecret))
		}
		c, err := opswat.New(opts...)
		if err != nil {
			clients.opswatProblem = notConfigured("Invalid OPSWAT Configuration", err.Error())
		}
		clients.opswat = c
	}

	s, warnings, problem := resolveDrWeb(cfg.DrWeb, getenv)
	if problem.HasError() {
		clients.drwebProblem = problem
	} else {
		diags.Append(warnings...)
		httpCfg := base
		httpCfg.Logger = tfLogger{subsystem: subsystemDrWeb}
		httpCfg.CACertPEM, httpCfg.InsecureSkipVerify = s.tls.caCertPEM, s.tls.insecure
		c, err := drweb.New(drweb.WithURL(s.url), drweb.WithCredentials(s.login, s.password), drweb.WithHTTP(httpCfg))
		if err != nil {
			clients.drwebProblem = notConfigured("Invalid Dr.Web Configuration", err.Error())
		}
		clients.drweb = c
	}
	return clients, diags
}

// hasUnknown reports whether any configuration value is unknown at plan time.
func hasUnknown(cfg providerModel) bool {
	if cfg.RequestTimeout.IsUnknown() || cfg.MaxRetries.IsUnknown() {
		return true
	}
	if o := cfg.OPSWAT; o != nil && (o.BaseURL.IsUnknown() || o.AccessToken.IsUnknown() || o.ClientID.IsUnknown() ||
		o.ClientSecret.IsUnknown() || o.RequestsPerMinute.IsUnknown() || o.CACertPEM.IsUnknown() || o.InsecureSkipVerify.IsUnknown()) {
		return true
	}
	if d := cfg.DrWeb; d != nil && (d.URL.IsUnknown() || d.Login.IsUnknown() || d.Password.IsUnknown() ||
		d.CACertPEM.IsUnknown() || d.InsecureSkipVerify.IsUnknown()) {
		return true
	}
	return false
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
