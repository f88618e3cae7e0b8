// SPDX-License-Identifier: GPL-2.0
/*
 * The checks of the detector table but D2's (core/freelist.c) and D7's
 * (core/workers.c): D1 (counters), D3 (pageblocks), D4's reference rule,
 * D6 (the quiet state), and the injection hooks of D1-D6. Each rule is
 * the mirror of kernel code; the kernel functions named below are the ones
 * a rule mirrors (docs/kernel-rules.md has the line numbers for 6.1, 6.12
 * and 7.3). What D1 and D2 read goes through cs_zone_stat(), where
 * inject=d1/d2 adds its fault: to what the audit sees, never to the
 * kernel's counters.
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
#include <linux/highmem.h>
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

/* ---- D3: pageblocks ------------------------------------------------------- */

/* A D3 finding is about the view: inject=d3 moves area 0's start down. */
static const struct cs_area *cs_area_seen(struct cs_harness *h, unsigned long pfn)
{
	const struct cs_area *a = cs_area_of(h, pfn);

	if (!a && h->nr_areas && h->view.area0_lead &&
	    pfn >= h->areas[0].range[0].start - h->view.area0_lead &&
	    pfn < h->areas[0].range[0].start)
		a = &h->areas[0];
	return a;
}

/* @pfn was isolated before the run started, and still is. */
static bool cs_isolated_before(struct cs_harness *h, unsigned long pfn)
{
	int i;

	for (i = 0; i < min(h->iso_before.n, CS_ISO_BEFORE); i++)
		if (h->iso_before.pfn[i] == pfn)
			return true;
	return false;
}

/*
 * D3 on one online pageblock. Where isolation is a bit of its own (6.16+)
 * the type bits stay under it, so the area rules hold for an isolated
 * block too: a CMA block being isolated is still CMA underneath. Before,
 * an isolated block's type is MIGRATE_ISOLATE, and only the quiet rule
 * applies to it. @isolated gets the first one the quiet rule will look
 * at again.
 */
static void cs_audit_pageblock(struct cs_harness *h, struct zone *zone,
			       unsigned long pfn, bool quiet, unsigned long *isolated)
{
	const struct cs_area *a = cs_area_seen(h, pfn);
	bool iso;
	int mt = cs_pageblock_type(pfn, &iso);

	if (iso && quiet && !*isolated && !cs_isolated_before(h, pfn) &&
	    !cs_iso_holder(h, pfn))
		*isolated = pfn;
	if (iso && !CS_PB_ISOLATE_BIT)
		return;
	if (a && !is_migrate_cma(mt))
		cs_violation(&h->ctx, CS_D3_PAGEBLOCK,
			     "pageblock %#lx in CMA area %s is %s%s",
			     pfn, a->name, cs_mt_name(mt), iso ? " (isolated)" : "");
	else if (!a && is_migrate_cma(mt))
		cs_violation(&h->ctx, CS_D3_PAGEBLOCK,
			     "pageblock %#lx in zone %s is CMA%s outside every CMA area",
			     pfn, zone->name, iso ? " (isolated)" : "");
}

/*
 * D3. Mirrors init_cma_reserved_pageblock() (a CMA area's pageblocks are
 * MIGRATE_CMA for life), the fallback tables (nothing steals a CMA block),
 * and undo_isolate_page_range() (every isolation is undone, except that an
 * offlined block stays isolated while it is offline, so offline memory is
 * skipped). Every area is known here, used by G1 or not. 6.16+: "no
 * isolate bit set with nothing of ours in flight" is the quiet rule.
 */
