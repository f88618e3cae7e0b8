// SPDX-License-Identifier: GPL-2.0
/*
 * G4: the isolation racers, alloc_contig_range() on ranges that are
 * pageblock aligned but mostly not MAX_ORDER aligned, of one to
 * max_pageblocks pageblocks, at zone edges, memory block edges and CMA
 * area edges: some succeed, many fail (unmovable pages, CMA blocks under a
 * MOVABLE request), and both outcomes must leave nothing isolated behind
 * (D3's leftover rule here). Every range obtained gets D4. Works on any
 * kernel with CONFIG_CONTIG_ALLOC, CMA or not.
 */
#include <linux/module.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/page-isolation.h>
#include <linux/slab.h>
#include "generators.h"
#include "compat.h"

enum {
	CS_G4_OK, CS_G4_BUSY, CS_G4_INTR, CS_G4_NOMEM, CS_G4_OTHER,
	CS_G4_LAST_ERRNO, CS_G4_PAGES, CS_G4_LEFTOVER_CHECKS, CS_G4_CLASH,
	CS_G4_COMP, CS_G4_GONE, CS_G4_OFFLINING
};

enum {
	CS_G9_PLANTED, CS_G9_PLANT_FAIL, CS_G9_BUSY, CS_G9_OTHER,
	CS_G9_LAST_ERRNO, CS_G9_LEFTOVER_CHECKS
};

/* ---- G4: the racers ------------------------------------------------------ */

/* A populated zone, ZONE_MOVABLE weighted double (ranges there can succeed). */
static struct zone *cs_pick_zone(void)
{
	struct zone *zone;
	int weight = 0, pick;

	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone))
		weight += zone_idx(zone) == ZONE_MOVABLE ? 2 : 1;
	pick = cs_rand(weight);
	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone)) {
		pick -= zone_idx(zone) == ZONE_MOVABLE ? 2 : 1;
		if (pick < 0)
			return zone;
	}
	return NULL;
}

/*
 * The over_offline hunt: the two pageblocks across the start of the
 * block G3 is offlining, once the offline has isolated that block (so a
 * racer's failure undoes the offline's isolation, the contig-undo bug,
 * and the next racer isolates the pageblock itself; the offline can then
 * finish under it). The same two pageblocks every time, so the offline
 * can finish at all.
 */
static unsigned long cs_hunt_seq;	/* the offline seen isolated */

static bool cs_pick_hunt(struct cs_harness *h, unsigned long *startp,
			 unsigned long *nrp)
{
	unsigned long block = READ_ONCE(h->offlining_pfn), seq = READ_ONCE(h->offline_seq);
	struct page *before = block ? pfn_to_online_page(block - 1) : NULL;

	/* alloc_contig_range() takes one zone's pages. */
	if (!before || page_zone(before) != page_zone(pfn_to_page(block)))
		return false;
	if (READ_ONCE(cs_hunt_seq) != seq) {
		if (!cs_can_read_pageblocks() || !is_migrate_isolate(cs_pageblock_mt(block)))
			return false;
		WRITE_ONCE(cs_hunt_seq, seq);
	}
	*startp = block - pageblock_nr_pages;
	*nrp = 2 * pageblock_nr_pages;
	return true;
}

/*
 * The hunt widens one window of the race: after a racer's migration, just
 * before replace_free_hugepage_folios() (6.12.y and 6.14+) walks the range's
 * struct pages, it spins hunt_delay_ms, in its own thread only. An
 * offline that can finish under the racer's isolation finishes then.
 * A delay, not a change: what runs after it is the kernel's own code.
 */
static unsigned int cs_hunt_delay_ms;

static int cs_hunt_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if (!strncmp(current->comm, "cs_g4_racer/", 12))
		mdelay(READ_ONCE(cs_hunt_delay_ms));
	return 0;
}

static struct kprobe cs_hunt_kp = {
	.symbol_name = "replace_free_hugepage_folios",
	.pre_handler = cs_hunt_pre,
};

static bool cs_hunt_armed;

static int cs_g4_start(struct cs_harness *h)
{
	int ret;

	/* The probe stays until unload: a run that does not hunt sets no delay. */
	WRITE_ONCE(cs_hunt_delay_ms, h->set.racers_over_offline ? h->set.hunt_delay_ms : 0);
	if (!READ_ONCE(cs_hunt_delay_ms) || cs_hunt_armed)
		return 0;
	cs_hunt_kp.addr = NULL;
	cs_hunt_kp.flags = 0;
	ret = register_kprobe(&cs_hunt_kp);
	if (ret)
		pr_warn("%s: hunt: no kprobe on %s (%d): the window stays as it is\n",
			h->name, cs_hunt_kp.symbol_name, ret);
	cs_hunt_armed = !ret;
	return 0;
}

