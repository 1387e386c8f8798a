package emulator

import (
	"fmt"
	"slices"
)

// DrWebServerLine is a Dr.Web server version whose answers the emulator
// imitates, as the vendor documents them for that line.
type DrWebServerLine string

// The emulated server lines.
const (
	// DrWebDefault answers like the AV-Desk 4.1.3 examples, in JSON when
	// format=json is asked for: the demo's line.
	DrWebDefault DrWebServerLine = ""
	// DrWebAVDesk413 answers XML whatever is asked; list.ds carries
	// child_groups and stations as attributes, without type.
	DrWebAVDesk413 DrWebServerLine = "avdesk-4.1.3"
	// DrWebESS12 (ESS 12.0.11 and 13.0.0) prints "versionString": 4.3.0
	// unquoted in its JSON head, which is not JSON; its XML list.ds spells
	// the count child-groups and adds type.
	DrWebESS12 DrWebServerLine = "ess-12"
	// DrWebESS1301 sends its server version as a string in the JSON head,
	// lists child_groups, stations and type as list.ds attributes, and lists
	// the system groups at the top level beside the user groups.
	DrWebESS1301 DrWebServerLine = "ess-13.0.1"
)

// DrWebServerLines are the lines SetDrWebServerLine accepts.
var DrWebServerLines = []DrWebServerLine{DrWebDefault, DrWebAVDesk413, DrWebESS12, DrWebESS1301}

// drwebProfile is what one server line does its own way. Every handler
// reads its line's quirks here, so that a line is described in one place,
// as the vendor's documents for it describe it (drweb-web-api.md,
// drweb-stations.md).
type drwebProfile struct {
	// xmlOnly: the line answers XML whatever format is asked for.
	xmlOnly bool
	// root is the XML root element of answers and refusals:
	// drweb-avdesk-api on AV-Desk, drweb-es-api on ESS.
	root string
	// apiHead and serverHead are the JSON head's api and server blocks,
	// which differ by line; they are only read.
	apiHead, serverHead map[string]any

	// listsSystemGroups: list.ds at the top level lists the system groups
	// beside the user groups (ESS 13.0.1 only).
	listsSystemGroups bool
	// listsType: list.ds gives each group's numeric type (ESS).
	listsType bool
	// listCountAttr spells list.ds's child group count in XML: the ESS
	// 12/13.0.0 attribute tables say child-groups, the others child_groups.
	listCountAttr string

	// components: info.ds prints the components block for components=yes
	// (ESS); the others document none and leave it out.
	components bool

	// subgroups: stations-list.ds takes subgroups=yes (ESS 13.0.1); the
	// others ignore it and list the group's own stations.
	subgroups bool
	// stationOSFields: listed stations carry os, os_name, login_addr and
	// login_mac (ESS).
	stationOSFields bool
	// stationLifeFields: listed stations carry expires, createtime,
	// blockbeg and blockend (ESS 13.0.0 on; the ess-12 profile answers as
	// 12.0.11 does, without them).
	stationLifeFields bool

	// statesAll: states.ds has the all count; AV-Desk's table has none.
	statesAll bool
}

// versionPlaceholder stands where the ESS 12 line prints its version
// unquoted; writeJSON's output has it replaced.
const versionPlaceholder = "@@versionString@@"

// avdeskProfile answers like the AV-Desk 4.1.3 examples.
var avdeskProfile = drwebProfile{
	root:          "drweb-avdesk-api",
	apiHead:       map[string]any{"version": 40103},
	serverHead:    map[string]any{"name": "127.0.0.1", "version": 1000201707130, "uuid": "20546124-e03f-e411-0aa6-a4d5c8ad7f2c"},
	listCountAttr: "child_groups",
}

// drwebProfiles holds each line's profile.
var drwebProfiles = map[DrWebServerLine]*drwebProfile{
	DrWebDefault: &avdeskProfile,
	DrWebAVDesk413: func() *drwebProfile {
		p := avdeskProfile
		p.xmlOnly = true
		return &p
	}(),
	DrWebESS12: {
		root:            "drweb-es-api",
		apiHead:         map[string]any{"version": 40300, "versionString": versionPlaceholder},
		serverHead:      map[string]any{"name": "127.0.0.1", "version": "13.00.0.202301010", "versionString": versionPlaceholder},
		listsType:       true,
		listCountAttr:   "child-groups",
		components:      true,
		stationOSFields: true,
		statesAll:       true,
	},
	DrWebESS1301: {
		root:              "drweb-es-api",
		apiHead:           map[string]any{"version": 40300, "versionString": "4.3.0"},
		serverHead:        map[string]any{"name": "127.0.0.1", "version": "13.00.1.202310121", "uuid": "20546124-e03f-e411-0aa6-a4d5c8ad7f2c"},
		listsSystemGroups: true,
		listsType:         true,
		listCountAttr:     "child_groups",
		components:        true,
		subgroups:         true,
		stationOSFields:   true,
		stationLifeFields: true,
		statesAll:         true,
	},
}

// SetDrWebServerLine makes the Dr.Web side answer like line. It also sets
// XML only as the line does (SetDrWebXMLOnly can change that afterwards).
func (s *Server) SetDrWebServerLine(line DrWebServerLine) error {
	p, ok := drwebProfiles[line]
	if !ok || !slices.Contains(DrWebServerLines, line) {
		return fmt.Errorf("unknown Dr.Web server line %q (known: %v)", line, DrWebServerLines)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.line = line
	s.xmlOnly = p.xmlOnly
	return nil
}

// drwebProfileLocked is the profile of the line the server answers as,
// under s.mu.
func (s *Server) drwebProfileLocked() *drwebProfile { return drwebProfiles[s.line] }
