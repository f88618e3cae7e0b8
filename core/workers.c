// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel threads of a run, and D7.
 *
 * Every worker runs the same loop shape (locktorture's): work, report
 * progress with what it is doing, until kthread_should_stop(). The pool is
 * sized at start for the run's threads, whatever the CPU count; it holds a
 * task reference on each, so stopping one that already returned is safe.
 * D7 reports a worker whose progress counter has not moved for stall_s
 * seconds, with what it was doing: a hang inside cma_alloc() or
 * offline_pages() shows up as "no progress for Ns while in offline". A
 * worker that exited without returning (an oops in its thread) is
 * reported at the next audit, with its last progress and the isolation it
 * left registered: those pageblocks are its leftovers, not D3's.
 */
#include <linux/module.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include "cs_core.h"

/* Room for @max workers; only called with no thread running. */
int cs_pool_alloc(struct cs_pool *p, int max)
{
	if (WARN_ON_ONCE(p->n))
		return -EBUSY;
	if (p->w && p->max >= max)
		return 0;
	kfree(p->w);
	p->max = 0;
	p->w = kcalloc(max, sizeof(*p->w), GFP_KERNEL);
	if (!p->w)
		return -ENOMEM;
	p->max = max;
	return 0;
}

void cs_pool_free(struct cs_pool *p)
{
	cs_pool_stop(p);
	kfree(p->w);
	p->w = NULL;
	p->max = 0;
}

/* Every thread's body: its function, then a word to a waiting checkpoint. */
static int cs_worker_main(void *arg)
{
	struct cs_worker *w = arg;
	int ret = w->fn(w);

	if (w->vanish)		/* inject=d7: as if it had died */
		return ret;
	WRITE_ONCE(w->returned, true);
	if (w->gen >= 0)
		cs_worker_done(w);
	return ret;
}

/* A thread cs_<kind>/<id> running @fn for generator row @gen (-1: the frame). */
int cs_pool_spawn(struct cs_harness *h, int gen, int id, int (*fn)(void *),
		  const char *kind, int cpu)
{
	struct cs_pool *p = &h->pool;
	struct cs_worker *w;
	struct task_struct *t;

	if (WARN_ON_ONCE(p->n >= p->max))
		return -ENOSPC;
	w = &p->w[p->n];
	memset(w, 0, sizeof(*w));
	w->h = h;
	w->gen = gen;
	w->id = id;
	w->fn = fn;
	w->doing = "starting";
	w->last_jiffies = jiffies;
	t = kthread_create(cs_worker_main, w, "cs_%s/%d", kind, id);
	if (IS_ERR(t)) {
		pr_err("%s: cannot start %s/%d: %ld\n", h->name, kind, id, PTR_ERR(t));
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

void cs_pool_stop(struct cs_pool *p)
{
	while (p->n) {
		struct cs_worker *w = &p->w[--p->n];

		kthread_stop(w->task);
		put_task_struct(w->task);
	}
}

/*
 * A thread that exits without returning from its function died in it (an
 * oops kills the thread, do_exit() sets PF_EXITING): say so once, with
 * what it was doing and what it left isolated, and count it as parked so
 * checkpoints do not wait for it.
 */
static void cs_check_dead(struct cs_harness *h, struct cs_worker *w)
{
	char left[96];

	if (w->died || READ_ONCE(w->returned) || !(READ_ONCE(w->task->flags) & PF_EXITING))
		return;
	w->died = true;
	cs_iso_describe(h, w, left, sizeof(left));
	cs_violation(&h->ctx, CS_R_D7_DIED,
		     "%s/%d died (oops in its thread?) while in %s (pfn %#lx), %ums after its last progress; left isolated:%s",
		     cs_generators[w->gen]->thread, w->id, READ_ONCE(w->doing),
		     READ_ONCE(w->doing_pfn),
		     jiffies_to_msecs(jiffies - READ_ONCE(w->last_jiffies)),
		     left[0] ? left : " nothing");
	cs_worker_done(w);
}

/* D7: every generator thread alive, and made progress within stall_s seconds. */
void cs_liveness(struct cs_harness *h, bool quiet)
{
	unsigned long limit = (unsigned long)h->set.stall_s * HZ;
	struct cs_pool *p = &h->pool;
	int i;

	for (i = 0; i < p->n; i++) {
		struct cs_worker *w = &p->w[i];
		unsigned long last = READ_ONCE(w->last_jiffies);

		if (w->gen < 0)
			continue;	/* the auditor: it is what reports */
		cs_check_dead(h, w);
		if (w->died)
			continue;
		if (time_after(jiffies, last + limit)) {
			if (!w->stall_reported)
				cs_violation(&h->ctx, CS_R_D7_STALL,
					     "%s/%d made no progress for %lus while in %s (pfn %#lx)",
					     cs_generators[w->gen]->thread, w->id,
					     (jiffies - last) / HZ, READ_ONCE(w->doing),
					     READ_ONCE(w->doing_pfn));
			w->stall_reported = true;
		} else {
			w->stall_reported = false;
		}
	}
	cs_checked(&h->ctx, CS_D7_LIVENESS);
}

/*
 * D7's injections, at the top of a generator thread whose row names D7 in
 * .injects. D7.stall: its first thread stops making progress, as a hang
 * would, for stall_s + 3 seconds (it still stops when told to). D7.died:
 * its first thread returns at once without the word a returning thread
 * leaves, as if it had died. inject=d7 does both: the second thread dies.
 */
bool cs_inject_d7(struct cs_harness *h, void *arg)
{
	struct cs_worker *w = arg;
	unsigned long until = jiffies + (h->set.stall_s + 3UL) * HZ;
	bool whole = h->run.inject_whole;

	if ((whole && w->id == 1) || (cs_inj(h, CS_R_D7_DIED) && w->id == 0)) {
		w->vanish = true;
		return true;
	}
	if (w->id || !cs_inj(h, CS_R_D7_STALL))
		return false;
	cs_progress(w, "injected stall", 0);
	while (time_before(jiffies, until) && !kthread_should_stop())
		msleep_interruptible(100);
	return true;
}
