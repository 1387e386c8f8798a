package opswat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// Group is one group, its times already in RFC 3339 UTC (or, when the API
// sent a time that does not parse, as sent).
type Group struct {
	ID              string
	Name            string
	DomainName      string
	AutoJoin        bool
	PolicyID        string
	PolicyName      string
	NumberOfDevices int64
	Description     string
	CreatedDate     string
	LastModified    string
	// DevicesStale: the run assigned devices to the group after it was
	// listed, so NumberOfDevices (0) is not known. Never stored.
	DevicesStale bool `json:"-"`
}

// ListOptions are the API's query: keyword search and sort.
type ListOptions struct {
	Search    string
	SortField string // default group_name
	SortOrder string // default asc
}

func (o ListOptions) normalized() ListOptions {
	if o.SortField == "" {
		o.SortField = "group_name"
	}
	if o.SortOrder == "" {
		o.SortOrder = "asc"
	}
	return o
}

// ListGroups returns every group the query matches, in the API's order,
// walking all pages. The first walk for a query is shared by every caller
// of this Client, concurrent or later. With the group-list cache, a query
// without a search is answered from the complete list (the cache entry, or
// one walk stored as it), sorted by the client.
func (c *Client) ListGroups(ctx context.Context, opts ListOptions) ([]Group, error) {
	groups, err := c.listGroups(ctx, opts)
	return c.stale.groups(groups), err
}

func (c *Client) listGroups(ctx context.Context, opts ListOptions) ([]Group, error) {
	opts = opts.normalized()
	if !slices.Contains(SortFields, opts.SortField) {
		return nil, fmt.Errorf("sort field %q is not one of %s", opts.SortField, strings.Join(SortFields, ", "))
	}
	if !slices.Contains(SortOrders, opts.SortOrder) {
		return nil, fmt.Errorf("sort order %q is not asc or desc", opts.SortOrder)
	}
	if opts.Search == "" {
		if c.cached(ctx) == nil {
			c.because(WalkForList, "")
		}
		c.mu.Lock()
		if c.fullWalk == nil { // the first full list of the run serves the lookups too
			c.fullWalk = &opts
		}
		c.mu.Unlock()
		c.plan.walk()
		if c.cache != nil {
			// With the cache, every full list is the complete one, sorted here.
			all, err := c.complete(ctx)
			if err != nil {
				return nil, err
			}
			return sortGroups(all, opts), nil
		}
	}
	key := strconv.Quote(opts.Search) + "|" + opts.SortField + "|" + opts.SortOrder
	groups, err := c.lists.Do(ctx, key, func(ctx context.Context) ([]Group, error) {
		if opts == (ListOptions{}).normalized() {
			return c.prefix.finish(ctx, c)
		}
		return c.walk(ctx, opts, nil)
	})
	return slices.Clone(groups), err
}

type pageRequest struct {
	Limit  int    `json:"limit"`
	Page   int    `json:"page"`
	Search string `json:"search,omitempty"`
	Sort   struct {
		Field string `json:"field"`
		Order string `json:"order"`
	} `json:"sort"`
}

// page is the answer to one page request.
type page struct {
	raw  []apiGroup
	resp *client.Response
	err  error
}

// walkState is how far a walk of one query has come: the pages read, the
// groups they brought (each once), and whether the list has ended.
type walkState struct {
	read      int // pages read
	groups    []Group
	seen      map[string]bool
	prevFirst string
	done      bool
	// firstPage is when page 1 came: the list is as of then, however long
	// the pages after it took, so a cache entry's age starts there.
	firstPage time.Time
}

// take adds page n (the next one) to the walk, and reports a server that
// ignores the page parameter or repeats its pages. A 413 past page 1 or a
// short page ends the list.
func (c *Client) take(ctx context.Context, st *walkState, n int, p page) error {
	var apiErr *client.APIError
	if n > 1 && errors.As(p.err, &apiErr) && apiErr.StatusCode == http.StatusRequestEntityTooLarge {
		st.read, st.done = n, true // the previous page was the last
		return nil
	}
	if p.err != nil {
		return p.err
	}
	if st.seen == nil {
		st.seen = map[string]bool{}
	}
	if n == 1 {
		st.firstPage = time.Now()
	}
	if len(p.raw) > 0 {
		if n > 1 && string(p.raw[0].ID) == st.prevFirst {
			return p.resp.Error(fmt.Sprintf("page %d repeats page %d: the server ignores the page parameter", n, n-1), nil)
		}
		st.prevFirst = string(p.raw[0].ID)
	}
	fresh := 0
	for _, g := range p.raw {
		id := string(g.ID)
		if st.seen[id] {
			// The list may have shifted while it was walked (a group
			// added or removed): keep the group once, and say so.
			c.http.Logger().Warn(ctx, "OPSWAT listed a group twice in one walk; keeping it once", map[string]any{"group_id": id, "page": n})
			continue
		}
		st.seen[id] = true
		fresh++
		st.groups = append(st.groups, c.convert(ctx, g))
	}
	if len(p.raw) == pageSize && fresh == 0 {
		return p.resp.Error(fmt.Sprintf("page %d brings no group that the pages before it did not: the server repeats its pages, "+
			"so the walk stops instead of going round", n), nil)
	}
	st.read = n
	switch {
	case len(p.raw) < pageSize:
		st.done = true
	case n == maxPages:
		return p.resp.Error(fmt.Sprintf("more than %d pages of groups: stopping", maxPages), nil)
	}
	return nil
}

