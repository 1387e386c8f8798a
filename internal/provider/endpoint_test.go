package provider

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// A URL that cannot lead to the API (the wrong scheme either way, a host
// DNS does not know, a path the API is not under) fails at once, naming the
// setting, its variable and the value that would work; the path case sends
// one request, not one per retry.
func TestAccWrongURL(t *testing.T) {
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1 to run it", resource.EnvTfAcc)
	}
	plain := startEmulator(t)
	tls := emulator.NewTLS(emulator.DefaultSeed())
	t.Cleanup(tls.Close)
	t.Cleanup(func() { // after the parallel subtests
		if n := plain.Count("/esuite/api/groups/info.ds"); n != 1 {
			t.Errorf("the path case sent info.ds %d times, want once", n)
		}
	})
	host := strings.TrimPrefix(plain.URL, "http://")
	tlsHost := strings.TrimPrefix(tls.URL, "https://")
	drwebConfig := func(url string) string {
		return fmt.Sprintf(`
provider "endpointgroups" {
  max_retries = 5
  drweb {
    url      = %q
    login    = "admin"
    password = "demo-password"
  }
}
data "endpointgroups_drweb_group" "x" {
  id = %q
}
`, url, idLinux)
	}
	opswatConfig := func(url string) string {
		return fmt.Sprintf(`
provider "endpointgroups" {
  max_retries = 5
  opswat {
    base_url      = %q
    client_id     = "demo-client"
    client_secret = "demo-secret"
  }
}
data "endpointgroups_opswat_group" "x" {
  name = "Kiosks"
}
`, url)
	}
	for name, tc := range map[string]struct{ config, want string }{
		"drweb https to plain http": {drwebConfig("https://" + host),
			`Wrong Dr.Web URL[\s\S]*speaks plain HTTP, not HTTPS[\s\S]*Set drweb.url \(or DRWEB_URL\) to "http://` + regexp.QuoteMeta(host) + `"`},
		"drweb http to tls": {drwebConfig("http://" + tlsHost),
			`Wrong Dr.Web URL[\s\S]*speaks HTTPS, not plain HTTP[\s\S]*Set drweb.url \(or DRWEB_URL\) to "https://` + regexp.QuoteMeta(tlsHost) + `"`},
		"drweb unknown host": {drwebConfig("https://no-such-host.invalid:9081"),
			`Wrong Dr.Web URL[\s\S]*does not exist[\s\S]*Check the host name in drweb.url \(or DRWEB_URL\)`},
		"drweb path": {drwebConfig(plain.URL + "/esuite"),
			`Wrong Dr.Web URL[\s\S]*under the path "/esuite"[\s\S]*Set drweb.url \(or DRWEB_URL\) to "http://` + regexp.QuoteMeta(host) + `", without the path`},
		"opswat https to plain http": {opswatConfig("https://" + host),
			`Wrong OPSWAT URL[\s\S]*speaks plain HTTP, not HTTPS[\s\S]*Set opswat.base_url \(or OPSWAT_BASE_URL\) to "http://` + regexp.QuoteMeta(host) + `"`},
	} {
		t.Run(name, func(t *testing.T) {
			accTest(t, resource.TestStep{Config: tc.config, ExpectError: regexp.MustCompile(strings.ReplaceAll(tc.want, " ", `\s+`))})
		})
	}
}
