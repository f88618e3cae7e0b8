// SPDX-License-Identifier: GPL-2.0
/*
 * The frame: one run's lifecycle, the same for every module.
 *
 * start resolves the settings against the scenario, lets each generator
 * with state of its own prepare it, then walks cs_generators[] and starts
 * each one's threads, beside the auditor. The auditor walks
 * cs_detectors[] at each row's period, and ends the run when the duration
 * is over or (stop_on_fail) at the first violation, through stop_work.
 * stop stops every thread, then runs every detector once more on the
 * quiet state (D6 and D1-D3 with nothing in flight); checkpoints
 * (core/checkpoint.c) run the same checks every checkpoint_s seconds.
 *
 * cs_harness_cleanup() is the only teardown: a failed init and module exit
 * both call it, and it copes with whatever init got done.
 */
#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "cs_core.h"

/* The threads of a generator this run: its count, times CPUs if per-CPU. */
static int cs_nr_threads(struct cs_harness *h, int g)
{
	int n = max(h->run.threads[g], 0);

	return cs_generators[g].per_cpu ? n * num_online_cpus() : n;
}

/*
 * Does generator @g run this time with state hooks of its own? Rows that
 * share code (G1 and G7, G4 and G9) share their hooks: run each once.
 */
bool cs_first_user(struct cs_harness *h, int g, size_t hook)
{
	const void *fn = *(const void **)((const char *)&cs_generators[g] + hook);
	int e;

	if (h->run.threads[g] <= 0 || !fn)
		return false;
	for (e = 0; e < g; e++)
		if (h->run.threads[e] > 0 &&
		    *(const void **)((const char *)&cs_generators[e] + hook) == fn)
			return false;
	return true;
}

/* One pass of every detector the auditor runs at @when. */
static void cs_audit_pass(struct cs_harness *h, enum cs_when when, bool quiet)
{
	int d;

	for (d = 0; d < CS_NR_DETECTORS; d++)
		if (cs_detectors[d].when == when && !h->ctx.disabled[d])
			cs_detectors[d].check(h, quiet);
}

/* A full audit (D2 + D3), timed: the bench reports its cost per GiB. */
static void cs_audit_full(struct cs_harness *h, bool quiet)
{
	u64 t0 = ktime_get_ns();

	cs_audit_pass(h, CS_EVERY_FULL, quiet);
	atomic64_add(ktime_get_ns() - t0, &h->audit_ns);
	atomic_long_inc(&h->audits_full);
}

