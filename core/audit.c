// SPDX-License-Identifier: GPL-2.0
/*
 * D1 (counters), what D1 and D2 read (and inject=d1..d3), and D4's
 * reference rule. Each rule is
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
long cs_zone_stat(struct cs_harness *h, enum cs_detector_id d,
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

/*
 * D4's ownership rule for a range we hold: every page has refcount 1 and
 * is not free. Speculative references are legal, though: memory offline's
 * do_migrate_range() and other pfn walkers take a temporary reference on
 * any page they meet, ours included. So an extra reference counts only if
 * it lasts @wait_ms, each page getting the whole wait; waiting also keeps
 * free_contig_range() from warning "pages are still in use" on a correct
 * kernel. Returns the index of the first page that breaks the rule, or -1;
 * @seen gets what the check saw of it, for the finding to quote.
 */
long cs_find_foreign_ref(unsigned long pfn, unsigned long nr, unsigned int wait_ms,
			 struct cs_ref *seen)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		struct page *page = pfn_to_page(pfn + i);
		unsigned int waited = 0;
		int count = page_count(page);
		bool buddy = PageBuddy(page);

		while (count > 1 && !buddy && waited < wait_ms) {
			usleep_range(1000, 1500);
			waited++;
			count = page_count(page);
			buddy = PageBuddy(page);
		}
		if (count != 1 || buddy) {
			*seen = (struct cs_ref){ .refcount = count, .buddy = buddy,
						 .waited_ms = waited };
			return i;
		}
	}
	return -1;
}

/*
 * D4 on [@pfn, @pfn + @nr), which we hold: report the first page another
 * reference still holds after the wait, quoting what the check saw.
 * Returns true when every page is ours alone.
 */
bool cs_d4_refs(struct cs_harness *h, unsigned long pfn, unsigned long nr,
		const char *when)
{
	struct cs_ref seen;
	long i = cs_find_foreign_ref(pfn, nr, CS_FOREIGN_REF_WAIT_MS, &seen);

	if (i < 0)
		return true;
	cs_violation(&h->ctx, CS_D4_OWNERSHIP,
		     "%s: pfn %#lx of [%#lx+%lu] had refcount %d buddy %d (an extra reference lasted %u ms)",
		     when, pfn + i, pfn, nr, seen.refcount, seen.buddy, seen.waited_ms);
	return false;
}

/*
 * D4 on a frozen range we hold (alloc_contig_frozen_range(), 7.x): every
 * page has refcount 0 and is not free. No wait: a speculative reference
 * is taken only on a non-zero count (folio_try_get()), so it never
 * appears on a frozen page; any count is somebody's page.
 */
bool cs_d4_frozen(struct cs_harness *h, unsigned long pfn, unsigned long nr,
		  const char *when)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		struct page *page = pfn_to_page(pfn + i);
		int count = page_count(page);

		if (count || PageBuddy(page)) {
			cs_violation(&h->ctx, CS_D4_OWNERSHIP,
				     "%s: pfn %#lx of frozen [%#lx+%lu] had refcount %d buddy %d",
				     when, pfn + i, pfn, nr, count, PageBuddy(page));
			return false;
		}
	}
	cs_checked(&h->ctx, CS_D4_OWNERSHIP);
	return true;
}
