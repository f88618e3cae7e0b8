/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generators, as gen/ gives them to the frame and as a module names
 * them: each one's id (its index in cs_generators[], what a scenario's
 * counts and a module's cs_offer() line name) and its row, the struct
 * cs_generator defined beside its code in gen/.
 *
 * Adding a generator is its code and row in gen/, three lines here (its
 * id, its row's declaration, its place in the table), and in each module
 * that offers it a cs_offer() line (and its count in the scenarios that
 * run it).
 */
#ifndef CS_GENERATORS_H
#define CS_GENERATORS_H

#include "cs_core.h"

enum cs_generator_id {
	CS_G1,		/* gen/cma.c: cma_alloc/cma_release */
	CS_G2,		/* gen/pages.c: free while isolating */
	CS_G3,		/* gen/hotplug.c: memory offline/online */
	CS_G4,		/* gen/contig.c: alloc_contig_range racers */
	CS_G5,		/* gen/pages.c: pcp churn */
	CS_G6,		/* gen/pages.c: pin-scope allocations */
	CS_G7,		/* gen/cma.c: fast cma churn */
	CS_G8,		/* gen/pins.c: transient pins */
	CS_G9,		/* gen/contig.c: planted pages */
	CS_G10,		/* gen/hugetlb.c: hugetlb pool churn */
	CS_NR_GENERATORS
};

static_assert(CS_NR_GENERATORS <= CS_MAX_GENERATORS);

extern const struct cs_generator cs_g1;
extern const struct cs_generator cs_g2;
extern const struct cs_generator cs_g3;
extern const struct cs_generator cs_g4;
extern const struct cs_generator cs_g5;
extern const struct cs_generator cs_g6;
extern const struct cs_generator cs_g7;
extern const struct cs_generator cs_g8;
extern const struct cs_generator cs_g9;
extern const struct cs_generator cs_g10;

/* The table cs_core.ko's init hands the frame (gen/main.c). */
static inline const struct cs_generator *const *cs_generator_table(void)
{
	static const struct cs_generator *const table[CS_NR_GENERATORS] = {
		[CS_G1] = &cs_g1,
		[CS_G2] = &cs_g2,
		[CS_G3] = &cs_g3,
		[CS_G4] = &cs_g4,
		[CS_G5] = &cs_g5,
		[CS_G6] = &cs_g6,
		[CS_G7] = &cs_g7,
		[CS_G8] = &cs_g8,
		[CS_G9] = &cs_g9,
		[CS_G10] = &cs_g10,
	};

	return table;
}

/* What gen/ files share: load-time setup (gen/main.c), the CMA bitmap. */
int cs_cma_init(void);
int cs_hotplug_init(void);
void cs_hotplug_exit(void);
void cs_cma_bitmap(struct cs_harness *h, struct cs_area *a, unsigned long *dst);
unsigned long cs_unit_lost(struct cs_harness *h, struct cs_area *a,
			   unsigned long pfn, unsigned long count);

#endif /* CS_GENERATORS_H */
