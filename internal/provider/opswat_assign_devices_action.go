package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

var (
	_ action.ActionWithConfigure = (*opswatAssignDevicesAction)(nil)
)

// opswatAssignDevicesAction puts devices into an OPSWAT group: the API's one
// write, with no way to read a device's group back, so an action and not a
// resource.
type opswatAssignDevicesAction struct{ actionClients }

type opswatAssignDevicesActionModel struct {
	GroupID      types.String `tfsdk:"group_id"`
	DeviceIDs    types.Set    `tfsdk:"device_ids"`
	MACAddresses types.Set    `tfsdk:"mac_addresses"`
}

func newOPSWATAssignDevicesAction() action.Action { return &opswatAssignDevicesAction{} }

func (a *opswatAssignDevicesAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_opswat_assign_devices"
}

func macValidator() validator.String {
	return stringCheck{"value must be a 48-bit MAC address such as 02:00:00:44:55:66", func(s string) (string, string) {
		if _, err := opswat.NormalizeMAC(s); err != nil {
			return "Invalid MAC Address", err.Error() + "."
		}
		return "", ""
	}}
}

func (a *opswatAssignDevicesAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Puts OPSWAT MetaDefender IT Access devices into a group, with the API's device action " +
			"`assign_to_group` (Terraform 1.14 and later). Run it from another resource's `lifecycle { action_trigger { … } }` " +
			"(a VM whose agent has enrolled) or with `terraform apply -invoke=action.endpointgroups_opswat_assign_devices.<name>`.\n\n" +
			"The group is checked against the run's group list first (the cache rules of the data sources apply), so an unknown " +
			"group fails before anything is sent. Devices go at most 50 a request, paced like every OPSWAT request, with progress " +
			"after each request. Each device's outcome is what the API's answer says of it: every device not assigned (the action " +
			"not supported for it, failed, or missing from the answer) is an error that names it. Assigning a device to its own " +
			"group again is harmless, so a request whose answer was lost is sent again once, with a warning.\n\n" +
			"The API has no way to read a device's group back: this is an action, not a resource, and nothing is kept in the state. " +
			"After it, the run no longer knows the group's `number_of_devices` (null in later reads of the run), and " +
			"the group-list cache entry is removed.",
		Attributes: map[string]schema.Attribute{
			"group_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The id of the group to put the devices in (`group_id`, as `endpointgroups_opswat_group` gives it).",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"device_ids": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "The devices, by device id (the API's `ids`; v3.0 calls them hardware ids). Exactly one of " +
					"`device_ids` and `mac_addresses`, with at least one device.",
				Validators: []validator.Set{
					setvalidator.ExactlyOneOf(path.MatchRoot("mac_addresses")),
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
				},
			},
			"mac_addresses": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "The devices, by MAC address (the API's `macs`): 48-bit addresses written with colons, hyphens " +
					"or dots (`02:00:00:44:55:66`, `02-00-00-44-55-66`, `0200.0044.5566`); they are sent as the API's listings " +
					"write them, lower-case with colons. Broadcast, multicast and all-zero addresses are no device's and are refused. " +
					"Exactly one of `device_ids` and `mac_addresses`, with at least one device.",
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(macValidator()),
				},
			},
		},
	}
}

