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

// SharedStations says, for each group, which of its stations the listings
// show in another group too, in the group's server order. The API does not
// say which group is a station's primary group; a station listed in one
// group only is in it as its primary group (every station has one), so
// only the stations of several groups can be there besides it.
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
