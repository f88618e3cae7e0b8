/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The report's books (core/report.c) and the time series (core/series.c):
 * what every detector counted, the first violation with the operations
 * before it, and the sampled counters. Included by cs_core.h after the
 * detector and rule tables, whose sizes these use.
 */
#ifndef CS_REPORT_H
#define CS_REPORT_H

/* ---- the report: detector counts, first violation, recent operations ------ */

enum cs_op {
	CS_OP_ALLOC, CS_OP_RELEASE, CS_OP_OFFLINE, CS_OP_ONLINE,
	CS_OP_ISOLATE, CS_OP_UNISOLATE, CS_OP_FREE, CS_OP_AUDIT, CS_OP_NR
};

struct cs_event {
	u64 ns;
	unsigned long pfn;
	unsigned long nr;
	int ret;
	u16 cpu;
	u8 op;
};

#define CS_RING		64
#define CS_FIRST_LEN	384

struct cs_ctx {
	const char *name;		/* console prefix: "cma_stress" */
	int injected;			/* its findings print FAIL(injected); -1 */
	u64 start_ns;
	atomic_long_t checks[CS_NR_DETECTORS];
	atomic_long_t violations[CS_NR_DETECTORS];
	atomic_long_t rule_violations[CS_NR_RULES];
	const char *disabled[CS_NR_DETECTORS];	/* why, or NULL */
	atomic_long_t ops[CS_OP_NR];

	spinlock_t lock;		/* ring and first violation */
	unsigned int ring_head;
	struct cs_event ring[CS_RING];
	bool have_first;
	int first_rule;
	u64 first_ns;
	char first[CS_FIRST_LEN];
	unsigned int first_nr;		/* events kept with it */
	struct cs_event first_ring[CS_RING];
	unsigned int console_lines;	/* FAIL lines printed so far */
};

void cs_ctx_init(struct cs_ctx *ctx, const char *name);
void cs_ctx_reset(struct cs_ctx *ctx);
void cs_event(struct cs_ctx *ctx, enum cs_op op, unsigned long pfn,
	      unsigned long nr, int ret);
__printf(3, 4)
void cs_violation(struct cs_ctx *ctx, enum cs_rule_id r, const char *fmt, ...);
static inline void cs_checked(struct cs_ctx *ctx, enum cs_detector_id d)
{
	atomic_long_inc(&ctx->checks[d]);
}

long cs_total_violations(struct cs_ctx *ctx);
void cs_report_tail(struct cs_ctx *ctx, struct seq_file *m);
void cs_report_live(struct cs_ctx *ctx, struct seq_file *m);
void cs_report_geometry(struct seq_file *m);

/* ---- the time series (core/series.c) ---------------------------------------- */

#define CS_SERIES_ZONES 8	/* populated zones with a column (the first 8) */
#define CS_SERIES_AREAS 8	/* CMA areas with a column each (the first 8) */
#define CS_SERIES_ROWS 4096	/* 17 minutes at the default 250 ms */

struct cs_sample {
	unsigned int ms;		/* since start */
	unsigned int pause_ms;		/* a checkpoint's pause ended since the last */
	long cma_free_kb, cma_total_kb, mem_free_kb, mem_total_kb;
	long isolated;			/* pageblocks, all zones */
	long allocs, offlines, onlines, violations;
	long zone_free_kb[CS_SERIES_ZONES];
	unsigned int area_used[CS_SERIES_AREAS];	/* pages set in the CMA bitmap */
};

struct cs_series {
	spinlock_t lock;		/* rows, head */
	struct cs_sample *rows;
	unsigned int nr, head;
	u64 next_ns;
	long checkpoints_seen;		/* checkpoints run, as last sampled */
};

int cs_series_init(struct cs_series *s, unsigned int nr);
void cs_series_free(struct cs_series *s);
void cs_series_reset(struct cs_series *s);
void cs_series_sample(struct cs_series *s, struct cs_ctx *ctx,
		      unsigned long totalcma, unsigned int interval_ms, bool now);
void cs_series_show(struct cs_series *s, struct seq_file *m);

#endif /* CS_REPORT_H */
