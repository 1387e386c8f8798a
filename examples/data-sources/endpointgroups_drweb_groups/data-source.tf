# Exactly these groups, in this order, in one request.
data "endpointgroups_drweb_groups" "chosen" {
  ids = ["123123123", "20e27d73-d21d-b211-a788-85419c46f0e6"]
}

# The offices a team owns, among the direct children of "Offices"; at least
# two must match, so that a typo stops the plan instead of emptying for_each.
data "endpointgroups_drweb_groups" "branches" {
  parent_id   = "8f1c2a10-0001-4e11-9a01-000000000001"
  recursive   = false
  name_regex  = "^(Berlin|Moscow|Paris)$"
  min_results = 2
}

# One resource per group, keyed by its path: names may repeat, paths do not.
resource "terraform_data" "branch_agent" {
  for_each = data.endpointgroups_drweb_groups.branches.by_path

  input = {
    group_id        = each.value.id
    linux_installer = each.value.installers["linux/x86_64"]
  }
}

# The top-level groups with the system groups (Everyone, Ungrouped, …).
data "endpointgroups_drweb_groups" "top" {
  recursive             = false
  include_system_groups = true
}
