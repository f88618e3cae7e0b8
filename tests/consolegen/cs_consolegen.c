// SPDX-License-Identifier: GPL-2.0
/*
 * cs_consolegen: make the kernel print one kind of console report at load,
 * so that scripts/console-verdict.sh can be tested on real console logs
 * (tests/console/, captured by scripts/capture-console-fixtures.sh).
 *
 * TEST ONLY: it crashes threads, leaks memory and can panic. Load it only
 * in a throwaway QEMU guest, through guest/jobs/consolegen.sh.
 *
 *   what=warn         WARN_ON() at load: "WARNING:" and a stack trace
 *   what=bug          BUG() in a kthread: "kernel BUG at" and an Oops
 *   what=null         NULL dereference in a kthread
 *   what=gpf          dereference LIST_POISON1 (non-canonical on x86_64)
 *   what=divzero      divide by zero in a kthread (a trap on x86)
 *   what=hung         a kthread in TASK_UNINTERRUPTIBLE for secs seconds
 *                     (the job lowers hung_task_timeout_secs)
 *   what=softlockup   a kthread spins with preemption off for secs seconds
 *                     (the job lowers watchdog_thresh)
 *   what=rcustall     the same while a kthread on another CPU waits for a
 *                     grace period: an RCU CPU stall (the job lowers
 *                     rcupdate.rcu_cpu_stall_timeout)
 *   what=rcuexpstall  the same with an expedited grace period (the job
 *                     lowers rcupdate.rcu_exp_cpu_stall_timeout, not the
 *                     other)
 *   what=lockdep      take two mutexes in the order A, B and then B, A, one
 *                     after the other: a reported inversion, no deadlock
 *   what=badpage      free a page whose mapcount says it is still mapped:
 *                     "Bad page state", and the page is leaked
 *   what=listcorrupt  list_del() an entry twice: CONFIG_DEBUG_LIST reports
 *                     it and skips the second deletion
 *   what=kmemleak     leak one kmalloc() object (boot with kmemleak=on)
 *   what=panic        panic(): the guest reboots
 *
 * Threads that oops die, the others end by themselves; the module has no
 * exit function, so it stays loaded until the guest powers off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/poison.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *what = "";
module_param(what, charp, 0444);
MODULE_PARM_DESC(what, "event to trigger at load: warn, bug, null, gpf, divzero, hung, softlockup, rcustall, rcuexpstall, lockdep, badpage, listcorrupt, kmemleak, panic");

static unsigned int secs;
module_param(secs, uint, 0444);
MODULE_PARM_DESC(secs, "hung, softlockup, rcustall, rcuexpstall: how long, s (0 = the event's default)");

static DEFINE_MUTEX(cs_lock_a);
static DEFINE_MUTEX(cs_lock_b);

/* Read through a variable, so the compiler cannot see the bad pointer. */
static int *cs_null_ptr;
static int *cs_poison_ptr = (int *)LIST_POISON1;
static int cs_zero;

static unsigned int cs_secs(unsigned int dflt)
{
	return secs ? secs : dflt;
}

static int cs_bug_fn(void *unused)
{
	pr_info("calling BUG()\n");
	BUG();
}

static int cs_null_fn(void *unused)
{
	int *p = READ_ONCE(cs_null_ptr);

	pr_info("dereferencing NULL\n");
	return READ_ONCE(*p);
}

static int cs_gpf_fn(void *unused)
{
	int *p = READ_ONCE(cs_poison_ptr);

	pr_info("dereferencing LIST_POISON1\n");
	return READ_ONCE(*p);
}

static int cs_divzero_fn(void *unused)
{
	int d = READ_ONCE(cs_zero);

	pr_info("dividing by zero\n");
	return 100 / d;
}

static int cs_hung_fn(void *unused)
{
	unsigned int s = cs_secs(12);

	pr_info("sleeping uninterruptibly for %u s\n", s);
	schedule_timeout_uninterruptible(s * HZ);
	pr_info("woke up\n");
	return 0;
}

/* Spin on this CPU, preemption off: neither the watchdog nor RCU advance. */
static void cs_spin(unsigned int s)
{
	unsigned long end = jiffies + s * HZ;

	pr_info("spinning with preemption disabled for %u s\n", s);
	preempt_disable();
	while (time_before(jiffies, end))
		cpu_relax();
	preempt_enable();
	pr_info("done spinning\n");
}

static int cs_softlockup_fn(void *unused)
{
	cs_spin(cs_secs(7));
	return 0;
}

/* CONFIG_PROVE_RCU adds 5 s to the stall timeout the job lowers to 3 s. */
static int cs_rcustall_fn(void *unused)
{
	cs_spin(cs_secs(14));
	return 0;
}

static int cs_rcuexpstall_fn(void *unused)
{
	cs_spin(cs_secs(5));
	return 0;
}

static int cs_gpwait_fn(void *unused)
{
	msleep(200);
	pr_info("waiting for a grace period\n");
	synchronize_rcu();
	pr_info("grace period done\n");
	return 0;
}

static int cs_expwait_fn(void *unused)
{
	msleep(200);
	pr_info("waiting for an expedited grace period\n");
	synchronize_rcu_expedited();
	pr_info("expedited grace period done\n");
	return 0;
}

