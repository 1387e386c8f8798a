package opswat

import (
	"context"
	"errors"
	"net/http"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// GroupByID finds a group by id in the full group list (there is no
// get-by-id endpoint; the list is walked once per Client).
func (c *Client) GroupByID(ctx context.Context, id string) (Group, error) {
	g, err := c.groupByID(ctx, id)
	return c.stale.group(g), err
}

func (c *Client) groupByID(ctx context.Context, id string) (Group, error) {
	if c.cached(ctx) == nil {
		c.because(WalkForID, id)
	}
	groups, err := c.walkAll(ctx)
	if err != nil {
		return Group{}, err
	}
	for _, g := range groups {
		if g.ID == id {
			return g, nil
		}
	}
	return Group{}, c.fromCache(&NotFoundError{By: "id", Value: id, Searched: len(groups)})
}

// fromCache marks a NotFoundError whose list came from a cache entry.
func (c *Client) fromCache(e *NotFoundError) *NotFoundError {
	c.markFromCache(e)
	return e
}

func (c *Client) markFromCache(e *NotFoundError) { e.CacheAge, e.FromCache = c.cacheServed() }

// GroupByName finds the one group with exactly this name (case-sensitive).
//
// A lookup by name asks the API's search for the name when that is the
// cheaper plan for the run (see planner), and takes the exact match from
// its answer. The search's semantics are undocumented, so its answer is a
// hint: no exact match in it, or an answer of a full page, falls back to the
// shared walk, which decides.
func (c *Client) GroupByName(ctx context.Context, name string) (Group, error) {
	g, err := c.groupByName(ctx, name)
	return c.stale.group(g), err
}

func (c *Client) groupByName(ctx context.Context, name string) (Group, error) {
	if e := c.cached(ctx); e != nil { // a fresh entry answers every name: no request
		c.servedFromCache(e.age)
		g, err := pickByName(e.groups, name)
		var nf *NotFoundError
		if errors.As(err, &nf) {
			c.markFromCache(nf)
		}
		return g, err
	}
	// A refresh (no TTL) plans as a run without the cache does: one name is
	// one search, not a walk to store.
	plan, err := c.plan.decide(ctx, name)
	if err != nil {
		return Group{}, err
	}
	if plan == planWalk {
		c.because(WalkForManyNames, name)
	}
	if plan == planSearchAndPage {
		// The walk's next page first: when it ends the list, the list
		// answers this name and the search is not needed.
		done, err := c.prefix.advance(ctx, c)
		if err != nil {
			return Group{}, err
		}
		if done {
			plan = planWalk
		}
	}
	if plan != planWalk {
		g, found, err := c.searchName(ctx, name)
		if err != nil || found {
			return g, err
		}
	}
	groups, err := c.walkAll(ctx)
	if err != nil {
		return Group{}, err
	}
	g, err := pickByName(groups, name)
	var nf *NotFoundError
	if errors.As(err, &nf) {
		c.markFromCache(nf)
	}
	return g, err
}

// searchName asks the API's search for name (one page) and reports whether
// its answer settles the lookup: exactly one group of that name, or several
// (which no walk could change). A group of that exact name matches any
// search for its name, so a second one would be in the same answer.
func (c *Client) searchName(ctx context.Context, name string) (Group, bool, error) {
	p, err := c.searches.Do(ctx, name, func(ctx context.Context) (searchPage, error) {
		opts := ListOptions{Search: name}.normalized()
		pg := c.fetchPage(ctx, opts, 1)
		if pg.err != nil {
			var apiErr *client.APIError
			if errors.As(pg.err, &apiErr) && apiErr.StatusCode == http.StatusRequestEntityTooLarge {
				return searchPage{}, nil // no match at all
			}
			return searchPage{}, pg.err
		}
		out := searchPage{full: len(pg.raw) >= pageSize}
		for _, g := range pg.raw {
			out.groups = append(out.groups, c.convert(ctx, g))
		}
		return out, nil
	})
	if err != nil {
		return Group{}, false, err
	}
	if p.full {
		c.http.Logger().Debug(ctx, "the OPSWAT search answered a full page; walking the group list instead", map[string]any{"name": name})
		c.because(WalkForFullSearch, name)
		c.plan.walk()
		return Group{}, false, nil
	}
	g, err := pickByName(p.groups, name)
	var nf *NotFoundError
	if errors.As(err, &nf) {
		c.http.Logger().Debug(ctx, "the OPSWAT search found no group of exactly this name; walking the group list to be sure", map[string]any{"name": name, "search_results": len(p.groups)})
		c.because(WalkForNoExactMatch, name)
		c.plan.walk()
		return Group{}, false, nil
	}
	return g, true, err
}

type searchPage struct {
	groups []Group
	full   bool // a full page: there may be more, so it proves nothing
}

func pickByName(groups []Group, name string) (Group, error) {
	found, caseOnly := client.MatchName(groups, name, func(g Group) string { return g.Name })
	switch len(found) {
	case 0:
		return Group{}, &NotFoundError{By: "name", Value: name, Searched: len(groups), CaseOnly: caseOnly}
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, g := range found {
		ids[i] = g.ID
	}
	return Group{}, &AmbiguousError{Name: name, IDs: ids, Groups: found}
}

// walkAll is the shared walk of the whole group list: the run's first full
// list, in whatever order it was asked for.
func (c *Client) walkAll(ctx context.Context) ([]Group, error) {
	c.mu.Lock()
	opts := ListOptions{}
	if c.fullWalk != nil {
		opts = *c.fullWalk
	}
	c.mu.Unlock()
	return c.ListGroups(ctx, opts)
}
