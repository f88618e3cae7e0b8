/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels cma-stress supports
 * (6.1, 6.12 and 7.3, and mainline where it moved on) lives here, so the rest
 * of the code reads the same on all of them. CS_KVER is the kernel's
 * VERSION * 100 + PATCHLEVEL (612 for 6.12), set by Kbuild from the tree
 * being built against.
 */
#ifndef CS_KVER
#error "CS_KVER unset: build through Kbuild (make -C $KDIR M=$PWD)"
#endif
#ifndef CS_COMPAT_H
#define CS_COMPAT_H

#include <linux/mmzone.h>
#include <linux/gfp.h>
#include <linux/pageblock-flags.h>
#include <linux/timer.h>
#include <linux/slab.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/namei.h>

/*
 * Orders: 6.1 has MAX_ORDER = 11 with free_area[MAX_ORDER]; 6.4 made
 * MAX_ORDER inclusive; 6.8 renamed it MAX_PAGE_ORDER with NR_PAGE_ORDERS.
 */
#ifdef NR_PAGE_ORDERS
#define CS_NR_ORDERS		NR_PAGE_ORDERS
#elif CS_KVER >= 604
#define CS_NR_ORDERS		(MAX_ORDER + 1)
#define MAX_PAGE_ORDER		MAX_ORDER
#else
#define CS_NR_ORDERS		MAX_ORDER
#define MAX_PAGE_ORDER		(MAX_ORDER - 1)
#endif

/*
 * Free-list accounting rule (see docs/kernel-rules.md). Since 6.10
 * ("mm: page_alloc: consolidate free page accounting", Johannes Weiner)
 * every free page sits on the list of its pageblock's migratetype, checked
 * by VM_WARN in __add_to_free_list(), and merging buddies of mergeable
 * types retypes the buddy's pageblocks (change_pageblock_range()). So a
 * free page of any order must span pageblocks of exactly its list's type.
 * Before that, pages of non-CMA types may sit on another type's list
 * (fallback stealing moves only some of them), so only the CMA rules are
 * exact there.
 * 7.3 keeps the rule with the block's effective type: MIGRATE_ISOLATE while
 * its isolate bit is set (get_pfnblock_migratetype(), the VM_WARNs in
 * __add_to_free_list() and move_to_free_list(), mm/page_alloc.c:802, 829),
 * and account_freepages() still counts neither ISOLATE list (782-783):
 * docs/kernel-rules.md section i.2.
 */
#if CS_KVER >= 610
#define CS_STRICT_FREELIST_TYPES	1
#else
#define CS_STRICT_FREELIST_TYPES	0
#endif

/*
 * 6.12 to 6.14 with page_owner on: a 1 GiB hugetlb page's allocation and
 * free walk its page_ext entries as one array across memory sections and
 * write past the first section's (a regression of cf54f310d0d3
 * "mm/hugetlb: use __GFP_COMP for gigantic folios", 6.12; fixed in 6.15 by
 * "mm: page_ext: add an iteration API for page extensions", which adds
 * page_ext_lookup(): a kernel of these versions that has it carries the
 * fix, gen/hugetlb.c). See docs/findings/6.12-page-owner-gigantic.md.
 */
#define CS_PAGE_OWNER_GIGANTIC_UNSAFE	(CS_KVER >= 612 && CS_KVER < 615)

/* alloc_contig_range() takes __GFP_COMP (a compound page back) since 6.10. */
#define CS_HAVE_CONTIG_COMP	(CS_KVER >= 610)

/*
 * alloc_contig_range() became a macro over the _noprof symbol in 6.10.
 * Its third argument was a migratetype (MIGRATE_MOVABLE for an ordinary
 * request) until acr_flags_t replaced it (ACR_FLAGS_NONE; 6.16).
 */
#ifdef ACR_FLAGS_NONE
#define cs_alloc_contig_range(s, e, gfp) \
	alloc_contig_range_noprof((s), (e), ACR_FLAGS_NONE, (gfp))
#elif CS_KVER >= 610
#define cs_alloc_contig_range(s, e, gfp) \
	alloc_contig_range_noprof((s), (e), MIGRATE_MOVABLE, (gfp))
#else
#define cs_alloc_contig_range(s, e, gfp) \
	alloc_contig_range((s), (e), MIGRATE_MOVABLE, (gfp))
