// SPDX-License-Identifier: GPL-2.0
/*
 * Settings: the module's parameters declared with cs_param() (so
 * THIS_MODULE->kp, the module's own parameter table, is the settings
 * table and the control file's keys), the check of every value against
 * its range, and what a run makes of them with its scenario.
 *
 * A refused value gets -EINVAL and exactly one dmesg line saying what was
 * wrong, and changes nothing. Numbers are decimal: a leading 0 is not
 * octal here.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include "cs_core.h"

static void *cs_field(const struct cs_param *p)
{
	return (char *)&p->h->set + p->off;
}

/* The harness's settings: its module's parameters that are ours. */
static const struct cs_param *cs_param_at(struct cs_harness *h, unsigned int i,
					  const char **name)
{
	const struct kernel_param *kp = &h->owner->kp[i];

	if (kp->ops != &cs_param_ops)
		return NULL;
	*name = kp->name;
	return kp->arg;
}

static size_t cs_size(const struct cs_param *p)
{
	switch (p->type) {
	case CS_T_int:
		return sizeof(int);
	case CS_T_uint:
		return sizeof(unsigned int);
	case CS_T_bool:
		return sizeof(bool);
	default:
		return CS_STR;
	}
}

static const struct cs_param *cs_param_find(struct cs_harness *h, const char *key)
{
	const struct cs_param *p;
	const char *name;
	unsigned int i;

	for (i = 0; i < h->owner->num_kp; i++) {
		p = cs_param_at(h, i, &name);
		if (p && !strcmp(name, key))
			return p;
	}
	return NULL;
}

/*
 * The setting that gives generator @gen's thread count in this module (its
 * cs_offer() line), or NULL: a module offers a generator by having one.
 */
static const char *cs_threads_setting(struct cs_harness *h, int gen)
{
	size_t off = offsetof(struct cs_settings, threads) + gen * sizeof(int);
	const struct cs_param *p;
	const char *name;
	unsigned int i;

	for (i = 0; i < h->owner->num_kp; i++) {
		p = cs_param_at(h, i, &name);
		if (p && p->off == off && p->type == CS_T_int)
			return name;
	}
	return NULL;
}

bool cs_offers(struct cs_harness *h, int gen)
{
	return cs_threads_setting(h, gen);
}

static long cs_value(const struct cs_param *p)
{
	void *v = cs_field(p);

	switch (p->type) {
	case CS_T_int:
		return *(int *)v;
	case CS_T_uint:
		return *(unsigned int *)v;
	case CS_T_bool:
		return *(bool *)v;
	default:
		return 0;
	}
}

static const struct cs_scenario *cs_scenario_find(struct cs_harness *h)
{
	int i;

	for (i = 0; i < h->nr_scenarios; i++)
		if (!strcmp(h->set.scenario, h->scenarios[i].name))
			return &h->scenarios[i];
	return NULL;
}

/*
 * "none" -> -1; "d1".."d7" -> that detector's .inject_rule (@whole set:
 * every rule its hook has); a rule's name (core/rules.c) with an
 * injection -> that rule; -EINVAL otherwise.
 */
static int cs_inject_parse(struct cs_harness *h, bool *whole)
{
	const char *v = h->set.inject, *why;
	int r, d;

	*whole = false;
	if (!strcmp(v, "none"))
		return -1;
	if (v[0] == 'd' && v[1] >= '1' && v[1] <= '0' + CS_NR_DETECTORS && !v[2]) {
		*whole = true;
		r = cs_detectors[v[1] - '1'].inject_rule;
	} else {
		r = cs_rule_find(v);
	}
	if (r < 0 || !cs_rules[r].inject_how) {
		pr_err("%s: inject='%.40s' unknown: use none, d1..d%d or a rule with an injection (rules)\n",
		       h->name, v, CS_NR_DETECTORS);
		return -EINVAL;
	}
	d = cs_rules[r].det;
	why = h->ctx.disabled[d] ?: cs_rule_absent(r);
	if (why) {
		pr_err("%s: inject=%s: %s is off here: %s\n", h->name, v,
		       h->ctx.disabled[d] ? cs_detectors[d].id : cs_rules[r].name, why);
		return -EINVAL;
	}
	return r;
}

