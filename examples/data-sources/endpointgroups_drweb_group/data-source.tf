# By id (system groups such as Everyone too).
data "endpointgroups_drweb_group" "everyone" {
  id = "20e27d73-d21d-b211-a788-85419c46f0e6"
}

# By name, anywhere in the group tree.
data "endpointgroups_drweb_group" "moscow" {
  name = "Moscow"
}

# By name among the direct children of a parent, when the name is not unique.
data "endpointgroups_drweb_group" "moscow_workstations" {
  name      = "Workstations"
  parent_id = data.endpointgroups_drweb_group.moscow.id
}

# By path: names from the top level down. A "/" inside a name is written "\\/".
data "endpointgroups_drweb_group" "berlin_workstations" {
  path = "Offices/Berlin/Workstations"
}

# A platform the server does not offer fails here, at plan time.
output "windows_installer" {
  value = data.endpointgroups_drweb_group.moscow_workstations.installers["windows/all"]
}

# Test one right by its code.
output "scanner_allowed" {
  value = data.endpointgroups_drweb_group.berlin_workstations.rights.by_code["1"] == 1
}
