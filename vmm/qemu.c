// SPDX-License-Identifier: GPL-2.0
/*
 * Realize a topology with QEMU: what every guest's command line has.
 * The machine, its CPUs and its serial ports are the architecture's
 * (qemu_x86.c, qemu_arm64.c).
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
#include "qemu_arch.h"

int kt_accel_parse(const char *s, enum kt_accel *out)
{
	if (!strcmp(s, "auto"))
		*out = KT_ACCEL_AUTO;
	else if (!strcmp(s, "kvm"))
		*out = KT_ACCEL_KVM;
	else if (!strcmp(s, "tcg"))
		*out = KT_ACCEL_TCG;
	else
		return kt_fail_usage("--accel '%s': expected auto, kvm or tcg", s);
	return 0;
}

int kt_cpu_vendor_parse(const char *s, enum kt_cpu_vendor *out)
{
	if (!strcmp(s, "auto"))
		*out = KT_CPU_AUTO;
	else if (!strcmp(s, "intel"))
		*out = KT_CPU_INTEL;
	else if (!strcmp(s, "amd"))
		*out = KT_CPU_AMD;
	else
		return kt_fail_usage("--cpu-model '%s': expected auto, intel or amd",
				     s);
	return 0;
}

const char *kt_cpu_vendor_name(enum kt_cpu_vendor v)
{
	switch (v) {
	case KT_CPU_INTEL:
		return "intel";
	case KT_CPU_AMD:
		return "amd";
	default:
		return "auto";
	}
}

static enum kt_cpu_vendor host_vendor(void)
{
	char line[256];
	enum kt_cpu_vendor v = KT_CPU_INTEL;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return v;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "vendor_id", 9))
			continue;
		if (strstr(line, "AuthenticAMD") || strstr(line, "HygonGenuine"))
			v = KT_CPU_AMD;
		break;
	}
	fclose(f);
	return v;
}

int kt_cpu_vendor_resolve(enum kt_cpu_vendor want, enum kt_accel accel,
			  enum kt_cpu_vendor *out)
{
	enum kt_cpu_vendor host;

	if (accel != KT_ACCEL_KVM) {
		*out = want == KT_CPU_AMD ? KT_CPU_AMD : KT_CPU_INTEL;
		return 0;
	}
	host = host_vendor();
	if (want != KT_CPU_AUTO && want != host)
		return kt_fail("--cpu-model %s: KVM runs the host's CPU, an %s one here; --accel tcg emulates the other",
			       kt_cpu_vendor_name(want),
			       host == KT_CPU_AMD ? "AMD" : "Intel");
	*out = host;
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

int kt_accel_resolve_arch(enum kt_arch arch, enum kt_accel want,
			  enum kt_accel *out, char *why, size_t len)
{
	if (arch == KT_ARCH_X86_64)
		return kt_accel_resolve(want, out, why, len);
	if (want == KT_ACCEL_KVM)
		return kt_fail_usage("--accel kvm: %s guests run under TCG on this host (use --accel tcg or auto)",
				     kt_arch_name(arch));
	snprintf(why, len, "%s guest on an x86_64 host", kt_arch_name(arch));
	*out = KT_ACCEL_TCG;
	return 0;
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

const char *kt_qemu_binary_arch(enum kt_arch arch)
{
	const char *env = getenv("KTSTR_QEMU_ARM64");

	if (arch != KT_ARCH_ARM64)
		return kt_qemu_binary();
	return env && *env ? env : kt_arch_qemu(arch);
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
const char *kt_qemu_tcg_threading(void)
{
	const char *env = getenv("KTSTR_TCG_THREAD");

	if (env && !strcmp(env, "multi"))
		return "multi";
	return "single";
}

/*
 * One shared file per node with memory, so the host monitor can map
 * guest RAM; a node without memory is a node of CPUs alone.  Only a
 * device tree dump has its RAM in anonymous memory: it runs no guest.
 */
static int add_numa_nodes(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	const struct kt_topology *t = s->topo;
	unsigned int n, ram = 0;
	unsigned long mib;

	kt_argv_add(a, "-m");
	kt_argv_addf(a, "%luM", t->memory_mib);
	for (n = 0; n < t->nodes; n++) {
		mib = kt_topology_node_memory(t, n);
		kt_argv_add(a, "-numa");
		if (!mib) {
			kt_argv_addf(a, "node,nodeid=%u", n);
			continue;
		}
		kt_argv_addf(a, "node,nodeid=%u,memdev=mem%u", n, n);
		kt_argv_add(a, "-object");
		if (s->dump_dtb)
			kt_argv_addf(a, "memory-backend-ram,id=mem%u,size=%luM",
				     n, mib);
		else
			kt_argv_addf(a, "memory-backend-file,id=mem%u,size=%luM,mem-path=%s-ram%u,share=on",
				     n, mib, s->shm_prefix, ram++);
	}
	return 0;
}

static int add_numa_distances(const struct kt_qemu_spec *s,
			      struct kt_argv *a)
{
	const struct kt_topology *t = s->topo;
	unsigned int n, m;

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

int kt_qemu_add_chardev(struct kt_argv *a, const char *id, const char *path,
			const char *in_path, bool append)
{
	kt_argv_add(a, "-chardev");
	if (path && in_path)
		return kt_argv_addf(a, "file,id=%s,path=%s,input-path=%s", id,
				    path, in_path);
	if (path)
		return kt_argv_addf(a, "file,id=%s,path=%s%s", id, path,
				    append ? ",append=on" : "");
	return kt_argv_addf(a, "stdio,id=%s,signal=off", id);
}

static const struct kt_qemu_arch *arch_of(const struct kt_qemu_spec *s)
{
	return s->arch == KT_ARCH_ARM64 ? &kt_qemu_arm64 : &kt_qemu_x86_64;
}

/* The guest: its kernel, ports and QMP; none of it in a dump. */
static int add_guest(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	if (s->dtb) {
		kt_argv_add(a, "-dtb");
		kt_argv_add(a, s->dtb);
	}
	kt_argv_add(a, "-kernel");
	kt_argv_add(a, s->kernel);
	kt_argv_add(a, "-initrd");
	kt_argv_add(a, s->initrd);
	kt_argv_add(a, "-append");
	kt_argv_add(a, s->cmdline);
	arch_of(s)->ports(s, a);
	if (s->qmp_path) {
		kt_argv_add(a, "-qmp");
		kt_argv_addf(a, "unix:%s,server=on,wait=off", s->qmp_path);
	}
	if (s->incoming) {
		kt_argv_add(a, "-incoming");
		kt_argv_add(a, "defer");
	}
	return 0;
}

int kt_qemu_argv(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	const struct kt_qemu_arch *arch = arch_of(s);

	kt_argv_add(a, kt_qemu_binary_arch(s->arch));
	kt_argv_add(a, "-name");
	/* Threads named "CPU <n>/TCG": the monitor times each vCPU's. */
	kt_argv_add(a, "ktstr,debug-threads=on");
	kt_argv_add(a, "-nodefaults");
	kt_argv_add(a, "-display");
	kt_argv_add(a, "none");
	kt_argv_add(a, "-no-user-config");
	kt_argv_add(a, "-no-reboot");
	arch->machine(s, a);
	add_numa_nodes(s, a);
	arch->numa_cpus(s, a);
	add_numa_distances(s, a);
	arch->cpu_devices(s, a);
	if (!s->dump_dtb)
		add_guest(s, a);
	if (a->failed)
		return kt_fail("out of memory building the QEMU command line");
	return 0;
}
