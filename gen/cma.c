// SPDX-License-Identifier: GPL-2.0
/*
 * G1: cma_alloc()/cma_release() workers, with D4 on every range they get
 * and G1's part of D6 (the CMA bitmap); G7, fast churn on the same code.
 *
 * Sizes run from one page to max_pageblocks pageblocks, biased to
 * pageblock multiples; alignments from 0 to pageblock_order; holds from
 * zero to hold_ms. Each range is stamped with a pattern derived from
 * (pfn, range id) and verified before release: a page handed out while
 * still in use (seed 002) shows up as a foreign reference or a changed
 * word.
 */
#include <linux/module.h>
#include <linux/cma.h>
#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "generators.h"
#include "compat.h"	/* struct cma: its unit (order_per_bit), its success count */

/* The outcome counters of a cma_alloc() worker, G1's and G7's alike. */
enum { CS_CMA_ALLOC_OK, CS_CMA_ALLOC_FAIL, CS_CMA_RELEASED, CS_CMA_PAGES, CS_CMA_FROZEN_OK };

/* G1 and G7 share their requests (cs_g1_alloc()), so their counters too. */
#define CS_CMA_COUNTERS {					\
		[CS_CMA_ALLOC_OK] = "alloc_ok",			\
		[CS_CMA_ALLOC_FAIL] = "alloc_fail",		\
		[CS_CMA_RELEASED] = "released",			\
		[CS_CMA_PAGES] = "pages_allocated",		\
		[CS_CMA_FROZEN_OK] = "frozen_ok",		\
	}

static struct page *(*p_cma_alloc)(struct cma *, unsigned long, unsigned int, bool);
static bool (*p_cma_release)(struct cma *, const struct page *, unsigned long);
static struct page *(*p_cma_alloc_frozen)(struct cma *, unsigned long, unsigned int, bool);
static bool (*p_cma_release_frozen)(struct cma *, const struct page *, unsigned long);

static struct cs_sym cs_cma_syms[] = {
	{ "cma_alloc", (void **)&p_cma_alloc, true, true, "G1, D4 and D6 in cma_stress" },
	{ "cma_release", (void **)&p_cma_release, true, true, "G1, D4 and D6 in cma_stress" },
#if CS_CMA_FROZEN
	{ "cma_alloc_frozen", (void **)&p_cma_alloc_frozen, true, true,
	  "G1/G7's frozen requests (cma_alloc() alone is used)" },
	{ "cma_release_frozen", (void **)&p_cma_release_frozen, true, true,
	  "G1/G7's frozen requests (cma_alloc() alone is used)" },
#endif
};

int cs_cma_init(void)
{
	if (IS_ENABLED(CONFIG_CMA))
		cs_resolve("cs_core", cs_cma_syms, ARRAY_SIZE(cs_cma_syms));
	return 0;
}

static const char *cs_g1_unusable(struct cs_harness *h)
{
	int i;

	if (!p_cma_alloc || !p_cma_release)
		return "cma_alloc/cma_release unresolved";
	for (i = 0; i < h->nr_areas; i++)
		if (h->areas[i].cma)
			return NULL;
	return "no named CMA area";
}

/* The detector G1 and G7 cannot serve here: D4, without a way to allocate. */
static const char *cs_g1_off(struct cs_harness *h, int d)
{
	return d == CS_D4_OWNERSHIP ? cs_g1_unusable(h) : NULL;
}

struct cs_range {
	struct list_head node;
	struct cs_area *a;
	struct page *pages;
	unsigned long pfn, count;
	u64 id;
	bool frozen;	/* from cma_alloc_frozen(): refcount 0, ours */
};

/*
 * Half the requests are frozen where the kernel has the calls (7.x) and
 * both resolved, so both of cma_alloc()'s forms are stirred.
 */
static bool cs_pick_frozen(void)
{
	return p_cma_alloc_frozen && p_cma_release_frozen && cs_rand(2);
}

/* Give a range back by the call that matches how it was taken. */
static bool cs_cma_put(struct cs_area *a, struct cs_range *r)
{
	if (r->frozen)
		return p_cma_release_frozen(a->cma, r->pages, r->count);
	return p_cma_release(a->cma, r->pages, r->count);
}

