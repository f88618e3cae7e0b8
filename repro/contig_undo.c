// SPDX-License-Identifier: GPL-2.0
/*
 * contig_undo: minimal reproducer of docs/findings/contig-undo-foreign-isolation.md
 *
 * A failed start_isolate_page_range() in alloc_contig_range() jumps to the
 * function's "done" label, whose undo_isolate_page_range() un-isolates
 * every isolated pageblock of the whole range, also those a concurrent
 * isolator owns. Commands, written to /sys/module/contig_undo/parameters/cmd:
 *
 *   hold PFN        take the page at PFN (alloc_contig_range() of one page)
 *                   and keep it: memory offline of its block cannot finish
 *   undo PFN        alloc_contig_range() over the pageblock at PFN, which
 *                   somebody else has isolated: it fails at once; print
 *                   whether the pageblock is still isolated afterwards
 *   release         free the page taken by "hold"
 *   race PFN SECS [NPB]
 *                   two threads for SECS seconds on the CMA pageblock at
 *                   PFN: the owner loops alloc_contig_range() for CMA over
 *                   NPB (1) pageblocks from PFN, the intruder loops a
 *                   MOVABLE request over the first one, which always fails;
 *                   print the owner's result counts and every time the
 *                   owner finds that pageblock no longer CMA after a
 *                   failed try
 *
 * A kprobe on unset_migratetype_isolate() prints each pageblock a task of
 * ours un-isolates that it never isolated (the intruder, the "undo"
 * command), with the first one's stack. Every line starts "repro:".
 * x86_64 only (the probe reads the first argument from regs->di).
 */
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/page-isolation.h>
#include <linux/sched/signal.h>
#include <linux/stacktrace.h>
#include <linux/utsname.h>

#ifdef ACR_FLAGS_CMA	/* 6.16: isolation is a pageblock bit */
#define CU_ACR_CMA	ACR_FLAGS_CMA
#define CU_ACR_MOVABLE	ACR_FLAGS_NONE
#define CU_MT_SYMBOL	"get_pfnblock_migratetype"
#else
#define CU_ACR_CMA	MIGRATE_CMA
#define CU_ACR_MOVABLE	MIGRATE_MOVABLE
#define CU_MT_SYMBOL	"get_pfnblock_flags_mask"
#endif

static unsigned long (*cu_lookup_name)(const char *name);
#ifdef ACR_FLAGS_CMA	/* 6.16: isolation is a pageblock bit */
static enum migratetype (*cu_pfnblock)(const struct page *page, unsigned long pfn);
#else
static unsigned long (*cu_pfnblock)(const struct page *page, unsigned long pfn,
				    unsigned long mask);
#endif
static unsigned long cu_held_pfn = ULONG_MAX;
static struct task_struct *cu_intruder;	/* task whose undo we report */
static atomic_t cu_foreign_undos = ATOMIC_INIT(0);
static unsigned long cu_watch_pfn = ULONG_MAX;

static const char *const cu_mt_names[] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate",
};

/* The pageblock's migratetype as the allocator sees it (ISOLATE if isolated). */
static int cu_mt(unsigned long pfn)
{
	struct page *page = pfn_to_online_page(pfn);

	if (!page)
		return -1;
#ifdef ACR_FLAGS_CMA	/* 6.16: isolation is a pageblock bit */
	return cu_pfnblock(page, pfn);
#else
	return cu_pfnblock(page, pfn, MIGRATETYPE_MASK);
#endif
}

static const char *cu_mt_name(int mt)
{
	if (mt == MIGRATE_CMA)
		return "CMA";
	if (mt == MIGRATE_ISOLATE)
		return "Isolate";
	if (mt >= 0 && mt < MIGRATE_PCPTYPES)
		return cu_mt_names[mt];
	return "?";
}

/*
 * The probe notes each pageblock the intruder task un-isolates, with the
 * first one's stack; cu_intruder_done() keeps the notes only if that
 * alloc_contig_range() call failed, as its isolation then failed at the
 * first pageblock it met isolated or CMA: every undo it did was of a
 * pageblock it never isolated.
 */
static unsigned long cu_hit_pfn, cu_hit_entries[16];
static unsigned int cu_hits, cu_hit_nr;

static int cu_unset_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long pfn = page_to_pfn((struct page *)regs->di);

	if (current != cu_intruder ||
	    round_down(pfn, pageblock_nr_pages) != cu_watch_pfn)
		return 0;
	if (cu_mt(pfn) != MIGRATE_ISOLATE)
		return 0;	/* not isolated: the call returns at once */
	if (!cu_hits++) {
		cu_hit_pfn = pfn;
		cu_hit_nr = stack_trace_save(cu_hit_entries,
					     ARRAY_SIZE(cu_hit_entries), 0);
	}
	return 0;
}

