package client

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// virtualClock is a clock that moves only when the limiter waits (by the
// wait it asked for) or a simulated request takes its time, so that a walk
// of minutes runs in microseconds and its waits can be asserted exactly.
type virtualClock struct {
	t     time.Time
	waits []time.Duration
}

func (c *virtualClock) now() time.Time { return c.t }

func (c *virtualClock) after(d time.Duration) (<-chan time.Time, func() bool) {
	c.waits = append(c.waits, d)
	c.t = c.t.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.t
	return ch, func() bool { return true }
}

func newVirtualLimiter(n int, window time.Duration) (*windowLimiter, *virtualClock) {
	clock := &virtualClock{t: time.Date(2026, 1, 1, 12, 0, 17, 0, time.UTC)}
	l := newWindowLimiter(n, window)
	l.now, l.after = clock.now, clock.after
	return l, clock
}

// resetReading is how a server reads X-RateLimit-Reset-Time.
type resetReading string

const (
	untilPlaceFrees resetReading = "until a place frees"
	untilWindowFree resetReading = "until the whole window is free"
	untilMinuteEnds resetReading = "until a fixed minute ends"
)

// budgetServer enforces n requests per window the way a server of each
// reading does, and answers with the documented headers.
type budgetServer struct {
	n       int
	window  time.Duration
	reading resetReading
	hits    []time.Time
	refused int
}

func (s *budgetServer) answer(now time.Time) http.Header {
	kept := s.hits[:0]
	for _, t := range s.hits {
		in := now.Sub(t) < s.window
		if s.reading == untilMinuteEnds {
			in = t.Truncate(s.window).Equal(now.Truncate(s.window))
		}
		if in {
			kept = append(kept, t)
		}
	}
	s.hits = kept
	over := len(s.hits) >= s.n
	if over {
		s.refused++
	} else {
		s.hits = append(s.hits, now)
	}
	var reset time.Duration
	switch s.reading {
	case untilPlaceFrees:
		reset = s.window - now.Sub(s.hits[0])
	case untilWindowFree:
		reset = s.window - now.Sub(s.hits[len(s.hits)-1])
	case untilMinuteEnds:
		reset = now.Truncate(s.window).Add(s.window).Sub(now)
	}
	h := http.Header{}
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.n))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(s.n-len(s.hits)))
	// Rounded to whole seconds, as a server may: the limiter's margin
	// must absorb it.
	h.Set("X-RateLimit-Reset-Time", strconv.Itoa(int(math.Round(reset.Seconds()))))
	return h
}

// A walk of 41 pages at an enforced 10 a minute takes the four windows the
// rate allows (within 20 %), whichever way the server reads Reset-Time,
// and the server refuses nothing.
func TestLimiterWalksAtTheAccountsRate(t *testing.T) {
	t.Parallel()
	const n, window, pages, latency = 10, time.Minute, 41, 300 * time.Millisecond
	allowed := time.Duration((pages-1)/n) * window
	for _, reading := range []resetReading{untilPlaceFrees, untilWindowFree, untilMinuteEnds} {
		t.Run(string(reading), func(t *testing.T) {
			t.Parallel()
			l, clock := newVirtualLimiter(n, window)
			srv := &budgetServer{n: n, window: window, reading: reading}
			start := clock.now()
			for i := range pages {
				release, _, err := l.Wait(context.Background())
				if err != nil {
					t.Fatalf("request %d: %v", i+1, err)
				}
				sent := clock.now()
				h := srv.answer(sent)
				clock.t = clock.t.Add(latency)
				l.Observe(h, clock.now())
				release()
			}
			took := clock.now().Sub(start)
			if srv.refused != 0 {
				t.Errorf("the server refused %d requests (429)", srv.refused)
			}
			if took > allowed*12/10 {
				t.Errorf("%d requests took %s, the rate allows %s; waits: %v", pages, took, allowed, clock.waits)
			}
		})
	}
}

// While the server reports room an answer books nothing; at 0 the next
// request waits for the reset (plus the margin for the server's rounding).
func TestLimiterWaitsOnlyWhenTheServersBudgetIsSpent(t *testing.T) {
	t.Parallel()
	l, clock := newVirtualLimiter(10, time.Minute)
	send := func(remaining, reset string) {
		t.Helper()
		release, _, err := l.Wait(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		l.Observe(http.Header{"X-Ratelimit-Remaining": {remaining}, "X-Ratelimit-Reset-Time": {reset}}, clock.now())
		release()
	}
	for i := range 5 {
		send(strconv.Itoa(8-i), "59")
	}
	if len(clock.waits) != 0 {
		t.Fatalf("answers with places remaining made the limiter wait %v", clock.waits)
	}
	send("0", "20")
	if len(clock.waits) != 0 {
		t.Fatalf("waits before the budget ran out: %v", clock.waits)
	}
	send("9", "60")
	want := 20*time.Second + time.Minute/20
	if fmt.Sprint(clock.waits) != fmt.Sprint([]time.Duration{want}) {
		t.Fatalf("after Remaining 0 and Reset-Time 20 the limiter waited %v, want [%s]", clock.waits, want)
	}
}

// A Reset-Time past what the client ever waits when a server asks it to
// (maxRetryAfter) holds the next request no longer than that: an hour's
// Reset-Time does not stall the run silently for an hour.
func TestLimiterResetWaitIsCapped(t *testing.T) {
	t.Parallel()
	for _, reset := range []string{"3600", "86000"} {
		l, clock := newVirtualLimiter(10, time.Minute)
		release, _, err := l.Wait(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		l.Observe(http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset-Time": {reset}}, clock.now())
		release()
		if release, _, err = l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		release()
		want := maxRetryAfter + time.Minute/20
		if fmt.Sprint(clock.waits) != fmt.Sprint([]time.Duration{want}) {
			t.Fatalf("Reset-Time %s: the limiter waited %v, want [%s]", reset, clock.waits, want)
		}
	}
}
