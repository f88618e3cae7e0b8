// SPDX-License-Identifier: GPL-2.0
/*
 * A time series of the counters the seed bugs corrupt, sampled by the
 * auditor at a fixed interval into a ring, and printed as CSV through
 * debugfs, so the runner can plot what CmaFree, MemFree and each zone's
 * free pages did around a violation (scripts/series-plot.sh). A row also
 * says how long a checkpoint paused the run since the row before (the
 * auditor takes no sample while it runs one), and how many pages each
 * CMA area's bitmap hands out.
 */
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmstat.h>
#include <linux/ktime.h>
#include <linux/bitmap.h>
#include <linux/cma.h>
#include "cs_core.h"
#include "compat.h"	/* struct cma: its lock, its ranges' bitmaps */

int cs_series_init(struct cs_series *s, unsigned int nr)
{
	memset(s, 0, sizeof(*s));
	spin_lock_init(&s->lock);
	s->rows = kvcalloc(nr, sizeof(*s->rows), GFP_KERNEL);
	if (!s->rows)
		return -ENOMEM;
	s->nr = nr;
	return 0;
}

void cs_series_free(struct cs_series *s)
{
	kvfree(s->rows);
	s->rows = NULL;
}

void cs_series_reset(struct cs_series *s)
{
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	s->head = 0;
	s->next_ns = 0;
	s->checkpoints_seen = 0;
	spin_unlock_irqrestore(&s->lock, flags);
}

static long cs_kb(long pages)
{
	return pages << (PAGE_SHIFT - 10);
}

#ifdef CS_HAVE_MM_CMA_H
#define CS_SERIES_BITMAPS	true
#else
#define CS_SERIES_BITMAPS	false	/* struct cma out of reach */
#endif

/* Area @i has columns: one of the first CS_SERIES_AREAS, with a bitmap. */
static bool cs_series_area(struct cs_harness *h, int i)
{
	return CS_SERIES_BITMAPS && i < CS_SERIES_AREAS && h->areas[i].cma;
}

/*
 * Pages set in @a's CMA bitmap, every range's, 4096 bits per section
 * under cma->lock (64 words of popcount), as the CMA bitmap's readers in
 * gen/ bound theirs. These irqs-off sections are not the audit's: they
 * stay out of audit_hold_* (a few hundred a second of them would make the
 * bench's figures the series').
 */
static unsigned int cs_area_used(struct cs_area *a)
{
	unsigned long used = 0;
#ifdef CS_HAVE_MM_CMA_H
	struct cma *cma = a->cma;
	unsigned long bit, n, flags, *map;
	unsigned int len;
	int r;

	for (r = 0; r < cs_cma_nranges(cma); r++) {
		map = cs_cma_bits(cma, r);
		n = cs_cma_count(cma, r) >> cma->order_per_bit;
		for (bit = 0; bit < n; bit += len) {
			len = min(n - bit, 4096UL);
			spin_lock_irqsave(&cma->lock, flags);
			used += (unsigned long)bitmap_weight(map + bit / BITS_PER_LONG, len) <<
				cma->order_per_bit;
			spin_unlock_irqrestore(&cma->lock, flags);
		}
	}
#endif
	return used;
}

/*
 * Take a sample if @interval_ms has passed since the last one, or @now.
 * @s and @ctx are a harness's (the auditor's and stop's calls).
 */
