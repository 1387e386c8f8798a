package drweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// counts reads what a list.ds answer says of each group: children, stations, type.
func counts(t *testing.T, body string) []string {
	t.Helper()
	doc, err := decode(response(body))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, g := range doc.Groups {
		out = append(out, fmt.Sprintf("%s:%d/%d/%d", g.Name, g.ChildGroups, g.Stations, g.Type))
	}
	return out
}

func TestDecodeVendorListSamples(t *testing.T) {
	t.Parallel()
	for file, want := range map[string][]string{
		"testdata/vendor-list-avdesk.json":  {"New2:0/0/0", "Branches:3/12/0"},
		"testdata/vendor-list-avdesk.xml":   {"New2:0/0/0", "Branches:3/12/0"},
		"testdata/vendor-list-ess1301.xml":  {"Dr.Web Free:0/129/0", "Offices:1/110/0", "Ungrouped:0/4/10"},
		"testdata/vendor-head-ess12.json#x": nil, // see TestUnquotedVersionIsNotJSON
	} {
		if strings.HasSuffix(file, "#x") {
			continue
		}
		if got := counts(t, mustRead(t, file)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", file, got, want)
		}
	}
}

// Every spelling of the child count, as an attribute or an element, in both
// formats, reads the same.
func TestDecodeChildCountSpellings(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`<drweb-es-api status="true"><groups><group id="a" name="A" child_groups="2" stations="5"/></groups></drweb-es-api>`,
		`<drweb-es-api status="true"><groups><group id="a" name="A" child-groups="2" stations="5"/></groups></drweb-es-api>`,
		`<drweb-es-api status="true"><groups><group id="a" name="A"><child-groups>2</child-groups><stations>5</stations></group></groups></drweb-es-api>`,
		`<drweb-es-api status="true"><groups><group id="a" name="A"><child_groups>2</child_groups><stations>5</stations></group></groups></drweb-es-api>`,
		`{"data":{"groups":{"list":[{"id":"a","name":"A","child_groups":2,"stations":5}]}}}`,
		`{"data":{"groups":{"list":[{"id":"a","name":"A","child-groups":"2","stations":"5"}]}}}`,
	} {
		if got := counts(t, body); len(got) != 1 || got[0] != "A:2/5/0" {
			t.Errorf("%s: got %v", body, got)
		}
	}
}

// The head's version fields never fail a read, quoted or not, numbers or absent,
// as long as the body is JSON.
func TestDecodeLooseHead(t *testing.T) {
	t.Parallel()
	for _, head := range []string{
		`{"status":true,"api":{"version":40103},"server":{"version":1000201707130}}`,
		`{"status":true,"api":{"version":"4.3.0","versionString":"4.3.0"},"server":{"version":"13.00.1.202310121"}}`,
		`{"status":true}`,
	} {
		if got := counts(t, `{"head":`+head+`,"data":{"groups":{"list":[{"id":"a","name":"A"}]}}}`); len(got) != 1 {
			t.Errorf("%s: got %v", head, got)
		}
	}
	_, err := decode(response(mustRead(t, "testdata/vendor-head-ess12.json")))
	if !errors.Is(err, client.ErrInvalidJSON) {
		t.Fatalf("an unquoted version is not JSON, and must say so: %v", err)
	}
}

func setupLine(t *testing.T, line emulator.DrWebServerLine) (*Client, *emulator.Server) {
	t.Helper()
	c, srv := setup(t)
	if err := srv.SetDrWebServerLine(line); err != nil {
		t.Fatal(err)
	}
	return c, srv
}

