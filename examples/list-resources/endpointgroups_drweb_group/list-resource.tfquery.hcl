# Every user group under Offices, each with the resource object an import
# saves: `terraform query -generate-config-out=generated.tf` writes an
# import block and a resource block for each.
list "endpointgroups_drweb_group" "offices" {
  provider         = endpointgroups
  include_resource = true

  config {
    parent_id = "8f1c2a10-0001-4e11-9a01-000000000001" # Offices
  }
}

# The top level's groups whose names start with "Serv", without their
# subgroups; identities and paths only.
list "endpointgroups_drweb_group" "servers" {
  provider = endpointgroups
  limit    = 10

  config {
    recursive  = false
    name_regex = "^Serv"
  }
}
