package drweb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Moving stations: stations/change.ds with parent-group makes a group a
// station's primary group. No listing shows which group is a station's
// primary one: stations-list.ds lists a group's stations whether it is their
// primary group or not. So a change whose answer was lost is settled by the
// group's listing only where it can tell: a station listed now and not
// before the writes was moved in; one not listed now was not moved; one
// listed both times may be there as a member only, and stays unknown.

// MoveStatus is what became of one station's move.
type MoveStatus int

// The outcomes of a move.
const (
	// MoveDone: the server accepted the change.
	MoveDone MoveStatus = iota + 1
	// MoveDoneAnswerLost: the answer was lost (or was a refusal, or named
	// another station), and the group lists the station now and did not
	// before: it was moved.
	MoveDoneAnswerLost
	// MoveRefused: the server refused it (Err is a *moveError).
	MoveRefused
	// MoveNotDone: the answer was lost, and the group does not list the
	// station: it was not moved.
	MoveNotDone
	// MoveUnknown: the answer was lost, and the listing cannot tell (the
	// station was in the group before, perhaps as a member only; or the
	// look failed). Err says why.
	MoveUnknown
	// MoveNotSent: the run was interrupted before the change was sent.
	MoveNotSent
)

// StationMove is one station's change.ds and what became of it.
type StationMove struct {
	Station string
	Status  MoveStatus
	Err     error // the refusal, or what became of the answer
}

// MoveResult is what MoveStations did: every station once, in the order asked.
type MoveResult struct {
	Before []string // the stations the group listed before the writes
	Moves  []StationMove
}

// NotMoved returns the moves that did not end with the station moved.
func (r MoveResult) NotMoved() []StationMove {
	return slices.DeleteFunc(slices.Clone(r.Moves), func(m StationMove) bool {
		return m.Status == MoveDone || m.Status == MoveDoneAnswerLost
	})
}

// moveError is a change.ds the server refused (status="false"): an unknown
// station or group, a group that cannot be primary, a missing privilege. A
// refusal is final.
type moveError struct {
	Station, Group string
	Code           string // the server's errno
	Message        string // the server's message, redacted
	Server         error
}

func (e *moveError) Error() string {
	msg := fmt.Sprintf("Dr.Web refused to make %q the primary group of the station %q", e.Group, e.Station)
	if e.Code != "" {
		msg += ": error " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

func (e *moveError) Unwrap() error { return e.Server }

// MoveStations makes groupID the primary group of each station, one
// change.ds with parent-group per station, each sent once (a few at a time).
// The group's stations are listed first (an unknown group is a
// *NotFoundError before anything is sent), and listed again when an answer
// was lost, refused or named another station, so that such a move's outcome
// is what the listing shows where it can show it. progress, when set, is
// told of each station as its answer comes (one call at a time).
func (c *Client) MoveStations(ctx context.Context, groupID string, stations []string, progress func(m StationMove, done, total int)) (MoveResult, error) {
	var ids []string
	seen := map[string]bool{}
	for _, s := range stations {
		if s == "" {
			return MoveResult{}, errors.New("a station id is empty")
		}
		// One change per station: a generated id written in two cases
		// is one station (stationKey), sent once as first written.
		if k := stationKey(s); !seen[k] {
			seen[k] = true
			ids = append(ids, s)
		}
	}
	if len(ids) == 0 {
		return MoveResult{}, errors.New("no stations to move")
	}
	c.mem.forgetStations(groupID)
	before, err := c.Stations(ctx, groupID)
	if err != nil {
		return MoveResult{}, err
	}
	res := MoveResult{Before: make([]string, 0, len(before)), Moves: make([]StationMove, len(ids))}
	listed := map[string]bool{}
	for _, st := range before {
		listed[stationKey(st.ID)] = true
		res.Before = append(res.Before, st.ID)
	}
	defer c.mem.forgetStations(groupID)

	var mu sync.Mutex
	answered, look := 0, false
	g := new(errgroup.Group)
	g.SetLimit(memberWrites)
	for i, id := range ids {
		m := &res.Moves[i]
		m.Station = id
		g.Go(func() error {
			if ctx.Err() != nil {
				m.Status, m.Err = MoveNotSent, fmt.Errorf("interrupted before the change was sent: %w", ctx.Err())
				return nil
			}
			err := c.moveStation(ctx, groupID, id)
			mu.Lock()
			defer mu.Unlock()
			m.Err = err
			var refused *moveError
			switch {
			case err == nil:
				m.Status = MoveDone
			case errors.As(err, &refused):
				// A server can refuse after applying: the group is read
				// back before the refusal is taken as final.
				m.Status, look = MoveRefused, true
			default:
				m.Status, look = MoveUnknown, true
			}
			answered++
			if progress != nil {
				progress(*m, answered, len(ids))
			}
			return nil
		})
	}
	_ = g.Wait()
	if !look {
		return res, nil
	}
	lctx, cancel := c.looking(ctx)
	defer cancel()
	c.mem.forgetStations(groupID)
	now, err := c.Stations(lctx, groupID)
	if err != nil {
		for i := range res.Moves {
			if m := &res.Moves[i]; m.Status == MoveUnknown {
				m.Err = fmt.Errorf("%w; listing the group's stations afterwards failed too: %w", m.Err, err)
			}
		}
		return res, nil
	}
	inNow := map[string]bool{}
	for _, st := range now {
		inNow[stationKey(st.ID)] = true
	}
	for i := range res.Moves {
		m := &res.Moves[i]
		if m.Status != MoveUnknown && m.Status != MoveRefused {
			continue
		}
		k := stationKey(m.Station)
		switch {
		case inNow[k] && !listed[k]:
			m.Status = MoveDoneAnswerLost
		case !inNow[k] && m.Status == MoveUnknown:
			m.Status, m.Err = MoveNotDone, fmt.Errorf("%w; the group does not list the station afterwards: it was not moved", m.Err)
		case m.Status == MoveUnknown:
			m.Err = fmt.Errorf("%w; the group listed the station before and after, and no listing shows whether it is the station's primary group", m.Err)
		}
	}
	return res, nil
}

// moveStation sends one change.ds with parent-group, once. A success whose
// answer names another station is not taken for one.
func (c *Client) moveStation(ctx context.Context, groupID, station string) error {
	q := url.Values{"id": {station}, "parent-group": {groupID}}
	resp, doc, err := c.request(ctx, stationChangePath, q, true)
	if err != nil {
		return err
	}
	if !doc.Status {
		srvErr := serverError(resp, doc)
		return &moveError{Station: station, Group: groupID, Code: srvErr.Code, Message: srvErr.Message, Server: srvErr}
	}
	if doc.WrittenID != "" && !sameStation(doc.WrittenID, station) {
		return fmt.Errorf("Dr.Web's answer to the move of the station %q names the station %q", station, c.http.Redactor().String(doc.WrittenID))
	}
	return nil
}

// The API documents no case rule for station ids, and a chosen id may hold
// Latin letters, so ids are compared exactly; but the ids the server
// generates are UUIDs, whose hex digits are case-insensitive (RFC 9562), so
// a UUID answered in other case names the same station.
func stationKey(id string) string {
	if isUUID(id) {
		return strings.ToLower(id)
	}
	return id
}

func sameStation(a, b string) bool { return stationKey(a) == stationKey(b) }

// isUUID tells the 8-4-4-4-12 hex form of the server's generated ids.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}
