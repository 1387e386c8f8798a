package emulator

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func do(t *testing.T, req *http.Request) (int, http.Header, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func token(t *testing.T, s *Server) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/o/oauth/token", strings.NewReader("client_id=demo-client&client_secret=demo-secret&grant_type=client_credentials"))
	status, _, body := do(t, req)
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal([]byte(body), &tok); status != 200 || err != nil || tok.AccessToken == "" || tok.ExpiresIn != 43199 || tok.TokenType != "bearer" {
		t.Fatalf("token: %d %s", status, body)
	}
	return tok.AccessToken
}

func groups(t *testing.T, s *Server, tok, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/o/api/v3/groups?access_token="+url.QueryEscape(tok), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	status, _, out := do(t, req)
	return status, out
}

// The OPSWAT side answers as the vendor documents: limits, paging, search, sort, auth.
func TestOPSWATFollowsTheDocument(t *testing.T) {
	t.Parallel()
	s := New(DefaultSeed())
	defer s.Close()
	s.SetOPSWATGroups(GenerateOPSWATGroups(23))
	tok := token(t, s)

	count := func(body string) int {
		var g []map[string]any
		if err := json.Unmarshal([]byte(body), &g); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		return len(g)
	}
	for _, tc := range []struct {
		body   string
		status int
		n      int
	}{
		{``, 200, 10}, // documented defaults: limit 10, page 1
		{`{"limit":50}`, 200, 23},
		{`{"limit":10,"page":3}`, 200, 3},
		{`{"limit":10,"page":4}`, 413, 0}, // past the last page
		{`{"limit":51}`, 406, 0},
		{`{"limit":0}`, 406, 0},
		{`{"limit":5,"search":"GROUP-002"}`, 200, 4}, // case-insensitive keyword on the name
		{`{"sort":{"field":"size"}}`, 400, 0},
		{`{"limit":`, 400, 0},
	} {
		status, out := groups(t, s, tok, tc.body)
		if status != tc.status || (status == 200 && count(out) != tc.n) {
			t.Errorf("body %s: %d %s, want %d with %d groups", tc.body, status, out, tc.status, tc.n)
		}
	}
	_, out := groups(t, s, tok, `{"limit":2,"sort":{"field":"number_of_devices","order":"desc"}}`)
	if !strings.Contains(out, `"number_of_devices":22`) {
		t.Errorf("sort desc: %s", out)
	}
	if status, out := groups(t, s, "wrong", ``); status != 401 || !strings.Contains(out, "Your access_token is invalid or expired") {
		t.Errorf("bad token: %d %s", status, out)
	}
	s.ExpireTokens()
	if status, _ := groups(t, s, tok, ``); status != 401 {
		t.Errorf("expired token: %d", status)
	}
}

func TestOPSWATRateLimit(t *testing.T) {
	t.Parallel()
	s := New(DefaultSeed())
	defer s.Close()
	tok := token(t, s)
	s.SetRateLimit(2, time.Minute)
	for i, want := range []int{200, 200, 429} {
		if status, _ := groups(t, s, tok, ``); status != want {
			t.Errorf("request %d: %d, want %d", i+1, status, want)
		}
	}
	if s.Throttled() != 1 {
		t.Errorf("throttled %d", s.Throttled())
	}
}

func drweb(t *testing.T, s *Server, path, query string, auth bool) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path+"?"+query, nil)
	if auth {
		req.SetBasicAuth("admin", "demo-password")
	}
	return do(t, req)
}

