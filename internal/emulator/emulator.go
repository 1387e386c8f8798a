// Package emulator serves in-process fakes of the OPSWAT MetaDefender IT
// Access groups API and the Dr.Web Server Web API, as their vendor documents
// describe them, for tests, the demo and benchmarks. Both APIs live on one
// loopback server (their paths do not overlap: /o/... and /api/...).
//
// Hooks let a test inject faults (statuses, Retry-After, HTML bodies,
// dropped connections, latency), enforce a rate limit, expire OAuth tokens,
// or turn the Dr.Web side into an XML-only server; the request log tells a
// test what the API received.
package emulator

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

//go:embed seed.json
var defaultSeed []byte

// Seed is the data the emulator starts with.
type Seed struct {
	OPSWAT OPSWATSeed `json:"opswat"`
	DrWeb  DrWebSeed  `json:"drweb"`
}

// DefaultSeed returns the data set the demo and most tests use.
func DefaultSeed() Seed {
	var s Seed
	if err := json.Unmarshal(defaultSeed, &s); err != nil {
		panic(fmt.Sprintf("emulator: the embedded seed.json is invalid: %v", err))
	}
	return s
}

// ParseSeed reads a seed in the format of seed.json.
func ParseSeed(data []byte) (Seed, error) {
	var s Seed
	d := json.NewDecoder(strings.NewReader(string(data)))
	d.DisallowUnknownFields()
	if err := d.Decode(&s); err != nil {
		return Seed{}, fmt.Errorf("seed: %w", err)
	}
	return s, nil
}

// Request is one request the emulator received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Body   string
	Status int
}

// Fault is an answer the emulator gives instead of the real one.
type Fault struct {
	Path  string // exact path it applies to; "" for every path
	After string // when set, it applies only once a request for this path has arrived
	Times int    // how many requests it hits; 0 for every one
	// Every makes it hit only every Every-th request it would hit (the
	// Every-th, the 2×Every-th, …): a fault that strikes now and then.
	Every       int
	Status      int           // status to answer with (default 500)
	RetryAfter  string        // Retry-After header, if any
	ContentType string        // default text/html
	Body        string        // body to answer with
	Delay       time.Duration // wait before answering (or before dropping)
	Drop        bool          // close the connection without an answer
	// Lose carries the request out, then closes the connection without its
	// answer (or answers with Status, Errno or AnswerID when one is set): a
	// write that happened, whose answer was lost.
	Lose bool
	// Late carries the request out Delay after it arrived, whether or not
	// the client still waits for it (a write that lands after the client's
	// timeout), then answers as Lose does. It implies Lose.
	Late bool

	// Errno answers with the Dr.Web refusal (status="false") carrying this
	// error number and Message, in the format the request asked for.
	Errno   int
	Message string
	// AnswerID answers a Dr.Web write as a success naming this id, and
	// info.ds with the group of this id instead of the one asked for.
	AnswerID string

	seen int // requests it would have hit, for Every
}

// Server is a running emulator.
type Server struct {
	*httptest.Server

	mu      sync.Mutex
	seed    Seed
	log     []Request
	faults  []*Fault
	latency time.Duration

	// OPSWAT state
	tokens     map[string]time.Time // token → expiry
	tokenCount int
	rateN      int
	rateWindow time.Duration
	rateHits   []time.Time
	throttled  int
	rateStyle  RateLimitStyle
	rateReset  RateLimitReset
	searchMode SearchMode
	// emptyPastEnd answers 200 [] for a page past the last
	emptyPastEnd bool
	// the device action: the v3 answer's shape, commands started so far
	actionAnswer   OPSWATActionAnswer
	actionCommands int

	// Dr.Web state
	xmlOnly bool // set by the line, or by SetDrWebXMLOnly
	line    DrWebServerLine
	// the indexes of the stored groups and stations (drweb_index.go)
	groupIndex   *drwebGroupIndex
	stationIndex *drwebStationIndex
	generated    int // ids add.ds has generated
	nameLimit    int // names are stored trimmed and cut to this many characters (0: as sent)
	// refuseComponents: info.ds refuses components=yes
	refuseComponents bool
	stationsMade     bool // the stations a seed leaves out have been made up
	stationsHostile  DrWebStationsHostility
	// onWrite: groups written concurrently with an add.ds or change.ds
	onWrite func(path string, written DrWebGroup) []DrWebGroup
	// onStationChange: stations changed concurrently with a stations/change.ds
	onStationChange func(query url.Values, stations []DrWebStation)
}

