// SPDX-License-Identifier: GPL-2.0
/*
 * cma_stress: concurrent CMA stress with live accounting audits.
 *
 * Kernel threads allocate and release CMA ranges (G1), free movable pages
 * while isolations are in flight (G2), offline and online memory blocks
 * (G3), churn the per-CPU page lists (G5) and allocate inside pin scopes
 * (G6), while an auditor checks the kernel's books (D1-D3, cs_audit.c) and
 * every worker checks what it was handed (D4, D5). Stop quiesces and audits
 * once more (D6); a worker that stops making progress is reported (D7).
 * The bug each detector answers is in ../shared/seeds and README.
 *
 * Driven through /sys/kernel/debug/cma_stress/: write "start", "stop",
 * "audit", "reset" or "key=value" to control; read report, stats, areas.
 * Every key is also a module parameter. A violation prints one line
 * "cma_stress: FAIL <detector>: ..." and the report keeps the first one.
 */
#define pr_fmt(fmt) "cma_stress: " fmt

#include <linux/module.h>
#include <linux/cma.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include "cs_core.h"
#include "cs_compat.h"

#ifdef CS_HAVE_MM_CMA_H
#include "cma.h"	/* struct cma: D6 reads the allocation bitmap */
#endif

/* ---- settings: module parameters, also writable as key=value ------------ */

static char scenario[16] = "default";
module_param_string(scenario, scenario, sizeof(scenario), 0444);
MODULE_PARM_DESC(scenario, "named mix: default, seed000..seed004, soak");

/* -1: take the value from the scenario. */
static int alloc_threads = -1;
module_param(alloc_threads, int, 0444);
MODULE_PARM_DESC(alloc_threads, "G1 cma_alloc/cma_release threads");
static int isolate_threads = -1;
module_param(isolate_threads, int, 0444);
MODULE_PARM_DESC(isolate_threads, "G2 free-while-isolating threads");
static int hotplug_threads = -1;
module_param(hotplug_threads, int, 0444);
MODULE_PARM_DESC(hotplug_threads, "G3 memory block offline/online threads (0 or 1)");
static int pcp_threads = -1;
module_param(pcp_threads, int, 0444);
MODULE_PARM_DESC(pcp_threads, "G5 per-CPU page list churn threads, each bound to a CPU");
static int pin_threads = -1;
module_param(pin_threads, int, 0444);
MODULE_PARM_DESC(pin_threads, "G6 pin-scope allocation threads");
static int max_pageblocks = -1;
module_param(max_pageblocks, int, 0444);
MODULE_PARM_DESC(max_pageblocks, "G1 largest range, in pageblocks");
static int hold_ms = -1;
module_param(hold_ms, int, 0444);
MODULE_PARM_DESC(hold_ms, "G1 longest hold time of a range, ms");

static unsigned int duration;
module_param(duration, uint, 0444);
MODULE_PARM_DESC(duration, "seconds to run after start, 0 = until stop");
static bool run_on_load;
module_param(run_on_load, bool, 0444);
MODULE_PARM_DESC(run_on_load, "start at load (for a kernel command line)");
static unsigned int audit_ms = 20;
module_param(audit_ms, uint, 0444);
MODULE_PARM_DESC(audit_ms, "D1 counter check period, ms");
static unsigned int freelist_ms = 200;
module_param(freelist_ms, uint, 0444);
MODULE_PARM_DESC(freelist_ms, "D2 free-list and D3 pageblock audit period, ms");
static unsigned int stall_s = 60;
module_param(stall_s, uint, 0444);
MODULE_PARM_DESC(stall_s, "D7: a worker without progress this long is a stall, s");
static unsigned int offline_timeout_ms = 8000;
module_param(offline_timeout_ms, uint, 0444);
MODULE_PARM_DESC(offline_timeout_ms, "G3: interrupt an offline after this long, ms");
static unsigned int veto_pct = 20;
module_param(veto_pct, uint, 0444);
MODULE_PARM_DESC(veto_pct, "G3: percent of offlines a memory notifier refuses");
static char areas[64];
module_param_string(areas, areas, sizeof(areas), 0444);
MODULE_PARM_DESC(areas, "comma-separated CMA area names to use, empty = all");
static unsigned int series_ms = 250;
module_param(series_ms, uint, 0444);
MODULE_PARM_DESC(series_ms, "time series sample period, ms (debugfs series)");
static bool stop_on_fail;
module_param(stop_on_fail, bool, 0444);
MODULE_PARM_DESC(stop_on_fail, "stop at the first violation (time-to-detect runs)");
static bool bare;
module_param(bare, bool, 0444);
MODULE_PARM_DESC(bare, "no audits, no page stamping: the bench's ceiling loop");
static char inject[8] = "none";
module_param_string(inject, inject, sizeof(inject), 0444);
MODULE_PARM_DESC(inject, "prove a detector fires: none, d1 .. d7");

/* ---- scenarios ------------------------------------------------------------ */

struct cs_scenario {
	const char *name;
	const char *seed;	/* what it is for */
	int alloc, isolate, hotplug, pcp, pin, max_pb, hold;
};

static const struct cs_scenario cs_scenarios[] = {
	{ "default", "all", 2, 1, 1, 1, 1, 4, 100 },
	{ "seed000", "buddy merge across isolated pageblocks", 2, 2, 0, 1, 0, 2, 5 },
	{ "seed001", "isolation racing memory offline", 1, 1, 1, 0, 0, 4, 50 },
	{ "seed002", "pages handed out while in use", 3, 1, 0, 1, 0, 8, 500 },
	{ "seed003", "pin-scope allocation given a CMA page", 1, 0, 0, 2, 2, 2, 20 },
	{ "seed004", "stale pcp migratetype turns CMA MOVABLE", 2, 1, 0, 2, 0, 2, 10 },
	{ "soak", "everything, longer holds", 2, 1, 1, 2, 1, 8, 1000 },
};

/* ---- state ---------------------------------------------------------------- */

