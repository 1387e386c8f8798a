package client

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
)

// EndpointProblem is why a base URL does not lead to the API, whatever the
// number of tries: the scheme does not match what the server speaks, the
// host does not exist, or the URL's path leads somewhere else.
type EndpointProblem int

// The problems an EndpointError reports.
const (
	// HTTPSToPlainHTTP: an https:// URL, and the server answered in plain HTTP.
	HTTPSToPlainHTTP EndpointProblem = iota + 1
	// HTTPToTLS: an http:// URL, and the server wants TLS (it said so in a 400).
	HTTPToTLS
	// UnknownHost: DNS says the host does not exist.
	UnknownHost
	// PathNotFound: a URL with a path, and the server answered 404 with no
	// API body: the API is not under that path.
	PathNotFound
)

// EndpointError is a request whose base URL cannot lead to the API. It is
// never retried. Err is the request's own error (a *RequestError or an
// *APIError), so errors.As finds it too.
type EndpointError struct {
	Vendor  string
	Problem EndpointProblem
	BaseURL string // redacted
	Host    string
	Path    string // PathNotFound: the URL's path
	Err     error
}

func (e *EndpointError) Error() string {
	var why string
	switch e.Problem {
	case HTTPSToPlainHTTP:
		why = fmt.Sprintf("the server at %s speaks plain HTTP, not HTTPS: the URL's scheme should be http://", e.Host)
	case HTTPToTLS:
		why = fmt.Sprintf("the server at %s speaks HTTPS, not plain HTTP: the URL's scheme should be https://", e.Host)
	case UnknownHost:
		name := e.Host
		if h, _, err := net.SplitHostPort(e.Host); err == nil {
			name = h
		}
		why = fmt.Sprintf("the host %q does not exist (DNS knows no such name): the URL's host is misspelt or not resolvable from here", name)
	case PathNotFound:
		why = fmt.Sprintf("the server has no %s API under the path %q of the URL %s: the API usually lives at the server's root, so the URL should be the scheme and host (and port) only",
			e.Vendor, e.Path, e.BaseURL)
	}
	return fmt.Sprintf("%v; %s (not retried: no retry can fix it)", e.Err, why)
}

func (e *EndpointError) Unwrap() error { return e.Err }

// endpointProblemOf tells the problem of a request that got no answer, or 0.
func endpointProblemOf(err error) EndpointProblem {
	var dns *net.DNSError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, http.ErrSchemeMismatch):
		return HTTPSToPlainHTTP
	case errors.As(err, &dns) && dns.IsNotFound:
		return UnknownHost
	}
	return 0
}

// tlsRequired are what servers answer, in a 400, to plain HTTP on a TLS
// port (Go: "Client sent an HTTP request to an HTTPS server", nginx: "The
// plain HTTP request was sent to HTTPS port", Apache: "speaking plain HTTP
// to an SSL-enabled server port"). No status or header says it.
var tlsRequired = [][]byte{[]byte("HTTP request to an HTTPS server"), []byte("plain HTTP request was sent to HTTPS port"), []byte("plain HTTP to an SSL-enabled")}

// answerProblemOf tells the endpoint problem an answer shows, or 0.
// answered says whether an earlier answer through base had an API body: a
// bare 404 then comes from one endpoint of an API that is there (a proxy in
// front, say), and the path is not to blame.
func answerProblemOf(base *url.URL, status int, body []byte, answered bool) EndpointProblem {
	switch {
	case status == http.StatusBadRequest && base.Scheme == "http":
		for _, t := range tlsRequired {
			if bytes.Contains(body, t) {
				return HTTPToTLS
			}
		}
	case status == http.StatusNotFound && base.Path != "" && !answered:
		if k := SniffBody(body); k != BodyJSON && k != BodyXML {
			return PathNotFound
		}
	}
	return 0
}
