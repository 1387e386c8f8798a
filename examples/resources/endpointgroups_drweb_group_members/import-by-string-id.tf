# provider = endpointgroups: harmless everywhere, and needed on Terraform
# 1.16.0-1.16.2 when the resource block does not exist yet (-generate-config-out).
import {
  provider = endpointgroups
  to       = endpointgroups_drweb_group_members.build_servers
  id       = "8f1c2a10-0007-4e11-9a01-000000000007:5f0c9e1a-0001-4c55-8e21-00000000a001"
}
