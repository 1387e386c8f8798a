package opswat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
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
	opts = opts.normalized()
	if !slices.Contains(SortFields, opts.SortField) {
		return nil, fmt.Errorf("sort field %q is not one of %s", opts.SortField, strings.Join(SortFields, ", "))
	}
	if !slices.Contains(SortOrders, opts.SortOrder) {
		return nil, fmt.Errorf("sort order %q is not asc or desc", opts.SortOrder)
	}
	if opts.Search == "" {
		return c.list.full(ctx, opts) // the first full list of the run serves the lookups too
	}
	return c.list.query(ctx, opts)
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

// pageReader reads one page of a query: the walks of the list and the
// searches are made of its pages.
type pageReader struct {
	do        func(context.Context, client.Request) (*client.Response, error) // authenticated
	logger    client.Logger
	readAhead int // page requests a walk keeps in flight
}

// addPage adds page n (the next one) to the walk, and reports a server that
// ignores the page parameter or repeats its pages. A 413 past page 1 or a
// short page ends the list.
func (r pageReader) addPage(ctx context.Context, st *walkState, n int, p page) error {
	if n > 1 && tooLarge(p.err) {
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
			r.logger.Warn(ctx, "OPSWAT listed a group twice in one walk; keeping it once", map[string]any{"group_id": id, "page": n})
			continue
		}
		st.seen[id] = true
		fresh++
		st.groups = append(st.groups, r.convert(ctx, g))
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

// tooLarge reports the API's 413, its answer to a page past the end.
func tooLarge(err error) bool {
	var apiErr *client.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusRequestEntityTooLarge
}

// fetchPage requests and decodes one page.
func (r pageReader) fetchPage(ctx context.Context, opts ListOptions, n int) page {
	body := pageRequest{Limit: pageSize, Page: n, Search: opts.Search}
	body.Sort.Field, body.Sort.Order = opts.SortField, opts.SortOrder
	data, _ := json.Marshal(body)
	resp, err := r.do(ctx, client.Request{
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

func (r pageReader) convert(ctx context.Context, g apiGroup) Group {
	devices, ok := g.NumberOfDevices.Int()
	if !ok {
		r.logger.Warn(ctx, "OPSWAT sent a number_of_devices that is not a whole number; using 0", map[string]any{"group_id": string(g.ID), "value": string(g.NumberOfDevices)})
	}
	return Group{
		ID: string(g.ID), Name: string(g.Name), DomainName: string(g.DomainName), AutoJoin: g.AutoJoin,
		PolicyID: string(g.PolicyID), PolicyName: string(g.PolicyName), NumberOfDevices: devices,
		Description:  string(g.Description),
		CreatedDate:  r.parseTimeField(ctx, string(g.ID), "created_date", string(g.CreatedDate)),
		LastModified: r.parseTimeField(ctx, string(g.ID), "last_modified", string(g.LastModified)),
	}
}

func (r pageReader) parseTimeField(ctx context.Context, id, field, v string) string {
	t, ok := parseTime(v)
	if !ok && v != "" {
		r.logger.Warn(ctx, "OPSWAT sent a time in an unknown format; passing it through unchanged", map[string]any{"group_id": id, "field": field, "value": v})
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
