// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs "control" file of both harness modules.
 *
 * Commands: start, stop, audit, reset, and key=value for any setting in the
 * module's table (each also a module parameter). A malformed write gets
 * -EINVAL and exactly one dmesg line saying what was wrong; a setting
 * written while running gets -EBUSY; a refused value changes nothing.
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "cs_core.h"

static int cs_parse_value(const struct cs_control *ctl,
			  const struct cs_setting *s, const char *val)
{
	int ret;

	switch (s->type) {
	case 'i':
		ret = kstrtoint(val, 0, s->ptr);
		break;
	case 'u':
		ret = kstrtouint(val, 0, s->ptr);
		break;
	case 'b':
		ret = kstrtobool(val, s->ptr);
		break;
	default:
		ret = strlen(val) < s->size ? 0 : -EINVAL;
		if (!ret)
			strscpy(s->ptr, val, s->size);
		break;
	}
	if (ret)
		pr_warn("%s: control: cannot parse '%.32s' as a value for %s\n",
			ctl->name, val, s->key);
	return ret ? -EINVAL : 0;
}

/* Parse into place, validate every setting together, or restore. */
static int cs_set(const struct cs_control *ctl, const char *key, const char *val)
{
	const struct cs_setting *s = NULL;
	char old[64];
	size_t size;
	int i, ret;

	for (i = 0; i < ctl->nr_settings; i++)
		if (!strcmp(key, ctl->settings[i].key))
			s = &ctl->settings[i];
	if (!s) {
		pr_warn("%s: control: unknown setting '%.32s'\n", ctl->name, key);
		return -EINVAL;
	}
	size = s->type == 'i' ? sizeof(int) : s->type == 'u' ?
	       sizeof(unsigned int) : s->type == 'b' ? sizeof(bool) : s->size;
	if (WARN_ON_ONCE(size > sizeof(old)))
		return -EINVAL;
	memcpy(old, s->ptr, size);
	ret = cs_parse_value(ctl, s, val);
	if (!ret)
		ret = ctl->validate();	/* prints its own line */
	if (ret)
		memcpy(s->ptr, old, size);
	return ret ? -EINVAL : 0;
}

static ssize_t cs_control_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	const struct cs_control *ctl = file->private_data;
	char buf[96], *cmd, *eq;
	int ret = 0;

	if (!len || len >= sizeof(buf)) {
		pr_warn("%s: control: %zu-byte write: a command is 1..%zu bytes\n",
			ctl->name, len, sizeof(buf) - 1);
		return -EINVAL;
	}
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	cmd = strim(buf);
	eq = strchr(cmd, '=');

	mutex_lock(ctl->lock);
	if (!strcmp(cmd, "start")) {
		ret = ctl->start();
	} else if (!strcmp(cmd, "stop")) {
		ctl->stop();
	} else if (!strcmp(cmd, "audit")) {
		ctl->audit();
	} else if (!strcmp(cmd, "reset")) {
		if (ctl->running())
			ret = -EBUSY;
		else
			ctl->reset();
	} else if (eq && eq != cmd) {
		*eq = '\0';
		ret = ctl->running() ? -EBUSY : cs_set(ctl, strim(cmd), strim(eq + 1));
	} else {
		pr_warn("%s: control: unknown command '%.32s': use start, stop, audit, reset or key=value\n",
			ctl->name, cmd);
		ret = -EINVAL;
	}
	if (ret == -EBUSY)
		pr_warn("%s: control: '%.32s' refused while running: stop first\n",
			ctl->name, cmd);
	mutex_unlock(ctl->lock);
	return ret ? ret : len;
}

const struct file_operations cs_control_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = cs_control_write,
	.llseek = noop_llseek,
};
EXPORT_SYMBOL_GPL(cs_control_fops);
