package drweb

import (
	"context"
	"sync"
	"time"
)

// batcher is the one waiting room of lookups by id. It coalesces them into
// info.ds requests with repeated id parameters, keeps one waiter list per id
// (a second caller of an id joins the request already carrying it), and
// remembers the run's answers.
//
// Terraform starts the reads of a plan some milliseconds apart, so a batch
// waits until no new id has come for `window`, but never longer than
// `maxWait` after its first id, or until it holds `max` ids. A batch that
// is quiet but still expects ids — lookups under way that are not waiting
// in it nor on a listing: between two steps on a busy machine, or waiting
// on a request already sent (whose lookups come back for their ancestors,
// or end and let Terraform start the next reads) — waits another window for
// them, up to `maxWait`. Without that, a server some milliseconds away
// splits the run's lookups into two batches in flight at once, for good.
//
// A batch runs on a context of its own, which keeps its first caller's values (the logger)
// and is cancelled when the last of its waiters has left: an interrupted
// plan leaves no batch retrying, and a caller that comes after it starts a
// new one.
type batcher struct {
	window  time.Duration
	maxWait time.Duration
	max     int
	fetch   func(ctx context.Context, ids []string) map[string]result
	// expecting says how many lookups are under way that may ask for ids
	// (nil: none are counted); see flush.
	expecting func() int64

	mu       sync.Mutex
	done     map[string]Group  // the run's answers
	carrying map[string]*batch // the batch that carries an id, open or sent
	open     *batch            // the batch still taking ids
	timer    *time.Timer
}

type batch struct {
	ids     []string
	waiters map[string][]chan result
	live    int             // waiters still waiting
	ctx     context.Context //nolint:containedctx // the batch's own context, cancelled when no one waits
	cancel  context.CancelFunc
	started time.Time
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
			bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
			cur = &batch{waiters: map[string][]chan result{}, ctx: bctx, cancel: cancel, started: time.Now()}
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
			b.flushLocked()
		} else {
			// (Re)arm the timer: the batch goes when ids stop coming.
			if b.timer != nil {
				b.timer.Stop()
			}
			wait := min(b.window, b.maxWait-time.Since(cur.started))
			b.timer = time.AfterFunc(max(wait, 0), func() { b.flush(cur) })
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

// forget drops what the run knows of ids (a write changed them): the next
// caller asks the server again, and callers of a request under way keep its
// answer to themselves.
func (b *batcher) forget(ids ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, id := range ids {
		delete(b.done, id)
		delete(b.carrying, id)
	}
}

// flush sends the batch if it is still the open one: a timer that fired as
// it was replaced must not send the next batch early.
func (b *batcher) flush(which *batch) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open != which {
		return
	}
	if left := b.maxWait - time.Since(which.started); left > 0 && b.expecting != nil && int64(which.live) < b.expecting() {
		// Lookups under way have yet to come: another window for them.
		b.timer = time.AfterFunc(min(b.window, left), func() { b.flush(which) })
		return
	}
	b.flushLocked()
}

func (b *batcher) flushLocked() {
	cur := b.open
	if cur == nil {
		return
	}
	b.open = nil
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	go func() {
		defer cur.cancel()
		results := cur.fetch(b)
		b.mu.Lock()
		for _, id := range cur.ids {
			if b.carrying[id] != cur {
				continue // forgotten, or carried again by a newer batch
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
