// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of isolations in flight, shared by every generator that
 * isolates pageblocks (G3's offlines, G4's and G9's alloc_contig_range()),
 * and memory-block facts.
 *
 * Two contracts are kept here, before either side acts:
 *
 *  - alloc_contig_range(): "it's the caller's responsibility to guarantee
 *    that we are the only thread that changes migrate type of pageblocks
 *    the pages fall in", and it reaches out to the MAX_ORDER block around
 *    each end. Racers never share a MAX_ORDER block (CMA's cma_mutex gives
 *    cma_alloc() the same guarantee), or with adjacent=1 a pageblock.
 *
 *  - alloc_contig_range() promises nothing for pfns that are offline: it
 *    reads their struct pages, which offline_pages() has poisoned. So a
 *    racer's MAX_ORDER span and a memory block G3 offlines never overlap,
 *    whoever registers first, and a racer checks its range is online after
 *    registering: no block of the range can go offline until it is done.
 *    over_offline=1 lifts this rule (a hunt for the kernel's own race,
 *    docs/findings/contig-undo-offline.md; it can crash a kernel).
 *
 * A pageblock found ISOLATE in a finished range is a leftover only if no
 * other isolation of ours touched that range meanwhile: the registry keeps
 * a short history for that. A slot whose owner died (D7) stays registered:
 * what it isolated is that worker's leftover, not a new D3 finding.
 */
#include <linux/module.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include "cs_core.h"

#define CS_ISO_HIST 64

struct cs_iso_slot {
	unsigned long start, end;	/* end == 0: a free slot */
	enum cs_iso_kind kind;
	struct cs_worker *owner;
};

struct cs_iso {
	spinlock_t lock;			/* all of it */
	int nslots;				/* one per thread of the run */
	unsigned long seq;			/* registrations so far */
	struct cs_span hist[CS_ISO_HIST];
	struct cs_iso_slot slot[] __counted_by(nslots);
};

unsigned long cs_memblock_pages(void)
{
	return memory_block_size_bytes() >> PAGE_SHIFT;
}

static bool cs_meets(const struct cs_iso_slot *s, unsigned long start,
		     unsigned long end)
{
	return s->end && s->start < end && start < s->end;
}

/* What a racer's alloc_contig_range() may touch: its MAX_ORDER blocks. */
static void cs_racer_reach(unsigned long *start, unsigned long *end,
			   unsigned long span)
{
	*start = ALIGN_DOWN(*start, span);
	*end = ALIGN(*end, span);
}

/* 0, or why [start, end) may not be isolated now: -EBUSY (racer), -EEXIST (offline). */
static int cs_iso_clash(struct cs_harness *h, struct cs_iso *iso,
			unsigned long start, unsigned long end,
			enum cs_iso_kind kind)
{
	unsigned long span = h->set.racers_adjacent ? pageblock_nr_pages : MAX_ORDER_NR_PAGES;
	int i;

	for (i = 0; i < iso->nslots; i++) {
		struct cs_iso_slot s = iso->slot[i];
		unsigned long a = start, b = end;

		if (!s.end)
			continue;
		if (kind == CS_ISO_RACER && s.kind == CS_ISO_RACER) {
			cs_racer_reach(&a, &b, span);
			cs_racer_reach(&s.start, &s.end, span);
		} else if (kind != s.kind && !h->set.racers_over_offline) {
			if (kind == CS_ISO_RACER)
				cs_racer_reach(&a, &b, MAX_ORDER_NR_PAGES);
			else
				cs_racer_reach(&s.start, &s.end, MAX_ORDER_NR_PAGES);
		} else {
			continue;
		}
		if (cs_meets(&s, a, b))
			return s.kind == CS_ISO_RACER ? -EBUSY : -EEXIST;
	}
	return 0;
}

/*
 * Register @w's isolation of [start, end): a slot number, or, if it would
 * break a contract above, -EBUSY (a racer is there) or -EEXIST (a block
 * being offlined is): the caller skips the range and counts it.
 */
int cs_iso_begin(struct cs_worker *w, unsigned long start, unsigned long end,
		 enum cs_iso_kind kind)
{
	struct cs_harness *h = w->h;
	struct cs_iso *iso = h->iso;
	int i, slot;

	spin_lock(&iso->lock);
	slot = cs_iso_clash(h, iso, start, end, kind);
	if (!slot) {
		slot = -EBUSY;
		for (i = 0; i < iso->nslots && slot < 0; i++)
			if (!iso->slot[i].end)
				slot = i;
		/* One registration per thread at a time: a slot is always free. */
		if (!WARN_ON_ONCE(slot < 0)) {
			iso->slot[slot] = (struct cs_iso_slot){ start, end, kind, w };
			iso->hist[iso->seq++ % CS_ISO_HIST] = (struct cs_span){ start, end };
		}
	}
	spin_unlock(&iso->lock);
	if (slot >= 0)
		atomic_inc(&h->isolating);
	return slot;
}

void cs_iso_end(struct cs_worker *w, int slot)
{
	struct cs_iso *iso = w->h->iso;

	spin_lock(&iso->lock);
	iso->slot[slot].end = 0;
	spin_unlock(&iso->lock);
	atomic_dec(&w->h->isolating);
}

/* Every pageblock of [start, end) online now (G3 keeps it so once registered). */
bool cs_range_online(unsigned long start, unsigned long end)
{
	unsigned long pfn;

	for (pfn = ALIGN_DOWN(start, pageblock_nr_pages); pfn < end; pfn += pageblock_nr_pages)
		if (!pfn_to_online_page(pfn) || !pfn_to_online_page(pfn + pageblock_nr_pages - 1))
			return false;
	return true;
}

unsigned long cs_iso_seq(struct cs_harness *h)
{
	struct cs_iso *iso = h->iso;
	unsigned long seq;

	spin_lock(&iso->lock);
	seq = iso->seq;
	spin_unlock(&iso->lock);
	return seq;
}

/* No isolation of ours on [start, end) now, nor registered since @since. */
bool cs_iso_untouched(struct cs_harness *h, unsigned long start, unsigned long end,
		      unsigned long since)
{
	struct cs_iso *iso = h->iso;
	bool untouched = true;
	unsigned long q;
	int i;

	spin_lock(&iso->lock);
	for (i = 0; i < iso->nslots; i++)
		if (cs_meets(&iso->slot[i], start, end))
			untouched = false;
	if (iso->seq - since > CS_ISO_HIST)
		untouched = false;	/* history lost: cannot tell */
	for (q = since; untouched && q < iso->seq; q++) {
		struct cs_span r = iso->hist[q % CS_ISO_HIST];

		if (r.start < end && start < r.end)
			untouched = false;
	}
	spin_unlock(&iso->lock);
	return untouched;
}

/* The worker whose registration holds @pfn now (at a quiet point: a dead one), or NULL. */
struct cs_worker *cs_iso_holder(struct cs_harness *h, unsigned long pfn)
{
	struct cs_iso *iso = h->iso;
	struct cs_worker *w = NULL;
	int i;

	if (!iso)
		return NULL;
	spin_lock(&iso->lock);
	for (i = 0; i < iso->nslots && !w; i++)
		if (cs_meets(&iso->slot[i], pfn, pfn + 1))
			w = iso->slot[i].owner;
	spin_unlock(&iso->lock);
	return w;
}

/* "[start+nr]" of what @w has registered, for D7's word on a dead worker. */
int cs_iso_describe(struct cs_harness *h, struct cs_worker *w, char *buf, size_t len)
{
	struct cs_iso *iso = h->iso;
	int i, n = 0;

	buf[0] = '\0';
	if (!iso)
		return 0;
	spin_lock(&iso->lock);
	for (i = 0; i < iso->nslots; i++)
		if (iso->slot[i].end && iso->slot[i].owner == w)
			n += scnprintf(buf + n, len - n, " [%#lx+%lu]", iso->slot[i].start,
				       iso->slot[i].end - iso->slot[i].start);
	spin_unlock(&iso->lock);
	return n;
}

/* A registry for @threads threads, all slots free; reused by the next run if it fits. */
int cs_iso_start(struct cs_harness *h, int threads)
{
	struct cs_iso *iso = h->iso;

	if (!iso || iso->nslots < threads) {
		kfree(iso);
		h->iso = NULL;
		iso = kzalloc(struct_size(iso, slot, threads), GFP_KERNEL);
		if (!iso)
			return -ENOMEM;
		spin_lock_init(&iso->lock);
		iso->nslots = threads;
		h->iso = iso;
	}
	memset(iso->slot, 0, iso->nslots * sizeof(iso->slot[0]));
	return 0;
}

void cs_iso_free(struct cs_harness *h)
{
	kfree(h->iso);
	h->iso = NULL;
}
