package opswat

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
//
// The directory is shared ground: it may be a module's directory or one
// that other programs use too. So the cache removes only files it made,
// recognised by their exact names; it trusts no directory or file that is
// not the running user's own or that others can write (anyone who can write
// there could plant the list a run reads); it opens entries without
// following links, as regular files only and up to a size; and it never
// spins or waits silently on a lock.
const (
	cacheFormat     = 1
	cacheLockPoll   = 100 * time.Millisecond
	cacheLockTouch  = 2 * time.Second  // how often a walk under way marks its lock as alive
	cacheLockStale  = 30 * time.Second // a lock not marked for this long was left by a run that died
	cacheTempMaxAge = time.Hour        // temporary files and other accounts' locks older than this were left by a run that died
	// cacheLockMaxWait bounds the wait for another run's walk (at 10
	// requests a minute a walk of 10,000 groups takes about 20 minutes);
	// past it the run walks itself. An interrupt or the read's own
	// deadline ends the wait sooner.
	cacheLockMaxWait = 30 * time.Minute
	// cacheMaxEntryBytes caps what is read of an entry: about 200,000
	// groups. A larger file is not an entry this provider wrote.
	cacheMaxEntryBytes = 64 << 20
	cacheMaxLockBytes  = 1 << 10
	// cacheOtherEntryMaxAge is how old another account's (or URL's) entry
	// may be before a run prunes it: a bound of its own, since this run's
	// TTL says nothing of how long the other account's runs keep theirs.
	cacheOtherEntryMaxAge = 7 * 24 * time.Hour
)

// The names of the files the cache makes, and the only ones it removes.
var (
	cacheEntryName = regexp.MustCompile(`^[0-9a-f]{64}\.json$`)
	cacheLockName  = regexp.MustCompile(`^[0-9a-f]{64}\.lock$`)
	cacheTempName  = regexp.MustCompile(`^\.tmp-[0-9a-f]{12}-[0-9a-f]{16}$`)
)

// diskCache is one account's entry in a cache directory.
type diskCache struct {
	dir, key string
	ttl      time.Duration
	logger   client.Logger
	notices  *notices

	lockMaxWait time.Duration // cacheLockMaxWait; shorter in tests
	maxEntry    int           // cacheMaxEntryBytes; smaller in tests

	// reads and polls count the entry's reads and the lock wait's polls,
	// for tests: a wait must not re-read an entry that has not changed.
	reads, polls atomic.Int64
	locks        atomic.Int64 // how often the run took the lock, for tests

	checked sync.Once
	off     atomic.Bool                 // the directory or the entry is not trusted: no cache this run
	waiting atomic.Pointer[lockWaiting] // the lock the run is waiting on, while it does
}

// lockWaiting is a wait for another run's lock.
type lockWaiting struct {
	lock string
	held time.Duration // how long the holder had held it when the wait began
	pid  string
	dead bool // the holder ran on this host and no longer runs
}

// lockToken tells a run's own lock from one another run made in its place
// (after taking over a lock it judged stale), so that a run removes only
// its own.
func lockToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// thisHost names the host in a lock, so that only a run on the same host
// judges the holder's pid; "" when it is not known.
func thisHost() string {
	h, err := os.Hostname()
	if err != nil || strings.ContainsAny(h, " \n") {
		return ""
	}
	return h
}

// thisPIDNamespace names the pid namespace in a lock (Linux: the inode of
// /proc/self/ns/pid; "" elsewhere). Runs in containers that share the
// hostname (--uts host, CI with a fixed hostname) see other pids: a pid
// means something only in the namespace that wrote it.
func thisPIDNamespace() string {
	link, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return ""
	}
	ino, hasPrefix := strings.CutPrefix(link, "pid:[")
	ino, hasSuffix := strings.CutSuffix(ino, "]")
	if !hasPrefix || !hasSuffix || ino == "" || strings.Trim(ino, "0123456789") != "" {
		return ""
	}
	return ino
}

// heldLocks holds the tokens of the locks this process holds now: a lock
// naming this process's pid (in its namespace) but no token of these was
// left by an earlier process that had the same pid and died.
var heldLocks sync.Map

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

