// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit test of the symbol route decision (core/route.h): every
 * combination of facts, against the rules as README states them. TCG
 * guests have no CET, so this is where the IBT cases are checked.
 */
#include <stdio.h>
#include "../core/route.h"

static int failures;

static void expect(const char *what, const struct cs_route_facts *f,
		   enum cs_route want)
{
	enum cs_route got = cs_route_pick(f);

	if (got != want) {
		printf("FAIL %s: exported=%d found=%d func=%d sleeps=%d ibt=%d endbr=%d: got %s, want %s\n",
		       what, f->exported, f->found, f->is_func, f->sleeps,
		       f->ibt_enforced, f->has_endbr, cs_route_name(got),
		       cs_route_name(want));
		failures++;
	}
}

int main(void)
{
	struct cs_route_facts f;
	int bits, cases = 0;

	for (bits = 0; bits < 64; bits++, cases++) {
		enum cs_route want;

		f.exported = bits & 1;
		f.found = !!(bits & 2);
		f.is_func = !!(bits & 4);
		f.sleeps = !!(bits & 8);
		f.ibt_enforced = !!(bits & 16);
		f.has_endbr = !!(bits & 32);
		/* README, "Unexported symbols and IBT": */
		if (f.exported)
			want = CS_ROUTE_EXPORTED;	/* an export is never sealed */
		else if (!f.found)
			want = CS_ROUTE_MISSING;
		else if (f.is_func && f.ibt_enforced && !f.has_endbr)
			want = f.sleeps ? CS_ROUTE_SEALED : CS_ROUTE_KALLSYMS_NOIBT;
		else
			want = CS_ROUTE_KALLSYMS;
		expect("table", &f, want);
	}
	/* The cases a user meets, by name. */
	expect("cma_alloc on an IBT CPU, sealed",
	       &(struct cs_route_facts){ .found = 1, .is_func = 1, .sleeps = 1,
					 .ibt_enforced = 1 }, CS_ROUTE_SEALED);
	expect("cma_alloc exported by the test kernel patch",
	       &(struct cs_route_facts){ .exported = 1, .found = 1, .is_func = 1,
					 .sleeps = 1, .ibt_enforced = 1 }, CS_ROUTE_EXPORTED);
	expect("get_pfnblock_flags_mask sealed: called with IBT lifted",
	       &(struct cs_route_facts){ .found = 1, .is_func = 1, .ibt_enforced = 1 },
	       CS_ROUTE_KALLSYMS_NOIBT);
	expect("cma_alloc in a guest without CET",
	       &(struct cs_route_facts){ .found = 1, .is_func = 1, .sleeps = 1 },
	       CS_ROUTE_KALLSYMS);
	printf("%d cases, %d failure(s)\n", cases + 4, failures);
	return failures != 0;
}
