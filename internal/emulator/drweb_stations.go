package emulator

import (
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// DrWebStation is a station as the emulator stores it: one primary group and
// any number of other groups.
type DrWebStation struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	PrimaryGroup string   `json:"primary_group"`
	Groups       []string `json:"groups,omitempty"` // groups besides the primary one
	// State as AV-Desk numbers it: 0 offline, 1 online, 2 newbie accepted,
	// 3 newbie denied.
	State        int    `json:"state"`
	LastSeen     int64  `json:"last_seen,omitempty"` // Unix seconds; 0: never
	LastSeenAddr string `json:"last_seen_addr,omitempty"`
	// What states.ds counts besides the state.
	Unactivated  bool `json:"unactivated,omitempty"`
	New          bool `json:"new,omitempty"`
	Deinstalled  bool `json:"deinstalled,omitempty"`
	Deleted      bool `json:"deleted,omitempty"` // left out of every listing
	UpdateErrors bool `json:"update_errors,omitempty"`

	made bool // made up to fill a group's station count
}

// in reports whether the station is in the group (as primary or other).
func (st *DrWebStation) in(group string) bool {
	return st.PrimaryGroup == group || slices.Contains(st.Groups, group)
}

// SetDrWebStations replaces the stations the seed names; the emulator makes
// up stations for the rest of each group's station count.
func (s *Server) SetDrWebStations(stations []DrWebStation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seed.DrWeb.Stations = slices.Clone(stations)
	s.stationsMade = false
}

// DrWebStations returns the stations as the emulator stores them, made-up
// ones included.
func (s *Server) DrWebStations() []DrWebStation {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.makeStationsLocked()
	return slices.Clone(s.seed.DrWeb.Stations)
}

// DrWebStationsIn returns the ids of the stations in a group, in server
// order (every station for Everyone).
func (s *Server) DrWebStationsIn(group string) []string {
	var ids []string
	for _, st := range s.DrWebStations() {
		if (group == EveryoneID || st.in(group)) && !st.Deleted {
			ids = append(ids, st.ID)
		}
	}
	return ids
}

// UpdateDrWebStation changes a station behind the client's back, as an
// administrator in the console would; it reports whether the station exists.
func (s *Server) UpdateDrWebStation(id string, change func(*DrWebStation)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.makeStationsLocked()
	stations := slices.Clone(s.seed.DrWeb.Stations)
	i := slices.IndexFunc(stations, func(st DrWebStation) bool { return st.ID == id })
	if i < 0 {
		return false
	}
	st := stations[i]
	st.Groups = slices.Clone(st.Groups)
	change(&st)
	stations[i] = st
	s.seed.DrWeb.Stations = stations
	return true
}

// makeStationsLocked makes up, once, the stations that each group's station
// count asks for beyond those the seed names: names, states and last-seen
// times follow from their number, so every run sees the same ones.
func (s *Server) makeStationsLocked() {
	if s.stationsMade {
		return
	}
	s.stationsMade = true
	stations := slices.DeleteFunc(slices.Clone(s.seed.DrWeb.Stations), func(st DrWebStation) bool { return st.made })
	have := map[string]int{}
	for _, st := range stations {
		have[st.PrimaryGroup]++
		for _, g := range st.Groups {
			have[g]++
		}
	}
	for _, g := range s.seed.DrWeb.Groups {
		slug := strings.ToLower(strings.ReplaceAll(g.Name, " ", "-"))
		tag := g.ID[max(0, len(g.ID)-4):]
		for i := have[g.ID]; i < g.Stations; i++ {
			st := DrWebStation{
				ID:           fmt.Sprintf("%s-st%05d", g.ID, i+1),
				Name:         fmt.Sprintf("%s-%s-%03d", slug, tag, i+1),
				PrimaryGroup: g.ID,
				State:        []int{1, 0, 0}[i%3],
				LastSeen:     1700000000 + int64(i)*3600,
				LastSeenAddr: fmt.Sprintf("tcp://10.%d.%d.%d:2193", len(g.Name)%250, i/250, i%250+1),
				Deinstalled:  i%13 == 12,
				UpdateErrors: i%7 == 6,
				made:         true,
			}
			if i%10 == 9 { // a newbie: never seen, not activated
				st.State, st.LastSeen, st.LastSeenAddr, st.Unactivated, st.New = 2, 0, "", true, true
			}
			stations = append(stations, st)
		}
	}
	s.seed.DrWeb.Stations = stations
}

// stationCounts is how many listed stations each group holds.
func stationCounts(stations []DrWebStation) map[string]int {
	n := map[string]int{}
	for _, st := range stations {
		if st.Deleted {
			continue
		}
		n[st.PrimaryGroup]++
		for _, g := range st.Groups {
			if g != st.PrimaryGroup {
				n[g]++
			}
		}
		n[EveryoneID]++ // Everyone holds every station
	}
	return n
}

