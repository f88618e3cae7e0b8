// SPDX-License-Identifier: GPL-2.0
/*
 * cs_core.ko: the frame (core/) and the generators (gen/), shared by
 * cma_stress and isolate_race (see core/cs_core.h). Loading it resolves
 * the unexported symbols once, saying which ones it could not find and
 * what that disables, registers G3's memory notifier, and hands the
 * frame the generator table (gen/generators.h).
 */
#include <linux/module.h>
#include "generators.h"

static int __init cs_core_init(void)
{
	cs_set_generators(cs_generator_table(), CS_NR_GENERATORS);
	cs_pageblock_init();
	cs_areas_init();
	cs_cma_init();
	cs_say_routes();
	return cs_hotplug_init();
}

static void __exit cs_core_exit(void)
{
	cs_hotplug_exit();
}

module_init(cs_core_init);
module_exit(cs_core_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("cma-stress harness frame, detectors and generators");
