package client

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A base URL that cannot lead to the API fails on the first attempt with an
// *EndpointError saying why, for reads and writes: the wrong scheme either
// way, a host DNS does not know, a path the API is not under. A retry would
// wait an hour first, past the test's own limit.
func TestEndpointProblemsAreNotRetried(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	notFound := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) })
	for name, tc := range map[string]struct {
		tls     *bool // nil: no server
		handler http.Handler
		url     func(*httptest.Server) string
		problem EndpointProblem
		want    string
	}{
		"https to plain http": {&no, notFound, func(s *httptest.Server) string { return strings.Replace(s.URL, "http://", "https://", 1) },
			HTTPSToPlainHTTP, "speaks plain HTTP, not HTTPS: the URL's scheme should be http://"},
		"http to tls": {&yes, notFound, func(s *httptest.Server) string { return strings.Replace(s.URL, "https://", "http://", 1) },
			HTTPToTLS, "speaks HTTPS, not plain HTTP: the URL's scheme should be https://"},
		"a path the api is not under": {&no, notFound, func(s *httptest.Server) string { return s.URL + "/esuite" },
			PathNotFound, `has no Test API under the path "/esuite" of the URL`},
		"unknown host": {nil, nil, func(*httptest.Server) string { return "http://no-such-host.invalid:9081" },
			UnknownHost, `the host "no-such-host.invalid" does not exist`},
	} {
		for _, write := range []bool{false, true} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				var conns atomic.Int32
				var srv *httptest.Server
				if tc.tls != nil {
					srv = httptest.NewUnstartedServer(tc.handler)
					srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
						if s == http.StateNew {
							conns.Add(1)
						}
					}
					if *tc.tls {
						srv.StartTLS()
					} else {
						srv.Start()
					}
					t.Cleanup(srv.Close)
				}
				cfg := testConfig{URL: tc.url(srv)}
				cfg.MaxRetries, cfg.RetryWaitMin, cfg.RetryWaitMax = 5, time.Hour, time.Hour
				c, err := cfg.new()
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				_, err = c.Do(ctx, Request{Method: http.MethodGet, Path: "/api/groups/list.ds", Write: write})
				var ee *EndpointError
				if !errors.As(err, &ee) || ee.Problem != tc.problem || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "not retried") {
					t.Fatalf("got %v, want an *EndpointError (%d) saying %q", err, tc.problem, tc.want)
				}
				if srv != nil && conns.Load() != 1 {
					t.Fatalf("%d connections, want 1: no retry", conns.Load())
				}
			})
		}
	}
}

// A 404 under a URL without a path, or one with an API body, is the API's
// own answer, not an endpoint problem.
func TestNotFoundAnswersAreNotEndpointProblems(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t, func(w http.ResponseWriter, _ *http.Request, _ int) { http.NotFound(w, nil) })
	var ee *EndpointError
	if _, err := get(c); err == nil || errors.As(err, &ee) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want a plain not-found answer", err)
	}
	c, _, _ = setup(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":"no such group"}`)
	}, func(tc *testConfig) { tc.URL += "/prefix" })
	if _, err := get(c); err == nil || errors.As(err, &ee) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want the API's not-found answer", err)
	}
}

// Once an answer with an API body came through a URL with a path, the API is
// under it: a bare 404 from one endpoint later (a proxy in front that knows
// some paths only) is that endpoint's answer, and the URL is not blamed.
func TestBare404AfterAnAPIAnswerIsNotAWrongPath(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"groups":[]}`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
	}, func(tc *testConfig) { tc.URL += "/drweb" })
	if _, err := get(c); err != nil {
		t.Fatal(err)
	}
	var ee *EndpointError
	if _, err := get(c); err == nil || errors.As(err, &ee) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want a plain not-found answer, not a wrong URL", err)
	}
}
