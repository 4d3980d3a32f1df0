// SPDX-License-Identifier: GPL-2.0
/*
 * Checks over worker statistics.  Each writes, on failure, the check, the
 * limit, the offending worker and the statistics of the whole group, so
 * the TAP diagnostics alone say what happened.
 *
 * The defaults were chosen from runs under TCG on 2 host CPUs, where a
 * vCPU can lose its host CPU for tens of milliseconds at a time; see
 * Documentation/assertions.md for the measurements behind them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "workload.h"

const struct ktstr_limits ktstr_default_limits = {
	.min_work_share = 0.25,
	.max_spread = 0.75,
	.max_gap_ms = 3000,
};

static size_t append(char *buf, size_t len, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (at >= len)
		return at;
	va_start(ap, fmt);
	n = vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
	return n < 0 ? at : at + n;
}

static size_t describe_group(const struct ktstr_workers *w, char *buf,
			     size_t len, size_t at)
{
	unsigned int i, n = ktstr_workers_count(w);
	char cpus[256];

	for (i = 0; i < n; i++) {
		const struct ktstr_worker_stats *s = ktstr_worker_stats(w, i);

		ktstr_cpus_format(&s->cpus_used, cpus, sizeof(cpus));
		at = append(buf, len, at,
			    "\n  worker %u pid %d nice %d: work %llu cpu %llums run_delay %llums max_gap %llums migrations %llu (llc %llu node %llu) cpus %s",
			    i, s->pid, s->nice, (unsigned long long)s->work,
			    (unsigned long long)(s->cpu_ns / 1000000),
			    (unsigned long long)(s->run_delay_ns / 1000000),
			    (unsigned long long)(s->max_gap_ns / 1000000),
			    (unsigned long long)s->nr_migrations,
			    (unsigned long long)s->llc_migrations,
			    (unsigned long long)s->node_migrations, cpus);
		if (s->lat_count)
			at = append(buf, len, at,
				    " wakeups %llu lat p50 %lluus p99 %lluus max %lluus",
				    (unsigned long long)s->lat_count,
				    (unsigned long long)(s->lat_p50_ns / 1000),
				    (unsigned long long)(s->lat_p99_ns / 1000),
				    (unsigned long long)(s->lat_max_ns / 1000));
		if (s->failures)
			at = append(buf, len, at, " failures %llu (last %s)",
				    (unsigned long long)s->failures,
				    strerror(s->last_errno));
		if (s->exited_early)
			at = append(buf, len, at, " EXITED EARLY");
	}
	return at;
}

static bool vfail(const struct ktstr_workers *w, char *why, size_t len,
		  const char *fmt, va_list ap)
{
	int n = vsnprintf(why, len, fmt, ap);

	describe_group(w, why, len, n < 0 ? 0 : (size_t)n);
	return false;
}

static bool fail(const struct ktstr_workers *w, char *why, size_t len,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(w, why, len, fmt, ap);
	va_end(ap);
	return false;
}

bool ktstr_group_fail(const struct ktstr_workers *w, char *why, size_t len,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(w, why, len, fmt, ap);
	va_end(ap);
	return false;
}

static double mean_work(const struct ktstr_workers *w)
{
	unsigned int i, n = ktstr_workers_count(w);
	double sum = 0;

	for (i = 0; i < n; i++)
		sum += ktstr_worker_stats(w, i)->work;
	return n ? sum / n : 0;
}

bool ktstr_check_progress(const struct ktstr_workers *w,
			  const struct ktstr_limits *l, char *why, size_t len)
{
	double mean = mean_work(w), least = 1e9;
	unsigned int i, n = ktstr_workers_count(w), early = 0;
	bool ok = true;

	for (i = 0; i < n; i++) {
		const struct ktstr_worker_stats *s = ktstr_worker_stats(w, i);
		double share = mean > 0 ? s->work / mean : 0;

		early += s->exited_early;
		if (share < least)
			least = share;
		if (!ok)
			continue;
		if (s->exited_early)
			ok = fail(w, why, len,
				  "progress: worker %u (pid %d) exited before the end",
				  i, s->pid);
		else if (!s->work || s->work < l->min_work_share * mean)
			ok = fail(w, why, len,
				  "progress: worker %u (pid %d) did %llu units, less than %.2f x the mean %.0f (starved)",
				  i, s->pid, (unsigned long long)s->work,
				  l->min_work_share, mean);
	}
	ktstr_result_check("progress", ktstr_workers_name(w), ok, why,
			   KTSTR_KV({ "min_work_share", n ? least : 0 },
				    { "limit", l->min_work_share },
				    { "exited_early", early }));
	return ok;
}

bool ktstr_check_fairness(const struct ktstr_workers *w,
			  const struct ktstr_limits *l, char *why, size_t len)
{
	unsigned int i, n = ktstr_workers_count(w);
	uint64_t lo = UINT64_MAX, hi = 0;
	double mean = mean_work(w), spread;
	bool ok = true;

	for (i = 0; i < n; i++) {
		uint64_t work = ktstr_worker_stats(w, i)->work;

		lo = work < lo ? work : lo;
		hi = work > hi ? work : hi;
	}
	spread = mean > 0 ? (hi - lo) / mean : 1e9;
	if (spread > l->max_spread)
		ok = fail(w, why, len,
			  "fairness: spread (max - min) / mean = (%llu - %llu) / %.0f = %.2f, limit %.2f",
			  (unsigned long long)hi, (unsigned long long)lo, mean,
			  spread, l->max_spread);
	ktstr_result_check("fairness", ktstr_workers_name(w), ok, why,
			   KTSTR_KV({ "spread", spread },
				    { "limit", l->max_spread }));
	return ok;
}

bool ktstr_check_max_gap(const struct ktstr_workers *w,
			 const struct ktstr_limits *l, char *why, size_t len)
{
	unsigned int i, n = ktstr_workers_count(w);
	uint64_t longest = 0;
	bool ok = true;

	for (i = 0; i < n; i++) {
		const struct ktstr_worker_stats *s = ktstr_worker_stats(w, i);

		if (s->max_gap_ns > longest)
			longest = s->max_gap_ns;
		if (!ok || s->max_gap_ns <= l->max_gap_ms * 1000000ULL)
			continue;
		ok = fail(w, why, len,
			  "scheduling gap: worker %u (pid %d) went %llums without progress, limit %llums",
			  i, s->pid,
			  (unsigned long long)(s->max_gap_ns / 1000000),
			  (unsigned long long)l->max_gap_ms);
	}
	ktstr_result_check("max_gap", ktstr_workers_name(w), ok, why,
			   KTSTR_KV({ "max_gap_ms", longest / 1e6 },
				    { "limit_ms", l->max_gap_ms }));
	return ok;
}

bool ktstr_check_cpus(const struct ktstr_workers *w, const cpu_set_t *cpus,
		      char *why, size_t len)
{
	unsigned int i, n = ktstr_workers_count(w);
	char allowed[256], used[256];
	cpu_set_t outside;

	unsigned int offenders = 0;
	bool ok = true;

	for (i = 0; i < n; i++) {
		const struct ktstr_worker_stats *s = ktstr_worker_stats(w, i);

		CPU_XOR(&outside, &s->cpus_used, cpus);
		CPU_AND(&outside, &outside, &s->cpus_used);
		if (!CPU_COUNT(&outside))
			continue;
		offenders++;
		if (!ok)
			continue;
		ktstr_cpus_format(cpus, allowed, sizeof(allowed));
		ktstr_cpus_format(&outside, used, sizeof(used));
		ok = fail(w, why, len,
			  "cpus: worker %u (pid %d) ran on CPUs %s, outside its allowed %s",
			  i, s->pid, used, allowed);
	}
	ktstr_result_check("cpus", ktstr_workers_name(w), ok, why,
			   KTSTR_KV({ "workers_outside", offenders }));
	return ok;
}

bool ktstr_check_attached(struct ktstr_sched *s, char *why, size_t len)
{
	char tail[2048];

	bool ok = !s->decl || ktstr_sched_alive(s);

	if (!ok) {
		ktstr_sched_tail(s, 20, tail, sizeof(tail));
		snprintf(why, len,
			 "scheduler %s is no longer attached: %s (%s); its last output:\n%s",
			 s->name, ktstr_sched_exit_name(s->exit_kind),
			 s->exit_reason, tail);
	}
	ktstr_result_check("attached", NULL, ok, why,
			   KTSTR_KV({ "exit_kind", s->exit_kind },
				    { "restarts", s->restarts }));
	return ok;
}

void ktstr_print_stats(const char *group, struct ktstr_workers *w)
{
	char buf[KTSTR_WHY_LEN];
	size_t at;

	/* Checks of @w report under the name it is printed with. */
	ktstr_workers_set_name(w, group);
	at = snprintf(buf, sizeof(buf), "%s: %u workers", group,
		      ktstr_workers_count(w));
	describe_group(w, buf, sizeof(buf), at);
	ktstr_print_lines(buf);
	ktstr_result_group(w);
}