func TestDrWebFollowsTheDocument(t *testing.T) {
	t.Parallel()
	s := New(DefaultSeed())
	defer s.Close()

	if status, _, _ := drweb(t, s, "/api/groups/info.ds", "id=123123123", false); status != 401 {
		t.Errorf("no credentials: %d", status)
	}
	status, h, body := drweb(t, s, "/api/groups/info.ds", "id=123123123&id="+EveryoneID+"&rights=yes&keys=yes", true)
	var doc struct {
		XMLName xml.Name
		Status  string `xml:"status,attr"`
		Groups  struct {
			Total  int `xml:"total,attr"`
			Groups []struct {
				ID string `xml:"id,attr"`
			} `xml:"group"`
		} `xml:"groups"`
	}
	if err := xml.Unmarshal([]byte(body), &doc); err != nil || status != 200 || doc.XMLName.Local != "drweb-avdesk-api" || doc.Status != "true" || doc.Groups.Total != 2 {
		t.Fatalf("XML by default: %d %v %s", status, err, body)
	}
	if h.Get("X-Drweb-Api-Version") == "" {
		t.Error("no x-drweb-api-version header")
	}
	// Without rights=yes and keys=yes the elements are empty.
	_, _, body = drweb(t, s, "/api/groups/info.ds", "id=123123123", true)
	if strings.Contains(body, "<right ") || strings.Contains(body, "<key ") {
		t.Errorf("rights or keys without asking: %s", body)
	}
	_, _, body = drweb(t, s, "/api/groups/info.ds", "id=123123123&id=nope&format=json", true)
	if !strings.Contains(body, `"status":false`) || !strings.Contains(body, `"message":"Group nope not found"`) {
		t.Errorf("one unknown id fails the whole answer: %s", body)
	}
	_, _, body = drweb(t, s, "/api/groups/list.ds", "parent-group=8f1c2a10-0001-4e11-9a01-000000000001&format=json", true)
	if !strings.Contains(body, `"name":"Berlin"`) || !strings.Contains(body, `"name":"Moscow"`) || strings.Contains(body, "Workstations") {
		t.Errorf("list.ds children: %s", body)
	}
	if err := s.SetDrWebServerLine(DrWebESS1301); err != nil {
		t.Fatal(err)
	}
	s.SetDrWebXMLOnly(true)
	_, _, body = drweb(t, s, "/api/groups/list.ds", "format=json", true)
	if !strings.HasPrefix(body, "<?xml") || !strings.Contains(body, "<drweb-es-api") {
		t.Errorf("XML-only ESS server: %s", body)
	}
	_, _, body = drweb(t, s, "/api/groups/info.ds", "id=nope", true)
	if !strings.Contains(body, `status="false"><error><errno>8</errno><message>Group nope not found</message></error>`) {
		t.Errorf("XML error: %s", body)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := New(DefaultSeed())
	defer s.Close()
	s.AddFault(Fault{Path: "/api/groups/list.ds", Times: 1, Status: 503, RetryAfter: "2", Body: "<html>busy</html>"})
	status, h, body := drweb(t, s, "/api/groups/list.ds", "", true)
	if status != 503 || h.Get("Retry-After") != "2" || body != "<html>busy</html>" {
		t.Errorf("fault: %d %v %s", status, h, body)
	}
	if status, _, _ := drweb(t, s, "/api/groups/list.ds", "", true); status != 200 {
		t.Errorf("a fault for one request hit two: %d", status)
	}
	s.AddFault(Fault{Drop: true, Times: 1})
	// Without keep-alive, so that the transport does not quietly retry on a new connection.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Get(s.URL + "/api/groups/list.ds"); err == nil {
		_ = resp.Body.Close()
		t.Error("a dropped connection answered")
	}
	if n := s.Count("/api/groups/list.ds"); n != 3 {
		t.Errorf("request log counted %d", n)
	}
}

func drwebGet(t *testing.T, s *Server, pathAndQuery string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+pathAndQuery, nil)
	req.SetBasicAuth("admin", "demo-password")
	status, _, body := do(t, req)
	if status != 200 {
		t.Fatalf("%s: %d %s", pathAndQuery, status, body)
	}
	return body
}

// stations-list.ds answers like the vendor's example: stations total counts
// the page's rows, pages total the pages; change.ds ignores delete-group for
// a station's primary group; states.ds leaves all out on AV-Desk.
func TestDrWebStations(t *testing.T) {
	t.Parallel()
	s := New(DefaultSeed())
	defer s.Close()
	const berlin, linux, build = "8f1c2a10-0002-4e11-9a01-000000000002", "8f1c2a10-0007-4e11-9a01-000000000007", "5f0c9e1a-0001-4c55-8e21-00000000a001"
	body := drwebGet(t, s, "/api/groups/stations-list.ds?id="+berlin+"&per-page=2&page=13")
	if !strings.Contains(body, `<stations total="1">`) || !strings.Contains(body, `<pages total="13" current="13" objects-per-page="2">`) {
		t.Errorf("the last page of 25 stations at 2 a page: %s", body)
	}
	var page struct {
		Stations struct {
			Station []struct {
				ID string `xml:"id,attr"`
			} `xml:"station"`
		} `xml:"stations"`
	}
	if err := xml.Unmarshal([]byte(drwebGet(t, s, "/api/groups/stations_list.ds?id="+berlin)), &page); err != nil || len(page.Stations.Station) != 25 || page.Stations.Station[0].ID != build {
		t.Errorf("Berlin's stations (the script name with _): %v %+v", err, page)
	}
	drwebGet(t, s, "/api/stations/change.ds?id="+build+"&delete-group="+linux)  // its primary group: ignored
	drwebGet(t, s, "/api/stations/change.ds?id="+build+"&delete-group="+berlin) // another group: taken out
	if in := s.DrWebStationsIn(linux); !slices.Contains(in, build) {
		t.Errorf("delete-group took the station out of its primary group")
	}
	if in := s.DrWebStationsIn(berlin); slices.Contains(in, build) || len(in) != 24 {
		t.Errorf("delete-group left the station in Berlin: %d stations", len(in))
	}
	if body := drwebGet(t, s, "/api/stations/change.ds?id=nope&add-group="+berlin); !strings.Contains(body, `status="false"`) {
		t.Errorf("an unknown station: %s", body)
	}
	if body := drwebGet(t, s, "/api/stations/states.ds?group-id="+berlin); strings.Contains(body, "<all ") || !strings.Contains(body, "<online total=") {
		t.Errorf("AV-Desk states: %s", body)
	}
	if err := s.SetDrWebServerLine(DrWebESS1301); err != nil {
		t.Fatal(err)
	}
	if body := drwebGet(t, s, "/api/stations/states.ds?group-id="+berlin); !strings.Contains(body, `<all total="24">`) {
		t.Errorf("ESS states: %s", body)
	}
}

