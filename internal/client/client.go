package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
	// MaxRetryAfter is the longest the client waits when a server asks it to
	// (Retry-After, X-RateLimit-Reset-Time): a longer wait fails at once,
	// with what the server asked for.
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
	waits       waitLog
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
	// A 429 that says how long to wait (Retry-After, or the documented
	// X-RateLimit-Reset-Time) is waited out here, not in the retry budget:
	// waiting for an account's rate-limit window is normal, not an error.
	var limited rateLimitRounds
	for err == nil && resp.StatusCode == http.StatusTooManyRequests {
		wait, source, ok := RateLimitWait(resp.Header, time.Now())
		if !ok || wait > MaxRetryAfter || limited.n >= maxRateLimitRounds {
			limited.wait, limited.source, limited.header = wait, source, ok
			break
		}
		drain(resp)
		c.cfg.Logger.Warn(ctx, "the API is rate limited; waiting as it asks", map[string]any{
			"url": redactedURL, "wait_ms": wait.Milliseconds(), "header": source, "remaining": resp.Header.Get("X-RateLimit-Remaining"),
		})
		c.waits.note(time.Now(), wait, waitRateLimited)
		if err := sleep(ctx, wait); err != nil {
			return nil, c.requestError(ctx, req.Method, redactedURL, err, policy)
		}
		limited.n++
		limited.total += wait
		resp, err = rc.Do(rreq)
	}
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
		if resp.StatusCode == http.StatusTooManyRequests {
			e.Message = joinMessage(e.Message, limited.String())
		} else if d, ok := RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && d > MaxRetryAfter {
			e.Message = joinMessage(e.Message, fmt.Sprintf("the server asks to wait %s (Retry-After), longer than the provider waits (%s): try again later",
				d.Round(time.Second), MaxRetryAfter))
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

func joinMessage(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
