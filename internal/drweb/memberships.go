package drweb

import (
	"context"

	"golang.org/x/sync/errgroup"
)

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