// A fault with Every hits every Every-th request for its path, and no other.
func TestFaultEvery(t *testing.T) {
	t.Parallel()
	s := New(DefaultSeed())
	t.Cleanup(s.Close)
	s.AddFault(Fault{Path: "/api/groups/list.ds", Every: 3, Status: 503})
	var got []int
	for range 7 {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/groups/list.ds", nil)
		req.SetBasicAuth("admin", "demo-password")
		status, _, _ := do(t, req)
		got = append(got, status)
	}
	if want := []int{200, 200, 503, 200, 200, 503, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
}

// The hostile station listings answer as told; a station marked deleted is
// changed by change.ds and listed nowhere.
func TestDrWebStationsHostility(t *testing.T) {
	t.Parallel()
	s := New(DefaultSeed())
	t.Cleanup(s.Close)
	const berlin = "8f1c2a10-0002-4e11-9a01-000000000002"
	s.SetDrWebStationsHostility(DrWebStationsHostility{PagesTotal: "lots", PerPage: 3, Counts: map[string]string{"online": "3.5"}})
	body := drwebGet(t, s, "/api/groups/stations-list.ds?id="+berlin+"&per-page=2&page=1")
	if !strings.Contains(body, `<pages total="lots" current="1" objects-per-page="2">`) || strings.Count(body, "<station ") != 3 {
		t.Errorf("hostile page:\n%s", body)
	}
	if body := drwebGet(t, s, "/api/stations/states.ds?group-id="+berlin); !strings.Contains(body, `<online total="3.5">`) {
		t.Errorf("states:\n%s", body)
	}
	s.SetDrWebStationsHostility(DrWebStationsHostility{RepeatFirst: true, EmptyPage: 3})
	first := drwebGet(t, s, "/api/groups/stations-list.ds?id="+berlin+"&per-page=5&page=1")
	second := drwebGet(t, s, "/api/groups/stations-list.ds?id="+berlin+"&per-page=5&page=2")
	if strings.ReplaceAll(second, `current="2"`, `current="1"`) != first {
		t.Errorf("page 2 is not page 1 again:\n%s\n%s", first, second)
	}
	if third := drwebGet(t, s, "/api/groups/stations-list.ds?id="+berlin+"&per-page=5&page=3"); strings.Contains(third, "<station ") {
		t.Errorf("page 3 is not empty:\n%s", third)
	}
	st := s.DrWebStationsIn(berlin)[2]
	s.UpdateDrWebStation(st, func(d *DrWebStation) { d.Deleted = true })
	const linux = "8f1c2a10-0007-4e11-9a01-000000000007"
	if body := drwebGet(t, s, "/api/stations/change.ds?id="+st+"&add-group="+linux); !strings.Contains(body, `status="true"`) {
		t.Errorf("change.ds of a deleted station:\n%s", body)
	}
	if slices.Contains(s.DrWebStationsIn(linux), st) {
		t.Error("a deleted station is listed")
	}
	i := slices.IndexFunc(s.DrWebStations(), func(d DrWebStation) bool { return d.ID == st })
	if !slices.Contains(s.DrWebStations()[i].Groups, linux) {
		t.Error("the deleted station was not added")
	}
}
