package opswat

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// groupList is the one owner of what a run knows of the account's group
// list: the walks it made (one per distinct query, shared by every
// caller), the walk of the complete list that lookups read a page at a
// time (the prefix), the query of the run's first full list, why the run
// walked, the search answers, the cache entry across runs and the age of
// the one that served the run, and the groups whose device count the run
// changed. Forget drops what a write made stale: the next lookup reads
// again.
type groupList struct {
	pages   pageReader
	cache   *diskCache // the cache across runs; nil: none
	notices *notices
	walking func() // tells the planner that the run walks the list: later lookups use it

	mu        sync.Mutex // guards fullWalk, cause, prefix and forgotten
	fullWalk  *ListOptions
	cause     WalkCause
	prefix    *prefix
	forgotten bool // a write made the cache entry stale: the run reads the API

	walks    client.Memo[[]Group]
	searches client.Memo[searchPage]
	peeked   client.Memo[*cacheEntry]
	// The age of the entry that served the run's list (+1; 0: none), and
	// the size of the run's own complete walk (+1; 0: none).
	cacheAge atomic.Int64
	walked   atomic.Int64
	stale    staleCounts
}

func newGroupList(pages pageReader, cache *diskCache, n *notices, walking func()) *groupList {
	return &groupList{pages: pages, cache: cache, notices: n, walking: walking, prefix: newPrefix()}
}

// Forget drops what the run knows of the list after a write: the walks,
// the searches, the cache entry it read (and the account's entry on disk,
// which holds the list from before). The next lookup reads the API again.
// The groups marked stale stay so: their counts are not known until the
// next run.
func (l *groupList) Forget(ctx context.Context) {
	l.mu.Lock()
	l.fullWalk, l.prefix, l.forgotten = nil, newPrefix(), true
	l.mu.Unlock()
	l.walks.ForgetAll()
	l.searches.ForgetAll()
	l.peeked.ForgetAll()
	l.walked.Store(0)
	l.cacheAge.Store(0)
	if l.cache == nil {
		return
	}
	// By its exact name, as every file the cache makes, so that no run is
	// served a list this one knows to be stale; the run stores no other.
	if err := l.cache.forget(ctx); err != nil {
		l.notices.add(ctx, fmt.Sprintf("the group-list cache file %s could not be removed after devices were assigned (%v): "+
			"until it expires, runs may be served the group's device count from before", l.cache.path(), err))
		return
	}
	l.pages.logger.Debug(ctx, "removed the OPSWAT group-list cache entry: devices were assigned, so its device counts are stale", nil)
}

// devicesChanged records that the run may have changed a group's device
// count, and forgets the list that holds the count from before.
func (l *groupList) devicesChanged(ctx context.Context, groupID string) {
	l.stale.mark(groupID)
	l.Forget(ctx)
}

// all is the whole list in the order of the run's first full list (the
// default order when there was none): the one walk every lookup that
// needs it shares.
func (l *groupList) all(ctx context.Context) ([]Group, error) {
	l.mu.Lock()
	opts := ListOptions{}.normalized()
	if l.fullWalk != nil {
		opts = *l.fullWalk
	}
	l.mu.Unlock()
	return l.full(ctx, opts)
}

// full is a (normalized) query without search. The run's first one is the
// order all keeps.
func (l *groupList) full(ctx context.Context, opts ListOptions) ([]Group, error) {
	if l.cached(ctx) == nil {
		l.because(WalkForList, "")
	}
	l.mu.Lock()
	if l.fullWalk == nil {
		l.fullWalk = &opts
	}
	l.mu.Unlock()
	l.walking()
	return l.query(ctx, opts)
}