/* D4's reference rule for the range's form: 1 each, or 0 each if frozen. */
static bool cs_d4_range_refs(struct cs_harness *h, struct cs_range *r,
			     const char *when)
{
	if (r->frozen)
		return cs_d4_frozen(h, r->pfn, r->count, when);
	return cs_d4_refs(h, r->pfn, r->count, when);
}

/*
 * The pages a range takes in its area's bitmap: one bit covers 2^order_per_bit
 * pages (a hugetlb_cma= area's bit is a 2 MiB page), so cma_alloc() of one
 * page marks the whole unit, and so do our books (owned, ever), or D6
 * would take the rest of the unit for a page we released.
 */
static unsigned long cs_span(const struct cs_range *r)
{
#ifdef CS_HAVE_MM_CMA_H
	return ALIGN(r->count, 1UL << ((struct cma *)r->a->cma)->order_per_bit);
#else
	return r->count;
#endif
}

static void cs_check_units(struct cs_harness *h, const struct cs_range *r,
			   const char *when)
{
	unsigned long lost = cs_unit_lost(h, r->a, r->pfn, r->count);

	if (lost != ULONG_MAX)
		cs_violation(&h->ctx, CS_R_D4_BITMAP_LOST,
			     "%s: CMA area %s bitmap no longer marks pfn %#lx of range %llu [%#lx+%lu] we hold: the next cma_alloc() may hand it out again",
			     when, r->a->name, lost, r->id, r->pfn, r->count);
}

/* inject=d6 kept this range from cma_release(): give it back now. */
static void cs_release_leak(struct cs_harness *h)
{
	struct cs_range *r = h->leaked;

	if (!r)
		return;
	cs_cma_put(r->a, r);
	kfree(r);
	h->leaked = NULL;
}

/*
 * Pages cma_alloc() has handed out from @a since boot, to anyone (struct
 * cma counts them with CONFIG_CMA_SYSFS), or -1 where it does not count.
 */
static s64 cs_cma_succeeded(struct cs_area *a)
{
#if defined(CS_HAVE_MM_CMA_H) && defined(CONFIG_CMA_SYSFS)
	return atomic64_read(&((struct cma *)a->cma)->nr_pages_succeeded);
#else
	return -1;
#endif
}

/*
 * Did anyone but G1 allocate from @a during the run (a driver, hugetlb's
 * pool growing into a hugetlb_cma= area, G10 included)? Then a bit D6
 * finds set on a page we released may be theirs now, and D6 cannot judge
 * that area: it is counted (d6_bitmap_checks_shared), not reported.
 * Without the kernel's per-area count D6 assumes G1 alone.
 */
static bool cs_area_shared(struct cs_area *a)
{
	s64 now = cs_cma_succeeded(a);

	return now >= 0 && a->succeeded0 >= 0 &&
	       now - a->succeeded0 > atomic_long_read(&a->got);
}

/* The books of every area G1 uses, zeroed, and the CMA bitmap as it is. */
static int cs_g1_start(struct cs_harness *h)
{
	int i, used = 0;

	cs_release_leak(h);
	for (i = 0; i < h->nr_areas; i++)
		used += h->areas[i].use;
	if (!used) {
		pr_err("%s: areas='%.32s' names no CMA area: G1 has nothing to allocate from\n",
		       h->name, h->set.areas);
		return -EINVAL;
	}
	for (i = 0; i < h->nr_areas; i++) {
		struct cs_area *a = &h->areas[i];

		if (!a->cma)
			continue;
		if (!a->owned) {
			a->owned = bitmap_zalloc(a->count, GFP_KERNEL);
			a->ever = bitmap_zalloc(a->count, GFP_KERNEL);
			a->baseline = bitmap_zalloc(a->count, GFP_KERNEL);
			if (!a->owned || !a->ever || !a->baseline)
				return -ENOMEM;	/* the rest freed at unload */
		}
		bitmap_zero(a->owned, a->count);
		bitmap_zero(a->ever, a->count);
		atomic_long_set(&a->got, 0);
		a->succeeded0 = cs_cma_succeeded(a);
		cs_cma_bitmap(h, a, a->baseline);
	}
	return 0;
}

