package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

const groupsPath = "/o/api/v3/groups"

// faultConfig reads one OPSWAT group and one Dr.Web group with the given
// retry budget and timeout.
func faultConfig(srv *emulator.Server, retries int, timeout string) string {
	return providerBlockWith(srv, providerSettings{maxRetries: retries, requestTimeout: timeout, requestsPerMinute: 1000}) + fmt.Sprintf(`
data "endpointgroups_opswat_group" "x" {
  name = "Kiosks"
}
data "endpointgroups_drweb_group" "x" {
  id = %q
}
`, idLinux)
}

// statusesOf lists the statuses the emulator answered on path, in order.
func statusesOf(srv *emulator.Server, path string) []int {
	var out []int
	for _, r := range srv.Requests() {
		if r.Path == path {
			out = append(out, r.Status)
		}
	}
	return out
}

// A fault that passes within the retry budget costs a retry, not the plan.
func TestAccFaults_recover(t *testing.T) {
	for name, tc := range map[string]struct {
		fault emulator.Fault
		first []int // what the first requests got
	}{
		"429 with Retry-After":        {emulator.Fault{Status: 429, RetryAfter: "1", ContentType: "application/json", Body: `{"error":"Too many requests"}`, Times: 1}, []int{429, 200}},
		"burst of 502":                {emulator.Fault{Status: 502, Times: 3}, []int{502, 502, 502, 200}},
		"burst of 503":                {emulator.Fault{Status: 503, Times: 3}, []int{503, 503, 503, 200}},
		"burst of 504":                {emulator.Fault{Status: 504, Times: 3}, []int{504, 504, 504, 200}},
		"HTML 502 from a proxy":       {emulator.Fault{Status: 502, Body: "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>", Times: 2}, []int{502, 502, 200}},
		"reset connections":           {emulator.Fault{Drop: true, Times: 2}, []int{0, 0, 200}},
		"slower than request_timeout": {emulator.Fault{Delay: 3 * time.Second, Status: 200, Times: 1}, []int{200, 200}},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startEmulator(t)
			for _, path := range []string{groupsPath, "/api/groups/info.ds"} {
				f := tc.fault
				f.Path = path
				srv.AddFault(f)
			}
			accTest(t, resource.TestStep{
				Config: faultConfig(srv, 3, "1s"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.endpointgroups_opswat_group.x", tfjsonpath.New("id"), knownvalue.StringExact("301122004")),
					statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.x", tfjsonpath.New("name"), knownvalue.StringExact("Linux")),
				},
				Check: func(*terraform.State) error {
					for _, path := range []string{groupsPath, "/api/groups/info.ds"} {
						got := statusesOf(srv, path)
						if len(got) < len(tc.first) || fmt.Sprint(got[:len(tc.first)]) != fmt.Sprint(tc.first) {
							return fmt.Errorf("%s answered %v, want it to start with %v", path, got, tc.first)
						}
					}
					return nil
				},
			})
		})
	}
}

// A fault that outlasts the retry budget fails the plan with the status (and
// what the server said), never a decoder message or a hang.
func TestAccFaults_giveUp(t *testing.T) {
	for name, tc := range map[string]struct {
		fault emulator.Fault
		want  string
	}{
		"429": {emulator.Fault{Status: 429, ContentType: "application/json", Body: `{"error":"Too many requests"}`}, `HTTP 429 Too Many Requests: Too many requests (still failing after 1 retries)`},
		// A 429 that says how long to wait is waited out outside the retry budget, ten windows at most.
		"429 with Retry-After": {emulator.Fault{Status: 429, RetryAfter: "0", ContentType: "application/json", Body: `{"error":"Too many requests"}`},
			`HTTP 429 Too Many Requests: Too many requests; still rate limited after waiting out 10 windows (0s in all)`},
		"503":      {emulator.Fault{Status: 503, Body: "Service Unavailable"}, `HTTP 503 Service Unavailable; the body starts with "Service Unavailable" (still failing after 1 retries)`},
		"HTML 502": {emulator.Fault{Status: 502, Body: "<html><body><h1>502 Bad Gateway</h1></body></html>"}, `HTTP 502 Bad Gateway; the body starts with "<html><body><h1>502 Bad Gateway</h1></body></html>" (still failing after 1 retries)`},
		"reset":    {emulator.Fault{Drop: true}, `the server closed the connection without an answer (EOF) (still failing after 1 retries)`},
		"slow":     {emulator.Fault{Delay: 5 * time.Second, Status: 200}, `no answer within the request timeout of 1s (still failing after 1 retries)`},
		"500":      {emulator.Fault{Status: 500, ContentType: "application/json", Body: `{"error":{"code":500,"message":"Internal failure"}}`}, `HTTP 500 Internal Server Error: error 500: Internal failure`},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startEmulator(t)
			tc.fault.Path = groupsPath
			srv.AddFault(tc.fault)
			accTest(t, resource.TestStep{
				Config:      faultConfig(srv, 1, "1s"),
				ExpectError: errorRe(`OPSWAT API: POST ` + srv.URL + `/o/api/v3/groups?access_token=REDACTED: ` + tc.want),
			})
			attempts := len(statusesOf(srv, groupsPath))
			if name == "429 with Retry-After" {
				if attempts != 11 {
					t.Errorf("%d attempts, want 11 (10 rate-limit windows)", attempts)
				}
				return
			}
			if want := 2; name != "500" && attempts != want {
				t.Errorf("%d attempts, want %d (1 retry)", attempts, want)
			}
			if name == "500" && attempts != 1 {
				t.Errorf("a 500 was retried: %d attempts", attempts)
			}
		})
	}
}

