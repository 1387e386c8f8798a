package drweb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

const (
	addPath    = "/api/groups/add.ds"
	changePath = "/api/groups/change.ds"
	deletePath = "/api/groups/delete.ds"
)

// ErrSystemGroup is the documented refusal to change or remove a system
// group (errno 36).
const ErrSystemGroup = "36"

// IDPattern is what add.ds accepts as a chosen id: digits, Latin letters,
// "_", "-" and ".".
var IDPattern = regexp.MustCompile(`^[0-9A-Za-z_.-]+$`)

// GroupInput is what a write sets on a group.
type GroupInput struct {
	ID          string // CreateGroup only: a chosen id; "" lets the server generate one
	Name        string
	Description string
	ParentID    string // "" for the top level
}

// WriteError is a write the server refused (status="false"), or one whose
// outcome could not be told.
type WriteError struct {
	Op      string // "create", "change", "delete"
	ID      string // the group written, when known
	Code    string // the server's errno
	Message string // the server's message, or what went wrong
	Hint    string // what the user can do
	Server  error  // the answer it came with, or the failure
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
	if e.Hint != "" {
		b.WriteString(". " + e.Hint)
	}
	return b.String()
}

func (e *WriteError) Unwrap() error { return e.Server }

// UncertainWriteError is a write whose answer was lost (a timeout, a reset,
// a 5xx) and whose outcome a look at the server could not settle either.
type UncertainWriteError struct {
	Op, What string
	Err      error
}

func (e *UncertainWriteError) Error() string {
	return fmt.Sprintf("the answer to the %s of %s was lost (%v), and the provider could not tell whether the server carried it out. "+
		"Check the group tree in the Dr.Web Control Center: if the group is there, import it (terraform import, or an import block); "+
		"otherwise run the apply again", e.Op, e.What, e.Err)
}

func (e *UncertainWriteError) Unwrap() error { return e.Err }

// mayHaveHappened tells whether a write's error leaves its outcome open: not
// for a success, nor for the server's own refusal (status="false").
func mayHaveHappened(err error) bool {
	var refused *WriteError
	return err != nil && !errors.As(err, &refused) && client.WriteMayHaveHappened(err)
}

// write sends a write and returns the id its answer names.
func (c *Client) write(ctx context.Context, op, path string, q url.Values, id string) (string, error) {
	resp, doc, err := c.call(ctx, path, q, true)
	if err != nil {
		return "", err
	}
	c.logWarnings(ctx, doc)
	if !doc.Status {
		srvErr := serverError(resp, doc)
		return "", &WriteError{Op: op, ID: id, Code: doc.ErrCode, Message: doc.ErrMessage, Server: srvErr}
	}
	if doc.WrittenID != "" {
		return doc.WrittenID, nil
	}
	return id, nil
}

// forget drops what the run knows about a group and the listings it was
// or is in, so that reads after a write see it.
func (c *Client) forget(ids ...string) {
	c.batch.forget(ids...)
	c.children.Forget(ids...)
	c.children.Forget("")
}

// fresh reads a group with info.ds, not from what the run memoised.
func (c *Client) fresh(ctx context.Context, id string) (Group, error) {
	c.batch.forget(id)
	return c.info(ctx, id)
}

// freshChildren lists parentID's children with list.ds, not from memory.
func (c *Client) freshChildren(ctx context.Context, parentID string) ([]TreeNode, error) {
	c.children.Forget(parentID)
	return c.Children(ctx, parentID)
}