static void cs_g1_cleanup(struct cs_harness *h)
{
	int i;

	cs_release_leak(h);
	for (i = 0; i < h->nr_areas; i++) {
		bitmap_free(h->areas[i].owned);
		bitmap_free(h->areas[i].ever);
		bitmap_free(h->areas[i].baseline);
		h->areas[i].owned = NULL;
		h->areas[i].ever = NULL;
		h->areas[i].baseline = NULL;
	}
}

/*
 * D6, G1's part: with every worker stopped and every range released, no
 * bit of the CMA bitmap that was clear at start and that we ever set may
 * remain, and our own books hold nothing.
 */
static void cs_g1_quiesce(struct cs_harness *h, bool final)
{
	bool held;
	int i;

	for (i = 0; i < h->nr_areas; i++) {
		struct cs_area *a = &h->areas[i];
		unsigned long *now, n, first;

		if (!a->use || !a->owned)
			continue;
		/*
		 * D6.books_held's injection: the books read at stop with their
		 * first page marked held (set here, and cleared once read).
		 */
		held = final && cs_inj(h, CS_R_D6_BOOKS_HELD) && !test_and_set_bit(0, a->owned);
		if (final && !bitmap_empty(a->owned, a->count))
			cs_violation(&h->ctx, CS_R_D6_BOOKS_HELD,
				     "after stop, area %s still has ranges marked held",
				     a->name);
		if (held)
			clear_bit(0, a->owned);
#ifndef CS_HAVE_MM_CMA_H
		continue;
#endif
		if (cs_area_shared(a)) {
			atomic_long_inc(&h->d6_shared);
			continue;
		}
		now = bitmap_zalloc(a->count, GFP_KERNEL);
		if (!now)
			continue;
		cs_cma_bitmap(h, a, now);
		bitmap_andnot(now, now, a->baseline, a->count);
		if (!final)	/* a checkpoint: what G1 holds now is ours to hold */
			bitmap_andnot(now, now, a->owned, a->count);
		bitmap_and(now, now, a->ever, a->count);
		n = bitmap_weight(now, a->count);
		first = find_first_bit(now, a->count);
		bitmap_free(now);
		if (n)
			cs_violation(&h->ctx, CS_R_D6_BITMAP_RELEASED,
				     "%s, CMA area %s bitmap still marks %lu page(s) we released, first pfn %#lx",
				     final ? "after stop" : "at a checkpoint", a->name, n,
				     cs_area_pfn(a, first));
	}
}

static u64 cs_pattern(unsigned long pfn, u64 id, unsigned int word)
{
	return ((u64)pfn << 20 ^ id * 0x9e3779b97f4a7c15ULL) + word;
}

#define CS_STAMP_STRIDE 32	/* one word in 32: every 256 bytes */

static void cs_stamp(struct cs_range *r)
{
	unsigned long i;
	unsigned int w;

	for (i = 0; i < r->count; i++) {
		u64 *p = kmap_local_page(r->pages + i);

		for (w = 0; w < PAGE_SIZE / 8; w += CS_STAMP_STRIDE)
			p[w] = cs_pattern(r->pfn + i, r->id, w);
		kunmap_local(p);
	}
}

/* D4 on a range we hold: refcount 1, not free, our pattern intact. */
static void cs_verify(struct cs_harness *h, struct cs_range *r, const char *when)
{
	unsigned long i;
	unsigned int w;

	cs_inject(h, CS_D4_OWNERSHIP, r->pages);
	cs_check_units(h, r, when);
	if (!cs_d4_range_refs(h, r, when))
		return;
	for (i = 0; i < r->count; i++) {
		u64 *p = kmap_local_page(r->pages + i);

		for (w = 0; w < PAGE_SIZE / 8; w += CS_STAMP_STRIDE) {
			if (p[w] != cs_pattern(r->pfn + i, r->id, w)) {
				cs_violation(&h->ctx, CS_R_D4_OVERWRITTEN,
					     "%s: pfn %#lx of range %llu [%#lx+%lu] overwritten at byte %u: %#llx != %#llx",
					     when, r->pfn + i, r->id, r->pfn, r->count,
					     w * 8, p[w], cs_pattern(r->pfn + i, r->id, w));
				kunmap_local(p);
				return;
			}
		}
		kunmap_local(p);
	}
	cs_checked(&h->ctx, CS_D4_OWNERSHIP);
}

