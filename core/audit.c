// SPDX-License-Identifier: GPL-2.0
/*
 * D1 (counters) and D2 (free lists), and D4's reference rule. Each rule is
 * the mirror of kernel code; the kernel functions named below are the ones
 * a rule mirrors (docs/kernel-rules.md has the line numbers for 6.1 and
 * 6.12). What they read goes through cs_zone_stat(), where inject=d1/d2
 * adds its fault: to what the audit sees, never to the kernel's counters.
 */
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/vmstat.h>
#include <linux/memory_hotplug.h>
#include <linux/page-flags.h>
#include <linux/pageblock-flags.h>
#include <linux/page-isolation.h>
#include <linux/delay.h>
#include "cs_core.h"
#include "compat.h"

/*
 * A zone counter with every online CPU's pending delta folded in and,
 * unlike zone_page_state_snapshot(), not clamped at zero: a counter that
 * went negative is itself a finding.
 */
static long cs_zone_stat(struct cs_harness *h, enum cs_detector_id d,
			 struct zone *zone, enum zone_stat_item item)
{
	long x = atomic_long_read(&zone->vm_stat[item]);
	int cpu;

	for_each_online_cpu(cpu)
		x += per_cpu_ptr(zone->per_cpu_zonestats, cpu)->vm_stat_diff[item];
	if (zone == h->view.zone && d == h->view.bias_for)
		x += h->view.bias[item];
	return x;
}

/*
 * inject=d1..d3: the fault is in what the detector reads. D1 sees one
 * zone's NR_FREE_CMA_PAGES raised past CmaTotal + MemTotal (seed 000's
 * symptom), D2 sees NR_FREE_PAGES one page high (what only the exact
 * audit can see), D3 sees the first area begin a pageblock early.
 */
bool cs_inject_view(struct cs_harness *h, void *arg)
{
	struct cs_view *v = &h->view;
	int d = h->run.inject;

	v->zone = h->nr_areas ? h->areas[0].zone : NULL;
	if (!v->zone)
		v->zone = cs_next_zone(NULL);
	v->bias_for = d;
	if (d == CS_D1_COUNTERS)
		v->bias[NR_FREE_CMA_PAGES] = h->totalcma + totalram_pages();
	else if (d == CS_D2_FREELIST)
		v->bias[NR_FREE_PAGES] = 1;
	else if (d == CS_D3_PAGEBLOCK && h->nr_areas)
		v->area0_lead = pageblock_nr_pages;
	else
		return false;
	pr_info("%s: inject: %s\n", h->name, cs_detectors[d].inject_how);
	return true;
}

/*
 * D1. Read without zone->lock, so a counter may lag the lists by what is
 * being moved at this instant (at most a MAX_ORDER page or a pageblock per
 * CPU): allow that much. The seed 000 bug drifts by hundreds of MiB.
 */
void cs_audit_counters(struct cs_harness *h, bool quiet)
{
	struct cs_ctx *ctx = &h->ctx;
	long slack_zone = 2L * (1L << MAX_PAGE_ORDER) * num_online_cpus();
	long free_sum = 0, cma_sum = 0, slack = 0;
	long totalram = totalram_pages();
	struct zone *zone;

	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone)) {
		long fr = cs_zone_stat(h, CS_D1_COUNTERS, zone, NR_FREE_PAGES);
		long cma = cs_zone_stat(h, CS_D1_COUNTERS, zone, NR_FREE_CMA_PAGES);
		long managed = zone_managed_pages(zone);

		free_sum += fr;
		cma_sum += cma;
		slack += slack_zone;
		if (fr < -slack_zone || cma < -slack_zone)
			cs_violation(ctx, CS_D1_COUNTERS,
				     "zone %s: counter negative: NR_FREE_PAGES=%ld NR_FREE_CMA_PAGES=%ld",
				     zone->name, fr, cma);
		if (cma > fr + slack_zone)
			cs_violation(ctx, CS_D1_COUNTERS,
				     "zone %s: NR_FREE_CMA_PAGES=%ld > NR_FREE_PAGES=%ld",
				     zone->name, cma, fr);
		if (fr > managed + slack_zone)
			cs_violation(ctx, CS_D1_COUNTERS,
				     "zone %s: NR_FREE_PAGES=%ld > managed=%ld pages",
				     zone->name, fr, managed);
	}
	if (free_sum > totalram + slack)
		cs_violation(ctx, CS_D1_COUNTERS,
			     "MemFree %ld kB > MemTotal %ld kB",
			     free_sum << (PAGE_SHIFT - 10), totalram << (PAGE_SHIFT - 10));
	if (IS_ENABLED(CONFIG_CMA) && cma_sum > (long)h->totalcma + slack)
		cs_violation(ctx, CS_D1_COUNTERS,
			     "CmaFree %ld kB > CmaTotal %lu kB",
			     cma_sum << (PAGE_SHIFT - 10), h->totalcma << (PAGE_SHIFT - 10));
	cs_checked(ctx, CS_D1_COUNTERS);
}

struct cs_walk {
	unsigned long list_pages[MIGRATE_TYPES];
	unsigned long bad;		/* violations found in this walk */
	char why[160];			/* the first, printed after unlock */
};

