package drweb

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

const (
	offices  = "8f1c2a10-0001-4e11-9a01-000000000001"
	berlin   = "8f1c2a10-0002-4e11-9a01-000000000002"
	moscow   = "8f1c2a10-0003-4e11-9a01-000000000003"
	berlinWS = "8f1c2a10-0004-4e11-9a01-000000000004"
	moscowWS = "8f1c2a10-0005-4e11-9a01-000000000005"
	servers  = "8f1c2a10-0006-4e11-9a01-000000000006"
)

var fast = client.Settings{RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, MaxRetries: 2, Timeout: 5 * time.Second}

// setup serves the emulator and returns a client of it; tune changes the
// client's configuration first.
func setup(t *testing.T, tune ...func(*Config)) (*Client, *emulator.Server) {
	t.Helper()
	srv := emulator.New(emulator.DefaultSeed())
	t.Cleanup(srv.Close)
	cfg := Config{URL: srv.URL, Login: "admin", Password: "demo-password"}
	for _, f := range tune {
		f(&cfg)
	}
	c, err := New(cfg, fast)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func idsOf(srv *emulator.Server) [][]string {
	var out [][]string
	for _, r := range srv.Requests() {
		if r.Path == infoPath {
			out = append(out, r.Query["id"])
		}
	}
	return out
}

// The same server answering in JSON and in XML gives the same groups
// (but for has_personal_settings, which only JSON carries).
func TestJSONAndXMLGiveTheSameModel(t *testing.T) {
	t.Parallel()
	all := []string{emulator.EveryoneID, "123123123", offices, berlin, moscow, berlinWS, moscowWS, servers}
	cj, srv := setup(t)
	cx, _ := New(Config{URL: srv.URL, Login: "admin", Password: "demo-password"}, fast)
	fromJSON, err := cj.GroupsByID(context.Background(), all)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetDrWebXMLOnly(true)
	fromXML, err := cx.GroupsByID(context.Background(), all)
	if err != nil {
		t.Fatal(err)
	}
	if fromJSON[0].HasPersonalSettings == nil || fromXML[0].HasPersonalSettings != nil {
		t.Errorf("has_personal_settings: JSON %v, XML %v; want it from JSON only", fromJSON[0].HasPersonalSettings, fromXML[0].HasPersonalSettings)
	}
	for i := range fromJSON {
		fromJSON[i].HasPersonalSettings = nil
		if !reflect.DeepEqual(fromJSON[i], fromXML[i]) {
			t.Errorf("group %s differs:\nJSON %+v\nXML  %+v", all[i], fromJSON[i], fromXML[i])
		}
	}
	for _, r := range srv.Requests() {
		if r.Query.Get("format") != "json" {
			t.Errorf("the client did not ask for JSON: %v", r.Query)
		}
	}
}

func TestGroupByIDAttributes(t *testing.T) {
	t.Parallel()
	c, _ := setup(t)
	g, err := c.GroupByID(context.Background(), berlin)
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "Berlin" || g.ParentID != offices || g.ParentName != "Offices" || g.ChildGroups != 1 || g.Stations != 25 ||
		g.Created != "2017-07-14T02:41:40Z" || g.HasPersonalSettings != nil {
		t.Errorf("got %+v", g)
	}
	if in := g.Rights.Inheritance; in.Inherited == nil || !*in.Inherited || in.InheritedGroupID != offices || in.InheritedGroupName != "Offices" {
		t.Errorf("rights inheritance %+v", in)
	}
	if in := g.Keys.Inheritance; in.Inherited == nil || *in.Inherited || in.InheritedGroupID != "" || !reflect.DeepEqual(g.Keys.IDs, []string{"0a1b2c3d4e5f6071-8293a4b5c6d7e8f9"}) {
		t.Errorf("keys %+v", g.Keys)
	}
	if len(g.Packages) != 5 || g.Packages[2].OS != "linux" || g.Packages[2].Arch != "x86_64" {
		t.Errorf("packages %+v", g.Packages)
	}
}

func TestConcurrentLookupsShareRequests(t *testing.T) {
	t.Parallel()
	// A window wide enough that 40 lookups started together meet in one
	// batch on a loaded machine.
	c, srv := setup(t, func(c *Config) { c.batchWindow = 250 * time.Millisecond })
	ids := []string{emulator.EveryoneID, "123123123", offices, berlin, moscow, berlinWS, moscowWS, servers}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			if _, err := c.GroupByID(context.Background(), ids[i%len(ids)]); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	reqs := idsOf(srv)
	if len(reqs) != 1 || len(reqs[0]) != len(ids) {
		t.Fatalf("40 concurrent lookups of 8 ids made info.ds requests %v, want one with 8 ids", reqs)
	}
	if _, err := c.GroupByID(context.Background(), berlin); err != nil || len(idsOf(srv)) != 1 {
		t.Fatalf("a known id was asked again: %v", idsOf(srv))
	}
}

func TestBatchSizeIsCapped(t *testing.T) {
	t.Parallel()
	c, srv := setup(t, func(c *Config) { c.batchWindow, c.maxBatch = 50*time.Millisecond, 3 })
	ids := []string{emulator.EveryoneID, "123123123", offices, berlin, moscow, berlinWS, moscowWS}
	if _, err := c.GroupsByID(context.Background(), ids); err != nil {
		t.Fatal(err)
	}
	for _, r := range idsOf(srv) {
		if len(r) > 3 {
			t.Fatalf("a request carried %d ids, more than the cap of 3", len(r))
		}
	}
	if n := len(idsOf(srv)); n != 3 {
		t.Fatalf("%d requests for 7 ids in batches of 3, want 3", n)
	}
}

func TestUnknownIDInABatchIsIsolated(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	ids := []string{offices, berlin, "no-such-group", moscow, servers}
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Go(func() { _, errs[i] = c.GroupByID(context.Background(), id) })
	}
	wg.Wait()
	for i, err := range errs {
		if ids[i] == "no-such-group" {
			var nf *NotFoundError
			if !errors.As(err, &nf) || !errors.Is(err, client.ErrNotFound) ||
				!strings.HasPrefix(err.Error(), `Dr.Web group "no-such-group" not found (Dr.Web API: GET `) ||
				!strings.HasSuffix(err.Error(), `HTTP 200 OK: error 8: Group no-such-group not found)`) {
				t.Errorf("unknown id: %v", err)
			}
		} else if err != nil {
			t.Errorf("%s failed with the unknown one: %v", ids[i], err)
		}
	}
	if n := len(idsOf(srv)); n > 7 {
		t.Errorf("isolating one unknown id among 5 took %d requests", n)
	}
}

