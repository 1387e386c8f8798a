package opswat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/client"
)

// Putting devices into groups: the one write the API documents, the device
// action assign_to_group, by device id or by MAC address. The API has no way
// to read a device's group back, so what became of each device is what the
// answer says of it. Assigning a device to the group it is in is harmless,
// so a chunk whose answer was lost is sent again once.

const devicesActionPath = "/o/api/v3/devices/action"

// devicesPerAction is the most devices one device action names: the vendor
// documents no maximum, and 50 is the limit of its device listings.
const devicesPerAction = 50

// DeviceKey is how devices are named in an assignment.
type DeviceKey int

// The two ways the API names devices; a request uses one.
const (
	ByDeviceID DeviceKey = iota + 1 // ids
	ByMAC                           // macs
)

func (k DeviceKey) String() string {
	if k == ByMAC {
		return "MAC address"
	}
	return "device id"
}

// Assignment is what AssignDevices is asked to do.
type Assignment struct {
	GroupID string
	Key     DeviceKey
	Devices []string // ids, or MAC addresses (see NormalizeMAC)
	// Progress, when set, is told after each chunk's answer.
	Progress func(AssignProgress)
}

// AssignProgress is how far an assignment has come.
type AssignProgress struct {
	Chunk, Chunks int // the chunk just answered (1-based) and how many there are
	Done, Total   int // devices the API reports assigned so far, of all
	Failed        int // devices of this chunk not assigned
	Resent        bool
	// NotSent, when not 0, is the devices from Chunk on that will not be
	// sent: the assignment stopped; no later progress comes.
	NotSent int
	// Requests is every request the assignment has sent so far: the
	// group check, token fetches, each device action attempt.
	Requests int
}

// AssignStatus is what became of one device.
type AssignStatus int

// The outcomes of a device in an assignment.
const (
	// AssignDone: the answer says the action was applied (status 1).
	AssignDone AssignStatus = iota + 1
	// AssignFailed: the answer says "apply action failed" (status 0).
	AssignFailed
	// AssignNotSupported: the answer says the action is not supported for
	// the device (status -1), such as one with a domain controller agent.
	AssignNotSupported
	// AssignOtherStatus: the answer gives a status the API does not document.
	AssignOtherStatus
	// AssignMissing: the answer says nothing of the device.
	AssignMissing
	// AssignContradicted: the answer names the device twice with
	// different statuses (Err is a *ContradictionError): the device may or
	// may not be in the group.
	AssignContradicted
	// AssignUnknown: the chunk's answer was lost, twice: the device may or
	// may not be in the group.
	AssignUnknown
	// AssignRefused: the API refused the chunk's request (Err says how).
	AssignRefused
	// AssignNotSent: the device's chunk was not sent: the assignment
	// stopped before it (an earlier chunk's request failed, or the caller
	// was interrupted), or its request reached no server, twice.
	AssignNotSent
)

// DeviceOutcome is what became of one device.
type DeviceOutcome struct {
	Device    string
	Status    AssignStatus
	Code      string // the status as the API sent it, when it sent one
	CommandID string // v3.1 and later: the command the action started
	Err       error  // AssignUnknown, AssignRefused, AssignNotSent: why
}

// AssignResult is what AssignDevices did: every device once, in the order asked.
type AssignResult struct {
	Group    Group
	Outcomes []DeviceOutcome
	// Requests is how many device action requests were sent: every one
	// that left, so each wait-out of a 429, each resend after a lost answer
	// and each resend with a fresh token after a 401 included.
	Requests int
	// AllRequests is every request the assignment sent: Requests, and the
	// group check and token fetches it made.
	AllRequests int
	Resent      []int    // chunks (1-based) sent again after a lost answer
	Warnings    []string // what the caller should pass on: each resend
}

// ContradictionError is an answer that gives one device two different
// statuses: it tells nothing of the device.
type ContradictionError struct {
	Device        string
	First, Second string // the statuses, in the answer's order (redacted)
}

func (e *ContradictionError) Error() string {
	return fmt.Sprintf("the answer gives the device %q the status %q and also the status %q: it contradicts itself, so whether the device is in the group is unknown",
		e.Device, e.First, e.Second)
}

