package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

var (
	_ datasource.DataSourceWithConfigure        = (*drwebGroupDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*drwebGroupDataSource)(nil)
)

func newDrWebGroupDataSource() datasource.DataSource { return &drwebGroupDataSource{} }

type drwebGroupDataSource struct {
	dataSourceClients
}

func (d *drwebGroupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_drweb_group"
}

func (d *drwebGroupDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := drwebGroupAttributes()
	attrs["id"] = schema.StringAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "The group's id. Give exactly one of `id`, `name` and `path`. System groups (such as Everyone) can be read by id too.",
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	attrs["name"] = schema.StringAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "The group's name, matched exactly and case-sensitively anywhere in the group tree, and among the system " +
			"groups (Everyone, Ungrouped, …) when no other group has it. Give exactly one of `id`, `name` and `path`; a name that " +
			"several groups share is an error that lists them and their parents: narrow it with `parent_id`, or use `path`.",
		Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	attrs["path"] = schema.StringAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "The group's path, such as `Offices/Berlin/Workstations`: names from the top level down, joined by `/`, " +
			"matched exactly and case-sensitively (a `/` inside a name is written `\\/`, a backslash `\\\\`). Give exactly one " +
			"of `id`, `name` and `path`. Costs one `list.ds` request per level, shared with the rest of the run. Where two groups " +
			"share a step of the path (the same name under one parent), the lookup follows the one created first, with a warning, " +
			"as `by_path` of `endpointgroups_drweb_groups` does.",
		Validators: []validator.String{stringvalidator.LengthAtLeast(1), groupPathValidator()},
	}
	attrs["parent_id"] = schema.StringAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "With `name`: look only among this group's direct children. Otherwise the id of the group's parent; " +
			"null for a top-level group.",
		Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("id"), path.MatchRoot("path")), stringvalidator.LengthAtLeast(1)},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One Dr.Web AV-Desk / Enterprise Security Suite group with its rights, license keys and agent " +
			"installer packages, looked up by id, by name or by path.\n\nLookups by id that Terraform runs at the same time share " +
			"one `info.ds` request; the group tree behind lookups by name is listed once per run. A group's `path` comes from the " +
			"run's listings of the tree when there are any; otherwise it costs one `info.ds` lookup per ancestor, once per run, " +
			"batched with the others.",
		Attributes: attrs,
	}
}

// ConfigValidators asks for exactly one lookup key, in one error when none
// or several are given.
func (d *drwebGroupDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name"), path.MatchRoot("path"))}
}

func (d *drwebGroupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = withLogging(ctx)
	var cfg drwebGroupModel
	c := loadDrWeb(ctx, d.clients, req.Config, &cfg, &resp.Diagnostics)
	if c == nil {
		return
	}
	var g drweb.Group
	var err error
	at := path.Root("id")
	switch {
	case !cfg.ID.IsNull():
		g, err = c.GroupByID(ctx, cfg.ID.ValueString())
	case !cfg.Path.IsNull():
		at = path.Root("path")
		g, err = c.GroupByPath(ctx, cfg.Path.ValueString())
	default:
		at = path.Root("name")
		g, err = c.GroupByName(ctx, cfg.Name.ValueString(), cfg.ParentID.ValueString())
	}
	var nf *drweb.NotFoundError
	if errors.As(err, &nf) && nf.Parent {
		at = path.Root("parent_id")
	}
	if err != nil {
		addDrWebError(&resp.Diagnostics, err, at)
		return
	}
	if len(g.SharedPaths) > 0 {
		resp.Diagnostics.AddAttributeWarning(at, "Dr.Web Group Path Shared",
			fmt.Sprintf("Several groups have the same name under one parent: %s. The lookup followed the group created first at "+
				"each step. Look the group up by id to choose another, or rename one of each.", sharedPathText(g.SharedPaths)))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, drwebGroupModelFromAPI(g))...)
}

// groupPathValidator refuses, at validate, a path that names no group
// whatever the server holds: an empty name (a "/" at either end, or two in
// a row), a backslash that escapes nothing, a name no server stores as
// written (surrounding spaces, control characters: drweb.NameProblem).
func groupPathValidator() validator.String {
	const example = "\"Offices/Berlin\" is the group Berlin under the top-level group Offices."
	return stringCheck{"a path of group names joined by \"/\", without one at the start or end", func(s string) (string, string) {
		names, err := drweb.SplitPath(s)
		if err != nil {
			return "Invalid Dr.Web Group Path", capitalize(err.Error()) + ": " + example
		}
		for i, n := range names {
			if p := drweb.NameProblem(n); p != "" {
				return "Invalid Dr.Web Group Path", fmt.Sprintf("The path %q has the name %q (name %d of %d), which %s, so no group has it: write each name as the Control Center shows it. %s",
					s, n, i+1, len(names), p, example)
			}
		}
		return "", ""
	}}
}
