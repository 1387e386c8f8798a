package opswat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

var fast = client.Settings{RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, MaxRetries: 2, Timeout: 5 * time.Second}

// setup starts an emulator with n generated groups (or the demo seed when
// n < 0) and returns a client with client credentials for it.
func setup(t *testing.T, n int) (*Client, *emulator.Server) {
	t.Helper()
	seed := emulator.DefaultSeed()
	if n >= 0 {
		seed.OPSWAT.Groups = emulator.GenerateOPSWATGroups(n)
	}
	srv := emulator.New(seed)
	t.Cleanup(srv.Close)
	// Sequential (exact request counts), and a planning window wide enough
	// that lookups started together are decided together on a loaded machine.
	c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: ReadAheadFromRPM - 1,
		planWindow: 250 * time.Millisecond}, fast)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

type pageBody struct {
	Limit, Page int
	Search      string
	Sort        struct{ Field, Order string }
}

func groupRequests(t *testing.T, srv *emulator.Server) []pageBody {
	t.Helper()
	var out []pageBody
	for _, r := range srv.Requests() {
		if r.Path != groupsPath {
			continue
		}
		var b pageBody
		if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
			t.Fatalf("request body %q: %v", r.Body, err)
		}
		out = append(out, b)
	}
	return out
}

func TestPaging(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ groups, requests int }{
		{0, 1}, {1, 1}, {49, 1}, {50, 2}, {51, 2}, {100, 3}, {120, 3}, {2000, 41},
	} {
		t.Run(fmt.Sprint(tc.groups), func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t, tc.groups)
			groups, err := c.ListGroups(context.Background(), ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(groups) != tc.groups {
				t.Fatalf("got %d groups, want %d", len(groups), tc.groups)
			}
			reqs := groupRequests(t, srv)
			if len(reqs) != tc.requests {
				t.Fatalf("%d group requests, want %d", len(reqs), tc.requests)
			}
			for i, r := range reqs {
				if r.Limit != pageSize || r.Page != i+1 {
					t.Errorf("request %d asked for limit %d page %d", i+1, r.Limit, r.Page)
				}
			}
			for _, r := range srv.Requests() {
				if r.Status == http.StatusNotAcceptable {
					t.Errorf("the client sent a limit the API refuses: %s", r.Body)
				}
			}
			if tc.groups > 0 && (groups[0].Name != "group-0001" || groups[tc.groups-1].Name != fmt.Sprintf("group-%04d", tc.groups)) {
				t.Errorf("the API's order was not kept: first %q, last %q", groups[0].Name, groups[tc.groups-1].Name)
			}
		})
	}
}

// A server that answers a full last page and then 413 ends the walk cleanly.
func TestPagingEndsAt413(t *testing.T) {
	t.Parallel()
	var pages []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b pageBody
		_ = json.NewDecoder(r.Body).Decode(&b)
		pages = append(pages, b.Page)
		if b.Page > 2 {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			_, _ = io.WriteString(w, `{"error":"Requested page number is too large, no groups will be returned"}`)
			return
		}
		var out []map[string]any
		for i := range pageSize {
			out = append(out, map[string]any{"group_id": fmt.Sprint(b.Page*1000 + i), "group_name": "g"})
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	c, _ := New(Config{BaseURL: srv.URL, AccessToken: "test-token"}, fast)
	groups, err := c.ListGroups(context.Background(), ListOptions{})
	if err != nil || len(groups) != 100 || fmt.Sprint(pages) != "[1 2 3]" {
		t.Fatalf("got %d groups, pages %v, err %v; want 100 groups from pages [1 2 3]", len(groups), pages, err)
	}
}

// A 413 on the first page is an error, not an empty list.
func TestFirstPage413IsAnError(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, 3)
	srv.AddFault(emulator.Fault{Path: groupsPath, Status: 413, ContentType: "application/json", Body: `{"error":"Requested page number is too large"}`})
	_, err := c.ListGroups(context.Background(), ListOptions{})
	if err == nil || !strings.Contains(err.Error(), "HTTP 413 Request Entity Too Large: Requested page number is too large") {
		t.Fatalf("got %v", err)
	}
}

func TestServerIgnoringPageIsAnError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var out []map[string]any
		for i := range pageSize {
			out = append(out, map[string]any{"group_id": fmt.Sprint(i)})
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	c, _ := New(Config{BaseURL: srv.URL, AccessToken: "test-token"}, fast)
	_, err := c.ListGroups(context.Background(), ListOptions{})
	if err == nil || !strings.Contains(err.Error(), "page 2 repeats page 1") {
		t.Fatalf("got %v", err)
	}
}