/* Keep the first finding of a walk; printing waits for the unlock. */
__printf(2, 3)
static void cs_walk_bad(struct cs_walk *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->bad++) {
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
	unsigned long pfn = page_to_pfn(page), p, end;

	if (!PageBuddy(page) || page_private(page) != order) {
		cs_walk_bad(w,
			    "zone %s: pfn %#lx on order-%u %s list is not a free buddy of that order (buddy=%d order=%lu)",
			    zone->name, pfn, order, cs_mt_name(mt),
			    PageBuddy(page), page_private(page));
		return;
	}
	if (!IS_ALIGNED(pfn, 1UL << order) || !zone_spans_pfn(zone, pfn) ||
	    !zone_spans_pfn(zone, pfn + (1UL << order) - 1)) {
		cs_walk_bad(w,
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
		cs_walk_bad(w,
			    "zone %s: order-%u free page pfn %#lx on %s list spans %s pageblock %#lx",
			    zone->name, order, pfn, cs_mt_name(mt),
			    cs_mt_name(bmt), p);
		return;
	}
}

/*
 * D2 for one zone, under zone->lock: nothing can enter or leave a free list
 * while we walk, and every NR_FREE_PAGES / NR_FREE_CMA_PAGES update happens
 * under that lock (account_freepages() in 6.12, __mod_zone_freepage_state()
 * in 6.1). Pages on pcp lists are not counted free by either. ISOLATE lists
 * are not counted (set_migratetype_isolate() subtracts what it moves).
 */
static unsigned long cs_audit_zone(struct cs_harness *h, struct zone *zone)
{
	unsigned long limit = zone->spanned_pages + 1, walked = 0;
	unsigned long count_free, count_cma, flags;
	long nr_free = 0, nr_cma = 0;
	struct cs_walk *w;
	unsigned int order;
	int mt, tries;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return 0;
	spin_lock_irqsave(&zone->lock, flags);
	for (order = 0; order < CS_NR_ORDERS; order++) {
		struct free_area *area = &zone->free_area[order];
		unsigned long n_order = 0;

		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct list_head *head = &area->free_list[mt];
			struct page *page;

			list_for_each_entry(page, head, buddy_list) {
				if (++walked > limit) {
					cs_walk_bad(w,
						    "zone %s: order-%u %s free list does not end (corrupt)",
						    zone->name, order, cs_mt_name(mt));
					goto unlock;
				}
				n_order++;
				w->list_pages[mt] += 1UL << order;
				cs_check_free_page(w, zone, page, order, mt);
			}
		}
		if (n_order != area->nr_free)
			cs_walk_bad(w,
				    "zone %s: order-%u nr_free=%lu but its lists hold %lu pages",
				    zone->name, order, area->nr_free, n_order);
	}
	count_free = 0;
	count_cma = 0;
	for (mt = 0; mt < MIGRATE_TYPES; mt++) {
		if (!is_migrate_isolate(mt))
			count_free += w->list_pages[mt];
		if (is_migrate_cma(mt))
			count_cma += w->list_pages[mt];
	}
	/*
	 * vmstat folds a CPU's delta into the zone counter with an xchg then
	 * an add, outside zone->lock: a read in between misses the delta. Such
	 * a window is a few instructions long; re-read before calling it real.
	 */
	for (tries = 0; tries < 5; tries++) {
		nr_free = cs_zone_stat(h, CS_D2_FREELIST, zone, NR_FREE_PAGES);
		nr_cma = cs_zone_stat(h, CS_D2_FREELIST, zone, NR_FREE_CMA_PAGES);
		if (nr_free == count_free && nr_cma == count_cma)
			break;
		udelay(2);
	}
	if (nr_free != count_free)
		cs_walk_bad(w,
			    "zone %s: NR_FREE_PAGES=%ld but non-isolate free lists hold %lu pages",
			    zone->name, nr_free, count_free);
	if (IS_ENABLED(CONFIG_CMA) && nr_cma != count_cma)
		cs_walk_bad(w,
			    "zone %s: NR_FREE_CMA_PAGES=%ld but CMA free lists hold %lu pages",
			    zone->name, nr_cma, count_cma);
unlock:
	spin_unlock_irqrestore(&zone->lock, flags);
	if (w->bad)
		cs_violation(&h->ctx, CS_D2_FREELIST, "%s (%lu finding(s) in this walk)",
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

/*
 * D4's ownership rule for a range we hold: every page has refcount 1 and
 * is not free. Speculative references are legal, though: memory offline's
 * do_migrate_range() and other pfn walkers take a temporary reference on
 * any page they meet, ours included. So an extra reference counts only if
 * it is still there after @wait_ms; waiting also keeps free_contig_range()
 * from warning "pages are still in use" on a correct kernel. Returns the
 * index of the first page that breaks the rule, or -1.
 */
long cs_find_foreign_ref(unsigned long pfn, unsigned long nr, unsigned int wait_ms)
{
	unsigned int waited = 0;
	unsigned long i;

	for (i = 0; i < nr; i++) {
		struct page *page = pfn_to_page(pfn + i);

		while (page_count(page) > 1 && !PageBuddy(page) && waited < wait_ms) {
			usleep_range(1000, 1500);
			waited++;
		}
		if (page_count(page) != 1 || PageBuddy(page))
			return i;
	}
	return -1;
}