// NotAssigned returns the outcomes of the devices not assigned.
func (r AssignResult) NotAssigned() []DeviceOutcome {
	return slices.DeleteFunc(slices.Clone(r.Outcomes), func(o DeviceOutcome) bool { return o.Status == AssignDone })
}

// ErrInvalidMAC is a MAC address NormalizeMAC cannot read.
var ErrInvalidMAC = errors.New("not a MAC address")

// NormalizeMAC reads a 48-bit MAC address written with colons, hyphens or
// dots (02:00:00:44:55:66, 02-00-00-44-55-66, 0200.0044.5566) or as twelve
// hex digits, and returns it as the API's device listings show it: six
// colon-separated pairs of lower-case hex digits.
func NormalizeMAC(s string) (string, error) {
	t := strings.TrimSpace(s)
	if len(t) == 12 && !strings.ContainsAny(t, ":-.") {
		var b strings.Builder
		for i := 0; i < 12; i += 2 {
			if i > 0 {
				b.WriteByte(':')
			}
			b.WriteString(t[i : i+2])
		}
		t = b.String()
	}
	hw, err := net.ParseMAC(t)
	switch {
	case err != nil:
		return "", fmt.Errorf("%q is %w: write six pairs of hex digits separated by colons or hyphens (02:00:00:44:55:66), three groups of four separated by dots (0200.0044.5566), or twelve hex digits", s, ErrInvalidMAC)
	case len(hw) != 6:
		return "", fmt.Errorf("%q is %d bytes long, not a 48-bit MAC address (%w): write six pairs of hex digits, such as 02:00:00:44:55:66", s, len(hw), ErrInvalidMAC)
	// No device answers to these: the API would only say "failed", after
	// a request spent from the account's budget.
	case bytes.Equal(hw, net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}):
		return "", fmt.Errorf("%q is the broadcast address, not a device's (%w): give the MAC address of the device's network interface", s, ErrInvalidMAC)
	case hw[0]&1 == 1:
		return "", fmt.Errorf("%q is a multicast address (the lowest bit of its first octet, %02x, is set), not a device's (%w): give the MAC address of the device's network interface", s, hw[0], ErrInvalidMAC)
	case bytes.Equal(hw, make(net.HardwareAddr, 6)):
		return "", fmt.Errorf("%q is all zeros, which no device has (%w): give the MAC address of the device's network interface", s, ErrInvalidMAC)
	}
	return hw.String(), nil
}

type actionRequest struct {
	Types  string   `json:"types"`
	IDs    []string `json:"ids,omitempty"`
	MACs   []string `json:"macs,omitempty"`
	Params struct {
		GroupID string `json:"group_id"`
	} `json:"params"`
}

