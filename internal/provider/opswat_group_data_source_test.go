package provider

import (
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
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

var sampleOPSWATGroup = opswat.Group{
	ID: "167641719", Name: "Default", PolicyID: "35010615", PolicyName: "Policy Antivirus-critical", NumberOfDevices: 10,
	Description: "This is a default group", CreatedDate: "2017-06-12T01:49:39Z", LastModified: "2017-06-12T01:50:29Z",
}

func TestOPSWATGroupModelFromAPI(t *testing.T) {
	t.Parallel()
	m := opswatGroupModelFromAPI(sampleOPSWATGroup)
	if m.DomainName.IsNull() || m.DomainName.ValueString() != "" || m.Name.ValueString() != "Default" || m.NumberOfDevices.ValueInt64() != 10 || m.AutoJoin.ValueBool() {
		t.Fatalf("got %+v", m)
	}
	if m := opswatGroupModelFromAPI(opswat.Group{ID: "1", Name: "n", NumberOfDevices: 0, DevicesStale: true}); !m.NumberOfDevices.IsNull() {
		t.Errorf("a stale device count is %v, not null", m.NumberOfDevices)
	}
	if m := opswatGroupModelFromAPI(opswat.Group{ID: "1", Name: "n"}); !m.CreatedDate.IsNull() || !m.PolicyID.IsNull() || !m.PolicyName.IsNull() {
		t.Fatalf("empty references and times must be null: %+v", m)
	}
	if m := opswatGroupModelFromAPI(opswat.Group{ID: "1", Name: "n"}); m.Description.IsNull() || m.DomainName.IsNull() {
		t.Fatalf("empty free text must be \"\", not null: %+v", m)
	}
}

func TestAccOPSWATGroup_byName(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config: providerBlock(srv) + `
data "endpointgroups_opswat_group" "sf" {
  name = "San Francisco"
}
`,
		ConfigStateChecks: attrChecks("data.endpointgroups_opswat_group.sf", map[string]knownvalue.Check{
			"id":                knownvalue.StringExact("260854829"),
			"name":              knownvalue.StringExact("San Francisco"),
			"domain_name":       knownvalue.StringExact("your_domain.com"),
			"policy_id":         knownvalue.StringExact("33010675"),
			"policy_name":       knownvalue.StringExact("Policy Antivirus-critical"),
			"description":       knownvalue.StringExact("This is a group synchronized from an active directory"),
			"auto_join":         knownvalue.Bool(true),
			"number_of_devices": knownvalue.Int64Exact(100),
			"created_date":      knownvalue.StringExact("2017-07-17T07:56:22Z"),
			"last_modified":     knownvalue.StringExact("2017-08-04T07:01:33Z"),
		}),
	})
}

func TestAccOPSWATGroup_byID(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config: providerBlock(srv) + `
data "endpointgroups_opswat_group" "kiosks" {
  id = "301122004"
}
`,
		ConfigStateChecks: attrChecks("data.endpointgroups_opswat_group.kiosks", map[string]knownvalue.Check{
			"id":                knownvalue.StringExact("301122004"),
			"name":              knownvalue.StringExact("Kiosks"),
			"domain_name":       knownvalue.StringExact(""),
			"description":       knownvalue.StringExact(""),
			"policy_name":       knownvalue.StringExact("Policy Kiosk Lockdown"),
			"auto_join":         knownvalue.Bool(true),
			"number_of_devices": knownvalue.Int64Exact(8),
			"created_date":      knownvalue.StringExact("2020-05-30T18:45:12Z"),
			"last_modified":     knownvalue.StringExact("2025-11-02T10:10:10Z"),
		}),
	})
}

