package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// protoV6 runs the provider in-process for the Terraform CLI.
var protoV6 = map[string]func() (tfprotov6.ProviderServer, error){
	"endpointgroups": providerserver.NewProtocol6WithError(New("test")()),
}

// startEmulator serves both vendor APIs on loopback for one test.
func startEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	srv := emulator.New(emulator.DefaultSeed())
	t.Cleanup(srv.Close)
	return srv
}

// providerSettings are the provider-level settings tests vary.
type providerSettings struct {
	maxRetries        int
	requestTimeout    string // "" for the default
	requestsPerMinute int
}

// providerBlock configures both vendors against the emulator, with quick
// retries so that fault tests stay short.
func providerBlock(srv *emulator.Server) string {
	return providerBlockWith(srv, providerSettings{maxRetries: 2, requestsPerMinute: 1000})
}

// providerBlockWith configures both vendors against the emulator with the
// given settings.
func providerBlockWith(srv *emulator.Server, s providerSettings) string {
	timeout := ""
	if s.requestTimeout != "" {
		timeout = fmt.Sprintf("\n  request_timeout = %q", s.requestTimeout)
	}
	return fmt.Sprintf(`
provider "endpointgroups" {
  max_retries = %[2]d%[3]s
  opswat {
    base_url            = %[1]q
    client_id           = "demo-client"
    client_secret       = "demo-secret"
    requests_per_minute = %[4]d
  }
  drweb {
    url      = %[1]q
    login    = "admin"
    password = "demo-password"
  }
}
`, srv.URL, s.maxRetries, timeout, s.requestsPerMinute)
}

// accTest runs Terraform steps against the in-process provider in parallel.
func accTest(t *testing.T, steps ...resource.TestStep) {
	t.Helper()
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: protoV6, Steps: steps})
}

// attrChecks expects each top-level attribute of addr to match its check.
func attrChecks(addr string, want map[string]knownvalue.Check) []statecheck.StateCheck {
	var checks []statecheck.StateCheck
	for attr, v := range want {
		checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), v))
	}
	return checks
}

func errorRe(s string) *regexp.Regexp {
	// Terraform wraps long messages; match across line breaks and spacing.
	words := strings.Fields(regexp.QuoteMeta(s))
	return regexp.MustCompile(strings.Join(words, `\s+`))
}

func TestProviderSchema(t *testing.T) {
	t.Parallel()
	var resp provider.SchemaResponse
	New("test")().Schema(context.Background(), provider.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatal(diags)
	}
	type want struct {
		typ       attr.Type
		sensitive bool
	}
	top := map[string]want{"request_timeout": {types.StringType, false}, "max_retries": {types.Int64Type, false}}
	blocks := map[string]map[string]want{
		"opswat": {
			"base_url": {types.StringType, false}, "access_token": {types.StringType, true}, "client_id": {types.StringType, false},
			"client_secret": {types.StringType, true}, "requests_per_minute": {types.Int64Type, false},
			"cache_ttl": {types.StringType, false}, "cache_dir": {types.StringType, false},
			"ca_cert_pem": {types.StringType, false}, "insecure_skip_verify": {types.BoolType, false},
		},
		"drweb": {
			"url": {types.StringType, false}, "login": {types.StringType, false}, "password": {types.StringType, true},
			"ca_cert_pem": {types.StringType, false}, "insecure_skip_verify": {types.BoolType, false},
		},
	}
	check := func(where string, attrs map[string]schema.Attribute, wants map[string]want) {
		if len(attrs) != len(wants) {
			t.Errorf("%s has %d attributes, want %d", where, len(attrs), len(wants))
		}
		for name, w := range wants {
			a, ok := attrs[name]
			switch {
			case !ok:
				t.Errorf("%s.%s is missing", where, name)
			case !a.GetType().Equal(w.typ):
				t.Errorf("%s.%s is %s, want %s", where, name, a.GetType(), w.typ)
			case a.IsSensitive() != w.sensitive:
				t.Errorf("%s.%s sensitive = %v, want %v", where, name, a.IsSensitive(), w.sensitive)
			case !a.IsOptional() || a.IsRequired() || a.GetMarkdownDescription() == "":
				t.Errorf("%s.%s must be optional and described", where, name)
			}
		}
	}
	check("provider", resp.Schema.Attributes, top)
	for name, wants := range blocks {
		b, ok := resp.Schema.Blocks[name].(schema.SingleNestedBlock)
		if !ok {
			t.Fatalf("block %s is missing or not a single nested block", name)
		}
		check(name, b.Attributes, wants)
	}
}

// stateWriter writes a state its own way (a plural data source that builds
// its collections as Terraform values).
type stateWriter func(*tfsdk.State) diag.Diagnostics

