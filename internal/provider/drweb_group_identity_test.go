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
// what it does rather than its version (Terraform has them from 1.12;
// OpenTofu, whatever its version, has none): whether the provider's
// identity schema shows in `providers schema -json`.
func cliHasIdentity(t *testing.T) bool {
	t.Helper()
	c := newCLI(t)
	identityProbe.Do(func() {
		dir := workdir(t, `resource "endpointgroups_drweb_group" "x" { name = "x" }`+"\n")
		out, err := c.run(dir, nil, "providers", "schema", "-json")
		identityProbe.ok = err == nil && strings.Contains(out, `"resource_identity_schemas"`)
	})
	return identityProbe.ok
}

// The resource has an identity (its id) where the CLI supports identities:
// set on create and read, kept through an update, and an import block with
// `identity` adopts a group; -generate-config-out writes a configuration
// that plans no change.
func TestAccDrWebGroupResource_identity(t *testing.T) {
	if !cliHasIdentity(t) {
		t.Skip("the Terraform CLI of this run has no resource identities (Terraform 1.12 and later have them; OpenTofu has none)")
	}
	srv := startEmulator(t)
	config := func(name string) string {
		return providerBlock(srv) + `
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
	accTest(t, resource.TestStep{
		Config: providerBlock(other) + `
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
	})
}