static void cs_g4_cleanup(struct cs_harness *h)
{
	if (cs_hunt_armed)
		unregister_kprobe(&cs_hunt_kp);
	cs_hunt_armed = false;
}

/*
 * A range in one zone, pageblock aligned, next to an edge: the zone's
 * ends, a memory block boundary, a CMA area boundary (or straddling it),
 * or anywhere. Mostly not MAX_ORDER aligned, so isolation must split or
 * migrate pages that cross the range's ends.
 */
static bool cs_pick_range(struct cs_harness *h, unsigned long *startp,
			  unsigned long *nrp)
{
	struct zone *zone = cs_pick_zone();
	unsigned long pb = pageblock_nr_pages, nr, start, zs, ze, mb;
	unsigned int r = cs_rand(100);

	if (h->set.racers_over_offline)
		return cs_pick_hunt(h, startp, nrp);
	if (!zone)
		return false;
	zs = ALIGN(zone->zone_start_pfn, pb);
	ze = ALIGN_DOWN(zone_end_pfn(zone), pb);
	nr = pb * (1 + cs_rand(h->run.max_pageblocks));
	if (ze <= zs || ze - zs < nr)
		return false;
	mb = cs_memblock_pages();
	if (r < 15) {
		start = zs;
	} else if (r < 30) {
		start = ze - nr;
	} else if (r < 60) {
		start = ALIGN(zs + cs_rand(ze - zs), mb) - pb * cs_rand(2 * (nr / pb) + 1);
	} else if (r < 80 && h->nr_areas) {
		const struct cs_span *a = cs_area_any_range(&h->areas[cs_rand(h->nr_areas)]);
		unsigned long edge = cs_rand(2) ? a->start : a->end;

		start = edge - pb * cs_rand(nr / pb + 2);
	} else {
		start = ALIGN_DOWN(zs + cs_rand(ze - zs), pb);
	}
	if (IS_ALIGNED(start, MAX_ORDER_NR_PAGES) && cs_rand(10) < 7)
		start += pb;
	start = clamp(start, zs, ze - nr);
	if (!pfn_to_online_page(start) || !pfn_to_online_page(start + nr - 1))
		return false;
	*startp = start;
	*nrp = nr;
	return true;
}

/*
 * D3, extended: a finished alloc_contig_range(), successful or not, left
 * no pageblock of its range isolated (start_isolate_page_range()'s error
 * path and undo_isolate_page_range() must undo every block they touched).
 */
static void cs_check_leftover(struct cs_worker *w, unsigned long start,
			      unsigned long nr, int counter)
{
	struct cs_harness *h = w->h;
	unsigned long pfn, found = 0, since;

	if (!cs_can_read_pageblocks())
		return;
	since = cs_iso_seq(h);
	if (!cs_iso_untouched(h, start, start + nr, since))
		return;
	for (pfn = start; pfn < start + nr; pfn += pageblock_nr_pages) {
		/* D3.contig_leftover's injection: the first block read as isolated. */
		bool inj = pfn == start && cs_inj(h, CS_R_D3_CONTIG_LEFTOVER);

		if (pfn_to_online_page(pfn) &&
		    (inj ? MIGRATE_ISOLATE : cs_pageblock_mt(pfn)) == MIGRATE_ISOLATE) {
			found = pfn;
			break;
		}
	}
	if (found && cs_iso_untouched(h, start, start + nr, since))
		cs_violation(&h->ctx, CS_R_D3_CONTIG_LEFTOVER,
			     "alloc_contig_range [%#lx+%lu] returned, pageblock %#lx still isolated",
			     start, nr, found);
	cs_count(w, counter, 1);
}

static u64 cs_contig_pattern(unsigned long pfn, unsigned int word)
{
	return ((u64)pfn << 16 ^ 0x5bd1e9955bd1e995ULL) + word;
}

