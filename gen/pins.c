// SPDX-License-Identifier: GPL-2.0
/*
 * G8: transient pins, the way a driver's short-term GUP holds user pages.
 *
 * An extra reference on an LRU folio makes its migration fail, so
 * cma_alloc(), alloc_contig_range() and offline_pages() that meet it give
 * up after isolating and take their undo paths (seeds 001, 002, 004). The
 * pins land where isolations are: inside the CMA areas, inside the block
 * G3 is offlining, inside G4's latest range, four at a time. Each is held
 * for up to 20 ms and always dropped before the thread returns, so nothing pinned outlives
 * a run or a rmmod. Only LRU folios are kept: a speculative reference on
 * anything else is dropped at once (it is what pfn walkers do).
 */
#include <linux/module.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include "generators.h"

enum { CS_G8_PINNED };

#define CS_PINS 4

/* Where to pin this round: [*start, *start + *nr). */
static bool cs_pin_target(struct cs_harness *h, unsigned long *start,
			  unsigned long *nr)
{
	unsigned long block = READ_ONCE(h->offlining_pfn);
	unsigned long racer = READ_ONCE(h->last_pfn);
	unsigned int r = cs_rand(6);

	/* G3's block one round in six: enough to fail an offline, not all. */
	if (r == 0 && block) {
		*start = block;
		*nr = cs_memblock_pages();
	} else if (r < 3 && racer) {
		*start = racer;
		*nr = pageblock_nr_pages * max(h->run.max_pageblocks, 1);
	} else if (h->nr_areas) {
		const struct cs_span *a = cs_area_any_range(&h->areas[cs_rand(h->nr_areas)]);

		*start = a->start;
		*nr = a->end - a->start;
	} else {
		return false;
	}
	return true;
}

/* A reference on the LRU folio at @pfn, or NULL. */
static struct folio *cs_pin_pfn(unsigned long pfn)
{
	struct page *page = pfn_to_online_page(pfn);
	struct folio *folio;

	if (!page)
		return NULL;
	folio = page_folio(page);
	if (!folio_try_get(folio))
		return NULL;
	if (page_folio(page) != folio || !folio_test_lru(folio)) {
		folio_put(folio);
		return NULL;
	}
	return folio;
}

static int cs_g8_thread(void *arg)
{
	struct cs_worker *w = arg;
	struct cs_harness *h = w->h;
	struct folio *held[CS_PINS];
	unsigned long start, nr;
	int n, i;

	while (cs_keep_going(w)) {
		cs_progress(w, "pin", 0);
		if (!cs_pin_target(h, &start, &nr)) {
			msleep_interruptible(10);
			continue;
		}
		cs_op(w);
		for (n = 0, i = 0; i < CS_PINS; i++) {
			held[n] = cs_pin_pfn(start + cs_rand(nr));
			n += !!held[n];
		}
		cs_count(w, CS_G8_PINNED, n);
		cs_progress(w, "holding pins", start);
		msleep_interruptible(1 + cs_rand(20));
		while (n)
			folio_put(held[--n]);
		msleep_interruptible(20 + cs_rand(80));
	}
	return 0;
}

const struct cs_generator cs_g8 = {
	.id = "G8", .name = "g8", .thread = "g8_gup",
	.seeds = "001 002 004",
	.what =
		"transient pins on LRU pages in CMA areas, G3's block and G4's range, so migration fails after isolation",
	.fn = cs_g8_thread,
	.counters = { [CS_G8_PINNED] = "pinned" },
};