// New starts an emulator on a free 127.0.0.1 port, serving seed.
func New(seed Seed) *Server {
	s := &Server{seed: seed, tokens: map[string]time.Time{}}
	s.Server = httptest.NewServer(s)
	return s
}

// NewTLS starts an emulator that serves HTTPS with a certificate of its own
// (Certificate() gives it), like a Dr.Web server with a self-signed one.
func NewTLS(seed Seed) *Server {
	s := &Server{seed: seed, tokens: map[string]time.Time{}}
	s.Server = httptest.NewTLSServer(s)
	return s
}

// NewUnstarted returns an emulator that is not listening yet, for a command
// that chooses its own address.
func NewUnstarted(seed Seed) *Server {
	s := &Server{seed: seed, tokens: map[string]time.Time{}}
	s.Server = httptest.NewUnstartedServer(s)
	return s
}

// ServeHTTP records the request, applies latency and faults, then routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	s.mu.Lock()
	latency := s.latency
	fault := s.takeFault(r.URL.Path)
	idx := len(s.log)
	s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: string(body)})
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.log[idx].Status = rec.status
		s.mu.Unlock()
	}()

	if latency > 0 {
		sleep(r, latency)
	}
	switch {
	case fault == nil:
		s.route(rec, r, body)
	case fault.Late: // the client may be gone by now: the write lands all the same
		time.Sleep(fault.Delay)
		fault.Delay = 0
		fallthrough
	case fault.Lose: // carry it out, answer into the void, then fail as told
		s.route(&recorder{ResponseWriter: discard{header: http.Header{}}, status: http.StatusOK}, r, body)
		if fault.Status == 0 && fault.Errno == 0 && fault.AnswerID == "" {
			fault.Drop = true
		}
		s.serveFault(rec, r, fault)
	default:
		s.serveFault(rec, r, fault)
	}
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{ header http.Header }

func (d discard) Header() http.Header         { return d.header }
func (d discard) Write(p []byte) (int, error) { return len(p), nil }
func (d discard) WriteHeader(int)             {}

func (s *Server) route(rec *recorder, r *http.Request, body []byte) {
	switch {
	case r.URL.Path == "/o/oauth/token":
		s.opswatToken(rec, r, body)
	case r.URL.Path == "/o/api/v3/groups":
		s.opswatGroups(rec, r, body)
	case strings.HasSuffix(r.URL.Path, "/devices/action"):
		if v, ok := isOPSWATDeviceAction(r.URL.Path); ok {
			s.opswatDeviceAction(rec, r, body, v)
		} else {
			http.NotFound(rec, r)
		}
	case strings.HasPrefix(r.URL.Path, "/api/groups/"), strings.HasPrefix(r.URL.Path, "/api/stations/"):
		s.drwebGroups(rec, r)
	default:
		http.NotFound(rec, r)
	}
}

func sleep(r *http.Request, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

func (s *Server) takeFault(path string) *Fault {
	for i, f := range s.faults {
		if f.Path != "" && f.Path != path {
			continue
		}
		if f.After != "" && !slices.ContainsFunc(s.log, func(r Request) bool { return r.Path == f.After }) {
			continue
		}
		if f.Every > 1 {
			if f.seen++; f.seen%f.Every != 0 {
				continue
			}
		}
		c := *f
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
		}
		return &c
	}
	return nil
}

func (s *Server) serveFault(w *recorder, r *http.Request, f *Fault) {
	if f.Delay > 0 {
		sleep(r, f.Delay)
	}
	if f.Drop {
		w.status = 0
		if hj, ok := w.ResponseWriter.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Errno != 0 || f.AnswerID != "" {
		s.drwebFault(w, r, f)
		return
	}
	ct := f.ContentType
	if ct == "" {
		ct = "text/html; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, f.Body)
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// AddFault makes the emulator answer with f, for f.Times requests (or all).
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := f
	s.faults = append(s.faults, &c)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// Count returns how many requests arrived for path.
func (s *Server) Count(path string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

// ResetLog forgets the requests received so far.
func (s *Server) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// Summary is what the server received, a line per method and path, for
// people reading what a run cost.
func (s *Server) Summary() string {
	reqs := s.Requests()
	counts := map[string]int{}
	for _, r := range reqs {
		counts[r.Method+" "+r.Path]++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "requests received: %d\n", len(reqs))
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(&b, "  %4d  %s\n", counts[k], k)
	}
	return b.String()
}