// cacheFile is an entry as it is stored. Groups is a pointer so that an
// entry without a list ("groups": null) is told from an empty one.
type cacheFile struct {
	Format    int       `json:"format"`
	Key       string    `json:"key"`
	FetchedAt time.Time `json:"fetched_at"`
	Groups    *[]Group  `json:"groups"`
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

const withoutCache = "this run lists the groups from the API without the cache"

// usable reports whether the run may use the cache directory: it is made
// (0700) when missing, and checked once a run.
func (d *diskCache) usable(ctx context.Context) bool {
	d.checked.Do(func() {
		if what := notADirectory(d.dir); what != "" {
			d.refuse(ctx, fmt.Sprintf("the cache directory %s is not used: %s; point the cache at a directory, or remove that. %s", d.dir, what, strings.ToUpper(withoutCache[:1])+withoutCache[1:]))
			return
		}
		if err := os.MkdirAll(d.dir, 0o700); err != nil {
			d.refuse(ctx, fmt.Sprintf("the cache directory %s cannot be made (%v); %s", d.dir, err, withoutCache))
			return
		}
		info, err := os.Stat(d.dir)
		switch {
		case err != nil:
			d.refuse(ctx, fmt.Sprintf("the cache directory %s cannot be examined (%v); %s", d.dir, err, withoutCache))
		case !info.IsDir():
			d.refuse(ctx, fmt.Sprintf("the cache directory %s is not a directory; %s", d.dir, withoutCache))
		default:
			if why := untrusted(info); why != "" {
				d.refuse(ctx, fmt.Sprintf("the cache directory %s is not used: %s. A cache directory must belong to the user the provider "+
					"runs as and be writable by no one else (mode 0700 or 0755), because anyone who can write there can plant the group "+
					"list a run reads; use a directory of your own; %s", d.dir, why, withoutCache))
			}
		}
	})
	return !d.off.Load()
}

// notADirectory says what the cache directory's path is when it is there
// and is no directory: a link that leads nowhere, a file, a FIFO.
func notADirectory(dir string) string {
	info, err := os.Lstat(dir)
	if err != nil {
		return "" // missing: made by MkdirAll
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(dir)
		switch to, err := os.Stat(dir); {
		case errors.Is(err, fs.ErrNotExist):
			return fmt.Sprintf("it is a symbolic link to %s, which does not exist", target)
		case err != nil:
			return fmt.Sprintf("it is a symbolic link to %s, which cannot be examined (%v)", target, err)
		case !to.IsDir():
			return fmt.Sprintf("it is a symbolic link to %s, which is %s", target, kindOf(to))
		}
		return ""
	}
	if !info.IsDir() {
		return "it is " + kindOf(info)
	}
	return ""
}

// kindOf names what a file that is no directory is.
func kindOf(info fs.FileInfo) string {
	m := info.Mode()
	switch {
	case m.IsRegular():
		return "a file, not a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO, not a directory"
	case m&fs.ModeDevice != 0:
		return "a device, not a directory"
	case m&fs.ModeSocket != 0:
		return "a socket, not a directory"
	}
	return "not a directory (" + m.Type().String() + ")"
}

// refuse turns the cache off for the run, saying why.
func (d *diskCache) refuse(ctx context.Context, why string) {
	d.off.Store(true)
	d.notices.add(ctx, why)
}

// read returns the account's entry, or nil when there is none. A file that
// is not this account's entry as the cache writes it (corrupt, another
// format, another key, too large) is reported and treated as none: the
// next walk rewrites it. One that the cache must not trust (a link, not a
// regular file, another user's, writable by others) turns the cache off
// for the run, since it would be unsafe to replace or to use.
func (d *diskCache) read(ctx context.Context) *cacheEntry {
	if !d.usable(ctx) {
		return nil
	}
	p := d.path()
	d.reads.Add(1)
	data, refused, err := readOwnFile(p, int64(d.maxBytes()))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case refused != "":
		d.refuse(ctx, fmt.Sprintf("the group-list cache file %s is not used: %s; remove it. This run lists the groups from the API without the cache", p, refused))
		return nil
	case errors.Is(err, errTooLarge):
		d.notices.add(ctx, fmt.Sprintf("the group-list cache file %s was ignored: it is larger than the %s an entry may be; it is replaced after the next walk of the list", p, mib(d.maxBytes())))
		return nil
	case err != nil:
		d.notices.add(ctx, fmt.Sprintf("the group-list cache file %s cannot be read (%v); the groups are listed from the API instead", p, err))
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
	case f.Groups == nil:
		why = "it holds no group list (\"groups\" is missing or null)"
	default:
		why = invalidGroups(*f.Groups)
	}
	if why != "" {
		d.notices.add(ctx, fmt.Sprintf("the group-list cache file %s was ignored: %s; it is replaced after the next walk of the list", p, why))
		return nil
	}
	age := time.Since(f.FetchedAt)
	// An entry from the future (a clock set back) is not trusted as fresh.
	return &cacheEntry{groups: *f.Groups, age: max(age, 0), fresh: d.ttl > 0 && age >= 0 && age <= d.ttl}
}

