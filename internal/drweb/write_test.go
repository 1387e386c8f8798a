package drweb

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

func addCount(srv *emulator.Server) int { return srv.Count(addPath) }

func TestCreateChangeDelete(t *testing.T) {
	t.Parallel()
	for _, line := range []emulator.DrWebServerLine{emulator.DrWebDefault, emulator.DrWebAVDesk413} {
		t.Run(string(line)+"-", func(t *testing.T) {
			t.Parallel()
			c, srv := setupLine(t, line)
			ctx := context.Background()
			// The tree is read first, so that the write must forget it.
			if _, err := c.Tree(ctx, "", true, false); err != nil {
				t.Fatal(err)
			}
			res, err := c.CreateGroup(ctx, GroupInput{Name: "Paris", Description: "Paris office", ParentID: offices})
			g := res.Group
			if err != nil || g.ID == "" || g.Name != "Paris" || g.ParentID != offices || g.ParentName != "Offices" || g.Description != "Paris office" {
				t.Fatalf("create: %+v, %v", g, err)
			}
			if len(g.Packages) == 0 || g.Created == "" || res.LostAnswer != nil || res.ReadBack != nil || res.StoredName != "" {
				t.Fatalf("create read back no packages or time, or reports trouble: %+v", res)
			}
			if n, err := c.GroupByName(ctx, "Paris", ""); err != nil || n.ID != g.ID || n.Path != "Offices/Paris" {
				t.Fatalf("a read after the write does not see it: %+v, %v", n, err)
			}
			chosen, err := c.CreateGroup(ctx, GroupInput{ID: "lyon.1", Name: "Lyon"})
			if err != nil || chosen.Group.ID != "lyon.1" || chosen.Group.ParentID != "" {
				t.Fatalf("create with an id: %+v, %v", chosen, err)
			}
			moved, err := c.UpdateGroup(ctx, "lyon.1", GroupInput{Name: "Lyon office", Description: "moved", ParentID: offices})
			if err != nil || moved.Group.Name != "Lyon office" || moved.Group.ParentID != offices || moved.Group.Description != "moved" {
				t.Fatalf("update: %+v, %v", moved, err)
			}
			top, err := c.UpdateGroup(ctx, "lyon.1", GroupInput{Name: "Lyon office", ParentID: ""})
			if err != nil || top.Group.ParentID != "" || top.Group.Description != "" {
				t.Fatalf("to the top level: %+v, %v", top, err)
			}
			if _, err := c.DeleteGroup(ctx, "lyon.1", ""); err != nil {
				t.Fatal(err)
			}
			if _, ok := srv.DrWebGroup("lyon.1"); ok {
				t.Fatal("the group is still there")
			}
			// A group already gone counts as deleted: refused, and not listed.
			if _, err := c.DeleteGroup(ctx, "lyon.1", ""); err != nil {
				t.Fatalf("deleting a group that is gone: %v", err)
			}
			if n := srv.Count(deletePath); n != 2 {
				t.Fatalf("%d delete.ds, want one per call", n)
			}
		})
	}
}