// Every server line: the whole tree, nested lookups by name, system groups.
func TestServerLines(t *testing.T) {
	t.Parallel()
	for _, line := range emulator.DrWebServerLines {
		t.Run(string(line)+"-", func(t *testing.T) {
			t.Parallel()
			c, srv := setupLine(t, line)
			ctx := context.Background()
			nodes, err := c.Tree(ctx, "", true, false)
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, n := range nodes {
				paths = append(paths, n.Path)
			}
			if got := strings.Join(paths, ","); got != "TEST-GROUP,Offices,Offices/Berlin,Offices/Berlin/Workstations,Offices/Moscow,Offices/Moscow/Workstations,Servers,Servers/Linux,Servers/Windows" {
				t.Fatalf("tree: %s", got)
			}
			g, err := c.GroupByName(ctx, "Workstations", moscow)
			if err != nil || g.ID != moscowWS || g.Path != "Offices/Moscow/Workstations" || g.Description != "Moscow desktops" {
				t.Fatalf("nested by name: %+v, %v", g, err)
			}
			g, err = c.GroupByName(ctx, "Ungrouped", "")
			if err != nil || g.ID != "411dac63-2a3e-4ce8-af4f-1fbeb94242ef" || g.Path != "Ungrouped" || g.Stations != 3 {
				t.Fatalf("system group by name: %+v, %v", g, err)
			}
			g, err = c.GroupByName(ctx, "Everyone", "")
			if err != nil || g.ID != EveryoneID {
				t.Fatalf("Everyone by name: %+v, %v", g, err)
			}
			all, err := c.Tree(ctx, "", false, true)
			if err != nil || len(all) != 3+len(SystemGroupIDs) {
				t.Fatalf("with system groups: %d, %v", len(all), err)
			}
			if line == emulator.DrWebESS12 && srv.Count(listPath)+srv.Count(infoPath) > 0 {
				var formats []string
				for _, r := range srv.Requests() {
					formats = append(formats, r.Query.Get("format"))
				}
				if formats[0] != "json" || formats[1] != "" || strings.Count(strings.Join(formats, ","), "json") != 1 {
					t.Fatalf("ESS 12: want one JSON request, then XML only: %q", formats)
				}
			}
		})
	}
}

