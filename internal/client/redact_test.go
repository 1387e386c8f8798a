package client

import (
	"net/url"
	"testing"
)

func TestRedactor(t *testing.T) {
	t.Parallel()
	r := NewRedactor("pw-known-secret", "abc") // too short to replace by value
	r.Add("fetched-token-1234")
	for _, tc := range []struct{ in, want string }{
		{"login failed for pw-known-secret", "login failed for REDACTED"},
		{"abc is too short to hunt for", "abc is too short to hunt for"},
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
