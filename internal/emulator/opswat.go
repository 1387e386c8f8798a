package emulator

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// OPSWATSeed is the OPSWAT side of a seed.
type OPSWATSeed struct {
	ClientID      string        `json:"client_id"`
	ClientSecret  string        `json:"client_secret"`
	TokenLifetime int           `json:"token_lifetime_seconds"`
	Tokens        []string      `json:"tokens,omitempty"` // ready access tokens that never expire
	Groups        []OPSWATGroup `json:"groups"`
	// Devices are what the device action assigns (opswat_devices.go).
	Devices []OPSWATDevice `json:"devices,omitempty"`
}

// OPSWATGroup is a group as the v3 groups API returns it.
type OPSWATGroup struct {
	GroupID         string `json:"group_id"`
	GroupName       string `json:"group_name"`
	DomainName      string `json:"domain_name"`
	AutoJoin        bool   `json:"auto_join"`
	PolicyID        string `json:"policy_id"`
	PolicyName      string `json:"policy_name"`
	NumberOfDevices int    `json:"number_of_devices"`
	Description     string `json:"description"`
	CreatedDate     string `json:"created_date"`
	LastModified    string `json:"last_modified"`
}

// OPSWATTimeLayout is how the API writes times (GMT).
const OPSWATTimeLayout = "Jan 02, 2006 03:04:05 PM"

// GenerateOPSWATGroups returns n groups named "group-0001" … for paging tests
// and benchmarks.
func GenerateOPSWATGroups(n int) []OPSWATGroup {
	out := make([]OPSWATGroup, n)
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		t := base.Add(time.Duration(i) * time.Hour)
		out[i] = OPSWATGroup{
			GroupID: strconv.Itoa(500000000 + i), GroupName: fmt.Sprintf("group-%04d", i+1),
			PolicyID: strconv.Itoa(35000000 + i%7), PolicyName: fmt.Sprintf("Policy %d", i%7),
			NumberOfDevices: i % 113, Description: fmt.Sprintf("Generated group %d", i+1),
			AutoJoin: i%3 == 0, CreatedDate: t.Format(OPSWATTimeLayout), LastModified: t.Add(time.Minute).Format(OPSWATTimeLayout),
		}
	}
	return out
}

// SetOPSWATGroups replaces the OPSWAT groups.
func (s *Server) SetOPSWATGroups(groups []OPSWATGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seed.OPSWAT.Groups = slices.Clone(groups)
}

// ExpireTokens makes every token issued so far invalid, as if it had expired.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// IssuedTokens returns how many tokens the token endpoint has issued.
func (s *Server) IssuedTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenCount
}

// IssuedTokenValues returns the access tokens the token endpoint has issued.
func (s *Server) IssuedTokenValues() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.tokens))
	for tok := range s.tokens {
		out = append(out, tok)
	}
	return out
}

// SetRateLimit makes the groups API answer 429 (with Retry-After) to any
// request beyond n in a sliding window; n = 0 turns the limit off.
func (s *Server) SetRateLimit(n int, window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateN, s.rateWindow, s.rateHits = n, window, nil
}

// RateLimitStyle is how the emulated API answers a request over its limit.
type RateLimitStyle int

const (
	// RateLimitRetryAfter sends Retry-After beside the documented X-RateLimit-* headers.
	RateLimitRetryAfter RateLimitStyle = iota
	// RateLimitHeadersOnly sends only what the API family documents:
	// X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset-Time.
	RateLimitHeadersOnly
)

// SetRateLimitStyle chooses the headers of a 429.
func (s *Server) SetRateLimitStyle(style RateLimitStyle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateStyle = style
}

// RateLimitReset is how the emulated API reads X-RateLimit-Reset-Time,
// which the API documents as "seconds until the window resets" without
// saying what that means for a sliding window: each reading a real server
// may take.
type RateLimitReset int

const (
	// ResetWholeWindow: a sliding window; Reset-Time runs until the whole
	// window is free (the newest request leaves it).
	ResetWholeWindow RateLimitReset = iota
	// ResetFirstPlace: a sliding window; Reset-Time runs until one place
	// frees (the oldest request leaves it).
	ResetFirstPlace
	// ResetFixedMinute: fixed windows (a minute from the clock's minute
	// for the emulator's minute limit); Reset-Time runs until the current
	// one ends, and the budget is whole again then.
	ResetFixedMinute
)