// ESS 12 prints a JSON head that is not JSON: the client asks once more in
// XML and keeps to XML, paying one extra request in all, even when many
// lookups start at once.
func TestUnquotedVersionFallsBackToXMLOnce(t *testing.T) {
	t.Parallel()
	c, srv := setupLine(t, emulator.DrWebESS12)
	ctx := context.Background()
	ids := []string{offices, berlin, moscow, berlinWS, moscowWS, servers}
	errs := make(chan error, len(ids))
	for _, id := range ids {
		go func() { _, err := c.GroupByID(ctx, id); errs <- err }()
	}
	for range ids {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Tree(ctx, "", true, false); err != nil {
		t.Fatal(err)
	}
	jsonAsked := 0
	for _, r := range srv.Requests() {
		if r.Query.Get("format") == "json" {
			jsonAsked++
		}
	}
	if jsonAsked != 1 {
		t.Fatalf("format=json was asked %d times, want once", jsonAsked)
	}
}

func TestPaths(t *testing.T) {
	t.Parallel()
	for _, names := range [][]string{{"Offices"}, {"Offices", "R/D", `a\b`}, {`\/`, "x"}} {
		p := JoinPath(names...)
		got, err := SplitPath(p)
		if err != nil || !reflect.DeepEqual(got, names) {
			t.Errorf("%q: %q, %v", p, got, err)
		}
	}
	if JoinPath("Offices", "R/D") != `Offices/R\/D` {
		t.Errorf("escape: %s", JoinPath("Offices", "R/D"))
	}
	for p, want := range map[string]string{
		"":     "has an empty name",
		"/a":   "has an empty name",
		"a//b": "has an empty name",
		"a/":   "has an empty name",
		`a\b`:  "escapes neither",
		`a/b\`: "escapes neither",
	} {
		if _, err := SplitPath(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("SplitPath(%q) = %v, want %q", p, err, want)
		}
	}
}

func TestGroupByPath(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	ctx := context.Background()
	seed := emulator.DefaultSeed().DrWeb.Groups
	seed = append(seed,
		emulator.DrWebGroup{ID: "slash", ParentID: servers, Name: "R/D"},
		emulator.DrWebGroup{ID: "twin-1", ParentID: servers, Name: "Twin", Created: 1600000000},
		emulator.DrWebGroup{ID: "twin-2", ParentID: servers, Name: "Twin", Created: 1500000000},
		emulator.DrWebGroup{ID: "top-twin-1", Name: "Top", Created: 1500000000},
		emulator.DrWebGroup{ID: "top-twin-2", Name: "Top", Created: 1600000000},
		emulator.DrWebGroup{ID: "paris", ParentID: "top-twin-2", Name: "Paris"})
	srv.SetDrWebGroups(seed)
	g, err := c.GroupByPath(ctx, "Offices/Moscow/Workstations")
	if err != nil || g.ID != moscowWS || g.Path != "Offices/Moscow/Workstations" {
		t.Fatalf("%+v, %v", g, err)
	}
	if g, err = c.GroupByPath(ctx, `Servers/R\/D`); err != nil || g.ID != "slash" || g.Path != `Servers/R\/D` {
		t.Fatalf("escaped: %+v, %v", g, err)
	}
	if g, err = c.GroupByPath(ctx, "Status"); err != nil || g.ID != "48afe720-953c-4075-856c-361f3ff06b6d" {
		t.Fatalf("system: %+v, %v", g, err)
	}
	_, err = c.GroupByPath(ctx, "Offices/berlin/Workstations")
	if err == nil || err.Error() != `no Dr.Web group has the path "Offices/berlin/Workstations": there is no group named "berlin" under "Offices" (searched 2 groups); names match case-sensitively, and these differ only in case: "Berlin"` {
		t.Fatalf("not found: %v", err)
	}
	// Two groups share the path: the one created first keeps it.
	g, err = c.GroupByPath(ctx, "Servers/Twin")
	if err != nil || g.ID != "twin-2" || len(g.SharedPaths) != 1 || g.SharedPaths[0].Kept != "twin-2" || g.SharedPaths[0].LeftOut[0] != "twin-1" {
		t.Fatalf("shared: %+v, %v", g, err)
	}
	// A name under the namesake the path leaves out: the error names both.
	_, err = c.GroupByPath(ctx, "Top/Paris")
	if err == nil || err.Error() != `no Dr.Web group has the path "Top/Paris": there is no group named "Paris" under "Top" (searched 0 groups); `+
		`2 groups have the path "Top": the lookup follows "top-twin-1", created first, and leaves out "top-twin-2", and a group named "Paris" is under "top-twin-2"` {
		t.Fatalf("under the left-out namesake: %v", err)
	}
	// A lookup by id works its path out from the ancestors.
	if g, err = c.GroupByID(ctx, berlinWS); err != nil || g.Path != "Offices/Berlin/Workstations" {
		t.Fatalf("by id: %+v, %v", g, err)
	}
}

// hostileTree serves list.ds from a function of the parent asked for, and
// info.ds with an empty answer.
func hostileTree(t *testing.T, children func(parent string) string) (*Client, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"head":{"status":true},"data":{"groups":{"list":[%s]}}}`, children(r.URL.Query().Get("parent-group")))
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{URL: srv.URL, Login: "admin", Password: "pw"}, fast)
	if err != nil {
		t.Fatal(err)
	}
	return c, &n
}

func kid(id string) string { return fmt.Sprintf(`{"id":%q,"name":%q,"child_groups":1}`, id, "n-"+id) }

