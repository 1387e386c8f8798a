package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

var actionSettings = client.Settings{Timeout: 5 * time.Second, MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond}

// invoke runs an action's Invoke on a configuration model, with clients of
// the emulator, as Terraform would after validating the configuration.
func invoke(t *testing.T, a action.Action, srv *emulator.Server, model any) (action.InvokeResponse, []string) {
	t.Helper()
	ctx := context.Background()
	var sresp action.SchemaResponse
	a.Schema(ctx, action.SchemaRequest{}, &sresp)
	state := tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(sresp.Schema.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, model); diags.HasError() {
		t.Fatalf("the model does not fit the schema: %v", diags)
	}
	oc, err := opswat.New(opswat.Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: 1000}, actionSettings)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := drweb.New(drweb.Config{URL: srv.URL, Login: "admin", Password: "demo-password"}, actionSettings)
	if err != nil {
		t.Fatal(err)
	}
	var cresp action.ConfigureResponse
	configurable, ok := a.(action.ActionWithConfigure)
	if !ok {
		t.Fatalf("%T has no Configure", a)
	}
	configurable.Configure(ctx, action.ConfigureRequest{ProviderData: &providerClients{opswat: oc, drweb: dc}}, &cresp)
	var progress []string
	resp := action.InvokeResponse{SendProgress: func(e action.InvokeProgressEvent) { progress = append(progress, e.Message) }}
	a.Invoke(ctx, action.InvokeRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: state.Raw}}, &resp)
	return resp, progress
}

func setOf(values ...string) types.Set {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.SetValueMust(types.StringType, elems)
}

// Both actions' schemas are valid, described, and fit their models.
func TestActionSchemas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, a := range []action.Action{newOPSWATAssignDevicesAction(), newDrWebMoveStationsAction()} {
		var resp action.SchemaResponse
		a.Schema(ctx, action.SchemaRequest{}, &resp)
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Fatalf("%T: %v", a, diags)
		}
		if resp.Schema.MarkdownDescription == "" {
			t.Errorf("%T has no description", a)
		}
		for name, at := range resp.Schema.Attributes {
			if at.GetMarkdownDescription() == "" {
				t.Errorf("%T: %s has no description", a, name)
			}
		}
	}
}

// The diagnostics say what was asked, what came back and what to do: the
// devices not assigned are named under what the API said of them, and a
// resend is a warning; the progress tells each request.
func TestOPSWATAssignDevicesInvokeDiagnostics(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	srv.SetOPSWATDevices([]emulator.OPSWATDevice{{ID: "ok-1", GroupID: opswatDefault}, {ID: "dc-1", GroupID: opswatDefault, DomainController: true}})
	srv.AddFault(emulator.Fault{Path: devicesAction, Lose: true, Times: 1})
	resp, progress := invoke(t, newOPSWATAssignDevicesAction(), srv, opswatAssignDevicesActionModel{
		GroupID: types.StringValue(opswatKiosks), DeviceIDs: setOf("ok-1", "dc-1"), MACAddresses: types.SetNull(types.StringType),
	})
	if len(progress) != 1 || !strings.Contains(progress[0], "request 1 of 1 answered, 1 of 2 devices assigned (1 of this request not assigned) (sent again after a lost answer)") {
		t.Errorf("progress %q", progress)
	}
	if resp.Diagnostics.WarningsCount() != 1 || !strings.Contains(resp.Diagnostics.Warnings()[0].Detail(), "was sent again") {
		t.Errorf("warnings %v", resp.Diagnostics.Warnings())
	}
	errs := resp.Diagnostics.Errors()
	if len(errs) != 1 || errs[0].Summary() != "OPSWAT Devices Not Assigned" ||
		!strings.Contains(errs[0].Detail(), `1 of 2 devices (by device id) were not put into the group 301122004 ("Kiosks"); 1 assigned.`) ||
		!strings.Contains(errs[0].Detail(), "1 device: the API answered -1, \"not supported\"") || !strings.Contains(errs[0].Detail(), "  - dc-1") {
		t.Fatalf("errors %v", errs)
	}
	if g := srv.OPSWATDeviceGroups(); g["ok-1"] != opswatKiosks || g["dc-1"] != opswatDefault {
		t.Fatalf("server groups %v", g)
	}
}

// A device the answer names twice with different statuses is an error that
// names it and both statuses; progress counts every request the server saw.
func TestOPSWATAssignDevicesAnswerContradicts(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	srv.SetOPSWATActionAnswer(emulator.ActionAnswerItems)
	srv.SetOPSWATDevices([]emulator.OPSWATDevice{{ID: "ok-1", GroupID: opswatDefault}, {ID: "twice-1", GroupID: opswatDefault, AnsweredTwice: true}})
	srv.AddFault(emulator.Fault{Path: devicesAction, Times: 1, Status: 429, RetryAfter: "0", ContentType: "application/json", Body: `{"error":"The request exceeds the API rate limit"}`})
	resp, progress := invoke(t, newOPSWATAssignDevicesAction(), srv, opswatAssignDevicesActionModel{
		GroupID: types.StringValue(opswatKiosks), DeviceIDs: setOf("ok-1", "twice-1"), MACAddresses: types.SetNull(types.StringType),
	})
	// Token, group page, the 429 and the device action: 4.
	if n := len(srv.Requests()); n != 4 || len(progress) != 1 || !strings.HasSuffix(progress[0], "; 4 requests sent to the API so far") {
		t.Errorf("progress %q; the server saw %s", progress, srv.Summary())
	}
	errs := resp.Diagnostics.Errors()
	if len(errs) != 1 || errs[0].Summary() != "OPSWAT Devices Not Assigned" ||
		!strings.Contains(errs[0].Detail(), "1 device: the API's answer names each of them twice, with different statuses: it contradicts itself") ||
		!strings.Contains(errs[0].Detail(), `  - twice-1 (status "1", then "0")`) || strings.Contains(errs[0].Detail(), "ok-1") {
		t.Fatalf("errors %v", errs)
	}
}

// An unknown Dr.Web group changes nothing; a station not moved is named.
func TestDrWebMoveStationsInvokeDiagnostics(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t)
	resp, _ := invoke(t, newDrWebMoveStationsAction(), srv, drwebMoveStationsActionModel{GroupID: types.StringValue("no-such"), StationIDs: setOf(buildStation)})
	if errs := resp.Diagnostics.Errors(); len(errs) != 1 || errs[0].Summary() != "Dr.Web Group Not Found" || !strings.Contains(errs[0].Detail(), "No station was changed") {
		t.Fatalf("errors %v", errs)
	}
	if n := srv.Count(stationChange); n != 0 {
		t.Fatalf("%d change.ds", n)
	}
	resp, progress := invoke(t, newDrWebMoveStationsAction(), srv, drwebMoveStationsActionModel{GroupID: types.StringValue(idWindows), StationIDs: setOf(buildStation, "no-such-station")})
	errs := resp.Diagnostics.Errors()
	if len(errs) != 1 || errs[0].Summary() != "Dr.Web Stations Not Moved" || !strings.Contains(errs[0].Detail(), "no-such-station: refused by the server") ||
		strings.Contains(errs[0].Detail(), buildStation) {
		t.Fatalf("errors %v", errs)
	}
	if len(progress) != 2 {
		t.Fatalf("progress %q", progress)
	}
}
