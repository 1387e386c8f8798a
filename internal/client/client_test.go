package client

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recordingLogger keeps every log line, to check what would reach TF_LOG.
type recordingLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *recordingLogger) add(level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %s %v", level, msg, fields))
}
func (l *recordingLogger) Trace(_ context.Context, m string, f map[string]any) { l.add("TRACE", m, f) }
func (l *recordingLogger) Debug(_ context.Context, m string, f map[string]any) { l.add("DEBUG", m, f) }
func (l *recordingLogger) Warn(_ context.Context, m string, f map[string]any)  { l.add("WARN", m, f) }
func (l *recordingLogger) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// setup starts a server whose handler answers attempt n (from 1) and returns
// a client for it with fast retries.
// testConfig is a test client's API and settings in one place.
type testConfig struct {
	API
	Settings
	URL string
}

// new returns the client, with a vendor named "Test" and a 2 s timeout
// unless the test chose others.
func (tc testConfig) new() (*Client, error) {
	u, err := ParseBaseURL(tc.URL)
	if err != nil {
		return nil, err
	}
	tc.BaseURL = u
	if tc.Vendor == "" {
		tc.Vendor = "Test"
	}
	if tc.Timeout == 0 {
		tc.Timeout = 2 * time.Second
	}
	return New(tc.API, tc.Settings)
}

func setup(t *testing.T, h func(w http.ResponseWriter, r *http.Request, n int), mod ...func(*testConfig)) (*Client, *atomic.Int32, *recordingLogger) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r, int(calls.Add(1)))
	}))
	t.Cleanup(srv.Close)
	log := &recordingLogger{}
	cfg := testConfig{URL: srv.URL}
	cfg.UserAgent, cfg.Logger = "terraform-provider-endpointgroups/test", log
	cfg.MaxRetries, cfg.RetryWaitMin, cfg.RetryWaitMax = 3, time.Millisecond, 5*time.Millisecond
	for _, m := range mod {
		m(&cfg)
	}
	c, err := cfg.new()
	if err != nil {
		t.Fatal(err)
	}
	return c, &calls, log
}

func get(c *Client) (*Response, error) {
	return c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/api/x"})
}

func TestRetriesTransientStatuses(t *testing.T) {
	t.Parallel()
	for _, status := range []int{429, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			c, calls, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if n < 3 {
					w.WriteHeader(status)
					return
				}
				_, _ = io.WriteString(w, `{"ok":true}`)
			})
			resp, err := get(c)
			if err != nil {
				t.Fatalf("want success after retries, got %v", err)
			}
			if string(resp.Body) != `{"ok":true}` || calls.Load() != 3 {
				t.Fatalf("body %q after %d calls, want the third answer", resp.Body, calls.Load())
			}
		})
	}
}

func TestDoesNotRetryAnswers(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 406, 413, 500} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			c, calls, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.WriteHeader(status)
			})
			_, err := get(c)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
				t.Fatalf("want *APIError with status %d, got %v", status, err)
			}
			if calls.Load() != 1 {
				t.Fatalf("status %d was sent %d times, want once", status, calls.Load())
			}
		})
	}
}

func TestRetriesAreBounded(t *testing.T) {
	t.Parallel()
	c, calls, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	})
	_, err := get(c)
	if calls.Load() != 4 {
		t.Fatalf("want 1 attempt + 3 retries, got %d", calls.Load())
	}
	want := `Test API: GET ` + c.BaseURL().String() + `/api/x: HTTP 502 Bad Gateway; the body starts with "<html><body><h1>502 Bad Gateway</h1></body></html>" (still failing after 3 retries)`
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n got %v\nwant %s", err, want)
	}
}

func TestRetriesConnectionErrors(t *testing.T) {
	t.Parallel()
	c, calls, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n < 3 {
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			_ = conn.Close() // connection reset before any answer
			return
		}
		_, _ = io.WriteString(w, "{}")
	})
	if _, err := get(c); err != nil {
		t.Fatalf("want success after the connection came back, got %v", err)
	}
	if calls.Load() != 3 {
		t.Fatalf("got %d attempts, want 3", calls.Load())
	}
}

func TestHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	var first time.Time
	var gap time.Duration
	c, _, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		gap = time.Since(first)
		_, _ = io.WriteString(w, "{}")
	})
	if _, err := get(c); err != nil {
		t.Fatal(err)
	}
	// The backoff alone would wait at most 5 ms.
	if gap < 900*time.Millisecond {
		t.Fatalf("retried %s after a 429 with Retry-After: 1, want about a second", gap)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"99999", 24 * time.Hour, true},
		{"Sun, 22 Nov 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Sun, 22 Nov 2026 11:00:00 GMT", 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	} {
		got, ok := RetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("RetryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	// A Retry-After on the answer decides the wait; without one, the jittered
	// exponential backoff stays within its bounds.
	resp := &http.Response{Header: http.Header{"Retry-After": {"3"}}}
	if d := backoff(time.Millisecond, time.Second, 0, resp); d != 3*time.Second {
		t.Errorf("backoff with Retry-After: 3 = %s", d)
	}
	for attempt := range 30 {
		if d := backoff(100*time.Millisecond, 2*time.Second, attempt, nil); d < 50*time.Millisecond || d > 2*time.Second {
			t.Errorf("backoff(attempt %d) = %s, outside [50ms, 2s]", attempt, d)
		}
	}
}

// An interrupt ends a wait at once: a retry's backoff (503) and a
// rate-limit window (429) alike.
func TestCancelStopsRetryWait(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			c, calls, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.Header().Set("Retry-After", "60")
				w.WriteHeader(status)
			})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := c.Do(ctx, Request{Method: http.MethodGet, Path: "/x"})
				done <- err
			}()
			for calls.Load() == 0 {
				time.Sleep(time.Millisecond)
			}
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) || calls.Load() != 1 {
					t.Fatalf("%d calls; want context.Canceled, got %v", calls.Load(), err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the client kept waiting for Retry-After after its context was cancelled")
			}
		})
	}
}

// Each attempt has its own timeout, and a timeout is retried. The attempts
// are counted where they are made: on a loaded machine an attempt can time
// out before its request reaches the server.
func TestRequestTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	c, calls, log := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, func(cfg *testConfig) { cfg.Timeout = 250 * time.Millisecond; cfg.MaxRetries = 1 })
	_, err := get(c)
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || !strings.Contains(err.Error(), "no answer within the request timeout of 250ms") {
		t.Fatalf("want a timeout error naming the timeout, got %v", err)
	}
	if n := strings.Count(log.String(), "sending API request"); n != 2 || calls.Load() > 2 {
		t.Fatalf("want 2 attempts (1 retry), got %d (the server saw %d)", n, calls.Load())
	}
}

func TestTypedErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		want   error
	}{{404, ErrNotFound}, {401, ErrUnauthorized}, {403, ErrUnauthorized}, {429, ErrRateLimited}} {
		c, _, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, `{"error":{"message":"nope"}}`)
		}, func(cfg *testConfig) {
			cfg.MaxRetries = 0
			cfg.ErrorMessage = func(body []byte) (string, string) { return "", "vendor says nope" }
		})
		_, err := get(c)
		if !errors.Is(err, tc.want) {
			t.Errorf("status %d: errors.Is(%v, %v) is false", tc.status, err, tc.want)
		}
		if !strings.HasSuffix(err.Error(), ": vendor says nope") {
			t.Errorf("status %d: error %q does not end with the vendor's message", tc.status, err)
		}
		for _, other := range []error{ErrNotFound, ErrUnauthorized, ErrRateLimited} {
			if !errors.Is(other, tc.want) && errors.Is(err, other) {
				t.Errorf("status %d also matches %v", tc.status, other)
			}
		}
	}
	kinded := &APIError{StatusCode: 200, Kind: ErrInvalidJSON}
	if !errors.Is(kinded, ErrInvalidJSON) || errors.Is(kinded, ErrNotFound) {
		t.Error("an APIError with Kind ErrInvalidJSON matches it, and only it")
	}
}

