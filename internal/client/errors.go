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
	// ShowBody: the body is not what the API documents, so its first
	// bytes are quoted even when there is a message.
	ShowBody bool

	// Kind, when set, is the sentinel this error matches regardless of its
	// status (ErrInvalidJSON).
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
	if e.Body != "" && (e.Message == "" || e.ShowBody) {
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

// ErrInvalidJSON marks an APIError about a body that looks like JSON but is
// not valid JSON (a syntax error, not a value of an unexpected type).
var ErrInvalidJSON = errors.New("invalid JSON")

// RequestError is a request that got no usable answer: a connection error,
// a timeout, a cancelled context. Its message is redacted; Unwrap gives the
// cause so that errors.Is(err, context.Canceled) works.
type RequestError struct {
	msg    string
	err    error
	unsent bool // no attempt left: see WriteMayHaveHappened
}

func (e *RequestError) Error() string { return e.msg }
func (e *RequestError) Unwrap() error { return e.err }

// ConfigError is a vendor configuration that cannot work. Field is the name
// of the vendor Config field it is about, so that the caller can point at
// its own name for that setting (an attribute, an environment variable).
type ConfigError struct {
	Vendor  string
	Field   ConfigField   // opswat.FieldBaseURL, drweb.FieldLogin, …
	Problem ConfigProblem // what is wrong with it
	Other   ConfigField   // Missing: the field given without it; Conflict: the field it conflicts with
	Err     error         // Invalid: why
}

// ConfigField names a field of a vendor's Config. Each vendor package
// exports its own, so that a caller that maps them to its settings names
// them in code a rename breaks at compile time.
type ConfigField string

// ConfigProblem says what is wrong with a configuration field.
type ConfigProblem int

// The problems a ConfigError reports.
const (
	Missing  ConfigProblem = iota + 1 // not given, but needed (with Other, if given: needed with Other)
	Conflict                          // given together with Other, which excludes it
	Invalid                           // given, but not a usable value (Err says why)
)

func (e *ConfigError) Error() string {
	switch e.Problem {
	case Missing:
		if e.Other != "" {
			return fmt.Sprintf("%s configuration: %s is given but %s is missing", e.Vendor, e.Other, e.Field)
		}
		return fmt.Sprintf("%s configuration: %s is missing", e.Vendor, e.Field)
	case Conflict:
		return fmt.Sprintf("%s configuration: give %s or %s, not both", e.Vendor, e.Field, e.Other)
	}
	return fmt.Sprintf("%s configuration: %s: %v", e.Vendor, e.Field, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }
