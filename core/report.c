// SPDX-License-Identifier: GPL-2.0
/*
 * Detector bookkeeping shared by cma_stress and isolate_race.
 *
 * A violation prints one console line, "<module>: FAIL <detector>: ...",
 * which the host-side verdict parser greps for. Only the first few are
 * printed (a broken kernel can produce thousands per second and the serial
 * console would then slow the guest to a crawl); all are counted. The
 * first one is kept verbatim with a copy of the recent-operations ring,
 * since the first violation is the one a developer needs.
 */
#include <linux/module.h>
#include <linux/ktime.h>
#include <linux/smp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/utsname.h>
#include <linux/pageblock-flags.h>
#include "cs_core.h"
#include "compat.h"

#define CS_CONSOLE_FAIL_LINES 20

static const char *const cs_op_names[CS_OP_NR] = {
	[CS_OP_ALLOC] = "alloc", [CS_OP_RELEASE] = "release",
	[CS_OP_OFFLINE] = "offline", [CS_OP_ONLINE] = "online",
	[CS_OP_ISOLATE] = "isolate", [CS_OP_UNISOLATE] = "unisolate",
	[CS_OP_FREE] = "free", [CS_OP_AUDIT] = "audit",
};

void cs_ctx_reset(struct cs_ctx *ctx)
{
	unsigned long flags;
	int i;

	for (i = 0; i < CS_NR_DETECTORS; i++) {
		atomic_long_set(&ctx->checks[i], 0);
		atomic_long_set(&ctx->violations[i], 0);
	}
	for (i = 0; i < CS_NR_RULES; i++)
		atomic_long_set(&ctx->rule_violations[i], 0);
	for (i = 0; i < CS_OP_NR; i++)
		atomic_long_set(&ctx->ops[i], 0);
	spin_lock_irqsave(&ctx->lock, flags);
	ctx->ring_head = 0;
	memset(ctx->ring, 0, sizeof(ctx->ring));
	ctx->have_first = false;
	ctx->first_rule = -1;
	ctx->first[0] = '\0';
	ctx->first_nr = 0;
	ctx->console_lines = 0;
	ctx->injected = -1;
	ctx->start_ns = ktime_get_ns();
	spin_unlock_irqrestore(&ctx->lock, flags);
}

void cs_ctx_init(struct cs_ctx *ctx, const char *name)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->name = name;
	spin_lock_init(&ctx->lock);
	cs_ctx_reset(ctx);
}

void cs_event(struct cs_ctx *ctx, enum cs_op op, unsigned long pfn,
	      unsigned long nr, int ret)
{
	struct cs_event *e;
	unsigned long flags;

	atomic_long_inc(&ctx->ops[op]);
	spin_lock_irqsave(&ctx->lock, flags);
	e = &ctx->ring[ctx->ring_head++ % CS_RING];
	e->ns = ktime_get_ns();
	e->op = op;
	e->pfn = pfn;
	e->nr = nr;
	e->ret = ret;
	e->cpu = raw_smp_processor_id();
	spin_unlock_irqrestore(&ctx->lock, flags);
}

/*
 * Findings of the detector an injection targets print "FAIL(injected)",
 * which the console parser does not count, so a selftest proving a rule
 * fires does not fail its own run; every other detector's findings in that
 * run are real and print "FAIL". Each line names the detector, then the
 * rule: "<module>: FAIL d3_pageblock: D3.quiet_isolated: ...".
 */
void cs_violation(struct cs_ctx *ctx, enum cs_rule_id r, const char *fmt, ...)
{
	int d = cs_rules[r].det;
	char msg[CS_FIRST_LEN - 64];
	unsigned long flags;
	bool print, first = false;
	va_list ap;
	u64 now = ktime_get_ns(), t = 0;

#ifdef CS_DELETE_RULE
	/* The deletion check's scratch build (Kbuild): this rule is gone. */
	if (r == CS_DELETE_RULE)
		return;
#endif
	va_start(ap, fmt);
	vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	atomic_long_inc(&ctx->violations[d]);
	atomic_long_inc(&ctx->rule_violations[r]);

	spin_lock_irqsave(&ctx->lock, flags);
	if (!ctx->have_first) {
		unsigned int i, n = min_t(unsigned int, ctx->ring_head, CS_RING);

		ctx->have_first = true;
		ctx->first_rule = r;
		ctx->first_ns = now - ctx->start_ns;
		first = true;
		t = ctx->first_ns;
		scnprintf(ctx->first, sizeof(ctx->first), "%s: %s: %s",
			  cs_detectors[d].name, cs_rules[r].name, msg);
		/* Oldest first. */
		for (i = 0; i < n; i++)
			ctx->first_ring[i] =
				ctx->ring[(ctx->ring_head - n + i) % CS_RING];
		ctx->first_nr = n;
	}
	print = ctx->console_lines < CS_CONSOLE_FAIL_LINES;
	if (print)
		ctx->console_lines++;
	spin_unlock_irqrestore(&ctx->lock, flags);

	if (print)
		pr_err("%s: %s %s: %s: %s\n", ctx->name,
		       d == ctx->injected ? "FAIL(injected)" : "FAIL",
		       cs_detectors[d].name, cs_rules[r].name, msg);
	/*
	 * The report's first_violation_s, on the console too: a kernel the
	 * bug goes on to crash never lets anyone read the report.
	 */
	if (first)
		pr_err("%s: first violation at %llu.%03llu s into the run: %s: %s: %s\n",
		       ctx->name, t / NSEC_PER_SEC,
		       (t % NSEC_PER_SEC) / NSEC_PER_MSEC, cs_detectors[d].name,
		       cs_rules[r].name, msg);
}