// ParseRateLimitReset reads a RateLimitReset's name: "window", "place" or "fixed".
func ParseRateLimitReset(name string) (RateLimitReset, error) {
	switch name {
	case "", "window":
		return ResetWholeWindow, nil
	case "place":
		return ResetFirstPlace, nil
	case "fixed":
		return ResetFixedMinute, nil
	}
	return 0, fmt.Errorf("unknown reading %q of X-RateLimit-Reset-Time: use window, place or fixed", name)
}

// SetRateLimitReset chooses how the limit's window and X-RateLimit-Reset-Time read.
func (s *Server) SetRateLimitReset(reading RateLimitReset) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateReset = reading
}

// SpendRateLimit spends n requests of the account's budget, as another
// integration of the same account would.
func (s *Server) SpendRateLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.rateHits = append(s.rateHits, time.Now())
	}
}

// SearchMode is how the emulated API's undocumented search matches.
type SearchMode string

// The search behaviours a test can choose.
const (
	SearchSubstring SearchMode = ""       // case-insensitive substring of the group or policy name
	SearchPrefix    SearchMode = "prefix" // case-insensitive prefix
	SearchWords     SearchMode = "words"  // any one whole word of the keyword, case-insensitive
	SearchNever     SearchMode = "never"  // matches nothing
)

// SetSearchMode chooses how search matches.
func (s *Server) SetSearchMode(m SearchMode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.searchMode = m
}

// SetEmptyPagePastEnd makes a page past the last answer 200 with [] instead
// of 413, as the API did before a fix its change log mentions.
func (s *Server) SetEmptyPagePastEnd(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emptyPastEnd = on
}

func searchMatches(mode SearchMode, q, text string) bool {
	q, text = strings.ToLower(q), strings.ToLower(text)
	switch mode {
	case SearchPrefix:
		return strings.HasPrefix(text, q)
	case SearchWords:
		words := strings.Fields(text)
		for _, w := range strings.Fields(q) {
			if slices.Contains(words, w) {
				return true
			}
		}
		return false
	case SearchNever:
		return false
	}
	return strings.Contains(text, q)
}

// Throttled returns how many requests got a 429 from the rate limit.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func opswatError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": status, "message": msg}})
}

func (s *Server) opswatToken(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Method != http.MethodPost {
		opswatError(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if form.Get("client_id") != s.seed.OPSWAT.ClientID || form.Get("client_secret") != s.seed.OPSWAT.ClientSecret || s.seed.OPSWAT.ClientID == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client", "error_description": "Bad client credentials"})
		return
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	life := cmp.Or(s.seed.OPSWAT.TokenLifetime, 43199)
	s.tokens[tok] = time.Now().Add(time.Duration(life) * time.Second)
	s.tokenCount++
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "bearer", "expires_in": life, "scope": "read", "client_id": s.seed.OPSWAT.ClientID,
	})
}

func (s *Server) validToken(tok string) bool {
	if tok == "" {
		return false
	}
	if slices.Contains(s.seed.OPSWAT.Tokens, tok) {
		return true
	}
	exp, ok := s.tokens[tok]
	return ok && time.Now().Before(exp)
}

var opswatSortFields = map[string]func(a, b OPSWATGroup) int{
	"group_name": func(a, b OPSWATGroup) int {
		return cmp.Compare(strings.ToLower(a.GroupName), strings.ToLower(b.GroupName))
	},
	"domain_name": func(a, b OPSWATGroup) int {
		return cmp.Compare(strings.ToLower(a.DomainName), strings.ToLower(b.DomainName))
	},
	"policy_name": func(a, b OPSWATGroup) int {
		return cmp.Compare(strings.ToLower(a.PolicyName), strings.ToLower(b.PolicyName))
	},
	"number_of_devices": func(a, b OPSWATGroup) int { return cmp.Compare(a.NumberOfDevices, b.NumberOfDevices) },
	"last_update": func(a, b OPSWATGroup) int {
		ta, _ := time.Parse(OPSWATTimeLayout, a.LastModified)
		tb, _ := time.Parse(OPSWATTimeLayout, b.LastModified)
		return ta.Compare(tb)
	},
}

