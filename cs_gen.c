// SPDX-License-Identifier: GPL-2.0
/*
 * G2, free-while-isolating, shared by both modules.
 *
 * Seed 000's window: pageblocks of a range are isolated one by one
 * (CC -> IC -> II, then II -> CI -> CC), so while a range is half
 * isolated a page freed in one pageblock can meet its buddy in the next.
 * Short-lived movable allocations of order 0, small orders, pageblock
 * order and MAX_PAGE_ORDER are held until some isolation is in flight and
 * then freed, a few at a time, into that window.
 */
#include <linux/module.h>
#include <linux/gfp.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include "cs_core.h"
#include "cs_compat.h"

#define CS_G2_BATCH 32

void cs_g2_batch(struct cs_ctx *ctx, struct cs_worker *w, atomic_t *isolating,
		 struct cs_g2_stats *st)
{
	const unsigned int orders[] = { 0, 0, 0, 1, 3, pageblock_order,
					MAX_PAGE_ORDER };
	gfp_t gfp = GFP_HIGHUSER_MOVABLE | __GFP_NOWARN | __GFP_NORETRY;
	struct page *held[CS_G2_BATCH];
	unsigned int order[CS_G2_BATCH];
	int n, i, waited;

	cs_progress(w, "alloc_pages", 0);
	for (n = 0; n < CS_G2_BATCH; n++) {
		order[n] = orders[cs_rand(ARRAY_SIZE(orders))];
		held[n] = alloc_pages(gfp, order[n]);
		if (!held[n]) {
			atomic_long_inc(&st->alloc_fail);
			break;
		}
	}
	for (waited = 0; waited < 20 && !atomic_read(isolating); waited++)
		usleep_range(200, 400);
	cs_progress(w, "free_pages", n ? page_to_pfn(held[0]) : 0);
	for (i = 0; i < n; i++) {
		cs_event(ctx, CS_OP_FREE, page_to_pfn(held[i]), 1UL << order[i],
			 atomic_read(isolating));
		__free_pages(held[i], order[i]);
		if (cs_rand(4) == 0)
			usleep_range(20, 60);
	}
	atomic_long_add(n, &st->frees);
	if (!n)
		msleep_interruptible(5);
}
EXPORT_SYMBOL_GPL(cs_g2_batch);
