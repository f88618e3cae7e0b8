// SPDX-License-Identifier: GPL-2.0
/*
 * D2: the buddy free lists against the counters, under zone->lock, with
 * every section under that lock (interrupts off) bounded by
 * audit_hold_entries free-list entries (2048 by default), whatever the
 * size of the zone.
 *
 * Under zone->lock nothing enters or leaves a free list, and every
 * NR_FREE_PAGES / NR_FREE_CMA_PAGES update happens under it
 * (account_freepages() in 6.12, __mod_zone_freepage_state() in 6.1).
 * Pages on pcp lists are counted free by neither; ISOLATE lists are not
 * counted (set_migratetype_isolate() subtracts what it moves). The rules:
 *
 *  - per page, exact: every entry is a free buddy of its list's order,
 *    aligned, inside the zone, on the list its pageblocks' type allows;
 *    every entry is visited once per audit, in sections of at most
 *    audit_hold_entries entries (a list that changes under a pause is resumed
 *    where it was if that page is still there, else left for the next
 *    audit: counted in d2_walk_resumes_lost);
 *  - counters, exact: NR_FREE_PAGES (less NR_UNACCEPTED) = sum over orders
 *    of nr_free << order minus the ISOLATE lists, and NR_FREE_CMA_PAGES =
 *    the CMA lists, in
 *    one section, when those lists fit the budget (they are short: only what
 *    is isolated now, and the CMA areas' free pages); else skipped that
 *    audit and counted in d2_counter_checks_skipped;
 *  - nr_free per order = the lengths of its lists, exact, when the whole
 *    zone fits the budget (a CI guest's zones do: then one section checks
 *    everything, as a snapshot); in that snapshot too, on 6.15 and later,
 *    NR_FREE_PAGES_BLOCKS = the non-ISOLATE lists of order >=
 *    pageblock_order.
 *
 * The longest section is measured and reported (audit_hold_max_us).
 */
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/vmstat.h>
#include <linux/page-flags.h>
#include <linux/pageblock-flags.h>
#include <linux/page-isolation.h>
#include <linux/delay.h>
#include <linux/slab.h>
#include "cs_core.h"
#include "compat.h"

struct cs_walk {
	struct cs_harness *h;
	struct zone *zone;
	unsigned long walked;		/* entries, this audit */
	unsigned long locked_entries;	/* entries, this section under the lock */
	unsigned long budget;		/* entries a section may visit */
	u64 locked_at;
	unsigned long per_order[CS_NR_ORDERS];	/* entries, one-section walk */
	unsigned long list_pages[MIGRATE_TYPES];	/* pages, one-section walk */
	unsigned long block_pages;	/* pages in whole-pageblock blocks, not ISOLATE */
	unsigned long bad;		/* violations found in this walk */
	enum cs_rule_id rule;		/* the first one's rule */
	char why[160];			/* the first, printed after unlock */
	unsigned long count_bad;	/* counter mismatches, this look */
	enum cs_rule_id count_rule;	/* the first one's rule */
	char count_why[128];		/* the first, kept for the second look */
};

/* Keep the first finding of a walk; printing waits for the unlock. */
__printf(3, 4)
static void cs_walk_bad(struct cs_walk *w, enum cs_rule_id r, const char *fmt, ...)
{
	va_list ap;

	if (!w->bad++) {
		w->rule = r;
		va_start(ap, fmt);
		vscnprintf(w->why, sizeof(w->why), fmt, ap);
		va_end(ap);
	}
}

/*
 * A free page on free_list[@mt] spans a pageblock of type @bmt != @mt.
 * 6.10+: never legal (see cs_compat.h). Before: legal among the mergeable
 * types and HIGHATOMIC (pcp-cached types, single-page steals); never legal
 * between CMA and a non-CMA, non-ISOLATE type; legal with ISOLATE only
 * while some isolation is in progress in the zone, since isolation and
 * unisolation retype block by block, dropping zone->lock in between
 * (6.1 mm/page_isolation.c, docs/kernel-rules.md section b).
 */
