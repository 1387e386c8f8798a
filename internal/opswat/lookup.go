package opswat

import (
	"context"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// GroupByID finds a group by id in the full group list (there is no
// get-by-id endpoint; the list is walked once per Client).
func (c *Client) GroupByID(ctx context.Context, id string) (Group, error) {
	if c.list.cached(ctx) == nil {
		c.list.because(WalkForID, id)
	}
	groups, err := c.list.all(ctx)
	if err != nil {
		return Group{}, err
	}
	for _, g := range groups {
		if g.ID == id {
			return g, nil
		}
	}
	return Group{}, c.list.notFound(&NotFoundError{By: "id", Value: id, Searched: len(groups)})
}

// GroupByName finds the one group with exactly this name (case-sensitive).
//
// A lookup by name asks the API's search for the name when that is the
// cheaper plan for the run (see planner), and takes the exact match from
// its answer. The search's semantics are undocumented, so its answer is a
// hint: no exact match in it, or an answer of a full page, falls back to the
// shared walk, which decides.
func (c *Client) GroupByName(ctx context.Context, name string) (Group, error) {
	groups, fresh := c.list.entryGroups(ctx) // a fresh cache entry answers every name: no request
	if !fresh {
		var err error
		if groups, err = c.readForName(ctx, name); err != nil {
			return Group{}, err
		}
	}
	g, err := pickByName(groups, name)
	return g, c.list.notFound(err)
}

// readForName reads what settles the lookup of name: the search's answer
// when that is the run's plan for it and it holds the name, or else the
// shared walk.
func (c *Client) readForName(ctx context.Context, name string) ([]Group, error) {
	// A refresh (no TTL) plans as a run without the cache does: one name is
	// one search, not a walk to store.
	plan, err := c.plan.decide(ctx, name)
	if err != nil {
		return nil, err
	}
	released := plan == planPages
	if released {
		if plan, err = c.plan.await(ctx, c.list.advance); err != nil {
			return nil, err
		}
	}
	if plan == planWalk {
		c.list.because(WalkForManyNames, name)
	} else {
		found, settled, err := c.searchName(ctx, name)
		c.plan.searched(released)
		if err != nil || settled {
			return found, err
		}
	}
	return c.list.all(ctx)
}

// searchName asks the API's search for name (one page) and reports whether
// its answer settles the lookup: it holds the name once, or several times
// (which no walk could change). A group of that exact name matches any
// search for its name, so a second one would be in the same answer.
func (c *Client) searchName(ctx context.Context, name string) ([]Group, bool, error) {
	p, err := c.list.search(ctx, name)
	if err != nil {
		return nil, false, err
	}
	if p.full {
		c.http.Logger().Debug(ctx, "the OPSWAT search answered a full page; walking the group list instead", map[string]any{"name": name})
		c.list.because(WalkForFullSearch, name)
		c.plan.switchToWalk()
		return nil, false, nil
	}
	if found, _ := client.MatchName(p.groups, name, groupName); len(found) == 0 {
		c.http.Logger().Debug(ctx, "the OPSWAT search found no group of exactly this name; walking the group list to be sure", map[string]any{"name": name, "search_results": len(p.groups)})
		c.list.because(WalkForNoExactMatch, name)
		c.plan.switchToWalk()
		return nil, false, nil
	}
	return p.groups, true, nil
}

func groupName(g Group) string { return g.Name }

func pickByName(groups []Group, name string) (Group, error) {
	found, caseOnly := client.MatchName(groups, name, groupName)
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
