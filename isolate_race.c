// SPDX-License-Identifier: GPL-2.0
/*
 * isolate_race: pageblock isolation racer for any kernel with
 * CONFIG_CONTIG_ALLOC and memory hotplug, CMA or not (Debian's stock
 * kernels have no CMA, yet memory offline, virtio-mem and gigantic pages
 * all isolate pageblocks the way cma_alloc() does).
 *
 * G4 racers call alloc_contig_range() on ranges that are pageblock aligned
 * but mostly not MAX_ORDER aligned, of one to several pageblocks, placed
 * at zone edges, memory block edges and CMA area edges: some succeed, many
 * fail (unmovable pages, CMA blocks under a MOVABLE request), and both
 * outcomes must leave nothing isolated behind. G3 offlines and onlines
 * memory blocks on and next to those ranges, with offlines that a memory
 * notifier refuses after isolation or that get interrupted (seed 001's
 * bugs lived in those error paths); G2 frees buddies into the isolation
 * windows (seed 000's CC -> IC -> II window, with MOVABLE for CMA).
 *
 * Audits are cs_core's: D1 counters, D2 free lists, D3 pageblock types
 * (plus: no pageblock of a finished range left ISOLATE), D4 on every
 * range obtained, D6 quiesce, D7 liveness. Driven through
 * /sys/kernel/debug/isolate_race/ like cma_stress.
 */
#define pr_fmt(fmt) "isolate_race: " fmt

#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/workqueue.h>
#include "cs_core.h"
#include "cs_compat.h"

static int racer_threads = 2;
module_param(racer_threads, int, 0444);
MODULE_PARM_DESC(racer_threads, "G4 alloc_contig_range racer threads");
static int isolate_threads = 1;
module_param(isolate_threads, int, 0444);
MODULE_PARM_DESC(isolate_threads, "G2 free-while-isolating threads");
static int hotplug_threads = 1;
module_param(hotplug_threads, int, 0444);
MODULE_PARM_DESC(hotplug_threads, "G3 memory block offline/online threads (0 or 1)");
static int max_pageblocks = 4;
module_param(max_pageblocks, int, 0444);
MODULE_PARM_DESC(max_pageblocks, "G4 largest range, in pageblocks");
static int hold_ms = 20;
module_param(hold_ms, int, 0444);
MODULE_PARM_DESC(hold_ms, "G4 longest hold of a range obtained, ms");
static unsigned int duration;
module_param(duration, uint, 0444);
MODULE_PARM_DESC(duration, "seconds to run after start, 0 = until stop");
static bool run_on_load;
module_param(run_on_load, bool, 0444);
MODULE_PARM_DESC(run_on_load, "start at load (for a kernel command line)");
static bool stop_on_fail;
module_param(stop_on_fail, bool, 0444);
MODULE_PARM_DESC(stop_on_fail, "stop at the first violation");
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
static unsigned int series_ms = 250;
module_param(series_ms, uint, 0444);
MODULE_PARM_DESC(series_ms, "time series sample period, ms (debugfs series)");
static unsigned int veto_pct = 20;
module_param(veto_pct, uint, 0444);
MODULE_PARM_DESC(veto_pct, "G3: percent of offlines a memory notifier refuses");

static struct {
	struct mutex lock;		/* start/stop/settings */
	struct cs_ctx ctx;
	struct cs_pool pool;
	struct cs_series series;
	struct cs_area areas[CS_MAX_AREAS];	/* CMA runs, found at start */
	int nr_areas;
	unsigned long totalcma;
	unsigned long totalram_start;
	bool running, ran;
	unsigned long start_jiffies, stop_jiffies;
	atomic_t inflight;		/* isolations of ours in flight (for G2) */
	unsigned long last_pfn;		/* G3 aims next to the racers */
	struct work_struct stop_work;
	struct dentry *dir;
	struct cs_g2_stats g2;
	struct cs_hotplug hp;
	atomic_long_t ok, busy, intr, nomem, other, pages, leftover_checks, clash;
	int last_other;
} ir;

/* ---- who is isolating what ------------------------------------------------ */

/*
 * Every isolation of ours (a racer's alloc_contig_range(), a G3 offline)
 * registers its range here while in flight, and in a short history. A
 * pageblock found ISOLATE in a finished range is a leftover only if no
 * other isolation of ours touched that range meanwhile.
 */
