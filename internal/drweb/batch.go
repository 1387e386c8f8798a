package drweb

import (
	"context"
	"sync"
	"time"
)

// batcher coalesces lookups by id that arrive within a short window into one
// info.ds request with repeated id parameters.
type batcher struct {
	window time.Duration
	max    int
	fetch  func(ctx context.Context, ids []string) map[string]result

	mu      sync.Mutex
	pending map[string][]chan result
	order   []string
	ctx     context.Context //nolint:containedctx // the first caller's context, for the batch's logging
	timer   *time.Timer
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
	switch {
	case len(b.order) >= b.max:
		b.flushLocked()
	case len(b.order) == 1:
		b.ctx = context.WithoutCancel(ctx)
		b.timer = time.AfterFunc(b.window, b.flush)
	}
	b.mu.Unlock()

	select {
	case r := <-ch:
		return r.group, r.err
	case <-ctx.Done():
		return Group{}, ctx.Err()
	}
}

func (b *batcher) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
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
	go func() {
		results := b.fetch(ctx, ids)
		for _, id := range ids {
			for _, ch := range waiters[id] {
				ch <- results[id]
			}
		}
	}()
}
