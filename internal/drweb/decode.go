package drweb

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// Group is one group as info.ds describes it, normalised: times in RFC 3339
// UTC, "" where the server sent nothing, an empty value or "none".
type Group struct {
	ID, Name, Description string
	ParentID, ParentName  string
	Type                  int64
	Created, Modified     string
	ChildGroups, Stations int64
	HasPersonalSettings   *bool // nil when the server does not say
	Rights                Rights
	Keys                  Keys
	Packages              []Package
	// Components is the group's install policy (info.ds components=yes);
	// nil when the answer holds no components block (AV-Desk documents
	// none, and a server that refuses the parameter is asked without it).
	Components *Components
	Path       string // names from the top level down (JoinPath); set by the lookups, not by the server
	// SharedPaths, set by GroupByPath, are the steps of the path that
	// several groups share: the lookup followed the one created first.
	SharedPaths []SharedPath
}

// Inheritance says where rights or keys come from.
type Inheritance struct {
	Inherited          *bool // nil when the server does not say
	InheritedGroupID   string
	InheritedGroupName string
}

// Rights are a group's permissions.
type Rights struct {
	Inheritance
	Items []Right
}

// Right is one permission.
type Right struct {
	Code  int64
	Name  string
	Value int64
}

// Keys are a group's license keys.
type Keys struct {
	Inheritance
	IDs []string
}

// Components say which components a group's stations must, may or must
// not install.
type Components struct {
	Inheritance
	Items []Component
}

// Component is one component and its install status: 0 must not be
// installed, 1 may be installed, 2 must be installed.
type Component struct {
	Code   int64
	Name   string
	Status int64
}

// Package is an agent installer download.
type Package struct{ OS, Arch, URL string }

// document is a decoded answer of either format.
type document struct {
	Status     bool
	ErrCode    string
	ErrMessage string
	Groups     []Group
	WrittenID  string   // the id an add.ds or change.ds answer names
	Warnings   []string // values passed through unparsed

	// stations-list.ds and states.ds (stations.go)
	Stations []Station
	Unnamed  int                          // station rows left out for want of an id
	Pages    *pages                       // nil when the answer has no pages block
	Counts   map[string]client.FlexString // states.ds: state name → count as sent, only those sent
}

// pages is the paging block of stations-list.ds; BadTotal is a total that
// is not a non-negative whole number, as sent (not redacted).
type pages struct {
	Total, Current int64
	BadTotal       string
}

// decode reads an answer as JSON or XML, whichever it is.
func decode(resp *client.Response) (*document, error) {
	switch k := client.SniffBody(resp.Body); k {
	case client.BodyJSON:
		return decodeJSON(resp)
	case client.BodyXML:
		return decodeXML(resp)
	default:
		return nil, resp.UnexpectedBody("a JSON or XML body", k)
	}
}

// emptyIfNone normalises the server's ways of saying "nothing".
func emptyIfNone(s string) string {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "none") {
		return ""
	}
	return s
}

// unixTime reads a Unix time of what (such as "group 123").
func (d *document) unixTime(what, field, v string) string {
	v = strings.TrimSpace(v)
	if v == "" || v == "0" {
		return ""
	}
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		if f, ferr := strconv.ParseFloat(v, 64); ferr == nil {
			secs, err = int64(f), nil
		}
	}
	if err != nil {
		d.Warnings = append(d.Warnings, fmt.Sprintf("%s: %s %q is not a Unix time; passed through unchanged", what, field, v))
		return v
	}
	return time.Unix(secs, 0).UTC().Format(time.RFC3339)
}

func (d *document) count(what, field string, v client.FlexString) int64 {
	n, ok := v.Int()
	if !ok {
		d.Warnings = append(d.Warnings, fmt.Sprintf("%s: %s %q is not a whole number; using 0", what, field, string(v)))
	}
	return n
}

func flexBool(v client.FlexString) *bool {
	if b, ok := v.Bool(); ok {
		return &b
	}
	return nil
}

