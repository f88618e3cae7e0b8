/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels cma-stress supports
 * (6.1 and 6.12, and mainline where it moved on) lives here, so the rest
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

/* alloc_contig_range() became a macro over the _noprof symbol in 6.10. */
#if CS_KVER >= 610
#define CS_ACR_SYMBOL "alloc_contig_range_noprof"
#else
#define CS_ACR_SYMBOL "alloc_contig_range"
#endif
#if CS_KVER >= 610
#define cs_alloc_contig_range(s, e, mt, gfp) \
	alloc_contig_range_noprof((s), (e), (mt), (gfp))
#else
#define cs_alloc_contig_range(s, e, mt, gfp) \
	alloc_contig_range((s), (e), (mt), (gfp))
#endif

#endif /* CS_COMPAT_H */
