# A kiosk VM, stood in for by terraform_data: once it is created (and its
# agent has enrolled), its device goes into the Kiosks group, whose policy
# fits it.
variable "kiosk_device_ids" {
  type    = list(string)
  default = ["a1b2c3d4e5f60001", "a1b2c3d4e5f60002"]
}

data "endpointgroups_opswat_group" "kiosks" {
  name = "Kiosks"
}

action "endpointgroups_opswat_assign_devices" "kiosks" {
  config {
    group_id   = data.endpointgroups_opswat_group.kiosks.id
    device_ids = var.kiosk_device_ids
  }
}

resource "terraform_data" "kiosk_vm" {
  input = "kiosk-01"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.endpointgroups_opswat_assign_devices.kiosks]
    }
  }
}
