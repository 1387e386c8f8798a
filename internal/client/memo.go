package client

import (
	"context"
	"sync"
)

// Memo answers each distinct question once per provider process: concurrent
// callers of the same key wait for one call, and later callers get its
// result. Failures are not kept, so the next caller tries again.
//
// The shared call runs on a context that keeps the first caller's values
// (its logger) but not its cancellation, so that one data source that is
// cancelled does not fail the others waiting on the same answer. Each caller
// stops waiting as soon as its own context ends, and when the last one has
// left, the shared call is cancelled too and leaves the ledger: an
// interrupted plan leaves nothing running, and a caller that comes after it
// starts afresh instead of joining a call that is being cancelled.
type Memo[V any] struct {
	mu      sync.Mutex
	done    map[string]V
	flights map[string]*flight[V]
}

type flight[V any] struct {
	finished  chan struct{}
	val       V
	err       error
	cancel    context.CancelFunc
	waiters   int
	forgotten bool // a write changed what it reads: do not keep its answer
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
		m.flights = make(map[string]*flight[V])
		m.done = make(map[string]V)
	}
	f := m.flights[key]
	if f == nil {
		shared, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight[V]{finished: make(chan struct{}), cancel: cancel}
		m.flights[key] = f
		go func() {
			v, err := fn(shared)
			m.mu.Lock()
			f.val, f.err = v, err
			if err == nil && !f.forgotten {
				m.done[key] = v
			}
			if m.flights[key] == f {
				delete(m.flights, key)
			}
			m.mu.Unlock()
			cancel()
			close(f.finished)
		}()
	}
	f.waiters++
	m.mu.Unlock()

	select {
	case <-ctx.Done():
		m.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel()
			if m.flights[key] == f {
				delete(m.flights, key)
			}
		}
		m.mu.Unlock()
		return zero, ctx.Err()
	case <-f.finished:
		return f.val, f.err
	}
}

// Peek returns the answer kept for key, without asking for it: ok is false
// when there is none (never asked, failed, forgotten or still under way).
func (m *Memo[V]) Peek(key string) (v V, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok = m.done[key]
	return v, ok
}

// Forget drops what is known about keys, and makes calls under way for them
// keep their answers to their own callers: the next caller asks again.
func (m *Memo[V]) Forget(keys ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.done, k)
		if f := m.flights[k]; f != nil {
			f.forgotten = true
			delete(m.flights, k)
		}
	}
}

// ForgetAll forgets every key, as Forget does.
func (m *Memo[V]) ForgetAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.done)
	for k, f := range m.flights {
		f.forgotten = true
		delete(m.flights, k)
	}
}
