// SPDX-License-Identifier: GPL-2.0
/*
 * The cs_core module, the shared half of cma_stress and
 * isolate_race (see cs_core.h). Loading it only resolves the symbols the
 * audits need and says which ones it could not find.
 */
#include <linux/module.h>
#include "cs_core.h"

static int __init cs_core_init(void)
{
	int ret = cs_audit_init();

	return ret ? ret : cs_hotplug_init();
}

static void __exit cs_core_exit(void)
{
	cs_hotplug_exit();
}

module_init(cs_core_init);
module_exit(cs_core_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("cma-stress shared audits, reports and memory hotplug helpers");
