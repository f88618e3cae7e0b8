/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cs_core: what cma_stress and isolate_race share, so no audit is written
 * twice (the way torture.ko serves rcutorture and locktorture):
 *
 *  - symbol resolution for what the kernel does not export (cs_syms.c),
 *  - the detectors' bookkeeping: counters, the first violation kept
 *    verbatim, a ring of recent operations (cs_report.c),
 *  - the audits of kernel state, D1 counters, D2 free lists and D3
 *    pageblock types (cs_audit.c),
 *  - memory block offline/online from a kernel thread (cs_hotplug.c).
 */
#ifndef CS_CORE_H
#define CS_CORE_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/mmzone.h>
#include <linux/seq_file.h>
#include <linux/random.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/fs.h>

/* ---- symbols ---------------------------------------------------------- */

struct cs_sym {
	const char *name;
	void **addr;		/* where the resolved address goes */
	bool is_func;		/* called indirectly: must be IBT-safe */
	bool sleeps;		/* so it cannot be called with IBT off */
	const char *needed_by;	/* what is disabled without it */
};

/*
 * Resolve each entry; print one line per symbol that could not be resolved
 * naming what it disables. Returns the number that failed.
 */
int cs_resolve(const char *who, struct cs_sym *syms, int n);
void *cs_lookup(const char *name);
bool cs_ibt_enforced(void);
/*
 * Call a non-sleeping resolved function of up to three word arguments,
 * with IBT enforcement lifted if objtool sealed it.
 */
unsigned long cs_call_nosleep(void *fn, unsigned long a, unsigned long b,
			      unsigned long c);

/* ---- detectors and the report ------------------------------------------ */

enum cs_detector {
	CS_D1_COUNTERS,
	CS_D2_FREELIST,
	CS_D3_PAGEBLOCK,
	CS_D4_OWNERSHIP,
	CS_D5_PLACEMENT,
	CS_D6_QUIESCE,
	CS_D7_LIVENESS,
	CS_NR_DETECTORS
};

extern const char *const cs_detector_names[CS_NR_DETECTORS];

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
	/*
	 * "FAIL", or "FAIL(injected)" while a fault is injected on purpose:
	 * the console parser fails a run on "<name>: FAIL " only, so a
	 * selftest proving a detector fires does not fail its own run.
	 */
	const char *fail_word;
	u64 start_ns;
	atomic_long_t checks[CS_NR_DETECTORS];
	atomic_long_t violations[CS_NR_DETECTORS];
	const char *disabled[CS_NR_DETECTORS];	/* why, or NULL */
	atomic_long_t ops[CS_OP_NR];

	spinlock_t lock;		/* ring and first violation */
	unsigned int ring_head;
	struct cs_event ring[CS_RING];
	bool have_first;
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
void cs_violation(struct cs_ctx *ctx, enum cs_detector d, const char *fmt, ...);
static inline void cs_checked(struct cs_ctx *ctx, enum cs_detector d)
{
	atomic_long_inc(&ctx->checks[d]);
}

long cs_total_violations(struct cs_ctx *ctx);
#define CS_FOREIGN_REF_WAIT_MS 200
long cs_find_foreign_ref(unsigned long pfn, unsigned long nr, unsigned int wait_ms);
void cs_report_detectors(struct cs_ctx *ctx, struct seq_file *m);
void cs_report_first(struct cs_ctx *ctx, struct seq_file *m);
void cs_report_geometry(struct seq_file *m);
void cs_report_ring(struct cs_ctx *ctx, struct seq_file *m);
void cs_report_head(struct seq_file *m, const char *module, const char *state,
		    unsigned int elapsed_s);
void cs_report_tail(struct cs_ctx *ctx, struct seq_file *m);
void cs_report_live(struct cs_ctx *ctx, struct seq_file *m);

/* ---- time series (cs_series.c) ------------------------------------------- */

#define CS_SERIES_ZONES 4

struct cs_sample {
	unsigned int ms;		/* since start */
	long cma_free_kb, cma_total_kb, mem_free_kb, mem_total_kb;
	long isolated;			/* pageblocks, all zones */
	long allocs, offlines, onlines, violations;
	long zone_free_kb[CS_SERIES_ZONES];
};

struct cs_series {
	spinlock_t lock;		/* rows, head */
	struct cs_sample *rows;
	unsigned int nr, head;
	u64 next_ns;
};

int cs_series_init(struct cs_series *s, unsigned int nr);
void cs_series_free(struct cs_series *s);
void cs_series_reset(struct cs_series *s);
/* Make the next cs_series_sample() take a sample whatever the interval. */
static inline void cs_series_reset_next(struct cs_series *s)
{
	s->next_ns = 0;
}

#define CS_SERIES_ROWS 4096	/* 17 minutes at the default 250 ms */
void cs_series_sample(struct cs_series *s, struct cs_ctx *ctx,
		      unsigned long totalcma, unsigned int interval_ms);
void cs_series_show(struct cs_series *s, struct seq_file *m);

/* ---- the debugfs control file (cs_control.c) ------------------------------- */

struct cs_setting {
	const char *key;
	void *ptr;
	char type;	/* i: int, u: unsigned int, b: bool, s: string */
	size_t size;	/* of a string */
};