/* Sizes: one page to several pageblocks, biased to pageblock multiples. */
static unsigned long cs_pick_count(struct cs_harness *h)
{
	unsigned long pb = pageblock_nr_pages;
	unsigned int r = cs_rand(100), max_pb = h->run.max_pageblocks;

	if (r < 45)
		return pb * (1 + cs_rand(max_pb));
	if (r < 60)
		return 1;
	if (r < 80)
		return 1 + cs_rand(pb);
	return 1 + cs_rand(pb * max_pb);
}

static unsigned int cs_pick_hold(struct cs_harness *h)
{
	unsigned int r = cs_rand(100), hold = h->run.hold_ms;

	if (r < 50)
		return 0;
	if (r < 90)
		return cs_rand(min(hold, 20U) + 1);
	return cs_rand(hold + 1);
}

static struct cs_area *cs_pick_area(struct cs_harness *h)
{
	int i, n = 0, pick;

	for (i = 0; i < h->nr_areas; i++)
		n += h->areas[i].use;
	pick = cs_rand(n);
	for (i = 0; i < h->nr_areas; i++)
		if (h->areas[i].use && !pick--)
			return &h->areas[i];
	return NULL;
}

/*
 * D4 on what cma_alloc() just handed out: in the area, not held, ours
 * alone; then stamped, if it will be held (@stamp).
 */
static bool cs_check_fresh(struct cs_harness *h, struct cs_range *r, bool stamp)
{
	struct cs_area *a = r->a;
	/* D4.outside_area's injection: the pfn read as the area's end. */
	bool moved = cs_inj(h, CS_R_D4_OUTSIDE_AREA);
	unsigned long pfn = moved ? a->range[a->nranges - 1].end : r->pfn;
	long off = cs_area_off(a, pfn);
	unsigned long span, seen, end;

	/* Inside one range of the area: cma_alloc() never spans two. */
	if (off < 0 ||
	    cs_area_off(a, pfn + r->count - 1) != off + (long)r->count - 1) {
		cs_violation(&h->ctx, CS_R_D4_OUTSIDE_AREA,
			     "cma_alloc(%s, %lu) returned [%#lx+%lu], not inside one of the area's %d range(s), first [%#lx, %#lx)",
			     a->name, r->count, pfn, r->count, a->nranges,
			     a->range[0].start, a->range[0].end);
		/* Not the area's: do not release it there (unless only misread). */
		if (moved)
			cs_cma_put(a, r);
		return false;
	}
	span = cs_span(r);
	/*
	 * D4.overlap's injection: the new range's pages looked up where the
	 * first range G1 holds in the area begins (none held: no finding).
	 */
	spin_lock(&a->lock);
	seen = cs_inj(h, CS_R_D4_OVERLAP) ? find_first_bit(a->owned, a->count) : off;
	end = min(seen + span, a->count);
	if (find_next_bit(a->owned, end, seen) < end) {
		spin_unlock(&a->lock);
		cs_violation(&h->ctx, CS_R_D4_OVERLAP,
			     "cma_alloc(%s) handed out [%#lx+%lu] which overlaps a range we still hold",
			     a->name, r->pfn, r->count);
		/* Release it: its pages are still the area's to account. */
		cs_cma_put(a, r);
		return false;
	}
	bitmap_set(a->owned, off, span);
	bitmap_set(a->ever, off, span);
	spin_unlock(&a->lock);
	if (h->set.bare)
		return true;
	cs_check_units(h, r, "cma_alloc handed out");
	cs_d4_range_refs(h, r, "cma_alloc handed out");
	if (stamp)
		cs_stamp(r);
	return true;
}

