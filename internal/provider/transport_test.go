package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// OPSWAT has the same TLS settings as Dr.Web: a private CA is trusted
// through ca_cert_pem, refused without it with an error that names the
// settings, and reachable with verification turned off.
func TestAccOPSWAT_tls(t *testing.T) {
	srv := emulator.NewTLS(emulator.DefaultSeed())
	t.Cleanup(srv.Close)
	caPEM := certPEM(srv.Certificate())
	config := func(extra string) string {
		return fmt.Sprintf(`
provider "endpointgroups" {
  max_retries = 1
  opswat {
    base_url      = %q
    client_id     = "demo-client"
    client_secret = "demo-secret"
    %s
  }
}
data "endpointgroups_opswat_group" "x" {
  name = "Kiosks"
}
`, srv.URL, extra)
	}
	accTest(t,
		resource.TestStep{
			Config:      config(""),
			ExpectError: errorRe(`OPSWAT Certificate Not Trusted`),
		},
		resource.TestStep{
			Config:      config(""),
			ExpectError: errorRe(`give its CA in opswat.ca_cert_pem (or a path in OPSWAT_CA_CERT_FILE)`),
		},
		resource.TestStep{
			Config: config(fmt.Sprintf("ca_cert_pem = %q", caPEM)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.endpointgroups_opswat_group.x", tfjsonpath.New("id"), knownvalue.StringExact("301122004")),
			},
		},
		resource.TestStep{
			Config: config("insecure_skip_verify = true"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.endpointgroups_opswat_group.x", tfjsonpath.New("id"), knownvalue.StringExact("301122004")),
			},
		},
	)
}

// A server that redirects every request to another origin (a different
// port) gets no credentials through: both vendors refuse, name the target,
// and the other origin receives nothing.
func TestAccRedirectsToAnotherOriginAreRefused(t *testing.T) {
	target := startEmulator(t)
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target.URL+r.URL.RequestURI(), status)
			}))
			t.Cleanup(front.Close)
			config := providerBlock(&emulator.Server{Server: front}) + `
data "endpointgroups_opswat_group" "x" {
  name = "Kiosks"
}
data "endpointgroups_drweb_group" "y" {
  id = "` + idLinux + `"
}
`
			var steps []resource.TestStep
			for _, want := range []string{
				"OPSWAT Redirect Refused", "Dr.Web Redirect Refused",
				fmt.Sprintf("redirecting to %s/o/oauth/token; the provider does not send credentials to another origin (scheme, host and port) "+
					"than the one configured: if that is the right server, set the URL to %s.", target.URL, target.URL),
				fmt.Sprintf("redirecting to %s/api/groups/info.ds;", target.URL),
			} {
				steps = append(steps, resource.TestStep{Config: config, ExpectError: errorRe(want)})
			}
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: protoV6, Steps: steps})
			if n := len(target.Requests()); n != 0 {
				t.Fatalf("the other origin received %d requests: %+v", n, target.Requests())
			}
		})
	}
}