#define IR_SLOTS 16
#define IR_HIST 64

struct ir_range {
	unsigned long start, end;
};

static struct {
	spinlock_t lock;			/* all of iso */
	struct ir_range active[IR_SLOTS];	/* end == 0: free slot */
	bool racer[IR_SLOTS];
	struct ir_range hist[IR_HIST];
	unsigned long seq;			/* registrations so far */
} iso = { .lock = __SPIN_LOCK_UNLOCKED(iso.lock) };

static bool ir_overlaps(const struct ir_range *r, unsigned long start,
			unsigned long end)
{
	return r->end && r->start < end && start < r->end;
}

/*
 * alloc_contig_range()'s contract: "it's the caller's responsibility to
 * guarantee that we are the only thread that changes migrate type of
 * pageblocks the pages fall in", and it reaches out to the MAX_ORDER
 * block around each end. So racers never overlap each other's MAX_ORDER
 * neighbourhood (CMA's cma_mutex gives cma_alloc() the same guarantee);
 * memory offline racing them is the kernel's business, and the point.
 */
static bool ir_iso_racer_clash(unsigned long start, unsigned long end)
{
	unsigned long s = ALIGN_DOWN(start, MAX_ORDER_NR_PAGES);
	unsigned long e = ALIGN(end, MAX_ORDER_NR_PAGES);
	int i;

	for (i = 0; i < IR_SLOTS; i++)
		if (iso.racer[i] && ir_overlaps(&iso.active[i], s, e))
			return true;
	return false;
}

/* Register an isolation; -EBUSY if a racer would break the contract. */
static int ir_iso_begin(unsigned long start, unsigned long end, bool racer)
{
	int i, slot = -1;

	spin_lock(&iso.lock);
	if (racer && ir_iso_racer_clash(start, end)) {
		spin_unlock(&iso.lock);
		return -EBUSY;
	}
	for (i = 0; i < IR_SLOTS && slot < 0; i++)
		if (!iso.active[i].end)
			slot = i;
	if (slot >= 0) {
		iso.active[slot] = (struct ir_range){ start, end };
		iso.racer[slot] = racer;
	}
	iso.hist[iso.seq++ % IR_HIST] = (struct ir_range){ start, end };
	spin_unlock(&iso.lock);
	atomic_inc(&ir.inflight);
	return slot;
}

static void ir_iso_end(int slot)
{
	atomic_dec(&ir.inflight);
	if (slot < 0)
		return;	/* no free slot: only the history has it */
	spin_lock(&iso.lock);
	iso.active[slot].end = 0;
	spin_unlock(&iso.lock);
}

/* No isolation of ours on [start, end) now, nor registered since @since. */
static bool ir_iso_untouched(unsigned long start, unsigned long end,
			     unsigned long since)
{
	bool untouched = true;
	unsigned long q;
	int i;

	spin_lock(&iso.lock);
	for (i = 0; i < IR_SLOTS; i++)
		if (ir_overlaps(&iso.active[i], start, end))
			untouched = false;
	if (iso.seq - since > IR_HIST)
		untouched = false;	/* history lost: cannot tell */
	for (q = since; untouched && q < iso.seq; q++)
		if (ir_overlaps(&iso.hist[q % IR_HIST], start, end))
			untouched = false;
	spin_unlock(&iso.lock);
	return untouched;
}

/* ---- G4: the racers ------------------------------------------------------ */

/* A populated zone, ZONE_MOVABLE weighted double (ranges there can succeed). */
static struct zone *ir_pick_zone(void)
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
 * A range in one zone, pageblock aligned, next to an edge: the zone's
 * ends, a memory block boundary, a CMA area boundary (or straddling it),
 * or anywhere. Mostly not MAX_ORDER aligned, so isolation must split or
 * migrate pages that cross the range's ends.
 */
