package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Error numbers the emulator answers for refused writes. The vendor
// documents 36 (system group); the others are the emulator's own, as the
// vendor leaves them undocumented.
const (
	DrWebErrSystemGroup  = 36
	DrWebErrBadArgument  = 2
	DrWebErrHasChildren  = 37
	DrWebErrCycle        = 38
	DrWebErrDuplicateID  = 39
	DrWebErrInvalidGroup = 40
)

var drwebIDPattern = regexp.MustCompile(`^[0-9A-Za-z_.-]+$`)

// UpdateDrWebGroup changes a group behind the client's back, as another
// administrator would; it reports whether the group exists.
func (s *Server) UpdateDrWebGroup(id string, change func(*DrWebGroup)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	groups := slices.Clone(s.seed.DrWeb.Groups)
	i := slices.IndexFunc(groups, func(g DrWebGroup) bool { return g.ID == id })
	if i < 0 {
		return false
	}
	change(&groups[i])
	s.seed.DrWeb.Groups = groups
	return true
}

// OnDrWebWrite makes every add.ds and change.ds that the emulator carries
// out write the groups f returns for it (f gets the path and the written
// group; a returned group replaces the one of its id, if any), right after
// the write and before its answer: what another administrator or a
// concurrent run writes at that moment. f runs with the
// emulator locked: it must not call the Server. nil stops it.
func (s *Server) OnDrWebWrite(f func(path string, written DrWebGroup) []DrWebGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onWrite = f
}

// withConcurrent adds to groups what OnDrWebWrite's function makes for the
// write of id.
func (s *Server) withConcurrent(groups []DrWebGroup, path, id string) []DrWebGroup {
	if s.onWrite == nil {
		return groups
	}
	i := slices.IndexFunc(groups, func(g DrWebGroup) bool { return g.ID == id })
	for _, g := range s.onWrite(path, groups[i]) {
		if j := slices.IndexFunc(groups, func(o DrWebGroup) bool { return o.ID == g.ID }); j >= 0 {
			groups[j] = g // a group changed at the same moment
		} else {
			groups = append(groups, g)
		}
	}
	return groups
}

// AddDrWebGroup adds a group behind the client's back, as another
// administrator would.
func (s *Server) AddDrWebGroup(g DrWebGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seed.DrWeb.Groups = append(slices.Clone(s.seed.DrWeb.Groups), g)
}

// DeleteDrWebGroup deletes a group (and nothing else) behind the client's back.
func (s *Server) DeleteDrWebGroup(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.seed.DrWeb.Groups)
	s.seed.DrWeb.Groups = slices.DeleteFunc(slices.Clone(s.seed.DrWeb.Groups), func(g DrWebGroup) bool { return g.ID == id })
	return len(s.seed.DrWeb.Groups) < n
}

// DrWebGroup returns a group as the emulator stores it.
func (s *Server) DrWebGroup(id string) (DrWebGroup, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.seed.DrWeb.Groups, func(g DrWebGroup) bool { return g.ID == id })
	if i < 0 {
		return DrWebGroup{}, false
	}
	return s.seed.DrWeb.Groups[i], true
}

// SetDrWebNameLimit makes add.ds and change.ds store names as some servers
// do: trimmed of surrounding spaces and cut to n characters (0: as sent).
func (s *Server) SetDrWebNameLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nameLimit = n
}

// storedName is a name as the server keeps it.
func (s *Server) storedName(name string) string {
	if s.nameLimit <= 0 {
		return name
	}
	r := []rune(strings.TrimSpace(name))
	return string(r[:min(len(r), s.nameLimit)])
}

// drwebFault answers with a refusal (f.Errno) or with an answer about
// f.AnswerID, in the format the request asked for.
func (s *Server) drwebFault(w http.ResponseWriter, r *http.Request, f *Fault) {
	out := s.drwebOut(w, r)
	switch {
	case f.Errno != 0:
		out.fail(http.StatusOK, f.Errno, f.Message)
	case r.URL.Path == "/api/groups/info.ds":
		r = r.Clone(r.Context())
		q := r.URL.Query()
		q["id"] = []string{f.AnswerID}
		r.URL.RawQuery = q.Encode()
		s.drwebGroups(w, r)
	case r.URL.Path == "/api/groups/delete.ds":
		out.deleted([]string{f.AnswerID})
	case r.URL.Path == "/api/stations/change.ds":
		out.writtenStation(f.AnswerID)
	default:
		out.written(f.AnswerID)
	}
}

// drwebWrite serves add.ds, change.ds and delete.ds of groups and
// change.ds of stations, under s.mu. It reports false for another path.
func (s *Server) drwebWrite(out drwebWriter, path string, q url.Values) bool {
	write, ok := map[string]func(drwebWriter, url.Values){
		"/api/stations/change.ds": s.stationChange,
		"/api/groups/add.ds":      s.groupAdd,
		"/api/groups/change.ds":   s.groupChange,
		"/api/groups/delete.ds":   s.groupDelete,
	}[path]
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	write(out, q)
	return true
}