static bool cs_type_mismatch_is_bug(struct zone *zone, int mt, int bmt)
{
	if (CS_STRICT_FREELIST_TYPES)
		return true;
	if (is_migrate_isolate(mt) || is_migrate_isolate(bmt)) {
#ifdef CONFIG_MEMORY_ISOLATION
		return !zone->nr_isolate_pageblock;
#else
		return true;
#endif
	}
	return is_migrate_cma(mt) || is_migrate_cma(bmt);
}

/*
 * One free page of @order on free_list[@mt]. The type rules mirror
 * __free_one_page() and __add_to_free_list(): pages never merge across
 * pageblocks of a non-mergeable type (CMA, ISOLATE, HIGHATOMIC), and a
 * CMA pageblock's free pages are only ever on the CMA list or, while it is
 * isolated, the ISOLATE list (move_freepages_block()).
 */
static void cs_check_free_page(struct cs_walk *w, struct zone *zone,
			       struct page *page, unsigned int order, int mt)
{
	/* D2.misplaced's and D2.not_buddy's injections: what the walk reads. */
	unsigned long pfn = page_to_pfn(page) + w->h->view.pfn_plus, p, end;
	unsigned long seen = page_private(page) + w->h->view.order_plus;

	if (!PageBuddy(page) || seen != order) {
		cs_walk_bad(w, CS_R_D2_NOT_BUDDY,
			    "zone %s: pfn %#lx on order-%u %s list is not a free buddy of that order (buddy=%d order=%lu)",
			    zone->name, pfn, order, cs_mt_name(mt),
			    PageBuddy(page), seen);
		return;
	}
	if (!IS_ALIGNED(pfn, 1UL << order) || !zone_spans_pfn(zone, pfn) ||
	    !zone_spans_pfn(zone, pfn + (1UL << order) - 1)) {
		cs_walk_bad(w, CS_R_D2_MISPLACED,
			    "zone %s: order-%u free page at pfn %#lx misaligned or outside the zone",
			    zone->name, order, pfn);
		return;
	}
	if (!cs_can_read_pageblocks())
		return;
	end = pfn + (1UL << order);
	for (p = ALIGN_DOWN(pfn, pageblock_nr_pages); p < end; p += pageblock_nr_pages) {
		int bmt = cs_pageblock_mt(p);

		if (bmt == mt || !cs_type_mismatch_is_bug(zone, mt, bmt))
			continue;
		cs_walk_bad(w, CS_R_D2_WRONG_TYPE,
			    "zone %s: order-%u free page pfn %#lx on %s list spans %s pageblock %#lx",
			    zone->name, order, pfn, cs_mt_name(mt),
			    cs_mt_name(bmt), p);
		return;
	}
}

static void cs_zone_lock(struct cs_walk *w, unsigned long *flags)
	__acquires(&w->zone->lock)
{
	spin_lock_irqsave(&w->zone->lock, *flags);
	w->locked_at = ktime_get_ns();
	w->locked_entries = 0;
}

static void cs_zone_unlock(struct cs_walk *w, unsigned long flags)
	__releases(&w->zone->lock)
{
	spin_unlock_irqrestore(&w->zone->lock, flags);
	cs_irqoff_done(w->h, w->locked_at);
}

/*
 * A lock the harness held with interrupts off, from @t0 to now: counted
 * for audit_hold_max_us, the mean and the histogram (D2's zone->lock,
 * the CMA bitmap's cma->lock).
 */
