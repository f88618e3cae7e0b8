// SPDX-License-Identifier: GPL-2.0
/*
 * The rule table: one row per comparison that can report a violation
 * (core/rules.h says what a row holds). README's "Rules and their proofs"
 * is generated from these rows (scripts/rules.sh); make test fails on a
 * row without a proof and runs every proof: each patch in a guest of
 * its own, every injection in the kselftests (inject=<rule>), and wants
 * the row's rule first within its bound. A patch's bound counts from the
 * kernel's own line saying it planted its bug, where it prints one.
 */
#include <linux/module.h>
#include <linux/string.h>
#include <linux/seq_file.h>
#include "cs_core.h"
#include "compat.h"

#define CS_RULE(id, det_, name_, what_, patch_, inj_, bound_) \
	[id] = { .name = name_, .det = det_, .what = what_, .patch = patch_, \
		 .inject_how = inj_, .bound_s = bound_ }

const struct cs_rule cs_rules[CS_NR_RULES] = {
	/* D1, core/audit.c: the counters, every audit_ms */
	CS_RULE(CS_R_D1_NEGATIVE, CS_D1_COUNTERS, "D1.negative",
		"a zone's NR_FREE_PAGES or NR_FREE_CMA_PAGES below zero", NULL,
		"D1 reads one zone's NR_FREE_PAGES as minus its managed pages", 2),
	CS_RULE(CS_R_D1_CMA_OVER_FREE, CS_D1_COUNTERS, "D1.cma_over_free",
		"a zone's NR_FREE_CMA_PAGES above its NR_FREE_PAGES", NULL,
		"D1 reads one zone's NR_FREE_CMA_PAGES raised by CmaTotal + MemTotal", 2),
	CS_RULE(CS_R_D1_FREE_OVER_MANAGED, CS_D1_COUNTERS, "D1.free_over_managed",
		"a zone's NR_FREE_PAGES above its managed pages", NULL,
		"D1 reads one zone's NR_FREE_PAGES raised by its managed pages", 2),
	CS_RULE(CS_R_D1_MEMFREE, CS_D1_COUNTERS, "D1.memfree_over_memtotal",
		"MemFree above MemTotal", NULL,
		"D1 reads MemTotal as below zero", 2),
	CS_RULE(CS_R_D1_CMAFREE, CS_D1_COUNTERS, "D1.cmafree_over_cmatotal",
		"CmaFree above CmaTotal (seed 000's symptom)", NULL,
		"D1 reads CmaTotal as below zero", 2),
	/* D2, core/freelist.c: the free lists under zone->lock, every freelist_ms */
	CS_RULE(CS_R_D2_NOT_BUDDY, CS_D2_FREELIST, "D2.not_buddy",
		"a page on an order-N free list is not a free buddy of order N", NULL,
		"D2 reads every listed page's order one too high", 3),
	CS_RULE(CS_R_D2_MISPLACED, CS_D2_FREELIST, "D2.misplaced",
		"a free page misaligned for its order or outside its zone", NULL,
		"D2 reads every listed page's pfn one zone span higher", 3),
	CS_RULE(CS_R_D2_WRONG_TYPE, CS_D2_FREELIST, "D2.wrong_type",
		"a free page spans a pageblock whose type its list forbids (a merge across isolated or CMA pageblocks)",
		"seed000", NULL, 5),
	CS_RULE(CS_R_D2_ENDLESS, CS_D2_FREELIST, "D2.endless_list",
		"a free list longer than its zone has pages (corrupt)", NULL,
		"D2 reads its zone as spanning no pages", 3),
	CS_RULE(CS_R_D2_NR_FREE, CS_D2_FREELIST, "D2.nr_free",
		"an order's nr_free differs from its lists' length", NULL,
		"D2 counts one entry more on the order-0 lists", 3),
	CS_RULE(CS_R_D2_FREE_PAGES, CS_D2_FREELIST, "D2.nr_free_pages",
		"NR_FREE_PAGES differs from the non-isolate free lists", NULL,
		"D2 reads NR_FREE_PAGES of one zone one page high", 3),
	CS_RULE(CS_R_D2_FREE_CMA, CS_D2_FREELIST, "D2.nr_free_cma",
		"NR_FREE_CMA_PAGES differs from the CMA free lists", NULL,
		"D2 reads NR_FREE_CMA_PAGES of one zone one page high", 3),
	CS_RULE(CS_R_D2_FREE_BLOCKS, CS_D2_FREELIST, "D2.nr_free_blocks",
		"NR_FREE_PAGES_BLOCKS (6.15+) differs from the non-isolate lists of order >= pageblock_order",
		"free-blocks-lost",
		"D2 reads NR_FREE_PAGES_BLOCKS of one zone one page high", 10),
	/* D3, core/audit.c and gen/contig.c: pageblock types */
	CS_RULE(CS_R_D3_AREA_NOT_CMA, CS_D3_PAGEBLOCK, "D3.area_not_cma",
		"a pageblock of a CMA area is not CMA", NULL,
		"D3 sees the first area start one pageblock early", 3),
	CS_RULE(CS_R_D3_CMA_OUTSIDE, CS_D3_PAGEBLOCK, "D3.cma_outside_area",
		"a CMA pageblock outside every CMA area", NULL,
		"D3 sees the first area start one pageblock late", 3),
	CS_RULE(CS_R_D3_QUIET_ISOLATED, CS_D3_PAGEBLOCK, "D3.quiet_isolated",
		"a pageblock still isolated once nothing of ours is in flight (at a checkpoint or stop)",
		"leftover-isolate", NULL, 30),
	CS_RULE(CS_R_D3_CONTIG_LEFTOVER, CS_D3_PAGEBLOCK, "D3.contig_leftover",
		"alloc_contig_range() returned with a pageblock of its range still isolated", NULL,
		"G4/G9 read the first pageblock of a range they just tried as isolated", 5),
	/* D4, in the generators: what we hold */
	CS_RULE(CS_R_D4_FOREIGN_REF, CS_D4_OWNERSHIP, "D4.foreign_ref",
		"a page we hold has a lasting reference besides ours, or is free", NULL,
		"D4 reads the refcount of the first page of a range it checks one high", 5),
	CS_RULE(CS_R_D4_FROZEN_REF, CS_D4_OWNERSHIP, "D4.frozen_ref",
		"a frozen page we hold (7.x) has a reference, or is free", NULL,
		"D4 reads the refcount of the first page of a frozen range one high", 5),
	CS_RULE(CS_R_D4_OVERWRITTEN, CS_D4_OWNERSHIP, "D4.overwritten",
		"a page we hold no longer holds our pattern", NULL,
		"G1/G4 flip a bit of a page they hold", 5),
	CS_RULE(CS_R_D4_BITMAP_LOST, CS_D4_OWNERSHIP, "D4.bitmap_lost",
		"the CMA bitmap no longer marks a page we hold", "cma-bit-lost",
		NULL, 2),
	CS_RULE(CS_R_D4_OUTSIDE_AREA, CS_D4_OWNERSHIP, "D4.outside_area",
		"cma_alloc() returned pages outside its area's ranges", NULL,
		"G1 reads the pfn cma_alloc() returned as the end of the area's last range", 5),
	CS_RULE(CS_R_D4_OVERLAP, CS_D4_OWNERSHIP, "D4.overlap",
		"cma_alloc() returned pages we still hold", NULL,
		"G1 looks up the new range's pages where a range it holds begins", 5),
	CS_RULE(CS_R_D4_RELEASE_REFUSED, CS_D4_OWNERSHIP, "D4.release_refused",
		"cma_release() refused a range cma_alloc() handed out", NULL,
		"G1's releases first give cma_release() no page (refused), then the range", 5),
	CS_RULE(CS_R_D4_PLANT_TAKEN, CS_D4_OWNERSHIP, "D4.plant_taken",
		"alloc_contig_range() or an offline succeeded over a page we hold", NULL,
		"G9 gives its planted page back before the allocation over it", 10),
	/* D5, gen/pages.c: pin-scope placement */
	CS_RULE(CS_R_D5_MOVABLE, CS_D5_PLACEMENT, "D5.movable_zone",
		"a pin-scope allocation got a ZONE_MOVABLE page", NULL,
		"G6 allocates without entering the pin scope", 5),
	CS_RULE(CS_R_D5_CMA, CS_D5_PLACEMENT, "D5.cma_page",
		"a pin-scope allocation got a CMA page (seed 003)", NULL,
		"G6 reads every page it got as inside the first CMA area", 5),
	/* D6, at checkpoints and stop: the quiet state */
	CS_RULE(CS_R_D6_MEMTOTAL, CS_D6_QUIESCE, "D6.memtotal",
		"MemTotal not back at its value at start", NULL,
		"D6 reads MemTotal at start one page high", 12),
	CS_RULE(CS_R_D6_BOOKS_HELD, CS_D6_QUIESCE, "D6.books_held",
		"after stop, G1's books still mark a range held", NULL,
		"G1 reads its books at stop with their first page marked held", 12),
	CS_RULE(CS_R_D6_BITMAP_RELEASED, CS_D6_QUIESCE, "D6.bitmap_released",
		"the CMA bitmap still marks pages we released", NULL,
		"G1's first release skips cma_release() while its books call the range released (given back at the next start or unload)",
		12),
	CS_RULE(CS_R_D6_BLOCK_OFFLINE, CS_D6_QUIESCE, "D6.block_offline",
		"a memory block we offlined will not come back online", NULL,
		"G3 reads each block's return to online as refused (-EBUSY; it is online)", 12),
	/* D7, core/workers.c: liveness */
	CS_RULE(CS_R_D7_STALL, CS_D7_LIVENESS, "D7.stall",
		"a generator thread made no progress for stall_s seconds", NULL,
		"the first G1 or G4 thread stops making progress for stall_s + 3 s", 6),
	CS_RULE(CS_R_D7_DIED, CS_D7_LIVENESS, "D7.died",
		"a generator thread exited without returning (an oops in it)", NULL,
		"the first G1 or G4 thread leaves as if it died", 3),
};