func TestAccOPSWATGroup_errors(t *testing.T) {
	srv := startEmulator(t)
	for name, tc := range map[string]struct{ body, want string }{
		"not found summary":              {`name = "FINANCE"`, `OPSWAT Group Not Found`},
		"not found, near misses in case": {`name = "FINANCE"`, `no OPSWAT group has name "FINANCE" (searched 8 groups); names match case-sensitively, and these differ only in case: "Finance", "finance".`},
		"unknown id":                     {`id = "42"`, `no OPSWAT group has id "42" (searched 8 groups)`},
		"ambiguous name":                 {`name = "Contractors"`, `Ambiguous OPSWAT Group Name`},
		"ambiguous ids":                  {`name = "Contractors"`, `2 OPSWAT groups are named "Contractors": "301122005" (no domain_name), "301122006" (domain_name "partners.example.com"). Look the group up by id instead`},
		"id and name":                    {"id = \"1\"\n  name = \"Default\"", `Invalid Attribute Combination`},
		"neither":                        {``, `Exactly one of these attributes must be configured: [id,name]`},
		"empty name":                     {`name = ""`, `Attribute name string length must be at least 1, got: 0`},
	} {
		t.Run(name, func(t *testing.T) {
			accTest(t, resource.TestStep{
				Config:      providerBlock(srv) + "data \"endpointgroups_opswat_group\" \"x\" {\n  " + tc.body + "\n}\n",
				ExpectError: errorRe(tc.want),
			})
		})
	}
}

func TestAccOPSWATGroup_tokenRejected(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "endpointgroups" {
  max_retries = 0
  opswat {
    base_url     = %q
    access_token = "expired-token-value"
  }
}
data "endpointgroups_opswat_group" "x" {
  name = "Default"
}
`, srv.URL),
		ExpectError: errorRe(`OPSWAT Access Token Rejected`),
	})
	for _, r := range srv.Requests() {
		if r.Status != 401 {
			t.Errorf("unexpected request %s %s: %d", r.Method, r.Path, r.Status)
		}
	}
}

func TestAccOPSWATGroup_badClientSecret(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "endpointgroups" {
  opswat {
    base_url      = %q
    client_id     = "demo-client"
    client_secret = "not-the-secret"
  }
}
data "endpointgroups_opswat_group" "x" {
  name = "Default"
}
`, srv.URL),
		ExpectError: errorRe(`OPSWAT Client Credentials Rejected`),
	})
}

// Without OPSWAT settings only the OPSWAT data sources fail, naming what to set.
func TestAccOPSWATGroup_notConfigured(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "endpointgroups" {
  drweb {
    url      = %q
    login    = "admin"
    password = "demo-password"
  }
}
data "endpointgroups_drweb_group" "ok" {
  name = "Linux"
}
data "endpointgroups_opswat_group" "x" {
  name = "Default"
}
`, srv.URL),
		ExpectError: errorRe(`This configuration reads OPSWAT MetaDefender IT Access groups, but the provider has no OPSWAT credentials. In the provider's opswat block set access_token (or the environment variable OPSWAT_ACCESS_TOKEN), or client_id and client_secret (or OPSWAT_CLIENT_ID and OPSWAT_CLIENT_SECRET).`),
	})
	if srv.Count("/api/groups/info.ds") == 0 {
		t.Error("the Dr.Web data source was not read")
	}
}

// Many lookups in one plan cost one walk of the group list per provider
// process: ceil(groups/50) group requests and one token request (at a rate
// limit below the read-ahead threshold, where the walk is sequential).
func TestAccOPSWATGroup_manyLookupsOneWalk(t *testing.T) {
	srv := startEmulator(t)
	srv.SetOPSWATGroups(emulator.GenerateOPSWATGroups(120))
	var cfg strings.Builder
	cfg.WriteString(providerBlockWith(srv, providerSettings{maxRetries: 2, requestsPerMinute: 100}))
	for i := 1; i <= 30; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&cfg, "data \"endpointgroups_opswat_group\" \"n%d\" {\n  name = \"group-%04d\"\n}\n", i, i*4)
		} else {
			fmt.Fprintf(&cfg, "data \"endpointgroups_opswat_group\" \"i%d\" {\n  id = \"%d\"\n}\n", i, 500000000+i*3)
		}
	}
	cfg.WriteString("data \"endpointgroups_opswat_groups\" \"all\" {}\n")
	accTest(t, resource.TestStep{
		Config: cfg.String(),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_opswat_group.n30", tfjsonpath.New("id"), knownvalue.StringExact("500000119")),
			statecheck.ExpectKnownValue("data.endpointgroups_opswat_groups.all", tfjsonpath.New("ids"), knownvalue.ListSizeExact(120)),
		},
		Check: func(*terraform.State) error {
			// Each provider process fetches its own token: group requests per
			// token are the requests of one process.
			perToken := map[string]int{}
			for _, r := range srv.Requests() {
				if r.Path == "/o/api/v3/groups" {
					perToken[r.Query.Get("access_token")]++
				}
			}
			if len(perToken) == 0 || len(perToken) != srv.IssuedTokens() {
				return fmt.Errorf("%d tokens issued, %d used", srv.IssuedTokens(), len(perToken))
			}
			for tok, n := range perToken {
				if n != 3 {
					return fmt.Errorf("one provider process made %d group requests for 31 data sources over 120 groups, want ceil(120/50) = 3 (token %s…)", n, tok[:6])
				}
			}
			return nil
		},
	})
}

