package provider

import (
	"cmp"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

var testSettings = client.Settings{Timeout: time.Second}

func env(vars map[string]string) getenvFunc {
	return func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
}

func problemText(d diag.Diagnostics) string {
	var b strings.Builder
	for _, e := range d {
		b.WriteString(e.Summary() + ": " + e.Detail() + "\n")
	}
	return b.String()
}

// certPEM returns a TLS test server's certificate, PEM-encoded, for ca_cert_pem.
func certPEM(cert *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
}

// testCA returns a CA certificate, PEM-encoded.
func testCA() string {
	srv := httptest.NewTLSServer(nil)
	srv.Close()
	return certPEM(srv.Certificate())
}

func TestResolveOPSWAT(t *testing.T) {
	t.Parallel()
	caPEM := testCA()
	userCache, _ := os.UserCacheDir()
	for name, tc := range map[string]struct {
		cfg              *opswatConfigModel
		env              map[string]string
		want             opswat.Config
		tls              tlsSettings
		problem, warning string
	}{
		"defaults from nothing but a token in the environment": {
			env:  map[string]string{envOPSWATAccessToken: "env-token"},
			want: opswat.Config{AccessToken: "env-token"},
		},
		"attribute beats environment": {
			cfg: &opswatConfigModel{BaseURL: types.StringValue("https://gears-beta.opswat.com"), ClientID: types.StringValue("id"),
				ClientSecret: types.StringValue("secret"), RequestsPerMinute: types.Int64Value(5)},
			env:  map[string]string{envOPSWATBaseURL: "https://other.example.com", envOPSWATAccessToken: "env-token", envOPSWATRPM: "7"},
			want: opswat.Config{BaseURL: "https://gears-beta.opswat.com", ClientID: "id", ClientSecret: "secret", RequestsPerMinute: 5},
			tls:  tlsSettings{urlInConfig: true},
		},
		"environment beats default": {
			env:  map[string]string{envOPSWATBaseURL: "https://tenant.example.com", envOPSWATClientID: "i", envOPSWATClientSecret: "s", envOPSWATRPM: "7"},
			want: opswat.Config{BaseURL: "https://tenant.example.com", ClientID: "i", ClientSecret: "s", RequestsPerMinute: 7},
		},
		"not configured names attributes and variables": {
			problem: "OPSWAT Not Configured: This configuration reads OPSWAT MetaDefender IT Access groups, but the provider has no OPSWAT credentials. In the provider's opswat block set access_token (or the environment variable OPSWAT_ACCESS_TOKEN), or client_id and client_secret (or OPSWAT_CLIENT_ID and OPSWAT_CLIENT_SECRET).",
		},
		"secret without id": {
			env:     map[string]string{envOPSWATClientSecret: "s"},
			problem: "Incomplete OPSWAT Credentials: OPSWAT_CLIENT_SECRET is set but the client ID is missing: set opswat.client_id or the environment variable OPSWAT_CLIENT_ID.",
		},
		"token and credentials in the environment": {
			env:     map[string]string{envOPSWATAccessToken: "t", envOPSWATClientID: "i", envOPSWATClientSecret: "s"},
			problem: "Conflicting OPSWAT Credentials: Both OPSWAT_ACCESS_TOKEN and OPSWAT_CLIENT_ID/OPSWAT_CLIENT_SECRET are set. Set either an access token or client credentials, not both.",
		},
		"cache from the environment": {
			env:  map[string]string{envOPSWATAccessToken: "t", envOPSWATCacheTTL: "10m", envOPSWATCacheDir: "/var/cache/eg"},
			want: opswat.Config{AccessToken: "t", CacheTTL: 10 * time.Minute, CacheDir: "/var/cache/eg"},
		},
		"cache in the user's cache directory by default": {
			env:  map[string]string{envOPSWATAccessToken: "t", envOPSWATCacheTTL: "10m"},
			want: opswat.Config{AccessToken: "t", CacheTTL: 10 * time.Minute, CacheDir: filepath.Join(userCache, "terraform-provider-endpointgroups", "opswat")},
		},
		"cache attribute beats environment; 0s refreshes": {
			cfg:  &opswatConfigModel{AccessToken: types.StringValue("t"), CacheTTL: types.StringValue("0s"), CacheDir: types.StringValue("/c")},
			env:  map[string]string{envOPSWATCacheTTL: "1h", envOPSWATCacheDir: "/var/cache/eg"},
			want: opswat.Config{AccessToken: "t", CacheRefresh: true, CacheDir: "/c"},
		},
		"bad cache TTL in the environment": {
			env:     map[string]string{envOPSWATAccessToken: "t", envOPSWATCacheTTL: "-5m"},
			problem: `Invalid OPSWAT Cache TTL: The cache TTL (opswat.cache_ttl or OPSWAT_CACHE_TTL) is invalid: "-5m" is negative: give 0s for no cache, or a duration such as 10m.`,
		},
		"bad rate in the environment": {
			env:     map[string]string{envOPSWATAccessToken: "t", envOPSWATRPM: "ten"},
			problem: `Invalid OPSWAT_REQUESTS_PER_MINUTE: The environment variable OPSWAT_REQUESTS_PER_MINUTE is "ten"; it must be a whole number of at least 1`,
		},
		"bad URL in the environment": {
			env:     map[string]string{envOPSWATAccessToken: "t", envOPSWATBaseURL: "gears.opswat.com"},
			problem: `Invalid OPSWAT Base URL: The OPSWAT base URL (opswat.base_url or OPSWAT_BASE_URL) is invalid: "gears.opswat.com" is not an http:// or https:// URL`,
		},
		"a path in the base URL": {
			env:     map[string]string{envOPSWATAccessToken: "t", envOPSWATBaseURL: "https://gears.opswat.com/o/api/v3"},
			problem: `https://gears.opswat.com/o/api/v3 has a path ("/o/api/v3"), but the base URL is the API host only: use https://gears.opswat.com.`,
		},
		"a password in the base URL is not shown": {
			env:     map[string]string{envOPSWATAccessToken: "t", envOPSWATBaseURL: "https://me:hunter2@gears.opswat.com:bad"},
			problem: `"https://REDACTED@gears.opswat.com:bad" is not a valid URL`,
		},
		"plain http to another host warns": {
			env:     map[string]string{envOPSWATAccessToken: "t", envOPSWATBaseURL: "http://opswat.example.com"},
			want:    opswat.Config{BaseURL: "http://opswat.example.com", AccessToken: "t"},
			warning: "OPSWAT Credentials Sent Unencrypted: The OPSWAT URL http://opswat.example.com uses plain http:// to a host other than this machine, so the access token and client secret travel unencrypted.",
		},
		"TLS settings from the environment": {
			env:     map[string]string{envOPSWATAccessToken: "t", envOPSWATBaseURL: "https://opswat.internal", envOPSWATInsecure: "true"},
			want:    opswat.Config{BaseURL: "https://opswat.internal", AccessToken: "t"},
			tls:     tlsSettings{insecure: true},
			warning: "OPSWAT TLS Verification Is Off: insecure_skip_verify is true: the provider does not check the OPSWAT server's certificate",
		},
		"credentials in attributes are named by their attributes": {
			cfg:     &opswatConfigModel{ClientID: types.StringValue("id")},
			env:     map[string]string{envOPSWATClientSecret: "s"},
			problem: "Incomplete OPSWAT Credentials: opswat.client_id is set but the client secret is missing: set opswat.client_secret or the environment variable OPSWAT_CLIENT_SECRET.",
		},
		"a negative rate": {
			cfg:     &opswatConfigModel{AccessToken: types.StringValue("t"), RequestsPerMinute: types.Int64Value(-3)},
			problem: "Invalid OPSWAT Requests Per Minute: The OPSWAT requests per minute (opswat.requests_per_minute or OPSWAT_REQUESTS_PER_MINUTE) is invalid: -3 is not a rate",
		},
		"TLS attribute beats environment": {
			cfg:  &opswatConfigModel{AccessToken: types.StringValue("t"), CACertPEM: types.StringValue(caPEM), InsecureSkipVerify: types.BoolValue(false)},
			env:  map[string]string{envOPSWATInsecure: "true", envOPSWATCAFile: "/nonexistent"},
			want: opswat.Config{AccessToken: "t"},
			tls:  tlsSettings{caCertPEM: caPEM, insecureInConfig: true},
		},
		"bad OPSWAT insecure flag": {
			env:     map[string]string{envOPSWATAccessToken: "t", envOPSWATInsecure: "sometimes"},
			problem: `Invalid OPSWAT_INSECURE_SKIP_VERIFY: The environment variable OPSWAT_INSECURE_SKIP_VERIFY is "sometimes"; it must be true or false.`,
		},
		"unknown at plan time": {
			cfg:     &opswatConfigModel{BaseURL: types.StringUnknown()},
			problem: "OPSWAT Configuration Not Known Yet: The provider's opswat.base_url depends on a value that is only known after apply",
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, problem := resolveOPSWAT(tc.cfg, env(tc.env))
			var warnings diag.Diagnostics
			var c *opswat.Client
			if !problem.HasError() {
				c, warnings, problem = newOPSWAT(tc.cfg, env(tc.env), testSettings)
			}
			if tc.problem != "" {
				if !strings.Contains(problemText(problem), tc.problem) {
					t.Fatalf("problem:\n got %s\nwant %s", problemText(problem), tc.problem)
				}
				return
			}
			if problem.HasError() || src.cfg != tc.want || src.tls != tc.tls {
				t.Fatalf("got %+v %+v (%s), want %+v %+v", src.cfg, src.tls, problemText(problem), tc.want, tc.tls)
			}
			if want := cmp.Or(tc.want.BaseURL, opswat.DefaultBaseURL); c.BaseURL().String() != want {
				t.Errorf("the client talks to %s, want %s", c.BaseURL(), want)
			}
			if w := problemText(warnings); (tc.warning == "") != (w == "") || !strings.Contains(w, tc.warning) {
				t.Fatalf("warnings %q, want %q", w, tc.warning)
			}
			checkWarningPlace(t, warnings, tc.cfg != nil && !tc.cfg.BaseURL.IsNull())
		})
	}
}

