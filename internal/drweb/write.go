package drweb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

const (
	addPath    = "/api/groups/add.ds"
	changePath = "/api/groups/change.ds"
	deletePath = "/api/groups/delete.ds"
)

// IDPattern is what add.ds accepts as a chosen id: digits, Latin letters,
// "_", "-" and ".".
var IDPattern = regexp.MustCompile(`^[0-9A-Za-z_.-]+$`)

// NameProblem says why servers would not store a name as sent (they trim
// surrounding spaces and drop control characters), or "" when they would.
func NameProblem(name string) string {
	switch {
	case strings.TrimSpace(name) == "":
		return "is empty or only spaces"
	case strings.TrimSpace(name) != name:
		return "starts or ends with spaces, which the server trims"
	case strings.ContainsFunc(name, unicode.IsControl):
		return "holds a control character (a tab or a line break, say), which the server does not keep"
	}
	return ""
}

// GroupInput is what a write sets on a group.
type GroupInput struct {
	ID          string // CreateGroup only: a chosen id; "" lets the server generate one
	Name        string
	Description string
	ParentID    string // "" for the top level

	// AllowDuplicateName lets a create, rename or move put the group beside
	// a group of the same name; by default that is refused before anything
	// is sent (a *DuplicateNameError).
	AllowDuplicateName bool
}

// WriteResult is a write the server carried out, with what the caller
// should know about how it went.
type WriteResult struct {
	// Group is the group as read back after the write. When ReadBack is
	// set it holds only what was written (id, name, description, parent).
	Group Group
	// LostAnswer is set when the write's answer was lost or a refusal (this
	// is what became of it) and a look at the server showed the write
	// carried out.
	LostAnswer error
	// ReadBack is set when reading the group back after the write failed.
	ReadBack error
	// StoredName is the name as the server stored it, when that differs
	// from the one sent.
	StoredName string
	// RaceCheck is set when the look for a concurrent write of the same
	// name, after a create, rename or move, failed: the write is kept.
	RaceCheck error
}

// writes holds what a Client's writes must share within a run: one create,
// rename or move at a time per (parent, name), so that looks after lost
// answers never race each other, and the ids the run's writes have claimed.
type writes struct {
	mu      sync.Mutex
	slots   map[string]chan struct{}
	claimed map[string]bool
}

