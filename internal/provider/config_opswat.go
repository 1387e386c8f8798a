package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/opswat"
)

// opswatSource is the OPSWAT block and the environment mapped onto the
// vendor's Config, before the vendor validates it.
type opswatSource struct {
	cfg     opswat.Config
	tls     tlsSettings
	fromEnv bool // the credentials came from the environment
	origin  opswatOrigin
}

// opswatOrigin is where OPSWAT settings that hints name came from: a hint
// gives the remedy that works there (the attribute wins over its variable,
// so a variable alone changes nothing when the attribute is set).
type opswatOrigin struct {
	cacheTTLInConfig bool
	cacheDirInConfig bool
	readTimeout      time.Duration // the data source's timeouts.read, for an error that reached it
}

// cacheRefreshHint says how to refresh the cached group list now, for
// cache_ttl set where it was.
func (o opswatOrigin) cacheRefreshHint() string {
	env := opswatSettings.byConfig(opswat.FieldCacheTTL).env
	if o.cacheTTLInConfig {
		return fmt.Sprintf("To refresh it now, run once with cache_ttl = \"0s\" in the provider's opswat block: the attribute wins over %s, "+
			"so setting the variable changes nothing while the attribute is set. To refresh from the command line instead, give cache_ttl "+
			"from a variable (cache_ttl = var.opswat_cache_ttl) and run with -var opswat_cache_ttl=0s. "+
			"A run with \"0s\" reads the account as it is now, at the cost of a run without the cache, and leaves no old list for the runs after it.", env)
	}
	return fmt.Sprintf("To refresh it now, run once with %s=0s: that run reads the account as it is now, at the cost of a run without "+
		"the cache, and leaves no old list for the runs after it.", env)
}

func sibling(name string) path.Expression { return path.MatchRelative().AtParent().AtName(name) }

var opswatVendor = vendorBlock{
	name: "OPSWAT", block: "opswat", subsystem: subsystemOPSWAT, product: "OPSWAT MetaDefender IT Access",
	doc: "OPSWAT MetaDefender IT Access. Authenticate with either a ready `access_token` or " +
		"`client_id` and `client_secret` (the OAuth client-credentials grant; the provider then renews tokens itself).",
	credentials: "access token and client secret", example: opswat.DefaultBaseURL, urlHint: "Use the API host, such as " + opswat.DefaultBaseURL + ".",
	url: opswat.FieldBaseURL, urlNamesHost: opswat.ErrBaseURLHasPath, problem: opswatConfigProblem,
}

// opswatConfigProblem words OPSWAT's two ways to authenticate: no
// credentials at all, or both.
func opswatConfigProblem(v vendorBlock, ce *client.ConfigError, name func(client.ConfigField) string) diag.Diagnostics {
	switch {
	case ce.Problem == client.Missing && ce.Field == opswat.FieldAccessToken:
		f, id, secret := v.byConfig(ce.Field), v.byConfig(opswat.FieldClientID), v.byConfig(opswat.FieldClientSecret)
		return notConfigured("OPSWAT Not Configured",
			fmt.Sprintf("This configuration reads OPSWAT MetaDefender IT Access groups, but the provider has no OPSWAT credentials. "+
				"In the provider's opswat block set %s (or the environment variable %s), or %s and %s "+
				"(or %s and %s).", f.attr, f.env, id.attr, secret.attr, id.env, secret.env))
	case ce.Problem == client.Conflict:
		return notConfigured("Conflicting "+v.name+" Credentials",
			fmt.Sprintf("Both %s and %s/%s are set. Set either an access token or client credentials, not both.",
				name(ce.Field), name(opswat.FieldClientID), name(opswat.FieldClientSecret)))
	}
	return nil
}

