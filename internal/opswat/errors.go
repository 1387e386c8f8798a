package opswat

import (
	"errors"
	"fmt"
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
	msg := fmt.Sprintf("no OPSWAT group has %s %q (searched %d groups)", e.By, e.Value, e.Searched)
	if e.FromCache {
		msg = fmt.Sprintf("no OPSWAT group has %s %q in the cached group list, listed %s ago (searched %d groups)", e.By, e.Value, e.CacheAge.Round(time.Second), e.Searched)
	}
	if len(e.CaseOnly) > 0 {
		msg += fmt.Sprintf("; names match case-sensitively, and these differ only in case: %s", client.QuoteAll(e.CaseOnly))
	}
	return msg
}

// AmbiguousError: several groups have the name asked for.
type AmbiguousError struct {
	Name string
	IDs  []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%d OPSWAT groups are named %q, with ids %s", len(e.IDs), e.Name, client.QuoteAll(e.IDs))
}
