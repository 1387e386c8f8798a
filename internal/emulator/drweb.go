package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// DrWebSeed is the Dr.Web side of a seed.
type DrWebSeed struct {
	Login    string       `json:"login"`
	Password string       `json:"password"`
	Groups   []DrWebGroup `json:"groups"`
	// Stations the seed names; the emulator makes up the rest of each
	// group's station count (see makeStationsLocked).
	Stations []DrWebStation `json:"stations,omitempty"`
}

// DrWebGroup is a group as the emulator stores it. Rights and keys that are
// nil are inherited from the nearest ancestor that has its own (and from
// Everyone at the top).
type DrWebGroup struct {
	ID                  string       `json:"id"`
	ParentID            string       `json:"parent_id,omitempty"`
	Name                string       `json:"name"`
	Description         string       `json:"description"`
	Type                int          `json:"type"`
	Created             int64        `json:"created"`
	Modified            int64        `json:"modified"`
	HasPersonalSettings *bool        `json:"has_personal_settings,omitempty"`
	Rights              []DrWebRight `json:"rights,omitempty"`
	Keys                []string     `json:"keys,omitempty"`
	// Components, when nil, are inherited as rights are; only the ESS lines
	// print them (info.ds components=yes).
	Components []DrWebComponent `json:"components,omitempty"`
	// Stations is how many stations the group holds; the emulator makes up
	// stations for the ones that Stations of the seed do not name.
	Stations int `json:"stations"`
}

// DrWebComponent is one component of a group's install policy: status 0
// must not be installed, 1 may be, 2 must be.
type DrWebComponent struct {
	Code   int    `json:"code"`
	Name   string `json:"name"`
	Status int    `json:"status"`
}

// DrWebRight is one right of a group.
type DrWebRight struct {
	Code  int    `json:"code"`
	Name  string `json:"name"`
	Value int    `json:"value"`
}

// EveryoneID is the id of Dr.Web's root system group.
const EveryoneID = "20e27d73-d21d-b211-a788-85419c46f0e6"

// drwebSystemIDs are the well-known system groups (the vendor's notes list
// them). Only ESS 13.0.1 lists them in list.ds.
var drwebSystemIDs = []string{
	EveryoneID,
	"411dac63-2a3e-4ce8-af4f-1fbeb94242ef", // Ungrouped
	"48afe720-953c-4075-856c-361f3ff06b6d", // Status
	"f991915f-8a15-4cf7-817a-d81d156d2bbe", // Operating system
	"159e383d-f853-4bc5-9e18-c40144542aca", // Transport
	"994992e8-be71-4d31-a1f5-5b7786262611", // Tariffs
}

// DrWebErrNotFound is the error number the emulator answers for an unknown
// group (the vendor documents the answer's shape, not this number).
const DrWebErrNotFound = 8

// packageTargets are the agent installers every group offers, in server order.
var packageTargets = []struct{ os, arch string }{
	{"android", "all"}, {"macosx", "all"}, {"linux", "x86_64"}, {"linux", "x86"}, {"windows", "all"},
}

// GenerateDrWebTree returns n groups under Everyone: a tree in which every
// group has up to `fanout` children, for benchmarks.
func GenerateDrWebTree(n, fanout int) []DrWebGroup {
	out := []DrWebGroup{{ID: EveryoneID, Name: "Everyone", Type: 1, Created: 1411119266, Modified: 1411119266,
		Rights: []DrWebRight{{Code: 1, Name: "Run Dr.Web Scanner for Windows", Value: 1}}, Keys: []string{"2e2522cc3ba5062f-aed721bcef305d0e"}}}
	for i := range n {
		g := DrWebGroup{ID: fmt.Sprintf("gen-%05d", i), Name: fmt.Sprintf("group-%05d", i), Created: 1500000000 + int64(i), Modified: 1600000000 + int64(i), Stations: i % 17}
		if i >= fanout {
			g.ParentID = fmt.Sprintf("gen-%05d", i/fanout-1)
		}
		out = append(out, g)
	}
	return out
}

