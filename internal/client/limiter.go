package client

import (
	"context"
	"sync"
	"time"
)

// WindowLimiter lets at most N requests into any window of the given length,
// the way a vendor states its limit ("10 requests per minute").
//
// A token bucket cannot promise that: with a burst of N it lets 2N through
// in a window that straddles a refill, and with a burst of 1 it makes every
// small plan wait between its first requests. The limiter counts a request
// from the moment it is sent until one window after its answer arrived, so
// the server, which sees the request between those two moments, never counts
// more than N in a window whatever the network's latency.
type WindowLimiter struct {
	n      int
	window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	inflight int
	done     []time.Time // answer times within the last window, oldest first
	freed    chan struct{}
}

// NewWindowLimiter returns a limiter of n requests per window; n < 1 means no limit.
func NewWindowLimiter(n int, window time.Duration) *WindowLimiter {
	if n < 1 || window <= 0 {
		return nil
	}
	return &WindowLimiter{n: n, window: window, now: time.Now, freed: make(chan struct{})}
}

// Wait blocks until a request may be sent, or ctx ends. It returns the
// function to call when the answer has arrived. A nil limiter never waits.
func (l *WindowLimiter) Wait(ctx context.Context) (release func(), waited time.Duration, err error) {
	if l == nil {
		return func() {}, 0, nil
	}
	start := l.now()
	for {
		l.mu.Lock()
		now := l.now()
		cut := 0
		for cut < len(l.done) && !l.done[cut].After(now.Add(-l.window)) {
			cut++
		}
		l.done = l.done[cut:]
		if l.inflight+len(l.done) < l.n {
			l.inflight++
			l.mu.Unlock()
			return l.release, l.now().Sub(start), nil
		}
		freed := l.freed
		var timer <-chan time.Time
		if len(l.done) > 0 {
			t := time.NewTimer(l.done[0].Add(l.window).Sub(now))
			defer t.Stop()
			timer = t.C
		}
		l.mu.Unlock()

		select {
		case <-ctx.Done():
			return nil, l.now().Sub(start), ctx.Err()
		case <-timer:
		case <-freed:
		}
	}
}

func (l *WindowLimiter) release() {
	l.mu.Lock()
	l.inflight--
	l.done = append(l.done, l.now())
	close(l.freed)
	l.freed = make(chan struct{})
	l.mu.Unlock()
}
