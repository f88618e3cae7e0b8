// SPDX-License-Identifier: GPL-2.0
/*
 * Reach kernel functions that are not exported to modules.
 *
 * Since 5.7 kallsyms_lookup_name() is not exported either. As LTTng-modules
 * and KTF do, a kprobe registered on it reports its address, and it then
 * resolves the rest.
 *
 * Calling a resolved function is an indirect call. On kernels built with
 * CONFIG_X86_KERNEL_IBT, objtool "seals" every function whose address is
 * never taken in the kernel image: its ENDBR64 landing pad becomes a NOP
 * (66 0f 1f 00), and an indirect call to it raises #CP on IBT hardware (an
 * oops). LTTng-modules clears the ENDBR enforcement bit of MSR_IA32_S_CET,
 * with interrupts off, around such calls. That is safe only for functions
 * that never sleep: kallsyms_lookup_name() and get_pfnblock_flags_mask()
 * (cs_call_nosleep()). cma_alloc() sleeps, so a sleeping function is
 * accepted only if IBT is off or its first instruction is still ENDBR64;
 * a sealed one is reported as unresolved and what needs it is disabled.
 *
 * A test kernel built with kernel/patches/export-syms-<version>.patch
 * exports them all, and then they are taken as exports (__symbol_get()):
 * exported functions are never sealed. route.h decides, per symbol.
 *
 * Note is_endbr() also accepts the seal's NOP, and a kprobe on an IBT
 * kernel sits after the ENDBR (kp.addr is the symbol + 4): both handled.
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/printk.h>
#include "cs_core.h"
#include "compat.h"
#include "route.h"

#ifdef CONFIG_X86_KERNEL_IBT
#include <asm/ibt.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#endif

static unsigned long (*cs_kallsyms_lookup_name)(const char *name);

/*
 * TCG guests have no CET, so the refusal of a sealed function cannot be
 * seen by running there. assume_ibt=1 decides every route as an IBT CPU
 * would (the calls themselves still run as this CPU allows): on a kernel
 * built with IBT, each sealed function's route then shows what a real IBT
 * box gets, and a test checks it against the seals in the kernel image.
 */
static bool assume_ibt;
module_param(assume_ibt, bool, 0444);
MODULE_PARM_DESC(assume_ibt, "decide symbol routes as if this CPU enforced IBT (a test of the refusal)");

/* Is @fn's first instruction a real ENDBR64 (not the seal's NOP)? */
static bool cs_has_endbr(void *fn)
{
#ifdef CONFIG_X86_KERNEL_IBT
	u32 insn;

	return !get_kernel_nofault(insn, (u32 *)fn) && insn == gen_endbr();
#else
	return true;
#endif
}

/* Does this CPU enforce ENDBR? Decides how a call runs. */
static bool cs_ibt_enforced(void)
{
#ifdef CONFIG_X86_KERNEL_IBT
	return cpu_feature_enabled(X86_FEATURE_IBT);
#else
	return false;
#endif
}

/* Is a route decided for IBT? Decides which calls are allowed. */
static bool cs_ibt_routes(void)
{
	return assume_ibt || cs_ibt_enforced();
}

#ifdef CONFIG_X86_KERNEL_IBT
/*
 * Lift ENDBR enforcement on this CPU, interrupts off so the thread cannot
 * migrate to a CPU whose MSR still enforces it.
 */
static u64 cs_noibt_begin(unsigned long *flags)
{
	u64 msr;

	local_irq_save(*flags);
	rdmsrq(MSR_IA32_S_CET, msr);
	wrmsrq(MSR_IA32_S_CET, msr & ~CET_ENDBR_EN);
	return msr;
}

static void cs_noibt_end(unsigned long flags, u64 msr)
{
	wrmsrq(MSR_IA32_S_CET, msr);
	local_irq_restore(flags);
}
#endif

unsigned long cs_call_nosleep(void *fn, unsigned long a, unsigned long b,
			      unsigned long c)
{
	unsigned long (*f)(unsigned long, unsigned long, unsigned long) = fn;
#ifdef CONFIG_X86_KERNEL_IBT
	unsigned long flags, ret;
	u64 msr;

	if (cs_ibt_enforced() && !cs_has_endbr(fn)) {
		msr = cs_noibt_begin(&flags);
		ret = f(a, b, c);
		cs_noibt_end(flags, msr);
		return ret;
	}
#endif
	return f(a, b, c);
}

