// SPDX-License-Identifier: GPL-2.0
/*
 * The CMA areas, found once at load: every one of them is audited (D1's
 * CmaTotal, D3's in-area and outside-area rules), however many there are;
 * areas= only selects which ones G1 allocates from.
 *
 * cma_for_each_area() names them (cma=, per-node, hugetlb_cma, device-tree
 * pools); where it cannot be reached (no CONFIG_CMA, or sealed by IBT) the
 * areas are found as runs of MIGRATE_CMA pageblocks, which needs nothing
 * in flight: load time is quiet.
 *
 * An area is one or more ranges of pfns: since 6.14 struct cma has up to
 * CMA_MAX_RANGES of them (hugetlb_cma's cma_declare_contiguous_multi()
 * takes memory around holes), each with its own bitmap; every rule here
 * covers every range (core/compat.h reads them). A module built without
 * mm/cma.h (DKMS against a distro's headers) cannot read the ranges, and
 * cma_get_base() WARNs on an area of several: it asks cma_intersects()
 * of each CMA pageblock which area it belongs to instead.
 */
#include <linux/module.h>
#include <linux/cma.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "cs_core.h"
#include "compat.h"

static int (*p_cma_for_each_area)(int (*)(struct cma *, void *), void *);
#ifndef CS_HAVE_MM_CMA_H
static phys_addr_t (*p_cma_get_base)(const struct cma *);
static bool (*p_cma_intersects)(struct cma *, unsigned long, unsigned long);
#endif
static unsigned long (*p_cma_get_size)(const struct cma *);
static const char *(*p_cma_get_name)(const struct cma *);

static struct cs_sym cs_area_syms[] = {
	/* Its callback may sleep (we allocate in it). */
	{ "cma_for_each_area", (void **)&p_cma_for_each_area, true, true,
	  "named CMA areas (found as pageblock runs instead)" },
#ifndef CS_HAVE_MM_CMA_H	/* else the ranges are read from struct cma */
#if CS_CMA_MULTI_RANGE
	{ "cma_intersects", (void **)&p_cma_intersects, true, false, "named CMA areas" },
#else
	{ "cma_get_base", (void **)&p_cma_get_base, true, true, "named CMA areas" },
#endif
#endif
	{ "cma_get_size", (void **)&p_cma_get_size, true, true, "named CMA areas" },
	{ "cma_get_name", (void **)&p_cma_get_name, true, true, "named CMA areas" },
};

int cs_areas_init(void)
{
	if (IS_ENABLED(CONFIG_CMA))
		cs_resolve("cs_core", cs_area_syms, ARRAY_SIZE(cs_area_syms));
	return 0;
}

static bool cs_named_areas(void)
{
#ifndef CS_HAVE_MM_CMA_H
	if (CS_CMA_MULTI_RANGE ? !p_cma_intersects || !cs_can_read_pageblocks() :
				 !p_cma_get_base)
		return false;
#endif
	return p_cma_for_each_area && p_cma_get_size && p_cma_get_name;
}

#ifndef CS_HAVE_MM_CMA_H
/*
 * @cma's ranges without struct cma's layout: every CMA pageblock that
 * cma_intersects() says is @cma's, runs of them being ranges. One walk of
 * memory per area, at load; pageblocks are the unit because an area is
 * pageblock aligned.
 */