// query returns every group of a (normalized) query, the groups whose
// count the run changed marked so. With the cache across runs, a query
// without a search is answered from the complete list, sorted here.
func (l *groupList) query(ctx context.Context, opts ListOptions) ([]Group, error) {
	if opts.Search == "" && l.cache != nil {
		all, err := l.complete(ctx)
		if err != nil {
			return nil, err
		}
		return l.stale.groups(sortGroups(all, opts)), nil
	}
	key := strconv.Quote(opts.Search) + "|" + opts.SortField + "|" + opts.SortOrder
	groups, err := l.walks.Do(ctx, key, func(ctx context.Context) ([]Group, error) {
		if opts == (ListOptions{}).normalized() {
			return l.finish(ctx)
		}
		return l.readPages(ctx, opts, nil)
	})
	return l.stale.groups(slices.Clone(groups)), err
}

// search returns the first page of the API's search for name, once a run.
func (l *groupList) search(ctx context.Context, name string) (searchPage, error) {
	p, err := l.searches.Do(ctx, name, func(ctx context.Context) (searchPage, error) {
		pg := l.pages.fetchPage(ctx, ListOptions{Search: name}.normalized(), 1)
		if pg.err != nil {
			if tooLarge(pg.err) {
				return searchPage{}, nil // no match at all
			}
			return searchPage{}, pg.err
		}
		out := searchPage{full: len(pg.raw) >= pageSize}
		for _, g := range pg.raw {
			out.groups = append(out.groups, l.pages.convert(ctx, g))
		}
		return out, nil
	})
	p.groups = l.stale.groups(slices.Clone(p.groups))
	return p, err
}

type searchPage struct {
	groups []Group
	full   bool // a full page: there may be more, so it proves nothing
}