static int cs_find_kallsyms(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long addr;
	int ret;

	if (cs_kallsyms_lookup_name)
		return 0;
	ret = register_kprobe(&kp);
	if (ret < 0)
		return ret;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
#ifdef CONFIG_X86_KERNEL_IBT
	{
		/* The probe sits after the ENDBR (or the seal): step back. */
		u32 insn;

		if (!get_kernel_nofault(insn, (u32 *)(addr - 4)) &&
		    (insn == gen_endbr() || insn == gen_endbr_poison()))
			addr -= 4;
	}
#endif
	cs_kallsyms_lookup_name = (void *)addr;
	return addr ? 0 : -ENOENT;
}

static void *cs_lookup(const char *name)
{
	if (cs_find_kallsyms())
		return NULL;
	return (void *)cs_call_nosleep(cs_kallsyms_lookup_name,
				       (unsigned long)name, 0, 0);
}

/*
 * Does the running kernel have symbol @name? A fix that adds a function
 * shows where the version cannot (a stable backport). False as well when
 * kallsyms_lookup_name cannot be found: then the version alone decides.
 */
bool cs_kernel_has(const char *name)
{
	return cs_lookup(name);
}

/* Each symbol and its route, for the load line and the report. */
static char cs_routes[512];

const char *cs_symbol_routes(void)
{
	return cs_routes[0] ? cs_routes : "none";
}

static enum cs_route cs_route_of(const struct cs_sym *sym, void **addr, bool have_kallsyms)
{
	struct cs_route_facts f = {
		.is_func = sym->is_func,
		.sleeps = sym->sleeps,
		.ibt_enforced = cs_ibt_routes(),
	};
	void *p = __symbol_get(sym->name);	/* exported: test kernels with the patch */
	enum cs_route r;

	f.exported = !!p;
	if (!p && have_kallsyms)
		p = cs_lookup(sym->name);
	f.found = !!p;
	f.has_endbr = p && cs_has_endbr(p);
	r = cs_route_pick(&f);
	*addr = r == CS_ROUTE_SEALED || r == CS_ROUTE_MISSING ? NULL : p;
	return r;
}

/*
 * Resolve each symbol by the best route this kernel and CPU allow (see
 * route.h), say every route in one line, and for each symbol that cannot
 * be used one line naming what it disables and, if IBT sealed it, the
 * fix. Returns the number that cannot be used.
 */
int cs_resolve(const char *who, struct cs_sym *syms, int n)
{
	int i, failed = 0, ret = cs_find_kallsyms();
	size_t len = strlen(cs_routes);

	if (ret)
		pr_warn("%s: cannot find kallsyms_lookup_name (kprobe: %d): only exported symbols can be used\n",
			who, ret);
	for (i = 0; i < n; i++) {
		enum cs_route r = cs_route_of(&syms[i], syms[i].addr, !ret);

		len += scnprintf(cs_routes + len, sizeof(cs_routes) - len, "%s%s=%s",
				 len ? " " : "", syms[i].name, cs_route_name(r));
		if (r == CS_ROUTE_SEALED)
			pr_warn("%s: %s is sealed by IBT (no ENDBR64) and sleeps: disables %s; fix: %s\n",
				who, syms[i].name, syms[i].needed_by, CS_ROUTE_FIX);
		else if (r == CS_ROUTE_MISSING)
			pr_warn("%s: symbol %s not found: disables %s\n", who,
				syms[i].name, syms[i].needed_by);
		failed += !*syms[i].addr;
	}
	return failed;
}

/* At load, after every resolve: the routes in use, in one line. */
void cs_say_routes(void)
{
	pr_info("cs_core: symbols (IBT %s): %s\n",
		cs_ibt_enforced() ? "enforced" :
		assume_ibt ? "assumed, assume_ibt=1" : "not enforced",
		cs_symbol_routes());
}
