package drweb

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

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
	Server    error    // the server's own answer, when it gave one
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
		msg = fmt.Sprintf("no Dr.Web group has the path %q: there is no group named %q %s (searched %d groups)", e.Path, e.Name, where, e.Searched)
	default:
		msg = fmt.Sprintf("no Dr.Web group is named %q", e.Name)
		if e.ParentID != "" {
			msg += fmt.Sprintf(" directly under the group %q", e.ParentID)
		}
		msg += fmt.Sprintf(" (searched %d groups)", e.Searched)
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

// AmbiguousError: several groups have the name (or path) asked for.
type AmbiguousError struct {
	Name    string
	Path    string // set for a lookup by path
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
	if e.Path != "" {
		return fmt.Sprintf("%d Dr.Web groups have the path %q: %s", len(e.Matches), e.Path, strings.Join(parts, ", "))
	}
	return fmt.Sprintf("%d Dr.Web groups are named %q: %s", len(e.Matches), e.Name, strings.Join(parts, ", "))
}

// info returns one group as info.ds describes it. Concurrent calls share
// info.ds requests, and each id is fetched once per Client.
func (c *Client) info(ctx context.Context, id string) (Group, error) {
	if strings.TrimSpace(id) == "" {
		return Group{}, errors.New("the group id is empty")
	}
	return c.batch.get(ctx, id)
}

// GroupByID returns one group with its rights, keys, packages and path.
// The path costs an info.ds lookup per ancestor, shared with every other
// lookup of the run.
func (c *Client) GroupByID(ctx context.Context, id string) (Group, error) {
	g, err := c.info(ctx, id)
	if err != nil {
		return Group{}, err
	}
	if g.Path, err = c.pathOf(ctx, g); err != nil {
		return Group{}, err
	}
	return g, nil
}

// GroupsByID returns the groups in the order of ids. Every id is looked up
// as by GroupByID, so that the ids travel together in as few info.ds
// requests as the batch size allows. A failure shared by several ids (one
// refused batch) is reported once.
func (c *Client) GroupsByID(ctx context.Context, ids []string) ([]Group, error) {
	return c.each(ctx, ids, c.GroupByID)
}

// each runs get for every id concurrently and returns the groups in order.
func (c *Client) each(ctx context.Context, ids []string, get func(context.Context, string) (Group, error)) ([]Group, error) {
	out := make([]Group, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { out[i], errs[i] = get(ctx, id) })
	}
	wg.Wait()
	if err := joinDistinct(ids, errs); err != nil {
		return nil, err
	}
	return out, nil
}

// joinDistinct joins the errors of a set of lookups, each distinct error
// once: the ids that share one failure (one refused request) are named
// together instead of repeating it once per id.
func joinDistinct(ids []string, errs []error) error {
	var order []error
	byErr := map[error][]string{}
	for i, err := range errs {
		if err == nil {
			continue
		}
		var nf *NotFoundError
		if errors.As(err, &nf) { // each names its own id already
			order = append(order, err)
			continue
		}
		key := err
		if !reflect.TypeOf(err).Comparable() {
			order = append(order, err)
			continue
		}
		if _, ok := byErr[key]; !ok {
			order = append(order, key)
		}
		byErr[key] = append(byErr[key], ids[i])
	}
	var out []error
	for _, err := range order {
		if shared := byErr[err]; len(shared) > 1 {
			err = fmt.Errorf("%w (for the %d groups %s)", err, len(shared), client.QuoteAll(shared))
		}
		out = append(out, err)
	}
	return errors.Join(out...)
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
		wg.Go(func() { left = c.fetchInfo(ctx, ids[:half]) })
		wg.Go(func() { right = c.fetchInfo(ctx, ids[half:]) })
		wg.Wait()
		maps.Copy(results, left)
		maps.Copy(results, right)
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

// GroupsOf returns the groups of tree nodes with their details, in order,
// their paths taken from the tree (no ancestor lookups).
func (c *Client) GroupsOf(ctx context.Context, nodes []TreeNode) ([]Group, error) {
	ids := make([]string, len(nodes))
	paths := make(map[string]string, len(nodes))
	for i, n := range nodes {
		ids[i], paths[n.ID] = n.ID, n.Path
	}
	return c.each(ctx, ids, func(ctx context.Context, id string) (Group, error) {
		g, err := c.info(ctx, id)
		g.Path = paths[id]
		return g, err
	})
}

// Group returns one group as info.ds describes it, without its path:
// what a resource reads. Concurrent calls share info.ds requests.
func (c *Client) Group(ctx context.Context, id string) (Group, error) { return c.info(ctx, id) }
