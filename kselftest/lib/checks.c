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
	.share_tolerance = KTSTR_SHARE_TOLERANCE,
	.max_lat_p99_us = KTSTR_LAT_P99_US,
	.max_lat_max_us = KTSTR_LAT_MAX_US,
	.max_excess_idle_cpus = KTSTR_EXCESS_IDLE_CPUS,
};

size_t ktstr_append(char *buf, size_t len, size_t at, const char *fmt, ...)
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

void ktstr_report_check(const char *check, const char *group, bool pass,
			const char *why, const struct ktstr_kv *kv)
{
	char line[512];
	size_t at, i;

	at = snprintf(line, sizeof(line), "%s%s%s: %s", check,
		      group ? " " : "", group ? group : "",
		      pass ? "pass" : "FAIL");
	for (i = 0; kv && kv[i].key; i++)
		at = ktstr_append(line, sizeof(line), at, " %s %.4g",
				  kv[i].key, kv[i].value);
	ktstr_print_lines(line);
	ktstr_result_check(check, group, pass, why, kv);
}

static size_t describe_group(const struct ktstr_workers *w, char *buf,
			     size_t len, size_t at)
{
	unsigned int i, n = ktstr_workers_count(w);
	char cpus[256];

	for (i = 0; i < n; i++) {
		const struct ktstr_worker_stats *s = ktstr_worker_stats(w, i);

		ktstr_cpus_format(&s->cpus_used, cpus, sizeof(cpus));
		at = ktstr_append(buf, len, at,
			    "\n  worker %u pid %d nice %d: work %llu cpu %llums run_delay %llums max_gap %llums migrations %llu (llc %llu node %llu) cpus %s",
			    i, s->pid, s->nice, (unsigned long long)s->work,
			    (unsigned long long)(s->cpu_ns / 1000000),
			    (unsigned long long)(s->run_delay_ns / 1000000),
			    (unsigned long long)(s->max_gap_ns / 1000000),
			    (unsigned long long)s->nr_migrations,
			    (unsigned long long)s->llc_migrations,
			    (unsigned long long)s->node_migrations, cpus);
		if (s->lat_count)
			at = ktstr_append(buf, len, at,
				    " wakeups %llu (on waker's cpu %llu) lat p50 %lluus p99 %lluus max %lluus",
				    (unsigned long long)s->lat_count,
				    (unsigned long long)s->lat_on_waker_cpu,
				    (unsigned long long)(s->lat_p50_ns / 1000),
				    (unsigned long long)(s->lat_p99_ns / 1000),
				    (unsigned long long)(s->lat_max_ns / 1000));
		if (s->failures)
			at = ktstr_append(buf, len, at, " failures %llu (last %s)",
					  (unsigned long long)s->failures,
					  strerror(s->last_errno));
		if (s->exited_early)
			at = ktstr_append(buf, len, at, " EXITED EARLY");
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

/*
 * A scheduler starves a task by keeping it waiting runnable, which
 * schedstat's run_delay counts up to the worker's own last reading, so
 * a starved worker has waited a good part of the run.  One that did
 * little while hardly waiting lost its time asleep: under TCG a halted
 * vCPU's timer fires only when the one host thread that runs the vCPUs
 * in turn comes round to it, so a periodic worker can wake after its
 * window every period (Documentation/assertions.md, "Progress").
 */
#define STARVED_MIN_WAIT_SHARE 0.1

static bool kept_waiting(const struct ktstr_worker_stats *s)
{
	return s->run_delay_ns >= STARVED_MIN_WAIT_SHARE * s->wall_ns;
}

static void note_not_starved(const struct ktstr_workers *w, unsigned int i,
			     const struct ktstr_worker_stats *s, double mean)
{
	char line[320];

	snprintf(line, sizeof(line),
		 "progress %s: worker %u (pid %d) did %llu units, %.2f x the mean %.0f, but waited runnable %llums of %llums: its time was lost asleep, not to the scheduler",
		 ktstr_workers_name(w), i, s->pid,
		 (unsigned long long)s->work, s->work / mean, mean,
		 (unsigned long long)(s->run_delay_ns / 1000000),
		 (unsigned long long)(s->wall_ns / 1000000));
	ktstr_print_lines(line);
}

bool ktstr_check_progress(const struct ktstr_workers *w,
			  const struct ktstr_limits *l, char *why, size_t len)
{
	double mean = mean_work(w), least = 1e9;
	unsigned int i, n = ktstr_workers_count(w), early = 0, asleep = 0;
	bool ok = true;

	for (i = 0; i < n; i++) {
		const struct ktstr_worker_stats *s = ktstr_worker_stats(w, i);
		double share = mean > 0 ? s->work / mean : 0;
		bool short_of_work = !s->work ||
				     s->work < l->min_work_share * mean;

		early += s->exited_early;
		if (short_of_work && s->work && !s->exited_early &&
		    !kept_waiting(s)) {
			note_not_starved(w, i, s, mean);
			asleep++;
			continue;
		}
		if (share < least)
			least = share;
		if (!ok)
			continue;
		if (s->exited_early)
			ok = fail(w, why, len,
				  "progress: worker %u (pid %d) exited before the end",
				  i, s->pid);
		else if (short_of_work)
			ok = fail(w, why, len,
				  "progress: worker %u (pid %d) did %llu units, less than %.2f x the mean %.0f, and waited runnable %llums of %llums (starved)",
				  i, s->pid, (unsigned long long)s->work,
				  l->min_work_share, mean,
				  (unsigned long long)(s->run_delay_ns / 1000000),
				  (unsigned long long)(s->wall_ns / 1000000));
	}
	ktstr_result_check("progress", ktstr_workers_name(w), ok, why,
			   KTSTR_KV({ "min_work_share", least < 1e9 ? least : 0 },
				    { "limit", l->min_work_share },
				    { "exited_early", early },
				    { "short_asleep", asleep }));
	return ok;
}

/* (max - min) / mean of a worker statistic over the group. */
static double spread_of(const struct ktstr_workers *w, bool cpu_time,
			double *lo, double *hi, double *mean)
{
	unsigned int i, n = ktstr_workers_count(w);
	const struct ktstr_worker_stats *s;
	double v, sum = 0;

	*lo = 1e300;
	*hi = 0;
	for (i = 0; i < n; i++) {
		s = ktstr_worker_stats(w, i);
		v = cpu_time ? s->cpu_ns / 1e6 : s->work;
		*lo = v < *lo ? v : *lo;
		*hi = v > *hi ? v : *hi;
		sum += v;
	}
	*mean = n ? sum / n : 0;
	return *mean > 0 ? (*hi - *lo) / *mean : 1e9;
}

double ktstr_cpu_spread(const struct ktstr_workers *w)
{
	double lo, hi, mean;

	return spread_of(w, true, &lo, &hi, &mean);
}

/*
 * Judged on CPU time, what the scheduler hands out.  Work per CPU second
 * is the machine's: under TCG a vCPU that takes many IPIs gets shorter
 * turns of the emulator's one thread, and scx_central's spinners did
 * 1.9 times the work of others for the same CPU time.
 */
bool ktstr_check_fairness(const struct ktstr_workers *w,
			  const struct ktstr_limits *l, char *why, size_t len)
{
	double lo, hi, mean, spread, wlo, whi, wmean, work_spread;
	bool ok = true;

	spread = spread_of(w, true, &lo, &hi, &mean);
	work_spread = spread_of(w, false, &wlo, &whi, &wmean);
	if (spread > l->max_spread)
		ok = fail(w, why, len,
			  "fairness: CPU time spread (max - min) / mean = (%.0f - %.0f) / %.0f ms = %.2f, limit %.2f",
			  hi, lo, mean, spread, l->max_spread);
	ktstr_result_check("fairness", ktstr_workers_name(w), ok, why,
			   KTSTR_KV({ "spread", spread },
				    { "work_spread", work_spread },
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

/* ---- wake-up latency --------------------------------------------------- */

struct lat_limit {
	const char *what;
	uint64_t measured_ns, limit_us;
};

/* Of the group's wake-ups, the fraction run on their waker's CPU. */
static double on_waker_cpu(const struct ktstr_workers *w)
{
	uint64_t on = 0, all = 0;
	unsigned int i;

	for (i = 0; i < ktstr_workers_count(w); i++) {
		on += ktstr_worker_stats(w, i)->lat_on_waker_cpu;
		all += ktstr_worker_stats(w, i)->lat_count;
	}
	return all ? (double)on / all : 0;
}

/*
 * The worker with the highest p99 among those woken often enough for a
 * p99 of their own: the group's p99 hides a worker (a ping-pong pair,
 * one schbench worker) whose few wake-ups all wait, as it adds few
 * samples.  Returns its index, or -1.
 */
static int worst_worker_p99(const struct ktstr_workers *w)
{
	const struct ktstr_worker_stats *s;
	uint64_t worst = 0;
	unsigned int i;
	int at = -1;

	for (i = 0; i < ktstr_workers_count(w); i++) {
		s = ktstr_worker_stats(w, i);
		if (s->lat_count < KTSTR_LAT_WORKER_MIN_WAKEUPS ||
		    (at >= 0 && s->lat_p99_ns <= worst))
			continue;
		worst = s->lat_p99_ns;
		at = i;
	}
	return at;
}

bool ktstr_check_latency(const struct ktstr_workers *w,
			 const struct ktstr_limits *l, char *why, size_t len)
{
	double same = on_waker_cpu(w);
	int worst_at = worst_worker_p99(w);
	const struct ktstr_worker_stats *worst =
		worst_at >= 0 ? ktstr_worker_stats(w, worst_at) : NULL;
	struct ktstr_latency lat;
	bool ok = true;
	unsigned int i;

	if (ktstr_workers_latency(w, &lat) < 0) {
		ok = fail(w, why, len,
			  "latency: %s recorded no wake-up (a %s group does not measure latency, or never woke)",
			  ktstr_workers_name(w),
			  ktstr_work_kind_name(w->spec.kind));
	} else {
		const struct lat_limit lim[] = {
			{ "p50", lat.p50_ns, l->max_lat_p50_us },
			{ "p99", lat.p99_ns, l->max_lat_p99_us },
			{ "max", lat.max_ns, l->max_lat_max_us },
		};

		for (i = 0; ok && i < ARRAY_SIZE(lim); i++)
			if (lim[i].limit_us &&
			    lim[i].measured_ns > lim[i].limit_us * 1000)
				ok = fail(w, why, len,
					  "latency: %s wake-up to run %s %.0fus, limit %lluus (p50 %.0fus p99 %.0fus max %.0fus over %llu wake-ups)",
					  ktstr_workers_name(w), lim[i].what,
					  lim[i].measured_ns / 1e3,
					  (unsigned long long)lim[i].limit_us,
					  lat.p50_ns / 1e3, lat.p99_ns / 1e3,
					  lat.max_ns / 1e3,
					  (unsigned long long)lat.count);
		if (ok && worst && l->max_lat_p99_us &&
		    worst->lat_p99_ns > l->max_lat_p99_us * 1000)
			ok = fail(w, why, len,
				  "latency: %s worker %d (pid %d) wake-up to run p99 %.0fus, limit %lluus (p50 %.0fus max %.0fus over its %llu wake-ups; the group's p99 %.0fus)",
				  ktstr_workers_name(w), worst_at, worst->pid,
				  worst->lat_p99_ns / 1e3,
				  (unsigned long long)l->max_lat_p99_us,
				  worst->lat_p50_ns / 1e3,
				  worst->lat_max_ns / 1e3,
				  (unsigned long long)worst->lat_count,
				  lat.p99_ns / 1e3);
		if (ok && l->max_wake_on_waker_cpu > 0 &&
		    same > l->max_wake_on_waker_cpu)
			ok = fail(w, why, len,
				  "latency: %.0f%% of the %llu wake-ups of %s ran on the CPU their waker posted from and kept running on, limit %.0f%%",
				  100 * same, (unsigned long long)lat.count,
				  ktstr_workers_name(w),
				  100 * l->max_wake_on_waker_cpu);
	}
	ktstr_report_check("latency", ktstr_workers_name(w), ok, why,
			   KTSTR_KV({ "p50_us", lat.p50_ns / 1e3 },
				    { "p99_us", lat.p99_ns / 1e3 },
				    { "max_us", lat.max_ns / 1e3 },
				    { "wakeups", lat.count },
				    { "worst_worker_p99_us",
				      worst ? worst->lat_p99_ns / 1e3 : 0 },
				    { "on_waker_cpu", same },
				    { "limit_on_waker_cpu",
				      l->max_wake_on_waker_cpu },
				    { "limit_p50_us", l->max_lat_p50_us },
				    { "limit_p99_us", l->max_lat_p99_us },
				    { "limit_max_us", l->max_lat_max_us }));
	return ok;
}

/* ---- work conservation ------------------------------------------------- */

struct conservation {
	unsigned int nr_cpus, workers, rounds;
	double run_s, idle_cpus, waited_ms, group_cpus, other_cpus;
	double handoff_cpus, excess_cpus;
};

/* Every worker allowed on the same CPUs; returns them, or NULL. */
static const cpu_set_t *common_cpus(const struct ktstr_workers *w)
{
	const cpu_set_t *first = &ktstr_worker_stats(w, 0)->cpus_allowed;
	unsigned int i;

	for (i = 1; i < ktstr_workers_count(w); i++)
		if (!CPU_EQUAL(first, &ktstr_worker_stats(w, i)->cpus_allowed))
			return NULL;
	return first;
}

/* Raw sums over one or more runs, in ns. */
struct conservation_sums {
	double run_ns, idle_ns, delay_ns, cpu_ns, surplus_ns, handoff_ns;
};

/*
 * Idle that may have been hand-offs: each idle period of a CPU ends with
 * a task arriving there, so a CPU with A arrivals had at most A + 1 idle
 * periods, and at most KTSTR_HANDOFF_MS of each is a hand-off (a remote
 * CPU deciding, an IPI on its way, a wake-up).  A scheduler that leaves
 * a CPU idle for good has few arrivals there and no such allowance.
 */
static double handoff_ns(const struct ktstr_cpu_idle *a,
			 const struct ktstr_cpu_idle *b, unsigned int cpu)
{
	double idle, periods;

	if (!a->has_arrivals || !b->has_arrivals ||
	    b->idle_ns[cpu] <= a->idle_ns[cpu])
		return 0;
	idle = b->idle_ns[cpu] - a->idle_ns[cpu];
	/* goidle counted all along: it started at a nonzero count. */
	if (a->goidle[cpu] && b->goidle[cpu] >= a->goidle[cpu])
		periods = b->goidle[cpu] - a->goidle[cpu] + 1.0;
	else if (b->arrivals[cpu] >= a->arrivals[cpu])
		periods = b->arrivals[cpu] - a->arrivals[cpu] + 1.0;
	else
		periods = 1.0;
	return idle < periods * KTSTR_HANDOFF_MS * 1e6 ?
	       idle : periods * KTSTR_HANDOFF_MS * 1e6;
}

/*
 * At any instant let W workers wait, R run, I of the N CPUs idle and O
 * run something else: I = N - R - O >= N - k + W - O, since R <= k - W.
 * So W - O - max(0, k - N) <= min(W, I), the idle CPUs that could have
 * run a waiting worker; integrated over the run, sum(run_delay) - the
 * others' CPU time - max(0, k - N) x run is a lower bound of that idle
 * time, which a work-conserving scheduler keeps at 0.  Each term is a
 * sum over time, so runs one after another add up.
 */
static void conservation_add(const struct ktstr_workers *w,
			     const cpu_set_t *cpus, struct conservation_sums *t)
{
	const struct ktstr_cpu_idle *a = &w->idle_start, *b = &w->idle_stop;
	unsigned int i, workers = ktstr_workers_count(w);
	unsigned int nr_cpus = CPU_COUNT(cpus);
	double run_ns = b->at_ns > a->at_ns ? b->at_ns - a->at_ns : 1;

	t->run_ns += run_ns;
	for (i = 0; i < KTSTR_MAX_CPUS; i++) {
		if (CPU_ISSET(i, cpus) && b->idle_ns[i] > a->idle_ns[i])
			t->idle_ns += b->idle_ns[i] - a->idle_ns[i];
		if (CPU_ISSET(i, cpus))
			t->handoff_ns += handoff_ns(a, b, i);
	}
	for (i = 0; i < workers; i++) {
		const struct ktstr_window *s = &w->window_start[i];
		const struct ktstr_window *e = &w->window_stop[i];

		if (e->cpu_ns < s->cpu_ns || e->delay_ns < s->delay_ns)
			continue;	/* exited early: not read at the stop */
		t->delay_ns += e->delay_ns - s->delay_ns;
		t->cpu_ns += e->cpu_ns - s->cpu_ns;
	}
	if (workers > nr_cpus)
		t->surplus_ns += (double)(workers - nr_cpus) * run_ns;
}

static void conservation_finish(const struct conservation_sums *t,
				struct conservation *c)
{
	c->run_s = t->run_ns / 1e9;
	c->idle_cpus = t->idle_ns / t->run_ns;
	c->waited_ms = t->delay_ns / 1e6;
	c->group_cpus = t->cpu_ns / t->run_ns;
	c->other_cpus = c->nr_cpus - c->idle_cpus - c->group_cpus;
	if (c->other_cpus < 0)
		c->other_cpus = 0;
	c->excess_cpus = (t->delay_ns - t->surplus_ns) / t->run_ns -
			 c->other_cpus;
	/* Idle CPUs that could have run a waiting worker were idle. */
	if (c->excess_cpus > c->idle_cpus)
		c->excess_cpus = c->idle_cpus;
	/* Less what may have been hand-offs. */
	c->handoff_cpus = t->handoff_ns / t->run_ns;
	c->excess_cpus -= c->handoff_cpus;
	if (c->excess_cpus < 0)
		c->excess_cpus = 0;
}

/*
 * The CPUs every worker of every run in @w was allowed on, or NULL with
 * the reason in @why: all must be the same, and each run must have its
 * idle accounting.
 */
static const cpu_set_t *conservation_cpus(struct ktstr_workers *const *w,
					  unsigned int n, char *why,
					  size_t len)
{
	const cpu_set_t *cpus = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const cpu_set_t *these = common_cpus(w[i]);
		const char *name = ktstr_workers_name(w[i]);

		if (!these) {
			fail(w[i], why, len,
			     "conservation: %s: its workers are allowed on different CPUs",
			     name);
			return NULL;
		}
		if (!w[i]->idle_start.at_ns || !w[i]->idle_stop.at_ns) {
			fail(w[i], why, len,
			     "conservation: %s: no idle accounting over the run (/proc/stat)",
			     name);
			return NULL;
		}
		if (cpus && !CPU_EQUAL(cpus, these)) {
			fail(w[i], why, len,
			     "conservation: %s: round %u of %u was allowed on other CPUs than the first",
			     name, i + 1, n);
			return NULL;
		}
		cpus = these;
	}
	return cpus;
}

bool ktstr_check_conservation_rounds(struct ktstr_workers *const *w,
				     unsigned int n,
				     const struct ktstr_limits *l, char *why,
				     size_t len)
{
	struct conservation_sums t = { 0 };
	struct conservation c = { 0 };
	const cpu_set_t *cpus;
	const char *name;
	char list[256];
	unsigned int i;
	bool ok = true;

	if (!n) {
		snprintf(why, len, "conservation: no runs to check");
		return false;
	}
	name = ktstr_workers_name(w[0]);
	cpus = conservation_cpus(w, n, why, len);
	if (!cpus) {
		ok = false;
	} else {
		for (i = 0; i < n; i++)
			conservation_add(w[i], cpus, &t);
		c.nr_cpus = CPU_COUNT(cpus);
		c.workers = ktstr_workers_count(w[0]);
		c.rounds = n;
		conservation_finish(&t, &c);
		if (c.excess_cpus > l->max_excess_idle_cpus)
			ok = fail(w[0], why, len,
				  "conservation: CPUs %s idled while %s workers waited: at least %.2f CPUs' worth of the %.1fs run%s beyond hand-offs, limit %.2f (%u workers on %u CPUs: idle %.2f CPUs, up to %.2f of it in hand-offs under %dms, workers ran %.2f CPUs and waited %.0fms, others ran %.2f CPUs)",
				  ktstr_cpus_format(cpus, list, sizeof(list)) ?: "?",
				  name, c.excess_cpus, c.run_s,
				  n > 1 ? " over all rounds" : "",
				  l->max_excess_idle_cpus, c.workers,
				  c.nr_cpus, c.idle_cpus, c.handoff_cpus,
				  KTSTR_HANDOFF_MS, c.group_cpus,
				  c.waited_ms, c.other_cpus);
	}
	ktstr_report_check("conservation", name, ok, why,
			   KTSTR_KV({ "excess_idle_cpus", c.excess_cpus },
				    { "waited_ms", c.waited_ms },
				    { "limit_cpus", l->max_excess_idle_cpus },
				    { "idle_cpus", c.idle_cpus },
				    { "handoff_cpus", c.handoff_cpus },
				    { "other_cpus", c.other_cpus },
				    { "cpus", c.nr_cpus },
				    { "workers", c.workers },
				    { "rounds", c.rounds }));
	return ok;
}

bool ktstr_check_conservation(const struct ktstr_workers *w,
			      const struct ktstr_limits *l, char *why,
			      size_t len)
{
	struct ktstr_workers *one = (struct ktstr_workers *)w;

	return ktstr_check_conservation_rounds(&one, 1, l, why, len);
}