/* D4 on a range alloc_contig_range() handed us, then hold and verify. */
static void cs_g4_hold(struct cs_worker *w, unsigned long start, unsigned long nr)
{
	struct cs_ctx *ctx = &w->h->ctx;
	unsigned long i;
	unsigned int word;

	if (!cs_d4_refs(w->h, start, nr, "alloc_contig_range handed out"))
		return;
	for (i = 0; i < nr; i++) {
		u64 *p = kmap_local_page(pfn_to_page(start + i));

		for (word = 0; word < PAGE_SIZE / 8; word += 64)
			p[word] = cs_contig_pattern(start + i, word);
		kunmap_local(p);
	}
	cs_progress(w, "holding", start);
	msleep_interruptible(cs_rand(w->h->run.hold_ms + 1));
	cs_inject(w->h, CS_D4_OWNERSHIP, pfn_to_page(start));
	for (i = 0; i < nr; i++) {
		u64 *p = kmap_local_page(pfn_to_page(start + i));

		for (word = 0; word < PAGE_SIZE / 8; word += 64)
			if (p[word] != cs_contig_pattern(start + i, word))
				break;
		kunmap_local(p);
		if (word < PAGE_SIZE / 8) {
			cs_violation(ctx, CS_R_D4_OVERWRITTEN,
				     "range [%#lx+%lu] overwritten at pfn %#lx while we held it",
				     start, nr, start + i);
			break;
		}
	}
	/* Before the free: no lasting reference but ours. */
	cs_d4_refs(w->h, start, nr, "before the free");
	cs_checked(ctx, CS_D4_OWNERSHIP);
}

/*
 * What free_contig_range() does, one put per page, without its "pages are
 * still in use" WARN: a speculative reference (a pfn walker, a stale
 * lookup that folio_try_get()s a page just reused) may appear after D4's
 * check; put_page semantics let its holder free the page later, as the
 * kernel intends. A reference that stays is D4's to report.
 */
static void cs_free_range(unsigned long start, unsigned long nr)
{
	unsigned long pfn;

	for (pfn = start; pfn < start + nr; pfn++)
		__free_page(pfn_to_page(pfn));
}

/*
 * comp_pct: a compound request (__GFP_COMP, 6.10+) of one pageblock,
 * aligned, mostly on an odd pageblock: if the free range isolation finds
 * grew past the request, 6.12 WARNs "PFN range: requested ..." and loses
 * the pages (fixed upstream in 2025, "mm/contig_alloc: fix
 * alloc_contig_range when __GFP_COMP and order < MAX_ORDER").
 */
static bool cs_pick_comp(struct cs_harness *h, unsigned long *startp,
			 unsigned long *nrp)
{
	unsigned long nr = pageblock_nr_pages, zs, ze, start;
	struct zone *zone = cs_pick_zone();

	if (!CS_HAVE_CONTIG_COMP || pageblock_order >= MAX_PAGE_ORDER || !zone)
		return false;
	zs = ALIGN(zone->zone_start_pfn, nr);
	ze = ALIGN_DOWN(zone_end_pfn(zone), nr);
	if (ze <= zs + nr)
		return false;
	start = zs + nr * cs_rand((ze - zs) / nr);
	if (IS_ALIGNED(start, MAX_ORDER_NR_PAGES) && cs_rand(10) < 7 && start + 2 * nr <= ze)
		start += nr;
	if (!pfn_to_online_page(start) || !pfn_to_online_page(start + nr - 1))
		return false;
	*startp = start;
	*nrp = nr;
	return true;
}

/*
 * Register a racer's range, then see that it is still online: once it is
 * registered G3 leaves its blocks alone (core/isolation.c), so it stays
 * online for the whole call. -EBUSY: another racer is there; -EEXIST: a
 * block being offlined is; -ENODEV: part of it went offline since it was
 * picked.
 */
static int cs_racer_begin(struct cs_worker *w, unsigned long start, unsigned long end)
{
	int slot = cs_iso_begin(w, start, end, CS_ISO_RACER);

	if (slot < 0 || cs_range_online(start, end))
		return slot;
	cs_iso_end(w, slot);
	return -ENODEV;
}

/* A racer's range obtained and unregistered: D4 on it, then the free. */
static void cs_g4_got(struct cs_worker *w, unsigned long start, unsigned long nr,
		      bool comp)
{
	struct cs_harness *h = w->h;

	cs_count(w, CS_G4_OK, 1);
	cs_count(w, CS_G4_PAGES, nr);
	if (comp) {
		/* One compound page (7.x: frozen): no tail has a count. */
		if (CS_CONTIG_COMP_FROZEN && !h->set.bare)
			cs_d4_frozen(h, start, nr, "alloc_contig_frozen_range handed out");
		cs_free_contig_comp(start, nr);
	} else {
		if (!h->set.bare)
			cs_g4_hold(w, start, nr);
		cs_progress(w, "free", start);
		cs_free_range(start, nr);
	}
	cs_event(&h->ctx, CS_OP_RELEASE, start, nr, 0);
}

