package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// OPSWATDevice is a device of the account, in one group. The API documents
// no way to read a device's group: tests read it here (OPSWATDevices).
type OPSWATDevice struct {
	ID      string `json:"device_id"`
	MAC     string `json:"mac"` // six colon-separated pairs of lower-case hex digits
	GroupID string `json:"group_id"`
	// DomainController: the device has the domain controller agent, which
	// the device action leaves alone ("not supported", status -1).
	DomainController bool `json:"domain_controller,omitempty"`
	// Fails: applying the action to it fails (status 0).
	Fails bool `json:"fails,omitempty"`
	// Unanswered: the answer leaves the device out, although it is assigned.
	Unanswered bool `json:"unanswered,omitempty"`
	// AnsweredTwice: the answer names the device a second time, with the
	// status 0 after its true one (a hostile answer that contradicts itself).
	AnsweredTwice bool `json:"answered_twice,omitempty"`
}

// OPSWATActionAnswer is the shape of the device action's answer on the v3
// path; /v3.1, /v3.2 and /v3.3 always answer with items.
type OPSWATActionAnswer int

const (
	// ActionAnswerV30: {"<id or MAC>": 1, …}, as v3.0 documents it.
	ActionAnswerV30 OPSWATActionAnswer = iota
	// ActionAnswerItems: [{"id", "status", "command_id"}, …], as v3.1 and later.
	ActionAnswerItems
	// ActionAnswerWrapped: {"items": [{"id", "status", "command_id"}, …]}.
	ActionAnswerWrapped
	// ActionAnswerMixed: a hostile mix of both shapes, {"<id>": 1, …,
	// "items": [{"id", "status", "command_id"}, …], "total": n}: the first
	// half of the devices as v3.0 members, the rest as items.
	ActionAnswerMixed
)

// SetOPSWATActionAnswer chooses the shape of the v3 device action's answer.
func (s *Server) SetOPSWATActionAnswer(a OPSWATActionAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.actionAnswer = a
}

// GenerateOPSWATDevices returns n devices in a group: ids "dev-<group>-0001" …,
// MACs 02:00:… that follow from their number.
func GenerateOPSWATDevices(n int, groupID string) []OPSWATDevice {
	out := make([]OPSWATDevice, n)
	for i := range out {
		out[i] = OPSWATDevice{
			ID:      fmt.Sprintf("dev-%s-%04d", groupID, i+1),
			MAC:     fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", len(groupID)%256, (i>>16)&0xff, (i>>8)&0xff, i&0xff, 0x10),
			GroupID: groupID,
		}
	}
	return out
}

// SetOPSWATDevices replaces the devices, and makes each group's
// number_of_devices count them.
func (s *Server) SetOPSWATDevices(devices []OPSWATDevice) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seed.OPSWAT.Devices = slices.Clone(devices)
	count := map[string]int{}
	for _, d := range devices {
		count[d.GroupID]++
	}
	groups := slices.Clone(s.seed.OPSWAT.Groups)
	for i := range groups {
		groups[i].NumberOfDevices = count[groups[i].GroupID]
	}
	s.seed.OPSWAT.Groups = groups
}

// OPSWATDevices returns the devices, with their groups.
func (s *Server) OPSWATDevices() []OPSWATDevice {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seed.OPSWAT.Devices)
}

// OPSWATDeviceGroups returns each device's group, keyed by device id.
func (s *Server) OPSWATDeviceGroups() map[string]string {
	out := map[string]string{}
	for _, d := range s.OPSWATDevices() {
		out[d.ID] = d.GroupID
	}
	return out
}

// isOPSWATDeviceAction tells the device action's paths: v3 and its later versions.
func isOPSWATDeviceAction(path string) (version string, ok bool) {
	for _, v := range []string{"v3", "v3.1", "v3.2", "v3.3"} {
		if path == "/o/api/"+v+"/devices/action" {
			return v, true
		}
	}
	return "", false
}

