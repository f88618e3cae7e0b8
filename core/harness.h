/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A harness module's frame, as a template: a module defines CS_HARNESS as
 * its prefix (cms), has its scenario table <prefix>_scenarios, and
 * includes this once. It gets <prefix>_harness, its init and exit (the
 * frame's init and its one cleanup), and the frame's settings as module
 * parameters of its own with CS_FRAME_DEFAULTS as their defaults. Then
 * the module offers its generators, one cs_offer() line each, and
 * declares its own settings.
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
	 "D2: free-list entries per zone->lock section (irqs off)");
cs_param(CS_HARNESS, uint, stall_s, stall_s, 1, 86400, "D7: no progress this long is a stall, s");
cs_param(CS_HARNESS, uint, series_ms, series_ms, 10, 60000, "time series sample period, ms");
cs_param(CS_HARNESS, uint, offline_timeout_ms, offline_timeout_ms, 10, 600000,
	 "G3: interrupt an offline after this long, ms");
cs_param(CS_HARNESS, uint, veto_pct, veto_pct, 0, 100,
	 "G3: percent of offlines a memory notifier refuses");
