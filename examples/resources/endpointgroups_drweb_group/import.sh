# A Dr.Web group is imported by its id.
terraform import endpointgroups_drweb_group.moscow 8f1c2a10-0003-4e11-9a01-000000000003
