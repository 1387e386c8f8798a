package drweb

import (
	"context"
	"sync"
)

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

// forget drops what a write may have changed.
func (p *placed) forget(ids ...string) {
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