// Every model converts into its data source's schema and back, so schema
// and model cannot drift apart.
func TestModelsMatchSchemas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		ds    datasource.DataSource
		model any
	}{
		{newOPSWATGroupDataSource(), opswatGroupDataSourceModel{opswatGroupModelFromAPI(sampleOPSWATGroup), nullReadTimeouts()}},
		{newOPSWATGroupsDataSource(), opswatGroupsModel{IDs: []string{"1"}, Groups: []opswatGroupModel{opswatGroupModelFromAPI(sampleOPSWATGroup)}, Timeouts: nullReadTimeouts()}},
		{newDrWebGroupDataSource(), drwebGroupModelFromAPI(sampleDrWebGroup)},
		{newDrWebGroupsDataSource(), stateWriter(func(st *tfsdk.State) diag.Diagnostics {
			obj := drwebGroupObjectType(ctx)
			v, _, diags := drwebGroupsFromAPI(ctx, obj, []drweb.Group{sampleDrWebGroup})
			if diags.HasError() {
				return diags
			}
			return v.set(ctx, st, drwebGroupsModel{}, obj)
		})},
		{newDrWebGroupStationsDataSource(), stateWriter(func(st *tfsdk.State) diag.Diagnostics {
			one := int64(1)
			v, diags := drwebGroupStationsFromAPI(ctx, drwebStationObjectType(ctx),
				[]drweb.Station{{ID: "s1", Name: "pc-1", State: 1, LastSeen: "2024-11-28T13:20:00Z"}}, drweb.StationStates{Online: &one})
			if diags.HasError() {
				return diags
			}
			return v.set(ctx, st, drwebGroupStationsModel{Timeouts: nullReadTimeouts()})
		})},
	} {
		var resp datasource.SchemaResponse
		tc.ds.Schema(ctx, datasource.SchemaRequest{}, &resp)
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Fatalf("%T: %v", tc.ds, diags)
		}
		state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
		set := func() diag.Diagnostics { return state.Set(ctx, tc.model) }
		if w, ok := tc.model.(stateWriter); ok {
			set = func() diag.Diagnostics { return w(&state) }
		}
		if diags := set(); diags.HasError() {
			t.Errorf("%T: the model does not fit the schema: %v", tc.ds, diags)
		}
		for name, a := range resp.Schema.Attributes {
			if a.GetMarkdownDescription() == "" {
				t.Errorf("%T: %s has no description", tc.ds, name)
			}
		}
	}
	groupModel, diags := drwebGroupResourceModelFromAPI(sampleDrWebGroup)
	if diags.HasError() {
		t.Fatal(diags)
	}
	for _, tc := range []struct {
		r     fwresource.Resource
		model any
	}{
		{newDrWebGroupResource(), groupModel.withProviderSide(drwebGroupResourceModel{})},
		{newDrWebGroupMembersResource(), drwebGroupMembersResourceModel{GroupID: types.StringValue("g"), StationIDs: []string{"s1"}, Timeouts: nullTimeouts()}},
	} {
		var resp fwresource.SchemaResponse
		tc.r.Schema(ctx, fwresource.SchemaRequest{}, &resp)
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Fatalf("%T: %v", tc.r, diags)
		}
		state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
		if diags := state.Set(ctx, tc.model); diags.HasError() {
			t.Errorf("%T: the model does not fit the schema: %v", tc.r, diags)
		}
		for name, a := range resp.Schema.Attributes {
			if a.GetMarkdownDescription() == "" {
				t.Errorf("%T: %s has no description", tc.r, name)
			}
		}
	}
	// The list resources' configurations, read from a list block's config.
	for _, tc := range []struct {
		l     list.ListResource
		model any
	}{
		{newDrWebGroupListResource(), drwebGroupListModel{ParentID: types.StringValue("p"), Recursive: types.BoolValue(false),
			NameRegex: types.StringValue("^a"), IncludeSystemGroups: types.BoolNull()}},
		{newDrWebGroupMembersListResource(), drwebGroupMembersListModel{ParentID: types.StringNull(), Recursive: types.BoolNull(), NameRegex: types.StringNull()}},
	} {
		var resp list.ListResourceSchemaResponse
		tc.l.ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &resp)
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Fatalf("%T: %v", tc.l, diags)
		}
		cfg := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
		if diags := cfg.Set(ctx, tc.model); diags.HasError() {
			t.Errorf("%T: the model does not fit the schema: %v", tc.l, diags)
		}
		if resp.Schema.MarkdownDescription == "" {
			t.Errorf("%T has no description", tc.l)
		}
		for name, a := range resp.Schema.Attributes {
			if a.GetMarkdownDescription() == "" {
				t.Errorf("%T: %s has no description", tc.l, name)
			}
		}
	}
}

// liveEnv holds the vendor environment variables as the test run found
// them: live tests use them, everything else runs without them.
var liveEnv = map[string]string{}

func TestMain(m *testing.M) {
	// Acceptance tests against the emulator must never pick up real
	// credentials from the environment: each says what it configures.
	for _, name := range envVars() {
		if v, ok := os.LookupEnv(name); ok {
			liveEnv[name] = v
			_ = os.Unsetenv(name)
		}
	}
	code := m.Run()
	if dir := providerBuild.dir; dir != "" { // built by newCLI for the CLI tests
		_ = os.RemoveAll(dir)
	}
	os.Exit(code)
}