void cs_irqoff_done(struct cs_harness *h, u64 t0)
{
	u64 ns = ktime_get_ns() - t0;
	unsigned long us = div_u64(ns, 1000);
	int b = us < 32 ? 0 : min(ilog2(us) - 4, CS_IRQOFF_BUCKETS - 1);

	atomic_long_inc(&h->irqoff_hist[b]);
	if (ns > READ_ONCE(h->irqoff_max_ns))
		WRITE_ONCE(h->irqoff_max_ns, ns);
	atomic64_add(ns, &h->irqoff_ns);
	atomic_long_inc(&h->irqoff_sections);
}

/* Budget spent: let the zone (and this CPU's interrupts) breathe. */
static void cs_zone_breathe(struct cs_walk *w, unsigned long *flags)
	__must_hold(&w->zone->lock)
{
	cs_zone_unlock(w, *flags);
	cond_resched();
	cs_zone_lock(w, flags);
}

/* Is @e one of the zone's list heads (not a page)? */
static bool cs_is_head(struct zone *zone, struct list_head *e)
{
	return (void *)e >= (void *)zone->free_area &&
	       (void *)e < (void *)(zone->free_area + CS_NR_ORDERS);
}

/*
 * Walk free_list[@mt] of @order from after @from (NULL: from the start),
 * checking every page, until its end or the section's budget. Returns the
 * page to resume after, or NULL when the list is done. @sum gets the
 * pages seen, @entries the entries (over every call for this list, which
 * bounds a corrupt, endless list). Called with zone->lock held.
 */
static struct page *cs_walk_list(struct cs_walk *w, unsigned int order, int mt,
				 struct page *from, unsigned long *sum,
				 unsigned long *entries)
{
	struct list_head *head = &w->zone->free_area[order].free_list[mt];
	struct list_head *e = from ? from->buddy_list.next : head->next;
	struct page *last = from;

	for (; e != head; e = e->next) {
		struct page *page = list_entry(e, struct page, buddy_list);

		if (cs_is_head(w->zone, e))
			return NULL;	/* @from moved lists under a pause */
		/* Callers start a list with budget left: @last is a page. */
		if (w->locked_entries >= w->budget && last)
			return last;
		/* D2.endless_list's injection: the zone read as spanning none. */
		if (++(*entries) > (w->h->view.spans_none ? 0 : w->zone->spanned_pages) + 1) {
			cs_walk_bad(w, CS_R_D2_ENDLESS,
				    "zone %s: order-%u %s free list does not end (corrupt)",
				    w->zone->name, order, cs_mt_name(mt));
			return NULL;
		}
		w->walked++;
		w->locked_entries++;
		*sum += 1UL << order;
		cs_check_free_page(w, w->zone, page, order, mt);
		last = page;
	}
	return NULL;
}

/* Is @page, where a paused walk stopped, still on free_list[@mt] of @order? */
static bool cs_still_there(struct page *page, unsigned int order, int mt)
{
	if (!PageBuddy(page) || page_private(page) != order)
		return false;
	/* 6.10+: a free page's list is its pageblock's type. */
	return !CS_STRICT_FREELIST_TYPES || !cs_can_read_pageblocks() ||
	       cs_pageblock_mt(page_to_pfn(page)) == mt;
}

/*
 * Read the counters and compare. NR_FREE_PAGES also counts memory not yet
 * accepted (TDX/SNP guests: zone->unaccepted_pages, NR_UNACCEPTED), which
 * sits on no free list. vmstat folds a CPU's delta into the zone counter
 * with an xchg then an add, outside zone->lock, and a read in between
 * misses the delta: re-read a few times here, and a mismatch that
 * survives is only reported if a second, independent look sees one too
 * (cs_audit_zone()).
 */
