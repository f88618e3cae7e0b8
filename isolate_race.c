// SPDX-License-Identifier: GPL-2.0
/*
 * isolate_race: pageblock isolation racer for any kernel with
 * CONFIG_CONTIG_ALLOC and memory hotplug, CMA or not (Debian's stock
 * kernels have no CMA, yet memory offline, virtio-mem and gigantic pages
 * all isolate pageblocks the way cma_alloc() does).
 *
 * G4 racers call alloc_contig_range() on ranges at zone, memory block and
 * CMA area edges, mostly not MAX_ORDER aligned; G3 offlines and onlines
 * memory blocks on and next to those ranges, with offlines a memory
 * notifier refuses after isolation or that get interrupted (seed 001's
 * bugs lived in those error paths); G2 frees buddies into the isolation
 * windows (seed 000); G8 pins pages under them, G9 plants pages they must
 * refuse, G10 churns the hugetlb pool. The audits are the frame's: D1-D3,
 * D3's leftover rule on every finished range, D4 on every range obtained,
 * D6, D7.
 *
 * This file is the module's scenarios, the generators it offers and its
 * own settings; the frame (cs_core.ko) does the rest, under
 * /sys/kernel/debug/isolate_race/ as for cma_stress.
 */
#include <linux/module.h>
#include "gen/generators.h"

static const struct cs_scenario ir_scenarios[] = {
	{ .name = "default", .what = "racers, offline/online and free-while-isolating",
	  .threads = { [CS_G4] = 2, [CS_G2] = 1, [CS_G3] = 1, [CS_G8] = 1, [CS_G9] = 1,
		       [CS_G10] = 1 },
	  .max_pageblocks = 4, .hold_ms = 20 },
	{ .name = "offline-race",
	  .what = "racers on the memory block edges G3 offlines (the contig-undo offline oops)",
	  .threads = { [CS_G4] = 2, [CS_G3] = 1 },
	  .max_pageblocks = 2, .hold_ms = 5 },
};

#define CS_HARNESS ir
#include "harness.h"

cs_offer(ir, CS_G2, isolate_threads, 1024, "G2 free-while-isolating");
cs_offer(ir, CS_G3, hotplug_threads, 1, "G3 offline/online threads");
cs_offer(ir, CS_G4, racer_threads, 1024, "G4 alloc_contig_range racers");
cs_offer(ir, CS_G8, gup_threads, 1024, "G8 transient pin threads");
cs_offer(ir, CS_G9, plant_threads, 1024, "G9 planted-page threads");
cs_offer(ir, CS_G10, hugetlb_threads, 1, "G10 hugetlb pool churn");

/* The hunts of docs/findings: G4's compound requests and neighbours. */
cs_param(ir, uint, comp_pct, comp_pct, 0, 100, "G4 requests made with __GFP_COMP, percent");
cs_param(ir, bool, adjacent, racers_adjacent, 0, 1,
	 "G4 racers on neighbouring pageblocks (a hunt)");
cs_param(ir, bool, over_offline, racers_over_offline, 0, 1,
	 "G4 racers on blocks G3 offlines (a hunt: can crash a kernel with the contig-undo bug)");
cs_param(ir, uint, hunt_delay_ms, hunt_delay_ms, 0, 100,
	 "over_offline: racers wait this long before replace_free_hugepage_folios(), ms");
cs_param(ir, bool, gigantic, gigantic, 0, 1,
	 "G10 grows 1 GiB pages without a hugetlb_cma area or with page_owner on 6.12 (docs/findings)");

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Pageblock isolation racer: alloc_contig_range against memory offline/online");