/* A failed request, by its errno. */
static void cs_g4_failed(struct cs_worker *w, int ret)
{
	if (ret == -EBUSY) {
		cs_count(w, CS_G4_BUSY, 1);
	} else if (ret == -EINTR) {
		cs_count(w, CS_G4_INTR, 1);
	} else if (ret == -ENOMEM) {
		cs_count(w, CS_G4_NOMEM, 1);
	} else {
		cs_count(w, CS_G4_OTHER, 1);
		cs_count_set(w, CS_G4_LAST_ERRNO, ret);
	}
}

static int cs_g4_thread(void *arg)
{
	struct cs_worker *w = arg;
	struct cs_harness *h = w->h;
	unsigned long start, nr;
	int ret, slot;
	bool comp;

	cs_inject(h, CS_D7_LIVENESS, w);
	if (w->vanish)
		return 0;
	while (cs_keep_going(w)) {
		comp = cs_rand(100) < h->set.comp_pct;
		if (comp ? !cs_pick_comp(h, &start, &nr) : !cs_pick_range(h, &start, &nr)) {
			cs_progress(w, "idle", 0);
			msleep_interruptible(5);
			continue;
		}
		WRITE_ONCE(h->last_pfn, start);
		cs_progress(w, "alloc_contig_range", start);
		cs_op(w);
		slot = cs_racer_begin(w, start, start + nr);
		if (slot < 0) {
			cs_count(w, slot == -EBUSY ? CS_G4_CLASH :
				 slot == -EEXIST ? CS_G4_OFFLINING : CS_G4_GONE, 1);
			usleep_range(100, 200);
			continue;
		}
		cs_count(w, CS_G4_COMP, comp);
		if (comp)
			ret = cs_alloc_contig_comp(start, start + nr,
						   GFP_KERNEL | __GFP_NOWARN);
		else
			ret = cs_alloc_contig_range(start, start + nr,
						    GFP_KERNEL | __GFP_NOWARN);
		cs_iso_end(w, slot);
		cs_event(&h->ctx, CS_OP_ISOLATE, start, nr, ret);
		if (!ret)
			cs_g4_got(w, start, nr, comp);
		else
			cs_g4_failed(w, ret);
		if (!h->set.bare)
			cs_check_leftover(w, start, nr, CS_G4_LEFTOVER_CHECKS);
		cond_resched();
	}
	return 0;
}

/*
 * G9: unmovable pages planted where an isolation will meet them. A page of
 * ours, taken with a one-page alloc_contig_range() so it sits where we
 * chose, at the first, a middle or the last pageblock of a range of three
 * or more pageblocks in a zone that is not ZONE_MOVABLE (there every page
 * counts as movable); then alloc_contig_range() on the whole range, which
 * start_isolate_page_range() must refuse at that pageblock (-EBUSY), undo
 * what it isolated before it, and leave nothing isolated (the leftover
 * rule). Succeeding would hand out a page we hold: a D4 violation. The
 * plant is freed before the next one: nothing planted outlives a round.
 */
static bool cs_plant_range(struct cs_harness *h, unsigned long *startp,
			   unsigned long *nrp)
{
	unsigned long pb = pageblock_nr_pages, zs, ze, nr, start;
	struct zone *zone = cs_pick_zone();
	int i, r;

	if (!zone || zone_idx(zone) == ZONE_MOVABLE)
		return false;
	zs = ALIGN(zone->zone_start_pfn, pb);
	ze = ALIGN_DOWN(zone_end_pfn(zone), pb);
	nr = pb * (3 + cs_rand(max(h->run.max_pageblocks - 2, 1)));
	if (ze <= zs || ze - zs <= nr)
		return false;
	start = zs + pb * cs_rand((ze - zs - nr) / pb);
	/* Away from every CMA area and its MAX_ORDER neighbourhood (cma_alloc's). */
	for (i = 0; i < h->nr_areas; i++)
		for (r = 0; r < h->areas[i].nranges; r++)
			if (start < h->areas[i].range[r].end + MAX_ORDER_NR_PAGES &&
			    h->areas[i].range[r].start < start + nr + MAX_ORDER_NR_PAGES)
				return false;
	if (!pfn_to_online_page(start) || !pfn_to_online_page(start + nr - 1))
		return false;
	*startp = start;
	*nrp = nr;
	return true;
}

/* Our page at @pfn, by a one-page alloc_contig_range(). */
static bool cs_plant(struct cs_worker *w, unsigned long pfn)
{
	int slot = cs_racer_begin(w, pfn, pfn + 1), ret;

	if (slot < 0)
		return false;
	ret = cs_alloc_contig_range(pfn, pfn + 1, GFP_KERNEL | __GFP_NOWARN);
	cs_iso_end(w, slot);
	cs_count(w, ret ? CS_G9_PLANT_FAIL : CS_G9_PLANTED, 1);
	return !ret;
}

