// Package opswat is the client of the OPSWAT MetaDefender IT Access groups
// API. A Client is three owners:
//   - auth (auth.go): a ready access token, or the client-credentials
//     grant, renewed on a 401 or before it expires;
//   - the run's group list (groupList, grouplist.go): every walk of the list
//     (one per distinct query, however many callers ask), the walk of the
//     complete list that lookups read a page at a time, the search answers,
//     the cache entry across runs (its file I/O in cache.go) and the groups
//     whose device count the run changed; Forget drops it after a write;
//   - the planner (plan.go): whether a lookup by name searches or waits
//     for the walk, decided for the names that arrive together.
//
// groups.go holds the group type and the reading of one page, lookup.go
// the lookups by id and name, assign.go putting devices into groups with
// the device action, errors.go what a caller can test for.
package opswat

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// Vendor names the API in errors and logs.
const Vendor = "OPSWAT"

// DefaultBaseURL is the cloud host.
const DefaultBaseURL = "https://gears.opswat.com"

// DefaultRequestsPerMinute is the documented rate limit of the groups API.
const DefaultRequestsPerMinute = 10

// pageSize is the largest limit the API accepts (it answers 406 above it).
const pageSize = 50

// ReadAheadFromRPM is the rate limit from which a walk reads pages ahead:
// below it every request counts (at 10 a minute a wasted one costs six
// seconds), from it a few requests past the last page cost less than the
// round trips they save.
const ReadAheadFromRPM = 120

// readAheadPages is how many page requests a walk keeps in flight when the
// rate limit allows reading ahead.
const readAheadPages = 4

// maxPages stops a walk over a server that never sends a short page.
const maxPages = 10000

const (
	groupsPath = "/o/api/v3/groups"
	tokenPath  = "/o/oauth/token"
)

// Sort fields and orders the API accepts.
var (
	SortFields = []string{"group_name", "domain_name", "policy_name", "number_of_devices", "last_update"}
	SortOrders = []string{"asc", "desc"}
)

// Client talks to one OPSWAT account: its credentials and token (auth.go),
// the run's group list (groupList) and the planner of its lookups.
type Client struct {
	http *client.Client

	staticToken            string
	clientID, clientSecret string

	mu      sync.Mutex // guards token and expires
	token   string
	expires time.Time
	tokens  client.Memo[string]

	pages   pageReader
	list    *groupList
	plan    planner
	notices notices
	rpm     int // requests per minute
}

// Config is how to reach one OPSWAT account. Fields left zero take the
// documented defaults; New says what cannot work, naming the field.
type Config struct {
	BaseURL           string // the API host, without a path; "": DefaultBaseURL
	AccessToken       string // a ready OAuth access token, or:
	ClientID          string // the client-credentials grant's client ID
	ClientSecret      string // and secret
	RequestsPerMinute int    // the client's pace; 0: DefaultRequestsPerMinute

	// CacheTTL keeps complete group lists across runs this long (see
	// cache.go); 0: no cache. CacheDir is where (required with a cache).
	CacheTTL time.Duration
	CacheDir string
	// CacheRefresh, with CacheTTL 0: use no entry, but store the run's
	// complete walk for the runs that have a TTL (a one-off refresh).
	CacheRefresh bool

	rateWindow time.Duration // the "minute" of RequestsPerMinute; shorter only in tests
	planWindow time.Duration // quiet time before waiting lookups are decided (see planner); longer only in tests
}

// The fields of Config, as a *client.ConfigError names them.
const (
	FieldBaseURL           client.ConfigField = "BaseURL"
	FieldAccessToken       client.ConfigField = "AccessToken"
	FieldClientID          client.ConfigField = "ClientID"
	FieldClientSecret      client.ConfigField = "ClientSecret"
	FieldRequestsPerMinute client.ConfigField = "RequestsPerMinute"
	FieldCacheTTL          client.ConfigField = "CacheTTL"
	FieldCacheDir          client.ConfigField = "CacheDir"
)

// check validates the configuration and returns its base URL; its error
// is a *client.ConfigError naming the field.
func (cfg Config) check() (*url.URL, error) {
	problem := func(field client.ConfigField, p client.ConfigProblem, other client.ConfigField, err error) error {
		return &client.ConfigError{Vendor: Vendor, Field: field, Problem: p, Other: other, Err: err}
	}
	switch {
	case cfg.AccessToken != "" && cfg.ClientID != "":
		return nil, problem(FieldAccessToken, client.Conflict, FieldClientID, nil)
	case cfg.AccessToken != "" && cfg.ClientSecret != "":
		return nil, problem(FieldAccessToken, client.Conflict, FieldClientSecret, nil)
	case cfg.AccessToken == "" && cfg.ClientID == "" && cfg.ClientSecret == "":
		return nil, problem(FieldAccessToken, client.Missing, "", nil)
	case cfg.AccessToken == "" && cfg.ClientID == "":
		return nil, problem(FieldClientID, client.Missing, FieldClientSecret, nil)
	case cfg.AccessToken == "" && cfg.ClientSecret == "":
		return nil, problem(FieldClientSecret, client.Missing, FieldClientID, nil)
	case cfg.CacheTTL < 0:
		return nil, problem(FieldCacheTTL, client.Invalid, "", fmt.Errorf("%s is negative: give 0 for no cache, or a duration such as 10m", cfg.CacheTTL))
	case cfg.RequestsPerMinute < 0:
		return nil, problem(FieldRequestsPerMinute, client.Invalid, "", fmt.Errorf("%d is not a rate: give 1 or more (the API allows %d)", cfg.RequestsPerMinute, DefaultRequestsPerMinute))
	}
	u, err := ParseBaseURL(cmp.Or(cfg.BaseURL, DefaultBaseURL))
	if err != nil {
		return nil, problem(FieldBaseURL, client.Invalid, "", err)
	}
	return u, nil
}

