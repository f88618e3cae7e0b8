// SPDX-License-Identifier: GPL-2.0
/*
 * Coverage: which kernel functions on the isolation paths a run entered,
 * and which of their failure returns it saw, counted with kretprobes
 * while the run runs (registered at start, gone at stop). The seed bugs
 * live on failure and undo paths; a run that never saw
 * start_isolate_page_range() fail has not tested them.
 *
 * cs_coverage[] is the third table: each row a function, how it says it
 * failed, and the failures a run must show when a generator that does
 * the row's kind of work ran (CS_DOES_*, named in the generators' rows).
 * A function this kernel inlined (no symbol to probe) is listed as not
 * measurable, never silently missing. The counts are of every caller in
 * the kernel, ours or not.
 *
 * A failure is also counted by where it happened and who called: the
 * caller is the function the return address is in (memory offline,
 * alloc_contig_range(), cma_alloc(), the harness itself); where, for
 * start_isolate_page_range() and test_pages_isolated(), is the pageblock
 * of the range that failed (first, middle, last; "edge": the range's
 * ends failed in isolate_single_pageblock() without a pageblock refusing
 * isolation); for alloc_contig_range(), the stage: isolate (its
 * start_isolate_page_range() failed), test (its test_pages_isolated()
 * did), else migrate (migration, or taking the freed pages after it). The
 * pageblock comes from set_migratetype_isolate()'s failures and the
 * test_pages_isolated tracepoint's fin_pfn, the stage from the inner
 * calls' failures, each matched to the enclosing call by task
 * (cs_cov_note). A row's .need lists the (where, caller) pairs a run must
 * show when its kind of work ran.
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/kallsyms.h>
#include <linux/tracepoint.h>
#include <linux/slab.h>
#include "cs_core.h"
#include "compat.h"

enum cs_ret { CS_RET_ERRNO, CS_RET_PTR, CS_RET_BOOL, CS_RET_VOID };

#define CS_COV_FAILS 3		/* failure returns a row can list */
#define CS_COV_SLOTS 8		/* distinct return values counted */

/* Who called: the function the return address is in. */
enum cs_caller { CS_BY_OFFLINE, CS_BY_CONTIG, CS_BY_PAGES, CS_BY_CMA, CS_BY_ISOLATE,
		 CS_BY_HOTPLUG, CS_BY_HARNESS, CS_BY_OTHER, CS_NR_CALLERS };
static const char *const cs_caller_name[CS_NR_CALLERS] = {
	"offline", "contig", "pages", "cma", "isolate", "hotplug", "harness", "other"
};

/*
 * By the name of the function a return address is in, first match wins:
 * "contig" is the alloc_contig_range() API (on 7.x the harness's own
 * requests reach CS_ACR_SYMBOL through it), "pages" alloc_contig_pages()
 * (hugetlb), "isolate" page_isolation.c's walkers, "hotplug" the memory
 * block device.
 */
static const struct {
	const char *part;
	enum cs_caller by;
} cs_callers[] = {
	{ "[cs_core]", CS_BY_HARNESS }, { "[cma_stress]", CS_BY_HARNESS },
	{ "[isolate_race]", CS_BY_HARNESS }, { "offline_pages", CS_BY_OFFLINE },
	{ "alloc_contig_pages", CS_BY_PAGES }, { "alloc_contig_frozen_pages", CS_BY_PAGES },
	{ "alloc_contig_", CS_BY_CONTIG }, { "cma_", CS_BY_CMA },
	{ "isolate_", CS_BY_ISOLATE }, { "memory_", CS_BY_HOTPLUG },
};

/* Where a failure happened: the range's pageblock, or just "fail". */
enum cs_where { CS_AT_FIRST, CS_AT_MIDDLE, CS_AT_LAST, CS_AT_EDGE, CS_AT_ISOLATING,
		CS_AT_MIGRATING, CS_AT_TESTING, CS_AT_FAIL, CS_NR_WHERE };
static const char *const cs_where_name[CS_NR_WHERE] = {
	"first", "middle", "last", "edge", "isolate", "migrate", "test", "fail"
};

