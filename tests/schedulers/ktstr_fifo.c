// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_fifo: one global FIFO, see ktstr_fifo.bpf.c.
 */
#include <stdio.h>
#include <unistd.h>

#include "loader.h"
#include "ktstr_fifo.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_fifo [-v] [-h]\n"
"\n"
"A global FIFO sched_ext scheduler (ops name \"ktstr_fifo\").\n"
"\n"
"  -v  print libbpf debug messages\n"
"  -h  print this help\n";

int main(int argc, char **argv)
{
	struct ktstr_fifo *skel;
	bool verbose = false;
	int opt, ret;

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
		skel = SCX_OPS_OPEN(ktstr_fifo_ops, ktstr_fifo);
		ret = LOADER_RUN(skel, ktstr_fifo);
	} while (ret == LOADER_RESTART);
	return ret;
}
