package opswat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// NotFoundError: no group has the id or name asked for.
type NotFoundError struct {
	By, Value string
	Searched  int      // how many groups were looked at
	CaseOnly  []string // names that differ from the one asked for only in case
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("no OPSWAT group has %s %q (searched %d groups)", e.By, e.Value, e.Searched)
	if len(e.CaseOnly) > 0 {
		msg += fmt.Sprintf("; names match case-sensitively, and these differ only in case: %s", client.QuoteAll(e.CaseOnly))
	}
	return msg
}

// AmbiguousError: several groups have the name asked for.
type AmbiguousError struct {
	Name string
	IDs  []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%d OPSWAT groups are named %q, with ids %s", len(e.IDs), e.Name, client.QuoteAll(e.IDs))
}

// GroupByID finds a group by id in the full group list (there is no
// get-by-id endpoint; the list is walked once per Client).
func (c *Client) GroupByID(ctx context.Context, id string) (Group, error) {
	groups, err := c.walkAll(ctx)
	if err != nil {
		return Group{}, err
	}
	for _, g := range groups {
		if g.ID == id {
			return g, nil
		}
	}
	return Group{}, &NotFoundError{By: "id", Value: id, Searched: len(groups)}
}

// GroupByName finds the one group with exactly this name (case-sensitive).
//
// A lookup by name asks the API's search for the name when that is the
// cheaper plan for the run (see planner), and takes the exact match from
// its answer. The search's semantics are undocumented, so its answer is a
// hint: no exact match in it, or an answer of a full page, falls back to the
// shared walk, which decides.
func (c *Client) GroupByName(ctx context.Context, name string) (Group, error) {
	search, err := c.plan.decide(ctx, name)
	if err != nil {
		return Group{}, err
	}
	if search {
		g, found, err := c.searchName(ctx, name)
		if err != nil || found {
			return g, err
		}
	}
	groups, err := c.walkAll(ctx)
	if err != nil {
		return Group{}, err
	}
	return pickByName(groups, name)
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
		out := searchPage{full: len(pg.raw) >= PageSize}
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
		c.plan.walk()
		return Group{}, false, nil
	}
	g, err := pickByName(p.groups, name)
	var nf *NotFoundError
	if errors.As(err, &nf) {
		c.http.Logger().Debug(ctx, "the OPSWAT search found no group of exactly this name; walking the group list to be sure", map[string]any{"name": name, "search_results": len(p.groups)})
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
	var found []Group
	var caseOnly []string
	for _, g := range groups {
		switch {
		case g.Name == name:
			found = append(found, g)
		case strings.EqualFold(g.Name, name):
			caseOnly = append(caseOnly, g.Name)
		}
	}
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
	return Group{}, &AmbiguousError{Name: name, IDs: ids}
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

// Planning the run's lookups: a walk serves every lookup, a search one
// name. Terraform starts its reads within milliseconds of each other, so
// lookups by name wait briefly for each other and are then decided
// together: one search each while the run has asked for few names, one
// shared walk as soon as anything needs the walk anyway (a lookup by id, a
// plural data source without search) or the names are more than a walk is
// likely to cost. Once a walk has started, every later lookup uses it.
const (
	// MaxSearches is how many lookups by name a run sends to the API's
	// search before it walks the list instead. A walk of an account of 400
	// groups or more costs at least as much, and at the API's 10 requests a
	// minute a run's first 10 requests go without waiting.
	MaxSearches = 8

	planWindow  = 30 * time.Millisecond  // quiet time before the waiting lookups are decided
	planMaxWait = 200 * time.Millisecond // longest a lookup waits for others
)

type planner struct {
	window, maxWait time.Duration // planWindow and planMaxWait, but for tests

	mu       sync.Mutex
	walking  bool // a walk has started in this run
	searches int  // lookups sent to search so far
	pending  []chan bool
	names    map[string]bool
	first    time.Time
	timer    *time.Timer
	gen      int
}

// decide reports whether the lookup of name goes to search (true) or to the walk.
func (p *planner) decide(ctx context.Context, name string) (bool, error) {
	p.mu.Lock()
	if p.walking {
		p.mu.Unlock()
		return false, nil
	}
	ch := make(chan bool, 1)
	if len(p.pending) == 0 {
		p.first, p.names = time.Now(), map[string]bool{}
	}
	p.pending = append(p.pending, ch)
	p.names[name] = true
	if p.timer != nil {
		p.timer.Stop()
	}
	gen := p.gen
	p.timer = time.AfterFunc(max(0, min(p.window, p.maxWait-time.Since(p.first))), func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if gen == p.gen {
			p.flushLocked()
		}
	})
	p.mu.Unlock()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

func (p *planner) flushLocked() {
	if len(p.pending) == 0 {
		return
	}
	search := !p.walking && p.searches+len(p.names) <= MaxSearches
	if search {
		p.searches += len(p.names)
	}
	for _, ch := range p.pending {
		ch <- search
	}
	p.pending, p.names = nil, nil
	p.gen++
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
}

// walk records that the run walks the list: waiting lookups by name are
// decided for the walk at once, and so is every later one.
func (p *planner) walk() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.walking = true
	p.flushLocked()
}