// lock takes the slot for a parent and name; unlock gives it back.
func (w *writes) lock(ctx context.Context, parentID, name string) (unlock func(), err error) {
	key := parentID + "\x00" + name
	w.mu.Lock()
	if w.slots == nil {
		w.slots = map[string]chan struct{}{}
	}
	slot := w.slots[key]
	if slot == nil {
		slot = make(chan struct{}, 1)
		w.slots[key] = slot
	}
	w.mu.Unlock()
	select {
	case slot <- struct{}{}:
		return func() { <-slot }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (w *writes) claim(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.claimed == nil {
		w.claimed = map[string]bool{}
	}
	w.claimed[id] = true
}

func (w *writes) isClaimed(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.claimed[id]
}

// writeOnce sends a write once and returns its answer. A refusal is a
// *WriteError; any other failure leaves the outcome open when
// mayHaveHappened says so.
func (c *Client) writeOnce(ctx context.Context, op Op, path string, q url.Values, id string) (*document, error) {
	resp, doc, err := c.request(ctx, path, q, true)
	if err != nil {
		return nil, err
	}
	if !doc.Status {
		srvErr := serverError(resp, doc)
		return nil, &WriteError{Op: op, ID: id, Code: srvErr.Code, Message: srvErr.Message, Server: srvErr}
	}
	return doc, nil
}

func isRefusal(err error) bool {
	var refused *WriteError
	return errors.As(err, &refused)
}

// mayHaveHappened tells whether a write's error leaves its outcome open: not
// for a success, nor for the server's own refusal (status="false"), nor for
// a request that never reached a server.
func mayHaveHappened(err error) bool {
	var refused *WriteError
	return err != nil && !errors.As(err, &refused) && client.WriteMayHaveHappened(err)
}

// looking returns the context a look after a lost answer runs on: the
// caller's, or, when the caller was interrupted, one that is not (for one
// request timeout), so that an interrupt still learns what became of the write.
func (c *Client) looking(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Err() == nil {
		return ctx, func() {}
	}
	return context.WithTimeout(context.WithoutCancel(ctx), c.http.Timeout())
}

// fresh reads a group with info.ds, not from what the run memoised.
func (c *Client) fresh(ctx context.Context, id string) (Group, error) {
	c.mem.forgetGroup(id)
	return c.info(ctx, id)
}

// freshChildren lists parentID's children with list.ds, not from memory.
func (c *Client) freshChildren(ctx context.Context, parentID string) ([]TreeNode, error) {
	return c.mem.freshListing(ctx, parentID)
}

// readBack reads a group after a write, trying a few times: a failure here
// must not make the caller lose a group the server has.
func (c *Client) readBack(ctx context.Context, id string) (Group, error) {
	var err error
	for attempt := range readBackAttempts {
		if attempt > 0 {
			if serr := client.Sleep(ctx, time.Duration(attempt)*readBackPause); serr != nil {
				break
			}
		}
		var g Group
		if g, err = c.fresh(ctx, id); err == nil {
			return g, nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return Group{}, err
}

const (
	readBackAttempts = 3
	readBackPause    = 250 * time.Millisecond
)

// checkName refuses what the server would not store as sent.
func checkName(name string) error {
	if p := NameProblem(name); p != "" {
		return fmt.Errorf("the group name %q %s", name, p)
	}
	return nil
}

// siblings lists parentID's children afresh, with the well-known system
// groups at the top level on lines whose list.ds leaves them out.
func (c *Client) siblings(ctx context.Context, parentID string) ([]TreeNode, error) {
	kids, err := c.freshChildren(ctx, parentID)
	if err != nil || parentID != "" {
		return kids, err
	}
	sys, err := c.systemNodes(ctx, kids)
	if err != nil {
		return nil, err
	}
	for _, n := range sys {
		if !slices.ContainsFunc(kids, func(k TreeNode) bool { return k.ID == n.ID }) {
			kids = append(kids, n)
		}
	}
	return kids, nil
}

// checkDuplicate refuses a name that another group under the parent has.
func checkDuplicate(kids []TreeNode, in GroupInput, self string) error {
	if in.AllowDuplicateName {
		return nil
	}
	for _, k := range kids {
		if k.Name == in.Name && k.ID != self {
			return &DuplicateNameError{Name: in.Name, ParentID: in.ParentID, Existing: k}
		}
	}
	return nil
}

// CreateGroup creates a group with add.ds and reads it back with info.ds.
//
// add.ds is sent once. It is sent again only when the first never reached
// a server (a refused connection, a failed DNS lookup: the shared client
// does that). When its answer is lost, the client looks at a fresh listing
// of the parent: a group of that name (and chosen id) that was not there
// before the write and that no other write of this Client claimed is taken,
// with WriteResult.LostAnswer set; none or several give an
// *OutcomeUnknownError. Creates for one parent and name run one at a time.
//
// The answer is checked: an id that was under the parent before the write,
// another id than the chosen one, or a group elsewhere in the tree is an
// *AnswerError, and nothing is taken.
func (c *Client) CreateGroup(ctx context.Context, in GroupInput) (WriteResult, error) {
	if err := checkName(in.Name); err != nil {
		return WriteResult{}, err
	}
	if in.ID != "" && !IDPattern.MatchString(in.ID) {
		return WriteResult{}, fmt.Errorf("the id %q may hold only digits, Latin letters, \"_\", \"-\" and \".\"", in.ID)
	}
	unlock, err := c.writes.lock(ctx, in.ParentID, in.Name)
	if err != nil {
		return WriteResult{}, err
	}
	defer unlock()
	kids, err := c.siblings(ctx, in.ParentID)
	if err != nil {
		return WriteResult{}, err
	}
	if err := checkDuplicate(kids, in, ""); err != nil {
		return WriteResult{}, err
	}
	before := make(map[string]bool, len(kids))
	namedBefore := make(map[string]string, len(kids)) // id → name, for the race check
	for _, k := range kids {
		before[k.ID] = true
		namedBefore[k.ID] = k.Name
	}

	q := url.Values{"name": {in.Name}, "description": {in.Description}}
	if in.ParentID != "" {
		q.Set("parent-group", in.ParentID)
	}
	if in.ID != "" {
		q.Set("id", in.ID)
	}
	var res WriteResult
	doc, err := c.writeOnce(ctx, OpCreate, addPath, q, in.ID)
	var id string
	switch {
	case err == nil:
		id = doc.WrittenID
		if id == "" {
			id = in.ID
		}
		if err := checkCreated(id, in, before); err != nil {
			return WriteResult{}, err
		}
	case mayHaveHappened(err) || isRefusal(err):
		// A lost answer, or a refusal (which some servers send after they
		// carried the write out all the same): look.
		lctx, cancel := c.looking(ctx)
		found, lookErr := c.lookForCreated(lctx, in, before)
		cancel()
		switch {
		case lookErr == nil && len(found) == 1:
			id, res.LostAnswer = found[0], err
			c.http.Logger().Warn(ctx, "add.ds's answer was lost or a refusal, but the group is there: taking it", map[string]any{"id": id, "error": err.Error()})
		case isRefusal(err):
			return WriteResult{}, c.createRefused(ctx, in, err)
		default:
			return WriteResult{}, &OutcomeUnknownError{Op: OpCreate, ID: in.ID, Name: in.Name, ParentID: in.ParentID, Err: err, Look: lookErr, Candidates: found}
		}
	default:
		return WriteResult{}, err
	}
	if id == "" { // a success that names no id: the listing tells
		lctx, cancel := c.looking(ctx)
		found, lookErr := c.lookForCreated(lctx, in, before)
		cancel()
		if lookErr != nil || len(found) != 1 {
			return WriteResult{}, &OutcomeUnknownError{Op: OpCreate, Name: in.Name, ParentID: in.ParentID,
				Err: errNoIDInAnswer, Look: lookErr, Candidates: found}
		}
		id = found[0]
	}
	c.writes.claim(id)
	c.mem.forgetWritten(id, in.ParentID)

	g, err := c.readBack(ctx, id)
	switch {
	case err == nil && g.ParentID != in.ParentID:
		// Not under the parent before the write, and not under it now:
		// a group from elsewhere in the tree.
		return WriteResult{}, &AnswerError{Op: OpCreate, Got: id, Why: fmt.Sprintf("which is under %s, not under %s", DescribeParent(g.ParentID), DescribeParent(in.ParentID))}
	case err != nil:
		if listed, lerr := c.listedUnder(ctx, id, in.ParentID); lerr == nil && !listed {
			return WriteResult{}, &AnswerError{Op: OpCreate, Got: id, Why: fmt.Sprintf("which %s does not list", DescribeParent(in.ParentID))}
		}
		res.ReadBack = err
		g = Group{ID: id, Name: in.Name, Description: in.Description, ParentID: in.ParentID}
	case g.Name != in.Name:
		res.StoredName = g.Name
	}
	res.Group = g
	if !in.AllowDuplicateName {
		if err := c.settleConcurrentCreate(ctx, in, &res, namedBefore); err != nil {
			return res, err
		}
	}
	return res, nil
}

// settleConcurrentCreate looks, after a create, for namesakes that another
// run created while this one wrote: groups of the name under the parent
// that the listing before the write did not hold. Every run that sees such
// a race decides it by the same rule (see keepsName), so that exactly one
// group survives: the run whose group is not the first deletes its own new
// group, which holds nothing yet, and returns a *ConcurrentWriteError.
// When the look itself fails, the group is kept and res.RaceCheck says why.
func (c *Client) settleConcurrentCreate(ctx context.Context, in GroupInput, res *WriteResult, before map[string]string) error {
	return c.settleConcurrent(ctx, OpCreate, in, res, before, "a concurrent run created a group of the same name after this one: this run keeps its own",
		func(lctx context.Context) error {
			_, err := c.DeleteGroup(lctx, res.Group.ID, in.ParentID)
			return err
		})
}

// settleConcurrentChange is settleConcurrentCreate for a rename or move: the
// run that gives way changes its group back to what it was (old).
func (c *Client) settleConcurrentChange(ctx context.Context, old Group, in GroupInput, res *WriteResult, before map[string]string) error {
	return c.settleConcurrent(ctx, OpChange, in, res, before, "a concurrent run gave a group the same name after this one: this run keeps its change",
		func(lctx context.Context) error {
			q := url.Values{"id": {old.ID}, "name": {old.Name}, "description": {old.Description}, "parent-group": {old.ParentID}}
			_, err := c.writeOnce(lctx, OpChange, changePath, q, old.ID)
			c.mem.forgetWritten(old.ID, old.ParentID, in.ParentID)
			return err
		})
}

// settleConcurrent is what both have in common: it looks for namesakes the
// write raced with and, when this run must give way, undoes its write and
// returns the *ConcurrentWriteError (a write undone leaves res empty).
// kept is logged when this run keeps the name.
func (c *Client) settleConcurrent(ctx context.Context, op Op, in GroupInput, res *WriteResult, before map[string]string, kept string, undo func(context.Context) error) error {
	ours := res.Group
	others, err := c.concurrentNamesakes(ctx, in.ParentID, ours.ID, []string{in.Name, res.StoredName}, before)
	if err != nil {
		res.RaceCheck = err
		return nil
	}
	if len(others) == 0 {
		return nil
	}
	first, orderable := keepsName(ours, others, tookName)
	if first {
		c.http.Logger().Warn(ctx, kept, map[string]any{"id": ours.ID})
		return nil
	}
	race := &ConcurrentWriteError{Op: op, Name: in.Name, ParentID: in.ParentID, Ours: ours, Others: others, Unordered: !orderable}
	lctx, cancel := c.looking(ctx)
	defer cancel()
	if race.UndoErr = undo(lctx); race.UndoErr == nil {
		*res = WriteResult{}
	}
	return race
}

// concurrentNamesakes lists parentID afresh and returns, read with info.ds,
// the groups named one of names (besides self) that the listing before the
// write (before: id → name) did not hold under that name: created, renamed
// or moved there while this run wrote. A group gone by the time it is read
// (another run that gave way) is left out.
func (c *Client) concurrentNamesakes(ctx context.Context, parentID, self string, names []string, before map[string]string) ([]Group, error) {
	kids, err := c.freshChildren(ctx, parentID)
	if err != nil {
		return nil, err
	}
	var out []Group
	for _, k := range kids {
		if k.ID == self || k.Name == "" || !slices.Contains(names, k.Name) {
			continue
		}
		if was, listed := before[k.ID]; listed && slices.Contains(names, was) {
			continue
		}
		g, err := c.fresh(ctx, k.ID)
		var nf *NotFoundError
		switch {
		case errors.As(err, &nf):
			continue
		case err != nil:
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// keepsName tells whether ours took the name strictly before every other
// group (by the time when, RFC 3339 in UTC as the decoders give it), and
// whether the server's times order them at all. Creates, renames and moves
// use one clock, tookName, so that a create racing a rename is decided the
// same way by both runs.
//
// Ties keep nothing: the server's times are whole seconds, and a run that
// listed the parent before the other's write landed keeps its group without
// seeing the other, so the other must give way whenever it cannot show it
// came first. A tie broken by id would let both keep (the first run, not
// seeing the second group, keeps; the second, winning the tie, keeps too).
// So: both runs yield only when their groups took the name in the same
// second and each saw the other, and never do both keep.
func keepsName(ours Group, others []Group, when func(Group) string) (first, orderable bool) {
	first, orderable = true, true
	for _, o := range others {
		a, b := when(ours), when(o)
		switch {
		case a == "" || b == "" || a == b:
			first, orderable = false, false
		case b < a:
			first = false
		}
	}
	return first, orderable
}

// checkCreated checks the id an add.ds answer names.
func checkCreated(id string, in GroupInput, before map[string]bool) error {
	switch {
	case in.ID != "" && id != in.ID:
		return &AnswerError{Op: OpCreate, Asked: in.ID, Got: id, Why: fmt.Sprintf("not the id %q that was sent", in.ID)}
	case id != "" && before[id]:
		return &AnswerError{Op: OpCreate, Asked: in.ID, Got: id, Why: fmt.Sprintf("which was under %s before the write", DescribeParent(in.ParentID))}
	}
	return nil
}

// createRefused adds to add.ds's refusal what a caller needs: whether a
// chosen id is taken, and by which group.
func (c *Client) createRefused(ctx context.Context, in GroupInput, err error) error {
	var we *WriteError
	if in.ID == "" || !errors.As(err, &we) {
		return err
	}
	if g, gerr := c.fresh(ctx, in.ID); gerr == nil {
		return &IDTakenError{Refusal: we, Existing: g}
	}
	return err
}

// lookForCreated returns the groups under the parent, on a fresh listing,
// that a lost add.ds may have created: with the chosen id, or else of that
// name, not there before the write, not claimed by another write of this
// Client.
func (c *Client) lookForCreated(ctx context.Context, in GroupInput, before map[string]bool) ([]string, error) {
	kids, err := c.freshChildren(ctx, in.ParentID)
	if err != nil {
		return nil, err
	}
	var found []string
	for _, k := range kids {
		// A chosen id is the write's own whatever name the server stored.
		ours := k.Name == in.Name
		if in.ID != "" {
			ours = k.ID == in.ID
		}
		if ours && !before[k.ID] && !c.writes.isClaimed(k.ID) {
			found = append(found, k.ID)
		}
	}
	return found, nil
}

// UpdateGroup changes a group's name, description and parent with one
// change.ds (an empty parent makes it a top-level group), and reads it back.
// A move under the group itself or one of its descendants, and (unless
// in.AllowDuplicateName) a rename or move beside a group of the same name,
// are refused before anything is sent. change.ds is sent once; after a lost
// answer the group is read: showing the change, it is taken as done
// (WriteResult.LostAnswer); otherwise an *OutcomeUnknownError.
func (c *Client) UpdateGroup(ctx context.Context, id string, in GroupInput) (WriteResult, error) {
	if err := checkName(in.Name); err != nil {
		return WriteResult{}, err
	}
	old, err := c.fresh(ctx, id)
	if err != nil {
		return WriteResult{}, err
	}
	var before map[string]string // the target parent's groups (id → name) before the write, when a race is to be settled
	if old.Name != in.Name || old.ParentID != in.ParentID {
		unlock, err := c.writes.lock(ctx, in.ParentID, in.Name)
		if err != nil {
			return WriteResult{}, err
		}
		defer unlock()
		if !in.AllowDuplicateName {
			kids, err := c.siblings(ctx, in.ParentID)
			if err != nil {
				return WriteResult{}, err
			}
			if err := checkDuplicate(kids, in, id); err != nil {
				return WriteResult{}, err
			}
			before = make(map[string]string, len(kids))
			for _, k := range kids {
				before[k.ID] = k.Name
			}
		}
	}
	if in.ParentID != "" && in.ParentID != old.ParentID {
		if err := c.checkNotBelow(ctx, in.ParentID, id); err != nil {
			return WriteResult{}, err
		}
	}
	q := url.Values{"id": {id}, "name": {in.Name}, "description": {in.Description}, "parent-group": {in.ParentID}}
	var res WriteResult
	doc, err := c.writeOnce(ctx, OpChange, changePath, q, id)
	switch {
	case err == nil:
		if doc.WrittenID != "" && doc.WrittenID != id {
			return WriteResult{}, &AnswerError{Op: OpChange, Asked: id, Got: doc.WrittenID, Why: fmt.Sprintf("not the group %q that was changed", id)}
		}
	case mayHaveHappened(err) || isRefusal(err):
		lctx, cancel := c.looking(ctx)
		g, lookErr := c.fresh(lctx, id)
		cancel()
		switch {
		case lookErr == nil && shows(g, old, in):
			res.LostAnswer = err
			c.http.Logger().Warn(ctx, "change.ds's answer was lost or a refusal, but the group shows the change", map[string]any{"id": id, "error": err.Error()})
		case isRefusal(err):
			return WriteResult{}, err
		default:
			return WriteResult{}, &OutcomeUnknownError{Op: OpChange, ID: id, Err: err, Look: lookErr}
		}
	default:
		return WriteResult{}, err
	}
	c.mem.forgetWritten(id, old.ParentID, in.ParentID)
	g, err := c.readBack(ctx, id)
	switch {
	case err != nil:
		res.ReadBack = err
		g = Group{ID: id, Name: in.Name, Description: in.Description, ParentID: in.ParentID, Created: old.Created, Packages: old.Packages}
	case g.Name != in.Name:
		res.StoredName = g.Name
	}
	res.Group = g
	if before != nil {
		if err := c.settleConcurrentChange(ctx, old, in, &res, before); err != nil {
			return res, err
		}
	}
	return res, nil
}

// tookName is when a group took its name, as far as the server says: its
// last change (a rename or move sets it; a create sets it to the creation
// time), else its creation.
func tookName(g Group) string {
	if g.Modified != "" {
		return g.Modified
	}
	return g.Created
}

// shows tells whether a group read after a lost change.ds answer shows the
// change from old to in. A server may store a name differently from how it
// was sent: a name that moved away from the old one counts as changed.
func shows(g, old Group, in GroupInput) bool {
	named := g.Name == in.Name || (old.Name != in.Name && g.Name != old.Name)
	return named && g.Description == in.Description && g.ParentID == in.ParentID
}

// checkNotBelow fails when parent is id itself or one of its descendants,
// on fresh reads.
func (c *Client) checkNotBelow(ctx context.Context, parent, id string) error {
	return c.notBelow(ctx, parent, id, c.fresh)
}

// DeleteGroup deletes a group with delete.ds, sent once. parentID is where
// the caller last knew the group to be ("" for the top level).
//
// It returns nil only when delete.ds succeeded for this group, or the group
// is gone (see ReadGroup: the server refuses its id and a listing lacks it).
// A refusal of a group that is still there is final; a lost answer with the
// group still there is an *OutcomeUnknownError.
func (c *Client) DeleteGroup(ctx context.Context, id, parentID string) (WriteResult, error) {
	var res WriteResult
	doc, err := c.writeOnce(ctx, OpDelete, deletePath, url.Values{"id": {id}}, id)
	switch {
	case err == nil:
		if len(doc.Groups) > 0 && !slices.ContainsFunc(doc.Groups, func(g Group) bool { return g.ID == id }) {
			return WriteResult{}, &AnswerError{Op: OpDelete, Asked: id, Got: doc.Groups[0].ID, Why: fmt.Sprintf("not the group %q that was deleted", id)}
		}
	case mayHaveHappened(err) || isRefusal(err):
		lctx, cancel := c.looking(ctx)
		gone, lookErr := c.gone(lctx, id, parentID)
		cancel()
		switch {
		case gone:
			if mayHaveHappened(err) { // a refusal of a group that is gone: nothing to report
				res.LostAnswer = err
			}
		case isRefusal(err): // refused, and still there (or the look failed): the refusal says it
			return WriteResult{}, err
		default:
			return WriteResult{}, &OutcomeUnknownError{Op: OpDelete, ID: id, Err: err, Look: lookErr, StillThere: lookErr == nil}
		}
	default:
		return WriteResult{}, err
	}
	c.mem.forgetWritten(id, parentID)
	return res, nil
}

// ReadGroup reads a group that the caller keeps track of, last known under
// parentID ("" for the top level). It returns a *GoneError only when the
// group is shown to be gone: the server refuses its id, and a listing that
// succeeded — of parentID, or of the whole tree when parentID is gone too —
// lacks it. Any other failure is returned as it is.
func (c *Client) ReadGroup(ctx context.Context, id, parentID string) (Group, error) {
	return c.mem.lookUp(ctx, func(ctx context.Context) (Group, error) { return c.readGroup(ctx, id, parentID) })
}

func (c *Client) readGroup(ctx context.Context, id, parentID string) (Group, error) {
	g, err := c.info(ctx, id)
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		return g, err
	}
	listed, lerr := c.listedUnder(ctx, id, parentID)
	switch {
	case lerr != nil:
		// Not a *NotFoundError: the group is not known to be missing.
		return Group{}, fmt.Errorf("the server refused the group %q (%s), and whether it is gone could not be told: %w", id, nf.Server.Error(), lerr)
	case listed:
		return Group{}, &TreeError{msg: fmt.Sprintf("%v, yet %s lists it: the server contradicts itself, so the group is not taken for gone", err, DescribeParent(parentID))}
	}
	return Group{}, &GoneError{ID: id, ParentID: parentID, Server: nf.Server}
}

// gone reports whether the group is shown to be gone (see ReadGroup). A
// failure to tell is an error.
func (c *Client) gone(ctx context.Context, id, parentID string) (bool, error) {
	c.mem.forgetGroup(id)
	_, err := c.ReadGroup(ctx, id, parentID)
	var g *GoneError
	switch {
	case errors.As(err, &g):
		return true, nil
	case err == nil:
		return false, nil
	}
	return false, err
}

// listedUnder tells whether a fresh listing of parentID holds id. When the
// parent is gone too, the nearest ancestor that still exists is not known
// here: the whole tree is listed instead.
func (c *Client) listedUnder(ctx context.Context, id, parentID string) (bool, error) {
	kids, err := c.freshChildren(ctx, parentID)
	var nf *NotFoundError
	if parentID != "" && errors.As(err, &nf) && nf.Parent {
		c.mem.forgetListings()
		kids, err = c.Tree(ctx, "", true, true)
	}
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(kids, func(n TreeNode) bool { return n.ID == id }), nil
}
