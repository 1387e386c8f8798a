package provider

import (
	"slices"
	"strings"
	"sync"
)

// memberClaims are what the members resources of one plan claim, as their
// plans come in (one provider instance configures once per Terraform walk,
// and plans each resource instance once in it). Two resources of one
// configuration that claim one station of one group undo each other: the
// destroy or the change of one takes the station out from under the
// other, which never hears of it. The second plan to come in sees the
// first one's claim and fails, whichever comes first.
type memberClaims struct {
	mu     sync.Mutex
	next   int
	keeps  map[string]map[string][]int // group → station → the plans that list it
	holds  map[string]map[string][]int // group → station → the plans that list it and hold it already (prior state)
	drops  map[string]map[string][]int // group → station → the plans that take it out (a removal or a destroy)
	inited bool
}

// memberClaim is one plan's claim on one group.
type memberClaim struct {
	Keep  []string // the stations its plan lists
	Held  []string // those of Keep that its prior state holds already
	Drops []string // the stations of its prior state that it takes out
}

// memberConflict is a station that another plan of the run claims too.
type memberConflict struct {
	Station string
	// Both: the other plan lists it too. Otherwise one of the two takes
	// it out while the other holds it and sends nothing for it.
	Both bool
}

// claim records a plan's claim on a group and returns the stations that
// another plan of the same walk claims in a way that cannot end well.
func (m *memberClaims) claim(group string, c memberClaim) []memberConflict {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.inited {
		m.keeps, m.holds, m.drops, m.inited = map[string]map[string][]int{}, map[string]map[string][]int{}, map[string]map[string][]int{}, true
	}
	m.next++
	me := m.next
	var out []memberConflict
	add := func(to map[string]map[string][]int, ids []string) {
		if to[group] == nil {
			to[group] = map[string][]int{}
		}
		for _, id := range ids {
			to[group][id] = append(to[group][id], me)
		}
	}
	seen := map[string]bool{}
	conflict := func(id string, both bool) {
		if !seen[id] {
			seen[id] = true
			out = append(out, memberConflict{Station: id, Both: both})
		}
	}
	for _, id := range c.Keep {
		if len(m.keeps[group][id]) > 0 {
			conflict(id, true)
		}
	}
	for _, id := range c.Held {
		if len(m.drops[group][id]) > 0 {
			conflict(id, false)
		}
	}
	for _, id := range c.Drops {
		if len(m.holds[group][id]) > 0 {
			conflict(id, false)
		}
	}
	add(m.keeps, c.Keep)
	add(m.holds, c.Held)
	add(m.drops, c.Drops)
	slices.SortFunc(out, func(a, b memberConflict) int { return strings.Compare(a.Station, b.Station) })
	return out
}