var errTooLarge = errors.New("larger than its cap")

// invalidGroups says why a stored list is not one a walk of the API can
// give, or "": a walk keeps each id once, and every group has an id and a
// count of devices that is not negative. An entry that breaks this was not
// written by this provider, so it is corrupt.
func invalidGroups(groups []Group) string {
	seen := make(map[string]bool, len(groups))
	for i, g := range groups {
		switch {
		case g.ID == "":
			return fmt.Sprintf("group %d of its list has no id", i+1)
		case seen[g.ID]:
			return fmt.Sprintf("it lists the group id %q more than once", g.ID)
		case g.NumberOfDevices < 0:
			return fmt.Sprintf("the group id %q has a negative number of devices (%d)", g.ID, g.NumberOfDevices)
		}
		seen[g.ID] = true
	}
	return ""
}

// readOwnFile reads a cache file of at most limit bytes. refused says why
// the file must not be trusted (a link, not a regular file, another
// user's, writable by others). The file is examined before it is opened
// (a FIFO is never opened) and again through the open file (in case it
// was swapped in between).
func readOwnFile(p string, limit int64) (data []byte, refused string, err error) {
	info, err := os.Lstat(p)
	if err != nil {
		return nil, "", err
	}
	if why := notRegular(info); why != "" {
		return nil, why, nil
	}
	f, err := os.OpenFile(p, os.O_RDONLY|cacheOpenFlags, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", err
		}
		return nil, fmt.Sprintf("it cannot be opened as a regular file (%v)", err), nil
	}
	defer f.Close()
	info, err = f.Stat()
	if err != nil {
		return nil, "", err
	}
	if why := notRegular(info); why != "" {
		return nil, why, nil
	}
	if why := untrusted(info); why != "" {
		return nil, why, nil
	}
	if info.Size() > limit {
		return nil, "", errTooLarge
	}
	data, err = io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(data)) > limit {
		return nil, "", errTooLarge
	}
	return data, "", err
}

// notRegular says what a file is when it is not a regular file.
func notRegular(info fs.FileInfo) string {
	m := info.Mode()
	switch {
	case m.IsRegular():
		return ""
	case m&fs.ModeSymlink != 0:
		return "it is a symbolic link, which the cache never follows"
	case m.IsDir():
		return "it is a directory"
	case m&fs.ModeNamedPipe != 0:
		return "it is a FIFO, not a regular file"
	case m&fs.ModeDevice != 0:
		return "it is a device, not a regular file"
	}
	return "it is not a regular file (" + m.Type().String() + ")"
}

// store writes a complete walk as the account's entry, atomically, and
// prunes the directory's entries past the TTL (those of rotated tokens
// among them) and temporary files that runs left behind. A failure is a
// notice: the run has its groups either way.
func (d *diskCache) store(ctx context.Context, groups []Group, fetched time.Time) {
	if !d.usable(ctx) {
		return
	}
	if err := d.write(groups, fetched); errors.Is(err, errTooLarge) {
		d.notices.add(ctx, fmt.Sprintf("the group list was not stored in the cache directory %s: it takes more than the %s an entry may be, "+
			"so no run could read it back; the runs after this one list the groups from the API", d.dir, mib(d.maxBytes())))
		return
	} else if err != nil {
		d.notices.add(ctx, fmt.Sprintf("the group list could not be stored in the cache directory %s (%v); the next run lists the groups again", d.dir, err))
		return
	}
	if d.ttl > 0 { // a refresh (no TTL of its own) does not judge other entries
		d.prune()
	}
}

