// SPDX-License-Identifier: GPL-2.0
/*
 * The x86_64 half of the QEMU command line: a q35 machine.
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
#include "qemu_arch.h"

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
		kt_argv_addf(a, "tcg,thread=%s", kt_qemu_tcg_threading());
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

/* Every LLC is a socket, so a socket is in one node. */
static int add_numa_cpus(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	const struct kt_topology *t = s->topo;
	unsigned int llc;

	for (llc = 0; llc < t->llcs; llc++) {
		kt_argv_add(a, "-numa");
		kt_argv_addf(a, "cpu,node-id=%u,socket-id=%u",
			     kt_topology_llc(t, llc).node, llc);
	}
	return 0;
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

static int add_serial(struct kt_argv *a, const char *id, const char *path,
		      const char *in_path, bool append)
{
	kt_qemu_add_chardev(a, id, path, in_path, append);
	kt_argv_add(a, "-serial");
	return kt_argv_addf(a, "chardev:%s", id);
}

/* Four 16550s: ttyS0 the console, ttyS1-3 the guest's channels. */
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

const struct kt_qemu_arch kt_qemu_x86_64 = {
	.machine = add_machine,
	.numa_cpus = add_numa_cpus,
	.cpu_devices = add_cpu_devices,
	.ports = add_ports,
};
