// SPDX-License-Identifier: GPL-2.0
/*
 * Pageblock migratetypes and D3.
 *
 * get_pfnblock_flags_mask() is not exported: it is resolved at load, and
 * called with IBT enforcement lifted if objtool sealed it (it never
 * sleeps). Without it, D3 and D2's list-versus-pageblock rules are off and
 * say so in the report.
 */
#include <linux/module.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/memory_hotplug.h>
#include <linux/page-isolation.h>
#include <linux/pageblock-flags.h>
#include "cs_core.h"

static unsigned long (*p_get_pfnblock_flags_mask)(const struct page *page,
						  unsigned long pfn,
						  unsigned long mask);

static struct cs_sym cs_pageblock_syms[] = {
	{ "get_pfnblock_flags_mask", (void **)&p_get_pfnblock_flags_mask, true,
	  false, "D2 list-type checks, D3 pageblock audit, D5 CMA-pageblock check" },
};

bool cs_can_read_pageblocks(void)
{
	return p_get_pfnblock_flags_mask;
}

int cs_pageblock_mt(unsigned long pfn)
{
	return cs_call_nosleep(p_get_pfnblock_flags_mask,
			      (unsigned long)pfn_to_page(pfn), pfn, MIGRATETYPE_MASK);
}

const char *cs_mt_name(int mt)
{
	switch (mt) {
	case MIGRATE_UNMOVABLE: return "Unmovable";
	case MIGRATE_MOVABLE: return "Movable";
	case MIGRATE_RECLAIMABLE: return "Reclaimable";
	case MIGRATE_HIGHATOMIC: return "HighAtomic";
#ifdef CONFIG_CMA
	case MIGRATE_CMA: return "CMA";
#endif
#ifdef CONFIG_MEMORY_ISOLATION
	case MIGRATE_ISOLATE: return "Isolate";
#endif
	default: return "?";
	}
}

/* The populated zone after @zone (NULL: the first), without next_zone(). */
struct zone *cs_next_zone(struct zone *zone)
{
	int nid = zone ? zone_to_nid(zone) : first_online_node;
	struct zone *z = zone ? zone + 1 : NODE_DATA(nid)->node_zones;

	for (;;) {
		for (; z < NODE_DATA(nid)->node_zones + MAX_NR_ZONES; z++)
			if (populated_zone(z))
				return z;
		nid = next_online_node(nid);
		if (nid >= MAX_NUMNODES)
			return NULL;
		z = NODE_DATA(nid)->node_zones;
	}
}

/* A D3 finding is about the view: inject=d3 moves area 0's start down. */
static const struct cs_area *cs_area_seen(struct cs_harness *h, unsigned long pfn)
{
	const struct cs_area *a = cs_area_of(h, pfn);

	if (!a && h->nr_areas && h->view.area0_lead &&
	    pfn >= h->areas[0].base_pfn - h->view.area0_lead &&
	    pfn < h->areas[0].base_pfn)
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
 * D3. Mirrors init_cma_reserved_pageblock() (a CMA area's pageblocks are
 * MIGRATE_CMA for life), the fallback tables (nothing steals a CMA block),
 * and undo_isolate_page_range() (every isolation is undone, except that an
 * offlined block stays isolated while it is offline, so offline memory is
 * skipped). Every area is known here, used by G1 or not.
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
			const struct cs_area *a;
			int mt;

			if (!(++n % 1024))
				cond_resched();
			if (!pfn_to_online_page(pfn))
				continue;
			mt = cs_pageblock_mt(pfn);
			a = cs_area_seen(h, pfn);
			if (is_migrate_isolate(mt)) {
				if (quiet && !isolated && !cs_isolated_before(h, pfn) &&
				    !cs_iso_holder(h, pfn))
					isolated = pfn;
			} else if (a && !is_migrate_cma(mt)) {
				cs_violation(ctx, CS_D3_PAGEBLOCK,
					     "pageblock %#lx in CMA area %s is %s",
					     pfn, a->name, cs_mt_name(mt));
			} else if (!a && is_migrate_cma(mt)) {
				cs_violation(ctx, CS_D3_PAGEBLOCK,
					     "pageblock %#lx in zone %s is CMA outside every CMA area",
					     pfn, zone->name);
			}
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

int cs_pageblock_init(void)
{
	cs_resolve("cs_core", cs_pageblock_syms, ARRAY_SIZE(cs_pageblock_syms));
	return 0;
}
