package opswat

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// The group-list cache keeps a complete walk of an account's groups across
// runs, so that a plan and its apply, the stacks of a monorepo and the CI
// jobs of one machine pay for one walk between them instead of one each,
// all from the account's one budget of requests. Only a complete walk is an
// entry. An entry is a file named by a hash of the base URL and the client
// id (or the access token): never a credential, in its name or in it. It is
// written to a temporary file and renamed into place, readable by its owner
// only. Runs that share the directory and find no fresh entry take a lock
// file in turn: one walks, the others wait for its entry.
const (
	cacheFormat     = 1
	cacheLockPoll   = 100 * time.Millisecond
	cacheLockTouch  = 2 * time.Second  // how often a walk under way marks its lock as alive
	cacheLockStale  = 30 * time.Second // a lock not marked for this long was left by a run that died
	cacheTempMaxAge = time.Hour        // temporary files older than this were left by a run that died
	// cacheLockMaxWait bounds the wait for another run's walk (at 10
	// requests a minute a walk of 10,000 groups takes about 20 minutes);
	// past it the run walks itself.
	cacheLockMaxWait = 30 * time.Minute
)

// diskCache is one account's entry in a cache directory.
type diskCache struct {
	dir, key string
	ttl      time.Duration
	logger   client.Logger
	notices  *notices

	lockMaxWait time.Duration // cacheLockMaxWait; shorter in tests
}

// cacheKey names an account's entry: a hash of the base URL and the client
// id, or of the base URL and the access token when there is no client id.
func cacheKey(baseURL, clientID, token string) string {
	who := "client_id:" + clientID
	if clientID == "" {
		who = "access_token:" + token
	}
	sum := sha256.Sum256([]byte("endpointgroups/opswat/groups\x00" + strings.TrimRight(baseURL, "/") + "\x00" + who))
	return hex.EncodeToString(sum[:])
}

// cacheFile is an entry as it is stored.
type cacheFile struct {
	Format    int       `json:"format"`
	Key       string    `json:"key"`
	FetchedAt time.Time `json:"fetched_at"`
	Groups    []Group   `json:"groups"`
}

// cacheEntry is an entry read back: its groups (the API's default order)
// and its age; fresh when within the TTL.
type cacheEntry struct {
	groups []Group
	age    time.Duration
	fresh  bool
}

func (d *diskCache) path() string     { return filepath.Join(d.dir, d.key+".json") }
func (d *diskCache) lockPath() string { return filepath.Join(d.dir, d.key+".lock") }

// read returns the account's entry, or nil when there is none. A file that
// is not an entry of this account (corrupt, another format, another key)
// is reported as a notice and treated as none: the next walk rewrites it.
func (d *diskCache) read() *cacheEntry {
	data, err := os.ReadFile(d.path())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		d.notices.add(fmt.Sprintf("the group-list cache file %s cannot be read (%v); the groups are listed from the API instead", d.path(), err))
		return nil
	}
	var f cacheFile
	why := ""
	switch err := json.Unmarshal(data, &f); {
	case err != nil:
		why = "it is not a cache entry (" + err.Error() + ")"
	case f.Format != cacheFormat:
		why = fmt.Sprintf("it has format %d, not %d", f.Format, cacheFormat)
	case f.Key != d.key:
		why = "it belongs to another account"
	case f.FetchedAt.IsZero():
		why = "it does not say when it was fetched"
	}
	if why != "" {
		d.notices.add(fmt.Sprintf("the group-list cache file %s was ignored: %s; it is replaced after the next walk of the list", d.path(), why))
		return nil
	}
	age := time.Since(f.FetchedAt)
	if f.Groups == nil {
		f.Groups = []Group{}
	}
	// An entry from the future (a clock set back) is not trusted as fresh.
	return &cacheEntry{groups: f.Groups, age: max(age, 0), fresh: d.ttl > 0 && age >= 0 && age <= d.ttl}
}

// store writes a complete walk as the account's entry, atomically, and
// prunes the directory's entries past the TTL (those of rotated tokens
// among them) and temporary files that runs left behind. A failure is a
// notice: the run has its groups either way.
func (d *diskCache) store(groups []Group) {
	if err := d.write(groups); err != nil {
		d.notices.add(fmt.Sprintf("the group list could not be stored in the cache directory %s (%v); the next run lists the groups again", d.dir, err))
		return
	}
	if d.ttl > 0 { // a refresh (no TTL of its own) does not judge other entries
		d.prune()
	}
}

func (d *diskCache) write(groups []Group) error {
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(cacheFile{Format: cacheFormat, Key: d.key, FetchedAt: time.Now().UTC(), Groups: groups})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(d.dir, ".tmp-"+d.key[:12]+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename; left only by a failure
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), d.path())
}

func (d *diskCache) prune() {
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return
	}
	now := time.Now()
	for _, e := range entries {
		name := e.Name()
		info, err := e.Info()
		if err != nil || e.IsDir() || name == d.key+".json" {
			continue
		}
		age := now.Sub(info.ModTime())
		if (strings.HasSuffix(name, ".json") && age > d.ttl) || (strings.HasPrefix(name, ".tmp-") && age > cacheTempMaxAge) {
			_ = os.Remove(filepath.Join(d.dir, name))
		}
	}
}

