package client

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Redacted replaces every secret in logs and error messages.
const Redacted = "REDACTED"

// sensitiveQueryKeys are query (and form) parameters whose values are always
// secrets, known in advance or not.
var sensitiveQueryKeys = []string{"access_token", "refresh_token", "id_token", "client_secret", "password", "token"}

// Redactor removes secrets from text. It knows secrets two ways: by value
// (configured tokens, passwords, Basic credentials, tokens fetched at run
// time), in every encoding a server may echo them in, and by the name of the
// field or parameter that carries them. It is safe for concurrent use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string         // every encoding of every secret, longest first
	short   []*regexp.Regexp // secrets too short to replace wherever they stand
}

// NewRedactor returns a Redactor that knows the given secrets.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// minSecretLen is the shortest value replaced wherever it stands: shorter
// ones would turn every log line into noise. They are replaced where they
// stand alone (between characters that cannot be part of a word), and
// where they travel by name (query parameters, forms, JSON and XML fields).
const minSecretLen = 4

// Add registers more secret values, with every encoding they can take in a
// body, a URL or a header: raw, JSON-escaped (with and without \u escapes
// for non-ASCII), XML- and HTML-escaped, percent-encoded, and base64.
func (r *Redactor) Add(secrets ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, enc := range encodings(s) {
			if len(enc) < minSecretLen {
				re := regexp.MustCompile(`(^|[^\p{L}\p{N}_])` + regexp.QuoteMeta(enc) + `($|[^\p{L}\p{N}_])`)
				if !slices.ContainsFunc(r.short, func(x *regexp.Regexp) bool { return x.String() == re.String() }) {
					r.short = append(r.short, re)
				}
				continue
			}
			if !slices.Contains(r.secrets, enc) {
				r.secrets = append(r.secrets, enc)
			}
		}
	}
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

// encodings returns s as it may appear in text a server sends back.
func encodings(s string) []string {
	out := []string{s}
	add := func(v string) {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if b, err := json.Marshal(s); err == nil { // <, >, & as \u003c …
		add(strings.Trim(string(b), `"`))
	}
	var plain strings.Builder
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	if enc.Encode(s) == nil {
		add(strings.Trim(strings.TrimSpace(plain.String()), `"`))
	}
	add(jsonASCII(s))
	add(strings.ReplaceAll(jsonASCII(s), "/", `\/`)) // PHP and others escape the slash too
	add(html.EscapeString(s))                        // &#34; &#39; &amp; &lt; &gt;
	add(strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s))
	add(url.QueryEscape(s))
	add(url.PathEscape(s))
	add(strings.ReplaceAll(url.QueryEscape(s), "+", "%20"))
	add(base64.StdEncoding.EncodeToString([]byte(s)))
	add(base64.RawStdEncoding.EncodeToString([]byte(s)))
	add(base64.URLEncoding.EncodeToString([]byte(s)))
	return out
}

// jsonASCII escapes s as JSON encoders that write only ASCII do: \" \\ and
// \uXXXX for everything outside printable ASCII.
func jsonASCII(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// sensitiveFields finds the values of sensitive fields by name: JSON members
// (snake_case or camelCase), XML elements, and form or query parameters,
// including a value cut off where a text ends.
var sensitiveFields = regexp.MustCompile(
	`(?i)("(?:access_?token|refresh_?token|id_?token|client_?secret|password|token)"\s*:\s*")(?:[^"\\]|\\.)*("|$)` +
		`|(<(access_?token|refresh_?token|id_?token|client_?secret|password|token)>)[^<]*(</|$)` +
		`|((?:^|[?&\s"'])(?:access_?token|refresh_?token|id_?token|client_?secret|password|token)=)[^&\s"'<>:;,)]*`)

// String returns s with every known secret, and the value of every
// sensitive field, replaced by REDACTED.
func (r *Redactor) String(s string) string {
	s = sensitiveFields.ReplaceAllString(s, "${1}${3}${6}"+Redacted+"${2}${5}")
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, Redacted)
	}
	for _, re := range r.short {
		// Twice, since adjacent occurrences share a delimiter.
		s = re.ReplaceAllString(re.ReplaceAllString(s, "${1}"+Redacted+"${2}"), "${1}"+Redacted+"${2}")
	}
	return s
}

// Cut redacts s and only then cuts it to at most n bytes (on a character
// boundary), so that a secret at the cut is never shown in part.
func (r *Redactor) Cut(s string, n int) string {
	s = r.String(s)
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// URL returns u as a string with user info and sensitive query values
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
		for k := range q {
			if slices.ContainsFunc(sensitiveQueryKeys, func(s string) bool { return strings.EqualFold(s, k) }) {
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

// userinfo finds the user info of a URL written in text.
var userinfo = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://)[^/?#@\s]*@`)

// urlString redacts a URL given as text, which may not even parse: its
// user info and sensitive query values.
func (r *Redactor) urlString(s string) string {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		return r.URL(u)
	}
	return r.String(userinfo.ReplaceAllString(s, "${1}"+Redacted+"@"))
}

// Form returns an encoded form or query string with sensitive values replaced.
func (r *Redactor) Form(s string) string {
	q, err := url.ParseQuery(s)
	if err != nil {
		return r.String(s)
	}
	for k := range q {
		if slices.ContainsFunc(sensitiveQueryKeys, func(s string) bool { return strings.EqualFold(s, k) }) {
			q.Set(k, Redacted)
		}
	}
	return r.String(q.Encode())
}
