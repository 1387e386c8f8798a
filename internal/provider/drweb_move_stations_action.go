package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

var (
	_ action.ActionWithConfigure = (*drwebMoveStationsAction)(nil)
)

// drwebMoveStationsAction makes a group the primary group of stations: a
// station has exactly one, which the members resource leaves alone.
type drwebMoveStationsAction struct{ actionClients }

type drwebMoveStationsActionModel struct {
	GroupID    types.String `tfsdk:"group_id"`
	StationIDs types.Set    `tfsdk:"station_ids"`
}

func newDrWebMoveStationsAction() action.Action { return &drwebMoveStationsAction{} }

func (a *drwebMoveStationsAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_drweb_move_stations"
}

func (a *drwebMoveStationsAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Makes a Dr.Web group the **primary group** of stations (`stations/change.ds?parent-group=`; " +
			"Terraform 1.14 and later). A station has exactly one primary group, where its settings come from, and may be in any " +
			"number of others: `endpointgroups_drweb_group_members` manages those and leaves the primary group alone. Run it from " +
			"another resource's `lifecycle { action_trigger { … } }` or with `terraform apply -invoke=action.endpointgroups_drweb_move_stations.<name>`.\n\n" +
			"The group is checked first (its station listing), so an unknown group fails before anything is sent. Each station's " +
			"change is sent once, with progress per station. An answer that was lost, refused or about another station is settled " +
			"by listing the group again: a station listed now and not before was moved, one not listed was not. No listing shows " +
			"which group is a station's primary one, so a station that was already in the group (as a member) stays unknown after " +
			"a lost answer. Every station not shown moved is an error that names it. Nothing is kept in the state.",
		Attributes: map[string]schema.Attribute{
			"group_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The id of the group to make the stations' primary group.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"station_ids": schema.SetAttribute{
				ElementType:         types.StringType,
				Required:            true,
				MarkdownDescription: "The stations to move, by id (as `endpointgroups_drweb_group_stations` lists them); at least one.",
				Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
		},
	}
}

func (a *drwebMoveStationsAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m drwebMoveStationsActionModel
	c, ok := invokeWith(ctx, a.clients, req, &m, (*providerClients).DrWeb, &resp.Diagnostics)
	if !ok {
		return
	}
	stations, ok := setStrings(ctx, m.StationIDs, &resp.Diagnostics)
	if !ok {
		return
	}
	group := m.GroupID.ValueString()
	res, err := c.MoveStations(ctx, group, stations, func(mv drweb.StationMove, done, total int) {
		what := "moved"
		if mv.Status != drweb.MoveDone {
			what = "answer to be checked"
		}
		resp.SendProgress(action.InvokeProgressEvent{Message: fmt.Sprintf("Dr.Web group %s: station %s %s (%d of %d answered)", group, mv.Station, what, done, total)})
	})
	if err != nil {
		var nf *drweb.NotFoundError
		if errors.As(err, &nf) {
			resp.Diagnostics.AddAttributeError(path.Root("group_id"), "Dr.Web Group Not Found", nf.Error()+".\n\nNo station was changed. "+
				"Check group_id: ids match exactly. The endpointgroups_drweb_groups data source lists the groups there are, with their ids.")
			return
		}
		addDrWebError(&resp.Diagnostics, err, path.Root("group_id"))
		return
	}
	for _, mv := range res.Moves {
		if mv.Status == drweb.MoveDoneAnswerLost {
			resp.Diagnostics.AddWarning("Dr.Web Station Move Settled By Reading Back",
				fmt.Sprintf("The answer to the move of the station %q was not a plain success (%v); the group %q lists the station now "+
					"and did not before, so it was moved.", mv.Station, mv.Err, group))
		}
	}
	addMoveErrors(&resp.Diagnostics, res, group)
}

// addMoveErrors names every station not shown moved, with what happened.
func addMoveErrors(diags *diag.Diagnostics, res drweb.MoveResult, group string) {
	failed := res.NotMoved()
	if len(failed) == 0 {
		return
	}
	says := map[drweb.MoveStatus]string{
		drweb.MoveRefused: "refused by the server (a refusal is final: check the station id, that the group may be a primary group " +
			"— Status groups never are — and the administrator's privilege to move stations)",
		drweb.MoveNotDone: "not moved: the answer was lost and the group does not list the station",
		drweb.MoveUnknown: "unknown: the answer was lost and the listing cannot tell",
		drweb.MoveNotSent: "not sent",
	}
	var lines []string
	for _, mv := range failed {
		line := fmt.Sprintf("%s: %s", mv.Station, says[mv.Status])
		if mv.Err != nil {
			line += " (" + mv.Err.Error() + ")"
		}
		lines = append(lines, line)
	}
	diags.AddAttributeError(path.Root("station_ids"), "Dr.Web Stations Not Moved",
		fmt.Sprintf("%d of %d stations were not shown moved into the group %q as their primary group; %d moved.\n\n%s\n\n"+
			"Each change was sent once. Moving a station into its own primary group again is harmless: fix what is named and invoke the action again.",
			len(failed), len(res.Moves), group, len(res.Moves)-len(failed), listNamed(lines)))
}
