package emulator

// StatusGroupID is the system group Status: virtual, with no settings,
// never a station's primary group (the vendor's note on system groups).
const StatusGroupID = "48afe720-953c-4075-856c-361f3ff06b6d"

// primaryRefusal says why a group cannot be a station's primary group
// (parent-group), under s.mu; "" when it can. Status and every group
// below it are virtual; Everyone holds every station and is no one's
// primary group either.
func (s *Server) primaryRefusal(group string) string {
	if group == EveryoneID {
		return "Group 'Everyone' cannot be a primary group"
	}
	ix := s.drwebGroupsLocked()
	for g, hops := ix.group(group), 0; g != nil && hops <= len(ix.groups); g, hops = ix.group(g.ParentID), hops+1 {
		if g.ID == StatusGroupID {
			return "A 'Status' group cannot be a primary group"
		}
	}
	return ""
}