// SetDrWebGroups replaces the Dr.Web groups.
func (s *Server) SetDrWebGroups(groups []DrWebGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seed.DrWeb.Groups = slices.Clone(groups)
	s.stationsMade = false
}

// SetDrWebXMLOnly makes the Dr.Web side answer XML whatever format is asked
// for, as older servers do.
func (s *Server) SetDrWebXMLOnly(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.xmlOnly = on
}

// SetDrWebRefuseComponents makes info.ds refuse components=yes, as a
// server that does not know the parameter might.
func (s *Server) SetDrWebRefuseComponents(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseComponents = on
}

// drwebRead is one read request: what it asks, and the store as it was
// when it arrived, read without s.mu (the store is copied on write).
type drwebRead struct {
	out      drwebWriter
	r        *http.Request
	q        url.Values
	groups   *drwebGroupIndex
	stations *drwebStationIndex
	hostile  DrWebStationsHostility
	// refuseComponents: info.ds refuses components=yes.
	refuseComponents bool
}

// drwebReads are the read scripts; the writes are drwebWrite's.
var drwebReads = map[string]func(drwebRead){
	"/api/groups/info.ds":          readInfo,
	"/api/groups/list.ds":          readList,
	"/api/groups/stations-list.ds": readStationList,
	"/api/stations/states.ds":      readStates,
}

func (s *Server) drwebGroups(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	// Stations are made up from the groups as the first request finds
	// them, whatever it asks: a write cannot change which ones exist.
	s.makeStationsLocked()
	login, password := s.seed.DrWeb.Login, s.seed.DrWeb.Password
	out := s.drwebOutLocked(w, r)
	s.mu.Unlock()

	q := r.URL.Query()
	w.Header().Set("X-Drweb-Api-Version", "4.1.3")
	w.Header().Set("X-Drweb-Srv-Version", "13.00.0.202301010")
	if r.Method != http.MethodGet {
		out.fail(http.StatusMethodNotAllowed, 1, "use GET")
		return
	}
	if l, p, ok := r.BasicAuth(); !ok || l != login || p != password || login == "" {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = fmt.Fprint(w, "Unauthorized")
		return
	}
	path := scriptPath(r.URL.Path)
	if s.drwebWrite(out, path, q) {
		return
	}
	read, ok := drwebReads[path]
	if !ok {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = fmt.Fprint(w, "<html><body><h1>404 Not Found</h1></body></html>")
		return
	}
	s.mu.Lock()
	rq := drwebRead{out: out, r: r, q: q, groups: s.drwebGroupsLocked(), stations: s.drwebStationsLocked(),
		hostile: s.stationsHostile, refuseComponents: s.refuseComponents}
	s.mu.Unlock()
	read(rq)
}

// drwebOut writes answers in the format r asks for and the server line speaks.
func (s *Server) drwebOut(w http.ResponseWriter, r *http.Request) drwebWriter {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drwebOutLocked(w, r)
}

func (s *Server) drwebOutLocked(w http.ResponseWriter, r *http.Request) drwebWriter {
	return drwebWriter{w: w, json: r.URL.Query().Get("format") == "json" && !s.xmlOnly, p: s.drwebProfileLocked()}
}

// readInfo serves info.ds: every group asked for, or the refusal of the
// first unknown one.
func readInfo(rq drwebRead) {
	q, out := rq.q, rq.out
	ids := q["id"]
	if q.Has("components") && rq.refuseComponents {
		out.fail(http.StatusOK, DrWebErrBadArgument, "Unknown parameter 'components'")
		return
	}
	if len(ids) == 0 {
		out.fail(http.StatusOK, 2, "Required parameter 'id' is missing")
		return
	}
	with := viewWith{rights: q.Get("rights") == "yes", keys: q.Get("keys") == "yes",
		components: q.Get("components") == "yes" && out.p.components, packages: true}
	var views []drwebView
	for _, id := range ids {
		g := rq.groups.group(id)
		if g == nil {
			out.fail(http.StatusOK, DrWebErrNotFound, "Group "+id+" not found")
			return
		}
		views = append(views, rq.view(g, with))
	}
	out.info(views)
}

