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
	token := liveEnv[envOPSWATAccessToken]
	id, secret := liveEnv[envOPSWATClientID], liveEnv[envOPSWATClientSecret]
	if token == "" && (id == "" || secret == "") {
		t.Skipf("live OPSWAT test skipped: set %s, or %s and %s (and optionally %s)", envOPSWATAccessToken, envOPSWATClientID, envOPSWATClientSecret, envOPSWATBaseURL)
	}
	block := fmt.Sprintf("access_token = %q", token)
	if token == "" {
		block = fmt.Sprintf("client_id = %q\n    client_secret = %q", id, secret)
	}
	if u := liveEnv[envOPSWATBaseURL]; u != "" {
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
	u, login, password := liveEnv[envDrWebURL], liveEnv[envDrWebLogin], liveEnv[envDrWebPassword]
	if u == "" || login == "" || password == "" {
		t.Skipf("live Dr.Web test skipped: set %s, %s and %s (and %s or %s for a private certificate)", envDrWebURL, envDrWebLogin, envDrWebPassword, envDrWebCAFile, envDrWebInsecure)
	}
	// The CA file and the insecure switch go back into the environment the
	// provider reads them from.
	for _, name := range []string{envDrWebCAFile, envDrWebInsecure} {
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
