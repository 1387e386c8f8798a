package opswat

import (
	"context"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// A walk at the account's enforced rate, against a server that sends the
// documented X-RateLimit-* headers on every answer, reads each page once
// and meets no 429, whichever way the server reads X-RateLimit-Reset-Time,
// even when another integration of the account has spent part of the
// budget.
func TestWalkAtTheAccountsRateForEachResetReading(t *testing.T) {
	t.Parallel()
	const window = 300 * time.Millisecond
	for _, tc := range []struct {
		name    string
		reading emulator.RateLimitReset
	}{
		{"until the whole window is free", emulator.ResetWholeWindow},
		{"until a place frees", emulator.ResetFirstPlace},
		{"until a fixed window ends", emulator.ResetFixedMinute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			seed := emulator.DefaultSeed()
			seed.OPSWAT.Groups = emulator.GenerateOPSWATGroups(320) // 7 pages
			srv := emulator.New(seed)
			t.Cleanup(srv.Close)
			srv.SetRateLimit(3, window)
			srv.SetRateLimitReset(tc.reading)
			srv.SetRateLimitStyle(emulator.RateLimitHeadersOnly)
			srv.SpendRateLimit(2)
			c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: 3, rateWindow: window}, fast)
			if err != nil {
				t.Fatal(err)
			}
			groups, err := c.ListGroups(context.Background(), ListOptions{})
			if err != nil || len(groups) != 320 {
				t.Fatalf("%d groups, %v", len(groups), err)
			}
			if n := srv.Count(groupsPath); n != 7 {
				t.Errorf("%d group requests, want the 7 pages once each", n)
			}
			if n := srv.Throttled(); n != 0 {
				t.Errorf("the server refused %d requests (429)", n)
			}
		})
	}
}