// freshOrLock returns the account's fresh entry, or takes the account's
// lock and returns its release: the caller walks and stores. While another
// run holds the lock, it waits for that run's entry. A lock not marked
// alive for cacheLockStale was left by a run that died and is taken over.
// When the lock cannot be taken at all (a read-only directory), the caller
// walks without it.
func (d *diskCache) freshOrLock(ctx context.Context) (*cacheEntry, func(), error) {
	waited := false
	deadline := time.Now().Add(d.maxWait())
	for {
		if e := d.read(); e != nil && e.fresh {
			return e, nil, nil
		}
		if err := os.MkdirAll(d.dir, 0o700); err != nil {
			d.notices.add(fmt.Sprintf("the cache directory %s cannot be made (%v); the groups are listed from the API without the cache", d.dir, err))
			return nil, func() {}, nil
		}
		f, err := os.OpenFile(d.lockPath(), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			_, _ = fmt.Fprintf(f, "pid %d\n", os.Getpid())
			_ = f.Close()
			return nil, d.hold(), nil
		}
		if !errors.Is(err, fs.ErrExist) {
			d.notices.add(fmt.Sprintf("the cache lock %s cannot be taken (%v); the groups are listed from the API without waiting for other runs", d.lockPath(), err))
			return nil, func() {}, nil
		}
		if info, err := os.Stat(d.lockPath()); err == nil && time.Since(info.ModTime()) > cacheLockStale {
			d.logger.Warn(ctx, "taking over an OPSWAT group-list cache lock that no run has marked alive", map[string]any{"lock": d.lockPath(), "age_seconds": int(time.Since(info.ModTime()).Seconds())})
			_ = os.Remove(d.lockPath())
			continue
		}
		if time.Now().After(deadline) {
			d.notices.add(fmt.Sprintf("another run has held the cache lock %s for more than %s; this run lists the groups itself", d.lockPath(), d.maxWait()))
			return nil, func() {}, nil
		}
		if !waited {
			waited = true
			d.logger.Debug(ctx, "another run is listing the OPSWAT groups; waiting for its cache entry", map[string]any{"lock": d.lockPath()})
		}
		if err := client.Sleep(ctx, cacheLockPoll); err != nil {
			return nil, nil, err
		}
	}
}

func (d *diskCache) maxWait() time.Duration { return cmp.Or(d.lockMaxWait, cacheLockMaxWait) }

// hold marks the lock alive until the returned release removes it.
func (d *diskCache) hold() func() {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(cacheLockTouch)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				_ = os.Chtimes(d.lockPath(), now, now)
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		_ = os.Remove(d.lockPath())
	}
}

// notices are things a run should be told once, such as a cache file that
// was ignored; each is also logged as a warning when it is added.
type notices struct {
	logger client.Logger
	mu     sync.Mutex
	list   []string
	seen   map[string]bool
}

func (n *notices) add(s string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen[s] {
		return
	}
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	n.seen[s] = true
	n.list = append(n.list, s)
	n.logger.Warn(context.Background(), s, nil)
}

func (n *notices) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.list
	n.list = nil
	return out
}

// TakeNotices returns what the run should be told about the group-list
// cache (a file ignored, a directory that cannot be written) since the
// last call: each notice once.
func (c *Client) TakeNotices() []string { return c.notices.take() }

// cached returns the account's cache entry when it is fresh, read once a
// run; nil without a cache or a fresh entry.
func (c *Client) cached(ctx context.Context) *cacheEntry {
	e := c.peek(ctx)
	if e != nil && e.fresh {
		return e
	}
	return nil
}

// peek reads the account's entry once a run, fresh or not: an entry past
// its TTL still tells how many groups the account had.
func (c *Client) peek(ctx context.Context) *cacheEntry {
	if c.cache == nil {
		return nil
	}
	e, _ := c.peeked.Do(ctx, "", func(context.Context) (*cacheEntry, error) { return c.cache.read(), nil })
	return e
}

// complete returns the account's complete group list in the API's default
// order: the fresh cache entry, or else one walk of the list (shared by the
// run's callers, and with the other runs on the cache directory), stored
// as the entry.
func (c *Client) complete(ctx context.Context) ([]Group, error) {
	if e := c.cached(ctx); e != nil {
		c.servedFromCache(e.age)
		return slices.Clone(e.groups), nil
	}
	groups, err := c.lists.Do(ctx, "complete", func(ctx context.Context) ([]Group, error) {
		e, release, err := c.cache.freshOrLock(ctx)
		if err != nil {
			return nil, err
		}
		if e != nil {
			c.servedFromCache(e.age)
			return e.groups, nil
		}
		defer release()
		return c.prefix.finish(ctx, c) // stored as the entry when complete
	})
	return slices.Clone(groups), err
}

// servedFromCache records that the run's list came from a cache entry of
// this age.
func (c *Client) servedFromCache(age time.Duration) { c.cacheAge.Store(int64(age) + 1) }

// cacheServed returns the age of the cache entry the run's list came from;
// ok is false when it came from the API.
func (c *Client) cacheServed() (age time.Duration, ok bool) {
	v := c.cacheAge.Load()
	return time.Duration(v - 1), v > 0
}

// sortGroups orders a complete list (the API's default order: group_name
// ascending) as opts asks, by the documented sort fields: names compared
// without regard to case, device counts as numbers, last_update by the
// time of the last change; ties keep the default order.
func sortGroups(groups []Group, opts ListOptions) []Group {
	out := slices.Clone(groups)
	if opts.SortField == "group_name" && opts.SortOrder == "asc" {
		return out
	}
	text := func(g Group) string {
		switch opts.SortField {
		case "domain_name":
			return g.DomainName
		case "policy_name":
			return g.PolicyName
		case "last_update":
			return g.LastModified
		}
		return g.Name
	}
	slices.SortStableFunc(out, func(a, b Group) int {
		var r int
		if opts.SortField == "number_of_devices" {
			r = cmp.Compare(a.NumberOfDevices, b.NumberOfDevices)
		} else {
			r = cmp.Compare(strings.ToLower(text(a)), strings.ToLower(text(b)))
		}
		if opts.SortOrder == "desc" {
			r = -r
		}
		return r
	})
	return out
}
