package client

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

func TestRedactor(t *testing.T) {
	t.Parallel()
	r := NewRedactor("pw-known-secret", "abc") // too short to replace inside words
	r.Add("fetched-token-1234")
	for _, tc := range []struct{ in, want string }{
		{"login failed for pw-known-secret", "login failed for REDACTED"},
		{"abc is short, so only alone: abcd, xabc, abc_1 stay; abc,abc go", "REDACTED is short, so only alone: abcd, xabc, abc_1 stay; REDACTED,REDACTED go"},
		{`{"accessToken":"9f8e7d","clientSecret":"s"}`, `{"accessToken":"REDACTED","clientSecret":"REDACTED"}`},
		{`access_token=live-token&token_type=bearer&expires_in=3600`, `access_token=REDACTED&token_type=bearer&expires_in=3600`},
		{`got "refresh_token=abc123 expires"`, `got "refresh_token=REDACTED expires"`},
		{"Bearer fetched-token-1234", "Bearer REDACTED"},
		{`{"access_token":"9f8e7d","expires_in":43199,"token_type":"bearer"}`, `{"access_token":"REDACTED","expires_in":43199,"token_type":"bearer"}`},
		{`{"refresh_token" : "a\"b", "client_secret":"s", "id_token":"x", "token":"t", "password":""}`, `{"refresh_token" : "REDACTED", "client_secret":"REDACTED", "id_token":"REDACTED", "token":"REDACTED", "password":"REDACTED"}`},
		{`{"token_type":"bearer","scope":"read"}`, `{"token_type":"bearer","scope":"read"}`},
		{`{"access_token":"cut off where the log ends`, `{"access_token":"REDACTED`},
		{`<login>admin</login><password>hunter22</password>`, `<login>admin</login><password>REDACTED</password>`},
		{`<access_token>cut off`, `<access_token>REDACTED`},
	} {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("String(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	u, _ := url.Parse("https://user:pass@example.com/o/api/v3/groups?access_token=pw-known-secret&page=2")
	if got, want := r.URL(u), "https://REDACTED@example.com/o/api/v3/groups?access_token=REDACTED&page=2"; got != want {
		t.Errorf("URL: got %q, want %q", got, want)
	}
	if got, want := r.Form("grant_type=client_credentials&client_id=c&client_secret=s3"), "client_id=c&client_secret=REDACTED&grant_type=client_credentials"; got != want {
		t.Errorf("Form: got %q, want %q", got, want)
	}
}

// A secret is recognised in every encoding a server may echo it in.
func TestRedactorEncodings(t *testing.T) {
	t.Parallel()
	const secret = `pä"ss<&>'wörd/+ =`
	r := NewRedactor(secret)
	for _, echoed := range []string{
		secret,
		`pä\"ss\u003c\u0026\u003e'wörd/+ =`,     // JSON as Go writes it
		`p\u00e4\"ss<&>'w\u00f6rd\/+ =`,         // JSON, ASCII-only with the slash escaped
		`p\u00e4\"ss<&>'w\u00f6rd/+ =`,          // JSON, ASCII-only writers
		`pä\"ss<&>'wörd/+ =`,                    // JSON, UTF-8 kept
		`pä&#34;ss&lt;&amp;&gt;&#39;wörd/+ =`,   // XML as Go and HTML escape it
		`pä&quot;ss&lt;&amp;&gt;&apos;wörd/+ =`, // XML with named entities
		url.QueryEscape(secret),
		url.PathEscape(secret),
		base64.StdEncoding.EncodeToString([]byte(secret)),
	} {
		if got := r.String("before " + echoed + " after"); got != "before REDACTED after" {
			t.Errorf("%q: got %q", echoed, got)
		}
	}
}

// Text is redacted before it is cut: a secret at the cut never shows in part.
func TestRedactorCutsAfterRedacting(t *testing.T) {
	t.Parallel()
	r := NewRedactor("s3cr3t-value-XYZ")
	text := strings.Repeat("x", 95) + "s3cr3t-value-XYZ tail"
	if got := r.Cut(text, 100); got != strings.Repeat("x", 95)+"REDAC" {
		t.Errorf("got %q", got)
	}
	if got := r.urlString("https://admin:pw@host:bad port/"); strings.Contains(got, "pw") || !strings.Contains(got, "REDACTED@") {
		t.Errorf("urlString: %q", got)
	}
}
