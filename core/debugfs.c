// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs files of a harness, /sys/kernel/debug/<module>/, one small
 * function per file as in mm/cma_debug.c. All are root-only.
 *
 *  control  write: start | stop | audit | reset | key=value (any setting)
 *  report   key: value lines ending in "verdict: PASS|FAIL"
 *  stats    live counters, cheap enough to poll while running
 *  series   the sampled counters, CSV
 *  areas    the CMA areas the audits know
 *  coverage the isolation-path functions entered and their failure returns
 *
 * A malformed write gets -EINVAL and exactly one dmesg line; a setting or
 * reset while running gets -EBUSY.
 */
#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include "cs_core.h"

static int cs_command(struct cs_harness *h, char *cmd)
{
	char *eq = strchr(cmd, '=');

	if (!strcmp(cmd, "start"))
		return cs_start(h);
	if (!strcmp(cmd, "stop")) {
		cs_stop(h);
		return 0;
	}
	if (!strcmp(cmd, "audit")) {
		cs_audit_now(h, !h->running);
		return 0;
	}
	if (!strcmp(cmd, "reset")) {
		if (h->running)
			return -EBUSY;
		cs_ctx_reset(&h->ctx);
		return 0;
	}
	if (eq && eq != cmd) {
		*eq = '\0';
		if (h->running)
			return -EBUSY;
		return cs_settings_write(h, strim(cmd), strim(eq + 1));
	}
	pr_warn("%s: control: unknown command '%.32s': use start, stop, audit, reset or key=value\n",
		h->name, cmd);
	return -EINVAL;
}

static ssize_t cs_control_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct cs_harness *h = file->private_data;
	char buf[96], *cmd;
	size_t i;
	int ret;

	if (!len || len >= sizeof(buf)) {
		pr_warn("%s: control: %zu-byte write: a command is 1..%zu bytes\n",
			h->name, len, sizeof(buf) - 1);
		return -EINVAL;
	}
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	/* A NUL or control byte would cut or hide part of the command. */
	for (i = 0; i < len; i++) {
		if (!buf[i] || (iscntrl(buf[i]) && !isspace(buf[i]))) {
			pr_warn("%s: control: byte %zu of the write is %#x: a command is text\n",
				h->name, i, (unsigned char)buf[i]);
			return -EINVAL;
		}
	}
	cmd = strim(buf);
	mutex_lock(&h->lock);
	ret = cs_command(h, cmd);
	if (ret == -EBUSY)
		pr_warn("%s: control: '%.32s' refused while running: stop first\n",
			h->name, cmd);
	mutex_unlock(&h->lock);
	return ret ? ret : len;
}

static const struct file_operations cs_control_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = cs_control_write,
	.llseek = noop_llseek,
};

static const char *cs_state(struct cs_harness *h)
{
	return h->running ? "running" : h->ran ? "stopped" : "idle";
}

/*
 * The audits' irqs-off lock sections by length (the audit_hold_* keys),
 * and the length 99% of them stay under (a bucket's upper edge). In a TCG
 * guest a vCPU the host deschedules while it holds a lock makes that
 * section long, whatever the harness does: the maximum then tells of the
 * host, the 99th percentile of the harness.
 */
static void cs_show_irqoff_hist(struct cs_harness *h, struct seq_file *m)
{
	long n = 0, sum = 0, v[CS_IRQOFF_BUCKETS];
	int i, p99 = -1;

	for (i = 0; i < CS_IRQOFF_BUCKETS; i++) {
		v[i] = atomic_long_read(&h->irqoff_hist[i]);
		n += v[i];
	}
	seq_puts(m, "audit_hold_hist_us:");
	for (i = 0; i < CS_IRQOFF_BUCKETS; i++) {
		sum += v[i];
		if (p99 < 0 && n && sum * 100 >= n * 99)
			p99 = i;
		if (i == CS_IRQOFF_BUCKETS - 1)
			seq_printf(m, " >=%d:%ld", 16 << i, v[i]);
		else
			seq_printf(m, " <%d:%ld", 32 << i, v[i]);
	}
	seq_printf(m, "\naudit_hold_p99_us: %d\n", p99 < 0 ? 0 :
		   p99 == CS_IRQOFF_BUCKETS - 1 ? 16 << p99 : 32 << p99);
}

/*
 * Audit cost, for the bench: the mean time of one full audit (D2 + D3)
 * and that time per GiB of zone memory it covered.
 */
static void cs_show_audit_cost(struct cs_harness *h, struct seq_file *m)
{
	long audits = atomic_long_read(&h->audits_full);
	u64 ns = atomic64_read(&h->audit_ns);
	unsigned long span = 0;
	struct zone *zone;

	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone))
		span += zone->spanned_pages;
	seq_printf(m, "audit_pages_walked: %ld\n", atomic_long_read(&h->audit_pages));
	seq_printf(m, "audit_full_count: %ld\n", audits);
	seq_printf(m, "audit_entries_mean: %ld\n",
		   audits ? atomic_long_read(&h->audit_pages) / audits : 0);
	seq_printf(m, "audit_full_us_mean: %llu\n",
		   audits ? div64_u64(ns, audits * 1000) : 0);
	seq_printf(m, "audit_us_per_gib: %llu\n",
		   audits && span ? div64_u64(ns << (30 - PAGE_SHIFT),
					      (u64)audits * span * 1000) : 0);
	seq_printf(m, "audit_hold_max_us: %llu\n",
		   div_u64(READ_ONCE(h->irqoff_max_ns), 1000));
	seq_printf(m, "audit_hold_mean_us: %llu\n",
		   atomic_long_read(&h->irqoff_sections) ?
		   div64_u64(atomic64_read(&h->irqoff_ns),
			     atomic_long_read(&h->irqoff_sections) * 1000ULL) : 0);
	cs_show_irqoff_hist(h, m);
	seq_printf(m, "d2_counter_checks_skipped: %ld\n", atomic_long_read(&h->d2_skipped));
	seq_printf(m, "d6_bitmap_checks_shared: %ld\n", atomic_long_read(&h->d6_shared));
	seq_printf(m, "d2_walk_resumes_lost: %ld\n", atomic_long_read(&h->d2_resumes_lost));
	seq_printf(m, "checkpoints: %ld\n", atomic_long_read(&h->checkpoints));
	seq_printf(m, "checkpoints_skipped: %ld\n", atomic_long_read(&h->checkpoints_skipped));
	seq_printf(m, "checkpoint_last_ms: %u\n", READ_ONCE(h->checkpoint_ms));
	seq_printf(m, "d2_counter_mismatch_transient: %ld\n", atomic_long_read(&h->d2_transient));
}