// ---- JSON ----

type jsonError struct {
	Code    client.FlexString `json:"code"`
	Errno   client.FlexString `json:"errno"`
	Message string            `json:"message"`
}

type jsonInherit struct {
	Inherited          client.FlexString `json:"inherited"`
	InheritedGroupID   client.FlexString `json:"inherited_group_id"`
	InheritedGroupName string            `json:"inherited_group_name"`
}

type jsonGroup struct {
	ID                  client.FlexString `json:"id"`
	Name                string            `json:"name"`
	Description         string            `json:"description"`
	Type                client.FlexString `json:"type"`
	CreatedTime         client.FlexString `json:"created_time"`
	ModifiedTime        client.FlexString `json:"modified_time"`
	Created             client.FlexString `json:"created"`
	Modified            client.FlexString `json:"modified"`
	ParentID            client.FlexString `json:"parent_id"`
	ParentName          string            `json:"parent_name"`
	HasPersonalSettings client.FlexString `json:"has_personal_settings"`
	ChildGroups         client.FlexString `json:"child_groups"`
	ChildGroupsHyphen   client.FlexString `json:"child-groups"`
	Stations            client.FlexString `json:"stations"`
	Permissions         *struct {
		jsonInherit
		List []struct {
			Right client.FlexString `json:"right"`
			Code  client.FlexString `json:"code"`
			Name  string            `json:"name"`
			Value client.FlexString `json:"value"`
		} `json:"list"`
	} `json:"permissions"`
	Keys *struct {
		jsonInherit
		List []client.FlexString `json:"list"`
	} `json:"keys"`
	// The vendor prints components in XML only; a JSON answer is read the
	// way rights are.
	Components *struct {
		jsonInherit
		List []struct {
			Code      client.FlexString `json:"code"`
			Component client.FlexString `json:"component"`
			Name      string            `json:"name"`
			Status    client.FlexString `json:"status"`
		} `json:"list"`
	} `json:"components"`
	Packages []struct {
		OS   string `json:"os"`
		Arch string `json:"arch"`
		URL  string `json:"url"`
	} `json:"packages"`
}

type jsonDocument struct {
	Head struct {
		Status client.FlexString `json:"status"`
		Error  *jsonError        `json:"error"`
	} `json:"head"`
	Error *jsonError `json:"error"`
	Data  struct {
		ID     client.FlexString `json:"id"` // add.ds, change.ds
		Groups struct {
			List []jsonGroup `json:"list"`
		} `json:"groups"`
		// stations-list.ds ({total, list} or a bare list) and states.ds
		// ({total, <state>: {total} or a number}): their nesting is not
		// printed by the vendor, so they are read loosely (stations.go).
		Stations json.RawMessage `json:"stations"`
		Pages    *struct {
			Total   client.FlexString `json:"total"`
			Current client.FlexString `json:"current"`
		} `json:"pages"`
	} `json:"data"`
}

