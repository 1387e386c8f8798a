// Package drweb is the client of the Dr.Web Server (AV-Desk / Enterprise
// Security Suite) Web API for groups and their stations: group reads with
// info.ds (rights, keys, components) and list.ds, group writes with add.ds,
// change.ds and delete.ds, a group's stations with stations-list.ds (every
// page) and states.ds, membership changes with stations/change.ds. HTTP
// Basic on every request, answers in JSON or XML (decided by what arrives,
// since older servers answer XML whatever is asked).
//
// Who owns what:
//   - Client (drweb.go) owns the connection: the answer format, the one
//     request path every read and write takes, and the decoding of each
//     answer (decode.go), whose warnings it logs once.
//   - runMemory (memory.go) owns what a Client knows of the server for the
//     rest of its life: each parent's children, where those listings placed
//     each group, the info.ds answers (the batcher of batch.go, which
//     coalesces concurrent lookups by id into one request), each group's
//     stations and states, and the lookups under way that a batch waits
//     for. Every public read of a group runs inside its lookUp; every write
//     makes it forget what the write changed.
//   - writes (write.go) and members (stations.go) own what writes of one
//     run share: one create, rename or move per parent and name at a time,
//     the ids claimed, the stations a members change keeps.
//   - errors.go holds the typed errors that say what happened.
//
// A write is sent once and its outcome is established by looking at the
// server, never by sending it again (write.go, stations.go, move.go).
package drweb

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// Vendor names the API in errors and logs.
const Vendor = "Dr.Web"

const (
	infoPath = "/api/groups/info.ds"
	listPath = "/api/groups/list.ds"
)

// Defaults for batching lookups by id.
const (
	defaultBatchWindow  = 20 * time.Millisecond  // quiet time after the last id before a batch goes
	defaultBatchMaxWait = 200 * time.Millisecond // longest a lookup waits for others
	defaultMaxBatch     = 100                    // keeps the query string of one request well under common URL limits
	treeConcurrency     = 8
)

// Client talks to one Dr.Web Server.
type Client struct {
	http *client.Client
	auth string
	mem  *runMemory // what the run knows of the server

	// stationBounds bound each station listing (defaultStationListBounds).
	stationBounds stationListBounds
	// treeBound is the most groups one tree walk keeps (DefaultTreeBound).
	treeBound int
	writes    writes
	members   members

	// format is what the server is asked for: JSON until the server shows it
	// cannot write valid JSON (see get). gate lets one request at a time
	// through while the format is not settled.
	format atomic.Int32
	gate   chan struct{}

	// components says whether info.ds takes components=yes: unsettled
	// until an answer shows it (see askInfo); componentsGate lets one
	// info.ds request at a time through until then.
	components     atomic.Int32
	componentsGate chan struct{}
}

const (
	componentsUnsettled int32 = iota
	componentsAccepted
	componentsRefused
)

const (
	formatUnsettled int32 = iota
	formatJSON
	formatXML
)

// Config is how to reach one Dr.Web Server; New says what cannot work,
// naming the field.
type Config struct {
	URL      string // the server's web address, e.g. https://esuite.example.com:9081
	Login    string // an administrator's login
	Password string // and password (sent as given, even empty)

	// Batching of lookups by id; zero: the defaults. Tests change them.
	batchWindow time.Duration // quiet time after the last id; a batch waits at most five times that
	maxBatch    int           // ids in one request
}

// The fields of Config, as a *client.ConfigError names them.
const (
	FieldURL      client.ConfigField = "URL"
	FieldLogin    client.ConfigField = "Login"
	FieldPassword client.ConfigField = "Password"
)

// check validates the configuration and returns its base URL; its error
// is a *client.ConfigError naming the field.
func (cfg Config) check() (*url.URL, error) {
	switch {
	case cfg.URL == "":
		return nil, &client.ConfigError{Vendor: Vendor, Field: FieldURL, Problem: client.Missing}
	case cfg.Login == "":
		return nil, &client.ConfigError{Vendor: Vendor, Field: FieldLogin, Problem: client.Missing}
	}
	u, err := client.ParseBaseURL(cfg.URL)
	if err != nil {
		return nil, &client.ConfigError{Vendor: Vendor, Field: FieldURL, Problem: client.Invalid, Err: err}
	}
	return u, nil
}

// New returns a client of the server cfg describes, with the user's HTTP
// settings. It sends nothing.
func New(cfg Config, settings client.Settings) (*Client, error) {
	base, err := cfg.check()
	if err != nil {
		return nil, err
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.Login+":"+cfg.Password))
	hc, err := client.New(client.API{
		Vendor:       Vendor,
		BaseURL:      base,
		Redactor:     client.NewRedactor(cfg.Password, auth, auth[len("Basic "):]),
		ErrorMessage: errorMessage,
	}, settings)
	if err != nil {
		return nil, err
	}
	c := &Client{http: hc, auth: auth, gate: make(chan struct{}, 1), componentsGate: make(chan struct{}, 1),
		stationBounds: defaultStationListBounds, treeBound: DefaultTreeBound}
	window, maxWait := defaultBatchWindow, defaultBatchMaxWait
	if cfg.batchWindow > 0 {
		window, maxWait = cfg.batchWindow, 5*cfg.batchWindow
	}
	c.mem = newRunMemory(window, maxWait, cmp.Or(cfg.maxBatch, defaultMaxBatch), fetchers{
		info: c.fetchInfo, children: c.listChildren, stations: c.listStations, states: c.countStates,
	})
	return c, nil
}

