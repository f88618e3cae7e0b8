/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule table (core/rules.c): every comparison of every detector that
 * can report a violation, by name. A detector (core/tables.c) is where and
 * when checks run; a rule is one thing a check can find. Each violation
 * names its rule, and each rule says what proves that it fires: a kernel
 * patch under kernel/patches/ that breaks the kernel the way the rule
 * describes, or an injection (inject=<rule>) that changes only what the
 * check reads or what the harness itself does, never the kernel's state.
 * make test runs every proof and fails on a rule that has none.
 */
#ifndef CS_RULES_H
#define CS_RULES_H

enum cs_rule_id {
	CS_R_D1_NEGATIVE,
	CS_R_D1_CMA_OVER_FREE,
	CS_R_D1_FREE_OVER_MANAGED,
	CS_R_D1_MEMFREE,
	CS_R_D1_CMAFREE,
	CS_R_D2_NOT_BUDDY,
	CS_R_D2_MISPLACED,
	CS_R_D2_WRONG_TYPE,
	CS_R_D2_ENDLESS,
	CS_R_D2_NR_FREE,
	CS_R_D2_FREE_PAGES,
	CS_R_D2_FREE_CMA,
	CS_R_D2_FREE_BLOCKS,
	CS_R_D3_AREA_NOT_CMA,
	CS_R_D3_CMA_OUTSIDE,
	CS_R_D3_QUIET_ISOLATED,
	CS_R_D3_CONTIG_LEFTOVER,
	CS_R_D4_FOREIGN_REF,
	CS_R_D4_FROZEN_REF,
	CS_R_D4_OVERWRITTEN,
	CS_R_D4_BITMAP_LOST,
	CS_R_D4_OUTSIDE_AREA,
	CS_R_D4_OVERLAP,
	CS_R_D4_RELEASE_REFUSED,
	CS_R_D4_PLANT_TAKEN,
	CS_R_D5_MOVABLE,
	CS_R_D5_CMA,
	CS_R_D6_MEMTOTAL,
	CS_R_D6_BOOKS_HELD,
	CS_R_D6_BITMAP_RELEASED,
	CS_R_D6_BLOCK_OFFLINE,
	CS_R_D7_STALL,
	CS_R_D7_DIED,
	CS_NR_RULES
};

struct cs_rule {
	const char *name;	/* "D3.quiet_isolated": FAIL lines, report, inject= */
	int det;		/* its detector, enum cs_detector_id */
	const char *what;	/* the comparison, in one line */
	/*
	 * The proofs, at least one: kernel/patches/<patch>-<kver>.patch, and
	 * what inject=<name> changes. make test runs each and wants this rule
	 * first among the run's findings within @bound_s seconds of start.
	 */
	const char *patch;
	const char *inject_how;
	unsigned int bound_s;
};

extern const struct cs_rule cs_rules[CS_NR_RULES];

int cs_rule_find(const char *name);
const char *cs_rule_absent(int r);
struct cs_harness;
struct seq_file;
void cs_rules_show(struct cs_harness *h, struct seq_file *m);

#endif /* CS_RULES_H */