// Every way a request ends rate limited matches ErrRateLimited, and only
// that sentinel: retries spent on bare 429s, the windows spent, a window
// longer than the client waits, and a write's one 429.
func TestRateLimitFailuresMatchErrRateLimited(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		header string
		value  string
		req    Request
		calls  int32
	}{
		{name: "retries spent", req: Request{Method: http.MethodGet, Path: "/api/x"}, calls: 4},
		{name: "windows spent", header: "Retry-After", value: "0", req: Request{Method: http.MethodGet, Path: "/api/x"}, calls: maxRateLimitRounds + 1},
		{name: "window too long", header: "X-RateLimit-Reset-Time", value: "3600", req: Request{Method: http.MethodGet, Path: "/api/x"}, calls: 1},
		{name: "write", req: Request{Method: http.MethodGet, Path: "/api/add", Write: true}, calls: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, calls, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if tc.header != "" {
					w.Header().Set(tc.header, tc.value)
				}
				w.WriteHeader(http.StatusTooManyRequests)
			})
			_, err := c.Do(context.Background(), tc.req)
			if !errors.Is(err, ErrRateLimited) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnauthorized) {
				t.Fatalf("want an error matching ErrRateLimited only, got %v", err)
			}
			if calls.Load() != tc.calls {
				t.Fatalf("the server saw %d requests, want %d", calls.Load(), tc.calls)
			}
		})
	}
	c, _, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(http.StatusServiceUnavailable) })
	if _, err := get(c); err == nil || errors.Is(err, ErrRateLimited) {
		t.Fatalf("a 503 is no rate limit: %v", err)
	}
}

func TestUnexpectedBodies(t *testing.T) {
	t.Parallel()
	html := "<!DOCTYPE html><html><head><title>Login required</title></head><body>Please sign in</body></html>"
	c, _, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, html)
	})
	resp, err := get(c)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	err = resp.DecodeJSON(&v)
	want := `Test API: GET ` + c.BaseURL().String() + `/api/x: HTTP 200 OK: expected a JSON body, got an HTML page (Content-Type text/html); a proxy or a wrong URL answers like this: check the server URL; the body starts with "<!DOCTYPE html><html><head><title>Login required</title></head><body>Please sign in</body></html>"`
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n got %v\nwant %s", err, want)
	}

	for _, tc := range []struct{ body, want string }{
		{`{"a":`, "the JSON body does not match the documented format: unexpected end of JSON input"},
		{``, "expected a JSON body, got an empty body"},
		{`plain text`, "expected a JSON body, got a body that is neither JSON nor XML"},
		{`<a><b></a>`, "expected a JSON body, got XML"},
	} {
		r := &Response{StatusCode: 200, Header: http.Header{}, Body: []byte(tc.body), vendor: "Test"}
		if err := r.DecodeJSON(&v); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeJSON(%q) = %v, want it to say %q", tc.body, err, tc.want)
		}
	}
	r := &Response{StatusCode: 200, Header: http.Header{}, Body: []byte(`<a><b></a>`), vendor: "Test"}
	var x struct{}
	if err := r.DecodeXML(&x); err == nil || !strings.Contains(err.Error(), "the XML body does not match the documented format") {
		t.Errorf("DecodeXML of broken XML = %v", err)
	}
}

func TestBodySizeCap(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		_, _ = io.WriteString(w, "["+strings.Repeat(`"xxxxxxx",`, maxBodyBytes/10+1))
	}, func(cfg *testConfig) { cfg.Timeout, cfg.MaxRetries = time.Minute, 0 })
	_, err := get(c)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("the response body is larger than %d bytes", maxBodyBytes)) ||
		!strings.Contains(err.Error(), `the body starts with "[\"xxxxxxx\",`) {
		t.Fatalf("want a body-size error, got %v", err)
	}
}