func decodeJSON(resp *client.Response) (*document, error) {
	var raw jsonDocument
	if err := resp.DecodeJSON(&raw); err != nil {
		return nil, err
	}
	d := &document{Status: true}
	if ok, known := raw.Head.Status.Bool(); known {
		d.Status = ok
	}
	// The error block sits at the top level or under head, depending on the server.
	for _, e := range []*jsonError{raw.Error, raw.Head.Error} {
		if e != nil {
			d.Status = false
			d.ErrCode, d.ErrMessage = string(e.Code), e.Message
			if d.ErrCode == "" {
				d.ErrCode = string(e.Errno)
			}
			break
		}
	}
	if !d.Status {
		return d, nil
	}
	d.WrittenID = strings.TrimSpace(string(raw.Data.ID))
	if p := raw.Data.Pages; p != nil {
		d.Pages = d.pagesOf(p.Total, p.Current)
	}
	if len(raw.Data.Stations) > 0 {
		if err := d.jsonStations(raw.Data.Stations); err != nil {
			return nil, resp.Error("the stations in the answer cannot be read: "+err.Error(), client.ErrInvalidJSON)
		}
	}
	for _, g := range raw.Data.Groups.List {
		r := rawGroup{
			ID: string(g.ID), Name: g.Name, Description: g.Description, ParentID: string(g.ParentID), ParentName: g.ParentName,
			Type: g.Type, Created: firstNonEmpty(g.CreatedTime, g.Created), Modified: firstNonEmpty(g.ModifiedTime, g.Modified),
			ChildGroups: firstNonEmpty(g.ChildGroups, g.ChildGroupsHyphen), Stations: g.Stations, HasPersonalSettings: g.HasPersonalSettings,
			timeFields: [2]string{"created_time", "modified_time"},
		}
		if p := g.Permissions; p != nil {
			r.Rights = &rawInherit{Inheritance: p.normalise()}
			for _, it := range p.List {
				r.Rights.rights = append(r.Rights.rights, rawRight{Code: firstNonEmpty(it.Right, it.Code), Name: it.Name, Value: it.Value})
			}
		}
		if k := g.Keys; k != nil {
			r.Keys = &rawInherit{Inheritance: k.normalise()}
			for _, key := range k.List {
				r.Keys.keys = append(r.Keys.keys, string(key))
			}
		}
		if cs := g.Components; cs != nil {
			r.Components = &rawInherit{Inheritance: cs.normalise()}
			for _, it := range cs.List {
				r.Components.rights = append(r.Components.rights, rawRight{Code: firstNonEmpty(it.Code, it.Component), Name: it.Name, Value: it.Status})
			}
		}
		for _, p := range g.Packages {
			r.Packages = append(r.Packages, Package(p))
		}
		d.Groups = append(d.Groups, d.normalise(r))
	}
	return d, nil
}

// rawGroup is a group as either format sent it, before normalisation: the
// one place that turns what a server sends into a Group.
type rawGroup struct {
	ID, Name, Description, ParentID, ParentName string
	Type, Created, Modified, ChildGroups        client.FlexString
	Stations, HasPersonalSettings               client.FlexString
	Rights, Keys, Components                    *rawInherit // nil when the answer has none
	Packages                                    []Package
	timeFields                                  [2]string // how the format names created and modified, for warnings
}

type rawInherit struct {
	Inheritance
	rights []rawRight
	keys   []string
}

// rawRight is one right, or one component (its status as Value).
type rawRight struct {
	Code  client.FlexString
	Name  string
	Value client.FlexString
}

// normalise turns a raw group into a Group: times in RFC 3339 UTC, "" for
// references the server left empty or sent as "none", counts as numbers
// (with a warning for what is not one), lists empty rather than nil.
func (d *document) normalise(g rawGroup) Group {
	out := Group{
		ID: g.ID, Name: g.Name, Description: g.Description,
		ParentID: emptyIfNone(g.ParentID), ParentName: emptyIfNone(g.ParentName),
		Type:                d.count("group "+g.ID, "type", g.Type),
		Created:             d.unixTime("group "+g.ID, g.timeFields[0], string(g.Created)),
		Modified:            d.unixTime("group "+g.ID, g.timeFields[1], string(g.Modified)),
		ChildGroups:         d.count("group "+g.ID, "child_groups", g.ChildGroups),
		Stations:            d.count("group "+g.ID, "stations", g.Stations),
		HasPersonalSettings: flexBool(g.HasPersonalSettings),
		Rights:              Rights{Items: []Right{}},
		Keys:                Keys{IDs: []string{}},
		Packages:            []Package{},
	}
	if out.ParentID == "" {
		out.ParentName = ""
	}
	if g.Rights != nil {
		out.Rights.Inheritance = g.Rights.Inheritance
		for _, r := range g.Rights.rights {
			out.Rights.Items = append(out.Rights.Items, Right{Code: d.count("group "+g.ID, "right code", r.Code), Name: r.Name, Value: d.count("group "+g.ID, "right value", r.Value)})
		}
	}
	if g.Keys != nil {
		out.Keys.Inheritance = g.Keys.Inheritance
		out.Keys.IDs = append(out.Keys.IDs, g.Keys.keys...)
	}
	if g.Components != nil {
		out.Components = &Components{Inheritance: g.Components.Inheritance, Items: []Component{}}
		for _, r := range g.Components.rights {
			out.Components.Items = append(out.Components.Items, Component{Code: d.count("group "+g.ID, "component code", r.Code), Name: r.Name, Status: d.count("group "+g.ID, "component status", r.Value)})
		}
	}
	out.Packages = append(out.Packages, g.Packages...)
	return out
}