#endif

/*
 * A compound range (__GFP_COMP) and its free. Since the frozen-page API
 * (alloc_contig_frozen_range(), 7.x) alloc_contig_range() refuses
 * __GFP_COMP with a WARN (mm/page_alloc.c:7468 in 7.3): a compound range
 * comes from alloc_contig_frozen_range_noprof(), refcount 0, and goes
 * back through free_contig_frozen_range(). Before, it was an ordinary
 * compound page with one reference.
 */
/*
 * Frozen CMA ranges came with alloc_contig_frozen_range() (7.x):
 * cma_alloc_frozen() hands out refcount-0 pages that only
 * cma_release_frozen() takes back; cma_alloc() is the same plus
 * set_pages_refcounted() (mm/cma.c:949 in 7.3). Neither frozen call is
 * exported: they are reached by kallsyms, or not used.
 */
#ifdef alloc_contig_frozen_range
#define CS_CMA_FROZEN	1
#else
#define CS_CMA_FROZEN	0
#endif

/*
 * start_isolate_page_range() and undo_isolate_page_range() are not
 * exported: G3 reaches them by kallsyms (gen/hotplug.c). 6.16 replaced
 * their migratetype and flags with a mode.
 */
#include <linux/mm.h>
#include <linux/page-isolation.h>
#ifdef MEMORY_OFFLINE
typedef int cs_start_iso_fn(unsigned long start, unsigned long end, int mt, int flags,
			    gfp_t gfp);
typedef void cs_undo_iso_fn(unsigned long start, unsigned long end, int mt);
#define cs_start_iso(f, s, e)	((f)((s), (e), MIGRATE_MOVABLE, 0, GFP_KERNEL))
#define cs_undo_iso(f, s, e)	((f)((s), (e), MIGRATE_MOVABLE))
#else
typedef int cs_start_iso_fn(unsigned long start, unsigned long end,
			    enum pb_isolate_mode mode);
typedef void cs_undo_iso_fn(unsigned long start, unsigned long end);
#define cs_start_iso(f, s, e)	((f)((s), (e), PB_ISOLATE_MODE_OTHER))
#define cs_undo_iso(f, s, e)	((f)((s), (e)))
#endif

#ifdef alloc_contig_frozen_range
#define cs_alloc_contig_comp(s, e, gfp) \
	alloc_contig_frozen_range_noprof((s), (e), ACR_FLAGS_NONE, (gfp) | __GFP_COMP)
#define cs_free_contig_comp(pfn, nr)	free_contig_frozen_range((pfn), (nr))
#define CS_CONTIG_COMP_FROZEN	1
#define CS_ACR_SYMBOL "alloc_contig_frozen_range_noprof"
#else
#define cs_alloc_contig_comp(s, e, gfp) cs_alloc_contig_range((s), (e), (gfp) | __GFP_COMP)
#define cs_free_contig_comp(pfn, nr)	__free_pages(pfn_to_page(pfn), ilog2(nr))
#define CS_CONTIG_COMP_FROZEN	0
/* The function every contig request, cma_alloc()'s included, goes through. */
#if CS_KVER >= 610
#define CS_ACR_SYMBOL "alloc_contig_range_noprof"
#else
#define CS_ACR_SYMBOL "alloc_contig_range"
#endif
#endif

/*
 * Pageblock isolation. Until 6.15 it was a migratetype: MIGRATE_ISOLATE
 * overwrote the block's type bits (the old type was handed back at undo),
 * read with get_pfnblock_flags_mask(MIGRATETYPE_MASK). Since 6.16 it is a
 * bit of its own, PB_migrate_isolate (include/linux/pageblock-flags.h),
 * and the type bits underneath keep the block's type: a CMA block being
 * isolated is still MIGRATE_CMA there. get_pfnblock_migratetype() still
 * answers MIGRATE_ISOLATE while the bit is set. CS_PB_ISOLATE_BIT: the
 * type under isolation can be read (core/pageblock.c).
 */
#ifdef PAGEBLOCK_ISO_MASK
#define CS_PB_ISOLATE_BIT	1
#else
#define CS_PB_ISOLATE_BIT	0
#endif

