# Every group whose name or policy name contains "laptop", largest first,
# then only the ones whose names start with "EU-".
data "endpointgroups_opswat_groups" "eu_laptops" {
  search     = "laptop"
  name_regex = "^EU-"
  sort_field = "number_of_devices"
  sort_order = "desc"
}

output "eu_laptop_group_ids" {
  value = data.endpointgroups_opswat_groups.eu_laptops.ids
}
