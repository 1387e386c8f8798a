package drweb

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// Op is what a write or a read was about to do to a group.
type Op string

// The operations on groups.
const (
	OpCreate Op = "create"
	OpChange Op = "change"
	OpDelete Op = "delete"
	opRead   Op = "read"
)

// errnoSystemGroup is the documented refusal to change or remove a system
// group.
const errnoSystemGroup = 36

// ErrSystemGroup matches a *WriteError by which the server refused to
// change or delete a system group (errno 36).
var ErrSystemGroup = errors.New("the group is a system group")

// ErrAuth: the server refused the login, password or privilege.
var ErrAuth = errors.New("authentication failed")

// WriteError is a write the server refused (status="false"). A refusal is
// final: the client never sends the same write again.
type WriteError struct {
	Op      Op
	ID      string // the group written, when known
	Code    string // the server's errno
	Message string // the server's message, redacted
	Server  error  // the answer it came with
}

func (e *WriteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Dr.Web refused to %s the group", e.Op)
	if e.ID != "" {
		fmt.Fprintf(&b, " %q", e.ID)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": error %s", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

func (e *WriteError) Unwrap() error { return e.Server }

// Is makes a refusal with errno 36 match ErrSystemGroup.
func (e *WriteError) Is(target error) bool {
	n, err := strconv.Atoi(strings.TrimSpace(e.Code))
	return target == ErrSystemGroup && err == nil && n == errnoSystemGroup
}

// SubtreeMoveError is a move under the group itself or one of its
// descendants, refused before anything was sent.
type SubtreeMoveError struct{ ID, Parent string }

func (e *SubtreeMoveError) Error() string {
	return fmt.Sprintf("the group %q cannot move under %q: that is the group itself or one of its descendants (nothing was sent to the server)", e.ID, e.Parent)
}

// OutcomeUnknownError is a write whose answer was lost (a timeout, a reset,
// a 429 or 5xx, an unreadable answer, an interrupt) and whose outcome a look
// at the server could not settle. Nothing was sent again.
type OutcomeUnknownError struct {
	Op       Op
	ID       string // the group written (a chosen id for a create), when known
	Name     string // a create: the name sent
	ParentID string // a create: the parent ("" for the top level)
	Err      error  // what became of the answer
	// Why the look did not settle it: Look is the look's own failure;
	// otherwise Candidates are the new groups it found (several), none
	// found, or StillThere for a delete whose group is still listed.
	Look       error
	Candidates []string
	StillThere bool
}

func (e *OutcomeUnknownError) Error() string {
	what := fmt.Sprintf("the group %q", e.ID)
	if e.Op == OpCreate {
		what = fmt.Sprintf("the group %q under %s", e.Name, DescribeParent(e.ParentID))
	}
	msg := fmt.Sprintf("the answer to the %s of %s was lost (%v)", e.Op, what, e.Err)
	switch {
	case e.Look != nil:
		msg += fmt.Sprintf(", and looking at the server failed too (%v)", e.Look)
	case len(e.Candidates) > 1:
		msg += fmt.Sprintf(", and %d new groups of that name are there: %s", len(e.Candidates), client.QuoteAll(e.Candidates))
	case e.StillThere:
		msg += ", and the group is still there: the server may not have carried the delete out yet, or not at all"
	case e.Op == OpCreate:
		msg += ", and no new group of that name is there yet: the server may not have carried it out, or may still do so"
	default:
		msg += ", and the group does not show the change: the server may not have carried it out, or may still do so"
	}
	return msg + "; nothing was sent again"
}

func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// DuplicateNameError is a create, rename or move refused before anything was
// sent, because the parent already holds a group of that name.
type DuplicateNameError struct {
	Name     string
	ParentID string
	Existing TreeNode
}

func (e *DuplicateNameError) Error() string {
	kind := "a group"
	if e.Existing.System {
		kind = "a system group"
	}
	return fmt.Sprintf("%s already holds %s named %q: %q", capitalise(DescribeParent(e.ParentID)), kind, e.Name, e.Existing.ID)
}

// ConcurrentWriteError is a create, rename or move that another run made at
// the same time, for the same name under the same parent, and that this run
// gave way to: it undid its own write (deleted its new group, or changed
// the group back), unless UndoErr says otherwise.
type ConcurrentWriteError struct {
	Op       Op
	Name     string
	ParentID string
	Ours     Group   // this run's group, as written
	Others   []Group // the namesakes written at the same time
	// Unordered is set when the server's times could not tell which group
	// took the name first (the same second, or no time): every run that saw
	// the others gives way.
	Unordered bool
	UndoErr   error
}

func (e *ConcurrentWriteError) Error() string {
	var others []string
	for _, o := range e.Others {
		others = append(others, fmt.Sprintf("%q (created %s, changed %s)", o.ID, orUnknown(o.Created), orUnknown(o.Modified)))
	}
	what := "created"
	if e.Op != OpCreate {
		what = "renamed or moved"
	}
	msg := fmt.Sprintf("while this run %s the group %q under %s, a concurrent run made %s of that name there: %s", what, e.Name,
		DescribeParent(e.ParentID), plural(len(e.Others), "a group", "groups"), strings.Join(others, ", "))
	if e.Unordered {
		msg += "; the server's times cannot tell which came first, so every run that saw the other gives way"
	} else {
		msg += "; the other took the name first"
	}
	undo := "deleted its own new group %q"
	if e.Op != OpCreate {
		undo = "changed the group %q back"
	}
	if e.UndoErr != nil {
		return msg + fmt.Sprintf("; this run could not undo its write (%v): the group %q stays", e.UndoErr, e.Ours.ID)
	}
	return msg + "; this run " + fmt.Sprintf(undo, e.Ours.ID)
}

func (e *ConcurrentWriteError) Unwrap() error { return e.UndoErr }

func orUnknown(s string) string {
	if s == "" {
		return "at an unknown time"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// IDTakenError is a create with a chosen id that the server refused because
// a group has that id already.
type IDTakenError struct {
	Refusal  *WriteError
	Existing Group
}

func (e *IDTakenError) Error() string {
	return fmt.Sprintf("%v; the group %q (named %q, under %s) has that id", e.Refusal, e.Existing.ID, e.Existing.Name, DescribeParent(e.Existing.ParentID))
}

func (e *IDTakenError) Unwrap() error { return e.Refusal }

// AnswerError is an answer about another group than the one written or asked
// for: the client does not take it for the group it wanted.
type AnswerError struct {
	Op    Op
	Asked string // the id asked for or written ("" for a create with a generated id)
	Got   string // the id the answer names
	Why   string
}

func (e *AnswerError) Error() string {
	if e.Op == opRead {
		return fmt.Sprintf("Dr.Web answered info.ds for the group %q with %s", e.Asked, e.Why)
	}
	return fmt.Sprintf("Dr.Web's answer to the %s names the group %q, %s; the provider does not take it for the group it wrote", e.Op, e.Got, e.Why)
}

// NotFoundError: the server does not know a group id, or no group has a
// name or a path.
type NotFoundError struct {
	ID        string   // set for a lookup by id
	Parent    bool     // the id was given as the parent to search under
	Name      string   // set for a lookup by name (and the missing step of a path)
	Path      string   // set for a lookup by path
	At        string   // the part of Path that was found
	ParentID  string   // the parent a name lookup was narrowed to
	Searched  int      // groups looked at by a name lookup
	CaseOnly  []string // names that differ only in case
	Elsewhere []string // paths of groups with the name outside ParentID
	// Shared is, for a path, the step above the missing name when several
	// groups share it: the lookup followed the one created first.
	Shared *SharedPath
	// InLeftOut are the ids of the groups Shared left out whose children
	// include Name.
	InLeftOut []string
	Server    error // the server's own answer, when it gave one
}

func (e *NotFoundError) Error() string {
	var msg string
	switch {
	case e.ID != "" && e.Parent:
		msg = fmt.Sprintf("the parent group %q does not exist", e.ID)
	case e.ID != "":
		msg = fmt.Sprintf("Dr.Web group %q not found", e.ID)
	case e.Path != "":
		where := "at the top level"
		if e.At != "" {
			where = fmt.Sprintf("under %q", e.At)
		}
		msg = fmt.Sprintf("no Dr.Web group has the path %q: there is no group named %q %s (searched %s)", e.Path, e.Name, where, plural(e.Searched, "1 group", "groups"))
		if sp := e.Shared; sp != nil {
			msg += fmt.Sprintf("; %d groups have the path %q: the lookup follows %q, created first, and leaves out %s", len(sp.LeftOut)+1, sp.Path, sp.Kept, client.QuoteAll(sp.LeftOut))
			if len(e.InLeftOut) > 0 {
				msg += fmt.Sprintf(", and a group named %q is under %s", e.Name, client.QuoteAll(e.InLeftOut))
			}
		}
	default:
		msg = fmt.Sprintf("no Dr.Web group is named %q", e.Name)
		if e.ParentID != "" {
			msg += fmt.Sprintf(" directly under the group %q", e.ParentID)
		}
		msg += fmt.Sprintf(" (searched %s)", plural(e.Searched, "1 group", "groups"))
	}
	if e.ID == "" && len(e.CaseOnly) > 0 {
		msg += "; names match case-sensitively, and these differ only in case: " + client.QuoteAll(e.CaseOnly)
	}
	if len(e.Elsewhere) > 0 {
		msg += "; groups with that name are at " + client.QuoteAll(e.Elsewhere)
	}
	if e.Server != nil {
		msg += " (" + e.Server.Error() + ")"
	}
	return msg
}

// Is makes a NotFoundError match client.ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == client.ErrNotFound }

// GoneError is a group the client has shown to be gone: the server refused
// its id, and a listing where it was lacks it.
type GoneError struct {
	ID       string
	ParentID string // where it was looked for ("" for the top level)
	Server   error  // the refusal
	Anywhere bool   // the whole tree was listed (the group's place was not known)
}

func (e *GoneError) Error() string {
	where := DescribeParent(e.ParentID)
	if e.Anywhere {
		where = "the group tree"
	}
	return fmt.Sprintf("the Dr.Web group %q is gone: the server refuses its id (%v), and %s does not list it", e.ID, e.Server, where)
}

// Is makes a GoneError match client.ErrNotFound.
func (e *GoneError) Is(target error) bool { return target == client.ErrNotFound }

// AmbiguousError: several groups have the name asked for.
type AmbiguousError struct {
	Name    string
	Matches []TreeNode
}

func (e *AmbiguousError) Error() string {
	parts := make([]string, len(e.Matches))
	for i, m := range e.Matches {
		parent := "top level"
		if m.ParentID != "" && m.ParentName != "" {
			parent = fmt.Sprintf("under %q (%s)", m.ParentName, m.ParentID)
		} else if m.ParentID != "" {
			parent = fmt.Sprintf("under %s", m.ParentID)
		}
		parts[i] = fmt.Sprintf("%q %s", m.ID, parent)
	}
	return fmt.Sprintf("%d Dr.Web groups are named %q: %s", len(e.Matches), e.Name, strings.Join(parts, ", "))
}

// TreeError is a group tree that contradicts itself (a cycle, a group under
// two parents) or, with Bound set, one larger than the groups a walk keeps.
type TreeError struct {
	Bound int    // the bound passed; 0 when the tree contradicts itself
	Below string // with Bound: the group whose subtree was walked ("" for the top level)
	// Listed and Parents, when set: the server lists the group Listed
	// under both Parents.
	Listed  string
	Parents [2]string
	msg     string
}

func (e *TreeError) Error() string {
	switch {
	case e.Bound > 0:
		return fmt.Sprintf("the Dr.Web group tree below %s has more than %d groups, the most one walk of the tree keeps in memory; a walk below one group counts only that group's subtree", DescribeParent(e.Below), e.Bound)
	case e.Listed != "":
		return fmt.Sprintf("the Dr.Web server lists the group %q under %s and under %s; a group has one parent", e.Listed, DescribeParent(e.Parents[0]), DescribeParent(e.Parents[1]))
	}
	return e.msg
}

// errNoIDInAnswer is an add.ds success whose answer names no group.
var errNoIDInAnswer = errors.New("the server's answer names no id")

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// errnoNotFound is the server's refusal for a group it does not know.
const errnoNotFound = 8

// isNotFound says whether a refusal is the server's not-found one.
func isNotFound(srvErr *client.APIError) bool {
	n, err := strconv.Atoi(strings.TrimSpace(srvErr.Code))
	return err == nil && n == errnoNotFound
}

// ChangedError is a group that a walk of the tree listed and that the
// server no longer knew when its child groups were asked for: the tree
// changed during the walk (a group deleted or moved away meanwhile).
type ChangedError struct {
	ID       string
	ParentID string // where the walk listed it ("" for the top level)
	Server   error  // the not-found refusal
}

func (e *ChangedError) Error() string {
	return fmt.Sprintf("the Dr.Web group %q, listed under %s, was gone when its child groups were asked for: the group tree changed while it was read (%v)",
		e.ID, DescribeParent(e.ParentID), e.Server)
}

func (e *ChangedError) Unwrap() error { return e.Server }

// ListingRefusedError is a refusal to list a group's child groups (or its
// stations, or their states) other than the not-found one: the group may
// well exist.
type ListingRefusedError struct {
	ID     string // the group whose children were asked for
	What   string // what was asked for: "" for the child groups
	Server *client.APIError
}

func (e *ListingRefusedError) Error() string {
	what := e.What
	if what == "" {
		what = "child groups"
	}
	return fmt.Sprintf("the Dr.Web server refused to list the %s of %q: %v", what, e.ID, e.Server)
}

func (e *ListingRefusedError) Unwrap() error { return e.Server }

// stationRefusal classifies a refused station listing: only the
// not-found refusal (errno 8) says the group is gone; another (no rights,
// a server fault) would, taken for absence, make a members resource drop
// the group from the state or blame the configured id.
func stationRefusal(groupID, what string, srvErr *client.APIError) error {
	if isNotFound(srvErr) {
		return &NotFoundError{ID: groupID, Server: srvErr}
	}
	return &ListingRefusedError{ID: groupID, What: what, Server: srvErr}
}

// PagingError is a station listing that contradicts itself (a page other
// than the one asked for, a short or empty page before the last, a page
// with no new station or larger than asked, a pages total that is not a
// number), or one that passed a bound (Bound names it: "pages",
// "stations" or "bytes"). None of the listing is returned.
type PagingError struct {
	GroupID string
	Page    int64
	Bound   string
	Why     string
}

func (e *PagingError) Error() string {
	if e.Bound != "" {
		return fmt.Sprintf("Dr.Web's station listing of the group %q was stopped at page %d: %s", e.GroupID, e.Page, e.Why)
	}
	return fmt.Sprintf("Dr.Web's station listing of the group %q cannot be trusted at page %d: %s", e.GroupID, e.Page, e.Why)
}

// StationWriteError is a change.ds the server refused (status="false"): an
// unknown station or group, or a missing privilege. A refusal is final.
type StationWriteError struct {
	Op      MemberOp
	Station string
	Group   string
	Code    string // the server's errno
	Message string // the server's message, redacted
	Server  error
}

func (e *StationWriteError) Error() string {
	verb := "add the station %q to the group %q"
	if e.Op == OpRemoveStation {
		verb = "remove the station %q from the group %q"
	}
	msg := "Dr.Web refused to " + fmt.Sprintf(verb, e.Station, e.Group)
	if e.Code != "" {
		msg += ": error " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

func (e *StationWriteError) Unwrap() error { return e.Server }

// DescribeParent names a parent in messages: "the top level" for "".
func DescribeParent(id string) string {
	if id == "" {
		return "the top level"
	}
	return fmt.Sprintf("the group %q", id)
}