static struct page *(*p_cma_alloc)(struct cma *, unsigned long, unsigned int, bool);
static bool (*p_cma_release)(struct cma *, const struct page *, unsigned long);
static int (*p_cma_for_each_area)(int (*)(struct cma *, void *), void *);
static phys_addr_t (*p_cma_get_base)(const struct cma *);
static unsigned long (*p_cma_get_size)(const struct cma *);
static const char *(*p_cma_get_name)(const struct cma *);

static struct cs_sym cs_syms[] = {
	{ "cma_alloc", (void **)&p_cma_alloc, true, true, "G1 allocators, D4, D6" },
	{ "cma_release", (void **)&p_cma_release, true, true, "G1 allocators, D4, D6" },
	/* Its callback may sleep (we allocate bitmaps in it). */
	{ "cma_for_each_area", (void **)&p_cma_for_each_area, true, true,
	  "area discovery: G1, D3 in-area checks" },
	{ "cma_get_base", (void **)&p_cma_get_base, true, true, "area discovery" },
	{ "cma_get_size", (void **)&p_cma_get_size, true, true, "area discovery" },
	{ "cma_get_name", (void **)&p_cma_get_name, true, true, "area discovery" },
};

struct cs_area_state {
	struct cs_area a;
	spinlock_t lock;		/* owned */
	unsigned long *owned;		/* pages we hold now (D4 overlap) */
	unsigned long *ever;		/* pages we ever held (D6) */
	unsigned long *baseline;	/* CMA bitmap at start (D6) */
};

static struct {
	struct mutex lock;		/* start/stop/settings */
	struct cs_ctx ctx;
	struct cs_scenario mix;		/* resolved settings */
	struct cs_area_state areas[CS_MAX_AREAS];
	int nr_areas;
	unsigned long totalcma;
	unsigned long totalram_start;
	struct cs_pool pool;
	struct cs_series series;
	bool running;
	bool ran;
	unsigned long start_jiffies;
	unsigned long stop_jiffies;
	atomic_t isolating;		/* G1 calls inside cma_alloc now */
	atomic64_t next_id;
	struct work_struct stop_work;
	struct dentry *dir;
	int inject;			/* 0 = none, else detector number */
	struct page *leaked;		/* inject=d6: kept past stop */
	unsigned long leaked_count;
	struct cs_area_state *leaked_area;
	int inj_state;			/* d1/d2: 0 idle, 1 applied, 2 undone */
	struct zone *inj_zone;
	long inj_delta;
	unsigned long inj_undo_at;
	/* G-side counters, for the report */
	atomic_long_t alloc_ok, alloc_fail, released, pages_allocated;
	struct cs_g2_stats g2;
	atomic_long_t g5_cycles, g6_allocs, audits_pages;
	atomic_long_t audits_full;
	atomic64_t audit_ns;
	struct cs_hotplug hp;
} cs;

/* ---- areas -------------------------------------------------------------------- */

