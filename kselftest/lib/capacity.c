// SPDX-License-Identifier: GPL-2.0
/*
 * Checks of placement on CPUs of different capacities (arm64
 * big.LITTLE guests; an x86 guest's CPUs are all 1024).  Both look at
 * where a group's workers were found runnable, sampled from
 * /proc/PID/stat by ktstr_workers_sample_cpus(): the guest's CPUs all
 * run at the emulator's speed, so placement, not throughput, is what a
 * capacity-aware scheduler shows here.
 */
#include <stdio.h>

#include "workload.h"

/*
 * Calibrated on big-little and tri-tier, three rounds
 * (Documentation/assertions.md): CPU-bound tasks started on the small
 * CPUs were on big ones in 99-100% of the samples under EEVDF (misfit
 * migration); scx_simple, which leaves them where they started, 0%.
 * Light tasks started on the big CPUs were on the smaller ones in 40-41%
 * (big-little) and 67-76% (tri-tier) of the samples under EEVDF, 48-60%
 * under scx_simple on big-little; a scheduler that keeps them on the big ones scores
 * near 0.
 */
const struct ktstr_capacity_limits ktstr_default_capacity_limits = {
	.min_heavy_on_big = 0.75,
	.min_light_off_big = 0.15,
};

bool ktstr_capacity_asymmetric(const struct ktstr_topo *t, char *why,
			       size_t len)
{
	if (t->min_capacity < t->max_capacity)
		return true;
	snprintf(why, len,
		 "all %u CPUs have capacity %u: no big and small CPUs to tell apart (an arm64 topology with capacities, e.g. big-little)",
		 t->nr_cpus, t->max_capacity);
	return false;
}

static double share_on(const struct ktstr_workers *w)
{
	return w->samples_runnable ?
	       (double)w->samples_on / w->samples_runnable : 0;
}

/* The verdict of a share of samples on @cpus against at least @min. */
static bool check_share_on(const char *check, const struct ktstr_workers *w,
			   const cpu_set_t *cpus, double min,
			   const char *what, char *why, size_t len)
{
	double share = share_on(w);
	char list[256];
	bool ok = false;

	ktstr_cpus_format(cpus, list, sizeof(list));
	if (!w->samples_runnable)
		snprintf(why, len,
			 "%s: %s was never seen runnable (sampled with ktstr_workers_sample_cpus()?)",
			 check, ktstr_workers_name(w));
	else if (share < min)
		ktstr_group_fail(w, why, len,
				 "%s: %.0f%% of the runnable samples (%llu of %llu) found a task on CPUs %s (at least %.0f%%): %s",
				 check, 100 * share,
				 (unsigned long long)w->samples_on,
				 (unsigned long long)w->samples_runnable, list,
				 100 * min, what);
	else
		ok = true;
	ktstr_result_check(check, ktstr_workers_name(w), ok, why,
			   KTSTR_KV({ "share", share }, { "limit", min },
				    { "samples", w->samples_runnable }));
	return ok;
}

bool ktstr_check_heavy_on_big(const struct ktstr_workers *w,
			      const cpu_set_t *big,
			      const struct ktstr_capacity_limits *l, char *why,
			      size_t len)
{
	return check_share_on("heavy_on_big", w, big, l->min_heavy_on_big,
			      "CPU-bound tasks stayed on smaller CPUs while big ones were free",
			      why, len);
}

bool ktstr_check_light_off_big(const struct ktstr_workers *w,
			       const cpu_set_t *little,
			       const struct ktstr_capacity_limits *l,
			       char *why, size_t len)
{
	return check_share_on("light_off_big", w, little,
			      l->min_light_off_big,
			      "light tasks crowded the big CPUs while the smaller ones idled",
			      why, len);
}