static void cs_check_counters(struct cs_walk *w, long want_free, long want_cma,
			      bool check_free, bool check_cma)
{
	long nr_free = 0, nr_cma = 0;
	int tries;

	for (tries = 0; tries < 5; tries++) {
		nr_free = cs_zone_stat(w->h, CS_D2_FREELIST, w->zone, NR_FREE_PAGES);
#ifdef CONFIG_UNACCEPTED_MEMORY
		nr_free -= cs_zone_stat(w->h, CS_D2_FREELIST, w->zone, NR_UNACCEPTED);
#endif
		nr_cma = cs_zone_stat(w->h, CS_D2_FREELIST, w->zone, NR_FREE_CMA_PAGES);
		if ((!check_free || nr_free == want_free) &&
		    (!check_cma || nr_cma == want_cma))
			return;
		udelay(2);
	}
	if (w->count_bad++)
		return;
	w->count_rule = check_free && nr_free != want_free ? CS_R_D2_FREE_PAGES :
			CS_R_D2_FREE_CMA;
	if (w->count_rule == CS_R_D2_FREE_PAGES)
		scnprintf(w->count_why, sizeof(w->count_why),
			  "zone %s: NR_FREE_PAGES=%ld but non-isolate free lists hold %ld pages",
			  w->zone->name, nr_free, want_free);
	else
		scnprintf(w->count_why, sizeof(w->count_why),
			  "zone %s: NR_FREE_CMA_PAGES=%ld but CMA free lists hold %ld pages",
			  w->zone->name, nr_cma, want_cma);
}

/*
 * NR_FREE_PAGES_BLOCKS against the snapshot's lists (6.15+), with the
 * same re-reads against a vmstat fold in flight as cs_check_counters().
 */
static void cs_check_blocks(struct cs_walk *w)
{
#if CS_HAVE_FREE_BLOCKS
	long nr = 0;
	int tries;

	for (tries = 0; tries < 5; tries++) {
		nr = cs_zone_stat(w->h, CS_D2_FREELIST, w->zone, NR_FREE_PAGES_BLOCKS);
		if (nr == (long)w->block_pages)
			return;
		udelay(2);
	}
	if (w->count_bad++)
		return;
	w->count_rule = CS_R_D2_FREE_BLOCKS;
	scnprintf(w->count_why, sizeof(w->count_why),
		  "zone %s: NR_FREE_PAGES_BLOCKS=%ld but non-isolate lists of order >= %u hold %lu pages",
		  w->zone->name, nr, pageblock_order, w->block_pages);
#endif
}

/* Sum every list of type @mt (all orders) in this section; false if too long. */
static bool cs_sum_type(struct cs_walk *w, int mt, unsigned long *sum)
{
	unsigned int order;

	for (order = 0; order < CS_NR_ORDERS; order++) {
		unsigned long entries = 0;

		if (w->locked_entries >= w->budget ||
		    cs_walk_list(w, order, mt, NULL, sum, &entries))
			return false;
	}
	return true;
}

/*
 * The counters in one short section: sum of nr_free << order, minus the
 * ISOLATE lists, is NR_FREE_PAGES; the CMA lists are NR_FREE_CMA_PAGES.
 */
static void cs_counters_short_section(struct cs_walk *w)
{
	unsigned long flags, all = 0, iso = 0, cma = 0;
	bool iso_ok = true, cma_ok = true;
	unsigned int order;
	int mt;

	cs_zone_lock(w, &flags);
	for (order = 0; order < CS_NR_ORDERS; order++)
		all += w->zone->free_area[order].nr_free << order;
	for (mt = 0; mt < MIGRATE_TYPES; mt++) {
		if (is_migrate_isolate(mt))
			iso_ok = cs_sum_type(w, mt, &iso);
		else if (is_migrate_cma(mt))
			cma_ok = cs_sum_type(w, mt, &cma);
	}
	if (iso_ok || cma_ok)
		cs_check_counters(w, all - iso, cma, iso_ok, cma_ok);
	cs_zone_unlock(w, flags);
	if (!iso_ok || !cma_ok)
		atomic_long_inc(&w->h->d2_skipped);
}

