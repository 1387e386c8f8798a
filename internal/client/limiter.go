package client

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// windowLimiter lets at most N requests into any window of the given length,
// the way a vendor states its limit ("10 requests per minute").
//
// A token bucket cannot promise that: with a burst of N it lets 2N through
// in a window that straddles a refill, and with a burst of 1 it makes every
// small plan wait between its first requests. The limiter counts a request
// from the moment it is sent until one window after its answer arrived, so
// the server, which sees the request between those two moments, never counts
// more than N in a window whatever the network's latency.
type windowLimiter struct {
	n      int
	window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	inflight int
	done     []time.Time // answer times within the last window, oldest first
	freed    chan struct{}
}

// newWindowLimiter returns a limiter of n requests per window; n < 1 means no limit.
func newWindowLimiter(n int, window time.Duration) *windowLimiter {
	if n < 1 || window <= 0 {
		return nil
	}
	return &windowLimiter{n: n, window: window, now: time.Now, freed: make(chan struct{})}
}

// Wait blocks until a request may be sent, or ctx ends. It returns the
// function to call when the answer has arrived. A nil limiter never waits.
func (l *windowLimiter) Wait(ctx context.Context) (release func(), waited time.Duration, err error) {
	release, waited, _, err = l.waitCounting(ctx)
	return release, waited, err
}

// waitCounting is Wait, and also tells how many requests the limiter was
// counting (under way, answered within the window, or booked for the
// server's X-RateLimit-Remaining) when the request had to wait; 0 when it
// did not.
func (l *windowLimiter) waitCounting(ctx context.Context) (release func(), waited time.Duration, counted int, err error) {
	if l == nil {
		return func() {}, 0, 0, nil
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
			return l.release, l.now().Sub(start), counted, nil
		}
		if counted == 0 {
			counted = l.inflight + len(l.done)
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
			return nil, l.now().Sub(start), counted, ctx.Err()
		case <-timer:
		case <-freed:
		}
	}
}

func (l *windowLimiter) release() {
	l.mu.Lock()
	l.inflight--
	l.done = append(l.done, l.now())
	close(l.freed)
	l.freed = make(chan struct{})
	l.mu.Unlock()
}

// Unsend gives back a turn that Wait granted to a request that was not sent.
func (l *windowLimiter) Unsend() {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.inflight--
	close(l.freed)
	l.freed = make(chan struct{})
	l.mu.Unlock()
}

// Observe paces the limiter to what the server says is left of the
// account's budget (X-RateLimit-Remaining, with X-RateLimit-Reset-Time
// seconds until the window resets): other clients of the same account
// spend from it too. When the server allows fewer requests than the limiter
// would, the difference is booked as requests that free their places when
// the server's window resets.
func (l *windowLimiter) Observe(h http.Header, now time.Time) {
	if l == nil {
		return
	}
	remaining, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Remaining")))
	if err != nil || remaining < 0 {
		return
	}
	reset := l.window
	if v, err := strconv.ParseFloat(strings.TrimSpace(h.Get("X-RateLimit-Reset-Time")), 64); err == nil && v >= 0 && v < 24*3600 {
		reset = time.Duration(v * float64(time.Second))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// Until the server's window resets (plus a margin for its rounding), at
	// most `remaining` more requests may go: every place but those must stay
	// taken until then. Places that free earlier do not count, and the
	// shortfall is booked as requests answered so that they free then.
	until := now.Add(reset + l.window/20)
	blocked := 0
	if !now.Add(l.window).Before(until) {
		blocked = l.inflight // answered from now on, they hold their places past until
	}
	for _, t := range l.done {
		if !t.Add(l.window).Before(until) {
			blocked++
		}
	}
	at := until.Add(-l.window)
	for range l.n - remaining - blocked {
		i, _ := slices.BinarySearchFunc(l.done, at, func(t, target time.Time) int { return t.Compare(target) })
		l.done = slices.Insert(l.done, i, at)
	}
}