// checkWarningPlace checks that a warning about an attribute points at it,
// and one about an environment variable points nowhere (Terraform would
// show "on <empty> line 0") and names the variable.
func checkWarningPlace(t *testing.T, warnings diag.Diagnostics, inConfig bool) {
	t.Helper()
	for _, w := range warnings {
		_, hasPath := w.(diag.DiagnosticWithPath)
		switch {
		case hasPath != inConfig:
			t.Errorf("warning %q: points at an attribute: %v, want %v", w.Summary(), hasPath, inConfig)
		case !inConfig && !strings.Contains(w.Detail(), "(set by the environment variable "):
			t.Errorf("warning %q does not name its environment variable: %s", w.Summary(), w.Detail())
		}
	}
}

func TestResolveDrWeb(t *testing.T) {
	t.Parallel()
	caPEM := testCA()
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, []byte(caPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	full := map[string]string{envDrWebURL: "https://esuite.example.com:9081", envDrWebLogin: "admin", envDrWebPassword: "pw"}
	with := func(extra map[string]string) map[string]string {
		m := maps.Clone(full)
		maps.Copy(m, extra)
		return m
	}
	for name, tc := range map[string]struct {
		cfg              *drwebConfigModel
		env              map[string]string
		want             drweb.Config
		tls              tlsSettings
		problem, warning string
	}{
		"environment": {env: full, want: drweb.Config{URL: "https://esuite.example.com:9081", Login: "admin", Password: "pw"}},
		"attribute beats environment": {
			cfg:  &drwebConfigModel{URL: types.StringValue("https://other:9081"), Password: types.StringValue("attr-pw"), InsecureSkipVerify: types.BoolValue(false)},
			env:  with(map[string]string{envDrWebInsecure: "true"}),
			want: drweb.Config{URL: "https://other:9081", Login: "admin", Password: "attr-pw"},
			tls:  tlsSettings{insecureInConfig: true, urlInConfig: true},
		},
		"CA file from the environment": {
			env:  with(map[string]string{envDrWebCAFile: caFile}),
			want: drweb.Config{URL: "https://esuite.example.com:9081", Login: "admin", Password: "pw"}, tls: tlsSettings{caCertPEM: caPEM},
		},
		"missing url":      {problem: "Dr.Web Not Configured: This configuration uses Dr.Web groups, but the provider has no Dr.Web url: set drweb.url in the provider configuration or the environment variable DRWEB_URL."},
		"missing login":    {env: map[string]string{envDrWebURL: "https://h"}, problem: "set drweb.login in the provider configuration or the environment variable DRWEB_LOGIN."},
		"missing password": {env: map[string]string{envDrWebURL: "https://h", envDrWebLogin: "a"}, problem: "set drweb.password in the provider configuration or the environment variable DRWEB_PASSWORD."},
		"unreadable CA file": {
			env:     with(map[string]string{envDrWebCAFile: filepath.Join(dir, "missing.pem")}),
			problem: "Unreadable Dr.Web CA Certificate File: DRWEB_CA_CERT_FILE names",
		},
		"CA file without certificates": {
			env:     with(map[string]string{envDrWebCAFile: notPEM}),
			problem: "Invalid Dr.Web CA Certificate File: DRWEB_CA_CERT_FILE names",
		},
		"bad insecure flag": {
			env:     with(map[string]string{envDrWebInsecure: "maybe"}),
			problem: `Invalid DRWEB_INSECURE_SKIP_VERIFY: The environment variable DRWEB_INSECURE_SKIP_VERIFY is "maybe"; it must be true or false.`,
		},
		"insecure warns": {
			env:  with(map[string]string{envDrWebInsecure: "true"}),
			want: drweb.Config{URL: "https://esuite.example.com:9081", Login: "admin", Password: "pw"}, tls: tlsSettings{insecure: true},
			warning: "Dr.Web TLS Verification Is Off",
		},
		"plain http to another host warns": {
			env:     with(map[string]string{envDrWebURL: "http://esuite.example.com:9080"}),
			want:    drweb.Config{URL: "http://esuite.example.com:9080", Login: "admin", Password: "pw"},
			warning: "Dr.Web Credentials Sent Unencrypted: The Dr.Web URL http://esuite.example.com:9080 uses plain http://",
		},
		"an empty password given as such": {
			cfg:  &drwebConfigModel{Password: types.StringValue("")},
			env:  with(nil),
			want: drweb.Config{URL: "https://esuite.example.com:9081", Login: "admin"},
		},
		"a password in the URL is not shown": {
			env:     with(map[string]string{envDrWebURL: "https://admin:hunter2@esuite.example.com:9081"}),
			problem: `"https://REDACTED@esuite.example.com:9081" carries a login or password in the URL`,
		},
		"plain http to loopback is fine": {
			env:  with(map[string]string{envDrWebURL: "http://127.0.0.1:9080"}),
			want: drweb.Config{URL: "http://127.0.0.1:9080", Login: "admin", Password: "pw"},
		},
		"a warning about an attribute points at it": {
			cfg:     &drwebConfigModel{URL: types.StringValue("http://esuite.example.com:9080")},
			env:     with(nil),
			want:    drweb.Config{URL: "http://esuite.example.com:9080", Login: "admin", Password: "pw"},
			tls:     tlsSettings{urlInConfig: true},
			warning: "Dr.Web Credentials Sent Unencrypted: The Dr.Web URL http://esuite.example.com:9080 uses plain http://",
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, problem := resolveDrWeb(tc.cfg, env(tc.env))
			var warnings diag.Diagnostics
			if !problem.HasError() {
				_, warnings, problem = newDrWeb(tc.cfg, env(tc.env), testSettings)
			}
			if tc.problem != "" {
				if !strings.Contains(problemText(problem), tc.problem) {
					t.Fatalf("problem:\n got %s\nwant %s", problemText(problem), tc.problem)
				}
				return
			}
			if problem.HasError() || src.cfg != tc.want || src.tls != tc.tls {
				t.Fatalf("got %+v %+v (%s), want %+v %+v", src.cfg, src.tls, problemText(problem), tc.want, tc.tls)
			}
			if w := problemText(warnings); (tc.warning == "") != (w == "") || !strings.Contains(w, tc.warning) {
				t.Fatalf("warnings %q, want %q", w, tc.warning)
			}
			checkWarningPlace(t, warnings, tc.cfg != nil && !tc.cfg.URL.IsNull())
		})
	}
}