/* How a row learns where it failed (see the header). */
enum cs_pos { CS_POS_NONE, CS_POS_ISO_OUTER, CS_POS_ISO_INNER, CS_POS_TEST, CS_POS_STAGE };

struct cs_cov_need {
	enum cs_where where;	/* CS_AT_FAIL: anywhere */
	enum cs_caller by;
	unsigned int with;	/* BIT(CS_DOES_*) */
};

#define CS_COV_NEEDS 4

struct cs_cov_fn {
	const char *name;
	enum cs_ret ret;
	int fails[CS_COV_FAILS];	/* -errno, or 1 for a NULL/false return */
	unsigned int with;		/* expected when work of this kind ran (BIT(CS_DOES_*)) */
	enum cs_pos pos;
	struct cs_cov_need need[CS_COV_NEEDS];	/* .with 0 ends the list */
};

#define CS_FAILED 1
/* Who CS_ACR_SYMBOL's caller is for the harness's own requests. */
#if CS_CONTIG_COMP_FROZEN
#define CS_ACR_OURS CS_BY_CONTIG
#else
#define CS_ACR_OURS CS_BY_HARNESS
#endif
#define OFF BIT(CS_DOES_OFFLINE)
#define CONTIG BIT(CS_DOES_CONTIG)
#define CMA BIT(CS_DOES_CMA_ALLOC)

static const struct cs_cov_fn cs_coverage[] = {
	{ CS_ACR_SYMBOL, CS_RET_ERRNO, { -EBUSY }, CONTIG, CS_POS_STAGE,
	  { { CS_AT_TESTING, CS_BY_CMA, CMA }, { CS_AT_ISOLATING, CS_ACR_OURS, CONTIG } } },
	{ "start_isolate_page_range", CS_RET_ERRNO, { -EBUSY }, OFF, CS_POS_ISO_OUTER,
	  { { CS_AT_FIRST, CS_BY_OFFLINE, OFF }, { CS_AT_MIDDLE, CS_BY_OFFLINE, OFF },
	    { CS_AT_LAST, CS_BY_OFFLINE, OFF }, { CS_AT_FAIL, CS_BY_CONTIG, CONTIG } } },
	{ "undo_isolate_page_range", CS_RET_VOID },
	{ "test_pages_isolated", CS_RET_ERRNO, { -EBUSY }, OFF, CS_POS_TEST },
	{ "offline_pages", CS_RET_ERRNO, { -EBUSY, -EINTR, -EPERM }, OFF },
	{ "set_migratetype_isolate", CS_RET_ERRNO, { -EBUSY }, OFF, CS_POS_ISO_INNER },
	{ "unset_migratetype_isolate", CS_RET_VOID },
	{ "isolate_single_pageblock", CS_RET_ERRNO, { -EBUSY }, OFF },
	{ "cma_alloc", CS_RET_PTR, { CS_FAILED }, CMA, CS_POS_NONE,
	  { { CS_AT_FAIL, CS_BY_HARNESS, CMA } } },
	{ "cma_release", CS_RET_BOOL },
};

#undef OFF
#undef CONTIG
#undef CMA

#define CS_NR_COV ARRAY_SIZE(cs_coverage)

struct cs_cov;

/* A return address already classified, so kallsyms is asked once each. */
struct cs_cov_site {
	unsigned long addr;
	enum cs_caller by;
};

#define CS_COV_SITES 16

struct cs_cov_probe {
	struct kretprobe rp;
	struct cs_cov *cov;
	const struct cs_cov_fn *fn;
	int registered;			/* 0 or the error that made it unmeasurable */
	atomic_long_t entered;
	long value[CS_COV_SLOTS];	/* the return values seen, in order */
	atomic_long_t count[CS_COV_SLOTS + 1];	/* the last slot: any other */
	spinlock_t lock;		/* claiming a value slot or a site */
	atomic_long_t failed[CS_NR_WHERE][CS_NR_CALLERS];
	struct cs_cov_site site[CS_COV_SITES];
	int nsites;
};