/* The whole zone in one section: nr_free per order and both counters, exact. */
static void cs_check_snapshot(struct cs_walk *w)
{
	unsigned long count_free = 0, count_cma = 0;
	unsigned int order;
	int mt;

	for (order = 0; order < CS_NR_ORDERS; order++) {
		/* D2.nr_free's injection: order 0's entries counted higher. */
		unsigned long seen = w->per_order[order] + (order ? 0 : w->h->view.nr_free_plus);

		if (seen != w->zone->free_area[order].nr_free)
			cs_walk_bad(w, CS_R_D2_NR_FREE,
				    "zone %s: order-%u nr_free=%lu but its lists hold %lu pages",
				    w->zone->name, order,
				    w->zone->free_area[order].nr_free, seen);
	}
	for (mt = 0; mt < MIGRATE_TYPES; mt++) {
		if (!is_migrate_isolate(mt))
			count_free += w->list_pages[mt];
		if (is_migrate_cma(mt))
			count_cma += w->list_pages[mt];
	}
	cs_check_counters(w, count_free, count_cma, true, true);
	cs_check_blocks(w);
}

/*
 * Every list, every page, in sections of at most audit_hold_entries
 * entries. Returns true if it all fit one, and then checked the snapshot.
 */
static bool cs_walk_all(struct cs_walk *w)
{
	unsigned long flags;
	unsigned int order;
	bool one_section = true;
	int mt;

	cs_zone_lock(w, &flags);
	for (order = 0; order < CS_NR_ORDERS && !w->bad; order++) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			unsigned long entries = 0;
			struct page *at = NULL;

			if (w->locked_entries >= w->budget) {
				one_section = false;
				cs_zone_breathe(w, &flags);
			}
			while ((at = cs_walk_list(w, order, mt, at, &w->list_pages[mt],
						  &entries))) {
				one_section = false;
				cs_zone_breathe(w, &flags);
				if (!cs_still_there(at, order, mt)) {
					atomic_long_inc(&w->h->d2_resumes_lost);
					break;
				}
			}
			w->per_order[order] += entries;
			if (order >= pageblock_order && !is_migrate_isolate(mt))
				w->block_pages += entries << order;
		}
	}
	if (one_section && !w->bad)
		cs_check_snapshot(w);
	cs_zone_unlock(w, flags);
	return one_section;
}

/* One look at the zone: every page, then the counters. */
static void cs_walk_zone(struct cs_walk *w)
{
	memset(w->per_order, 0, sizeof(w->per_order));
	memset(w->list_pages, 0, sizeof(w->list_pages));
	w->block_pages = 0;
	if (!cs_walk_all(w) && !w->bad)
		cs_counters_short_section(w);
}

/* D2 for one zone. Returns the entries walked. */
static unsigned long cs_audit_zone(struct cs_harness *h, struct zone *zone)
{
	unsigned long walked;
	struct cs_walk *w;
	char first[128];

	w = kzalloc_obj(*w, GFP_KERNEL);
	if (!w)
		return 0;
	w->h = h;
	w->zone = zone;
	w->budget = h->set.audit_hold_entries;
	cs_walk_zone(w);
	if (w->count_bad && !w->bad) {
		/* A real drift stays; a missed vmstat fold does not. */
		strscpy(first, w->count_why, sizeof(first));
		w->count_bad = 0;
		cs_walk_zone(w);
		if (w->count_bad)
			cs_walk_bad(w, w->count_rule, "%s; then %s", first, w->count_why);
		else
			atomic_long_inc(&h->d2_transient);
	}
	walked = w->walked;
	if (w->bad)
		cs_violation(&h->ctx, w->rule, "%s (%lu finding(s) in this walk)",
			     w->why, w->bad);
	kfree(w);
	return walked;
}

void cs_audit_freelists(struct cs_harness *h, bool quiet)
{
	struct zone *zone;

	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone)) {
		atomic_long_add(cs_audit_zone(h, zone), &h->audit_pages);
		cond_resched();
	}
	cs_checked(&h->ctx, CS_D2_FREELIST);
}
