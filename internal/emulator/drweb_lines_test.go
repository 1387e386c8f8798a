package emulator

import (
	"strings"
	"testing"
)

// Each server line answers as the vendor's documents show it
// (drweb-web-api.md, drweb-stations.md).
func TestDrWebServerLinesAnswerAsDocumented(t *testing.T) {
	t.Parallel()
	const berlin, ungrouped = "8f1c2a10-0002-4e11-9a01-000000000002", "411dac63-2a3e-4ce8-af4f-1fbeb94242ef"
	for _, tc := range []struct {
		line DrWebServerLine
		// what the answers hold (true) or lack (false)
		want map[string]bool
	}{
		{DrWebDefault, map[string]bool{"json": true, "list <drweb-avdesk-api": true, "list " + ` child_groups="`: true, "list " + ` type="`: false,
			"states <all ": false, "stations " + ` os_name="`: false, "info <components": false, "list " + ungrouped: false, "json " + `"version":1000201707130`: true}},
		{DrWebAVDesk413, map[string]bool{"json": false, "list <drweb-avdesk-api": true, "list " + ` child_groups="`: true, "list " + ` type="`: false,
			"states <all ": false, "stations " + ` os_name="`: false, "info <components": false, "list " + ungrouped: false}},
		{DrWebESS12, map[string]bool{"json": true, "list <drweb-es-api": true, "list " + ` child-groups="`: true, "list " + ` type="`: true,
			"states <all ": true, "stations " + ` os_name="`: true, "stations " + ` createtime="`: false, "info <components": true, "list " + ungrouped: false, "json " + `"versionString":4.3.0`: true}},
		{DrWebESS1301, map[string]bool{"json": true, "list <drweb-es-api": true, "list " + ` child_groups="`: true, "list " + ` type="`: true,
			"states <all ": true, "stations " + ` os_name="`: true, "stations " + ` createtime="`: true, "info <components": true, "list " + ungrouped: true, "json " + `"version":"13.00.1.202310121"`: true}},
	} {
		t.Run(string(tc.line), func(t *testing.T) {
			t.Parallel()
			s := New(DefaultSeed())
			defer s.Close()
			if err := s.SetDrWebServerLine(tc.line); err != nil {
				t.Fatal(err)
			}
			answers := map[string]string{
				"list":     drwebGet(t, s, "/api/groups/list.ds"),
				"states":   drwebGet(t, s, "/api/stations/states.ds?group-id="+berlin),
				"stations": drwebGet(t, s, "/api/groups/stations-list.ds?id="+berlin),
				"info":     drwebGet(t, s, "/api/groups/info.ds?components=yes&id="+berlin),
				"json":     drwebGet(t, s, "/api/groups/list.ds?format=json"),
			}
			for check, want := range tc.want {
				answer, what, _ := strings.Cut(check, " ")
				got := strings.Contains(answers[answer], what)
				if check == "json" {
					got = strings.HasPrefix(answers["json"], "{")
				}
				if got != want {
					t.Errorf("%s answer holds %q: %v, want %v\n%s", answer, what, got, want, answers[answer])
				}
			}
		})
	}
	s := New(DefaultSeed())
	defer s.Close()
	if err := s.SetDrWebServerLine("ess-14"); err == nil || !strings.Contains(err.Error(), "unknown Dr.Web server line") {
		t.Errorf("an unknown line: %v", err)
	}
}