func TestWriteRefusals(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		do   func() error
		as   any
		want string
	}{
		"chosen id taken": {func() error { _, err := c.CreateGroup(ctx, GroupInput{ID: berlin, Name: "x"}); return err }, new(*IDTakenError),
			`Dr.Web refused to create the group "` + berlin + `": error 39: Group '` + berlin + `' already exists; the group "` + berlin + `" (named "Berlin", under the group "` + offices + `") has that id`},
		"bad id": {func() error { _, err := c.CreateGroup(ctx, GroupInput{ID: "a b", Name: "x"}); return err }, nil, `may hold only digits`},
		"under itself": {func() error {
			_, err := c.UpdateGroup(ctx, offices, GroupInput{Name: "Offices", ParentID: berlinWS})
			return err
		}, new(*SubtreeMoveError), `cannot move under "` + berlinWS + `": that is the group itself or one of its descendants (nothing was sent to the server)`},
		"system group": {func() error { _, err := c.DeleteGroup(ctx, EveryoneID, ""); return err }, new(*WriteError),
			`error 36: Unable to remove group '` + EveryoneID + `': You cannot remove the system group`},
		"with children":  {func() error { _, err := c.DeleteGroup(ctx, offices, ""); return err }, new(*WriteError), `the group has child groups`},
		"unknown parent": {func() error { _, err := c.CreateGroup(ctx, GroupInput{Name: "x", ParentID: "nowhere"}); return err }, new(*NotFoundError), `the parent group "nowhere" does not exist`},
		"name taken": {func() error { _, err := c.CreateGroup(ctx, GroupInput{Name: "Berlin", ParentID: offices}); return err }, new(*DuplicateNameError),
			`The group "` + offices + `" already holds a group named "Berlin": "` + berlin + `"`},
		"name taken by a system group": {func() error { _, err := c.CreateGroup(ctx, GroupInput{Name: "Ungrouped"}); return err }, new(*DuplicateNameError),
			`The top level already holds a system group named "Ungrouped": "411dac63-2a3e-4ce8-af4f-1fbeb94242ef"`},
		"rename beside a namesake": {func() error {
			_, err := c.UpdateGroup(ctx, moscow, GroupInput{Name: "Berlin", ParentID: offices})
			return err
		}, new(*DuplicateNameError),
			`already holds a group named "Berlin"`},
		"spaces": {func() error { _, err := c.CreateGroup(ctx, GroupInput{Name: " Paris"}); return err }, nil, `starts or ends with spaces`},
	} {
		err := tc.do()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", name, err, tc.want)
			continue
		}
		if tc.as != nil && !errors.As(err, tc.as) {
			t.Errorf("%s: %T is not a %T", name, err, tc.as)
		}
	}
	if !errors.Is(func() error { _, err := c.DeleteGroup(ctx, EveryoneID, ""); return err }(), ErrSystemGroup) {
		t.Error("errno 36 does not match ErrSystemGroup")
	}
	// Each refused delete.ds was sent once: 36 twice above (two calls), 37 once.
	if n := srv.Count(deletePath); n != 3 {
		t.Errorf("%d delete.ds, want 3 (one per call, never sent again)", n)
	}
	if n := addCount(srv); n != 1 {
		t.Errorf("%d add.ds, want 1 (only the taken id reached the server)", n)
	}
	// Allowed, a second group of the name is made beside the first.
	res, err := c.CreateGroup(ctx, GroupInput{Name: "Berlin", ParentID: offices, AllowDuplicateName: true})
	if err != nil || res.Group.ID == berlin || len(srv.DrWebGroupsNamed(offices, "Berlin")) != 2 {
		t.Fatalf("%+v, %v", res, err)
	}
}

// fault is one way a write's answer can go wrong; after says whether the
// server carried the write out before it did.
type fault struct {
	name  string
	f     emulator.Fault
	after bool
}

