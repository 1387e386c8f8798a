# Every group that holds stations besides their primary group, with a
# members resource listing exactly those stations.
list "endpointgroups_drweb_group_members" "all" {
  provider         = endpointgroups
  include_resource = true
}
