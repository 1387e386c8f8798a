package emulator

import "slices"

// The Dr.Web store is copied on write: every change stores a changed copy
// of the groups or stations and never edits a stored slice in place. So an
// index built on one stored slice stays true for as long as the store holds
// that slice, and a request costs what its answer holds, not the size of
// the seed (a 100,000-group tree is listed one parent at a time).

// drwebGroupIndex finds groups by id and by parent.
type drwebGroupIndex struct {
	groups []DrWebGroup
	pos    map[string]int // id → position in groups
	// last: where an id is stored twice (a test's doing), the position of
	// its last copy, which reads see; writes see the first.
	last     map[string]int
	children map[string][]int // parent id ("" for the top level) → positions, in store order
}

// drwebStationIndex finds stations by id and by group.
type drwebStationIndex struct {
	stations []DrWebStation
	pos      map[string]int // id → position in stations
	// listed: group → positions of the stations in it (as primary or
	// other group) that listings show, in store order; all: every one.
	listed map[string][]int
	all    []int
	// member: group → positions of every station in it, deleted ones
	// too (states.ds counts those).
	member map[string][]int
	counts map[string]int // group → the station count info.ds and list.ds print
}

// sameSlice reports whether a and b are one stored slice.
func sameSlice[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// drwebGroupsLocked is the index of the stored groups, under s.mu.
func (s *Server) drwebGroupsLocked() *drwebGroupIndex {
	groups := s.seed.DrWeb.Groups
	if ix := s.groupIndex; ix != nil && sameSlice(ix.groups, groups) {
		return ix
	}
	ix := &drwebGroupIndex{groups: groups, pos: make(map[string]int, len(groups)), children: map[string][]int{}}
	for i, g := range groups {
		if _, dup := ix.pos[g.ID]; dup {
			if ix.last == nil {
				ix.last = map[string]int{}
			}
			ix.last[g.ID] = i
		} else {
			ix.pos[g.ID] = i
		}
		ix.children[g.ParentID] = append(ix.children[g.ParentID], i)
	}
	s.groupIndex = ix
	return ix
}

// drwebStationsLocked is the index of the stored stations, made-up ones
// included, under s.mu.
func (s *Server) drwebStationsLocked() *drwebStationIndex {
	s.makeStationsLocked()
	stations := s.seed.DrWeb.Stations
	if ix := s.stationIndex; ix != nil && sameSlice(ix.stations, stations) {
		return ix
	}
	ix := &drwebStationIndex{stations: stations, pos: make(map[string]int, len(stations)),
		listed: map[string][]int{}, member: map[string][]int{}, counts: stationCounts(stations)}
	for i, st := range stations {
		if _, dup := ix.pos[st.ID]; !dup {
			ix.pos[st.ID] = i
		}
		for j, g := range append([]string{st.PrimaryGroup}, st.Groups...) {
			if j > 0 && (g == st.PrimaryGroup || slices.Contains(st.Groups[:j-1], g)) {
				continue // each station once per group
			}
			ix.member[g] = append(ix.member[g], i)
			if !st.Deleted {
				ix.listed[g] = append(ix.listed[g], i)
			}
		}
		if !st.Deleted {
			ix.all = append(ix.all, i)
		}
	}
	s.stationIndex = ix
	return ix
}

// find is the position of the group id, or -1.
func (ix *drwebGroupIndex) find(id string) int {
	if i, ok := ix.pos[id]; ok {
		return i
	}
	return -1
}

// group is the group id as reads see it, or nil.
func (ix *drwebGroupIndex) group(id string) *DrWebGroup {
	if i, ok := ix.last[id]; ok {
		return &ix.groups[i]
	}
	if i, ok := ix.pos[id]; ok {
		return &ix.groups[i]
	}
	return nil
}

// under reports whether id is parent or below it.
func (ix *drwebGroupIndex) under(id, parent string) bool {
	for cur, hops := id, 0; cur != "" && hops <= len(ix.groups); hops++ {
		if cur == parent {
			return true
		}
		i := ix.find(cur)
		if i < 0 {
			return false
		}
		cur = ix.groups[i].ParentID
	}
	return false
}

// subtree is id and every group below it.
func (ix *drwebGroupIndex) subtree(id string) map[string]bool {
	within := map[string]bool{id: true}
	for queue := []string{id}; len(queue) > 0; queue = queue[1:] {
		for _, i := range ix.children[queue[0]] {
			if c := ix.groups[i].ID; !within[c] {
				within[c] = true
				queue = append(queue, c)
			}
		}
	}
	return within
}

// in is the positions of the stations listed in any of the groups, each
// once, in store order.
func (ix *drwebStationIndex) in(groups map[string]bool) []int {
	if len(groups) == 1 {
		for g := range groups {
			return ix.listed[g]
		}
	}
	var rows []int
	for g := range groups {
		rows = append(rows, ix.listed[g]...)
	}
	slices.Sort(rows)
	return slices.Compact(rows)
}
