// SPDX-License-Identifier: GPL-2.0
/*
 * cs_hotplug.c: offline and online memory blocks from a kernel thread.
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
	int nid, i;

	cs_for_each_zone(zone, nid, i)
		end = max(end, zone_end_pfn(zone));
	return DIV_ROUND_UP(end, cs_memblock_pages());
}
EXPORT_SYMBOL_GPL(cs_memblock_count);

bool cs_memblock_online(unsigned long block)
{
	unsigned long pfn = block * cs_memblock_pages();

	return pfn_to_online_page(pfn) &&
	       pfn_to_online_page(pfn + cs_memblock_pages() - 1);
}
EXPORT_SYMBOL_GPL(cs_memblock_online);

struct zone *cs_memblock_zone(unsigned long block)
{
	unsigned long pfn = block * cs_memblock_pages();
	struct page *first = pfn_to_online_page(pfn);
	struct page *last = pfn_to_online_page(pfn + cs_memblock_pages() - 1);

	if (!first || !last || page_zone(first) != page_zone(last))
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
		msleep(1);
	}
	destroy_timer_on_stack(&ci.timer);
	disallow_signal(SIGINT);
	filp_close(f, NULL);
	return ret < 0 ? ret : 0;
}
EXPORT_SYMBOL_GPL(cs_memblock_set);
