package client

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// A read's report tells its own requests and waits from those of the other
// reads, counts what the pacing was counting when its last wait ended
// (requests from before the read too), cuts waits to the read's interval,
// and keeps the account's limit as the server stated it.
func TestWaitedForTellsReadsApart(t *testing.T) {
	t.Parallel()
	now := time.Now()
	l := &waitLog{window: time.Minute}
	mine, theirs := WithReadTag(context.Background(), "read-1"), WithReadTag(context.Background(), "read-2")
	for i := range 6 { // before the read began
		l.sent(theirs, now.Add(-77*time.Second+time.Duration(i)*time.Second))
	}
	start := now.Add(-40 * time.Second)
	l.paced(theirs, now.Add(-30*time.Second), 8*time.Second, 4)
	l.sent(theirs, now.Add(-30*time.Second))
	l.paced(mine, now.Add(-10*time.Second), 12*time.Second, 7)
	l.sent(mine, now.Add(-10*time.Second))
	l.note(theirs, now.Add(-2*time.Second), time.Hour, waitRateLimited) // goes on after the read
	h := http.Header{}
	h.Set("X-RateLimit-Limit", "5")
	l.observe(h)
	c := &Client{waits: l}

	r := c.WaitedFor(start, "read-1")
	if r.Requests != 2 || r.Own != 1 || r.OwnPacing != 12*time.Second || r.OwnRateLimited != 0 {
		t.Fatalf("report %+v", r)
	}
	if r.Pacing != 20*time.Second || r.RateLimited > 3*time.Second {
		t.Fatalf("pacing %s, rate-limited %s: want 20s, and the 429 wait cut at now", r.Pacing, r.RateLimited)
	}
	// What the pacing counted when the read's last wait began.
	if r.InWindow != 7 || r.Window != time.Minute || r.AccountLimit != 5 {
		t.Fatalf("report %+v", r)
	}
	if r := c.WaitedFor(start, "read-3"); r.Own != 0 || r.OwnPacing != 0 {
		t.Fatalf("another read's report %+v", r)
	}
}
