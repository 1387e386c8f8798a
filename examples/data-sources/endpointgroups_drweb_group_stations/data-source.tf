# The stations of each office (and the groups below it), and its state
# counts: one output of online stations per office.
data "endpointgroups_drweb_groups" "offices" {
  parent_id   = "8f1c2a10-0001-4e11-9a01-000000000001"
  recursive   = false
  min_results = 1
}

data "endpointgroups_drweb_group_stations" "office" {
  for_each = data.endpointgroups_drweb_groups.offices.by_path

  group_id          = each.value.id
  include_subgroups = true
}

output "online_stations_per_office" {
  value = {
    for path, s in data.endpointgroups_drweb_group_stations.office :
    path => [for st in s.stations : st.name if st.state == 1]
  }
}

# The stations directly in one group, with the server's state counts.
data "endpointgroups_drweb_group_stations" "linux" {
  group_id    = "8f1c2a10-0007-4e11-9a01-000000000007"
  min_results = 1 # an empty group stops the plan
}

output "linux_servers_online" {
  value = data.endpointgroups_drweb_group_stations.linux.states.online
}
