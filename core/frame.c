// SPDX-License-Identifier: GPL-2.0
/*
 * The frame: one run's lifecycle, the same for every module.
 *
 * start resolves the settings against the scenario, lets each generator
 * with state of its own prepare it (its row's start hook), then walks
 * cs_generators[] and starts each one's threads, beside the auditor. The
 * auditor runs the detector rows by their .when (core/tables.c), takes a
 * checkpoint every checkpoint_s seconds (core/checkpoint.c), and ends the
 * run when the duration is over or (stop_on_fail) at the first
 * violation, through stop_work. stop stops every thread, then runs the
 * quiet checks once more, as a checkpoint does.
 *
 * A harness's load and unload are core/harness.c's.
 */
#include <linux/module.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "cs_core.h"

/* The threads of a generator this run: its count, times CPUs if per-CPU. */
static int cs_nr_threads(struct cs_harness *h, int g)
{
	int n = max(h->run.threads[g], 0);

	return cs_generators[g]->per_cpu ? n * num_online_cpus() : n;
}

/* Milliseconds the current (or last) run has lasted; 0 before the first. */
unsigned int cs_run_ms(struct cs_harness *h)
{
	if (!h->ran)
		return 0;
	return div_u64((h->running ? ktime_get_ns() : h->stop_ns) - h->start_ns,
		       NSEC_PER_MSEC);
}

static bool cs_run_over(struct cs_harness *h)
{
	return (h->set.duration && cs_run_ms(h) >= h->set.duration * 1000ULL) ||
	       (h->set.stop_on_fail && cs_total_violations(&h->ctx));
}

static int cs_auditor_thread(void *arg)
{
	struct cs_worker *w = arg;
	struct cs_harness *h = w->h;
	unsigned long next_full = jiffies, next_live = jiffies + HZ;
	unsigned long next_cp = jiffies + h->set.checkpoint_s * HZ;

	while (!kthread_should_stop()) {
		cs_progress(w, "audit", 0);
		cs_series_sample(&h->series, &h->ctx, h->totalcma,
				 h->set.series_ms, false);
		if (!h->set.bare) {
			cs_run_detectors(h, CS_EVERY_AUDIT, false);
			if (time_after_eq(jiffies, next_full)) {
				cs_audit_full(h, false);
				next_full = jiffies + msecs_to_jiffies(h->set.freelist_ms);
			}
		}
		if (time_after_eq(jiffies, next_live)) {
			cs_run_detectors(h, CS_EVERY_SECOND, false);
			next_live = jiffies + HZ;
		}
		if (h->set.checkpoint_s && !h->set.bare && time_after_eq(jiffies, next_cp)) {
			cs_checkpoint(h);
			next_cp = jiffies + h->set.checkpoint_s * HZ;
		}
		/* Once per run: a stop queued for this run, never the next. */
		if (h->stop_for != h->run_id && cs_run_over(h)) {
			WRITE_ONCE(h->stop_for, h->run_id);
			schedule_work(&h->stop_work);
		}
		msleep_interruptible(h->set.audit_ms);
	}
	return 0;
}

void cs_stop(struct cs_harness *h)
{
	long nv;

	if (!h->running)
		return;
	cs_pool_stop(&h->pool);
	cs_coverage_stop(h);
	h->stopping = true;
	cs_quiet_checks(h, true);
	h->stopping = false;
	cs_series_sample(&h->series, &h->ctx, h->totalcma, h->set.series_ms, true);
	h->stop_ns = ktime_get_ns();
	h->running = false;
	nv = cs_total_violations(&h->ctx);
	pr_info("%s: stop: after %us, %ld violation(s): %s\n", h->name,
		cs_run_ms(h) / 1000, nv, nv ? "FAIL" : "PASS");
}

static void cs_stop_work_fn(struct work_struct *work)
{
	struct cs_harness *h = container_of(work, struct cs_harness, stop_work);

	mutex_lock(&h->lock);
	if (h->running && READ_ONCE(h->stop_for) == h->run_id)
		cs_stop(h);
	mutex_unlock(&h->lock);
}

/* The frame's locks, work and wait queues, at a harness's load. */
void cs_frame_init(struct cs_harness *h)
{
	mutex_init(&h->lock);
	INIT_WORK(&h->stop_work, cs_stop_work_fn);
	init_waitqueue_head(&h->park_wq);
	init_waitqueue_head(&h->resume_wq);
}

