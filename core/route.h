/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a kernel function the harness needs is reached, decided from facts
 * about it and the running CPU. Plain C with no kernel header, so that a
 * host-side unit test (tests/test-route.c) checks every case: TCG guests
 * have no CET, so the IBT cases cannot be reached by running.
 */
#ifndef CS_ROUTE_H
#define CS_ROUTE_H

enum cs_route {
	CS_ROUTE_EXPORTED,	/* exported: a direct, IBT-safe address */
	CS_ROUTE_KALLSYMS,	/* kallsyms; callable indirectly as it is */
	CS_ROUTE_KALLSYMS_NOIBT,/* kallsyms, sealed: called with ENDBR checks lifted */
	CS_ROUTE_SEALED,	/* sealed and it sleeps: cannot be called */
	CS_ROUTE_MISSING,	/* not in this kernel */
};

struct cs_route_facts {
	int exported;		/* __symbol_get() found it */
	int found;		/* kallsyms found it */
	int is_func;		/* called, not read */
	int sleeps;		/* so IBT cannot be lifted around it */
	int ibt_enforced;	/* this CPU enforces indirect branch targets */
	int has_endbr;		/* its first instruction is a real ENDBR64 */
};

static inline enum cs_route cs_route_pick(const struct cs_route_facts *f)
{
	if (f->exported)
		return CS_ROUTE_EXPORTED;
	if (!f->found)
		return CS_ROUTE_MISSING;
	if (!f->is_func || !f->ibt_enforced || f->has_endbr)
		return CS_ROUTE_KALLSYMS;
	return f->sleeps ? CS_ROUTE_SEALED : CS_ROUTE_KALLSYMS_NOIBT;
}

static inline const char *cs_route_name(enum cs_route r)
{
	switch (r) {
	case CS_ROUTE_EXPORTED:
		return "export";
	case CS_ROUTE_KALLSYMS:
		return "kallsyms";
	case CS_ROUTE_KALLSYMS_NOIBT:
		return "kallsyms+ibt-lifted";
	case CS_ROUTE_SEALED:
		return "refused:sealed-by-ibt";
	default:
		return "missing";
	}
}

/* What fixes a sealed, sleeping function: said at load, and in README. */
#define CS_ROUTE_FIX \
	"boot the test box with ibt=off, or build its kernel with kernel/patches/export-syms-<version>.patch"

#endif /* CS_ROUTE_H */
