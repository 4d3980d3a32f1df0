// SPDX-License-Identifier: GPL-2.0
/*
 * Realize a topology with QEMU.
 *
 * Each LLC becomes a socket with the L3 shared per socket and the L2 per
 * core.  QEMU 10.0's dies and modules would be the natural level for an
 * LLC, but with an Intel CPU model its CPUID leaf 0x1f encoder aborts on
 * them, and with an AMD model the guest ignores the cache topology.  The
 * guest's scheduler sees what matters either way: which CPUs share an LLC,
 * which are SMT siblings, which node each is on.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "error.h"
#include "qemu.h"

int kt_accel_parse(const char *s, enum kt_accel *out)
{
	if (!strcmp(s, "auto"))
		*out = KT_ACCEL_AUTO;
	else if (!strcmp(s, "kvm"))
		*out = KT_ACCEL_KVM;
	else if (!strcmp(s, "tcg"))
		*out = KT_ACCEL_TCG;
	else
		return kt_fail("--accel '%s': expected auto, kvm or tcg", s);
	return 0;
}

const char *kt_accel_name(enum kt_accel accel)
{
	switch (accel) {
	case KT_ACCEL_KVM:
		return "kvm";
	case KT_ACCEL_TCG:
		return "tcg";
	default:
		return "auto";
	}
}

static bool cpu_has_virt_flag(void)
{
	char line[8192];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		found = strstr(line, " vmx") || strstr(line, " svm");
		break;
	}
	fclose(f);
	return found;
}

/*
 * /dev/kvm opening is not enough: a software nested hypervisor (kvm_pvm)
 * offers /dev/kvm but dies on ordinary kernel instructions.  Require the
 * hardware flag and a working KVM API.
 */
static bool kvm_usable(char *why, size_t len)
{
	int fd, version;

	if (access("/sys/module/kvm_pvm", F_OK) == 0) {
		snprintf(why, len, "KVM is the kvm_pvm software hypervisor, which cannot run a Linux guest");
		return false;
	}
	if (!cpu_has_virt_flag()) {
		snprintf(why, len, "the CPU has no vmx/svm flag");
		return false;
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "/dev/kvm cannot be opened");
		return false;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	close(fd);
	if (version != KVM_API_VERSION) {
		snprintf(why, len, "/dev/kvm API version %d", version);
		return false;
	}
	snprintf(why, len, "hardware virtualization available");
	return true;
}

int kt_accel_resolve(enum kt_accel want, enum kt_accel *out, char *why,
		     size_t len)
{
	bool kvm;

	if (want == KT_ACCEL_TCG) {
		snprintf(why, len, "requested");
		*out = KT_ACCEL_TCG;
		return 0;
	}
	kvm = kvm_usable(why, len);
	if (want == KT_ACCEL_KVM && !kvm)
		return kt_fail("--accel kvm: KVM cannot run a guest here: %s",
			       why);
	*out = kvm ? KT_ACCEL_KVM : KT_ACCEL_TCG;
	return 0;
}

const char *kt_qemu_binary(void)
{
	const char *env = getenv("KTSTR_QEMU");

	return env && *env ? env : "qemu-system-x86_64";
}

/*
 * TCG runs all vCPUs on one host thread, taking turns, unless
 * $KTSTR_TCG_THREAD=multi asks for a host thread per vCPU.  On this
 * project's 2-CPU machines multi-threaded TCG (QEMU 10.0) now and then
 * broke the guest: a boot that stopped for good after SMP bring-up, and
 * an "Oops: int3" where one vCPU ran a kernel text site another had just
 * patched (x86 text_poke_bp); it was no faster to boot with 4 vCPUs
 * (4.5 s either way) and much slower with 16 (18 s against 11 s).
 */
static const char *tcg_threading(void)
{
	const char *env = getenv("KTSTR_TCG_THREAD");

	if (env && !strcmp(env, "multi"))
		return "multi";
	return "single";
}

