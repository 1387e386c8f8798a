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
// the first FreeSearches names are searched. Each further name buys one
// page of the walk and waits for it instead of searching: when the list
// ends within what the names bought, the walk answers them all. When it
// has not, and nothing the run has under way can bring another name (no
// request in flight, no arrival for a planning window), the waiting names
// are searched: all of them at once when every name came in the run's
// first group, one at a time when names kept coming (each answered name
// lets Terraform start another read, which buys a page). Names that come
// after a search was answered also buy the pages of the free searches once.
// So k names cost at most about 2k requests, and names that outnumber the
// list's pages cost the walk plus the free searches and a few more, at
// any rate and however many reads Terraform runs at once.
const (
	// FreeSearches is how many names a run searches, with no count of the
	// account's groups, before further names buy pages of the walk.
	FreeSearches = 4

	planWindow  = 30 * time.Millisecond  // quiet time before the waiting lookups are decided
	planMaxWait = 200 * time.Millisecond // longest a lookup waits for others
)

// lookupPlan is what a lookup by name does.
type lookupPlan int

const (
	planWalk   lookupPlan = iota // use the walk
	planSearch                   // ask the search
	planPages                    // read the walk's pages the names bought, then search or walk (planner.await)
)

type pendingLookup struct {
	name string
	ch   chan lookupPlan
}

type planner struct {
	known  func() int // the account's group count when known; 0: not known
	window time.Duration

	mu       sync.Mutex
	gate     client.Coalescer // when the waiting lookups are decided
	walking  bool             // a walk has started in this run, or the list is complete
	searches int              // names sent to search so far (decided as planSearch)
	pending  []pendingLookup

	// The pages names bought (see the cost model).
	decided   bool // the run's first group of names has been decided
	answered  int  // searches the planner decided that have ended
	later     bool // a name came after one of them: answered names bring more
	buyers    int  // names that bought a page
	claimed   int  // pages read or being read
	reading   int  // pages being read
	searching int  // free searches under way: their answers let Terraform start more reads
	releasing bool // a waiting name was let search, and names keep coming: one at a time
	quiet     time.Time
	changed   chan struct{} // closed and replaced at every change the waiting names act on
}

func (p *planner) init(window, maxWait time.Duration, known func() int) {
	p.known, p.window = known, window
	p.gate = client.Coalescer{L: &p.mu, Window: window, MaxWait: maxWait, Go: p.decideWaiting}
	p.changed = make(chan struct{})
}

// decide tells what the lookup of name does.
func (p *planner) decide(ctx context.Context, name string) (lookupPlan, error) {
	p.mu.Lock()
	if p.walking {
		p.mu.Unlock()
		return planWalk, nil
	}
	if p.decided && p.searches >= FreeSearches && (p.known == nil || p.known() == 0) {
		// A name after the first group, with the free searches spent: it
		// buys a page, and the free searches' pages are bought once.
		p.later = p.later || p.answered > 0
		p.buyers++
		p.touch()
		p.mu.Unlock()
		return planPages, nil
	}
	ch := make(chan lookupPlan, 1)
	p.pending = append(p.pending, pendingLookup{name, ch})
	p.gate.Arrive()
	p.mu.Unlock()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		p.leave(ch)
		return planWalk, ctx.Err()
	}
}

// leave takes a lookup whose context ended out of the plan: undecided, it
// is not decided; decided for a search it will not make, the search is
// not waited for.
func (p *planner) leave(ch chan lookupPlan) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = slices.DeleteFunc(p.pending, func(l pendingLookup) bool { return l.ch == ch })
	select {
	case v := <-ch:
		if v == planSearch && p.searching > 0 {
			p.searching--
			p.touch()
		}
	default:
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
			if p.searches < FreeSearches {
				decided[n] = planSearch
				p.searches++
				continue
			}
			decided[n] = planPages
			if p.answered > 0 {
				p.later = true
			}
			p.buyers++
		}
		p.decided = true
		p.touch()
	}
	for _, l := range p.pending {
		if decided[l.name] == planSearch {
			p.searching++ // each lookup reports its search's end
		}
		l.ch <- decided[l.name] // planWalk when not decided otherwise
	}
	p.pending = nil
}

// credit is how many pages of the walk the names bought; p.mu is held.
func (p *planner) credit() int {
	if p.later {
		return p.buyers + FreeSearches
	}
	return p.buyers
}

// touch wakes the waiting names and starts a quiet window; p.mu is held.
func (p *planner) touch() {
	p.quiet = time.Now().Add(p.window)
	close(p.changed)
	p.changed = make(chan struct{})
}

// await is the lookup of a name that bought a page: it reads the pages
// bought (readPage reads the next one and reports whether the list has
// ended) until the walk answers it (planWalk) or it is let search
// (planSearch; the caller reports the search's end with searched(true)).
func (p *planner) await(ctx context.Context, readPage func(context.Context) (bool, error)) (lookupPlan, error) {
	for {
		p.mu.Lock()
		if p.walking {
			p.mu.Unlock()
			return planWalk, nil
		}
		if p.claimed < p.credit() {
			p.claimed++
			p.reading++
			p.mu.Unlock()
			done, err := readPage(ctx)
			p.mu.Lock()
			p.reading--
			if err != nil {
				p.claimed--
			}
			if done {
				p.walking = true
			}
			p.touch()
			p.mu.Unlock()
			if err != nil {
				return planWalk, err
			}
			continue
		}
		var wake <-chan time.Time
		if p.reading == 0 && p.searching == 0 && len(p.pending) == 0 && !p.releasing {
			// Nothing under way can bring a name: past a quiet window,
			// search (all when every name came at once, else one).
			if wait := time.Until(p.quiet); wait > 0 {
				wake = time.After(wait)
			} else {
				p.releasing = p.later
				p.mu.Unlock()
				return planSearch, nil
			}
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case <-changed:
		case <-wake:
		case <-ctx.Done():
			return planWalk, ctx.Err()
		}
	}
}

// searched reports the end of a search the planner decided: one of the
// first group's (decide), or one await let go.
func (p *planner) searched(released bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case released:
		p.releasing = false
	case p.searching > 0:
		p.searching--
	}
	p.answered++
	p.touch()
}

// switchToWalk records that the run walks the list: waiting lookups by
// name are decided for the walk at once, and so is every later one.
func (p *planner) switchToWalk() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.walking = true
	p.gate.Flush()
	p.touch()
}
