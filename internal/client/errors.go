package client

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinels for errors.Is; an *APIError matches the one its status implies.
var (
	ErrNotFound     = errors.New("not found")
	ErrUnauthorized = errors.New("unauthorized")
	ErrRateLimited  = errors.New("rate limited")
)

// APIError is an answer from a vendor API that reports a failure: an HTTP
// status of 400 or more, a body that is not what the API documents, or a
// vendor-level error inside a 200 answer. Every string in it is redacted.
type APIError struct {
	Vendor     string // "OPSWAT", "Dr.Web"
	Method     string
	URL        string // redacted
	StatusCode int
	Code       string // vendor error code, when the body carries one
	Message    string // vendor error message, or what was wrong with the body
	Body       string // first bytes of the body, redacted
	Retries    int    // how many retries were made before giving up

	// Kind, when set, is the sentinel this error matches regardless of its
	// status (a vendor that reports "not found" inside a 200 answer).
	Kind error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s API: %s %s: HTTP %d", e.Vendor, e.Method, e.URL, e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": error %s", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Body != "" && (e.Message == "" || errors.Is(e.Kind, errUnexpectedBody)) {
		fmt.Fprintf(&b, "; the body starts with %q", e.Body)
	}
	if e.Retries > 0 {
		fmt.Fprintf(&b, " (still failing after %d retries)", e.Retries)
	}
	return b.String()
}

// Is reports whether the error matches one of the package's sentinels.
func (e *APIError) Is(target error) bool {
	if e.Kind != nil && errors.Is(e.Kind, target) {
		return true
	}
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// errUnexpectedBody marks an APIError about a body of the wrong kind, whose
// snippet is always worth showing.
var errUnexpectedBody = errors.New("unexpected body")

// ErrInvalidJSON marks an APIError about a body that looks like JSON but is
// not valid JSON (a syntax error, not a value of an unexpected type).
var ErrInvalidJSON = fmt.Errorf("%w: invalid JSON", errUnexpectedBody)

// RequestError is a request that got no usable answer: a connection error,
// a timeout, a cancelled context. Its message is redacted; Unwrap gives the
// cause so that errors.Is(err, context.Canceled) works.
type RequestError struct {
	msg string
	err error
}

func (e *RequestError) Error() string { return e.msg }
func (e *RequestError) Unwrap() error { return e.err }
