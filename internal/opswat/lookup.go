package opswat

import (
	"context"
	"fmt"
	"strings"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// NotFoundError: no group has the id or name asked for.
type NotFoundError struct {
	By, Value string
	Searched  int      // how many groups were looked at
	CaseOnly  []string // names that differ from the one asked for only in case
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("no OPSWAT group has %s %q (searched %d groups)", e.By, e.Value, e.Searched)
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

// GroupByID finds a group by id in the full group list (there is no
// get-by-id endpoint; the list is walked once per Client).
func (c *Client) GroupByID(ctx context.Context, id string) (Group, error) {
	groups, err := c.ListGroups(ctx, ListOptions{})
	if err != nil {
		return Group{}, err
	}
	for _, g := range groups {
		if g.ID == id {
			return g, nil
		}
	}
	return Group{}, &NotFoundError{By: "id", Value: id, Searched: len(groups)}
}

// GroupByName finds the one group with exactly this name (case-sensitive).
func (c *Client) GroupByName(ctx context.Context, name string) (Group, error) {
	groups, err := c.ListGroups(ctx, ListOptions{})
	if err != nil {
		return Group{}, err
	}
	var found []Group
	var caseOnly []string
	for _, g := range groups {
		switch {
		case g.Name == name:
			found = append(found, g)
		case strings.EqualFold(g.Name, name):
			caseOnly = append(caseOnly, g.Name)
		}
	}
	switch len(found) {
	case 0:
		return Group{}, &NotFoundError{By: "name", Value: name, Searched: len(groups), CaseOnly: caseOnly}
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, g := range found {
		ids[i] = g.ID
	}
	return Group{}, &AmbiguousError{Name: name, IDs: ids}
}