static bool cs_area_wanted(const char *name)
{
	const char *p = areas;
	size_t len = strlen(name);

	if (!areas[0])
		return true;
	while ((p = strstr(p, name))) {
		if ((p == areas || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

static int cs_area_cb(struct cma *cma, void *data)
{
	struct cs_area_state *s;
	unsigned long base = PHYS_PFN(p_cma_get_base(cma));

	if (cs.nr_areas >= CS_MAX_AREAS)
		return 0;
	s = &cs.areas[cs.nr_areas];
	s->a.base_pfn = base;
	s->a.count = p_cma_get_size(cma) >> PAGE_SHIFT;
	strscpy(s->a.name, p_cma_get_name(cma), sizeof(s->a.name));
	s->a.zone = pfn_valid(base) ? page_zone(pfn_to_page(base)) : NULL;
	s->a.cma = cma;
	cs.totalcma += s->a.count;
	if (!cs_area_wanted(s->a.name))
		return 0;	/* counted in CmaTotal, but not used */
	spin_lock_init(&s->lock);
	s->owned = bitmap_zalloc(s->a.count, GFP_KERNEL);
	s->ever = bitmap_zalloc(s->a.count, GFP_KERNEL);
	s->baseline = bitmap_zalloc(s->a.count, GFP_KERNEL);
	if (!s->owned || !s->ever || !s->baseline) {
		bitmap_free(s->owned);
		bitmap_free(s->ever);
		bitmap_free(s->baseline);
		return -ENOMEM;
	}
	cs.nr_areas++;
	return 0;
}

static void cs_free_areas(void)
{
	int i;

	for (i = 0; i < cs.nr_areas; i++) {
		bitmap_free(cs.areas[i].owned);
		bitmap_free(cs.areas[i].ever);
		bitmap_free(cs.areas[i].baseline);
	}
	cs.nr_areas = 0;
}

/* The areas as the audits see them; inject=d3 moves one pageblock down. */
static int cs_audit_areas(struct cs_area *out)
{
	int i;

	for (i = 0; i < cs.nr_areas; i++) {
		out[i] = cs.areas[i].a;
		if (cs.inject == 3 && i == 0) {
			out[i].base_pfn -= pageblock_nr_pages;
			out[i].count += pageblock_nr_pages;
		}
	}
	return cs.nr_areas;
}

#ifdef CS_HAVE_MM_CMA_H
static void cs_cma_bitmap(struct cs_area_state *s, unsigned long *dst)
{
	struct cma *cma = s->a.cma;
	unsigned long i, bits = cma->count >> cma->order_per_bit;
	unsigned long flags;

	bitmap_zero(dst, s->a.count);
	spin_lock_irqsave(&cma->lock, flags);
	for_each_set_bit(i, cma->bitmap, bits)
		bitmap_set(dst, i << cma->order_per_bit, 1U << cma->order_per_bit);
	spin_unlock_irqrestore(&cma->lock, flags);
}
#endif

/* ---- G1: cma_alloc / cma_release with D4 -------------------------------------- */

struct cs_range {
	struct list_head node;
	struct cs_area_state *s;
	struct page *pages;
	unsigned long pfn, count;
	u64 id;
};

static u64 cs_pattern(unsigned long pfn, u64 id, unsigned int word)
{
	return ((u64)pfn << 20 ^ id * 0x9e3779b97f4a7c15ULL) + word;
}

#define CS_STAMP_STRIDE 32	/* one word in 32: every 256 bytes */

static void cs_stamp(struct cs_range *r)
{
	unsigned long i;
	unsigned int w;

	for (i = 0; i < r->count; i++) {
		u64 *p = kmap_local_page(r->pages + i);

		for (w = 0; w < PAGE_SIZE / 8; w += CS_STAMP_STRIDE)
			p[w] = cs_pattern(r->pfn + i, r->id, w);
		kunmap_local(p);
	}
}

/* D4 on a range we hold: our pattern intact, refcount 1, not free. */
static void cs_verify(struct cs_range *r, const char *when)
{
	unsigned long i;
	unsigned int w;
	long bad;

	if (cs.inject == 4 && cs_rand(4) == 0) {
		u64 *p = kmap_local_page(r->pages);
		*p ^= 1;	/* as if somebody else wrote our page */
		kunmap_local(p);
	}
	bad = cs_find_foreign_ref(r->pfn, r->count, CS_FOREIGN_REF_WAIT_MS);
	if (bad >= 0) {
		struct page *page = r->pages + bad;

		cs_violation(&cs.ctx, CS_D4_OWNERSHIP,
			     "%s: pfn %#lx of range %llu [%#lx+%lu] has refcount %d buddy %d",
			     when, r->pfn + bad, r->id, r->pfn, r->count,
			     page_count(page), PageBuddy(page));
		return;
	}
	for (i = 0; i < r->count; i++) {
		u64 *p = kmap_local_page(r->pages + i);

		for (w = 0; w < PAGE_SIZE / 8; w += CS_STAMP_STRIDE) {
			if (p[w] != cs_pattern(r->pfn + i, r->id, w)) {
				cs_violation(&cs.ctx, CS_D4_OWNERSHIP,
					     "%s: pfn %#lx of range %llu [%#lx+%lu] overwritten at byte %u: %#llx != %#llx",
					     when, r->pfn + i, r->id, r->pfn, r->count,
					     w * 8, p[w], cs_pattern(r->pfn + i, r->id, w));
				kunmap_local(p);
				return;
			}
		}
		kunmap_local(p);
	}
	cs_checked(&cs.ctx, CS_D4_OWNERSHIP);
}

/* Sizes: one page to several pageblocks, biased to pageblock multiples. */
static unsigned long cs_pick_count(void)
{
	unsigned long pb = pageblock_nr_pages;
	unsigned int r = cs_rand(100);

	if (r < 45)
		return pb * (1 + cs_rand(cs.mix.max_pb));
	if (r < 60)
		return 1;
	if (r < 80)
		return 1 + cs_rand(pb);
	return 1 + cs_rand(pb * cs.mix.max_pb);
}

static unsigned int cs_pick_hold(void)
{
	unsigned int r = cs_rand(100);

	if (r < 50)
		return 0;
	if (r < 90)
		return cs_rand(min(cs.mix.hold, 20) + 1);
	return cs_rand(cs.mix.hold + 1);
}

/* D4 on a range just handed out: every page ours alone (refcount 1). */
static void cs_check_fresh(struct cs_range *r)
{
	long i = cs_find_foreign_ref(r->pfn, r->count, CS_FOREIGN_REF_WAIT_MS);

	if (i >= 0)
		cs_violation(&cs.ctx, CS_D4_OWNERSHIP,
			     "cma_alloc handed out pfn %#lx with refcount %d buddy %d",
			     r->pfn + i, page_count(r->pages + i), PageBuddy(r->pages + i));
}

static struct cs_range *cs_g1_alloc(struct cs_worker *w)
{
	struct cs_area_state *s = &cs.areas[cs_rand(cs.nr_areas)];
	unsigned long count = cs_pick_count(), off;
	unsigned int align = cs_rand(pageblock_order + 1);
	struct cs_range *r;
	struct page *pages;

	count = min(count, s->a.count);
	cs_progress(w, "cma_alloc", s->a.base_pfn);
	atomic_inc(&cs.isolating);
	pages = p_cma_alloc(s->a.cma, count, align, true);
	atomic_dec(&cs.isolating);
	cs_event(&cs.ctx, CS_OP_ALLOC, pages ? page_to_pfn(pages) : 0, count,
		 pages ? 0 : -ENOMEM);
	if (!pages) {
		atomic_long_inc(&cs.alloc_fail);
		return NULL;
	}
	atomic_long_inc(&cs.alloc_ok);
	atomic_long_add(count, &cs.pages_allocated);
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		p_cma_release(s->a.cma, pages, count);
		return NULL;
	}
	r->s = s;
	r->pages = pages;
	r->pfn = page_to_pfn(pages);
	r->count = count;
	r->id = atomic64_inc_return(&cs.next_id);

	if (r->pfn < s->a.base_pfn || r->pfn + count > s->a.base_pfn + s->a.count) {
		cs_violation(&cs.ctx, CS_D4_OWNERSHIP,
			     "cma_alloc(%s, %lu) returned pfn %#lx outside the area [%#lx+%lu]",
			     s->a.name, count, r->pfn, s->a.base_pfn, s->a.count);
		kfree(r);	/* do not release what is not the area's */
		return NULL;
	}
	off = r->pfn - s->a.base_pfn;
	spin_lock(&s->lock);
	if (find_next_bit(s->owned, off + count, off) < off + count) {
		spin_unlock(&s->lock);
		cs_violation(&cs.ctx, CS_D4_OWNERSHIP,
			     "cma_alloc(%s) handed out [%#lx+%lu] which overlaps a range we still hold",
			     s->a.name, r->pfn, count);
		kfree(r);
		return NULL;
	}
	bitmap_set(s->owned, off, count);
	bitmap_set(s->ever, off, count);
	spin_unlock(&s->lock);
	if (!bare) {
		cs_check_fresh(r);
		cs_stamp(r);
	}
	return r;
}

static void cs_g1_release(struct cs_range *r)
{
	struct cs_area_state *s = r->s;
	unsigned long off = r->pfn - s->a.base_pfn;

	if (!bare)
		cs_verify(r, "before cma_release");
	spin_lock(&s->lock);
	bitmap_clear(s->owned, off, r->count);
	spin_unlock(&s->lock);
	if (!p_cma_release(s->a.cma, r->pages, r->count))
		cs_violation(&cs.ctx, CS_D4_OWNERSHIP,
			     "cma_release(%s) refused [%#lx+%lu] it handed out",
			     s->a.name, r->pfn, r->count);
	cs_event(&cs.ctx, CS_OP_RELEASE, r->pfn, r->count, 0);
	atomic_long_inc(&cs.released);
	list_del(&r->node);
	kfree(r);
}

#define CS_G1_MAX_LIVE 8

static int cs_g1_thread(void *arg)
{
	struct cs_worker *w = arg;
	LIST_HEAD(live);
	struct cs_range *r, *tmp;
	int nr_live = 0;

	if (cs.inject == 7 && w->id == 0) {
		/* A worker that stops making progress, as a hang would. */
		cs_progress(w, "injected stall", 0);
		msleep((stall_s + 3) * 1000);
	}
	while (!kthread_should_stop()) {
		if (nr_live < CS_G1_MAX_LIVE && (nr_live == 0 || cs_rand(2))) {
			r = cs_g1_alloc(w);
			if (r) {
				list_add_tail(&r->node, &live);
				nr_live++;
			}
		} else {
			unsigned int pick = cs_rand(nr_live);

			list_for_each_entry(r, &live, node)
				if (!pick--)
					break;
			cs_progress(w, "cma_release", r->pfn);
			cs_g1_release(r);
			nr_live--;
		}
		cs_progress(w, "holding", 0);
		msleep_interruptible(cs_pick_hold());
		cond_resched();
	}
	list_for_each_entry_safe(r, tmp, &live, node) {
		if (cs.inject == 6 && !cs.leaked) {
			/* Keep it past the D6 check; freed at unload. */
			cs.leaked = r->pages;
			cs.leaked_count = r->count;
			cs.leaked_area = r->s;
			list_del(&r->node);
			kfree(r);
			continue;
		}
		cs_g1_release(r);
	}
	return 0;
}

/* ---- G2: free movable pages while isolations are in flight (cs_gen.c) ---- */

static int cs_g2_thread(void *arg)
{
	struct cs_worker *w = arg;

	while (!kthread_should_stop()) {
		cs_g2_batch(&cs.ctx, w, &cs.isolating, &cs.g2);
		cond_resched();
	}
	return 0;
}

/* ---- G3: memory block offline/online ---------------------------------------- */

/* Is the block next to or overlapping a CMA area (offline must refuse)? */
static bool cs_block_near_cma(unsigned long block)
{
	unsigned long pages = cs_memblock_pages();
	unsigned long start = block * pages, end = start + pages;
	int i;

	for (i = 0; i < cs.nr_areas; i++) {
		unsigned long a = cs.areas[i].a.base_pfn;
		unsigned long b = a + cs.areas[i].a.count;

		if (start <= b && end >= a)
			return true;
	}
	return false;
}

static unsigned long cs_pick_block(void)
{
	unsigned long nr = cs_memblock_count();
	bool near = cs_rand(100) < 20;
	int tries;

	for (tries = 0; tries < 64; tries++) {
		unsigned long b = cs_rand(nr);
		struct zone *z = cs_memblock_zone(b);

		if (!z || zone_idx(z) != ZONE_MOVABLE)
			continue;
		if (cs_block_near_cma(b) == near)
			return b;
	}
	return ULONG_MAX;
}

static int cs_g3_thread(void *arg)
{
	struct cs_worker *w = arg;

	while (!kthread_should_stop()) {
		unsigned long block = cs_pick_block();

		if (block != ULONG_MAX)
			cs_hotplug_cycle(&cs.ctx, &cs.hp, w, block);
		cs_progress(w, "idle", 0);
		msleep_interruptible(10 + cs_rand(100));
	}
	return 0;
}

/* ---- G5: per-CPU list churn ---------------------------------------------------- */

#define CS_G5_BURST 256

static int cs_g5_thread(void *arg)
{
	struct cs_worker *w = arg;
	struct page **pages;
	int n, i;

	pages = kcalloc(CS_G5_BURST, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	while (!kthread_should_stop()) {
		cs_progress(w, "pcp burst", 0);
		for (n = 0; n < CS_G5_BURST; n++) {
			pages[n] = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN |
					      __GFP_NORETRY);
			if (!pages[n])
				break;
		}
		for (i = 0; i < n; i++)
			__free_page(pages[i]);
		atomic_long_inc(&cs.g5_cycles);
		usleep_range(100, 1000);
	}
	kfree(pages);
	return 0;
}

/* ---- G6: pin-scope allocations with D5 ---------------------------------------- */

static bool cs_pfn_in_area(unsigned long pfn)
{
	int i;

	for (i = 0; i < cs.nr_areas; i++)
		if (pfn >= cs.areas[i].a.base_pfn &&
		    pfn < cs.areas[i].a.base_pfn + cs.areas[i].a.count)
			return true;
	return false;
}

/*
 * memalloc_pin_save() makes current_gfp_context() drop __GFP_MOVABLE, so
 * the allocation may use neither ZONE_MOVABLE nor (being unmovable) any
 * CMA pageblock, not even one whose pages wait on a pcp list (seed 003).
 */
static void cs_d5_check(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	int mt = cs_can_read_pageblocks() ? cs_pageblock_mt(pfn) : -1;

	if (page_zonenum(page) == ZONE_MOVABLE)
		cs_violation(&cs.ctx, CS_D5_PLACEMENT,
			     "pin-scope order-%u allocation got pfn %#lx in ZONE_MOVABLE",
			     order, pfn);
	else if (cs_pfn_in_area(pfn) || (mt >= 0 && is_migrate_cma(mt)))
		cs_violation(&cs.ctx, CS_D5_PLACEMENT,
			     "pin-scope order-%u allocation got CMA pfn %#lx (pageblock %s)",
			     order, pfn, mt >= 0 ? cs_mt_name(mt) : "?");
	cs_checked(&cs.ctx, CS_D5_PLACEMENT);
}

#define CS_G6_BURST 64

static int cs_g6_thread(void *arg)
{
	struct cs_worker *w = arg;
	struct page *pages[CS_G6_BURST];
	unsigned int order[CS_G6_BURST];
	unsigned int flags = 0;
	int n, i;

	while (!kthread_should_stop()) {
		cs_progress(w, "pin-scope alloc", 0);
		if (cs.inject != 5)
			flags = memalloc_pin_save();
		for (n = 0; n < CS_G6_BURST; n++) {
			order[n] = cs_rand(4) ? 0 : cs_rand(3);
			pages[n] = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN |
					       __GFP_NORETRY, order[n]);
			if (!pages[n])
				break;
		}
		if (cs.inject != 5)
			memalloc_pin_restore(flags);
		for (i = 0; i < n; i++) {
			cs_d5_check(pages[i], order[i]);
			__free_pages(pages[i], order[i]);
		}
		atomic_long_add(n, &cs.g6_allocs);
		msleep_interruptible(1 + cs_rand(5));
	}
	return 0;
}

/* ---- the auditor: D1, D2, D3, D7 and the duration -------------------------- */

/* One D2 + D3 pass, timed: the bench reports its cost per GiB. */
static void cs_audit_full(bool quiet)
{
	struct cs_area view[CS_MAX_AREAS];
	int n = cs_audit_areas(view);
	u64 t0 = ktime_get_ns();

	atomic_long_add(cs_audit_freelists(&cs.ctx), &cs.audits_pages);
	cs_audit_pageblocks(&cs.ctx, view, n, quiet);
	atomic64_add(ktime_get_ns() - t0, &cs.audit_ns);
	atomic_long_inc(&cs.audits_full);
}

static void cs_audit_now(bool quiet)
{
	cs_audit_counters(&cs.ctx, cs.totalcma);
	cs_audit_full(quiet);
	cs_event(&cs.ctx, CS_OP_AUDIT, 0, 0, quiet);
}

/*
 * inject=d1 / d2: corrupt a real zone counter for a moment, so the real
 * detector finds it on its normal path. d1 adds more than CmaTotal to
 * NR_FREE_CMA_PAGES (the seed 000 symptom); d2 adds one page to
 * NR_FREE_PAGES, which only the exact free-list audit can see. Undone
 * after two further full audits.
 */
static void cs_inject_undo(void)
{
	enum zone_stat_item item = cs.inject == 1 ? NR_FREE_CMA_PAGES : NR_FREE_PAGES;

	if (cs.inj_state != 1)
		return;
	mod_zone_page_state(cs.inj_zone, item, -cs.inj_delta);
	pr_info("inject: counter restored\n");
	cs.inj_state = 2;
}

static void cs_inject_counters(void)
{
	struct zone *zone = cs.inj_zone;
	enum zone_stat_item item = cs.inject == 1 ? NR_FREE_CMA_PAGES : NR_FREE_PAGES;

	if (cs.inject != 1 && cs.inject != 2)
		return;
	if (cs.inj_state == 0 && time_after(jiffies, cs.start_jiffies + HZ)) {
		zone = cs.nr_areas ? cs.areas[0].a.zone : NULL;
		if (!zone) {
			struct page *page = pfn_to_online_page(PHYS_PFN(0x1000000));

			zone = page ? page_zone(page) : NULL;
		}
		if (!zone)
			return;
		cs.inj_zone = zone;
		cs.inj_delta = cs.inject == 1 ? cs.totalcma + totalram_pages() : 1;
		pr_info("inject: adding %ld to zone %s %s\n", cs.inj_delta, zone->name,
			item == NR_FREE_CMA_PAGES ? "NR_FREE_CMA_PAGES" : "NR_FREE_PAGES");
		mod_zone_page_state(zone, item, cs.inj_delta);
		cs.inj_undo_at = jiffies + 2 * msecs_to_jiffies(freelist_ms) + HZ / 2;
		cs.inj_state = 1;
	} else if (cs.inj_state == 1 && time_after(jiffies, cs.inj_undo_at)) {
		cs_inject_undo();
	}
}

static int cs_auditor_thread(void *arg)
{
	struct cs_worker *w = arg;
	unsigned long next_full = jiffies, next_live = jiffies + HZ;

	while (!kthread_should_stop()) {
		cs_progress(w, "audit", 0);
		cs_series_sample(&cs.series, &cs.ctx, cs.totalcma, series_ms);
		if (!bare)
			cs_audit_counters(&cs.ctx, cs.totalcma);
		if (!bare && time_after_eq(jiffies, next_full)) {
			cs_audit_full(false);
			next_full = jiffies + msecs_to_jiffies(freelist_ms);
		}
		if (time_after_eq(jiffies, next_live)) {
			cs_pool_liveness(&cs.ctx, &cs.pool, stall_s);
			next_live = jiffies + HZ;
		}
		cs_inject_counters();
		if ((duration && time_after(jiffies, cs.start_jiffies + duration * HZ)) ||
		    (stop_on_fail && cs_total_violations(&cs.ctx)))
			schedule_work(&cs.stop_work);
		msleep_interruptible(audit_ms);
	}
	return 0;
}

/* ---- start, stop, quiesce (D6) --------------------------------------------------- */

static int cs_parse_inject(const char *v)
{
	if (!strcmp(v, "none"))
		return 0;
	if (v[0] == 'd' && v[1] >= '1' && v[1] <= '7' && !v[2])
		return v[1] - '0';
	return -EINVAL;
}

/* A setting of -1 leaves the scenario's value; anything else must fit. */
static int cs_override(int *field, int param, const char *name, int lo, int hi)
{
	if (param == -1)
		return 0;
	if (param < lo || param > hi) {
		pr_err("%s=%d out of range %d..%d (-1: the scenario's value)\n",
		       name, param, lo, hi);
		return -EINVAL;
	}
	*field = param;
	return 0;
}

/* The scenario's mix, with every setting the user gave (not -1) on top. */
static int cs_resolve_mix(void)
{
	const struct cs_scenario *sc = NULL;
	int i;

	for (i = 0; i < ARRAY_SIZE(cs_scenarios); i++)
		if (!strcmp(scenario, cs_scenarios[i].name))
			sc = &cs_scenarios[i];
	if (!sc) {
		pr_err("scenario '%s' unknown: use default, seed000..seed004 or soak\n",
		       scenario);
		return -EINVAL;
	}
	cs.mix = *sc;
	if (cs_override(&cs.mix.alloc, alloc_threads, "alloc_threads", 0, 8) ||
	    cs_override(&cs.mix.isolate, isolate_threads, "isolate_threads", 0, 8) ||
	    cs_override(&cs.mix.hotplug, hotplug_threads, "hotplug_threads", 0, 1) ||
	    cs_override(&cs.mix.pcp, pcp_threads, "pcp_threads", 0, 8) ||
	    cs_override(&cs.mix.pin, pin_threads, "pin_threads", 0, 8) ||
	    cs_override(&cs.mix.max_pb, max_pageblocks, "max_pageblocks", 1, 64) ||
	    cs_override(&cs.mix.hold, hold_ms, "hold_ms", 0, 60000))
		return -EINVAL;
	i = cs_parse_inject(inject);
	if (i < 0) {
		pr_err("inject='%s' unknown: use none or d1..d7\n", inject);
		return -EINVAL;
	}
	cs.inject = i;
	return 0;
}

static void cs_release_leak(void)
{
	struct cs_area_state *s = cs.leaked_area;

	if (!cs.leaked)
		return;
	spin_lock(&s->lock);
	bitmap_clear(s->owned, page_to_pfn(cs.leaked) - s->a.base_pfn, cs.leaked_count);
	spin_unlock(&s->lock);
	p_cma_release(s->a.cma, cs.leaked, cs.leaked_count);
	cs.leaked = NULL;
}

/*
 * D6: with every worker stopped and every range released, nothing of ours
 * may remain: no CMA bitmap bit we set, no memory block left offline, no
 * pageblock left isolated, and D1-D3 hold with nothing in flight.
 */
static void cs_quiesce(void)
{
	long ram = totalram_pages();
	int i;

	for (i = 0; i < cs.nr_areas; i++) {
		struct cs_area_state *s = &cs.areas[i];
#ifdef CS_HAVE_MM_CMA_H
		unsigned long *now = bitmap_zalloc(s->a.count, GFP_KERNEL);
		unsigned long n, first;

		if (!now)
			continue;
		cs_cma_bitmap(s, now);
		bitmap_andnot(now, now, s->baseline, s->a.count);
		bitmap_and(now, now, s->ever, s->a.count);
		n = bitmap_weight(now, s->a.count);
		first = find_first_bit(now, s->a.count);
		bitmap_free(now);
		if (n)
			cs_violation(&cs.ctx, CS_D6_QUIESCE,
				     "after stop, CMA area %s bitmap still marks %lu page(s) we released, first pfn %#lx",
				     s->a.name, n, s->a.base_pfn + first);
#endif
		if (!cs.leaked && !bitmap_empty(s->owned, s->a.count))
			cs_violation(&cs.ctx, CS_D6_QUIESCE,
				     "after stop, area %s still has ranges marked held",
				     s->a.name);
	}
	if (ram != cs.totalram_start)
		cs_violation(&cs.ctx, CS_D6_QUIESCE,
			     "after stop, MemTotal %ld kB != %lu kB at start",
			     ram << (PAGE_SHIFT - 10),
			     cs.totalram_start << (PAGE_SHIFT - 10));
	cs_checked(&cs.ctx, CS_D6_QUIESCE);
	cs_audit_now(true);
}

static int cs_start(void)
{
	bool have_cma = p_cma_alloc && p_cma_release && cs.nr_areas;
	int i, ret, cpus = num_online_cpus();

	if (cs.running)
		return -EBUSY;
	ret = cs_resolve_mix();
	if (ret)
		return ret;
	cs_release_leak();
	cs_ctx_reset(&cs.ctx);
	if (cs.inject)
		cs.ctx.fail_word = "FAIL(injected)";
	atomic_long_set(&cs.alloc_ok, 0);
	atomic_long_set(&cs.alloc_fail, 0);
	atomic_long_set(&cs.released, 0);
	atomic_long_set(&cs.pages_allocated, 0);
	atomic_long_set(&cs.g2.frees, 0);
	atomic_long_set(&cs.g2.alloc_fail, 0);
	atomic_long_set(&cs.g5_cycles, 0);
	atomic_long_set(&cs.g6_allocs, 0);
	atomic_long_set(&cs.audits_pages, 0);
	atomic_long_set(&cs.audits_full, 0);
	atomic64_set(&cs.audit_ns, 0);
	cs_hotplug_reset(&cs.hp);
	cs.hp.veto_pct = veto_pct;
	cs.hp.offline_timeout_ms = offline_timeout_ms;
	cs.inj_state = 0;
	for (i = 0; i < cs.nr_areas; i++) {
		struct cs_area_state *s = &cs.areas[i];

		bitmap_zero(s->owned, s->a.count);
		bitmap_zero(s->ever, s->a.count);
#ifdef CS_HAVE_MM_CMA_H
		cs_cma_bitmap(s, s->baseline);
#endif
	}
	cs.totalram_start = totalram_pages();
	cs.start_jiffies = jiffies;
	cs_series_reset(&cs.series);
	cs.running = true;
	cs.ran = true;

	ret = cs_pool_spawn(&cs.pool, "auditor", 0, cs_auditor_thread, -1, false);
	for (i = 0; !ret && have_cma && i < cs.mix.alloc; i++)
		ret = cs_pool_spawn(&cs.pool, "g1_alloc", i, cs_g1_thread, -1, true);
	for (i = 0; !ret && i < cs.mix.isolate; i++)
		ret = cs_pool_spawn(&cs.pool, "g2_free_iso", i, cs_g2_thread, -1, true);
	for (i = 0; !ret && i < cs.mix.hotplug; i++)
		ret = cs_pool_spawn(&cs.pool, "g3_hotplug", i, cs_g3_thread, -1, true);
	for (i = 0; !ret && i < cs.mix.pcp * cpus; i++)
		ret = cs_pool_spawn(&cs.pool, "g5_pcp", i, cs_g5_thread,
				    cpumask_nth(i % cpus, cpu_online_mask), true);
	for (i = 0; !ret && i < cs.mix.pin; i++)
		ret = cs_pool_spawn(&cs.pool, "g6_pin", i, cs_g6_thread, -1, true);
	if (ret) {
		cs_pool_stop(&cs.pool);
		cs.running = false;
		return ret;
	}
	pr_info("start: scenario=%s g1=%d g2=%d g3=%d g5=%dx%d g6=%d max_pageblocks=%d hold_ms=%d duration=%us inject=%s\n",
		scenario, have_cma ? cs.mix.alloc : 0, cs.mix.isolate, cs.mix.hotplug,
		cs.mix.pcp, cpus, cs.mix.pin, cs.mix.max_pb, cs.mix.hold, duration, inject);
	return 0;
}

static void cs_stop_locked(void)
{
	if (!cs.running)
		return;
	cs_pool_stop(&cs.pool);
	cs_inject_undo();
	cs_quiesce();
	cs_series_reset_next(&cs.series);
	cs_series_sample(&cs.series, &cs.ctx, cs.totalcma, series_ms);
	cs.running = false;
	cs.stop_jiffies = jiffies;
	pr_info("stop: after %us, %ld violation(s): %s\n",
		jiffies_to_msecs(cs.stop_jiffies - cs.start_jiffies) / 1000,
		cs_total_violations(&cs.ctx),
		cs_total_violations(&cs.ctx) ? "FAIL" : "PASS");
}

static void cs_stop_work_fn(struct work_struct *work)
{
	mutex_lock(&cs.lock);
	cs_stop_locked();
	mutex_unlock(&cs.lock);
}

/* ---- debugfs ------------------------------------------------------------------------ */

static const struct cs_setting cs_settings[] = {
	{ "scenario", scenario, 's', sizeof(scenario) },
	{ "alloc_threads", &alloc_threads, 'i' },
	{ "isolate_threads", &isolate_threads, 'i' },
	{ "hotplug_threads", &hotplug_threads, 'i' },
	{ "pcp_threads", &pcp_threads, 'i' },
	{ "pin_threads", &pin_threads, 'i' },
	{ "max_pageblocks", &max_pageblocks, 'i' },
	{ "hold_ms", &hold_ms, 'i' },
	{ "duration", &duration, 'u' },
	{ "audit_ms", &audit_ms, 'u' },
	{ "freelist_ms", &freelist_ms, 'u' },
	{ "stall_s", &stall_s, 'u' },
	{ "offline_timeout_ms", &offline_timeout_ms, 'u' },
	{ "veto_pct", &veto_pct, 'u' },
	{ "areas", areas, 's', sizeof(areas) },
	{ "inject", inject, 's', sizeof(inject) },
	{ "stop_on_fail", &stop_on_fail, 'b' },
	{ "bare", &bare, 'b' },
	{ "series_ms", &series_ms, 'u' },
};

static int cs_check_uints(void)
{
	if (audit_ms < 1 || audit_ms > 10000 || freelist_ms < 10 ||
	    freelist_ms > 60000 || stall_s < 1 || veto_pct > 100 ||
	    offline_timeout_ms < 10 || series_ms < 10) {
		pr_err("setting out of range: audit_ms 1..10000, freelist_ms 10..60000, stall_s >= 1, veto_pct 0..100, offline_timeout_ms >= 10, series_ms >= 10\n");
		return -EINVAL;
	}
	return 0;
}

static int cs_validate(void)
{
	int ret = cs_check_uints();

	return ret ? ret : cs_resolve_mix();
}

static bool cs_running(void)
{
	return cs.running;
}

static void cs_audit_cmd(void)
{
	cs_audit_now(!cs.running);
}

static void cs_reset_cmd(void)
{
	cs_ctx_reset(&cs.ctx);
}

static const struct cs_control cs_control = {
	.name = "cma_stress",
	.lock = &cs.lock,
	.settings = cs_settings,
	.nr_settings = ARRAY_SIZE(cs_settings),
	.validate = cs_validate,
	.running = cs_running,
	.start = cs_start,
	.stop = cs_stop_locked,
	.audit = cs_audit_cmd,
	.reset = cs_reset_cmd,
};

/*
 * Throughput and audit cost, for the bench: G1 pairs per second, and the
 * mean time of one full audit (D2 free lists + D3 pageblocks) per GiB of
 * zone memory it covered.
 */
static void cs_show_rates(struct seq_file *m)
{
	unsigned long span = 0, ms;
	long audits = atomic_long_read(&cs.audits_full);
	struct zone *zone;

	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone))
		span += zone->spanned_pages;
	ms = cs.ran ? jiffies_to_msecs((cs.running ? jiffies : cs.stop_jiffies) -
				       cs.start_jiffies) : 0;
	seq_printf(m, "g1_pairs_per_s: %lu\n",
		   ms ? atomic_long_read(&cs.released) * 1000 / ms : 0);
	seq_printf(m, "audit_full_count: %ld\n", audits);
	seq_printf(m, "audit_full_us_mean: %llu\n",
		   audits ? div64_u64(atomic64_read(&cs.audit_ns), audits * 1000) : 0);
	seq_printf(m, "audit_us_per_gib: %llu\n",
		   audits && span ? div64_u64(atomic64_read(&cs.audit_ns) << (30 - PAGE_SHIFT),
					      (u64)audits * span * 1000) : 0);
}

