# A build server, stood in for by terraform_data: once it is created (and
# its agent has registered), its station takes its settings from the
# Servers/Linux group, its primary group.
variable "build_station_ids" {
  type    = list(string)
  default = ["8f1c2a10-0003-4e11-9a01-000000000003-st00001"]
}

data "endpointgroups_drweb_group" "linux" {
  path = "Servers/Linux"
}

action "endpointgroups_drweb_move_stations" "linux" {
  config {
    group_id    = data.endpointgroups_drweb_group.linux.id
    station_ids = var.build_station_ids
  }
}

resource "terraform_data" "build_server" {
  input = "build-01"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.endpointgroups_drweb_move_stations.linux]
    }
  }
}
