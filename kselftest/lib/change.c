// SPDX-License-Identifier: GPL-2.0
/*
 * Changes mid-run: a test changes its workers' affinity, their cgroup's
 * cpuset or the online CPUs while they run, marks the moment
 * (ktstr_workers_mark()), and checks what they did after it.  A
 * scheduler that strands a task on a CPU it may no longer use shows
 * here as a worker with no progress since the change.
 *
 * The worker side is in checkpoint() (workload_kinds.c): a checkpoint
 * that sees a new mark starts the worker's set of CPUs since the mark
 * afresh.  Work since the mark is the difference from the parent's
 * snapshot, so a worker that never runs again shows 0.
 */
#include <stdio.h>
#include <string.h>

#include "workload.h"

void ktstr_workers_mark(struct ktstr_workers *w)
{
	unsigned int i;

	for (i = 0; i < w->n; i++)
		w->sh->slot[i].work_at_mark =
			__atomic_load_n(&w->sh->slot[i].stats.work,
					__ATOMIC_RELAXED);
	w->mark_ns = ktstr_now_ns();
	__atomic_add_fetch(&w->sh->mark, 1, __ATOMIC_RELEASE);
}

/* From the mark to the stop (or now, if the workers still run). */
static double ms_after_mark(const struct ktstr_workers *w)
{
	return ((w->stopped ? w->stop_ns : ktstr_now_ns()) - w->mark_ns) / 1e6;
}

static uint64_t work_since_mark(const struct ktstr_workers *w, unsigned int i)
{
	const struct ktstr_slot *slot = &w->sh->slot[i];

	return slot->stats.work - slot->work_at_mark;
}

/* The CPUs worker @i ran on since the mark (none if it never ran since). */
static void cpus_since_mark(const struct ktstr_workers *w, unsigned int i,
			    cpu_set_t *out)
{
	const struct ktstr_slot *slot = &w->sh->slot[i];

	if (slot->mark_seen == w->sh->mark)
		*out = slot->cpus_since_mark;
	else
		CPU_ZERO(out);
}

/* Leaves in @used only its CPUs outside @allowed; true if there are any. */
static bool outside(cpu_set_t *used, const cpu_set_t *allowed)
{
	cpu_set_t in;

	CPU_AND(&in, used, allowed);
	CPU_XOR(used, used, &in);
	return CPU_COUNT(used);
}

struct change_view {
	double mean, least;
	unsigned int stranded, outside;
};

static void change_view(const struct ktstr_workers *w, const cpu_set_t *cpus,
			const struct ktstr_limits *l, struct change_view *v)
{
	unsigned int i;
	cpu_set_t out;
	double sum = 0;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < w->n; i++)
		sum += work_since_mark(w, i);
	v->mean = w->n ? sum / w->n : 0;
	v->least = w->n ? 1e9 : 0;
	for (i = 0; i < w->n; i++) {
		uint64_t since = work_since_mark(w, i);
		double share = v->mean > 0 ? since / v->mean : 0;

		v->least = share < v->least ? share : v->least;
		v->stranded += !since || since < l->min_work_share * v->mean;
		cpus_since_mark(w, i, &out);
		v->outside += cpus && outside(&out, cpus);
	}
}

static bool change_offender(const struct ktstr_workers *w,
			    const cpu_set_t *cpus,
			    const struct ktstr_limits *l, double mean,
			    char *why, size_t len)
{
	double ms = ms_after_mark(w);
	char allowed[256], used[256];
	unsigned int i;
	cpu_set_t out;

	if (cpus)
		ktstr_cpus_format(cpus, allowed, sizeof(allowed));
	for (i = 0; i < w->n; i++) {
		const struct ktstr_worker_stats *s = &w->sh->slot[i].stats;
		uint64_t since = work_since_mark(w, i);

		cpus_since_mark(w, i, &out);
		ktstr_cpus_format(&out, used, sizeof(used));
		if (s->exited_early)
			return ktstr_group_fail(w, why, len,
						"after change: worker %u (pid %d) exited before the end",
						i, s->pid);
		if (!since || since < l->min_work_share * mean)
			return ktstr_group_fail(w, why, len,
						"after change: worker %u (pid %d) did %llu units in the %.0f ms after the change, less than %.2f x the mean %.0f: stranded (it ran on CPUs %s since)",
						i, s->pid,
						(unsigned long long)since, ms,
						l->min_work_share, mean,
						*used ? used : "none");
		if (cpus && outside(&out, cpus)) {
			ktstr_cpus_format(&out, used, sizeof(used));
			return ktstr_group_fail(w, why, len,
						"after change: worker %u (pid %d) ran on CPUs %s after the change, outside its allowed %s",
						i, s->pid, used, allowed);
		}
	}
	return true;
}

bool ktstr_check_after_change(const struct ktstr_workers *w,
			      const cpu_set_t *cpus,
			      const struct ktstr_limits *l, char *why,
			      size_t len)
{
	struct change_view v = { 0 };
	bool ok;

	if (!w->sh->mark) {
		snprintf(why, len,
			 "after change: %s was never marked (ktstr_workers_mark())",
			 ktstr_workers_name(w));
		ok = false;
	} else {
		change_view(w, cpus, l, &v);
		ok = change_offender(w, cpus, l, v.mean, why, len);
	}
	ktstr_result_check("after_change", ktstr_workers_name(w), ok, why,
			   KTSTR_KV({ "min_work_share", v.least },
				    { "limit", l->min_work_share },
				    { "stranded", v.stranded },
				    { "workers_outside", v.outside },
				    { "ms_since_change", ms_after_mark(w) }));
	return ok;
}
