package drweb

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// CheckWrite tells, before anything is written, whether a write the caller
// plans would be refused: a create (id "") or a change of the group id to
// in. moved says the parent changes, renamed that the name does. It
// answers from what the run reads anyway (the parent's listing, the
// groups' info.ds, each asked once per run), so it costs a plan at most one
// list.ds per parent and one info.ds per ancestor of a new parent; the
// write itself checks again on fresh listings, since the server can change
// in between.
//
// A move under the group itself or one of its descendants is a
// *SubtreeMoveError; (unless in.AllowDuplicateName) a name the parent
// already holds, a *DuplicateNameError; at the top level, the system groups
// count among what it holds (Everyone, Ungrouped, …), as for the write.
func (c *Client) CheckWrite(ctx context.Context, id string, in GroupInput, renamed, moved bool) error {
	if id != "" && moved && in.ParentID != "" {
		if err := c.notBelow(ctx, in.ParentID, id, c.info); err != nil {
			return err
		}
	}
	if in.AllowDuplicateName || (id != "" && !renamed && !moved) {
		return nil
	}
	kids, err := c.mem.listing(ctx, in.ParentID)
	if err != nil {
		return err
	}
	if in.ParentID == "" {
		// The top level holds the system groups too, which its listing
		// may leave out: the write would find them, so the plan does.
		sys, err := c.systemNodes(ctx, kids)
		if err != nil {
			return err
		}
		kids = append(slices.Clip(kids), sys...)
	}
	return checkDuplicate(kids, in, id)
}

// notBelow fails when parent is id itself or one of its descendants,
// reading each ancestor of parent with get.
func (c *Client) notBelow(ctx context.Context, parent, id string, get func(context.Context, string) (Group, error)) error {
	seen := map[string]bool{}
	for cur := parent; cur != "" && cur != EveryoneID; {
		if cur == id {
			return &SubtreeMoveError{ID: id, Parent: parent}
		}
		if seen[cur] {
			return &TreeError{msg: fmt.Sprintf("the ancestors of the group %q form a cycle", parent)}
		}
		seen[cur] = true
		g, err := get(ctx, cur)
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