// read sends an authenticated read and returns the answer decoded; a
// status="false" answer is returned as it is (doc.Status), for the caller
// to tell what the refusal means.
//
// JSON is asked for first. Some server lines print a JSON head that is not
// JSON (ESS 12.0.11 and 13.0.0: "versionString": 4.3.0, unquoted); when an
// answer to format=json looks like JSON but does not parse, the request is
// sent once more without format=json (XML is the API's default and oldest
// format), and the client keeps to XML for the rest of its life. Until the
// first answer has settled the format, requests go one at a time, so that a
// run pays at most one extra request for it.
func (c *Client) read(ctx context.Context, path string, q url.Values) (*client.Response, *document, error) {
	return c.request(ctx, path, q, false)
}

// request is read for reads and writes: it settles the answer format
// first (see read); a write is retried only when the answer proves that
// nothing happened (client.Request.Write). It knows nothing of what a
// request means: that is for the groups, tree, write and stations code.
func (c *Client) request(ctx context.Context, path string, q url.Values, write bool) (*client.Response, *document, error) {
	if write && c.format.Load() == formatUnsettled {
		// Settle the format with a read of the top level: a write's answer
		// that cannot be read cannot be asked for again.
		if _, _, err := c.read(ctx, listPath, nil); err != nil {
			return nil, nil, err
		}
	}
	if c.format.Load() == formatUnsettled {
		select {
		case c.gate <- struct{}{}:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		if c.format.Load() == formatUnsettled {
			defer func() { <-c.gate }()
			return c.settleFormat(ctx, path, q, write)
		}
		<-c.gate
	}
	return c.roundTrip(ctx, path, q, c.format.Load() == formatJSON, write)
}

// settleFormat sends the run's first request and decides the format from
// its answer.
func (c *Client) settleFormat(ctx context.Context, path string, q url.Values, write bool) (*client.Response, *document, error) {
	resp, doc, err := c.roundTrip(ctx, path, q, true, write)
	var apiErr *client.APIError
	switch {
	case err == nil:
		c.format.Store(formatJSON)
		return resp, doc, nil
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusOK && errors.Is(err, client.ErrInvalidJSON):
		c.http.Logger().Warn(ctx, "Dr.Web answered format=json with a body that is not valid JSON; asking for XML from now on", map[string]any{
			"error": err.Error(),
			"why":   "some server lines (ESS 12.0.11, 13.0.0) print an unquoted version string in the JSON head",
		})
		resp, doc, err = c.roundTrip(ctx, path, q, false, write)
		if err == nil {
			c.format.Store(formatXML)
		}
		return resp, doc, err
	}
	return resp, doc, err
}

// roundTrip sends one request in the given format, with the Basic header,
// and decodes its answer.
func (c *Client) roundTrip(ctx context.Context, path string, q url.Values, asJSON, write bool) (*client.Response, *document, error) {
	q = maps.Clone(q)
	if q == nil {
		q = url.Values{}
	}
	accept := "text/xml, application/xml;q=0.9"
	if asJSON {
		q.Set("format", "json")
		accept = "application/json, text/xml;q=0.9"
	}
	resp, err := c.http.Do(ctx, client.Request{
		Method: http.MethodGet, Path: path, Query: q, Write: write,
		Header: http.Header{"Authorization": {c.auth}, "Accept": {accept}},
	})
	if errors.Is(err, client.ErrUnauthorized) {
		return nil, nil, fmt.Errorf("%w: %w", ErrAuth, err)
	}
	if err != nil {
		return nil, nil, err
	}
	doc, err := decode(resp)
	if err != nil {
		return nil, nil, err
	}
	c.logWarnings(ctx, doc)
	return resp, doc, nil
}

// logWarnings logs the values an answer held in a form the decoders did not
// expect: every answer's, once, as it is decoded.
func (c *Client) logWarnings(ctx context.Context, doc *document) {
	for _, w := range doc.Warnings {
		c.http.Logger().Warn(ctx, "Dr.Web sent a value in an unexpected format", map[string]any{"detail": w})
	}
}

// serverError is a status="false" answer.
func serverError(resp *client.Response, doc *document) *client.APIError {
	e := resp.Error(doc.ErrMessage, nil)
	e.Code = doc.ErrCode
	if e.Message == "" && e.Code == "" {
		e.Message = "the server answered status=false without saying why"
	}
	e.Body = ""
	return e
}

// BaseURL returns the server's web address.
func (c *Client) BaseURL() *url.URL { return c.http.BaseURL() }
