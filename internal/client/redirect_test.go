package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// elsewhere is a server that must never hear from the client: it counts
// what reaches it, credentials included.
func elsewhere(t *testing.T, tls bool) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var got atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
	})
	srv := httptest.NewServer(h)
	if tls {
		srv.Close()
		srv = httptest.NewTLSServer(h)
	}
	t.Cleanup(srv.Close)
	return srv, &got
}

func redirecting(t *testing.T, tls bool, status int, to func(r *http.Request) string) *Client {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/moved") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true}`)
			return
		}
		http.Redirect(w, r, to(r), status)
	})
	srv := httptest.NewServer(h)
	if tls {
		srv.Close()
		srv = httptest.NewTLSServer(h)
	}
	t.Cleanup(srv.Close)
	cfg := testConfig{URL: srv.URL}
	cfg.MaxRetries, cfg.InsecureSkipVerify, cfg.Redactor = 3, tls, NewRedactor("form-secret-value", "query-token-value")
	c, err := cfg.new()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func credentialed(method string) Request {
	r := Request{
		Method: method, Path: "/api/x",
		Query:  map[string][]string{"access_token": {"query-token-value"}},
		Header: http.Header{"Authorization": {"Basic YWRtaW46cHc="}},
	}
	if method == http.MethodPost {
		r.Body = []byte("client_secret=form-secret-value")
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r
}

func TestRedirectsKeepCredentialsHome(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		tls    bool
		status int
		method string
		other  bool // redirect to the other server
		want   string
	}{
		"https to http":          {tls: true, status: 301, method: http.MethodGet, other: true, want: "never follows a redirect from https:// to plain http://"},
		"307 to another port":    {status: 307, method: http.MethodPost, other: true, want: "does not send credentials to another origin (scheme, host and port) than the one configured: if that is the right server, set the URL to http://127.0.0.1:"},
		"308 GET to another one": {status: 308, method: http.MethodGet, other: true, want: "set the URL to http://127.0.0.1:"},
		"302 of a POST":          {status: 302, method: http.MethodPost, want: "would turn the POST into a GET without its body (HTTP 302 does that"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			other, reached := elsewhere(t, false)
			c := redirecting(t, tc.tls, tc.status, func(r *http.Request) string {
				if tc.other {
					return other.URL + "/steal?" + r.URL.RawQuery
				}
				return "/moved"
			})
			_, err := c.Do(context.Background(), credentialed(tc.method))
			var re *RedirectError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if tc.other && !strings.Contains(err.Error(), "redirecting to "+other.URL+"/steal") {
				t.Errorf("the error does not name where the server wanted to go: %v", err)
			}
			for _, secret := range []string{"query-token-value", "form-secret-value", "YWRtaW46cHc="} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("%s leaked into %v", secret, err)
				}
			}
			if n := reached.Load(); n != 0 {
				t.Fatalf("the other origin received %d requests", n)
			}
			if strings.Contains(err.Error(), "still failing") {
				t.Errorf("a refused redirect was retried: %v", err)
			}
		})
	}
}

func TestRedirectWithinTheOriginIsFollowed(t *testing.T) {
	t.Parallel()
	c := redirecting(t, false, http.StatusFound, func(*http.Request) string { return "/moved" })
	resp, err := c.Do(context.Background(), credentialed(http.MethodGet))
	if err != nil || string(resp.Body) != `{"ok":true}` {
		t.Fatalf("%v, %v", resp, err)
	}
}