func TestTreeAndNameLookups(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	nodes, err := c.Tree(context.Background(), "", true, false)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range nodes {
		names = append(names, n.Name+"<"+n.ParentName)
	}
	if got := strings.Join(names, ","); got != "TEST-GROUP<,Offices<,Berlin<Offices,Workstations<Berlin,Moscow<Offices,Workstations<Moscow,Servers<,Linux<Servers,Windows<Servers" {
		t.Fatalf("tree order: %s", got)
	}
	lists := srv.Count(listPath)
	if lists != 5 { // the top level, Offices, Berlin, Moscow, Servers: none for a group without children
		t.Fatalf("walking the tree took %d list.ds requests, want 5", lists)
	}

	g, err := c.GroupByName(context.Background(), "Linux", "")
	if err != nil || g.ID != "8f1c2a10-0007-4e11-9a01-000000000007" {
		t.Fatalf("Linux: %+v, %v", g, err)
	}
	if srv.Count(listPath) != lists {
		t.Fatal("a name lookup walked the tree again")
	}
	_, err = c.GroupByName(context.Background(), "Workstations", "")
	want := `2 Dr.Web groups are named "Workstations": "` + berlinWS + `" under "Berlin" (` + berlin + `), "` + moscowWS + `" under "Moscow" (` + moscow + `)`
	if err == nil || err.Error() != want {
		t.Fatalf("ambiguous:\n got %v\nwant %s", err, want)
	}
	g, err = c.GroupByName(context.Background(), "Workstations", moscow)
	if err != nil || g.ID != moscowWS {
		t.Fatalf("narrowed by parent: %+v, %v", g, err)
	}
	_, err = c.GroupByName(context.Background(), "linux", "")
	if err == nil || err.Error() != `no Dr.Web group is named "linux" (searched 15 groups); names match case-sensitively, and these differ only in case: "Linux"` {
		t.Fatalf("case: %v", err)
	}
	_, err = c.GroupByName(context.Background(), "Linux", offices)
	if err == nil || err.Error() != `no Dr.Web group is named "Linux" directly under the group "`+offices+`" (searched 2 groups); groups with that name are at "Servers/Linux"` {
		t.Fatalf("wrong parent: %v", err)
	}
	_, err = c.Tree(context.Background(), "no-such-parent", true, false)
	if !errors.Is(err, client.ErrNotFound) || !strings.HasPrefix(err.Error(), `the parent group "no-such-parent" does not exist`) {
		t.Fatalf("unknown parent: %v", err)
	}
}