func TestSearchAndSortAreSent(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, -1)
	groups, err := c.ListGroups(context.Background(), ListOptions{Search: "finance", SortField: "number_of_devices", SortOrder: "desc"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range groups {
		names = append(names, g.Name)
	}
	if strings.Join(names, ",") != "Finance,finance" {
		t.Fatalf("got %v", names)
	}
	reqs := groupRequests(t, srv)
	if len(reqs) != 1 || reqs[0].Search != "finance" || reqs[0].Sort.Field != "number_of_devices" || reqs[0].Sort.Order != "desc" {
		t.Fatalf("request bodies: %+v", reqs)
	}
	if _, err := c.ListGroups(context.Background(), ListOptions{SortField: "size"}); err == nil || !strings.Contains(err.Error(), `sort field "size" is not one of group_name`) {
		t.Fatalf("bad sort field: %v", err)
	}
}

func TestOneWalkPerQuery(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, 120)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			var err error
			if i%2 == 0 {
				_, err = c.GroupByName(context.Background(), fmt.Sprintf("group-%04d", i+1))
			} else {
				_, err = c.GroupByID(context.Background(), fmt.Sprint(500000000+i))
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := srv.Count(groupsPath); n != 3 {
		t.Fatalf("50 concurrent lookups over 120 groups made %d group requests, want ceil(120/50) = 3", n)
	}
	if n := srv.Count(tokenPath); n != 1 {
		t.Fatalf("%d token requests, want 1", n)
	}
	_, _ = c.ListGroups(context.Background(), ListOptions{Search: "group-01"})
	if n := srv.Count(groupsPath); n != 4 {
		t.Fatalf("another query must walk again: %d requests, want 4", n)
	}
}

func TestTokenRenewedAfter401(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, 10)
	if _, err := c.ListGroups(context.Background(), ListOptions{Search: "a"}); err != nil {
		t.Fatal(err)
	}
	srv.ExpireTokens()
	if _, err := c.ListGroups(context.Background(), ListOptions{Search: "b"}); err != nil {
		t.Fatalf("want the client to fetch a new token and go on, got %v", err)
	}
	if srv.IssuedTokens() != 2 {
		t.Fatalf("%d tokens issued, want 2", srv.IssuedTokens())
	}
	var statuses []int
	for _, r := range srv.Requests() {
		if r.Path == groupsPath {
			statuses = append(statuses, r.Status)
		}
	}
	if fmt.Sprint(statuses) != "[200 401 200]" {
		t.Fatalf("group request statuses %v, want [200 401 200]", statuses)
	}
	for _, r := range srv.Requests() {
		if r.Path == tokenPath && (r.Method != http.MethodPost || !strings.Contains(r.Body, "grant_type=client_credentials") || !strings.Contains(r.Body, "client_id=demo-client")) {
			t.Errorf("token request: %s %s", r.Method, r.Body)
		}
	}
}

func TestFixedTokenRejected(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 1)
	c, _ := New(Config{BaseURL: srv.URL, AccessToken: "not-a-valid-token"}, fast)
	_, err := c.ListGroups(context.Background(), ListOptions{})
	if !errors.Is(err, ErrTokenRejected) || !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "not-a-valid-token") || !strings.Contains(err.Error(), "access_token=REDACTED") {
		t.Fatalf("the token leaked or the URL is missing: %v", err)
	}
	if !strings.Contains(err.Error(), "Your access_token is invalid or expired") {
		t.Fatalf("the API's message is missing: %v", err)
	}
	if n := srv.Count(groupsPath); n != 1 {
		t.Fatalf("a rejected fixed token was sent %d times", n)
	}
}

func TestBadClientCredentials(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, 1)
	c, _ := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "wrong-secret"}, fast)
	_, err := c.ListGroups(context.Background(), ListOptions{})
	if !errors.Is(err, ErrCredentialsRejected) || !strings.Contains(err.Error(), "invalid_client: Bad client credentials") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("the secret leaked: %v", err)
	}
}

