// SPDX-License-Identifier: GPL-2.0
/*
 * Pageblock migratetypes, as the audits read them (D3's rules are in
 * core/audit.c), and the populated zones.
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

int cs_pageblock_init(void)
{
	cs_pb_setup();
	return 0;
}
