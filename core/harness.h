/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A harness module's frame, as a template: a module defines CS_HARNESS as
 * its prefix (cms) and CS_OFFERS as the generators it offers, has its
 * scenario table <prefix>_scenarios, and includes this once. It gets
 * <prefix>_harness, its init and exit (the frame's init and its one
 * cleanup), the frame's settings as module parameters of its own with
 * CS_FRAME_DEFAULTS as their defaults, and a thread-count setting for
 * each generator it offers (-1, the default: the scenario's count). The
 * setting's name is the one in the generator's row of core/tables.c.
 */
#include <linux/init.h>

#define CS_HARNESS_VAR		__PASTE(CS_HARNESS, _harness)
#define CS_HARNESS_INIT		__PASTE(CS_HARNESS, _init)
#define CS_HARNESS_EXIT		__PASTE(CS_HARNESS, _exit)
/* module_init() stringifies its argument: expand ours first. */
#define cs_module_init(fn)	module_init(fn)
#define cs_module_exit(fn)	module_exit(fn)

static struct cs_harness CS_HARNESS_VAR = {
	.name = KBUILD_MODNAME,
	.owner = THIS_MODULE,
	.scenarios = __PASTE(CS_HARNESS, _scenarios),
	.nr_scenarios = ARRAY_SIZE(__PASTE(CS_HARNESS, _scenarios)),
	.set = { CS_FRAME_DEFAULTS },
};

static int __init CS_HARNESS_INIT(void)
{
	return cs_harness_init(&CS_HARNESS_VAR);
}

cs_module_init(CS_HARNESS_INIT);

static void __exit CS_HARNESS_EXIT(void)
{
	cs_harness_cleanup(&CS_HARNESS_VAR);
}

cs_module_exit(CS_HARNESS_EXIT);

cs_param(CS_HARNESS, str, scenario, scenario, 0, 0, "named mix (README: scenarios)");
cs_param(CS_HARNESS, int, max_pageblocks, max_pageblocks, 1, 64,
	 "largest range, in pageblocks (-1: the scenario's)");
cs_param(CS_HARNESS, int, hold_ms, hold_ms, 0, 60000,
	 "longest hold of a range, ms (-1: the scenario's)");
cs_param(CS_HARNESS, uint, duration, duration, 0, 2592000,
	 "seconds to run after start, 0 = until stop");
cs_param(CS_HARNESS, bool, run_on_load, run_on_load, 0, 1, "start at load");
cs_param(CS_HARNESS, bool, stop_on_fail, stop_on_fail, 0, 1, "stop at the first violation");
cs_param(CS_HARNESS, bool, bare, bare, 0, 1, "no audits, no page stamping (the bench's ceiling)");
cs_param(CS_HARNESS, str, inject, inject, 0, 0, "prove a detector fires: none, d1 .. d7");
cs_param(CS_HARNESS, uint, audit_ms, audit_ms, 1, 10000, "D1 counter check period, ms");
cs_param(CS_HARNESS, uint, freelist_ms, freelist_ms, 10, 60000, "D2 and D3 audit period, ms");
cs_param(CS_HARNESS, uint, checkpoint_s, checkpoint_s, 0, 86400,
	 "quiet-state checks during the run every, s (0 = only at stop)");
cs_param(CS_HARNESS, uint, audit_hold_entries, audit_hold_entries, 16, 1048576,
	 "D2: free-list entries per zone->lock hold");
cs_param(CS_HARNESS, uint, stall_s, stall_s, 1, 86400, "D7: no progress this long is a stall, s");
cs_param(CS_HARNESS, uint, series_ms, series_ms, 10, 60000, "time series sample period, ms");
cs_param(CS_HARNESS, uint, offline_timeout_ms, offline_timeout_ms, 10, 600000,
	 "G3: interrupt an offline after this long, ms");
cs_param(CS_HARNESS, uint, veto_pct, veto_pct, 0, 100,
	 "G3: percent of offlines a memory notifier refuses");

/* The thread count of each generator the module offers. */
#if CS_OFFERS & CS_OFFER_G1
cs_param(CS_HARNESS, int, alloc_threads, threads[CS_G1], 0, 1024, "G1 cma_alloc/release threads");
#endif
#if CS_OFFERS & CS_OFFER_G2
cs_param(CS_HARNESS, int, isolate_threads, threads[CS_G2], 0, 1024, "G2 free-while-isolating");
#endif
#if CS_OFFERS & CS_OFFER_G3
cs_param(CS_HARNESS, int, hotplug_threads, threads[CS_G3], 0, 1, "G3 offline/online threads");
#endif
#if CS_OFFERS & CS_OFFER_G4
cs_param(CS_HARNESS, int, racer_threads, threads[CS_G4], 0, 1024, "G4 alloc_contig_range racers");
#endif
#if CS_OFFERS & CS_OFFER_G5
cs_param(CS_HARNESS, int, pcp_threads, threads[CS_G5], 0, 1024, "G5 pcp churn threads per CPU");
#endif
#if CS_OFFERS & CS_OFFER_G6
cs_param(CS_HARNESS, int, pin_threads, threads[CS_G6], 0, 1024, "G6 pin-scope allocation threads");
#endif
#if CS_OFFERS & CS_OFFER_G7
cs_param(CS_HARNESS, int, churn_threads, threads[CS_G7], 0, 1024, "G7 fast cma churn threads");
#endif
#if CS_OFFERS & CS_OFFER_G8
cs_param(CS_HARNESS, int, gup_threads, threads[CS_G8], 0, 1024, "G8 transient pin threads");
#endif
#if CS_OFFERS & CS_OFFER_G9
cs_param(CS_HARNESS, int, plant_threads, threads[CS_G9], 0, 1024, "G9 planted-page threads");
#endif
#if CS_OFFERS & CS_OFFER_G10
cs_param(CS_HARNESS, int, hugetlb_threads, threads[CS_G10], 0, 1, "G10 hugetlb pool churn");
#endif
