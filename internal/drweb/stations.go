package drweb

import (
	"context"
	"encoding/json"
	"encoding/xml"
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
	// maxStationPages stops a listing whose pages never end (a million
	// stations at 100 a page, far above real servers).
	maxStationPages = 10_000
	// memberWrites is how many change.ds requests go at once.
	memberWrites = 4
)

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
}

// stateFields are the states.ds names of the StationStates fields.
func (s *StationStates) fields() map[string]**int64 {
	return map[string]**int64{
		"all": &s.All, "online": &s.Online, "offline": &s.Offline, "new": &s.New, "newbies": &s.Newbies,
		"activated": &s.Activated, "unactivated": &s.Unactivated, "deinstalled": &s.Deinstalled,
		"deleted": &s.Deleted, "with_update_errors": &s.WithUpdateErrors,
	}
}

// PagingError is a station listing that contradicts itself: a page other
// than the one asked for, or pages that do not end.
type PagingError struct {
	GroupID string
	Why     string
}

func (e *PagingError) Error() string {
	return fmt.Sprintf("Dr.Web's station listing of the group %q cannot be trusted: %s", e.GroupID, e.Why)
}

// Stations returns the stations directly in a group, every page, in server
// order, each station once. Concurrent and later calls for one group share
// its requests (once per Client, until a write to the group).
func (c *Client) Stations(ctx context.Context, groupID string) ([]Station, error) {
	if strings.TrimSpace(groupID) == "" {
		return nil, errors.New("the group id is empty")
	}
	return c.stations.Do(ctx, groupID, func(ctx context.Context) ([]Station, error) {
		return c.listStations(ctx, groupID)
	})
}

// listStations pages through stations-list.ds. The answer's stations total
// counts the rows of one page in the vendor's own example, so the pages
// block decides: its total is the number of pages.
func (c *Client) listStations(ctx context.Context, groupID string) ([]Station, error) {
	out := []Station{}
	seen := map[string]bool{}
	for page := int64(1); ; page++ {
		q := url.Values{"id": {groupID}, "page": {strconv.FormatInt(page, 10)}, "per-page": {strconv.Itoa(stationsPerPage)}}
		resp, doc, err := c.read(ctx, stationsListPath, q)
		if err != nil {
			return nil, err
		}
		c.logWarnings(ctx, doc)
		if !doc.Status {
			return nil, &NotFoundError{ID: groupID, Server: serverError(resp, doc)}
		}
		for _, st := range doc.Stations {
			if !seen[st.ID] { // a station that moved while the pages were read
				seen[st.ID] = true
				out = append(out, st)
			}
		}
		p := doc.Pages
		switch {
		case p == nil:
			// No paging block: everything came in this answer.
			return out, nil
		case p.Current != 0 && p.Current != page:
			return nil, &PagingError{GroupID: groupID, Why: fmt.Sprintf("page %d was asked for and page %d came back", page, p.Current)}
		case page >= p.Total || len(doc.Stations) == 0:
			// The last page, or one past what is left (stations taken
			// out while the pages were read).
			return out, nil
		case page >= maxStationPages:
			return nil, &PagingError{GroupID: groupID, Why: fmt.Sprintf("it has more than %d pages of %d stations", maxStationPages, stationsPerPage)}
		}
	}
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
	return c.states.Do(ctx, groupID, func(ctx context.Context) (StationStates, error) {
		resp, doc, err := c.read(ctx, statesPath, url.Values{"group-id": {groupID}})
		if err != nil {
			return StationStates{}, err
		}
		c.logWarnings(ctx, doc)
		if !doc.Status {
			return StationStates{}, &NotFoundError{ID: groupID, Server: serverError(resp, doc)}
		}
		var out StationStates
		fields := out.fields()
		for name, n := range doc.Counts {
			if f, ok := fields[name]; ok {
				*f = &n
			}
		}
		return out, nil
	})
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
	// (or was not read again: an accepted add).
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
)

// MemberChange is one change.ds request and what became of it.
type MemberChange struct {
	Op      MemberOp
	Station string
	Outcome MemberOutcome
	Err     error // the refusal, or what became of the answer
}

// MembersResult is what ChangeMembers did.
type MembersResult struct {
	Before  []string // the stations directly in the group before
	After   []string // and after the changes
	Changes []MemberChange
}

