// SPDX-License-Identifier: GPL-2.0
/*
 * G3: offline and online memory blocks from a kernel thread, with
 * offlines that fail after isolation (a memory notifier vetoes them, or a
 * timer interrupts them): seed 001's bugs lived in those error paths.
 *
 * device_offline()/device_online() are not exported, so this writes the
 * block's sysfs "online" file, as a user or mem-on-off-test.sh does; the
 * kernel then runs exactly the path users hit (online_store() ->
 * device_offline() -> offline_pages()). Two traps of that path:
 *
 *  - lock_device_hotplug_sysfs() answers a contended lock with
 *    restart_syscall(): it sets TIF_SIGPENDING and returns -ERESTARTNOINTR.
 *    A kernel thread has no syscall to restart: clear it and retry, or the
 *    next offline_pages() sees a "signal" and fails at once with -EINTR.
 *  - offline_pages() retries migration until a signal arrives. A timer
 *    sends SIGINT to the writer after @timeout_ms, which is also how an
 *    offline gets interrupted after isolation (an error path worth having).
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/timer.h>
#include <linux/delay.h>
#include <linux/ioport.h>
#include <linux/pfn.h>
#include "generators.h"
#include "compat.h"

enum {
	CS_G3_OFFLINE_OK, CS_G3_OFFLINE_BUSY, CS_G3_OFFLINE_INTR,
	CS_G3_OFFLINE_VETOED, CS_G3_OFFLINE_OTHER, CS_G3_LAST_ERRNO,
	CS_G3_ONLINE_OK, CS_G3_ONLINE_FAIL, CS_G3_CLASH, CS_G3_HELD, CS_G3_PLANTED
};

/* Blocks up to the end of the highest zone (max_pfn is not exported). */
static unsigned long cs_memblock_count(void)
{
	unsigned long end = 0;
	struct zone *zone;

	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone))
		end = max(end, zone_end_pfn(zone));
	return DIV_ROUND_UP(end, cs_memblock_pages());
}

/*
 * offline_pages() refuses a block with holes (-EINVAL, "memory holes"),
 * such as the last block below 2 GiB on a QEMU PC: no use trying those.
 * (region_intersects() does not see a hole no resource covers; checking
 * each pageblock's ends with page_is_ram() does.)
 */
static struct zone *cs_memblock_zone(unsigned long block)
{
	unsigned long pages = cs_memblock_pages(), pfn = block * pages, p;
	struct page *first = pfn_to_online_page(pfn);
	struct page *last = pfn_to_online_page(pfn + pages - 1);

	if (!first || !last || page_zone(first) != page_zone(last))
		return NULL;
	for (p = pfn; p < pfn + pages; p += pageblock_nr_pages)
		if (!page_is_ram(p) || !page_is_ram(p + pageblock_nr_pages - 1))
			return NULL;
	return page_zone(first);
}

struct cs_interrupter {
	struct timer_list timer;
	struct task_struct *task;
};

static void cs_interrupt(struct timer_list *t)
{
	struct cs_interrupter *ci = timer_container_of(ci, t, timer);

	send_sig(SIGINT, ci->task, 1);
}

static int cs_memblock_set(unsigned long block, bool online, unsigned int timeout_ms)
{
	struct cs_interrupter ci = { .task = current };
	char path[64];
	struct file *f;
	ssize_t ret;
	int tries;

	snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%lu/online",
		 block);
	f = cs_filp_open(path, O_WRONLY);
	if (IS_ERR(f))
		return PTR_ERR(f);

	/* A kernel thread ignores every signal it has not allowed. */
	allow_signal(SIGINT);
	timer_setup_on_stack(&ci.timer, cs_interrupt, 0);
	for (tries = 0; tries < 1000; tries++) {
		loff_t pos = 0;

		if (timeout_ms)
			mod_timer(&ci.timer, jiffies + msecs_to_jiffies(timeout_ms));
		ret = kernel_write(f, online ? "1" : "0", 1, &pos);
		timer_delete_sync(&ci.timer);
		flush_signals(current);
		if (ret != -ERESTARTNOINTR)
			break;
		/* restart_syscall(): device_hotplug_lock was contended. */
		usleep_range(1000, 2000);
	}
	timer_destroy_on_stack(&ci.timer);
	disallow_signal(SIGINT);
	filp_close(f, NULL);
	return ret < 0 ? ret : 0;
}

