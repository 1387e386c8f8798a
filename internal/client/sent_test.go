package client

import (
	"context"
	"io"
	"net/http"
	"testing"
)

// Sent counts every attempt that left, retries included, per path, and
// in every Sent of the context chain.
func TestSentCountsEveryAttempt(t *testing.T) {
	t.Parallel()
	c, calls, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path == "/api/x" && n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	outer, all := WithSent(context.Background())
	inner, one := WithSent(outer)
	if _, err := c.Do(inner, Request{Method: http.MethodGet, Path: "/api/x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(outer, Request{Method: http.MethodGet, Path: "/api/y"}); err != nil {
		t.Fatal(err)
	}
	if one.Total() != 3 || one.To("/api/x") != 3 || one.To("/api/y") != 0 {
		t.Fatalf("inner: %d sent, %d to /api/x", one.Total(), one.To("/api/x"))
	}
	if all.Total() != int(calls.Load()) || all.Total() != 4 || all.To("/api/y") != 1 {
		t.Fatalf("outer: %d sent (server: %d), %d to /api/y", all.Total(), calls.Load(), all.To("/api/y"))
	}
}
