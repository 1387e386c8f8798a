package provider

import (
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

var identityProbe struct {
	sync.Once
	ok bool
}

// cliHasIdentity tells whether the test's CLI knows resource identities, by
// what it does rather than its version (Terraform has them from 1.12; the
// OpenTofu 1.12.6 of the matrix has them too, and OpenTofu's version
// numbers do not compare with Terraform's): whether it accepts `identity`
// in an import block. (Asking the provider's schema instead would skip the
// test, rather than fail it, if the provider lost its identity.)
func cliHasIdentity(t *testing.T) bool {
	t.Helper()
	c := newCLI(t)
	identityProbe.Do(func() {
		dir := workdir(t, `
import {
  to       = endpointgroups_drweb_group.x
  identity = { id = "probe" }
}
resource "endpointgroups_drweb_group" "x" {
  name = "x"
}
`)
		out, _ := c.run(dir, nil, "validate", "-no-color")
		identityProbe.ok = !strings.Contains(strings.Join(strings.Fields(out), " "), `An argument named "identity" is not expected here`)
	})
	return identityProbe.ok
}

// The resource has an identity (its id) where the CLI supports identities:
// set on create and read, kept through an update, and an import block with
// `identity` adopts a group; -generate-config-out writes a configuration
// that plans no change.
func TestAccDrWebGroupResource_identity(t *testing.T) {
	if !cliHasIdentity(t) {
		t.Skip("the CLI of this run has no resource identities: it refuses `identity` in an import block (Terraform 1.12 and later and OpenTofu 1.12.6 have them)")
	}
	srv := startEmulator(t)
	// Import steps run in a working directory of their own, with the
	// configuration as written: it names the provider's source.
	config := func(name string) string {
		return accRequiredProviders() + providerBlock(srv) + `
resource "endpointgroups_drweb_group" "x" {
  id        = "ident-1"
  name      = "` + name + `"
  parent_id = "` + idServers + `"
}
`
	}
	identity := statecheck.ExpectIdentity("endpointgroups_drweb_group.x", map[string]knownvalue.Check{"id": knownvalue.StringExact("ident-1")})
	accTest(t, resource.TestStep{
		Config:            config("Identified"),
		ConfigStateChecks: []statecheck.StateCheck{identity},
	}, resource.TestStep{
		Config:            config("Renamed"),
		ConfigStateChecks: []statecheck.StateCheck{identity},
	}, resource.TestStep{
		ResourceName:    "endpointgroups_drweb_group.x",
		ImportState:     true,
		ImportStateKind: resource.ImportBlockWithResourceIdentity,
		Config:          config("Renamed"),
	}, resource.TestStep{
		ResourceName:    "endpointgroups_drweb_group.x",
		ImportState:     true,
		ImportStateKind: resource.ImportBlockWithResourceIdentity,
		GenerateConfig:  true,
		Config:          config("Renamed"),
	})

	// An existing group adopted by its identity plans no change.
	other := startEmulator(t)
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: protoV6, Steps: []resource.TestStep{{
		Config: accRequiredProviders() + providerBlock(other) + `
import {
  to       = endpointgroups_drweb_group.linux
  identity = { id = "` + idLinux + `" }
}
resource "endpointgroups_drweb_group" "linux" {
  name        = "Linux"
  description = "Linux servers"
  parent_id   = "` + idServers + `"
}
`,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("endpointgroups_drweb_group.linux", plancheck.ResourceActionNoop),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectIdentity("endpointgroups_drweb_group.linux", map[string]knownvalue.Check{"id": knownvalue.StringExact(idLinux)}),
		},
	}}})
}