void cs_audit_pageblocks(struct cs_harness *h, bool quiet)
{
	struct cs_ctx *ctx = &h->ctx;
	unsigned long isolated = 0;
	struct zone *zone;
	unsigned int n = 0;

	if (!cs_can_read_pageblocks())
		return;
	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone)) {
		unsigned long pfn = ALIGN(zone->zone_start_pfn, pageblock_nr_pages);
		unsigned long end = zone_end_pfn(zone);

		for (; pfn < end; pfn += pageblock_nr_pages) {
			if (!(++n % 1024))
				cond_resched();
			if (pfn_to_online_page(pfn))
				cs_audit_pageblock(h, zone, pfn, quiet, &isolated);
		}
		cond_resched();
	}
	/*
	 * Quiet: nothing of ours is isolating (a registration still held at a
	 * quiet point is a dead worker's, which D7 reported with its range).
	 * Somebody else's isolation (a driver's cma_alloc on a user's box)
	 * ends within moments; one of ours left behind does not.
	 */
	if (isolated) {
		msleep(200);
		if (is_migrate_isolate(cs_pageblock_mt(isolated)))
			cs_violation(ctx, CS_D3_PAGEBLOCK,
				     "pageblock %#lx (%s) still isolated with nothing of ours in flight",
				     isolated, page_zone(pfn_to_page(isolated))->name);
	}
	cs_checked(ctx, CS_D3_PAGEBLOCK);
}

/*
 * At start: the pageblocks already isolated are not this run's. An
 * earlier run's dead worker left them (its D7 line named them), or another
 * isolator holds them; the quiet rule leaves them out and the report lists
 * them. No lock: a pageblock read and cond_resched() at a time.
 */
void cs_pageblocks_before(struct cs_harness *h)
{
	struct cs_iso_before *b = &h->iso_before;
	struct zone *zone;

	b->n = 0;
	if (!cs_can_read_pageblocks())
		return;
	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone)) {
		unsigned long pfn = ALIGN(zone->zone_start_pfn, pageblock_nr_pages);

		for (; pfn < zone_end_pfn(zone); pfn += pageblock_nr_pages) {
			if (!(pfn % (1024 * pageblock_nr_pages)))
				cond_resched();
			if (!pfn_to_online_page(pfn) || !is_migrate_isolate(cs_pageblock_mt(pfn)))
				continue;
			if (b->n < CS_ISO_BEFORE)
				b->pfn[b->n] = pfn;
			b->n++;
		}
	}
	if (b->n)
		pr_warn("%s: %d pageblock(s) isolated before the run (first %#lx): not judged\n",
			h->name, b->n, b->pfn[0]);
}

void cs_pageblocks_before_show(struct cs_harness *h, struct seq_file *m)
{
	int i;

	seq_printf(m, "d3_isolated_before_start: %d", h->iso_before.n);
	for (i = 0; i < min(h->iso_before.n, 16); i++)
		seq_printf(m, " %#lx", h->iso_before.pfn[i]);
	seq_puts(m, h->iso_before.n > 16 ? " ...\n" : "\n");
}

/* ---- D6: the quiet state ------------------------------------------------------ */

/*
 * D6, the frame's part: MemTotal back at its baseline (every block
 * offlined is online again). The generators' parts (the CMA bitmap) ran
 * just before, through their rows' quiesce hooks; D1-D3 run just after,
 * with nothing in flight (cs_quiet_checks()).
 */
void cs_audit_quiesced(struct cs_harness *h, bool quiet)
{
	long ram = totalram_pages();

	if (ram != h->totalram_start)
		cs_violation(&h->ctx, CS_D6_QUIESCE,
			     "%s, MemTotal %ld kB != %lu kB at start",
			     h->stopping ? "after stop" : "at a checkpoint",
			     ram << (PAGE_SHIFT - 10),
			     h->totalram_start << (PAGE_SHIFT - 10));
	cs_checked(&h->ctx, CS_D6_QUIESCE);
}

/* ---- injections at a generator's site ------------------------------------------- */

/* inject=d4: as if somebody else wrote a page we hold (one time in four). */
bool cs_inject_d4(struct cs_harness *h, void *arg)
{
	u64 *p;

	if (cs_rand(4))
		return false;
	p = kmap_local_page(arg);
	*p ^= 1;
	kunmap_local(p);
	return true;
}

/* inject=d5: allocate outside the pin scope, as a buggy scope would. */
bool cs_inject_d5(struct cs_harness *h, void *arg)
{
	return true;
}

/*
 * inject=d6: the run's first release keeps range @arg from the kernel, as
 * a lost bitmap clear would, while the generator's books call it
 * released; it is given back at the next start or at unload. Taken at the
 * first release rather than at stop, so every run that releases anything
 * has it, whether a range is live at stop or not.
 */
bool cs_inject_d6(struct cs_harness *h, void *arg)
{
	return !cmpxchg(&h->leaked, NULL, arg);
}