/* The arguments a positional row keeps from its entry to its return. */
struct cs_cov_args {
	unsigned long start, end;
};

/* A pageblock that failed, for the enclosing call of the same task. */
struct cs_cov_note {
	struct task_struct *task;
	unsigned long pfn;
};

#define CS_COV_NOTES 64
enum { CS_NOTE_ISO, CS_NOTE_TEST, CS_NOTE_STAGE, CS_NR_NOTES };

struct cs_cov {
	struct cs_cov_probe p[CS_NR_COV];
	spinlock_t note_lock;		/* note[][] */
	struct cs_cov_note note[CS_NR_NOTES][CS_COV_NOTES];
	struct tracepoint *tp_test;	/* test_pages_isolated, registered */
	bool tp_seen;			/* it was, this run (the report says so) */
};

/* Current's note of kind @k: set it (@pfn) or, with @take, read and clear it. */
static unsigned long cs_cov_note(struct cs_cov *cov, int k, unsigned long pfn, bool take)
{
	struct cs_cov_note *n = cov->note[k], *free = NULL;
	unsigned long flags, got = ULONG_MAX;
	int i;

	spin_lock_irqsave(&cov->note_lock, flags);
	for (i = 0; i < CS_COV_NOTES; i++) {
		if (n[i].task == current) {
			got = n[i].pfn;
			if (take)
				n[i].task = NULL;
			else
				n[i].pfn = pfn;
			break;
		}
		if (!n[i].task && !free)
			free = &n[i];
	}
	if (i == CS_COV_NOTES && !take && free)
		*free = (struct cs_cov_note){ .task = current, .pfn = pfn };
	spin_unlock_irqrestore(&cov->note_lock, flags);
	return got;
}

static int cs_cov_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct cs_cov_probe *p = container_of(get_kretprobe(ri), struct cs_cov_probe, rp);
	struct cs_cov_args *a = (struct cs_cov_args *)ri->data;

	atomic_long_inc(&p->entered);
	switch (p->fn->pos) {
	case CS_POS_ISO_OUTER:
	case CS_POS_TEST:
		/*
		 * No lock here: an entry handler runs in the int3 trap, which
		 * lockdep counts as NMI. The return handler takes the note.
		 */
		a->start = regs_get_kernel_argument(regs, 0);
		a->end = regs_get_kernel_argument(regs, 1);
		break;
	case CS_POS_ISO_INNER:	/* set_migratetype_isolate(page, ...) */
		a->start = page_to_pfn((struct page *)regs_get_kernel_argument(regs, 0));
		break;
	default:
		break;
	}
	return 0;
}

/* The caller of a return address: kallsyms once per call site. */
static enum cs_caller cs_cov_caller(struct cs_cov_probe *p, unsigned long addr)
{
	static char sym[KSYM_SYMBOL_LEN];
	static DEFINE_SPINLOCK(sym_lock);
	enum cs_caller by = CS_BY_OTHER;
	unsigned long flags;
	/* Pairs with the release below: a site counted is a site written. */
	int i, n = smp_load_acquire(&p->nsites);

	for (i = 0; i < n; i++)
		if (p->site[i].addr == addr)
			return p->site[i].by;
	spin_lock_irqsave(&sym_lock, flags);
	sprint_symbol_no_offset(sym, addr);
	for (i = 0; i < ARRAY_SIZE(cs_callers); i++)
		if (strstr(sym, cs_callers[i].part)) {
			by = cs_callers[i].by;
			break;
		}
	spin_unlock_irqrestore(&sym_lock, flags);
	spin_lock_irqsave(&p->lock, flags);
	if (p->nsites < CS_COV_SITES) {
		p->site[p->nsites].by = by;
		p->site[p->nsites].addr = addr;
		/* Publish the site after its fields (the acquire above). */
		smp_store_release(&p->nsites, p->nsites + 1);
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return by;
}

/* Which pageblock of [@a->start, @a->end) the failing @pfn is in. */
static enum cs_where cs_cov_where(const struct cs_cov_args *a, unsigned long pfn)
{
	unsigned long first = ALIGN_DOWN(a->start, pageblock_nr_pages);
	unsigned long last = ALIGN(a->end, pageblock_nr_pages) - pageblock_nr_pages;

