// Package provider is the Terraform glue of the endpointgroups provider: the
// provider configuration, one file per data source or resource, the path
// functions, and the diagnostics that tell users what to do. Each asks the
// vendor clients (internal/opswat, internal/drweb) for what it reads or
// writes, and converts their typed answers into models with pure functions;
// only this package speaks of attributes, environment variables and
// Terraform commands.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

var (
	_ provider.Provider              = (*endpointGroupsProvider)(nil)
	_ provider.ProviderWithFunctions = (*endpointGroupsProvider)(nil)
)

type endpointGroupsProvider struct {
	version string
}

// New returns the provider factory for the given version (set by the build).
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &endpointGroupsProvider{version: version} }
}

func (p *endpointGroupsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "endpointgroups"
	resp.Version = p.version
}

func (p *endpointGroupsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	sibling := func(name string) path.Expression { return path.MatchRelative().AtParent().AtName(name) }
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the endpoint **groups** of OPSWAT MetaDefender IT Access (cloud) and Dr.Web AV-Desk / " +
			"Enterprise Security Suite (on-premises), so that configurations can reference group ids, policies, " +
			"rights, license keys and agent installer URLs instead of hard-coding them, and manages Dr.Web groups " +
			"(create, change, move, delete, import) with the `endpointgroups_drweb_group` resource; OPSWAT documents no writes.\n\n" +
			"Each vendor is configured in its own block; both are optional, and a vendor that is not configured only " +
			"fails the data sources that need it. Every setting can also come from an environment variable " +
			"(an attribute in the configuration wins over the variable).",
		Attributes: map[string]schema.Attribute{
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "How long one HTTP request may take, including reading the answer, as a Go duration " +
					"(`30s`, `1m30s`). Retries get a fresh timeout each, so a server that accepts connections and never answers " +
					"fails a read after about `(max_retries + 1) × request_timeout` plus the backoff between attempts: 3 minutes 10 " +
					"seconds with the defaults. Environment variable `ENDPOINTGROUPS_REQUEST_TIMEOUT`; default `30s`.",
				Optional:   true,
				Validators: []validator.String{durationValidator()},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a request is retried after a connection error or an answer of 429, 502, " +
					"503 or 504, with exponential backoff and jitter (a `Retry-After` header is honoured, up to 5 minutes). A 429 that " +
					"says how long to wait (`Retry-After`, `X-RateLimit-Reset-Time`) is a rate-limit window, waited out without " +
					"spending retries. Dr.Web writes are retried only when the answer proves nothing happened. Environment variable " +
					"`ENDPOINTGROUPS_MAX_RETRIES`; default `5`; `0` turns retries off.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, maxRetriesLimit)},
			},
		},
		Blocks: map[string]schema.Block{
			"opswat": schema.SingleNestedBlock{
				MarkdownDescription: "OPSWAT MetaDefender IT Access. Authenticate with either a ready `access_token` or " +
					"`client_id` and `client_secret` (the OAuth client-credentials grant; the provider then renews tokens itself).",
				Attributes: map[string]schema.Attribute{
					"base_url": schema.StringAttribute{
						MarkdownDescription: "The API host, without a path (the provider adds `/o/api/v3/…`). Environment variable `OPSWAT_BASE_URL`; default `" + opswat.DefaultBaseURL + "`.",
						Optional:            true,
						Validators:          []validator.String{urlValidator(opswat.ParseBaseURL, opswatBlock.example)},
					},
					"access_token": schema.StringAttribute{
						MarkdownDescription: "A ready OAuth access token. Environment variable `OPSWAT_ACCESS_TOKEN`. " +
							"Conflicts with `client_id` and `client_secret`.",
						Optional:  true,
						Sensitive: true,
						Validators: []validator.String{
							stringvalidator.LengthAtLeast(1),
							stringvalidator.ConflictsWith(sibling("client_id"), sibling("client_secret")),
						},
					},
					"client_id": schema.StringAttribute{
						MarkdownDescription: "OAuth client ID for the client-credentials grant. Environment variable `OPSWAT_CLIENT_ID`.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.AlsoRequires(sibling("client_secret"))},
					},
					"client_secret": schema.StringAttribute{
						MarkdownDescription: "OAuth client secret for the client-credentials grant. Environment variable `OPSWAT_CLIENT_SECRET`.",
						Optional:            true,
						Sensitive:           true,
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.AlsoRequires(sibling("client_id"))},
					},
					"requests_per_minute": schema.Int64Attribute{
						MarkdownDescription: "The most requests the provider sends to OPSWAT in any minute; a plan that needs more " +
							"is paced, not rejected. From `120` on, walks of the group list read up to four pages ahead (see the rate-limits guide). " +
							"Environment variable `OPSWAT_REQUESTS_PER_MINUTE`; default `10`, the API's documented limit.",
						Optional:   true,
						Validators: []validator.Int64{int64validator.AtLeast(1)},
					},
					"cache_ttl": schema.StringAttribute{
						MarkdownDescription: "Keep the account's complete group list across runs for this long, such as `\"10m\"`: within it, " +
							"lookups by id and by name and `endpointgroups_opswat_groups` without `search` cost no request at all, so a plan " +
							"and its apply, or the stacks and CI jobs of one machine, walk the list once between them. A name or id missing " +
							"from the cached list is \"not found\", and groups made in the console within the TTL are not seen: keep it to " +
							"minutes, and set `\"0s\"` (or `OPSWAT_CACHE_TTL=0s`) for a run that must see the account as it is. " +
							"Environment variable `OPSWAT_CACHE_TTL`; default: no cache. See the rate-limits guide.",
						Optional:   true,
						Validators: []validator.String{ttlValidator()},
					},
					"cache_dir": schema.StringAttribute{
						MarkdownDescription: "Where `cache_ttl` keeps its entries: one file per account, named by a hash of `base_url` and " +
							"`client_id` (or the access token), holding no credential, readable by its owner only. Runs that share the " +
							"directory (a shared volume too) wait for one walk. Environment variable `OPSWAT_CACHE_DIR`; default: the user's " +
							"cache directory (`$XDG_CACHE_HOME` or `~/.cache` on Linux) `/terraform-provider-endpointgroups/opswat`.",
						Optional:   true,
						Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"ca_cert_pem":          caCertAttribute(opswatBlock),
					"insecure_skip_verify": insecureAttribute(opswatBlock),
				},
			},
			"drweb": schema.SingleNestedBlock{
				MarkdownDescription: "Dr.Web AV-Desk / Enterprise Security Suite server, reached through its Web API " +
					"with an administrator's login and password (HTTP Basic).",
				Attributes: map[string]schema.Attribute{
					"url": schema.StringAttribute{
						MarkdownDescription: "The Dr.Web Server's web address, such as `https://esuite.example.com:9081`. Environment variable `DRWEB_URL`.",
						Optional:            true,
						Validators:          []validator.String{urlValidator(client.ParseBaseURL, drwebBlock.example)},
					},
					"login": schema.StringAttribute{
						MarkdownDescription: "The administrator's login. Environment variable `DRWEB_LOGIN`.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"password": schema.StringAttribute{
						MarkdownDescription: "The administrator's password. Environment variable `DRWEB_PASSWORD`.",
						Optional:            true,
						Sensitive:           true,
					},
					"ca_cert_pem":          caCertAttribute(drwebBlock),
					"insecure_skip_verify": insecureAttribute(drwebBlock),
				},
			},
		},
	}
}