static void cs_show_counters(struct seq_file *m)
{
	seq_printf(m, "g1_alloc_ok: %ld\n", atomic_long_read(&cs.alloc_ok));
	seq_printf(m, "g1_alloc_fail: %ld\n", atomic_long_read(&cs.alloc_fail));
	seq_printf(m, "g1_released: %ld\n", atomic_long_read(&cs.released));
	seq_printf(m, "g1_pages_allocated: %ld\n", atomic_long_read(&cs.pages_allocated));
	seq_printf(m, "g2_frees: %ld\n", atomic_long_read(&cs.g2.frees));
	seq_printf(m, "g2_alloc_fail: %ld\n", atomic_long_read(&cs.g2.alloc_fail));
	cs_report_hotplug(m, &cs.hp);
	seq_printf(m, "g5_pcp_bursts: %ld\n", atomic_long_read(&cs.g5_cycles));
	seq_printf(m, "g6_pin_allocs: %ld\n", atomic_long_read(&cs.g6_allocs));
	seq_printf(m, "audit_pages_walked: %ld\n", atomic_long_read(&cs.audits_pages));
	cs_show_rates(m);
}

static const char *cs_state(void)
{
	return cs.running ? "running" : cs.ran ? "stopped" : "idle";
}

static unsigned int cs_elapsed_s(void)
{
	if (!cs.ran)
		return 0;
	return jiffies_to_msecs((cs.running ? jiffies : cs.stop_jiffies) -
				cs.start_jiffies) / 1000;
}

