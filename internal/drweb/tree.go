package drweb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// EveryoneID is the id of the root system group, Everyone.
const EveryoneID = "20e27d73-d21d-b211-a788-85419c46f0e6"

// SystemGroupIDs are the well-known system groups (the vendor's notes list
// them). ESS 13.0.1 lists them at the top level beside the user groups;
// ESS 12/13.0.0 and AV-Desk do not, but info.ds answers for them on every line.
var SystemGroupIDs = []string{
	EveryoneID,
	"411dac63-2a3e-4ce8-af4f-1fbeb94242ef", // Ungrouped
	"48afe720-953c-4075-856c-361f3ff06b6d", // Status
	"f991915f-8a15-4cf7-817a-d81d156d2bbe", // Operating system
	"159e383d-f853-4bc5-9e18-c40144542aca", // Transport
	"994992e8-be71-4d31-a1f5-5b7786262611", // Tariffs
}

// IsSystem tells a system group by what the server says of it: a
// well-known id, or a type (the server gives user groups none). The server
// refuses to change or delete one. A group below a system group other than
// Everyone is one too, whatever it says of itself: Tree and
// SystemGroupsAmong judge a group with its ancestors.
func (g Group) IsSystem() bool {
	return g.Type != 0 || slices.Contains(SystemGroupIDs, g.ID)
}

// DefaultTreeBound is how many groups one walk of the tree keeps at most (a
// Client's treeBound). It guards the provider's memory only, fifty times the
// largest real trees: a server that keeps listing new groups is otherwise
// stopped by what proves it broken (a group listed twice, a cycle) and by
// the read's timeout, never by a depth or count a real tree can reach.
const DefaultTreeBound = 1_000_000

// TreeNode is a group as list.ds describes it, placed in the tree.
type TreeNode struct {
	ID, Name             string
	ParentID, ParentName string // "" at the top level
	Path                 string // names from the top level down, see JoinPath
	Type                 int64  // 0 where the server line does not say
	ChildGroups          int64  // a count on ESS, nested groups too on AV-Desk: use as "has children" only
	Stations             int64
	System               bool // a well-known system group, or one whose type says so
}

// Children returns the direct children of parentID ("" for the top level),
// in server order, system groups included where the server lists them. Each
// list.ds request is made once per Client.
func (c *Client) Children(ctx context.Context, parentID string) ([]TreeNode, error) {
	return c.mem.listing(ctx, parentID)
}

// listChildren asks list.ds for parentID's children.
func (c *Client) listChildren(ctx context.Context, parentID string) ([]TreeNode, error) {
	q := url.Values{}
	if parentID != "" {
		q.Set("parent-group", parentID)
	}
	resp, doc, err := c.read(ctx, listPath, q)
	if err != nil {
		return nil, err
	}
	if !doc.Status {
		srvErr := serverError(resp, doc)
		if parentID == "" {
			return nil, srvErr
		}
		// Only the not-found refusal says the parent is gone; any other
		// (rights, a server fault) is about the listing, and a caller
		// that took it for absence would blame the parent or drop a
		// group from the state.
		if isNotFound(srvErr) {
			return nil, &NotFoundError{ID: parentID, Parent: true, Server: srvErr}
		}
		return nil, &ListingRefusedError{ID: parentID, Server: srvErr}
	}
	nodes := make([]TreeNode, 0, len(doc.Groups))
	for _, g := range doc.Groups {
		nodes = append(nodes, nodeOf(g, parentID))
	}
	return nodes, nil
}

// systemRank orders system groups as SystemGroupIDs does, others after them.
func systemRank(id string) int {
	if i := slices.Index(SystemGroupIDs, id); i >= 0 {
		return i
	}
	return len(SystemGroupIDs)
}

func nodeOf(g Group, parentID string) TreeNode {
	return TreeNode{
		ID: g.ID, Name: g.Name, ParentID: parentID, Type: g.Type, ChildGroups: g.ChildGroups, Stations: g.Stations,
		System: g.IsSystem(),
	}
}