// DrWebStationsHostility makes stations-list.ds and states.ds answer as a
// broken or hostile server would; the zero value answers truly.
type DrWebStationsHostility struct {
	PagesTotal  string            // sent as the pages total instead of the true one ("1", "lots")
	EmptyPage   int               // this page comes back empty (and the others as they are)
	RepeatFirst bool              // every page holds the first page's stations
	PerPage     int               // pages hold this many stations, whatever per-page asks
	Counts      map[string]string // states.ds counts sent as these texts ("lots", "3.5")
}

// SetDrWebStationsHostility makes the station listings answer as h says.
func (s *Server) SetDrWebStationsHostility(h DrWebStationsHostility) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stationsHostile = h
}

// readStationList serves stations-list.ds: one page of a group's stations
// (and of the groups below it, where the line takes subgroups=yes).
func readStationList(rq drwebRead) {
	q, out, h := rq.q, rq.out, rq.hostile
	id := q.Get("id")
	if id == "" {
		out.fail(http.StatusOK, DrWebErrBadArgument, "Required parameter 'id' is missing")
		return
	}
	if rq.groups.group(id) == nil {
		out.fail(http.StatusOK, DrWebErrNotFound, "Group "+id+" not found")
		return
	}
	page, per := positive(q.Get("page"), 1), positive(q.Get("per-page"), 100)
	asked := per
	if h.PerPage > 0 {
		per = h.PerPage
	}
	rows := rq.stations.all
	if id != EveryoneID {
		within := map[string]bool{id: true}
		if q.Get("subgroups") == "yes" && out.p.subgroups {
			within = rq.groups.subtree(id)
		}
		rows = rq.stations.in(within)
	}
	pages := max(1, int(math.Ceil(float64(len(rows))/float64(per))))
	from, to := min(len(rows), (page-1)*per), min(len(rows), page*per)
	if h.RepeatFirst {
		from, to = 0, min(len(rows), per)
	}
	if page == h.EmptyPage {
		from, to = 0, 0
	}
	total := strconv.Itoa(pages)
	if h.PagesTotal != "" {
		total = h.PagesTotal
	}
	list := make([]DrWebStation, 0, to-from)
	for _, i := range rows[from:to] {
		list = append(list, rq.stations.stations[i])
	}
	out.stationList(list, total, page, asked)
}

// positive is v as a positive number, or def.
func positive(v string, def int) int {
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return n
	}
	return def
}

// readStates serves states.ds: the state counts of a group's stations, or
// of all of them.
func readStates(rq drwebRead) {
	id := rq.q.Get("group-id")
	if id != "" && rq.groups.group(id) == nil {
		rq.out.fail(http.StatusOK, DrWebErrNotFound, "Group "+id+" not found")
		return
	}
	ix := rq.stations
	var counted []int
	if id == "" || id == EveryoneID {
		counted = make([]int, len(ix.stations))
		for i := range counted {
			counted[i] = i
		}
	} else {
		counted = ix.member[id]
	}
	counts := map[string]int{}
	for _, i := range counted {
		countState(counts, &ix.stations[i])
	}
	rq.out.states(counts, rq.hostile.Counts)
}

// countState adds a station to the states.ds counts it belongs to.
func countState(counts map[string]int, st *DrWebStation) {
	if st.Deleted {
		counts["deleted"]++
		return
	}
	counts["all"]++
	if st.State == 1 {
		counts["online"]++
	} else {
		counts["offline"]++
	}
	if st.State == 2 || st.State == 3 {
		counts["newbies"]++
	}
	if st.New {
		counts["new"]++
	}
	if st.Unactivated {
		counts["unactivated"]++
	} else {
		counts["activated"]++
	}
	if st.Deinstalled {
		counts["deinstalled"]++
	}
	if st.UpdateErrors {
		counts["with_update_errors"]++
	}
}

// stationChange serves stations/change.ds under s.mu: add-group and
// delete-group (ignored for the station's primary group, as the vendor
// documents), parent-group. A station marked deleted is changed like any
// other, and no listing shows it.
func (s *Server) stationChange(out drwebWriter, q url.Values) {
	ix, groups := s.drwebStationsLocked(), s.drwebGroupsLocked()
	id := q.Get("id")
	i, ok := ix.pos[id]
	if id == "" || !ok {
		out.fail(http.StatusOK, DrWebErrNotFound, "Station '"+id+"' not found")
		return
	}
	stations := slices.Clone(ix.stations)
	for _, p := range []string{"add-group", "delete-group", "parent-group"} {
		if g := q.Get(p); q.Has(p) && groups.find(g) < 0 {
			out.fail(http.StatusOK, DrWebErrInvalidGroup, "Group '"+g+"' not found")
			return
		}
	}
	if msg := s.primaryRefusal(q.Get("parent-group")); q.Has("parent-group") && msg != "" {
		out.fail(http.StatusOK, DrWebErrSystemGroup, msg) // see drweb_move.go
		return
	}
	st := stations[i]
	st.Groups = slices.Clone(st.Groups)
	if g := q.Get("add-group"); g != "" && !st.in(g) {
		st.Groups = append(st.Groups, g)
	}
	if g := q.Get("delete-group"); g != "" && g != st.PrimaryGroup {
		st.Groups = slices.DeleteFunc(st.Groups, func(x string) bool { return x == g })
	}
	if g := q.Get("parent-group"); g != "" && g != st.PrimaryGroup {
		st.Groups = slices.DeleteFunc(st.Groups, func(x string) bool { return x == g })
		st.PrimaryGroup = g
	}
	stations[i] = st
	if s.onStationChange != nil {
		s.onStationChange(q, stations)
	}
	s.seed.DrWeb.Stations = stations
	out.writtenStation(id)
}

