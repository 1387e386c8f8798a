package main

import (
	"fmt"
	"strings"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

// The rows of the scale table, one builder per family.

// Dr.Web: the plural data source over a tree of n groups (100 children a
// group): one list.ds per group with children, info.ds in batches of 100.
func drwebGroupsScale(n int) scaleRow {
	seed := emulator.DefaultSeed()
	seed.DrWeb.Groups = emulator.GenerateDrWebTree(n, 100)
	for i := range seed.DrWeb.Groups {
		seed.DrWeb.Groups[i].Stations = 0 // stations are another row's subject
	}
	return scaleRow{seed: seed, steps: []scaleStep{{
		name: "plan",
		config: func(url string) string {
			b := newConfig(drwebBlock(url))
			b.WriteString("data \"endpointgroups_drweb_groups\" \"all\" {}\n")
			b.WriteString("output \"n\" {\n  value = length(data.endpointgroups_drweb_groups.all.groups)\n}\n")
			return b.String()
		},
		floor: map[string]int{drwebInfo: (n + 99) / 100, drwebList: max(1, n/100)},
	}}}
}

// Dr.Web: 200 lookups by id, each with its path. At 200 groups the tree is
// four chains 50 levels deep and every group is looked up; at 20,000 it is
// a binary tree (14 levels) and the lookups are leaves and near-leaves,
// whose ancestors are fetched besides. Terraform reads 10 at a time, so
// the 200 take at least 20 info.ds requests, and the other ancestors at
// least one more per 100.
func drwebLookupsScale(n int) scaleRow {
	seed := emulator.DefaultSeed()
	var ids []string
	label := fmt.Sprintf("binary tree of %s groups", thousands(n))
	if n == 200 {
		label = "50-level-deep tree (4 chains of 50 groups)"
		seed.DrWeb.Groups = emulator.GenerateDrWebTree(0, 1)
		for c := range 4 {
			for l := range 50 {
				g := emulator.DrWebGroup{ID: fmt.Sprintf("chain-%d-%02d", c, l), Name: fmt.Sprintf("level-%02d", l), Created: 1500000000, Modified: 1600000000}
				if l > 0 {
					g.ParentID = fmt.Sprintf("chain-%d-%02d", c, l-1)
				}
				seed.DrWeb.Groups = append(seed.DrWeb.Groups, g)
				ids = append(ids, g.ID)
			}
		}
	} else {
		seed.DrWeb.Groups = emulator.GenerateDrWebTree(n, 2)
		for k := range 200 {
			ids = append(ids, fmt.Sprintf("gen-%05d", n-1-k*(n/400)))
		}
	}
	for i := range seed.DrWeb.Groups {
		seed.DrWeb.Groups[i].Stations = 0
	}
	ancestors := otherAncestors(seed.DrWeb.Groups, ids)
	return scaleRow{label: label, seed: seed, steps: []scaleStep{{
		name: "plan",
		config: func(url string) string {
			b := newConfig(drwebBlock(url))
			for i, id := range ids {
				fmt.Fprintf(b, "data \"endpointgroups_drweb_group\" \"g_%d\" {\n  id = %q\n}\n", i, id)
			}
			fmt.Fprintf(b, "output \"path\" {\n  value = data.endpointgroups_drweb_group.g_%d.path\n}\n", len(ids)-1)
			return b.String()
		},
		floor: map[string]int{drwebInfo: (len(ids)+9)/10 + (ancestors+99)/100},
	}}}
}

// otherAncestors counts the groups above ids that are not among them.
func otherAncestors(groups []emulator.DrWebGroup, ids []string) int {
	parent := map[string]string{}
	for _, g := range groups {
		parent[g.ID] = g.ParentID
	}
	asked := map[string]bool{}
	for _, id := range ids {
		asked[id] = true
	}
	others := map[string]bool{}
	for _, id := range ids {
		for p := parent[id]; p != ""; p = parent[p] {
			if !asked[p] {
				others[p] = true
			}
		}
	}
	return len(others)
}

// drwebBigGroupSeed is drwebStationSeed with n stations in gen-00000.
func drwebBigGroupSeed(n int) emulator.Seed {
	seed := drwebStationSeed()
	seed.DrWeb.Groups[1].Stations = n // gen-00000
	seed.DrWeb.Groups[2].Stations = 1 // gen-00001
	return seed
}

// Dr.Web: one stations data source over a group of n stations: its full
// pages of 100, the empty one that ends the listing, and one states.ds.
func drwebStationsScale(n int) scaleRow {
	return scaleRow{seed: drwebBigGroupSeed(n), steps: []scaleStep{{
		name: "plan",
		config: func(url string) string {
			b := newConfig(drwebBlock(url))
			b.WriteString("data \"endpointgroups_drweb_group_stations\" \"big\" {\n  group_id = \"gen-00000\"\n}\n")
			b.WriteString("output \"n\" {\n  value = length(data.endpointgroups_drweb_group_stations.big.ids)\n}\n")
			return b.String()
		},
		floor: map[string]int{drwebPages: n/100 + 1, drwebStates: 1},
	}}}
}

// Dr.Web: a members resource putting the n stations of gen-00000 into
// gen-00002 (which holds 2): created, planned with nothing to do, then
// changed by one station (one in, one out).
func drwebMembersScale(n int) scaleRow {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", fmt.Sprintf("gen-00000-st%05d", i+1))
	}
	changed := append([]string{`"gen-00001-st00001"`}, ids[1:]...)
	config := func(stations []string) func(string) string {
		return func(url string) string {
			b := newConfig(drwebBlock(url))
			fmt.Fprintf(b, "resource \"endpointgroups_drweb_group_members\" \"m\" {\n  group_id    = \"gen-00002\"\n  station_ids = [%s]\n}\n", strings.Join(stations, ", "))
			return b.String()
		}
	}
	pages := (n + 2 + 99) / 100 // the last page is short: it ends the listing
	return scaleRow{seed: drwebBigGroupSeed(n), steps: []scaleStep{
		{name: "create", apply: true, config: config(ids), floor: map[string]int{drwebChange: n}},
		{name: "no-op plan", config: config(ids), floor: map[string]int{drwebChange: 0, drwebPages: pages}},
		{name: "change one", apply: true, config: config(changed), floor: map[string]int{drwebChange: 2}},
	}}
}

