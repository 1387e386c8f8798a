package provider

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

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

// rootSettings are the provider's own settings, outside the vendor blocks.
// A value unknown at plan time is taken as not set.
var rootSettings = newSettingsBlock(vendorBlock{}, []setting[client.Settings]{
	{
		field: field{attr: "request_timeout", env: "ENDPOINTGROUPS_REQUEST_TIMEOUT", label: "request timeout", title: "Request Timeout"},
		doc: "How long one HTTP request may take, including reading the answer, as a Go duration " +
			"(`30s`, `1m30s`). Retries get a fresh timeout each, so a server that accepts connections and never answers " +
			"fails a read after about `(max_retries + 1) × request_timeout` plus the backoff between attempts: 3 minutes 10 " +
			"seconds with the defaults. Environment variable `$ENV`; default `30s`.",
		strings: []validator.String{durationValidator()},
		apply: func(s *client.Settings, v value) (diags diag.Diagnostics) {
			d, err := parseDuration(v.raw)
			if err != nil {
				diags.AddAttributeError(path.Root(v.attr), "Invalid Request Timeout", fmt.Sprintf("%s (or %s): %v", v.attr, v.env, err))
				return diags
			}
			s.Timeout = d
			return nil
		},
	},
	{
		field: field{attr: "max_retries", env: "ENDPOINTGROUPS_MAX_RETRIES", label: "retry count", title: "Max Retries"},
		kind:  int64Setting,
		doc: "How many times a request is retried after a connection error or an answer of 429, 502, " +
			"503 or 504, with exponential backoff and jitter (a `Retry-After` header is honoured, up to 5 minutes). A 429 that " +
			"says how long to wait (`Retry-After`, `X-RateLimit-Reset-Time`) is a rate-limit window, waited out without " +
			"spending retries. Dr.Web writes are retried only when the answer proves nothing happened. Environment variable " +
			"`$ENV`; default `5`; `0` turns retries off.",
		ints: []validator.Int64{int64validator.Between(0, maxRetriesLimit)},
		apply: func(s *client.Settings, v value) (diags diag.Diagnostics) {
			n, ok := wholeNumber(v.raw, 0, maxRetriesLimit)
			if !ok {
				diags.AddAttributeError(path.Root(v.attr), "Invalid "+v.env,
					fmt.Sprintf("The environment variable %s is %q; it must be a whole number from 0 to %d.", v.env, v.raw, maxRetriesLimit))
				return diags
			}
			s.MaxRetries = n
			return nil
		},
	},
})

// providerConfig is the provider's configuration by attribute name: its own
// settings and each vendor block's.
type providerConfig struct {
	root, opswat, drweb blockValues
}

// configFrom splits the configuration Terraform sent into its blocks. A
// block left out is null: all its settings come from the environment. A
// block that is unknown as a whole (a dynamic block) has every setting
// unknown.
func configFrom(ctx context.Context, root types.Object) providerConfig {
	attrs := root.Attributes()
	block := func(name string) blockValues {
		o, ok := attrs[name].(types.Object)
		switch {
		case !ok || o.IsNull():
			return nil
		case o.IsUnknown():
			values := blockValues{}
			for attr, t := range o.AttributeTypes(ctx) {
				v, err := t.ValueFromTerraform(ctx, tftypes.NewValue(t.TerraformType(ctx), tftypes.UnknownValue))
				if err == nil {
					values[attr] = v
				}
			}
			return values
		}
		return o.Attributes()
	}
	return providerConfig{root: attrs, opswat: block(opswatSettings.block), drweb: block(drwebSettings.block)}
}

// hasUnknown reports whether any setting is unknown at plan time.
func (c providerConfig) hasUnknown() bool {
	return rootSettings.unknown(c.root) != "" || opswatSettings.unknown(c.opswat) != "" || drwebSettings.unknown(c.drweb) != ""
}

// envLookup reads the process environment; tests pass their own.
func envLookup(name string) (string, bool) { return os.LookupEnv(name) }

type getenvFunc func(string) (string, bool)

// providerClients is what the provider hands its data sources and resources: a client per
// vendor, or the reason that vendor cannot be used.
type providerClients struct {
	opswat        *opswat.Client
	opswatOrigin  opswatOrigin
	opswatProblem diag.Diagnostics
	drweb         *drweb.Client
	drwebProblem  diag.Diagnostics
	// memberClaims are the stations the members resources of this
	// provider instance's plans list (drweb_group_members_claims.go).
	memberClaims memberClaims
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

// connectionWarnings warns about connections that expose the credentials.
func connectionWarnings(v vendorBlock, s tlsSettings, u *url.URL) (warnings diag.Diagnostics) {
	insecure := v.byAttr(attrInsecure)
	if s.insecure && u.Scheme == "https" {
		v.warn(&warnings, s.insecureInConfig, insecure, v.name+" TLS Verification Is Off",
			fmt.Sprintf("%s is true: the provider does not check the %s server's certificate, so anyone on the way "+
				"can pose as the server and read the %s. Give the server's CA in %s.%s (or %s) instead.",
				insecure.attr, v.name, v.credentials, v.block, attrCACert, v.byAttr(attrCACert).env))
	}
	if u.Scheme == "http" && !isLoopback(u) {
		v.warn(&warnings, s.urlInConfig, v.byConfig(v.url), v.name+" Credentials Sent Unencrypted",
			fmt.Sprintf("The %s URL %s uses plain http:// to a host other than this machine, so the %s travel unencrypted. "+
				"Use the server's https:// address (such as %s).", v.name, u.Redacted(), v.credentials, v.example))
	}
	return warnings
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

func isLoopback(u *url.URL) bool {
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// configureClients builds the vendor clients from the configuration.
func configureClients(cfg providerConfig, getenv getenvFunc, version, terraformVersion string) (*providerClients, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := client.Settings{Timeout: defaultRequestTimeout, MaxRetries: defaultMaxRetries, UserAgent: "terraform-provider-endpointgroups/" + version}
	if terraformVersion != "" {
		s.UserAgent += " (+terraform " + terraformVersion + ")"
	}
	if _, diags = rootSettings.resolve(cfg.root, getenv, &s); diags.HasError() {
		return nil, diags
	}

	clients := &providerClients{}
	var warnings diag.Diagnostics
	clients.opswat, clients.opswatOrigin, warnings, clients.opswatProblem = newOPSWAT(cfg.opswat, getenv, s)
	diags.Append(warnings...)
	clients.drweb, warnings, clients.drwebProblem = newDrWeb(cfg.drweb, getenv, s)
	diags.Append(warnings...)
	return clients, diags
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
