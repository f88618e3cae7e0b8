// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel threads of both harness modules, and D7.
 *
 * Every worker runs the same loop shape (locktorture's): work, report
 * progress with what it is doing, until kthread_should_stop(). The pool
 * holds a task reference on each, so stopping one that already returned
 * is safe. D7 reports a worker whose progress counter has not moved for
 * stall_s seconds, with what it was doing: a hang inside cma_alloc() or
 * offline_pages() shows up as "no progress for Ns while in offline".
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/sched/task.h>
#include "cs_core.h"

int cs_pool_spawn(struct cs_pool *p, const char *kind, int id,
		  int (*fn)(void *), int cpu, bool watched)
{
	struct cs_worker *w;
	struct task_struct *t;

	if (p->n >= CS_MAX_WORKERS)
		return -ENOSPC;
	w = &p->w[p->n];
	memset(w, 0, sizeof(*w));
	w->kind = kind;
	w->id = id;
	w->watched = watched;
	w->doing = "starting";
	w->last_jiffies = jiffies;
	t = kthread_create(fn, w, "cs_%s/%d", kind, id);
	if (IS_ERR(t)) {
		pr_err("%s: cannot start %s/%d: %ld\n", p->owner, kind, id, PTR_ERR(t));
		return PTR_ERR(t);
	}
	if (cpu >= 0)
		kthread_bind(t, cpu);
	get_task_struct(t);
	w->task = t;
	p->n++;
	wake_up_process(t);
	return 0;
}
EXPORT_SYMBOL_GPL(cs_pool_spawn);

void cs_pool_stop(struct cs_pool *p)
{
	while (p->n) {
		struct cs_worker *w = &p->w[--p->n];

		kthread_stop(w->task);
		put_task_struct(w->task);
	}
}
EXPORT_SYMBOL_GPL(cs_pool_stop);

void cs_pool_liveness(struct cs_ctx *ctx, struct cs_pool *p, unsigned int stall_s)
{
	unsigned long limit = (unsigned long)stall_s * HZ;
	int i;

	for (i = 0; i < p->n; i++) {
		struct cs_worker *w = &p->w[i];
		unsigned long last = READ_ONCE(w->last_jiffies);

		if (!w->watched)
			continue;
		if (time_after(jiffies, last + limit)) {
			if (!w->stall_reported)
				cs_violation(ctx, CS_D7_LIVENESS,
					     "%s/%d made no progress for %lus while in %s (pfn %#lx)",
					     w->kind, w->id, (jiffies - last) / HZ,
					     READ_ONCE(w->doing), READ_ONCE(w->doing_pfn));
			w->stall_reported = true;
		} else {
			w->stall_reported = false;
		}
	}
	cs_checked(ctx, CS_D7_LIVENESS);
}
EXPORT_SYMBOL_GPL(cs_pool_liveness);
