package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
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