// AssignDevices puts devices into a group with the device action
// assign_to_group, at most devicesPerAction devices a request, paced as every
// request. The group is checked against the run's group list first: an
// unknown group is a *NotFoundError before anything is sent. Each device's
// outcome is what the chunk's answer says of it (both documented shapes:
// v3.0's object of statuses keyed by device, v3.1's items). A chunk whose
// answer was lost (no answer, a 5xx, an answer that cannot be read) is sent
// again once, with a warning in the result; a refusal (4xx, a 429 past its
// waits) is final and stops the assignment: the devices not sent are
// AssignNotSent. Once a chunk may have been applied, the run's
// number_of_devices of the group is stale (see Group.DevicesStale).
func (c *Client) AssignDevices(ctx context.Context, a Assignment) (AssignResult, error) {
	if a.Key != ByDeviceID && a.Key != ByMAC {
		return AssignResult{}, errors.New("an assignment names its devices by id or by MAC address")
	}
	devices := a.Devices
	if a.Key == ByMAC {
		devices = make([]string, len(a.Devices))
		for i, m := range a.Devices {
			n, err := NormalizeMAC(m)
			if err != nil {
				return AssignResult{}, err
			}
			devices[i] = n
		}
	}
	var uniq []string
	seen := map[string]bool{}
	for _, d := range devices {
		if d == "" {
			return AssignResult{}, fmt.Errorf("an empty %s", a.Key)
		}
		if !seen[d] { // two spellings of one MAC are one device
			seen[d] = true
			uniq = append(uniq, d)
		}
	}
	if len(uniq) == 0 {
		return AssignResult{}, errors.New("no devices to assign")
	}
	// What the API sees is counted where requests leave, so that retries
	// inside the client layer are counted too.
	ctx, sent := client.WithSent(ctx)
	g, err := c.GroupByID(ctx, a.GroupID)
	if err != nil {
		return AssignResult{}, err
	}
	res := AssignResult{Group: g}
	chunks := slices.Collect(slices.Chunk(uniq, devicesPerAction))
	done := 0
	stopped := false
	var stop error
	for i, chunk := range chunks {
		if stop == nil && ctx.Err() != nil {
			stop = fmt.Errorf("interrupted before this chunk was sent: %w", ctx.Err())
		}
		if stop != nil {
			for _, d := range chunk {
				res.Outcomes = append(res.Outcomes, DeviceOutcome{Device: d, Status: AssignNotSent, Err: stop})
			}
			if a.Progress != nil && !stopped {
				// Told once, of everything left: no request of it is answered.
				stopped = true
				a.Progress(AssignProgress{Chunk: i + 1, Chunks: len(chunks), Done: done, Total: len(uniq),
					NotSent: len(uniq) - len(res.Outcomes) + len(chunk), Requests: sent.Total()})
			}
			continue
		}
		outcomes, resent, err := c.assignChunk(ctx, a.GroupID, a.Key, chunk, i+1, len(chunks))
		if resent != "" {
			res.Resent = append(res.Resent, i+1)
			res.Warnings = append(res.Warnings, resent)
		}
		if err != nil {
			stop = fmt.Errorf("not sent: the request of chunk %d of %d failed", i+1, len(chunks))
		}
		failed := 0
		for _, o := range outcomes {
			if o.Status == AssignDone {
				done++
			} else {
				failed++
			}
		}
		res.Outcomes = append(res.Outcomes, outcomes...)
		if a.Progress != nil && !slices.ContainsFunc(outcomes, func(o DeviceOutcome) bool { return o.Status != AssignNotSent }) {
			// Nothing of this chunk reached the server (an interrupt while
			// it waited its turn): told once, of everything left.
			if !stopped {
				stopped = true
				a.Progress(AssignProgress{Chunk: i + 1, Chunks: len(chunks), Done: done, Total: len(uniq),
					NotSent: len(uniq) - len(res.Outcomes) + len(chunk), Requests: sent.Total()})
			}
			continue
		}
		if a.Progress != nil {
			a.Progress(AssignProgress{Chunk: i + 1, Chunks: len(chunks), Done: done, Total: len(uniq), Failed: failed, Resent: resent != "", Requests: sent.Total()})
		}
	}
	res.Requests, res.AllRequests = sent.To(devicesActionPath), sent.Total()
	return res, nil
}

