/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cs_core: the harness frame that cma_stress and isolate_race run in, the
 * way kernel/torture.c serves rcutorture and locktorture.
 *
 * A module is a table of scenarios, one cs_offer() line per generator it
 * offers, a few settings of its own, and the template core/harness.h,
 * which gives it a struct cs_harness and hands that to cs_harness_init().
 * The frame owns everything else: the run's lifecycle (start, duration,
 * stop, checkpoints), the auditor, the report, the time series, the
 * debugfs files, and one idempotent cleanup for a failed init and for
 * exit. What runs is read from two tables:
 *
 *  - cs_detectors[] (core/tables.c): the checks that catch a seed bug,
 *    each with where it runs (.when), which the frame walks, and the hook
 *    that proves it fires;
 *  - cs_generators[]: the kernel threads that stir up the races, one row
 *    each beside its code in gen/, listed in gen/generators.h and handed
 *    to the frame at load. Whatever a generator adds to start, to stop,
 *    to D4 or to D6 it adds through the hooks of its row.
 *
 * core/ never names a generator: gen/ uses core/, not the other way.
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
#include <linux/moduleparam.h>
#include <linux/workqueue.h>
#include <linux/stddef.h>

#include "rules.h"

struct cs_harness;
struct cs_worker;

/* ---- the detector table (core/tables.c) ----------------------------------- */

enum cs_detector_id {
	CS_D1_COUNTERS,
	CS_D2_FREELIST,
	CS_D3_PAGEBLOCK,
	CS_D4_OWNERSHIP,
	CS_D5_PLACEMENT,
	CS_D6_QUIESCE,
	CS_D7_LIVENESS,
	CS_NR_DETECTORS
};

/* Where a detector runs: its row's .when, which the frame walks. */
enum cs_when {
	CS_EVERY_AUDIT,		/* the auditor, every audit_ms */
	CS_EVERY_FULL,		/* the auditor, every freelist_ms */
	CS_EVERY_SECOND,	/* the auditor, once a second */
	CS_IN_GENERATOR,	/* a generator, on what it holds or gets (no .check) */
	CS_WHEN_QUIET,		/* stop and checkpoints, every generator stopped or parked */
};

struct cs_detector {
	const char *id;		/* "D1" */
	const char *name;	/* "d1_counters": report keys and FAIL lines */
	const char *seeds;	/* the seed threads it answers */
	const char *what;	/* what it checks */
	enum cs_when when;
	/*
	 * The check, run where .when says; @quiet: nothing in flight (stop, a
	 * checkpoint, or an audit command while stopped), when the quiet-state
	 * rules apply too. Every CS_EVERY_* and CS_WHEN_QUIET row has one.
	 */
	void (*check)(struct cs_harness *h, bool quiet);
	/*
	 * Called at the detector's injection site with what the site has,
	 * when the run injects one of its rules (inject=dN: .inject_rule;
	 * inject=<rule>); does what that rule's injection says, if anything
	 * (some rules' injections are where their check reads, cs_inj()),
	 * and returns true when the fault took effect. It changes what the
	 * audit reads or what the harness itself does, never the kernel's
	 * own state. The site is in the generators whose rows name the
	 * detector in .injects; where no row does, the frame calls it at
	 * start.
	 */
	bool (*inject)(struct cs_harness *h, void *arg);
	enum cs_rule_id inject_rule;	/* what inject=dN injects */
};

extern const struct cs_detector cs_detectors[CS_NR_DETECTORS];

/* ---- the generator table (gen/, handed to the frame at load) --------------- */

/*
 * The frame knows generators only as rows of this table, indexed by the
 * ids in gen/generators.h; arrays indexed by generator have room for
 * CS_MAX_GENERATORS.
 */
#define CS_MAX_GENERATORS 16
#define CS_GEN_COUNTERS 12

/* Kinds of kernel work a generator does, for the coverage table (core/coverage.c). */
enum cs_work {
	CS_DOES_CONTIG,		/* alloc_contig_range(), itself or through cma_alloc() */
	CS_DOES_CMA_ALLOC,	/* cma_alloc() */
	CS_DOES_OFFLINE,	/* memory offline */
};