func (j jsonInherit) normalise() Inheritance {
	return normaliseInheritance(flexBool(j.Inherited), string(j.InheritedGroupID), j.InheritedGroupName)
}

func normaliseInheritance(inherited *bool, id, name string) Inheritance {
	in := Inheritance{Inherited: inherited, InheritedGroupID: emptyIfNone(id), InheritedGroupName: emptyIfNone(name)}
	if in.InheritedGroupID == "" {
		in.InheritedGroupName = ""
	}
	return in
}

func firstNonEmpty(vs ...client.FlexString) client.FlexString {
	for _, v := range vs {
		if strings.TrimSpace(string(v)) != "" {
			return v
		}
	}
	return ""
}

// ---- XML ----

type xmlInherit struct {
	Inherited          *string `xml:"inherited,attr"`
	InheritedGroupID   string  `xml:"inherited_group_id,attr"`
	InheritedGroupName string  `xml:"inherited_group_name,attr"`
	Rights             []struct {
		Code  client.FlexString `xml:"code,attr"`
		Name  string            `xml:"name,attr"`
		Value client.FlexString `xml:"value,attr"`
	} `xml:"right"`
	Keys []struct {
		ID string `xml:"id,attr"`
	} `xml:"key"`
	Components []struct {
		Code   client.FlexString `xml:"code,attr"`
		Name   string            `xml:"name,attr"`
		Status client.FlexString `xml:"status,attr"`
	} `xml:"component"`
}

func (x *xmlInherit) normalise() Inheritance {
	if x == nil {
		return Inheritance{}
	}
	var inherited *bool
	if x.Inherited != nil {
		inherited = flexBool(client.FlexString(*x.Inherited))
	}
	return normaliseInheritance(inherited, x.InheritedGroupID, x.InheritedGroupName)
}

type xmlGroup struct {
	ID                  string            `xml:"id,attr"`
	Name                string            `xml:"name,attr"`
	Description         string            `xml:"description,attr"`
	Created             string            `xml:"created,attr"`
	Modified            string            `xml:"modified,attr"`
	ParentID            string            `xml:"parent_id,attr"`
	ParentName          string            `xml:"parent_name,attr"`
	Type                client.FlexString `xml:"type,attr"`
	HasPersonalSettings client.FlexString `xml:"has_personal_settings,attr"`
	Rights              *xmlInherit       `xml:"rights"`
	Keys                *xmlInherit       `xml:"keys"`
	Components          *xmlInherit       `xml:"components"`
	Packages            []struct {
		Arch string `xml:"arch,attr"`
		OS   string `xml:"os,attr"`
		URL  string `xml:"url,attr"`
	} `xml:"packages>package"`
	// Counts are child elements in info.ds and attributes in list.ds, spelt
	// child_groups or child-groups depending on the server line.
	ChildGroupsElem       client.FlexString `xml:"child-groups"`
	ChildGroupsElemUnder  client.FlexString `xml:"child_groups"`
	ChildGroupsAttr       client.FlexString `xml:"child_groups,attr"`
	ChildGroupsAttrHyphen client.FlexString `xml:"child-groups,attr"`
	StationsElem          client.FlexString `xml:"stations"`
	StationsAttr          client.FlexString `xml:"stations,attr"`
}