static int cs_report_show(struct seq_file *m, void *v)
{
	int i;

	mutex_lock(&cs.lock);
	cs_report_head(m, "cma_stress", cs_state(), cs_elapsed_s());
	seq_printf(m, "scenario: %s\n", scenario);
	seq_printf(m, "settings: g1=%d g2=%d g3=%d g5=%d g6=%d max_pageblocks=%d hold_ms=%d duration=%u audit_ms=%u freelist_ms=%u stall_s=%u stop_on_fail=%d bare=%d inject=%s\n",
		   cs.mix.alloc, cs.mix.isolate, cs.mix.hotplug, cs.mix.pcp,
		   cs.mix.pin, cs.mix.max_pb, cs.mix.hold, duration, audit_ms,
		   freelist_ms, stall_s, stop_on_fail, bare, inject);
	cs_report_geometry(m);
	seq_printf(m, "cma_total_kb: %lu\n", cs.totalcma << (PAGE_SHIFT - 10));
	seq_printf(m, "areas: %d\n", cs.nr_areas);
	for (i = 0; i < cs.nr_areas; i++)
		seq_printf(m, "area_%d: %s base_pfn=%#lx pages=%lu zone=%s\n", i,
			   cs.areas[i].a.name, cs.areas[i].a.base_pfn,
			   cs.areas[i].a.count,
			   cs.areas[i].a.zone ? cs.areas[i].a.zone->name : "?");
	cs_show_counters(m);
	cs_report_tail(&cs.ctx, m);
	mutex_unlock(&cs.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cs_report);

/* Live numbers only, cheap enough to poll while running. */
static int cs_stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "state: %s\n", cs_state());
	seq_printf(m, "elapsed_s: %u\n", cs_elapsed_s());
	cs_show_counters(m);
	cs_report_live(&cs.ctx, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cs_stats);