/* After the intruder's alloc_contig_range() returned @ret. */
static void cu_intruder_done(int ret)
{
	if (ret && cu_hits && atomic_inc_return(&cu_foreign_undos) == 1) {
		pr_info("repro: trace: %s/%d: alloc_contig_range() failed (%d) and un-isolated pageblock 0x%lx, which another task had isolated; unset_migratetype_isolate() was called from:\n",
			current->comm, current->pid, ret, cu_hit_pfn);
		stack_trace_print(cu_hit_entries, cu_hit_nr, 4);
	}
	cu_hits = 0;
}

/* A post handler keeps the probe an int3 one: an optimized probe's
 * trampoline hides the callers from the stack trace.
 */
static void cu_unset_post(struct kprobe *p, struct pt_regs *regs,
			  unsigned long flags)
{
}

static struct kprobe cu_kp = {
	.symbol_name = "unset_migratetype_isolate",
	.pre_handler = cu_unset_pre,
	.post_handler = cu_unset_post,
};

static int cu_hold(unsigned long pfn)
{
	int ret;

	if (cu_held_pfn != ULONG_MAX)
		return -EBUSY;
	ret = alloc_contig_range(pfn, pfn + 1, CU_ACR_MOVABLE, GFP_KERNEL);
	pr_info("repro: hold: page 0x%lx %s (%d)\n", pfn, ret ? "not taken" : "taken", ret);
	if (!ret)
		cu_held_pfn = pfn;
	return ret;
}

static void cu_release(void)
{
	if (cu_held_pfn == ULONG_MAX)
		return;
	free_contig_range(cu_held_pfn, 1);
	pr_info("repro: release: page 0x%lx freed\n", cu_held_pfn);
	cu_held_pfn = ULONG_MAX;
}

static int cu_undo(unsigned long pfn)
{
	int before, after, ret;

	pfn = round_down(pfn, pageblock_nr_pages);
	before = cu_mt(pfn);
	if (before != MIGRATE_ISOLATE) {
		pr_info("repro: undo: pageblock 0x%lx is %s, not isolated by anyone: nothing to show\n",
			pfn, cu_mt_name(before));
		return -EINVAL;
	}
	cu_watch_pfn = pfn;
	cu_intruder = current;
	ret = alloc_contig_range(pfn, pfn + pageblock_nr_pages, CU_ACR_MOVABLE,
				 GFP_KERNEL);
	cu_intruder_done(ret);
	cu_intruder = NULL;
	after = cu_mt(pfn);
	pr_info("repro: undo: pageblock 0x%lx was %s; alloc_contig_range() over it returned %d; now %s\n",
		pfn, cu_mt_name(before), ret, cu_mt_name(after));
	if (!ret)
		free_contig_range(pfn, pageblock_nr_pages);
	if (after != MIGRATE_ISOLATE)
		pr_info("repro: FOUND: a failed alloc_contig_range() un-isolated pageblock 0x%lx that another task had isolated\n",
			pfn);
	else
		pr_info("repro: ok: pageblock 0x%lx is still isolated by its owner\n", pfn);
	return 0;
}

struct cu_race {
	unsigned long pfn, npb;
	unsigned long end;	/* jiffies */
	unsigned long ok, ebusy, other, lost_cma, intruder_calls;
	struct completion done;
};

