package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// One loop retries a read: retryablehttp's. Two budgets bound it, kept per
// request in its context (see attempts): max_retries for connection errors
// and the statuses that mean "later", and maxRateLimitRounds for 429s that
// say how long to wait, which are waited out without spending retries
// (waiting for an account's rate-limit window is normal, not an error).

// outcome is what an answer or an error asks of a read.
type outcome int

const (
	final      outcome = iota // an answer: not retried
	retryLater                // retried within max_retries, with backoff
	rateWindow                // a 429 that says how long to wait: waited out
)

// classify tells the outcome of one attempt of a read: connection errors
// and 429, 502, 503, 504 are tried again; other statuses are answers.
func classify(resp *http.Response, err error) outcome {
	var redirect *RedirectError
	var prepare *prepareError
	switch {
	case errors.As(err, &redirect) || errors.As(err, &prepare):
		return final
	case endpointProblemOf(err) != 0:
		return final
	case err != nil:
		if retry, _ := retryablehttp.DefaultRetryPolicy(context.Background(), nil, err); retry {
			return retryLater
		}
		return final
	}
	if d, ok := RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && d > maxRetryAfter {
		return final // longer than the client waits: fail now, saying so
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		if _, _, told := rateLimitWait(resp.Header, time.Now()); told {
			return rateWindow
		}
		return retryLater
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return retryLater
	}
	return final
}

// attempts is what one read has spent of its two budgets.
type attempts struct {
	once    bool // Request.Once: only rate-limit windows are waited out
	retries int
	limited rateLimitRounds
	window  bool          // the next attempt waits out a rate-limit window first:
	next    time.Duration // this long
}

type attemptsKey struct{}

func attemptsOf(ctx context.Context) *attempts {
	a, _ := ctx.Value(attemptsKey{}).(*attempts)
	if a == nil {
		a = &attempts{} // not sent by Do: budgets of its own
	}
	return a
}

// checkRetry decides whether a read is tried again, and spends the budget
// it is tried again on.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	a := attemptsOf(ctx)
	switch classify(resp, err) {
	case rateWindow:
		wait, source, _ := rateLimitWait(resp.Header, time.Now())
		if wait > maxRetryAfter || a.limited.n >= maxRateLimitRounds {
			return false, nil
		}
		a.window, a.next, a.limited.source = true, wait, source
		return true, nil
	case retryLater:
		if a.once || a.retries >= c.settings.MaxRetries {
			return false, nil
		}
		a.retries++
		return true, nil
	}
	return false, nil
}

// backoff is how long a read waits before it is tried again: the window a
// 429 asked for, or backoff with jitter.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp == nil || resp.Request == nil {
		return backoff(minWait, maxWait, attempt, resp)
	}
	ctx := resp.Request.Context()
	a := attemptsOf(ctx)
	if a.window {
		wait := a.next
		a.window, a.next = false, 0
		c.settings.Logger.Warn(ctx, "the API is rate limited; waiting as it asks", map[string]any{
			"url": c.api.Redactor.URL(resp.Request.URL), "wait_ms": wait.Milliseconds(), "header": a.limited.source,
			"remaining": resp.Header.Get("X-RateLimit-Remaining"),
		})
		c.waits.note(ctx, time.Now(), wait, waitRateLimited)
		a.limited.n++
		a.limited.total += wait
		return wait
	}
	return backoff(minWait, maxWait, attempt, resp)
}

// checkRetryWrite retries a write only when it never reached a server: a
// connection that was refused or a host that was not found. Any answer, even
// a 429 or an empty 503, may come from a proxy after the server carried the
// write out, and no answer at all (a timeout, a reset) proves nothing: the
// caller must look before it writes again.
func checkRetryWrite(ctx context.Context, _ *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	return err != nil && nothingSent(err) && endpointProblemOf(err) == 0, nil
}

// nothingSent reports errors that mean the request never reached a server.
func nothingSent(err error) bool {
	var dns *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dns)
}

// WriteMayHaveHappened tells, for the error of a Write request, whether the
// server may have carried the write out: no answer came (a timeout, a
// reset, an interrupt), an answer of 2xx that could not be read, a 429 or a
// 5xx (a proxy may send either after the server applied the write). Another
// 4xx, a refused redirect, a refused connection or a request none of whose
// attempts left (an interrupt while it waited its turn) prove that it did not; so
// does a vendor-level refusal, which the vendor client tells apart itself.
func WriteMayHaveHappened(err error) bool {
	var apiErr *APIError
	var reqErr *RequestError
	var redirect *RedirectError
	switch {
	case err == nil:
		return true
	case errors.As(err, &redirect):
		return false
	case errors.As(err, &apiErr):
		return apiErr.StatusCode < 400 || apiErr.StatusCode == http.StatusTooManyRequests || apiErr.StatusCode >= 500
	case errors.As(err, &reqErr):
		return !reqErr.unsent && !nothingSent(reqErr.err)
	}
	return true
}

// backoff waits what Retry-After asks for (capped at maxRetryAfter), and
// otherwise an exponentially growing time with full jitter.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, maxRetryAfter)
		}
	}
	ceiling := minWait << min(attempt, 20)
	if ceiling <= 0 || ceiling > maxWait {
		ceiling = maxWait
	}
	return minWait/2 + rand.N(ceiling-minWait/2+1) //nolint:gosec // jitter, not a secret
}

// RetryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// maxRateLimitRounds bounds how many rate-limit windows one request waits
// out before it fails.
const maxRateLimitRounds = 10

// rateLimitWait reads how long a 429 asks to wait: Retry-After when present,
// else X-RateLimit-Reset-Time (seconds until the account's window resets),
// which the OPSWAT API family documents. source names the header used.
func rateLimitWait(h http.Header, now time.Time) (wait time.Duration, source string, ok bool) {
	if d, ok := RetryAfter(h.Get("Retry-After"), now); ok {
		return d, "Retry-After", true
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset-Time")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 && secs < 24*3600 {
			return time.Duration(secs * float64(time.Second)).Round(time.Millisecond), "X-RateLimit-Reset-Time", true
		}
	}
	return 0, "", false
}

// rateLimitRounds is what one request spent waiting out rate-limit windows.
type rateLimitRounds struct {
	n      int
	total  time.Duration
	wait   time.Duration // what the last 429 asked for
	source string
	header bool
}

func (r rateLimitRounds) String() string {
	switch {
	case r.header && r.wait > maxRetryAfter:
		return fmt.Sprintf("the API is rate limited and asks to wait %s (%s), longer than the provider waits (%s): try again later, "+
			"or leave more of the account's rate to this run", r.wait.Round(time.Second), r.source, maxRetryAfter)
	case r.n > 0:
		return fmt.Sprintf("still rate limited after waiting out %d windows (%s in all): the account's other API clients may be using its whole rate",
			r.n, r.total.Round(time.Second))
	}
	return ""
}

// Sleep waits d, or less if ctx ends first (then it returns ctx.Err()).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