// OnDrWebStationChange makes every stations/change.ds that the emulator
// carries out call f with the request's query and every station (the
// change applied), right after the change and before its answer: f may
// change the stations' groups, as an administrator in the console would
// at that moment. f runs with the emulator locked: it must not call the
// Server. nil stops it.
func (s *Server) OnDrWebStationChange(f func(query url.Values, stations []DrWebStation)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onStationChange = f
}

// writtenStation answers stations/change.ds: XML <station id="…"/>, JSON data.id.
func (d drwebWriter) writtenStation(id string) {
	if d.json {
		d.writeData(map[string]any{"id": id})
		return
	}
	d.writeXMLRoot(struct {
		ID string `xml:"id,attr"`
	}{id}, "station")
}

// stationList answers stations-list.ds with the vendor's quirk: stations
// total counts the rows of this page, pages total the pages.
func (d drwebWriter) stationList(rows []DrWebStation, pages string, page, per int) {
	osFields, lifeFields := d.p.stationOSFields, d.p.stationLifeFields
	var total any = pages
	if n, err := strconv.Atoi(pages); err == nil {
		total = n
	}
	pagesInfo := map[string]any{"total": total, "current": page, "objects-per-page": per}
	if d.json {
		list := make([]map[string]any, 0, len(rows))
		for _, st := range rows {
			m := map[string]any{"id": st.ID, "name": st.Name, "last_seen_time": st.LastSeen, "last_seen_addr": st.LastSeenAddr, "state": st.State}
			if osFields {
				m["os"], m["os_name"], m["login_addr"], m["login_mac"] = 17105152, "Windows 10", "10.3.0.16", "02:00:00:44:55:66"
			}
			if lifeFields {
				m["expires"], m["createtime"], m["blockbeg"], m["blockend"] = 0, "20200427081641436", 0, 0
			}
			list = append(list, m)
		}
		d.writeData(map[string]any{"stations": map[string]any{"total": len(list), "list": list}, "pages": pagesInfo})
		return
	}
	type station struct {
		Attrs []xml.Attr `xml:",any,attr"`
	}
	a := func(k, v string) xml.Attr { return xml.Attr{Name: xml.Name{Local: k}, Value: v} }
	var list []station
	for _, st := range rows {
		attrs := []xml.Attr{a("id", st.ID), a("name", st.Name), a("last_seen_time", strconv.FormatInt(st.LastSeen, 10)),
			a("last_seen_addr", st.LastSeenAddr), a("state", strconv.Itoa(st.State))}
		if osFields {
			attrs = append(attrs, a("os", "17105152"), a("os_name", "Windows 10"), a("login_addr", "10.3.0.16"), a("login_mac", "02:00:00:44:55:66"))
		}
		if lifeFields {
			attrs = append(attrs, a("expires", "0"), a("createtime", "20200427081641436"), a("blockbeg", "0"), a("blockend", "0"))
		}
		list = append(list, station{attrs})
	}
	type pagesElem struct {
		Total   string `xml:"total,attr"`
		Current int    `xml:"current,attr"`
		Per     int    `xml:"objects-per-page,attr"`
	}
	d.writeXMLRoots(
		wrapXML{"stations", struct {
			Total    int       `xml:"total,attr"`
			Stations []station `xml:"station"`
		}{len(list), list}},
		wrapXML{"pages", pagesElem{pages, page, per}},
	)
}

// stateNames are the counts of states.ds in the vendor's order.
var stateNames = []string{"activated", "all", "deinstalled", "deleted", "new", "newbies", "offline", "online", "unactivated", "with_update_errors"}

// states answers states.ds, with the all count where the line has one. A
// count in texts is sent as that text instead.
func (d drwebWriter) states(counts map[string]int, texts map[string]string) {
	names := slices.DeleteFunc(slices.Clone(stateNames), func(n string) bool { return n == "all" && !d.p.statesAll })
	total := counts["all"] + counts["deleted"]
	text := func(n string) string {
		if t, ok := texts[n]; ok {
			return t
		}
		return strconv.Itoa(counts[n])
	}
	if d.json {
		m := map[string]any{"total": total}
		for _, n := range names {
			if t, ok := texts[n]; ok {
				m[n] = map[string]any{"total": t}
				continue
			}
			m[n] = map[string]any{"total": counts[n]}
		}
		d.writeData(map[string]any{"stations": m})
		return
	}
	type count struct {
		XMLName xml.Name
		Total   string `xml:"total,attr"`
	}
	var elems []count
	for _, n := range names {
		elems = append(elems, count{xml.Name{Local: n}, text(n)})
	}
	d.writeXMLRoot(struct {
		Total  int     `xml:"total,attr"`
		Counts []count `xml:",any"`
	}{total, elems}, "stations")
}
