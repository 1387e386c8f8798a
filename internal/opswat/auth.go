package opswat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// accessToken returns the token to use, fetching one with the client
// credentials when there is none, it is about to expire, or the API refused
// it (stale). Callers that need a new token at the same time share one
// request, and each stops waiting when its own context ends.
func (c *Client) accessToken(ctx context.Context, stale string) (string, error) {
	if c.staticToken != "" {
		return c.staticToken, nil
	}
	c.mu.Lock()
	current, valid := c.token, time.Now().Before(c.expires)
	c.mu.Unlock()
	if current != "" && current != stale && valid {
		return current, nil
	}
	// One fetch per token being replaced: a caller that comes after the
	// renewal finds the new token above.
	return c.tokens.Do(ctx, "replacing:"+current, c.fetchToken)
}

func (c *Client) fetchToken(ctx context.Context) (string, error) {
	form := url.Values{"client_id": {c.clientID}, "client_secret": {c.clientSecret}, "grant_type": {"client_credentials"}}
	resp, err := c.http.Do(ctx, client.Request{
		Method: http.MethodPost, Path: tokenPath, Body: []byte(form.Encode()),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}},
	})
	if err != nil {
		var apiErr *client.APIError
		if errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusBadRequest || apiErr.StatusCode == http.StatusUnauthorized) {
			return "", fmt.Errorf("%w: %w", ErrCredentialsRejected, err)
		}
		return "", err
	}
	var tok struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	// A token answer is never quoted in an error: it may hold a live token
	// in a shape the redactor does not know.
	if err := resp.DecodeJSON(&tok); err != nil {
		e := resp.Error(fmt.Sprintf("the token answer is not the documented JSON (Content-Type %q, %d bytes; its body is not shown because it may hold a token)",
			resp.Header.Get("Content-Type"), len(resp.Body)), nil)
		e.Body = ""
		return "", e
	}
	if tok.AccessToken == "" {
		e := resp.Error("the token answer has no access_token (its body is not shown because it may hold a token)", nil)
		e.Body = ""
		return "", e
	}
	c.http.Redactor().Add(tok.AccessToken)
	life := time.Duration(parseSeconds(tok.ExpiresIn)) * time.Second
	if life <= 0 {
		life = time.Hour
	}
	// Renew a little early so that a token does not expire mid-walk.
	c.mu.Lock()
	c.token, c.expires = tok.AccessToken, time.Now().Add(life-min(time.Minute, life/10))
	c.mu.Unlock()
	c.http.Logger().Debug(ctx, "fetched an OPSWAT access token", map[string]any{"expires_in_seconds": int(life.Seconds())})
	return tok.AccessToken, nil
}

func parseSeconds(raw json.RawMessage) int64 {
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		if v, err := n.Int64(); err == nil {
			return v
		}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		var v int64
		if _, err := fmt.Sscan(s, &v); err == nil {
			return v
		}
	}
	return 0
}

// do sends an authenticated request. With client credentials a 401 fetches
// a new token and tries once more; with a fixed token it is ErrTokenRejected.
//
// The token is set when the request leaves, after the pacing let it go
// (client.WithPrepare): a token that expired while the request waited for
// its turn is replaced, not sent and then blamed on the credentials.
func (c *Client) do(ctx context.Context, req client.Request) (*client.Response, error) {
	var used string
	refused := false
	for stale := 0; ; {
		tok, err := c.accessToken(ctx, used)
		if err != nil {
			return nil, err
		}
		used = tok
		r := req
		r.Query = maps.Clone(req.Query)
		if r.Query == nil {
			r.Query = url.Values{}
		}
		r.Query.Set("access_token", tok)
		sendCtx := ctx
		if c.staticToken == "" {
			sendCtx = client.WithPrepare(ctx, func(hr *http.Request) error {
				cur, ok := c.currentToken()
				if !ok {
					return errTokenExpiredWhileWaiting
				}
				q := hr.URL.Query()
				q.Set("access_token", cur)
				hr.URL.RawQuery = q.Encode()
				used = cur
				return nil
			})
		}
		resp, err := c.http.Do(sendCtx, r)
		if errors.Is(err, errTokenExpiredWhileWaiting) {
			if stale++; stale > maxStaleTokens {
				return nil, fmt.Errorf("the OPSWAT access token expired %d times while requests waited for their turn at the client's pace (requests a minute): "+
					"the provider cannot send requests within a token's lifetime (%w)", stale, err)
			}
			c.http.Logger().Debug(ctx, "the OPSWAT access token expired while the request waited for its turn; fetching a new one", nil)
			continue
		}
		if err == nil || !errors.Is(err, client.ErrUnauthorized) {
			return resp, err
		}
		if c.staticToken != "" {
			return nil, fmt.Errorf("%w: %w", ErrTokenRejected, err)
		}
		if refused {
			return nil, fmt.Errorf("%w: a freshly fetched token was refused too: %w", ErrCredentialsRejected, err)
		}
		refused = true
		c.http.Logger().Debug(ctx, "OPSWAT refused the access token; fetching a new one", nil)
	}
}

// maxStaleTokens bounds how often a request may find its token expired
// after waiting for its turn.
const maxStaleTokens = 3

var errTokenExpiredWhileWaiting = errors.New("the access token expired while the request waited for its turn")

// currentToken returns the fetched token while it is valid.
func (c *Client) currentToken() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token, c.token != "" && time.Now().Before(c.expires)
}
