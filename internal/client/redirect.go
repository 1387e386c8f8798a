package client

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// RedirectError is a redirect the client refused to follow: to another
// origin (scheme, host or port), where the credentials of the request (its
// Authorization header, a token in its query, a secret in its body) must
// not go, or one that would turn a POST into a GET without its body.
type RedirectError struct {
	Status int
	From   string // redacted
	To     string // redacted
	Reason string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("the server answered %d, redirecting to %s; %s", e.Status, e.To, e.Reason)
}

// checkRedirect follows a redirect only within the origin the user
// configured. net/http would follow it elsewhere too, dropping only the
// Authorization header across domains: a token in the query or a secret in a
// form body would go along, even from https:// to http://.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	target := *req.URL
	target.RawQuery, target.Fragment = "", ""
	e := &RedirectError{Status: status, From: c.api.Redactor.URL(first.URL), To: c.api.Redactor.URL(&target)}
	switch {
	case req.URL.Scheme == "http" && first.URL.Scheme == "https":
		e.Reason = "the provider never follows a redirect from https:// to plain http://, where the credentials would travel unencrypted. " +
			"Check the URL with the server's administrator"
		return e
	case !sameOrigin(req.URL, first.URL):
		origin := &url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host}
		e.Reason = fmt.Sprintf("the provider does not send credentials to another origin (scheme, host and port) than the one configured: "+
			"if that is the right server, set the URL to %s", c.api.Redactor.URL(origin))
		return e
	case first.Method == http.MethodPost && req.Method != http.MethodPost:
		e.Reason = fmt.Sprintf("following it would turn the POST into a GET without its body (HTTP %d does that; 307 and 308 keep the method). "+
			"The URL is probably missing a path prefix or has the wrong scheme: check it", status)
		return e
	case len(via) >= 10:
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

func sameOrigin(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if u.Scheme == "https" {
			return "443"
		}
		return "80"
	}
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}
