// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 half of the QEMU command line: a virt machine under TCG.
 *
 * The guest learns its topology from the device tree alone (no firmware,
 * so no ACPI): clusters, LLCs, capacities, nodes and distances are in the
 * tree kt_dtb_build() makes from QEMU's own, and QEMU is given it with
 * -dtb.  QEMU's view of the CPUs only has to agree on which node each is
 * in, so every CPU is a socket of its own: any declared shape, uneven
 * LLCs included, is a list of CPUs to QEMU, and no socket spans nodes.
 *
 * The console is the PL011 (ttyAMA0); the guest's stdout, stderr and
 * control channels are ttyS1-3 as on x86_64, the second to fourth ports
 * of a pci-serial-4x card (its first is ttyS0, unused).
 */
#include "qemu_arch.h"

/*
 * -cpu max with the cheap pointer authentication algorithm (QARMA5, the
 * default, is expensive to emulate) and without LPA2, so that the kernel
 * runs with 48-bit virtual addresses and 4 page-table levels.
 */
#define CPU_MODEL "max,pauth-impdef=on,lpa2=off"

static int add_machine(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	unsigned int cpus = kt_topology_cpus(s->topo);

	kt_argv_add(a, "-machine");
	/*
	 * No random seeds in the device tree: the tree in the cache is the
	 * same file whoever boots it, and the guest gets its seed with the
	 * payload.
	 */
	if (s->dump_dtb)
		kt_argv_addf(a, "virt,gic-version=3,dtb-randomness=off,dumpdtb=%s",
			     s->dump_dtb);
	else
		kt_argv_add(a, "virt,gic-version=3,dtb-randomness=off");
	kt_argv_add(a, "-accel");
	kt_argv_addf(a, "tcg,thread=%s", kt_qemu_tcg_threading());
	kt_argv_add(a, "-cpu");
	kt_argv_add(a, CPU_MODEL);
	kt_argv_add(a, "-smp");
	return kt_argv_addf(a, "%u,sockets=%u,cores=1,threads=1", cpus, cpus);
}

static int add_numa_cpus(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	const struct kt_topology *t = s->topo;
	unsigned int cpu;
	struct kt_cpu_place p;

	for (cpu = 0; cpu < kt_topology_cpus(t); cpu++) {
		kt_topology_place(t, cpu, &p);
		kt_argv_add(a, "-numa");
		kt_argv_addf(a, "cpu,node-id=%u,socket-id=%u", p.node, cpu);
	}
	return 0;
}

/* -smp starts every CPU. */
static int add_cpu_devices(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	return 0;
}

static int add_ports(const struct kt_qemu_spec *s, struct kt_argv *a)
{
	kt_qemu_add_chardev(a, "console", s->console_path, NULL, true);
	kt_argv_add(a, "-serial");
	kt_argv_add(a, "chardev:console");
	kt_argv_add(a, "-chardev");
	kt_argv_add(a, "null,id=unused");
	kt_qemu_add_chardev(a, "stdout", s->stdout_path, NULL, false);
	/* Interactive: stderr shares the terminal on ttyS1. */
	if (s->stdout_path) {
		kt_qemu_add_chardev(a, "stderr", s->stderr_path, NULL, false);
	} else {
		kt_argv_add(a, "-chardev");
		kt_argv_add(a, "null,id=stderr");
	}
	kt_qemu_add_chardev(a, "control", s->control_path, s->control_in_path,
			    false);
	kt_argv_add(a, "-device");
	return kt_argv_add(a, "pci-serial-4x,chardev1=unused,chardev2=stdout,chardev3=stderr,chardev4=control");
}

const struct kt_qemu_arch kt_qemu_arm64 = {
	.machine = add_machine,
	.numa_cpus = add_numa_cpus,
	.cpu_devices = add_cpu_devices,
	.ports = add_ports,
};
