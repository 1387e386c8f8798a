package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// checkRetry retries connection errors and the statuses that mean "later":
// 429, 502, 503, 504. Other statuses are answers, and are not retried.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	var redirect *RedirectError
	if errors.As(err, &redirect) {
		return false, nil
	}
	if err != nil {
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true, nil
	}
	return false, nil
}

// checkRetryWrite retries a write only when the answer proves that nothing
// happened: 429, a 503 without a body (the server refused before it began),
// a connection that was refused or a host that was not found. After a
// timeout, a reset or a 502/504 the write may have happened: the caller
// must look before writing again.
func checkRetryWrite(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return nothingSent(err), nil
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return true, nil
	case resp.StatusCode == http.StatusServiceUnavailable && resp.ContentLength == 0:
		return true, nil
	}
	return false, nil
}

// nothingSent reports errors that mean the request never reached a server.
func nothingSent(err error) bool {
	var dns *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dns)
}

// WriteMayHaveHappened tells, for the error of a Write request, whether the
// server may have carried the write out: no answer came (a timeout, a
// reset, an interrupt), or a 5xx other than an empty 503. A 4xx, a refused
// redirect, a refused connection or a vendor-level refusal in a 200 answer
// prove that it did not.
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
		emptyUnavailable := apiErr.StatusCode == http.StatusServiceUnavailable && apiErr.Body == ""
		return apiErr.StatusCode >= 500 && !emptyUnavailable
	case errors.As(err, &reqErr):
		return !nothingSent(reqErr.err)
	}
	return true
}

// backoff waits what Retry-After asks for (capped at MaxRetryAfter), and
// otherwise an exponentially growing time with full jitter.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, MaxRetryAfter)
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
		return time.Duration(min(s, int64(MaxRetryAfter/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