/*
 * The memory notifier that refuses an offline after isolation (offline_pages()
 * isolates the range, then sends MEM_GOING_OFFLINE; NOTIFY_BAD takes the
 * error path that undoes the isolation), as mem-on-off-test.sh does with
 * notifier error injection. It refuses only the attempt a G3 worker armed.
 */
static struct task_struct *cs_veto_task;

static int cs_mem_notify(struct notifier_block *nb, unsigned long action, void *arg)
{
	if (action == MEM_GOING_OFFLINE && READ_ONCE(cs_veto_task) == current)
		return NOTIFY_BAD;
	return NOTIFY_OK;
}

static struct notifier_block cs_mem_nb = { .notifier_call = cs_mem_notify };

static cs_start_iso_fn *p_start_iso;
static cs_undo_iso_fn *p_undo_iso;

static struct cs_sym cs_hotplug_syms[] = {
	{ "start_isolate_page_range", (void **)&p_start_iso, true, true,
	  "G3's offlines refused at a pageblock of ours" },
	{ "undo_isolate_page_range", (void **)&p_undo_iso, true, true,
	  "G3's offlines refused at a pageblock of ours" },
};

int cs_hotplug_init(void)
{
	cs_resolve("cs_core", cs_hotplug_syms, ARRAY_SIZE(cs_hotplug_syms));
	return register_memory_notifier(&cs_mem_nb);
}

void cs_hotplug_exit(void)
{
	unregister_memory_notifier(&cs_mem_nb);
}

/*
 * What an offline is to meet. The first seven of a run are a plan, so
 * even a short run on a slow kernel covers each branch (core/coverage.c
 * requires them): a plain offline first (neither vetoed nor cut short,
 * so it can succeed and the block come back online: what D6 watches),
 * then refused at a pageblock of ours in the first, a middle and the last
 * pageblock, vetoed by the notifier after isolation, interrupted after
 * 1-50 ms, and stuck on a page of ours that cannot migrate
 * (test_pages_isolated() fails until its timer). Then every third
 * offline meets a pageblock of ours (first, middle, last in turn), every
 * tenth other one a page of ours, veto_pct are vetoed and one in eight is
 * interrupted, at random.
 */
enum cs_g3_plan { CS_G3_PLAIN, CS_G3_AT_FIRST, CS_G3_AT_MIDDLE, CS_G3_AT_LAST,
		  CS_G3_VETO, CS_G3_SHORT, CS_G3_STUCK };

static const enum cs_g3_plan cs_g3_first[] = {
	CS_G3_PLAIN, CS_G3_AT_FIRST, CS_G3_AT_MIDDLE, CS_G3_AT_LAST,
	CS_G3_VETO, CS_G3_SHORT, CS_G3_STUCK
};

static enum cs_g3_plan cs_g3_plan(struct cs_worker *w)
{
	unsigned long n = ++w->since;

	if (n <= ARRAY_SIZE(cs_g3_first))
		return cs_g3_first[n - 1];
	if (!(n % 3))
		return CS_G3_AT_FIRST + (n / 3) % 3;
	return n % 10 ? CS_G3_PLAIN : CS_G3_STUCK;
}

/*
 * CS_G3_STUCK: a page of ours (a one-page alloc_contig_range(): allocated,
 * not movable) at a random pageblock of the block. ZONE_MOVABLE's
 * isolation takes it (it checks for no unmovable page there); migration
 * cannot move it, so the offline retries until its timer. Returns its
 * pfn, or 0.
 */
static unsigned long cs_g3_plant(struct cs_worker *w, unsigned long pfn,
				 enum cs_g3_plan plan)
{
	unsigned long p = pfn + cs_rand(cs_memblock_pages());

	if (plan != CS_G3_STUCK || !pfn_to_online_page(p) ||
	    cs_alloc_contig_range(p, p + 1, GFP_KERNEL | __GFP_NOWARN))
		return 0;
	cs_count(w, CS_G3_PLANTED, 1);
	return p;
}

