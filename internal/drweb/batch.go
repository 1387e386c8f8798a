package drweb

import (
	"context"
	"sync"
	"time"
)

// batcher coalesces lookups by id into one info.ds request with repeated id
// parameters. Terraform starts the reads of a plan some milliseconds apart,
// so a batch waits until no new id has come for `window`, but never longer
// than `maxWait` after its first id, or until it holds `max` ids.
//
// A batch runs on a context of its own, which keeps its first caller's
// values (the logger) and is cancelled when the last of its waiters has
// left: an interrupted plan leaves no batch retrying.
type batcher struct {
	window  time.Duration
	maxWait time.Duration
	max     int
	fetch   func(ctx context.Context, ids []string) map[string]result

	mu    sync.Mutex
	open  *batch // the batch still taking ids
	timer *time.Timer
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

// get returns the group with this id, sharing a request with whatever other
// ids are asked for at about the same time.
func (b *batcher) get(ctx context.Context, id string) (Group, error) {
	ch := make(chan result, 1)
	b.mu.Lock()
	cur := b.open
	if cur == nil {
		bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		cur = &batch{waiters: map[string][]chan result{}, ctx: bctx, cancel: cancel, started: time.Now()}
		b.open = cur
	}
	if _, ok := cur.waiters[id]; !ok {
		cur.ids = append(cur.ids, id)
	}
	cur.waiters[id] = append(cur.waiters[id], ch)
	cur.live++
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

// flush sends the batch if it is still the open one: a timer that fired as
// it was replaced must not send the next batch early.
func (b *batcher) flush(which *batch) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open == which {
		b.flushLocked()
	}
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
