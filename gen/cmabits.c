// SPDX-License-Identifier: GPL-2.0
/*
 * The CMA allocation bitmap, read in bounded holds of cma->lock: D6's copy
 * of a whole area (gen/cma.c compares it at start, at checkpoints and
 * after stop) and D4's check that a range we hold is still marked.
 */
#include <linux/bitmap.h>
#include <linux/cma.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include "cs_core.h"

#ifdef CS_HAVE_MM_CMA_H
#include "cma.h"	/* struct cma: its lock and bitmap */

/*
 * Call @fn on bits [@bit, @end) of @cma's bitmap, CS_BITMAP_HOLD_BITS bits
 * per hold of cma->lock. The lock is taken with interrupts off, and no
 * hold may grow with the area (a hugetlb_cma= area of a big box has
 * millions of bits). Bits may change between holds; they may as well
 * between one hold and its use. Stops when @fn returns true. With 32768
 * bits a hold, the idle 2 GiB guest's longest hold was this copy's, 388 us
 * of guest time (ACCEL=icount: 1 ns an instruction); with 4096, 277 us.
 */
#define CS_BITMAP_HOLD_BITS 4096UL

typedef bool (*cs_bits_fn)(struct cma *cma, unsigned long bit,
			   unsigned long end, void *arg);

static void cs_bitmap_walk(struct cs_harness *h, struct cma *cma,
			   unsigned long bit, unsigned long end,
			   cs_bits_fn fn, void *arg)
{
	unsigned long flags, stop;
	bool done = false;
	u64 t0;

	for (; bit < end && !done; bit = stop) {
		stop = min(bit + CS_BITMAP_HOLD_BITS, end);
		spin_lock_irqsave(&cma->lock, flags);
		t0 = ktime_get_ns();
		done = fn(cma, bit, stop, arg);
		spin_unlock_irqrestore(&cma->lock, flags);
		cs_hold_done(h, t0);
		cond_resched();
	}
}

static unsigned long cs_nr_bits(struct cma *cma)
{
	return cma->count >> cma->order_per_bit;
}

/* Each set bit's pages into @dst, a bitmap in pages. */
static bool cs_copy_set(struct cma *cma, unsigned long bit, unsigned long end,
			void *dst)
{
	for_each_set_bit_from(bit, cma->bitmap, end)
		bitmap_set(dst, bit << cma->order_per_bit, 1U << cma->order_per_bit);
	return false;
}

/* The first clear bit into *@zero; true (stop) if there is one. */
static bool cs_find_clear(struct cma *cma, unsigned long bit, unsigned long end,
			  void *zero)
{
	unsigned long z = find_next_zero_bit(cma->bitmap, end, bit);

	if (z >= end)
		return false;
	*(unsigned long *)zero = z;
	return true;
}
#endif

/* The area's bitmap, in pages. */
void cs_cma_bitmap(struct cs_harness *h, struct cs_area *a, unsigned long *dst)
{
	bitmap_zero(dst, a->count);
#ifdef CS_HAVE_MM_CMA_H
	cs_bitmap_walk(h, a->cma, 0, cs_nr_bits(a->cma), cs_copy_set, dst);
#endif
}

/*
 * D4: the CMA bitmap still marks every unit of a range we hold (@count
 * pages from @pfn). A bit somebody else cleared tells the next cma_alloc()
 * that our pages are free (6.12's hugetlb gives any huge folio inside a
 * hugetlb_cma= area back through cma_release(), its own or not:
 * docs/findings/). Returns the first pfn whose unit is clear, or ULONG_MAX.
 */
unsigned long cs_unit_lost(struct cs_harness *h, struct cs_area *a,
			   unsigned long pfn, unsigned long count)
{
#ifdef CS_HAVE_MM_CMA_H
	struct cma *cma = a->cma;
	unsigned long zero = ULONG_MAX;

	cs_bitmap_walk(h, cma, (pfn - cma->base_pfn) >> cma->order_per_bit,
		       ((pfn + count - 1 - cma->base_pfn) >> cma->order_per_bit) + 1,
		       cs_find_clear, &zero);
	if (zero != ULONG_MAX)
		return cma->base_pfn + (zero << cma->order_per_bit);
#endif
	return ULONG_MAX;
}
