# Exactly these groups, in this order, in one request.
data "endpointgroups_drweb_groups" "chosen" {
  ids = ["123123123", "20e27d73-d21d-b211-a788-85419c46f0e6"]
}

# The direct children of a group whose names start with "Branch".
data "endpointgroups_drweb_groups" "branches" {
  parent_id  = "8f1c2a10-0001-4e11-9a01-000000000001"
  recursive  = false
  name_regex = "^Branch"
}

output "branch_ids" {
  value = { for g in data.endpointgroups_drweb_groups.branches.groups : g.name => g.id }
}
