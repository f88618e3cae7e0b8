// SPDX-License-Identifier: GPL-2.0
/*
 * Offline and online memory blocks from a kernel thread.
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
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/timer.h>
#include <linux/delay.h>
#include <linux/ioport.h>
#include <linux/pfn.h>
#include "cs_core.h"

unsigned long cs_memblock_pages(void)
{
	return memory_block_size_bytes() >> PAGE_SHIFT;
}
EXPORT_SYMBOL_GPL(cs_memblock_pages);

/* Blocks up to the end of the highest zone (max_pfn is not exported). */
unsigned long cs_memblock_count(void)
{
	unsigned long end = 0;
	struct zone *zone;

	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone))
		end = max(end, zone_end_pfn(zone));
	return DIV_ROUND_UP(end, cs_memblock_pages());
}
EXPORT_SYMBOL_GPL(cs_memblock_count);

/*
 * offline_pages() refuses a block with holes (-EINVAL, "memory holes"),
 * such as the last block below 2 GiB on a QEMU PC: no use trying those.
 * (region_intersects() does not see a hole no resource covers; checking
 * each pageblock's ends with page_is_ram() does.)
 */
struct zone *cs_memblock_zone(unsigned long block)
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
EXPORT_SYMBOL_GPL(cs_memblock_zone);

struct cs_interrupter {
	struct timer_list timer;
	struct task_struct *task;
};

static void cs_interrupt(struct timer_list *t)
{
	struct cs_interrupter *ci = from_timer(ci, t, timer);

	send_sig(SIGINT, ci->task, 1);
}

int cs_memblock_set(unsigned long block, bool online, unsigned int timeout_ms)
{
	struct cs_interrupter ci = { .task = current };
	char path[64];
	struct file *f;
	ssize_t ret;
	int tries;

	snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%lu/online",
		 block);
	f = filp_open(path, O_WRONLY, 0);
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
		del_timer_sync(&ci.timer);
		flush_signals(current);
		if (ret != -ERESTARTNOINTR)
			break;
		/* restart_syscall(): device_hotplug_lock was contended. */
		usleep_range(1000, 2000);
	}
	destroy_timer_on_stack(&ci.timer);
	disallow_signal(SIGINT);
	filp_close(f, NULL);
	return ret < 0 ? ret : 0;
}
EXPORT_SYMBOL_GPL(cs_memblock_set);

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

void cs_hotplug_reset(struct cs_hotplug *hp)
{
	atomic_long_set(&hp->offline_ok, 0);
	atomic_long_set(&hp->offline_busy, 0);
	atomic_long_set(&hp->offline_intr, 0);
	atomic_long_set(&hp->offline_vetoed, 0);
	atomic_long_set(&hp->offline_other, 0);
	atomic_long_set(&hp->online_ok, 0);
	atomic_long_set(&hp->online_fail, 0);
	hp->last_other = 0;
}
EXPORT_SYMBOL_GPL(cs_hotplug_reset);

void cs_hotplug_cycle(struct cs_ctx *ctx, struct cs_hotplug *hp,
		      struct cs_worker *w, unsigned long block)
{
	unsigned long pfn = block * cs_memblock_pages();
	bool veto = cs_rand(100) < hp->veto_pct;
	int ret, tries;

	WRITE_ONCE(cs_veto_task, veto ? current : NULL);
	cs_progress(w, "offline", pfn);
	ret = cs_memblock_set(block, false, hp->offline_timeout_ms);
	WRITE_ONCE(cs_veto_task, NULL);
	cs_event(ctx, CS_OP_OFFLINE, pfn, cs_memblock_pages(), ret);
	if (!ret) {
		atomic_long_inc(&hp->offline_ok);
	} else if (veto && ret == -EPERM) {
		atomic_long_inc(&hp->offline_vetoed);	/* notifier_to_errno(NOTIFY_BAD) */
	} else if (ret == -EBUSY) {
		atomic_long_inc(&hp->offline_busy);
	} else if (ret == -EINTR) {
		atomic_long_inc(&hp->offline_intr);
	} else {
		atomic_long_inc(&hp->offline_other);
		WRITE_ONCE(hp->last_other, ret);
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
		atomic_long_inc(&hp->online_fail);
		msleep(20);
	}
	if (!ret)
		atomic_long_inc(&hp->online_ok);
	else
		cs_violation(ctx, CS_D6_QUIESCE,
			     "memory block %lu (pfn %#lx) will not come back online: %d",
			     block, pfn, ret);
}
EXPORT_SYMBOL_GPL(cs_hotplug_cycle);

void cs_report_hotplug(struct seq_file *m, struct cs_hotplug *hp)
{
	seq_printf(m, "g3_offline_ok: %ld\n", atomic_long_read(&hp->offline_ok));
	seq_printf(m, "g3_offline_busy: %ld\n", atomic_long_read(&hp->offline_busy));
	seq_printf(m, "g3_offline_interrupted: %ld\n", atomic_long_read(&hp->offline_intr));
	seq_printf(m, "g3_offline_vetoed: %ld\n", atomic_long_read(&hp->offline_vetoed));
	seq_printf(m, "g3_offline_other: %ld (last %d)\n",
		   atomic_long_read(&hp->offline_other), READ_ONCE(hp->last_other));
	seq_printf(m, "g3_online_ok: %ld\n", atomic_long_read(&hp->online_ok));
	seq_printf(m, "g3_online_fail: %ld\n", atomic_long_read(&hp->online_fail));
}
EXPORT_SYMBOL_GPL(cs_report_hotplug);
