package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// Interrupting a plan (Ctrl-C) while the provider waits out a Retry-After
// stops the wait and the retries: Terraform exits promptly with the
// provider's error, and the APIs see no further request.
func TestAccInterruptStopsRetries(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	srv := startEmulator(t)
	for _, path := range []string{groupsPath, "/api/groups/info.ds"} {
		srv.AddFault(emulator.Fault{Path: path, Status: 503, RetryAfter: "120", Body: "Service Unavailable"})
	}
	dir := workdir(t, faultConfig(srv, 5, "30s"))

	// The test's own limit: far beyond a prompt exit, far below the waits.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := c.Command(ctx, dir, nil, "plan", "-no-color", "-input=false")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for srv.Count(groupsPath) == 0 || srv.Count("/api/groups/info.ds") == 0 {
		if ctx.Err() != nil {
			t.Fatalf("the provider never reached the APIs:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // into the Retry-After wait
	interrupted := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	took := time.Since(interrupted)
	if ctx.Err() != nil {
		t.Fatalf("terraform was still running %s after the interrupt:\n%s", took.Round(time.Second), out.String())
	}
	if err == nil {
		t.Fatalf("the interrupted plan succeeded:\n%s", out.String())
	}
	for _, path := range []string{groupsPath, "/api/groups/info.ds"} {
		if n := srv.Count(path); n != 1 {
			t.Errorf("%s was requested %d times, want 1: the interrupt must stop the retries", path, n)
		}
	}
	t.Logf("terraform exited %s after the interrupt:\n%s", took.Round(time.Millisecond), out.String())
	for _, want := range []string{"Interrupt received", "Error: OPSWAT Request Cancelled", "Error: Dr.Web Request Cancelled"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output does not show %q", want)
		}
	}
}

// No secret reaches Terraform's output or its TRACE log (which holds the
// provider's request and response logs): not the access token, the client
// secret, a token the provider was issued, the Dr.Web password or the
// Basic-auth header value; on success, and on every error path, including
// servers that echo what they received.
func TestAccSecretsStayOutOfLogs(t *testing.T) {
	c := newCLI(t)
	t.Parallel()
	const (
		clientSecret = "cs-Secret-4711-client"
		staticToken  = "at-9f8e7d6c5b4a-token"
		password     = "pw-Dr.Web-s3cret!"
		wrongSecret  = "cs-Wrong-0815-client"
		wrongToken   = "at-0000wrong0000-token"
		wrongPass    = "pw-Wrong-s3cret!"
		// Secrets that need escaping in JSON and XML, and one of three characters.
		oddPass    = `pw-"Zürich"<&>'`
		shortPass  = "Q7x"
		camelToken = "at-camel-case-live-token"
		formToken  = "at-form-encoded-live-token"
		urlPass    = "pw-in-the-url-9911"
	)
	jsonEscaped := strings.NewReplacer(`"`, `\"`, "ü", `\u00fc`).Replace(oddPass)
	xmlEscaped := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(oddPass)
	seed := emulator.DefaultSeed()
	seed.OPSWAT.ClientSecret = clientSecret
	seed.OPSWAT.Tokens = []string{staticToken}
	seed.DrWeb.Password = password

	const lookups = `
data "endpointgroups_opswat_group" "by_name" {
  name = "Kiosks"
}
data "endpointgroups_opswat_groups" "all" {}
data "endpointgroups_drweb_group" "by_id" {
  id = "` + idLinux + `"
}
data "endpointgroups_drweb_group" "by_name" {
  name = "Servers"
}
`
	// config sets the given credential lines in the provider's blocks; the
	// rest comes from the environment.
	config := func(url, drwebURL, opswatAuth, drwebAuth string) string {
		urlLine := fmt.Sprintf("url   = %q", url)
		if drwebURL != "" { // from the environment
			urlLine = ""
		}
		return fmt.Sprintf(`
provider "endpointgroups" {
  max_retries = 1
  opswat {
    base_url = %[1]q
    %[2]s
  }
  drweb {
    %[4]s
    login = "admin"
    %[3]s
  }
}
`, url, opswatAuth, drwebAuth, urlLine) + lookups
	}
	credentials := fmt.Sprintf("client_id = \"demo-client\"\n    client_secret = %q", clientSecret)
	passwordLine := func(p string) string { return fmt.Sprintf("password = %q", p) }
	for _, tc := range []struct {
		name   string
		opswat string // credential lines of the opswat block
		drweb  string // and of the drweb block
		env    []string
		faults []emulator.Fault
		want   []string // in the output

		password string                   // the Dr.Web password the server expects, when not the usual one
		drwebURL func(base string) string // the Dr.Web URL, when not the emulator's
	}{
		{name: "client credentials", opswat: credentials, drweb: passwordLine(password)},
		{name: "access token", opswat: fmt.Sprintf("access_token = %q", staticToken), drweb: passwordLine(password)},
		{name: "environment", env: []string{"OPSWAT_ACCESS_TOKEN=" + staticToken, "DRWEB_PASSWORD=" + password}},
		{
			name: "wrong client secret and password", drweb: passwordLine(wrongPass),
			opswat: fmt.Sprintf("client_id = \"demo-client\"\n    client_secret = %q", wrongSecret),
			want:   []string{"OPSWAT Client Credentials Rejected", "Dr.Web Authentication Failed"},
		},
		{
			name: "wrong access token", opswat: fmt.Sprintf("access_token = %q", wrongToken), drweb: passwordLine(password),
			want: []string{"OPSWAT Access Token Rejected"},
		},
		{
			name: "wrong secrets from the environment",
			env:  []string{"OPSWAT_CLIENT_ID=demo-client", "OPSWAT_CLIENT_SECRET=" + wrongSecret, "DRWEB_PASSWORD=" + wrongPass},
			want: []string{"OPSWAT Client Credentials Rejected", "Dr.Web Authentication Failed"},
		},
		{
			name: "servers that fail and echo the secrets", opswat: credentials, drweb: passwordLine(password),
			faults: []emulator.Fault{
				{Path: groupsPath, Status: 400, ContentType: "application/json", Body: `{"error":"bad request from client_secret=` + clientSecret + `"}`},
				{Path: "/api/groups/info.ds", Status: 503, Body: "upstream refused Authorization: Basic " + basic(password)},
				{Path: "/api/groups/list.ds", Status: 500, ContentType: "text/xml", Body: `<drweb-avdesk-api status="false"><error><errno>500</errno><message>password ` + password + ` refused</message></error></drweb-avdesk-api>`},
			},
			want: []string{"OPSWAT API Error", "access_token=REDACTED", "HTTP 503"},
		},
		{
			// Error texts quote 200 bytes of a body: the secret must be redacted before the cut.
			name: "secrets where an error text is cut", opswat: credentials, drweb: passwordLine(password),
			faults: []emulator.Fault{
				{Path: "/o/oauth/token", Status: 400, ContentType: "text/plain", Body: strings.Repeat("x", 186) + " " + clientSecret + " tail"},
				{Path: "/api/groups/info.ds", Status: 503, ContentType: "text/plain", Body: strings.Repeat("y", 190) + " " + password},
			},
			want: []string{"OPSWAT Client Credentials Rejected", "HTTP 503"},
		},
		{
			// TRACE logs show 4,096 bytes of a body: the same there.
			name: "secrets where a TRACE log is cut", opswat: credentials, drweb: passwordLine(password),
			faults: []emulator.Fault{
				{Path: "/api/groups/list.ds", Status: 503, ContentType: "text/plain", Body: strings.Repeat("z", 4080) + " Basic " + basic(password)},
			},
			want: []string{"HTTP 503"},
		},
		{
			// A plain token endpoint that echoes the form it was sent.
			name: "an echoing token endpoint", opswat: credentials, drweb: passwordLine(password),
			faults: []emulator.Fault{
				{Path: "/o/oauth/token", Status: 400, ContentType: "text/plain", Body: "bad request: client_id=demo-client&client_secret=" + clientSecret + "&grant_type=client_credentials"},
			},
			want: []string{"OPSWAT Client Credentials Rejected"},
		},
		{
			name: "escaped echoes of a password", opswat: credentials, drweb: passwordLine(oddPass), password: oddPass,
			faults: []emulator.Fault{
				{Path: "/api/groups/info.ds", Status: 500, ContentType: "application/json", Body: `{"head":{"status":false},"error":{"code":1,"message":"password \"` + jsonEscaped + `\" refused"}}`},
				{Path: "/api/groups/list.ds", Status: 500, ContentType: "text/xml", Body: `<drweb-es-api status="false"><error><errno>1</errno><message>password ` + xmlEscaped + ` refused</message></error></drweb-es-api>`},
			},
			want: []string{"Dr.Web API Error"},
		},
		{
			name: "a password of three characters", opswat: credentials, drweb: passwordLine(shortPass), password: shortPass,
			faults: []emulator.Fault{
				{Path: "/api/groups/info.ds", Status: 500, ContentType: "text/plain", Body: "password " + shortPass + " refused"},
			},
			want: []string{"Dr.Web API Error", "password REDACTED refused"},
		},
		{
			name: "token answers in other shapes", opswat: credentials, drweb: passwordLine(password),
			faults: []emulator.Fault{
				{Path: "/o/oauth/token", Times: 1, Status: 200, ContentType: "application/json", Body: `{"accessToken":"` + camelToken + `","expiresIn":3600}`},
				{Path: "/o/oauth/token", Status: 200, ContentType: "application/x-www-form-urlencoded", Body: "access_token=" + formToken + "&token_type=bearer&expires_in=3600"},
			},
			want: []string{"the token answer", "is not shown because it may hold a token"},
		},
		{
			name: "a password in DRWEB_URL", opswat: credentials, drweb: passwordLine(password),
			drwebURL: func(base string) string { return strings.Replace(base, "http://", "http://admin:"+urlPass+"@", 1) },
			want:     []string{"Invalid Dr.Web URL", "http://REDACTED@127.0.0.1", "carries a login or password in the URL"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := seed
			if tc.password != "" {
				s.DrWeb.Password = tc.password
			}
			srv := emulator.New(s)
			t.Cleanup(srv.Close)
			for _, f := range tc.faults {
				srv.AddFault(f)
			}
			drwebURL := ""
			if tc.drwebURL != nil {
				drwebURL = tc.drwebURL(srv.URL)
			}
			dir := workdir(t, config(srv.URL, drwebURL, tc.opswat, tc.drweb))
			logFile := filepath.Join(t.TempDir(), "terraform.log")
			env := append([]string{"TF_LOG=TRACE", "TF_LOG_PATH=" + logFile}, tc.env...)
			if drwebURL != "" {
				env = append(env, "DRWEB_URL="+drwebURL)
			}
			out, err := c.run(dir, env, "plan", "-no-color", "-input=false")
			if (err == nil) != (len(tc.want) == 0) {
				t.Fatalf("terraform plan: %v\n%s", err, out)
			}
			flat := strings.Join(strings.Fields(out), " ") // Terraform wraps long lines
			for _, w := range tc.want {
				if !strings.Contains(flat, w) {
					t.Errorf("the output does not show %q:\n%s", w, out)
				}
			}
			logData, err := os.ReadFile(logFile)
			if err != nil {
				t.Fatal(err)
			}
			log := string(logData)
			if tc.drwebURL == nil && (!strings.Contains(log, "@module=endpointgroups.opswat") || !strings.Contains(log, "@module=endpointgroups.drweb")) {
				t.Fatalf("the TRACE log holds no provider request logs (%d bytes)", len(log))
			}
			secrets := map[string]string{
				"client secret": clientSecret, "access token": staticToken, "Dr.Web password": password,
				"wrong client secret": wrongSecret, "wrong access token": wrongToken, "wrong Dr.Web password": wrongPass,
				"Basic auth value": basic(password), "wrong Basic auth value": basic(wrongPass),
				"camelCase token": camelToken, "form-encoded token": formToken, "password in a URL": urlPass,
				"odd password": oddPass, "odd password, JSON-escaped": jsonEscaped, "odd password, XML-escaped": xmlEscaped,
				"Basic value of the odd password": basic(oddPass),
			}
			if tc.password == shortPass { // three characters: look for them where they stand alone
				secrets["short password"] = " " + shortPass + " "
			}
			for i, tok := range srv.IssuedTokenValues() {
				secrets[fmt.Sprintf("issued token %d", i+1)] = tok
			}
			for what, secret := range secrets {
				for where, text := range map[string]string{"output": out, "TRACE log": log} {
					if i := strings.Index(text, secret); i >= 0 {
						t.Errorf("the %s shows the %s: …%s…", where, what, text[max(0, i-200):min(len(text), i+len(secret)+50)])
					}
				}
			}
		})
	}
}

// basic is the Basic value of the emulator's administrator, admin, with password.
func basic(password string) string {
	return base64.StdEncoding.EncodeToString([]byte("admin:" + password))
}
