package provider

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

// benchGroups returns n groups as info.ds describes them, each with a
// right, a key, a package and a path three levels deep.
func benchGroups(n int) []drweb.Group {
	gs := make([]drweb.Group, n)
	for i := range gs {
		gs[i] = drweb.Group{
			ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Name: fmt.Sprintf("group-%05d", i),
			ParentID: "20e27d73-d21d-b211-a788-85419c46f0e6", Description: "a group of the benchmark",
			Path: fmt.Sprintf("Offices/Berlin/group-%05d", i), Created: "2024-01-01T00:00:00Z", Modified: "2024-01-02T00:00:00Z",
			Stations: int64(i % 17),
		}
	}
	return gs
}

// BenchmarkDrWebGroupsState measures what the plural data source holds per
// group: its converted values, the state made of them and the state's wire
// encoding, all alive at the end of a read. It reports the bytes
// allocated and the heap still in use, per group.
func BenchmarkDrWebGroupsState(b *testing.B) {
	for _, n := range []int{1_000, 5_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			var sr datasource.SchemaResponse
			(&drwebGroupsDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &sr)
			typ := sr.Schema.Type().TerraformType(ctx)
			groups := benchGroups(n)
			var live int64
			b.ReportAllocs()
			for b.Loop() {
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				obj := drwebGroupObjectType(ctx)
				v, _, diags := drwebGroupsFromAPI(ctx, obj, groups)
				if diags.HasError() {
					b.Fatal(diags)
				}
				st := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}
				if diags := v.set(ctx, &st, drwebGroupsModel{Recursive: types.BoolValue(true)}, obj); diags.HasError() {
					b.Fatal(diags)
				}
				dv, err := tfprotov6.NewDynamicValue(typ, st.Raw)
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				live = int64(after.HeapAlloc) - int64(before.HeapAlloc)
				runtime.KeepAlive(v)
				runtime.KeepAlive(st)
				runtime.KeepAlive(dv)
			}
			b.ReportMetric(float64(live)/float64(n), "live-B/group")
		})
	}
}

// BenchmarkDrWebStationsState is BenchmarkDrWebGroupsState for the stations
// data source: live bytes per station at the end of a read.
func BenchmarkDrWebStationsState(b *testing.B) {
	for _, n := range []int{20_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			var sr datasource.SchemaResponse
			(&drwebGroupStationsDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &sr)
			typ := sr.Schema.Type().TerraformType(ctx)
			stations := make([]drweb.Station, n)
			for i := range stations {
				stations[i] = drweb.Station{ID: fmt.Sprintf("st-%06d", i), Name: fmt.Sprintf("pc-%06d", i), State: int64(i % 2),
					LastSeen: "2024-11-28T13:20:00Z", LastSeenAddress: "tcp://10.3.0.16:2193"}
			}
			var live int64
			b.ReportAllocs()
			for b.Loop() {
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				v, diags := drwebGroupStationsFromAPI(ctx, drwebStationObjectType(ctx), stations, drweb.StationStates{})
				if diags.HasError() {
					b.Fatal(diags)
				}
				st := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}
				if diags := v.set(ctx, &st, drwebGroupStationsModel{GroupID: types.StringValue("g"), Timeouts: nullReadTimeouts()}); diags.HasError() {
					b.Fatal(diags)
				}
				dv, err := tfprotov6.NewDynamicValue(typ, st.Raw)
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				live = int64(after.HeapAlloc) - int64(before.HeapAlloc)
				runtime.KeepAlive(v)
				runtime.KeepAlive(st)
				runtime.KeepAlive(dv)
			}
			b.ReportMetric(float64(live)/float64(n), "live-B/station")
		})
	}
}
