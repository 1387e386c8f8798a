package drweb

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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
			g, err := c.CreateGroup(ctx, GroupInput{Name: "Paris", Description: "Paris office", ParentID: offices})
			if err != nil || g.ID == "" || g.Name != "Paris" || g.ParentID != offices || g.ParentName != "Offices" || g.Description != "Paris office" {
				t.Fatalf("create: %+v, %v", g, err)
			}
			if len(g.Packages) == 0 || g.Created == "" {
				t.Fatalf("create read back no packages or time: %+v", g)
			}
			if n, err := c.GroupByName(ctx, "Paris", ""); err != nil || n.ID != g.ID || n.Path != "Offices/Paris" {
				t.Fatalf("a read after the write does not see it: %+v, %v", n, err)
			}
			chosen, err := c.CreateGroup(ctx, GroupInput{ID: "lyon.1", Name: "Lyon"})
			if err != nil || chosen.ID != "lyon.1" || chosen.ParentID != "" {
				t.Fatalf("create with an id: %+v, %v", chosen, err)
			}
			moved, err := c.UpdateGroup(ctx, "lyon.1", GroupInput{Name: "Lyon office", Description: "moved", ParentID: offices})
			if err != nil || moved.Name != "Lyon office" || moved.ParentID != offices || moved.Description != "moved" {
				t.Fatalf("update: %+v, %v", moved, err)
			}
			top, err := c.UpdateGroup(ctx, "lyon.1", GroupInput{Name: "Lyon office", ParentID: ""})
			if err != nil || top.ParentID != "" || top.Description != "" {
				t.Fatalf("to the top level: %+v, %v", top, err)
			}
			if err := c.DeleteGroup(ctx, "lyon.1"); err != nil {
				t.Fatal(err)
			}
			if _, ok := srv.DrWebGroup("lyon.1"); ok {
				t.Fatal("the group is still there")
			}
			if err := c.DeleteGroup(ctx, "lyon.1"); err != nil {
				t.Fatalf("deleting a group that is gone: %v", err)
			}
		})
	}
}

func TestWriteRefusals(t *testing.T) {
	t.Parallel()
	c, _ := setup(t)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		do   func() error
		want string
	}{
		"duplicate id": {func() error { _, err := c.CreateGroup(ctx, GroupInput{ID: berlin, Name: "x"}); return err },
			`Dr.Web refused to create the group "` + berlin + `": error 39: Group '` + berlin + `' already exists. If a group with the id`},
		"bad id": {func() error { _, err := c.CreateGroup(ctx, GroupInput{ID: "a b", Name: "x"}); return err }, `may hold only digits`},
		"under itself": {func() error {
			_, err := c.UpdateGroup(ctx, offices, GroupInput{Name: "Offices", ParentID: berlinWS})
			return err
		}, `the new parent "` + berlinWS + `" is the group itself or one of its descendants. A group cannot move into its own subtree`},
		"system group": {func() error { return c.DeleteGroup(ctx, EveryoneID) },
			`error 36: Unable to remove group '` + EveryoneID + `': You cannot remove the system group. System groups cannot be deleted`},
		"with children":  {func() error { return c.DeleteGroup(ctx, offices) }, `the group has child groups. If it still has child groups, delete or move them first`},
		"unknown parent": {func() error { _, err := c.CreateGroup(ctx, GroupInput{Name: "x", ParentID: "nowhere"}); return err }, `the parent group "nowhere" does not exist`},
	} {
		err := tc.do()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", name, err, tc.want)
		}
	}
}

// add.ds is never sent twice blindly: after a lost answer the client looks,
// finds the group it created and uses it.
func TestLostCreateAnswerIsNotRepeated(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]GroupInput{
		"generated id": {Name: "Madrid", ParentID: offices},
		"chosen id":    {ID: "madrid", Name: "Madrid", ParentID: offices},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, srv := setup(t)
			srv.AddFault(emulator.Fault{Path: addPath, Times: 1, Lose: true})
			g, err := c.CreateGroup(context.Background(), in)
			if err != nil || g.Name != "Madrid" {
				t.Fatalf("%+v, %v", g, err)
			}
			if n := addCount(srv); n != 1 {
				t.Fatalf("add.ds was sent %d times", n)
			}
			kids, _ := c.freshChildren(context.Background(), offices)
			if len(namedIDs(kids, "Madrid")) != 1 {
				t.Fatalf("groups named Madrid: %v", namedIDs(kids, "Madrid"))
			}
		})
	}
}