// walk reads every page of a query, from where st has come (nil: from the
// start). Pages 1 and 2 go alone (most accounts fit in them); with
// readAhead > 1, each further full page lets the walk keep one more page
// request in flight, up to readAhead, so that a long list costs about one
// round trip per readAhead pages. A walk stops at the first short page or
// 413 and cancels the requests still waiting for their turn; up to
// readAhead-1 requests past the last page may already have been sent.
func (c *Client) walk(ctx context.Context, opts ListOptions, st *walkState) ([]Group, error) {
	if st == nil {
		st = &walkState{}
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := map[int]chan page{}
	launch := func(n int) {
		if n > maxPages || pages[n] != nil {
			return
		}
		ch := make(chan page, 1)
		pages[n] = ch
		go func() { ch <- c.fetchPage(ctx, opts, n) }()
	}
	for n := st.read + 1; !st.done; n++ {
		// The lead grows with the list (pages 1 and 2 alone, then 1, 2, …
		// up to readAhead-1 pages ahead): a list of up to 99 groups never
		// pays for a request past its end.
		for ahead := n; ahead < n+min(c.readAhead, max(1, n-1)); ahead++ {
			launch(ahead)
		}
		p := <-pages[n]
		delete(pages, n)
		if err := c.take(ctx, st, n, p); err != nil {
			return nil, err
		}
		if n%10 == 0 {
			c.http.Logger().Debug(ctx, "walking the OPSWAT group list", map[string]any{"pages": n, "groups": len(st.groups), "duration_ms": time.Since(start).Milliseconds()})
		}
	}
	c.http.Logger().Debug(ctx, "listed OPSWAT groups", map[string]any{
		"groups": len(st.groups), "search": opts.Search, "sort_field": opts.SortField, "sort_order": opts.SortOrder,
		"duration_ms": time.Since(start).Milliseconds(), "read_ahead": c.readAhead,
	})
	return slices.Clone(st.groups), nil
}

// fetchPage requests and decodes one page.
func (c *Client) fetchPage(ctx context.Context, opts ListOptions, n int) page {
	body := pageRequest{Limit: pageSize, Page: n, Search: opts.Search}
	body.Sort.Field, body.Sort.Order = opts.SortField, opts.SortOrder
	data, _ := json.Marshal(body)
	resp, err := c.do(ctx, client.Request{
		Method: http.MethodPost, Path: groupsPath, Body: data,
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
	})
	if err != nil {
		return page{err: err}
	}
	var raw []apiGroup
	if err := resp.DecodeJSON(&raw); err != nil {
		return page{resp: resp, err: err}
	}
	return page{raw: raw, resp: resp}
}

// apiGroup is a group as the API sends it; ids and counts are accepted as
// strings or numbers.
type apiGroup struct {
	ID              client.FlexString `json:"group_id"`
	Name            client.FlexString `json:"group_name"`
	DomainName      client.FlexString `json:"domain_name"`
	AutoJoin        bool              `json:"auto_join"`
	PolicyID        client.FlexString `json:"policy_id"`
	PolicyName      client.FlexString `json:"policy_name"`
	NumberOfDevices client.FlexString `json:"number_of_devices"`
	Description     client.FlexString `json:"description"`
	CreatedDate     client.FlexString `json:"created_date"`
	LastModified    client.FlexString `json:"last_modified"`
}

func (c *Client) convert(ctx context.Context, g apiGroup) Group {
	devices, ok := g.NumberOfDevices.Int()
	if !ok {
		c.http.Logger().Warn(ctx, "OPSWAT sent a number_of_devices that is not a whole number; using 0", map[string]any{"group_id": string(g.ID), "value": string(g.NumberOfDevices)})
	}
	return Group{
		ID: string(g.ID), Name: string(g.Name), DomainName: string(g.DomainName), AutoJoin: g.AutoJoin,
		PolicyID: string(g.PolicyID), PolicyName: string(g.PolicyName), NumberOfDevices: devices,
		Description:  string(g.Description),
		CreatedDate:  c.parseTimeField(ctx, string(g.ID), "created_date", string(g.CreatedDate)),
		LastModified: c.parseTimeField(ctx, string(g.ID), "last_modified", string(g.LastModified)),
	}
}

func (c *Client) parseTimeField(ctx context.Context, id, field, v string) string {
	t, ok := parseTime(v)
	if !ok && v != "" {
		c.http.Logger().Warn(ctx, "OPSWAT sent a time in an unknown format; passing it through unchanged", map[string]any{"group_id": id, "field": field, "value": v})
		return v
	}
	return t
}

// timeLayouts are the forms the API's GMT times take ("Jun 12, 2017 01:49:39 AM");
// the unpadded layout parses padded values too.
var timeLayouts = []string{"Jan 2, 2006 3:04:05 PM", "January 2, 2006 3:04:05 PM", "Jan 2, 2006 15:04:05", time.RFC3339}

// parseTime turns an API time into RFC 3339 UTC. It reports false, and
// returns "", for a value it cannot read; an empty value is ("", true).
func parseTime(v string) (string, bool) {
	v = strings.Join(strings.Fields(v), " ")
	if v == "" {
		return "", true
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t.UTC().Format(time.RFC3339), true
		}
	}
	return "", false
}
