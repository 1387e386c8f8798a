package drweb

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

const (
	stationsListPath  = "/api/groups/stations-list.ds"
	statesPath        = "/api/stations/states.ds"
	stationChangePath = "/api/stations/change.ds"

	// stationsPerPage is the documented default page size, asked for
	// explicitly: no maximum is documented.
	stationsPerPage = 100
	// memberWrites is how many change.ds requests go at once.
	memberWrites = 4
)

// stationListBounds bound one group's station listing; the first one passed
// ends it with a *PagingError naming it. They sit far above real servers
// (AV-Desk and ESS installations hold up to tens of thousands of stations)
// and stop a server whose pages never end before it takes the run's memory
// or its whole timeout.
type stationListBounds struct {
	Pages    int64 // pages of stationsPerPage
	Stations int   // stations kept
	Bytes    int64 // answer bytes read, every page together
}

// defaultStationListBounds are the bounds a Client starts with.
var defaultStationListBounds = stationListBounds{Pages: 2_000, Stations: 200_000, Bytes: 256 << 20}

// Station is one station of a group as stations-list.ds describes it.
type Station struct {
	ID, Name        string
	State           int64  // as the server numbers it (AV-Desk: 0 offline, 1 online, 2 newbie accepted, 3 newbie denied)
	LastSeen        string // RFC 3339 UTC; "" when never seen
	LastSeenAddress string
}

// StationStates are the counts of states.ds; nil where the server sent none
// (AV-Desk leaves out all).
type StationStates struct {
	All, Online, Offline, New, Newbies           *int64
	Activated, Unactivated, Deinstalled, Deleted *int64
	WithUpdateErrors                             *int64
	// Warnings name the counts left nil because the server sent something
	// other than a non-negative whole number (its text redacted).
	Warnings []string
}

// stateFields are the states.ds names of the StationStates fields.
func (s *StationStates) fields() map[string]**int64 {
	return map[string]**int64{
		"all": &s.All, "online": &s.Online, "offline": &s.Offline, "new": &s.New, "newbies": &s.Newbies,
		"activated": &s.Activated, "unactivated": &s.Unactivated, "deinstalled": &s.Deinstalled,
		"deleted": &s.Deleted, "with_update_errors": &s.WithUpdateErrors,
	}
}

// Stations returns the stations directly in a group, every page, in server
// order, each station once. Concurrent and later calls for one group share
// its requests (once per Client, until a write to the group).
func (c *Client) Stations(ctx context.Context, groupID string) ([]Station, error) {
	if strings.TrimSpace(groupID) == "" {
		return nil, errors.New("the group id is empty")
	}
	return c.mem.stationsOf(ctx, groupID)
}

// ListedStations returns the stations of a group that this Client has
// listed already, without a request: ok is false when it has not (or a
// write to the group made it forget them).
func (c *Client) ListedStations(groupID string) ([]Station, bool) {
	return c.mem.listedStations(groupID)
}

// listStations pages through stations-list.ds. The answer's stations total
// counts the rows of one page in the vendor's own example, so the pages
// block decides: its total is the number of pages. A full page is followed
// by the next even where the total says it was the last (a server that
// under-reports is still read to its end); the listing ends at the first
// short page at or past the last page the total gives. Anything else that
// contradicts the paging is an error: a listing cut short would be taken
// for the whole group, and a members resource would then re-add stations
// already in it and report removals it never made.
func (c *Client) listStations(ctx context.Context, groupID string) ([]Station, error) {
	bounds := c.stationBounds
	out := []Station{}
	seen := map[string]bool{}
	var read int64
	for page := int64(1); ; page++ {
		fail := func(format string, args ...any) error {
			return &PagingError{GroupID: groupID, Page: page, Why: fmt.Sprintf(format, args...)}
		}
		bound := func(name, format string, args ...any) error {
			return &PagingError{GroupID: groupID, Page: page, Bound: name, Why: fmt.Sprintf(format, args...)}
		}
		if page > bounds.Pages {
			return nil, bound("pages", "it has more than %d pages of %d stations, the most a listing reads", bounds.Pages, stationsPerPage)
		}
		q := url.Values{"id": {groupID}, "page": {strconv.FormatInt(page, 10)}, "per-page": {strconv.Itoa(stationsPerPage)}}
		resp, doc, err := c.read(ctx, stationsListPath, q)
		if err != nil {
			return nil, err
		}
		if !doc.Status {
			return nil, stationRefusal(groupID, "stations", serverError(resp, doc))
		}
		if read += int64(len(resp.Body)); read > bounds.Bytes {
			return nil, bound("bytes", "its answers passed %s, the most a listing reads", sizeOf(bounds.Bytes))
		}
		rows := len(doc.Stations) + doc.Unnamed
		if rows > stationsPerPage {
			return nil, fail("the page holds %d stations, more than the %d asked for", rows, stationsPerPage)
		}
		last := int64(1) // no paging block: one page, unless it is full
		if p := doc.Pages; p != nil {
			if p.BadTotal != "" {
				return nil, fail("its pages total %q is not a whole number", c.http.Redactor().Cut(p.BadTotal, 40))
			}
			if p.Current != 0 && p.Current != page {
				return nil, fail("page %d was asked for and page %d came back", page, p.Current)
			}
			last = p.Total
		}
		fresh := 0
		for _, st := range doc.Stations {
			if !seen[st.ID] { // a repeat: a station that moved while the pages were read
				seen[st.ID] = true
				out = append(out, st)
				fresh++
			}
		}
		switch {
		case rows > 0 && fresh == 0:
			return nil, fail("the page holds only stations of earlier pages")
		case len(out) > bounds.Stations:
			return nil, bound("stations", "it holds more than %d stations, the most a listing keeps", bounds.Stations)
		case rows == stationsPerPage:
			// A full page: the next one says whether there is more.
		case page < last:
			return nil, fail("the page holds %d stations, fewer than the %d asked for, yet the answer gives %d pages", rows, stationsPerPage, last)
		default:
			return out, nil
		}
	}
}