func TestSecretsNeverInLogsOrErrors(t *testing.T) {
	t.Parallel()
	const token, secret, password = "tok-s3cr3t-value", "client-s3cr3t", "p@ss word"
	c, _, log := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.WriteHeader(http.StatusUnauthorized)
		// A server that echoes what it got must not leak it through us.
		_, _ = fmt.Fprintf(w, `{"error":"token %s is invalid","auth":%q}`, r.URL.Query().Get("access_token"), r.Header.Get("Authorization"))
	}, func(cfg *testConfig) {
		cfg.Redactor = NewRedactor(password, "Basic YWRtaW46cEBzcyB3b3Jk")
		cfg.ErrorMessage = func(body []byte) (string, string) { return "", string(body) }
	})
	c.Redactor().Add(token) // learnt at run time, like a fetched OAuth token
	_, err := c.Do(context.Background(), Request{
		Method: http.MethodPost, Path: "/o/oauth/token",
		Query:  map[string][]string{"access_token": {token}},
		Header: http.Header{"Authorization": {"Basic YWRtaW46cEBzcyB3b3Jk"}, "Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   []byte("client_id=abc&client_secret=" + secret + "&grant_type=client_credentials"),
	})
	if err == nil {
		t.Fatal("want an error")
	}
	// The connection error path: nothing listens on this port.
	deadCfg := testConfig{URL: "http://127.0.0.1:1"}
	deadCfg.Redactor = NewRedactor(token)
	dead, _ := deadCfg.new()
	_, err2 := dead.Do(context.Background(), Request{Method: http.MethodGet, Path: "/x", Query: map[string][]string{"access_token": {token}}})
	if err2 == nil {
		t.Fatal("want a connection error")
	}
	everything := err.Error() + "\n" + err2.Error() + "\n" + log.String()
	for _, s := range []string{token, secret, password, "YWRtaW46cEBzcyB3b3Jk", "p%40ss+word"} {
		if strings.Contains(everything, s) {
			t.Errorf("secret %q leaked into:\n%s", s, everything)
		}
	}
	for _, s := range []string{"access_token=REDACTED", "client_secret=REDACTED", "client_id=abc"} {
		if !strings.Contains(everything, s) {
			t.Errorf("want %q in the logs or errors:\n%s", s, everything)
		}
	}
}

func TestUserAgentAndLogging(t *testing.T) {
	t.Parallel()
	var ua string
	c, _, log := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		ua = r.Header.Get("User-Agent")
		_, _ = io.WriteString(w, `{"a":1}`)
	})
	if _, err := get(c); err != nil {
		t.Fatal(err)
	}
	if ua != "terraform-provider-endpointgroups/test" {
		t.Errorf("User-Agent = %q", ua)
	}
	out := log.String()
	for _, s := range []string{"DEBUG sending API request", "DEBUG received API response", "status:200", `TRACE API response body map[body:{"a":1}`} {
		if !strings.Contains(out, s) {
			t.Errorf("log lacks %q:\n%s", s, out)
		}
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "{}") }))
	t.Cleanup(srv.Close)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))

	try := func(s Settings) error {
		s.MaxRetries = 2
		c, err := testConfig{URL: srv.URL, Settings: s}.new()
		if err != nil {
			return err
		}
		_, err = get(c)
		return err
	}
	if err := try(Settings{}); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("an unknown CA must fail verification (and not be retried), got %v", err)
	}
	if err := try(Settings{CACertPEM: caPEM}); err != nil {
		t.Errorf("with the server's CA: %v", err)
	}
	if err := try(Settings{InsecureSkipVerify: true}); err != nil {
		t.Errorf("with verification off: %v", err)
	}
	if err := try(Settings{CACertPEM: "not a pem"}); err == nil || !strings.Contains(err.Error(), "holds no certificate") {
		t.Errorf("a PEM without certificates: %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":               "the URL is empty",
		"ftp://x":        "is not an http:// or https:// URL",
		"https://":       "has no host",
		"https://h/?a=1": "must not have a query",
	} {
		if _, err := ParseBaseURL(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseBaseURL(%q) = %v, want %q", in, err, want)
		}
	}
	u, _ := ParseBaseURL("https://h")
	for _, tc := range []struct {
		api  API
		s    Settings
		want string
	}{
		{API{BaseURL: u}, Settings{Timeout: time.Second}, "API.Vendor is required"},
		{API{Vendor: "T"}, Settings{Timeout: time.Second}, "API.BaseURL is required"},
		{API{Vendor: "T", BaseURL: u}, Settings{}, "the request timeout must be positive, got 0s"},
		{API{Vendor: "T", BaseURL: u}, Settings{Timeout: -time.Second}, "must be positive"},
		{API{Vendor: "T", BaseURL: u}, Settings{Timeout: time.Second, MaxRetries: -1}, "max retries must be 0 or more"},
	} {
		if _, err := New(tc.api, tc.s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v, %+v) = %v, want %q", tc.api, tc.s, err, tc.want)
		}
	}
}

func TestSniffBody(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]BodyKind{
		"":                         BodyEmpty,
		"  \n":                     BodyEmpty,
		` {"a":1}`:                 BodyJSON,
		"[]":                       BodyJSON,
		"\xef\xbb\xbf<?xml ?><a/>": BodyXML,
		"<drweb-es-api/>":          BodyXML,
		"<!DOCTYPE html><p>":       BodyHTML,
		"<HTML><BODY>x":            BodyHTML,
		"Bad Gateway":              BodyOther,
	} {
		if got := SniffBody([]byte(in)); got != want {
			t.Errorf("SniffBody(%q) = %v, want %v", in, got, want)
		}
	}
}

