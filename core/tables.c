// SPDX-License-Identifier: GPL-2.0
/*
 * The harness, read from its two tables.
 *
 * cs_generators[]: what stirs up the races. A module offers a generator by
 * declaring the setting named in its row (the thread count); a scenario
 * gives each generator its count. Starting a run walks this table.
 *
 * cs_detectors[]: what catches a bug. The auditor walks it (every
 * CS_EVERY_* row, at its period), stop runs every row with @quiet set, and
 * the CS_IN_GENERATOR rows run inside the generators named in "what".
 * Each row's inject hook is how inject=dN proves the detector fires.
 *
 * README's "What it catches" is generated from these rows
 * (scripts/catches.sh); make test fails when the two disagree.
 */
#include <linux/module.h>
#include "cs_core.h"

const struct cs_generator cs_generators[CS_NR_GENERATORS] = {
	[CS_G1] = {
		.id = "G1", .name = "g1", .thread = "g1_alloc",
		.seeds = "000 002",
		.what =
			"cma_alloc/cma_release of 1 page to several pageblocks, any alignment, held 0 to hold_ms",
		.fn = cs_g1_thread, .setting = "alloc_threads",
		.counters = {
			[CS_G1_ALLOC_OK] = "alloc_ok",
			[CS_G1_ALLOC_FAIL] = "alloc_fail",
			[CS_G1_RELEASED] = "released",
			[CS_G1_PAGES] = "pages_allocated",
			[CS_G1_FROZEN] = "frozen_ok",
		},
		.unusable = cs_g1_unusable, .start = cs_g1_start,
		.quiesce = cs_g1_quiesce, .cleanup = cs_g1_cleanup,
		.report = cs_g1_report,
	},
	[CS_G2] = {
		.id = "G2", .name = "g2", .thread = "g2_free_iso",
		.seeds = "000",
		.what =
			"movable pages of orders 0 to MAX_PAGE_ORDER freed while an isolation is in flight",
		.fn = cs_g2_thread, .setting = "isolate_threads",
		.counters = {
			[CS_G2_FREES] = "frees",
			[CS_G2_ALLOC_FAIL] = "alloc_fail",
		},
	},
	[CS_G3] = {
		.id = "G3", .name = "g3", .thread = "g3_hotplug",
		.seeds = "001",
		.what =
			"memory block offline/online in ZONE_MOVABLE; offlines vetoed after isolation or interrupted",
		.fn = cs_g3_thread, .setting = "hotplug_threads",
		.counters = {
			[CS_G3_OFFLINE_OK] = "offline_ok",
			[CS_G3_OFFLINE_BUSY] = "offline_busy",
			[CS_G3_OFFLINE_INTR] = "offline_interrupted",
			[CS_G3_OFFLINE_VETOED] = "offline_vetoed",
			[CS_G3_OFFLINE_OTHER] = "offline_other",
			[CS_G3_LAST_ERRNO] = "offline_last_errno",
			[CS_G3_ONLINE_OK] = "online_ok",
			[CS_G3_ONLINE_FAIL] = "online_fail",
			[CS_G3_CLASH] = "skipped_racer_on_block",
		},
	},
	[CS_G4] = {
		.id = "G4", .name = "g4", .thread = "g4_racer",
		.seeds = "000 001",
		.what =
			"alloc_contig_range on pageblock- but not MAX_ORDER-aligned ranges at zone, block and area edges",
		.fn = cs_g4_thread, .setting = "racer_threads",
		.counters = {
			[CS_G4_OK] = "contig_ok",
			[CS_G4_BUSY] = "contig_busy",
			[CS_G4_INTR] = "contig_interrupted",
			[CS_G4_NOMEM] = "contig_nomem",
			[CS_G4_OTHER] = "contig_other",
			[CS_G4_LAST_ERRNO] = "contig_last_errno",
			[CS_G4_PAGES] = "pages_obtained",
			[CS_G4_LEFTOVER_CHECKS] = "leftover_checks",
			[CS_G4_CLASH] = "skipped_neighbour_racer",
			[CS_G4_COMP] = "comp_requests",
			[CS_G4_GONE] = "skipped_went_offline",
			[CS_G4_OFFLINING] = "skipped_block_offlining",
		},
		.start = cs_g4_start, .cleanup = cs_g4_cleanup,
	},
	[CS_G5] = {
		.id = "G5", .name = "g5", .thread = "g5_pcp",
		.seeds = "003 004",
		.what =
			"per-CPU bursts of order-0 alloc/free, so pcp lists hold pages of blocks being isolated",
		.fn = cs_g5_thread, .setting = "pcp_threads", .per_cpu = true,
		.counters = { [CS_G5_BURSTS] = "pcp_bursts" },
	},
	[CS_G6] = {
		.id = "G6", .name = "g6", .thread = "g6_pin",
		.seeds = "003",
		.what =
			"allocations inside memalloc_pin_save() scopes, checked by D5",
		.fn = cs_g6_thread, .setting = "pin_threads",
		.counters = { [CS_G6_ALLOCS] = "pin_allocs" },
	},
	[CS_G7] = {
		.id = "G7", .name = "g7", .thread = "g7_churn",
		.seeds = "000 002",
		.what =
			"fast churn: cma_alloc/cma_release back to back, no hold; one request in 8 for a whole area",
		.fn = cs_g7_thread, .setting = "churn_threads",
		.counters = {
			[CS_G1_ALLOC_OK] = "alloc_ok",
			[CS_G1_ALLOC_FAIL] = "alloc_fail",
			[CS_G1_RELEASED] = "released",
			[CS_G1_PAGES] = "pages_allocated",
			[CS_G1_FROZEN] = "frozen_ok",
		},
		.unusable = cs_g1_unusable, .start = cs_g1_start,
		.quiesce = cs_g1_quiesce,
	},
	[CS_G8] = {
		.id = "G8", .name = "g8", .thread = "g8_gup",
		.seeds = "001 002 004",
		.what =
			"transient pins on LRU pages in CMA areas, G3's block and G4's range, so migration fails after isolation",
		.fn = cs_g8_thread, .setting = "gup_threads",
		.counters = { [CS_G8_PINNED] = "pinned" },
	},
	[CS_G9] = {
		.id = "G9", .name = "g9", .thread = "g9_plant",
		.seeds = "001 004",
		.what =
			"a page of ours at the first, a middle or the last pageblock of a range, then alloc_contig_range over it",
		.fn = cs_g9_thread, .setting = "plant_threads",
		.counters = {
			[CS_G9_PLANTED] = "planted",
			[CS_G9_PLANT_FAIL] = "plant_fail",
			[CS_G9_BUSY] = "contig_busy",
			[CS_G9_OTHER] = "contig_other",
			[CS_G9_LAST_ERRNO] = "contig_last_errno",
			[CS_G9_LEFTOVER_CHECKS] = "leftover_checks",
		},
	},
	[CS_G10] = {
		.id = "G10", .name = "g10", .thread = "g10_hugetlb",
		.seeds = "001",
		.what =
			"hugetlb pool churn: grow, shrink (dissolve); 1 GiB pages grown and demoted where hugetlb_cma= gave an area",
		.fn = cs_g10_thread, .setting = "hugetlb_threads",
		.counters = {
			[CS_G10_GROWS] = "grows",
			[CS_G10_SHRINKS] = "shrinks",
			[CS_G10_DEMOTES] = "demotes",
			[CS_G10_ERRORS] = "errors",
			[CS_G10_LAST_ERRNO] = "last_errno",
		},
		.unusable = cs_g10_unusable,
	},
};