// readPages reads every page of a query, from where st has come (nil: from the
// start). Pages 1 and 2 go alone (most accounts fit in them); with
// readAhead > 1, each further full page lets the walk keep one more page
// request in flight, up to readAhead, so that a long list costs about one
// round trip per readAhead pages. A walk stops at the first short page or
// 413 and cancels the requests still waiting for their turn; up to
// readAhead-1 requests past the last page may already have been sent.
func (l *groupList) readPages(ctx context.Context, opts ListOptions, st *walkState) ([]Group, error) {
	if st == nil {
		st = &walkState{}
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := map[int]chan page{}
	launch := func(n int) {
		if n > maxPages || pages[n] != nil {
			return
		}
		ch := make(chan page, 1)
		pages[n] = ch
		go func() { ch <- l.pages.fetchPage(ctx, opts, n) }()
	}
	for n := st.read + 1; !st.done; n++ {
		// The lead grows with the list (pages 1 and 2 alone, then 1, 2, …
		// up to readAhead-1 pages ahead): a list of up to 99 groups never
		// pays for a request past its end.
		for ahead := n; ahead < n+min(l.pages.readAhead, max(1, n-1)); ahead++ {
			launch(ahead)
		}
		p := <-pages[n]
		delete(pages, n)
		if err := l.pages.addPage(ctx, st, n, p); err != nil {
			return nil, err
		}
		if n%10 == 0 {
			l.pages.logger.Debug(ctx, "walking the OPSWAT group list", map[string]any{"pages": n, "groups": len(st.groups), "duration_ms": time.Since(start).Milliseconds()})
		}
	}
	l.pages.logger.Debug(ctx, "listed OPSWAT groups", map[string]any{
		"groups": len(st.groups), "search": opts.Search, "sort_field": opts.SortField, "sort_order": opts.SortOrder,
		"duration_ms": time.Since(start).Milliseconds(), "read_ahead": l.pages.readAhead,
	})
	return slices.Clone(st.groups), nil
}

// prefix is the walk of the complete list in the API's default order: read
// a page at a time beside searches (see planner), and finished by the run's
// walk, which goes on from where it has come. A complete walk is the
// group-list cache's entry.
type prefix struct {
	gate  chan struct{} // one reader of pages at a time; a context can leave the wait
	state walkState
}

func newPrefix() *prefix { return &prefix{gate: make(chan struct{}, 1)} }

func (p *prefix) enter(ctx context.Context) error {
	select {
	case p.gate <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *prefix) leave() { <-p.gate }

func (l *groupList) currentPrefix() *prefix {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.prefix
}

// advance reads the prefix's next page and reports whether the list has
// ended.
func (l *groupList) advance(ctx context.Context) (bool, error) {
	p := l.currentPrefix()
	if err := p.enter(ctx); err != nil {
		return false, err
	}
	defer p.leave()
	if p.state.done {
		return true, nil
	}
	st := p.state.clone()
	n := st.read + 1
	if err := l.pages.addPage(ctx, &st, n, l.pages.fetchPage(ctx, ListOptions{}.normalized(), n)); err != nil {
		return false, err
	}
	p.state = st
	if st.done {
		l.completed(ctx, st.groups, st.firstPage)
	}
	return st.done, nil
}

// finish reads the pages the prefix has yet to read, and returns the
// complete list.
func (l *groupList) finish(ctx context.Context) ([]Group, error) {
	p := l.currentPrefix()
	if err := p.enter(ctx); err != nil {
		return nil, err
	}
	defer p.leave()
	if !p.state.done {
		st := p.state.clone()
		if _, err := l.readPages(ctx, ListOptions{}.normalized(), &st); err != nil {
			return nil, err
		}
		p.state = st
		l.completed(ctx, st.groups, st.firstPage)
	}
	return slices.Clone(p.state.groups), nil
}

func (st walkState) clone() walkState {
	st.groups = slices.Clone(st.groups)
	st.seen = maps.Clone(st.seen)
	return st
}

// completed records the run's complete walk, whose first page came at
// firstPage: later lookups use it, and it is the cache's entry.
func (l *groupList) completed(ctx context.Context, groups []Group, firstPage time.Time) {
	l.walked.Store(int64(len(groups)) + 1)
	l.walking()
	// A list that may predate one of the run's assignments holds a count
	// the run knows to be stale: it is not stored.
	if l.cache != nil && !l.stale.any() {
		l.cache.store(ctx, groups, firstPage)
	}
}

// knownGroups is the account's group count when the run knows it: from its
// own complete walk, or from a cache entry, even one past its TTL.
func (l *groupList) knownGroups() int {
	if n := l.walked.Load(); n > 0 {
		return int(n - 1)
	}
	if e := l.peek(context.Background()); e != nil {
		return len(e.groups)
	}
	return 0
}

// cached returns the account's cache entry when it is fresh, read once a
// run; nil without a cache or a fresh entry.
func (l *groupList) cached(ctx context.Context) *cacheEntry {
	e := l.peek(ctx)
	if e != nil && e.fresh {
		return e
	}
	return nil
}

// peek reads the account's entry once a run, fresh or not: an entry past
// its TTL still tells how many groups the account had. After Forget the
// run uses no entry.
func (l *groupList) peek(ctx context.Context) *cacheEntry {
	l.mu.Lock()
	off := l.cache == nil || l.forgotten
	l.mu.Unlock()
	if off {
		return nil
	}
	e, _ := l.peeked.Do(ctx, "", func(ctx context.Context) (*cacheEntry, error) {
		e := l.cache.read(ctx)
		if l.cache.ttl == 0 {
			// A refresh uses no entry, and the old one must not serve the
			// runs after it: a refresh that walks stores its walk in its
			// place, one that only searches leaves none. Every lookup reads
			// this before it sends anything, so a walk stores after it.
			_ = l.cache.forget(ctx) // a failed removal is judged again when the next run reads the entry
		}
		return e, nil
	})
	return e
}

// complete returns the account's complete group list in the API's default
// order: the fresh cache entry, or else one walk of the list (shared by the
// run's callers, and with the other runs on the cache directory), stored
// as the entry.
func (l *groupList) complete(ctx context.Context) ([]Group, error) {
	if e := l.cached(ctx); e != nil {
		l.servedFromCache(e.age)
		return slices.Clone(e.groups), nil
	}
	l.mu.Lock()
	forgotten := l.forgotten
	l.mu.Unlock()
	deadline, _ := ctx.Deadline() // the shared walk keeps no caller's deadline: the lock wait does
	groups, err := l.walks.Do(ctx, "complete", func(ctx context.Context) ([]Group, error) {
		if forgotten {
			// After a write the run stores no entry, so it has nothing to
			// wait for nor to read: it walks.
			return l.finish(ctx)
		}
		e, release, err := l.cache.freshOrLock(ctx, deadline)
		if err != nil {
			return nil, err
		}
		if e != nil {
			l.servedFromCache(e.age)
			return e.groups, nil
		}
		defer release()
		return l.finish(ctx) // stored as the entry when complete
	})
	var lockErr *CacheLockWaitError
	if err != nil && ctx.Err() != nil && !errors.As(err, &lockErr) {
		err = l.cache.interrupted(err) // this caller left while the shared walk waited on the lock
	}
	return slices.Clone(groups), err
}

// entryGroups returns the groups of the account's fresh cache entry, which
// answers every lookup of the run, and records that it served the run.
func (l *groupList) entryGroups(ctx context.Context) ([]Group, bool) {
	e := l.cached(ctx)
	if e == nil {
		return nil, false
	}
	l.servedFromCache(e.age)
	return l.stale.groups(slices.Clone(e.groups)), true
}

// servedFromCache records that the run's list came from a cache entry of
// this age.
func (l *groupList) servedFromCache(age time.Duration) { l.cacheAge.Store(int64(age) + 1) }

// notFound marks a *NotFoundError whose list came from a cache entry with
// that entry's age, and returns err.
func (l *groupList) notFound(err error) error {
	var nf *NotFoundError
	if errors.As(err, &nf) {
		if v := l.cacheAge.Load(); v > 0 {
			nf.CacheAge, nf.FromCache = time.Duration(v-1), true
		} else {
			nf.CacheAge, nf.FromCache = 0, false
		}
	}
	return err
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
	c.list.mu.Lock()
	defer c.list.mu.Unlock()
	return c.list.cause, c.list.cause.Kind != 0
}

// because records the first reason the run needed the walk.
func (l *groupList) because(kind WalkCauseKind, value string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cause.Kind == 0 {
		l.cause = WalkCause{Kind: kind, Value: value}
	}
}

// staleCounts are the groups whose number_of_devices the run no longer
// knows: it assigned devices to them after listing them.
type staleCounts struct {
	mu  sync.Mutex
	ids map[string]bool
}

// mark records that id's count is stale.
func (s *staleCounts) mark(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids = map[string]bool{}
	}
	s.ids[id] = true
}

// any reports whether the run has assigned devices to any group.
func (s *staleCounts) any() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids) > 0
}

