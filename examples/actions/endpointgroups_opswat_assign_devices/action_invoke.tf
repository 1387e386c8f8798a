# Devices by MAC address, put into a group on demand, without changing
# anything else:
#
#   terraform apply -invoke=action.endpointgroups_opswat_assign_devices.by_mac
action "endpointgroups_opswat_assign_devices" "by_mac" {
  config {
    group_id      = "301122004"
    mac_addresses = ["02:00:00:44:55:01", "02-00-00-44-55-02"]
  }
}