// ErrBaseURLHasPath is a base URL with a path; its error names the host to
// use instead.
var ErrBaseURLHasPath = errors.New("the base URL is the API host only")

// ParseBaseURL checks an OPSWAT base URL: the API host, without a path
// (the client adds /o/api/v3/… itself).
func ParseBaseURL(s string) (*url.URL, error) {
	u, err := client.ParseBaseURL(s)
	if err != nil {
		return nil, err
	}
	if u.Path != "" {
		return nil, fmt.Errorf("%s has a path (%q), but %w: use %s", u.Redacted(), u.Path, ErrBaseURLHasPath, (&url.URL{Scheme: u.Scheme, Host: u.Host}).String())
	}
	return u, nil
}

// New returns a client of the account cfg describes, with the user's HTTP
// settings. It sends nothing.
func New(cfg Config, settings client.Settings) (*Client, error) {
	base, err := cfg.check()
	if err != nil {
		return nil, err
	}
	rpm := cmp.Or(cfg.RequestsPerMinute, DefaultRequestsPerMinute)
	hc, err := client.New(client.API{
		Vendor:            Vendor,
		BaseURL:           base,
		RequestsPerWindow: rpm,
		RateWindow:        cfg.rateWindow,
		Redactor:          client.NewRedactor(cfg.AccessToken, cfg.ClientSecret),
		ErrorMessage:      errorMessage,
	}, settings)
	if err != nil {
		return nil, err
	}
	readAhead := 1
	if rpm >= ReadAheadFromRPM {
		readAhead = readAheadPages
	}
	c := &Client{http: hc, staticToken: cfg.AccessToken, clientID: cfg.ClientID, clientSecret: cfg.ClientSecret, rpm: rpm}
	c.notices.logger = hc.Logger()
	c.pages = pageReader{do: c.do, logger: hc.Logger(), readAhead: readAhead}
	var cache *diskCache
	if cfg.CacheTTL > 0 || cfg.CacheRefresh {
		if cfg.CacheDir == "" {
			return nil, &client.ConfigError{Vendor: Vendor, Field: FieldCacheDir, Problem: client.Missing}
		}
		cache = &diskCache{dir: cfg.CacheDir, ttl: cfg.CacheTTL, key: cacheKey(base.String(), cfg.ClientID, cfg.AccessToken), logger: hc.Logger(), notices: &c.notices}
	}
	c.list = newGroupList(c.pages, cache, &c.notices, c.plan.switchToWalk)
	window, maxWait := planWindow, planMaxWait
	if cfg.planWindow > 0 {
		window, maxWait = cfg.planWindow, 5*cfg.planWindow
	}
	c.plan.init(window, maxWait, c.list.knownGroups)
	return c, nil
}

// errorMessage reads the error body, which the vendor does not document:
// {"error": "…"}, {"error": {"message": "…"}}, OAuth's error_description.
func errorMessage(body []byte) (code, message string) {
	var e struct {
		Error       json.RawMessage `json:"error"`
		Description string          `json:"error_description"`
		Message     string          `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	var s string
	var obj struct {
		Code    json.RawMessage `json:"code"`
		Message string          `json:"message"`
	}
	switch {
	case json.Unmarshal(e.Error, &s) == nil && s != "":
		if e.Description != "" {
			return s, e.Description
		}
		return "", s
	case json.Unmarshal(e.Error, &obj) == nil && obj.Message != "":
		return strings.Trim(string(obj.Code), `"`), obj.Message
	}
	return "", e.Message
}

// Waited tells what the client did since a moment: requests sent, and how
// long requests waited for pacing or for the API's rate-limit windows.
func (c *Client) Waited(since time.Time) client.WaitReport { return c.http.Waited(since) }

// WaitedFor is Waited, telling apart the requests of the read whose
// context carried tag (client.WithReadTag).
func (c *Client) WaitedFor(since time.Time, tag string) client.WaitReport {
	return c.http.WaitedFor(since, tag)
}

// RequestsPerMinute is the pace the client keeps.
func (c *Client) RequestsPerMinute() int { return c.rpm }

// BaseURL returns the API host the client talks to.
func (c *Client) BaseURL() *url.URL { return c.http.BaseURL() }
