// SPDX-License-Identifier: GPL-2.0
/*
 * The page allocator family: G2, G5 and G6 (with D5).
 *
 * G2, free-while-isolating. Seed 000's window: pageblocks of a range are
 * isolated one by one (CC -> IC -> II, then II -> CI -> CC), so while a
 * range is half isolated a page freed in one pageblock can meet its buddy
 * in the next. Short-lived movable allocations of order 0, small orders,
 * pageblock order and MAX_PAGE_ORDER are held until some isolation of ours
 * is in flight and then freed, a few at a time, into that window.
 *
 * G5, pcp churn: per-CPU bursts of order-0 allocations and frees, so the
 * pcp lists hold pages of CMA pageblocks while those pageblocks are
 * isolated and drained (seed 004's stale migratetype).
 *
 * G6, pin-scope allocations, checked by D5 (seed 003).
 */
#include <linux/module.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include "generators.h"
#include "compat.h"

enum { CS_G2_FREES, CS_G2_ALLOC_FAIL };
enum { CS_G5_BURSTS };
enum { CS_G6_ALLOCS };

#define CS_G2_BATCH 32

static void cs_g2_batch(struct cs_worker *w)
{
	const unsigned int orders[] = { 0, 0, 0, 1, 3, pageblock_order,
					MAX_PAGE_ORDER };
	gfp_t gfp = GFP_HIGHUSER_MOVABLE | __GFP_NOWARN | __GFP_NORETRY;
	atomic_t *isolating = &w->h->isolating;
	struct page *held[CS_G2_BATCH];
	unsigned int order[CS_G2_BATCH];
	int n, i, waited;

	cs_progress(w, "alloc_pages", 0);
	cs_op(w);
	for (n = 0; n < CS_G2_BATCH; n++) {
		order[n] = orders[cs_rand(ARRAY_SIZE(orders))];
		held[n] = alloc_pages(gfp, order[n]);
		if (!held[n]) {
			cs_count(w, CS_G2_ALLOC_FAIL, 1);
			break;
		}
	}
	for (waited = 0; waited < 20 && !atomic_read(isolating); waited++)
		usleep_range(200, 400);
	cs_progress(w, "free_pages", n ? page_to_pfn(held[0]) : 0);
	for (i = 0; i < n; i++) {
		cs_event(&w->h->ctx, CS_OP_FREE, page_to_pfn(held[i]),
			 1UL << order[i], atomic_read(isolating));
		__free_pages(held[i], order[i]);
		if (cs_rand(4) == 0)
			usleep_range(20, 60);
	}
	cs_count(w, CS_G2_FREES, n);
	if (!n)
		msleep_interruptible(5);
}

static int cs_g2_thread(void *arg)
{
	struct cs_worker *w = arg;

	while (cs_keep_going(w)) {
		cs_g2_batch(w);
		cond_resched();
	}
	return 0;
}

#define CS_G5_BURST 256

static int cs_g5_thread(void *arg)
{
	struct cs_worker *w = arg;
	struct page **pages;
	int n, i;

	pages = kcalloc(CS_G5_BURST, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	while (cs_keep_going(w)) {
		cs_progress(w, "pcp burst", 0);
		cs_op(w);
		for (n = 0; n < CS_G5_BURST; n++) {
			pages[n] = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN |
					      __GFP_NORETRY);
			if (!pages[n])
				break;
		}
		for (i = 0; i < n; i++)
			__free_page(pages[i]);
		cs_count(w, CS_G5_BURSTS, 1);
		usleep_range(100, 1000);
	}
	kfree(pages);
	return 0;
}

/*
 * D5. memalloc_pin_save() makes current_gfp_context() drop __GFP_MOVABLE,
 * so the allocation may use neither ZONE_MOVABLE nor (being unmovable) any
 * CMA pageblock, not even one whose pages wait on a pcp list (seed 003).
 */
/* D5.cma_page's injection: every page read as inside the first area. */
static const struct cs_area *cs_area_seen(struct cs_harness *h, unsigned long pfn)
{
	if (cs_inj(h, CS_R_D5_CMA) && h->nr_areas)
		return &h->areas[0];
	return cs_area_of(h, pfn);
}

static void cs_d5_check(struct cs_harness *h, struct page *page,
			unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	bool iso;
	/* The type bits: 6.16+ keep them under isolation (core/compat.h). */
	int mt = cs_can_read_pageblocks() ? cs_pageblock_type(pfn, &iso) : -1;

	if (page_zonenum(page) == ZONE_MOVABLE)
		cs_violation(&h->ctx, CS_R_D5_MOVABLE,
			     "pin-scope order-%u allocation got pfn %#lx in ZONE_MOVABLE",
			     order, pfn);
	else if (cs_area_seen(h, pfn) || (mt >= 0 && is_migrate_cma(mt)))
		cs_violation(&h->ctx, CS_R_D5_CMA,
			     "pin-scope order-%u allocation got CMA pfn %#lx (pageblock %s)",
			     order, pfn, mt >= 0 ? cs_mt_name(mt) : "?");
	cs_checked(&h->ctx, CS_D5_PLACEMENT);
}

#define CS_G6_BURST 64

static int cs_g6_thread(void *arg)
{
	struct cs_worker *w = arg;
	struct cs_harness *h = w->h;
	struct page *pages[CS_G6_BURST];
	unsigned int order[CS_G6_BURST];
	unsigned int flags = 0;
	bool scoped;
	int n, i;

	while (cs_keep_going(w)) {
		cs_progress(w, "pin-scope alloc", 0);
		cs_op(w);
		scoped = !cs_inject(h, CS_D5_PLACEMENT, NULL);
		if (scoped)
			flags = memalloc_pin_save();
		for (n = 0; n < CS_G6_BURST; n++) {
			order[n] = cs_rand(4) ? 0 : cs_rand(3);
			pages[n] = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN |
					       __GFP_NORETRY, order[n]);
			if (!pages[n])
				break;
		}
		if (scoped)
			memalloc_pin_restore(flags);
		for (i = 0; i < n; i++) {
			cs_d5_check(h, pages[i], order[i]);
			__free_pages(pages[i], order[i]);
		}
		cs_count(w, CS_G6_ALLOCS, n);
		msleep_interruptible(1 + cs_rand(5));
	}
	return 0;
}

const struct cs_generator cs_g2 = {
	.id = "G2", .name = "g2", .thread = "g2_free_iso",
	.seeds = "000",
	.what =
		"movable pages of orders 0 to MAX_PAGE_ORDER freed while an isolation is in flight",
	.fn = cs_g2_thread,
	.counters = {
		[CS_G2_FREES] = "frees",
		[CS_G2_ALLOC_FAIL] = "alloc_fail",
	},
};

const struct cs_generator cs_g5 = {
	.id = "G5", .name = "g5", .thread = "g5_pcp",
	.seeds = "003 004",
	.what =
		"per-CPU bursts of order-0 alloc/free, so pcp lists hold pages of blocks being isolated",
	.fn = cs_g5_thread, .per_cpu = true,
	.counters = { [CS_G5_BURSTS] = "pcp_bursts" },
};

const struct cs_generator cs_g6 = {
	.id = "G6", .name = "g6", .thread = "g6_pin",
	.seeds = "003",
	.what =
		"allocations inside memalloc_pin_save() scopes, checked by D5",
	.fn = cs_g6_thread,
	.counters = { [CS_G6_ALLOCS] = "pin_allocs" },
	.checks = BIT(CS_D5_PLACEMENT),
	.injects = BIT(CS_D5_PLACEMENT),
};