// writeFaults are the faults the emulator injects, before and after the
// write is applied.
func writeFaults() []fault {
	base := map[string]emulator.Fault{
		"500 HTML":       {Status: 500, Body: "<html><body>Internal error</body></html>"},
		"empty 503":      {Status: 503},
		"429":            {Status: 429, RetryAfter: "0"},
		"reset":          {Drop: true},
		"timeout":        {Delay: 2 * time.Second, Status: 200},
		"truncated 2xx":  {Status: 200, ContentType: "text/xml", Body: `<drweb-avdesk-api status="true"><group id="`},
		"HTML 2xx":       {Status: 200, Body: "<html><body>Portal</body></html>"},
		"empty 2xx":      {Status: 200, ContentType: "application/json"},
		"errno":          {Errno: 500, Message: "database is locked"},
		"answer for foe": {AnswerID: "not-this-one"},
	}
	var out []fault
	for _, name := range sortedKeys(base) {
		for _, after := range []bool{false, true} {
			f := base[name]
			f.Lose = after
			out = append(out, fault{name: name, f: f, after: after})
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (f fault) String() string {
	if f.after {
		return f.name + " after the write"
	}
	return f.name + " before the write"
}

// shortTimeout is a client whose requests time out after a second, for the
// "timeout" faults.
var shortTimeout = client.Settings{RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, MaxRetries: 2, Timeout: time.Second}

func setupShort(t *testing.T) (*Client, *emulator.Server) {
	t.Helper()
	srv := emulator.New(emulator.DefaultSeed())
	t.Cleanup(srv.Close)
	c, err := New(Config{URL: srv.URL, Login: "admin", Password: "demo-password"}, shortTimeout)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

// After any fault, a create leaves at most the one group it was asked for,
// sends add.ds once, and either knows the group (taken after a look) or says
// so: refused, outcome unknown, or an answer it does not trust.
func TestCreateFaults(t *testing.T) {
	t.Parallel()
	// The JSON line, the XML-only one, and the one whose JSON head is not JSON.
	for _, line := range []emulator.DrWebServerLine{emulator.DrWebDefault, emulator.DrWebAVDesk413, emulator.DrWebESS12} {
		for _, tc := range writeFaults() {
			t.Run(string(line)+"-"+tc.String(), func(t *testing.T) {
				t.Parallel()
				c, srv := setupShort(t)
				if err := srv.SetDrWebServerLine(line); err != nil {
					t.Fatal(err)
				}
				testCreateFault(t, c, srv, tc)
			})
		}
	}
}

func testCreateFault(t *testing.T, c *Client, srv *emulator.Server, tc fault) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.Children(ctx, offices); err != nil { // settle the format first
		t.Fatal(err)
	}
	f := tc.f
	f.Path, f.Times = addPath, 1
	srv.AddFault(f)
	res, err := c.CreateGroup(ctx, GroupInput{Name: "Madrid", ParentID: offices})
	on := srv.DrWebGroupsNamed(offices, "Madrid")
	if n := addCount(srv); n != 1 {
		t.Fatalf("add.ds was sent %d times", n)
	}
	var unknown *OutcomeUnknownError
	var refused *WriteError
	var answer *AnswerError
	switch {
	case tc.after && tc.name == "answer for foe":
		// The answer names a group that is not there: not taken, and
		// the group made is named by the next create's refusal.
		if !errors.As(err, &answer) || len(on) != 1 {
			t.Fatalf("got %+v, %v; on the server %v", res, err, on)
		}
		_, again := c.CreateGroup(ctx, GroupInput{Name: "Madrid", ParentID: offices})
		var dup *DuplicateNameError
		if !errors.As(again, &dup) || dup.Existing.ID != on[0] {
			t.Fatalf("the next create: %v", again)
		}
	case tc.after:
		if err != nil || len(on) != 1 || res.Group.ID != on[0] || res.LostAnswer == nil {
			t.Fatalf("got %+v, %v; on the server %v", res, err, on)
		}
	case tc.name == "errno":
		if !errors.As(err, &refused) || len(on) != 0 {
			t.Fatalf("got %v; on the server %v", err, on)
		}
	case tc.name == "answer for foe":
		if !errors.As(err, &answer) || len(on) != 0 {
			t.Fatalf("got %v; on the server %v", err, on)
		}
	default:
		if !errors.As(err, &unknown) || len(on) != 0 {
			t.Fatalf("got %+v, %v; on the server %v", res, err, on)
		}
	}
}

// After any fault, a change is sent once and either shows on the group or
// is reported as refused or unknown.
func TestChangeFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range writeFaults() {
		t.Run(tc.String(), func(t *testing.T) {
			t.Parallel()
			c, srv := setupShort(t)
			f := tc.f
			f.Path, f.Times = changePath, 1
			srv.AddFault(f)
			res, err := c.UpdateGroup(context.Background(), moscow, GroupInput{Name: "Moskva", Description: "renamed", ParentID: offices})
			g, _ := srv.DrWebGroup(moscow)
			if n := srv.Count(changePath); n != 1 {
				t.Fatalf("change.ds was sent %d times", n)
			}
			var unknown *OutcomeUnknownError
			var refused *WriteError
			var answer *AnswerError
			switch {
			case tc.after && tc.name == "answer for foe":
				if !errors.As(err, &answer) || g.Name != "Moskva" {
					t.Fatalf("got %v; on the server %+v", err, g)
				}
			case tc.after:
				if err != nil || res.LostAnswer == nil || res.Group.Name != "Moskva" || g.Name != "Moskva" {
					t.Fatalf("got %+v, %v; on the server %+v", res, err, g)
				}
			case tc.name == "errno":
				if !errors.As(err, &refused) || g.Name != "Moscow" {
					t.Fatalf("got %v; on the server %+v", err, g)
				}
			case tc.name == "answer for foe":
				if !errors.As(err, &answer) || g.Name != "Moscow" {
					t.Fatalf("got %v; on the server %+v", err, g)
				}
			default:
				if !errors.As(err, &unknown) || g.Name != "Moscow" {
					t.Fatalf("got %+v, %v; on the server %+v", res, err, g)
				}
			}
		})
	}
}

// After any fault, a delete is sent once, and succeeds only when the group
// is gone.
func TestDeleteFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range writeFaults() {
		t.Run(tc.String(), func(t *testing.T) {
			t.Parallel()
			c, srv := setupShort(t)
			f := tc.f
			f.Path, f.Times = deletePath, 1
			srv.AddFault(f)
			_, err := c.DeleteGroup(context.Background(), berlinWS, berlin)
			_, there := srv.DrWebGroup(berlinWS)
			if n := srv.Count(deletePath); n != 1 {
				t.Fatalf("delete.ds was sent %d times", n)
			}
			var answer *AnswerError
			switch {
			case tc.name == "answer for foe":
				if !errors.As(err, &answer) {
					t.Fatalf("got %v (the group there: %v)", err, there)
				}
			case tc.after:
				if err != nil || there {
					t.Fatalf("got %v; the group there: %v", err, there)
				}
			default:
				if err == nil || !there {
					t.Fatalf("got %v; the group there: %v", err, there)
				}
			}
		})
	}
}

// A create whose add.ds lands after the client's timeout: the look finds
// nothing, nothing is sent again, and the next create names the group
// instead of making a second one.
func TestLateCreate(t *testing.T) {
	t.Parallel()
	c, srv := setupShort(t)
	ctx := context.Background()
	srv.AddFault(emulator.Fault{Path: addPath, Times: 1, Late: true, Delay: 4 * time.Second, Status: 200}) // well after the look that follows the 1 s timeout
	_, err := c.CreateGroup(ctx, GroupInput{Name: "Late", ParentID: servers})
	var unknown *OutcomeUnknownError
	if !errors.As(err, &unknown) || unknown.Look != nil || len(unknown.Candidates) != 0 || addCount(srv) != 1 {
		t.Fatalf("got %v after %d add.ds", err, addCount(srv))
	}
	for range 400 { // up to 20 s
		if len(srv.DrWebGroupsNamed(servers, "Late")) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	on := srv.DrWebGroupsNamed(servers, "Late")
	if len(on) != 1 {
		t.Fatalf("the late write did not land: %v", on)
	}
	_, err = c.CreateGroup(ctx, GroupInput{Name: "Late", ParentID: servers})
	var dup *DuplicateNameError
	if !errors.As(err, &dup) || dup.Existing.ID != on[0] || addCount(srv) != 1 {
		t.Fatalf("the next create: %v after %d add.ds", err, addCount(srv))
	}
}

// Two creates of one name (duplicates allowed), the first's answer lost:
// each ends with a group of its own, never the other's.
func TestLostAnswerNeverTakesASiblingsGroup(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.AddFault(emulator.Fault{Path: addPath, Times: 1, Lose: true})
	var wg sync.WaitGroup
	ids := make([]string, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			res, err := c.CreateGroup(context.Background(), GroupInput{Name: "Twin", ParentID: servers, AllowDuplicateName: true})
			ids[i], errs[i] = res.Group.ID, err
		})
	}
	wg.Wait()
	on := srv.DrWebGroupsNamed(servers, "Twin")
	if errs[0] != nil || errs[1] != nil || ids[0] == ids[1] || len(on) != 2 || !slices.Contains(on, ids[0]) || !slices.Contains(on, ids[1]) {
		t.Fatalf("ids %v, errors %v; on the server %v", ids, errs, on)
	}
}

