package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
)

// drwebSource is the Dr.Web block and the environment mapped onto the
// vendor's Config.
type drwebSource struct {
	cfg drweb.Config
	tls tlsSettings
	// passwordGiven: the API takes an empty password only when the
	// configuration says so (password = ""); one set nowhere was forgotten.
	passwordGiven bool
}

var drwebVendor = vendorBlock{
	name: "Dr.Web", block: "drweb", subsystem: subsystemDrWeb, product: "Dr.Web",
	doc: "Dr.Web AV-Desk / Enterprise Security Suite server, reached through its Web API " +
		"with an administrator's login and password (HTTP Basic).",
	credentials: "administrator's login and password", example: "https://esuite.example.com:9081",
	urlHint: "Use the server's web address, such as https://esuite.example.com:9081.",
	url:     drweb.FieldURL,
}

// drwebSettings is the drweb block: every setting, declared once.
var drwebSettings = newSettingsBlock(drwebVendor, append([]setting[drwebSource]{
	{
		field:   field{attr: "url", env: "DRWEB_URL", config: drweb.FieldURL, label: "server URL", title: "URL"},
		doc:     "The Dr.Web Server's web address, such as `https://esuite.example.com:9081`. Environment variable `$ENV`.",
		strings: []validator.String{urlValidator(client.ParseBaseURL, drwebVendor.example)},
		apply: func(src *drwebSource, v value) diag.Diagnostics {
			src.cfg.URL, src.tls.urlInConfig = v.raw, v.inConfig
			return nil
		},
	},
	{
		field:   field{attr: "login", env: "DRWEB_LOGIN", config: drweb.FieldLogin, label: "login", title: "Login"},
		doc:     "The administrator's login. Environment variable `$ENV`.",
		strings: []validator.String{stringvalidator.LengthAtLeast(1)},
		apply:   func(src *drwebSource, v value) diag.Diagnostics { src.cfg.Login = v.raw; return nil },
	},
	{
		field:     field{attr: "password", env: "DRWEB_PASSWORD", config: drweb.FieldPassword, label: "password", title: "Password"},
		doc:       "The administrator's password. Environment variable `$ENV`.",
		sensitive: true,
		apply: func(src *drwebSource, v value) diag.Diagnostics {
			src.cfg.Password, src.passwordGiven = v.raw, true
			return nil
		},
	},
}, tlsRows(drwebVendor, "DRWEB_CA_CERT_FILE", "DRWEB_INSECURE_SKIP_VERIFY", func(src *drwebSource) *tlsSettings { return &src.tls })...))

// resolveDrWeb maps attributes and environment variables (attribute wins)
// onto the Dr.Web Config.
func resolveDrWeb(values blockValues, getenv getenvFunc) (src drwebSource, problem diag.Diagnostics) {
	_, problem = drwebSettings.resolve(values, getenv, &src)
	return src, problem
}

// newDrWeb builds the Dr.Web client; a problem means the Dr.Web data
// sources and resources cannot run.
func newDrWeb(values blockValues, getenv getenvFunc, s client.Settings) (c *drweb.Client, warnings, problem diag.Diagnostics) {
	src, problem := resolveDrWeb(values, getenv)
	if problem.HasError() {
		return nil, nil, problem
	}
	return connect(drwebSettings.vendorBlock, src.tls, s, false, func(s client.Settings) (*drweb.Client, error) {
		c, err := drweb.New(src.cfg, s)
		if err == nil && !src.passwordGiven {
			return nil, &client.ConfigError{Vendor: drweb.Vendor, Field: drweb.FieldPassword, Problem: client.Missing}
		}
		return c, err
	})
}
