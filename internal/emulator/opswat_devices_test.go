package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func deviceAction(t *testing.T, s *Server, version, tok, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/o/api/"+version+"/devices/action?access_token="+url.QueryEscape(tok), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	status, _, out := do(t, req)
	return status, out
}

// The device action answers as the vendor documents: ids or macs but not
// both, v3.0's object of statuses, v3.1's items with a command id for
// each device applied, counts that follow the devices.
func TestOPSWATDeviceActionFollowsTheDocument(t *testing.T) {
	t.Parallel()
	s := New(DefaultSeed())
	defer s.Close()
	tok := token(t, s)
	if status, _ := deviceAction(t, s, "v3", "nope", `{"types":"assign_to_group","ids":["x"]}`); status != 401 {
		t.Fatalf("bad token: %d", status)
	}
	if status, body := deviceAction(t, s, "v3", tok, `{"types":"assign_to_group","ids":["x"],"macs":["02:00:00:44:55:01"],"params":{"group_id":"301122004"}}`); status != 400 || !strings.Contains(body, "not both") {
		t.Fatalf("ids and macs: %d %s", status, body)
	}
	status, body := deviceAction(t, s, "v3", tok, `{"types":"assign_to_group","ids":["a1b2c3d4e5f60001","a1b2c3d4e5f600dc","nosuch"],"params":{"group_id":"301122004"}}`)
	if status != 200 || body != `{"a1b2c3d4e5f60001":1,"a1b2c3d4e5f600dc":-1,"nosuch":0}`+"\n" {
		t.Fatalf("v3.0: %d %s", status, body)
	}
	// MACs match exactly as the listings write them.
	status, body = deviceAction(t, s, "v3.1", tok, `{"types":"assign_to_group","macs":["02:00:00:44:55:02","02-00-00-44-55-03"],"params":{"group_id":"301122004"}}`)
	if status != 200 || !strings.Contains(body, `"command_id":"cmd-`) || !strings.Contains(body, `{"command_id":"","id":"02-00-00-44-55-03","status":0}`) {
		t.Fatalf("v3.1: %d %s", status, body)
	}
	if g := s.OPSWATDeviceGroups(); g["a1b2c3d4e5f60001"] != "301122004" || g["a1b2c3d4e5f60002"] != "301122004" || g["a1b2c3d4e5f60003"] != "260854829" || g["a1b2c3d4e5f600dc"] != "260854829" {
		t.Fatalf("groups %v", g)
	}
	_, body = groups(t, s, tok, `{"limit":50,"search":"Kiosks"}`)
	if !strings.Contains(body, `"number_of_devices":10`) {
		t.Fatalf("Kiosks count: %s", body)
	}
	// An unknown group fails every device (the vendor's 400 was a bug it fixed).
	if _, body := deviceAction(t, s, "v3", tok, `{"types":"assign_to_group","ids":["a1b2c3d4e5f60003"],"params":{"group_id":"999"}}`); body != `{"a1b2c3d4e5f60003":0}`+"\n" {
		t.Fatalf("unknown group: %s", body)
	}
}
