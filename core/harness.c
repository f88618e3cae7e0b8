// SPDX-License-Identifier: GPL-2.0
/*
 * A harness's load and unload: cs_harness_init(), which a module's init
 * calls (core/harness.h), and cs_harness_cleanup(), the only teardown,
 * for a failed init and for module exit alike.
 *
 * At load the frame finds the CMA areas, decides which detectors cannot
 * run in this module on this kernel (each says why in the report), checks
 * the settings and creates the debugfs files; run_on_load starts a run.
 */
#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/mm.h>
#include "cs_core.h"

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
	for (g = 0; g < cs_nr_generators; g++)	/* each idempotent */
		if (cs_generators[g]->cleanup)
			cs_generators[g]->cleanup(h);
	cs_pool_free(&h->pool);
	cs_iso_free(h);
	cs_coverage_free(h);
	cs_series_free(&h->series);
	cs_areas_free(h);
	h->inited = false;
}
EXPORT_SYMBOL_GPL(cs_harness_cleanup);

/*
 * An in-generator detector with none of the generators that run it in
 * this module: "no G6 in this module", naming them.
 */
static const char *cs_absent(struct cs_harness *h, int d)
{
	char *buf = h->off_why[d];
	size_t len = sizeof(h->off_why[d]);
	int g, n = 0, named = 0, last = -1;

	for (g = 0; g < cs_nr_generators; g++) {
		if (!(cs_generators[g]->checks & BIT(d)))
			continue;
		if (cs_offers(h, g))
			return NULL;
		if (last >= 0)
			n += scnprintf(buf + n, len - n, "%s%s", named++ ? ", " : "no ",
				       cs_generators[last]->id);
		last = g;
	}
	if (last < 0)
		return NULL;
	scnprintf(buf + n, len - n, "%s%s in this module", named ? " or " : "no ",
		  cs_generators[last]->id);
	return buf;
}

/*
 * Which detectors cannot run in this module on this kernel, and why: an
 * in-generator one none of whose generators the module offers; one an
 * offered generator's row says is off here (its off hook); D2 and D3
 * without a pageblock reader.
 */
static void cs_disable_detectors(struct cs_harness *h)
{
	const char **off = h->ctx.disabled;
	int d, g;

	for (d = 0; d < CS_NR_DETECTORS; d++) {
		if (cs_detectors[d].when == CS_IN_GENERATOR)
			off[d] = cs_absent(h, d);
		for (g = 0; g < cs_nr_generators && !off[d]; g++)
			if (cs_generators[g]->off && cs_offers(h, g))
				off[d] = cs_generators[g]->off(h, d);
	}
	if (!cs_can_read_pageblocks()) {
		off[CS_D3_PAGEBLOCK] = cs_pageblock_unreadable();
		off[CS_D2_FREELIST] =
			"list-vs-pageblock type checks off: pageblocks unreadable";
	}
}

int cs_harness_init(struct cs_harness *h)
{
	int ret;

	cs_frame_init(h);
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