	if (pfn == ULONG_MAX)
		return CS_AT_EDGE;
	pfn = ALIGN_DOWN(pfn, pageblock_nr_pages);
	if (pfn == first)
		return CS_AT_FIRST;
	return pfn == last ? CS_AT_LAST : CS_AT_MIDDLE;
}

#ifdef CONFIG_TRACEPOINTS
/* test_pages_isolated's tracepoint: where it stopped, if short of the end. */
static void cs_cov_tp_test(void *data, unsigned long start, unsigned long end,
			   unsigned long fin)
{
	if (fin < end)
		cs_cov_note(data, CS_NOTE_TEST, fin, false);
}

/* The test_pages_isolated tracepoint, found by name: it is not exported. */
static void cs_cov_find_tp(struct tracepoint *tp, void *priv)
{
	struct cs_cov *cov = priv;

	if (!strcmp(tp->name, "test_pages_isolated"))
		cov->tp_test = tp;
}

/* Where test_pages_isolated() stops, when the kernel has its tracepoint. */
static void cs_cov_tp_start(struct cs_cov *cov)
{
	for_each_kernel_tracepoint(cs_cov_find_tp, cov);
	if (cov->tp_test &&
	    tracepoint_probe_register(cov->tp_test, (void *)cs_cov_tp_test, cov))
		cov->tp_test = NULL;
	cov->tp_seen = cov->tp_test;
}

static void cs_cov_tp_stop(struct cs_cov *cov)
{
	if (!cov->tp_test)
		return;
	tracepoint_probe_unregister(cov->tp_test, (void *)cs_cov_tp_test, cov);
	tracepoint_synchronize_unregister();
	cov->tp_test = NULL;
}
#else
static void cs_cov_tp_start(struct cs_cov *cov) {}
static void cs_cov_tp_stop(struct cs_cov *cov) {}
#endif

/* The return as the row reads it: -errno or 0; CS_FAILED or 0. */
static long cs_cov_value(enum cs_ret kind, unsigned long rv)
{
	switch (kind) {
	case CS_RET_ERRNO:
		return (int)rv;
	case CS_RET_PTR:
		return rv ? 0 : CS_FAILED;
	case CS_RET_BOOL:
		return (u8)rv ? 0 : CS_FAILED;
	default:
		return 0;
	}
}

static void cs_cov_count(struct cs_cov_probe *p, long v)
{
	unsigned long flags;
	int i;

	for (i = 0; i < CS_COV_SLOTS; i++) {
		if (READ_ONCE(p->value[i]) == v && atomic_long_read(&p->count[i])) {
			atomic_long_inc(&p->count[i]);
			return;
		}
	}
	spin_lock_irqsave(&p->lock, flags);
	for (i = 0; i < CS_COV_SLOTS; i++)
		if (!atomic_long_read(&p->count[i]) || p->value[i] == v)
			break;
	if (i < CS_COV_SLOTS)
		WRITE_ONCE(p->value[i], v);
	atomic_long_inc(&p->count[i]);
	spin_unlock_irqrestore(&p->lock, flags);
}

static int cs_cov_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct cs_cov_probe *p = container_of(get_kretprobe(ri), struct cs_cov_probe, rp);
	const struct cs_cov_args *a = (const struct cs_cov_args *)ri->data;
	long v = cs_cov_value(p->fn->ret, regs_return_value(regs));
	enum cs_pos pos = p->fn->pos;
	enum cs_where where = CS_AT_FAIL;
	unsigned long pfn = ULONG_MAX;
	enum cs_caller by;

