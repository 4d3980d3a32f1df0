// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_llc: per-LLC weighted vtime that assumes two CPUs per LLC,
 * see ktstr_bad_llc.bpf.c.  The loader reads the LLCs from sysfs, as
 * ktstr_llc_vtime's does.
 */
#include "loader.h"
#include "ktstr_bad_llc.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_bad_llc [-t MS] [-v] [-h]\n"
"\n"
"A sched_ext scheduler with one weighted-vtime queue per LLC (ops name\n"
"\"ktstr_bad_llc\") that is broken on purpose: it takes the LLC of CPU n\n"
"to be n / 2, so it fails where LLCs do not have two CPUs each.\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_bad_llc, usage, LOADER_SETUP_LLCS)