func (s *Server) opswatGroups(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Method != http.MethodPost {
		opswatError(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	s.mu.Lock()
	if !s.opswatRateLimitLocked(w) {
		return
	}
	valid := s.validToken(r.URL.Query().Get("access_token"))
	groups := slices.Clone(s.seed.OPSWAT.Groups)
	searchMode, emptyPastEnd := s.searchMode, s.emptyPastEnd
	s.mu.Unlock()

	if !valid {
		opswatError(w, http.StatusUnauthorized, "Your access_token is invalid or expired")
		return
	}
	var req struct {
		Limit  *int   `json:"limit"`
		Page   *int   `json:"page"`
		Search string `json:"search"`
		Sort   struct {
			Field string `json:"field"`
			Order string `json:"order"`
		} `json:"sort"`
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			opswatError(w, http.StatusBadRequest, "The JSON body is invalid")
			return
		}
	}
	limit, page := 10, 1
	if req.Limit != nil {
		limit = *req.Limit
	}
	if req.Page != nil {
		page = *req.Page
	}
	if limit < 1 || limit > 50 {
		opswatError(w, http.StatusNotAcceptable, "Too many items to return")
		return
	}
	if page < 1 {
		opswatError(w, http.StatusBadRequest, "page must be 1 or more")
		return
	}
	field, order := cmp.Or(req.Sort.Field, "group_name"), cmp.Or(req.Sort.Order, "asc")
	less, ok := opswatSortFields[field]
	if !ok || (order != "asc" && order != "desc") {
		opswatError(w, http.StatusBadRequest, "Invalid sort")
		return
	}
	if req.Search != "" {
		groups = slices.DeleteFunc(groups, func(g OPSWATGroup) bool {
			return !searchMatches(searchMode, req.Search, g.GroupName) && !searchMatches(searchMode, req.Search, g.PolicyName)
		})
	}
	slices.SortStableFunc(groups, func(a, b OPSWATGroup) int {
		c := less(a, b)
		if order == "desc" {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.GroupID, b.GroupID))
	})
	start := (page - 1) * limit
	if start >= len(groups) && page > 1 && !emptyPastEnd {
		opswatError(w, http.StatusRequestEntityTooLarge, "Requested page number is too large, no groups will be returned")
		return
	}
	end := min(start+limit, len(groups))
	writeJSON(w, http.StatusOK, groups[min(start, end):end])
}

// opswatRateLimitLocked spends one request of the account's budget, under
// s.mu, with the documented headers on every answer of a limited account.
// Over the limit it answers 429, releases s.mu and reports false.
func (s *Server) opswatRateLimitLocked(w http.ResponseWriter) bool {
	if s.rateN > 0 {
		now := time.Now()
		kept := s.rateHits[:0]
		for _, t := range s.rateHits {
			in := now.Sub(t) < s.rateWindow
			if s.rateReset == ResetFixedMinute {
				in = t.Truncate(s.rateWindow).Equal(now.Truncate(s.rateWindow))
			}
			if in {
				kept = append(kept, t)
			}
		}
		s.rateHits = kept
		// The documented headers, on every answer of a limited account,
		// Reset-Time read as the server is set to.
		resetHeader := func() {
			reset := time.Duration(0)
			switch {
			case s.rateReset == ResetFixedMinute:
				reset = now.Truncate(s.rateWindow).Add(s.rateWindow).Sub(now)
			case len(s.rateHits) == 0:
			case s.rateReset == ResetFirstPlace:
				reset = s.rateWindow - now.Sub(s.rateHits[0])
			default:
				reset = s.rateWindow - now.Sub(s.rateHits[len(s.rateHits)-1])
			}
			w.Header().Set("X-RateLimit-Reset-Time", strconv.FormatFloat(math.Ceil(max(reset, 0).Seconds()*10)/10, 'f', 1, 64))
		}
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(s.rateN))
		if len(s.rateHits) >= s.rateN {
			reset := s.rateWindow - now.Sub(s.rateHits[0]) // the first place frees
			if s.rateReset == ResetFixedMinute {
				reset = now.Truncate(s.rateWindow).Add(s.rateWindow).Sub(now)
			}
			resetHeader()
			s.throttled++
			retryAfter := s.rateStyle != RateLimitHeadersOnly
			s.mu.Unlock()
			w.Header().Set("X-RateLimit-Remaining", "0")
			if retryAfter {
				w.Header().Set("Retry-After", strconv.Itoa(int(reset.Seconds())+1))
			}
			opswatError(w, http.StatusTooManyRequests, "The request exceeds the API rate limit")
			return false
		}
		s.rateHits = append(s.rateHits, now)
		resetHeader()
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(s.rateN-len(s.rateHits)))
	}
	return true
}
