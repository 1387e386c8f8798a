package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

var (
	_ function.Function = drwebPathFunction{}
	_ function.Function = drwebPathNamesFunction{}
)

// drwebPathFunction is provider::endpointgroups::drweb_path(names): the
// path of a group from its names, escaped as the path attribute is.
type drwebPathFunction struct{}

func newDrWebPathFunction() function.Function { return drwebPathFunction{} }

func (drwebPathFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "drweb_path"
}

func (drwebPathFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "A Dr.Web group path from its names",
		MarkdownDescription: "Joins group names, the top level first, into a path as the `path` attribute and the `path` " +
			"lookup of `endpointgroups_drweb_group` write it: `/` between names, a `/` inside a name written `\\/` and a " +
			"backslash `\\\\`. `drweb_path([\"Offices\", \"R/D\"])` is `\"Offices/R\\/D\"`.",
		Parameters: []function.Parameter{function.ListParameter{
			Name: "names", ElementType: types.StringType,
			MarkdownDescription: "The names from the top level down; at least one, none empty.",
		}},
		Return: function.StringReturn{},
	}
}

func (drwebPathFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var names []string
	if resp.Error = req.Arguments.Get(ctx, &names); resp.Error != nil {
		return
	}
	if len(names) == 0 {
		resp.Error = function.NewArgumentFuncError(0, "a path needs at least one name: the list is empty")
		return
	}
	for i, n := range names {
		if n == "" {
			resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("the name at index %d (number %d of %d, counting from 1) is empty: a group's name never is", i, i+1, len(names)))
			return
		}
		if p := drweb.NameProblem(n); p != "" {
			resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("the name at index %d (number %d of %d, counting from 1), %q, %s: no group's name does", i, i+1, len(names), n, p))
			return
		}
	}
	resp.Error = resp.Result.Set(ctx, drweb.JoinPath(names...))
}

// drwebPathNamesFunction is provider::endpointgroups::drweb_path_names(path):
// the names of a path, unescaped.
type drwebPathNamesFunction struct{}

func newDrWebPathNamesFunction() function.Function { return drwebPathNamesFunction{} }

func (drwebPathNamesFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "drweb_path_names"
}

func (drwebPathNamesFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The names of a Dr.Web group path",
		MarkdownDescription: "Splits a path as the `path` attribute writes it into its names, the top level first, with " +
			"`\\/` and `\\\\` read back as `/` and a backslash: `drweb_path_names(\"Offices/R\\/D\")` is " +
			"`[\"Offices\", \"R/D\"]`. A malformed path (an empty name, a backslash that escapes neither) is an error on the argument.",
		Parameters: []function.Parameter{function.StringParameter{
			Name: "path", MarkdownDescription: "A group path such as `Offices/Berlin/Workstations`.",
		}},
		Return: function.ListReturn{ElementType: types.StringType},
	}
}

func (drwebPathNamesFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var path string
	if resp.Error = req.Arguments.Get(ctx, &path); resp.Error != nil {
		return
	}
	names, err := drweb.SplitPath(path)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, names)
}