/* Every counter of every generator this module offers, then its extras. */
static void cs_show_counters(struct cs_harness *h, struct seq_file *m)
{
	int g, c;

	for (g = 0; g < cs_nr_generators; g++) {
		const struct cs_generator *gen = cs_generators[g];

		if (!cs_offers(h, g))
			continue;
		seq_printf(m, "%s_ops: %ld\n", gen->name, atomic_long_read(&h->ops[g]));
		for (c = 0; c < CS_GEN_COUNTERS && gen->counters[c]; c++)
			seq_printf(m, "%s_%s: %ld\n", gen->name, gen->counters[c],
				   atomic_long_read(&h->count[g][c]));
		if (gen->report)
			gen->report(h, m);
	}
	cs_show_audit_cost(h, m);
}

static void cs_show_areas(struct cs_harness *h, struct seq_file *m,
			  const char *key)
{
	int i, r;

	for (i = 0; i < h->nr_areas; i++) {
		const struct cs_area *a = &h->areas[i];

		if (key)
			seq_printf(m, "%s_%d: ", key, i);
		seq_printf(m, "%s base_pfn=%#lx pages=%lu node=%d zone=%s use=%d",
			   a->name, a->range[0].start, a->count,
			   a->zone ? zone_to_nid(a->zone) : NUMA_NO_NODE,
			   a->zone ? a->zone->name : "?", a->use);
		/* More than one range (6.14+): each, as [start, end). */
		for (r = 0; a->nranges > 1 && r < a->nranges; r++)
			seq_printf(m, " range%d=%#lx-%#lx", r, a->range[r].start,
				   a->range[r].end);
		seq_putc(m, '\n');
	}
}

static int cs_report_show(struct seq_file *m, void *v)
{
	struct cs_harness *h = m->private;

	mutex_lock(&h->lock);
	seq_printf(m, "module: %s\n", h->name);
	seq_printf(m, "kernel: %s\n", init_utsname()->release);
	seq_printf(m, "state: %s\n", cs_state(h));
	seq_printf(m, "elapsed_s: %u\n", cs_run_ms(h) / 1000);
	cs_settings_show(h, m);
	cs_report_geometry(m);
	seq_printf(m, "symbols: %s\n", cs_symbol_routes());
	seq_printf(m, "cma_total_kb: %lu\n", h->totalcma << (PAGE_SHIFT - 10));
	seq_printf(m, "areas: %d\n", h->nr_areas);
	cs_show_areas(h, m, "area");
	cs_show_counters(h, m);
	cs_pageblocks_before_show(h, m);
	cs_coverage_show(h, m);
	cs_report_tail(&h->ctx, m);
	mutex_unlock(&h->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cs_report);

static int cs_stats_show(struct seq_file *m, void *v)
{
	struct cs_harness *h = m->private;

	seq_printf(m, "state: %s\n", cs_state(h));
	seq_printf(m, "elapsed_s: %u\n", cs_run_ms(h) / 1000);
	cs_show_counters(h, m);
	cs_report_live(&h->ctx, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cs_stats);

static int cs_series_file_show(struct seq_file *m, void *v)
{
	struct cs_harness *h = m->private;

	cs_series_show(&h->series, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cs_series_file);

static int cs_coverage_file_show(struct seq_file *m, void *v)
{
	struct cs_harness *h = m->private;

	mutex_lock(&h->lock);
	cs_coverage_show(h, m);
	mutex_unlock(&h->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cs_coverage_file);

static int cs_areas_show(struct seq_file *m, void *v)
{
	cs_show_areas(m->private, m, NULL);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cs_areas);

static int cs_rules_file_show(struct seq_file *m, void *v)
{
	cs_rules_show(m->private, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cs_rules_file);

int cs_debugfs_init(struct cs_harness *h)
{
	h->dir = debugfs_create_dir(h->name, NULL);
	if (IS_ERR(h->dir)) {
		pr_err("%s: cannot create /sys/kernel/debug/%s: %ld\n", h->name,
		       h->name, PTR_ERR(h->dir));
		return PTR_ERR(h->dir);
	}
	debugfs_create_file("control", 0200, h->dir, h, &cs_control_fops);
	debugfs_create_file("report", 0400, h->dir, h, &cs_report_fops);
	debugfs_create_file("stats", 0400, h->dir, h, &cs_stats_fops);
	debugfs_create_file("series", 0400, h->dir, h, &cs_series_file_fops);
	debugfs_create_file("areas", 0400, h->dir, h, &cs_areas_fops);
	debugfs_create_file("coverage", 0400, h->dir, h, &cs_coverage_file_fops);
	debugfs_create_file("rules", 0400, h->dir, h, &cs_rules_file_fops);
	return 0;
}
