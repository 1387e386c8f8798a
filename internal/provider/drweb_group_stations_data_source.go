package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"golang.org/x/sync/errgroup"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

var _ datasource.DataSourceWithConfigure = (*drwebGroupStationsDataSource)(nil)

func newDrWebGroupStationsDataSource() datasource.DataSource { return &drwebGroupStationsDataSource{} }

type drwebGroupStationsDataSource struct {
	dataSourceClients
}

type drwebGroupStationsModel struct {
	GroupID          types.String                 `tfsdk:"group_id"`
	IncludeSubgroups types.Bool                   `tfsdk:"include_subgroups"`
	MinResults       types.Int64                  `tfsdk:"min_results"`
	Stations         []drwebStationModel          `tfsdk:"stations"`
	IDs              []string                     `tfsdk:"ids"`
	ByID             map[string]drwebStationModel `tfsdk:"by_id"`
	States           *drwebStationStatesModel     `tfsdk:"states"`
	Timeouts         timeouts.Value               `tfsdk:"timeouts"`
}

type drwebStationModel struct {
	ID              types.String `tfsdk:"id"`
	Name            types.String `tfsdk:"name"`
	State           types.Int64  `tfsdk:"state"`
	LastSeen        types.String `tfsdk:"last_seen"`
	LastSeenAddress types.String `tfsdk:"last_seen_address"`
}

type drwebStationStatesModel struct {
	All              types.Int64 `tfsdk:"all"`
	Online           types.Int64 `tfsdk:"online"`
	Offline          types.Int64 `tfsdk:"offline"`
	New              types.Int64 `tfsdk:"new"`
	Newbies          types.Int64 `tfsdk:"newbies"`
	Activated        types.Int64 `tfsdk:"activated"`
	Unactivated      types.Int64 `tfsdk:"unactivated"`
	Deinstalled      types.Int64 `tfsdk:"deinstalled"`
	Deleted          types.Int64 `tfsdk:"deleted"`
	WithUpdateErrors types.Int64 `tfsdk:"with_update_errors"`
}

// nullReadTimeouts is a data source's timeouts block left out.
func nullReadTimeouts() timeouts.Value {
	return timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"read": types.StringType})}
}

// drwebStationModelFromAPI converts a station; a station never seen has a
// null last_seen.
func drwebStationModelFromAPI(s drweb.Station) drwebStationModel {
	return drwebStationModel{
		ID:              types.StringValue(s.ID),
		Name:            types.StringValue(s.Name),
		State:           types.Int64Value(s.State),
		LastSeen:        stringOrNull(s.LastSeen),
		LastSeenAddress: types.StringValue(s.LastSeenAddress),
	}
}

// drwebStationStatesModelFromAPI converts the state counts; a count the
// server left out is null.
func drwebStationStatesModelFromAPI(s drweb.StationStates) *drwebStationStatesModel {
	return &drwebStationStatesModel{
		All: types.Int64PointerValue(s.All), Online: types.Int64PointerValue(s.Online), Offline: types.Int64PointerValue(s.Offline),
		New: types.Int64PointerValue(s.New), Newbies: types.Int64PointerValue(s.Newbies),
		Activated: types.Int64PointerValue(s.Activated), Unactivated: types.Int64PointerValue(s.Unactivated),
		Deinstalled: types.Int64PointerValue(s.Deinstalled), Deleted: types.Int64PointerValue(s.Deleted),
		WithUpdateErrors: types.Int64PointerValue(s.WithUpdateErrors),
	}
}

// drwebStationsValues are the stations found as Terraform values:
// stations and by_id share each station's object, converted once.
type drwebStationsValues struct {
	IDs            []string
	Stations, ByID tftypes.Value
	States         *drwebStationStatesModel
}