func TestConfigureKeepsVendorsApart(t *testing.T) {
	t.Parallel()
	clients, diags := configureClients(providerModel{
		DrWeb: &drwebConfigModel{URL: types.StringValue("https://h:9081"), Login: types.StringValue("a"), Password: types.StringValue("p")},
	}, env(nil), "test", "1.11.4")
	if diags.HasError() {
		t.Fatal(diags)
	}
	if _, d := clients.DrWeb(); d.HasError() {
		t.Fatalf("Dr.Web should be usable: %v", d)
	}
	if _, d := clients.OPSWAT(); !d.HasError() || d[0].Summary() != "OPSWAT Not Configured" {
		t.Fatalf("OPSWAT should name what is missing, got %v", d)
	}
}

// request_timeout and max_retries come from the environment when not set.
func TestConfigureTimeoutAndRetriesFromEnvironment(t *testing.T) {
	t.Parallel()
	drweb := &drwebConfigModel{URL: types.StringValue("https://h:9081"), Login: types.StringValue("a"), Password: types.StringValue("p")}
	for _, tc := range []struct {
		env     map[string]string
		cfg     providerModel
		problem string
	}{
		{env: map[string]string{envRequestTimeout: "5s", envMaxRetries: "0"}},
		{env: map[string]string{envRequestTimeout: "soon"}, problem: `request_timeout (or ENDPOINTGROUPS_REQUEST_TIMEOUT): "soon" is not a duration`},
		{env: map[string]string{envMaxRetries: "99"}, problem: `The environment variable ENDPOINTGROUPS_MAX_RETRIES is "99"; it must be a whole number from 0 to 50.`},
		{env: map[string]string{envMaxRetries: "99", envRequestTimeout: "soon"}, cfg: providerModel{MaxRetries: types.Int64Value(1), RequestTimeout: types.StringValue("1s")}},
	} {
		tc.cfg.DrWeb = drweb
		_, diags := configureClients(tc.cfg, env(tc.env), "test", "")
		if got := problemText(diags); (tc.problem == "") != (got == "") || !strings.Contains(got, tc.problem) {
			t.Errorf("%v: got %q, want %q", tc.env, got, tc.problem)
		}
	}
}

