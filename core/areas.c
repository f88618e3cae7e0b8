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
 */
#include <linux/module.h>
#include <linux/cma.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "cs_core.h"

static int (*p_cma_for_each_area)(int (*)(struct cma *, void *), void *);
static phys_addr_t (*p_cma_get_base)(const struct cma *);
static unsigned long (*p_cma_get_size)(const struct cma *);
static const char *(*p_cma_get_name)(const struct cma *);

static struct cs_sym cs_area_syms[] = {
	/* Its callback may sleep (we allocate in it). */
	{ "cma_for_each_area", (void **)&p_cma_for_each_area, true, true,
	  "named CMA areas (found as pageblock runs instead)" },
	{ "cma_get_base", (void **)&p_cma_get_base, true, true, "named CMA areas" },
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
	return p_cma_for_each_area && p_cma_get_base && p_cma_get_size &&
	       p_cma_get_name;
}

static int cs_count_cb(struct cma *cma, void *data)
{
	(*(int *)data)++;
	return 0;
}

static int cs_area_cb(struct cma *cma, void *data)
{
	struct cs_harness *h = data;
	struct cs_area *a;
	unsigned long base = PHYS_PFN(p_cma_get_base(cma));

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
	a = &h->areas[h->nr_areas++];
	a->base_pfn = base;
	a->count = p_cma_get_size(cma) >> PAGE_SHIFT;
	strscpy(a->name, p_cma_get_name(cma), sizeof(a->name));
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
			bool cma = pfn_to_online_page(pfn) &&
				   is_migrate_cma(cs_pageblock_mt(pfn));

			if (cma && !prev && out && n < max) {
				out[n].base_pfn = pfn;
				out[n].zone = zone;
				snprintf(out[n].name, sizeof(out[n].name), "cma-run-%d", n);
			}
			n += cma && !prev;
			if (cma && out && n <= max)
				out[n - 1].count += pageblock_nr_pages;
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
		if (pfn >= h->areas[i].base_pfn &&
		    pfn < h->areas[i].base_pfn + h->areas[i].count)
			return &h->areas[i];
	return NULL;
}

/* Does memory block @block touch a CMA area (its offline must refuse)? */
bool cs_block_near_area(struct cs_harness *h, unsigned long block)
{
	unsigned long start = block * cs_memblock_pages();
	unsigned long end = start + cs_memblock_pages();
	int i;

	for (i = 0; i < h->nr_areas; i++) {
		unsigned long a = h->areas[i].base_pfn;

		if (start <= a + h->areas[i].count && end >= a)
			return true;
	}
	return false;
}
