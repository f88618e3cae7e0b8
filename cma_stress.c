// SPDX-License-Identifier: GPL-2.0
/*
 * cma_stress: concurrent CMA stress with live accounting audits.
 *
 * Kernel threads allocate and release CMA ranges (G1, and G7 back to
 * back), free movable pages while isolations are in flight (G2), offline
 * and online memory blocks (G3), churn the per-CPU page lists (G5),
 * allocate inside pin scopes (G6), pin pages where isolations go (G8),
 * plant pages an isolation must refuse (G9) and churn the hugetlb pool
 * (G10), while the auditor checks the kernel's books (D1-D3) and the
 * workers check what they were handed (D4, D5). Stop and every
 * checkpoint check the quiet state (D6); a worker that stops making
 * progress is reported (D7). The detectors are the rows of
 * core/tables.c, the generators rows in gen/; the bug each answers is in
 * README and ../shared/seeds.
 *
 * This file is the module's scenarios, the generators it offers and its
 * own settings; the frame (cs_core.ko) does the rest. Driven through
 * /sys/kernel/debug/cma_stress/: write "start", "stop", "audit", "reset"
 * or "key=value" to control; read report, stats, series, areas,
 * coverage. Every key is also a module parameter.
 */
#include <linux/module.h>
#include "gen/generators.h"

/* Named mixes: threads per generator, the largest range and its longest hold. */
static const struct cs_scenario cms_scenarios[] = {
	{ .name = "default", .what = "every generator, every seed",
	  .threads = { [CS_G1] = 2, [CS_G2] = 1, [CS_G3] = 1, [CS_G5] = 1, [CS_G6] = 1,
		       [CS_G7] = 1, [CS_G8] = 1, [CS_G9] = 1, [CS_G10] = 1 },
	  .max_pageblocks = 4, .hold_ms = 100 },
	{ .name = "seed000", .what = "buddy merge across isolated pageblocks",
	  .threads = { [CS_G1] = 2, [CS_G2] = 2, [CS_G5] = 1 },
	  .max_pageblocks = 2, .hold_ms = 5 },
	{ .name = "seed001", .what = "isolation racing memory offline",
	  .threads = { [CS_G1] = 1, [CS_G2] = 1, [CS_G3] = 1, [CS_G8] = 1, [CS_G9] = 1,
		       [CS_G10] = 1 },
	  .max_pageblocks = 4, .hold_ms = 50 },
	{ .name = "seed002", .what = "pages handed out while in use",
	  .threads = { [CS_G1] = 3, [CS_G2] = 1, [CS_G5] = 1, [CS_G7] = 1, [CS_G8] = 1 },
	  .max_pageblocks = 8, .hold_ms = 500 },
	{ .name = "seed003", .what = "pin-scope allocation given a CMA page",
	  .threads = { [CS_G1] = 1, [CS_G5] = 2, [CS_G6] = 2 },
	  .max_pageblocks = 2, .hold_ms = 20 },
	{ .name = "seed004", .what = "stale pcp migratetype turns CMA MOVABLE",
	  .threads = { [CS_G1] = 2, [CS_G2] = 1, [CS_G5] = 2, [CS_G8] = 1 },
	  .max_pageblocks = 2, .hold_ms = 10 },
	{ .name = "soak", .what = "everything, longer holds",
	  .threads = { [CS_G1] = 2, [CS_G2] = 1, [CS_G3] = 1, [CS_G5] = 2, [CS_G6] = 1,
		       [CS_G7] = 1, [CS_G8] = 1, [CS_G9] = 1, [CS_G10] = 1 },
	  .max_pageblocks = 8, .hold_ms = 1000 },
};

/* The harness, its init and exit, the frame's settings. */
#define CS_HARNESS cms
#include "harness.h"

/* The generators it offers: the setting of each one's thread count. */
cs_offer(cms, CS_G1, alloc_threads, 1024, "G1 cma_alloc/release threads");
cs_offer(cms, CS_G2, isolate_threads, 1024, "G2 free-while-isolating");
cs_offer(cms, CS_G3, hotplug_threads, 1, "G3 offline/online threads");
cs_offer(cms, CS_G5, pcp_threads, 1024, "G5 pcp churn threads per CPU");
cs_offer(cms, CS_G6, pin_threads, 1024, "G6 pin-scope allocation threads");
cs_offer(cms, CS_G7, churn_threads, 1024, "G7 fast cma churn threads");
cs_offer(cms, CS_G8, gup_threads, 1024, "G8 transient pin threads");
cs_offer(cms, CS_G9, plant_threads, 1024, "G9 planted-page threads");
cs_offer(cms, CS_G10, hugetlb_threads, 1, "G10 hugetlb pool churn");

cs_param(cms, str, areas, areas, 0, 0, "comma-separated CMA areas G1 uses, empty = all");
cs_param(cms, bool, gigantic, gigantic, 0, 1,
	 "G10 grows 1 GiB pages without a hugetlb_cma area or with page_owner on 6.12 (docs/findings)");

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Concurrent CMA stress with live free-page accounting audits");