// sizeOf says a number of bytes in the largest unit that divides it.
func sizeOf(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// SubtreeStations returns the stations of a group and of every group below
// it, each once: the group's own in server order, then each subgroup's,
// depth first in the tree's listing order, a station where it first
// appears. It lists the subtree (shared with the run's other lookups) and
// each group's stations, so that every server line gives the same set in
// the same order; ESS 13.0.1's subgroups=yes is not used, as its answer
// does not say which group a station is in. Everyone holds every station:
// its own listing is the whole set.
func (c *Client) SubtreeStations(ctx context.Context, groupID string) ([]Station, error) {
	if groupID == EveryoneID {
		return c.Stations(ctx, groupID)
	}
	own, err := c.Stations(ctx, groupID)
	if err != nil {
		return nil, err
	}
	nodes, err := c.Tree(ctx, groupID, true, false)
	if err != nil {
		return nil, err
	}
	lists := make([][]Station, len(nodes))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(treeConcurrency)
	for i, n := range nodes {
		g.Go(func() (err error) {
			lists[i], err = c.Stations(gctx, n.ID)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := slices.Clone(own)
	seen := map[string]bool{}
	for _, st := range own {
		seen[st.ID] = true
	}
	for _, list := range lists {
		for _, st := range list {
			if !seen[st.ID] {
				seen[st.ID] = true
				out = append(out, st)
			}
		}
	}
	return out, nil
}

// States returns the station state counts of a group (states.ds group-id),
// once per Client and group. Whether they count the stations of groups
// below it is not documented.
func (c *Client) States(ctx context.Context, groupID string) (StationStates, error) {
	if strings.TrimSpace(groupID) == "" {
		return StationStates{}, errors.New("the group id is empty")
	}
	return c.mem.statesOf(ctx, groupID)
}

// countStates asks states.ds for a group's station state counts.
func (c *Client) countStates(ctx context.Context, groupID string) (StationStates, error) {
	resp, doc, err := c.read(ctx, statesPath, url.Values{"group-id": {groupID}})
	if err != nil {
		return StationStates{}, err
	}
	if !doc.Status {
		return StationStates{}, stationRefusal(groupID, "station states", serverError(resp, doc))
	}
	var out StationStates
	fields := out.fields()
	for _, name := range slices.Sorted(maps.Keys(doc.Counts)) {
		f, ok := fields[name]
		if !ok {
			continue
		}
		v := strings.TrimSpace(string(doc.Counts[name]))
		n, isInt := client.FlexString(v).Int()
		if v == "" || !isInt || n < 0 {
			out.Warnings = append(out.Warnings, fmt.Sprintf("the count %q of states.ds is %q, not a non-negative whole number", name, c.http.Redactor().Cut(v, 40)))
			continue
		}
		*f = &n
	}
	return out, nil
}

// MemberOp is a change of one station's groups.
type MemberOp string

// The membership changes.
const (
	OpAddStation    MemberOp = "add"
	OpRemoveStation MemberOp = "remove"
)

// MemberOutcome is what became of one change, as the group shows it.
type MemberOutcome int

// The outcomes of a membership change.
const (
	// MemberDone: the server accepted the change and the group shows it
	// (or, when the group could not be read back, an accepted add).
	MemberDone MemberOutcome = iota
	// MemberDoneAnswerLost: the answer was lost (or was a refusal, or named
	// another station), and the group shows the change.
	MemberDoneAnswerLost
	// MemberKeptPrimary: the server accepted the removal, and the station
	// is still in the group: it is the station's primary group, which the
	// server does not take a station out of.
	MemberKeptPrimary
	// MemberRefused: the server refused it (Err is a *StationWriteError).
	MemberRefused
	// MemberUnknown: the answer was lost and the group does not show the
	// change (for a removal: it may also be the primary group). Err says why.
	MemberUnknown
	// MemberNotListed: the server accepted the addition, and the group's
	// listing does not show the station (a station marked deleted, which
	// no listing shows). Sending it again would not change that.
	MemberNotListed
	// MemberKeptForOther: the removal was not sent, because another
	// change of this Client keeps the station in the group (two members
	// resources of one run: one lets the station go, the other lists it).
	MemberKeptForOther
)

// MemberChange is one change.ds request and what became of it.
type MemberChange struct {
	Op      MemberOp
	Station string
	Outcome MemberOutcome
	Err     error // the refusal, or what became of the answer
}

// members serialises the membership changes of each group in one Client
// and remembers which stations they keep, so that one change never takes
// out a station that another change of the same run puts or keeps in the
// group: whichever comes first, the group ends up holding it.
type members struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
	keeps map[string]map[string]bool // group → stations some change keeps
}

// lock takes the group's lock and records the stations the change keeps.
func (m *members) lock(group string, keep []string) func() {
	m.mu.Lock()
	if m.locks == nil {
		m.locks, m.keeps = map[string]*sync.Mutex{}, map[string]map[string]bool{}
	}
	l := m.locks[group]
	if l == nil {
		l = new(sync.Mutex)
		m.locks[group] = l
	}
	if m.keeps[group] == nil {
		m.keeps[group] = map[string]bool{}
	}
	for _, id := range keep {
		m.keeps[group][id] = true
	}
	m.mu.Unlock()
	l.Lock()
	return l.Unlock
}

func (m *members) kept(group, station string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.keeps[group][station]
}

// MembersResult is what ChangeMembersOf did.
type MembersResult struct {
	Before  []string // the stations directly in the group before
	After   []string // and after the changes
	Changes []MemberChange
}

// changeMembers makes the stations of add members of groupID and takes those
// of remove out of it; see ChangeMembersOf.
func (c *Client) changeMembers(ctx context.Context, groupID string, add, remove []string) (MembersResult, error) {
	return c.ChangeMembersOf(ctx, MembersChange{Group: groupID, Add: add, Remove: remove})
}

// MembersChange is what ChangeMembersOf is asked to do.
type MembersChange struct {
	Group  string
	Add    []string // the stations that must be in the group
	Remove []string // the stations to take out of it
	// Unlisted are stations that an earlier addition left accepted but
	// not listed (MemberNotListed): in Add, they are not sent again; in
	// Remove, their removal is sent although the listing does not show
	// them.
	Unlisted []string
	// Hold keeps the stations of Add in the group for the rest of the
	// Client's life: a later change of another caller does not take them
	// out (MemberKeptForOther). A members resource holds what it lists.
	Hold bool
	// Known, when not nil, is what the group held of the stations of Add
	// and Remove at a listing made just before, by this Client or another:
	// the group is not read before the changes. A
	// station of Add that it lacks is sent, one of Remove that it has is
	// sent (see Unlisted for the others); the read-back afterwards says
	// what became of each.
	Known []string
}

// ChangeMembersOf makes the stations of Add members of the group and takes
// those of Remove out of it, one change.ds per station that needs it
// (add-group for a station not in the group, delete-group for one that
// is), each sent once. The group's stations are read before, and read
// again afresh after any write, so that each change's outcome is what the
// group shows, not a guess. The server ignores delete-group for a
// station's primary group: such a station is MemberKeptPrimary. A removal
// of a station that another change of this Client keeps in the group is
// not sent (MemberKeptForOther, see Hold); the changes of one group go one after
// the other. A group the server does not know is a *NotFoundError before
// anything is sent, unless Known spares the read before.
func (c *Client) ChangeMembersOf(ctx context.Context, req MembersChange) (res MembersResult, err error) {
	groupID, add, remove := req.Group, req.Add, req.Remove
	var hold []string
	if req.Hold {
		hold = add
	}
	unlock := c.members.lock(groupID, hold)
	defer unlock()
	before, err := c.membersBefore(ctx, req)
	if err != nil {
		return MembersResult{}, err
	}
	in, unlisted, adding := idSet(before), idSet(req.Unlisted), idSet(add)
	res = MembersResult{Before: before}
	for _, id := range add {
		if !in[id] && !unlisted[id] {
			res.Changes = append(res.Changes, MemberChange{Op: OpAddStation, Station: id})
		}
	}
	var keptForOther []MemberChange
	for _, id := range remove {
		if (!in[id] && !unlisted[id]) || adding[id] {
			continue
		}
		if c.members.kept(groupID, id) {
			keptForOther = append(keptForOther, MemberChange{Op: OpRemoveStation, Station: id, Outcome: MemberKeptForOther})
			continue
		}
		res.Changes = append(res.Changes, MemberChange{Op: OpRemoveStation, Station: id})
	}
	if len(res.Changes) == 0 {
		res.After = res.Before
		res.Changes = keptForOther
		return res, nil
	}
	// The removals left for another change are reported after those sent.
	defer func() { res.Changes = append(res.Changes, keptForOther...) }()
	defer c.mem.forgetStations(groupID)

	var mu sync.Mutex
	g := new(errgroup.Group)
	g.SetLimit(memberWrites)
	for i := range res.Changes {
		ch := &res.Changes[i]
		g.Go(func() error {
			err := c.changeStation(ctx, groupID, ch.Op, ch.Station)
			mu.Lock()
			defer mu.Unlock()
			ch.Err = err
			var refused *StationWriteError
			switch {
			case errors.As(err, &refused):
				// A server can refuse after applying: the group is read
				// back before the refusal is taken as final.
				ch.Outcome = MemberRefused
			case err != nil:
				ch.Outcome = MemberUnknown
			}
			return nil
		})
	}
	_ = g.Wait()

	// Read back after every write, additions too: the state is to say
	// what the group shows, and a server may accept a station that it
	// never lists.
	lctx, cancel := c.looking(ctx)
	defer cancel()
	c.mem.forgetStations(groupID)
	now, err := c.Stations(lctx, groupID)
	if err != nil {
		// What the group holds now is not known: report the changes
		// whose answers said nothing as unknown, with the look's failure.
		for i := range res.Changes {
			ch := &res.Changes[i]
			if ch.Outcome == MemberUnknown || ch.Outcome == MemberDone {
				ch.Outcome = MemberUnknown
				ch.Err = fmt.Errorf("%v; reading the group's stations afterwards failed too: %w", cmpErr(ch.Err, "the server accepted it"), err)
			}
		}
		res.After = nil
		return res, nil
	}
	after := map[string]bool{}
	res.After = make([]string, 0, len(now))
	for _, st := range now {
		after[st.ID] = true
		res.After = append(res.After, st.ID)
	}
	for i := range res.Changes {
		ch := &res.Changes[i]
		shows := after[ch.Station] == (ch.Op == OpAddStation)
		switch {
		case (ch.Outcome == MemberRefused || ch.Outcome == MemberUnknown) && shows:
			ch.Outcome = MemberDoneAnswerLost
		case ch.Outcome == MemberDone && !shows && ch.Op == OpRemoveStation:
			ch.Outcome = MemberKeptPrimary
		case ch.Outcome == MemberDone && !shows:
			ch.Outcome = MemberNotListed
		}
	}
	return res, nil
}

func cmpErr(err error, none string) string {
	if err == nil {
		return none
	}
	return err.Error()
}

// changeStation sends one change.ds, once. A success whose answer names
// another station is not taken for one: its outcome is left to a look.
func (c *Client) changeStation(ctx context.Context, groupID string, op MemberOp, station string) error {
	q := url.Values{"id": {station}}
	if op == OpAddStation {
		q.Set("add-group", groupID)
	} else {
		q.Set("delete-group", groupID)
	}
	resp, doc, err := c.request(ctx, stationChangePath, q, true)
	if err != nil {
		return err
	}
	if !doc.Status {
		srvErr := serverError(resp, doc)
		return &StationWriteError{Op: op, Station: station, Group: groupID, Code: srvErr.Code, Message: srvErr.Message, Server: srvErr}
	}
	if doc.WrittenID != "" && doc.WrittenID != station {
		return fmt.Errorf("Dr.Web's answer to the change of the station %q names the station %q", station, doc.WrittenID)
	}
	return nil
}

// GroupGone reports whether a group whose place in the tree is not known is
// shown to be gone: info.ds refuses its id and a listing of the whole tree
// (system groups included) lacks it. A failure to tell is an error.
func (c *Client) GroupGone(ctx context.Context, id string) (bool, error) {
	c.mem.forgetGroup(id)
	_, err := c.info(ctx, id)
	var nf *NotFoundError
	switch {
	case err == nil:
		return false, nil
	case !errors.As(err, &nf):
		return false, err
	}
	c.mem.forgetListings()
	nodes, err := c.Tree(ctx, "", true, true)
	if err != nil {
		return false, err
	}
	if slices.ContainsFunc(nodes, func(n TreeNode) bool { return n.ID == id }) {
		return false, &TreeError{msg: fmt.Sprintf("%v, yet the group tree lists it: the server contradicts itself, so the group is not taken for gone", err)}
	}
	return true, nil
}