// The access token travels in the URL: it must not reach an error message.
func TestAccOPSWATGroup_tokenNotInErrors(t *testing.T) {
	srv := startEmulator(t)
	seed := emulator.DefaultSeed()
	seed.OPSWAT.Tokens = []string{"fixed-token-abcdef"}
	srv.Close()
	srv = emulator.New(seed)
	t.Cleanup(srv.Close)
	srv.AddFault(emulator.Fault{Path: "/o/api/v3/groups", Status: 400, ContentType: "application/json", Body: `{"error":"bad request for fixed-token-abcdef"}`})
	accTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "endpointgroups" {
  opswat {
    base_url     = %q
    access_token = "fixed-token-abcdef"
  }
}
data "endpointgroups_opswat_group" "x" {
  name = "Default"
}
`, srv.URL),
		ExpectError: errorRe(`OPSWAT API: POST ` + srv.URL + `/o/api/v3/groups?access_token=REDACTED: HTTP 400 Bad Request: bad request for REDACTED`),
	})
}

// A read that its timeouts.read ends while the API answers slowly (not
// while it waits on another run's lock) says so, naming the timeout, what
// was being read and what to do, at timeouts.read.
func TestAccOPSWATGroup_readTimeout(t *testing.T) {
	srv := startEmulator(t)
	srv.SetLatency(20 * time.Second)
	timeouts := "\n  timeouts {\n    read = \"2s\"\n  }\n"
	accTest(t, resource.TestStep{
		Config:      providerBlock(srv) + "data \"endpointgroups_opswat_group\" \"x\" {\n  name = \"San Francisco\"" + timeouts + "}\n",
		ExpectError: errorsInOrder(`Error: OPSWAT Read Timed Out`, `looking up the OPSWAT group named "San Francisco" did not finish within the read's timeout of 2s`, `Give this data source a longer timeouts.read`),
	}, resource.TestStep{
		Config:      providerBlock(srv) + "data \"endpointgroups_opswat_groups\" \"all\" {" + timeouts + "}\n",
		ExpectError: errorsInOrder(`Error: OPSWAT Read Timed Out`, `listing the OPSWAT groups did not finish within the read's timeout of 2s`),
	})
}

// A timeouts.read of zero or less is refused before any request: it could
// only time out.
func TestAccOPSWATGroup_readTimeoutNotPositive(t *testing.T) {
	srv := startEmulator(t)
	for _, tc := range []struct{ source, read string }{
		{"endpointgroups_opswat_group\" \"x\" {\n  id = \"301122004\"", "0s"},
		{"endpointgroups_opswat_groups\" \"all\" {", "-1m"},
	} {
		t.Run(tc.read, func(t *testing.T) {
			accTest(t, resource.TestStep{
				Config:      providerBlock(srv) + "data \"" + tc.source + "\n  timeouts {\n    read = \"" + tc.read + "\"\n  }\n}\n",
				ExpectError: errorsInOrder(`Error: Invalid Read Timeout`, `timeouts.read is "`+tc.read+`": the read would time out before it sent a request`),
			})
		})
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("the emulator received %d requests, want none", n)
	}
}

// errorsInOrder matches an error output holding each text in turn, as
// errorRe matches one.
func errorsInOrder(texts ...string) *regexp.Regexp {
	parts := make([]string, len(texts))
	for i, s := range texts {
		parts[i] = errorRe(s).String()
	}
	return regexp.MustCompile(strings.Join(parts, `[\s\S]*`))
}
