// SPDX-License-Identifier: GPL-2.0
/*
 * Realize a topology with QEMU.
 *
 * Each LLC becomes a socket with the L3 shared per socket and the L2 per
 * core.  LLCs of different sizes are sockets of one size (the largest
 * LLC's cores, the most threads of any), with only the declared CPU slots
 * present: QEMU starts the boot CPU and every other present slot is a
 * -device of the CPU model at its socket, core and thread; the guest is
 * told nr_cpus so that the empty slots are not hotplug-capable CPUs of
 * its own (a part with cores fused off lists none either).
 *
 * QEMU 10.0's dies and modules would be the natural level for an LLC, but
 * with an Intel CPU model its CPUID leaf 0x1f encoder aborts on them.
 * The guest's scheduler sees what matters either way: which CPUs share
 * an LLC, which are SMT siblings, which node each is on.
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

/*
 * The -cpu model, whose name also makes the -device type of the other
 * vCPUs (their features come from -cpu, as global properties).
 *
 * AMD under TCG: EPYC-Rome, a Zen 2 (family 0x17, model 0x31), because
 * the guest kernel derives an AMD LLC from leaf 0x8000001D only with
 * topoext and, on Zen 1 (model <= 0x1f), as fixed blocks of 8 APIC IDs.
 * TCG drops topoext (it has no use for it, it is only CPUID data), so
 * x-force-features keeps it, and the features TCG does not implement are
 * taken out by name (QEMU 10.0 warns of exactly these for EPYC-Rome).
 * With KVM on an AMD host, topoext too must be asked for; the host's
 * cache leaves are not passed (host-cache-info=off) so that the declared
 * sharing, not the host's, is what the guest sees.
 */
static const char *cpu_model(const struct kt_qemu_spec *s)
{
	if (s->accel == KT_ACCEL_KVM)
		return "host";
	return s->vendor == KT_CPU_AMD ? "EPYC-Rome" : "max";
}

static const char *cpu_features(const struct kt_qemu_spec *s)
{
	if (s->accel == KT_ACCEL_KVM)
		return s->vendor == KT_CPU_AMD ? "+topoext,host-cache-info=off" :
						 "host-cache-info=off";
	if (s->vendor == KT_CPU_AMD)
		return "x-force-features=on,-fxsr-opt,-misalignsse,-osvw,-perfctr-core,-clzero,-ibpb,-amd-stibp,-nrip-save,-xsavec,-xsaves";
	return "vendor=GenuineIntel";
}

static int add_machine(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	const struct kt_topology *t = s->topo;
	unsigned int grid = t->llcs * t->cores * t->threads;

	kt_argv_add(a, "-machine");
	kt_argv_add(a, "q35,smp-cache.0.cache=l3,smp-cache.0.topology=socket,smp-cache.1.cache=l2,smp-cache.1.topology=core");
	kt_argv_add(a, "-accel");
	if (s->accel == KT_ACCEL_KVM)
		kt_argv_add(a, "kvm");
	else
		kt_argv_addf(a, "tcg,thread=%s", tcg_threading());
	kt_argv_add(a, "-cpu");
	kt_argv_addf(a, "%s,%s", cpu_model(s), cpu_features(s));
	kt_argv_add(a, "-smp");
	if (!kt_topology_has_holes(t))
		return kt_argv_addf(a, "%u,sockets=%u,cores=%u,threads=%u",
				    kt_topology_cpus(t), t->llcs, t->cores,
				    t->threads);
	return kt_argv_addf(a, "1,maxcpus=%u,sockets=%u,cores=%u,threads=%u",
			    grid, t->llcs, t->cores, t->threads);
}

/* Every present CPU slot but the boot CPU's (socket 0, core 0, thread 0). */
static int add_cpu_devices(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	const struct kt_topology *t = s->topo;
	unsigned int cpu, core, thread;
	struct kt_cpu_place p;

	if (!kt_topology_has_holes(t))
		return 0;
	for (cpu = 1; cpu < kt_topology_cpus(t); cpu++) {
		kt_topology_place(t, cpu, &p);
		kt_topology_slot(t, &p, &core, &thread);
		kt_argv_add(a, "-device");
		kt_argv_addf(a, "%s-x86_64-cpu,socket-id=%u,core-id=%u,thread-id=%u",
			     cpu_model(s), p.llc, core, thread);
	}
	return 0;
}

/*
 * One shared file per node with memory, so the host monitor can map
 * guest RAM; a node without memory is a node of CPUs alone.
 */
static int add_numa(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	const struct kt_topology *t = s->topo;
	unsigned int n, m, llc, ram = 0;
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
		kt_argv_addf(a, "memory-backend-file,id=mem%u,size=%luM,mem-path=%s-ram%u,share=on",
			     n, mib, s->shm_prefix, ram++);
	}
	for (llc = 0; llc < t->llcs; llc++) {
		kt_argv_add(a, "-numa");
		kt_argv_addf(a, "cpu,node-id=%u,socket-id=%u",
			     kt_topology_llc(t, llc).node, llc);
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

/*
 * @in_path: also the port's input, so the host can write to the guest.
 * @append: keep what the file holds (a restored guest's boot log).
 */
static int add_serial(struct kt_argv *a, const char *id, const char *path,
		      const char *in_path, bool append)
{
	kt_argv_add(a, "-chardev");
	if (path && in_path)
		kt_argv_addf(a, "file,id=%s,path=%s,input-path=%s", id, path,
			     in_path);
	else if (path)
		kt_argv_addf(a, "file,id=%s,path=%s%s", id, path,
			     append ? ",append=on" : "");
	else
		kt_argv_addf(a, "stdio,id=%s,signal=off", id);
	kt_argv_add(a, "-serial");
	return kt_argv_addf(a, "chardev:%s", id);
}

static int add_ports(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	add_serial(a, "console", s->console_path, NULL, true);
	add_serial(a, "stdout", s->stdout_path, NULL, false);
	if (s->stdout_path) {
		add_serial(a, "stderr", s->stderr_path, NULL, false);
	} else {
		/* Interactive: stderr shares the terminal on ttyS1. */
		kt_argv_add(a, "-serial");
		kt_argv_add(a, "null");
	}
	return add_serial(a, "control", s->control_path, s->control_in_path,
			  false);
}

int kt_qemu_argv(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	kt_argv_add(a, kt_qemu_binary());
	kt_argv_add(a, "-name");
	/* Threads named "CPU <n>/TCG": the monitor times each vCPU's. */
	kt_argv_add(a, "ktstr,debug-threads=on");
	kt_argv_add(a, "-nodefaults");
	kt_argv_add(a, "-display");
	kt_argv_add(a, "none");
	kt_argv_add(a, "-no-user-config");
	kt_argv_add(a, "-no-reboot");
	add_machine(s, a);
	add_numa(s, a);
	add_cpu_devices(s, a);
	kt_argv_add(a, "-kernel");
	kt_argv_add(a, s->kernel);
	kt_argv_add(a, "-initrd");
	kt_argv_add(a, s->initrd);
	kt_argv_add(a, "-append");
	kt_argv_add(a, s->cmdline);
	add_ports(s, a);
	if (s->qmp_path) {
		kt_argv_add(a, "-qmp");
		kt_argv_addf(a, "unix:%s,server=on,wait=off", s->qmp_path);
	}
	if (s->incoming) {
		kt_argv_add(a, "-incoming");
		kt_argv_add(a, "defer");
	}
	if (a->failed)
		return kt_fail("out of memory building the QEMU command line");
	return 0;
}
