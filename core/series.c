// SPDX-License-Identifier: GPL-2.0
/*
 * A time series of the counters the seed bugs corrupt, sampled by the
 * auditor at a fixed interval into a ring, and printed as CSV through
 * debugfs, so the runner can plot what CmaFree, MemFree and each zone's
 * free pages did around a violation (scripts/series-plot.sh).
 */
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmstat.h>
#include <linux/ktime.h>
#include "cs_core.h"

int cs_series_init(struct cs_series *s, unsigned int nr)
{
	memset(s, 0, sizeof(*s));
	spin_lock_init(&s->lock);
	s->rows = kcalloc(nr, sizeof(*s->rows), GFP_KERNEL);
	if (!s->rows)
		return -ENOMEM;
	s->nr = nr;
	return 0;
}

void cs_series_free(struct cs_series *s)
{
	kfree(s->rows);
	s->rows = NULL;
}

void cs_series_reset(struct cs_series *s)
{
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	s->head = 0;
	s->next_ns = 0;
	spin_unlock_irqrestore(&s->lock, flags);
}

static long cs_kb(long pages)
{
	return pages << (PAGE_SHIFT - 10);
}

/* Take a sample if @interval_ms has passed since the last one, or @now. */
void cs_series_sample(struct cs_series *s, struct cs_ctx *ctx,
		      unsigned long totalcma, unsigned int interval_ms, bool now)
{
	struct cs_sample r = { };
	struct zone *zone;
	unsigned long flags;
	u64 t = ktime_get_ns();
	int z = 0;

	if (!s->rows || (!now && t < s->next_ns))
		return;
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

/* CSV, oldest row first; the zone columns are named after the zones. */
void cs_series_show(struct cs_series *s, struct seq_file *m)
{
	struct zone *zone;
	unsigned long flags;
	unsigned int i, n, head;
	struct cs_sample r;
	int z = 0, k;

	seq_puts(m, "t_s,cma_free_kb,cma_total_kb,mem_free_kb,mem_total_kb,isolated_pageblocks,allocs,offlines,onlines,violations");
	for (zone = cs_next_zone(NULL); zone && z < CS_SERIES_ZONES;
	     zone = cs_next_zone(zone), z++)
		seq_printf(m, ",%s_free_kb", zone->name);
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
		seq_printf(m, "%u.%03u,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld",
			   r.ms / 1000, r.ms % 1000, r.cma_free_kb, r.cma_total_kb,
			   r.mem_free_kb, r.mem_total_kb, r.isolated, r.allocs,
			   r.offlines, r.onlines, r.violations);
		for (k = 0; k < z; k++)
			seq_printf(m, ",%ld", r.zone_free_kb[k]);
		seq_putc(m, '\n');
	}
}
