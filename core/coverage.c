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
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/slab.h>
#include "cs_core.h"
#include "compat.h"

enum cs_ret { CS_RET_ERRNO, CS_RET_PTR, CS_RET_BOOL, CS_RET_VOID };

#define CS_COV_FAILS 3		/* failure returns a row can list */
#define CS_COV_SLOTS 8		/* distinct return values counted */

struct cs_cov_fn {
	const char *name;
	enum cs_ret ret;
	int fails[CS_COV_FAILS];	/* -errno, or 1 for a NULL/false return */
	unsigned int with;		/* expected when work of this kind ran (BIT(CS_DOES_*)) */
};

#define CS_FAILED 1

static const struct cs_cov_fn cs_coverage[] = {
	{ CS_ACR_SYMBOL, CS_RET_ERRNO, { -EBUSY }, BIT(CS_DOES_CONTIG) },
	{ "start_isolate_page_range", CS_RET_ERRNO, { -EBUSY }, BIT(CS_DOES_OFFLINE) },
	{ "undo_isolate_page_range", CS_RET_VOID },
	{ "test_pages_isolated", CS_RET_ERRNO, { -EBUSY }, BIT(CS_DOES_OFFLINE) },
	{ "offline_pages", CS_RET_ERRNO, { -EBUSY, -EINTR, -EPERM }, BIT(CS_DOES_OFFLINE) },
	{ "set_migratetype_isolate", CS_RET_ERRNO, { -EBUSY }, BIT(CS_DOES_OFFLINE) },
	{ "unset_migratetype_isolate", CS_RET_VOID },
	{ "isolate_single_pageblock", CS_RET_ERRNO, { -EBUSY }, BIT(CS_DOES_OFFLINE) },
	{ "cma_alloc", CS_RET_PTR, { CS_FAILED }, BIT(CS_DOES_CMA_ALLOC) },
	{ "cma_release", CS_RET_BOOL },
};

#define CS_NR_COV ARRAY_SIZE(cs_coverage)

struct cs_cov_probe {
	struct kretprobe rp;
	enum cs_ret kind;
	int registered;			/* 0 or the error that made it unmeasurable */
	atomic_long_t entered;
	long value[CS_COV_SLOTS];	/* the return values seen, in order */
	atomic_long_t count[CS_COV_SLOTS + 1];	/* the last slot: any other */
	spinlock_t lock;		/* claiming a value slot */
};

struct cs_cov {
	struct cs_cov_probe p[CS_NR_COV];
};

static int cs_cov_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct cs_cov_probe *p = container_of(get_kretprobe(ri), struct cs_cov_probe, rp);

	atomic_long_inc(&p->entered);
	return 0;
}

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

	cs_cov_count(p, cs_cov_value(p->kind, regs_return_value(regs)));
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
	for (i = 0; i < CS_NR_COV; i++) {
		struct cs_cov_probe *p = &cov->p[i];

		spin_lock_init(&p->lock);
		p->kind = cs_coverage[i].ret;
		p->rp.kp.symbol_name = cs_coverage[i].name;
		p->rp.entry_handler = cs_cov_entry;
		p->rp.handler = cs_coverage[i].ret == CS_RET_VOID ? NULL : cs_cov_ret;
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
		seq_printf(m, " missed=%d\n", p->rp.nmissed);
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
	seq_puts(m, missing ? "\n" : " none\n");
}