// CreateGroup creates a group with add.ds and reads it back with info.ds.
//
// add.ds is sent again only when the answer proves that nothing happened.
// When the answer is lost (a timeout, a reset, a 5xx), the client looks
// before writing again: for the chosen id, or for a new group of that name
// under the parent (the children are listed before the first attempt to
// tell old from new). If the look cannot settle it, the result is an
// *UncertainWriteError and nothing is sent again.
func (c *Client) CreateGroup(ctx context.Context, in GroupInput) (Group, error) {
	if strings.TrimSpace(in.Name) == "" {
		return Group{}, errors.New("a group needs a name")
	}
	if in.ID != "" && !IDPattern.MatchString(in.ID) {
		return Group{}, fmt.Errorf("the id %q may hold only digits, Latin letters, \"_\", \"-\" and \".\"", in.ID)
	}
	var before []string // ids of same-named siblings before the write
	if in.ID == "" {
		kids, err := c.freshChildren(ctx, in.ParentID)
		if err != nil {
			return Group{}, err
		}
		before = namedIDs(kids, in.Name)
	}
	q := url.Values{"name": {in.Name}, "description": {in.Description}}
	if in.ParentID != "" {
		q.Set("parent-group", in.ParentID)
	}
	if in.ID != "" {
		q.Set("id", in.ID)
	}
	what := fmt.Sprintf("the group %q", in.Name)
	var id string
	var err error
	for attempt := 0; ; attempt++ {
		id, err = c.write(ctx, "create", addPath, q, in.ID)
		if !mayHaveHappened(err) {
			break
		}
		if ctx.Err() != nil { // interrupted with the outcome unknown: no look, no second write
			return Group{}, &UncertainWriteError{Op: "create", What: what, Err: err}
		}
		found, settled, lookErr := c.lookForCreated(ctx, in, before)
		switch {
		case found != "":
			c.http.Logger().Warn(ctx, "the answer to add.ds was lost, but the group is there: using it", map[string]any{"id": found, "error": err.Error()})
			id, err = found, nil
		case !settled:
			return Group{}, &UncertainWriteError{Op: "create", What: what, Err: errors.Join(err, lookErr)}
		case attempt > 0:
			return Group{}, &UncertainWriteError{Op: "create", What: what, Err: err}
		default:
			c.http.Logger().Warn(ctx, "the answer to add.ds was lost and the group is not there: sending add.ds once more", map[string]any{"error": err.Error()})
			continue
		}
		break
	}
	if err != nil {
		var we *WriteError
		if errors.As(err, &we) {
			we.Hint = createHint(in)
		}
		return Group{}, err
	}
	if id == "" {
		kids, lerr := c.freshChildren(ctx, in.ParentID)
		if lerr != nil {
			return Group{}, lerr
		}
		if created := newIDs(namedIDs(kids, in.Name), before); len(created) == 1 {
			id = created[0]
		} else {
			return Group{}, &UncertainWriteError{Op: "create", What: what, Err: errors.New("the server's answer names no id")}
		}
	}
	c.forget(id, in.ParentID)
	return c.fresh(ctx, id)
}

// lookForCreated looks for the group a lost add.ds answer may have created.
// settled is false when the look itself failed or found several candidates.
func (c *Client) lookForCreated(ctx context.Context, in GroupInput, before []string) (id string, settled bool, err error) {
	if in.ID != "" {
		g, err := c.fresh(ctx, in.ID)
		var nf *NotFoundError
		switch {
		case errors.As(err, &nf):
			return "", true, nil
		case err != nil:
			return "", false, err
		case g.Name == in.Name && g.ParentID == in.ParentID:
			return g.ID, true, nil
		}
		return "", false, fmt.Errorf("a group %q exists, but named %q under %q", in.ID, g.Name, g.ParentID)
	}
	kids, err := c.freshChildren(ctx, in.ParentID)
	if err != nil {
		return "", false, err
	}
	switch created := newIDs(namedIDs(kids, in.Name), before); len(created) {
	case 0:
		return "", true, nil
	case 1:
		return created[0], true, nil
	default:
		return "", false, fmt.Errorf("%d new groups named %q appeared: %s", len(created), in.Name, client.QuoteAll(created))
	}
}

func namedIDs(nodes []TreeNode, name string) []string {
	var ids []string
	for _, n := range nodes {
		if n.Name == name {
			ids = append(ids, n.ID)
		}
	}
	return ids
}

func newIDs(now, before []string) []string {
	return slices.DeleteFunc(slices.Clone(now), func(id string) bool { return slices.Contains(before, id) })
}

func createHint(in GroupInput) string {
	if in.ID == "" {
		return "Check the name and parent_id"
	}
	return fmt.Sprintf("If a group with the id %q exists already, choose another id, or import the existing group "+
		"(terraform import, or an import block)", in.ID)
}

