package drweb

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// runMemory is everything a Client remembers of the server for the rest of
// its life (a run), and the one place that forgets it after a
// write: the child groups of each parent listed, where those listings
// placed each group, the groups info.ds answered (through the batcher), the
// stations and station states of each group.
//
// It also counts the lookups under way, which the batcher waits for: every
// public read of a group by id, name or path runs inside lookUp, and a lookup's
// waits on a listing are counted where the listing is waited for (listing,
// placedAt), so that no read can leave either count behind.
type runMemory struct {
	ask fetchers

	children client.Memo[[]TreeNode]
	stations client.Memo[[]Station]
	states   client.Memo[StationStates]
	placed   placed
	batch    *batcher

	// Lookups under way, and how many of them wait on a listing rather
	// than on info.ds: a batch that still expects ids from lookups under
	// way waits for them (see batcher.expecting).
	lookups, parked atomic.Int64
	peak            peakGauge
}

// fetchers are how a runMemory asks the server what it does not know yet.
type fetchers struct {
	info     func(ctx context.Context, ids []string) map[string]result // one info.ds request
	children func(ctx context.Context, parentID string) ([]TreeNode, error)
	stations func(ctx context.Context, groupID string) ([]Station, error)
	states   func(ctx context.Context, groupID string) (StationStates, error)
}

func newRunMemory(window, maxWait time.Duration, maxIDs int, ask fetchers) *runMemory {
	m := &runMemory{ask: ask}
	m.batch = newBatcher(window, maxWait, maxIDs, ask.info, m.expecting)
	return m
}

// expecting is how many lookups under way may still bring ids to a batch:
// the recent peak of lookups, less those waiting on a listing.
func (m *runMemory) expecting() int64 {
	return m.peak.recent(m.lookups.Load()) - m.parked.Load()
}

// lookupKey marks the context of a lookup under way.
type lookupKey struct{}

// lookup is one read under way; the calls it makes concurrently (the
// levels of a walk of the tree) share it.
type lookup struct {
	mu      sync.Mutex
	waiting int // its waits on listings under way
}

// lookUp runs a read of a group, counted as one lookup under way until it
// returns. A read within a lookup (a lookup by name that ends in one by
// id) is the same lookup.
func (m *runMemory) lookUp(ctx context.Context, read func(context.Context) (Group, error)) (Group, error) {
	if _, ok := ctx.Value(lookupKey{}).(*lookup); ok {
		return read(ctx)
	}
	m.peak.recent(m.lookups.Add(1))
	defer m.lookups.Add(-1)
	return read(context.WithValue(ctx, lookupKey{}, &lookup{}))
}

// park counts ctx's lookup, if it runs in one, as waiting on a listing
// until the returned func is called; concurrent waits of one lookup count
// once.
func (m *runMemory) park(ctx context.Context) (done func()) {
	l, ok := ctx.Value(lookupKey{}).(*lookup)
	if !ok {
		return func() {}
	}
	l.mu.Lock()
	if l.waiting++; l.waiting == 1 {
		m.parked.Add(1)
	}
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		if l.waiting--; l.waiting == 0 {
			m.parked.Add(-1)
		}
		l.mu.Unlock()
	}
}

// group returns the group info.ds answers for id: from the run's answers,
// or from the batch that carries it.
func (m *runMemory) group(ctx context.Context, id string) (Group, error) {
	return m.batch.get(ctx, id)
}

// listing returns parentID's children ("" for the top level), listed once
// per run for each parent, and places the groups it lists.
func (m *runMemory) listing(ctx context.Context, parentID string) ([]TreeNode, error) {
	defer m.park(ctx)()
	return m.children.Do(ctx, parentID, func(ctx context.Context) ([]TreeNode, error) {
		nodes, err := m.ask.children(ctx, parentID)
		if err == nil {
			m.placed.add(nodes)
		}
		return nodes, err
	})
}

// freshListing is listing, asked afresh: what a write checks against.
func (m *runMemory) freshListing(ctx context.Context, parentID string) ([]TreeNode, error) {
	m.children.Forget(parentID)
	return m.listing(ctx, parentID)
}

// placedAt returns where the run's listings placed id (see placed.where).
func (m *runMemory) placedAt(ctx context.Context, id string) (TreeNode, bool) {
	defer m.park(ctx)()
	return m.placed.where(ctx, id)
}