// drwebGroupStationsFromAPI converts the computed attributes: the stations
// in order, their ids, by_id (objects of type obj), the state counts.
func drwebGroupStationsFromAPI(ctx context.Context, obj types.ObjectType, stations []drweb.Station, states drweb.StationStates) (drwebStationsValues, diag.Diagnostics) {
	objs, diags := objectsOf(ctx, obj, len(stations), func(i int) drwebStationModel { return drwebStationModelFromAPI(stations[i]) },
		func(i int) string { return fmt.Sprintf("The station %q", stations[i].ID) })
	if diags.HasError() {
		return drwebStationsValues{}, diags
	}
	v := drwebStationsValues{IDs: make([]string, 0, len(stations)), States: drwebStationStatesModelFromAPI(states)}
	byID := make(map[string]tftypes.Value, len(stations))
	for i, s := range stations {
		v.IDs = append(v.IDs, s.ID)
		byID[s.ID] = objs[i]
	}
	objType := obj.TerraformType(ctx)
	v.Stations = tftypes.NewValue(tftypes.List{ElementType: objType}, objs)
	v.ByID = tftypes.NewValue(tftypes.Map{ElementType: objType}, byID)
	return v, diags
}

// set writes cfg with the stations found into st; stations and by_id go in
// as they are (through the model, each station would be converted twice).
func (v drwebStationsValues) set(ctx context.Context, st *tfsdk.State, cfg drwebGroupStationsModel) diag.Diagnostics {
	cfg.IDs, cfg.States, cfg.Stations, cfg.ByID = v.IDs, v.States, nil, nil
	if diags := st.Set(ctx, cfg); diags.HasError() {
		return diags
	}
	return setAttributes(st, map[string]tftypes.Value{"stations": v.Stations, "by_id": v.ByID})
}

// drwebStationObjectType is the type of one station's object in the
// stations data source's schema.
func drwebStationObjectType(ctx context.Context) types.ObjectType {
	var sr datasource.SchemaResponse
	(&drwebGroupStationsDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &sr)
	list, _ := sr.Schema.Attributes["stations"].GetType().(types.ListType)
	obj, _ := list.ElemType.(types.ObjectType)
	return obj
}

func drwebStationAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":   schema.StringAttribute{Computed: true, MarkdownDescription: "The station's id."},
		"name": schema.StringAttribute{Computed: true, MarkdownDescription: "The station's name."},
		"state": schema.Int64Attribute{Computed: true, MarkdownDescription: "The station's state as the server numbers it. AV-Desk documents " +
			"`0` offline, `1` online, `2` newbie accepted, `3` newbie denied; ESS refers to a table of its own, so the number is passed through."},
		"last_seen":         schema.StringAttribute{Computed: true, MarkdownDescription: "When the station was last seen, RFC 3339 in UTC; null when it never was."},
		"last_seen_address": schema.StringAttribute{Computed: true, MarkdownDescription: "The address it was last seen from, such as `tcp://10.3.0.16:2193`; `\"\"` when none."},
	}
}

func (d *drwebGroupStationsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_drweb_group_stations"
}

