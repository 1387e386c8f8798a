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

// Why a request waited on purpose.
const (
	waitPacing      = "pacing"       // the client's own rate limit
	waitRateLimited = "rate limited" // a 429 that said how long to wait
)

// waitLog remembers when the client sent requests and how long they waited
// on purpose, so that a read can tell its user where its time went, and
// for whose requests: each event keeps the read tag of the request's
// context (see WithReadTag).
type waitLog struct {
	window time.Duration // the rate limit's window

	mu           sync.Mutex
	events       []waitEvent
	accountLimit int // the last X-RateLimit-Limit the server sent; 0: none
}

type waitEvent struct {
	at   time.Time
	d    time.Duration // 0 for a request sent
	why  string
	sent bool
	tag  string
	// counted: for a pacing wait, how many requests the pacing was
	// counting when the wait began.
	counted int
}

// keepWaits bounds the log: a run is rarely longer, and reports ask for
// the time since a read began.
const keepWaits = time.Hour

type readTagKey struct{}

// WithReadTag marks the requests made under ctx as one read's, so that
// Waited can tell that read's own requests from those of the others.
// Calls shared between reads (see Memo) keep their first caller's tag.
func WithReadTag(ctx context.Context, tag string) context.Context {
	return context.WithValue(ctx, readTagKey{}, tag)
}

func readTag(ctx context.Context) string {
	tag, _ := ctx.Value(readTagKey{}).(string)
	return tag
}

func (l *waitLog) note(ctx context.Context, at time.Time, d time.Duration, why string) {
	l.add(waitEvent{at: at, d: d, why: why, tag: readTag(ctx)})
}

func (l *waitLog) paced(ctx context.Context, at time.Time, d time.Duration, counted int) {
	l.add(waitEvent{at: at, d: d, why: waitPacing, tag: readTag(ctx), counted: counted})
}

func (l *waitLog) sent(ctx context.Context, at time.Time) {
	l.add(waitEvent{at: at, sent: true, tag: readTag(ctx)})
}

// observe keeps the account's own limit when the server states it.
func (l *waitLog) observe(h http.Header) {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Limit")))
	if err != nil || n < 1 {
		return
	}
	l.mu.Lock()
	l.accountLimit = n
	l.mu.Unlock()
}

func (l *waitLog) add(e waitEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := 0
	for cut < len(l.events) && e.at.Sub(l.events[cut].at) > keepWaits {
		cut++
	}
	l.events = append(l.events[cut:], e)
}

// WaitReport is what the client did between two moments: requests sent,
// and for how much of the time requests were waiting on purpose, for the
// client's pacing or for the server's rate-limit windows (overlapping
// waits of concurrent requests count once); and of those, what was the
// requests of one read (its tag).
type WaitReport struct {
	Requests          int
	Pacing            time.Duration
	RateLimited       time.Duration
	rateLimitedAnswer bool // the server answered 429 at least once

	// The read's own: requests sent with its tag, and how long they waited.
	Own            int
	OwnPacing      time.Duration
	OwnRateLimited time.Duration
	// InWindow is how many requests the pacing was counting when the last
	// paced request of the report began to wait: under way, answered
	// within the window (from before the report's start too), or booked
	// because the API's X-RateLimit-Remaining said fewer were left. It is
	// the rate when the client's own requests filled it.
	InWindow int
	// Window is the rate limit's window (a minute unless a test shortens it).
	Window time.Duration
	// AccountLimit is the account's own limit as the server last stated it
	// (X-RateLimit-Limit); 0 when it never did.
	AccountLimit int
}

// Waited returns what the client did since since (until now).
func (c *Client) Waited(since time.Time) WaitReport { return c.WaitedFor(since, "") }

// WaitedFor returns what the client did since since until now, and what
// of it was for the read tagged tag ("": none). Waits are cut to the
// interval: a read is not told of a wait that went on after it ended.
func (c *Client) WaitedFor(since time.Time, tag string) WaitReport {
	c.waits.mu.Lock()
	defer c.waits.mu.Unlock()
	until := time.Now()
	r := WaitReport{Window: c.waits.window, AccountLimit: c.waits.accountLimit}
	var pacing, limited, ownPacing, ownLimited []span
	var lastPaced time.Time
	for _, e := range c.waits.events {
		if e.at.Before(since) || e.at.After(until) {
			continue
		}
		own := tag != "" && e.tag == tag
		switch {
		case e.sent:
			r.Requests++
			if own {
				r.Own++
			}
		case e.why == waitPacing:
			s := span{later(e.at.Add(-e.d), since), e.at}
			pacing = append(pacing, s)
			if own {
				ownPacing = append(ownPacing, s)
			}
			if e.at.After(lastPaced) {
				lastPaced, r.InWindow = e.at, e.counted
			}
		case e.why == waitRateLimited:
			s := span{e.at, earlier(e.at.Add(e.d), until)} // noted when the wait begins
			limited = append(limited, s)
			if own {
				ownLimited = append(ownLimited, s)
			}
			r.rateLimitedAnswer = true
		}
	}
	r.Pacing, r.RateLimited = union(pacing), union(limited)
	r.OwnPacing, r.OwnRateLimited = union(ownPacing), union(ownLimited)
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

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