// opswatSettings is the opswat block: every setting, declared once.
var opswatSettings = newSettingsBlock(opswatVendor, append([]setting[opswatSource]{
	{
		field:   field{attr: "base_url", env: "OPSWAT_BASE_URL", config: opswat.FieldBaseURL, label: "base URL", title: "Base URL"},
		doc:     "The API host, without a path (the provider adds `/o/api/v3/…`). Environment variable `$ENV`; default `" + opswat.DefaultBaseURL + "`.",
		strings: []validator.String{urlValidator(opswat.ParseBaseURL, opswat.DefaultBaseURL)},
		apply: func(src *opswatSource, v value) diag.Diagnostics {
			src.cfg.BaseURL, src.tls.urlInConfig = v.raw, v.inConfig
			return nil
		},
	},
	{
		field: field{attr: "access_token", env: "OPSWAT_ACCESS_TOKEN", config: opswat.FieldAccessToken, label: "access token", title: "Access Token"},
		doc:   "A ready OAuth access token. Environment variable `$ENV`. Conflicts with `client_id` and `client_secret`.",
		strings: []validator.String{
			stringvalidator.LengthAtLeast(1),
			stringvalidator.ConflictsWith(sibling("client_id"), sibling("client_secret")),
		},
		sensitive: true, credential: true,
		apply: func(src *opswatSource, v value) diag.Diagnostics { src.cfg.AccessToken = v.raw; return nil },
	},
	{
		field:      field{attr: "client_id", env: "OPSWAT_CLIENT_ID", config: opswat.FieldClientID, label: "client ID", title: "Client ID"},
		doc:        "OAuth client ID for the client-credentials grant. Environment variable `$ENV`.",
		strings:    []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.AlsoRequires(sibling("client_secret"))},
		credential: true,
		apply:      func(src *opswatSource, v value) diag.Diagnostics { src.cfg.ClientID = v.raw; return nil },
	},
	{
		field:     field{attr: "client_secret", env: "OPSWAT_CLIENT_SECRET", config: opswat.FieldClientSecret, label: "client secret", title: "Client Secret"},
		doc:       "OAuth client secret for the client-credentials grant. Environment variable `$ENV`.",
		strings:   []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.AlsoRequires(sibling("client_id"))},
		sensitive: true, credential: true,
		apply: func(src *opswatSource, v value) diag.Diagnostics { src.cfg.ClientSecret = v.raw; return nil },
	},
	{
		field: field{attr: "requests_per_minute", env: "OPSWAT_REQUESTS_PER_MINUTE", config: opswat.FieldRequestsPerMinute,
			label: "requests per minute", title: "Requests Per Minute"},
		kind: int64Setting,
		doc: "The most requests the provider sends to OPSWAT in any minute; a plan that needs more " +
			"is paced, not rejected. From `120` on, walks of the group list read up to four pages ahead (see the rate-limits guide). " +
			"Environment variable `$ENV`; default `10`, the API's documented limit.",
		ints: []validator.Int64{int64validator.AtLeast(1)},
		apply: func(src *opswatSource, v value) diag.Diagnostics {
			n, ok := wholeNumber(v.raw, 1, 0)
			if v.inConfig { // the vendor names an attribute's bad value
				n, _ = strconv.Atoi(v.raw)
			} else if !ok {
				return badVariable(v, fmt.Sprintf("a whole number of at least 1 (the API allows %d)", opswat.DefaultRequestsPerMinute))
			}
			src.cfg.RequestsPerMinute = n
			return nil
		},
	},
	{
		field: field{attr: "cache_ttl", env: "OPSWAT_CACHE_TTL", config: opswat.FieldCacheTTL, label: "cache TTL", title: "Cache TTL"},
		doc: "Keep the account's complete group list across runs for this long, such as `\"10m\"`: within it, " +
			"lookups by id and by name and `endpointgroups_opswat_groups` without `search` cost no request at all, so a plan " +
			"and its apply, or the stacks and CI jobs of one machine, walk the list once between them. A name or id missing " +
			"from the cached list is \"not found\", and groups made in the console within the TTL are not seen: keep it to " +
			"minutes. `\"0s\"` refreshes now: that run reads the account as it is, at the cost of a run without the cache " +
			"(one name is still one search), and leaves no old list for the runs after it. The attribute wins over `$ENV`: " +
			"to refresh from the command line, give it from a variable. " +
			"Environment variable `$ENV`; default (unset): no cache. See the rate-limits guide.",
		strings: []validator.String{ttlValidator()},
		apply: func(src *opswatSource, v value) diag.Diagnostics {
			d, err := parseTTL(v.raw)
			if err != nil {
				where := "the environment variable " + v.env
				if v.inConfig {
					where = "opswat." + v.attr
				}
				return notConfigured("Invalid OPSWAT Cache TTL", fmt.Sprintf("The cache TTL in %s is invalid: %v.", where, err))
			}
			src.cfg.CacheTTL, src.cfg.CacheRefresh = d, d == 0
			src.origin.cacheTTLInConfig = v.inConfig
			return nil
		},
	},
	{
		field: field{attr: "cache_dir", env: "OPSWAT_CACHE_DIR", config: opswat.FieldCacheDir, label: "cache directory", title: "Cache Directory"},
		doc: "Where `cache_ttl` keeps its entries: one file per account, named by a hash of `base_url` and " +
			"`client_id` (or the access token), holding no credential, readable by its owner only. Runs that share the " +
			"directory wait for one walk. The directory must belong to the user the provider runs as and be writable by " +
			"no one else (mode `0700` or `0755`): anyone who can write there could plant the group list a run reads, so " +
			"a directory like `/tmp`, or another user's, is refused with a warning and the run reads the API without the " +
			"cache. The provider deletes only the files it made, by their exact names (`<hash>.json`, `<hash>.lock`, " +
			"`.tmp-…`), so a module's directory is safe; another account's entry is removed once it is 7 days old. A wait for another " +
			"run's walk is bounded by the data source's `timeouts.read`, and a lock left by a run of this host that died is taken over " +
			"at once. Environment variable `$ENV`; default: the user's " +
			"cache directory (`$XDG_CACHE_HOME` or `~/.cache` on Linux) `/terraform-provider-endpointgroups/opswat`.",
		strings: []validator.String{stringvalidator.LengthAtLeast(1)},
		apply: func(src *opswatSource, v value) diag.Diagnostics {
			src.cfg.CacheDir, src.origin.cacheDirInConfig = v.raw, v.inConfig
			return nil
		},
	},
}, tlsRows(opswatVendor, "OPSWAT_CA_CERT_FILE", "OPSWAT_INSECURE_SKIP_VERIFY",
	func(src *opswatSource) *tlsSettings { return &src.tls })...))