func TestHostileTrees(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		children func(parent string) string
		want     string
		bound    int // the TreeError's Bound: 0 for a tree that contradicts itself
	}{
		"cycle": {func(p string) string {
			return map[string]string{"": kid("a"), "a": kid("b"), "b": kid("c"), "c": kid("a")}[p]
		}, `the Dr.Web group tree has a cycle at "a": the server lists it below its own descendant "c"`, 0},
		"parent ignored": {func(string) string { return kid("a") + "," + kid("b") }, `the Dr.Web group tree has a cycle at "a"`, 0},
		"two parents": {func(p string) string {
			return map[string]string{"": kid("a") + "," + kid("b"), "a": kid("x"), "b": kid("x")}[p]
		}, `the Dr.Web server lists the group "x" under the group "a" and under the group "b"; a group has one parent`, 0},
		// A server that keeps listing new groups is stopped by the memory
		// bound (small here), with a message that names it, not "broken".
		"endless depth": {func(p string) string { return kid(p + "x") }, "the Dr.Web group tree below the top level has more than 100 groups, the most one walk of the tree keeps in memory", 100},
		"endless width": {func(p string) string {
			var ks []string
			for i := range 40 {
				ks = append(ks, kid(fmt.Sprintf("%s.%d", p, i)))
			}
			return strings.Join(ks, ",")
		}, "has more than 500 groups, the most one walk of the tree keeps in memory", 500},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, requests := hostileTree(t, tc.children)
			if tc.bound != 0 {
				c.treeBound = tc.bound
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := c.Tree(ctx, "", true, false)
			var te *TreeError
			if !errors.As(err, &te) || !strings.Contains(err.Error(), tc.want) || te.Bound != tc.bound {
				t.Fatalf("got %v (%+v), want %q with the bound %d", err, te, tc.want, tc.bound)
			}
			if tc.bound != 0 && strings.Contains(err.Error(), "broken") {
				t.Fatalf("a bound of the provider's is not the server's fault: %v", err)
			}
			if requests.Load() > 5000 {
				t.Fatalf("%d requests before giving up", requests.Load())
			}
		})
	}
}

// chain returns n groups under Everyone, each the only child of the one
// before: a tree n levels deep.
func chain(n int) []emulator.DrWebGroup {
	out := []emulator.DrWebGroup{{ID: emulator.EveryoneID, Name: "Everyone", Type: 1}}
	for i := range n {
		g := emulator.DrWebGroup{ID: fmt.Sprintf("lvl-%03d", i), Name: fmt.Sprintf("L%d", i), Created: int64(i)}
		if i > 0 {
			g.ParentID = fmt.Sprintf("lvl-%03d", i-1)
		}
		out = append(out, g)
	}
	return out
}

// Real trees of any depth plan: 64 levels (once refused as deeper than 64)
// and 200, with the walk, a lookup by name, by path and by id (whose path
// comes from its ancestors).
func TestDeepTreesWalk(t *testing.T) {
	t.Parallel()
	for _, depth := range []int{64, 65, 200} {
		t.Run(fmt.Sprint(depth), func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.SetDrWebGroups(chain(depth))
			ctx := context.Background()
			nodes, err := c.Tree(ctx, "", true, false)
			if err != nil {
				t.Fatal(err)
			}
			names := make([]string, depth)
			for i := range names {
				names[i] = fmt.Sprintf("L%d", i)
			}
			deepest := JoinPath(names...)
			if len(nodes) != depth || nodes[depth-1].Path != deepest {
				t.Fatalf("got %d groups, the last at %q; want %d, the last at %q", len(nodes), nodes[len(nodes)-1].Path, depth, deepest)
			}
			if g, err := c.GroupByName(ctx, names[depth-1], ""); err != nil || g.Path != deepest {
				t.Fatalf("by name: %q, %v", g.Path, err)
			}
			if g, err := c.GroupByPath(ctx, deepest); err != nil || g.ID != fmt.Sprintf("lvl-%03d", depth-1) {
				t.Fatalf("by path: %q, %v", g.ID, err)
			}
			// A client of its own, without the listing: every ancestor by info.ds.
			byID, err := New(Config{URL: srv.URL, Login: "admin", Password: "demo-password"}, fast)
			if err != nil {
				t.Fatal(err)
			}
			if g, err := byID.GroupByID(ctx, fmt.Sprintf("lvl-%03d", depth-1)); err != nil || g.Path != deepest {
				t.Fatalf("by id: %q, %v", g.Path, err)
			}
		})
	}
}