/* Does G1 hold any page of @a now? */
static bool cs_area_held(struct cs_area *a)
{
	/* A hint for pacing: a stale answer costs one request, no lock. */
	return data_race(find_first_bit(a->owned, a->count)) < a->count;
}

static struct cs_range *cs_g1_alloc(struct cs_worker *w)
{
	struct cs_harness *h = w->h;
	struct cs_area *a = cs_pick_area(h);
	unsigned int align = cs_rand(pageblock_order + 1);
	bool frozen = cs_pick_frozen();
	unsigned long count;
	struct cs_range *r;
	struct page *pages;

	if (!a)
		return NULL;
	count = min(cs_pick_count(h), a->count);
	/*
	 * G7: every 16th request or later, once we hold something in the
	 * area, is for the whole area. It cannot be met, so cma_alloc()'s
	 * own failure return is taken in every run, not by chance (one
	 * request in 64 at random can miss a whole debug run).
	 */
	if (w->gen == CS_G7 && ++w->since >= 16 && cs_area_held(a)) {
		count = a->count;
		w->since = 0;
		frozen = false;	/* the failure coverage requires is cma_alloc()'s */
	}
	cs_progress(w, "cma_alloc", a->range[0].start);
	cs_op(w);
	atomic_inc(&h->isolating);
	pages = (frozen ? p_cma_alloc_frozen : p_cma_alloc)(a->cma, count, align, true);
	atomic_dec(&h->isolating);
	cs_event(&h->ctx, CS_OP_ALLOC, pages ? page_to_pfn(pages) : 0, count,
		 pages ? 0 : -ENOMEM);
	if (!pages) {
		cs_count(w, CS_CMA_ALLOC_FAIL, 1);
		return NULL;
	}
	atomic_long_add(count, &a->got);
	cs_count(w, CS_CMA_ALLOC_OK, 1);
	cs_count(w, CS_CMA_PAGES, count);
	cs_count(w, CS_CMA_FROZEN_OK, frozen);
	r = kzalloc_obj(*r, GFP_KERNEL);
	if (!r) {
		(frozen ? p_cma_release_frozen : p_cma_release)(a->cma, pages, count);
		return NULL;
	}
	*r = (struct cs_range){ .a = a, .pages = pages, .pfn = page_to_pfn(pages),
				.count = count, .frozen = frozen,
				.id = atomic64_inc_return(&h->next_id) };
	INIT_LIST_HEAD(&r->node);
	if (!cs_check_fresh(h, r, w->gen == CS_G1)) {
		kfree(r);
		return NULL;
	}
	return r;
}

static void cs_g1_release(struct cs_worker *w, struct cs_range *r)
{
	struct cs_harness *h = w->h;
	struct cs_area *a = r->a;
	struct cs_range call = *r;

	if (!h->set.bare && w->gen == CS_G1)
		cs_verify(h, r, "before cma_release");
	spin_lock(&a->lock);
	bitmap_clear(a->owned, cs_area_off(a, r->pfn), cs_span(r));
	spin_unlock(&a->lock);
	list_del(&r->node);
	cs_event(&h->ctx, CS_OP_RELEASE, r->pfn, r->count, 0);
	cs_count(w, CS_CMA_RELEASED, 1);
	if (cs_inject(h, CS_D6_QUIESCE, r))
		return;
	/*
	 * D4.release_refused's injection: the call first gets no page, which
	 * cma_release() refuses without a change; then the range goes back.
	 */
	if (cs_inj(h, CS_R_D4_RELEASE_REFUSED))
		call.pages = NULL;
	if (!cs_cma_put(a, &call)) {
		cs_violation(&h->ctx, CS_R_D4_RELEASE_REFUSED,
			     "cma_release%s(%s) refused [%#lx+%lu] it handed out",
			     r->frozen ? "_frozen" : "", a->name, r->pfn, r->count);
		if (!call.pages)
			cs_cma_put(a, r);
	}
	kfree(r);
}

#define CS_G1_MAX_LIVE 8

