// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_stall: a FIFO that never runs tasks with the starve comm, so the
 * sched_ext watchdog kicks it out, see ktstr_stall.bpf.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "loader.h"
#include "ktstr_stall.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_stall [-c COMM] [-t MS] [-v] [-h]\n"
"\n"
"A global FIFO sched_ext scheduler (ops name \"ktstr_stall\") that never\n"
"runs tasks whose comm is COMM, so that the sched_ext watchdog kicks it\n"
"out with a runnable task stall.\n"
"\n"
"  -c COMM  starve comm, at most 15 characters (default \"ktstr-starve\")\n"
"  -t MS    watchdog timeout, ops.timeout_ms (default: the kernel's, 30 s;\n"
"           the kernel refuses more than that)\n"
"  -v       print libbpf debug messages\n"
"  -h       print this help\n";

int main(int argc, char **argv)
{
	struct ktstr_stall *skel;
	const char *comm = NULL;
	unsigned long timeout_ms = 0;
	bool verbose = false;
	char *end;
	int opt, ret;

	while ((opt = getopt(argc, argv, "c:t:vh")) != -1) {
		switch (opt) {
		case 'c':
			if (!loader_comm_ok(optarg)) {
				fprintf(stderr, "ktstr_stall: bad comm '%s'\n", optarg);
				return 2;
			}
			comm = optarg;
			break;
		case 't':
			timeout_ms = strtoul(optarg, &end, 10);
			if (*end || !timeout_ms || timeout_ms > UINT32_MAX) {
				fprintf(stderr, "ktstr_stall: bad -t '%s'\n",
					optarg);
				return 2;
			}
			break;
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
		skel = SCX_OPS_OPEN(ktstr_stall_ops, ktstr_stall);
		if (comm)
			loader_set_comm(skel->data->starve_comm, comm);
		if (timeout_ms)
			skel->struct_ops.ktstr_stall_ops->timeout_ms = timeout_ms;
		ret = LOADER_RUN(skel, ktstr_stall);
	} while (ret == LOADER_RESTART);
	return ret;
}
