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
 * D1-D3's injections (core/rules.c says what each one changes): the fault
 * is in what the detector reads. A counter's bias applies to one zone, the
 * first area's (or the first populated one), and to one detector.
 */
bool cs_inject_view(struct cs_harness *h, void *arg)
{
	/* More than any slack the checks allow, on any machine. */
	long big = (4L << MAX_PAGE_ORDER) * num_possible_cpus() * MAX_NR_ZONES;
	int r = h->run.inject_rule;
	struct cs_view *v = &h->view;
	long managed;

	v->zone = h->nr_areas ? h->areas[0].zone : NULL;
	if (!v->zone)
		v->zone = cs_next_zone(NULL);
	if (!v->zone)
		return false;
	managed = zone_managed_pages(v->zone);
	v->bias_for = cs_rules[r].det;
	switch (r) {
	case CS_R_D1_NEGATIVE:
		v->bias[NR_FREE_PAGES] = -(2 * managed + big);
		break;
	case CS_R_D1_CMA_OVER_FREE:
		v->bias[NR_FREE_CMA_PAGES] = h->totalcma + totalram_pages();
		break;
	case CS_R_D1_FREE_OVER_MANAGED:
		v->bias[NR_FREE_PAGES] = managed + big;
		break;
	case CS_R_D1_MEMFREE:
		v->memtotal_cut = totalram_pages() + big;
		break;
	case CS_R_D1_CMAFREE:
		v->cmatotal_cut = h->totalcma + big;
		break;
	case CS_R_D2_NOT_BUDDY:
		v->order_plus = 1;
		break;
	case CS_R_D2_MISPLACED:
		v->pfn_plus = v->zone->spanned_pages;
		break;
	case CS_R_D2_ENDLESS:
		v->spans_none = true;
		break;
	case CS_R_D2_NR_FREE:
		v->nr_free_plus = 1;
		break;
	case CS_R_D2_FREE_PAGES:
		v->bias[NR_FREE_PAGES] = 1;
		break;
	case CS_R_D2_FREE_CMA:
		v->bias[NR_FREE_CMA_PAGES] = 1;
		break;
#if CS_HAVE_FREE_BLOCKS
	case CS_R_D2_FREE_BLOCKS:
		v->bias[NR_FREE_PAGES_BLOCKS] = 1;
		break;
#endif
	case CS_R_D3_AREA_NOT_CMA:
		if (!h->nr_areas)
			return false;
		v->area0_lead = pageblock_nr_pages;
		break;
	case CS_R_D3_CMA_OUTSIDE:
		if (!h->nr_areas)
			return false;
		v->area0_trim = pageblock_nr_pages;
		break;
	default:
		return false;	/* the rule's injection is at its check's site */
	}
	pr_info("%s: inject: %s: %s\n", h->name, cs_rules[r].name, cs_rules[r].inject_how);
	return true;
}

/* Pages in kB, for a count that may be negative (a shift would not do). */
static long cs_kb(long pages)
{
	return pages * (long)(PAGE_SIZE / 1024);
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
	long totalram = totalram_pages() - h->view.memtotal_cut;
	long totalcma = h->totalcma - h->view.cmatotal_cut;
	struct zone *zone;

	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone)) {
		long fr = cs_zone_stat(h, CS_D1_COUNTERS, zone, NR_FREE_PAGES);
		long cma = cs_zone_stat(h, CS_D1_COUNTERS, zone, NR_FREE_CMA_PAGES);
		long managed = zone_managed_pages(zone);

		free_sum += fr;
		cma_sum += cma;
		slack += slack_zone;
		if (fr < -slack_zone || cma < -slack_zone)
			cs_violation(ctx, CS_R_D1_NEGATIVE,
				     "zone %s: counter negative: NR_FREE_PAGES=%ld NR_FREE_CMA_PAGES=%ld",
				     zone->name, fr, cma);
		if (cma > fr + slack_zone)
			cs_violation(ctx, CS_R_D1_CMA_OVER_FREE,
				     "zone %s: NR_FREE_CMA_PAGES=%ld > NR_FREE_PAGES=%ld",
				     zone->name, cma, fr);
		if (fr > managed + slack_zone)
			cs_violation(ctx, CS_R_D1_FREE_OVER_MANAGED,
				     "zone %s: NR_FREE_PAGES=%ld > managed=%ld pages",
				     zone->name, fr, managed);
	}
	if (free_sum > totalram + slack)
		cs_violation(ctx, CS_R_D1_MEMFREE,
			     "MemFree %ld kB > MemTotal %ld kB",
			     cs_kb(free_sum), cs_kb(totalram));
	if (IS_ENABLED(CONFIG_CMA) && cma_sum > totalcma + slack)
		cs_violation(ctx, CS_R_D1_CMAFREE,
			     "CmaFree %ld kB > CmaTotal %ld kB",
			     cs_kb(cma_sum), cs_kb(totalcma));
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
 * @seen gets what the check saw of it, for the finding to quote. @plus:
 * the first page's refcount is read that much higher (D4.foreign_ref's
 * injection).
 */