// write stores groups as the entry, fetched_at being when the walk's first
// page came (now when that is not known).
func (d *diskCache) write(groups []Group, fetched time.Time) error {
	if groups == nil {
		groups = []Group{}
	}
	if fetched.IsZero() {
		fetched = time.Now()
	}
	data, err := json.Marshal(cacheFile{Format: cacheFormat, Key: d.key, FetchedAt: fetched.UTC(), Groups: &groups})
	if err != nil {
		return err
	}
	if len(data) > d.maxBytes() {
		return errTooLarge // read would refuse it, and it would only push a readable entry out
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	name := filepath.Join(d.dir, ".tmp-"+d.key[:12]+"-"+hex.EncodeToString(rnd[:]))
	tmp, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY|cacheOpenFlags, 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(name) // gone after the rename; left only by a failure
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
	return os.Rename(name, d.path())
}

// prune removes what runs left behind: other accounts' entries (a rotated
// token's) older than cacheOtherEntryMaxAge, and temporary files and other
// accounts' locks past an hour.
// Only files with the exact names the cache gives, regular files of the
// running user: whatever else is in the directory is not the cache's.
func (d *diskCache) prune() {
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return
	}
	now := time.Now()
	for _, e := range entries {
		name := e.Name()
		var maxAge time.Duration
		switch {
		case name == d.key+".json" || name == d.key+".lock":
			continue
		case cacheEntryName.MatchString(name):
			maxAge = cacheOtherEntryMaxAge
		case cacheTempName.MatchString(name), cacheLockName.MatchString(name):
			maxAge = cacheTempMaxAge
		default:
			continue
		}
		info, err := os.Lstat(filepath.Join(d.dir, name))
		if err != nil || !info.Mode().IsRegular() || untrusted(info) != "" || now.Sub(info.ModTime()) <= maxAge {
			continue
		}
		_ = os.Remove(filepath.Join(d.dir, name))
	}
}

