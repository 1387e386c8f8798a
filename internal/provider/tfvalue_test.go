package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A group's object converted on the shared type is the value the framework
// makes of it, nulls, lists and maps included; a value of another type is an
// error, not a state that does not fit the schema.
func TestTFValueOf(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	obj := drwebGroupObjectType(ctx)
	g := sampleDrWebGroup
	g.Components = nil // null nested object
	for _, g := range []any{drwebGroupModelFromAPI(sampleDrWebGroup), drwebGroupModelFromAPI(g)} {
		o, diags := types.ObjectValueFrom(ctx, obj.AttrTypes, g)
		if diags.HasError() {
			t.Fatal(diags)
		}
		want, err := o.ToTerraformValue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tfValueOf(ctx, o, obj.TerraformType(ctx))
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(want) {
			t.Fatalf("converted\n%s\nwant\n%s", got, want)
		}
	}
	if _, err := tfValueOf(ctx, types.StringValue("x"), obj.TerraformType(ctx)); err == nil || !strings.Contains(err.Error(), "where") {
		t.Fatalf("a string as a group's object: %v", err)
	}
}

// setAttributes refuses values that do not fit the schema.
func TestSetAttributesRefusesMisfits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var sr datasource.SchemaResponse
	(&drwebGroupsDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &sr)
	st := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	obj := drwebGroupObjectType(ctx)
	if diags := st.Set(ctx, drwebGroupsModel{Groups: types.ListNull(obj), ByID: types.MapNull(obj), ByPath: types.MapNull(obj)}); diags.HasError() {
		t.Fatal(diags)
	}
	diags := setAttributes(&st, map[string]tftypes.Value{"groups": tftypes.NewValue(tftypes.String, "x")})
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), "do not fit the schema") {
		t.Fatalf("diagnostics %v", diags)
	}
}