/*
 * Timers: 6.2 renamed del_timer_sync() timer_delete_sync(); 6.16 renamed
 * from_timer() timer_container_of() and destroy_timer_on_stack()
 * timer_destroy_on_stack(), and dropped the old names.
 */
#if CS_KVER < 602
#define timer_delete_sync(t)		del_timer_sync(t)
#endif
#ifndef timer_container_of
#define timer_container_of(var, t, field)	from_timer(var, t, field)
#endif
#if CS_KVER < 616
#define timer_destroy_on_stack(t)	destroy_timer_on_stack(t)
#endif

/*
 * struct cma (mm/cma.h, full source trees only). Until 6.13 one range:
 * base_pfn, count, bitmap. Since 6.14 up to CMA_MAX_RANGES ranges
 * (struct cma_memrange ranges[], nranges), each with its own bitmap, and
 * cma_get_base() WARNs on an area of more than one; count is their sum.
 */
#ifdef CS_HAVE_MM_CMA_H
#include <linux/cma.h>	/* 6.12's mm/cma.h needs it first */
#include "cma.h"
#ifdef CMA_MAX_RANGES
#define CS_CMA_RANGES		CMA_MAX_RANGES
static inline int cs_cma_nranges(const struct cma *c)
{
	return c->nranges;
}

static inline unsigned long cs_cma_base(const struct cma *c, int r)
{
	return c->ranges[r].base_pfn;
}

static inline unsigned long cs_cma_count(const struct cma *c, int r)
{
	return c->ranges[r].count;
}

static inline unsigned long *cs_cma_bits(const struct cma *c, int r)
{
	return c->ranges[r].bitmap;
}
#else
#define CS_CMA_RANGES		1
static inline int cs_cma_nranges(const struct cma *c)
{
	return 1;
}

static inline unsigned long cs_cma_base(const struct cma *c, int r)
{
	return c->base_pfn;
}

static inline unsigned long cs_cma_count(const struct cma *c, int r)
{
	return c->count;
}

static inline unsigned long *cs_cma_bits(const struct cma *c, int r)
{
	return c->bitmap;
}
#endif
#define CS_CMA_MULTI_RANGE	(CS_CMA_RANGES > 1)
#else
#define CS_CMA_RANGES		1
#define CS_CMA_MULTI_RANGE	(CS_KVER >= 614)
#endif

/*
 * Paths from a kernel thread. 7.x starts every kthread in nullfs, the
 * kernel's private root (init_mount_tree(), fs/namespace.c:6400-6466 in
 * 7.3), so sysfs is not there: a kthread looks a path up from userspace's
 * root inside scoped_with_init_fs() (include/linux/fs_struct.h:55-80).
 * Before, a kthread shared the init task's root, which is userspace's.
 */
#ifndef scoped_with_init_fs
#define scoped_with_init_fs()
#endif

static inline struct file *cs_filp_open(const char *name, int flags)
{
	struct file *f;

	scoped_with_init_fs()
		f = filp_open(name, flags, 0);
	return f;
}

static inline int cs_kern_path(const char *name, struct path *path)
{
	int ret;

	scoped_with_init_fs()
		ret = kern_path(name, LOOKUP_FOLLOW, path);
	return ret;
}

/*
 * kzalloc_obj() (include/linux/slab.h, 7.x; its checkpatch asks for it):
 * where it is missing, the kzalloc() it stands for.
 */
#ifndef kzalloc_obj
#define kzalloc_obj(v, gfp)	kzalloc(sizeof(v), gfp)
#endif

/*
 * 6.15 added NR_FREE_PAGES_BLOCKS: the free pages in blocks of at least
 * pageblock_order on lists other than ISOLATE (account_freepages() and
 * move_to_free_list(), mm/page_alloc.c:812 and :839 in 7.3). D2 checks it
 * like NR_FREE_PAGES where it exists.
 */
#define CS_HAVE_FREE_BLOCKS	(CS_KVER >= 615)

/* 6.16 renamed the 64-bit MSR accessors rdmsrl/wrmsrl to rdmsrq/wrmsrq. */
#if CS_KVER < 616
#define rdmsrq(msr, val)	rdmsrl((msr), (val))
#define wrmsrq(msr, val)	wrmsrl((msr), (val))
#endif

#endif /* CS_COMPAT_H */