// An add.ds answer naming a group that existed before the write is not
// trusted: nothing is taken, and that group is left alone.
func TestCreateAnswerNamingAnExistingGroup(t *testing.T) {
	t.Parallel()
	for name, parent := range map[string]string{"sibling": offices, "elsewhere": servers} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.AddFault(emulator.Fault{Path: addPath, Times: 1, Lose: true, AnswerID: berlin})
			_, err := c.CreateGroup(context.Background(), GroupInput{Name: "Oslo", ParentID: parent})
			var answer *AnswerError
			if !errors.As(err, &answer) || answer.Got != berlin {
				t.Fatalf("got %v", err)
			}
			if g, ok := srv.DrWebGroup(berlin); !ok || g.Name != "Berlin" {
				t.Fatalf("Berlin was touched: %+v", g)
			}
		})
	}
}

// A read-back that keeps failing after a create does not lose the group: the
// result carries its id and what was sent, with the failure.
func TestCreateReadBackFails(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]emulator.Fault{
		"500":    {Status: 500, Body: "down"},
		"errno":  {Errno: 500, Message: "database is locked"},
		"HTML":   {Status: 200, Body: "<html><body>Portal</body></html>"},
		"foe id": {AnswerID: berlin},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			if _, err := c.Children(context.Background(), servers); err != nil {
				t.Fatal(err)
			}
			f.Path = infoPath
			srv.AddFault(f)
			res, err := c.CreateGroup(context.Background(), GroupInput{ID: "rb", Name: "Read back", ParentID: servers})
			if err != nil || res.ReadBack == nil || res.Group.ID != "rb" || res.Group.Name != "Read back" || res.Group.ParentID != servers {
				t.Fatalf("%+v, %v", res, err)
			}
			if _, ok := srv.DrWebGroup("rb"); !ok || addCount(srv) != 1 {
				t.Fatalf("the group is not there, or add.ds was sent %d times", addCount(srv))
			}
		})
	}
}

