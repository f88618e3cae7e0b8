// SPDX-License-Identifier: GPL-2.0
/*
 * Pageblock migratetypes and D3.
 *
 * Until 6.15 isolation is a migratetype (MIGRATE_ISOLATE overwrites the
 * type bits) and the harness reads the bits through the unexported
 * get_pfnblock_flags_mask(), resolved at load and called with IBT
 * enforcement lifted if objtool sealed it (it never sleeps). Since 6.16
 * isolation is a bit of its own, PB_migrate_isolate, beside the type
 * bits it leaves alone (core/compat.h), and the only function that could
 * read both at once, __get_pfnblock_flags_mask(), is static (inlined in
 * a production build). So there the flags word is read as the kernel
 * does, from the section's usemap (mem_section is exported), in one read;
 * at load the reader is checked against the kernel's own
 * get_pfnblock_migratetype() on every online pageblock, and not used if
 * they disagree. Without a reader, D3 and D2's list-versus-pageblock rules
 * are off and say so in the report.
 */
#include <linux/module.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/memory_hotplug.h>
#include <linux/page-isolation.h>
#include <linux/pageblock-flags.h>
#include "cs_core.h"
#include "compat.h"

static const char *cs_pb_why = "pageblock reader not set up";

#if CS_PB_ISOLATE_BIT
static enum migratetype (*p_get_pfnblock_migratetype)(const struct page *page,
						      unsigned long pfn);

static struct cs_sym cs_pageblock_syms[] = {
	{ "get_pfnblock_migratetype", (void **)&p_get_pfnblock_migratetype, true,
	  false, "the load-time check of the pageblock reader (D2, D3, D5 trust it unchecked)" },
};

static bool cs_pb_ok;

/*
 * The flags of @pfn's pageblock, shifted down to bit 0: what
 * get_pfnblock_bitmap_bitidx() and __get_pfnblock_flags_mask() do
 * (mm/page_alloc.c:335-406 in 7.3), one READ_ONCE of the word.
 */
static unsigned long cs_pb_flags(unsigned long pfn)
{
#ifdef CONFIG_SPARSEMEM
	unsigned long *map = section_to_usemap(__pfn_to_section(pfn));
	unsigned long idx = ((pfn & (PAGES_PER_SECTION - 1)) >> pageblock_order) *
			    NR_PAGEBLOCK_BITS;
#else
	struct zone *zone = page_zone(pfn_to_page(pfn));
	unsigned long *map = zone->pageblock_flags;
	unsigned long idx = ((pfn - pageblock_start_pfn(zone->zone_start_pfn)) >>
			     pageblock_order) * NR_PAGEBLOCK_BITS;
#endif
	return READ_ONCE(map[idx / BITS_PER_LONG]) >> (idx % BITS_PER_LONG);
}

int cs_pageblock_type(unsigned long pfn, bool *isolated)
{
	unsigned long flags = cs_pb_flags(pfn);

	*isolated = flags & PAGEBLOCK_ISO_MASK;
	return flags & PAGEBLOCK_MIGRATETYPE_MASK;
}

/*
 * Does the reader say what get_pfnblock_migratetype() says, on every
 * online pageblock? Load time is quiet, but a block may change between
 * the two reads: a disagreement must survive three looks.
 */
static bool cs_pb_reader_agrees(void)
{
	struct zone *zone;
	unsigned long pfn;
	int tries, mt;
	bool iso;

	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone)) {
		for (pfn = ALIGN(zone->zone_start_pfn, pageblock_nr_pages);
		     pfn < zone_end_pfn(zone); pfn += pageblock_nr_pages) {
			if (!pfn_to_online_page(pfn))
				continue;
			for (tries = 0; tries < 3; tries++) {
				mt = cs_pageblock_type(pfn, &iso);
				if ((iso ? MIGRATE_ISOLATE : mt) ==
				    cs_call_nosleep(p_get_pfnblock_migratetype,
						    (unsigned long)pfn_to_page(pfn), pfn, 0))
					break;
			}
			if (tries == 3) {
				pr_warn("cs_core: pageblock %#lx: the reader says %s%s, get_pfnblock_migratetype() %s: pageblock audits off\n",
					pfn, cs_mt_name(mt), iso ? "+isolate" : "",
					cs_mt_name(cs_call_nosleep(p_get_pfnblock_migratetype,
								   (unsigned long)pfn_to_page(pfn),
								   pfn, 0)));
				return false;
			}
			if (!(pfn % (1024 * pageblock_nr_pages)))
				cond_resched();
		}
	}
	return true;
}

static void cs_pb_setup(void)
{
	cs_resolve("cs_core", cs_pageblock_syms, ARRAY_SIZE(cs_pageblock_syms));
	cs_pb_ok = !p_get_pfnblock_migratetype || cs_pb_reader_agrees();
	if (!cs_pb_ok)
		cs_pb_why = "the usemap reader disagrees with get_pfnblock_migratetype()";
}

bool cs_can_read_pageblocks(void)
{
	return cs_pb_ok;
}
#else
static unsigned long (*p_get_pfnblock_flags_mask)(const struct page *page,
						  unsigned long pfn,
						  unsigned long mask);

static struct cs_sym cs_pageblock_syms[] = {
	{ "get_pfnblock_flags_mask", (void **)&p_get_pfnblock_flags_mask, true,
	  false, "D2 list-type checks, D3 pageblock audit, D5 CMA-pageblock check" },
};

/* Isolation hides the type here: MIGRATE_ISOLATE is the type. */
int cs_pageblock_type(unsigned long pfn, bool *isolated)
{
	int mt = cs_call_nosleep(p_get_pfnblock_flags_mask,
				 (unsigned long)pfn_to_page(pfn), pfn, MIGRATETYPE_MASK);

	*isolated = is_migrate_isolate(mt);
	return mt;
}

static void cs_pb_setup(void)
{
	cs_resolve("cs_core", cs_pageblock_syms, ARRAY_SIZE(cs_pageblock_syms));
	cs_pb_why = "get_pfnblock_flags_mask unresolved";
}

bool cs_can_read_pageblocks(void)
{
	return p_get_pfnblock_flags_mask;
}
#endif

const char *cs_pageblock_unreadable(void)
{
	return cs_can_read_pageblocks() ? NULL : cs_pb_why;
}

/* The type as the allocator sees it: MIGRATE_ISOLATE while isolated. */
int cs_pageblock_mt(unsigned long pfn)
{
	bool iso;
	int mt = cs_pageblock_type(pfn, &iso);

	return iso ? MIGRATE_ISOLATE : mt;
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

int cs_pageblock_init(void)
{
	cs_pb_setup();
	return 0;
}