// pathOf works out a group's path from its ancestors: where the run's
// listings placed them (waiting for a walk under way), else one info.ds
// lookup each, shared with every other lookup of the run.
func (m *runMemory) pathOf(ctx context.Context, g Group) (string, error) {
	names := []string{g.Name}
	seen := map[string]bool{g.ID: true}
	for cur := g.ParentID; cur != "" && cur != EveryoneID; {
		if seen[cur] {
			return "", &TreeError{msg: fmt.Sprintf("the Dr.Web group tree has a cycle at %q: it is its own ancestor", cur)}
		}
		seen[cur] = true
		n, ok := m.placedAt(ctx, cur)
		if ok { // a listing of the run placed it
			names = append(names, n.Name)
			cur = n.ParentID
			continue
		}
		p, err := m.group(ctx, cur)
		if err != nil {
			return "", fmt.Errorf("reading the ancestors of %q for its path: %w", g.ID, err)
		}
		names = append(names, p.Name)
		cur = p.ParentID
	}
	slices.Reverse(names)
	return JoinPath(names...), nil
}

// walking marks a walk of the tree under way; the returned func ends it.
func (m *runMemory) walking() (done func()) { return m.placed.walking() }

// stationsOf returns a group's stations, listed once per run.
func (m *runMemory) stationsOf(ctx context.Context, groupID string) ([]Station, error) {
	return m.stations.Do(ctx, groupID, func(ctx context.Context) ([]Station, error) { return m.ask.stations(ctx, groupID) })
}

// listedStations returns a group's stations if the run has listed them.
func (m *runMemory) listedStations(groupID string) ([]Station, bool) {
	return m.stations.Peek(groupID)
}

// statesOf returns a group's station state counts, asked once per run.
func (m *runMemory) statesOf(ctx context.Context, groupID string) (StationStates, error) {
	return m.states.Do(ctx, groupID, func(ctx context.Context) (StationStates, error) { return m.ask.states(ctx, groupID) })
}

// forgetWritten drops what a write may have changed: what info.ds said of
// ids, where listings placed them, their listings and the top level's.
// The caller names the parents whose listings the write changed among ids.
func (m *runMemory) forgetWritten(ids ...string) {
	m.batch.drop(ids...)
	m.placed.drop(ids...)
	m.children.Forget(ids...)
	m.children.Forget("")
}

// forgetGroup drops what info.ds said of id: the next lookup asks again.
func (m *runMemory) forgetGroup(id string) { m.batch.drop(id) }

// forgetListings drops every listing of child groups.
func (m *runMemory) forgetListings() { m.children.ForgetAll() }

// forgetStations drops what the run knows of a group's stations and
// counts, and of the group itself (its station count).
func (m *runMemory) forgetStations(groupID string) {
	m.stations.Forget(groupID)
	m.states.Forget(groupID)
	m.batch.drop(groupID)
}

// placed is what the run's listings say about where groups are: each listed
// group's name and parent. A lookup by id works its path out from it instead
// of asking info.ds for every ancestor, and, while a walk of the tree is
// under way, waits for the listing that places an ancestor rather than
// racing it with requests of its own.
type placed struct {
	mu      sync.Mutex
	nodes   map[string]TreeNode
	walks   int           // tree walks under way
	changed chan struct{} // closed (and replaced) when a listing lands or a walk ends
}

// add records the groups of one listing.
func (p *placed) add(nodes []TreeNode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.nodes == nil {
		p.nodes = map[string]TreeNode{}
	}
	for _, n := range nodes {
		p.nodes[n.ID] = n
	}
	p.notifyLocked()
}

// drop drops what a write may have changed.
func (p *placed) drop(ids ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range ids {
		delete(p.nodes, id)
	}
}

// walking marks a tree walk under way; the returned func ends it.
func (p *placed) walking() (done func()) {
	p.mu.Lock()
	p.walks++
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		p.walks--
		p.notifyLocked()
		p.mu.Unlock()
	}
}

func (p *placed) notifyLocked() {
	if p.changed != nil {
		close(p.changed)
		p.changed = nil
	}
}

// where returns the listed name and parent of id, waiting while a walk of
// the tree is under way that may still list it. ok is false when no listing
// of the run has placed it and none is under way.
func (p *placed) where(ctx context.Context, id string) (n TreeNode, ok bool) {
	for {
		p.mu.Lock()
		n, ok = p.nodes[id]
		if ok || p.walks == 0 {
			p.mu.Unlock()
			return n, ok
		}
		if p.changed == nil {
			p.changed = make(chan struct{})
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return TreeNode{}, false
		}
	}
}

// peakGauge is the most lookups under way at once in the last peakSpan:
// how many reads Terraform runs at a time (its -parallelism), as the
// provider sees it. Between two waves of reads the count drops for a moment
// while Terraform starts the next ones, longer on a busy machine; a batch
// that expects the recent peak waits for them instead of going with the
// first few.
type peakGauge struct {
	mu    sync.Mutex
	value int64
	at    time.Time
}

const peakSpan = 500 * time.Millisecond

// recent records now (lookups under way at this moment) and returns the
// most seen in the last peakSpan.
func (p *peakGauge) recent(now int64) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := time.Now()
	if now >= p.value || t.Sub(p.at) > peakSpan {
		p.value, p.at = now, t
	}
	return p.value
}
