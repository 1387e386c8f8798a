package provider

import (
	"cmp"
	"context"
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

	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
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
		cfg              blockValues
		env              map[string]string
		want             opswat.Config
		tls              tlsSettings
		problem, warning string
	}{
		"defaults from nothing but a token in the environment": {
			env:  map[string]string{"OPSWAT_ACCESS_TOKEN": "env-token"},
			want: opswat.Config{AccessToken: "env-token"},
		},
		"attribute beats environment": {
			cfg: blockValues{"base_url": types.StringValue("https://gears-beta.opswat.com"), "client_id": types.StringValue("id"),
				"client_secret": types.StringValue("secret"), "requests_per_minute": types.Int64Value(5)},
			env:  map[string]string{"OPSWAT_BASE_URL": "https://other.example.com", "OPSWAT_ACCESS_TOKEN": "env-token", "OPSWAT_REQUESTS_PER_MINUTE": "7"},
			want: opswat.Config{BaseURL: "https://gears-beta.opswat.com", ClientID: "id", ClientSecret: "secret", RequestsPerMinute: 5},
			tls:  tlsSettings{urlInConfig: true},
		},
		"environment beats default": {
			env:  map[string]string{"OPSWAT_BASE_URL": "https://tenant.example.com", "OPSWAT_CLIENT_ID": "i", "OPSWAT_CLIENT_SECRET": "s", "OPSWAT_REQUESTS_PER_MINUTE": "7"},
			want: opswat.Config{BaseURL: "https://tenant.example.com", ClientID: "i", ClientSecret: "s", RequestsPerMinute: 7},
		},
		"not configured names attributes and variables": {
			problem: "OPSWAT Not Configured: This configuration reads OPSWAT MetaDefender IT Access groups, but the provider has no OPSWAT credentials. In the provider's opswat block set access_token (or the environment variable OPSWAT_ACCESS_TOKEN), or client_id and client_secret (or OPSWAT_CLIENT_ID and OPSWAT_CLIENT_SECRET).",
		},
		"secret without id": {
			env:     map[string]string{"OPSWAT_CLIENT_SECRET": "s"},
			problem: "Incomplete OPSWAT Credentials: OPSWAT_CLIENT_SECRET is set but the client ID is missing: set opswat.client_id or the environment variable OPSWAT_CLIENT_ID.",
		},
		"token and credentials in the environment": {
			env:     map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_CLIENT_ID": "i", "OPSWAT_CLIENT_SECRET": "s"},
			problem: "Conflicting OPSWAT Credentials: Both OPSWAT_ACCESS_TOKEN and OPSWAT_CLIENT_ID/OPSWAT_CLIENT_SECRET are set. Set either an access token or client credentials, not both.",
		},
		"cache from the environment": {
			env:  map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_CACHE_TTL": "10m", "OPSWAT_CACHE_DIR": "/var/cache/eg"},
			want: opswat.Config{AccessToken: "t", CacheTTL: 10 * time.Minute, CacheDir: "/var/cache/eg"},
		},
		"cache in the user's cache directory by default": {
			env:  map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_CACHE_TTL": "10m"},
			want: opswat.Config{AccessToken: "t", CacheTTL: 10 * time.Minute, CacheDir: filepath.Join(userCache, "terraform-provider-endpointgroups", "opswat")},
		},
		"cache attribute beats environment; 0s refreshes": {
			cfg:  blockValues{"access_token": types.StringValue("t"), "cache_ttl": types.StringValue("0s"), "cache_dir": types.StringValue("/c")},
			env:  map[string]string{"OPSWAT_CACHE_TTL": "1h", "OPSWAT_CACHE_DIR": "/var/cache/eg"},
			want: opswat.Config{AccessToken: "t", CacheRefresh: true, CacheDir: "/c"},
		},
		"bad cache TTL in the environment": {
			env:     map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_CACHE_TTL": "-5m"},
			problem: `Invalid OPSWAT Cache TTL: The cache TTL in the environment variable OPSWAT_CACHE_TTL is invalid: "-5m" is negative: give a duration such as 10m, or 0s to refresh the cache now (leave it unset for no cache).`,
		},
		"a cache TTL too large to be a duration": {
			env:     map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_CACHE_TTL": "9999999999h"},
			problem: `The cache TTL in the environment variable OPSWAT_CACHE_TTL is invalid: "9999999999h" is too large: a duration can be at most 2562047h47m16s (about 292 years); give one such as 10m.`,
		},
		"an empty cache TTL attribute": {
			cfg:     blockValues{"access_token": types.StringValue("t"), "cache_ttl": types.StringValue("")},
			problem: `The cache TTL in opswat.cache_ttl is invalid: "" is empty: give a duration such as 10m, or 0s to refresh the cache now (leave it unset, null, for no cache).`,
		},
		"a cache directory without a TTL warns": {
			env:  map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_CACHE_DIR": "/var/cache/eg"},
			want: opswat.Config{AccessToken: "t", CacheDir: "/var/cache/eg"},
			warning: `OPSWAT Cache Directory Without a TTL: cache_dir is set (/var/cache/eg), but neither opswat.cache_ttl nor OPSWAT_CACHE_TTL is, ` +
				`so there is no cache and the directory is not used. Set cache_ttl (such as "10m") to keep the group list there, or remove cache_dir ` +
				`(set by the environment variable OPSWAT_CACHE_DIR)`,
		},
		"bad rate in the environment": {
			env:     map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_REQUESTS_PER_MINUTE": "ten"},
			problem: `Invalid OPSWAT_REQUESTS_PER_MINUTE: The environment variable OPSWAT_REQUESTS_PER_MINUTE is "ten"; it must be a whole number of at least 1`,
		},
		"bad URL in the environment": {
			env:     map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_BASE_URL": "gears.opswat.com"},
			problem: `Invalid OPSWAT Base URL: The OPSWAT base URL (opswat.base_url or OPSWAT_BASE_URL) is invalid: "gears.opswat.com" is not an http:// or https:// URL`,
		},
		"a path in the base URL": {
			env:     map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_BASE_URL": "https://gears.opswat.com/o/api/v3"},
			problem: `https://gears.opswat.com/o/api/v3 has a path ("/o/api/v3"), but the base URL is the API host only: use https://gears.opswat.com.`,
		},
		"a password in the base URL is not shown": {
			env:     map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_BASE_URL": "https://me:hunter2@gears.opswat.com:bad"},
			problem: `"https://REDACTED@gears.opswat.com:bad" is not a valid URL`,
		},
		"plain http to another host warns": {
			env:     map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_BASE_URL": "http://opswat.example.com"},
			want:    opswat.Config{BaseURL: "http://opswat.example.com", AccessToken: "t"},
			warning: "OPSWAT Credentials Sent Unencrypted: The OPSWAT URL http://opswat.example.com uses plain http:// to a host other than this machine, so the access token and client secret travel unencrypted.",
		},
		"TLS settings from the environment": {
			env:     map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_BASE_URL": "https://opswat.internal", "OPSWAT_INSECURE_SKIP_VERIFY": "true"},
			want:    opswat.Config{BaseURL: "https://opswat.internal", AccessToken: "t"},
			tls:     tlsSettings{insecure: true},
			warning: "OPSWAT TLS Verification Is Off: insecure_skip_verify is true: the provider does not check the OPSWAT server's certificate",
		},
		"credentials in attributes are named by their attributes": {
			cfg:     blockValues{"client_id": types.StringValue("id")},
			env:     map[string]string{"OPSWAT_CLIENT_SECRET": "s"},
			problem: "Incomplete OPSWAT Credentials: opswat.client_id is set but the client secret is missing: set opswat.client_secret or the environment variable OPSWAT_CLIENT_SECRET.",
		},
		"a negative rate": {
			cfg:     blockValues{"access_token": types.StringValue("t"), "requests_per_minute": types.Int64Value(-3)},
			problem: "Invalid OPSWAT Requests Per Minute: The OPSWAT requests per minute (opswat.requests_per_minute or OPSWAT_REQUESTS_PER_MINUTE) is invalid: -3 is not a rate",
		},
		"TLS attribute beats environment": {
			cfg:  blockValues{"access_token": types.StringValue("t"), "ca_cert_pem": types.StringValue(caPEM), "insecure_skip_verify": types.BoolValue(false)},
			env:  map[string]string{"OPSWAT_INSECURE_SKIP_VERIFY": "true", "OPSWAT_CA_CERT_FILE": "/nonexistent"},
			want: opswat.Config{AccessToken: "t"},
			tls:  tlsSettings{caCertPEM: caPEM, insecureInConfig: true},
		},
		"bad rate from environment": {
			env:     map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_REQUESTS_PER_MINUTE": "0"},
			problem: `Invalid OPSWAT_REQUESTS_PER_MINUTE: The environment variable OPSWAT_REQUESTS_PER_MINUTE is "0"; it must be a whole number of at least 1 (the API allows 10).`,
		},
		"bad OPSWAT insecure flag": {
			env:     map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_INSECURE_SKIP_VERIFY": "sometimes"},
			problem: `Invalid OPSWAT_INSECURE_SKIP_VERIFY: The environment variable OPSWAT_INSECURE_SKIP_VERIFY is "sometimes"; it must be true or false.`,
		},
		"unknown at plan time": {
			cfg:     blockValues{"base_url": types.StringUnknown()},
			problem: "OPSWAT Configuration Not Known Yet: The provider's opswat.base_url depends on a value that is only known after apply",
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, problem := resolveOPSWAT(tc.cfg, env(tc.env))
			var warnings diag.Diagnostics
			var c *opswat.Client
			if !problem.HasError() {
				c, _, warnings, problem = newOPSWAT(tc.cfg, env(tc.env), testSettings)
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
			checkWarningPlace(t, warnings, tc.cfg["base_url"] != nil)
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
	full := map[string]string{"DRWEB_URL": "https://esuite.example.com:9081", "DRWEB_LOGIN": "admin", "DRWEB_PASSWORD": "pw"}
	with := func(extra map[string]string) map[string]string {
		m := maps.Clone(full)
		maps.Copy(m, extra)
		return m
	}
	for name, tc := range map[string]struct {
		cfg              blockValues
		env              map[string]string
		want             drweb.Config
		tls              tlsSettings
		problem, warning string
	}{
		"environment": {env: full, want: drweb.Config{URL: "https://esuite.example.com:9081", Login: "admin", Password: "pw"}},
		"attribute beats environment": {
			cfg:  blockValues{"url": types.StringValue("https://other:9081"), "password": types.StringValue("attr-pw"), "insecure_skip_verify": types.BoolValue(false)},
			env:  with(map[string]string{"DRWEB_INSECURE_SKIP_VERIFY": "true"}),
			want: drweb.Config{URL: "https://other:9081", Login: "admin", Password: "attr-pw"},
			tls:  tlsSettings{insecureInConfig: true, urlInConfig: true},
		},
		"CA file from the environment": {
			env:  with(map[string]string{"DRWEB_CA_CERT_FILE": caFile}),
			want: drweb.Config{URL: "https://esuite.example.com:9081", Login: "admin", Password: "pw"}, tls: tlsSettings{caCertPEM: caPEM},
		},
		"missing url":      {problem: "Dr.Web Not Configured: This configuration uses Dr.Web groups, but the provider has no Dr.Web url: set drweb.url in the provider configuration or the environment variable DRWEB_URL."},
		"missing login":    {env: map[string]string{"DRWEB_URL": "https://h"}, problem: "set drweb.login in the provider configuration or the environment variable DRWEB_LOGIN."},
		"missing password": {env: map[string]string{"DRWEB_URL": "https://h", "DRWEB_LOGIN": "a"}, problem: "set drweb.password in the provider configuration or the environment variable DRWEB_PASSWORD."},
		"unreadable CA file": {
			env:     with(map[string]string{"DRWEB_CA_CERT_FILE": filepath.Join(dir, "missing.pem")}),
			problem: "Unreadable Dr.Web CA Certificate File: DRWEB_CA_CERT_FILE names",
		},
		"CA file without certificates": {
			env:     with(map[string]string{"DRWEB_CA_CERT_FILE": notPEM}),
			problem: "Invalid Dr.Web CA Certificate File: DRWEB_CA_CERT_FILE names",
		},
		"bad insecure flag": {
			env:     with(map[string]string{"DRWEB_INSECURE_SKIP_VERIFY": "maybe"}),
			problem: `Invalid DRWEB_INSECURE_SKIP_VERIFY: The environment variable DRWEB_INSECURE_SKIP_VERIFY is "maybe"; it must be true or false.`,
		},
		"insecure warns": {
			env:  with(map[string]string{"DRWEB_INSECURE_SKIP_VERIFY": "true"}),
			want: drweb.Config{URL: "https://esuite.example.com:9081", Login: "admin", Password: "pw"}, tls: tlsSettings{insecure: true},
			warning: "Dr.Web TLS Verification Is Off",
		},
		"plain http to another host warns": {
			env:     with(map[string]string{"DRWEB_URL": "http://esuite.example.com:9080"}),
			want:    drweb.Config{URL: "http://esuite.example.com:9080", Login: "admin", Password: "pw"},
			warning: "Dr.Web Credentials Sent Unencrypted: The Dr.Web URL http://esuite.example.com:9080 uses plain http://",
		},
		"an empty password given as such": {
			cfg:  blockValues{"password": types.StringValue("")},
			env:  with(nil),
			want: drweb.Config{URL: "https://esuite.example.com:9081", Login: "admin"},
		},
		"a password in the URL is not shown": {
			env:     with(map[string]string{"DRWEB_URL": "https://admin:hunter2@esuite.example.com:9081"}),
			problem: `"https://REDACTED@esuite.example.com:9081" carries a login or password in the URL`,
		},
		"plain http to loopback is fine": {
			env:  with(map[string]string{"DRWEB_URL": "http://127.0.0.1:9080"}),
			want: drweb.Config{URL: "http://127.0.0.1:9080", Login: "admin", Password: "pw"},
		},
		"a warning about an attribute points at it": {
			cfg:     blockValues{"url": types.StringValue("http://esuite.example.com:9080")},
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
			checkWarningPlace(t, warnings, tc.cfg["url"] != nil)
		})
	}
}

func TestConfigureKeepsVendorsApart(t *testing.T) {
	t.Parallel()
	clients, diags := configureClients(providerConfig{
		drweb: blockValues{"url": types.StringValue("https://h:9081"), "login": types.StringValue("a"), "password": types.StringValue("p")},
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
	drweb := blockValues{"url": types.StringValue("https://h:9081"), "login": types.StringValue("a"), "password": types.StringValue("p")}
	for _, tc := range []struct {
		env     map[string]string
		cfg     providerConfig
		problem string
	}{
		{env: map[string]string{"ENDPOINTGROUPS_REQUEST_TIMEOUT": "5s", "ENDPOINTGROUPS_MAX_RETRIES": "0"}},
		{env: map[string]string{"ENDPOINTGROUPS_REQUEST_TIMEOUT": "soon"}, problem: `request_timeout (or ENDPOINTGROUPS_REQUEST_TIMEOUT): "soon" is not a duration`},
		{env: map[string]string{"ENDPOINTGROUPS_MAX_RETRIES": "99"}, problem: `The environment variable ENDPOINTGROUPS_MAX_RETRIES is "99"; it must be a whole number from 0 to 50.`},
		{env: map[string]string{"ENDPOINTGROUPS_MAX_RETRIES": "99", "ENDPOINTGROUPS_REQUEST_TIMEOUT": "soon"}, cfg: providerConfig{root: blockValues{"max_retries": types.Int64Value(1), "request_timeout": types.StringValue("1s")}}},
	} {
		tc.cfg.drweb = drweb
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
		{opswatSettings.vendorBlock, opswatErr("AccessToken", client.Conflict, "ClientID", nil), false,
			"Conflicting OPSWAT Credentials: Both opswat.access_token and opswat.client_id/opswat.client_secret are set. Set either an access token or client credentials, not both."},
		{opswatSettings.vendorBlock, opswatErr("AccessToken", client.Conflict, "ClientSecret", nil), true,
			"Conflicting OPSWAT Credentials: Both OPSWAT_ACCESS_TOKEN and OPSWAT_CLIENT_ID/OPSWAT_CLIENT_SECRET are set."},
		{opswatSettings.vendorBlock, opswatErr("ClientSecret", client.Missing, "ClientID", nil), true,
			"Incomplete OPSWAT Credentials: OPSWAT_CLIENT_ID is set but the client secret is missing: set opswat.client_secret or the environment variable OPSWAT_CLIENT_SECRET."},
		{opswatSettings.vendorBlock, opswatErr("AccessToken", client.Missing, "", nil), true, "OPSWAT Not Configured: This configuration reads OPSWAT MetaDefender IT Access groups"},
		{opswatSettings.vendorBlock, opswatErr("RequestsPerMinute", client.Invalid, "", errors.New("-1 is not a rate")), false,
			"Invalid OPSWAT Requests Per Minute: The OPSWAT requests per minute (opswat.requests_per_minute or OPSWAT_REQUESTS_PER_MINUTE) is invalid: -1 is not a rate.\n"},
		{drwebSettings.vendorBlock, &client.ConfigError{Vendor: drweb.Vendor, Field: "Login", Problem: client.Missing}, false,
			"Dr.Web Not Configured: This configuration uses Dr.Web groups, but the provider has no Dr.Web login: set drweb.login in the provider configuration or the environment variable DRWEB_LOGIN."},
		{drwebSettings.vendorBlock, &client.ConfigError{Vendor: drweb.Vendor, Field: "URL", Problem: client.Invalid, Err: errors.New(`"h" has no host`)}, false,
			`Invalid Dr.Web URL: The Dr.Web server URL (drweb.url or DRWEB_URL) is invalid: "h" has no host. Use the server's web address, such as https://esuite.example.com:9081.`},
		{drwebSettings.vendorBlock, errors.New("client: the request timeout must be positive, got 0s"), false,
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
	_, _, _, problem := newOPSWAT(nil, env(map[string]string{"OPSWAT_ACCESS_TOKEN": "t", "OPSWAT_BASE_URL": "https://gears.opswat.com/o/api/v3"}), testSettings)
	got := strings.TrimSpace(problemText(problem))
	if strings.Count(strings.ToLower(got), "use ") != 1 || !strings.HasSuffix(got, "but the base URL is the API host only: use https://gears.opswat.com.") {
		t.Fatalf("got %q", got)
	}
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

// Each setting is declared once: every vendor Config field has its row, no
// two settings share a variable, and each attribute's description names its
// variable.
func TestSettingsTables(t *testing.T) {
	t.Parallel()
	for v, fields := range map[*vendorBlock][]client.ConfigField{
		&opswatSettings.vendorBlock: {opswat.FieldBaseURL, opswat.FieldAccessToken, opswat.FieldClientID, opswat.FieldClientSecret,
			opswat.FieldRequestsPerMinute, opswat.FieldCacheTTL, opswat.FieldCacheDir},
		&drwebSettings.vendorBlock: {drweb.FieldURL, drweb.FieldLogin, drweb.FieldPassword},
	} {
		for _, f := range fields {
			if v.byConfig(f).attr == "" {
				t.Errorf("%s: no setting fills %s", v.name, f)
			}
		}
		for _, attr := range []string{attrCACert, attrInsecure} {
			if v.byAttr(attr).env == "" {
				t.Errorf("%s: no %s setting", v.name, attr)
			}
		}
		if v.byConfig(v.url).attr == "" {
			t.Errorf("%s: the URL field %s has no setting", v.name, v.url)
		}
	}
	if rootSettings.byAttr("request_timeout").env == "" { // named in the hint for an unreachable server
		t.Error("no request_timeout setting")
	}
	seen := map[string]bool{}
	for _, env := range envVars() {
		if seen[env] {
			t.Errorf("%s names two settings", env)
		}
		seen[env] = true
	}
	if len(seen) != 16 {
		t.Errorf("%d variables, want 16: %v", len(seen), envVars())
	}
	var resp provider.SchemaResponse
	New("test")().Schema(context.Background(), provider.SchemaRequest{}, &resp)
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatal(diags)
	}
	check := func(block string, attrs map[string]pschema.Attribute, fields []field) {
		if len(attrs) != len(fields) {
			t.Errorf("%s: %d attributes for %d settings", block, len(attrs), len(fields))
		}
		for _, f := range fields {
			if doc := attrs[f.attr].GetMarkdownDescription(); !strings.Contains(doc, "`"+f.env+"`") {
				t.Errorf("%s.%s: the description does not name %s: %s", block, f.attr, f.env, doc)
			}
		}
	}
	check("provider", resp.Schema.Attributes, rootSettings.fields)
	for name, fields := range map[string][]field{"opswat": opswatSettings.fields, "drweb": drwebSettings.fields} {
		block, ok := resp.Schema.Blocks[name].(pschema.SingleNestedBlock)
		if !ok {
			t.Fatalf("%s is a %T", name, resp.Schema.Blocks[name])
		}
		check(name, block.Attributes, fields)
	}
}

// The configuration as Terraform sends it: a block left out takes the
// environment, and a block unknown as a whole (a dynamic block) is not known
// yet.
func TestConfigFrom(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var resp provider.SchemaResponse
	New("test")().Schema(ctx, provider.SchemaRequest{}, &resp)
	rootType, ok := resp.Schema.Type().(basetypes.ObjectType)
	if !ok {
		t.Fatalf("the schema is a %T", resp.Schema.Type())
	}
	blockType := func(name string) map[string]attr.Type {
		o, _ := rootType.AttrTypes[name].(basetypes.ObjectType)
		return o.AttrTypes
	}
	drwebValues := map[string]attr.Value{}
	for name, typ := range blockType("drweb") {
		v, err := typ.ValueFromTerraform(ctx, tftypes.NewValue(typ.TerraformType(ctx), nil))
		if err != nil {
			t.Fatal(err)
		}
		drwebValues[name] = v
	}
	drwebValues["url"], drwebValues["login"], drwebValues["password"] = types.StringValue("https://h:9081"), types.StringValue("a"), types.StringValue("p")
	root := types.ObjectValueMust(rootType.AttrTypes, map[string]attr.Value{
		"request_timeout": types.StringValue("7s"),
		"max_retries":     types.Int64Null(),
		"opswat":          types.ObjectUnknown(blockType("opswat")),
		"drweb":           types.ObjectValueMust(blockType("drweb"), drwebValues),
	})
	cfg := configFrom(ctx, root)
	if !cfg.hasUnknown() {
		t.Error("an unknown opswat block is not reported as unknown")
	}
	clients, diags := configureClients(cfg, env(map[string]string{"ENDPOINTGROUPS_MAX_RETRIES": "2"}), "test", "")
	if diags.HasError() {
		t.Fatal(diags)
	}
	if c, d := clients.DrWeb(); d.HasError() || c.BaseURL().String() != "https://h:9081" {
		t.Errorf("Dr.Web: %v %v", c, d)
	}
	if _, d := clients.OPSWAT(); !strings.Contains(problemText(d), "OPSWAT Configuration Not Known Yet") {
		t.Errorf("OPSWAT: %s", problemText(d))
	}
	root = types.ObjectValueMust(rootType.AttrTypes, map[string]attr.Value{
		"request_timeout": types.StringNull(), "max_retries": types.Int64Null(),
		"opswat": types.ObjectNull(blockType("opswat")), "drweb": types.ObjectNull(blockType("drweb")),
	})
	if cfg := configFrom(ctx, root); cfg.hasUnknown() || cfg.opswat != nil || cfg.drweb != nil {
		t.Errorf("blocks left out: %+v", cfg)
	}
}

// Without a known user cache directory (no HOME), cache_ttl warns and the
// run goes on without the cache. Not parallel: it replaces userCacheDir.
func TestOPSWATCacheWithoutHome(t *testing.T) {
	saved := userCacheDir
	t.Cleanup(func() { userCacheDir = saved })
	userCacheDir = func() (string, error) { return "", errors.New("neither $XDG_CACHE_HOME nor $HOME are defined") }
	cfg := blockValues{"access_token": types.StringValue("t"), "cache_ttl": types.StringValue("10m")}
	c, _, warnings, problem := newOPSWAT(cfg, env(nil), testSettings)
	if problem.HasError() || c == nil {
		t.Fatalf("problem: %s", problemText(problem))
	}
	want := "No Directory for the OPSWAT Cache: cache_ttl is set, but the user's cache directory is not known (neither $XDG_CACHE_HOME nor $HOME are defined), " +
		"so this run lists the OPSWAT groups without the cache. Set opswat.cache_dir or OPSWAT_CACHE_DIR"
	if w := problemText(warnings); !strings.Contains(w, want) {
		t.Fatalf("warnings %q, want %q", w, want)
	}
	if src, _ := resolveOPSWAT(cfg, env(nil)); src.cfg.CacheTTL != 0 || src.cfg.CacheRefresh || src.cfg.CacheDir != "" {
		t.Fatalf("the cache is still on: %+v", src.cfg)
	}
}
