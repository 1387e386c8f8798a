# By name: exact and case-sensitive.
data "endpointgroups_opswat_group" "finance" {
  name = "Finance"
}

# By id.
data "endpointgroups_opswat_group" "default" {
  id = "167641719"
}

output "finance_policy" {
  value = data.endpointgroups_opswat_group.finance.policy_name
}
