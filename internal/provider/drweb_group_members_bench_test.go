package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// objectOf is an object of type t with the given attributes, the others
// null.
func objectOf(tb testing.TB, t tftypes.Type, attrs map[string]tftypes.Value) tftypes.Value {
	tb.Helper()
	obj, ok := t.(tftypes.Object)
	if !ok {
		tb.Fatalf("%s is not an object", t)
	}
	vals := make(map[string]tftypes.Value, len(obj.AttributeTypes))
	for name, at := range obj.AttributeTypes {
		if v, ok := attrs[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(t, vals)
}

func dynamicValue(tb testing.TB, t tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	tb.Helper()
	dv, err := tfprotov6.NewDynamicValue(t, v)
	if err != nil {
		tb.Fatal(err)
	}
	return &dv
}

func failOn(tb testing.TB, what string, diags []*tfprotov6.Diagnostic) {
	tb.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			tb.Fatalf("%s: %s: %s", what, d.Summary, d.Detail)
		}
	}
}

// BenchmarkDrWebGroupMembersPlan is what the provider does for a plan of a
// members resource, as Terraform asks it over the protocol: configure,
// validate the configuration, upgrade and refresh the state (one listing
// of the group), plan. Its time per operation is the provider's CPU for
// such a plan (the emulator's share included); Terraform's own side is
// apart. With nothing to do it grows linearly with the stations. With
// drift (the state holds a station the group no longer shows), the
// framework compares the refreshed set with the prior one element against
// element, which no value type of the provider can spare it: that case
// stays quadratic.
func BenchmarkDrWebGroupMembersPlan(b *testing.B) {
	for _, bc := range []struct {
		n     int
		drift bool
	}{{1_000, false}, {5_000, false}, {1_000, true}} {
		name := fmt.Sprint(bc.n)
		if bc.drift {
			name += "-drift"
		}
		n := bc.n
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			srv := emulator.New(emulator.DefaultSeed())
			b.Cleanup(srv.Close)
			groups := srv.DrWebGroups()
			i := slices.IndexFunc(groups, func(g emulator.DrWebGroup) bool { return g.ID == idMoscowWS })
			groups[i].Stations = n
			srv.SetDrWebGroups(groups)
			ids := srv.DrWebStationsIn(idMoscowWS)

			ps, err := providerserver.NewProtocol6WithError(New("test")())()
			if err != nil {
				b.Fatal(err)
			}
			schemas, err := ps.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
			if err != nil {
				b.Fatal(err)
			}
			const typeName = "endpointgroups_drweb_group_members"
			pt := schemas.Provider.ValueType()
			rt := schemas.ResourceSchemas[typeName].ValueType()
			pobj, ok := pt.(tftypes.Object)
			if !ok {
				b.Fatalf("the provider schema is a %s", pt)
			}
			providerConfig := dynamicValue(b, pt, objectOf(b, pt, map[string]tftypes.Value{
				"max_retries": tftypes.NewValue(tftypes.Number, 2),
				"drweb": objectOf(b, pobj.AttributeTypes["drweb"], map[string]tftypes.Value{
					"url":      tftypes.NewValue(tftypes.String, srv.URL),
					"login":    tftypes.NewValue(tftypes.String, "admin"),
					"password": tftypes.NewValue(tftypes.String, "demo-password"),
				}),
			}))
			elems := make([]tftypes.Value, len(ids))
			for i, id := range ids {
				elems[i] = tftypes.NewValue(tftypes.String, id)
			}
			config := dynamicValue(b, rt, objectOf(b, rt, map[string]tftypes.Value{
				"group_id":    tftypes.NewValue(tftypes.String, idMoscowWS),
				"station_ids": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems),
			}))
			held := ids
			if bc.drift {
				held = append(slices.Clone(ids), "taken-out-meanwhile")
			}
			rawState, err := json.Marshal(map[string]any{"group_id": idMoscowWS, "station_ids": held, "timeouts": nil})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				cr, err := ps.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.0", Config: providerConfig})
				if err != nil {
					b.Fatal(err)
				}
				failOn(b, "configure", cr.Diagnostics)
				vr, err := ps.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: typeName, Config: config})
				if err != nil {
					b.Fatal(err)
				}
				failOn(b, "validate", vr.Diagnostics)
				ur, err := ps.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: typeName, Version: 0,
					RawState: &tfprotov6.RawState{JSON: rawState}})
				if err != nil {
					b.Fatal(err)
				}
				failOn(b, "upgrade", ur.Diagnostics)
				rr, err := ps.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: ur.UpgradedState})
				if err != nil {
					b.Fatal(err)
				}
				failOn(b, "read", rr.Diagnostics)
				pr, err := ps.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: typeName, PriorState: rr.NewState,
					ProposedNewState: rr.NewState, Config: config, PriorPrivate: rr.Private})
				if err != nil {
					b.Fatal(err)
				}
				failOn(b, "plan", pr.Diagnostics)
				if len(pr.RequiresReplace) != 0 {
					b.Fatalf("the plan replaces the resource: %v", pr.RequiresReplace)
				}
			}
		})
	}
}
