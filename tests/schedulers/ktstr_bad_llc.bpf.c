// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_llc: weighted vtime with one queue per LLC, ktstr_llc_vtime
 * (ktstr_llc_vtime.bpf.h) but for the LLC of a CPU, which it computes
 * instead of looking it up in the loader's table.
 *
 * The bug: the computation, cpu / 2, holds where every LLC has two CPUs
 * numbered in order (1n2l2c1t, 2n2l2c2t's cores, 2n4l2c1t).  With LLCs of
 * three CPUs (1n3l3c1t: 9 CPUs, 3 LLCs) CPUs 6-8 map to LLCs 3 and 4,
 * which have no DSQ: the first dispatch or enqueue there is a runtime
 * error naming the DSQ, and the scheduler is kicked out.  Where LLCs are
 * larger, queues no longer follow the caches and tasks are placed across
 * LLCs for no reason.
 */
#include "ktstr_llc_vtime.bpf.h"

char _license[] SEC("license") = "GPL";

static u32 llc_of(s32 cpu)
{
	return cpu >= 0 ? cpu / 2 : 0;
}

LLC_OPS_DEFINE(ktstr_bad_llc);
