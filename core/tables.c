// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's dispatch: the detector table, and the walks of it and of
 * the generator table that every part of the frame goes through.
 *
 * cs_detectors[]: what catches a bug. Each row says where it runs
 * (.when) and nothing else wires it: the auditor runs the CS_EVERY_* rows
 * at their periods (cs_run_detectors()); stop and every checkpoint run
 * cs_quiet_checks(): each generator's part of D6 (its row's quiesce hook),
 * then the CS_WHEN_QUIET rows, then every CS_EVERY_AUDIT and
 * CS_EVERY_FULL row with @quiet set. CS_IN_GENERATOR rows have no check
 * of their own: the generators whose rows name them in .checks run them on
 * what they hold. A row that is off in this module or on this kernel
 * (core/harness.c decides at load; the report says why) is skipped by
 * every walk. Each row's inject hook is how inject=dN proves the detector
 * fires (inject=dN: its .inject_rule; inject=<rule> for any rule with an
 * injection, core/rules.c), at the site cs_inject_sites() finds.
 *
 * cs_generators[]: what stirs up the races, handed over by cs_core.ko's
 * init (gen/main.c); a module offers a generator with a cs_offer() line,
 * a scenario gives each one its count, and start walks the table.
 *
 * README's "What it catches" is generated from these rows and the
 * generators' (scripts/catches.sh); make test fails when they disagree.
 */
#include <linux/module.h>
#include "cs_core.h"

const struct cs_detector cs_detectors[CS_NR_DETECTORS] = {
	[CS_D1_COUNTERS] = {
		.id = "D1", .name = "d1_counters", .seeds = "000",
		.what =
			"CmaFree <= CmaTotal, MemFree <= MemTotal, per zone NR_FREE_CMA_PAGES <= NR_FREE_PAGES <= managed, none negative",
		.when = CS_EVERY_AUDIT, .check = cs_audit_counters,
		.inject = cs_inject_view,
		.inject_rule = CS_R_D1_CMA_OVER_FREE,
	},
	[CS_D2_FREELIST] = {
		.id = "D2", .name = "d2_freelist", .seeds = "000 004",
		.what =
			"under zone->lock: nr_free per order = list lengths, NR_FREE_PAGES and NR_FREE_CMA_PAGES = the lists, each free page on its pageblock's list",
		.when = CS_EVERY_FULL, .check = cs_audit_freelists,
		.inject = cs_inject_view,
		.inject_rule = CS_R_D2_FREE_PAGES,
	},
	[CS_D3_PAGEBLOCK] = {
		.id = "D3", .name = "d3_pageblock", .seeds = "001 004",
		.what =
			"every pageblock of a CMA area is CMA (or ISOLATE in flight), none outside is CMA, none ISOLATE once quiet",
		.when = CS_EVERY_FULL, .check = cs_audit_pageblocks,
		.inject = cs_inject_view,
		.inject_rule = CS_R_D3_AREA_NOT_CMA,
	},
	[CS_D4_OWNERSHIP] = {
		.id = "D4", .name = "d4_ownership", .seeds = "002",
		.what =
			"G1, G4, G7, G9: every range we get lies in its area, has refcount 1, is not free, overlaps nothing we hold, keeps our pattern and (G1, G7) its bits in the CMA bitmap",
		.when = CS_IN_GENERATOR,
		.inject = cs_inject_d4,
		.inject_rule = CS_R_D4_OVERWRITTEN,
	},
	[CS_D5_PLACEMENT] = {
		.id = "D5", .name = "d5_placement", .seeds = "003",
		.what =
			"G6: allocations under memalloc_pin_save() get no ZONE_MOVABLE and no CMA page",
		.when = CS_IN_GENERATOR,
		.inject = cs_inject_d5,
		.inject_rule = CS_R_D5_MOVABLE,
	},
	[CS_D6_QUIESCE] = {
		.id = "D6", .name = "d6_quiesce", .seeds = "000 001",
		.what =
			"no CMA bitmap bit of ours but what we hold, every block we offlined online, MemTotal at its baseline, D1-D3 with nothing in flight",
		.when = CS_WHEN_QUIET, .check = cs_audit_quiesced,
		.inject = cs_inject_d6,
		.inject_rule = CS_R_D6_BITMAP_RELEASED,
	},
	[CS_D7_LIVENESS] = {
		.id = "D7", .name = "d7_liveness", .seeds = "001 002",
		.what =
			"a worker that makes no progress for stall_s seconds, or that died in its thread, with what it was doing",
		.when = CS_EVERY_SECOND, .check = cs_liveness,
		.inject = cs_inject_d7,
		.inject_rule = CS_R_D7_STALL,
	},
};

const struct cs_generator *const *cs_generators;
int cs_nr_generators;

void cs_set_generators(const struct cs_generator *const *table, int n)
{
	if (WARN_ON(n > CS_MAX_GENERATORS))
		n = CS_MAX_GENERATORS;
	cs_generators = table;
	cs_nr_generators = n;
}

/*
 * Does generator @g run this time with hook @hook of its own? Rows that
 * share code share their hooks (one function in two rows): run each once.
 */
bool cs_first_user(struct cs_harness *h, int g, size_t hook)
{
	const void *fn = *(const void **)((const char *)cs_generators[g] + hook);
	int e;

	if (h->run.threads[g] <= 0 || !fn)
		return false;
	for (e = 0; e < g; e++)
		if (h->run.threads[e] > 0 &&
		    *(const void **)((const char *)cs_generators[e] + hook) == fn)
			return false;
	return true;
}

/* Every detector that runs at @when and is not off here (its report says why). */
void cs_run_detectors(struct cs_harness *h, enum cs_when when, bool quiet)
{
	int d;

	for (d = 0; d < CS_NR_DETECTORS; d++)
		if (cs_detectors[d].when == when && !h->ctx.disabled[d])
			cs_detectors[d].check(h, quiet);
}

/* A full audit (the CS_EVERY_FULL rows), timed: the bench reports its cost per GiB. */
void cs_audit_full(struct cs_harness *h, bool quiet)
{
	u64 t0 = ktime_get_ns();

	cs_run_detectors(h, CS_EVERY_FULL, quiet);
	atomic64_add(ktime_get_ns() - t0, &h->audit_ns);
	atomic_long_inc(&h->audits_full);
}

/* Every auditor row but the once-a-second ones: the "audit" command, and quiet checks. */
void cs_audit_now(struct cs_harness *h, bool quiet)
{
	cs_run_detectors(h, CS_EVERY_AUDIT, quiet);
	cs_audit_full(h, quiet);
	cs_event(&h->ctx, CS_OP_AUDIT, 0, 0, quiet);
}

/*
 * The checks of a quiet state, at a checkpoint (@final false: generators
 * parked, holding what they hold) or at stop (every thread stopped).
 */
void cs_quiet_checks(struct cs_harness *h, bool final)
{
	int g;

	for (g = 0; g < cs_nr_generators; g++)
		if (cs_first_user(h, g, offsetof(struct cs_generator, quiesce)))
			cs_generators[g]->quiesce(h, final);
	cs_run_detectors(h, CS_WHEN_QUIET, true);
	cs_audit_now(h, true);
}

/* The generators whose code holds detector @d's injection site; 0: the frame's start. */
unsigned int cs_inject_sites(int d)
{
	unsigned int sites = 0;
	int g;

	for (g = 0; g < cs_nr_generators; g++)
		if (cs_generators[g]->injects & BIT(d))
			sites |= BIT(g);
	return sites;
}