// xmlDocument matches either root element (drweb-avdesk-api, drweb-es-api).
type xmlDocument struct {
	XMLName xml.Name
	Status  string `xml:"status,attr"`
	Error   *struct {
		Errno   string `xml:"errno"`
		Code    string `xml:"code"`
		Message string `xml:"message"`
	} `xml:"error"`
	Groups  []xmlGroup `xml:"groups>group"`
	Written *struct {
		ID string `xml:"id,attr"`
	} `xml:"group"` // add.ds, change.ds: <group id="…"/> under the root
	WrittenStation *struct {
		ID string `xml:"id,attr"`
	} `xml:"station"` // stations/change.ds: <station id="…"/>
	Stations *xmlStations `xml:"stations"`
	Pages    *struct {
		Total   client.FlexString `xml:"total,attr"`
		Current client.FlexString `xml:"current,attr"`
	} `xml:"pages"`
}

func decodeXML(resp *client.Response) (*document, error) {
	var raw xmlDocument
	if err := resp.DecodeXML(&raw); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(raw.XMLName.Local, "drweb") {
		return nil, resp.Error(fmt.Sprintf("the XML root element is <%s>, not a Dr.Web API answer", raw.XMLName.Local), nil)
	}
	d := &document{Status: true}
	if ok, known := client.FlexString(raw.Status).Bool(); known {
		d.Status = ok
	}
	if raw.Error != nil {
		d.Status = false
		d.ErrCode = strings.TrimSpace(raw.Error.Errno)
		if d.ErrCode == "" {
			d.ErrCode = strings.TrimSpace(raw.Error.Code)
		}
		d.ErrMessage = strings.TrimSpace(raw.Error.Message)
	}
	if !d.Status {
		return d, nil
	}
	if raw.Written != nil {
		d.WrittenID = strings.TrimSpace(raw.Written.ID)
	}
	if raw.WrittenStation != nil {
		d.WrittenID = strings.TrimSpace(raw.WrittenStation.ID)
	}
	if raw.Pages != nil {
		d.Pages = d.pagesOf(raw.Pages.Total, raw.Pages.Current)
	}
	if raw.Stations != nil {
		d.xmlStations(raw.Stations)
	}
	for _, g := range raw.Groups {
		r := rawGroup{
			ID: g.ID, Name: g.Name, Description: g.Description, ParentID: g.ParentID, ParentName: g.ParentName,
			Type: g.Type, Created: client.FlexString(g.Created), Modified: client.FlexString(g.Modified),
			ChildGroups:         firstNonEmpty(g.ChildGroupsAttr, g.ChildGroupsAttrHyphen, g.ChildGroupsElem, g.ChildGroupsElemUnder),
			Stations:            firstNonEmpty(g.StationsAttr, g.StationsElem),
			HasPersonalSettings: g.HasPersonalSettings,
			timeFields:          [2]string{"created", "modified"},
		}
		if g.Rights != nil {
			r.Rights = &rawInherit{Inheritance: g.Rights.normalise()}
			for _, it := range g.Rights.Rights {
				r.Rights.rights = append(r.Rights.rights, rawRight(it))
			}
		}
		if g.Keys != nil {
			r.Keys = &rawInherit{Inheritance: g.Keys.normalise()}
			for _, k := range g.Keys.Keys {
				r.Keys.keys = append(r.Keys.keys, k.ID)
			}
		}
		if g.Components != nil {
			r.Components = &rawInherit{Inheritance: g.Components.normalise()}
			for _, it := range g.Components.Components {
				r.Components.rights = append(r.Components.rights, rawRight{Code: it.Code, Name: it.Name, Value: it.Status})
			}
		}
		for _, p := range g.Packages {
			r.Packages = append(r.Packages, Package{OS: p.OS, Arch: p.Arch, URL: p.URL})
		}
		d.Groups = append(d.Groups, d.normalise(r))
	}
	return d, nil
}