// Bodies that are not what the API documents give clear errors, not panics.
func TestAccFaults_badBodies(t *testing.T) {
	big := "[" + strings.Repeat(`{"group_id":"1","group_name":"padding padding padding padding"},`, 600000) + `{}]`
	for name, tc := range map[string]struct {
		path string
		body string
		ct   string
		want string
	}{
		"malformed JSON":    {groupsPath, `[{"group_id": "1", "group_name": }]`, "application/json", `HTTP 200 OK: the JSON body does not match the documented format: invalid character '}' looking for beginning of value`},
		"truncated JSON":    {groupsPath, `[{"group_id": "1", "group_na`, "application/json", `the JSON body does not match the documented format: unexpected end of JSON input`},
		"empty body":        {groupsPath, ``, "application/json", `HTTP 200 OK: expected a JSON body, got an empty body (Content-Type application/json)`},
		"wrong shape":       {groupsPath, `{"groups": []}`, "application/json", `the JSON body does not match the documented format: json: cannot unmarshal object into Go value of type []opswat.apiGroup`},
		"oversized":         {groupsPath, big, "application/json", `the response body is larger than 33554432 bytes, more than this API ever sends`},
		"truncated XML":     {"/api/groups/info.ds", `<drweb-avdesk-api status="true"><groups><group id="x"`, "text/xml", `the XML body does not match the documented format: XML syntax error on line 1: unexpected EOF`},
		"Dr.Web plain text": {"/api/groups/info.ds", `Internal Server Error`, "text/plain", `expected a JSON or XML body, got a body that is neither JSON nor XML (Content-Type text/plain); the body starts with "Internal Server Error"`},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startEmulator(t)
			srv.AddFault(emulator.Fault{Path: tc.path, Status: 200, ContentType: tc.ct, Body: tc.body})
			accTest(t, resource.TestStep{
				Config:      faultConfig(srv, 0, "30s"),
				ExpectError: errorRe(tc.want),
			})
		})
	}
}

// The client goes by what a body is, not by its label: JSON labelled as
// HTML, or XML labelled as JSON, still reads.
func TestAccFaults_mislabelledBodies(t *testing.T) {
	srv := startEmulator(t)
	srv.SetDrWebXMLOnly(true)
	srv.AddFault(emulator.Fault{Path: groupsPath, Status: 200, ContentType: "text/html", Body: seedGroupsJSON(t)})
	accTest(t, resource.TestStep{
		Config: faultConfig(srv, 0, "30s"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_opswat_group.x", tfjsonpath.New("number_of_devices"), knownvalue.Int64Exact(8)),
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.x", tfjsonpath.New("stations"), knownvalue.Int64Exact(12)),
		},
	})
}