struct cs_generator {
	const char *id;		/* "G1" */
	const char *name;	/* "g1": report keys; threads are cs_g1_<kind>/N */
	const char *thread;	/* "g1_alloc" */
	const char *seeds;
	const char *what;
	int (*fn)(void *arg);	/* the thread; @arg is its struct cs_worker */
	bool per_cpu;		/* that many threads per online CPU, each bound */
	/* Outcome counters: report key "<name>_<counter>", index = its enum. */
	const char *counters[CS_GEN_COUNTERS];
	unsigned int checks;	/* BIT(CS_Dn): in-generator detectors it runs */
	unsigned int injects;	/* BIT(CS_Dn): injection sites in its code */
	unsigned int does;	/* BIT(CS_DOES_*): for coverage */
	/* Optional: why it cannot run here (NULL: it can). */
	const char *(*unusable)(struct cs_harness *h);
	/* Optional, at load: why detector @d is off here with it (NULL: on). */
	const char *(*off)(struct cs_harness *h, int d);
	/* Optional, for state of its own: before its threads start ... */
	int (*start)(struct cs_harness *h);
	/*
	 * ... its part of D6, with its threads parked (a checkpoint) or
	 * stopped (@final), before the CS_WHEN_QUIET rows run ...
	 */
	void (*quiesce)(struct cs_harness *h, bool final);
	/* ... and at unload. */
	void (*cleanup)(struct cs_harness *h);
	/* Optional: lines of its own after its counters, in report and stats. */
	void (*report)(struct cs_harness *h, struct seq_file *m);
};

/* Given once by cs_core.ko's init (gen/main.c): cs_generators[id]. */
extern const struct cs_generator *const *cs_generators;
extern int cs_nr_generators;
void cs_set_generators(const struct cs_generator *const *table, int n);

/* A named mix: thread count per generator, and the range knobs. */
struct cs_scenario {
	const char *name;
	const char *what;
	int threads[CS_MAX_GENERATORS];
	int max_pageblocks;	/* largest range, in pageblocks */
	int hold_ms;		/* longest a range is held */
};

/* ---- settings: module parameters, also written as key=value to control ---- */

#define CS_STR 64
/* A machine runs at most this many harness threads per online CPU. */
#define CS_THREADS_PER_CPU 8

struct cs_settings {
	char scenario[CS_STR];
	int threads[CS_MAX_GENERATORS];	/* -1: the scenario's */
	int max_pageblocks, hold_ms;	/* -1: the scenario's */
	unsigned int duration, audit_ms, freelist_ms, stall_s, series_ms;
	unsigned int offline_timeout_ms, veto_pct;
	unsigned int audit_hold_entries;	/* D2's entries per zone->lock section */
	unsigned int checkpoint_s;		/* quiet-state checks every, 0 = off */
	/* Settings of some modules' own (isolate_race.c, cma_stress.c). */
	unsigned int comp_pct;		/* contig requests made with __GFP_COMP */
	bool racers_adjacent;		/* racers only keep off each other's pageblocks */
	bool racers_over_offline;	/* racers and offlines may overlap (a hunt) */
	unsigned int hunt_delay_ms;	/* ... with this window widened */
	bool gigantic;			/* 1 GiB hugetlb pages without hugetlb_cma */
	bool run_on_load, stop_on_fail, bare;
	char inject[CS_STR];
	char areas[CS_STR];
};

enum cs_type { CS_T_int, CS_T_uint, CS_T_bool, CS_T_str };

/*
 * A setting: a module parameter of the module (so the module's own
 * parameter table, THIS_MODULE->kp, is the settings table: nothing is
 * listed twice) whose value lives in the harness's struct cs_settings.
 */
struct cs_param {
	struct cs_harness *h;
	size_t off;		/* of its field in struct cs_settings */
	enum cs_type type;	/* a str field is char[CS_STR] */
	long lo, hi;		/* accepted range (int, uint); an int may be -1 too */
};

extern const struct kernel_param_ops cs_param_ops;