static int add_machine(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	const struct kt_topology *t = s->topo;

	kt_argv_add(a, "-machine");
	kt_argv_add(a, "q35,smp-cache.0.cache=l3,smp-cache.0.topology=socket,smp-cache.1.cache=l2,smp-cache.1.topology=core");
	kt_argv_add(a, "-accel");
	if (s->accel == KT_ACCEL_KVM) {
		kt_argv_add(a, "kvm");
		kt_argv_add(a, "-cpu");
		kt_argv_add(a, "host,host-cache-info=off");
	} else {
		kt_argv_addf(a, "tcg,thread=%s", tcg_threading());
		kt_argv_add(a, "-cpu");
		kt_argv_add(a, "max,vendor=GenuineIntel");
	}
	kt_argv_add(a, "-smp");
	return kt_argv_addf(a, "%u,sockets=%u,cores=%u,threads=%u",
			    kt_topology_cpus(t), t->llcs, t->cores,
			    t->threads);
}

/* One shared file per node, so the host monitor can map guest RAM. */
static int add_numa(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	const struct kt_topology *t = s->topo;
	unsigned long node_mib = t->memory_mib / t->nodes;
	unsigned int n, m, llc, per_node = kt_topology_llcs_per_node(t);

	kt_argv_add(a, "-m");
	kt_argv_addf(a, "%luM", t->memory_mib);
	for (n = 0; n < t->nodes; n++) {
		kt_argv_add(a, "-object");
		kt_argv_addf(a, "memory-backend-file,id=mem%u,size=%luM,mem-path=%s-node%u,share=on",
			     n, node_mib, s->shm_prefix, n);
		kt_argv_add(a, "-numa");
		kt_argv_addf(a, "node,nodeid=%u,memdev=mem%u", n, n);
	}
	for (llc = 0; llc < t->llcs; llc++) {
		kt_argv_add(a, "-numa");
		kt_argv_addf(a, "cpu,node-id=%u,socket-id=%u", llc / per_node,
			     llc);
	}
	for (n = 0; n < t->nodes; n++) {
		for (m = 0; m < t->nodes; m++) {
			if (n == m)
				continue;
			kt_argv_add(a, "-numa");
			kt_argv_addf(a, "dist,src=%u,dst=%u,val=%u", n, m,
				     kt_topology_distance(t, n, m));
		}
	}
	return 0;
}

static int add_serial(struct kt_argv *a, const char *id, const char *path)
{
	kt_argv_add(a, "-chardev");
	if (path)
		kt_argv_addf(a, "file,id=%s,path=%s", id, path);
	else
		kt_argv_addf(a, "stdio,id=%s,signal=off", id);
	kt_argv_add(a, "-serial");
	return kt_argv_addf(a, "chardev:%s", id);
}

static int add_ports(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	add_serial(a, "console", s->console_path);
	add_serial(a, "stdout", s->stdout_path);
	if (s->stdout_path) {
		add_serial(a, "stderr", s->stderr_path);
	} else {
		/* Interactive: stderr shares the terminal on ttyS1. */
		kt_argv_add(a, "-serial");
		kt_argv_add(a, "null");
	}
	return add_serial(a, "control", s->control_path);
}

int kt_qemu_argv(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	kt_argv_add(a, kt_qemu_binary());
	kt_argv_add(a, "-name");
	kt_argv_add(a, "ktstr");
	kt_argv_add(a, "-nodefaults");
	kt_argv_add(a, "-display");
	kt_argv_add(a, "none");
	kt_argv_add(a, "-no-user-config");
	kt_argv_add(a, "-no-reboot");
	add_machine(s, a);
	add_numa(s, a);
	kt_argv_add(a, "-kernel");
	kt_argv_add(a, s->kernel);
	kt_argv_add(a, "-initrd");
	kt_argv_add(a, s->initrd);
	kt_argv_add(a, "-append");
	kt_argv_add(a, s->cmdline);
	add_ports(s, a);
	if (a->failed)
		return kt_fail("out of memory building the QEMU command line");
	return 0;
}
