package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Defaults for Config fields left zero.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxRetries   = 5
	DefaultRetryWaitMin = 500 * time.Millisecond
	DefaultRetryWaitMax = 30 * time.Second
	DefaultMaxBodyBytes = 32 << 20
	// MaxRetryAfter caps how long a Retry-After header can make the client wait.
	MaxRetryAfter = 5 * time.Minute
)

// Config describes one vendor's HTTP client.
type Config struct {
	Vendor    string // names the vendor in errors and logs: "OPSWAT", "Dr.Web"
	BaseURL   string // scheme and host, optionally a path prefix
	UserAgent string

	Timeout    time.Duration // per HTTP request (each attempt), including reading the body
	MaxRetries int           // retries after the first attempt; negative means none
	// RetryWaitMin and RetryWaitMax bound the exponential backoff.
	RetryWaitMin, RetryWaitMax time.Duration

	// RequestsPerWindow > 0 limits the client to that many requests in any
	// RateWindow (default one minute).
	RequestsPerWindow int
	RateWindow        time.Duration

	CACertPEM          string // extra trusted CA certificates, PEM
	InsecureSkipVerify bool

	MaxBodyBytes int64     // largest body read; default 32 MiB
	Logger       Logger    // nil: no logging
	Redactor     *Redactor // secrets to keep out of logs and errors; nil: only well-known parameters

	// ErrorMessage extracts the vendor's error message from the body of a
	// failed answer; nil or "" means the body snippet is shown instead.
	ErrorMessage func(body []byte) (code, message string)
}

// Client sends requests to one vendor API.
type Client struct {
	cfg         Config
	base        *url.URL
	retry       *retryablehttp.Client // reads
	retryWrites *retryablehttp.Client // writes: see checkRetryWrite
	limiter     *WindowLimiter
}

// New validates cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if cfg.Vendor == "" {
		return nil, errors.New("client: Vendor is required")
	}
	base, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("client: timeout %s is negative", cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = DefaultRetryWaitMin
	}
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		cfg.RetryWaitMax = max(DefaultRetryWaitMax, cfg.RetryWaitMin)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.RateWindow <= 0 {
		cfg.RateWindow = time.Minute
	}
	if cfg.Redactor == nil {
		cfg.Redactor = NewRedactor()
	}
	if cfg.Logger == nil {
		cfg.Logger = nopLogger{}
	}

	tlsConfig, err := TLSConfig(cfg.CACertPEM, cfg.InsecureSkipVerify)
	if err != nil {
		return nil, err
	}
	transport := cleanhttp.DefaultPooledTransport()
	transport.TLSClientConfig = tlsConfig

	c := &Client{cfg: cfg, base: base, limiter: NewWindowLimiter(cfg.RequestsPerWindow, cfg.RateWindow)}
	// No http.Client.Timeout: the per-attempt timeout starts after the rate
	// limiter lets the request go (see roundTripper).
	hc := &http.Client{Transport: &roundTripper{c: c, next: transport}, CheckRedirect: c.checkRedirect}
	// net/http sends a GET again by itself when a reused connection fails
	// before the answer; Dr.Web writes are GETs, so they get connections of
	// their own that are never reused.
	writeTransport := transport.Clone()
	writeTransport.DisableKeepAlives = true
	writes := &http.Client{Transport: &roundTripper{c: c, next: writeTransport}, CheckRedirect: c.checkRedirect}
	retrying := func(hc *http.Client, policy retryablehttp.CheckRetry) *retryablehttp.Client {
		return &retryablehttp.Client{
			HTTPClient:   hc,
			RetryWaitMin: cfg.RetryWaitMin,
			RetryWaitMax: cfg.RetryWaitMax,
			RetryMax:     cfg.MaxRetries,
			CheckRetry:   policy,
			Backoff:      backoff,
			ErrorHandler: retryablehttp.PassthroughErrorHandler,
		}
	}
	c.retry, c.retryWrites = retrying(hc, checkRetry), retrying(writes, checkRetryWrite)
	return c, nil
}

// ParseBaseURL checks that s is an absolute http(s) URL without a query.
func ParseBaseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("the URL is empty")
	}
	// A URL in an error is shown without its user info: a password may be in it.
	shown := (*Redactor)(nil).URLString(s)
	u, err := url.Parse(s)
	if err != nil {
		cause := errors.Unwrap(err)
		if cause == nil {
			cause = err
		}
		return nil, fmt.Errorf("%q is not a valid URL: %s", shown, (*Redactor)(nil).URLString(cause.Error()))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q is not an http:// or https:// URL", shown)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", shown)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%q carries a login or password in the URL: give the scheme and host only, and the credentials in their own settings", shown)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q must not have a query or fragment", shown)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// TLSConfig returns the TLS settings for extra CA certificates (PEM) and the
// opt-in switch that turns verification off.
func TLSConfig(caPEM string, insecure bool) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if strings.TrimSpace(caPEM) != "" {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(caPEM)) {
			return nil, errors.New("the CA certificate PEM holds no certificate: it must contain at least one -----BEGIN CERTIFICATE----- block")
		}
		cfg.RootCAs = pool
	}
	cfg.InsecureSkipVerify = insecure //nolint:gosec // the user's explicit choice, warned about by the provider
	return cfg, nil
}

