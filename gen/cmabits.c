// SPDX-License-Identifier: GPL-2.0
/*
 * The CMA allocation bitmap, read in bounded sections under cma->lock: D6's copy
 * of a whole area (gen/cma.c compares it at start, at checkpoints and
 * after stop) and D4's check that a range we hold is still marked. Since
 * 6.14 an area has a bitmap per range (core/compat.h): every range's is
 * read, into G1's books laid out as cs_area_off() lays the ranges.
 */
#include <linux/bitmap.h>
#include <linux/cma.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include "generators.h"
#include "compat.h"	/* struct cma: its lock, its ranges' bitmaps */

#ifdef CS_HAVE_MM_CMA_H

/*
 * Call @fn on bits [@bit, @end) of @cma's bitmap, CS_BITMAP_LOCKED_BITS
 * bits per section under cma->lock. The lock is taken with interrupts
 * off, and no section may grow with the area (a hugetlb_cma= area of a
 * big box has millions of bits). Bits may change between sections; they
 * may as well between one section and its use. Stops when @fn returns
 * true. 4096 bits keep this copy's section shorter than D2's zone->lock
 * sections in the bench's guests (audit_hold_max_us, measured with
 * ACCEL=icount); 32768 made it the longest of all.
 */
#define CS_BITMAP_LOCKED_BITS 4096UL

struct cs_bits {
	struct cma *cma;
	unsigned long *map;	/* the range's bitmap */
	unsigned long off;	/* the range's first page in G1's books */
	void *arg;
};

typedef bool (*cs_bits_fn)(struct cs_bits *b, unsigned long bit, unsigned long end);

/* Bits [@bit, @end) of range @r of @cma's bitmap, as the comment above says. */
static void cs_bitmap_walk(struct cs_harness *h, struct cma *cma, int r,
			   unsigned long bit, unsigned long end,
			   cs_bits_fn fn, struct cs_bits *b)
{
	unsigned long flags, stop;
	bool done = false;
	u64 t0;

	b->cma = cma;
	b->map = cs_cma_bits(cma, r);
	for (; bit < end && !done; bit = stop) {
		stop = min(bit + CS_BITMAP_LOCKED_BITS, end);
		spin_lock_irqsave(&cma->lock, flags);
		t0 = ktime_get_ns();
		done = fn(b, bit, stop);
		spin_unlock_irqrestore(&cma->lock, flags);
		cs_irqoff_done(h, t0);
		cond_resched();
	}
}

static unsigned long cs_nr_bits(struct cma *cma, int r)
{
	return cs_cma_count(cma, r) >> cma->order_per_bit;
}

/* Each set bit's pages into the books' bitmap @b->arg. */
static bool cs_copy_set(struct cs_bits *b, unsigned long bit, unsigned long end)
{
	unsigned int opb = b->cma->order_per_bit;

	for_each_set_bit_from(bit, b->map, end)
		bitmap_set(b->arg, b->off + (bit << opb), 1U << opb);
	return false;
}

/* The first clear bit into *@b->arg; true (stop) if there is one. */
static bool cs_find_clear(struct cs_bits *b, unsigned long bit, unsigned long end)
{
	unsigned long z = find_next_zero_bit(b->map, end, bit);

	if (z >= end)
		return false;
	*(unsigned long *)b->arg = z;
	return true;
}
#endif

/* The area's bitmap, in pages, every range's. */
void cs_cma_bitmap(struct cs_harness *h, struct cs_area *a, unsigned long *dst)
{
#ifdef CS_HAVE_MM_CMA_H
	struct cs_bits b = { .arg = dst };
	struct cma *cma = a->cma;
	int r;
#endif

	bitmap_zero(dst, a->count);
#ifdef CS_HAVE_MM_CMA_H
	for (r = 0; r < cs_cma_nranges(cma); r++) {
		b.off = cs_area_off(a, cs_cma_base(cma, r));
		cs_bitmap_walk(h, cma, r, 0, cs_nr_bits(cma, r), cs_copy_set, &b);
	}
#endif
}

/*
 * D4: the CMA bitmap still marks every unit of a range we hold (@count
 * pages from @pfn, inside one range of the area, as cma_alloc() hands
 * them out). A bit somebody else cleared tells the next cma_alloc()
 * that our pages are free (6.12's hugetlb gives any huge folio inside a
 * hugetlb_cma= area back through cma_release(), its own or not:
 * docs/findings/). Returns the first pfn whose unit is clear, or ULONG_MAX.
 */
unsigned long cs_unit_lost(struct cs_harness *h, struct cs_area *a,
			   unsigned long pfn, unsigned long count)
{
#ifdef CS_HAVE_MM_CMA_H
	struct cma *cma = a->cma;
	unsigned long zero = ULONG_MAX, base;
	struct cs_bits b = { .arg = &zero };
	unsigned int opb = cma->order_per_bit;
	int r;

	for (r = 0; r < cs_cma_nranges(cma); r++) {
		base = cs_cma_base(cma, r);
		if (pfn < base || pfn >= base + cs_cma_count(cma, r))
			continue;
		cs_bitmap_walk(h, cma, r, (pfn - base) >> opb,
			       ((pfn + count - 1 - base) >> opb) + 1, cs_find_clear, &b);
		if (zero != ULONG_MAX)
			return base + (zero << opb);
	}
#endif
	return ULONG_MAX;
}
