package opswat

import (
	"context"
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

// switchToWalk records that the run walks the list: waiting lookups by
// name are decided for the walk at once, and so is every later one.
func (p *planner) switchToWalk() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.walking = true
	p.gate.Flush()
}