long cs_find_foreign_ref(unsigned long pfn, unsigned long nr, unsigned int wait_ms,
			 int plus, struct cs_ref *seen)
{
	unsigned long i;

	for (i = 0; i < nr; i++, plus = 0) {
		struct page *page = pfn_to_page(pfn + i);
		unsigned int waited = 0;
		int count = page_count(page) + plus;
		bool buddy = PageBuddy(page);

		while (count > 1 && !buddy && waited < wait_ms) {
			usleep_range(1000, 1500);
			waited++;
			count = page_count(page) + plus;
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
	long i = cs_find_foreign_ref(pfn, nr, CS_FOREIGN_REF_WAIT_MS,
				     cs_inj(h, CS_R_D4_FOREIGN_REF), &seen);

	if (i < 0)
		return true;
	cs_violation(&h->ctx, CS_R_D4_FOREIGN_REF,
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
		/* D4.frozen_ref's injection: the first page read one high. */
		int count = page_count(page) + (!i && cs_inj(h, CS_R_D4_FROZEN_REF));

		if (count || PageBuddy(page)) {
			cs_violation(&h->ctx, CS_R_D4_FROZEN_REF,
				     "%s: pfn %#lx of frozen [%#lx+%lu] had refcount %d buddy %d",
				     when, pfn + i, pfn, nr, count, PageBuddy(page));
			return false;
		}
	}
	cs_checked(&h->ctx, CS_D4_OWNERSHIP);
	return true;
}

/* ---- D3: pageblocks ------------------------------------------------------- */

/* A D3 finding is about the view: D3's injections move area 0's start. */
static const struct cs_area *cs_area_seen(struct cs_harness *h, unsigned long pfn)
{
	const struct cs_area *a = cs_area_of(h, pfn);

	/* No area at all: h->areas is NULL, and so is &h->areas[0]. */
	if (a && a == &h->areas[0] && pfn < a->range[0].start + h->view.area0_trim)
		return NULL;

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
		cs_violation(&h->ctx, CS_R_D3_AREA_NOT_CMA,
			     "pageblock %#lx in CMA area %s is %s%s",
			     pfn, a->name, cs_mt_name(mt), iso ? " (isolated)" : "");
	else if (!a && is_migrate_cma(mt))
		cs_violation(&h->ctx, CS_R_D3_CMA_OUTSIDE,
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
			cs_violation(ctx, CS_R_D3_QUIET_ISOLATED,
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
	/* D6.memtotal's injection: MemTotal at start read one page high. */
	unsigned long start = h->totalram_start + cs_inj(h, CS_R_D6_MEMTOTAL);

	if (ram != start)
		cs_violation(&h->ctx, CS_R_D6_MEMTOTAL,
			     "%s, MemTotal %ld kB != %ld kB at start",
			     h->stopping ? "after stop" : "at a checkpoint",
			     cs_kb(ram), cs_kb(start));
	cs_checked(&h->ctx, CS_D6_QUIESCE);
}

/* ---- injections at a generator's site ------------------------------------------- */

/* D4.overwritten: as if somebody else wrote a page we hold (one time in four). */
bool cs_inject_d4(struct cs_harness *h, void *arg)
{
	u64 *p;

	if (!cs_inj(h, CS_R_D4_OVERWRITTEN) || cs_rand(4))
		return false;
	p = kmap_local_page(arg);
	*p ^= 1;
	kunmap_local(p);
	return true;
}

/* D5.movable_zone: allocate outside the pin scope, as a buggy scope would. */
bool cs_inject_d5(struct cs_harness *h, void *arg)
{
	return cs_inj(h, CS_R_D5_MOVABLE);
}

/*
 * D6.bitmap_released: the run's first release keeps range @arg from the kernel, as
 * a lost bitmap clear would, while the generator's books call it
 * released; it is given back at the next start or at unload. Taken at the
 * first release rather than at stop, so every run that releases anything
 * has it, whether a range is live at stop or not.
 */
bool cs_inject_d6(struct cs_harness *h, void *arg)
{
	return cs_inj(h, CS_R_D6_BITMAP_RELEASED) && !cmpxchg(&h->leaked, NULL, arg);
}
