terraform {
  required_providers {
    endpointgroups = {
      source = "endpointgroups/endpointgroups"
    }
  }
}

# Both blocks are optional; every attribute can come from an environment
# variable instead (shown next to it).
provider "endpointgroups" {
  request_timeout = "30s"
  max_retries     = 5

  opswat {
    base_url      = "https://gears.opswat.com" # OPSWAT_BASE_URL
    client_id     = var.opswat_client_id       # OPSWAT_CLIENT_ID
    client_secret = var.opswat_client_secret   # OPSWAT_CLIENT_SECRET
    # or: access_token = var.opswat_token      # OPSWAT_ACCESS_TOKEN
    requests_per_minute = 10    # OPSWAT_REQUESTS_PER_MINUTE
    cache_ttl           = "10m" # OPSWAT_CACHE_TTL: plan and apply share one walk of the group list
  }

  drweb {
    url         = "https://esuite.example.com:9081" # DRWEB_URL
    login       = "admin"                           # DRWEB_LOGIN
    password    = var.drweb_password                # DRWEB_PASSWORD
    ca_cert_pem = var.drweb_ca_cert_pem             # such as file("drweb-ca.pem"); DRWEB_CA_CERT_FILE (a path)
  }
}

variable "opswat_client_id" {
  type = string
}

variable "opswat_client_secret" {
  type      = string
  sensitive = true
}

variable "drweb_password" {
  type      = string
  sensitive = true
}

variable "drweb_ca_cert_pem" {
  type        = string
  description = "The PEM of the CA that signed the Dr.Web server's certificate."
}