// BaseURL returns the configured base URL.
func (c *Client) BaseURL() *url.URL { u := *c.base; return &u }

// Redactor returns the client's redactor, so that a vendor client can
// register secrets it learns at run time (a fetched token).
func (c *Client) Redactor() *Redactor { return c.cfg.Redactor }

// Logger returns the client's logger.
func (c *Client) Logger() Logger { return c.cfg.Logger }

// Request is one API call. Path is joined to the base URL.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	// Write marks a request that changes something on the server (Dr.Web
	// writes are GETs, so the method cannot tell). It is retried only on
	// answers that prove nothing happened; see WriteMayHaveHappened.
	Write bool
}

// Response is an answer with a status below 400, its body read in full.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte

	vendor, method, url string
	redactor            *Redactor
}

// URL returns the redacted URL the response answers.
func (r *Response) URL() string { return r.url }

// Do sends req, retrying as configured, and reads the answer. An answer with
// a status of 400 or more is returned as an *APIError; a request that got no
// answer as a *RequestError.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	u := *c.base
	u.Path = c.base.Path + "/" + strings.TrimLeft(req.Path, "/")
	u.RawQuery = req.Query.Encode()
	redactedURL := c.cfg.Redactor.URL(&u)

	var body any
	if req.Body != nil {
		body = req.Body
	}
	rreq, err := retryablehttp.NewRequestWithContext(ctx, req.Method, u.String(), body)
	if err != nil {
		return nil, &RequestError{msg: c.cfg.Redactor.String(fmt.Sprintf("%s API: %s %s: %v", c.cfg.Vendor, req.Method, redactedURL, err)), err: err}
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			rreq.Header.Add(k, v)
		}
	}
	rreq.Header.Set("User-Agent", c.cfg.UserAgent)

	rc, policy := c.retry, checkRetry
	if req.Write {
		rc, policy = c.retryWrites, checkRetryWrite
	}
	resp, err := rc.Do(rreq)
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
		}
		return nil, c.requestError(ctx, req.Method, redactedURL, err, policy)
	}
	defer resp.Body.Close()

	data, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBodyBytes+1))
	if err != nil {
		return nil, c.requestError(ctx, req.Method, redactedURL, fmt.Errorf("reading the response body: %w", err), policy)
	}
	out := &Response{
		StatusCode: resp.StatusCode, Header: resp.Header, Body: data,
		vendor: c.cfg.Vendor, method: req.Method, url: redactedURL, redactor: c.cfg.Redactor,
	}
	if int64(len(data)) > c.cfg.MaxBodyBytes {
		out.Body = data[:snippetLen]
		return nil, out.Error(fmt.Sprintf("the response body is larger than %d bytes, more than this API ever sends", c.cfg.MaxBodyBytes), errUnexpectedBody)
	}
	if resp.StatusCode >= 400 {
		e := out.Error("", nil)
		if c.cfg.ErrorMessage != nil && SniffBody(data) != BodyHTML {
			code, msg := c.cfg.ErrorMessage(data)
			e.Code, e.Message = c.cfg.Redactor.String(code), c.cfg.Redactor.String(msg)
		}
		if retryable, _ := policy(ctx, resp, nil); retryable && c.cfg.MaxRetries > 0 {
			e.Retries = c.cfg.MaxRetries
		}
		return nil, e
	}
	return out, nil
}

func (c *Client) requestError(ctx context.Context, method, redactedURL string, err error, policy retryablehttp.CheckRetry) error {
	retried, _ := policy(context.Background(), nil, err)
	// url.Error repeats the unredacted URL: keep only its cause.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	detail := err.Error()
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
		detail = "the server closed the connection without an answer (" + detail + ")"
	}
	if retried && c.cfg.MaxRetries > 0 && ctx.Err() == nil {
		detail += fmt.Sprintf(" (still failing after %d retries)", c.cfg.MaxRetries)
	}
	msg := fmt.Sprintf("%s API: %s %s: %s", c.cfg.Vendor, method, redactedURL, detail)
	return &RequestError{msg: c.cfg.Redactor.String(msg), err: err}
}