// Invalid provider settings fail at plan time, on the attribute.
func TestAccProviderValidation(t *testing.T) {
	const ds = `
data "endpointgroups_opswat_group" "x" {
  name = "Default"
}
`
	for _, tc := range []struct{ provider, want string }{
		{`request_timeout = "soon"`, `"soon" is not a duration: write it like 30s, 2m or 1m30s`},
		{`request_timeout = "-5s"`, `"-5s" is not a positive duration`},
		{`max_retries = -1`, `Attribute max_retries value must be between 0 and 50, got: -1`},
		{`opswat { base_url = "gears.opswat.com" }`, `Invalid URL`},
		{`opswat { base_url = "gears.opswat.com" }`, `Give the scheme and host, such as https://gears.opswat.com.`},
		{`opswat { base_url = "https://gears.opswat.com/o/api/v3" }`, `but the base URL is the API host only: use https://gears.opswat.com`},
		{`drweb { url = "esuite:9081" }`, `Give the scheme and host, such as https://esuite.example.com:9081.`},
		{`opswat { ca_cert_pem = "not a certificate" }`, `Invalid CA Certificate`},
		{`opswat {
		    access_token = "t0ken"
		    client_id    = "id"
		    client_secret = "s"
		  }`, `Attribute "opswat.client_id" cannot be specified when "opswat.access_token" is specified`},
		{`opswat { client_id = "id" }`, `Attribute "opswat.client_secret" must be specified when "opswat.client_id" is specified`},
		{`opswat { requests_per_minute = 0 }`, `Attribute opswat.requests_per_minute value must be at least 1, got: 0`},
		{`drweb { ca_cert_pem = "not a certificate" }`, `Invalid CA Certificate`},
	} {
		t.Run(tc.want[:min(len(tc.want), 30)], func(t *testing.T) {
			accTest(t, resource.TestStep{
				Config:      "provider \"endpointgroups\" {\n  " + tc.provider + "\n}\n" + ds,
				PlanOnly:    true,
				ExpectError: errorRe(tc.want),
			})
		})
	}
}