// caCertAttribute and insecureAttribute are the TLS settings, the same shape
// in both vendor blocks.
func caCertAttribute(v vendorBlock) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "PEM-encoded CA certificates to trust besides the system's, for a " + v.name + " server with a " +
			"self-signed or private certificate (for example `file(\"ca.pem\")`). Environment variable `" + v.envCAFile +
			"` (a path to the PEM file).",
		Optional:   true,
		Validators: []validator.String{pemValidator()},
	}
}

func insecureAttribute(v vendorBlock) schema.BoolAttribute {
	return schema.BoolAttribute{
		MarkdownDescription: "Skip verification of the " + v.name + " server's TLS certificate. Anyone between the provider and " +
			"the server can then read the " + v.credentials + ": prefer `ca_cert_pem`. Environment variable `" + v.envInsec +
			"`; default `false`.",
		Optional: true,
	}
}

func (p *endpointGroupsProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if hasUnknown(cfg) && req.ClientCapabilities.DeferralAllowed {
		resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
		return
	}
	clients, diags := configureClients(cfg, envLookup, p.version, req.TerraformVersion)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.DataSourceData = clients
	resp.ResourceData = clients
}

func (p *endpointGroupsProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newOPSWATGroupDataSource,
		newOPSWATGroupsDataSource,
		newDrWebGroupDataSource,
		newDrWebGroupsDataSource,
		newDrWebGroupStationsDataSource,
	}
}

// Functions are the provider-defined functions (Terraform 1.8 and later,
// OpenTofu 1.7 and later).
func (p *endpointGroupsProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{newDrWebPathFunction, newDrWebPathNamesFunction}
}

func (p *endpointGroupsProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newDrWebGroupResource, newDrWebGroupMembersResource}
}
