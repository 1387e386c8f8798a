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
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Limits of the core itself, not user settings.
const (
	defaultRetryWaitMin = 500 * time.Millisecond
	defaultRetryWaitMax = 30 * time.Second
	maxBodyBytes        = 32 << 20 // larger than any answer these APIs send
	// maxRetryAfter is the longest the client waits when a server asks it to
	// (Retry-After, X-RateLimit-Reset-Time): a longer wait fails at once,
	// with what the server asked for.
	maxRetryAfter = 5 * time.Minute
)

// Settings are what the user chooses for every vendor's client. The caller
// fills every one in: the core has no defaults of its own for them.
type Settings struct {
	Timeout    time.Duration // per HTTP request (each attempt), including reading the body; must be positive
	MaxRetries int           // retries after the first attempt; 0 turns them off

	CACertPEM          string // extra trusted CA certificates, PEM
	InsecureSkipVerify bool

	UserAgent string
	Logger    Logger // nil: no logging

	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// retries (zero: 500 ms and 30 s). Not a user setting: tests shorten them.
	RetryWaitMin, RetryWaitMax time.Duration
}

// API is what a vendor client says about its API.
type API struct {
	Vendor  string   // names the vendor in errors and logs: "OPSWAT", "Dr.Web"
	BaseURL *url.URL // scheme and host, optionally a path prefix (see ParseBaseURL)

	// RequestsPerWindow > 0 limits the client to that many requests in any
	// RateWindow (zero: a minute).
	RequestsPerWindow int
	RateWindow        time.Duration

	Redactor *Redactor // secrets to keep out of logs and errors; nil: only well-known parameters

	// ErrorMessage extracts the vendor's error message from the body of a
	// failed answer; nil or "" means the body snippet is shown instead.
	ErrorMessage func(body []byte) (code, message string)
}

// Client sends requests to one vendor API.
type Client struct {
	api         API
	settings    Settings
	retry       *retryablehttp.Client // reads
	retryWrites *retryablehttp.Client // writes: see checkRetryWrite
	waits       *waitLog
	// answered: an answer with an API body came through this base URL, so
	// the API is under its path and a bare 404 is one endpoint's, not the
	// URL's (see answerProblemOf).
	answered atomic.Bool
}

// New returns a client of api with the user's settings.
func New(api API, s Settings) (*Client, error) {
	switch {
	case api.Vendor == "":
		return nil, errors.New("client: API.Vendor is required")
	case api.BaseURL == nil:
		return nil, errors.New("client: API.BaseURL is required")
	case s.Timeout <= 0:
		return nil, fmt.Errorf("client: the request timeout must be positive, got %s", s.Timeout)
	case s.MaxRetries < 0:
		return nil, fmt.Errorf("client: max retries must be 0 or more, got %d", s.MaxRetries)
	}
	if s.RetryWaitMin <= 0 {
		s.RetryWaitMin = defaultRetryWaitMin
	}
	if s.RetryWaitMax < s.RetryWaitMin {
		s.RetryWaitMax = max(defaultRetryWaitMax, s.RetryWaitMin)
	}
	if api.RateWindow <= 0 {
		api.RateWindow = time.Minute
	}
	if api.Redactor == nil {
		api.Redactor = NewRedactor()
	}
	if s.Logger == nil {
		s.Logger = nopLogger{}
	}
	base := *api.BaseURL
	api.BaseURL = &base

	tlsConfig, err := TLSConfig(s.CACertPEM, s.InsecureSkipVerify)
	if err != nil {
		return nil, err
	}
	pooled := cleanhttp.DefaultPooledTransport()
	pooled.TLSClientConfig = tlsConfig

	c := &Client{api: api, settings: s, waits: &waitLog{window: api.RateWindow}}
	rt := &transport{
		limiter: newWindowLimiter(api.RequestsPerWindow, api.RateWindow), timeout: s.Timeout,
		logger: s.Logger, redactor: api.Redactor, waits: c.waits,
		limit: fmt.Sprintf("%d per %s", api.RequestsPerWindow, api.RateWindow),
	}
	// No http.Client.Timeout: the per-attempt timeout starts after the rate
	// limiter lets the request go (see transport).
	reads := &http.Client{Transport: rt.over(pooled), CheckRedirect: c.checkRedirect}
	// net/http sends a GET again by itself when a reused connection fails
	// before the answer; Dr.Web writes are GETs, so they get connections of
	// their own that are never reused.
	single := pooled.Clone()
	single.DisableKeepAlives = true
	writes := &http.Client{Transport: rt.over(single), CheckRedirect: c.checkRedirect}
	retrying := func(hc *http.Client, retryMax int, policy retryablehttp.CheckRetry, wait retryablehttp.Backoff) *retryablehttp.Client {
		return &retryablehttp.Client{
			HTTPClient:   hc,
			RetryWaitMin: s.RetryWaitMin,
			RetryWaitMax: s.RetryWaitMax,
			RetryMax:     retryMax,
			CheckRetry:   policy,
			Backoff:      wait,
			ErrorHandler: retryablehttp.PassthroughErrorHandler,
		}
	}
	// A read's own two budgets bound its loop (see checkRetry); RetryMax
	// only bounds their sum.
	c.retry = retrying(reads, s.MaxRetries+maxRateLimitRounds, c.checkRetry, c.backoff)
	c.retryWrites = retrying(writes, s.MaxRetries, checkRetryWrite, backoff)
	return c, nil
}

