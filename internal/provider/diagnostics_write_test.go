package provider

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

// Every kind of write error becomes the diagnostic that says what happened
// and what to do, on the attribute it is about.
func TestAddDrWebWriteError(t *testing.T) {
	t.Parallel()
	in := drweb.GroupInput{Name: "Paris", ParentID: "p-1"}
	refusal := func(code string) *drweb.WriteError {
		return &drweb.WriteError{Op: drweb.OpDelete, ID: "g-1", Code: code, Message: "no"}
	}
	for name, tc := range map[string]struct {
		op      drweb.Op
		err     error
		summary string
		at      string // attribute, "" for none
		detail  []string
	}{
		"name taken": {drweb.OpCreate, &drweb.DuplicateNameError{Name: "Paris", ParentID: "p-1", Existing: drweb.TreeNode{ID: "g-9"}},
			"Dr.Web Group Name Taken", "name", []string{`already holds a group named "Paris": "g-9"`, "import {\n  to = endpointgroups_drweb_group.<name>\n  id = \"g-9\"\n}", "allow_duplicate_names = true", "create_before_destroy"}},
		"rename onto a taken name": {drweb.OpChange, &drweb.DuplicateNameError{Name: "Paris", ParentID: "p-1", Existing: drweb.TreeNode{ID: "g-9"}},
			"Dr.Web Group Name Taken", "name", []string{`already holds a group named "Paris": "g-9", so this group cannot be renamed or moved there`, "Choose another name", "allow_duplicate_names = true"}},
		"name taken by a system group": {drweb.OpCreate, &drweb.DuplicateNameError{Name: "Status", Existing: drweb.TreeNode{ID: "s-1", System: true}},
			"Dr.Web Group Name Taken", "name", []string{"a system group named", "cannot be managed or renamed"}},
		"id taken": {drweb.OpCreate, &drweb.IDTakenError{Refusal: &drweb.WriteError{Op: drweb.OpCreate, ID: "x", Code: "39", Message: "exists"}, Existing: drweb.Group{ID: "x", Name: "Old"}},
			"Dr.Web Group ID Taken", "id", []string{`error 39: exists.`, `The group "x" (named "Old") has that id`, `id = "x"`}},
		"create outcome unknown": {drweb.OpCreate, &drweb.OutcomeUnknownError{Op: drweb.OpCreate, Name: "Paris", ParentID: "p-1", Err: errors.New("reset")},
			"Dr.Web Create Outcome Unknown", "", []string{"nothing was sent again", `Look under the group "p-1"`, `a group named "Paris"`, "run terraform apply again"}},
		"update outcome unknown": {drweb.OpChange, &drweb.OutcomeUnknownError{Op: drweb.OpChange, ID: "g-1", Err: errors.New("reset")},
			"Dr.Web Update Outcome Unknown", "", []string{"the plan shows whether the change is still needed"}},
		"delete outcome unknown": {drweb.OpDelete, &drweb.OutcomeUnknownError{Op: drweb.OpDelete, ID: "g-1", Err: errors.New("reset"), StillThere: true},
			"Dr.Web Delete Outcome Unknown", "", []string{"the group is still there", "The group stays in the state"}},
		"answer about another group": {drweb.OpCreate, &drweb.AnswerError{Op: drweb.OpCreate, Got: "g-7", Why: "which was there before"},
			"Unexpected Dr.Web Answer", "", []string{`names the group "g-7"`, "Nothing was adopted", "caching proxy"}},
		"move into the subtree": {drweb.OpChange, &drweb.SubtreeMoveError{ID: "g-1", Parent: "g-2"},
			"Dr.Web Group Cannot Move Into Its Subtree", "parent_id", []string{"nothing was sent to the server", "choose a parent_id outside it"}},
		"system group delete": {drweb.OpDelete, refusal("36"),
			"Dr.Web Delete Refused", "", []string{"error 36", "System groups cannot be deleted", "terraform state rm"}},
		"system group change": {drweb.OpChange, &drweb.WriteError{Op: drweb.OpChange, ID: "g-1", Code: "36"},
			"Dr.Web Update Refused", "", []string{"System groups cannot be changed"}},
		"delete refused": {drweb.OpDelete, refusal("37"),
			"Dr.Web Delete Refused", "", []string{"The group is still there", "delete or move them first"}},
		"create refused": {drweb.OpCreate, &drweb.WriteError{Op: drweb.OpCreate, Code: "2", Message: "bad"},
			"Dr.Web Create Refused", "", []string{"error 2: bad", "Check the name and parent_id"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var diags diag.Diagnostics
			addDrWebWriteError(&diags, tc.op, tc.err, in)
			if len(diags) != 1 || diags[0].Summary() != tc.summary {
				t.Fatalf("got %v", diags)
			}
			d := diags[0]
			withPath, ok := d.(diag.DiagnosticWithPath)
			switch {
			case tc.at == "" && ok:
				t.Errorf("points at %s", withPath.Path())
			case tc.at != "" && (!ok || !withPath.Path().Equal(path.Root(tc.at))):
				t.Errorf("does not point at %s", tc.at)
			}
			for _, w := range tc.detail {
				if !strings.Contains(d.Detail(), w) {
					t.Errorf("the detail does not say %q:\n%s", w, d.Detail())
				}
			}
			// Adopting the namesake is advice for a create, never for a rename.
			if tc.op == drweb.OpChange && strings.Contains(d.Detail(), "import") {
				t.Errorf("the detail of a change advises an import:\n%s", d.Detail())
			}
		})
	}
}

// A write that worked but went unusually says so, one warning each.
func TestAddDrWebWriteWarnings(t *testing.T) {
	t.Parallel()
	var diags diag.Diagnostics
	addDrWebWriteWarnings(&diags, drweb.WriteResult{
		Group: drweb.Group{ID: "g-1"}, LostAnswer: errors.New("reset"), ReadBack: errors.New("HTTP 500"), StoredName: "Headquar",
	}, "Headquarters")
	want := map[string]string{
		"Dr.Web Answer Lost, Write Found Done": "was not a success (reset)",
		"Dr.Web Group Written, Not Read Back":  "reading it back failed (HTTP 500)",
		"Dr.Web Stored Another Name":           `as "Headquar", not as "Headquarters"`,
	}
	if len(diags) != len(want) || diags.HasError() {
		t.Fatalf("got %v", diags)
	}
	for _, d := range diags {
		if w, ok := want[d.Summary()]; !ok || !strings.Contains(d.Detail(), w) {
			t.Errorf("%s: %s", d.Summary(), d.Detail())
		}
	}
}

// The warning for a group deleted outside of Terraform says each thing once.
func TestGroupGoneWarning(t *testing.T) {
	t.Parallel()
	d := groupGoneWarning(&drweb.GoneError{ID: "g-1", ParentID: "p-1", Server: errors.New("error 8: Group g-1 not found")}, "Paris")
	want := `The Dr.Web group "g-1" ("Paris") no longer exists: the server refuses its id (error 8: Group g-1 not found), ` +
		`and the group "p-1" does not list it. It was deleted outside of Terraform, so it is removed from the state, and the next plan creates it again.`
	if d.Summary() != "Dr.Web Group Gone" || d.Detail() != want {
		t.Fatalf("got %q: %q\nwant %q", d.Summary(), d.Detail(), want)
	}
}
