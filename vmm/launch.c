// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "error.h"
#include "kernel_source.h"
#include "guest.h"
#include "launch.h"

void kt_launch_init(struct kt_launch *l, unsigned int default_timeout_s)
{
	memset(l, 0, sizeof(*l));
	l->accel = KT_ACCEL_AUTO;
	l->timeout_s = default_timeout_s;
}

static int parse_seconds(const char *arg, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (!isdigit((unsigned char)*arg) || *end || v > 86400 * 7)
		return kt_fail_usage("--timeout '%s': expected whole seconds", arg);
	*out = v;
	return 0;
}

static const struct option launch_options[] = {
	{ "topology", required_argument, NULL, KT_OPT_TOPOLOGY },
	{ "kernel", required_argument, NULL, KT_OPT_KERNEL },
	{ "include", required_argument, NULL, KT_OPT_INCLUDE },
	{ "accel", required_argument, NULL, KT_OPT_ACCEL },
	{ "timeout", required_argument, NULL, KT_OPT_TIMEOUT },
	{ "log-dir", required_argument, NULL, KT_OPT_LOG_DIR },
	{ "cmdline", required_argument, NULL, KT_OPT_CMDLINE },
	{ "memory", required_argument, NULL, KT_OPT_MEMORY },
	{ "dry-run", no_argument, NULL, KT_OPT_DRY_RUN },
	{ "cpu-model", required_argument, NULL, KT_OPT_CPU_MODEL },
	{ "no-snapshot", no_argument, NULL, KT_OPT_NO_SNAPSHOT },
	{ "nokaslr", no_argument, NULL, KT_OPT_NOKASLR },
};

void kt_launch_options(const struct option *extra, struct option *out)
{
	size_t n = ARRAY_SIZE(launch_options);

	memcpy(out, launch_options, sizeof(launch_options));
	while (extra->name && n < KT_LAUNCH_MAX_OPTIONS - 1)
		out[n++] = *extra++;
	memset(&out[n], 0, sizeof(out[n]));
}

int kt_launch_option(struct kt_launch *l, int opt, const char *arg)
{
	enum kt_kernel_spec_kind kind;

	switch (opt) {
	case KT_OPT_TOPOLOGY:
		l->topology_spec = arg;
		return kt_topology_parse(arg, &l->topo) ? -1 : 1;
	case KT_OPT_KERNEL:
		l->kernel_spec = arg;
		return kt_kernel_spec_kind(arg, &kind) ? -1 : 1;
	case KT_OPT_INCLUDE:
		if (l->nr_includes >= KT_LAUNCH_MAX_INCLUDES)
			return kt_fail_usage("more than %d --include options",
					     KT_LAUNCH_MAX_INCLUDES);
		l->includes[l->nr_includes++] = (char *)arg;
		return 1;
	case KT_OPT_ACCEL:
		return kt_accel_parse(arg, &l->accel) ? -1 : 1;
	case KT_OPT_CPU_MODEL:
		return kt_cpu_vendor_parse(arg, &l->vendor) ? -1 : 1;
	case KT_OPT_TIMEOUT:
		return parse_seconds(arg, &l->timeout_s) ? -1 : 1;
	case KT_OPT_LOG_DIR:
		l->log_dir = arg;
		return 1;
	case KT_OPT_CMDLINE:
		l->cmdline = arg;
		return 1;
	case KT_OPT_MEMORY:
		return kt_topology_parse_memory(arg, &l->memory_mib) ? -1 : 1;
	case KT_OPT_DRY_RUN:
		l->dry_run = true;
		return 1;
	case KT_OPT_NO_SNAPSHOT:
		l->no_snapshot = true;
		return 1;
	case KT_OPT_NOKASLR:
		l->nokaslr = true;
		return 1;
	}
	return 0;
}

/*
 * --memory gets the same checks as a preset's memory; what they refuse
 * is the pair of arguments --topology and --memory.
 */