// group marks g's count stale when it is.
func (s *staleCounts) group(g Group) Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids[g.ID] {
		g.NumberOfDevices, g.DevicesStale = 0, true
	}
	return g
}

func (s *staleCounts) groups(gs []Group) []Group {
	for i := range gs {
		gs[i] = s.group(gs[i])
	}
	return gs
}

// sortGroups orders a complete list (the API's default order: group_name
// ascending) as opts asks, by the documented sort fields: names compared
// without regard to case, device counts as numbers, last_update by the
// time of the last change; ties keep the default order.
func sortGroups(groups []Group, opts ListOptions) []Group {
	out := slices.Clone(groups)
	if opts.SortField == "group_name" && opts.SortOrder == "asc" {
		return out
	}
	text := func(g Group) string {
		switch opts.SortField {
		case "domain_name":
			return g.DomainName
		case "policy_name":
			return g.PolicyName
		case "last_update":
			return g.LastModified
		}
		return g.Name
	}
	slices.SortStableFunc(out, func(a, b Group) int {
		var r int
		if opts.SortField == "number_of_devices" {
			r = cmp.Compare(a.NumberOfDevices, b.NumberOfDevices)
		} else {
			r = cmp.Compare(strings.ToLower(text(a)), strings.ToLower(text(b)))
		}
		if opts.SortOrder == "desc" {
			r = -r
		}
		return r
	})
	return out
}
