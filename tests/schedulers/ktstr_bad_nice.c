// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_nice: weighted vtime with nice inverted, see
 * ktstr_bad_nice.bpf.c.
 */
#include "loader.h"
#include "ktstr_bad_nice.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_bad_nice [-t MS] [-v] [-h]\n"
"\n"
"A global weighted-vtime sched_ext scheduler (ops name \"ktstr_bad_nice\")\n"
"that is broken on purpose: it charges run time scaled by the weight\n"
"instead of its inverse, so nicer tasks get more CPU.\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_bad_nice, usage, LOADER_NO_SETUP)
