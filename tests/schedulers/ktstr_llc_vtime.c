// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_llc_vtime: weighted vtime with one queue per LLC, see
 * ktstr_llc_vtime.bpf.c.  Before loading, the LLC of each CPU is read
 * from sysfs into the scheduler's cpu_llc[] table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "loader.h"
#include "ktstr_llc_vtime.bpf.skel.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char usage[] =
"Usage: ktstr_llc_vtime [-v] [-h]\n"
"\n"
"A sched_ext scheduler with one weighted-vtime queue per LLC\n"
"(ops name \"ktstr_llc_vtime\"); idle CPUs steal from other LLCs.\n"
"\n"
"  -v  print libbpf debug messages\n"
"  -h  print this help\n";

/*
 * The first CPU of the L3 that @cpu shares, or -1 if sysfs does not say
 * (no L3, CPU offline).
 */
static int llc_first_cpu(int cpu)
{
	char path[128];
	FILE *f;
	int first;

	snprintf(path, sizeof(path),
		 "/sys/devices/system/cpu/cpu%d/cache/index3/shared_cpu_list",
		 cpu);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &first) != 1)
		first = -1;
	fclose(f);
	return first;
}

/*
 * Numbers the LLCs 0, 1, ... in the order of their first CPU and fills
 * cpu_llc[]; CPUs that sysfs says nothing about go to LLC 0.  Returns the
 * number of LLCs, or -1.
 */
static int read_llcs(struct ktstr_llc_vtime *skel, int nr_cpus)
{
	int first[ARRAY_SIZE(skel->bss->cpu_llc)];
	unsigned int max_llcs = bpf_map__max_entries(skel->maps.llcs);
	int cpu, llc, nr_llcs = 0;

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		int f = llc_first_cpu(cpu);

		for (llc = 0; llc < nr_llcs && first[llc] != f; llc++)
			;
		if (f >= 0 && llc == nr_llcs) {
			if ((unsigned int)nr_llcs == max_llcs) {
				fprintf(stderr, "ktstr_llc_vtime: more than %u LLCs\n",
					max_llcs);
				return -1;
			}
			first[nr_llcs++] = f;
		}
		skel->bss->cpu_llc[cpu] = f >= 0 ? llc : 0;
	}
	return nr_llcs ?: 1;
}

int main(int argc, char **argv)
{
	struct ktstr_llc_vtime *skel;
	bool verbose = false;
	int opt, ret, cpu, nr_cpus, nr_llcs;

	while ((opt = getopt(argc, argv, "vh")) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}

	loader_init(verbose);
	do {
		skel = SCX_OPS_OPEN(ktstr_llc_vtime_ops, ktstr_llc_vtime);

		nr_cpus = libbpf_num_possible_cpus();
		if (nr_cpus < 1 ||
		    (size_t)nr_cpus > ARRAY_SIZE(skel->bss->cpu_llc)) {
			fprintf(stderr, "ktstr_llc_vtime: %d CPUs not supported\n",
				nr_cpus);
			return 1;
		}
		nr_llcs = read_llcs(skel, nr_cpus);
		if (nr_llcs < 0)
			return 1;
		skel->data->nr_cpus = nr_cpus;
		skel->data->nr_llcs = nr_llcs;

		fprintf(stderr, "ktstr_llc_vtime: %d LLCs, cpu->llc:", nr_llcs);
		for (cpu = 0; cpu < nr_cpus; cpu++)
			fprintf(stderr, " %u", skel->bss->cpu_llc[cpu]);
		fputc('\n', stderr);

		ret = LOADER_RUN(skel, ktstr_llc_vtime);
	} while (ret == LOADER_RESTART);
	return ret;
}