func TestStaticTokenWorks(t *testing.T) {
	t.Parallel()
	seed := emulator.DefaultSeed()
	seed.OPSWAT.Tokens = []string{"fixed-token"}
	srv := emulator.New(seed)
	t.Cleanup(srv.Close)
	c, _ := New(Config{BaseURL: srv.URL, AccessToken: "fixed-token"}, fast)
	g, err := c.GroupByName(context.Background(), "San Francisco")
	if err != nil {
		t.Fatal(err)
	}
	want := Group{ID: "260854829", Name: "San Francisco", DomainName: "your_domain.com", AutoJoin: true, PolicyID: "33010675",
		PolicyName: "Policy Antivirus-critical", NumberOfDevices: 100, Description: "This is a group synchronized from an active directory",
		CreatedDate: "2017-07-17T07:56:22Z", LastModified: "2017-08-04T07:01:33Z"}
	if g != want {
		t.Fatalf("got  %+v\nwant %+v", g, want)
	}
	if srv.Count(tokenPath) != 0 {
		t.Fatal("a fixed token must not call the token endpoint")
	}
}

func TestLookupErrors(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, -1)
	_, err := c.GroupByName(context.Background(), "FINANCE")
	var nf *NotFoundError
	if !errors.As(err, &nf) || err.Error() != `no OPSWAT group has name "FINANCE" (searched 8 groups); names match case-sensitively, and these differ only in case: "Finance", "finance"` {
		t.Fatalf("got %v", err)
	}
	_, err = c.GroupByName(context.Background(), "Contractors")
	var amb *AmbiguousError
	if !errors.As(err, &amb) || err.Error() != `2 OPSWAT groups are named "Contractors": "301122005" (no domain_name), "301122006" (domain_name "partners.example.com")` {
		t.Fatalf("got %v", err)
	}
	_, err = c.GroupByID(context.Background(), "999")
	if !errors.As(err, &nf) || err.Error() != `no OPSWAT group has id "999" (searched 8 groups)` {
		t.Fatalf("got %v", err)
	}
	// One group searched is "1 group", from the API or from the cache.
	if got := (&NotFoundError{By: "name", Value: "x", Searched: 1}).Error(); got != `no OPSWAT group has name "x" (searched 1 group)` {
		t.Fatalf("got %v", got)
	}
	if got := (&NotFoundError{By: "id", Value: "7", Searched: 1, FromCache: true, CacheAge: time.Minute}).Error(); !strings.HasSuffix(got, "(searched 1 group)") {
		t.Fatalf("got %v", got)
	}
}

func TestTolerantDecoding(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `[{"group_id": 42, "group_name": "n", "number_of_devices": "7", "created_date": "Jun 2, 2017 1:49:39 PM", "last_modified": "yesterday", "domain_name": null, "extra": {"x": 1}}]`)
	}))
	t.Cleanup(srv.Close)
	c, _ := New(Config{BaseURL: srv.URL, AccessToken: "test-token"}, fast)
	groups, err := c.ListGroups(context.Background(), ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := Group{ID: "42", Name: "n", NumberOfDevices: 7, CreatedDate: "2017-06-02T13:49:39Z", LastModified: "yesterday"}
	if len(groups) != 1 || groups[0] != want {
		t.Fatalf("got %+v", groups)
	}
}

func TestHTMLAnswer(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, 1)
	srv.AddFault(emulator.Fault{Path: groupsPath, Status: 200, Body: "<html><body>Maintenance</body></html>"})
	_, err := c.ListGroups(context.Background(), ListOptions{})
	if err == nil || !strings.Contains(err.Error(), `HTTP 200 OK: expected a JSON body, got an HTML page (Content-Type text/html)`) || !strings.Contains(err.Error(), "Maintenance") {
		t.Fatalf("got %v", err)
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Jun 12, 2017 01:49:39 AM":   "2017-06-12T01:49:39Z",
		"Jun 12, 2017 01:49:39 PM":   "2017-06-12T13:49:39Z",
		"Aug 04, 2017 12:01:33 AM":   "2017-08-04T00:01:33Z",
		"Aug 04, 2017 12:01:33 PM":   "2017-08-04T12:01:33Z",
		"Jul 7, 2017 7:56:22 AM":     "2017-07-07T07:56:22Z",
		" Jul  17, 2017 07:56:22 AM": "2017-07-17T07:56:22Z",
		"2017-06-12T01:49:39Z":       "2017-06-12T01:49:39Z",
		"2017-06-12T03:49:39+02:00":  "2017-06-12T01:49:39Z",
		"":                           "",
	} {
		got, ok := parseTime(in)
		if !ok || got != want {
			t.Errorf("parseTime(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"yesterday", "13/06/2017", "Jun 31, 2017 01:00:00 AM"} {
		if got, ok := parseTime(in); ok {
			t.Errorf("parseTime(%q) = %q, want failure", in, got)
		}
	}
}

// New names the field that cannot work, as a *client.ConfigError.
func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg  Config
		want client.ConfigError
		text string
	}{
		{Config{}, client.ConfigError{Field: "AccessToken", Problem: client.Missing}, "OPSWAT configuration: AccessToken is missing"},
		{Config{AccessToken: "t", ClientID: "i", ClientSecret: "s"}, client.ConfigError{Field: "AccessToken", Problem: client.Conflict, Other: "ClientID"}, "give AccessToken or ClientID, not both"},
		{Config{AccessToken: "t", ClientSecret: "s"}, client.ConfigError{Field: "AccessToken", Problem: client.Conflict, Other: "ClientSecret"}, "not both"},
		{Config{ClientID: "i"}, client.ConfigError{Field: "ClientSecret", Problem: client.Missing, Other: "ClientID"}, "ClientID is given but ClientSecret is missing"},
		{Config{ClientSecret: "s"}, client.ConfigError{Field: "ClientID", Problem: client.Missing, Other: "ClientSecret"}, "ClientSecret is given but ClientID is missing"},
		{Config{AccessToken: "t", RequestsPerMinute: -1}, client.ConfigError{Field: "RequestsPerMinute", Problem: client.Invalid}, "-1 is not a rate"},
		{Config{AccessToken: "t", BaseURL: "gears.opswat.com"}, client.ConfigError{Field: "BaseURL", Problem: client.Invalid}, "not an http:// or https:// URL"},
		{Config{AccessToken: "t", BaseURL: "https://gears.opswat.com/o/api/v3"}, client.ConfigError{Field: "BaseURL", Problem: client.Invalid}, "the base URL is the API host only: use https://gears.opswat.com"},
	} {
		_, err := New(tc.cfg, fast)
		var ce *client.ConfigError
		if !errors.As(err, &ce) || ce.Field != tc.want.Field || ce.Problem != tc.want.Problem || ce.Other != tc.want.Other || ce.Vendor != Vendor {
			t.Errorf("%+v: got %#v, want %+v", tc.cfg, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%+v: got %q, want %q", tc.cfg, err, tc.text)
		}
	}
	c, err := New(Config{AccessToken: "t"}, fast)
	if err != nil || c.BaseURL().String() != DefaultBaseURL || c.rpm != DefaultRequestsPerMinute {
		t.Errorf("a token alone: %v; want the defaults, got %v at %d a minute", err, c.BaseURL(), c.rpm)
	}
	if _, err := New(Config{AccessToken: "t"}, client.Settings{}); err == nil || !strings.Contains(err.Error(), "timeout must be positive") {
		t.Errorf("no timeout: got %v", err)
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	for body, want := range map[string][2]string{
		`{"error":"Your access_token is invalid or expired"}`:         {"", "Your access_token is invalid or expired"},
		`{"error":{"code":406,"message":"Too many items to return"}}`: {"406", "Too many items to return"},
		`{"error":"invalid_client","error_description":"Bad creds"}`:  {"invalid_client", "Bad creds"},
		`{"message":"x"}`: {"", "x"},
		`not json`:        {"", ""},
	} {
		code, msg := errorMessage([]byte(body))
		if code != want[0] || msg != want[1] {
			t.Errorf("errorMessage(%s) = %q, %q; want %q", body, code, msg, want)
		}
	}
}

func TestConcurrentWalksShareOneToken(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, 30)
	walkAll := func(order string) { // eight queries the client has not walked yet
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				if _, err := c.ListGroups(context.Background(), ListOptions{Search: fmt.Sprintf("group-00%d", i), SortOrder: order}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	walkAll("asc")
	if n := srv.Count(tokenPath); n != 1 {
		t.Fatalf("8 concurrent walks fetched %d tokens, want 1", n)
	}
	srv.ExpireTokens()
	walkAll("desc")
	if n := srv.Count(tokenPath); n != 2 {
		t.Fatalf("8 walks refused at once renewed the token %d times, want once", n-1)
	}
}

// With the server enforcing its limit as a sliding window and a walk that
// needs more requests than one window allows, the client paces itself: the
// server never has to refuse a request.
func TestPacesItselfWithinTheLimit(t *testing.T) {
	t.Parallel()
	const window = 400 * time.Millisecond
	for _, tc := range []struct {
		name      string
		perWindow int
		throttled bool
	}{
		{"paced at the server's limit", 2, false},
		// The server's X-RateLimit-Remaining paces a client that thinks it may send more.
		{"a client allowed more than the server", 100, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulator.New(emulator.DefaultSeed())
			t.Cleanup(srv.Close)
			srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(220)) // 5 pages
			srv.SetRateLimit(2, window)
			c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: tc.perWindow, rateWindow: window}, fast)
			if err != nil {
				t.Fatal(err)
			}
			groups, err := c.ListGroups(context.Background(), ListOptions{})
			if tc.throttled {
				if srv.Throttled() == 0 {
					t.Fatalf("the server never refused a request (walk: %d groups, %v)", len(groups), err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(groups) != 220 || srv.Count(groupsPath) != 5 {
				t.Fatalf("%d groups in %d requests, want 220 in 5", len(groups), srv.Count(groupsPath))
			}
			if srv.Throttled() != 0 {
				t.Fatalf("the server refused %d requests", srv.Throttled())
			}
		})
	}
}

// With a raised rate limit a walk reads pages ahead: the same groups in the
// same order, pages asked for once each, no waste on lists of up to 99
// groups and at most readAheadPages-1 requests past the end of a long one.
func TestReadAhead(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ groups, needed, maxWaste int }{
		{0, 1, 0}, {30, 1, 0}, {50, 2, 0}, {99, 2, 0}, {100, 3, 1}, {120, 3, 1}, {170, 4, 2}, {2000, 41, readAheadPages - 1}, {2010, 41, readAheadPages - 1},
	} {
		t.Run(strconv.Itoa(tc.groups), func(t *testing.T) {
			t.Parallel()
			srv := emulator.New(emulator.DefaultSeed())
			t.Cleanup(srv.Close)
			srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(tc.groups))
			srv.SetLatency(2 * time.Millisecond)
			c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: ReadAheadFromRPM}, fast)
			if err != nil {
				t.Fatal(err)
			}
			groups, err := c.ListGroups(context.Background(), ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(groups) != tc.groups {
				t.Fatalf("%d groups, want %d", len(groups), tc.groups)
			}
			for i, g := range groups {
				if want := fmt.Sprintf("group-%04d", i+1); g.Name != want {
					t.Fatalf("group %d is %q, want %q: read-ahead must keep the API's order", i, g.Name, want)
				}
			}
			seen := map[int]bool{}
			for _, b := range groupRequests(t, srv) {
				if seen[b.Page] {
					t.Errorf("page %d requested twice", b.Page)
				}
				seen[b.Page] = true
			}
			for p := 1; p <= tc.needed; p++ {
				if !seen[p] {
					t.Errorf("page %d never requested", p)
				}
			}
			if n := len(seen); n > tc.needed+tc.maxWaste {
				t.Errorf("%d group requests, want at most %d (%d needed + %d read ahead)", n, tc.needed+tc.maxWaste, tc.needed, tc.maxWaste)
			}
		})
	}
}

// A page that fails in the middle of a walk with read-ahead fails the walk
// with that page's error, whatever the pages after it answered; the failed
// walk is not kept, so the next caller walks again.
func TestReadAheadPageFails(t *testing.T) {
	t.Parallel()
	emu := emulator.New(emulator.DefaultSeed())
	t.Cleanup(emu.Close)
	emu.SetOPSWATGroups(emulator.GenerateOPSWATGroups(1000))
	var mu sync.Mutex
	failPage := 5
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var b pageBody
		_ = json.Unmarshal(body, &b)
		mu.Lock()
		fail := r.URL.Path == groupsPath && b.Page == failPage
		mu.Unlock()
		if fail {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"error":"page 5 is broken"}`)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: ReadAheadFromRPM}, fast)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListGroups(context.Background(), ListOptions{})
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusInternalServerError || !strings.Contains(err.Error(), "page 5 is broken") {
		t.Fatalf("got %v, want the HTTP 500 of page 5", err)
	}
	mu.Lock()
	failPage = 0
	mu.Unlock()
	groups, err := c.ListGroups(context.Background(), ListOptions{})
	if err != nil || len(groups) != 1000 {
		t.Fatalf("the walk after the failure: %d groups, %v", len(groups), err)
	}
}