// opswatDeviceAction serves POST /o/api/v3*/devices/action with the
// assign_to_group action: each device named (by id or by exact MAC) moves
// to the group, and the answer gives each one's status: 1 applied, 0
// failed (an unknown device or group too), -1 not supported.
func (s *Server) opswatDeviceAction(w http.ResponseWriter, r *http.Request, body []byte, version string) {
	if r.Method != http.MethodPost {
		opswatError(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	s.mu.Lock()
	if !s.opswatRateLimitLocked(w) {
		return
	}
	valid := s.validToken(r.URL.Query().Get("access_token"))
	answer := s.actionAnswer
	s.mu.Unlock()
	if !valid {
		opswatError(w, http.StatusUnauthorized, "Your access_token is invalid or expired")
		return
	}
	if version != "v3" {
		answer = ActionAnswerItems
	}
	req, refusal := parseDeviceAction(body)
	if refusal != "" {
		opswatError(w, http.StatusBadRequest, refusal)
		return
	}
	s.mu.Lock()
	results := s.assignLocked(req)
	s.actionCommands += len(results)
	cmd := s.actionCommands
	s.mu.Unlock()
	writeActionAnswer(w, answer, results, cmd)
}

// assignment is an assign_to_group request: the devices named, by id or
// by MAC, and the group.
type assignment struct {
	named []string
	byMAC bool
	group string
}

// parseDeviceAction reads the action's body, or says why the API refuses it.
func parseDeviceAction(body []byte) (assignment, string) {
	var req struct {
		Types  string   `json:"types"`
		IDs    []string `json:"ids"`
		MACs   []string `json:"macs"`
		Params struct {
			GroupID *string `json:"group_id"`
		} `json:"params"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return assignment{}, "The JSON body is invalid"
	}
	switch {
	case req.Types != "assign_to_group":
		return assignment{}, fmt.Sprintf("The emulator carries out assign_to_group only, not %q", req.Types)
	case (len(req.IDs) > 0) == (len(req.MACs) > 0):
		return assignment{}, "The request body must have ids parameter or macs parameter, but not both"
	}
	a := assignment{named: req.IDs, group: "default"}
	if req.Params.GroupID != nil {
		a.group = *req.Params.GroupID
	}
	if len(req.MACs) > 0 {
		a.named, a.byMAC = req.MACs, true
	}
	return a, ""
}

// assignLocked carries the action out under s.mu: each device it can move
// joins the group, and the groups' device counts follow.
func (s *Server) assignLocked(a assignment) []actionResult {
	groupKnown := slices.ContainsFunc(s.seed.OPSWAT.Groups, func(g OPSWATGroup) bool { return g.GroupID == a.group })
	devices := slices.Clone(s.seed.OPSWAT.Devices)
	groups := slices.Clone(s.seed.OPSWAT.Groups)
	counts := func(id string, d int) {
		for i := range groups {
			if groups[i].GroupID == id {
				groups[i].NumberOfDevices = max(0, groups[i].NumberOfDevices+d)
			}
		}
	}
	var results []actionResult
	for _, key := range a.named {
		i := slices.IndexFunc(devices, func(d OPSWATDevice) bool {
			if a.byMAC {
				return d.MAC == key
			}
			return d.ID == key
		})
		res := actionResult{key: key, twice: i >= 0 && devices[i].AnsweredTwice}
		switch {
		case i < 0 || !groupKnown:
			res.status = 0
		case devices[i].DomainController:
			res.status = -1
		case devices[i].Fails:
			res.status = 0
		default:
			res.status, res.omit = 1, devices[i].Unanswered
			if devices[i].GroupID != a.group {
				counts(devices[i].GroupID, -1)
				counts(a.group, +1)
				devices[i].GroupID = a.group
			}
		}
		results = append(results, res)
	}
	s.seed.OPSWAT.Devices, s.seed.OPSWAT.Groups = devices, groups
	return results
}

// writeActionAnswer answers in the shape the server is set to; cmd is
// the number of the last command started.
func writeActionAnswer(w http.ResponseWriter, answer OPSWATActionAnswer, results []actionResult, cmd int) {
	if answer == ActionAnswerV30 || answer == ActionAnswerMixed {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(v30Answer(answer, results, cmd)))
		return
	}
	items := actionItems(results, cmd-len(results))
	if answer == ActionAnswerWrapped {
		writeJSON(w, http.StatusOK, map[string]any{"items": items})
		return
	}
	writeJSON(w, http.StatusOK, items)
}

// v30Answer is v3.0's answer, a member per device (the mixed shape: the
// second half as v3.1 items). Written by hand: a map cannot hold a member
// twice.
func v30Answer(answer OPSWATActionAnswer, results []actionResult, cmd int) string {
	var b strings.Builder
	b.WriteByte('{')
	member := func(key string, status int) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(key)
		fmt.Fprintf(&b, "%s:%d", k, status)
	}
	v30 := results
	if answer == ActionAnswerMixed {
		v30 = results[:len(results)/2]
	}
	for _, res := range v30 {
		if !res.omit {
			member(res.key, res.status)
			if res.twice {
				member(res.key, 0)
			}
		}
	}
	if answer == ActionAnswerMixed {
		rest := results[len(v30):]
		items, _ := json.Marshal(actionItems(rest, cmd-len(rest)))
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"items":%s,"total":%d`, items, len(results))
	}
	b.WriteString("}\n") // as writeJSON ends its answers
	return b.String()
}

// actionResult is what the device action did to one device named.
type actionResult struct {
	key    string
	status int
	omit   bool // left out of the answer
	twice  bool // named twice in the answer
}

// actionItems are v3.1's answer items; commands are numbered after first.
func actionItems(results []actionResult, first int) []map[string]any {
	items := []map[string]any{}
	for i, res := range results {
		if res.omit {
			continue
		}
		id := ""
		if res.status == 1 {
			id = fmt.Sprintf("cmd-%06d", first+i+1)
		}
		items = append(items, map[string]any{"id": strings.TrimSpace(res.key), "status": res.status, "command_id": id})
		if res.twice {
			items = append(items, map[string]any{"id": strings.TrimSpace(res.key), "status": 0, "command_id": ""})
		}
	}
	return items
}