static int cu_intruder_fn(void *data)
{
	struct cu_race *r = data;

	cu_intruder = current;
	while (!kthread_should_stop() && time_before(jiffies, r->end)) {
		int ret = alloc_contig_range(r->pfn, r->pfn + pageblock_nr_pages,
					     CU_ACR_MOVABLE, GFP_KERNEL);

		cu_intruder_done(ret);
		if (!ret)
			free_contig_range(r->pfn, pageblock_nr_pages);
		r->intruder_calls++;
		cond_resched();
	}
	cu_intruder = NULL;
	complete(&r->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static void cu_owner_loop(struct cu_race *r, bool report)
{
	int ret, mt;

	while (time_before(jiffies, r->end)) {
		ret = alloc_contig_range(r->pfn, r->pfn + r->npb * pageblock_nr_pages,
					 CU_ACR_CMA, GFP_KERNEL);
		if (!ret) {
			r->ok++;
			free_contig_range(r->pfn, r->npb * pageblock_nr_pages);
		} else if (ret == -EBUSY) {
			r->ebusy++;
		} else {
			r->other++;
		}
		mt = cu_mt(r->pfn);
		if (ret && mt != MIGRATE_CMA && mt != MIGRATE_ISOLATE) {
			if (!r->lost_cma++ && report)
				pr_info("repro: FOUND: pageblock 0x%lx of the CMA area is %s after the owner's failed try (%d)\n",
					r->pfn, cu_mt_name(mt), ret);
		}
		cond_resched();
		if (fatal_signal_pending(current))
			break;
	}
}

static int cu_race(unsigned long pfn, unsigned long secs, unsigned long npb)
{
	struct cu_race r = {
		.pfn = round_down(pfn, pageblock_nr_pages),
		.npb = npb ? npb : 1,
	};
	struct task_struct *t;
	int mt = cu_mt(r.pfn);

	if (mt != MIGRATE_CMA) {
		pr_info("repro: race: pageblock 0x%lx is %s, not CMA\n", r.pfn, cu_mt_name(mt));
		return -EINVAL;
	}
	/* Alone first: the owner's failure rate when nobody intrudes. */
	r.end = jiffies + secs * HZ / 2;
	cu_owner_loop(&r, false);
	pr_info("repro: race: owner over %lu pageblock(s) alone %lus: %lu ok, %lu -EBUSY, %lu other\n",
		r.npb, secs / 2, r.ok, r.ebusy, r.other);
	r.ok = 0;
	r.ebusy = 0;
	r.other = 0;
	r.lost_cma = 0;
	cu_watch_pfn = r.pfn;
	atomic_set(&cu_foreign_undos, 0);
	init_completion(&r.done);
	r.end = jiffies + secs * HZ;
	t = kthread_run(cu_intruder_fn, &r, "cu_intruder");
	if (IS_ERR(t))
		return PTR_ERR(t);
	cu_owner_loop(&r, true);
	wait_for_completion(&r.done);
	kthread_stop(t);
	mt = cu_mt(r.pfn);
	pr_info("repro: race: owner over %lu pageblock(s) with intruder %lus: %lu ok, %lu -EBUSY, %lu other; intruder %lu calls, %d undid the owner's isolation; pageblock left CMA-less after a failed try %lu times; now %s\n",
		r.npb, secs, r.ok, r.ebusy, r.other, r.intruder_calls,
		atomic_read(&cu_foreign_undos), r.lost_cma, cu_mt_name(mt));
	return 0;
}

static int cu_cmd_set(const char *val, const struct kernel_param *kp)
{
	char op[16];
	long a = 0;
	unsigned long b = 0, c = 0;
	int n;

	n = sscanf(val, "%15s %li %lu %lu", op, &a, &b, &c);
	if (n < 1)
		return -EINVAL;
	if (!strcmp(op, "hold") && n >= 2)
		return cu_hold(a);
	if (!strcmp(op, "undo") && n >= 2)
		return cu_undo(a);
	if (!strcmp(op, "release")) {
		cu_release();
		return 0;
	}
	if (!strcmp(op, "race") && n >= 3)
		return cu_race(a, b, c);
	pr_info("repro: unknown command '%s'\n", val);
	return -EINVAL;
}

static const struct kernel_param_ops cu_cmd_ops = {
	.set = cu_cmd_set,
};

module_param_cb(cmd, &cu_cmd_ops, NULL, 0200);
MODULE_PARM_DESC(cmd, "hold PFN | undo PFN | release | race PFN SECS [NPB]");

static int __init cu_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int ret;

	ret = register_kprobe(&kp);
	if (ret < 0) {
		pr_err("repro: no kprobe on kallsyms_lookup_name (%d)\n", ret);
		return ret;
	}
	cu_lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	cu_pfnblock = (void *)cu_lookup_name(CU_MT_SYMBOL);
	if (!cu_pfnblock) {
		pr_err("repro: %s not found\n", CU_MT_SYMBOL);
		return -ENOENT;
	}
	ret = register_kprobe(&cu_kp);
	if (ret < 0) {
		pr_err("repro: no kprobe on unset_migratetype_isolate (%d)\n", ret);
		return ret;
	}
	pr_info("repro: contig_undo loaded on %s (pageblock %lu pages)\n",
		utsname()->release, pageblock_nr_pages);
	return 0;
}

static void __exit cu_exit(void)
{
	unregister_kprobe(&cu_kp);
	cu_release();
}

module_init(cu_init);
module_exit(cu_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Reproducer: alloc_contig_range() undoes other callers' isolation");
