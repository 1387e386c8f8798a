package client

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Redacted replaces every secret in logs and error messages.
const Redacted = "REDACTED"

// sensitiveQueryKeys are query (and form) parameters whose values are always
// secrets, known in advance or not.
var sensitiveQueryKeys = []string{"access_token", "refresh_token", "client_secret", "password", "token"}

// Redactor removes secrets from text. It knows secrets two ways: by value
// (configured tokens, passwords, Basic credentials, tokens fetched at run
// time) and by the name of the query parameter that carries them.
// It is safe for concurrent use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string // longest first, so a secret that contains another goes whole
}

// NewRedactor returns a Redactor that knows the given secrets.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// minSecretLen is the shortest value replaced wherever it stands: shorter
// ones would turn every log line into noise. They are still redacted where
// they travel by name (query parameters, forms), and the Authorization header
// is never logged.
const minSecretLen = 4

// Add registers more secret values; values shorter than minSecretLen are ignored.
func (r *Redactor) Add(secrets ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) < minSecretLen || contains(r.secrets, s) {
			continue
		}
		r.secrets = append(r.secrets, s)
		// The same secret as it appears percent-encoded in a URL.
		if q := url.QueryEscape(s); q != s && !contains(r.secrets, q) {
			r.secrets = append(r.secrets, q)
		}
	}
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// sensitiveFields finds the values of sensitive fields in JSON and XML
// bodies (a token answer, a server echoing a form), including a value cut
// off where a logged body ends.
var sensitiveFields = regexp.MustCompile(
	`("(?:access_token|refresh_token|id_token|client_secret|password|token)"\s*:\s*")(?:[^"\\]|\\.)*("|$)` +
		`|(<(access_token|refresh_token|id_token|client_secret|password|token)>)[^<]*(</|$)`)

// String returns s with every known secret, and the value of every
// sensitive JSON or XML field, replaced by REDACTED.
func (r *Redactor) String(s string) string {
	s = sensitiveFields.ReplaceAllString(s, "${1}${3}"+Redacted+"${2}${5}")
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, Redacted)
	}
	return s
}

// URL returns u as a string with sensitive query values and user info
// replaced, then any known secret replaced wherever it stands.
func (r *Redactor) URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		c.User = url.User(Redacted)
	}
	if c.RawQuery != "" {
		q := c.Query()
		changed := false
		for _, k := range sensitiveQueryKeys {
			if _, ok := q[k]; ok {
				q.Set(k, Redacted)
				changed = true
			}
		}
		if changed {
			c.RawQuery = q.Encode()
		}
	}
	return r.String(c.String())
}

// Form returns an encoded form or query string with sensitive values replaced.
func (r *Redactor) Form(s string) string {
	q, err := url.ParseQuery(s)
	if err != nil {
		return r.String(s)
	}
	for _, k := range sensitiveQueryKeys {
		if _, ok := q[k]; ok {
			q.Set(k, Redacted)
		}
	}
	return r.String(q.Encode())
}