func TestTreeInXMLOnlyMode(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.SetDrWebXMLOnly(true)
	nodes, err := c.Tree(context.Background(), offices, false, false)
	if err != nil || len(nodes) != 2 || nodes[0].Name != "Berlin" || nodes[0].ChildGroups != 1 || nodes[1].Stations != 40 {
		t.Fatalf("%+v, %v", nodes, err)
	}
}

func TestAuthFailure(t *testing.T) {
	t.Parallel()
	_, srv := setup(t)
	c, _ := New(Config{URL: srv.URL, Login: "admin", Password: "wrong-password"}, fast)
	_, err := c.GroupByID(context.Background(), berlin)
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "HTTP 401 Unauthorized") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "wrong-password") {
		t.Fatalf("the password leaked: %v", err)
	}
	for _, r := range srv.Requests() {
		if r.Status != 401 {
			t.Errorf("a request got %d", r.Status)
		}
	}
	if len(srv.Requests()) != 1 {
		t.Errorf("a 401 was retried: %d requests", len(srv.Requests()))
	}
}

func TestHTMLFromAProxy(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.AddFault(emulator.Fault{Status: 200, Body: "<html><head><title>Portal</title></head><body>Sign in</body></html>"})
	_, err := c.GroupByID(context.Background(), berlin)
	if err == nil || !strings.Contains(err.Error(), "HTTP 200 OK: expected a JSON or XML body, got an HTML page (Content-Type text/html)") || !strings.Contains(err.Error(), "Sign in") {
		t.Fatalf("got %v", err)
	}
}

func TestServerErrorOnListing(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.AddFault(emulator.Fault{Path: listPath, Status: 500, ContentType: "text/xml", Body: `<drweb-es-api status="false"><error><errno>99</errno><message>Database is locked</message></error></drweb-es-api>`})
	_, err := c.Tree(context.Background(), "", true, false)
	if err == nil || !strings.HasSuffix(err.Error(), "HTTP 500 Internal Server Error: error 99: Database is locked") {
		t.Fatalf("got %v", err)
	}
}

// New names the field that cannot work, as a *client.ConfigError.
func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg     Config
		field   client.ConfigField
		problem client.ConfigProblem
		text    string
	}{
		{Config{Login: "a"}, "URL", client.Missing, "Dr.Web configuration: URL is missing"},
		{Config{URL: "https://h"}, "Login", client.Missing, "Login is missing"},
		{Config{URL: "h:9081", Login: "a"}, "URL", client.Invalid, "is not an http:// or https:// URL"},
		{Config{URL: "https://admin:pw@h", Login: "a"}, "URL", client.Invalid, "carries a login or password in the URL"},
	} {
		_, err := New(tc.cfg, fast)
		var ce *client.ConfigError
		if !errors.As(err, &ce) || ce.Field != tc.field || ce.Problem != tc.problem || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%+v: got %v, want %s %q", tc.cfg, err, tc.field, tc.text)
		}
		if strings.Contains(fmt.Sprint(err), "pw@") {
			t.Errorf("the password is shown: %v", err)
		}
	}
	if _, err := New(Config{URL: "https://h", Login: "a"}, fast); err != nil {
		t.Errorf("an empty password is sent as given: %v", err)
	}
}

func ExampleClient_GroupByName() {
	srv := emulator.New(emulator.DefaultSeed())
	defer srv.Close()
	c, _ := New(Config{URL: srv.URL, Login: "admin", Password: "demo-password"}, client.Settings{Timeout: 5 * time.Second})
	g, err := c.GroupByName(context.Background(), "Workstations", moscow)
	fmt.Println(g.ID, g.ParentName, err)
	// Output: 8f1c2a10-0005-4e11-9a01-000000000005 Moscow <nil>
}