// readList serves list.ds: the direct children of one group, or of the
// top level.
func readList(rq drwebRead) {
	out := rq.out
	parent := rq.q.Get("parent-group")
	if parent != "" && rq.groups.group(parent) == nil {
		out.fail(http.StatusOK, DrWebErrNotFound, "Group "+parent+" not found")
		return
	}
	var views []drwebView
	for _, i := range rq.groups.children[parent] {
		g := &rq.groups.groups[i]
		if g.ID != EveryoneID && (out.p.listsSystemGroups || !slices.Contains(drwebSystemIDs, g.ID)) {
			views = append(views, rq.view(g, viewWith{}))
		}
	}
	out.list(views)
}

// drwebView is one group with everything info.ds can say about it resolved.
type drwebView struct {
	DrWebGroup
	parentName   string
	children     int
	rightsFrom   *DrWebGroup // nil: own rights
	rights       []DrWebRight
	keysFrom     *DrWebGroup
	keys         []string
	compsFrom    *DrWebGroup
	comps        []DrWebComponent
	withComps    bool
	packageLinks [][3]string
}

// viewWith says what a view resolves beyond the group's own fields.
type viewWith struct{ rights, keys, components, packages bool }

func (rq drwebRead) view(g *DrWebGroup, with viewWith) drwebView {
	ix := rq.groups
	v := drwebView{DrWebGroup: *g, children: len(ix.children[g.ID])}
	v.Stations = rq.stations.counts[g.ID]
	if p := ix.group(g.ParentID); p != nil {
		v.parentName = p.Name
	}
	// Inherited settings come from the nearest ancestor that has its own,
	// and from Everyone at the top.
	if with.rights {
		v.rights, v.rightsFrom = inherited(g, ix, func(x *DrWebGroup) bool { return x.Rights != nil }, func(x *DrWebGroup) []DrWebRight { return x.Rights })
	}
	if with.keys {
		v.keys, v.keysFrom = inherited(g, ix, func(x *DrWebGroup) bool { return x.Keys != nil }, func(x *DrWebGroup) []string { return x.Keys })
	}
	if with.components {
		v.withComps = true
		v.comps, v.compsFrom = inherited(g, ix, func(x *DrWebGroup) bool { return x.Components != nil }, func(x *DrWebGroup) []DrWebComponent { return x.Components })
	}
	if with.packages {
		v.packageLinks = packageLinks(rq.r, g.ID)
	}
	return v
}

// packageLinks are the installers' URLs of a group, on the host r asked.
func packageLinks(r *http.Request, group string) [][3]string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	var links [][3]string
	for _, t := range packageTargets {
		u := fmt.Sprintf("%s://%s/download/download.ds?os=%s", scheme, r.Host, t.os)
		if t.arch != "all" {
			u += "&arch=" + t.arch
		}
		links = append(links, [3]string{t.os, t.arch, u + "&group-id=" + group})
	}
	return links
}

// inherited returns what g has of a setting, or what the nearest ancestor
// that has its own has (Everyone at the top), and that ancestor.
func inherited[T any](g *DrWebGroup, ix *drwebGroupIndex, has func(*DrWebGroup) bool, get func(*DrWebGroup) []T) ([]T, *DrWebGroup) {
	for cur, hops := g, 0; cur != nil && hops < 64; hops++ {
		if has(cur) {
			if cur.ID == g.ID {
				return get(cur), nil
			}
			return get(cur), cur
		}
		next := ix.group(cur.ParentID)
		if next == nil && cur.ID != EveryoneID {
			next = ix.group(EveryoneID)
		}
		cur = next
	}
	return nil, nil
}

// scriptPath spells a script's path with hyphens: the server takes "-" and
// "_" alike in script names.
func scriptPath(p string) string {
	i := strings.LastIndex(p, "/")
	return p[:i+1] + strings.ReplaceAll(p[i+1:], "_", "-")
}
