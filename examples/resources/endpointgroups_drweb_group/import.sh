# A Dr.Web group is imported by its id, or by its path (names from the top
# level down, joined by "/"; a "/" in a name is written "\/").
terraform import endpointgroups_drweb_group.moscow 8f1c2a10-0003-4e11-9a01-000000000003
terraform import endpointgroups_drweb_group.moscow Offices/Moscow