/* Counters, books and the series, all zero for a new run. */
static void cs_reset_run(struct cs_harness *h)
{
	int g, c;

	cs_ctx_reset(&h->ctx);
	h->ctx.injected = h->run.inject;
	memset(&h->view, 0, sizeof(h->view));
	h->view.bias_for = -1;
	for (g = 0; g < CS_MAX_GENERATORS; g++) {
		atomic_long_set(&h->ops[g], 0);
		for (c = 0; c < CS_GEN_COUNTERS; c++)
			atomic_long_set(&h->count[g][c], 0);
	}
	atomic_long_set(&h->audits_full, 0);
	atomic_long_set(&h->audit_pages, 0);
	atomic64_set(&h->audit_ns, 0);
	h->irqoff_max_ns = 0;
	atomic64_set(&h->irqoff_ns, 0);
	atomic_long_set(&h->irqoff_sections, 0);
	for (c = 0; c < CS_IRQOFF_BUCKETS; c++)
		atomic_long_set(&h->irqoff_hist[c], 0);
	atomic_long_set(&h->d2_skipped, 0);
	atomic_long_set(&h->d6_shared, 0);
	atomic_long_set(&h->d2_resumes_lost, 0);
	atomic_long_set(&h->d2_transient, 0);
	atomic_set(&h->isolating, 0);
	atomic_set(&h->parked, 0);
	h->pause = false;
	atomic_long_set(&h->checkpoints, 0);
	atomic_long_set(&h->checkpoints_skipped, 0);
	h->checkpoint_ms = 0;
	h->last_pfn = 0;
	cs_series_reset(&h->series);
}

static int cs_spawn_all(struct cs_harness *h)
{
	int g, i, ret, cpus = num_online_cpus();

	ret = cs_pool_spawn(h, -1, 0, cs_auditor_thread, "auditor", -1);
	for (g = 0; g < cs_nr_generators && !ret; g++) {
		const struct cs_generator *gen = cs_generators[g];

		for (i = 0; i < cs_nr_threads(h, g) && !ret; i++)
			ret = cs_pool_spawn(h, g, i, gen->fn, gen->thread,
					    gen->per_cpu ?
					    cpumask_nth(i % cpus, cpu_online_mask) : -1);
	}
	return ret;
}

static void cs_start_message(struct cs_harness *h)
{
	char buf[160];
	int g, len = 0;

	for (g = 0; g < cs_nr_generators; g++)
		if (h->run.threads[g] > 0)
			len += scnprintf(buf + len, sizeof(buf) - len, " %s=%d",
					 cs_generators[g]->name, cs_nr_threads(h, g));
	pr_info("%s: start: scenario=%s%s max_pageblocks=%d hold_ms=%d duration=%us inject=%s\n",
		h->name, h->run.scenario->name, len ? buf : " no generators",
		h->run.max_pageblocks, h->run.hold_ms, h->set.duration,
		h->set.inject);
}

int cs_start(struct cs_harness *h)
{
	int g, ret, total = 1;

	if (h->running)
		return -EBUSY;
	ret = cs_settings_resolve(h);
	if (ret)
		return ret;
	for (g = 0; g < cs_nr_generators; g++)
		total += cs_nr_threads(h, g);
	ret = cs_pool_alloc(&h->pool, total);
	if (!ret)
		ret = cs_iso_start(h, total);
	if (ret)
		return ret;
	h->run_id++;
	cs_reset_run(h);
	cs_areas_select(h);
	for (g = 0; g < cs_nr_generators && !ret; g++)
		if (cs_first_user(h, g, offsetof(struct cs_generator, start)))
			ret = cs_generators[g]->start(h);
	if (ret)
		return ret;
	/* A fault no generator holds the site of (D1-D3's, in what they read): now. */
	if (h->run.inject >= 0 && !cs_inject_sites(h->run.inject))
		cs_inject(h, h->run.inject, NULL);
	ret = cs_coverage_start(h);
	if (ret)
		return ret;
	cs_pageblocks_before(h);
	h->totalram_start = totalram_pages();
	h->start_ns = ktime_get_ns();
	h->running = true;
	h->ran = true;
	ret = cs_spawn_all(h);
	if (ret) {
		cs_pool_stop(&h->pool);
		cs_coverage_stop(h);
		h->running = false;
		return ret;
	}
	cs_start_message(h);
	return 0;
}