// UpdateGroup changes a group's name, description and parent with one
// change.ds (an empty parent makes it a top-level group), and reads it back.
// A move under the group itself or one of its descendants is refused before
// anything is sent.
func (c *Client) UpdateGroup(ctx context.Context, id string, in GroupInput) (Group, error) {
	if strings.TrimSpace(in.Name) == "" {
		return Group{}, errors.New("a group needs a name")
	}
	old, err := c.fresh(ctx, id)
	if err != nil {
		return Group{}, err
	}
	if in.ParentID != "" && in.ParentID != old.ParentID {
		if err := c.checkNotBelow(ctx, in.ParentID, id); err != nil {
			return Group{}, err
		}
	}
	q := url.Values{"id": {id}, "name": {in.Name}, "description": {in.Description}, "parent-group": {in.ParentID}}
	for attempt := 0; ; attempt++ {
		_, err = c.write(ctx, "change", changePath, q, id)
		if !mayHaveHappened(err) || ctx.Err() != nil || attempt > 0 {
			break
		}
		// change.ds sets values, so sending it again changes nothing twice:
		// look first all the same, and send it once more only if needed.
		g, lookErr := c.fresh(ctx, id)
		if lookErr != nil {
			return Group{}, &UncertainWriteError{Op: "change", What: fmt.Sprintf("the group %q", id), Err: errors.Join(err, lookErr)}
		}
		if g.Name == in.Name && g.Description == in.Description && g.ParentID == in.ParentID {
			err = nil
			break
		}
	}
	if err != nil {
		var we *WriteError
		if errors.As(err, &we) {
			we.Hint = "Check the name and parent_id"
			if we.Code == ErrSystemGroup {
				we.Hint = "System groups cannot be changed: remove the resource from the configuration and from the state (terraform state rm, or a removed block)"
			}
		}
		return Group{}, err
	}
	c.forget(id, old.ParentID, in.ParentID)
	return c.fresh(ctx, id)
}

// checkNotBelow fails when parent is id itself or one of its descendants.
func (c *Client) checkNotBelow(ctx context.Context, parent, id string) error {
	seen := map[string]bool{}
	for cur := parent; cur != "" && cur != EveryoneID; {
		if cur == id {
			return &WriteError{Op: "change", ID: id, Message: fmt.Sprintf("the new parent %q is the group itself or one of its descendants", parent),
				Hint: "A group cannot move into its own subtree: choose a parent_id outside it"}
		}
		if seen[cur] || len(seen) > MaxTreeDepth {
			return &TreeError{fmt.Sprintf("the ancestors of the group %q form a cycle", parent)}
		}
		seen[cur] = true
		g, err := c.fresh(ctx, cur)
		var nf *NotFoundError
		if errors.As(err, &nf) {
			return &NotFoundError{ID: cur, Parent: true, Server: nf.Server}
		}
		if err != nil {
			return err
		}
		cur = g.ParentID
	}
	return nil
}

// DeleteGroup deletes a group with delete.ds. A group that is already gone
// counts as deleted.
func (c *Client) DeleteGroup(ctx context.Context, id string) error {
	old, err := c.fresh(ctx, id)
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return nil
	}
	if err != nil {
		return err
	}
	q := url.Values{"id": {id}}
	for attempt := 0; ; attempt++ {
		_, err = c.write(ctx, "delete", deletePath, q, id)
		if err == nil || ctx.Err() != nil {
			break
		}
		// Refused or lost: gone all the same?
		if _, lookErr := c.fresh(ctx, id); errors.As(lookErr, &nf) {
			err = nil
			break
		} else if lookErr != nil && client.WriteMayHaveHappened(err) {
			return &UncertainWriteError{Op: "delete", What: fmt.Sprintf("the group %q", id), Err: errors.Join(err, lookErr)}
		}
		if !client.WriteMayHaveHappened(err) || attempt > 0 {
			break
		}
	}
	if err != nil {
		var we *WriteError
		if errors.As(err, &we) {
			we.Hint = "If it still has child groups, delete or move them first (Terraform deletes children before parents when their parent_id refers to the parent resource)"
			if we.Code == ErrSystemGroup {
				we.Hint = "System groups cannot be deleted: remove the resource from the state instead (terraform state rm, or a removed block)"
			}
		}
		return err
	}
	c.forget(id, old.ParentID)
	return nil
}