// A server that stores names cut: the group is kept, with the name it stored.
func TestStoredNameDiffers(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.SetDrWebNameLimit(8)
	res, err := c.CreateGroup(context.Background(), GroupInput{Name: "Headquarters", ParentID: servers})
	if err != nil || res.StoredName != "Headquar" || res.Group.Name != "Headquar" {
		t.Fatalf("%+v, %v", res, err)
	}
}

// Gone means gone: only a refusal of the id and a listing without it make a
// group gone; anything else is an error.
func TestReadGroup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("refused but listed", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t)
		srv.AddFault(emulator.Fault{Path: infoPath, Errno: 500, Message: "database is locked"})
		_, err := c.ReadGroup(ctx, berlin, offices)
		var tree *TreeError
		var gone *GoneError
		if !errors.As(err, &tree) || errors.As(err, &gone) || !strings.Contains(err.Error(), "database is locked") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("answer about another group", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t)
		srv.AddFault(emulator.Fault{Path: infoPath, AnswerID: moscow})
		_, err := c.ReadGroup(ctx, berlin, offices)
		var answer *AnswerError
		if !errors.As(err, &answer) || !strings.Contains(err.Error(), `with the groups "`+moscow+`" instead`) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("refused and the listing fails", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t)
		srv.AddFault(emulator.Fault{Path: infoPath, Errno: 500, Message: "database is locked"})
		srv.AddFault(emulator.Fault{Path: listPath, Status: 500, Body: "down"})
		_, err := c.ReadGroup(ctx, berlin, offices)
		var gone *GoneError
		if err == nil || errors.As(err, &gone) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("deleted", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t)
		srv.DeleteDrWebGroup(berlinWS)
		_, err := c.ReadGroup(ctx, berlinWS, berlin)
		var gone *GoneError
		if !errors.As(err, &gone) || gone.ParentID != berlin {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("deleted with its parent", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t)
		srv.DeleteDrWebGroup(berlinWS)
		srv.DeleteDrWebGroup(berlin)
		_, err := c.ReadGroup(ctx, berlinWS, berlin)
		var gone *GoneError
		if !errors.As(err, &gone) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("parent gone, group moved away and refused", func(t *testing.T) {
		t.Parallel()
		c, srv := setup(t)
		srv.UpdateDrWebGroup(berlinWS, func(g *emulator.DrWebGroup) { g.ParentID = servers })
		srv.DeleteDrWebGroup(berlin)
		srv.AddFault(emulator.Fault{Path: infoPath, Errno: 500, Message: "database is locked"})
		_, err := c.ReadGroup(ctx, berlinWS, berlin)
		var gone *GoneError
		if err == nil || errors.As(err, &gone) {
			t.Fatalf("got %v", err)
		}
	})
}