// ParseBaseURL checks that s is an absolute http(s) URL without a query.
func ParseBaseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("the URL is empty")
	}
	// A URL in an error is shown without its user info: a password may be in it.
	shown := (*Redactor)(nil).urlString(s)
	u, err := url.Parse(s)
	if err != nil {
		cause := errors.Unwrap(err)
		if cause == nil {
			cause = err
		}
		return nil, fmt.Errorf("%q is not a valid URL: %s", shown, (*Redactor)(nil).urlString(cause.Error()))
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
func (c *Client) BaseURL() *url.URL { u := *c.api.BaseURL; return &u }

// Redactor returns the client's redactor, so that a vendor client can
// register secrets it learns at run time (a fetched token).
func (c *Client) Redactor() *Redactor { return c.api.Redactor }

// Timeout returns the per-request timeout.
func (c *Client) Timeout() time.Duration { return c.settings.Timeout }

// Logger returns the client's logger.
func (c *Client) Logger() Logger { return c.settings.Logger }

// Request is one API call. Path is joined to the base URL.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	// Write marks a request that changes something on the server (Dr.Web
	// writes are GETs, so the method cannot tell). It is sent again only
	// when it never reached a server; see WriteMayHaveHappened.
	Write bool
	// Once marks a write the server may receive twice without harm (an
	// idempotent action, such as OPSWAT's device action) whose caller
	// decides itself, and says so, whether to send it again after a lost
	// answer: a 429 that says how long to wait is waited out as for a read
	// (the server turned the request away), and nothing else is retried.
	Once bool
}

