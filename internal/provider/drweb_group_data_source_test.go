package provider

import (
	"fmt"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/drweb"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

const (
	idOffices  = "8f1c2a10-0001-4e11-9a01-000000000001"
	idBerlin   = "8f1c2a10-0002-4e11-9a01-000000000002"
	idMoscow   = "8f1c2a10-0003-4e11-9a01-000000000003"
	idBerlinWS = "8f1c2a10-0004-4e11-9a01-000000000004"
	idMoscowWS = "8f1c2a10-0005-4e11-9a01-000000000005"
	idServers  = "8f1c2a10-0006-4e11-9a01-000000000006"
	idLinux    = "8f1c2a10-0007-4e11-9a01-000000000007"
	idWindows  = "8f1c2a10-0008-4e11-9a01-000000000008"
)

var sampleDrWebGroup = drweb.Group{
	ID: "123123123", Name: "TEST-GROUP", Created: "2014-03-13T10:25:31Z", Modified: "2014-03-13T10:25:31Z", Stations: 1,
	Rights:     drweb.Rights{Inheritance: drweb.Inheritance{InheritedGroupID: emulator.EveryoneID, InheritedGroupName: "Everyone"}, Items: []drweb.Right{{Code: 1, Name: "Run", Value: 1}}},
	Keys:       drweb.Keys{IDs: []string{"k1"}},
	Components: &drweb.Components{Items: []drweb.Component{{Code: 4, Name: "Scanner", Status: 2}}},
	Packages:   []drweb.Package{{OS: "windows", Arch: "all", URL: "http://h/download"}},
}

// The data source, the resource and the resource's state upgrader key
// installers by one rule.
func TestDrWebInstallers(t *testing.T) {
	t.Parallel()
	pkgs := []drweb.Package{
		{OS: "linux", Arch: "x86", URL: ""},
		{OS: "windows", Arch: "all", URL: "http://h/w1"},
		{OS: "linux", Arch: "x86", URL: "http://h/l1"},
		{OS: "windows", Arch: "all", URL: "http://h/w2"},
		{OS: "linux", Arch: "x86_64", URL: ""},
	}
	want := map[string]string{"linux/x86": "http://h/l1", "windows/all": "http://h/w1", "linux/x86_64": ""}
	if got := drwebInstallers(pkgs); !maps.Equal(got, want) {
		t.Errorf("drwebInstallers = %v, want %v", got, want)
	}
	if got := drwebGroupModelFromAPI(drweb.Group{ID: "x", Packages: pkgs}).Installers; !maps.Equal(got, want) {
		t.Errorf("data source installers = %v, want %v", got, want)
	}
	m, diags := drwebGroupResourceModelFromAPI(drweb.Group{ID: "x", Packages: pkgs})
	got := map[string]string{}
	for k, v := range m.Installers.Elements() {
		s, ok := v.(types.String)
		if !ok {
			t.Fatalf("installers[%q] is a %T", k, v)
		}
		got[k] = s.ValueString()
	}
	if diags.HasError() || !maps.Equal(got, want) {
		t.Errorf("resource installers = %v (%v), want %v", got, diags, want)
	}
	if got := drwebInstallers(nil); got == nil || len(got) != 0 {
		t.Errorf("no packages: %v, want an empty map", got)
	}
}

func TestDrWebGroupModelFromAPI(t *testing.T) {
	t.Parallel()
	m := drwebGroupModelFromAPI(sampleDrWebGroup)
	if !m.ParentID.IsNull() || !m.ParentName.IsNull() || !m.HasPersonalSettings.IsNull() {
		t.Errorf("absent references must be null: %+v", m)
	}
	if m.Description.IsNull() || m.Description.ValueString() != "" {
		t.Errorf("an empty description is \"\", not null: %v", m.Description)
	}
	if m.Rights.ByCode["1"] != 1 || m.Installers["windows/all"] != "http://h/download" {
		t.Errorf("maps: %v %v", m.Rights.ByCode, m.Installers)
	}
	if !m.Rights.Inherited.IsNull() || m.Rights.InheritedGroupName.ValueString() != "Everyone" || m.Rights.Items[0].Code.ValueInt64() != 1 {
		t.Errorf("rights: %+v", m.Rights)
	}
	if m.Keys.IDs[0] != "k1" || m.Packages[0].URL.ValueString() != "http://h/download" {
		t.Errorf("keys/packages: %+v %+v", m.Keys, m.Packages)
	}
	empty := drwebGroupModelFromAPI(drweb.Group{ID: "x", Name: "y"})
	if empty.Keys.IDs == nil || empty.Rights.Items == nil || empty.Packages == nil {
		t.Error("absent lists must be empty, not null")
	}
}

func pkgs(host, id string) knownvalue.Check {
	var out []knownvalue.Check
	for _, p := range [][2]string{{"android", "all"}, {"macosx", "all"}, {"linux", "x86_64"}, {"linux", "x86"}, {"windows", "all"}} {
		u := fmt.Sprintf("%s/download/download.ds?os=%s", host, p[0])
		if p[1] != "all" {
			u += "&arch=" + p[1]
		}
		out = append(out, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"os": knownvalue.StringExact(p[0]), "arch": knownvalue.StringExact(p[1]), "url": knownvalue.StringExact(u + "&group-id=" + id),
		}))
	}
	return knownvalue.ListExact(out)
}

