import {
  to = endpointgroups_drweb_group_members.build_servers
  id = "8f1c2a10-0007-4e11-9a01-000000000007:5f0c9e1a-0001-4c55-8e21-00000000a001"
}