// systemNodes returns the well-known system groups the server has: those
// top (the top level's listing) holds, then one info.ds for the others
// (ids the server does not know are left out).
func (c *Client) systemNodes(ctx context.Context, top []TreeNode) ([]TreeNode, error) {
	var out []TreeNode
	var missing []string
	for _, n := range top {
		if n.System {
			out = append(out, n)
		}
	}
	for _, id := range SystemGroupIDs {
		if !slices.ContainsFunc(out, func(n TreeNode) bool { return n.ID == id }) {
			missing = append(missing, id)
		}
	}
	found := make([]*Group, len(missing))
	g, gctx := errgroup.WithContext(ctx)
	for i, id := range missing {
		g.Go(func() error {
			grp, err := c.info(gctx, id)
			var nf *NotFoundError
			if errors.As(err, &nf) {
				return nil
			}
			found[i] = &grp
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, grp := range found {
		if grp != nil {
			n := nodeOf(*grp, "")
			n.System = true
			out = append(out, n)
		}
	}
	// The same order on every server line, whichever listed what.
	slices.SortStableFunc(out, func(a, b TreeNode) int {
		return systemRank(a.ID) - systemRank(b.ID)
	})
	for i := range out {
		out[i].Path = escapePathName(out[i].Name)
	}
	return out, nil
}

// Tree returns the groups under parentID ("" for the top level): its direct
// children, or with recursive its whole subtree, depth first in server order,
// each with its path. At the top level, system groups are left out unless
// includeSystem is set; then every well-known system group the server has
// is included, whether list.ds lists it or not.
//
// Each group is visited once, at any depth. A group listed under two
// parents or a cycle is a *TreeError; so is a tree of more than the
// Client's treeBound groups, with Bound set.
func (c *Client) Tree(ctx context.Context, parentID string, recursive, includeSystem bool) ([]TreeNode, error) {
	// The parent's path comes first: its lookup waits for the walks under
	// way, and must not wait for this one.
	basePath, underSystem := "", false
	if parentID != "" {
		parent, err := c.GroupByID(ctx, parentID)
		var nf *NotFoundError
		if errors.As(err, &nf) && nf.ID == parentID {
			asParent := *nf // shared with the batch's other callers
			asParent.Parent = true
			return nil, &asParent
		}
		if err != nil {
			return nil, err
		}
		basePath = parent.Path
		// Everyone holds the user groups on some lines; any other system
		// group holds system groups only.
		underSystem = parentID != EveryoneID && parent.IsSystem()
	}
	if recursive {
		defer c.mem.walking()()
	}
	listed, err := c.mem.listing(ctx, parentID)
	if err != nil {
		return nil, err
	}
	top := listed
	if parentID == "" {
		top = slices.DeleteFunc(slices.Clone(listed), func(n TreeNode) bool { return n.System })
		if includeSystem {
			sys, err := c.systemNodes(ctx, listed)
			if err != nil {
				return nil, err
			}
			top = append(top, sys...)
		}
	}

	// Fetch every level's children concurrently, each group once.
	parentOf := map[string]string{}
	for _, n := range top {
		if err := placeOnce(parentOf, n.ID, parentID, parentID); err != nil {
			return nil, err
		}
	}
	kids := map[string][]TreeNode{}
	var mu sync.Mutex
	total := len(top)
	bound := c.treeBound
	tooMany := &TreeError{Bound: bound, Below: parentID}
	if total > bound {
		return nil, tooMany
	}
	level := top
	for recursive && len(level) > 0 {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(treeConcurrency)
		for _, n := range level {
			if n.ChildGroups <= 0 {
				continue
			}
			g.Go(func() error {
				ch, err := c.mem.listing(gctx, n.ID)
				var nf *NotFoundError
				if errors.As(err, &nf) {
					// Not the parent the caller gave: a group this walk
					// listed, gone since.
					return &ChangedError{ID: n.ID, ParentID: n.ParentID, Server: nf.Server}
				}
				if err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				kids[n.ID] = ch
				if total += len(ch); total > bound {
					return tooMany // stops the level's other requests
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		var next []TreeNode
		for _, n := range level {
			for _, k := range kids[n.ID] {
				if err := placeOnce(parentOf, k.ID, n.ID, parentID); err != nil {
					return nil, err
				}
				next = append(next, k)
			}
		}
		level = next
	}

	out := make([]TreeNode, 0, len(parentOf))
	// A group under a system group is a system group too, whether or not
	// its line says so (AV-Desk's list.ds has no type, and the subgroups of
	// "Operating system" have no well-known ids).
	var visit func(nodes []TreeNode, parentName, parentPath string, system bool)
	visit = func(nodes []TreeNode, parentName, parentPath string, system bool) {
		for _, n := range nodes {
			n.ParentName = parentName
			n.Path = joinPath(parentPath, n.Name)
			n.System = n.System || system
			out = append(out, n)
			visit(kids[n.ID], n.Name, n.Path, n.System && n.ID != EveryoneID)
		}
	}
	visit(top, "", basePath, underSystem)
	return out, nil
}

// SystemGroupsAmong tells which candidates are system groups: a group is
// one when list.ds or info.ds says so (see Group.IsSystem), or when one of
// its ancestors is one (everything under a system group is system;
// Everyone aside, whose child groups are user groups). On AV-Desk list.ds carries no type, so only
// info.ds tells a system subgroup; without the ancestors a user group under
// one would be adopted there and left out on ESS, whose list.ds says. tree
// is the walk that placed the candidates, where their ancestors are looked
// up. One batch of info.ds asks for the candidates and for their ancestors
// that the walk did not show to be system groups. It returns the
// candidates' groups by id, as info.ds gave them, and which are system.
func (c *Client) SystemGroupsAmong(ctx context.Context, tree, candidates []TreeNode) (map[string]Group, map[string]bool, error) {
	byID := make(map[string]TreeNode, len(tree)+len(candidates))
	for _, n := range tree {
		byID[n.ID] = n
	}
	for _, n := range candidates {
		if _, ok := byID[n.ID]; !ok {
			byID[n.ID] = n
		}
	}
	// lineage is n and its ancestors in the walk, below Everyone.
	lineage := func(n TreeNode) []TreeNode {
		out := []TreeNode{n}
		for cur := n; cur.ParentID != "" && cur.ParentID != EveryoneID && len(out) <= len(byID); {
			p, ok := byID[cur.ParentID]
			if !ok {
				break // above the walk: Tree judged the walk's parent
			}
			out, cur = append(out, p), p
		}
		return out
	}
	var ask []TreeNode
	asked := map[string]bool{}
	for _, n := range candidates {
		for _, a := range lineage(n) {
			if !a.System && !asked[a.ID] {
				asked[a.ID] = true
				ask = append(ask, a)
			}
		}
	}
	got, err := c.GroupsOf(ctx, ask)
	if err != nil {
		return nil, nil, err
	}
	groups := make(map[string]Group, len(got))
	for i, g := range got {
		groups[ask[i].ID] = g
	}
	system := map[string]bool{}
	for _, n := range candidates {
		for _, a := range lineage(n) {
			if g, ok := groups[a.ID]; a.System || (ok && g.IsSystem()) {
				system[n.ID] = true
				break
			}
		}
	}
	return groups, system, nil
}

// placeOnce records that id is listed under parent, and fails when it was
// listed before: a tree has one place for each group.
func placeOnce(parentOf map[string]string, id, parent, root string) error {
	if id == root && root != "" {
		return &TreeError{msg: fmt.Sprintf("the Dr.Web group tree has a cycle at %q: the server lists it below itself", id)}
	}
	prev, seen := parentOf[id]
	if !seen {
		parentOf[id] = parent
		return nil
	}
	// A cycle when id is an ancestor of parent.
	for cur, hops := parent, 0; cur != root && hops <= len(parentOf); hops++ {
		if cur == id {
			return &TreeError{msg: fmt.Sprintf("the Dr.Web group tree has a cycle at %q: the server lists it below its own descendant %q", id, parent)}
		}
		cur = parentOf[cur]
	}
	return &TreeError{Listed: id, Parents: [2]string{prev, parent}}
}

// GroupByName finds the one group with exactly this name (case-sensitive),
// anywhere in the tree, or among parentID's direct children when it is set.
// When no user group has the name, the system groups are considered too.
func (c *Client) GroupByName(ctx context.Context, name, parentID string) (Group, error) {
	return c.mem.lookUp(ctx, func(ctx context.Context) (Group, error) { return c.groupByName(ctx, name, parentID) })
}

func (c *Client) groupByName(ctx context.Context, name, parentID string) (Group, error) {
	var nodes []TreeNode
	var err error
	if parentID == "" {
		nodes, err = c.Tree(ctx, "", true, false)
	} else {
		nodes, err = c.mem.listing(ctx, parentID)
	}
	if err != nil {
		return Group{}, err
	}
	found, caseOnly, searched, err := c.matchOrSystem(ctx, nodes, name, parentID == "")
	if err != nil {
		return Group{}, err
	}
	switch len(found) {
	case 0:
		nf := &NotFoundError{Name: name, ParentID: parentID, Searched: searched, CaseOnly: caseOnly}
		if parentID != "" {
			// Say where groups of that name are, if anywhere: worth a walk on an error.
			if all, err := c.Tree(ctx, "", true, false); err == nil {
				for _, n := range all {
					if n.Name == name {
						nf.Elsewhere = append(nf.Elsewhere, n.Path)
					}
				}
			}
		}
		return Group{}, nf
	case 1:
		if found[0].Path == "" {
			return c.GroupByID(ctx, found[0].ID)
		}
		g, err := c.info(ctx, found[0].ID)
		g.Path = found[0].Path
		return g, err
	}
	return Group{}, &AmbiguousError{Name: name, Matches: found}
}

func match(nodes []TreeNode, name string) (found []TreeNode, caseOnly []string) {
	return client.MatchName(nodes, name, func(n TreeNode) string { return n.Name })
}

// matchOrSystem matches name among nodes and, at the top level when none
// has it, among the system groups the server has (list.ds leaves them out
// on most lines). searched counts the groups looked at.
func (c *Client) matchOrSystem(ctx context.Context, nodes []TreeNode, name string, top bool) (found []TreeNode, caseOnly []string, searched int, err error) {
	found, caseOnly = match(nodes, name)
	searched = len(nodes)
	if len(found) > 0 || !top {
		return found, caseOnly, searched, nil
	}
	listed, err := c.mem.listing(ctx, "")
	if err != nil {
		return nil, nil, 0, err
	}
	sys, err := c.systemNodes(ctx, listed)
	if err != nil {
		return nil, nil, 0, err
	}
	found, sysCaseOnly := match(sys, name)
	return found, append(caseOnly, sysCaseOnly...), searched + len(sys), nil
}

// GroupByPath finds the group at path (see JoinPath), one list.ds level at
// a time; a system group's path is its name.
func (c *Client) GroupByPath(ctx context.Context, path string) (Group, error) {
	return c.mem.lookUp(ctx, func(ctx context.Context) (Group, error) { return c.groupByPath(ctx, path) })
}

func (c *Client) groupByPath(ctx context.Context, path string) (Group, error) {
	names, err := SplitPath(path)
	if err != nil {
		return Group{}, err
	}
	parentID, at := "", ""
	var node TreeNode
	var shared []SharedPath
	for i, name := range names {
		kids, err := c.mem.listing(ctx, parentID)
		if err != nil {
			return Group{}, err
		}
		found, caseOnly, _, err := c.matchOrSystem(ctx, kids, name, i == 0)
		if err != nil {
			return Group{}, err
		}
		if len(found) == 0 {
			nf := &NotFoundError{Path: path, Name: name, At: at, Searched: len(kids), CaseOnly: caseOnly}
			if n := len(shared); n > 0 && shared[n-1].Path == at {
				// Say where the name is, if under a namesake the path left out: worth a listing on an error.
				nf.Shared = &shared[n-1]
				for _, id := range nf.Shared.LeftOut {
					if kids, err := c.mem.listing(ctx, id); err == nil && slices.ContainsFunc(kids, func(k TreeNode) bool { return k.Name == name }) {
						nf.InLeftOut = append(nf.InLeftOut, id)
					}
				}
			}
			return Group{}, nf
		}
		node = found[0]
		if len(found) > 1 { // the group created first keeps the path
			ids := make([]string, len(found))
			for j, f := range found {
				ids[j] = f.ID
			}
			gs, err := c.getAll(ctx, ids, c.info)
			if err != nil {
				return Group{}, err
			}
			k := firstCreated(gs)
			node = found[k]
			shared = append(shared, SharedPath{Path: joinPath(at, name), Kept: node.ID, LeftOut: slices.Delete(ids, k, k+1)})
		}
		at = joinPath(at, name)
		parentID = node.ID
	}
	g, err := c.info(ctx, node.ID)
	g.Path, g.SharedPaths = at, shared
	return g, err
}

// SharedPath is a path that several groups have (the same name under one
// parent). The group created first keeps it (at the same time, the smaller
// id), so that a group the configuration already uses keeps its path when
// someone adds a namesake; the others, with their subtrees, are left out of
// lookups and maps by path.
type SharedPath struct {
	Path    string
	Kept    string   // the id of the group that keeps the path
	LeftOut []string // the ids of the others
}

// firstCreated returns the index of the group created first (ties, and
// groups whose time the server does not say, by the smaller id).
func firstCreated(gs []Group) int {
	best := 0
	for i, g := range gs[1:] {
		b := gs[best]
		switch {
		case g.Created != "" && (b.Created == "" || g.Created < b.Created):
			best = i + 1
		case g.Created == b.Created && g.ID < b.ID:
			best = i + 1
		}
	}
	return best
}

// ByPath keys groups by their paths. Where several share a path, the group
// created first keeps it; the others and every group below them are left
// out, and the shared paths are returned. Shallower paths are decided first,
// so that a namesake inside a subtree left out never takes a path.
func ByPath(groups []Group) (map[string]Group, []SharedPath) {
	byPath := map[string][]int{}
	var order []string
	for i, g := range groups {
		if _, ok := byPath[g.Path]; !ok {
			order = append(order, g.Path)
		}
		byPath[g.Path] = append(byPath[g.Path], i)
	}
	depth := func(p string) int { names, _ := SplitPath(p); return len(names) }
	slices.SortStableFunc(order, func(a, b string) int { return depth(a) - depth(b) })

	leftOut := map[string]bool{}
	closeSubtrees := func() { // whatever order the groups came in
		for grew := true; grew; {
			grew = false
			for _, g := range groups {
				if !leftOut[g.ID] && leftOut[g.ParentID] {
					leftOut[g.ID], grew = true, true
				}
			}
		}
	}
	var shared []SharedPath
	for _, p := range order {
		if len(byPath[p]) < 2 {
			continue
		}
		closeSubtrees()
		var gs []Group
		for _, i := range byPath[p] {
			if !leftOut[groups[i].ID] {
				gs = append(gs, groups[i])
			}
		}
		if len(gs) < 2 {
			continue
		}
		k := firstCreated(gs)
		sp := SharedPath{Path: p, Kept: gs[k].ID}
		for j, g := range gs {
			if j != k {
				sp.LeftOut = append(sp.LeftOut, g.ID)
				leftOut[g.ID] = true
			}
		}
		shared = append(shared, sp)
	}
	closeSubtrees()
	out := make(map[string]Group, len(groups))
	for _, g := range groups {
		if !leftOut[g.ID] {
			out[g.Path] = g
		}
	}
	return out, shared
}

// JoinPath joins group names, the top level first, into a path such as
// "Offices/Berlin/Workstations". A "/" inside a name is written "\/" and a
// backslash "\\", so that every path is unambiguous.
func JoinPath(names ...string) string {
	esc := make([]string, len(names))
	for i, n := range names {
		esc[i] = escapePathName(n)
	}
	return strings.Join(esc, "/")
}

func joinPath(parent, name string) string {
	if parent == "" {
		return escapePathName(name)
	}
	return parent + "/" + escapePathName(name)
}

// escapePathName escapes one name for a path.
func escapePathName(name string) string {
	return strings.NewReplacer(`\`, `\\`, `/`, `\/`).Replace(name)
}

// SplitPath reverses JoinPath.
func SplitPath(path string) ([]string, error) {
	var names []string
	var cur strings.Builder
	for i := 0; i < len(path); i++ {
		switch ch := path[i]; ch {
		case '\\':
			if i+1 == len(path) || (path[i+1] != '/' && path[i+1] != '\\') {
				return nil, fmt.Errorf(`the path %q has a backslash at %d that escapes neither "/" nor "\": write a "/" inside a name as "\/" and a backslash as "\\"`, path, i)
			}
			i++
			cur.WriteByte(path[i])
		case '/':
			names = append(names, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(ch)
		}
	}
	names = append(names, cur.String())
	if slices.Contains(names, "") {
		return nil, fmt.Errorf(`the path %q has an empty name: separate names with one "/", without one at the start or end`, path)
	}
	return names, nil
}