/* The rule named @name, or -1. */
int cs_rule_find(const char *name)
{
	int r;

	for (r = 0; r < CS_NR_RULES; r++)
		if (!strcmp(name, cs_rules[r].name))
			return r;
	return -1;
}

/* Why rule @r cannot fire on this kernel, or NULL. */
const char *cs_rule_absent(int r)
{
	if (r == CS_R_D2_FREE_BLOCKS && !CS_HAVE_FREE_BLOCKS)
		return "no NR_FREE_PAGES_BLOCKS before 6.15";
	if (r == CS_R_D4_FROZEN_REF && !CS_CMA_FROZEN)
		return "no frozen CMA allocations before 7.x";
	return NULL;
}

/*
 * The rules file: "<rule> <detector> <proofs> bound_s=<n> on", or "off:"
 * and why in the last field; <proofs> is patch:<name>, inject, or both
 * joined by a comma. The kselftests run every injection that is on.
 */
void cs_rules_show(struct cs_harness *h, struct seq_file *m)
{
	int r;

	for (r = 0; r < CS_NR_RULES; r++) {
		const struct cs_rule *x = &cs_rules[r];
		const char *why = h->ctx.disabled[x->det] ?: cs_rule_absent(r);

		seq_printf(m, "%s %s ", x->name, cs_detectors[x->det].name);
		if (x->patch)
			seq_printf(m, "patch:%s%s", x->patch, x->inject_how ? "," : "");
		seq_printf(m, "%s bound_s=%u %s%s\n", x->inject_how ? "inject" : "",
			   x->bound_s, why ? "off:" : "on", why ?: "");
	}
}