/* debugfs_create_file(..., ctl, &cs_control_fops) */
struct cs_control {
	const char *name;
	struct mutex *lock;		/* held around every command */
	const struct cs_setting *settings;
	int nr_settings;
	int (*validate)(void);		/* all settings; one dmesg line if bad */
	bool (*running)(void);
	int (*start)(void);
	void (*stop)(void);
	void (*audit)(void);
	void (*reset)(void);
};

extern const struct file_operations cs_control_fops;

/* ---- workers (cs_workers.c) and D7 -------------------------------------- */

struct cs_worker {
	struct task_struct *task;
	const char *kind;		/* thread name: cs_<kind>/<id> */
	int id;
	bool watched;			/* by D7 (not the auditor itself) */
	bool stall_reported;
	unsigned long progress;
	unsigned long last_jiffies;	/* of the last progress */
	const char *doing;
	unsigned long doing_pfn;
};

#define CS_MAX_WORKERS 32

struct cs_pool {
	const char *owner;		/* module name, for messages */
	int n;
	struct cs_worker w[CS_MAX_WORKERS];
};

int cs_pool_spawn(struct cs_pool *p, const char *kind, int id,
		  int (*fn)(void *), int cpu, bool watched);
void cs_pool_stop(struct cs_pool *p);
void cs_pool_liveness(struct cs_ctx *ctx, struct cs_pool *p, unsigned int stall_s);

static inline void cs_progress(struct cs_worker *w, const char *doing,
			       unsigned long pfn)
{
	WRITE_ONCE(w->doing, doing);
	WRITE_ONCE(w->doing_pfn, pfn);
	w->progress++;
	WRITE_ONCE(w->last_jiffies, jiffies);
}

static inline unsigned int cs_rand(unsigned int n)
{
	return n ? get_random_u32_below(n) : 0;
}

/* ---- audits -------------------------------------------------------------- */

/* A physical range the D3 audit treats as a CMA area. */
struct cs_area {
	unsigned long base_pfn;
	unsigned long count;
	char name[32];
	struct zone *zone;
	void *cma;			/* struct cma *, when CONFIG_CMA */
};

#define CS_MAX_AREAS 8

/* True when the pageblock migratetype of a pfn can be read. */
bool cs_can_read_pageblocks(void);
int cs_pageblock_mt(unsigned long pfn);
const char *cs_mt_name(int mt);

/* Populated zones, walked without the unexported next_zone(). */
/* for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone)) */
struct zone *cs_next_zone(struct zone *zone);

int cs_find_cma_runs(struct cs_area *out, int max);
int cs_audit_init(void);	/* cs_core's own: resolve the audits' symbols */

/* D1: continuous counter sanity. @slack allows unlocked-read lag. */
void cs_audit_counters(struct cs_ctx *ctx, unsigned long totalcma);
/*
 * D2: every zone's free lists walked under zone->lock, compared with the
 * counters. Returns the number of pages walked.
 */
unsigned long cs_audit_freelists(struct cs_ctx *ctx);
/*
 * D3: pageblock types inside and outside the areas. @quiet: nothing of
 * ours is in flight, so no online pageblock may be ISOLATE.
 */
void cs_audit_pageblocks(struct cs_ctx *ctx, const struct cs_area *areas,
			 int nr_areas, bool quiet);

/* ---- generators both modules run (cs_gen.c, cs_hotplug.c) ------------------- */

struct cs_hotplug {
	/* settings */
	unsigned int veto_pct;		/* offlines a notifier refuses */
	unsigned int offline_timeout_ms;
	/* outcomes */
	atomic_long_t offline_ok, offline_busy, offline_intr, offline_vetoed,
		      offline_other, online_ok, online_fail;
	int last_other;			/* errno of the last unexpected failure */
};

/* Offline (@online false) or online one memory block through sysfs. */
int cs_memblock_set(unsigned long block, bool online, unsigned int timeout_ms);
unsigned long cs_memblock_pages(void);
unsigned long cs_memblock_count(void);
/* The zone a whole memory block lies in, or NULL (mixed, offline, hole). */
struct zone *cs_memblock_zone(unsigned long block);
/*
 * G3: offline @block (some attempts refused by a memory notifier after
 * isolation, some interrupted), and if that worked, online it again.
 * EBUSY and friends are outcomes, counted; a block that will not come
 * back online is a D6 violation.
 */
void cs_hotplug_cycle(struct cs_ctx *ctx, struct cs_hotplug *hp,
		      struct cs_worker *w, unsigned long block);
void cs_hotplug_reset(struct cs_hotplug *hp);
void cs_report_hotplug(struct seq_file *m, struct cs_hotplug *hp);
int cs_hotplug_init(void);
void cs_hotplug_exit(void);

/*
 * G2: one batch of movable allocations of mixed orders, freed while an
 * isolation is in flight (*@isolating > 0) if one starts within ~5 ms, so
 * buddies meet across pageblocks in the window of seed 000.
 */
struct cs_g2_stats {
	atomic_long_t frees, alloc_fail;
};

void cs_g2_batch(struct cs_ctx *ctx, struct cs_worker *w, atomic_t *isolating,
		 struct cs_g2_stats *st);

#endif /* CS_CORE_H */
