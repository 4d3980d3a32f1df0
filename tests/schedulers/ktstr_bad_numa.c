// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_numa: weighted vtime whose idle CPU search covers one NUMA
 * node only, see ktstr_bad_numa.bpf.c.
 */
#include <stdio.h>

#include "loader.h"
#include "ktstr_bad_numa.bpf.skel.h"

#define NODES_ONLINE "/sys/devices/system/node/online"

static const char usage[] =
"Usage: ktstr_bad_numa [-t MS] [-v] [-h]\n"
"\n"
"A global weighted-vtime sched_ext scheduler (ops name \"ktstr_bad_numa\")\n"
"that is broken on purpose: it reads the number of NUMA nodes wrong and\n"
"then looks for idle CPUs in node 0 only.\n"
"\n"
LOADER_OPTS_HELP;

/* The bug: "0-1" is read as 0, one node (see ktstr_bad_numa.bpf.c). */
static int setup(struct ktstr_bad_numa *skel)
{
	FILE *f = fopen(NODES_ONLINE, "r");
	int last;

	if (!f || fscanf(f, "%d", &last) != 1 || last < 0) {
		fprintf(stderr, "ktstr_bad_numa: cannot read %s\n", NODES_ONLINE);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	skel->data->nr_nodes = last + 1;
	fprintf(stderr, "ktstr_bad_numa: %d NUMA nodes\n", last + 1);
	return 0;
}

LOADER_MAIN(ktstr_bad_numa, usage, setup)
