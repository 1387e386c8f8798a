package provider

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

// Each membership outcome that is not a plain success becomes its
// diagnostic: refusals and unknown outcomes as errors on station_ids, a
// station kept in its primary group and a confirmed lost answer as
// warnings; a plain success says nothing.
func TestAddMemberChangeDiagnostics(t *testing.T) {
	t.Parallel()
	refused := &drweb.StationWriteError{Op: drweb.OpAddStation, Station: "s-1", Group: "g", Code: "8", Message: "Station 's-1' not found"}
	res := drweb.MembersResult{Changes: []drweb.MemberChange{
		{Op: drweb.OpAddStation, Station: "s-0", Outcome: drweb.MemberDone},
		{Op: drweb.OpAddStation, Station: "s-1", Outcome: drweb.MemberRefused, Err: refused},
		{Op: drweb.OpAddStation, Station: "s-2", Outcome: drweb.MemberUnknown, Err: errors.New("reset")},
		{Op: drweb.OpRemoveStation, Station: "s-3", Outcome: drweb.MemberKeptPrimary},
		{Op: drweb.OpAddStation, Station: "s-4", Outcome: drweb.MemberDoneAnswerLost},
		{Op: drweb.OpAddStation, Station: "s-5", Outcome: drweb.MemberNotListed},
		{Op: drweb.OpRemoveStation, Station: "s-6", Outcome: drweb.MemberKeptForOther},
	}}
	var diags diag.Diagnostics
	addMemberChangeDiagnostics(&diags, "g", res, membersNote(true, "g", res, nil))
	want := []struct {
		severity diag.Severity
		summary  string
		at       bool
		detail   []string
	}{
		{diag.SeverityError, "Dr.Web Station Not Added To Group", true, []string{`Dr.Web refused to add the station "s-1" to the group "g": error 8`, "Nothing was sent again",
			`The create saved no state`, `This apply added "s-0", "s-4", "s-5" to the group "g"; they stay there`}},
		{diag.SeverityError, "Dr.Web Station Change Outcome Unknown", true, []string{`The add of the station "s-2" (group "g")`, "reset", "Nothing was sent again"}},
		{diag.SeverityWarning, "Dr.Web Station Kept In Its Primary Group", true, []string{`"s-3"`, "primary group", "will not try again"}},
		{diag.SeverityWarning, "Dr.Web Answer Lost, Change Confirmed", false, []string{`"s-4"`, "nothing was sent again"}},
		{diag.SeverityWarning, "Dr.Web Station Accepted But Not Listed", true, []string{`"s-5"`, "later applies do not send them again"}},
		{diag.SeverityWarning, "Dr.Web Station Kept For Another Members Resource", true, []string{`"s-6"`, "another endpointgroups_drweb_group_members resource of this run"}},
	}
	if len(diags) != len(want) {
		t.Fatalf("%d diagnostics, want %d: %v", len(diags), len(want), diags)
	}
	for i, w := range want {
		d := diags[i]
		_, hasPath := d.(diag.DiagnosticWithPath)
		if d.Severity() != w.severity || d.Summary() != w.summary || hasPath != w.at {
			t.Errorf("%d: %v %q (path %v), want %v %q (path %v)", i, d.Severity(), d.Summary(), hasPath, w.severity, w.summary, w.at)
		}
		if wp, ok := d.(diag.DiagnosticWithPath); ok && !wp.Path().Equal(path.Root("station_ids")) {
			t.Errorf("%d: at %s", i, wp.Path())
		}
		for _, part := range w.detail {
			if !strings.Contains(d.Detail(), part) {
				t.Errorf("%d %q: detail lacks %q:\n%s", i, w.summary, part, d.Detail())
			}
		}
	}
}

// A station listing that contradicts itself is its own error.
func TestAddDrWebErrorPaging(t *testing.T) {
	t.Parallel()
	var diags diag.Diagnostics
	addDrWebError(&diags, &drweb.PagingError{GroupID: "g", Page: 2, Why: "page 2 was asked for and page 1 came back"}, path.Root("group_id"))
	if len(diags) != 1 || diags[0].Summary() != "Inconsistent Dr.Web Station Listing" ||
		!strings.Contains(diags[0].Detail(), `the group "g" cannot be trusted at page 2: page 2 was asked for and page 1 came back`) ||
		!strings.Contains(diags[0].Detail(), "caching proxy") {
		t.Fatalf("%v", diags)
	}
	// A bound: its own summary, and no talk of contradictions.
	diags = nil
	addDrWebError(&diags, &drweb.PagingError{GroupID: "g", Page: 2001, Bound: "pages", Why: "it has more than 2000 pages of 100 stations, the most a listing reads"}, path.Root("group_id"))
	if len(diags) != 1 || diags[0].Summary() != "Dr.Web Station Listing Too Large" ||
		!strings.Contains(diags[0].Detail(), `the group "g" was stopped at page 2001: it has more than 2000 pages`) {
		t.Fatalf("%v", diags)
	}
}

// membersVanished names the planned stations that the group showed
// before, that no change was sent for, and that the read-back lacks; a
// group not read back, a station sent for, and one accepted but never
// listed are not among them.
func TestMembersVanished(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		res     drweb.MembersResult
		planned []string
		want    []string
	}{
		{"held, then gone", drweb.MembersResult{Before: []string{"a"}, After: []string{"b"},
			Changes: []drweb.MemberChange{{Op: drweb.OpAddStation, Station: "b", Outcome: drweb.MemberDone}}}, []string{"a", "b"}, []string{"a"}},
		{"not read back", drweb.MembersResult{Before: []string{"a"},
			Changes: []drweb.MemberChange{{Op: drweb.OpAddStation, Station: "b", Outcome: drweb.MemberUnknown}}}, []string{"a", "b"}, nil},
		{"sent for", drweb.MembersResult{Before: []string{}, After: []string{},
			Changes: []drweb.MemberChange{{Op: drweb.OpAddStation, Station: "b", Outcome: drweb.MemberRefused}}}, []string{"b"}, nil},
		{"accepted, never listed", drweb.MembersResult{Before: []string{}, After: []string{}}, []string{"u"}, nil},
		{"all there", drweb.MembersResult{Before: []string{"a"}, After: []string{"a"}}, []string{"a"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved, _ := membersSaved(tc.res, tc.planned, membersPrior{unlisted: []string{"u"}})
			if got := membersVanished(tc.res, tc.planned, saved); !slices.Equal(got, tc.want) {
				t.Errorf("vanished %v, want %v (saved %v)", got, tc.want, saved)
			}
		})
	}
}
