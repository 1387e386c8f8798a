# The names of a path, the top level first, with "\/" read back as "/".
output "names" {
  value = provider::endpointgroups::drweb_path_names("Offices/R\\/D") # ["Offices", "R/D"]
}

# The office of each group under "Offices", from the paths of the plural data source.
data "endpointgroups_drweb_groups" "offices" {
  parent_id = "8f1c2a10-0001-4e11-9a01-000000000001"
}

output "office_of_group" {
  value = { for p, g in data.endpointgroups_drweb_groups.offices.by_path : g.id => provider::endpointgroups::drweb_path_names(p)[1] }
}
