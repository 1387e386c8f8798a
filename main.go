// Command terraform-provider-endpointgroups is the Terraform provider that
// reads OPSWAT MetaDefender IT Access and Dr.Web AV-Desk / Enterprise
// Security Suite endpoint groups.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/endpointgroups/endpointgroups",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
