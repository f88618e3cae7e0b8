// SPDX-License-Identifier: GPL-2.0
/*
 * cs_syms.c: reach kernel functions that are not exported to modules.
 *
 * Since 5.7 kallsyms_lookup_name() is not exported either. As LTTng-modules
 * and KTF do, a kprobe registered on it reports its address, and it then
 * resolves the rest.
 *
 * Calling a resolved function is an indirect call. On kernels built with
 * CONFIG_X86_KERNEL_IBT, objtool "seals" every function whose address is
 * never taken in the kernel image: its ENDBR64 landing pad is overwritten
 * with a NOP, and an indirect call to it raises #CP on IBT hardware (an
 * oops). LTTng clears the ENDBR enforcement bit in MSR_IA32_S_CET with
 * interrupts off around such calls; that cannot cover cma_alloc(), which
 * sleeps. So a function is accepted only if IBT is off or its first
 * instruction is still ENDBR64; a sealed one is reported as unresolved and
 * what needs it is disabled, rather than risking an oops.
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/printk.h>
#include "cs_core.h"

#ifdef CONFIG_X86_KERNEL_IBT
#include <asm/ibt.h>
#include <asm/cpufeature.h>
#endif

static unsigned long (*cs_kallsyms_lookup_name)(const char *name);

static int cs_find_kallsyms(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int ret;

	if (cs_kallsyms_lookup_name)
		return 0;
	ret = register_kprobe(&kp);
	if (ret < 0)
		return ret;
	cs_kallsyms_lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	return cs_kallsyms_lookup_name ? 0 : -ENOENT;
}

/* May @fn be called through a pointer on this machine? */
static bool cs_ibt_callable(void *fn)
{
#ifdef CONFIG_X86_KERNEL_IBT
	u32 insn;

	if (!cpu_feature_enabled(X86_FEATURE_IBT))
		return true;
	if (get_kernel_nofault(insn, (u32 *)fn))
		return false;
	return is_endbr(insn);
#else
	return true;
#endif
}

void *cs_lookup(const char *name)
{
	if (cs_find_kallsyms())
		return NULL;
	return (void *)cs_kallsyms_lookup_name(name);
}
EXPORT_SYMBOL_GPL(cs_lookup);

int cs_resolve(const char *who, struct cs_sym *syms, int n)
{
	int i, failed = 0, ret;

	ret = cs_find_kallsyms();
	if (ret)
		pr_warn("%s: cannot find kallsyms_lookup_name (kprobe: %d): no unexported symbol can be resolved\n",
			who, ret);
	for (i = 0; i < n; i++) {
		void *p = ret ? NULL : cs_lookup(syms[i].name);
		const char *why = "not found";

		if (p && syms[i].is_func && !cs_ibt_callable(p)) {
			why = "sealed by IBT (no ENDBR64), an indirect call would oops";
			p = NULL;
		}
		*syms[i].addr = p;
		if (!p) {
			pr_warn("%s: symbol %s %s: disables %s\n", who,
				syms[i].name, why, syms[i].needed_by);
			failed++;
		}
	}
	return failed;
}
EXPORT_SYMBOL_GPL(cs_resolve);
