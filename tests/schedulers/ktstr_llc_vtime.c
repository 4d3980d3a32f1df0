// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_llc_vtime: weighted vtime with one queue per LLC, see
 * ktstr_llc_vtime.bpf.h.  Before loading, the LLC of each CPU is read
 * from sysfs into the scheduler's cpu_llc[] table.
 */
#include "loader.h"
#include "ktstr_llc_vtime.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_llc_vtime [-t MS] [-v] [-h]\n"
"\n"
"A sched_ext scheduler with one weighted-vtime queue per LLC\n"
"(ops name \"ktstr_llc_vtime\"); idle CPUs steal from other LLCs.\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_llc_vtime, usage, LOADER_SETUP_LLCS)