// assignChunk sends one chunk, and once more when its answer was lost. It
// returns each device's outcome, the warning about a resend, and the
// request's error when the chunk was refused or lost twice.
func (c *Client) assignChunk(ctx context.Context, groupID string, key DeviceKey, chunk []string, n, of int) ([]DeviceOutcome, string, error) {
	body := actionRequest{Types: "assign_to_group"}
	body.Params.GroupID = groupID
	if key == ByMAC {
		body.MACs = chunk
	} else {
		body.IDs = chunk
	}
	data, _ := json.Marshal(body)
	resent := ""
	maybe := false // an earlier attempt may have been applied
	for sent := 1; ; sent++ {
		resp, err := c.do(ctx, client.Request{
			Method: http.MethodPost, Path: devicesActionPath, Body: data, Once: true,
			Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
		})
		var statuses map[string]deviceStatus
		if err == nil {
			c.list.devicesChanged(ctx, groupID)
			statuses, err = decodeAssignAnswer(resp, key, chunk)
		} else if lost(err) {
			c.list.devicesChanged(ctx, groupID)
		}
		if err == nil {
			return outcomesOf(ctx, c, chunk, key, statuses), resent, nil
		}
		if again := lost(err) || notSent(err); !again || ctx.Err() != nil || sent == 2 {
			status := AssignRefused
			switch {
			case lost(err) && maybe:
				status, err = AssignUnknown, fmt.Errorf("its answer was lost twice: %w", err)
			case lost(err) || maybe:
				status = AssignUnknown
			case notSent(err):
				status = AssignNotSent
			}
			out := make([]DeviceOutcome, len(chunk))
			for i, d := range chunk {
				out[i] = DeviceOutcome{Device: d, Status: status, Err: err}
			}
			return out, resent, err
		}
		// Assigning a device to its own group again is harmless: a chunk
		// whose answer was lost is sent again, once; so is one that never
		// reached the server (a refused connection).
		if notSent(err) {
			resent = fmt.Sprintf("chunk %d of %d (%d devices) reached no server (%v); it was sent again", n, of, len(chunk), err)
		} else {
			maybe = true
			resent = fmt.Sprintf("the answer to chunk %d of %d (%d devices) was lost (%v); it was sent again, which is harmless for devices already in the group",
				n, of, len(chunk), err)
		}
		c.http.Logger().Warn(ctx, "an OPSWAT device action got no answer; sending it again once", map[string]any{"chunk": n, "chunks": of, "devices": len(chunk), "error": err.Error()})
	}
}

// notSent tells a device action that never reached a server.
func notSent(err error) bool {
	var reqErr *client.RequestError
	return errors.As(err, &reqErr) && !client.WriteMayHaveHappened(err)
}

// lost tells whether a failed device action may have been carried out:
// no answer, a 5xx, an answer of 2xx that is not the documented JSON. A
// 4xx, a 429 (the rate limit turned it away) or a request that never left
// proves that it was not.
func lost(err error) bool {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode < 400 || apiErr.StatusCode >= 500
	}
	var reqErr *client.RequestError
	return errors.As(err, &reqErr) && client.WriteMayHaveHappened(err)
}

type deviceStatus struct {
	code      string
	commandID string
	// conflict is a second, different status the same answer gives the
	// device: an answer that contradicts itself tells nothing of it.
	conflict string
}

// answerEntry is one member of a JSON object, in the order sent: a decoder
// into a map would keep only the last of two members with one name, and
// hide that an answer names a device twice.
type answerEntry struct {
	key   string
	value json.RawMessage
}

// objectEntries reads a JSON object's members in order, duplicates kept.
func objectEntries(raw []byte) ([]answerEntry, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	var out []answerEntry
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, ok := t.(string)
		if !ok {
			return nil, errors.New("a member without a name")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, answerEntry{key: k, value: bytes.TrimSpace(v)})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return out, nil
}

