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

// info returns one group as info.ds describes it. Concurrent calls share
// info.ds requests, and each id is fetched once per Client.
func (c *Client) info(ctx context.Context, id string) (Group, error) {
	if strings.TrimSpace(id) == "" {
		return Group{}, errors.New("the group id is empty")
	}
	return c.mem.group(ctx, id)
}

// GroupByID returns one group with its rights, keys, packages and path.
// The path costs an info.ds lookup per ancestor, shared with every other
// lookup of the run.
func (c *Client) GroupByID(ctx context.Context, id string) (Group, error) {
	return c.mem.lookUp(ctx, func(ctx context.Context) (Group, error) {
		g, err := c.info(ctx, id)
		if err != nil {
			return Group{}, err
		}
		if g.Path, err = c.mem.pathOf(ctx, g); err != nil {
			return Group{}, err
		}
		return g, nil
	})
}

// GroupsByID returns the groups in the order of ids. Every id is looked up
// as by GroupByID, so that the ids travel together in as few info.ds
// requests as the batch size allows. A failure shared by several ids (one
// refused batch) is reported once.
func (c *Client) GroupsByID(ctx context.Context, ids []string) ([]Group, error) {
	return c.getAll(ctx, ids, c.GroupByID)
}

// getAll runs get for every id concurrently and returns the groups in
// order, their errors joined (see joinDistinct).
func (c *Client) getAll(ctx context.Context, ids []string, get func(context.Context, string) (Group, error)) ([]Group, error) {
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
	resp, doc, err := c.askInfo(ctx, ids)
	results := make(map[string]result, len(ids))
	if err != nil {
		for _, id := range ids {
			results[id] = result{err: err}
		}
		return results
	}
	if !doc.Status {
		srvErr := serverError(resp, doc)
		if len(ids) == 1 {
			// The vendor documents an unknown id as a refusal, with no errno
			// of its own: a refusal is a claim of absence, which a caller
			// that must be sure checks against a listing (see gone).
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
	answered := make(map[string]Group, len(doc.Groups))
	for _, g := range doc.Groups {
		answered[g.ID] = g
	}
	var missing []string
	for _, id := range ids {
		if g, ok := answered[id]; ok {
			results[id] = result{group: g}
		} else {
			missing = append(missing, id)
		}
	}
	switch {
	case len(missing) == 0:
	case len(ids) == 1:
		// An answer about another group says nothing about this one: not
		// "not found", which only the server's refusal says.
		got := make([]string, 0, len(doc.Groups))
		for _, g := range doc.Groups {
			got = append(got, g.ID)
		}
		why := "no group at all"
		if len(got) > 0 {
			why = "the groups " + client.QuoteAll(got) + " instead"
		}
		results[ids[0]] = result{err: &AnswerError{Op: opRead, Asked: ids[0], Why: why}}
	default:
		// Asked alone, each left-out id gets an answer of its own.
		maps.Copy(results, c.fetchInfo(ctx, missing[:1]))
		if len(missing) > 1 {
			maps.Copy(results, c.fetchInfo(ctx, missing[1:]))
		}
	}
	return results
}

// askInfo sends one info.ds request for ids, with rights, keys and
// components. Whether the server takes components=yes is not documented for
// every line: until an answer has shown it, requests go one at a time, and a
// refusal of one id is followed by the same request without it; if that succeeds,
// the server refuses the parameter, and it is left out for the rest of the
// run (the groups' components are then unknown: nil).
func (c *Client) askInfo(ctx context.Context, ids []string) (*client.Response, *document, error) {
	q := url.Values{"id": ids, "rights": {"yes"}, "keys": {"yes"}}
	if c.components.Load() == componentsUnsettled {
		select {
		case c.componentsGate <- struct{}{}:
			defer func() { <-c.componentsGate }()
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
	if c.components.Load() == componentsRefused {
		return c.read(ctx, infoPath, q)
	}
	q.Set("components", "yes")
	resp, doc, err := c.read(ctx, infoPath, q)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case doc.Status:
		c.components.Store(componentsAccepted)
	case len(ids) == 1 && c.components.Load() == componentsUnsettled:
		// A refused batch is split until single ids are refused: only then
		// is asking again without the parameter worth a request.
		q.Del("components")
		resp2, doc2, err2 := c.read(ctx, infoPath, q)
		if err2 == nil && doc2.Status {
			c.components.Store(componentsRefused)
			c.http.Logger().Warn(ctx, "Dr.Web refused components=yes; reading groups without their components from now on", map[string]any{"error": serverError(resp, doc).Error()})
			return resp2, doc2, nil
		}
	}
	return resp, doc, nil
}

// GroupsOf returns the groups of tree nodes with their details, in order,
// their paths taken from the tree (no ancestor lookups).
func (c *Client) GroupsOf(ctx context.Context, nodes []TreeNode) ([]Group, error) {
	ids := make([]string, len(nodes))
	paths := make(map[string]string, len(nodes))
	for i, n := range nodes {
		ids[i], paths[n.ID] = n.ID, n.Path
	}
	return c.getAll(ctx, ids, func(ctx context.Context, id string) (Group, error) {
		return c.mem.lookUp(ctx, func(ctx context.Context) (Group, error) {
			g, err := c.info(ctx, id)
			g.Path = paths[id]
			return g, err
		})
	})
}

// GroupWithoutPath returns one group as info.ds describes it, without the
// lookups its path would cost: what a resource reads. Concurrent calls
// share info.ds requests.
func (c *Client) GroupWithoutPath(ctx context.Context, id string) (Group, error) {
	return c.mem.lookUp(ctx, func(ctx context.Context) (Group, error) { return c.info(ctx, id) })
}
