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

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ provider.Provider                  = (*endpointGroupsProvider)(nil)
	_ provider.ProviderWithFunctions     = (*endpointGroupsProvider)(nil)
	_ provider.ProviderWithListResources = (*endpointGroupsProvider)(nil)
	_ provider.ProviderWithActions       = (*endpointGroupsProvider)(nil)
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
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the endpoint **groups** of OPSWAT MetaDefender IT Access (cloud) and Dr.Web AV-Desk / " +
			"Enterprise Security Suite (on-premises), so that configurations can reference group ids, policies, " +
			"rights, license keys and agent installer URLs instead of hard-coding them, and manages Dr.Web groups " +
			"(create, change, move, delete, import) with the `endpointgroups_drweb_group` resource and the stations in them with " +
			"the `endpointgroups_drweb_group_members` resource; OPSWAT documents no writes.\n\n" +
			"Each vendor is configured in its own block; both are optional, and a vendor that is not configured only " +
			"fails the data sources that need it. Every setting can also come from an environment variable " +
			"(an attribute in the configuration wins over the variable).",
		Attributes: rootSettings.attributes(),
		Blocks: map[string]schema.Block{
			opswatSettings.block: opswatSettings.schemaBlock(),
			drwebSettings.block:  drwebSettings.schemaBlock(),
		},
	}
}

func (p *endpointGroupsProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var root types.Object
	resp.Diagnostics.Append(req.Config.Get(ctx, &root)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg := configFrom(ctx, root)
	if cfg.hasUnknown() && req.ClientCapabilities.DeferralAllowed {
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
	resp.ListResourceData = clients
	resp.ActionData = clients
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

// ListResources are the list resources of `terraform query` (Terraform 1.14
// and later).
func (p *endpointGroupsProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{newDrWebGroupListResource, newDrWebGroupMembersListResource}
}

// Actions are the provider's actions (Terraform 1.14 and later).
func (p *endpointGroupsProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{newOPSWATAssignDevicesAction, newDrWebMoveStationsAction}
}
