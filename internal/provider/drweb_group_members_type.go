package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var (
	_ basetypes.SetTypable                    = stationIDsType{}
	_ basetypes.SetValuableWithSemanticEquals = stationIDsValue{}
)

// stationIDsType is the type of station_ids: a set of strings, as the
// framework's own, whose checks take time linear in its size. The
// framework's set compares elements pair by pair: its duplicate check on
// every conversion, its equality, and its semantic equality after a read
// (which, finding no match for a plain string, tries every prior element
// for each new one). At 5,000 stations that made a plan with nothing to
// do take minutes of the provider's CPU.
type stationIDsType struct {
	basetypes.SetType
}

func newStationIDsType() stationIDsType {
	return stationIDsType{SetType: basetypes.SetType{ElemType: types.StringType}}
}

func (t stationIDsType) Equal(o attr.Type) bool {
	other, ok := o.(stationIDsType)
	return ok && t.SetType.Equal(other.SetType)
}

func (t stationIDsType) String() string { return "stationIDsType" }

func (t stationIDsType) ValueType(context.Context) attr.Value {
	return stationIDsValue{SetValue: basetypes.NewSetNull(types.StringType)}
}

func (t stationIDsType) ValueFromSet(_ context.Context, in basetypes.SetValue) (basetypes.SetValuable, diag.Diagnostics) {
	return stationIDsValue{SetValue: in}, nil
}

func (t stationIDsType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.SetType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	set, ok := v.(basetypes.SetValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return stationIDsValue{SetValue: set}, nil
}

// Validate is the framework's set check (a set holds each element once),
// with a map in place of its comparison of every pair.
func (t stationIDsType) Validate(_ context.Context, in tftypes.Value, p path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	if in.Type() == nil {
		return diags
	}
	if !in.Type().Is(tftypes.Set{}) {
		diags.AddAttributeError(p, "Set Type Validation Error",
			fmt.Sprintf("An unexpected error was encountered trying to validate an attribute value. This is always an error in the "+
				"provider. Please report the following to the provider developer:\n\nexpected Set value, received %T with value: %v", in, in))
		return diags
	}
	if !in.IsKnown() || in.IsNull() {
		return diags
	}
	var elems []tftypes.Value
	if err := in.As(&elems); err != nil {
		diags.AddAttributeError(p, "Set Type Validation Error",
			"An unexpected error was encountered trying to validate an attribute value. This is always an error in the provider. "+
				"Please report the following to the provider developer:\n\n"+err.Error())
		return diags
	}
	seen := make(map[string]bool, len(elems))
	nulls := 0
	for _, e := range elems {
		if !e.IsKnown() {
			continue
		}
		if e.IsNull() {
			if nulls++; nulls == 2 {
				diags.AddAttributeError(p, "Duplicate Set Element", fmt.Sprintf("This attribute contains duplicate values of: %s", e))
			}
			continue
		}
		var s string
		if err := e.As(&s); err != nil {
			diags.AddAttributeError(p, "Set Type Validation Error",
				"An unexpected error was encountered trying to validate an attribute value. This is always an error in the provider. "+
					"Please report the following to the provider developer:\n\n"+err.Error())
			return diags
		}
		if seen[s] {
			diags.AddAttributeError(p, "Duplicate Set Element", fmt.Sprintf("This attribute contains duplicate values of: %s", e))
		}
		seen[s] = true
	}
	return diags
}

// stationIDsValue is a value of station_ids.
type stationIDsValue struct {
	basetypes.SetValue
}

func (v stationIDsValue) Type(context.Context) attr.Type { return newStationIDsType() }

// Equal is the set's equality through a map of its elements.
func (v stationIDsValue) Equal(o attr.Value) bool {
	other, ok := o.(stationIDsValue)
	if !ok {
		return false
	}
	a, aok := knownStringSet(v.SetValue)
	b, bok := knownStringSet(other.SetValue)
	if !aok || !bok {
		// Null, unknown, or with unknown elements: rare and small, the
		// framework's own comparison decides.
		return v.SetValue.Equal(other.SetValue)
	}
	if len(a) != len(b) {
		return false
	}
	for s := range a {
		if !b[s] {
			return false
		}
	}
	return true
}

// SetSemanticEquals: two sets of the same strings are the same set. The
// framework asks this of a read's new value against the prior one before
// comparing their elements pair by pair, which it skips when they are.
func (v stationIDsValue) SetSemanticEquals(_ context.Context, prior basetypes.SetValuable) (bool, diag.Diagnostics) {
	p, ok := prior.(stationIDsValue)
	return ok && v.Equal(p), nil
}

// knownStringSet returns the strings of a known set whose elements are all
// known strings; ok is false for any other set.
func knownStringSet(set basetypes.SetValue) (map[string]bool, bool) {
	if set.IsNull() || set.IsUnknown() {
		return nil, false
	}
	elems := set.Elements()
	out := make(map[string]bool, len(elems))
	for _, e := range elems {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			return nil, false
		}
		out[s.ValueString()] = true
	}
	return out, true
}
