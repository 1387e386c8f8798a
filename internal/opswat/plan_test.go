package opswat

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// lookupInWaves looks names up as Terraform reads data sources: at most
// parallel at once, each next one started when one has finished.
func lookupInWaves(t *testing.T, c *Client, parallel int, names []string) {
	t.Helper()
	queue := make(chan string, len(names))
	for _, n := range names {
		queue <- n
	}
	close(queue)
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			for n := range queue {
				g, err := c.GroupByName(context.Background(), n)
				if err == nil && g.Name != n {
					err = fmt.Errorf("got %q", g.Name)
				}
				if err != nil {
					t.Errorf("%s: %v", n, err)
				}
			}
		})
	}
	wg.Wait()
}

// Names that outnumber the list's pages cost the walk and the first free
// searches, however fast the rate lets requests go and although Terraform
// starts only ten reads at once: 40 names on 15 pages, at most 22 requests
// (the floor is 15 pages and a token). Few names on a long list cost their
// searches and a page each, as when they come together (9 names on 2,000
// groups: 14 and the token), and no shape costs more than twice its floor.
func TestManyNamesInWavesCostTheWalk(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		names, groups, most int
	}{
		{40, 706, 22},
		{9, 2000, 15},
		{20, 2000, 2 * (20 + 1)},
	} {
		for _, rpm := range []int{10, ReadAheadFromRPM - 1, 6000} {
			t.Run(fmt.Sprintf("%d names on %d groups at %d", tc.names, tc.groups, rpm), func(t *testing.T) {
				t.Parallel()
				seed := emulator.DefaultSeed()
				seed.OPSWAT.Groups = emulator.GenerateOPSWATGroups(tc.groups)
				srv := emulator.New(seed)
				t.Cleanup(srv.Close)
				window := time.Minute
				if rpm < ReadAheadFromRPM {
					window = time.Duration(rpm) * 50 * time.Millisecond // 20 requests a second
				}
				c, err := New(Config{BaseURL: srv.URL, ClientID: "demo-client", ClientSecret: "demo-secret", RequestsPerMinute: rpm, rateWindow: window,
					planWindow: 100 * time.Millisecond}, fast)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for i := range tc.names {
					names = append(names, fmt.Sprintf("group-%04d", i*(tc.groups/tc.names)+1))
				}
				lookupInWaves(t, c, 10, names)
				s, w := searches(t, srv)
				tokens := srv.Count(tokenPath)
				pages := tc.groups/pageSize + 1
				t.Logf("%d searches, %d walk requests, %d token", s, w, tokens)
				if total := s + w + tokens; total > tc.most || w > pages+readAheadPages-1 || tokens != 1 {
					t.Fatalf("%d requests (%d searches, %d walk requests, %d token) for %d names on %d pages, want at most %d",
						total, s, w, tokens, tc.names, pages, tc.most)
				}
			})
		}
	}
}
