// SPDX-License-Identifier: GPL-2.0
/*
 * cma_stress: concurrent CMA stress with live accounting audits.
 *
 * Kernel threads allocate and release CMA ranges (G1), free movable pages
 * while isolations are in flight (G2), offline and online memory blocks
 * (G3), churn the per-CPU page lists (G5) and allocate inside pin scopes
 * (G6), while the auditor checks the kernel's books (D1-D3) and the
 * workers check what they were handed (D4, D5). Stop quiesces and audits
 * once more (D6); a worker that stops making progress is reported (D7).
 * The generators and detectors are the rows of core/tables.c; the bug
 * each answers is in README and ../shared/seeds.
 *
 * This file is the module's scenarios and settings; the frame (cs_core.ko)
 * does the rest. Driven through /sys/kernel/debug/cma_stress/: write
 * "start", "stop", "audit", "reset" or "key=value" to control; read
 * report, stats, series, areas. Every key is also a module parameter.
 */
#include <linux/module.h>
#include "core/cs_core.h"

/* Named mixes: threads per generator, G1's largest range and longest hold. */
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

/* The harness, its init and exit, the frame's settings, a thread count each. */
#define CS_HARNESS cms
#define CS_OFFERS (CS_OFFER_G1 | CS_OFFER_G2 | CS_OFFER_G3 | CS_OFFER_G5 | CS_OFFER_G6 | \
		   CS_OFFER_G7 | CS_OFFER_G8 | CS_OFFER_G9 | CS_OFFER_G10)
#include "harness.h"

cs_param(cms, str, areas, areas, 0, 0, "comma-separated CMA areas G1 uses, empty = all");
cs_param(cms, bool, gigantic, g10_gigantic, 0, 1,
	 "G10 grows 1 GiB pages without a hugetlb_cma area or with page_owner on 6.12 (docs/findings)");

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Concurrent CMA stress with live free-page accounting audits");
