package drweb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"golang.org/x/sync/errgroup"
)

// NotFoundError: the server does not know a group id, or no group has a name.
type NotFoundError struct {
	ID       string // set for a lookup by id
	Name     string // set for a lookup by name
	ParentID string // the parent a name lookup was narrowed to
	Searched int    // groups looked at by a name lookup
	CaseOnly []string
	Server   error // the server's own answer, when it gave one
}

func (e *NotFoundError) Error() string {
	var msg string
	if e.ID != "" {
		msg = fmt.Sprintf("Dr.Web group %q not found", e.ID)
	} else {
		msg = fmt.Sprintf("no Dr.Web group is named %q", e.Name)
		if e.ParentID != "" {
			msg += fmt.Sprintf(" directly under the group %q", e.ParentID)
		}
		msg += fmt.Sprintf(" (searched %d groups)", e.Searched)
		if len(e.CaseOnly) > 0 {
			msg += "; names match case-sensitively, and these differ only in case: " + client.QuoteAll(e.CaseOnly)
		}
	}
	if e.Server != nil {
		msg += " (" + e.Server.Error() + ")"
	}
	return msg
}

// Is makes a NotFoundError match client.ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == client.ErrNotFound }

// AmbiguousError: several groups have the name asked for.
type AmbiguousError struct {
	Name    string
	Matches []TreeNode
}

func (e *AmbiguousError) Error() string {
	parts := make([]string, len(e.Matches))
	for i, m := range e.Matches {
		parent := "top level"
		if m.ParentID != "" {
			parent = fmt.Sprintf("under %q (%s)", m.ParentName, m.ParentID)
		}
		parts[i] = fmt.Sprintf("%q %s", m.ID, parent)
	}
	return fmt.Sprintf("%d Dr.Web groups are named %q: %s", len(e.Matches), e.Name, strings.Join(parts, ", "))
}

// GroupByID returns one group with its rights, keys and packages. Concurrent
// calls share info.ds requests, and each id is fetched once per Client.
func (c *Client) GroupByID(ctx context.Context, id string) (Group, error) {
	if strings.TrimSpace(id) == "" {
		return Group{}, errors.New("the group id is empty")
	}
	return c.groups.Do(ctx, id, func(ctx context.Context) (Group, error) { return c.batch.get(ctx, id) })
}

// GroupsByID returns the groups in the order of ids. Every id is looked up
// as by GroupByID, so that the ids travel together in as few info.ds
// requests as the batch size allows.
func (c *Client) GroupsByID(ctx context.Context, ids []string) ([]Group, error) {
	out := make([]Group, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = c.GroupByID(ctx, id)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// fetchInfo asks info.ds for ids in one request. When the server refuses the
// whole request (one unknown id fails them all), it splits the ids in halves
// and asks again, so that only the unknown ids fail.
func (c *Client) fetchInfo(ctx context.Context, ids []string) map[string]result {
	q := url.Values{"id": ids, "rights": {"yes"}, "keys": {"yes"}}
	resp, doc, err := c.get(ctx, infoPath, q)
	results := make(map[string]result, len(ids))
	if err != nil {
		for _, id := range ids {
			results[id] = result{err: err}
		}
		return results
	}
	c.logWarnings(ctx, doc)
	if !doc.Status {
		srvErr := serverError(resp, doc)
		if len(ids) == 1 {
			results[ids[0]] = result{err: &NotFoundError{ID: ids[0], Server: srvErr}}
			return results
		}
		c.http.Logger().Debug(ctx, "Dr.Web refused a batch of ids; splitting it to find the unknown ones", map[string]any{"ids": len(ids), "error": srvErr.Error()})
		half := len(ids) / 2
		var left, right map[string]result
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); left = c.fetchInfo(ctx, ids[:half]) }()
		go func() { defer wg.Done(); right = c.fetchInfo(ctx, ids[half:]) }()
		wg.Wait()
		for k, v := range left {
			results[k] = v
		}
		for k, v := range right {
			results[k] = v
		}
		return results
	}
	for _, g := range doc.Groups {
		results[g.ID] = result{group: g}
	}
	for _, id := range ids {
		if _, ok := results[id]; !ok {
			results[id] = result{err: &NotFoundError{ID: id}}
		}
	}
	return results
}

