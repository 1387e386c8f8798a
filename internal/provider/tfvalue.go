package provider

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Large states (a plural data source over thousands of groups) are built as
// Terraform values directly. A framework value converts into a Terraform
// value that carries a type of its own on every nested object, list and
// map (most of its bytes); tfValueOf rebuilds it on one shared type, so
// that a group costs its data, and the same value can be placed in several
// collections without being converted again.

// tfValueOf converts v into a Terraform value of type t, which must be v's
// type; every nested value shares t's parts.
func tfValueOf(ctx context.Context, v attr.Value, t tftypes.Type) (tftypes.Value, error) {
	raw, err := v.ToTerraformValue(ctx)
	if err != nil {
		return tftypes.Value{}, err
	}
	if !raw.Type().Equal(t) {
		return tftypes.Value{}, fmt.Errorf("a value of type %s where %s belongs", raw.Type(), t)
	}
	return retype(raw, t)
}

// retype rebuilds v, whose type equals t, on t itself.
func retype(v tftypes.Value, t tftypes.Type) (tftypes.Value, error) {
	switch {
	case v.IsNull():
		return tftypes.NewValue(t, nil), nil
	case !v.IsKnown():
		return tftypes.NewValue(t, tftypes.UnknownValue), nil
	}
	switch tt := t.(type) {
	case tftypes.Object:
		return retypeMap(v, t, func(k string) (tftypes.Type, bool) { at, ok := tt.AttributeTypes[k]; return at, ok })
	case tftypes.Map:
		return retypeMap(v, t, func(string) (tftypes.Type, bool) { return tt.ElementType, true })
	case tftypes.List:
		return retypeSlice(v, t, func(int) (tftypes.Type, bool) { return tt.ElementType, true })
	case tftypes.Set:
		return retypeSlice(v, t, func(int) (tftypes.Type, bool) { return tt.ElementType, true })
	case tftypes.Tuple:
		return retypeSlice(v, t, func(i int) (tftypes.Type, bool) {
			if i < len(tt.ElementTypes) {
				return tt.ElementTypes[i], true
			}
			return nil, false
		})
	}
	return v, nil // a primitive: its type is a value, shared already
}

func retypeMap(v tftypes.Value, t tftypes.Type, typeOf func(string) (tftypes.Type, bool)) (tftypes.Value, error) {
	var in map[string]tftypes.Value
	if err := v.As(&in); err != nil {
		return tftypes.Value{}, err
	}
	out := make(map[string]tftypes.Value, len(in))
	for k, e := range in {
		et, ok := typeOf(k)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("%q is not an attribute of %s", k, t)
		}
		var err error
		if out[k], err = retype(e, et); err != nil {
			return tftypes.Value{}, err
		}
	}
	return tftypes.NewValue(t, out), nil
}

func retypeSlice(v tftypes.Value, t tftypes.Type, typeOf func(int) (tftypes.Type, bool)) (tftypes.Value, error) {
	var in []tftypes.Value
	if err := v.As(&in); err != nil {
		return tftypes.Value{}, err
	}
	out := make([]tftypes.Value, len(in))
	for i, e := range in {
		et, ok := typeOf(i)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("element %d is not part of %s", i, t)
		}
		var err error
		if out[i], err = retype(e, et); err != nil {
			return tftypes.Value{}, err
		}
	}
	return tftypes.NewValue(t, out), nil
}

// setAttributes writes vals over the top-level attributes of st, whose
// other attributes the framework has set; vals must fit the schema.
func setAttributes(st *tfsdk.State, vals map[string]tftypes.Value) diag.Diagnostics {
	var diags diag.Diagnostics
	var attrs map[string]tftypes.Value
	if err := st.Raw.As(&attrs); err != nil {
		diags.AddError("State Not Written", "The state could not be read back: "+err.Error()+". This is a bug in the provider; please report it.")
		return diags
	}
	maps.Copy(attrs, vals)
	if err := tftypes.ValidateValue(st.Raw.Type(), attrs); err != nil {
		diags.AddError("State Not Written", "The values do not fit the schema: "+err.Error()+". This is a bug in the provider; please report it.")
		return diags
	}
	st.Raw = tftypes.NewValue(st.Raw.Type(), attrs)
	return diags
}

// objectsOf converts the models of n items, made one at a time by model (so
// that only one is alive), into objects of type obj, each once and on one
// shared type, in order; what names an item in an error.
func objectsOf[M any](ctx context.Context, obj types.ObjectType, n int, model func(int) M, what func(int) string) ([]tftypes.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	objType := obj.TerraformType(ctx)
	out := make([]tftypes.Value, 0, n)
	for i := range n {
		o, d := types.ObjectValueFrom(ctx, obj.AttrTypes, model(i))
		if diags.Append(d...); d.HasError() {
			return nil, diags
		}
		v, err := tfValueOf(ctx, o, objType)
		if err != nil {
			diags.AddError("Value Not Converted", fmt.Sprintf("%s could not be converted for the state: %s. "+
				"This is a bug in the provider; please report it.", what(i), err))
			return nil, diags
		}
		out = append(out, v)
	}
	return out, diags
}
