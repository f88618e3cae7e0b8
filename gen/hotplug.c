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
	CS_G3_ONLINE_OK, CS_G3_ONLINE_FAIL, CS_G3_CLASH
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

int cs_hotplug_init(void)
{
	return register_memory_notifier(&cs_mem_nb);
}

void cs_hotplug_exit(void)
{
	unregister_memory_notifier(&cs_mem_nb);
}

/*
 * Offline @block (some attempts refused by the notifier after isolation,
 * some interrupted), and if that worked, online it again. EBUSY and
 * friends are outcomes, counted; a block that will not come back online
 * is a D6 violation.
 */
static void cs_hotplug_cycle(struct cs_worker *w, unsigned long block)
{
	struct cs_harness *h = w->h;
	struct cs_ctx *ctx = &h->ctx;
	unsigned long pfn = block * cs_memblock_pages();
	bool veto = cs_rand(100) < h->set.veto_pct;
	/*
	 * One offline in eight is cut short (1-50 ms): interrupted after
	 * isolation, in the middle of migration, whatever the flavour's speed.
	 */
	unsigned int timeout = cs_rand(8) ? h->set.offline_timeout_ms : 1 + cs_rand(50);
	int ret, tries;

	WRITE_ONCE(cs_veto_task, veto ? current : NULL);
	cs_progress(w, "offline", pfn);
	cs_op(w);
	WRITE_ONCE(h->offline_seq, h->offline_seq + 1);
	WRITE_ONCE(h->offlining_pfn, pfn);
	ret = cs_memblock_set(block, false, timeout);
	WRITE_ONCE(h->offlining_pfn, 0);
	WRITE_ONCE(cs_veto_task, NULL);
	cs_event(ctx, CS_OP_OFFLINE, pfn, cs_memblock_pages(), ret);
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
		"memory block offline/online in ZONE_MOVABLE; offlines vetoed after isolation or interrupted",
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
	},
	.does = BIT(CS_DOES_OFFLINE),
};
