package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// The path functions write and read paths as the path attribute does, and
// a malformed argument is an error on that argument. Functions came with
// Terraform 1.8 (OpenTofu 1.7): older CLIs skip this test.
func TestAccDrWebPathFunctions(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{{
			Config: `
output "path" {
  value = provider::endpointgroups::drweb_path(["Offices", "R/D", "a\\b"])
}
output "names" {
  value = provider::endpointgroups::drweb_path_names("Offices/R\\/D/a\\\\b")
}
output "round_trip" {
  value = provider::endpointgroups::drweb_path(provider::endpointgroups::drweb_path_names("Offices/Berlin/Workstations"))
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("path", knownvalue.StringExact(`Offices/R\/D/a\\b`)),
				statecheck.ExpectKnownOutputValue("names", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("Offices"), knownvalue.StringExact("R/D"), knownvalue.StringExact(`a\b`),
				})),
				statecheck.ExpectKnownOutputValue("round_trip", knownvalue.StringExact("Offices/Berlin/Workstations")),
			},
		}, {
			Config:      `output "x" { value = provider::endpointgroups::drweb_path([]) }`,
			ExpectError: funcError(`a path needs at least one name`),
		}, {
			Config:      `output "x" { value = provider::endpointgroups::drweb_path(["Offices", ""]) }`,
			ExpectError: funcError(`the name at index 1 (number 2 of 2, counting from 1) is empty`),
		}, {
			Config:      `output "x" { value = provider::endpointgroups::drweb_path(["Offices", " Berlin"]) }`,
			ExpectError: funcError(`the name at index 1 (number 2 of 2, counting from 1), " Berlin", starts or ends with spaces`),
		}, {
			Config:      `output "x" { value = provider::endpointgroups::drweb_path_names("Offices//Berlin") }`,
			ExpectError: funcError(`has an empty name`),
		}, {
			Config:      `output "x" { value = provider::endpointgroups::drweb_path_names("Offices\\Berlin") }`,
			ExpectError: funcError(`escapes neither`),
		}},
	})
}

// funcError matches a function's argument error, however the CLI wraps it.
func funcError(text string) *regexp.Regexp {
	return regexp.MustCompile(`Invalid function argument[\s\S]*` + errorRe(text).String())
}
