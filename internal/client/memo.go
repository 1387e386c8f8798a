package client

import (
	"context"
	"sync"

	"golang.org/x/sync/singleflight"
)

// Memo answers each distinct question once per provider process: concurrent
// callers of the same key wait for one call (single-flight), and later callers
// get its result. Failures are not kept, so the next caller tries again.
//
// The shared call runs on a context that keeps the first caller's values
// (its logger) but not its cancellation, so that one data source that is
// cancelled does not fail the others waiting on the same answer. Each caller
// stops waiting as soon as its own context ends, and when the last one has
// left, the shared call is cancelled too: an interrupted plan leaves nothing
// running.
type Memo[V any] struct {
	group   singleflight.Group
	mu      sync.Mutex
	done    map[string]V
	flights map[string]*flight
}

type flight struct {
	fn      func() (any, error)
	cancel  context.CancelFunc
	waiters int
}

// Do returns the memoised answer for key, calling fn once to get it.
func (m *Memo[V]) Do(ctx context.Context, key string, fn func(ctx context.Context) (V, error)) (V, error) {
	var zero V
	m.mu.Lock()
	if v, ok := m.done[key]; ok {
		m.mu.Unlock()
		return v, nil
	}
	if m.flights == nil {
		m.flights = make(map[string]*flight)
		m.done = make(map[string]V)
	}
	f := m.flights[key]
	if f == nil {
		shared, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{cancel: cancel}
		f.fn = func() (any, error) {
			v, err := fn(shared)
			m.mu.Lock()
			if err == nil {
				m.done[key] = v
			}
			delete(m.flights, key)
			m.mu.Unlock()
			cancel()
			return v, err
		}
		m.flights[key] = f
	}
	f.waiters++
	ch := m.group.DoChan(key, f.fn)
	m.mu.Unlock()

	select {
	case <-ctx.Done():
		m.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel()
		}
		m.mu.Unlock()
		return zero, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		return r.Val.(V), nil //nolint:forcetypeassert // the only value stored under a key is a V
	}
}
