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
type batcher struct {
	window  time.Duration
	maxWait time.Duration
	max     int
	fetch   func(ctx context.Context, ids []string) map[string]result

	mu      sync.Mutex
	pending map[string][]chan result
	order   []string
	ctx     context.Context //nolint:containedctx // the first caller's context, for the batch's logging
	started time.Time
	timer   *time.Timer
	gen     int // which batch the timer belongs to
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
	if b.pending == nil {
		b.pending = make(map[string][]chan result)
	}
	if _, ok := b.pending[id]; !ok {
		b.order = append(b.order, id)
	}
	b.pending[id] = append(b.pending[id], ch)
	if len(b.order) == 1 {
		b.ctx, b.started = context.WithoutCancel(ctx), time.Now()
	}
	if len(b.order) >= b.max {
		b.flushLocked()
	} else {
		// (Re)arm the timer: the batch goes when ids stop coming.
		if b.timer != nil {
			b.timer.Stop()
		}
		wait := min(b.window, b.maxWait-time.Since(b.started))
		gen := b.gen
		b.timer = time.AfterFunc(max(wait, 0), func() { b.flush(gen) })
	}
	b.mu.Unlock()

	select {
	case r := <-ch:
		return r.group, r.err
	case <-ctx.Done():
		return Group{}, ctx.Err()
	}
}

func (b *batcher) flush(gen int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if gen == b.gen { // a timer that fired as it was replaced must not send the next batch early
		b.flushLocked()
	}
}

func (b *batcher) flushLocked() {
	if len(b.order) == 0 {
		return
	}
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	ids, waiters, ctx := b.order, b.pending, b.ctx
	b.order, b.pending = nil, nil
	b.gen++
	go func() {
		results := b.fetch(ctx, ids)
		for _, id := range ids {
			for _, ch := range waiters[id] {
				ch <- results[id]
			}
		}
	}()
}