// A refusal that echoes the credentials is redacted in the error.
func TestWriteRefusalIsRedacted(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	basic := "YWRtaW46ZGVtby1wYXNzd29yZA==" // admin:demo-password
	srv.AddFault(emulator.Fault{Path: addPath, Errno: 2, Message: "bad request from admin:demo-password (Basic " + basic + ")"})
	_, err := c.CreateGroup(context.Background(), GroupInput{Name: "Leak"})
	if err == nil || strings.Contains(err.Error(), "demo-password") || strings.Contains(err.Error(), basic) || !strings.Contains(err.Error(), "error 2: bad request") {
		t.Fatalf("got %v", err)
	}
}

// An interrupt while add.ds is under way: the client still looks (on a
// context of its own, for one request timeout) and takes the group when the
// write happened; otherwise the outcome is unknown. Nothing is sent again.
func TestInterruptedCreate(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		fault emulator.Fault
		found bool
	}{
		"not carried out": {emulator.Fault{Path: addPath, Times: 1, Delay: 2 * time.Second, Status: 200}, false},
		"carried out":     {emulator.Fault{Path: addPath, Times: 1, Lose: true, Delay: 2 * time.Second, Status: 200}, true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			if _, err := c.Children(context.Background(), offices); err != nil {
				t.Fatal(err)
			}
			srv.AddFault(tc.fault)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			res, err := c.CreateGroup(ctx, GroupInput{Name: "Porto", ParentID: offices})
			var unknown *OutcomeUnknownError
			switch {
			case addCount(srv) != 1:
				t.Fatalf("%d add.ds", addCount(srv))
			case tc.found && (err != nil || res.LostAnswer == nil):
				t.Fatalf("%+v, %v", res, err)
			case !tc.found && !errors.As(err, &unknown):
				t.Fatalf("%v", err)
			}
		})
	}
}

// On every server line a write works; on ESS 12, whose JSON head is not
// JSON, a read settles the format before the first write, so no write's
// answer is unreadable.
func TestWritesOnEveryServerLine(t *testing.T) {
	t.Parallel()
	for _, line := range emulator.DrWebServerLines {
		t.Run(string(line)+"-", func(t *testing.T) {
			t.Parallel()
			c, srv := setupLine(t, line)
			res, err := c.CreateGroup(context.Background(), GroupInput{ID: "line-test", Name: "Line test", ParentID: servers})
			if err != nil || res.Group.ParentName != "Servers" || addCount(srv) != 1 {
				t.Fatalf("%+v, %v, %d add.ds", res, err, addCount(srv))
			}
			for _, r := range srv.Requests() {
				if r.Path == addPath && line == emulator.DrWebESS12 && r.Query.Get("format") == "json" {
					t.Fatal("add.ds asked for JSON on a server whose JSON is not JSON")
				}
			}
			if _, err := c.DeleteGroup(context.Background(), "line-test", servers); err != nil {
				t.Fatal(err)
			}
			if _, ok := srv.DrWebGroup("line-test"); ok {
				t.Fatalf("%s: the group is still there", line)
			}
		})
	}
}