func inheritance(inherited knownvalue.Check, id, name string, rest map[string]knownvalue.Check) knownvalue.Check {
	m := map[string]knownvalue.Check{"inherited": inherited, "inherited_group_id": knownvalue.Null(), "inherited_group_name": knownvalue.Null()}
	if id != "" {
		m["inherited_group_id"], m["inherited_group_name"] = knownvalue.StringExact(id), knownvalue.StringExact(name)
	}
	maps.Copy(m, rest)
	return knownvalue.ObjectExact(m)
}

type right struct {
	code  int64
	name  string
	value int64
}

// rightsList checks the rights' items and the same rights by code.
func rightsList(rights ...right) map[string]knownvalue.Check {
	var out []knownvalue.Check
	byCode := map[string]knownvalue.Check{}
	for _, r := range rights {
		out = append(out, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"code": knownvalue.Int64Exact(r.code), "name": knownvalue.StringExact(r.name), "value": knownvalue.Int64Exact(r.value),
		}))
		byCode[fmt.Sprint(r.code)] = knownvalue.Int64Exact(r.value)
	}
	return map[string]knownvalue.Check{"items": knownvalue.ListExact(out), "by_code": knownvalue.MapExact(byCode)}
}

// installers checks the installer map of a group served by the emulator.
func installers(host, id string) knownvalue.Check {
	u := host + "/download/download.ds?os="
	g := "&group-id=" + id
	return knownvalue.MapExact(map[string]knownvalue.Check{
		"android/all": knownvalue.StringExact(u + "android" + g), "macosx/all": knownvalue.StringExact(u + "macosx" + g),
		"linux/x86_64": knownvalue.StringExact(u + "linux&arch=x86_64" + g), "linux/x86": knownvalue.StringExact(u + "linux&arch=x86" + g),
		"windows/all": knownvalue.StringExact(u + "windows" + g),
	})
}

func strList(s ...string) knownvalue.Check {
	var out []knownvalue.Check
	for _, v := range s {
		out = append(out, knownvalue.StringExact(v))
	}
	return knownvalue.ListExact(out)
}

// berlinChecks are every attribute of the Berlin group, in either format.
func berlinChecks(srv *emulator.Server, addr string, personal knownvalue.Check) []statecheck.StateCheck {
	officeRights := rightsList(right{1, "Run Dr.Web Scanner for Windows", 1}, right{2, "Start SpIDer Guard for Windows XP", 0})
	return attrChecks(addr, map[string]knownvalue.Check{
		"id":                    knownvalue.StringExact(idBerlin),
		"name":                  knownvalue.StringExact("Berlin"),
		"path":                  knownvalue.StringExact("Offices/Berlin"),
		"installers":            installers(srv.URL, idBerlin),
		"parent_id":             knownvalue.StringExact(idOffices),
		"parent_name":           knownvalue.StringExact("Offices"),
		"description":           knownvalue.StringExact("Berlin office"),
		"type":                  knownvalue.Int64Exact(0),
		"created":               knownvalue.StringExact("2017-07-14T02:41:40Z"),
		"modified":              knownvalue.StringExact("2023-11-14T22:15:00Z"),
		"child_groups":          knownvalue.Int64Exact(1),
		"stations":              knownvalue.Int64Exact(25),
		"has_personal_settings": personal,
		"rights":                inheritance(knownvalue.Bool(true), idOffices, "Offices", officeRights),
		"keys":                  inheritance(knownvalue.Bool(false), "", "", map[string]knownvalue.Check{"ids": strList("0a1b2c3d4e5f6071-8293a4b5c6d7e8f9")}),
		"packages":              pkgs(srv.URL, idBerlin),
	})
}