/*
 * One line per setting, as torture_param(): the harness's prefix, the type
 * (int, uint, bool, str), the name, its field in struct cs_settings, the
 * range and the description. Defaults: CS_FRAME_DEFAULTS (core/harness.h);
 * every thread count defaults to -1, the scenario's.
 */
#define cs_param(hs, ty, name, field, min, max, desc) \
	static struct cs_param cs_param_##name = { \
		.h = &__PASTE(hs, _harness), \
		.off = offsetof(struct cs_settings, field), \
		.type = CS_T_##ty, .lo = (min), .hi = (max) }; \
	module_param_cb(name, &cs_param_ops, &cs_param_##name, 0444); \
	MODULE_INFO(parm, #name ":" desc)

/*
 * A module offers generator @id (gen/generators.h) with one line: the
 * setting @name that gives its thread count, 0 to @max threads (-1, the
 * default: the scenario's count), and @desc. The frame knows what a
 * module offers by these settings (cs_offers()).
 */
#define cs_offer(hs, id, name, max, desc) \
	cs_param(hs, int, name, threads[id], 0, max, desc)

#define CS_FRAME_DEFAULTS \
	.scenario = "default", .max_pageblocks = -1, .hold_ms = -1, \
	.inject = "none", .audit_ms = 20, .freelist_ms = 200, .stall_s = 60, \
	.series_ms = 250, .offline_timeout_ms = 8000, .veto_pct = 20, \
	.audit_hold_entries = 2048, .checkpoint_s = 10, \
	.threads = { [0 ... CS_MAX_GENERATORS - 1] = -1 }

/* The report and the time series: core/report.h. */
#include "report.h"

/* ---- workers (core/workers.c) and D7 ------------------------------------------ */

struct cs_worker {
	struct task_struct *task;
	struct cs_harness *h;
	int (*fn)(void *arg);		/* the generator's thread function */
	int gen;			/* its row in cs_generators[], -1: auditor */
	int id;
	bool stall_reported;
	bool returned;			/* its function returned */
	bool died;			/* it exited without returning: D7 said so */
	bool vanish;			/* inject=d7: return as if it had died */
	unsigned long progress;
	unsigned long last_jiffies;	/* of the last progress */
	const char *doing;
	unsigned long doing_pfn;
	unsigned long since;		/* the generator's own pacing count */
};

struct cs_pool {
	int n, max;
	struct cs_worker *w;		/* max of them */
};

int cs_pool_alloc(struct cs_pool *p, int max);
void cs_pool_free(struct cs_pool *p);
int cs_pool_spawn(struct cs_harness *h, int gen, int id, int (*fn)(void *),
		  const char *kind, int cpu);
void cs_pool_stop(struct cs_pool *p);
void cs_liveness(struct cs_harness *h, bool quiet);

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

/* ---- CMA areas (core/areas.c) ------------------------------------------------- */

struct cs_span {
	unsigned long start, end;
};

/* An area's ranges: one before 6.14, up to CMA_MAX_RANGES since (compat.h). */
#define CS_AREA_RANGES 8

struct cs_area {
	int nranges;
	struct cs_span range[CS_AREA_RANGES];	/* pfns, ascending */
	unsigned long count;		/* pages in every range */
	char name[32];
	struct zone *zone;
	void *cma;			/* struct cma *, NULL for a found run */
	bool use;			/* G1 allocates here (areas=) */
	/*
	 * G1's books (gen/cma.c), allocated at its start, a bit per page of
	 * the ranges laid end to end (cs_area_off()).
	 */
	spinlock_t lock;		/* owned */
	unsigned long *owned;		/* pages we hold now (D4 overlap) */
	unsigned long *ever;		/* pages we ever held (D6) */
	unsigned long *baseline;	/* the CMA bitmap at start (D6) */
	atomic_long_t got;		/* pages cma_alloc() gave G1 here (D6) */
	s64 succeeded0;			/* the area's own count of them, at start */
};

int cs_areas_init(void);
int cs_areas_find(struct cs_harness *h);
void cs_areas_free(struct cs_harness *h);
void cs_areas_select(struct cs_harness *h);
struct cs_area *cs_area_of(struct cs_harness *h, unsigned long pfn);
long cs_area_off(const struct cs_area *a, unsigned long pfn);
unsigned long cs_area_pfn(const struct cs_area *a, unsigned long off);
const struct cs_span *cs_area_any_range(const struct cs_area *a);
bool cs_block_near_area(struct cs_harness *h, unsigned long block);

/* ---- the harness ------------------------------------------------------------------ */

/* What one run resolved from the settings and the scenario. */
struct cs_run {
	const struct cs_scenario *scenario;
	int threads[CS_MAX_GENERATORS];	/* threads per generator (x CPUs if per_cpu) */
	int max_pageblocks, hold_ms;
	int inject;			/* the injected rule's detector, or -1 */
	int inject_rule;		/* inject=<rule>, or dN's rule; -1 */
	bool inject_whole;		/* inject=dN: every rule its hook has */
};

/*
 * What the audits read on top of the kernel's state: the injections of
 * D1-D3's rules (cs_inject_view()), set at start, never the kernel's.
 */
struct cs_view {
	struct zone *zone;		/* the zone a counter bias applies to */
	long bias[NR_VM_ZONE_STAT_ITEMS];
	int bias_for;			/* the detector that sees the bias */
	long memtotal_cut;		/* D1 sees MemTotal this much lower */
	long cmatotal_cut;		/* D1 sees CmaTotal this much lower */
	unsigned int order_plus;	/* D2 sees each listed page's order higher */
	unsigned long pfn_plus;		/* D2 sees each listed page's pfn higher */
	bool spans_none;		/* D2 sees its zone span no pages */
	unsigned int nr_free_plus;	/* D2 counts order 0's entries higher */
	unsigned long area0_lead;	/* D3 sees area 0 start this much lower */
	unsigned long area0_trim;	/* D3 sees area 0 start this much higher */
};

/* Pageblocks found isolated at a run's start that are listed (and let be). */
#define CS_ISO_BEFORE 128

struct cs_harness {
	/* Given by the module. */
	const char *name;		/* "cma_stress": debugfs dir, FAIL lines */
	struct module *owner;		/* whose parameters are the settings */
	const struct cs_scenario *scenarios;
	int nr_scenarios;
	struct cs_settings set;		/* module parameters point here */

	/* The frame's. */
	struct mutex lock;		/* start, stop, settings, report */
	bool inited;
	struct cs_ctx ctx;
	struct cs_run run;
	struct cs_view view;
	struct cs_pool pool;
	struct cs_series series;
	struct dentry *dir;
	struct work_struct stop_work;
	char off_why[CS_NR_DETECTORS][48];	/* a detector's absence, composed */
	unsigned int run_id;		/* of the current (or last) run */
	unsigned int stop_for;		/* run_id a queued stop is for */
	bool running, ran;
	bool stopping;			/* stop's quiet checks, not a checkpoint's */
	/*
	 * ktime, not jiffies: a guest whose host deschedules it loses
	 * jiffies (ticks it missed), and the run would outlive its duration.
	 */
	u64 start_ns, stop_ns;
	unsigned long totalram_start;
	atomic_long_t count[CS_MAX_GENERATORS][CS_GEN_COUNTERS];
	atomic_long_t ops[CS_MAX_GENERATORS];	/* operations attempted */
	atomic_long_t audits_full, audit_pages;
	atomic64_t audit_ns;
	/*
	 * The audits' irqs-off lock sections (zone->lock, cma->lock; see
	 * cs_irqoff_done()), reported as audit_hold_*: the longest, their
	 * total and number for the mean, and a histogram by length (< 32 us,
	 * then one bucket a power of two, >= 8 ms).
	 */
	u64 irqoff_max_ns;
	atomic64_t irqoff_ns;
	atomic_long_t irqoff_sections;
#define CS_IRQOFF_BUCKETS 10
	atomic_long_t irqoff_hist[CS_IRQOFF_BUCKETS];
	atomic_long_t d2_skipped;	/* counter checks over the budget */
	atomic_long_t d6_shared;	/* D6 bitmap checks of areas others used */
	atomic_long_t d2_resumes_lost;	/* paused list walks not resumed */
	atomic_long_t d2_transient;	/* counter mismatches gone at a second look */

	/* Checkpoints (core/checkpoint.c). */
	bool pause;			/* generators park at the top of their loops */
	atomic_t parked;		/* generator threads parked or returned */
	wait_queue_head_t park_wq, resume_wq;
	atomic_long_t checkpoints, checkpoints_skipped;
	unsigned int checkpoint_ms;	/* how long the last one paused the run */

	/* Shared between generators. */
	struct cs_area *areas;
	int nr_areas, max_areas;
	unsigned long totalcma;		/* pages in every area */
	atomic_t isolating;		/* isolations of ours in flight (G2 waits) */
	unsigned long last_pfn;		/* G4's latest range: G3 aims next to it */
	unsigned long offlining_pfn;	/* G3's block now (G8 pins there), or 0 */
	unsigned long offline_seq;	/* G3's offline attempts so far */
	atomic64_t next_id;		/* G1 range ids */
	void *leaked;			/* inject=d6: a range never given to cma_release() */
	struct cs_iso *iso;		/* isolations in flight (core/isolation.c) */
	struct cs_iso_before {		/* pageblocks isolated at start: not judged */
		int n;
		unsigned long pfn[CS_ISO_BEFORE];
	} iso_before;
	void *cov;			/* coverage kretprobes (core/coverage.c) */
};

int cs_harness_init(struct cs_harness *h);
void cs_harness_cleanup(struct cs_harness *h);

/* Frame services for generators and detectors. */
static inline void cs_count(struct cs_worker *w, int counter, long n)
{
	atomic_long_add(n, &w->h->count[w->gen][counter]);
}

/* One operation attempted (make test asserts every generator did work). */
static inline void cs_op(struct cs_worker *w)
{
	atomic_long_inc(&w->h->ops[w->gen]);
}

static inline void cs_count_set(struct cs_worker *w, int counter, long v)
{
	atomic_long_set(&w->h->count[w->gen][counter], v);
}

static inline bool cs_injecting(struct cs_harness *h, enum cs_detector_id d)
{
	return h->run.inject == d;
}

/* Is this run's injection rule @r's? Its site then changes what it reads. */
static inline bool cs_inj(struct cs_harness *h, enum cs_rule_id r)
{
	return h->run.inject_rule == r;
}

/*
 * Run detector @d's injection hook at its site, if this run injects one
 * of @d's rules: the hook does what the rule's injection says.
 */
static inline bool cs_inject(struct cs_harness *h, enum cs_detector_id d, void *arg)
{
	return cs_injecting(h, d) && cs_detectors[d].inject(h, arg);
}

/* The tables walked (core/tables.c). */
bool cs_first_user(struct cs_harness *h, int g, size_t hook);
void cs_run_detectors(struct cs_harness *h, enum cs_when when, bool quiet);
void cs_audit_full(struct cs_harness *h, bool quiet);
void cs_audit_now(struct cs_harness *h, bool quiet);
void cs_quiet_checks(struct cs_harness *h, bool final);
unsigned int cs_inject_sites(int d);

bool cs_offers(struct cs_harness *h, int gen);
bool cs_keep_going(struct cs_worker *w);
void cs_worker_done(struct cs_worker *w);
void cs_checkpoint(struct cs_harness *h);
int cs_settings_check(struct cs_harness *h);
int cs_settings_resolve(struct cs_harness *h);
int cs_settings_write(struct cs_harness *h, const char *key, const char *val);
void cs_settings_show(struct cs_harness *h, struct seq_file *m);
void cs_frame_init(struct cs_harness *h);
int cs_start(struct cs_harness *h);
void cs_stop(struct cs_harness *h);
unsigned int cs_run_ms(struct cs_harness *h);
int cs_debugfs_init(struct cs_harness *h);
int cs_coverage_start(struct cs_harness *h);
void cs_coverage_stop(struct cs_harness *h);
void cs_coverage_free(struct cs_harness *h);
void cs_coverage_show(struct cs_harness *h, struct seq_file *m);

/* ---- symbols (core/syms.c) ------------------------------------------------------------- */

struct cs_sym {
	const char *name;
	void **addr;		/* where the resolved address goes */
	bool is_func;		/* called indirectly: must be IBT-safe */
	bool sleeps;		/* so it cannot be called with IBT off */
	const char *needed_by;	/* what is disabled without it */
};

int cs_resolve(const char *who, struct cs_sym *syms, int n);
bool cs_kernel_has(const char *name);
const char *cs_symbol_routes(void);
void cs_say_routes(void);
unsigned long cs_call_nosleep(void *fn, unsigned long a, unsigned long b,
			      unsigned long c);

/* ---- pageblocks (core/pageblock.c) and the audits (core/audit.c, core/freelist.c) ---- */

int cs_pageblock_init(void);
bool cs_can_read_pageblocks(void);
const char *cs_pageblock_unreadable(void);
int cs_pageblock_mt(unsigned long pfn);
int cs_pageblock_type(unsigned long pfn, bool *isolated);
const char *cs_mt_name(int mt);
/* for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone)) */
struct zone *cs_next_zone(struct zone *zone);
/* What D4's reference check saw of a page: quoted, never read again. */
struct cs_ref {
	int refcount;
	bool buddy;
	unsigned int waited_ms;		/* how long an extra reference lasted */
};

long cs_find_foreign_ref(unsigned long pfn, unsigned long nr, unsigned int wait_ms,
			 int plus, struct cs_ref *seen);
bool cs_d4_frozen(struct cs_harness *h, unsigned long pfn, unsigned long nr,
		  const char *when);
bool cs_d4_refs(struct cs_harness *h, unsigned long pfn, unsigned long nr,
		const char *when);
#define CS_FOREIGN_REF_WAIT_MS 200

long cs_zone_stat(struct cs_harness *h, enum cs_detector_id d,
		  struct zone *zone, enum zone_stat_item item);
void cs_audit_counters(struct cs_harness *h, bool quiet);	/* D1 */
void cs_audit_freelists(struct cs_harness *h, bool quiet);	/* D2 */
void cs_irqoff_done(struct cs_harness *h, u64 t0);
void cs_audit_pageblocks(struct cs_harness *h, bool quiet);	/* D3 */
void cs_pageblocks_before(struct cs_harness *h);
void cs_pageblocks_before_show(struct cs_harness *h, struct seq_file *m);
void cs_audit_quiesced(struct cs_harness *h, bool quiet);	/* D6 */
bool cs_inject_view(struct cs_harness *h, void *arg);		/* D1-D3 */
bool cs_inject_d4(struct cs_harness *h, void *arg);
bool cs_inject_d5(struct cs_harness *h, void *arg);
bool cs_inject_d6(struct cs_harness *h, void *arg);
bool cs_inject_d7(struct cs_harness *h, void *arg);		/* core/workers.c */

/* ---- isolations in flight, memory blocks (core/isolation.c) ---------------------------- */

enum cs_iso_kind { CS_ISO_RACER, CS_ISO_OFFLINE };

unsigned long cs_memblock_pages(void);
int cs_iso_start(struct cs_harness *h, int threads);
void cs_iso_free(struct cs_harness *h);
int cs_iso_begin(struct cs_worker *w, unsigned long start, unsigned long end,
		 enum cs_iso_kind kind);
void cs_iso_end(struct cs_worker *w, int slot);
bool cs_range_online(unsigned long start, unsigned long end);
unsigned long cs_iso_seq(struct cs_harness *h);
bool cs_iso_untouched(struct cs_harness *h, unsigned long start, unsigned long end,
		      unsigned long since);
struct cs_worker *cs_iso_holder(struct cs_harness *h, unsigned long pfn);
int cs_iso_describe(struct cs_harness *h, struct cs_worker *w, char *buf, size_t len);

#endif /* CS_CORE_H */