// errorMessage reads the vendor error from a failed (4xx/5xx) answer of either format.
func errorMessage(body []byte) (code, message string) {
	resp := &client.Response{Body: body}
	var d *document
	var err error
	switch client.SniffBody(body) {
	case client.BodyJSON:
		var raw jsonDocument
		if json.Unmarshal(body, &raw) != nil {
			return "", ""
		}
		d, err = decodeJSON(resp)
	case client.BodyXML:
		d, err = decodeXML(resp)
	default:
		return "", ""
	}
	if err != nil || d == nil {
		return "", ""
	}
	return d.ErrCode, d.ErrMessage
}

// ---- stations-list.ds and states.ds ----

type rawStation struct {
	ID           client.FlexString `json:"id" xml:"id,attr"`
	Name         string            `json:"name" xml:"name,attr"`
	State        client.FlexString `json:"state" xml:"state,attr"`
	LastSeenTime client.FlexString `json:"last_seen_time" xml:"last_seen_time,attr"`
	LastSeenAddr string            `json:"last_seen_addr" xml:"last_seen_addr,attr"`
}

func (d *document) station(r rawStation) Station {
	id := strings.TrimSpace(string(r.ID))
	return Station{
		ID: id, Name: r.Name,
		State:           d.count("station "+id, "state", r.State),
		LastSeen:        d.unixTime("station "+id, "last_seen_time", string(r.LastSeenTime)),
		LastSeenAddress: r.LastSeenAddr,
	}
}

// addStations adds the rows that name a station.
func (d *document) addStations(rows []rawStation) {
	for _, r := range rows {
		if strings.TrimSpace(string(r.ID)) == "" {
			d.Warnings = append(d.Warnings, fmt.Sprintf("a station row without an id (named %q) was left out", r.Name))
			d.Unnamed++
			continue
		}
		d.Stations = append(d.Stations, d.station(r))
	}
}

func (d *document) pagesOf(total, current client.FlexString) *pages {
	p := &pages{}
	if n, ok := total.Int(); ok && n >= 0 && strings.TrimSpace(string(total)) != "" {
		p.Total = n
	} else {
		p.BadTotal = strings.TrimSpace(string(total))
	}
	if strings.TrimSpace(string(current)) != "" {
		p.Current = d.count("pages", "current", current)
	}
	return p
}

// xmlStations is the <stations> element of stations-list.ds (station
// rows) and of states.ds (one element per state, with its total).
type xmlStations struct {
	Rows   []rawStation `xml:"station"`
	Counts []struct {
		XMLName xml.Name
		Total   client.FlexString `xml:"total,attr"`
	} `xml:",any"`
}

func (d *document) xmlStations(x *xmlStations) {
	d.addStations(x.Rows)
	for _, c := range x.Counts {
		d.setCount(c.XMLName.Local, c.Total)
	}
}

// setCount keeps a count as the server sent it: States decides what it is.
func (d *document) setCount(name string, v client.FlexString) {
	if d.Counts == nil {
		d.Counts = map[string]client.FlexString{}
	}
	d.Counts[strings.ReplaceAll(name, "-", "_")] = v
}

// jsonStations reads data.stations: a list of stations, an object with
// one, or an object of state counts (each a number or {"total": n}).
func (d *document) jsonStations(raw json.RawMessage) error {
	var rows []rawStation
	if json.Unmarshal(raw, &rows) == nil {
		d.addStations(rows)
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return err
	}
	for k, v := range obj {
		switch k {
		case "total":
		case "list":
			if err := json.Unmarshal(v, &rows); err != nil {
				return fmt.Errorf("stations.list: %w", err)
			}
			d.addStations(rows)
		default:
			var n client.FlexString
			if json.Unmarshal(v, &n) == nil {
				d.setCount(k, n)
				continue
			}
			var withTotal struct {
				Total client.FlexString `json:"total"`
			}
			if json.Unmarshal(v, &withTotal) == nil {
				d.setCount(k, withTotal.Total)
			}
		}
	}
	return nil
}