func (a *opswatAssignDevicesAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m opswatAssignDevicesActionModel
	c, ok := invokeWith(ctx, a.clients, req, &m, (*providerClients).OPSWAT, &resp.Diagnostics)
	if !ok {
		return
	}
	in := opswat.Assignment{GroupID: m.GroupID.ValueString(), Key: opswat.ByDeviceID}
	at := path.Root("device_ids")
	set := m.DeviceIDs
	if !m.MACAddresses.IsNull() {
		in.Key, at, set = opswat.ByMAC, path.Root("mac_addresses"), m.MACAddresses
	}
	if in.Devices, ok = setStrings(ctx, set, &resp.Diagnostics); !ok {
		return
	}
	in.Progress = func(p opswat.AssignProgress) {
		// Terraform 1.14.9 crashes on progress sent after it stopped the
		// provider; the last progress before the interrupt says what was done.
		if ctx.Err() != nil {
			return
		}
		if p.NotSent > 0 {
			resp.SendProgress(action.InvokeProgressEvent{Message: fmt.Sprintf("OPSWAT group %s: stopped before request %d of %d: %d of %d devices assigned, %d not sent; "+
				"invoke the action again to assign the rest (assigning a device to its own group again is harmless)", in.GroupID, p.Chunk, p.Chunks, p.Done, p.Total, p.NotSent)})
			return
		}
		msg := fmt.Sprintf("OPSWAT group %s: request %d of %d answered, %d of %d devices assigned", in.GroupID, p.Chunk, p.Chunks, p.Done, p.Total)
		if p.Failed > 0 {
			msg += fmt.Sprintf(" (%d of this request not assigned)", p.Failed)
		}
		if p.Resent {
			msg += " (sent again after a lost answer)"
		}
		msg += fmt.Sprintf("; %s sent to the API so far", plural(p.Requests, "request"))
		resp.SendProgress(action.InvokeProgressEvent{Message: msg})
	}
	res, err := c.AssignDevices(ctx, in)
	addOPSWATNotices(&resp.Diagnostics, c)
	if err != nil {
		if errors.Is(err, opswat.ErrInvalidMAC) {
			resp.Diagnostics.AddAttributeError(at, "Invalid MAC Address", err.Error()+".")
			return
		}
		var nf *opswat.NotFoundError
		if errors.As(err, &nf) {
			resp.Diagnostics.AddAttributeError(path.Root("group_id"), "OPSWAT Group Not Found",
				nf.Error()+".\n\nNo device was sent to the API. Check group_id: ids match exactly. The endpointgroups_opswat_groups "+
					"data source lists the groups there are, with their ids."+cacheHint(nf, a.clients.opswatOrigin))
			return
		}
		addOPSWATError(&resp.Diagnostics, err, path.Root("group_id"), a.clients.opswatOrigin)
		return
	}
	for _, w := range res.Warnings {
		resp.Diagnostics.AddWarning("OPSWAT Device Action Sent Again", capitalize(w)+".")
	}
	addAssignErrors(&resp.Diagnostics, res, in.Key, at)
}

// cacheHint explains a miss in a cached group list.
func cacheHint(nf *opswat.NotFoundError, origin opswatOrigin) string {
	if !nf.FromCache {
		return ""
	}
	return fmt.Sprintf(" The list searched is the one opswat.cache_ttl keeps, fetched %s ago: a group made since then is not in it. %s",
		nf.CacheAge.Round(time.Second), origin.cacheRefreshHint())
}

// addAssignErrors names every device not assigned, grouped by what the API
// said of it.
func addAssignErrors(diags *diag.Diagnostics, res opswat.AssignResult, key opswat.DeviceKey, at path.Path) {
	failed := res.NotAssigned()
	if len(failed) == 0 {
		return
	}
	type kind struct {
		status opswat.AssignStatus
		says   string
	}
	kinds := []kind{
		{opswat.AssignNotSupported, "the API answered -1, \"not supported\": the action does not apply to these devices (the vendor excludes devices with the domain controller agent)"},
		{opswat.AssignFailed, "the API answered 0, \"apply action failed\": check that these devices exist in the account (a device id or MAC it does not know fails like this)"},
		{opswat.AssignOtherStatus, "the API answered a status it does not document"},
		{opswat.AssignContradicted, "the API's answer names each of them twice, with different statuses: it contradicts itself, so they may or may not be in the group; invoking the action again is harmless"},
		{opswat.AssignMissing, "the API's answer does not mention them: they may or may not be in the group"},
		{opswat.AssignUnknown, "the request's answer was lost twice: they may or may not be in the group; invoking the action again is harmless"},
		{opswat.AssignRefused, "the API refused the request"},
		{opswat.AssignNotSent, "they were not sent"},
	}
	var parts []string
	for _, k := range kinds {
		var names []string
		var why error
		for _, o := range failed {
			if o.Status != k.status {
				continue
			}
			n := o.Device
			var ce *opswat.ContradictionError
			switch {
			case k.status == opswat.AssignOtherStatus:
				n += fmt.Sprintf(" (status %q)", o.Code)
			case errors.As(o.Err, &ce):
				n += fmt.Sprintf(" (status %q, then %q)", ce.First, ce.Second)
			}
			names = append(names, n)
			if why == nil && k.status != opswat.AssignContradicted {
				why = o.Err
			}
		}
		if len(names) == 0 {
			continue
		}
		says := k.says
		if why != nil {
			says += " (" + why.Error() + ")"
		}
		parts = append(parts, fmt.Sprintf("%s: %s:\n%s", plural(len(names), "device"), says, listNamed(names)))
	}
	done := len(res.Outcomes) - len(failed)
	diags.AddAttributeError(at, "OPSWAT Devices Not Assigned",
		fmt.Sprintf("%d of %d devices (by %s) were not put into the group %s (%q); %d assigned.\n\n%s\n\n"+
			"The API cannot show a device's group, so nothing else tells; devices assigned stay assigned. Fix what is named "+
			"and invoke the action again: assigning a device to its own group again is harmless.",
			len(failed), len(res.Outcomes), key, res.Group.ID, res.Group.Name, done, strings.Join(parts, "\n\n")))
}
