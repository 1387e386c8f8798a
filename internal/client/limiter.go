package client

import (
	"context"
	"net/http"
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

	// after starts a wait; a test replaces it to record the waits on a
	// clock of its own.
	after func(time.Duration) (<-chan time.Time, func() bool)

	mu       sync.Mutex
	inflight int
	done     []time.Time // answer times within the last window, oldest first
	freed    chan struct{}

	// What the server said of the account's budget (Observe): once its
	// X-RateLimit-Remaining is spent by the requests sent since, none goes
	// before resetAt.
	server  bool      // the server has reported its budget
	credit  int       // requests the server's last answer leaves, less those sent since
	resetAt time.Time // when the server's window frees places again
}

func timerAfter(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// newWindowLimiter returns a limiter of n requests per window; n < 1 means no limit.
func newWindowLimiter(n int, window time.Duration) *windowLimiter {
	if n < 1 || window <= 0 {
		return nil
	}
	return &windowLimiter{n: n, window: window, now: time.Now, after: timerAfter, freed: make(chan struct{})}
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
		serverOK := !l.server || l.credit > 0 || !now.Before(l.resetAt)
		if l.inflight+len(l.done) < l.n && serverOK {
			l.inflight++
			if l.server {
				if l.credit <= 0 {
					// The server's window has reset: its budget is
					// unknown again until the next answer, which this
					// request brings; the own window still paces.
					l.server = false
				} else {
					l.credit--
				}
			}
			l.mu.Unlock()
			return l.release, l.now().Sub(start), counted, nil
		}
		if counted == 0 {
			counted = l.inflight + len(l.done)
		}
		freed := l.freed
		var timer <-chan time.Time
		var at time.Time
		if l.inflight+len(l.done) >= l.n && len(l.done) > 0 {
			at = l.done[0].Add(l.window)
		}
		if !serverOK && at.Before(l.resetAt) {
			at = l.resetAt
		}
		if !at.IsZero() {
			c, stop := l.after(at.Sub(now))
			defer stop()
			timer = c
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
// seconds until its window resets): other clients of the same account
// spend from it too. While the server reports room, an answer books
// nothing, so the limiter runs at the account's full rate; the requests
// sent after the answer spend what it reported, and once that is spent
// (at 0 at once) the next request waits until the reset. Servers read
// Reset-Time differently (until one place frees, until the whole window is
// free, until a fixed minute ends); each reading frees at least one place
// by then, and the next answer tells the rest.
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
		// Never longer than the client waits when a server asks it to
		// (maxRetryAfter): past that the next request goes, and a 429
		// asking for longer fails at once, saying so, instead of a run
		// held silently for an hour.
		reset = min(time.Duration(v*float64(time.Second)), maxRetryAfter)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// The other requests under way may not have reached the server when
	// it answered: they spend from what it reported. (This answer's own
	// request is still counted in inflight until its release.)
	l.server = true
	l.credit = remaining - max(l.inflight-1, 0)
	// A margin for the server's rounding of Reset-Time.
	l.resetAt = now.Add(reset + l.window/20)
	if l.credit > 0 || !now.Before(l.resetAt) {
		return
	}
	// Wake waiters to time their wait to the reset.
	close(l.freed)
	l.freed = make(chan struct{})
}
