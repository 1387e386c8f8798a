package provider

import (
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

// The model of one Dr.Web group, its converter from the client's Group and
// its schema attributes, shared by endpointgroups_drweb_group,
// endpointgroups_drweb_groups and the endpointgroups_drweb_group resource.

// drwebGroupModel is one Dr.Web group: the singular data source's state and
// each element of the plural one's groups.
type drwebGroupModel struct {
	ID                  types.String          `tfsdk:"id"`
	Name                types.String          `tfsdk:"name"`
	Path                types.String          `tfsdk:"path"`
	ParentID            types.String          `tfsdk:"parent_id"`
	ParentName          types.String          `tfsdk:"parent_name"`
	Description         types.String          `tfsdk:"description"`
	Type                types.Int64           `tfsdk:"type"`
	Created             types.String          `tfsdk:"created"`
	Modified            types.String          `tfsdk:"modified"`
	ChildGroups         types.Int64           `tfsdk:"child_groups"`
	Stations            types.Int64           `tfsdk:"stations"`
	HasPersonalSettings types.Bool            `tfsdk:"has_personal_settings"`
	Rights              *drwebRightsModel     `tfsdk:"rights"`
	Keys                *drwebKeysModel       `tfsdk:"keys"`
	Components          *drwebComponentsModel `tfsdk:"components"`
	Packages            []drwebPackageModel   `tfsdk:"packages"`
	Installers          map[string]string     `tfsdk:"installers"`
}

type drwebRightsModel struct {
	Inherited          types.Bool        `tfsdk:"inherited"`
	InheritedGroupID   types.String      `tfsdk:"inherited_group_id"`
	InheritedGroupName types.String      `tfsdk:"inherited_group_name"`
	Items              []drwebRightModel `tfsdk:"items"`
	ByCode             map[string]int64  `tfsdk:"by_code"`
}

type drwebRightModel struct {
	Code  types.Int64  `tfsdk:"code"`
	Name  types.String `tfsdk:"name"`
	Value types.Int64  `tfsdk:"value"`
}

type drwebKeysModel struct {
	Inherited          types.Bool   `tfsdk:"inherited"`
	InheritedGroupID   types.String `tfsdk:"inherited_group_id"`
	InheritedGroupName types.String `tfsdk:"inherited_group_name"`
	IDs                []string     `tfsdk:"ids"`
}

type drwebComponentsModel struct {
	Inherited          types.Bool            `tfsdk:"inherited"`
	InheritedGroupID   types.String          `tfsdk:"inherited_group_id"`
	InheritedGroupName types.String          `tfsdk:"inherited_group_name"`
	Items              []drwebComponentModel `tfsdk:"items"`
	ByCode             map[string]int64      `tfsdk:"by_code"`
}

type drwebComponentModel struct {
	Code   types.Int64  `tfsdk:"code"`
	Name   types.String `tfsdk:"name"`
	Status types.Int64  `tfsdk:"status"`
}

// drwebComponentsModelFromAPI converts a group's components; nil (null)
// when the answer held none.
func drwebComponentsModelFromAPI(c *drweb.Components) *drwebComponentsModel {
	if c == nil {
		return nil
	}
	m := &drwebComponentsModel{
		Inherited:          types.BoolPointerValue(c.Inherited),
		InheritedGroupID:   stringOrNull(c.InheritedGroupID),
		InheritedGroupName: stringOrNull(c.InheritedGroupName),
		Items:              make([]drwebComponentModel, 0, len(c.Items)),
		ByCode:             make(map[string]int64, len(c.Items)),
	}
	for _, it := range c.Items {
		m.Items = append(m.Items, drwebComponentModel{Code: types.Int64Value(it.Code), Name: types.StringValue(it.Name), Status: types.Int64Value(it.Status)})
		m.ByCode[strconv.FormatInt(it.Code, 10)] = it.Status
	}
	return m
}

type drwebPackageModel struct {
	OS   types.String `tfsdk:"os"`
	Arch types.String `tfsdk:"arch"`
	URL  types.String `tfsdk:"url"`
}

// drwebInstallers keys the packages' URLs by "<os>/<arch>". A platform the
// server lists twice keeps its first URL that is not empty: an entry without
// one installs nothing.
func drwebInstallers(pkgs []drweb.Package) map[string]string {
	installers := make(map[string]string, len(pkgs))
	for _, p := range pkgs {
		if key := p.OS + "/" + p.Arch; installers[key] == "" {
			installers[key] = p.URL
		}
	}
	return installers
}

// drwebGroupModelFromAPI converts a client group. References the server
// left empty (parent, inherited-from group) are null; free text is passed
// through, "" when empty.
func drwebGroupModelFromAPI(g drweb.Group) drwebGroupModel {
	m := drwebGroupModel{
		ID:                  types.StringValue(g.ID),
		Name:                types.StringValue(g.Name),
		Path:                types.StringValue(g.Path),
		ParentID:            stringOrNull(g.ParentID),
		ParentName:          stringOrNull(g.ParentName),
		Description:         types.StringValue(g.Description),
		Type:                types.Int64Value(g.Type),
		Created:             stringOrNull(g.Created),
		Modified:            stringOrNull(g.Modified),
		ChildGroups:         types.Int64Value(g.ChildGroups),
		Stations:            types.Int64Value(g.Stations),
		HasPersonalSettings: types.BoolPointerValue(g.HasPersonalSettings),
		Rights: &drwebRightsModel{
			Inherited:          types.BoolPointerValue(g.Rights.Inherited),
			InheritedGroupID:   stringOrNull(g.Rights.InheritedGroupID),
			InheritedGroupName: stringOrNull(g.Rights.InheritedGroupName),
			Items:              make([]drwebRightModel, 0, len(g.Rights.Items)),
			ByCode:             make(map[string]int64, len(g.Rights.Items)),
		},
		Keys: &drwebKeysModel{
			Inherited:          types.BoolPointerValue(g.Keys.Inherited),
			InheritedGroupID:   stringOrNull(g.Keys.InheritedGroupID),
			InheritedGroupName: stringOrNull(g.Keys.InheritedGroupName),
			IDs:                append([]string{}, g.Keys.IDs...),
		},
		Components: drwebComponentsModelFromAPI(g.Components),
		Packages:   make([]drwebPackageModel, 0, len(g.Packages)),
		Installers: drwebInstallers(g.Packages),
	}
	for _, r := range g.Rights.Items {
		m.Rights.Items = append(m.Rights.Items, drwebRightModel{Code: types.Int64Value(r.Code), Name: types.StringValue(r.Name), Value: types.Int64Value(r.Value)})
		m.Rights.ByCode[strconv.FormatInt(r.Code, 10)] = r.Value
	}
	for _, p := range g.Packages {
		m.Packages = append(m.Packages, drwebPackageModel{OS: types.StringValue(p.OS), Arch: types.StringValue(p.Arch), URL: types.StringValue(p.URL)})
	}
	return m
}

func inheritanceAttributes(what string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"inherited":            schema.BoolAttribute{Computed: true, MarkdownDescription: "`true` when the group's " + what + " come from an ancestor group, `false` when they are set on the group itself; null when the server does not say."},
		"inherited_group_id":   schema.StringAttribute{Computed: true, MarkdownDescription: "The id of the group the " + what + " are inherited from; null when they are not inherited (the server sends `none`)."},
		"inherited_group_name": schema.StringAttribute{Computed: true, MarkdownDescription: "The name of the group the " + what + " are inherited from; null when they are not inherited."},
	}
}