	/* Every note this call's inner calls left is taken, failed or not. */
	if (pos == CS_POS_ISO_OUTER || pos == CS_POS_TEST || pos == CS_POS_STAGE)
		pfn = cs_cov_note(p->cov, pos == CS_POS_TEST ? CS_NOTE_TEST :
				  pos == CS_POS_STAGE ? CS_NOTE_STAGE : CS_NOTE_ISO, 0, true);
	cs_cov_count(p, v);
	if (!v)
		return 0;
	by = cs_cov_caller(p, get_kretprobe_retaddr(ri));
	if (pos == CS_POS_ISO_INNER)
		cs_cov_note(p->cov, CS_NOTE_ISO, a->start, false);
	else if (pos == CS_POS_ISO_OUTER || (pos == CS_POS_TEST && p->cov->tp_seen))
		where = cs_cov_where(a, pfn);
	else if (pos == CS_POS_STAGE)
		where = pfn == ULONG_MAX ? CS_AT_MIGRATING : pfn;
	/* alloc_contig_range()'s stage, for its return to take. */
	if ((pos == CS_POS_ISO_OUTER || pos == CS_POS_TEST) && by == CS_BY_CONTIG)
		cs_cov_note(p->cov, CS_NOTE_STAGE,
			    pos == CS_POS_TEST ? CS_AT_TESTING : CS_AT_ISOLATING, false);
	atomic_long_inc(&p->failed[where][by]);
	return 0;
}

static long cs_cov_seen(struct cs_cov_probe *p, long v)
{
	int i;

	for (i = 0; i < CS_COV_SLOTS; i++)
		if (atomic_long_read(&p->count[i]) && p->value[i] == v)
			return atomic_long_read(&p->count[i]);
	return 0;
}

/* At start: a kretprobe on every row; a row that cannot have one says why. */
int cs_coverage_start(struct cs_harness *h)
{
	struct cs_cov *cov = h->cov;
	int i;

	if (!cov) {
		cov = kzalloc_obj(*cov, GFP_KERNEL);
		if (!cov)
			return -ENOMEM;
		h->cov = cov;
	}
	memset(cov, 0, sizeof(*cov));
	spin_lock_init(&cov->note_lock);
	/* Before the probes: a failure counted must find its pageblock noted. */
	cs_cov_tp_start(cov);
	for (i = 0; i < CS_NR_COV; i++) {
		struct cs_cov_probe *p = &cov->p[i];

		spin_lock_init(&p->lock);
		p->cov = cov;
		p->fn = &cs_coverage[i];
		p->rp.kp.symbol_name = cs_coverage[i].name;
		p->rp.entry_handler = cs_cov_entry;
		p->rp.handler = cs_coverage[i].ret == CS_RET_VOID ? NULL : cs_cov_ret;
		p->rp.data_size = sizeof(struct cs_cov_args);
		/* These sleep (migration, offline): room for many at once. */
		p->rp.maxactive = 4 * num_possible_cpus() + 16;
		p->registered = register_kretprobe(&p->rp);
		if (!p->registered)
			p->registered = 1;
	}
	return 0;
}

/* At stop (and unload): every probe gone before the counts are read. */
void cs_coverage_stop(struct cs_harness *h)
{
	struct cs_cov *cov = h->cov;
	int i;

	if (!cov)
		return;
	for (i = 0; i < CS_NR_COV; i++)
		if (cov->p[i].registered == 1) {
			unregister_kretprobe(&cov->p[i].rp);
			cov->p[i].registered = 2;
		}
	cs_cov_tp_stop(cov);
}

void cs_coverage_free(struct cs_harness *h)
{
	cs_coverage_stop(h);
	kfree(h->cov);
	h->cov = NULL;
}

static void cs_cov_value_name(char *buf, size_t len, enum cs_ret kind, long v)
{
	if (kind == CS_RET_PTR || kind == CS_RET_BOOL)
		strscpy(buf, v ? (kind == CS_RET_PTR ? "NULL" : "false") : "ok", len);
	else if (v)
		snprintf(buf, len, "%ld", v);
	else
		strscpy(buf, "0", len);
}