// freshOrLock returns the account's fresh entry, or takes the account's
// lock and returns its release: the caller walks and stores. While another
// run holds the lock, it waits for that run's entry, saying so once. A lock
// not marked alive for cacheLockStale (or dated that far in the future, by
// a clock set back) was left by a run that died and is taken over. A lock
// that cannot be taken, examined or removed, or that is not a lock file of
// the running user, is reported once and the caller walks without it:
// never a loop without a pause.
func (d *diskCache) freshOrLock(ctx context.Context, deadline time.Time) (*cacheEntry, func(), error) {
	without := func() (*cacheEntry, func(), error) { return nil, func() {}, nil }
	if !d.usable(ctx) {
		return without()
	}
	if d.ttl <= 0 {
		// A refresh reads no entry, so it has nothing to wait for: it walks
		// at once and replaces the entry when it is done.
		return without()
	}
	lock := d.lockPath()
	// The read's deadline bounds the wait; cacheLockMaxWait only backs up
	// a read without one. Past the read's deadline the read has failed,
	// and it says it was waiting on the lock.
	byRead := true
	if wait := time.Now().Add(d.maxWait()); deadline.IsZero() || wait.Before(deadline) {
		deadline, byRead = wait, false
	}
	tookOver := false
	// The entry as last read: read again only once it changes. A holder's
	// entry is renamed into place, a new file: on a file system with coarse
	// timestamps its time and size may equal the old entry's, its identity
	// does not.
	var seen fs.FileInfo
	waited := false // another run held the lock: its entry may be there once it is gone
	for {
		d.polls.Add(1)
		info, statErr := os.Lstat(d.path())
		if statErr != nil || seen == nil || !os.SameFile(info, seen) || !info.ModTime().Equal(seen.ModTime()) || info.Size() != seen.Size() {
			if e := d.read(ctx); e != nil && e.fresh {
				d.waiting.Store(nil)
				return e, nil, nil
			}
			seen = info
			if statErr != nil {
				seen = nil
			}
		}
		if !d.usable(ctx) { // the entry turned out not to be trusted
			return without()
		}
		f, err := os.OpenFile(lock, os.O_CREATE|os.O_EXCL|os.O_WRONLY|cacheOpenFlags, 0o600)
		if err == nil {
			token := lockToken()
			heldLocks.Store(token, true)
			d.locks.Add(1)
			_, _ = fmt.Fprintf(f, "pid %d\nhost %s\npidns %s\ntoken %s\nsince %s\n", os.Getpid(), thisHost(), thisPIDNamespace(), token,
				time.Now().UTC().Format(time.RFC3339Nano))
			_ = f.Close()
			d.waiting.Store(nil)
			release := d.hold(token)
			if waited {
				// The lock was released between this poll's look at the entry
				// and the lock: the entry read once more, lest the run walk
				// again what the holder has just stored (an entry rewritten in
				// place may keep its time, size and identity).
				if e := d.read(ctx); e != nil && e.fresh {
					release()
					return e, nil, nil
				}
			}
			return nil, release, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			d.notices.add(ctx, fmt.Sprintf("the cache lock %s cannot be taken (%v); the groups are listed from the API without waiting for other runs", lock, err))
			return without()
		}
		waited = true
		info, err = os.Lstat(lock)
		switch {
		case errors.Is(err, fs.ErrNotExist): // released a moment ago: its entry is there now
		case err != nil:
			d.notices.add(ctx, fmt.Sprintf("the cache lock %s cannot be examined (%v); the groups are listed from the API without waiting for other runs", lock, err))
			return without()
		case notRegular(info) != "" || untrusted(info) != "":
			d.notices.add(ctx, fmt.Sprintf("the cache lock %s is not a lock this provider made: %s; remove it. The groups are listed from the API without "+
				"waiting for other runs", lock, cmp.Or(notRegular(info), untrusted(info))))
			return without()
		default:
			age := time.Since(info.ModTime())
			w, content := d.holder(lock, age)
			if age > cacheLockStale || age < -cacheLockStale || w.dead {
				how := fmt.Sprintf("%s, not marked alive for %s", w.pid, roughly(age))
				switch {
				case w.dead:
					how = fmt.Sprintf("%s on this host, which no longer runs, after holding it for %s", w.pid, roughly(w.held))
				case age < 0:
					how = fmt.Sprintf("%s, dated %s in the future (a clock set back)", w.pid, roughly(-age))
				}
				if tookOver {
					d.notices.add(ctx, fmt.Sprintf("the cache lock %s is left stale again (%s) after it was taken over; the groups are listed "+
						"from the API without waiting for other runs", lock, how))
					return without()
				}
				took, err := d.takeOver(lock, info, content)
				if err != nil {
					d.notices.add(ctx, fmt.Sprintf("the cache lock %s was left by a run that died (%s), but it cannot be removed (%v); remove it. "+
						"The groups are listed from the API without waiting for other runs", lock, how, err))
					return without()
				}
				if took {
					d.notices.add(ctx, fmt.Sprintf("the cache lock %s was left by a run that died (%s): this run took it over and lists the groups", lock, how))
					tookOver = true
					continue
				}
				// Another run is taking it over, or took it: its lock is
				// judged at the next poll.
			} else if d.waiting.Load() == nil {
				d.waiting.Store(w)
				d.notices.add(ctx, fmt.Sprintf("another run (%s) has held the cache lock %s for %s and is listing the groups: this run waited for "+
					"its entry rather than list them again, for up to %s (an interrupt ends the wait)", w.pid, lock, roughly(w.held),
					roughly(time.Until(deadline))))
			}
		}
		if time.Now().After(deadline) {
			if byRead && d.waiting.Load() != nil {
				return nil, nil, d.interrupted(context.DeadlineExceeded)
			}
			d.waiting.Store(nil)
			d.notices.add(ctx, fmt.Sprintf("another run has held the cache lock %s for more than %s; this run lists the groups itself", lock, d.maxWait()))
			return without()
		}
		if err := client.Sleep(ctx, cacheLockPoll); err != nil {
			return nil, nil, d.interrupted(err)
		}
	}
}

// takeOver removes the lock judged dead (judged is how it was examined,
// content what it held, nil when it could not be read) and never another:
// two runs judging one dead lock at once must not both take it, nor the
// later one remove the lock the earlier one made in its place. So the run
// first links the lock to a claim named by what it judged: only one run
// can make that name. Through the claim it checks that the lock is still
// the file it judged (same file, not marked since, same content); only
// then does it remove the lock. took is false when another run holds the
// claim, or the lock is another one now: that lock is left alone.
func (d *diskCache) takeOver(lock string, judged fs.FileInfo, content []byte) (took bool, err error) {
	sum := sha256.Sum256(append(slices.Clone(content), judged.ModTime().UTC().Format(time.RFC3339Nano)...))
	claim := filepath.Join(d.dir, ".tmp-"+d.key[:12]+"-"+hex.EncodeToString(sum[:8]))
	if err := os.Link(lock, claim); err != nil {
		if errors.Is(err, fs.ErrExist) || errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		// A file system without hard links: the lock is removed as it is,
		// which two runs taking it over at that very moment may both do.
		if err := os.Remove(lock); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
		return true, nil
	}
	// Removed once the lock is: a claim left by a run that died here is
	// pruned as a temporary file, and until then runs walk without the lock.
	defer os.Remove(claim)
	info, err := os.Lstat(claim)
	if err != nil {
		return false, nil
	}
	data, _, readErr := readOwnFile(claim, cacheMaxLockBytes)
	if !os.SameFile(info, judged) || !info.ModTime().Equal(judged.ModTime()) || (content != nil && (readErr != nil || !bytes.Equal(data, content))) {
		return false, nil
	}
	if err := os.Remove(lock); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	return true, nil
}

