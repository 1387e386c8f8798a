package drweb

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// membersBefore is what the group holds before a membership change: Known
// when the caller has it (a copy, so that the result never aliases the
// caller's list), otherwise a fresh listing.
func (c *Client) membersBefore(ctx context.Context, req MembersChange) ([]string, error) {
	if req.Known != nil {
		return append(make([]string, 0, len(req.Known)), req.Known...), nil
	}
	c.mem.forgetStations(req.Group)
	stations, err := c.Stations(ctx, req.Group)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(stations))
	for _, st := range stations {
		ids = append(ids, st.ID)
	}
	return ids, nil
}

// idSet is a list of ids as a set: a membership change's lists are as long
// as a group's stations, so each lookup is a map's, never a scan.
func idSet(ids []string) map[string]bool {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// MembersGone tells what a failed station listing or membership change of
// a group whose place in the tree the caller does not know says about the
// group: for the server's not-found refusal of its id, a *GoneError when
// GroupGone shows it gone, and an error saying why that could not be told
// when it cannot; any other error (or a refusal GroupGone contradicts) as
// it is.
func (c *Client) MembersGone(ctx context.Context, groupID string, err error) error {
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		return err
	}
	gone, gerr := c.GroupGone(ctx, groupID)
	switch {
	case gerr != nil:
		return fmt.Errorf("the server refused the group %q (%s), and whether it is gone could not be told: %w", groupID, nf.Server.Error(), gerr)
	case !gone:
		return err
	}
	return &GoneError{ID: groupID, Server: nf.Server, Anywhere: true}
}

// StationsOfGroups returns the stations directly in each group, in the
// order of groupIDs (see Stations: every page, each group once per Client,
// shared with the run's other reads), treeConcurrency groups at a time.
// The first failure ends the listing.
func (c *Client) StationsOfGroups(ctx context.Context, groupIDs []string) ([][]Station, error) {
	lists := make([][]Station, len(groupIDs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(treeConcurrency)
	for i, id := range groupIDs {
		g.Go(func() (err error) {
			lists[i], err = c.Stations(gctx, id)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return lists, nil
}

// statusID is the system group Status: it and its subgroups are virtual
// (they show stations by state and are never a primary group).
const statusID = "48afe720-953c-4075-856c-361f3ff06b6d"

// MembershipGroups returns, in tree order, the ids of the groups of nodes
// whose listings say where a station is: every group but Everyone (which
// lists every station) and the virtual Status groups. System groups count:
// an "Operating system" subgroup or Ungrouped may be a station's primary
// group, and a station whose primary group is one of them is in each user
// group it is listed in besides its primary group.
func MembershipGroups(nodes []TreeNode) []string {
	parent := make(map[string]string, len(nodes))
	for _, n := range nodes {
		parent[n.ID] = n.ParentID
	}
	virtual := func(id string) bool {
		for hops := 0; id != "" && hops <= len(parent); id, hops = parent[id], hops+1 {
			if id == statusID {
				return true
			}
		}
		return false
	}
	ids := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if n.ID != EveryoneID && !virtual(n.ID) {
			ids = append(ids, n.ID)
		}
	}
	return ids
}

// SharedStations says, for each group, which of its stations the listings
// show in another group too, in the group's server order. The API does not
// say which group is a station's primary group; a station listed in one
// group only is in it as its primary group (every station has exactly one),
// so only the stations of several groups can be there besides it. groupIDs
// must be every group a station can be in as a member (MembershipGroups of
// the whole tree, system groups included), or a station whose primary
// group is left out would look primary in the group it is a member of.
func SharedStations(groupIDs []string, lists [][]Station) map[string][]string {
	in := map[string]int{}
	for i := range groupIDs {
		for _, st := range lists[i] {
			in[st.ID]++
		}
	}
	out := map[string][]string{}
	for i, id := range groupIDs {
		for _, st := range lists[i] {
			if in[st.ID] > 1 {
				out[id] = append(out[id], st.ID)
			}
		}
	}
	return out
}