static void cs_area_probe_ranges(struct cs_area *a, struct cma *cma)
{
	struct zone *zone;
	unsigned long pfn, end = 0;
	bool iso;

	a->nranges = 0;
	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone)) {
		pfn = ALIGN(zone->zone_start_pfn, pageblock_nr_pages);
		for (; pfn < zone_end_pfn(zone); pfn += pageblock_nr_pages) {
			if (!(pfn & (SZ_1G / PAGE_SIZE - 1)))
				cond_resched();
			if (!pfn_to_online_page(pfn) ||
			    !is_migrate_cma(cs_pageblock_type(pfn, &iso)) ||
			    !p_cma_intersects(cma, PFN_PHYS(pfn),
					      PFN_PHYS(pfn + pageblock_nr_pages) - 1))
				continue;
			if (a->nranges && pfn == end) {
				a->range[a->nranges - 1].end += pageblock_nr_pages;
			} else if (a->nranges < CS_AREA_RANGES) {
				a->range[a->nranges++] = (struct cs_span){
					.start = pfn, .end = pfn + pageblock_nr_pages };
			} else {
				return;	/* more ranges than we keep: the rest unseen */
			}
			end = pfn + pageblock_nr_pages;
		}
	}
}
#endif

/*
 * @a's ranges: from struct cma where it can be read; else cma_get_base()
 * where an area has one range, cma_intersects() where it may have several.
 */
static void cs_area_ranges(struct cs_area *a, struct cma *cma)
{
#ifdef CS_HAVE_MM_CMA_H
	int r;

	a->nranges = min(cs_cma_nranges(cma), CS_AREA_RANGES);
	for (r = 0; r < a->nranges; r++) {
		a->range[r].start = cs_cma_base(cma, r);
		a->range[r].end = a->range[r].start + cs_cma_count(cma, r);
	}
#else
	if (CS_CMA_MULTI_RANGE) {
		cs_area_probe_ranges(a, cma);
		return;
	}
	a->nranges = 1;
	a->range[0].start = PHYS_PFN(p_cma_get_base(cma));
	a->range[0].end = a->range[0].start + (p_cma_get_size(cma) >> PAGE_SHIFT);
#endif
}

static int cs_count_cb(struct cma *cma, void *data)
{
	(*(int *)data)++;
	return 0;
}

static int cs_area_cb(struct cma *cma, void *data)
{
	struct cs_harness *h = data;
	unsigned long base, found = 0;
	struct cs_area *a;
	int r;

	if (h->nr_areas >= h->max_areas)
		return 0;	/* one added since we counted: next load */
	/*
	 * An area the kernel could not activate (it spans two zones, say)
	 * has size 0: its pages went back to the buddy allocator.
	 */
	if (!p_cma_get_size(cma)) {
		pr_info("%s: CMA area %s has no pages (not activated): skipped\n",
			h->name, p_cma_get_name(cma));
		return 0;
	}
	a = &h->areas[h->nr_areas];
	cs_area_ranges(a, cma);
	for (r = 0; r < a->nranges; r++)
		found += a->range[r].end - a->range[r].start;
	a->count = p_cma_get_size(cma) >> PAGE_SHIFT;
	strscpy(a->name, p_cma_get_name(cma), sizeof(a->name));
	if (found != a->count) {
		/* A probe that missed pages (cs_area_probe_ranges): not ours to use. */
		pr_warn("%s: CMA area %s: its ranges found cover %lu of its %lu pages: skipped\n",
			h->name, a->name, found, a->count);
		memset(a, 0, sizeof(*a));
		return 0;
	}
	h->nr_areas++;
	base = a->range[0].start;
	a->zone = pfn_valid(base) ? page_zone(pfn_to_page(base)) : NULL;
	a->cma = cma;
	return 0;
}