// Do sends req, retrying as configured, and reads the answer. An answer with
// a status of 400 or more is returned as an *APIError; a request that got no
// answer as a *RequestError.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	u := *c.api.BaseURL
	u.Path = c.api.BaseURL.Path + "/" + strings.TrimLeft(req.Path, "/")
	u.RawQuery = req.Query.Encode()
	redactedURL := c.api.Redactor.URL(&u)

	var body any
	if req.Body != nil {
		body = req.Body
	}
	tried := &attempts{once: req.Once}
	// sent tells whether any attempt of this request left: an interrupt
	// while the first one waits its turn at the limiter sent nothing.
	ctx, sent := WithSent(ctx)
	rreq, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, attemptsKey{}, tried), req.Method, u.String(), body)
	if err != nil {
		return nil, &RequestError{msg: c.api.Redactor.String(fmt.Sprintf("%s API: %s %s: %v", c.api.Vendor, req.Method, redactedURL, err)), err: err}
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			rreq.Header.Add(k, v)
		}
	}
	rreq.Header.Set("User-Agent", c.settings.UserAgent)

	// A write is never waited out or retried on an answer: a 429 may come
	// from a proxy after the write was carried out.
	rc := c.retry
	if req.Write {
		rc = c.retryWrites
	}
	resp, err := rc.Do(rreq)
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
		}
		return nil, c.requestError(ctx, req.Method, redactedURL, err, req.Write, req.Once, sent.To(u.Path) == 0)
	}
	defer resp.Body.Close()

	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return nil, c.requestError(ctx, req.Method, redactedURL, fmt.Errorf("reading the response body: %w", err), req.Write, req.Once, false)
	}
	out := &Response{
		StatusCode: resp.StatusCode, Header: resp.Header, Body: data,
		vendor: c.api.Vendor, method: req.Method, url: redactedURL, redactor: c.api.Redactor,
	}
	if len(data) > maxBodyBytes {
		out.Body = data[:snippetLen]
		e := out.Error(fmt.Sprintf("the response body is larger than %d bytes, more than this API ever sends", maxBodyBytes), nil)
		e.ShowBody = true
		return nil, e
	}
	if k := SniffBody(data); k == BodyJSON || k == BodyXML {
		c.answered.Store(true)
	}
	if resp.StatusCode >= 400 {
		if p := answerProblemOf(c.api.BaseURL, resp.StatusCode, data, c.answered.Load()); p != 0 {
			return nil, c.endpointError(p, out.Error("", nil))
		}
		e := out.Error("", nil)
		if c.api.ErrorMessage != nil && SniffBody(data) != BodyHTML {
			code, msg := c.api.ErrorMessage(data)
			e.Code, e.Message = c.api.Redactor.String(code), c.api.Redactor.String(msg)
		}
		if !req.Write && !req.Once && classify(resp, nil) == retryLater && c.settings.MaxRetries > 0 {
			e.Retries = c.settings.MaxRetries
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			limited := tried.limited
			if !req.Write {
				limited.wait, limited.source, limited.header = rateLimitWait(resp.Header, time.Now())
			}
			e.Message = joinMessage(e.Message, limited.String())
		} else if d, ok := RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && d > maxRetryAfter {
			e.Message = joinMessage(e.Message, fmt.Sprintf("the server asks to wait %s (Retry-After), longer than the provider waits (%s): try again later",
				d.Round(time.Second), maxRetryAfter))
		}
		return nil, e
	}
	return out, nil
}

// neverSent says that no attempt of the request left (the limiter or a
// prepare function stopped the first): no write can have happened.
func (c *Client) requestError(ctx context.Context, method, redactedURL string, err error, write, once, neverSent bool) error {
	retried := classify(nil, err) == retryLater
	switch {
	case once:
		retried = false
	case write:
		retried = nothingSent(err)
	}
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
	if p := endpointProblemOf(err); p != 0 && ctx.Err() == nil {
		msg := fmt.Sprintf("%s API: %s %s: %s", c.api.Vendor, method, redactedURL, detail)
		return c.endpointError(p, &RequestError{msg: c.api.Redactor.String(msg), err: err})
	}
	if retried && c.settings.MaxRetries > 0 && ctx.Err() == nil {
		detail += fmt.Sprintf(" (still failing after %d retries)", c.settings.MaxRetries)
	}
	msg := fmt.Sprintf("%s API: %s %s: %s", c.api.Vendor, method, redactedURL, detail)
	return &RequestError{msg: c.api.Redactor.String(msg), err: err, unsent: neverSent}
}

// endpointError wraps err, a request's error, as an *EndpointError.
func (c *Client) endpointError(p EndpointProblem, err error) error {
	base := c.api.BaseURL
	return &EndpointError{Vendor: c.api.Vendor, Problem: p, BaseURL: c.api.Redactor.URL(base), Host: base.Host, Path: base.Path, Err: err}
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