static int cs_areas_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < cs.nr_areas; i++)
		seq_printf(m, "%s base_pfn=%#lx pages=%lu zone=%s\n",
			   cs.areas[i].a.name, cs.areas[i].a.base_pfn,
			   cs.areas[i].a.count,
			   cs.areas[i].a.zone ? cs.areas[i].a.zone->name : "?");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cs_areas);

static int cs_series_file_show(struct seq_file *m, void *v)
{
	cs_series_show(&cs.series, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cs_series_file);

/* ---- load and unload ---------------------------------------------------------------- */

static int __init cs_init(void)
{
	int ret;

	mutex_init(&cs.lock);
	cs.pool.owner = "cma_stress";
	cs_ctx_init(&cs.ctx, "cma_stress");
	INIT_WORK(&cs.stop_work, cs_stop_work_fn);
	ret = cs_resolve_mix();
	if (!ret)
		ret = cs_check_uints();
	if (ret)
		return ret;

	cs_resolve("cma_stress", cs_syms, ARRAY_SIZE(cs_syms));
	if (p_cma_for_each_area && p_cma_get_base && p_cma_get_size && p_cma_get_name)
		ret = p_cma_for_each_area(cs_area_cb, NULL);
	if (!ret)
		ret = cs_series_init(&cs.series, CS_SERIES_ROWS);
	if (ret) {
		cs_free_areas();
		return ret;
	}
	if (!cs.nr_areas)
		pr_warn("no usable CMA area (none declared, none named '%s', or discovery unresolved): G1, D4 and D6's bitmap check are disabled\n",
			areas);
	if (!cs.nr_areas || !p_cma_alloc || !p_cma_release)
		cs.ctx.disabled[CS_D4_OWNERSHIP] =
			"no CMA area or cma_alloc/cma_release unresolved";
	if (!cs_can_read_pageblocks()) {
		cs.ctx.disabled[CS_D3_PAGEBLOCK] = "get_pfnblock_flags_mask unresolved";
		cs.ctx.disabled[CS_D2_FREELIST] =
			"list-vs-pageblock type checks off: get_pfnblock_flags_mask unresolved";
	}
#ifndef CS_HAVE_MM_CMA_H
	cs.ctx.disabled[CS_D6_QUIESCE] =
		"CMA bitmap check off: built without mm/cma.h (headers-only tree)";
#endif

	cs.dir = debugfs_create_dir("cma_stress", NULL);
	debugfs_create_file("control", 0200, cs.dir, (void *)&cs_control,
			    &cs_control_fops);
	debugfs_create_file("report", 0400, cs.dir, NULL, &cs_report_fops);
	debugfs_create_file("stats", 0400, cs.dir, NULL, &cs_stats_fops);
	debugfs_create_file("areas", 0400, cs.dir, NULL, &cs_areas_fops);
	debugfs_create_file("series", 0400, cs.dir, NULL, &cs_series_file_fops);
	pr_info("loaded: %d CMA area(s), %lu kB CMA in all, scenario %s\n",
		cs.nr_areas, cs.totalcma << (PAGE_SHIFT - 10), scenario);

	if (run_on_load) {
		mutex_lock(&cs.lock);
		ret = cs_start();
		mutex_unlock(&cs.lock);
		if (ret) {
			debugfs_remove_recursive(cs.dir);
			cs_series_free(&cs.series);
			cs_free_areas();
			return ret;
		}
	}
	return 0;
}

static void __exit cs_exit(void)
{
	debugfs_remove_recursive(cs.dir);
	cancel_work_sync(&cs.stop_work);
	mutex_lock(&cs.lock);
	cs_stop_locked();
	cs_release_leak();
	mutex_unlock(&cs.lock);
	cs_series_free(&cs.series);
	cs_free_areas();
}

module_init(cs_init);
module_exit(cs_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Concurrent CMA stress with live free-page accounting audits");