// A 429 that says how long to wait is waited out outside the retry budget,
// from Retry-After or the documented X-RateLimit-Reset-Time; a wait longer
// than the client's cap fails at once with what the server asked for.
func TestRateLimitWindowsAreWaitedOut(t *testing.T) {
	t.Parallel()
	for name, header := range map[string][2]string{
		"Retry-After":            {"Retry-After", "1"},
		"X-RateLimit-Reset-Time": {"X-RateLimit-Reset-Time", "0.2"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, calls, log := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if n <= 4 { // more 429s than max_retries (2)
					w.Header().Set(header[0], header[1])
					w.Header().Set("X-RateLimit-Remaining", "0")
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				_, _ = io.WriteString(w, `{"ok":true}`)
			})
			start := time.Now()
			if _, err := get(c); err != nil {
				t.Fatalf("a rate-limit window used up the retries: %v", err)
			}
			if calls.Load() != 5 {
				t.Fatalf("%d calls, want 5", calls.Load())
			}
			report := c.Waited(start)
			if !report.rateLimitedAnswer || report.RateLimited <= 0 || report.Requests != 5 {
				t.Fatalf("report %+v", report)
			}
			if !strings.Contains(log.String(), "the API is rate limited; waiting as it asks") {
				t.Fatalf("no log line:\n%s", log.String())
			}
		})
	}
	t.Run("longer than the cap", func(t *testing.T) {
		t.Parallel()
		c, calls, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("X-RateLimit-Reset-Time", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		})
		_, err := get(c)
		if err == nil || calls.Load() != 1 || !strings.Contains(err.Error(), "the API is rate limited and asks to wait 1h0m0s (X-RateLimit-Reset-Time), longer than the provider waits (5m0s)") {
			t.Fatalf("%d calls: %v", calls.Load(), err)
		}
	})
	t.Run("Retry-After longer than the cap", func(t *testing.T) {
		t.Parallel()
		c, calls, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		})
		_, err := get(c)
		if err == nil || calls.Load() != 1 || !strings.Contains(err.Error(), "the API is rate limited and asks to wait 1h0m0s (Retry-After), longer than the provider waits (5m0s)") {
			t.Fatalf("%d calls: %v", calls.Load(), err)
		}
	})
}

// One loop retries a read, with two budgets: 429s that say how long to wait
// do not spend max_retries, and errors that do never spend the windows.
func TestRetryBudgetsInOneLoop(t *testing.T) {
	t.Parallel()
	window := func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
	}
	t.Run("windows between retries", func(t *testing.T) {
		t.Parallel()
		// max_retries is 3: three 503s and four windows still succeed.
		c, calls, log := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
			switch {
			case n <= 7 && n%2 == 1:
				window(w)
			case n <= 6:
				w.WriteHeader(http.StatusServiceUnavailable)
			default:
				_, _ = io.WriteString(w, `{"ok":true}`)
			}
		})
		if _, err := get(c); err != nil || calls.Load() != 8 {
			t.Fatalf("%d calls: %v", calls.Load(), err)
		}
		if got := strings.Count(log.String(), "the API is rate limited; waiting as it asks"); got != 4 {
			t.Fatalf("%d window log lines, want 4:\n%s", got, log.String())
		}
	})
	t.Run("retries run out", func(t *testing.T) {
		t.Parallel()
		c, calls, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				window(w)
				return
			}
			w.WriteHeader(http.StatusBadGateway)
		})
		_, err := get(c)
		if err == nil || calls.Load() != 5 || !strings.Contains(err.Error(), "retries") {
			t.Fatalf("%d calls, want 1 window and 1 + 3 retries: %v", calls.Load(), err)
		}
	})
	t.Run("windows run out", func(t *testing.T) {
		t.Parallel()
		c, calls, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) { window(w) })
		_, err := get(c)
		if err == nil || calls.Load() != maxRateLimitRounds+1 ||
			!strings.Contains(err.Error(), fmt.Sprintf("still rate limited after waiting out %d windows", maxRateLimitRounds)) {
			t.Fatalf("%d calls: %v", calls.Load(), err)
		}
	})
}