// A tree of 100,000 groups is walked whole: far past the old bound of
// 20,000, far below the memory bound. The listings are made up front (the
// emulator scans its whole seed on every request, too slow at this size).
func TestLargeTreeWalks(t *testing.T) {
	t.Parallel()
	const top, each = 400, 249 // 400 + 400×249 = 100,000
	lists := map[string]string{}
	var ks []string
	for i := range top {
		parent := fmt.Sprintf("t%d", i)
		ks = append(ks, fmt.Sprintf(`{"id":%q,"name":"top %d","child_groups":%d}`, parent, i, each))
		var sub []string
		for j := range each {
			sub = append(sub, fmt.Sprintf(`{"id":"%s.%d","name":"sub %d","child_groups":0}`, parent, j, j))
		}
		lists[parent] = strings.Join(sub, ",")
	}
	lists[""] = strings.Join(ks, ",")
	c, requests := hostileTree(t, func(p string) string { return lists[p] })
	nodes, err := c.Tree(context.Background(), "", true, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 100_000 || nodes[1].Path != "top 0/sub 0" || nodes[len(nodes)-1].Path != "top 399/sub 248" {
		t.Fatalf("got %d groups (%q ... %q), want 100000", len(nodes), nodes[1].Path, nodes[len(nodes)-1].Path)
	}
	if n := requests.Load(); n != top+1 {
		t.Fatalf("%d list.ds requests, want one for the top level and one per group with children: %d", n, top+1)
	}
}

// A failure that several ids share (one refused request) is reported once.
func TestSharedFailureReportedOnce(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.AddFault(emulator.Fault{Path: infoPath, Status: 503, Body: "busy"})
	_, err := c.GroupsByID(context.Background(), []string{offices, berlin, moscow})
	if err == nil || strings.Count(err.Error(), "HTTP 503") != 1 || !strings.Contains(err.Error(), "for the 3 groups") {
		t.Fatalf("got %v", err)
	}
}

// When every caller of a batch has gone (an interrupt), the batch stops: no
// further attempt is sent.
func TestAbandonedBatchStops(t *testing.T) {
	t.Parallel()
	srv := emulator.New(emulator.DefaultSeed())
	t.Cleanup(srv.Close)
	slowRetries := client.Settings{RetryWaitMin: 200 * time.Millisecond, RetryWaitMax: 200 * time.Millisecond, MaxRetries: 10, Timeout: 5 * time.Second}
	c, err := New(Config{URL: srv.URL, Login: "admin", Password: "demo-password"}, slowRetries)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Children(context.Background(), ""); err != nil { // settle the format first
		t.Fatal(err)
	}
	srv.AddFault(emulator.Fault{Path: infoPath, Status: 503, Body: "busy"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.GroupByID(ctx, berlin); done <- err }()
	for srv.Count(infoPath) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	sent := srv.Count(infoPath)
	time.Sleep(700 * time.Millisecond) // three retry waits
	if n := srv.Count(infoPath); n != sent {
		t.Fatalf("the abandoned batch sent %d more attempts", n-sent)
	}
}

// The group created first keeps a shared path (ties: the smaller id); the
// others and their subtrees are left out, and a namesake inside a subtree
// left out never takes a path; the order the groups come in does not matter.
func TestByPath(t *testing.T) {
	t.Parallel()
	groups := []Group{
		{ID: "o", Name: "Offices", Path: "Offices", Created: "2014-01-01T00:00:00Z"},
		{ID: "b1", ParentID: "o", Name: "Berlin", Path: "Offices/Berlin", Created: "2015-01-01T00:00:00Z"},
		{ID: "w1", ParentID: "b1", Name: "Workstations", Path: "Offices/Berlin/Workstations", Created: "2015-02-01T00:00:00Z"},
		{ID: "b2", ParentID: "o", Name: "Berlin", Path: "Offices/Berlin", Created: "2026-11-01T00:00:00Z"},
		{ID: "w2", ParentID: "b2", Name: "Workstations", Path: "Offices/Berlin/Workstations", Created: "2026-11-02T00:00:00Z"},
		{ID: "x2", ParentID: "b2", Name: "Extra", Path: "Offices/Berlin/Extra"},
		{ID: "t-b", Name: "Tie", Path: "Tie", Created: "2020-01-01T00:00:00Z"},
		{ID: "t-a", Name: "Tie", Path: "Tie", Created: "2020-01-01T00:00:00Z"},
	}
	for range 5 {
		byPath, shared := ByPath(groups)
		want := map[string]string{"Offices": "o", "Offices/Berlin": "b1", "Offices/Berlin/Workstations": "w1", "Tie": "t-a"}
		got := map[string]string{}
		for p, g := range byPath {
			got[p] = g.ID
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("by path %v, want %v", got, want)
		}
		sp := map[string]SharedPath{}
		for _, s := range shared {
			sp[s.Path] = s
		}
		if len(shared) != 2 || sp["Offices/Berlin"].Kept != "b1" || !reflect.DeepEqual(sp["Offices/Berlin"].LeftOut, []string{"b2"}) ||
			sp["Tie"].Kept != "t-a" || !reflect.DeepEqual(sp["Tie"].LeftOut, []string{"t-b"}) {
			t.Fatalf("shared %+v", shared)
		}
		slices.Reverse(groups)
	}
}

// Walks below nested groups, at the same time as each other and as other
// lookups: the parent's path is read before the walk starts, so that its
// lookup never waits for its own walk.
func TestTreesBelowNestedGroupsAtOnce(t *testing.T) {
	t.Parallel()
	c, _ := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	paths := map[string]string{berlin: "Offices/Berlin/Workstations", moscow: "Offices/Moscow/Workstations"}
	for parent, want := range paths {
		wg.Go(func() {
			nodes, err := c.Tree(ctx, parent, true, false)
			if err != nil || len(nodes) != 1 || nodes[0].Path != want {
				t.Errorf("Tree(%s): %v %+v", parent, err, nodes)
			}
		})
		wg.Go(func() {
			if _, err := c.SubtreeStations(ctx, parent); err != nil {
				t.Errorf("SubtreeStations(%s): %v", parent, err)
			}
		})
	}
	wg.Wait()
}

// Only the not-found refusal (errno 8) of a child listing says the parent
// is gone; any other refusal names the group whose listing was refused and
// what the server said.
func TestChildListingRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		errno    int
		notFound bool
	}{{errnoNotFound, true}, {12, false}} {
		c, srv := setup(t)
		srv.AddFault(emulator.Fault{Path: listPath, Errno: tc.errno, Message: "Access denied for admin"})
		_, err := c.Tree(context.Background(), berlin, true, false)
		var nf *NotFoundError
		var refused *ListingRefusedError
		switch {
		case tc.notFound && (!errors.As(err, &nf) || !nf.Parent || nf.ID != berlin):
			t.Errorf("errno %d: got %v, want the parent %q not found", tc.errno, err, berlin)
		case !tc.notFound && (errors.As(err, &nf) || !errors.As(err, &refused) || refused.ID != berlin ||
			!strings.Contains(err.Error(), berlin) || !strings.Contains(err.Error(), "Access denied for admin")):
			t.Errorf("errno %d: got %v (%T), want a refusal naming %q and the server's text", tc.errno, err, err, berlin)
		}
	}
}

// The not-found refusal of a child listing met mid-walk is about a group
// the walk listed and that is gone since, not about the parent the caller
// gave: it says the tree changed, and is no "parent does not exist".
func TestTreeChildGoneMidWalk(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	// The walk's first list.ds (the children of offices) passes; the next
	// one, for a child of offices, is refused as not found.
	srv.AddFault(emulator.Fault{Path: listPath, After: listPath, Times: 1, Errno: errnoNotFound, Message: "Group not found"})
	_, err := c.Tree(context.Background(), offices, true, false)
	var changed *ChangedError
	var nf *NotFoundError
	if !errors.As(err, &changed) || errors.As(err, &nf) || (changed.ID != berlin && changed.ID != moscow) || changed.ParentID != offices ||
		strings.Contains(err.Error(), "parent group") || !strings.Contains(err.Error(), "changed") {
		t.Errorf("got %v (%T), want a ChangedError naming a child of %q that was gone", err, err, offices)
	}
}
