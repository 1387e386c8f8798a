package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// importMembers runs the members resource's ImportState against srv, with
// an import id or (id "") an identity holding groupID.
func importMembers(t *testing.T, srv *emulator.Server, id, groupID string) resource.ImportStateResponse {
	t.Helper()
	ctx := context.Background()
	r, ok := newDrWebGroupMembersResource().(*drwebGroupMembersResource)
	if !ok {
		t.Fatalf("newDrWebGroupMembersResource gave %T", newDrWebGroupMembersResource())
	}
	var sresp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sresp)
	var iresp resource.IdentitySchemaResponse
	r.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &iresp)
	dc, err := drweb.New(drweb.Config{URL: srv.URL, Login: "admin", Password: "demo-password"}, actionSettings)
	if err != nil {
		t.Fatal(err)
	}
	var cresp resource.ConfigureResponse
	r.Configure(ctx, resource.ConfigureRequest{ProviderData: &providerClients{drweb: dc}}, &cresp)
	identityType := iresp.IdentitySchema.Type().TerraformType(ctx)
	req := resource.ImportStateRequest{ID: id}
	if id == "" {
		req.Identity = &tfsdk.ResourceIdentity{Schema: iresp.IdentitySchema, Raw: tftypes.NewValue(identityType, map[string]tftypes.Value{
			"group_id": tftypes.NewValue(tftypes.String, groupID),
		})}
	}
	resp := resource.ImportStateResponse{
		State:    tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(sresp.Schema.Type().TerraformType(ctx), nil)},
		Identity: &tfsdk.ResourceIdentity{Schema: iresp.IdentitySchema, Raw: tftypes.NewValue(identityType, nil)},
	}
	r.ImportState(ctx, req, &resp)
	return resp
}

// An identity's group_id is the group's id as it is: an id with ":" in
// it is not cut into GROUP:STATION as an import id is.
func TestDrWebGroupMembersImport_identityLiteral(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	const odd = "legacy:42"
	srv.SetDrWebGroups(append(srv.DrWebGroups(), emulator.DrWebGroup{ID: odd, ParentID: idServers, Name: "Legacy", Created: 1700000000, Modified: 1700000000}))
	srv.SetDrWebStations(append(srv.DrWebStations(), emulator.DrWebStation{
		ID: "odd-station-1", Name: "legacy-01", PrimaryGroup: idBerlinWS, Groups: []string{odd}, State: 1,
	}))
	resp := importMembers(t, srv, "", odd)
	if resp.Diagnostics.HasError() {
		t.Fatalf("import by identity {group_id = %q}: %v", odd, resp.Diagnostics)
	}
	var m drwebGroupMembersResourceModel
	if d := resp.State.Get(context.Background(), &m); d.HasError() {
		t.Fatal(d)
	}
	if m.GroupID.ValueString() != odd || !slices.Equal(m.StationIDs, []string{"odd-station-1"}) {
		t.Errorf("imported group_id %q, station_ids %v; want %q and [odd-station-1]", m.GroupID.ValueString(), m.StationIDs, odd)
	}
	for _, r := range requestsTo(srv, "/api/groups/stations-list.ds") {
		if got := r.Query.Get("id"); got == "legacy" {
			t.Errorf("stations-list.ds asked for %q: the identity's id was cut at the colon", got)
		}
	}
}