static int cs_g1_thread(void *arg)
{
	struct cs_worker *w = arg;
	struct cs_harness *h = w->h;
	struct cs_range *r, *tmp;
	LIST_HEAD(live);
	int nr_live = 0;

	cs_inject(h, CS_D7_LIVENESS, w);
	if (w->vanish)
		return 0;
	while (cs_keep_going(w)) {
		if (nr_live < CS_G1_MAX_LIVE && (nr_live == 0 || cs_rand(2))) {
			r = cs_g1_alloc(w);
			if (r) {
				list_add_tail(&r->node, &live);
				nr_live++;
			}
		} else {
			unsigned int pick = cs_rand(nr_live);

			list_for_each_entry(r, &live, node)
				if (!pick--)
					break;
			cs_progress(w, "cma_release", r->pfn);
			cs_g1_release(w, r);
			nr_live--;
		}
		cs_progress(w, "holding", 0);
		msleep_interruptible(cs_pick_hold(h));
		cond_resched();
	}
	list_for_each_entry_safe(r, tmp, &live, node)
		cs_g1_release(w, r);
	return 0;
}

/*
 * G7, fast churn: cma_alloc() and cma_release() back to back, no hold, no
 * stamping, beside G1's holders: rare races need volume. D4's checks on
 * what cma_alloc() hands out still run.
 */
static int cs_g7_thread(void *arg)
{
	struct cs_worker *w = arg;

	while (cs_keep_going(w)) {
		struct cs_range *r = cs_g1_alloc(w);

		if (r) {
			cs_progress(w, "cma_release", r->pfn);
			cs_g1_release(w, r);
		}
		cond_resched();
	}
	return 0;
}

/* Throughput, for the bench: G1 pairs, and pages through cma_alloc() (G1 + G7), per second. */
static void cs_g1_report(struct cs_harness *h, struct seq_file *m)
{
	unsigned long ms = cs_run_ms(h);
	long pages = atomic_long_read(&h->count[CS_G1][CS_CMA_PAGES]) +
		     atomic_long_read(&h->count[CS_G7][CS_CMA_PAGES]);

	seq_printf(m, "g1_pairs_per_s: %lu\n",
		   ms ? atomic_long_read(&h->count[CS_G1][CS_CMA_RELEASED]) * 1000 / ms : 0);
	seq_printf(m, "cma_pages_per_s: %lu\n", ms ? pages * 1000 / ms : 0);
#ifndef CS_HAVE_MM_CMA_H
	/* D6 still checks MemTotal and the blocks; G1's bitmap part needs struct cma. */
	seq_puts(m, "d6_cma_bitmap: not checked: built without mm/cma.h (headers-only tree)\n");
#endif
}

const struct cs_generator cs_g1 = {
	.id = "G1", .name = "g1", .thread = "g1_alloc",
	.seeds = "000 002",
	.what =
		"cma_alloc/cma_release of 1 page to several pageblocks, any alignment, held 0 to hold_ms",
	.fn = cs_g1_thread,
	.counters = CS_CMA_COUNTERS,
	.checks = BIT(CS_D4_OWNERSHIP),
	.injects = BIT(CS_D4_OWNERSHIP) | BIT(CS_D6_QUIESCE) | BIT(CS_D7_LIVENESS),
	.does = BIT(CS_DOES_CONTIG) | BIT(CS_DOES_CMA_ALLOC),
	.unusable = cs_g1_unusable, .off = cs_g1_off, .start = cs_g1_start,
	.quiesce = cs_g1_quiesce, .cleanup = cs_g1_cleanup,
	.report = cs_g1_report,
};

const struct cs_generator cs_g7 = {
	.id = "G7", .name = "g7", .thread = "g7_churn",
	.seeds = "000 002",
	.what =
		"fast churn: cma_alloc/cma_release back to back, no hold; every 16th request, while G1 holds a range there, for a whole area",
	.fn = cs_g7_thread,
	.counters = CS_CMA_COUNTERS,
	.checks = BIT(CS_D4_OWNERSHIP),
	.does = BIT(CS_DOES_CONTIG) | BIT(CS_DOES_CMA_ALLOC),
	.unusable = cs_g1_unusable, .off = cs_g1_off, .start = cs_g1_start,
	.quiesce = cs_g1_quiesce,
};
