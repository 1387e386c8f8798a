# Stations moved on demand, without changing anything else:
#
#   terraform apply -invoke=action.endpointgroups_drweb_move_stations.windows
action "endpointgroups_drweb_move_stations" "windows" {
  config {
    group_id    = "8f1c2a10-0008-4e11-9a01-000000000008"
    station_ids = ["8f1c2a10-0003-4e11-9a01-000000000003-st00002"]
  }
}