void cs_series_sample(struct cs_series *s, struct cs_ctx *ctx,
		      unsigned long totalcma, unsigned int interval_ms, bool now)
{
	struct cs_harness *h = container_of(s, struct cs_harness, series);
	struct cs_sample r = { };
	struct zone *zone;
	unsigned long flags;
	u64 t = ktime_get_ns();
	long cps;
	int z = 0, i;

	if (!s->rows || (!now && t < s->next_ns))
		return;
	/*
	 * A checkpoint that ran since the last sample (the auditor runs both,
	 * so one, unless series_ms exceeds checkpoint_s) paused the run this
	 * long. One skipped after waiting for the generators paused it too,
	 * but one skipped at once (stop had the lock) sets no checkpoint_ms,
	 * and the two are counted alike: a skipped one's wait is left a gap.
	 */
	cps = atomic_long_read(&h->checkpoints);
	if (cps != s->checkpoints_seen) {
		s->checkpoints_seen = cps;
		r.pause_ms = READ_ONCE(h->checkpoint_ms);
	}
	for (i = 0; i < h->nr_areas; i++)
		if (cs_series_area(h, i))
			r.area_used[i] = cs_area_used(&h->areas[i]);
	s->next_ns = t + (u64)interval_ms * NSEC_PER_MSEC;
	r.ms = (t - ctx->start_ns) / NSEC_PER_MSEC;
	for (zone = cs_next_zone(NULL); zone; zone = cs_next_zone(zone)) {
		long fr = zone_page_state_snapshot(zone, NR_FREE_PAGES);

		r.mem_free_kb += cs_kb(fr);
		r.cma_free_kb += cs_kb(zone_page_state_snapshot(zone, NR_FREE_CMA_PAGES));
#ifdef CONFIG_MEMORY_ISOLATION
		r.isolated += zone->nr_isolate_pageblock;
#endif
		if (z < CS_SERIES_ZONES)
			r.zone_free_kb[z++] = cs_kb(fr);
	}
	r.mem_total_kb = cs_kb(totalram_pages());
	r.cma_total_kb = cs_kb(totalcma);
	r.allocs = atomic_long_read(&ctx->ops[CS_OP_ALLOC]) +
		   atomic_long_read(&ctx->ops[CS_OP_ISOLATE]);
	r.offlines = atomic_long_read(&ctx->ops[CS_OP_OFFLINE]);
	r.onlines = atomic_long_read(&ctx->ops[CS_OP_ONLINE]);
	r.violations = cs_total_violations(ctx);
	spin_lock_irqsave(&s->lock, flags);
	s->rows[s->head++ % s->nr] = r;
	spin_unlock_irqrestore(&s->lock, flags);
}

/* An area's name in a column's: a comma (DT pools' "linux,cma") as '_'. */
static void cs_series_col(struct seq_file *m, const char *name, const char *what)
{
	seq_puts(m, ",cma_");
	for (; *name; name++)
		seq_putc(m, *name == ',' ? '_' : *name);
	seq_printf(m, "_%s_kb", what);
}

/*
 * CSV, oldest row first; the zone columns are named after the zones (and
 * their nodes, on a NUMA box), and each area's two (pages its bitmap
 * hands out, and the rest) after it.
 */
void cs_series_show(struct cs_series *s, struct seq_file *m)
{
	struct cs_harness *h = container_of(s, struct cs_harness, series);
	struct zone *zone;
	unsigned long flags;
	unsigned int i, n, head;
	struct cs_sample r;
	int z = 0, k;

	seq_puts(m, "t_s,cma_free_kb,cma_total_kb,mem_free_kb,mem_total_kb,isolated_pageblocks,allocs,offlines,onlines,violations,pause_ms");
	for (zone = cs_next_zone(NULL); zone && z < CS_SERIES_ZONES;
	     zone = cs_next_zone(zone), z++)
		if (num_online_nodes() > 1)
			seq_printf(m, ",%s_node%d_free_kb", zone->name, zone_to_nid(zone));
		else
			seq_printf(m, ",%s_free_kb", zone->name);
	for (k = 0; k < h->nr_areas; k++)
		if (cs_series_area(h, k)) {
			cs_series_col(m, h->areas[k].name, "used");
			cs_series_col(m, h->areas[k].name, "free");
		}
	seq_putc(m, '\n');
	if (!s->rows)
		return;
	spin_lock_irqsave(&s->lock, flags);
	head = s->head;
	spin_unlock_irqrestore(&s->lock, flags);
	n = min(head, s->nr);
	for (i = head - n; i != head; i++) {
		spin_lock_irqsave(&s->lock, flags);
		r = s->rows[i % s->nr];
		spin_unlock_irqrestore(&s->lock, flags);
		seq_printf(m, "%u.%03u,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%u",
			   r.ms / 1000, r.ms % 1000, r.cma_free_kb, r.cma_total_kb,
			   r.mem_free_kb, r.mem_total_kb, r.isolated, r.allocs,
			   r.offlines, r.onlines, r.violations, r.pause_ms);
		for (k = 0; k < z; k++)
			seq_printf(m, ",%ld", r.zone_free_kb[k]);
		for (k = 0; k < h->nr_areas; k++)
			if (cs_series_area(h, k))
				seq_printf(m, ",%ld,%ld", cs_kb(r.area_used[k]),
					   cs_kb(h->areas[k].count - r.area_used[k]));
		seq_putc(m, '\n');
	}
}
