/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The frame's settings, as module parameters of the module that includes
 * this (each harness module does, once, after defining CS_HARNESS as its
 * struct cs_harness). Their defaults are CS_FRAME_DEFAULTS.
 */
cs_param(CS_HARNESS, str, scenario, scenario, 0, 0, "named mix (README: scenarios)");
cs_param(CS_HARNESS, int, max_pageblocks, max_pageblocks, -1, 64,
	 "largest range, in pageblocks (-1: the scenario's)");
cs_param(CS_HARNESS, int, hold_ms, hold_ms, -1, 60000,
	 "longest hold of a range, ms (-1: the scenario's)");
cs_param(CS_HARNESS, uint, duration, duration, 0, 2592000,
	 "seconds to run after start, 0 = until stop");
cs_param(CS_HARNESS, bool, run_on_load, run_on_load, 0, 1, "start at load");
cs_param(CS_HARNESS, bool, stop_on_fail, stop_on_fail, 0, 1, "stop at the first violation");
cs_param(CS_HARNESS, bool, bare, bare, 0, 1, "no audits, no page stamping (the bench's ceiling)");
cs_param(CS_HARNESS, str, inject, inject, 0, 0, "prove a detector fires: none, d1 .. d7");
cs_param(CS_HARNESS, uint, audit_ms, audit_ms, 1, 10000, "D1 counter check period, ms");
cs_param(CS_HARNESS, uint, freelist_ms, freelist_ms, 10, 60000, "D2 and D3 audit period, ms");
cs_param(CS_HARNESS, uint, stall_s, stall_s, 1, 86400, "D7: no progress this long is a stall, s");
cs_param(CS_HARNESS, uint, series_ms, series_ms, 10, 60000, "time series sample period, ms");
cs_param(CS_HARNESS, uint, offline_timeout_ms, offline_timeout_ms, 10, 600000,
	 "G3: interrupt an offline after this long, ms");
cs_param(CS_HARNESS, uint, veto_pct, veto_pct, 0, 100,
	 "G3: percent of offlines a memory notifier refuses");