const struct cs_detector cs_detectors[CS_NR_DETECTORS] = {
	[CS_D1_COUNTERS] = {
		.id = "D1", .name = "d1_counters", .seeds = "000",
		.what =
			"CmaFree <= CmaTotal, MemFree <= MemTotal, per zone NR_FREE_CMA_PAGES <= NR_FREE_PAGES <= managed, none negative",
		.when = CS_EVERY_AUDIT, .check = cs_audit_counters,
		.inject = cs_inject_view,
		.inject_how =
			"D1 reads NR_FREE_CMA_PAGES of one zone raised by CmaTotal + MemTotal",
	},
	[CS_D2_FREELIST] = {
		.id = "D2", .name = "d2_freelist", .seeds = "000 004",
		.what =
			"under zone->lock: nr_free per order = list lengths, NR_FREE_PAGES and NR_FREE_CMA_PAGES = the lists, each free page on its pageblock's list",
		.when = CS_EVERY_FULL, .check = cs_audit_freelists,
		.inject = cs_inject_view,
		.inject_how =
			"D2 reads NR_FREE_PAGES of one zone one page high",
	},
	[CS_D3_PAGEBLOCK] = {
		.id = "D3", .name = "d3_pageblock", .seeds = "001 004",
		.what =
			"every pageblock of a CMA area is CMA (or ISOLATE in flight), none outside is CMA, none ISOLATE once quiet",
		.when = CS_EVERY_FULL, .check = cs_audit_pageblocks,
		.inject = cs_inject_view,
		.inject_how =
			"D3 sees the first area start one pageblock early",
	},
	[CS_D4_OWNERSHIP] = {
		.id = "D4", .name = "d4_ownership", .seeds = "002",
		.what =
			"G1, G4, G7, G9: every range we get lies in its area, has refcount 1, is not free, overlaps nothing we hold, keeps our pattern and (G1, G7) its bits in the CMA bitmap",
		.when = CS_IN_GENERATOR,
		.inject = cs_inject_d4,
		.inject_how =
			"G1/G4 flip a bit of a page they hold",
		.inject_in = BIT(CS_G1) | BIT(CS_G4),
	},
	[CS_D5_PLACEMENT] = {
		.id = "D5", .name = "d5_placement", .seeds = "003",
		.what =
			"G6: allocations under memalloc_pin_save() get no ZONE_MOVABLE and no CMA page",
		.when = CS_IN_GENERATOR,
		.inject = cs_inject_d5,
		.inject_how =
			"G6 allocates without entering the pin scope",
		.inject_in = BIT(CS_G6),
	},
	[CS_D6_QUIESCE] = {
		.id = "D6", .name = "d6_quiesce", .seeds = "000 001",
		.what =
			"after stop: no CMA bitmap bit of ours, every block we offlined online, MemTotal at its baseline, D1-D3 with nothing in flight",
		.when = CS_AT_STOP, .check = cs_quiesce,
		.inject = cs_inject_d6,
		.inject_how =
			"G1's first release skips cma_release() while its books call the range released (given back at the next start or unload)",
		.inject_in = BIT(CS_G1),
	},
	[CS_D7_LIVENESS] = {
		.id = "D7", .name = "d7_liveness", .seeds = "001 002",
		.what =
			"a worker that makes no progress for stall_s seconds, or that died in its thread, with what it was doing",
		.when = CS_EVERY_SECOND, .check = cs_liveness,
		.inject = cs_inject_d7,
		.inject_how =
			"the first G1 or G4 thread stops making progress for stall_s + 3 s; the second leaves as if it died",
		.inject_in = BIT(CS_G1) | BIT(CS_G4),
	},
};