// codedItems are the attributes of a group setting that lists coded items
// (rights, components): where it comes from, the items in server order, and
// by_code, each code mapped to the item's number.
func codedItems(what, itemsDesc string, item map[string]schema.Attribute, byCodeDesc string) map[string]schema.Attribute {
	attrs := inheritanceAttributes(what)
	attrs["items"] = schema.ListNestedAttribute{
		Computed: true, MarkdownDescription: itemsDesc,
		NestedObject: schema.NestedAttributeObject{Attributes: item},
	}
	attrs["by_code"] = schema.MapAttribute{Computed: true, ElementType: types.Int64Type, MarkdownDescription: byCodeDesc}
	return attrs
}

// drwebGroupAttributes are the attributes of one group, all computed; the
// singular data source makes id, name and parent_id optional.
func drwebGroupAttributes() map[string]schema.Attribute {
	rights := codedItems("rights", "The rights, in server order.",
		map[string]schema.Attribute{
			"code":  schema.Int64Attribute{Computed: true, MarkdownDescription: "The right's numeric code."},
			"name":  schema.StringAttribute{Computed: true, MarkdownDescription: "The right's name, such as `Run Dr.Web Scanner for Windows`; the server leaves some empty."},
			"value": schema.Int64Attribute{Computed: true, MarkdownDescription: "The right's value (`1` allowed, `0` denied)."},
		},
		"The same rights keyed by their code as a string, each mapped to its value: "+
			"`rights.by_code[\"1\"] == 1` tests one right without a loop.")
	components := codedItems("components", "The components, in server order (the servers fill the list for Windows stations only).",
		map[string]schema.Attribute{
			"code":   schema.Int64Attribute{Computed: true, MarkdownDescription: "The component's numeric code, such as `4` (Dr.Web Scanner for Windows) or `105` (Dr.Web Firewall)."},
			"name":   schema.StringAttribute{Computed: true, MarkdownDescription: "The component's name as the server sends it."},
			"status": schema.Int64Attribute{Computed: true, MarkdownDescription: "`2` must be installed, `1` may be installed, `0` must not be installed."},
		},
		"The same components keyed by their code as a string, each mapped to its status: "+
			"`components.by_code[\"105\"] == 2` tests that the firewall must be installed.")
	keys := inheritanceAttributes("license keys")
	keys["ids"] = schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The license key ids, in server order; empty when the group has none."}

	return map[string]schema.Attribute{
		"id":   schema.StringAttribute{Computed: true, MarkdownDescription: "The group's id."},
		"name": schema.StringAttribute{Computed: true, MarkdownDescription: "The group's name."},
		"path": schema.StringAttribute{Computed: true, MarkdownDescription: "The group's place in the tree: the names from the top level down, " +
			"joined by `/`, such as `Offices/Berlin/Workstations` (a system group's path is its name). Names repeat across parents; " +
			"paths do not, except where the server has two groups of the same name under one parent. A `/` inside a name is written `\\/` " +
			"and a backslash `\\\\`."},
		"parent_id":             schema.StringAttribute{Computed: true, MarkdownDescription: "The id of the parent group; null for a top-level group."},
		"parent_name":           schema.StringAttribute{Computed: true, MarkdownDescription: "The name of the parent group; null for a top-level group."},
		"description":           schema.StringAttribute{Computed: true, MarkdownDescription: "The group's description as the server sends it; `\"\"` when it has none (never null, so it can be interpolated)."},
		"type":                  schema.Int64Attribute{Computed: true, MarkdownDescription: "The group's type as the server numbers it (`0` for ordinary groups; system groups have others)."},
		"created":               schema.StringAttribute{Computed: true, MarkdownDescription: "When the group was created, RFC 3339 in UTC such as `2014-03-13T10:25:31Z` (the server sends a Unix time)."},
		"modified":              schema.StringAttribute{Computed: true, MarkdownDescription: "When the group was last changed, RFC 3339 in UTC."},
		"child_groups":          schema.Int64Attribute{Computed: true, MarkdownDescription: "How many child groups the group has."},
		"stations":              schema.Int64Attribute{Computed: true, MarkdownDescription: "How many stations are in the group."},
		"has_personal_settings": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the group has settings of its own; null when the server does not say (servers that answer only XML never do)."},
		"rights": schema.SingleNestedAttribute{
			Computed: true, Attributes: rights,
			MarkdownDescription: "The group's rights (permissions) and where they come from.",
		},
		"keys": schema.SingleNestedAttribute{
			Computed: true, Attributes: keys,
			MarkdownDescription: "The group's license keys and where they come from.",
		},
		"components": schema.SingleNestedAttribute{
			Computed: true, Attributes: components,
			MarkdownDescription: "Which components the group's stations must, may or must not install, and where that policy comes from " +
				"(asked in the same `info.ds` request, `components=yes`). Null when the server's answer holds no components: " +
				"AV-Desk 4.1.3 documents none, and a server that refuses the parameter is asked again without it for the rest of the run.",
		},
		"packages": schema.ListNestedAttribute{
			Computed:            true,
			MarkdownDescription: "The agent installers for the group, in server order.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"os":   schema.StringAttribute{Computed: true, MarkdownDescription: "The operating system: `windows`, `linux`, `macosx`, `android`, …"},
				"arch": schema.StringAttribute{Computed: true, MarkdownDescription: "The architecture: `all`, `x86` or `x86_64`."},
				"url":  schema.StringAttribute{Computed: true, MarkdownDescription: "The download URL of the installer, which joins new stations to this group."},
			}},
		},
		"installers": schema.MapAttribute{
			Computed: true, ElementType: types.StringType,
			MarkdownDescription: "The installer URLs of `packages` keyed `\"<os>/<arch>\"`: `windows/all`, `macosx/all`, `android/all`, " +
				"`linux/x86`, `linux/x86_64` are the keys the servers use. A platform the server does not offer has no key, " +
				"so `installers[\"linux/x86_64\"]` fails at plan time instead of giving null.",
		},
	}
}