func TestAccDrWebGroup_byID(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config:            providerBlock(srv) + "data \"endpointgroups_drweb_group\" \"berlin\" {\n  id = \"" + idBerlin + "\"\n}\n",
		ConfigStateChecks: berlinChecks(srv, "data.endpointgroups_drweb_group.berlin", knownvalue.Null()),
	})
}

// An older server answers XML whatever is asked: the same attributes result,
// but for has_personal_settings, which XML does not carry.
func TestAccDrWebGroup_xmlOnlyServer(t *testing.T) {
	srv := startEmulator(t)
	srv.SetDrWebXMLOnly(true)
	accTest(t, resource.TestStep{
		Config: providerBlock(srv) + "data \"endpointgroups_drweb_group\" \"berlin\" {\n  name = \"Berlin\"\n}\n" +
			"data \"endpointgroups_drweb_group\" \"everyone\" {\n  id = \"" + emulator.EveryoneID + "\"\n}\n",
		ConfigStateChecks: append(berlinChecks(srv, "data.endpointgroups_drweb_group.berlin", knownvalue.Null()),
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.everyone", tfjsonpath.New("has_personal_settings"), knownvalue.Null()),
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.everyone", tfjsonpath.New("type"), knownvalue.Int64Exact(1)),
		),
	})
}

func TestAccDrWebGroup_systemGroupAndTopLevel(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config: providerBlock(srv) + `
data "endpointgroups_drweb_group" "everyone" {
  id = "` + emulator.EveryoneID + `"
}
data "endpointgroups_drweb_group" "test" {
  name = "TEST-GROUP"
}
data "endpointgroups_drweb_group" "servers" {
  name = "Servers"
}
`,
		ConfigStateChecks: append(attrChecks("data.endpointgroups_drweb_group.everyone", map[string]knownvalue.Check{
			"name":                  knownvalue.StringExact("Everyone"),
			"description":           knownvalue.StringExact("All stations"),
			"type":                  knownvalue.Int64Exact(1),
			"parent_id":             knownvalue.Null(),
			"parent_name":           knownvalue.Null(),
			"has_personal_settings": knownvalue.Bool(true),
			"rights": inheritance(knownvalue.Bool(false), "", "", rightsList(
				right{1, "Run Dr.Web Scanner for Windows", 1}, right{2, "Start SpIDer Guard for Windows XP", 1},
				right{82, "Edit Dr.Web Cloud Checker for Android configuration", 1}, right{93, "", 1})),
		}), append(attrChecks("data.endpointgroups_drweb_group.test", map[string]knownvalue.Check{
			"id":          knownvalue.StringExact("123123123"),
			"description": knownvalue.StringExact(""),
			"path":        knownvalue.StringExact("TEST-GROUP"),
			"parent_id":   knownvalue.Null(),
			"created":     knownvalue.StringExact("2014-03-13T10:25:31Z"),
			"keys":        inheritance(knownvalue.Bool(true), emulator.EveryoneID, "Everyone", map[string]knownvalue.Check{"ids": strList("2e2522cc3ba5062f-aed721bcef305d0e")}),
		}), attrChecks("data.endpointgroups_drweb_group.servers", map[string]knownvalue.Check{
			"has_personal_settings": knownvalue.Bool(true),
			"child_groups":          knownvalue.Int64Exact(2),
			"keys":                  inheritance(knownvalue.Bool(false), "", "", map[string]knownvalue.Check{"ids": strList("ffeeddccbbaa9988-7766554433221100", "1122334455667788-99aabbccddeeff00")}),
		})...)...),
	})
}

func TestAccDrWebGroup_nameNarrowedByParent(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config: providerBlock(srv) + `
data "endpointgroups_drweb_group" "moscow_ws" {
  name      = "Workstations"
  parent_id = "` + idMoscow + `"
}
`,
		ConfigStateChecks: attrChecks("data.endpointgroups_drweb_group.moscow_ws", map[string]knownvalue.Check{
			"id":          knownvalue.StringExact(idMoscowWS),
			"parent_id":   knownvalue.StringExact(idMoscow),
			"parent_name": knownvalue.StringExact("Moscow"),
			"description": knownvalue.StringExact("Moscow desktops"),
		}),
	})
}

