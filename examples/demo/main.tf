# A plan that reads groups of both vendors and references them from other
# resources. `make demo` runs it against the local emulator; the provider
# reads its settings from the environment (OPSWAT_*, DRWEB_*).

terraform {
  required_providers {
    endpointgroups = {
      source = "endpointgroups/endpointgroups"
    }
  }
}

provider "endpointgroups" {}

# OPSWAT MetaDefender IT Access: every lookup below shares one walk of the
# group list, whatever their number.
data "endpointgroups_opswat_group" "default" {
  name = "Default"
}

data "endpointgroups_opswat_group" "san_francisco" {
  id = "260854829"
}

data "endpointgroups_opswat_groups" "antivirus" {
  search     = "antivirus"
  sort_field = "number_of_devices"
  sort_order = "desc"
}

# Dr.Web: lookups by name use the group tree; the ones by id share info.ds requests.
data "endpointgroups_drweb_group" "moscow" {
  name = "Moscow"
}

data "endpointgroups_drweb_group" "moscow_workstations" {
  name      = "Workstations"
  parent_id = data.endpointgroups_drweb_group.moscow.id
}

data "endpointgroups_drweb_groups" "servers" {
  name_regex  = "^(Linux|Windows)$"
  min_results = 1 # a typo in the regex stops the plan instead of emptying the for_each below
}

# Names repeat ("Workstations" under Berlin and under Moscow): paths do not.
data "endpointgroups_drweb_groups" "offices" {
  parent_id = data.endpointgroups_drweb_group.offices.id
}

data "endpointgroups_drweb_group" "offices" {
  path = "Offices"
}

# The stations in Moscow's workstations group (100 a page, every page), and
# its station state counts.
data "endpointgroups_drweb_group_stations" "moscow_workstations" {
  group_id = data.endpointgroups_drweb_group.moscow_workstations.id
}

resource "terraform_data" "opswat_enrollment" {
  input = {
    group_id    = data.endpointgroups_opswat_group.default.id
    policy_id   = data.endpointgroups_opswat_group.default.policy_id
    policy_name = data.endpointgroups_opswat_group.default.policy_name
  }
}

resource "terraform_data" "drweb_agent" {
  input = {
    group_id          = data.endpointgroups_drweb_group.moscow_workstations.id
    windows_installer = data.endpointgroups_drweb_group.moscow_workstations.installers["windows/all"]
    linux_installer   = data.endpointgroups_drweb_group.moscow_workstations.installers["linux/x86_64"]
    license_keys      = data.endpointgroups_drweb_group.moscow_workstations.keys.ids
    rights_from       = data.endpointgroups_drweb_group.moscow_workstations.rights.inherited_group_name
  }
}

output "opswat_groups_by_devices" {
  value = { for g in data.endpointgroups_opswat_groups.antivirus.groups : g.name => g.number_of_devices }
}

output "opswat_san_francisco" {
  value = {
    id          = data.endpointgroups_opswat_group.san_francisco.id
    domain      = data.endpointgroups_opswat_group.san_francisco.domain_name
    last_change = data.endpointgroups_opswat_group.san_francisco.last_modified
  }
}

output "drweb_server_groups" {
  value = { for g in data.endpointgroups_drweb_groups.servers.groups : g.path => g.id }
}

output "drweb_office_groups" {
  value = { for path, g in data.endpointgroups_drweb_groups.offices.by_path : path => g.stations }
}

output "drweb_moscow_rights" {
  value = data.endpointgroups_drweb_group.moscow_workstations.rights.by_code
}

output "drweb_moscow_workstations_stations" {
  value = {
    online  = [for s in data.endpointgroups_drweb_group_stations.moscow_workstations.stations : s.name if s.state == 1]
    offline = data.endpointgroups_drweb_group_stations.moscow_workstations.states.offline
  }
}
