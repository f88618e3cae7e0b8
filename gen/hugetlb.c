// SPDX-License-Identifier: GPL-2.0
/*
 * G10: hugetlb pool churn. hugetlb is CMA's biggest user after DMA and has
 * its own isolation checks: its pages are migrated or dissolved when a
 * block goes offline or a range is isolated under them. G10 grows and
 * shrinks the 2 MiB pool (a shrink dissolves free huge pages), and where
 * hugetlb_cma= gave a CMA area (named hugetlb<N>) grows the 1 GiB pool and
 * demotes 1 GiB pages into 2 MiB ones, through the same sysfs files a
 * user writes. Without such an area a 1 GiB page comes from
 * alloc_contig_pages() over whatever range fits, CMA areas included:
 * the road to docs/findings/contig-undo-foreign-isolation.md, taken only
 * when the gigantic setting asks for it (so is a 1 GiB page where
 * page_owner would crash on it: cs_gigantic_crashes()). The pools are
 * put back to their size at start when the thread returns: nothing it
 * made outlives the run.
 */
#include <linux/module.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include "generators.h"
#include "compat.h"

enum {
	CS_G10_GROWS, CS_G10_SHRINKS, CS_G10_DEMOTES, CS_G10_ERRORS,
	CS_G10_LAST_ERRNO
};

#define CS_HP "/sys/kernel/mm/hugepages/hugepages-"
#define CS_HP_2M CS_HP "2048kB/"
#define CS_HP_1G CS_HP "1048576kB/"
#define CS_G10_MAX_2M 32	/* 64 MiB at most */

static int cs_write(const char *path, long v)
{
	char buf[24];
	struct file *f;
	loff_t pos = 0;
	ssize_t ret;

	f = cs_filp_open(path, O_WRONLY);
	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = kernel_write(f, buf, scnprintf(buf, sizeof(buf), "%ld", v), &pos);
	filp_close(f, NULL);
	return ret < 0 ? ret : 0;
}

static long cs_read(const char *path)
{
	char buf[24] = "";
	struct file *f;
	loff_t pos = 0;
	long v;
	ssize_t ret;

	f = cs_filp_open(path, O_RDONLY);
	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	filp_close(f, NULL);
	if (ret <= 0)
		return ret ? ret : -EIO;
	buf[ret] = '\0';
	return kstrtol(strim(buf), 10, &v) ? -EINVAL : v;
}

/* Called under the harness lock: a path lookup, not a read (no seq_file lock). */
static const char *cs_g10_unusable(struct cs_harness *h)
{
	struct path path;

	if (cs_kern_path(CS_HP_2M "nr_hugepages", &path))
		return "no 2 MiB hugetlb pool in sysfs (CONFIG_HUGETLBFS off?)";
	path_put(&path);
	return NULL;
}

static void cs_g10_set(struct cs_worker *w, const char *path, long v, int counter)
{
	int ret = cs_write(path, v);

	cs_op(w);
	if (ret) {
		cs_count(w, CS_G10_ERRORS, 1);
		cs_count_set(w, CS_G10_LAST_ERRNO, ret);
	} else {
		cs_count(w, counter, 1);
	}
}

/*
 * Would a 1 GiB page crash this kernel? page_owner on (its debugfs file
 * exists only then) on a kernel with the page_ext bug (core/compat.h: a
 * version that has it, without the fix's page_ext_lookup()): not CMA's
 * bug, and it corrupts memory, so G10 keeps to 2 MiB pages there unless
 * gigantic=1 asks for 1 GiB ones, and says so once.
 */
static bool cs_gigantic_crashes(struct cs_harness *h)
{
	struct path path;

	if (!CS_PAGE_OWNER_GIGANTIC_UNSAFE || cs_kernel_has("page_ext_lookup") ||
	    cs_kern_path("/sys/kernel/debug/page_owner", &path))
		return false;
	path_put(&path);
	pr_info_once("%s: G10: no 1 GiB pages: this kernel's page_owner corrupts memory on them (docs/findings/6.12-page-owner-gigantic.md); gigantic=1 forces them\n",
		     h->name);
	return true;
}

/* A hugetlb_cma= area (cma_declare_contiguous_nid() names them hugetlb<N>). */
static bool cs_hugetlb_cma(struct cs_harness *h)
{
	int i;

	for (i = 0; i < h->nr_areas; i++)
		if (!strncmp(h->areas[i].name, "hugetlb", 7))
			return true;
	return false;
}

static int cs_g10_thread(void *arg)
{
	struct cs_worker *w = arg;
	struct cs_harness *h = w->h;
	long was_2m = cs_read(CS_HP_2M "nr_hugepages");
	long was_1g = cs_read(CS_HP_1G "nr_hugepages");
	bool gigantic = was_1g >= 0 &&
			(h->set.gigantic ||
			 (cs_hugetlb_cma(h) && !cs_gigantic_crashes(h)));

	while (cs_keep_going(w)) {
		unsigned int r = cs_rand(100);

		cs_progress(w, "hugetlb pool", 0);
		if (r < 45) {
			cs_g10_set(w, CS_HP_2M "nr_hugepages",
				   1 + cs_rand(CS_G10_MAX_2M), CS_G10_GROWS);
		} else if (r < 90) {
			long now = cs_read(CS_HP_2M "nr_hugepages");

			cs_g10_set(w, CS_HP_2M "nr_hugepages",
				   now > 0 ? cs_rand(now) : 0, CS_G10_SHRINKS);
		} else if (gigantic) {
			/* A 1 GiB page, then (6.8+) demoted to 2 MiB ones. */
			cs_g10_set(w, CS_HP_1G "nr_hugepages", 1, CS_G10_GROWS);
			if (cs_read(CS_HP_1G "demote_size") >= 0)
				cs_g10_set(w, CS_HP_1G "demote", 1, CS_G10_DEMOTES);
		}
		msleep_interruptible(5 + cs_rand(50));
	}
	if (was_2m >= 0)
		cs_write(CS_HP_2M "nr_hugepages", was_2m);
	if (was_1g >= 0)
		cs_write(CS_HP_1G "nr_hugepages", was_1g);
	return 0;
}

const struct cs_generator cs_g10 = {
	.id = "G10", .name = "g10", .thread = "g10_hugetlb",
	.seeds = "001",
	.what =
		"hugetlb pool churn: grow, shrink (dissolve); 1 GiB pages grown and demoted where hugetlb_cma= gave an area",
	.fn = cs_g10_thread,
	.counters = {
		[CS_G10_GROWS] = "grows",
		[CS_G10_SHRINKS] = "shrinks",
		[CS_G10_DEMOTES] = "demotes",
		[CS_G10_ERRORS] = "errors",
		[CS_G10_LAST_ERRNO] = "last_errno",
	},
	.unusable = cs_g10_unusable,
};