// RedirectError is a redirect the client refused to follow: to another
// origin (scheme, host or port), where the credentials of the request (its
// Authorization header, a token in its query, a secret in its body) must
// not go, or one that would turn a POST into a GET without its body.
type RedirectError struct {
	Status int
	From   string // redacted
	To     string // redacted
	Reason string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("the server answered %d, redirecting to %s; %s", e.Status, e.To, e.Reason)
}

// checkRedirect follows a redirect only within the origin the user
// configured. net/http would follow it elsewhere too, dropping only the
// Authorization header across domains: a token in the query or a secret in a
// form body would go along, even from https:// to http://.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	target := *req.URL
	target.RawQuery, target.Fragment = "", ""
	e := &RedirectError{Status: status, From: c.cfg.Redactor.URL(first.URL), To: c.cfg.Redactor.URL(&target)}
	switch {
	case req.URL.Scheme == "http" && first.URL.Scheme == "https":
		e.Reason = "the provider never follows a redirect from https:// to plain http://, where the credentials would travel unencrypted. " +
			"Check the URL with the server's administrator"
		return e
	case !sameOrigin(req.URL, first.URL):
		origin := &url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host}
		e.Reason = fmt.Sprintf("the provider does not send credentials to another origin (scheme, host and port) than the one configured: "+
			"if that is the right server, set the URL to %s", c.cfg.Redactor.URL(origin))
		return e
	case first.Method == http.MethodPost && req.Method != http.MethodPost:
		e.Reason = fmt.Sprintf("following it would turn the POST into a GET without its body (HTTP %d does that; 307 and 308 keep the method). "+
			"The URL is probably missing a path prefix or has the wrong scheme: check it", status)
		return e
	case len(via) >= 10:
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

func sameOrigin(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if u.Scheme == "https" {
			return "443"
		}
		return "80"
	}
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

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

// roundTripper runs each attempt: it waits for the rate limiter, then gives
// the attempt its own timeout (covering the body, which is read after the
// round trip), and logs the exchange with secrets redacted.
type roundTripper struct {
	c    *Client
	next http.RoundTripper
}

func (t *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	release, waited, err := t.c.limiter.Wait(ctx)
	if err != nil {
		return nil, err
	}
	if waited > 10*time.Millisecond {
		t.c.cfg.Logger.Debug(ctx, "waited for the client-side rate limit", map[string]any{
			"waited_ms": waited.Milliseconds(), "limit": fmt.Sprintf("%d per %s", t.c.cfg.RequestsPerWindow, t.c.cfg.RateWindow),
		})
	}
	defer release()

	redactedURL := t.c.cfg.Redactor.URL(req.URL)
	fields := map[string]any{"method": req.Method, "url": redactedURL}
	if req.GetBody != nil {
		if b, err := req.GetBody(); err == nil {
			// Read past what is logged, so that a secret at the cut is
			// recognised whole before the text is cut.
			data, _ := io.ReadAll(io.LimitReader(b, logCapture))
			_ = b.Close()
			text := string(data)
			if ct, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
				text = t.c.cfg.Redactor.Form(text)
			}
			fields["body"] = t.c.cfg.Redactor.Cut(text, logBodyBytes)
		}
	}
	t.c.cfg.Logger.Debug(ctx, "sending API request", fields)

	actx, cancel := context.WithTimeout(ctx, t.c.cfg.Timeout)
	start := time.Now()
	resp, err := t.next.RoundTrip(req.WithContext(actx))
	elapsed := time.Since(start)
	if err != nil {
		cancel()
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within the request timeout of %s", t.c.cfg.Timeout)
		}
		t.c.cfg.Logger.Debug(ctx, "API request failed", map[string]any{
			"method": req.Method, "url": redactedURL, "error": t.c.cfg.Redactor.String(err.Error()), "duration_ms": elapsed.Milliseconds(),
		})
		return nil, err
	}
	t.c.cfg.Logger.Debug(ctx, "received API response", map[string]any{
		"method": req.Method, "url": redactedURL, "status": resp.StatusCode, "duration_ms": elapsed.Milliseconds(),
		"content_type": resp.Header.Get("Content-Type"),
	})
	resp.Body = &logBody{ReadCloser: resp.Body, cancel: cancel, t: t, ctx: ctx, url: redactedURL}
	return resp, nil
}

// logBody ends the attempt's timeout when the body is closed and logs the
// body's first bytes at trace level.
type logBody struct {
	io.ReadCloser
	cancel context.CancelFunc
	t      *roundTripper
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
		err = fmt.Errorf("the body did not arrive within the request timeout of %s", b.t.c.cfg.Timeout)
	}
	return n, err
}

func (b *logBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	if b.head.Len() > 0 {
		b.t.c.cfg.Logger.Trace(b.ctx, "API response body", map[string]any{
			"url": b.url, "body": b.t.c.cfg.Redactor.Cut(b.head.String(), logBodyBytes),
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
