// SPDX-License-Identifier: GPL-2.0
/*
 * Quiet-state checkpoints during a run. Every checkpoint_s seconds the
 * auditor asks the generators to park at the top of their loops, in
 * cs_keep_going() (where none has an isolation, an offline, a pin or a
 * plant in flight; a generator keeps the ranges it holds), waits for all
 * of them, runs the checks of the quiet state that stop runs
 * (cs_quiet_checks(): each generator's part of D6, D6, then D1-D3 with
 * nothing in flight), and lets them go. A bug that leaves state behind on
 * an error path is then reported within a checkpoint, not at the end of
 * the run or never.
 *
 * A generator stuck longer than offline_timeout_ms + 2 s (an offline
 * that must be interrupted first), or stop under way, makes the
 * checkpoint give up: counted in checkpoints_skipped, never a finding.
 */
#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/wait.h>
#include "cs_core.h"

/* A generator's loop condition: parks while a checkpoint runs. */
bool cs_keep_going(struct cs_worker *w)
{
	struct cs_harness *h = w->h;

	if (unlikely(READ_ONCE(h->pause))) {
		cs_progress(w, "parked", 0);
		atomic_inc(&h->parked);
		wake_up(&h->park_wq);
		while (READ_ONCE(h->pause) && !kthread_should_stop())
			wait_event_timeout(h->resume_wq, !READ_ONCE(h->pause) ||
					   kthread_should_stop(), HZ);
		atomic_dec(&h->parked);
		cs_progress(w, "resumed", 0);
	}
	return !kthread_should_stop();
}

/* What a thread does when its function returns: a checkpoint stops waiting for it. */
void cs_worker_done(struct cs_worker *w)
{
	atomic_inc(&w->h->parked);
	wake_up(&w->h->park_wq);
}

/*
 * Called by the auditor. It holds the harness lock throughout, so stop
 * (which takes it) cannot start while generators are parked: a thread
 * told to stop would release what it holds while the checks read it. If
 * stop or a control command has the lock, this checkpoint is skipped.
 */
void cs_checkpoint(struct cs_harness *h)
{
	unsigned long timeout = msecs_to_jiffies(h->set.offline_timeout_ms + 2000);
	int n = h->pool.n - 1;		/* every thread but the auditor */
	u64 t0 = ktime_get_ns();

	if (!mutex_trylock(&h->lock)) {
		atomic_long_inc(&h->checkpoints_skipped);
		return;
	}
	WRITE_ONCE(h->pause, true);
	if (wait_event_timeout(h->park_wq, atomic_read(&h->parked) >= n ||
			       kthread_should_stop(), timeout) &&
	    !kthread_should_stop()) {
		cs_quiet_checks(h, false);
		atomic_long_inc(&h->checkpoints);
	} else {
		atomic_long_inc(&h->checkpoints_skipped);
	}
	WRITE_ONCE(h->pause, false);
	wake_up_all(&h->resume_wq);
	WRITE_ONCE(h->checkpoint_ms, div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));
	mutex_unlock(&h->lock);
}
