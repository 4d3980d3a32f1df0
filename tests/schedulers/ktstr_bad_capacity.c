// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_capacity: per-CPU FIFOs that queue every task on a CPU of the
 * largest capacity, see ktstr_bad_capacity.bpf.c.  The loader reads the
 * capacities from sysfs.
 */
#include <stdio.h>

#include "loader.h"
#include "ktstr_bad_capacity.bpf.skel.h"

/* What a CPU without a cpu_capacity file has (x86: all alike). */
#define CAPACITY_SCALE 1024

static const char usage[] =
"Usage: ktstr_bad_capacity [-t MS] [-v] [-h]\n"
"\n"
"A sched_ext scheduler with one FIFO per CPU (ops name \"ktstr_bad_capacity\")\n"
"that is broken on purpose: on CPUs of different capacities (big.LITTLE)\n"
"it queues every task on a big CPU, light ones too, while the smaller\n"
"CPUs idle.\n"
"\n"
LOADER_OPTS_HELP;

/* @cpu's /sys/devices/system/cpu/cpuN/cpu_capacity, CAPACITY_SCALE if none. */
static unsigned int capacity_of(int cpu)
{
	unsigned int cap;
	char path[96];
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/devices/system/cpu/cpu%d/cpu_capacity", cpu);
	f = fopen(path, "r");
	if (!f)
		return CAPACITY_SCALE;
	if (fscanf(f, "%u", &cap) != 1)
		cap = CAPACITY_SCALE;
	fclose(f);
	return cap;
}

/* Marks the CPUs of the largest capacity in cpu_big[] and prints them. */
static int setup_big_cpus(struct ktstr_bad_capacity *skel)
{
	const char *name = "ktstr_bad_capacity";
	unsigned int cap[sizeof(skel->bss->cpu_big)], max = 0;
	unsigned int max_cpus = sizeof(skel->bss->cpu_big);
	int cpu, cpus = libbpf_num_possible_cpus();

	if (cpus < 1 || (unsigned int)cpus > max_cpus) {
		fprintf(stderr, "%s: %d CPUs not supported (at most %u)\n",
			name, cpus, max_cpus);
		return -1;
	}
	for (cpu = 0; cpu < cpus; cpu++) {
		cap[cpu] = capacity_of(cpu);
		if (cap[cpu] > max)
			max = cap[cpu];
	}
	fprintf(stderr, "%s: big CPUs (capacity %u):", name, max);
	for (cpu = 0; cpu < cpus; cpu++) {
		skel->bss->cpu_big[cpu] = cap[cpu] == max;
		if (cap[cpu] == max)
			fprintf(stderr, " %d", cpu);
	}
	fputc('\n', stderr);
	return 0;
}

LOADER_MAIN(ktstr_bad_capacity, usage, setup_big_cpus)