// decodeAssignAnswer reads both documented answers: v3.0's object keyed by
// each id or MAC sent, valued -1, 0 or 1, and v3.1's items {id, status,
// command_id}, as an array or wrapped in an object. An answer that mixes the
// two (items in a wrapper beside v3.0 members naming devices sent) is read
// whole: each shape is documented, and dropping either part would lose what
// the server said of those devices. A device named twice with different
// statuses is marked (see deviceStatus.conflict). MAC keys are normalized so
// that an answer that writes them differently still names them.
func decodeAssignAnswer(resp *client.Response, key DeviceKey, sent []string) (map[string]deviceStatus, error) {
	var raw json.RawMessage
	if err := resp.DecodeJSON(&raw); err != nil {
		return nil, err
	}
	raw = bytes.TrimSpace(raw)
	type item struct {
		ID        client.FlexString `json:"id"`
		MAC       client.FlexString `json:"mac"`
		Status    client.FlexString `json:"status"`
		CommandID client.FlexString `json:"command_id"`
	}
	bad := func(why string) error {
		e := resp.Error("the device action's answer is not the documented JSON: "+why, nil)
		e.ShowBody = true
		return e
	}
	name := func(s string) string {
		if key == ByMAC {
			if n, err := NormalizeMAC(s); err == nil {
				return n
			}
		}
		return s
	}
	out := map[string]deviceStatus{}
	put := func(device string, st deviceStatus) {
		prev, seen := out[device]
		switch {
		case !seen:
			out[device] = st
		case prev.conflict == "" && prev.code != st.code:
			prev.conflict = st.code
			out[device] = prev
		case prev.commandID == "":
			prev.commandID = st.commandID
			out[device] = prev
		}
	}
	var items []item
	switch {
	case len(raw) > 0 && raw[0] == '[':
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, bad("an array that is not of items {id, status, command_id}")
		}
	case len(raw) > 0 && raw[0] == '{':
		entries, err := objectEntries(raw)
		if err != nil {
			return nil, bad(err.Error())
		}
		var lists []string
		for _, e := range entries {
			if len(e.value) > 0 && e.value[0] == '[' {
				lists = append(lists, e.key)
			}
		}
		if len(lists) > 1 {
			slices.Sort(lists)
			return nil, bad("several lists (" + strings.Join(lists, ", ") + "): which holds the devices is not clear")
		}
		wasSent := map[string]bool{}
		for _, d := range sent {
			wasSent[d] = true
		}
		for _, e := range entries {
			if len(e.value) > 0 && e.value[0] == '[' {
				// v3.1+ wrapped: {"<key>": [items]}
				if err := json.Unmarshal(e.value, &items); err != nil {
					return nil, bad(fmt.Sprintf("%q is not a list of items {id, status, command_id}", e.key))
				}
				continue
			}
			// v3.0: {"<id>": 1, …}. Beside a list, a member that names no
			// device sent is the wrapper's own (a count, a message).
			if len(lists) == 1 && !wasSent[name(e.key)] {
				continue
			}
			var s client.FlexString
			if err := json.Unmarshal(e.value, &s); err != nil {
				return nil, bad(fmt.Sprintf("the status of %q is not a number", e.key))
			}
			put(name(e.key), deviceStatus{code: strings.TrimSpace(string(s))})
		}
	default:
		return nil, bad("neither an object nor an array")
	}
	for _, it := range items {
		id := string(it.ID)
		if id == "" {
			id = string(it.MAC)
		}
		if id == "" {
			return nil, bad("an item without an id")
		}
		put(name(id), deviceStatus{code: strings.TrimSpace(string(it.Status)), commandID: string(it.CommandID)})
	}
	return out, nil
}

// outcomesOf gives each device of a chunk what the answer says of it.
func outcomesOf(ctx context.Context, c *Client, chunk []string, key DeviceKey, statuses map[string]deviceStatus) []DeviceOutcome {
	out := make([]DeviceOutcome, len(chunk))
	for i, d := range chunk {
		st, ok := statuses[d]
		// What the server sent reaches errors: redacted, and cut short.
		o := DeviceOutcome{Device: d, Code: clip(c.http.Redactor().String(st.code)), CommandID: clip(c.http.Redactor().String(st.commandID))}
		switch {
		case !ok:
			o.Status = AssignMissing
		case st.conflict != "":
			second := clip(c.http.Redactor().String(st.conflict))
			o.Status, o.Code = AssignContradicted, o.Code+" and "+second
			o.Err = &ContradictionError{Device: d, First: clip(c.http.Redactor().String(st.code)), Second: second}
		case st.code == "1":
			o.Status = AssignDone
		case st.code == "0":
			o.Status = AssignFailed
		case st.code == "-1":
			o.Status = AssignNotSupported
		default:
			o.Status = AssignOtherStatus
		}
		out[i] = o
		delete(statuses, d)
	}
	if len(statuses) > 0 {
		var extra []string
		for k := range statuses {
			extra = append(extra, c.http.Redactor().String(k))
		}
		slices.Sort(extra)
		c.http.Logger().Warn(ctx, "the OPSWAT device action's answer names devices that were not sent; ignoring them", map[string]any{"devices": extra, "named_by": key.String()})
	}
	return out
}

// clip cuts a server's text to what an error can show.
func clip(s string) string {
	const most = 64
	if r := []rune(s); len(r) > most {
		return string(r[:most]) + "…"
	}
	return s
}