/* Runs of MIGRATE_CMA pageblocks: fill @out (if not NULL); return how many. */
static int cs_cma_runs(struct cs_area *out, int max)
{
	struct zone *zone;
	int n = 0;

	if (!IS_ENABLED(CONFIG_CMA) || !cs_can_read_pageblocks())
		return 0;
	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone)) {
		unsigned long pfn = ALIGN(zone->zone_start_pfn, pageblock_nr_pages);
		bool prev = false;

		for (; pfn < zone_end_pfn(zone); pfn += pageblock_nr_pages) {
			bool iso, cma = pfn_to_online_page(pfn) &&
					is_migrate_cma(cs_pageblock_type(pfn, &iso));

			if (cma && !prev && out && n < max) {
				out[n].nranges = 1;
				out[n].range[0].start = pfn;
				out[n].range[0].end = pfn;
				out[n].zone = zone;
				snprintf(out[n].name, sizeof(out[n].name), "cma-run-%d", n);
			}
			n += cma && !prev;
			if (cma && out && n <= max) {
				out[n - 1].range[0].end += pageblock_nr_pages;
				out[n - 1].count += pageblock_nr_pages;
			}
			prev = cma;
			if (!(pfn & (SZ_1G / PAGE_SIZE - 1)))
				cond_resched();
		}
	}
	return n;
}

int cs_areas_find(struct cs_harness *h)
{
	int i, n = 0;

	if (cs_named_areas())
		p_cma_for_each_area(cs_count_cb, &n);
	else
		n = cs_cma_runs(NULL, 0);
	if (!n)
		return 0;
	h->areas = kcalloc(n, sizeof(*h->areas), GFP_KERNEL);
	if (!h->areas)
		return -ENOMEM;
	h->max_areas = n;
	if (cs_named_areas())
		p_cma_for_each_area(cs_area_cb, h);
	else
		h->nr_areas = min(cs_cma_runs(h->areas, n), n);
	for (i = 0; i < h->nr_areas; i++) {
		spin_lock_init(&h->areas[i].lock);
		h->totalcma += h->areas[i].count;
	}
	return 0;
}

void cs_areas_free(struct cs_harness *h)
{
	kfree(h->areas);
	h->areas = NULL;
	h->nr_areas = 0;
	h->max_areas = 0;
	h->totalcma = 0;
}

/* Is @name in the comma-separated list @list (empty: everything is)? */
static bool cs_listed(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p = list;

	if (!list[0])
		return true;
	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

/* At start: the areas G1 allocates from this run (areas=). */
void cs_areas_select(struct cs_harness *h)
{
	int i;

	for (i = 0; i < h->nr_areas; i++)
		h->areas[i].use = h->areas[i].cma && cs_listed(h->set.areas, h->areas[i].name);
}

struct cs_area *cs_area_of(struct cs_harness *h, unsigned long pfn)
{
	int i;

	for (i = 0; i < h->nr_areas; i++)
		if (cs_area_off(&h->areas[i], pfn) >= 0)
			return &h->areas[i];
	return NULL;
}

/* @pfn's page in @a's ranges laid end to end (G1's books), or -1. */
long cs_area_off(const struct cs_area *a, unsigned long pfn)
{
	unsigned long off = 0;
	int r;

	for (r = 0; r < a->nranges; r++) {
		const struct cs_span *s = &a->range[r];

		if (pfn >= s->start && pfn < s->end)
			return off + pfn - s->start;
		off += s->end - s->start;
	}
	return -1;
}

/* The pfn of page @off of @a's ranges laid end to end. */
unsigned long cs_area_pfn(const struct cs_area *a, unsigned long off)
{
	int r;

	for (r = 0; r < a->nranges - 1; r++) {
		if (off < a->range[r].end - a->range[r].start)
			break;
		off -= a->range[r].end - a->range[r].start;
	}
	return a->range[r].start + off;
}

const struct cs_span *cs_area_any_range(const struct cs_area *a)
{
	return &a->range[cs_rand(a->nranges)];
}

/* Does memory block @block touch a CMA area (its offline must refuse)? */
bool cs_block_near_area(struct cs_harness *h, unsigned long block)
{
	unsigned long start = block * cs_memblock_pages();
	unsigned long end = start + cs_memblock_pages();
	int i, r;

	for (i = 0; i < h->nr_areas; i++)
		for (r = 0; r < h->areas[i].nranges; r++)
			if (start <= h->areas[i].range[r].end &&
			    end >= h->areas[i].range[r].start)
				return true;
	return false;
}
