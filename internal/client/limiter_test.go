package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// A server that counts arrivals in a sliding window never sees more than the
// limit, however many requests are sent at once.
func TestWindowLimiterKeepsServerUnderLimit(t *testing.T) {
	t.Parallel()
	const limit, window = 3, 300 * time.Millisecond
	var mu sync.Mutex
	var arrivals []time.Time
	maxInWindow := 0
	c, _, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		mu.Lock()
		now := time.Now()
		arrivals = append(arrivals, now)
		in := 0
		for _, a := range arrivals {
			if now.Sub(a) < window {
				in++
			}
		}
		maxInWindow = max(maxInWindow, in)
		mu.Unlock()
		_, _ = io.WriteString(w, "{}")
	}, func(cfg *testConfig) { cfg.RequestsPerWindow = limit; cfg.RateWindow = window })

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := get(c); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(arrivals) != 8 || maxInWindow > limit {
		t.Fatalf("%d requests arrived, at most %d in one window; the limit is %d", len(arrivals), maxInWindow, limit)
	}
}

func TestWindowLimiterLetsABurstThrough(t *testing.T) {
	t.Parallel()
	l := newWindowLimiter(10, time.Hour)
	for i := range 10 {
		release, _, err := l.Wait(context.Background())
		if err != nil {
			t.Fatalf("request %d of a burst of 10 had to wait: %v", i+1, err)
		}
		release()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := l.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the 11th request in the window got through: %v", err)
	}
	if newWindowLimiter(0, time.Minute) != nil {
		t.Fatal("a limit of 0 must mean no limiter")
	}
}
