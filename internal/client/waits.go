package client

import (
	"slices"
	"sync"
	"time"
)

// Why a request waited on purpose.
const (
	waitPacing      = "pacing"       // the client's own rate limit
	waitRateLimited = "rate limited" // a 429 that said how long to wait
)

// waitLog remembers when the client sent requests and how long they waited
// on purpose, so that a read can tell its user where its time went.
type waitLog struct {
	mu     sync.Mutex
	events []waitEvent
}

type waitEvent struct {
	at   time.Time
	d    time.Duration // 0 for a request sent
	why  string
	sent bool
}

// keepWaits bounds the log: a run is rarely longer, and reports ask for
// the time since a read began.
const keepWaits = time.Hour

func (l *waitLog) note(at time.Time, d time.Duration, why string) {
	l.add(waitEvent{at: at, d: d, why: why})
}

func (l *waitLog) sent(at time.Time) { l.add(waitEvent{at: at, sent: true}) }

func (l *waitLog) add(e waitEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := 0
	for cut < len(l.events) && e.at.Sub(l.events[cut].at) > keepWaits {
		cut++
	}
	l.events = append(l.events[cut:], e)
}

// WaitReport is what the client did since a moment: requests sent, and
// for how much of the time requests were waiting on purpose, for the
// client's pacing or for the server's rate-limit windows (overlapping
// waits of concurrent requests count once).
type WaitReport struct {
	Requests          int
	Pacing            time.Duration
	RateLimited       time.Duration
	rateLimitedAnswer bool // the server answered 429 at least once
}

// Waited returns what the client did since since.
func (c *Client) Waited(since time.Time) WaitReport {
	c.waits.mu.Lock()
	defer c.waits.mu.Unlock()
	var r WaitReport
	var pacing, limited []span
	for _, e := range c.waits.events {
		if e.at.Before(since) {
			continue
		}
		switch {
		case e.sent:
			r.Requests++
		case e.why == waitPacing:
			pacing = append(pacing, span{later(e.at.Add(-e.d), since), e.at})
		case e.why == waitRateLimited:
			limited = append(limited, span{e.at, e.at.Add(e.d)}) // noted when the wait begins
			r.rateLimitedAnswer = true
		}
	}
	r.Pacing, r.RateLimited = union(pacing), union(limited)
	return r
}

type span struct{ from, to time.Time }

// union is the length of time the spans cover together.
func union(spans []span) time.Duration {
	slices.SortFunc(spans, func(a, b span) int { return a.from.Compare(b.from) })
	var total time.Duration
	var end time.Time
	for _, s := range spans {
		if s.from.After(end) {
			end = s.from
		}
		if s.to.After(end) {
			total += s.to.Sub(end)
			end = s.to
		}
	}
	return total
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
