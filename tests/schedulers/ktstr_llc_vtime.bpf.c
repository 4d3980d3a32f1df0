// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_llc_vtime: weighted virtual time, one queue per LLC, see
 * ktstr_llc_vtime.bpf.h.  The LLC of a CPU is what the loader read from
 * sysfs.
 */
#include "ktstr_llc_vtime.bpf.h"

char _license[] SEC("license") = "GPL";

static u32 llc_of(s32 cpu)
{
	if (cpu < 0 || cpu >= MAX_CPUS)
		return 0;
	return cpu_llc[cpu];
}

LLC_OPS_DEFINE(ktstr_llc_vtime);
