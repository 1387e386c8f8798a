import {
  to = endpointgroups_drweb_group.moscow
  id = "8f1c2a10-0003-4e11-9a01-000000000003"
}
