# A group under an existing parent, with an id the server generates.
resource "endpointgroups_drweb_group" "paris" {
  name        = "Paris"
  description = "Paris office"
  parent_id   = "8f1c2a10-0001-4e11-9a01-000000000001"
}

# A child group with an id of your choice (digits, Latin letters, "_", "-", ".").
resource "endpointgroups_drweb_group" "paris_desks" {
  id        = "paris-desks"
  name      = "Desks"
  parent_id = endpointgroups_drweb_group.paris.id
}

# The new group's agent installer, usable in the same apply.
output "paris_desks_linux_installer" {
  value = endpointgroups_drweb_group.paris_desks.installers["linux/x86_64"]
}

# A second group of a name its parent already holds must say so. With
# create_before_destroy the old group keeps the name until the new one exists.
resource "endpointgroups_drweb_group" "paris_kiosks" {
  name                  = "Kiosks"
  parent_id             = endpointgroups_drweb_group.paris.id
  allow_duplicate_names = true

  timeouts {
    create = "5m"
  }

  lifecycle {
    create_before_destroy = true
  }
}
