package opswat

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// Errors a caller can test for with errors.Is.
var (
	// ErrTokenRejected: the API refused a fixed access token.
	ErrTokenRejected = errors.New("access token rejected")
	// ErrCredentialsRejected: the token endpoint refused the client credentials.
	ErrCredentialsRejected = errors.New("client credentials rejected")
)

// NotFoundError: no group has the id or name asked for.
type NotFoundError struct {
	By, Value string
	Searched  int      // how many groups were looked at
	CaseOnly  []string // names that differ from the one asked for only in case
	// FromCache: the groups searched were a cache entry of this age, not
	// the API's list of now.
	FromCache bool
	CacheAge  time.Duration
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("no OPSWAT group has %s %q (searched %s)", e.By, e.Value, groupsCount(e.Searched))
	if e.FromCache {
		msg = fmt.Sprintf("no OPSWAT group has %s %q in the cached group list, listed %s ago (searched %s)", e.By, e.Value, e.CacheAge.Round(time.Second), groupsCount(e.Searched))
	}
	if len(e.CaseOnly) > 0 {
		msg += fmt.Sprintf("; names match case-sensitively, and these differ only in case: %s", client.QuoteAll(e.CaseOnly))
	}
	return msg
}

func groupsCount(n int) string {
	if n == 1 {
		return "1 group"
	}
	return fmt.Sprintf("%d groups", n)
}

// AmbiguousError: several groups have the name asked for.
type AmbiguousError struct {
	Name   string
	IDs    []string
	Groups []Group // the groups of that name, in the order of IDs
}

// Error names each group by id and domain_name, which is what tells
// same-named groups apart in the console.
func (e *AmbiguousError) Error() string {
	each := make([]string, len(e.IDs))
	for i, id := range e.IDs {
		each[i] = strconv.Quote(id)
		if i < len(e.Groups) {
			if d := e.Groups[i].DomainName; d != "" {
				each[i] += fmt.Sprintf(" (domain_name %q)", d)
			} else {
				each[i] += " (no domain_name)"
			}
		}
	}
	return fmt.Sprintf("%d OPSWAT groups are named %q: %s", len(e.IDs), e.Name, strings.Join(each, ", "))
}

// CacheLockWaitError: the run was waiting for another run's group-list
// cache lock (that run's walk of the list) when its context ended, an
// interrupt or a deadline: errors.Is(err, context.Canceled) holds for an
// interrupt.
type CacheLockWaitError struct {
	Lock   string        // the lock file
	Held   time.Duration // how long the other run had held it when the wait began
	Holder string        // the holder as its lock names it, such as "pid 4242"
	Err    error
}

func (e *CacheLockWaitError) Error() string {
	return fmt.Sprintf("stopped while waiting for the OPSWAT group-list cache lock %s, which another run (%s) had held for %s while it listed the groups (%v)",
		e.Lock, e.holder(), e.HeldFor(), e.Err)
}

// HeldFor is Held rounded as the warning of the wait rounds it, so that
// the warning and the error name one time.
func (e *CacheLockWaitError) HeldFor() time.Duration { return roughly(e.Held) }

func (e *CacheLockWaitError) holder() string {
	if e.Holder == "" {
		return "pid unknown"
	}
	return e.Holder
}

func (e *CacheLockWaitError) Unwrap() error { return e.Err }
