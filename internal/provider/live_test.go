package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// Live tests read a real account. They run only when its credentials are in
// the environment (and TF_ACC is set), and change nothing there.

func TestLiveOPSWAT(t *testing.T) {
	token := liveEnv["OPSWAT_ACCESS_TOKEN"]
	id, secret := liveEnv["OPSWAT_CLIENT_ID"], liveEnv["OPSWAT_CLIENT_SECRET"]
	if token == "" && (id == "" || secret == "") {
		t.Skip("live OPSWAT test skipped: set OPSWAT_ACCESS_TOKEN, or OPSWAT_CLIENT_ID and OPSWAT_CLIENT_SECRET (and optionally OPSWAT_BASE_URL)")
	}
	block := fmt.Sprintf("access_token = %q", token)
	if token == "" {
		block = fmt.Sprintf("client_id = %q\n    client_secret = %q", id, secret)
	}
	if u := liveEnv["OPSWAT_BASE_URL"]; u != "" {
		block += fmt.Sprintf("\n    base_url = %q", u)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			Config: "provider \"endpointgroups\" {\n  opswat {\n    " + block + "\n  }\n}\n" + `
data "endpointgroups_opswat_groups" "all" {}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.endpointgroups_opswat_groups.all", tfjsonpath.New("ids"), knownvalue.NotNull()),
			},
		}},
	})
}

func TestLiveDrWeb(t *testing.T) {
	u, login, password := liveEnv["DRWEB_URL"], liveEnv["DRWEB_LOGIN"], liveEnv["DRWEB_PASSWORD"]
	if u == "" || login == "" || password == "" {
		t.Skip("live Dr.Web test skipped: set DRWEB_URL, DRWEB_LOGIN and DRWEB_PASSWORD (and DRWEB_CA_CERT_FILE or DRWEB_INSECURE_SKIP_VERIFY for a private certificate)")
	}
	// The CA file and the insecure switch go back into the environment the
	// provider reads them from.
	for _, name := range []string{"DRWEB_CA_CERT_FILE", "DRWEB_INSECURE_SKIP_VERIFY"} {
		if v, ok := liveEnv[name]; ok {
			t.Setenv(name, v)
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "endpointgroups" {
  drweb {
    url      = %q
    login    = %q
    password = %q
  }
}
data "endpointgroups_drweb_groups" "top" {
  recursive = false
}
`, u, login, password),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.endpointgroups_drweb_groups.top", tfjsonpath.New("groups"), knownvalue.NotNull()),
			},
		}},
	})
}