static int apply_memory(struct kt_launch *l)
{
	if (!l->memory_mib)
		return 0;
	if (kt_topology_set_memory(&l->topo, l->memory_mib, "--memory"))
		return kt_fail_mark_usage();
	return 0;
}

static int build_image(struct kt_launch *l)
{
	const struct kt_kernel *kernel = &l->kernel;
	struct kt_initramfs *ir = kt_guest_image_for(l->arch);
	int ret;

	if (!ir)
		return -1;
	ret = kt_guest_add_kernel_configs(ir, &kernel, 1) ?:
	      kt_guest_add_includes(ir, l->includes, l->nr_includes);
	if (!ret && l->add_files)
		ret = l->add_files(ir, l->add_files_ctx);
	if (!ret)
		ret = kt_initramfs_build(ir, l->initramfs,
					 sizeof(l->initramfs));
	kt_initramfs_free(ir);
	return ret;
}

int kt_launch_prepare(struct kt_launch *l)
{
	if (!l->topology_spec)
		return kt_fail_usage("--topology is required (e.g. --topology 1n2l2c1t)");
	/*
	 * Again: kt_launch_option() parsed it to refuse a bad one early, but
	 * callers may set topology_spec themselves (gauntlet --calibrate).
	 */
	if (kt_topology_parse(l->topology_spec, &l->topo) || apply_memory(l))
		return -1;
	if (kt_kernel_obtain(l->kernel_spec, &l->kernel))
		return -1;
	l->boot_image = kt_launch_boot_image(l, &l->kernel);
	if (!l->boot_image)
		return -1;
	return build_image(l);
}

/* Set to anything but "" or "0". */
static bool env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0");
}

static bool nokaslr(const struct kt_launch *l)
{
	return l->nokaslr || env_set("KTSTR_NOKASLR");
}

const char *kt_launch_boot_image(const struct kt_launch *l,
				 const struct kt_kernel *k)
{
	return kt_kernel_launch_image(k, !nokaslr(l), stderr);
}

void kt_launch_vm_opts(const struct kt_launch *l, struct kt_vm_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->topo = &l->topo;
	o->kernel = l->boot_image;
	o->initramfs = l->initramfs;
	o->accel = l->accel;
	o->vendor = l->vendor;
	o->timeout_s = l->timeout_s;
	o->log_dir = l->log_dir;
	o->extra_cmdline = l->cmdline;
	o->dry_run = l->dry_run;
	o->no_snapshot = l->no_snapshot || env_set("KTSTR_NO_SNAPSHOT");
	o->nokaslr = nokaslr(l);
	o->stdout_fd = -1;
	o->stderr_fd = -1;
}

void kt_launch_report(const struct kt_vm_result *r)
{
	if (r->outcome == KT_VM_EXITED)
		return;
	fprintf(stderr, "ktstr: VM %s: %s", kt_vm_outcome_name(r->outcome),
		r->detail);
	if (r->boot_attempts > 1)
		fprintf(stderr, " (boot attempt %u)", r->boot_attempts);
	fputc('\n', stderr);
	if (r->console_tail[0])
		fprintf(stderr, "ktstr: last console lines:\n%s",
			r->console_tail);
}

int kt_launch_run(struct kt_launch *l, struct kt_vm_opts *o,
		  struct kt_vm_result *r)
{
	enum kt_cpu_vendor vendor;
	char shape[64], why[160];

	if (kt_accel_resolve(l->accel, &o->accel, why, sizeof(why)) ||
	    kt_cpu_vendor_resolve(l->vendor, o->accel, &vendor))
		return -1;
	kt_topology_short(&l->topo, shape, sizeof(shape));
	if (!l->dry_run)
		fprintf(stderr, "ktstr: booting %s (%s, %u vCPUs, %luM) on kernel %s, accel %s (%s), %s CPU model\n",
			l->topo.name, shape, kt_topology_cpus(&l->topo),
			l->topo.memory_mib, l->kernel.version,
			kt_accel_name(o->accel), why,
			vendor == KT_CPU_AMD ? "AMD" : "Intel");
	return kt_vm_run(o, r);
}
