# The build servers another system keeps track of must also be in the
# Linux servers group (their primary groups stay as they are).
variable "build_servers" {
  type    = list(string)
  default = ["5f0c9e1a-0001-4c55-8e21-00000000a001", "8f1c2a10-0004-4e11-9a01-000000000004-st00001"]
}

data "endpointgroups_drweb_group" "linux" {
  path = "Servers/Linux"
}

resource "endpointgroups_drweb_group_members" "build_servers" {
  group_id    = data.endpointgroups_drweb_group.linux.id
  station_ids = var.build_servers
}

# Every station of the Berlin office (and the groups below it) also in a
# group of its own.
data "endpointgroups_drweb_group_stations" "berlin" {
  group_id          = "8f1c2a10-0002-4e11-9a01-000000000002"
  include_subgroups = true
}

resource "endpointgroups_drweb_group" "berlin_all" {
  name        = "Berlin (all stations)"
  description = "Every station of the Berlin office"
}

resource "endpointgroups_drweb_group_members" "berlin_all" {
  group_id    = endpointgroups_drweb_group.berlin_all.id
  station_ids = data.endpointgroups_drweb_group_stations.berlin.ids
}