func (c *Client) logWarnings(ctx context.Context, doc *document) {
	for _, w := range doc.Warnings {
		c.http.Logger().Warn(ctx, "Dr.Web sent a value in an unexpected format", map[string]any{"detail": w})
	}
}

// TreeNode is a group as list.ds describes it, placed in the tree.
type TreeNode struct {
	ID, Name             string
	ParentID, ParentName string // "" at the top level
	ChildGroups          int64
	Stations             int64
}

// Children returns the direct children of parentID ("" for the top level),
// in server order. Each list.ds request is made once per Client.
func (c *Client) Children(ctx context.Context, parentID string) ([]TreeNode, error) {
	return c.children.Do(ctx, parentID, func(ctx context.Context) ([]TreeNode, error) {
		q := url.Values{}
		if parentID != "" {
			q.Set("parent-group", parentID)
		}
		resp, doc, err := c.get(ctx, listPath, q)
		if err != nil {
			return nil, err
		}
		c.logWarnings(ctx, doc)
		if !doc.Status {
			srvErr := serverError(resp, doc)
			if parentID != "" {
				return nil, &NotFoundError{ID: parentID, Server: srvErr}
			}
			return nil, srvErr
		}
		nodes := make([]TreeNode, 0, len(doc.Groups))
		for _, g := range doc.Groups {
			nodes = append(nodes, TreeNode{ID: g.ID, Name: g.Name, ParentID: parentID, ChildGroups: g.ChildGroups, Stations: g.Stations})
		}
		return nodes, nil
	})
}

// Tree returns the groups under parentID ("" for the top level): its direct
// children, or with recursive its whole subtree, depth first in server order.
func (c *Client) Tree(ctx context.Context, parentID string, recursive bool) ([]TreeNode, error) {
	top, err := c.Children(ctx, parentID)
	if err != nil {
		return nil, err
	}
	if !recursive {
		return top, nil
	}
	// Fetch every level's children concurrently, then lay them out in order.
	kids := map[string][]TreeNode{}
	var mu sync.Mutex
	level := top
	for len(level) > 0 {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(treeConcurrency)
		for _, n := range level {
			if n.ChildGroups == 0 {
				continue
			}
			g.Go(func() error {
				ch, err := c.Children(gctx, n.ID)
				if err != nil {
					return err
				}
				mu.Lock()
				kids[n.ID] = ch
				mu.Unlock()
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		var next []TreeNode
		for _, n := range level {
			next = append(next, kids[n.ID]...)
		}
		level = next
	}
	var out []TreeNode
	seen := map[string]bool{}
	var visit func(nodes []TreeNode, parentName string)
	visit = func(nodes []TreeNode, parentName string) {
		for _, n := range nodes {
			if seen[n.ID] { // a server that lists a group twice must not loop us
				continue
			}
			seen[n.ID] = true
			n.ParentName = parentName
			out = append(out, n)
			visit(kids[n.ID], n.Name)
		}
	}
	visit(top, "")
	return out, nil
}

// GroupByName finds the one group with exactly this name (case-sensitive),
// anywhere in the tree, or among parentID's direct children when it is set.
func (c *Client) GroupByName(ctx context.Context, name, parentID string) (Group, error) {
	nodes, err := c.Tree(ctx, parentID, parentID == "")
	if err != nil {
		return Group{}, err
	}
	var found []TreeNode
	var caseOnly []string
	for _, n := range nodes {
		switch {
		case n.Name == name:
			found = append(found, n)
		case strings.EqualFold(n.Name, name):
			caseOnly = append(caseOnly, n.Name)
		}
	}
	switch len(found) {
	case 0:
		return Group{}, &NotFoundError{Name: name, ParentID: parentID, Searched: len(nodes), CaseOnly: caseOnly}
	case 1:
		return c.GroupByID(ctx, found[0].ID)
	}
	return Group{}, &AmbiguousError{Name: name, Matches: found}
}
