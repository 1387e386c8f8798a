package opswat

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// Planning the run's lookups: a walk serves every lookup, a search one
// name. Terraform starts its reads within milliseconds of each other, so
// lookups by name wait briefly for each other and are then decided
// together. Once anything needs the walk anyway (a lookup by id, a plural
// data source without search, a name the search does not settle) or the
// walk has ended, every later lookup uses it.
//
// The cost model: when the account's group count G is known (a cache entry,
// even one past its TTL), names are searched while their searches cost less
// than the walk (G/50 + 1 requests), and walked otherwise. When it is not,
// the first FreeSearches names are searched, and each further one is
// searched and also reads the next page of the walk, which later lookups go
// on from: k names cost at most about min(k, walk) × 2 requests, and no
// number of names makes the next one cost a whole walk at once.
const (
	// FreeSearches is how many names a run searches, with no count of the
	// account's groups, before each further search also reads a page of
	// the walk.
	FreeSearches = 4

	planWindow  = 30 * time.Millisecond  // quiet time before the waiting lookups are decided
	planMaxWait = 200 * time.Millisecond // longest a lookup waits for others
)

// lookupPlan is what a lookup by name does.
type lookupPlan int

const (
	planWalk          lookupPlan = iota // use the walk
	planSearch                          // ask the search
	planSearchAndPage                   // ask the search, and read the walk's next page
)

type pendingLookup struct {
	name string
	ch   chan lookupPlan
}

type planner struct {
	known func() int // the account's group count when known; 0: not known

	mu       sync.Mutex
	gate     client.Coalescer // when the waiting lookups are decided
	walking  bool             // a walk has started in this run, or the list is complete
	searches int              // names sent to search so far
	pending  []pendingLookup
}

func (p *planner) init(window, maxWait time.Duration, known func() int) {
	p.known = known
	p.gate = client.Coalescer{L: &p.mu, Window: window, MaxWait: maxWait, Go: p.decideWaiting}
}

// decide tells what the lookup of name does.
func (p *planner) decide(ctx context.Context, name string) (lookupPlan, error) {
	p.mu.Lock()
	if p.walking {
		p.mu.Unlock()
		return planWalk, nil
	}
	ch := make(chan lookupPlan, 1)
	p.pending = append(p.pending, pendingLookup{name, ch})
	p.gate.Arrive()
	p.mu.Unlock()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return planWalk, ctx.Err()
	}
}

// decideWaiting decides the waiting lookups together; p.mu is held.
func (p *planner) decideWaiting() {
	if len(p.pending) == 0 {
		return
	}
	var names []string
	for _, l := range p.pending {
		if !slices.Contains(names, l.name) {
			names = append(names, l.name)
		}
	}
	decided := map[string]lookupPlan{}
	groups := 0
	if p.known != nil {
		groups = p.known()
	}
	switch {
	case p.walking:
	case groups > 0:
		// Search while the run's searches cost less than the walk.
		if p.searches+len(names) < groups/pageSize+1 {
			for _, n := range names {
				decided[n] = planSearch
			}
			p.searches += len(names)
		}
	default:
		for _, n := range names {
			decided[n] = planSearch
			if p.searches >= FreeSearches {
				decided[n] = planSearchAndPage
			}
			p.searches++
		}
	}
	for _, l := range p.pending {
		l.ch <- decided[l.name] // planWalk when not decided otherwise
	}
	p.pending = nil
}

// walk records that the run walks the list: waiting lookups by name are
// decided for the walk at once, and so is every later one.
func (p *planner) walk() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.walking = true
	p.gate.Flush()
}

// prefix is the walk of the complete list in the API's default order: read
// a page at a time beside searches (see planner), and finished by the run's
// walk, which goes on from where it has come. A complete walk is the
// group-list cache's entry.
type prefix struct {
	gate  chan struct{} // one reader of pages at a time; a context can leave the wait
	state walkState
}

func (p *prefix) lock(ctx context.Context) error {
	select {
	case p.gate <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *prefix) unlock() { <-p.gate }

// advance reads the walk's next page and reports whether the list has ended.
func (p *prefix) advance(ctx context.Context, c *Client) (bool, error) {
	if err := p.lock(ctx); err != nil {
		return false, err
	}
	defer p.unlock()
	if p.state.done {
		return true, nil
	}
	st := p.state.clone()
	n := st.read + 1
	if err := c.take(ctx, &st, n, c.fetchPage(ctx, ListOptions{}.normalized(), n)); err != nil {
		return false, err
	}
	p.state = st
	if st.done {
		c.completed(ctx, st.groups)
	}
	return st.done, nil
}

// finish reads the pages the walk has yet to read, and returns the
// complete list.
func (p *prefix) finish(ctx context.Context, c *Client) ([]Group, error) {
	if err := p.lock(ctx); err != nil {
		return nil, err
	}
	defer p.unlock()
	if !p.state.done {
		st := p.state.clone()
		if _, err := c.walk(ctx, ListOptions{}.normalized(), &st); err != nil {
			return nil, err
		}
		p.state = st
		c.completed(ctx, st.groups)
	}
	return slices.Clone(p.state.groups), nil
}

func (st walkState) clone() walkState {
	st.groups = slices.Clone(st.groups)
	st.seen = maps.Clone(st.seen)
	return st
}

// completed records the run's complete walk: later lookups use it, and it
// is the cache's entry.
func (c *Client) completed(ctx context.Context, groups []Group) {
	c.walked.Store(int64(len(groups)) + 1)
	c.plan.walk()
	// A list that may predate one of the run's assignments holds a count
	// the run knows to be stale: it is not stored.
	if c.cache != nil && !c.stale.any() {
		c.cache.store(ctx, groups, c.prefix.state.firstPage) // the caller holds the prefix, whose walk this is
	}
}

// knownGroups is the account's group count when the run knows it: from its
// own complete walk, or from a cache entry, even one past its TTL.
func (c *Client) knownGroups() int {
	if n := c.walked.Load(); n > 0 {
		return int(n - 1)
	}
	if e := c.peek(context.Background()); e != nil {
		return len(e.groups)
	}
	return 0
}

// WalkCause is why a run walked the whole group list: the first thing that
// needed it.
type WalkCause struct {
	Kind  WalkCauseKind
	Value string // the id or name concerned, when there is one
}

// WalkCauseKind names what made a run walk the list.
type WalkCauseKind int

// The causes of a walk.
const (
	// WalkForID: a lookup by id (the API has none: the list is walked).
	WalkForID WalkCauseKind = iota + 1
	// WalkForList: a list without search (endpointgroups' plural reads).
	WalkForList
	// WalkForNoExactMatch: the search's answer held no group of exactly
	// the name (a typo, or a name the search does not match): only the
	// walk can tell that no group has it.
	WalkForNoExactMatch
	// WalkForFullSearch: the search answered a full page, which proves
	// nothing about the pages it did not send.
	WalkForFullSearch
	// WalkForManyNames: more names than searches cheaper than the walk.
	WalkForManyNames
)

// Walked reports why the run walked the group list (from the API, not
// the cache), when it did.
func (c *Client) Walked() (WalkCause, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.walkCause, c.walkCause.Kind != 0
}

// because records the first reason the run needed the walk.
func (c *Client) because(kind WalkCauseKind, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.walkCause.Kind == 0 {
		c.walkCause = WalkCause{Kind: kind, Value: value}
	}
}