static bool ir_pick_range(unsigned long *startp, unsigned long *nrp)
{
	struct zone *zone = ir_pick_zone();
	unsigned long pb = pageblock_nr_pages, nr, start, zs, ze, mb;
	unsigned int r = cs_rand(100);

	if (!zone)
		return false;
	zs = ALIGN(zone->zone_start_pfn, pb);
	ze = ALIGN_DOWN(zone_end_pfn(zone), pb);
	nr = pb * (1 + cs_rand(max_pageblocks));
	if (ze <= zs || ze - zs < nr)
		return false;
	mb = cs_memblock_pages();
	if (r < 15) {
		start = zs;
	} else if (r < 30) {
		start = ze - nr;
	} else if (r < 60) {
		start = ALIGN(zs + cs_rand(ze - zs), mb) - pb * cs_rand(2 * (nr / pb) + 1);
	} else if (r < 80 && ir.nr_areas) {
		const struct cs_area *a = &ir.areas[cs_rand(ir.nr_areas)];
		unsigned long edge = cs_rand(2) ? a->base_pfn : a->base_pfn + a->count;

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
static void ir_check_leftover(unsigned long start, unsigned long nr)
{
	unsigned long pfn, found = 0, since;

	if (!cs_can_read_pageblocks())
		return;
	spin_lock(&iso.lock);
	since = iso.seq;
	spin_unlock(&iso.lock);
	if (!ir_iso_untouched(start, start + nr, since))
		return;
	for (pfn = start; pfn < start + nr; pfn += pageblock_nr_pages)
		if (pfn_to_online_page(pfn) && cs_pageblock_mt(pfn) == MIGRATE_ISOLATE) {
			found = pfn;
			break;
		}
	if (found && ir_iso_untouched(start, start + nr, since))
		cs_violation(&ir.ctx, CS_D3_PAGEBLOCK,
			     "alloc_contig_range [%#lx+%lu] returned, pageblock %#lx still isolated",
			     start, nr, found);
	atomic_long_inc(&ir.leftover_checks);
}

static u64 ir_pattern(unsigned long pfn, unsigned int word)
{
	return ((u64)pfn << 16 ^ 0x5bd1e9955bd1e995ULL) + word;
}

/* D4 on a range alloc_contig_range() handed us, then hold and verify. */
static void ir_hold(struct cs_worker *w, unsigned long start, unsigned long nr)
{
	unsigned long i;
	unsigned int word;
	long bad;

	bad = cs_find_foreign_ref(start, nr, CS_FOREIGN_REF_WAIT_MS);
	if (bad >= 0) {
		cs_violation(&ir.ctx, CS_D4_OWNERSHIP,
			     "alloc_contig_range handed out pfn %#lx with refcount %d buddy %d",
			     start + bad, page_count(pfn_to_page(start + bad)),
			     PageBuddy(pfn_to_page(start + bad)));
		return;
	}
	for (i = 0; i < nr; i++) {
		u64 *p = kmap_local_page(pfn_to_page(start + i));

		for (word = 0; word < PAGE_SIZE / 8; word += 64)
			p[word] = ir_pattern(start + i, word);
		kunmap_local(p);
	}
	cs_progress(w, "holding", start);
	msleep_interruptible(cs_rand(hold_ms + 1));
	for (i = 0; i < nr; i++) {
		u64 *p = kmap_local_page(pfn_to_page(start + i));

		for (word = 0; word < PAGE_SIZE / 8; word += 64)
			if (p[word] != ir_pattern(start + i, word))
				break;
		kunmap_local(p);
		if (word < PAGE_SIZE / 8) {
			cs_violation(&ir.ctx, CS_D4_OWNERSHIP,
				     "range [%#lx+%lu] overwritten at pfn %#lx while we held it",
				     start, nr, start + i);
			break;
		}
	}
	/* Before the free: no lasting reference but ours. */
	bad = cs_find_foreign_ref(start, nr, CS_FOREIGN_REF_WAIT_MS);
	if (bad >= 0)
		cs_violation(&ir.ctx, CS_D4_OWNERSHIP,
			     "before free_contig_range: pfn %#lx of [%#lx+%lu] has refcount %d buddy %d",
			     start + bad, start, nr, page_count(pfn_to_page(start + bad)),
			     PageBuddy(pfn_to_page(start + bad)));
	cs_checked(&ir.ctx, CS_D4_OWNERSHIP);
}

/*
 * What free_contig_range() does, one put per page, without its "pages are
 * still in use" WARN: a speculative reference (a pfn walker, a stale
 * lookup that folio_try_get()s a page just reused) may appear after D4's
 * check; put_page semantics let its holder free the page later, as the
 * kernel intends. A reference that stays is D4's to report.
 */
static void ir_free_range(unsigned long start, unsigned long nr)
{
	unsigned long pfn;

	for (pfn = start; pfn < start + nr; pfn++)
		__free_page(pfn_to_page(pfn));
}

static int ir_racer_thread(void *arg)
{
	struct cs_worker *w = arg;
	unsigned long start, nr;
	int ret, slot;

	while (!kthread_should_stop()) {
		if (!ir_pick_range(&start, &nr)) {
			cs_progress(w, "idle", 0);
			msleep_interruptible(5);
			continue;
		}
		WRITE_ONCE(ir.last_pfn, start);
		cs_progress(w, "alloc_contig_range", start);
		slot = ir_iso_begin(start, start + nr, true);
		if (slot == -EBUSY) {
			atomic_long_inc(&ir.clash);
			usleep_range(100, 200);
			continue;
		}
		ret = cs_alloc_contig_range(start, start + nr, MIGRATE_MOVABLE,
					    GFP_KERNEL | __GFP_NOWARN);
		ir_iso_end(slot);
		cs_event(&ir.ctx, CS_OP_ISOLATE, start, nr, ret);
		if (!ret) {
			atomic_long_inc(&ir.ok);
			atomic_long_add(nr, &ir.pages);
			ir_hold(w, start, nr);
			cs_progress(w, "free", start);
			ir_free_range(start, nr);
			cs_event(&ir.ctx, CS_OP_RELEASE, start, nr, 0);
		} else if (ret == -EBUSY) {
			atomic_long_inc(&ir.busy);
		} else if (ret == -EINTR) {
			atomic_long_inc(&ir.intr);
		} else if (ret == -ENOMEM) {
			atomic_long_inc(&ir.nomem);
		} else {
			atomic_long_inc(&ir.other);
			WRITE_ONCE(ir.last_other, ret);
		}
		ir_check_leftover(start, nr);
		cond_resched();
	}
	return 0;
}

/* ---- G2 and G3 (cs_core) --------------------------------------------------- */

static int ir_g2_thread(void *arg)
{
	struct cs_worker *w = arg;

	while (!kthread_should_stop()) {
		cs_g2_batch(&ir.ctx, w, &ir.inflight, &ir.g2);
		cond_resched();
	}
	return 0;
}

/* A ZONE_MOVABLE block: often the racers' latest, or next to it. */
static unsigned long ir_pick_block(void)
{
	unsigned long nr = cs_memblock_count(), b;
	int tries;

	for (tries = 0; tries < 64; tries++) {
		struct zone *z;

		if (cs_rand(100) < 40)
			b = READ_ONCE(ir.last_pfn) / cs_memblock_pages() + cs_rand(3) - 1;
		else
			b = cs_rand(nr);
		z = b < nr ? cs_memblock_zone(b) : NULL;
		if (z && zone_idx(z) == ZONE_MOVABLE)
			return b;
	}
	return ULONG_MAX;
}

static int ir_g3_thread(void *arg)
{
	struct cs_worker *w = arg;

	while (!kthread_should_stop()) {
		unsigned long block = ir_pick_block();

		if (block != ULONG_MAX) {
			unsigned long pfn = block * cs_memblock_pages();
			int slot = ir_iso_begin(pfn, pfn + cs_memblock_pages(), false);

			cs_hotplug_cycle(&ir.ctx, &ir.hp, w, block);
			ir_iso_end(slot);
		}
		cs_progress(w, "idle", 0);
		msleep_interruptible(10 + cs_rand(100));
	}
	return 0;
}

/* ---- auditor, start, stop, quiesce ---------------------------------------- */

static void ir_audit_full(bool quiet)
{
	cs_audit_counters(&ir.ctx, ir.totalcma);
	cs_audit_freelists(&ir.ctx);
	cs_audit_pageblocks(&ir.ctx, ir.areas, ir.nr_areas, quiet);
	cs_event(&ir.ctx, CS_OP_AUDIT, 0, 0, quiet);
}

static int ir_auditor_thread(void *arg)
{
	struct cs_worker *w = arg;
	unsigned long next_full = jiffies, next_live = jiffies + HZ;

	while (!kthread_should_stop()) {
		cs_progress(w, "audit", 0);
		cs_series_sample(&ir.series, &ir.ctx, ir.totalcma, series_ms);
		cs_audit_counters(&ir.ctx, ir.totalcma);
		if (time_after_eq(jiffies, next_full)) {
			cs_audit_freelists(&ir.ctx);
			cs_audit_pageblocks(&ir.ctx, ir.areas, ir.nr_areas, false);
			next_full = jiffies + msecs_to_jiffies(freelist_ms);
		}
		if (time_after_eq(jiffies, next_live)) {
			cs_pool_liveness(&ir.ctx, &ir.pool, stall_s);
			next_live = jiffies + HZ;
		}
		if ((duration && time_after(jiffies, ir.start_jiffies + duration * HZ)) ||
		    (stop_on_fail && cs_total_violations(&ir.ctx)))
			schedule_work(&ir.stop_work);
		msleep_interruptible(audit_ms);
	}
	return 0;
}

static int ir_validate(void)
{
	if (racer_threads < 0 || racer_threads > 8 || isolate_threads < 0 ||
	    isolate_threads > 8 || hotplug_threads < 0 || hotplug_threads > 1 ||
	    max_pageblocks < 1 || max_pageblocks > 64 || hold_ms < 0 ||
	    hold_ms > 60000 || audit_ms < 1 || audit_ms > 10000 ||
	    freelist_ms < 10 || freelist_ms > 60000 || stall_s < 1 ||
	    veto_pct > 100 || offline_timeout_ms < 10 || series_ms < 10) {
		pr_err("setting out of range: racer_threads 0..8, isolate_threads 0..8, hotplug_threads 0..1, max_pageblocks 1..64, hold_ms 0..60000, audit_ms 1..10000, freelist_ms 10..60000, stall_s >= 1, veto_pct 0..100, offline_timeout_ms >= 10, series_ms >= 10\n");
		return -EINVAL;
	}
	return 0;
}

static void ir_quiesce(void)
{
	long ram = totalram_pages();

	if (ram != ir.totalram_start)
		cs_violation(&ir.ctx, CS_D6_QUIESCE,
			     "after stop, MemTotal %ld kB != %lu kB at start",
			     ram << (PAGE_SHIFT - 10), ir.totalram_start << (PAGE_SHIFT - 10));
	cs_checked(&ir.ctx, CS_D6_QUIESCE);
	ir_audit_full(true);
}

static void ir_stop_locked(void)
{
	if (!ir.running)
		return;
	cs_pool_stop(&ir.pool);
	ir_quiesce();
	cs_series_reset_next(&ir.series);
	cs_series_sample(&ir.series, &ir.ctx, ir.totalcma, series_ms);
	ir.running = false;
	ir.stop_jiffies = jiffies;
	pr_info("stop: after %us, %ld violation(s): %s\n",
		jiffies_to_msecs(ir.stop_jiffies - ir.start_jiffies) / 1000,
		cs_total_violations(&ir.ctx),
		cs_total_violations(&ir.ctx) ? "FAIL" : "PASS");
}

static void ir_stop_work_fn(struct work_struct *work)
{
	mutex_lock(&ir.lock);
	ir_stop_locked();
	mutex_unlock(&ir.lock);
}

static int ir_start(void)
{
	int i, ret;

	if (ir.running)
		return -EBUSY;
	ret = ir_validate();
	if (ret)
		return ret;
	cs_ctx_reset(&ir.ctx);
	cs_hotplug_reset(&ir.hp);
	ir.hp.veto_pct = veto_pct;
	ir.hp.offline_timeout_ms = offline_timeout_ms;
	atomic_long_set(&ir.g2.frees, 0);
	atomic_long_set(&ir.g2.alloc_fail, 0);
	atomic_long_set(&ir.ok, 0);
	atomic_long_set(&ir.busy, 0);
	atomic_long_set(&ir.intr, 0);
	atomic_long_set(&ir.nomem, 0);
	atomic_long_set(&ir.other, 0);
	atomic_long_set(&ir.pages, 0);
	atomic_long_set(&ir.leftover_checks, 0);
	atomic_long_set(&ir.clash, 0);
	ir.last_other = 0;
	/* Quiet now: CMA runs are whole, no block of ours is isolated. */
	ir.nr_areas = cs_find_cma_runs(ir.areas, CS_MAX_AREAS);
	ir.totalcma = 0;
	for (i = 0; i < ir.nr_areas; i++)
		ir.totalcma += ir.areas[i].count;
	ir.totalram_start = totalram_pages();
	ir.start_jiffies = jiffies;
	cs_series_reset(&ir.series);
	ir.running = true;
	ir.ran = true;

	ret = cs_pool_spawn(&ir.pool, "ir_auditor", 0, ir_auditor_thread, -1, false);
	for (i = 0; !ret && i < racer_threads; i++)
		ret = cs_pool_spawn(&ir.pool, "g4_racer", i, ir_racer_thread, -1, true);
	for (i = 0; !ret && i < isolate_threads; i++)
		ret = cs_pool_spawn(&ir.pool, "g2_free_iso", i, ir_g2_thread, -1, true);
	for (i = 0; !ret && i < hotplug_threads; i++)
		ret = cs_pool_spawn(&ir.pool, "g3_hotplug", i, ir_g3_thread, -1, true);
	if (ret) {
		cs_pool_stop(&ir.pool);
		ir.running = false;
		return ret;
	}
	pr_info("start: racers=%d g2=%d g3=%d max_pageblocks=%d duration=%us cma_runs=%d\n",
		racer_threads, isolate_threads, hotplug_threads, max_pageblocks,
		duration, ir.nr_areas);
	return 0;
}

/* ---- debugfs ------------------------------------------------------------------ */

static const struct cs_setting ir_settings[] = {
	{ "racer_threads", &racer_threads, 'i' },
	{ "isolate_threads", &isolate_threads, 'i' },
	{ "hotplug_threads", &hotplug_threads, 'i' },
	{ "max_pageblocks", &max_pageblocks, 'i' },
	{ "hold_ms", &hold_ms, 'i' },
	{ "duration", &duration, 'u' },
	{ "audit_ms", &audit_ms, 'u' },
	{ "freelist_ms", &freelist_ms, 'u' },
	{ "stall_s", &stall_s, 'u' },
	{ "offline_timeout_ms", &offline_timeout_ms, 'u' },
	{ "veto_pct", &veto_pct, 'u' },
	{ "stop_on_fail", &stop_on_fail, 'b' },
	{ "series_ms", &series_ms, 'u' },
};

static bool ir_running(void)
{
	return ir.running;
}

static void ir_audit_cmd(void)
{
	ir_audit_full(!ir.running);
}

static void ir_reset_cmd(void)
{
	cs_ctx_reset(&ir.ctx);
}

static const struct cs_control ir_control = {
	.name = "isolate_race",
	.lock = &ir.lock,
	.settings = ir_settings,
	.nr_settings = ARRAY_SIZE(ir_settings),
	.validate = ir_validate,
	.running = ir_running,
	.start = ir_start,
	.stop = ir_stop_locked,
	.audit = ir_audit_cmd,
	.reset = ir_reset_cmd,
};

static const char *ir_state(void)
{
	return ir.running ? "running" : ir.ran ? "stopped" : "idle";
}

static unsigned int ir_elapsed_s(void)
{
	if (!ir.ran)
		return 0;
	return jiffies_to_msecs((ir.running ? jiffies : ir.stop_jiffies) -
				ir.start_jiffies) / 1000;
}

static void ir_show_counters(struct seq_file *m)
{
	seq_printf(m, "g4_contig_ok: %ld\n", atomic_long_read(&ir.ok));
	seq_printf(m, "g4_contig_busy: %ld\n", atomic_long_read(&ir.busy));
	seq_printf(m, "g4_contig_interrupted: %ld\n", atomic_long_read(&ir.intr));
	seq_printf(m, "g4_contig_nomem: %ld\n", atomic_long_read(&ir.nomem));
	seq_printf(m, "g4_contig_other: %ld (last %d)\n",
		   atomic_long_read(&ir.other), READ_ONCE(ir.last_other));
	seq_printf(m, "g4_pages_obtained: %ld\n", atomic_long_read(&ir.pages));
	seq_printf(m, "g4_leftover_checks: %ld\n", atomic_long_read(&ir.leftover_checks));
	seq_printf(m, "g4_skipped_neighbour_racer: %ld\n", atomic_long_read(&ir.clash));
	seq_printf(m, "g2_frees: %ld\n", atomic_long_read(&ir.g2.frees));
	seq_printf(m, "g2_alloc_fail: %ld\n", atomic_long_read(&ir.g2.alloc_fail));
	cs_report_hotplug(m, &ir.hp);
}

static int ir_report_show(struct seq_file *m, void *v)
{
	int i;

	mutex_lock(&ir.lock);
	cs_report_head(m, "isolate_race", ir_state(), ir_elapsed_s());
	seq_printf(m, "settings: racers=%d g2=%d g3=%d max_pageblocks=%d hold_ms=%d duration=%u audit_ms=%u freelist_ms=%u stall_s=%u stop_on_fail=%d\n",
		   racer_threads, isolate_threads, hotplug_threads, max_pageblocks,
		   hold_ms, duration, audit_ms, freelist_ms, stall_s, stop_on_fail);
	cs_report_geometry(m);
	seq_printf(m, "cma_runs: %d\n", ir.nr_areas);
	for (i = 0; i < ir.nr_areas; i++)
		seq_printf(m, "cma_run_%d: base_pfn=%#lx pages=%lu\n", i,
			   ir.areas[i].base_pfn, ir.areas[i].count);
	ir_show_counters(m);
	cs_report_tail(&ir.ctx, m);
	mutex_unlock(&ir.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ir_report);

static int ir_stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "state: %s\n", ir_state());
	seq_printf(m, "elapsed_s: %u\n", ir_elapsed_s());
	ir_show_counters(m);
	cs_report_live(&ir.ctx, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ir_stats);

static int ir_series_show(struct seq_file *m, void *v)
{
	cs_series_show(&ir.series, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ir_series);

/* ---- load and unload -------------------------------------------------------- */

static int __init ir_init(void)
{
	int ret;

	mutex_init(&ir.lock);
	ir.pool.owner = "isolate_race";
	cs_ctx_init(&ir.ctx, "isolate_race");
	INIT_WORK(&ir.stop_work, ir_stop_work_fn);
	ret = ir_validate();
	if (!ret)
		ret = cs_series_init(&ir.series, CS_SERIES_ROWS);
	if (ret)
		return ret;
	/* Never used: D4 here is per range, D5 is cma_stress's. */
	ir.ctx.disabled[CS_D5_PLACEMENT] = "not part of isolate_race (see cma_stress)";
	if (!cs_can_read_pageblocks())
		ir.ctx.disabled[CS_D3_PAGEBLOCK] = "get_pfnblock_flags_mask unresolved";

	ir.dir = debugfs_create_dir("isolate_race", NULL);
	debugfs_create_file("control", 0200, ir.dir, (void *)&ir_control,
			    &cs_control_fops);
	debugfs_create_file("report", 0400, ir.dir, NULL, &ir_report_fops);
	debugfs_create_file("stats", 0400, ir.dir, NULL, &ir_stats_fops);
	debugfs_create_file("series", 0400, ir.dir, NULL, &ir_series_fops);
	pr_info("loaded: pageblock_order %u, memory block %lu MiB\n",
		(unsigned int)pageblock_order, cs_memblock_pages() >> (20 - PAGE_SHIFT));
	if (run_on_load) {
		mutex_lock(&ir.lock);
		ret = ir_start();
		mutex_unlock(&ir.lock);
		if (ret) {
			debugfs_remove_recursive(ir.dir);
			cs_series_free(&ir.series);
			return ret;
		}
	}
	return 0;
}

static void __exit ir_exit(void)
{
	debugfs_remove_recursive(ir.dir);
	cancel_work_sync(&ir.stop_work);
	mutex_lock(&ir.lock);
	ir_stop_locked();
	mutex_unlock(&ir.lock);
	cs_series_free(&ir.series);
}

module_init(ir_init);
module_exit(ir_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Pageblock isolation racer: alloc_contig_range against memory offline/online");
