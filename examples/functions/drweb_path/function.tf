# The path of a group from its names, escaped as the path attribute is:
# "Offices/R\/D" for a group named "R/D" under "Offices".
output "rd_path" {
  value = provider::endpointgroups::drweb_path(["Offices", "R/D"])
}

# A lookup by path built from names kept elsewhere in the configuration.
locals {
  office = "Berlin"
}

data "endpointgroups_drweb_group" "office_workstations" {
  path = provider::endpointgroups::drweb_path(["Offices", local.office, "Workstations"])
}