func TestAccDrWebGroup_errors(t *testing.T) {
	srv := startEmulator(t)
	for name, tc := range map[string]struct{ body, want string }{
		"unknown id":          {`id = "no-such-group"`, `Dr.Web Group Not Found`},
		"unknown id detail":   {`id = "no-such-group"`, `Dr.Web group "no-such-group" not found (Dr.Web API: GET ` + srv.URL + `/api/groups/info.ds?components=yes&format=json&id=no-such-group&keys=yes&rights=yes: HTTP 200 OK: error 8: Group no-such-group not found).`},
		"ambiguous":           {`name = "Workstations"`, `Ambiguous Dr.Web Group Name`},
		"ambiguous detail":    {`name = "Workstations"`, `2 Dr.Web groups are named "Workstations": "` + idBerlinWS + `" under "Berlin" (` + idBerlin + `), "` + idMoscowWS + `" under "Moscow" (` + idMoscow + `). Set parent_id to the parent of the one you mean, look it up by path, or by id.`},
		"case near miss":      {`name = "linux"`, `no Dr.Web group is named "linux" (searched 15 groups); names match case-sensitively, and these differ only in case: "Linux".`},
		"wrong parent":        {"name = \"Linux\"\n  parent_id = \"" + idOffices + "\"", `no Dr.Web group is named "Linux" directly under the group "` + idOffices + `" (searched 2 groups); groups with that name are at "Servers/Linux".`},
		"unknown parent":      {"name = \"Linux\"\n  parent_id = \"nowhere\"", `the parent group "nowhere" does not exist`},
		"unknown path":        {`path = "Offices/Paris"`, `no Dr.Web group has the path "Offices/Paris": there is no group named "Paris" under "Offices" (searched 2 groups)`},
		"bad path":            {`path = "Offices//Berlin"`, `The path "Offices//Berlin" has an empty name`},
		"path with parent":    {"path = \"Servers\"\n  parent_id = \"" + idServers + "\"", `Attribute "path" cannot be specified when "parent_id" is specified`},
		"id with parent":      {"id = \"" + idLinux + "\"\n  parent_id = \"" + idServers + "\"", `Attribute "id" cannot be specified when "parent_id" is specified`},
		"neither id nor name": {``, `Exactly one of these attributes must be configured: [id,name,path]`},
		"id and path":         {"id = \"a\"\n  path = \"b\"", `Exactly one of these attributes must be configured: [id,name,path]`},
	} {
		t.Run(name, func(t *testing.T) {
			accTest(t, resource.TestStep{
				Config:      providerBlock(srv) + "data \"endpointgroups_drweb_group\" \"x\" {\n  " + tc.body + "\n}\n",
				ExpectError: errorRe(tc.want),
			})
		})
	}
	// The error points at the attribute that is wrong: Terraform quotes its line.
	t.Run("unknown parent points at parent_id", func(t *testing.T) {
		accTest(t, resource.TestStep{
			Config:      providerBlock(srv) + "data \"endpointgroups_drweb_group\" \"x\" {\n  name = \"Linux\"\n  parent_id = \"nowhere\"\n}\n",
			ExpectError: regexp.MustCompile(`parent_id = "nowhere"\s+Error: Dr.Web Group Not Found|Error: Dr.Web Group Not Found[\s\S]*parent_id = "nowhere"\s+\S*\s*the parent group`),
		})
	})
}

func TestAccDrWebGroup_authFailure(t *testing.T) {
	srv := startEmulator(t)
	accTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "endpointgroups" {
  drweb {
    url      = %q
    login    = "admin"
    password = "wrong-password"
  }
}
data "endpointgroups_drweb_group" "x" {
  id = "%s"
}
`, srv.URL, idBerlin),
		ExpectError: errorRe(`authentication failed: Dr.Web API: GET ` + srv.URL + `/api/groups/info.ds?components=yes&format=json&id=` + idBerlin + `&keys=yes&rights=yes: HTTP 401 Unauthorized; the body starts with "Unauthorized" (check drweb.login and drweb.password, or DRWEB_LOGIN / DRWEB_PASSWORD, and the administrator's Web API permission)`),
	})
}

func TestAccDrWebGroup_htmlFromProxy(t *testing.T) {
	srv := startEmulator(t)
	srv.AddFault(emulator.Fault{Path: "/api/groups/info.ds", Status: 200, Body: "<html><head><title>Login</title></head><body>Corporate proxy</body></html>"})
	accTest(t, resource.TestStep{
		Config:      providerBlock(srv) + "data \"endpointgroups_drweb_group\" \"x\" {\n  id = \"" + idBerlin + "\"\n}\n",
		ExpectError: errorRe(`HTTP 200 OK: expected a JSON or XML body, got an HTML page (Content-Type text/html); a proxy or a wrong URL answers like this: check the server URL; the body starts with "<html><head><title>Login</title></head><body>Corporate proxy</body></html>"`),
	})
}

