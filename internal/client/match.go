package client

import "strings"

// MatchName picks the items named exactly name (case-sensitive, as both
// vendors' lookups are), and lists the names that differ from it only in
// case, for an error that points at them.
func MatchName[T any](items []T, name string, nameOf func(T) string) (found []T, caseOnly []string) {
	for _, it := range items {
		switch n := nameOf(it); {
		case n == name:
			found = append(found, it)
		case strings.EqualFold(n, name):
			caseOnly = append(caseOnly, n)
		}
	}
	return found, caseOnly
}