// A write that is a run's first request (a destroy without refresh) on a
// server whose JSON head does not parse: a read settles the format first,
// so the write goes once, in XML.
func TestWriteFirstSettlesTheFormatWithARead(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	if err := srv.SetDrWebServerLine(emulator.DrWebESS12); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteGroup(context.Background(), "8f1c2a10-0005-4e11-9a01-000000000005", moscow); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range srv.Requests() {
		got = append(got, r.Path+"?format="+r.Query.Get("format"))
	}
	want := []string{listPath + "?format=json", listPath + "?format=", deletePath + "?format="}
	if !slices.Equal(got, want) {
		t.Fatalf("requests %v, want %v", got, want)
	}
}

// A namesake that another run creates while add.ds is under way is settled
// by the time each group took the name: the later group's run deletes its
// own and says so; the earlier keeps its group; the same second makes every
// run that saw the other give way. Nothing is settled with
// AllowDuplicateName, nor for a namesake that was there before.
func TestCreateConcurrentNamesake(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		offset    int64 // the other group's creation time, seconds after ours
		allowDup  bool
		wantErr   string
		wantKept  int // groups of the name left on the server
		wantOurs  bool
		unordered bool
	}{
		"the other came first": {offset: -1, wantErr: `a concurrent run made a group of that name there: "other" (created `, wantKept: 1},
		"ours came first":      {offset: 1, wantKept: 2, wantOurs: true},
		"the same second":      {offset: 0, wantErr: "cannot tell which came first", wantKept: 1, unordered: true},
		"duplicates allowed":   {offset: -1, allowDup: true, wantKept: 2, wantOurs: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.OnDrWebWrite(func(path string, w emulator.DrWebGroup) []emulator.DrWebGroup {
				if path != addPath || w.Name != "Racing" {
					return nil
				}
				return []emulator.DrWebGroup{{ID: "other", ParentID: w.ParentID, Name: w.Name, Created: w.Created + tc.offset, Modified: w.Created + tc.offset}}
			})
			res, err := c.CreateGroup(context.Background(), GroupInput{Name: "Racing", ParentID: offices, AllowDuplicateName: tc.allowDup})
			var race *ConcurrentWriteError
			if tc.wantErr != "" {
				if !errors.As(err, &race) || !strings.Contains(err.Error(), tc.wantErr) || race.Unordered != tc.unordered {
					t.Fatalf("got %v, want a *ConcurrentWriteError with %q", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), "this run deleted its own new group") || res.Group.ID != "" {
					t.Fatalf("the run that gives way must delete its group and return none: %+v, %v", res, err)
				}
				if n := srv.Count(deletePath); n != 1 {
					t.Fatalf("%d delete.ds, want 1 (its own group)", n)
				}
			} else if err != nil || res.Group.ID == "" {
				t.Fatalf("create: %+v, %v", res, err)
			}
			// The other run's group, whatever became of ours, stays.
			ids := srv.DrWebGroupsNamed(offices, "Racing")
			if len(ids) != tc.wantKept || !slices.Contains(ids, "other") {
				t.Fatalf("the server holds %v, want %d groups with the other run's", ids, tc.wantKept)
			}
			if tc.wantOurs != slices.Contains(ids, res.Group.ID) {
				t.Fatalf("our group %q on the server: %v, want %v", res.Group.ID, ids, tc.wantOurs)
			}
		})
	}
}