/*
 * The pageblock @plan names, isolated by us (start_isolate_page_range():
 * in ZONE_MOVABLE nothing else makes a pageblock refuse isolation but a
 * CMA one), so the offline's own isolation must refuse it with -EBUSY,
 * "already isolated". Undone right after the offline (cs_g3_unhold()).
 * Returns its pfn, or 0.
 */
static unsigned long cs_g3_hold(struct cs_worker *w, unsigned long pfn,
				enum cs_g3_plan plan)
{
	unsigned long blocks = cs_memblock_pages() / pageblock_nr_pages, at;

	if (plan < CS_G3_AT_FIRST || plan > CS_G3_AT_LAST || !p_start_iso || !p_undo_iso)
		return 0;
	at = plan == CS_G3_AT_FIRST ? 0 : plan == CS_G3_AT_MIDDLE ? blocks / 2 : blocks - 1;
	pfn += at * pageblock_nr_pages;
	if (!pfn_to_online_page(pfn) || cs_start_iso(p_start_iso, pfn, pfn + pageblock_nr_pages))
		return 0;
	cs_count(w, CS_G3_HELD, 1);
	return pfn;
}

/* Our pageblock back (a no-op on it if the block went offline: it stays so). */
static void cs_g3_unhold(unsigned long pfn)
{
	if (pfn)
		cs_undo_iso(p_undo_iso, pfn, pfn + pageblock_nr_pages);
}

/*
 * Offline @block (some attempts refused by the notifier after isolation,
 * some interrupted, some refused at a pageblock of ours), and if that worked,
 * online it again. EBUSY and
 * friends are outcomes, counted; a block that will not come back online
 * is a D6 violation.
 */
static void cs_hotplug_cycle(struct cs_worker *w, unsigned long block)
{
	struct cs_harness *h = w->h;
	struct cs_ctx *ctx = &h->ctx;
	unsigned long pfn = block * cs_memblock_pages();
	enum cs_g3_plan plan = cs_g3_plan(w);
	bool scheduled = w->since <= ARRAY_SIZE(cs_g3_first);
	bool veto = scheduled ? plan == CS_G3_VETO : cs_rand(100) < h->set.veto_pct;
	/*
	 * Cut short (1-50 ms): interrupted after isolation, in the middle of
	 * migration, whatever the flavour's speed.
	 */
	bool cut = scheduled ? plan == CS_G3_SHORT : !cs_rand(8);
	unsigned int timeout = cut ? 1 + cs_rand(50) : h->set.offline_timeout_ms;
	unsigned long held = cs_g3_hold(w, pfn, plan);
	unsigned long plant = cs_g3_plant(w, pfn, plan);
	int ret, tries;

	/*
	 * Stuck: as long as any offline gets, for migration to empty the
	 * block (debug kernels take seconds) and test_pages_isolated() to
	 * fail on our page until the timer.
	 */
	if (plant)
		timeout = h->set.offline_timeout_ms;

	WRITE_ONCE(cs_veto_task, veto ? current : NULL);
	cs_progress(w, "offline", pfn);
	cs_op(w);
	WRITE_ONCE(h->offline_seq, h->offline_seq + 1);
	WRITE_ONCE(h->offlining_pfn, pfn);
	ret = cs_memblock_set(block, false, timeout);
	WRITE_ONCE(h->offlining_pfn, 0);
	WRITE_ONCE(cs_veto_task, NULL);
	cs_event(ctx, CS_OP_OFFLINE, pfn, cs_memblock_pages(), ret);
	cs_g3_unhold(held);
	if (plant && !ret)	/* gone with the block: never freed */
		cs_violation(ctx, CS_R_D4_PLANT_TAKEN,
			     "memory block %lu went offline over our page %#lx",
			     block, plant);
	else if (plant)
		__free_page(pfn_to_page(plant));
	if (!ret) {
		cs_count(w, CS_G3_OFFLINE_OK, 1);
	} else if (veto && ret == -EPERM) {
		cs_count(w, CS_G3_OFFLINE_VETOED, 1);	/* notifier_to_errno(NOTIFY_BAD) */
	} else if (ret == -EBUSY) {
		cs_count(w, CS_G3_OFFLINE_BUSY, 1);
	} else if (ret == -EINTR) {
		cs_count(w, CS_G3_OFFLINE_INTR, 1);
	} else {
		cs_count(w, CS_G3_OFFLINE_OTHER, 1);
		cs_count_set(w, CS_G3_LAST_ERRNO, ret);
	}
	if (ret)
		return;
	/* Offline a while, then back: online must not fail. */
	msleep(cs_rand(200));
	for (tries = 0; tries < 100; tries++) {
		cs_progress(w, "online", pfn);
		ret = cs_memblock_set(block, true, 0);
		cs_event(ctx, CS_OP_ONLINE, pfn, cs_memblock_pages(), ret);
		if (!ret)
			break;
		cs_count(w, CS_G3_ONLINE_FAIL, 1);
		msleep(20);
	}
	/* D6.block_offline's injection: the outcome read as refused (it is online). */
	if (cs_inj(h, CS_R_D6_BLOCK_OFFLINE))
		ret = -EBUSY;
	if (!ret)
		cs_count(w, CS_G3_ONLINE_OK, 1);
	else
		cs_violation(ctx, CS_R_D6_BLOCK_OFFLINE,
			     "memory block %lu (pfn %#lx) will not come back online: %d",
			     block, pfn, ret);
}