// groupAdd serves add.ds: a new group, with the id asked for or one the
// server makes.
func (s *Server) groupAdd(out drwebWriter, q url.Values) {
	ix := s.drwebGroupsLocked()
	now := time.Now().Unix()
	name := s.storedName(q.Get("name"))
	if name == "" {
		out.fail(http.StatusOK, DrWebErrBadArgument, "Required parameter 'name' is missing")
		return
	}
	id := q.Get("id")
	switch {
	case id != "" && !drwebIDPattern.MatchString(id):
		out.fail(http.StatusOK, DrWebErrBadArgument, "Invalid group id '"+id+"'")
		return
	case id != "" && ix.find(id) >= 0:
		out.fail(http.StatusOK, DrWebErrDuplicateID, "Group '"+id+"' already exists")
		return
	case id == "":
		s.generated++
		id = fmt.Sprintf("7e57a000-%04x-4e11-9a01-%012x", s.generated, now)
	}
	parent := q.Get("parent-group")
	if parent != "" && ix.find(parent) < 0 {
		out.fail(http.StatusOK, DrWebErrInvalidGroup, "Parent group '"+parent+"' not found")
		return
	}
	groups := append(slices.Clone(ix.groups), DrWebGroup{ID: id, ParentID: parent, Name: name, Description: q.Get("description"), Created: now, Modified: now})
	s.seed.DrWeb.Groups = s.withConcurrent(groups, "/api/groups/add.ds", id)
	out.written(id)
}

// groupChange serves change.ds: a rename, a new description or a move.
func (s *Server) groupChange(out drwebWriter, q url.Values) {
	ix := s.drwebGroupsLocked()
	id := q.Get("id")
	i := ix.find(id)
	if i < 0 {
		out.fail(http.StatusOK, DrWebErrNotFound, "Group "+id+" not found")
		return
	}
	if slices.Contains(drwebSystemIDs, id) {
		out.fail(http.StatusOK, DrWebErrSystemGroup, "Unable to change group '"+id+"': You cannot change the system group")
		return
	}
	g := ix.groups[i]
	if q.Has("name") {
		if q.Get("name") == "" {
			out.fail(http.StatusOK, DrWebErrBadArgument, "The group name must not be empty")
			return
		}
		g.Name = s.storedName(q.Get("name"))
	}
	if q.Has("description") {
		g.Description = q.Get("description")
	}
	if q.Has("parent-group") {
		parent := q.Get("parent-group")
		switch {
		case parent != "" && ix.find(parent) < 0:
			out.fail(http.StatusOK, DrWebErrInvalidGroup, "Parent group '"+parent+"' not found")
			return
		case parent != "" && ix.under(parent, id):
			out.fail(http.StatusOK, DrWebErrCycle, "Unable to move group '"+id+"' into its own subgroup '"+parent+"'")
			return
		}
		g.ParentID = parent
	}
	g.Modified = time.Now().Unix()
	groups := slices.Clone(ix.groups)
	groups[i] = g
	s.seed.DrWeb.Groups = s.withConcurrent(groups, "/api/groups/change.ds", id)
	out.written(id)
}

// groupDelete serves delete.ds: every group asked for, or none.
func (s *Server) groupDelete(out drwebWriter, q url.Values) {
	ix := s.drwebGroupsLocked()
	ids := q["id"]
	for _, id := range ids {
		switch {
		case slices.Contains(drwebSystemIDs, id):
			out.fail(http.StatusOK, DrWebErrSystemGroup, "Unable to remove group '"+id+"': You cannot remove the system group")
			return
		case ix.find(id) < 0:
			out.fail(http.StatusOK, DrWebErrNotFound, "Group "+id+" not found")
			return
		case slices.ContainsFunc(ix.children[id], func(c int) bool { return !slices.Contains(ids, ix.groups[c].ID) }):
			out.fail(http.StatusOK, DrWebErrHasChildren, "Unable to remove group '"+id+"': the group has child groups")
			return
		}
	}
	s.seed.DrWeb.Groups = slices.DeleteFunc(slices.Clone(ix.groups), func(g DrWebGroup) bool { return slices.Contains(ids, g.ID) })
	out.deleted(ids)
}

// written answers add.ds and change.ds: XML <group id="…"/>, JSON data.id.
func (d drwebWriter) written(id string) {
	if d.json {
		d.writeData(map[string]any{"id": id})
		return
	}
	d.writeXMLRoot(struct {
		ID string `xml:"id,attr"`
	}{id}, "group")
}

// deleted answers delete.ds: XML <groups total><group id/>…</groups>, JSON data.groups.
func (d drwebWriter) deleted(ids []string) {
	if d.json {
		list := []map[string]any{}
		for _, id := range ids {
			list = append(list, map[string]any{"id": id})
		}
		d.writeData(map[string]any{"groups": map[string]any{"total": len(ids), "list": list}})
		return
	}
	type group struct {
		ID string `xml:"id,attr"`
	}
	var gs []group
	for _, id := range ids {
		gs = append(gs, group{id})
	}
	d.writeXML(struct {
		Total  int     `xml:"total,attr"`
		Groups []group `xml:"group"`
	}{len(gs), gs})
}

// DrWebGroups returns the groups as the emulator stores them.
func (s *Server) DrWebGroups() []DrWebGroup {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seed.DrWeb.Groups)
}

// DrWebGroupsNamed returns the ids of the groups with this name under parentID.
func (s *Server) DrWebGroupsNamed(parentID, name string) []string {
	var ids []string
	for _, g := range s.DrWebGroups() {
		if g.ParentID == parentID && g.Name == name {
			ids = append(ids, g.ID)
		}
	}
	return ids
}