/* The debugfs "audit" command, and the end of quiesce. */
void cs_audit_now(struct cs_harness *h, bool quiet)
{
	cs_audit_pass(h, CS_EVERY_AUDIT, quiet);
	cs_audit_full(h, quiet);
	cs_event(&h->ctx, CS_OP_AUDIT, 0, 0, quiet);
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
			cs_audit_pass(h, CS_EVERY_AUDIT, false);
			if (time_after_eq(jiffies, next_full)) {
				cs_audit_full(h, false);
				next_full = jiffies + msecs_to_jiffies(h->set.freelist_ms);
			}
		}
		if (time_after_eq(jiffies, next_live)) {
			cs_audit_pass(h, CS_EVERY_SECOND, false);
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

/*
 * D6, the frame's part: MemTotal back at its baseline (every block G3
 * offlined is online again), then D1-D3 with nothing in flight. Each
 * generator's own part (G1: the CMA bitmap) ran just before.
 */
void cs_quiesce(struct cs_harness *h, bool quiet)
{
	long ram = totalram_pages();

	if (ram != h->totalram_start)
		cs_violation(&h->ctx, CS_D6_QUIESCE,
			     "%s, MemTotal %ld kB != %lu kB at start",
			     h->stopping ? "after stop" : "at a checkpoint",
			     ram << (PAGE_SHIFT - 10),
			     h->totalram_start << (PAGE_SHIFT - 10));
	cs_checked(&h->ctx, CS_D6_QUIESCE);
	cs_audit_now(h, true);
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

/* Counters, books and the series, all zero for a new run. */
static void cs_reset_run(struct cs_harness *h)
{
	int g, c;

	cs_ctx_reset(&h->ctx);
	h->ctx.injected = h->run.inject;
	memset(&h->view, 0, sizeof(h->view));
	h->view.bias_for = -1;
	for (g = 0; g < CS_NR_GENERATORS; g++) {
		atomic_long_set(&h->ops[g], 0);
		for (c = 0; c < CS_GEN_COUNTERS; c++)
			atomic_long_set(&h->count[g][c], 0);
	}
	atomic_long_set(&h->audits_full, 0);
	atomic_long_set(&h->audit_pages, 0);
	atomic64_set(&h->audit_ns, 0);
	h->audit_hold_max_ns = 0;
	atomic64_set(&h->audit_hold_ns, 0);
	atomic_long_set(&h->audit_holds, 0);
	for (c = 0; c < CS_HOLD_BUCKETS; c++)
		atomic_long_set(&h->hold_hist[c], 0);
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
	for (g = 0; g < CS_NR_GENERATORS && !ret; g++) {
		const struct cs_generator *gen = &cs_generators[g];

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

	for (g = 0; g < CS_NR_GENERATORS; g++)
		if (h->run.threads[g] > 0)
			len += scnprintf(buf + len, sizeof(buf) - len, " %s=%d",
					 cs_generators[g].name, cs_nr_threads(h, g));
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
	for (g = 0; g < CS_NR_GENERATORS; g++)
		total += cs_nr_threads(h, g);
	ret = cs_pool_alloc(&h->pool, total);
	if (!ret)
		ret = cs_iso_start(h, total);
	if (ret)
		return ret;
	h->run_id++;
	cs_reset_run(h);
	cs_areas_select(h);
	for (g = 0; g < CS_NR_GENERATORS && !ret; g++)
		if (cs_first_user(h, g, offsetof(struct cs_generator, start)))
			ret = cs_generators[g].start(h);
	if (ret)
		return ret;
	/* D1-D3's fault is in what they read: set it up before they run. */
	if (h->run.inject >= 0 && !cs_detectors[h->run.inject].inject_in)
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

/*
 * Teardown for a failed init and for exit alike: stop the run (which stops
 * every thread, so nothing can queue stop_work again), cancel a queued
 * stop, remove the files, and free what the generators and the frame hold.
 */
void cs_harness_cleanup(struct cs_harness *h)
{
	int g;

	debugfs_remove_recursive(h->dir);
	h->dir = NULL;
	if (h->inited) {
		mutex_lock(&h->lock);
		cs_stop(h);
		mutex_unlock(&h->lock);
		cancel_work_sync(&h->stop_work);
	}
	for (g = 0; g < CS_NR_GENERATORS; g++)	/* each idempotent */
		if (cs_generators[g].cleanup)
			cs_generators[g].cleanup(h);
	cs_pool_free(&h->pool);
	cs_iso_free(h);
	cs_coverage_free(h);
	cs_series_free(&h->series);
	cs_areas_free(h);
	h->inited = false;
}
EXPORT_SYMBOL_GPL(cs_harness_cleanup);

/* Which detectors cannot run in this module on this kernel, and why. */
static void cs_disable_detectors(struct cs_harness *h)
{
	struct cs_ctx *ctx = &h->ctx;

	if (!cs_offers(h, CS_G1) && !cs_offers(h, CS_G4))
		ctx->disabled[CS_D4_OWNERSHIP] = "no G1 or G4 in this module";
	else if (cs_offers(h, CS_G1) && cs_g1_unusable(h))
		ctx->disabled[CS_D4_OWNERSHIP] = cs_g1_unusable(h);
	if (!cs_offers(h, CS_G6))
		ctx->disabled[CS_D5_PLACEMENT] = "no G6 in this module";
	if (!cs_can_read_pageblocks()) {
		ctx->disabled[CS_D3_PAGEBLOCK] = cs_pageblock_unreadable();
		ctx->disabled[CS_D2_FREELIST] =
			"list-vs-pageblock type checks off: pageblocks unreadable";
	}
}

int cs_harness_init(struct cs_harness *h)
{
	int ret;

	mutex_init(&h->lock);
	INIT_WORK(&h->stop_work, cs_stop_work_fn);
	init_waitqueue_head(&h->park_wq);
	init_waitqueue_head(&h->resume_wq);
	cs_ctx_init(&h->ctx, h->name);
	h->inited = true;
	ret = cs_series_init(&h->series, CS_SERIES_ROWS);
	if (!ret)
		ret = cs_areas_find(h);
	if (!ret) {
		cs_areas_select(h);
		cs_disable_detectors(h);
		ret = cs_settings_check(h);
	}
	if (!ret)
		ret = cs_debugfs_init(h);
	if (ret)
		goto fail;
	pr_info("%s: loaded: %d CMA area(s), %lu kB CMA, pageblock_order %u, memory block %lu MiB, scenario %s\n",
		h->name, h->nr_areas, h->totalcma << (PAGE_SHIFT - 10),
		(unsigned int)pageblock_order,
		cs_memblock_pages() >> (20 - PAGE_SHIFT), h->set.scenario);
	if (h->set.run_on_load) {
		mutex_lock(&h->lock);
		ret = cs_start(h);
		mutex_unlock(&h->lock);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	cs_harness_cleanup(h);
	return ret;
}
EXPORT_SYMBOL_GPL(cs_harness_init);
