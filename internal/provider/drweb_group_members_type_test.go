package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func stationIDs(t *testing.T, ids ...string) stationIDsValue {
	t.Helper()
	elems := make([]attr.Value, len(ids))
	for i, id := range ids {
		elems[i] = types.StringValue(id)
	}
	set, diags := basetypes.NewSetValue(types.StringType, elems)
	if diags.HasError() {
		t.Fatal(diags)
	}
	return stationIDsValue{SetValue: set}
}

// station_ids' type finds what the framework's set finds: a duplicate
// element, named; a set of distinct ids passes.
func TestStationIDsTypeValidate(t *testing.T) {
	ctx := context.Background()
	typ := newStationIDsType()
	set := func(ids ...string) tftypes.Value {
		var elems []tftypes.Value
		for _, id := range ids {
			elems = append(elems, tftypes.NewValue(tftypes.String, id))
		}
		return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems)
	}
	if d := typ.Validate(ctx, set("a", "b", "c"), path.Root("station_ids")); d.HasError() {
		t.Errorf("distinct ids: %v", d)
	}
	d := typ.Validate(ctx, set("a", "b", "a"), path.Root("station_ids"))
	if len(d) != 1 || d[0].Summary() != "Duplicate Set Element" || !strings.Contains(d[0].Detail(), `"a"`) {
		t.Errorf("a duplicate: %v", d)
	}
	withUnknown := tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{
		tftypes.NewValue(tftypes.String, tftypes.UnknownValue), tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	})
	if d := typ.Validate(ctx, withUnknown, path.Root("station_ids")); d.HasError() {
		t.Errorf("unknown elements are not compared: %v", d)
	}
	if d := typ.Validate(ctx, tftypes.NewValue(tftypes.String, "a"), path.Root("station_ids")); !d.HasError() {
		t.Error("a string passes as a set")
	}
}

// Two values of station_ids are equal, and semantically equal, exactly
// when they hold the same ids, in any order.
func TestStationIDsValueEqual(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		a, b []string
		want bool
	}{
		{[]string{"a", "b"}, []string{"b", "a"}, true},
		{[]string{"a", "b"}, []string{"a"}, false},
		{[]string{"a", "b"}, []string{"a", "c"}, false},
		{nil, nil, true},
	} {
		a, b := stationIDs(t, tc.a...), stationIDs(t, tc.b...)
		if got := a.Equal(b); got != tc.want {
			t.Errorf("%v equal %v: %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got, d := a.SetSemanticEquals(ctx, b); got != tc.want || d.HasError() {
			t.Errorf("%v semantically equal %v: %v %v, want %v", tc.a, tc.b, got, d, tc.want)
		}
	}
	null := stationIDsValue{SetValue: basetypes.NewSetNull(types.StringType)}
	if null.Equal(stationIDs(t)) || !null.Equal(stationIDsValue{SetValue: basetypes.NewSetNull(types.StringType)}) {
		t.Error("a null set compares wrong")
	}
	if stationIDs(t, "a").Equal(stationIDs(t, "a").SetValue) {
		t.Error("a plain set equals a value of station_ids")
	}
}