// A provider setting computed from a resource is unknown at plan time: the
// data sources that need it say so instead of failing obscurely.
func TestAccProviderUnknownConfig(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config: `
resource "terraform_data" "url" {
  input = "` + srv.URL + `"
}
provider "endpointgroups" {
  opswat {
    base_url      = terraform_data.url.output
    client_id     = "demo-client"
    client_secret = "demo-secret"
  }
}
data "endpointgroups_opswat_group" "x" {
  name = "Default"
}
`,
		ExpectError: errorRe(`The provider's opswat.base_url depends on a value that is only known after apply, but the provider needs it during plan, when data sources are read and resources refreshed.`),
	})
}

// configProblem names each field the way the user gave it, for every kind
// of problem a vendor reports, and passes any other error through.
func TestConfigProblem(t *testing.T) {
	t.Parallel()
	opswatErr := func(field client.ConfigField, p client.ConfigProblem, other client.ConfigField, err error) error {
		return &client.ConfigError{Vendor: opswat.Vendor, Field: field, Problem: p, Other: other, Err: err}
	}
	for _, tc := range []struct {
		v       vendorBlock
		err     error
		fromEnv bool
		want    string
	}{
		{opswatBlock, opswatErr("AccessToken", client.Conflict, "ClientID", nil), false,
			"Conflicting OPSWAT Credentials: Both opswat.access_token and opswat.client_id/opswat.client_secret are set. Set either an access token or client credentials, not both."},
		{opswatBlock, opswatErr("AccessToken", client.Conflict, "ClientSecret", nil), true,
			"Conflicting OPSWAT Credentials: Both OPSWAT_ACCESS_TOKEN and OPSWAT_CLIENT_ID/OPSWAT_CLIENT_SECRET are set."},
		{opswatBlock, opswatErr("ClientSecret", client.Missing, "ClientID", nil), true,
			"Incomplete OPSWAT Credentials: OPSWAT_CLIENT_ID is set but the client secret is missing: set opswat.client_secret or the environment variable OPSWAT_CLIENT_SECRET."},
		{opswatBlock, opswatErr("AccessToken", client.Missing, "", nil), true, "OPSWAT Not Configured: This configuration reads OPSWAT MetaDefender IT Access groups"},
		{opswatBlock, opswatErr("RequestsPerMinute", client.Invalid, "", errors.New("-1 is not a rate")), false,
			"Invalid OPSWAT Requests Per Minute: The OPSWAT requests per minute (opswat.requests_per_minute or OPSWAT_REQUESTS_PER_MINUTE) is invalid: -1 is not a rate.\n"},
		{drwebBlock, &client.ConfigError{Vendor: drweb.Vendor, Field: "Login", Problem: client.Missing}, false,
			"Dr.Web Not Configured: This configuration uses Dr.Web groups, but the provider has no Dr.Web login: set drweb.login in the provider configuration or the environment variable DRWEB_LOGIN."},
		{drwebBlock, &client.ConfigError{Vendor: drweb.Vendor, Field: "URL", Problem: client.Invalid, Err: errors.New(`"h" has no host`)}, false,
			`Invalid Dr.Web URL: The Dr.Web server URL (drweb.url or DRWEB_URL) is invalid: "h" has no host. Use the server's web address, such as https://esuite.example.com:9081.`},
		{drwebBlock, errors.New("client: the request timeout must be positive, got 0s"), false,
			"Invalid Dr.Web Configuration: client: the request timeout must be positive, got 0s"},
	} {
		if got := problemText(configProblem(tc.v, tc.err, tc.fromEnv)); !strings.Contains(got, tc.want) {
			t.Errorf("%v:\n got %s\nwant %s", tc.err, got, tc.want)
		}
	}
}

// A base URL with a path is refused naming the host to use, once.
func TestOPSWATBaseURLErrorSaysItOnce(t *testing.T) {
	t.Parallel()
	_, _, problem := newOPSWAT(nil, env(map[string]string{envOPSWATAccessToken: "t", envOPSWATBaseURL: "https://gears.opswat.com/o/api/v3"}), testSettings)
	got := strings.TrimSpace(problemText(problem))
	if strings.Count(strings.ToLower(got), "use ") != 1 || !strings.HasSuffix(got, "but the base URL is the API host only: use https://gears.opswat.com.") {
		t.Fatalf("got %q", got)
	}
}