/* One value within its range; one dmesg line if not. */
static int cs_check_one(const struct cs_param *p, const char *name)
{
	long v = cs_value(p);

	/* Every int setting may be -1: "the scenario's value". */
	if (p->type == CS_T_int && v == -1)
		return 0;
	if ((p->type == CS_T_int || p->type == CS_T_uint) &&
	    (v < p->lo || v > p->hi)) {
		pr_err("%s: %s=%ld out of range %ld..%ld%s\n", p->h->name, name,
		       v, p->lo, p->hi, p->type == CS_T_int ? " or -1 (the scenario's)" : "");
		return -EINVAL;
	}
	return 0;
}

static int cs_pick(int setting, int scenario)
{
	return setting == -1 ? scenario : setting;
}

/*
 * No fixed cap on threads, but a count the machine cannot run is refused:
 * at most CS_THREADS_PER_CPU harness threads per online CPU in all.
 */
static int cs_check_threads(struct cs_harness *h, const struct cs_scenario *sc)
{
	unsigned int cpus = num_online_cpus();
	long total = 1, most = -1;	/* the auditor */
	int g, big = 0;

	for (g = 0; g < cs_nr_generators; g++) {
		long n = cs_offers(h, g) ? cs_pick(h->set.threads[g], sc->threads[g]) : 0;

		n = cs_generators[g]->per_cpu ? n * cpus : n;
		total += n;
		if (n > most) {
			most = n;
			big = g;
		}
	}
	if (total > (long)CS_THREADS_PER_CPU * cpus) {
		pr_err("%s: %s=%d makes %ld threads for %u online CPU(s): at most %d per CPU\n",
		       h->name, cs_threads_setting(h, big), h->set.threads[big], total,
		       cpus, CS_THREADS_PER_CPU);
		return -EINVAL;
	}
	return 0;
}

/* Every value within its range, the scenario and the injection known. */
int cs_settings_check(struct cs_harness *h)
{
	const struct cs_scenario *sc;
	const struct cs_param *p;
	const char *name;
	unsigned int i;
	bool whole;
	int d;

	for (i = 0; i < h->owner->num_kp; i++) {
		p = cs_param_at(h, i, &name);
		if (p && cs_check_one(p, name))
			return -EINVAL;
	}
	sc = cs_scenario_find(h);
	if (!sc) {
		pr_err("%s: scenario '%.16s' unknown: see README (scenarios)\n",
		       h->name, h->set.scenario);
		return -EINVAL;
	}
	if (cs_check_threads(h, sc))
		return -EINVAL;
	d = cs_inject_parse(h, &whole);
	return d < -1 ? d : 0;
}

/* The run's values: every -1 setting takes the scenario's value. */
int cs_settings_resolve(struct cs_harness *h)
{
	struct cs_run *r = &h->run;
	int g, d, ir, ret = cs_settings_check(h);

	if (ret)
		return ret;
	r->scenario = cs_scenario_find(h);
	for (g = 0; g < CS_MAX_GENERATORS; g++) {
		r->threads[g] = g < cs_nr_generators && cs_offers(h, g) ?
				cs_pick(h->set.threads[g], r->scenario->threads[g]) : 0;
		if (r->threads[g] > 0 && cs_generators[g]->unusable &&
		    cs_generators[g]->unusable(h))
			r->threads[g] = 0;	/* said once, at load */
	}
	r->max_pageblocks = cs_pick(h->set.max_pageblocks, r->scenario->max_pageblocks);
	r->hold_ms = cs_pick(h->set.hold_ms, r->scenario->hold_ms);
	ir = cs_inject_parse(h, &r->inject_whole);
	d = ir >= 0 ? cs_rules[ir].det : -1;
	if (d >= 0 && cs_inject_sites(d)) {
		for (g = 0; g < cs_nr_generators; g++)
			if ((cs_inject_sites(d) & BIT(g)) && r->threads[g] > 0)
				break;
		if (g == cs_nr_generators) {
			pr_err("%s: inject=%s: no thread of the generator where %s\n",
			       h->name, h->set.inject, cs_rules[ir].inject_how);
			return -EINVAL;
		}
	}
	r->inject = d;
	r->inject_rule = ir;
	return 0;
}