// seedGroupsJSON is the groups answer of the default seed, as the API sends it.
func seedGroupsJSON(t *testing.T) string {
	t.Helper()
	b, err := json.Marshal(emulator.DefaultSeed().OPSWAT.Groups)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Each read that waited gets its own warning, saying for whose requests:
// the plural data source walked (its own requests), the lookup by name
// shared that walk (none of its own). The numbers add up: the pacing was
// counting as many requests as requests_per_minute lets go. (Terraform
// folds warnings of one summary together in its text output, so the
// plan's JSON diagnostics are read.)
func TestAccPacingWarnsEachRead(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(120))
	srv.SetRateLimit(2, time.Minute)
	dir := workdir(t, fmt.Sprintf(`
provider "endpointgroups" {
  opswat {
    base_url            = %q
    client_id           = "demo-client"
    client_secret       = "demo-secret"
    requests_per_minute = 2
  }
}
data "endpointgroups_opswat_groups" "all" {}
data "endpointgroups_opswat_group" "last" {
  name = "group-0120"
}
`, srv.URL))
	out, err := c.run(dir, nil, "plan", "-json", "-input=false")
	if err != nil {
		t.Fatalf("terraform plan: %v\n%s", err, out)
	}
	details := map[string]string{}
	for line := range strings.Lines(out) {
		var m struct {
			Type       string
			Diagnostic struct{ Summary, Detail, Address string }
		}
		if json.Unmarshal([]byte(line), &m) == nil && m.Type == "diagnostic" && m.Diagnostic.Summary == "OPSWAT Read Waited for the Rate Limit" {
			if _, dup := details[m.Diagnostic.Address]; dup {
				t.Errorf("two warnings for %s", m.Diagnostic.Address)
			}
			details[m.Diagnostic.Address] = strings.Join(strings.Fields(m.Diagnostic.Detail), " ")
		}
	}
	all, last := details["data.endpointgroups_opswat_groups.all"], details["data.endpointgroups_opswat_group.last"]
	// What the pacing counted when its last wait began depends on how the
	// waits fell (the API's X-RateLimit-Remaining books nothing while it
	// says there is room): one or two, never more than the limit.
	if !strings.Contains(all, "It waited for its own ") || !regexp.MustCompile(`and when its last wait began it was counting [12] `).MatchString(all) {
		t.Errorf("the plural's warning: %q", all)
	}
	if !strings.Contains(last, "It sent no request of its own: it waited for the result of ") {
		t.Errorf("the lookup's warning: %q (all warnings: %q)", last, details)
	}
	for _, d := range details {
		if !strings.Contains(d, "The API says this account allows 2 requests a minute (X-RateLimit-Limit)") {
			t.Errorf("the warning does not give the account's limit: %q", d)
		}
	}
	if n := srv.Throttled(); n != 0 {
		t.Errorf("the API refused %d requests with 429", n)
	}
}

// With the API enforcing OPSWAT's kind of limit (a sliding window of a
// minute) and a walk that needs more requests than the window allows, the
// provider paces itself and the API never refuses a request. The walk needs
// three group requests against a limit of two, so the one `terraform plan`
// here waits out a minute (in parallel with the rest of the suite).
func TestAccPacing(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(120))
	srv.SetRateLimit(2, time.Minute)
	dir := workdir(t, fmt.Sprintf(`
provider "endpointgroups" {
  opswat {
    base_url            = %q
    client_id           = "demo-client"
    client_secret       = "demo-secret"
    requests_per_minute = 2
  }
}
data "endpointgroups_opswat_groups" "all" {}
data "endpointgroups_opswat_group" "last" {
  name = "group-0120"
}
output "count" {
  value = length(data.endpointgroups_opswat_groups.all.ids)
}
output "last" {
  value = data.endpointgroups_opswat_group.last.id
}
`, srv.URL))
	out, err := c.run(dir, nil, "plan", "-no-color", "-input=false")
	if err != nil {
		t.Fatalf("terraform plan: %v\n%s", err, out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{`count = 120`, `last = "500000119"`, "Warning: OPSWAT Read Waited for the Rate Limit",
		"on purpose, not because the API was slow", "opswat.requests_per_minute = 2 lets 2 requests be under way or answered less than a minute ago at any moment",
		"for an endpointgroups_opswat_groups data source without search", "The cheapest fix: give that data source a search",
		// The account's own limit, as the API states it, is the pace kept.
		"The API says this account allows 2 requests a minute (X-RateLimit-Limit), the pace the provider keeps"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the plan does not show %s:\n%s", want, out)
		}
	}
	if !strings.Contains(flat, "It waited for its own ") || !strings.Contains(flat, "and when its last wait began it was counting 2") {
		t.Errorf("the warning does not say whose requests the read waited for, and what the pacing counted:\n%s", out)
	}
	if n := srv.Count(groupsPath); n != 3 {
		t.Errorf("%d group requests, want 3 (one walk of 120 groups)", n)
	}
	if n := srv.Throttled(); n != 0 {
		t.Errorf("the API refused %d requests with 429", n)
	}
}
