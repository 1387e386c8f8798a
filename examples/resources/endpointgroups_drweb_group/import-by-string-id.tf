# provider = endpointgroups: harmless everywhere, and needed on Terraform
# 1.16.0-1.16.2 when the resource block does not exist yet (-generate-config-out).
import {
  provider = endpointgroups
  to       = endpointgroups_drweb_group.moscow
  id       = "8f1c2a10-0003-4e11-9a01-000000000003"
}