/*
 * A ZONE_MOVABLE block: 40% of the time next to G4's latest range (when a
 * racer runs), else one next to a CMA area 20% of the time (its offline
 * must refuse), else one away from every area.
 */
static unsigned long cs_pick_block(struct cs_harness *h)
{
	unsigned long nr = cs_memblock_count(), last = READ_ONCE(h->last_pfn);
	bool near_racer = last && cs_rand(100) < 40;
	bool near_area = cs_rand(100) < 20;
	int tries;

	for (tries = 0; tries < 64; tries++) {
		unsigned long b = near_racer ?
				  last / cs_memblock_pages() + cs_rand(3) - 1 : cs_rand(nr);
		struct zone *z = b < nr ? cs_memblock_zone(b) : NULL;

		if (!z || zone_idx(z) != ZONE_MOVABLE)
			continue;
		if (near_racer || cs_block_near_area(h, b) == near_area)
			return b;
	}
	return ULONG_MAX;
}

static int cs_g3_thread(void *arg)
{
	struct cs_worker *w = arg;
	struct cs_harness *h = w->h;

	while (cs_keep_going(w)) {
		unsigned long block = cs_pick_block(h);

		if (block != ULONG_MAX) {
			unsigned long pfn = block * cs_memblock_pages();
			/* Offline and online again, with no racer on the block. */
			int slot = cs_iso_begin(w, pfn, pfn + cs_memblock_pages(),
						CS_ISO_OFFLINE);

			if (slot >= 0) {
				cs_hotplug_cycle(w, block);
				cs_iso_end(w, slot);
			} else {
				cs_count(w, CS_G3_CLASH, 1);
			}
		}
		cs_progress(w, "idle", 0);
		msleep_interruptible(10 + cs_rand(100));
	}
	return 0;
}

const struct cs_generator cs_g3 = {
	.id = "G3", .name = "g3", .thread = "g3_hotplug",
	.seeds = "001",
	.what =
		"ZONE_MOVABLE blocks offlined (vetoed, interrupted, refused at a first, middle or last pageblock of ours) and onlined",
	.fn = cs_g3_thread,
	.counters = {
		[CS_G3_OFFLINE_OK] = "offline_ok",
		[CS_G3_OFFLINE_BUSY] = "offline_busy",
		[CS_G3_OFFLINE_INTR] = "offline_interrupted",
		[CS_G3_OFFLINE_VETOED] = "offline_vetoed",
		[CS_G3_OFFLINE_OTHER] = "offline_other",
		[CS_G3_LAST_ERRNO] = "offline_last_errno",
		[CS_G3_ONLINE_OK] = "online_ok",
		[CS_G3_ONLINE_FAIL] = "online_fail",
		[CS_G3_CLASH] = "skipped_racer_on_block",
		[CS_G3_HELD] = "offline_over_ours",
		[CS_G3_PLANTED] = "offline_stuck",
	},
	.does = BIT(CS_DOES_OFFLINE),
};