/* Parse @val into @p's field: decimal numbers, strings that fit. */
static int cs_parse(const struct cs_param *p, const char *name, const char *val)
{
	void *v = cs_field(p);
	int ret;

	switch (p->type) {
	case CS_T_int:
		ret = kstrtoint(val, 10, v);
		break;
	case CS_T_uint:
		ret = kstrtouint(val, 10, v);
		break;
	case CS_T_bool:
		ret = kstrtobool(val, v);
		break;
	default:
		ret = strlen(val) < CS_STR ? 0 : -EINVAL;
		if (!ret)
			strscpy(v, val, CS_STR);
		break;
	}
	if (ret)
		pr_warn("%s: cannot parse '%.32s' as a value for %s\n",
			p->h->name, val, name);
	return ret ? -EINVAL : 0;
}

/*
 * Parse into place, then check (@all: every setting together, as a control
 * write; else just this one, as at load, where init checks the rest);
 * restore the old value on failure.
 */
static int cs_set(const struct cs_param *p, const char *name, const char *val,
		  bool all)
{
	char old[CS_STR];
	int ret;

	memcpy(old, cs_field(p), cs_size(p));
	ret = cs_parse(p, name, val);
	if (!ret)
		ret = all ? cs_settings_check(p->h) : cs_check_one(p, name);
	if (ret)
		memcpy(cs_field(p), old, cs_size(p));
	return ret ? -EINVAL : 0;
}

/* key=value from the control file. */
int cs_settings_write(struct cs_harness *h, const char *key, const char *val)
{
	const struct cs_param *p = cs_param_find(h, key);

	if (!p) {
		pr_warn("%s: control: unknown setting '%.32s'\n", h->name, key);
		return -EINVAL;
	}
	return cs_set(p, key, val, true);
}

/* Module parameters: insmod's values, and reads under /sys/module. */
static int cs_param_set(const char *val, const struct kernel_param *kp)
{
	char buf[CS_STR];

	strscpy(buf, val, sizeof(buf));	/* insmod may leave a newline */
	return cs_set(kp->arg, kp->name, strim(buf), false);
}

static int cs_param_get(char *buffer, const struct kernel_param *kp)
{
	const struct cs_param *p = kp->arg;

	if (p->type == CS_T_str)
		return sysfs_emit(buffer, "%s\n", (char *)cs_field(p));
	return sysfs_emit(buffer, "%ld\n", cs_value(p));
}

const struct kernel_param_ops cs_param_ops = {
	.set = cs_param_set,
	.get = cs_param_get,
};
EXPORT_SYMBOL_GPL(cs_param_ops);

/* For the report: every setting as written, then what the run used. */
void cs_settings_show(struct cs_harness *h, struct seq_file *m)
{
	const struct cs_param *p;
	const char *name;
	unsigned int i;
	int g;

	seq_printf(m, "scenario: %s\n", h->set.scenario);
	seq_puts(m, "settings:");
	for (i = h->owner->num_kp; i-- > 0; ) {	/* the order they were declared */
		p = cs_param_at(h, i, &name);
		if (!p)
			continue;
		if (p->type == CS_T_str)
			seq_printf(m, " %s=%s", name, (char *)cs_field(p));
		else
			seq_printf(m, " %s=%ld", name, cs_value(p));
	}
	seq_puts(m, "\nthreads:");
	for (g = 0; g < cs_nr_generators; g++)
		if (cs_offers(h, g))
			seq_printf(m, " %s=%d", cs_generators[g]->name, h->run.threads[g]);
	seq_printf(m, "\nrun: max_pageblocks=%d hold_ms=%d\n",
		   h->run.max_pageblocks, h->run.hold_ms);
}
