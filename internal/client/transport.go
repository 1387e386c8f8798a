package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"
)

// transport runs each attempt: it waits for the rate limiter, then gives
// the attempt its own timeout (covering the body, which is read after the
// round trip), and logs the exchange with secrets redacted. One transport
// serves a client's reads and writes, so that they share the limiter.
type transport struct {
	limiter  *windowLimiter
	timeout  time.Duration
	logger   Logger
	redactor *Redactor
	waits    *waitLog
	limit    string // the limiter's rate, for logs
}

// over returns the round tripper that runs attempts on next.
func (t *transport) over(next http.RoundTripper) http.RoundTripper {
	return &roundTripper{transport: t, next: next}
}

type roundTripper struct {
	*transport
	next http.RoundTripper
}

func (t *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	release, waited, counted, err := t.limiter.waitCounting(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if waited > 10*time.Millisecond {
		t.logger.Debug(ctx, "waited for the client-side rate limit", map[string]any{
			"waited_ms": waited.Milliseconds(), "limit": t.limit,
		})
		t.waits.paced(ctx, now, waited, counted)
	}
	// A credential that must be fresh when the request goes (an OAuth token
	// that may have expired while the request waited its turn) is set now.
	if prepare, ok := ctx.Value(prepareKey{}).(func(*http.Request) error); ok {
		req = req.Clone(ctx)
		if err := prepare(req); err != nil {
			t.limiter.Unsend() // instead of release: nothing was sent
			return nil, &prepareError{err}
		}
	}
	defer release()
	t.waits.sent(ctx, now)
	countSent(ctx, req.URL.Path)

	redactedURL := t.redactor.URL(req.URL)
	fields := map[string]any{"method": req.Method, "url": redactedURL}
	if req.GetBody != nil {
		if b, err := req.GetBody(); err == nil {
			// Read past what is logged, so that a secret at the cut is
			// recognised whole before the text is cut.
			data, _ := io.ReadAll(io.LimitReader(b, logCapture))
			_ = b.Close()
			text := string(data)
			if ct, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
				text = t.redactor.Form(text)
			}
			fields["body"] = t.redactor.Cut(text, logBodyBytes)
		}
	}
	t.logger.Debug(ctx, "sending API request", fields)

	actx, cancel := context.WithTimeout(ctx, t.timeout)
	start := time.Now()
	resp, err := t.next.RoundTrip(req.WithContext(actx))
	elapsed := time.Since(start)
	if err != nil {
		cancel()
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within the request timeout of %s", t.timeout)
		}
		t.logger.Debug(ctx, "API request failed", map[string]any{
			"method": req.Method, "url": redactedURL, "error": t.redactor.String(err.Error()), "duration_ms": elapsed.Milliseconds(),
		})
		return nil, err
	}
	t.limiter.Observe(resp.Header, time.Now())
	t.waits.observe(resp.Header)
	t.logger.Debug(ctx, "received API response", map[string]any{
		"method": req.Method, "url": redactedURL, "status": resp.StatusCode, "duration_ms": elapsed.Milliseconds(),
		"content_type": resp.Header.Get("Content-Type"),
	})
	resp.Body = &logBody{ReadCloser: resp.Body, cancel: cancel, t: t.transport, ctx: ctx, url: redactedURL}
	return resp, nil
}

// logBody ends the attempt's timeout when the body is closed and logs the
// body's first bytes at trace level.
type logBody struct {
	io.ReadCloser
	cancel context.CancelFunc
	t      *transport
	ctx    context.Context //nolint:containedctx // the request's context, for logging on Close
	url    string
	head   bytes.Buffer
}

func (b *logBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if room := logCapture - b.head.Len(); room > 0 && n > 0 {
		b.head.Write(p[:min(n, room)])
	}
	if err != nil && !errors.Is(err, io.EOF) && errors.Is(err, context.DeadlineExceeded) && b.ctx.Err() == nil {
		err = fmt.Errorf("the body did not arrive within the request timeout of %s", b.t.timeout)
	}
	return n, err
}

func (b *logBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	if b.head.Len() > 0 {
		b.t.logger.Trace(b.ctx, "API response body", map[string]any{
			"url": b.url, "body": b.t.redactor.Cut(b.head.String(), logBodyBytes),
		})
	}
	return err
}

// Bodies are logged up to logBodyBytes; logCapture bytes are read for it,
// so that a secret that crosses the cut is redacted whole before the cut.
const (
	logBodyBytes = 4096
	logCapture   = 4 * logBodyBytes
)

type prepareKey struct{}

// WithPrepare returns a context whose requests are passed to prepare after
// the rate limiter let them go and just before they are sent: the place to
// set a credential that must be fresh at that moment. An error from prepare
// ends the request unsent (as a *prepareError), and gives its turn back.
func WithPrepare(ctx context.Context, prepare func(*http.Request) error) context.Context {
	return context.WithValue(ctx, prepareKey{}, prepare)
}

// prepareError is a request that its prepare function stopped before it was sent.
type prepareError struct{ Err error }

func (e *prepareError) Error() string { return e.Err.Error() }
func (e *prepareError) Unwrap() error { return e.Err }

// Sent counts the requests that went out under a context (see WithSent):
// every attempt the transport sent, so retries after a 429 or a 5xx, token
// fetches and resends after a refused token included; not a request the
// limiter or a prepare function stopped before it left.
type Sent struct {
	parent *Sent
	mu     sync.Mutex
	paths  map[string]int
	total  int
}

type sentKey struct{}

// WithSent returns a context whose requests are counted by the returned
// Sent, and by any Sent of ctx as well.
func WithSent(ctx context.Context) (context.Context, *Sent) {
	parent, _ := ctx.Value(sentKey{}).(*Sent)
	s := &Sent{parent: parent, paths: map[string]int{}}
	return context.WithValue(ctx, sentKey{}, s), s
}

func countSent(ctx context.Context, path string) {
	for s, _ := ctx.Value(sentKey{}).(*Sent); s != nil; s = s.parent {
		s.mu.Lock()
		s.paths[path]++
		s.total++
		s.mu.Unlock()
	}
}

// Total is how many requests were sent.
func (s *Sent) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// To is how many requests were sent to a URL path ending in suffix.
func (s *Sent) To(suffix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, k := range s.paths {
		if strings.HasSuffix(p, suffix) {
			n += k
		}
	}
	return n
}
