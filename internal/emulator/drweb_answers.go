package emulator

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// drwebWriter writes one answer in the format asked for, as the server
// line's profile says.
type drwebWriter struct {
	w    http.ResponseWriter
	json bool
	p    *drwebProfile
}

func (d drwebWriter) root() string { return d.p.root }

func (d drwebWriter) head(status bool) map[string]any {
	return map[string]any{"status": status, "timestamp": time.Now().Unix(), "api": d.p.apiHead, "server": d.p.serverHead}
}

// writeJSON writes v; on the ESS 12 line with the version unquoted, as
// those servers print it.
func (d drwebWriter) writeJSON(status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(d.w, err.Error(), http.StatusInternalServerError)
		return
	}
	body = bytes.ReplaceAll(body, []byte(`"`+versionPlaceholder+`"`), []byte("4.3.0"))
	d.w.Header().Set("Content-Type", "application/json")
	d.w.WriteHeader(status)
	_, _ = d.w.Write(append(body, '\n'))
}

// writeData writes a successful JSON answer holding data.
func (d drwebWriter) writeData(data map[string]any) {
	d.writeJSON(http.StatusOK, map[string]any{"head": d.head(true), "data": data})
}

func (d drwebWriter) fail(status, errno int, msg string) {
	if d.json {
		d.writeJSON(status, map[string]any{"head": d.head(false), "error": map[string]any{"code": errno, "message": msg}})
		return
	}
	d.w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	d.w.WriteHeader(status)
	_, _ = fmt.Fprintf(d.w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<%s api_version="4.1.3" timestamp="%d" server="127.0.0.1" srv_version="13.00.0.202301010" status="false"><error><errno>%d</errno><message>%s</message></error></%s>`,
		d.root(), time.Now().Unix(), errno, xmlEscape(msg), d.root())
}

func xmlEscape(s string) string {
	var b []byte
	buf := &byteWriter{b: b}
	_ = xml.EscapeText(buf, []byte(s))
	return string(buf.b)
}

type byteWriter struct{ b []byte }

func (w *byteWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// info answers info.ds.
func (d drwebWriter) info(views []drwebView) {
	if d.json {
		list := make([]map[string]any, 0, len(views))
		for _, v := range views {
			list = append(list, infoJSON(v))
		}
		d.writeData(map[string]any{"groups": map[string]any{"total": len(list), "list": list}})
		return
	}
	groups := make([]infoGroupXML, 0, len(views))
	for _, v := range views {
		groups = append(groups, infoXML(v))
	}
	d.writeXML(struct {
		Total  int            `xml:"total,attr"`
		Groups []infoGroupXML `xml:"group"`
	}{len(groups), groups})
}

// infoJSON is one group of a JSON info.ds answer.
func infoJSON(v drwebView) map[string]any {
	g := map[string]any{
		"id": v.ID, "name": v.Name, "description": v.Description, "type": v.Type,
		"created_time": v.Created, "modified_time": v.Modified,
		"child_groups": v.children, "stations": v.Stations,
	}
	if v.HasPersonalSettings != nil {
		g["has_personal_settings"] = *v.HasPersonalSettings
	}
	if v.ParentID != "" {
		g["parent_id"], g["parent_name"] = v.ParentID, v.parentName
	}
	if v.rights != nil {
		items := []map[string]any{}
		for _, r := range v.rights {
			items = append(items, map[string]any{"right": r.Code, "name": r.Name, "value": r.Value})
		}
		g["permissions"] = inheritJSON(v.rightsFrom, items)
	}
	if v.keys != nil {
		g["keys"] = inheritJSON(v.keysFrom, v.keys)
	}
	if v.withComps {
		items := []map[string]any{}
		for _, c := range v.comps {
			items = append(items, map[string]any{"code": c.Code, "name": c.Name, "status": c.Status})
		}
		g["components"] = inheritJSON(v.compsFrom, items)
	}
	pk := []map[string]any{}
	for _, p := range v.packageLinks {
		pk = append(pk, map[string]any{"os": p[0], "arch": p[1], "url": p[2]})
	}
	g["packages"] = pk
	return g
}

// inheritJSON is an inheritable setting of a JSON info.ds answer: its
// list, and the group it comes from when that is not the group itself.
func inheritJSON(from *DrWebGroup, list any) map[string]any {
	m := map[string]any{"inherited": from != nil, "list": list}
	if from != nil {
		m["inherited_group_id"], m["inherited_group_name"] = from.ID, from.Name
	}
	return m
}

// The XML shapes of info.ds (the vendor's examples).
type (
	rightXML struct {
		Code  int    `xml:"code,attr"`
		Name  string `xml:"name,attr"`
		Value int    `xml:"value,attr"`
	}
	keyXML struct {
		ID string `xml:"id,attr"`
	}
	componentXML struct {
		Code   int    `xml:"code,attr"`
		Name   string `xml:"name,attr"`
		Status int    `xml:"status,attr"`
	}
	inheritXML struct {
		Attrs      []xml.Attr     `xml:",any,attr"`
		Rights     []rightXML     `xml:"right"`
		Keys       []keyXML       `xml:"key"`
		Components []componentXML `xml:"component"`
	}
	packageXML struct {
		Arch string `xml:"arch,attr"`
		OS   string `xml:"os,attr"`
		URL  string `xml:"url,attr"`
	}
	infoGroupXML struct {
		ID          string       `xml:"id,attr"`
		Name        string       `xml:"name,attr"`
		Description string       `xml:"description,attr"`
		Created     int64        `xml:"created,attr"`
		Modified    int64        `xml:"modified,attr"`
		ParentID    string       `xml:"parent_id,attr"`
		ParentName  string       `xml:"parent_name,attr"`
		Type        int          `xml:"type,attr"`
		Rights      inheritXML   `xml:"rights"`
		Keys        inheritXML   `xml:"keys"`
		Components  *inheritXML  `xml:"components"`
		Packages    []packageXML `xml:"packages>package"`
		Children    string       `xml:"child-groups"`
		Stations    int          `xml:"stations"`
	}
)

// infoXML is one group of an XML info.ds answer.
func infoXML(v drwebView) infoGroupXML {
	g := infoGroupXML{ID: v.ID, Name: v.Name, Description: v.Description, Created: v.Created, Modified: v.Modified,
		ParentID: v.ParentID, ParentName: v.parentName, Type: v.Type, Stations: v.Stations}
	if v.children > 0 {
		g.Children = strconv.Itoa(v.children)
	}
	if v.rights != nil {
		g.Rights.Attrs = inheritAttrs(v.rightsFrom)
		for _, r := range v.rights {
			g.Rights.Rights = append(g.Rights.Rights, rightXML(r))
		}
	}
	if len(v.keys) > 0 {
		g.Keys.Attrs = inheritAttrs(v.keysFrom)
		for _, k := range v.keys {
			g.Keys.Keys = append(g.Keys.Keys, keyXML{ID: k})
		}
	}
	if v.withComps {
		g.Components = &inheritXML{Attrs: inheritAttrs(v.compsFrom)}
		for _, c := range v.comps {
			g.Components.Components = append(g.Components.Components, componentXML(c))
		}
	}
	for _, p := range v.packageLinks {
		g.Packages = append(g.Packages, packageXML{OS: p[0], Arch: p[1], URL: p[2]})
	}
	return g
}

// inheritAttrs say where an XML setting comes from: none when the group
// has its own.
func inheritAttrs(from *DrWebGroup) []xml.Attr {
	if from == nil {
		return []xml.Attr{xmlAttr("inherited", "false"), xmlAttr("inherited_group_id", "none"), xmlAttr("inherited_group_name", "none")}
	}
	return []xml.Attr{xmlAttr("inherited", "true"), xmlAttr("inherited_group_id", from.ID), xmlAttr("inherited_group_name", from.Name)}
}

func xmlAttr(name, value string) xml.Attr { return xml.Attr{Name: xml.Name{Local: name}, Value: value} }

// list answers list.ds.
func (d drwebWriter) list(views []drwebView) {
	if d.json {
		list := make([]map[string]any, 0, len(views))
		for _, v := range views {
			g := map[string]any{"id": v.ID, "name": v.Name, "child_groups": v.children, "stations": v.Stations}
			if d.p.listsType {
				g["type"] = v.Type
			}
			list = append(list, g)
		}
		d.writeData(map[string]any{"groups": map[string]any{"total": len(list), "list": list}})
		return
	}
	// list.ds carries its counts as attributes (the vendor's examples).
	type group struct {
		Attrs []xml.Attr `xml:",any,attr"`
	}
	var groups []group
	for _, v := range views {
		attrs := []xml.Attr{xmlAttr("id", v.ID), xmlAttr("name", v.Name),
			xmlAttr(d.p.listCountAttr, strconv.Itoa(v.children)), xmlAttr("stations", strconv.Itoa(v.Stations))}
		if d.p.listsType {
			attrs = append(attrs, xmlAttr("type", strconv.Itoa(v.Type)))
		}
		groups = append(groups, group{Attrs: attrs})
	}
	d.writeXML(struct {
		Total  int     `xml:"total,attr"`
		Groups []group `xml:"group"`
	}{len(groups), groups})
}

func (d drwebWriter) writeXML(groups any) { d.writeXMLRoot(groups, "groups") }

// writeXMLRoot writes the API's root element around one child element.
func (d drwebWriter) writeXMLRoot(child any, name string) { d.writeXMLRoots(wrapXML{name, child}) }

// writeXMLRoots writes the API's root element around child elements.
func (d drwebWriter) writeXMLRoots(children ...wrapXML) {
	body, err := xml.Marshal(struct {
		XMLName    xml.Name
		APIVersion string `xml:"api_version,attr"`
		Timestamp  int64  `xml:"timestamp,attr"`
		Server     string `xml:"server,attr"`
		SrvVersion string `xml:"srv_version,attr"`
		Status     string `xml:"status,attr"`
		Children   []wrapXML
	}{xml.Name{Local: d.root()}, "4.1.3", time.Now().Unix(), "127.0.0.1", "13.00.0.202301010", "true", children})
	if err != nil {
		http.Error(d.w, err.Error(), http.StatusInternalServerError)
		return
	}
	d.w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	d.w.WriteHeader(http.StatusOK)
	_, _ = d.w.Write([]byte(xml.Header))
	_, _ = d.w.Write(body)
}

// wrapXML marshals v as an element called name.
type wrapXML struct {
	name string
	v    any
}

func (w wrapXML) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.EncodeElement(w.v, xml.StartElement{Name: xml.Name{Local: w.name}})
}