// A lost answer for a write that did not happen is sent once more after the look.
func TestDroppedCreateIsSentAgainAfterALook(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.AddFault(emulator.Fault{Path: addPath, Times: 1, Drop: true})
	g, err := c.CreateGroup(context.Background(), GroupInput{Name: "Rome"})
	if err != nil || g.Name != "Rome" {
		t.Fatalf("%+v, %v", g, err)
	}
	if n := addCount(srv); n != 2 {
		t.Fatalf("add.ds was sent %d times, want 2 (after a look)", n)
	}
}

// When the look cannot tell, nothing is sent again and the error says what to do.
func TestUncertainCreate(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.AddFault(emulator.Fault{Path: addPath, Times: 1, Drop: true})
	srv.AddFault(emulator.Fault{Path: listPath, Status: 500, Body: "down"})
	_, err := c.CreateGroup(context.Background(), GroupInput{ID: "", Name: "Oslo"})
	// The listing before the write fails first: nothing is written at all.
	if err == nil || addCount(srv) != 0 {
		t.Fatalf("got %v after %d add.ds", err, addCount(srv))
	}
	srv.ClearFaults()
	srv.AddFault(emulator.Fault{Path: addPath, Times: 1, Drop: true})
	srv.AddFault(emulator.Fault{Path: infoPath, Status: 500, Body: "down"})
	_, err = c.CreateGroup(context.Background(), GroupInput{ID: "oslo", Name: "Oslo"})
	var u *UncertainWriteError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "could not tell whether the server carried it out") || addCount(srv) != 1 {
		t.Fatalf("got %v after %d add.ds", err, addCount(srv))
	}
}

// A 502 after add.ds is not retried as a read would be.
func TestWritesAreNotRetriedOnUncertainAnswers(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.AddFault(emulator.Fault{Path: addPath, Times: 1, Lose: true, Status: 502, Body: "bad gateway"})
	g, err := c.CreateGroup(context.Background(), GroupInput{ID: "vienna", Name: "Vienna"})
	if err != nil || g.ID != "vienna" || addCount(srv) != 1 {
		t.Fatalf("%+v, %v, %d add.ds", g, err, addCount(srv))
	}
	// A 429 proves nothing happened: retried.
	srv.AddFault(emulator.Fault{Path: addPath, Times: 1, Status: 429, RetryAfter: "0"})
	if _, err := c.CreateGroup(context.Background(), GroupInput{ID: "graz", Name: "Graz"}); err != nil || addCount(srv) != 3 {
		t.Fatalf("%v, %d add.ds", err, addCount(srv))
	}
}

// An answer to add.ds that cannot be read (a proxy's page with 200) leaves
// the outcome open: the client looks, and uses the group it created.
func TestUnreadableCreateAnswerIsLookedInto(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	srv.AddFault(emulator.Fault{Path: addPath, Times: 1, Lose: true, Status: 200, Body: "<html><body>Portal</body></html>"})
	g, err := c.CreateGroup(context.Background(), GroupInput{Name: "Lisbon", ParentID: offices})
	if err != nil || g.Name != "Lisbon" || addCount(srv) != 1 {
		t.Fatalf("%+v, %v, %d add.ds", g, err, addCount(srv))
	}
}

// An interrupt while add.ds is under way ends with an error that says the
// outcome is unknown and what to do, and nothing is sent again.
func TestInterruptedCreateIsUncertain(t *testing.T) {
	t.Parallel()
	c, srv := setup(t)
	if _, err := c.Children(context.Background(), offices); err != nil { // settle the format and the listing first
		t.Fatal(err)
	}
	srv.AddFault(emulator.Fault{Path: addPath, Times: 1, Delay: 2 * time.Second, Status: 200})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.CreateGroup(ctx, GroupInput{Name: "Porto", ParentID: offices})
	var u *UncertainWriteError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "import it") || addCount(srv) != 1 {
		t.Fatalf("%v after %d add.ds", err, addCount(srv))
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
			g, err := c.CreateGroup(context.Background(), GroupInput{ID: "line-test", Name: "Line test", ParentID: servers})
			if err != nil || g.ParentName != "Servers" || addCount(srv) != 1 {
				t.Fatalf("%+v, %v, %d add.ds", g, err, addCount(srv))
			}
			for _, r := range srv.Requests() {
				if r.Path == addPath && line == emulator.DrWebESS12 && r.Query.Get("format") == "json" {
					t.Fatal("add.ds asked for JSON on a server whose JSON is not JSON")
				}
			}
			if err := c.DeleteGroup(context.Background(), "line-test"); err != nil {
				t.Fatal(err)
			}
		})
	}
}
