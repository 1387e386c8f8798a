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

output "windows_installer" {
  value = one([for p in data.endpointgroups_drweb_group.moscow_workstations.packages : p.url if p.os == "windows"])
}