// When the server has less of the account's budget left than the client's
// own pacing assumes, the client paces to the server's figure.
func TestLimiterPacesToTheServersBudget(t *testing.T) {
	t.Parallel()
	l := newWindowLimiter(10, time.Minute)
	now := time.Now()
	release, _, _ := l.Wait(context.Background())
	l.Observe(http.Header{"X-Ratelimit-Remaining": {"1"}, "X-Ratelimit-Reset-Time": {"30"}}, now)
	release()
	// One more goes; the next waits for the server's window to reset.
	if _, _, err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := l.Wait(ctx); err == nil {
		t.Fatal("the limiter let a request past the server's remaining budget")
	}
}

// A write is sent once whatever answer comes back: a 429 or a 5xx may come
// from a proxy after the server carried it out, so the vendor client must
// look instead. Each leaves the outcome open.
func TestWritesAreSentOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		header string
	}{{429, "0"}, {429, ""}, {502, ""}, {503, ""}, {504, ""}, {500, ""}} {
		t.Run(fmt.Sprint(tc.status, " Retry-After ", tc.header), func(t *testing.T) {
			t.Parallel()
			c, calls, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if tc.header != "" {
					w.Header().Set("Retry-After", tc.header)
				}
				w.WriteHeader(tc.status)
			})
			_, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/api/add", Write: true})
			if err == nil || calls.Load() != 1 || !WriteMayHaveHappened(err) {
				t.Fatalf("%v after %d attempts; may have happened: %v", err, calls.Load(), WriteMayHaveHappened(err))
			}
		})
	}
	// An answer of 4xx proves nothing was carried out.
	c, _, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(http.StatusUnauthorized) })
	if _, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/api/add", Write: true}); err == nil || WriteMayHaveHappened(err) {
		t.Fatalf("a 401: %v", err)
	}
}

// A write that never reached a server (the connection was refused) is sent
// again within the retry budget, and its error says nothing happened.
func TestRefusedWriteConnectionIsRetried(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	cfg := testConfig{URL: url}
	cfg.MaxRetries, cfg.RetryWaitMin, cfg.RetryWaitMax = 2, time.Millisecond, 5*time.Millisecond
	log := &recordingLogger{}
	cfg.Logger = log
	c, err := cfg.new()
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/api/add", Write: true})
	if err == nil || WriteMayHaveHappened(err) || !strings.Contains(err.Error(), "still failing after 2 retries") {
		t.Fatalf("got %v", err)
	}
	if n := strings.Count(log.String(), "sending API request"); n != 3 {
		t.Fatalf("%d attempts, want 3", n)
	}
}

// An idempotent write (Once) waits out a 429 that says how long to wait,
// as a read does, and is sent once on anything else: the caller decides,
// and says so, whether to send it again after a lost answer.
func TestOnceWritesWaitOutRateLimitsOnly(t *testing.T) {
	t.Parallel()
	c, calls, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set("X-RateLimit-Reset-Time", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
	})
	if _, err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/o/api/v3/devices/action", Once: true}); err != nil || calls.Load() != 2 {
		t.Fatalf("%v after %d attempts, want an answer after 2", err, calls.Load())
	}
	for _, status := range []int{429, 500, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			c, calls, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(status) })
			_, err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/o/api/v3/devices/action", Once: true})
			if err == nil || calls.Load() != 1 || strings.Contains(err.Error(), "retries") {
				t.Fatalf("%v after %d attempts, want one", err, calls.Load())
			}
		})
	}
}

// A write interrupted while its only attempt waits its turn at the rate
// limiter never left: it cannot have happened. One interrupted after an
// attempt left may have.
func TestWriteInterruptedAtTheLimiterNeverHappened(t *testing.T) {
	t.Parallel()
	c, calls, _ := setup(t, func(w http.ResponseWriter, _ *http.Request, _ int) {}, func(tc *testConfig) {
		tc.RequestsPerWindow, tc.RateWindow = 1, time.Hour
	})
	if _, err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/api/first", Write: true}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Do(ctx, Request{Method: http.MethodPost, Path: "/api/second", Write: true})
	if err == nil || WriteMayHaveHappened(err) || calls.Load() != 1 {
		t.Fatalf("got %v after %d requests; may have happened: %v, want an error that proves nothing was sent", err, calls.Load(), WriteMayHaveHappened(err))
	}
}