// Lookups by id that Terraform reads at the same time share info.ds requests.
// An OPSWAT lookup in the same configuration counts the provider processes
// (each fetches one token).
func TestAccDrWebGroup_concurrentLookupsAreBatched(t *testing.T) {
	srv := startEmulator(t)
	ids := []string{emulator.EveryoneID, "123123123", idOffices, idBerlin, idMoscow, idBerlinWS, idMoscowWS, idServers, idLinux, idWindows}
	var cfg strings.Builder
	cfg.WriteString(providerBlock(srv))
	cfg.WriteString("data \"endpointgroups_opswat_group\" \"count\" {\n  name = \"Default\"\n}\n")
	for i, id := range ids {
		fmt.Fprintf(&cfg, "data \"endpointgroups_drweb_group\" \"g%d\" {\n  id = %q\n}\n", i, id)
	}
	accTest(t, resource.TestStep{
		Config: cfg.String(),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.g9", tfjsonpath.New("name"), knownvalue.StringExact("Windows")),
		},
		Check: func(*terraform.State) error {
			processes := srv.IssuedTokens()
			requests, carried := 0, 0
			for _, r := range srv.Requests() {
				if r.Path == "/api/groups/info.ds" {
					requests++
					carried += len(r.Query["id"])
				}
			}
			if carried != processes*len(ids) {
				return fmt.Errorf("%d ids asked over %d provider processes, want %d", carried, processes, processes*len(ids))
			}
			// 10 reads per process; Terraform starts at most 10 at once. A
			// loaded machine can split a batch: unbatched would be 10.
			if requests > 4*processes {
				return fmt.Errorf("%d info.ds requests for %d lookups in each of %d provider processes: lookups were not batched", requests, len(ids), processes)
			}
			return nil
		},
	})
}

// A server with a private certificate is trusted through ca_cert_pem, refused
// without it, and reachable with verification turned off.
func TestAccDrWebGroup_tls(t *testing.T) {
	srv := emulator.NewTLS(emulator.DefaultSeed())
	t.Cleanup(srv.Close)
	caPEM := certPEM(srv.Certificate())
	config := func(extra string) string {
		return fmt.Sprintf(`
provider "endpointgroups" {
  max_retries = 1
  drweb {
    url      = %q
    login    = "admin"
    password = "demo-password"
    %s
  }
}
data "endpointgroups_drweb_group" "x" {
  id = %q
}
`, srv.URL, extra, idLinux)
	}
	accTest(t,
		resource.TestStep{
			Config:      config(""),
			ExpectError: errorRe(`tls: failed to verify certificate: x509: certificate signed by unknown authority`),
		},
		resource.TestStep{
			Config: config(fmt.Sprintf("ca_cert_pem = %q", caPEM)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.x", tfjsonpath.New("name"), knownvalue.StringExact("Linux")),
				statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.x", tfjsonpath.New("packages").AtSliceIndex(0).AtMapKey("url"),
					knownvalue.StringRegexp(regexp.MustCompile(`^https://127\.0\.0\.1:\d+/download/download\.ds\?os=android&group-id=`+idLinux+`$`))),
			},
		},
		resource.TestStep{
			Config: config("insecure_skip_verify = true"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.x", tfjsonpath.New("id"), knownvalue.StringExact(idLinux)),
			},
		},
	)
}

// A path that can name no group is an invalid value of the path attribute
// at validate, before the provider is configured or a request is sent.
func TestAccDrWebGroupDataSource_pathSyntax(t *testing.T) {
	srv := startEmulator(t)
	var steps []resource.TestStep
	for _, p := range []string{"Offices/Berlin/", "/Offices", "Offices//Berlin", `Offices\Berlin`, " ", "Offices/ Berlin", "Offices /Berlin", "Offices/\tBerlin"} {
		steps = append(steps, resource.TestStep{
			Config: providerBlock(srv) + fmt.Sprintf("data \"endpointgroups_drweb_group\" \"x\" {\n  path = %q\n}\n", p),
			ExpectError: regexp.MustCompile(`Error: Invalid Dr.Web Group Path[\s\S]*with data.endpointgroups_drweb_group.x[\s\S]*path\s+=\s+` +
				regexp.QuoteMeta(fmt.Sprintf("%q", p)) + `[\s\S]*The\s+path`),
		})
	}
	steps = append(steps, resource.TestStep{
		PreConfig: func() {
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("invalid paths sent %d requests, want 0", n)
			}
		},
		Config: providerBlock(srv) + "data \"endpointgroups_drweb_group\" \"x\" {\n  path = \"Offices/Berlin\"\n}\n",
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.endpointgroups_drweb_group.x", tfjsonpath.New("id"), knownvalue.StringExact(idBerlin)),
		},
	})
	accTest(t, steps...)
}