// A rename or move onto a name that another run gives a group at the same
// moment is settled by the same clock as a create: the run whose change came
// later changes its group back; the earlier keeps its change.
func TestChangeConcurrentNamesake(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		offset  int64
		other   string // the other group's id: a new one, or a sibling renamed at the same moment
		wantErr string
	}{
		"the other came first":          {offset: -1, other: "other", wantErr: "this run changed the group"},
		"ours came first":               {offset: 1, other: "other"},
		"the same second":               {offset: 0, other: "other", wantErr: "cannot tell which came first"},
		"a sibling renamed just before": {offset: -1, other: berlin, wantErr: "this run changed the group"},
		"a sibling renamed just after":  {offset: 1, other: berlin},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			ctx := context.Background()
			made, err := c.CreateGroup(ctx, GroupInput{Name: "Old name", Description: "kept", ParentID: offices})
			if err != nil {
				t.Fatal(err)
			}
			id := made.Group.ID
			srv.OnDrWebWrite(func(path string, w emulator.DrWebGroup) []emulator.DrWebGroup {
				if path != changePath || w.Name != "Racing" {
					return nil
				}
				return []emulator.DrWebGroup{{ID: tc.other, ParentID: w.ParentID, Name: w.Name, Created: 1, Modified: w.Modified + tc.offset}}
			})
			res, err := c.UpdateGroup(ctx, id, GroupInput{Name: "Racing", Description: "kept", ParentID: offices})
			srv.OnDrWebWrite(nil)
			g, _ := srv.DrWebGroup(id)
			var race *ConcurrentWriteError
			if tc.wantErr == "" {
				if err != nil || res.Group.Name != "Racing" || g.Name != "Racing" {
					t.Fatalf("the earlier change must stay: %+v, %v, server %+v", res, err, g)
				}
				return
			}
			if !errors.As(err, &race) || race.Op != OpChange || !strings.Contains(err.Error(), tc.wantErr) || res.Group.ID != "" {
				t.Fatalf("got %+v, %v; want a *ConcurrentWriteError saying %q", res, err, tc.wantErr)
			}
			if g.Name != "Old name" || g.Description != "kept" || g.ParentID != offices {
				t.Fatalf("the group was not changed back: %+v", g)
			}
			if ids := srv.DrWebGroupsNamed(offices, "Racing"); !slices.Equal(ids, []string{tc.other}) {
				t.Fatalf("groups named Racing: %v, want only the other run's", ids)
			}
		})
	}
}

// A plan's check of a top-level create or rename counts the system groups
// among the top level's names, as the write does, and sends no write.
func TestCheckWriteSeesSystemNamesakes(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	ctx := context.Background()
	var dup *DuplicateNameError
	if err := c.CheckWrite(ctx, "", GroupInput{Name: "Ungrouped"}, false, false); !errors.As(err, &dup) || dup.Existing.ID != SystemGroupIDs[1] {
		t.Fatalf("a top-level create named Ungrouped: got %v, want a *DuplicateNameError naming the system group", err)
	}
	if err := c.CheckWrite(ctx, offices, GroupInput{Name: "Ungrouped"}, true, false); !errors.As(err, &dup) {
		t.Fatalf("a top-level rename to Ungrouped: got %v, want a *DuplicateNameError", err)
	}
	if err := c.CheckWrite(ctx, "", GroupInput{Name: "Ungrouped", ParentID: offices}, false, false); err != nil {
		t.Fatalf("a create named Ungrouped under Offices: got %v, want nil", err)
	}
	if err := c.CheckWrite(ctx, "", GroupInput{Name: "Ungrouped", AllowDuplicateName: true}, false, false); err != nil {
		t.Fatalf("with allow_duplicate_names: got %v, want nil", err)
	}
	for _, r := range srv.Requests() {
		if !strings.HasSuffix(r.Path, "list.ds") && !strings.HasSuffix(r.Path, "info.ds") {
			t.Errorf("the check sent %s", r.Path)
		}
	}
}