/*
 * An expedited grace period runs in a kthread worker (6.12) or in a bound
 * workqueue of the waiter's CPU (6.1). Without preemption nothing else runs
 * on the spinning CPU until it stops, so that must be another CPU.
 */
static unsigned int cs_exp_gp_cpu(void)
{
	struct task_struct *p;
	unsigned int cpu = raw_smp_processor_id();

	rcu_read_lock();
	for_each_process(p) {
		if (!strncmp(p->comm, "rcu_exp_gp_kthr", 15)) {
			cpu = task_cpu(p);
			break;
		}
	}
	rcu_read_unlock();
	return cpu;
}

/*
 * One kthread spins while another, on another CPU, waits for a grace
 * period: an idle system may have none in progress, and RCU reports a
 * stall only on a grace period that waits.
 */
static int cs_rcu_stall(int (*spin_fn)(void *unused),
			int (*wait_fn)(void *unused))
{
	unsigned int wait_cpu = cs_exp_gp_cpu();
	unsigned int spin_cpu = cpumask_any_but(cpu_online_mask, wait_cpu);
	struct task_struct *spin, *wait;

	if (spin_cpu >= nr_cpu_ids) {
		pr_err("what=%s needs two CPUs\n", what);
		return -ENODEV;
	}
	spin = kthread_create(spin_fn, NULL, KBUILD_MODNAME);
	if (IS_ERR(spin))
		return PTR_ERR(spin);
	wait = kthread_create(wait_fn, NULL, KBUILD_MODNAME);
	if (IS_ERR(wait)) {
		kthread_stop(spin);
		return PTR_ERR(wait);
	}
	kthread_bind(spin, spin_cpu);
	kthread_bind(wait, wait_cpu);
	pr_info("spinning on CPU %u, waiting on CPU %u\n", spin_cpu, wait_cpu);
	wake_up_process(spin);
	wake_up_process(wait);
	return 0;
}

static int cs_badpage_fn(void *unused)
{
	struct page *page = alloc_page(GFP_KERNEL);

	if (!page)
		return -ENOMEM;
	pr_info("freeing pfn %#lx with mapcount 1\n", page_to_pfn(page));
	atomic_set(&page->_mapcount, 0);
	__free_page(page);
	return 0;
}

static int cs_listcorrupt_fn(void *unused)
{
	LIST_HEAD(head);
	struct list_head entry;

	list_add(&entry, &head);
	list_del(&entry);
	pr_info("deleting a list entry twice\n");
	list_del(&entry);
	return 0;
}

static int cs_kmemleak_fn(void *unused)
{
	char *p = kmalloc(128, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	strscpy(p, "cs_consolegen leaked this", 128);
	pr_info("leaking one 128-byte object\n");
	/* Forget it: this thread's stack goes away when it returns. */
	return 0;
}

static void cs_lockdep(void)
{
	mutex_lock(&cs_lock_a);
	mutex_lock(&cs_lock_b);
	mutex_unlock(&cs_lock_b);
	mutex_unlock(&cs_lock_a);
	pr_info("taking the two mutexes in the other order\n");
	mutex_lock(&cs_lock_b);
	mutex_lock(&cs_lock_a);
	mutex_unlock(&cs_lock_a);
	mutex_unlock(&cs_lock_b);
}

static const struct {
	const char *name;
	int (*fn)(void *unused);
} cs_thread_events[] = {
	{ "bug", cs_bug_fn },
	{ "null", cs_null_fn },
	{ "gpf", cs_gpf_fn },
	{ "divzero", cs_divzero_fn },
	{ "hung", cs_hung_fn },
	{ "softlockup", cs_softlockup_fn },
	{ "badpage", cs_badpage_fn },
	{ "listcorrupt", cs_listcorrupt_fn },
	{ "kmemleak", cs_kmemleak_fn },
};

static int __init cs_consolegen_init(void)
{
	struct task_struct *t;
	size_t i;

	pr_info("what=%s\n", what);
	if (!strcmp(what, "warn")) {
		WARN_ON(1);
		return 0;
	}
	if (!strcmp(what, "lockdep")) {
		cs_lockdep();
		return 0;
	}
	if (!strcmp(what, "rcustall"))
		return cs_rcu_stall(cs_rcustall_fn, cs_gpwait_fn);
	if (!strcmp(what, "rcuexpstall"))
		return cs_rcu_stall(cs_rcuexpstall_fn, cs_expwait_fn);
	if (!strcmp(what, "panic"))
		panic("%s: what=panic", KBUILD_MODNAME);
	for (i = 0; i < ARRAY_SIZE(cs_thread_events); i++) {
		if (strcmp(what, cs_thread_events[i].name))
			continue;
		/* The job waits until no task has this name. */
		t = kthread_run(cs_thread_events[i].fn, NULL, KBUILD_MODNAME);
		return PTR_ERR_OR_ZERO(t);
	}
	pr_err("what='%s' unknown\n", what);
	return -EINVAL;
}
module_init(cs_consolegen_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("cma-stress test only: print one kind of kernel console report");