// StationWriteError is a change.ds the server refused (status="false"): an
// unknown station or group, or a missing privilege. A refusal is final.
type StationWriteError struct {
	Op      MemberOp
	Station string
	Group   string
	Code    string // the server's errno
	Message string // the server's message, redacted
	Server  error
}

func (e *StationWriteError) Error() string {
	verb := "add the station %q to the group %q"
	if e.Op == OpRemoveStation {
		verb = "remove the station %q from the group %q"
	}
	msg := "Dr.Web refused to " + fmt.Sprintf(verb, e.Station, e.Group)
	if e.Code != "" {
		msg += ": error " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

func (e *StationWriteError) Unwrap() error { return e.Server }

// ChangeMembers makes the stations of add members of groupID and takes those
// of remove out of it, one change.ds per station that needs it (add-group
// for a station not in the group, delete-group for one that is), each sent
// once. The group's stations are read before, and read again afresh when a
// removal was sent or an answer was lost, refused or named another station, so that
// each change's outcome is what the group shows, not a guess. The server
// ignores delete-group for a station's primary group: such a station is
// MemberKeptPrimary. A group the server does not know is a *NotFoundError
// before anything is sent.
func (c *Client) ChangeMembers(ctx context.Context, groupID string, add, remove []string) (MembersResult, error) {
	c.forgetStations(groupID)
	before, err := c.Stations(ctx, groupID)
	if err != nil {
		return MembersResult{}, err
	}
	in := map[string]bool{}
	res := MembersResult{Before: make([]string, 0, len(before))}
	for _, st := range before {
		in[st.ID] = true
		res.Before = append(res.Before, st.ID)
	}
	for _, id := range add {
		if !in[id] {
			res.Changes = append(res.Changes, MemberChange{Op: OpAddStation, Station: id})
		}
	}
	for _, id := range remove {
		if in[id] && !slices.Contains(add, id) {
			res.Changes = append(res.Changes, MemberChange{Op: OpRemoveStation, Station: id})
		}
	}
	if len(res.Changes) == 0 {
		res.After = res.Before
		return res, nil
	}
	defer c.forgetStations(groupID)

	var mu sync.Mutex
	readAgain := false
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
				ch.Outcome, readAgain = MemberRefused, true
			case err != nil:
				ch.Outcome, readAgain = MemberUnknown, true
			case ch.Op == OpRemoveStation:
				readAgain = true
			}
			return nil
		})
	}
	_ = g.Wait()

	after := maps.Clone(in)
	if readAgain {
		lctx, cancel := c.looking(ctx)
		defer cancel()
		c.forgetStations(groupID)
		now, err := c.Stations(lctx, groupID)
		if err != nil {
			// What the group holds now is not known: report the changes
			// whose answers said nothing as unknown, with the look's failure.
			for i := range res.Changes {
				ch := &res.Changes[i]
				if ch.Outcome == MemberUnknown || (ch.Outcome == MemberDone && ch.Op == OpRemoveStation) {
					ch.Outcome = MemberUnknown
					ch.Err = fmt.Errorf("%v; reading the group's stations afterwards failed too: %w", cmpErr(ch.Err, "the server accepted it"), err)
				}
			}
			res.After = nil
			return res, nil
		}
		after = map[string]bool{}
		res.After = make([]string, 0, len(now))
		for _, st := range now {
			after[st.ID] = true
			res.After = append(res.After, st.ID)
		}
	} else {
		res.After = slices.Clone(res.Before)
		for _, ch := range res.Changes {
			if ch.Outcome == MemberDone {
				after[ch.Station] = true
				res.After = append(res.After, ch.Station)
			}
		}
	}
	for i := range res.Changes {
		ch := &res.Changes[i]
		shows := after[ch.Station] == (ch.Op == OpAddStation)
		switch {
		case (ch.Outcome == MemberRefused || ch.Outcome == MemberUnknown) && shows:
			ch.Outcome = MemberDoneAnswerLost
		case ch.Outcome == MemberDone && !shows && ch.Op == OpRemoveStation:
			ch.Outcome = MemberKeptPrimary
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
	c.logWarnings(ctx, doc)
	if !doc.Status {
		srvErr := serverError(resp, doc)
		return &StationWriteError{Op: op, Station: station, Group: groupID, Code: srvErr.Code, Message: srvErr.Message, Server: srvErr}
	}
	if doc.WrittenID != "" && doc.WrittenID != station {
		return fmt.Errorf("Dr.Web's answer to the change of the station %q names the station %q", station, doc.WrittenID)
	}
	return nil
}

// forgetStations drops what the run knows of a group's stations and counts.
func (c *Client) forgetStations(groupID string) {
	c.stations.Forget(groupID)
	c.states.Forget(groupID)
	c.batch.forget(groupID)
}

// GroupGone reports whether a group whose place in the tree is not known is
// shown to be gone: info.ds refuses its id and a listing of the whole tree
// (system groups included) lacks it. A failure to tell is an error.
func (c *Client) GroupGone(ctx context.Context, id string) (bool, error) {
	c.batch.forget(id)
	_, err := c.info(ctx, id)
	var nf *NotFoundError
	switch {
	case err == nil:
		return false, nil
	case !errors.As(err, &nf):
		return false, err
	}
	c.children.ForgetAll()
	nodes, err := c.Tree(ctx, "", true, true)
	if err != nil {
		return false, err
	}
	if slices.ContainsFunc(nodes, func(n TreeNode) bool { return n.ID == id }) {
		return false, &TreeError{fmt.Sprintf("%v, yet the group tree lists it: the server contradicts itself, so the group is not taken for gone", err)}
	}
	return true, nil
}

// ---- decoding ----

type rawStation struct {
	ID           client.FlexString `json:"id" xml:"id,attr"`
	Name         string            `json:"name" xml:"name,attr"`
	State        client.FlexString `json:"state" xml:"state,attr"`
	LastSeenTime client.FlexString `json:"last_seen_time" xml:"last_seen_time,attr"`
	LastSeenAddr string            `json:"last_seen_addr" xml:"last_seen_addr,attr"`
}

func (d *document) station(r rawStation) Station {
	id := strings.TrimSpace(string(r.ID))
	return Station{
		ID: id, Name: r.Name,
		State:           d.count("station "+id, "state", r.State),
		LastSeen:        d.unixTime("station "+id, "last_seen_time", string(r.LastSeenTime)),
		LastSeenAddress: r.LastSeenAddr,
	}
}

// addStations adds the rows that name a station.
func (d *document) addStations(rows []rawStation) {
	for _, r := range rows {
		if strings.TrimSpace(string(r.ID)) == "" {
			d.Warnings = append(d.Warnings, fmt.Sprintf("a station row without an id (named %q) was left out", r.Name))
			continue
		}
		d.Stations = append(d.Stations, d.station(r))
	}
}

func (d *document) pagesOf(total, current client.FlexString) *pages {
	p := &pages{}
	p.Total = d.count("pages", "total", total)
	if strings.TrimSpace(string(current)) != "" {
		p.Current = d.count("pages", "current", current)
	}
	return p
}

// xmlStations is the <stations> element of stations-list.ds (station
// rows) and of states.ds (one element per state, with its total).
type xmlStations struct {
	Rows   []rawStation `xml:"station"`
	Counts []struct {
		XMLName xml.Name
		Total   client.FlexString `xml:"total,attr"`
	} `xml:",any"`
}

func (d *document) xmlStations(x *xmlStations) {
	d.addStations(x.Rows)
	for _, c := range x.Counts {
		d.setCount(c.XMLName.Local, c.Total)
	}
}

func (d *document) setCount(name string, v client.FlexString) {
	if d.Counts == nil {
		d.Counts = map[string]int64{}
	}
	d.Counts[strings.ReplaceAll(name, "-", "_")] = d.count("states", name, v)
}

// jsonStations reads data.stations: a list of stations, an object with
// one, or an object of state counts (each a number or {"total": n}).
func (d *document) jsonStations(raw json.RawMessage) error {
	var rows []rawStation
	if json.Unmarshal(raw, &rows) == nil {
		d.addStations(rows)
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return err
	}
	for k, v := range obj {
		switch k {
		case "total":
		case "list":
			if err := json.Unmarshal(v, &rows); err != nil {
				return fmt.Errorf("stations.list: %w", err)
			}
			d.addStations(rows)
		default:
			var n client.FlexString
			if json.Unmarshal(v, &n) == nil {
				d.setCount(k, n)
				continue
			}
			var withTotal struct {
				Total client.FlexString `json:"total"`
			}
			if json.Unmarshal(v, &withTotal) == nil {
				d.setCount(k, withTotal.Total)
			}
		}
	}
	return nil
}