// resolveOPSWAT maps attributes and environment variables (attribute wins)
// onto the OPSWAT Config. A problem here is one of the sources itself: a
// value unknown at plan time, a variable that does not parse.
func resolveOPSWAT(values blockValues, getenv getenvFunc) (src opswatSource, problem diag.Diagnostics) {
	if src.fromEnv, problem = opswatSettings.resolve(values, getenv, &src); problem.HasError() {
		return src, problem
	}
	cacheOn := src.cfg.CacheTTL > 0 || src.cfg.CacheRefresh
	ttl, dir := opswatSettings.byConfig(opswat.FieldCacheTTL), opswatSettings.byConfig(opswat.FieldCacheDir)
	switch {
	case src.cfg.CacheDir != "" && !cacheOn:
		opswatSettings.warn(&problem, src.origin.cacheDirInConfig, dir, "OPSWAT Cache Directory Without a TTL", fmt.Sprintf("%s is set (%s), "+
			"but neither opswat.%s nor %s is, so there is no cache and the directory is not used. Set %s (such as \"10m\") "+
			"to keep the group list there, or remove %s", dir.attr, src.cfg.CacheDir, ttl.attr, ttl.env, ttl.attr, dir.attr))
	case src.cfg.CacheDir == "" && cacheOn:
		base, err := userCacheDir()
		if err != nil {
			// The cache saves requests; its absence costs some, never the run.
			src.cfg.CacheTTL, src.cfg.CacheRefresh = 0, false
			opswatSettings.warn(&problem, src.origin.cacheTTLInConfig, ttl, "No Directory for the OPSWAT Cache", fmt.Sprintf("%s is set, but the "+
				"user's cache directory is not known (%v), so this run lists the OPSWAT groups without the cache. Set opswat.%s or %s "+
				"to a directory of your own to use it", ttl.attr, err, dir.attr, dir.env))
			return src, problem
		}
		src.cfg.CacheDir = filepath.Join(base, "terraform-provider-endpointgroups", "opswat")
	}
	return src, problem
}

// userCacheDir is os.UserCacheDir; tests replace it.
var userCacheDir = os.UserCacheDir

// newOPSWAT builds the OPSWAT client; a problem means the OPSWAT data
// sources cannot run (the Dr.Web ones still can).
func newOPSWAT(values blockValues, getenv getenvFunc, s client.Settings) (c *opswat.Client, origin opswatOrigin, warnings, problem diag.Diagnostics) {
	src, problem := resolveOPSWAT(values, getenv)
	if problem.HasError() {
		return nil, src.origin, nil, problem
	}
	resolved := problem // warnings only
	c, warnings, problem = connect(opswatSettings.vendorBlock, src.tls, s, src.fromEnv, func(s client.Settings) (*opswat.Client, error) { return opswat.New(src.cfg, s) })
	return c, src.origin, append(resolved, warnings...), problem
}

// parseTTL reads a cache TTL: a duration such as 10m, or 0 for a refresh.
func parseTTL(s string) (time.Duration, error) {
	if strings.TrimSpace(s) == "" {
		// An empty attribute is a mistake (a variable left empty), not a
		// choice: unset means no cache, so it is not taken for that.
		return 0, fmt.Errorf("%q is empty: give a duration such as 10m, or 0s to refresh the cache now (leave it unset, null, for no cache)", s)
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil && durationSyntax.MatchString(strings.TrimSpace(s)) {
		return 0, fmt.Errorf("%q is too large: a duration can be at most %s (about 292 years); give one such as 10m", s, maxDuration)
	}
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write it like 10m or 1h, or 0s to refresh the cache now (leave it unset for no cache)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative: give a duration such as 10m, or 0s to refresh the cache now (leave it unset for no cache)", s)
	}
	return d, nil
}

// durationSyntax is what time.ParseDuration reads: a string of it that
// does not parse is out of range.
var durationSyntax = regexp.MustCompile(`^[-+]?([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+$`)

// maxDuration is the largest duration, as ParseDuration writes it.
const maxDuration = "2562047h47m16s"
