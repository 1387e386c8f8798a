package drweb

import (
	"context"
	"sync"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// batcher is the one waiting room of lookups by id. It coalesces them into
// info.ds requests with repeated id parameters, keeps one waiter list per id
// (a second caller of an id joins the request already carrying it), and
// remembers the run's answers.
//
// Terraform starts the reads of a plan some milliseconds apart, so a batch
// waits (client.Coalescer) until no new id has come for a window, but never
// longer than the maximum wait after its first id, or until it holds `max`
// ids. A batch that is quiet but still expects ids (lookups under way that
// are not waiting in it nor on a listing: between two steps on a busy
// machine, or waiting on a request already sent, whose lookups come back
// for their ancestors or end and let Terraform start the next reads) waits
// another window for them, up to the maximum wait. Without that, a server
// some milliseconds away splits the run's lookups into two batches in
// flight at once, for good.
//
// A batch runs on a context of its own, which keeps its first caller's values (the logger)
// and is cancelled when the last of its waiters has left: an interrupted
// plan leaves no batch retrying, and a caller that comes after it starts a
// new one.
type batcher struct {
	max   int
	fetch func(ctx context.Context, ids []string) map[string]result
	// expecting says how many lookups are under way that may ask for ids
	// (nil: none are counted); see hold.
	expecting func() int64

	mu       sync.Mutex
	gate     client.Coalescer  // when the open batch goes
	done     map[string]Group  // the run's answers
	carrying map[string]*batch // the batch that carries an id, open or sent
	open     *batch            // the batch still taking ids
}

func newBatcher(window, maxWait time.Duration, maxIDs int, fetch func(ctx context.Context, ids []string) map[string]result, expecting func() int64) *batcher {
	b := &batcher{max: maxIDs, fetch: fetch, expecting: expecting}
	b.gate = client.Coalescer{L: &b.mu, Window: window, MaxWait: maxWait, Go: b.send, Hold: b.hold}
	return b
}

type batch struct {
	ids     []string
	waiters map[string][]chan result
	live    int             // waiters still waiting
	ctx     context.Context //nolint:containedctx // the batch's own context, cancelled when no one waits
	cancel  context.CancelFunc
}

type result struct {
	group Group
	err   error
}

// get returns the group with this id: from the run's answers, or from the
// request that carries it, joining or opening a batch.
func (b *batcher) get(ctx context.Context, id string) (Group, error) {
	b.mu.Lock()
	if g, ok := b.done[id]; ok {
		b.mu.Unlock()
		return g, nil
	}
	if b.carrying == nil {
		b.carrying, b.done = map[string]*batch{}, map[string]Group{}
	}
	cur := b.carrying[id]
	if cur == nil || cur.ctx.Err() != nil { // none, or one whose waiters all left
		cur = b.open
		if cur == nil || cur.ctx.Err() != nil {
			b.gate.Flush() // an open batch whose waiters all left goes, and sends nothing
			bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
			cur = &batch{waiters: map[string][]chan result{}, ctx: bctx, cancel: cancel}
			b.open = cur
		}
		if _, ok := cur.waiters[id]; !ok {
			cur.ids = append(cur.ids, id)
		}
		b.carrying[id] = cur
	}
	ch := make(chan result, 1)
	cur.waiters[id] = append(cur.waiters[id], ch)
	cur.live++
	if cur == b.open {
		if len(cur.ids) >= b.max {
			b.gate.Flush()
		} else {
			b.gate.Arrive() // the batch goes when ids stop coming
		}
	}
	b.mu.Unlock()

	select {
	case r := <-ch:
		return r.group, r.err
	case <-ctx.Done():
		b.mu.Lock()
		if cur.live--; cur.live == 0 {
			cur.cancel() // no one waits for this batch any more
		}
		b.mu.Unlock()
		return Group{}, ctx.Err()
	}
}

// drop drops what the run knows of ids (a write changed them): the next
// caller asks the server again, and callers of a request under way keep its
// answer to themselves.
func (b *batcher) drop(ids ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, id := range ids {
		delete(b.done, id)
		delete(b.carrying, id)
	}
}

// hold keeps a quiet batch open while lookups under way have yet to come
// (see the type's doc).
func (b *batcher) hold() bool {
	return b.expecting != nil && int64(b.open.live) < b.expecting()
}

// send sends the open batch; b.mu is held.
func (b *batcher) send() {
	cur := b.open
	if cur == nil {
		return
	}
	b.open = nil
	go func() {
		defer cur.cancel()
		results := cur.fetch(b)
		b.mu.Lock()
		for _, id := range cur.ids {
			if b.carrying[id] != cur {
				continue // dropped, or carried again by a newer batch
			}
			delete(b.carrying, id)
			if r := results[id]; r.err == nil {
				b.done[id] = r.group
			}
		}
		b.mu.Unlock()
		for _, id := range cur.ids {
			for _, ch := range cur.waiters[id] {
				ch <- results[id]
			}
		}
	}()
}

func (cur *batch) fetch(b *batcher) map[string]result {
	if err := cur.ctx.Err(); err != nil { // every waiter left before it went
		out := make(map[string]result, len(cur.ids))
		for _, id := range cur.ids {
			out[id] = result{err: err}
		}
		return out
	}
	return b.fetch(cur.ctx, cur.ids)
}