/* A row's failures by where and caller: " fail_at: first@offline=3 ...". */
static void cs_cov_show_failed(struct cs_cov_probe *p, struct seq_file *m)
{
	bool any = false;
	int w, c;

	for (w = 0; w < CS_NR_WHERE; w++)
		for (c = 0; c < CS_NR_CALLERS; c++) {
			long n = atomic_long_read(&p->failed[w][c]);

			if (!n)
				continue;
			seq_printf(m, "%s%s@%s=%ld", any ? " " : " fail_at: ",
				   cs_where_name[w], cs_caller_name[c], n);
			any = true;
		}
	seq_putc(m, '\n');
}

/* Failures of (where, caller) a row's need lists; where FAIL: anywhere. */
static long cs_cov_failed(struct cs_cov_probe *p, const struct cs_cov_need *n)
{
	long sum = 0;
	int w;

	for (w = 0; w < CS_NR_WHERE; w++)
		if (n->where == CS_AT_FAIL || n->where == w)
			sum += atomic_long_read(&p->failed[w][n->by]);
	return sum;
}

/* The needs of row @p the run's work called for and did not show. */
static int cs_cov_show_needs(struct cs_harness *h, struct cs_cov_probe *p,
			     unsigned int ran, struct seq_file *m)
{
	int k, missing = 0;

	if (p->registered <= 0)
		return 0;
	for (k = 0; k < CS_COV_NEEDS && p->fn->need[k].with; k++) {
		const struct cs_cov_need *n = &p->fn->need[k];

		if (!(n->with & ran) || cs_cov_failed(p, n))
			continue;
		seq_printf(m, " %s:%s@%s", p->fn->name, cs_where_name[n->where],
			   cs_caller_name[n->by]);
		missing++;
	}
	return missing;
}

/* One line per function, then the listed failures the run did not show. */
void cs_coverage_show(struct cs_harness *h, struct seq_file *m)
{
	struct cs_cov *cov = h->cov;
	unsigned int ran = 0;
	int i, j, g, missing = 0;
	char v[16];

	for (g = 0; g < cs_nr_generators; g++)
		if (h->run.threads[g] > 0)
			ran |= cs_generators[g]->does;
	for (i = 0; i < CS_NR_COV && cov; i++) {
		struct cs_cov_probe *p = &cov->p[i];

		seq_printf(m, "coverage_%s:", cs_coverage[i].name);
		if (p->registered <= 0) {
			seq_printf(m, " not measurable (kretprobe: %d, inlined or not probe-able)\n",
				   p->registered);
			continue;
		}
		seq_printf(m, " entered=%ld", atomic_long_read(&p->entered));
		for (j = 0; j < CS_COV_SLOTS; j++) {
			if (!atomic_long_read(&p->count[j]))
				continue;
			cs_cov_value_name(v, sizeof(v), cs_coverage[i].ret, p->value[j]);
			seq_printf(m, " ret%s=%ld", v, atomic_long_read(&p->count[j]));
		}
		if (atomic_long_read(&p->count[CS_COV_SLOTS]))
			seq_printf(m, " ret_other=%ld", atomic_long_read(&p->count[CS_COV_SLOTS]));
		seq_printf(m, " missed=%d", p->rp.nmissed);
		if (p->fn->pos == CS_POS_TEST && !cov->tp_seen)
			seq_puts(m, " where=unknown(no_tracepoint)");
		cs_cov_show_failed(p, m);
	}
	seq_puts(m, "coverage_missing:");
	for (i = 0; i < CS_NR_COV && cov; i++) {
		struct cs_cov_probe *p = &cov->p[i];

		if (p->registered <= 0 || !(cs_coverage[i].with & ran))
			continue;
		for (j = 0; j < CS_COV_FAILS && cs_coverage[i].fails[j]; j++) {
			if (cs_cov_seen(p, cs_coverage[i].fails[j]))
				continue;
			cs_cov_value_name(v, sizeof(v), cs_coverage[i].ret,
					  cs_coverage[i].fails[j]);
			seq_printf(m, " %s:%s", cs_coverage[i].name, v);
			missing++;
		}
	}
	for (i = 0; i < CS_NR_COV && cov; i++)
		missing += cs_cov_show_needs(h, &cov->p[i], ran, m);
	seq_puts(m, missing ? "\n" : " none\n");
}