func (d *drwebGroupStationsDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	tb, ok := timeouts.BlockWithOpts(ctx, timeouts.Opts{ReadDescription: "How long reading the stations and their counts may take, " +
		"every page and retry together. Default `5m`."}).(schema.SingleNestedBlock)
	if !ok {
		resp.Diagnostics.AddError("Unexpected Timeouts Block", "terraform-plugin-framework-timeouts returned another kind of block; please report this to the provider's developers.")
		return
	}
	tb.MarkdownDescription = "Timeouts of the read, as durations such as `\"30s\"` or `\"15m\"`."
	for name, a := range tb.Attributes {
		if sa, ok := a.(schema.StringAttribute); ok {
			sa.MarkdownDescription = sa.Description
			tb.Attributes[name] = sa
		}
	}
	count := func(what string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: what + "; null when the server does not send this count, " +
			"or sends something other than a non-negative whole number (with a warning)."}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The stations in a Dr.Web AV-Desk / Enterprise Security Suite group, and its station state counts.\n\n" +
			"A group's stations cost one `stations-list.ds` request per 100 stations, shared by every data source and resource " +
			"that reads the same group in one run, plus one `states.ds` request. With `include_subgroups`, the subtree is listed " +
			"(`list.ds`, shared with the run's other lookups) and each group in it costs its own pages.\n\n" +
			"A listing that contradicts itself is an error naming the group and the page, never a part of the group: a short or " +
			"empty page before the last page the server gives, a page with no new station, a page larger than asked, or a pages " +
			"total that is not a number. A full page is always followed by the next one, so a server that under-reports its pages " +
			"is still read to its end. A listing stops with an error at 2,000 pages, 200,000 stations or 256 MiB of answers, " +
			"whichever comes first, and the whole read at `timeouts.read`.",
		Attributes: map[string]schema.Attribute{
			"group_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The id of the group, system groups included (Everyone holds every station).",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"include_subgroups": schema.BoolAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "`true`: also the stations of every group below it, each station once: the group's own in server order, " +
					"then each subgroup's, depth first in the tree's listing order, a station where it first appears. The same set and " +
					"order on every server line. Default `false`: the stations directly in the group (as members or by their primary group).",
			},
			"min_results": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Fail when fewer stations than this are found, with an error that names the group. Default `0`.",
				Validators:          []validator.Int64{int64validator.AtLeast(0)},
			},
			"stations": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The stations, in the order described for `include_subgroups`.",
				NestedObject:        schema.NestedAttributeObject{Attributes: drwebStationAttributes()},
			},
			"ids": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The ids of `stations`, in order."},
			"by_id": schema.MapNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The stations of `stations` keyed by id, ready for `for_each`.",
				NestedObject:        schema.NestedAttributeObject{Attributes: drwebStationAttributes()},
			},
			"states": schema.SingleNestedAttribute{
				Computed: true,
				MarkdownDescription: "The station state counts of `group_id` as the server's `states.ds` gives them. Whether they count " +
					"the stations of groups below it is not documented (and does not follow `include_subgroups`).",
				Attributes: map[string]schema.Attribute{
					"all":                count("Every station except deleted ones (AV-Desk does not send it)"),
					"online":             count("Stations online"),
					"offline":            count("Stations offline"),
					"new":                count("New stations"),
					"newbies":            count("Newbies: stations waiting to be accepted or denied"),
					"activated":          count("Activated stations"),
					"unactivated":        count("Stations not activated"),
					"deinstalled":        count("Stations whose agent was uninstalled"),
					"deleted":            count("Deleted stations"),
					"with_update_errors": count("Stations whose last update failed"),
				},
			},
		},
		Blocks: map[string]schema.Block{"timeouts": tb},
	}
}

func (d *drwebGroupStationsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = withLogging(ctx)
	var cfg drwebGroupStationsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := d.clients.DrWeb()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	if cfg.IncludeSubgroups.IsNull() {
		cfg.IncludeSubgroups = types.BoolValue(false)
	}
	group := cfg.GroupID.ValueString()
	limit, td := cfg.Timeouts.Read(ctx, defaultReadTimeout)
	if resp.Diagnostics.Append(td...); resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	var stations []drweb.Station
	var states drweb.StationStates
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		if cfg.IncludeSubgroups.ValueBool() {
			stations, err = c.SubtreeStations(gctx, group)
		} else {
			stations, err = c.Stations(gctx, group)
		}
		return err
	})
	g.Go(func() (err error) {
		states, err = c.States(gctx, group)
		return err
	})
	if err := g.Wait(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = &readTimeoutError{what: fmt.Sprintf("reading the stations of the group %q", group), limit: limit, err: err}
		}
		addDrWebError(&resp.Diagnostics, err, path.Root("group_id"))
		return
	}
	if len(states.Warnings) > 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("states"), "Dr.Web Station Counts Not Numbers",
			fmt.Sprintf("Dr.Web's station state counts of the group %q are not all non-negative whole numbers: %s. Those counts are "+
				"null; the stations themselves are read as usual.", group, strings.Join(states.Warnings, "; ")))
	}
	if least := cfg.MinResults.ValueInt64(); int64(len(stations)) < least {
		scope := "directly in"
		if cfg.IncludeSubgroups.ValueBool() {
			scope = "in or below"
		}
		resp.Diagnostics.AddAttributeError(path.Root("min_results"), "Too Few Dr.Web Stations",
			fmt.Sprintf("Found %d stations %s the group %q, fewer than min_results = %d. Check group_id (and include_subgroups).",
				len(stations), scope, group, least))
		return
	}
	found, diags := drwebGroupStationsFromAPI(ctx, drwebStationObjectType(ctx), stations, states)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(found.set(ctx, &resp.State, cfg)...)
}