long cs_total_violations(struct cs_ctx *ctx)
{
	long sum = 0;
	int i;

	for (i = 0; i < CS_NR_DETECTORS; i++)
		sum += atomic_long_read(&ctx->violations[i]);
	return sum;
}

void cs_report_geometry(struct seq_file *m)
{
	seq_printf(m, "page_size: %lu\n", PAGE_SIZE);
	seq_printf(m, "pageblock_order: %u\n", (unsigned int)pageblock_order);
	seq_printf(m, "max_page_order: %u\n", (unsigned int)MAX_PAGE_ORDER);
	seq_printf(m, "cross_pageblock_merge_possible: %s\n",
		   pageblock_order < MAX_PAGE_ORDER ? "yes" : "no");
}

/* "rules_fired: D2.wrong_type=3 D1.cmafree_over_cmatotal=1", or none. */
static void cs_report_rules(struct cs_ctx *ctx, struct seq_file *m)
{
	bool any = false;
	int r;

	seq_puts(m, "rules_fired:");
	for (r = 0; r < CS_NR_RULES; r++) {
		long n = atomic_long_read(&ctx->rule_violations[r]);

		if (!n)
			continue;
		seq_printf(m, " %s=%ld", cs_rules[r].name, n);
		any = true;
	}
	seq_puts(m, any ? "\n" : " none\n");
}

static void cs_report_detectors(struct cs_ctx *ctx, struct seq_file *m)
{
	int i;

	for (i = 0; i < CS_NR_DETECTORS; i++) {
		const char *n = cs_detectors[i].name;

		if (ctx->disabled[i])
			seq_printf(m, "%s_disabled: %s\n", n, ctx->disabled[i]);
		seq_printf(m, "%s_checks: %ld\n", n,
			   atomic_long_read(&ctx->checks[i]));
		seq_printf(m, "%s_violations: %ld\n", n,
			   atomic_long_read(&ctx->violations[i]));
	}
}

static void cs_print_event(struct cs_ctx *ctx, struct seq_file *m,
			   const char *key, unsigned int i,
			   const struct cs_event *e)
{
	u64 rel = e->ns > ctx->start_ns ? e->ns - ctx->start_ns : 0;

	seq_printf(m, "%s_%02u: t=%llu.%06llu cpu=%u %s pfn=%#lx nr=%lu ret=%d\n",
		   key, i, rel / NSEC_PER_SEC, (rel % NSEC_PER_SEC) / 1000,
		   e->cpu, cs_op_names[e->op], e->pfn, e->nr, e->ret);
}

static void cs_report_first(struct cs_ctx *ctx, struct seq_file *m)
{
	unsigned long flags;
	unsigned int i;
	struct cs_event *copy;
	unsigned int n;
	char first[CS_FIRST_LEN];
	int r;
	u64 t;

	copy = kmalloc_array(CS_RING, sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return;
	spin_lock_irqsave(&ctx->lock, flags);
	n = ctx->have_first ? ctx->first_nr : 0;
	memcpy(copy, ctx->first_ring, n * sizeof(*copy));
	strscpy(first, ctx->have_first ? ctx->first : "none", sizeof(first));
	t = ctx->first_ns;
	r = ctx->have_first ? ctx->first_rule : -1;
	spin_unlock_irqrestore(&ctx->lock, flags);

	seq_printf(m, "first_violation: %s\n", first);
	seq_printf(m, "first_rule: %s\n", r >= 0 ? cs_rules[r].name : "none");
	if (n || strcmp(first, "none"))
		seq_printf(m, "first_violation_s: %llu.%03llu\n", t / NSEC_PER_SEC,
			   (t % NSEC_PER_SEC) / NSEC_PER_MSEC);
	for (i = 0; i < n; i++)
		cs_print_event(ctx, m, "first_violation_op", i, &copy[i]);
	kfree(copy);
}

/* Every detector, the first violation, and the verdict line, last. */
void cs_report_tail(struct cs_ctx *ctx, struct seq_file *m)
{
	long nv = cs_total_violations(ctx);

	cs_report_detectors(ctx, m);
	cs_report_rules(ctx, m);
	cs_report_first(ctx, m);
	seq_printf(m, "violations_total: %ld\n", nv);
	seq_printf(m, "verdict: %s\n", nv ? "FAIL" : "PASS");
}

static void cs_report_ring(struct cs_ctx *ctx, struct seq_file *m)
{
	struct cs_event *copy;
	unsigned long flags;
	unsigned int i, n;

	copy = kmalloc_array(CS_RING, sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return;
	spin_lock_irqsave(&ctx->lock, flags);
	n = min_t(unsigned int, ctx->ring_head, CS_RING);
	for (i = 0; i < n; i++)
		copy[i] = ctx->ring[(ctx->ring_head - n + i) % CS_RING];
	spin_unlock_irqrestore(&ctx->lock, flags);
	for (i = 0; i < n; i++)
		cs_print_event(ctx, m, "recent_op", i, &copy[i]);
	kfree(copy);
}

/* The live part of a stats file: violations so far and recent operations. */
void cs_report_live(struct cs_ctx *ctx, struct seq_file *m)
{
	int i;

	for (i = 0; i < CS_NR_DETECTORS; i++)
		seq_printf(m, "%s_violations: %ld\n", cs_detectors[i].name,
			   atomic_long_read(&ctx->violations[i]));
	cs_report_ring(ctx, m);
}