// holder describes the run that holds a live lock, from what it wrote in
// it, and returns what it wrote (nil when it cannot be read).
func (d *diskCache) holder(lock string, sinceTouch time.Duration) (*lockWaiting, []byte) {
	w := &lockWaiting{lock: lock, held: max(sinceTouch, 0), pid: "pid unknown"}
	data, _, err := readOwnFile(lock, cacheMaxLockBytes)
	if err != nil {
		return w, nil
	}
	pid, host, pidns, token := 0, "", "", ""
	for line := range strings.Lines(string(data)) {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch k {
		case "pid":
			// Only a pid a kernel can give: kill() takes a 32-bit pid, so a
			// larger number would name another process, and 0 or a
			// negative one a whole group.
			if n, err := strconv.ParseInt(v, 10, 32); err == nil && n > 0 {
				w.pid, pid = "pid "+strconv.FormatInt(n, 10), int(n)
			}
		case "host":
			host = v
		case "pidns":
			pidns = v
		case "token":
			token = v
		case "since":
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil && !t.After(time.Now()) {
				w.held = time.Since(t)
			}
		}
	}
	// A pid means something only on the host and in the pid namespace
	// that wrote it: a lock from another host or namespace, or one that
	// does not say, is judged by its age alone. This process's own pid is
	// alive only with one of the tokens it holds: otherwise an earlier
	// process with that pid left the lock.
	if here := thisHost(); pid > 0 && here != "" && host == here && pidns == thisPIDNamespace() {
		if pid == os.Getpid() {
			_, ours := heldLocks.Load(token)
			w.dead = token == "" || !ours
		} else {
			w.dead = !processAlive(pid)
		}
	}
	return w, data
}

// ownsLock reports whether the lock file still holds this run's token.
func ownsLock(lock, token string) bool {
	data, _, err := readOwnFile(lock, cacheMaxLockBytes)
	return err == nil && strings.Contains(string(data), "\ntoken "+token+"\n")
}

// interrupted is the error of a wait for another run's lock that err ended.
func (d *diskCache) interrupted(err error) error {
	if w := d.waiting.Load(); w != nil {
		return &CacheLockWaitError{Lock: w.lock, Held: w.held, Holder: w.pid, Err: err}
	}
	return err
}

// roughly is a duration as a person reads it: seconds, or tenths below ten.
func roughly(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

func (d *diskCache) maxWait() time.Duration { return cmp.Or(d.lockMaxWait, cacheLockMaxWait) }

func (d *diskCache) maxBytes() int { return cmp.Or(d.maxEntry, cacheMaxEntryBytes) }

// mib is a size cap as a person reads it.
func mib(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// hold marks the lock alive until the returned release removes it. Both
// touch and remove only a lock that still holds token: a run suspended past
// cacheLockStale may find its lock taken over, and that lock is the other
// run's.
func (d *diskCache) hold(token string) func() {
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
				if ownsLock(d.lockPath(), token) {
					_ = os.Chtimes(d.lockPath(), now, now)
				}
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		if ownsLock(d.lockPath(), token) {
			_ = os.Remove(d.lockPath())
		}
		heldLocks.Delete(token)
	}
}

// forget removes the account's entry (a refresh that does not walk the
// whole list), so that the next run with a TTL lists the account as it is
// rather than serve the old list. Only the cache's own regular file.
// The error is that of a removal that failed (never a missing entry).
func (d *diskCache) forget(ctx context.Context) error {
	if !d.usable(ctx) {
		return nil
	}
	if info, err := os.Lstat(d.path()); err == nil && info.Mode().IsRegular() && untrusted(info) == "" {
		if err := os.Remove(d.path()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// notices are things a run should be told once, such as a cache file that
// was ignored; each is also logged as a warning when it is added.
type notices struct {
	logger client.Logger
	mu     sync.Mutex
	list   []string
	seen   map[string]bool
}

func (n *notices) add(ctx context.Context, s string) {
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
	n.logger.Warn(ctx, s, nil)
}

// peek returns the notices not yet taken, leaving them.
func (n *notices) peek() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.list)
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
