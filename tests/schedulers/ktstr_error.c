// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_error: a FIFO that fails with scx_bpf_error() when it enqueues a
 * task with the trigger comm, see ktstr_error.bpf.c.
 */
#include <stdio.h>
#include <unistd.h>

#include "loader.h"
#include "ktstr_error.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_error [-c COMM] [-v] [-h]\n"
"\n"
"A global FIFO sched_ext scheduler (ops name \"ktstr_error\") that calls\n"
"scx_bpf_error() when it enqueues a task whose comm is COMM, so that the\n"
"kernel kicks it out.\n"
"\n"
"  -c COMM  trigger comm, at most 15 characters (default \"ktstr-trigger\")\n"
"  -v       print libbpf debug messages\n"
"  -h       print this help\n";

int main(int argc, char **argv)
{
	struct ktstr_error *skel;
	const char *comm = NULL;
	bool verbose = false;
	int opt, ret;

	while ((opt = getopt(argc, argv, "c:vh")) != -1) {
		switch (opt) {
		case 'c':
			if (!loader_comm_ok(optarg)) {
				fprintf(stderr, "ktstr_error: bad comm '%s'\n", optarg);
				return 2;
			}
			comm = optarg;
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
		skel = SCX_OPS_OPEN(ktstr_error_ops, ktstr_error);
		if (comm)
			loader_set_comm(skel->data->trigger_comm, comm);
		ret = LOADER_RUN(skel, ktstr_error);
	} while (ret == LOADER_RESTART);
	return ret;
}