// opswatPages is how many group requests a walk of n groups costs: a full
// last page needs the empty one that ends the list.
func opswatPages(n int) int { return n/50 + 1 }

// OPSWAT without a cache: k lookups by name over n groups, read at once.
// Each name's search is one request; a walk is the floor when it is
// cheaper.
func opswatNamesScale(k, n int) scaleRow {
	seed := emulator.DefaultSeed()
	seed.OPSWAT.Groups = emulator.GenerateOPSWATGroups(n)
	pages := (n + 49) / 50
	if n%50 == 0 {
		pages = opswatPages(n)
	}
	return scaleRow{seed: seed, steps: []scaleStep{{
		name: "plan",
		args: []string{fmt.Sprintf("-parallelism=%d", k)},
		config: func(url string) string {
			b := newConfig(opswatBlockAt(url, ReadAheadBelow))
			for i := range k {
				fmt.Fprintf(b, "data \"endpointgroups_opswat_group\" \"n%d\" {\n  name = \"group-%04d\"\n}\n", i, i*(n/k)+1)
			}
			return b.String()
		},
		floor: map[string]int{opswatGroups: min(k, pages), opswatToken: 1},
	}}}
}

// OPSWAT: a lookup by id (the whole walk) over n groups with the emulator
// enforcing the API's 10 requests a minute: (pages-1)/10 minutes at least.
func opswatRateScale(n int) scaleRow {
	const rpm = 10
	seed := emulator.DefaultSeed()
	seed.OPSWAT.Groups = emulator.GenerateOPSWATGroups(n)
	last := seed.OPSWAT.Groups[n-1].GroupID
	return scaleRow{seed: seed, rateLimit: rpm, steps: []scaleStep{{
		name: fmt.Sprintf("plan (the rate allows it in %d min)", (opswatPages(n)-1)/rpm),
		config: func(url string) string {
			b := newConfig(opswatBlockAt(url, rpm))
			fmt.Fprintf(b, "data \"endpointgroups_opswat_group\" \"by_id\" {\n  id = %q\n}\n", last)
			return b.String()
		},
		floor: map[string]int{opswatGroups: opswatPages(n), opswatToken: 1},
	}}}
}

// drwebGroupsTooBig: the provider holds each group of the plural data
// source three times (groups, by_id, by_path) and Terraform a copy of its
// own, so 100,000 groups need more memory than a 24 GiB machine has, and
// hours.
func drwebGroupsTooBig(n int) string {
	if n < 100_000 {
		return ""
	}
	return "needs more than 24 GiB and hours: at 20,000 the provider grew past 4.8 GB (about 240 KiB a group) in an 18-minute plan, Terraform holds another copy; 20,000 is the largest that fits"
}