static void cs_g9_round(struct cs_worker *w)
{
	struct cs_harness *h = w->h;
	unsigned long start, nr, blocks, at, plant, pfn;
	bool gone;
	int slot, ret;

	if (!cs_plant_range(h, &start, &nr))
		return;
	blocks = nr / pageblock_nr_pages;
	switch (cs_rand(3)) {
	case 0:
		at = 0;
		break;
	case 1:
		at = blocks / 2;
		break;
	default:
		at = blocks - 1;
	}
	plant = start + at * pageblock_nr_pages + cs_rand(pageblock_nr_pages);
	cs_progress(w, "plant", plant);
	if (!cs_plant(w, plant))
		return;
	/* D4.plant_taken's injection: the plant given back before the allocation. */
	gone = cs_inj(h, CS_R_D4_PLANT_TAKEN);
	if (gone)
		__free_page(pfn_to_page(plant));
	cs_op(w);
	slot = cs_racer_begin(w, start, start + nr);
	if (slot >= 0) {
		cs_progress(w, "alloc_contig_range over a plant", start);
		ret = cs_alloc_contig_range(start, start + nr, GFP_KERNEL | __GFP_NOWARN);
		cs_iso_end(w, slot);
		cs_event(&h->ctx, CS_OP_ISOLATE, start, nr, ret);
		if (!ret) {
			cs_violation(&h->ctx, CS_R_D4_PLANT_TAKEN,
				     "alloc_contig_range [%#lx+%lu] succeeded over our planted page %#lx (pageblock %lu of %lu)",
				     start, nr, plant, at, blocks);
			for (pfn = start; pfn < start + nr; pfn++)
				if (gone || pfn != plant)
					__free_page(pfn_to_page(pfn));
		} else {
			cs_count(w, ret == -EBUSY ? CS_G9_BUSY : CS_G9_OTHER, 1);
			if (ret != -EBUSY)
				cs_count_set(w, CS_G9_LAST_ERRNO, ret);
		}
		cs_check_leftover(w, start, nr, CS_G9_LEFTOVER_CHECKS);
	}
	if (!gone)
		__free_page(pfn_to_page(plant));
}

static int cs_g9_thread(void *arg)
{
	struct cs_worker *w = arg;

	while (cs_keep_going(w)) {
		cs_progress(w, "pick", 0);
		cs_g9_round(w);
		msleep_interruptible(1 + cs_rand(20));
	}
	return 0;
}

const struct cs_generator cs_g4 = {
	.id = "G4", .name = "g4", .thread = "g4_racer",
	.seeds = "000 001",
	.what =
		"alloc_contig_range on pageblock- but not MAX_ORDER-aligned ranges at zone, block and area edges",
	.fn = cs_g4_thread,
	.counters = {
		[CS_G4_OK] = "contig_ok",
		[CS_G4_BUSY] = "contig_busy",
		[CS_G4_INTR] = "contig_interrupted",
		[CS_G4_NOMEM] = "contig_nomem",
		[CS_G4_OTHER] = "contig_other",
		[CS_G4_LAST_ERRNO] = "contig_last_errno",
		[CS_G4_PAGES] = "pages_obtained",
		[CS_G4_LEFTOVER_CHECKS] = "leftover_checks",
		[CS_G4_CLASH] = "skipped_neighbour_racer",
		[CS_G4_COMP] = "comp_requests",
		[CS_G4_GONE] = "skipped_went_offline",
		[CS_G4_OFFLINING] = "skipped_block_offlining",
	},
	.checks = BIT(CS_D4_OWNERSHIP),
	.injects = BIT(CS_D4_OWNERSHIP) | BIT(CS_D7_LIVENESS),
	.does = BIT(CS_DOES_CONTIG),
	.start = cs_g4_start, .cleanup = cs_g4_cleanup,
};

const struct cs_generator cs_g9 = {
	.id = "G9", .name = "g9", .thread = "g9_plant",
	.seeds = "001 004",
	.what =
		"a page of ours at the first, a middle or the last pageblock of a range, then alloc_contig_range over it",
	.fn = cs_g9_thread,
	.counters = {
		[CS_G9_PLANTED] = "planted",
		[CS_G9_PLANT_FAIL] = "plant_fail",
		[CS_G9_BUSY] = "contig_busy",
		[CS_G9_OTHER] = "contig_other",
		[CS_G9_LAST_ERRNO] = "contig_last_errno",
		[CS_G9_LEFTOVER_CHECKS] = "leftover_checks",
	},
	.checks = BIT(CS_D4_OWNERSHIP),
};
