// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdio.h>

#include "json.h"
#include "output.h"

/* The first sample in which the root scheduler had an exit kind set. */
static const struct kt_sample *first_exit(const struct kt_series *s, size_t *at)
{
	size_t i;

	for (i = 0; i < s->count; i++) {
		if (s->samples[i].exit_kind == KT_NA ||
		    !s->samples[i].exit_kind)
			continue;
		*at = i;
		return &s->samples[i];
	}
	return NULL;
}

static const char *exit_name(const struct kt_series *s, int64_t kind)
{
	const char *name = kt_layout_exit_name(s->layout, kind);

	return name ? name : "an unknown exit kind";
}

double kt_monitor_cost_us(const struct kt_series *s)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < s->count; i++)
		sum += s->samples[i].cost_us;
	return s->count ? sum / s->count : 0;
}

/* The window over which a vCPU thread's least share of the host is judged. */
#define VCPU_WINDOW_S 1.0

struct vcpu_shares {
	double lo, hi;			/* over the whole series */
	double least;			/* in any busy VCPU_WINDOW_S */
	unsigned int least_cpu;
	size_t least_at;
};

/* The thread that runs every vCPU in turn, as a @cpu below. */
#define WHOLE_VM UINT_MAX

static bool busy_at(const struct kt_sample *x, unsigned int cpu)
{
	unsigned int c;

	if (cpu != WHOLE_VM)
		return !x->cpu[cpu].curr_idle;
	for (c = 0; c < x->nr_cpus; c++)
		if (!x->cpu[c].curr_idle)
			return true;
	return false;
}

static double thread_share(const struct kt_series *s, unsigned int cpu,
			   size_t from, size_t to)
{
	return cpu == WHOLE_VM ? kt_series_vm_share(s, from, to) :
				 kt_series_vcpu_share(s, cpu, from, to);
}

static int64_t thread_run(const struct kt_sample *x, unsigned int cpu)
{
	return cpu == WHOLE_VM ? x->vm_run : x->cpu[cpu].v[KT_CV_VCPU_RUN];
}

/*
 * @cpu's thread's share over the whole series, from its first reading to
 * its last (QEMU's threads end before the last samples at shutdown).
 */
static double whole_share(const struct kt_series *s, unsigned int cpu)
{
	size_t from = 0, to = s->count;

	while (from < s->count && thread_run(&s->samples[from], cpu) == KT_NA)
		from++;
	while (to > from + 1 && thread_run(&s->samples[to - 1], cpu) == KT_NA)
		to--;
	return to > from + 1 ? thread_share(s, cpu, from, to - 1) : -1;
}

/*
 * The least share @cpu's thread had in a window that starts at a sample
 * and in which the guest CPU (for WHOLE_VM, some CPU) was busy at every
 * sample: an idle vCPU needs no host CPU, a busy one that gets none is
 * starved.
 */
static void least_window_share(const struct kt_series *s, unsigned int cpu,
			       struct vcpu_shares *v)
{
	size_t i, j = 0, next_idle = 0;
	double share;

	for (i = 0; i < s->count; i++) {
		if (j <= i)
			j = i + 1;
		while (j < s->count &&
		       s->samples[j].host_s - s->samples[i].host_s < VCPU_WINDOW_S)
			j++;
		if (j == s->count)
			return;
		if (next_idle < i)
			next_idle = i;
		while (next_idle < s->count && busy_at(&s->samples[next_idle], cpu))
			next_idle++;
		if (next_idle <= j)
			continue;
		share = thread_share(s, cpu, i, j);
		if (share >= 0 && share < v->least) {
			v->least = share;
			v->least_cpu = cpu;
			v->least_at = i;
		}
	}
}

/* False if no vCPU thread was timed (no thread names, or too short). */
static bool vcpu_shares(const struct kt_series *s, struct vcpu_shares *v)
{
	unsigned int cpu;
	double share;
	bool known = false;

	*v = (struct vcpu_shares){ .lo = 2, .hi = -1, .least = 2 };
	if (s->count < 2)
		return false;
	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		share = whole_share(s, cpu);
		if (share < 0)
			continue;
		known = true;
		v->lo = share < v->lo ? share : v->lo;
		v->hi = share > v->hi ? share : v->hi;
		least_window_share(s, cpu, v);
	}
	return known;
}

/*
 * How much of the host each vCPU thread (or the one that runs them all)
 * had: a guest CPU that stood still while its thread had no host CPU
 * was starved by the host, not by the scheduler under test.
 */
static void summarize_vcpus(FILE *f, const struct kt_series *s)
{
	struct vcpu_shares v = { .least = 2 };
	double all = whole_share(s, WHOLE_VM);

	if (all >= 0) {
		least_window_share(s, WHOLE_VM, &v);
		fprintf(f, "monitor: QEMU's TCG thread (every vCPU in turn) had %.2f of a host CPU",
			all);
		if (v.least < 2)
			fprintf(f, ", the least in any %.0f s with a vCPU busy: %.2f (from %.1fs)",
				VCPU_WINDOW_S, v.least,
				kt_series_time(s, v.least_at));
		fputc('\n', f);
	}
	if (!vcpu_shares(s, &v))
		return;
	fprintf(f, "monitor: vCPU threads had %.2f to %.2f of a host CPU", v.lo,
		v.hi);
	if (v.least < 2)
		fprintf(f, ", a busy one the least in any %.0f s: %.2f (vCPU %u from %.1fs)",
			VCPU_WINDOW_S, v.least, v.least_cpu,
			kt_series_time(s, v.least_at));
	fputc('\n', f);
}

/*
 * A busy CPU's timer tick moves its runqueue clock every few ms.  One
 * that stood still this long on a busy CPU while the guest's jiffies
 * went on took no timer interrupt: it ran with interrupts off, or the
 * emulator did not run its vCPU.  Either way what the tasks there did
 * in that time says nothing of the scheduler under test.
 */
#define STILL_CLOCK_NOTE_S 1.0

struct still_clock {
	unsigned int cpu;
	size_t from, to;		/* samples */
};

/* Between samples @i - 1 and @i, @cpu was busy and its clock stood still. */
static bool clock_still(const struct kt_series *s, size_t i, unsigned int cpu)
{
	const struct kt_sample *a = &s->samples[i - 1], *b = &s->samples[i];
	int64_t ca = a->cpu[cpu].v[KT_CV_CLOCK];
	int64_t ja = a->jiffies, jb = b->jiffies;

	return ca != KT_NA && ca == b->cpu[cpu].v[KT_CV_CLOCK] &&
	       ja != KT_NA && jb != ja &&
	       !a->cpu[cpu].curr_idle && !b->cpu[cpu].curr_idle;
}

/* The longest such stretch of any CPU; false if none. */
static bool longest_still_clock(const struct kt_series *s,
				struct still_clock *best)
{
	unsigned int cpu;
	size_t i, from;
	bool found = false;

	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		from = 0;
		for (i = 1; i < s->count; i++) {
			if (!clock_still(s, i, cpu)) {
				from = i;
				continue;
			}
			if (found && s->samples[i].host_s -
				     s->samples[from].host_s <=
				     s->samples[best->to].host_s -
				     s->samples[best->from].host_s)
				continue;
			*best = (struct still_clock){ cpu, from, i };
			found = true;
		}
	}
	return found;
}

static void summarize_still_clock(FILE *f, const struct kt_series *s)
{
	const struct kt_cpu_sample *c;
	struct still_clock t;
	double from_s, to_s;

	if (!longest_still_clock(s, &t))
		return;
	from_s = kt_series_time(s, t.from);
	to_s = kt_series_time(s, t.to);
	if (to_s - from_s < STILL_CLOCK_NOTE_S)
		return;
	c = &s->samples[t.to].cpu[t.cpu];
	fprintf(f, "monitor: cpu %u's clock stood still from %.1fs to %.1fs while it ran pid %lld (%s): it took no timer interrupt (interrupts off, or its vCPU not run)\n",
		t.cpu, from_s, to_s, (long long)c->v[KT_CV_CURR_PID], c->comm);
}

static const char *state_word(const struct kt_monitor_verdict *v)
{
	if (!v->evaluated)
		return "off";
	if (v->failed)
		return "FAILED";
	return v->tripped ? "tripped as expected" : "ok";
}

void kt_monitor_summary(FILE *f, const struct kt_series *s,
			const struct kt_monitor_verdict v[KT_NR_VERDICTS],
			const char *error)
{
	const struct kt_sample *x;
	unsigned int k;
	size_t at;

	if (error) {
		fprintf(f, "monitor: could not watch the guest: %s\n", error);
		return;
	}
	fprintf(f, "monitor: %zu samples every %u ms over %.1fs on %u CPUs, %.1f us host CPU per sample\n",
		s->count, s->interval_ms,
		s->count ? kt_series_time(s, s->count - 1) : 0.0, s->nr_cpus,
		kt_monitor_cost_us(s));
	if (s->layout->missing[0])
		fprintf(f, "monitor: this kernel lacks: %s\n", s->layout->missing);
	summarize_vcpus(f, s);
	summarize_still_clock(f, s);
	x = first_exit(s, &at);
	if (x)
		fprintf(f, "monitor: scheduler %s exiting at %.1fs: %s (%lld)\n",
			x->scheduler[0] ? x->scheduler : "-",
			kt_series_time(s, at), exit_name(s, x->exit_kind),
			(long long)x->exit_kind);
	for (k = 0; k < KT_NR_VERDICTS; k++)
		fprintf(f, "monitor: %s %s%s%s\n", kt_monitor_verdict_name(k),
			state_word(&v[k]), v[k].detail[0] ? ": " : "",
			v[k].detail);
}

void kt_monitor_failures(FILE *f, const struct kt_monitor_verdict v[KT_NR_VERDICTS])
{
	unsigned int k;

	for (k = 0; k < KT_NR_VERDICTS; k++)
		if (v[k].failed)
			fprintf(f, "monitor verdict %s failed: %s\n",
				kt_monitor_verdict_name(k), v[k].detail);
}

static void json_verdicts(FILE *f, const struct kt_monitor_verdict v[KT_NR_VERDICTS])
{
	unsigned int k;

	fputs("[", f);
	for (k = 0; k < KT_NR_VERDICTS; k++) {
		fprintf(f, "%s\n    {\"name\": ", k ? "," : "");
		kt_json_string(f, kt_monitor_verdict_name(k));
		fprintf(f, ", \"evaluated\": %s, \"tripped\": %s, \"failed\": %s, \"cpu\": %d, \"t0\": ",
			v[k].evaluated ? "true" : "false",
			v[k].tripped ? "true" : "false",
			v[k].failed ? "true" : "false", v[k].cpu);
		kt_json_double(f, v[k].t0, 3);
		fputs(", \"t1\": ", f);
		kt_json_double(f, v[k].t1, 3);
		fputs(", \"value\": ", f);
		kt_json_double(f, v[k].value, 3);
		fputs(", \"limit\": ", f);
		kt_json_double(f, v[k].limit, 3);
		fputs(", \"detail\": ", f);
		kt_json_string(f, v[k].detail);
		fputs("}", f);
	}
	fputs("\n  ]", f);
}

static const char *const place_names[] = {
	[KT_WAIT_LOCAL] = "local", [KT_WAIT_DSQ] = "dsq", [KT_WAIT_BPF] = "bpf",
};

/* What a waiting task is: pid, comm, where it waits, since when. */
static void json_waiter_task(FILE *f, const struct kt_waiter *w)
{
	fprintf(f, "\"pid\": %d, \"comm\": ", w->pid);
	kt_json_string(f, w->comm);
	fprintf(f, ", \"place\": \"%s\", \"dsq\": ", place_names[w->place]);
	if (w->place == KT_WAIT_DSQ)
		/* A string: builtin DSQ ids do not fit an int64. */
		fprintf(f, "\"0x%llx\"", (unsigned long long)w->dsq_id);
	else
		fputs("null", f);
	fputs(", \"runnable_at\": ", f);
	kt_json_int(f, w->runnable_at, KT_NA);
}

/* The CPU's longest waiter and how long it had waited, or null. */
static void json_longest(FILE *f, const struct kt_series *s,
			 const struct kt_sample *x,
			 const struct kt_cpu_sample *c)
{
	fputs(", \"longest_wait\": ", f);
	if (!c->has_longest) {
		fputs("null", f);
		return;
	}
	fputc('{', f);
	json_waiter_task(f, &c->longest);
	fputs(", \"wait_ms\": ", f);
	kt_json_double(f, kt_waiter_wait_ms(s->layout, x, &c->longest), 1);
	fprintf(f, ", \"partial\": %s}",
		c->longest_partial ? "true" : "false");
}

static void json_cpu(FILE *f, const struct kt_series *s,
		     const struct kt_sample *x, const struct kt_cpu_sample *c)
{
	unsigned int i;

	fputs("{", f);
	for (i = 0; i < KT_NR_CPU_VALUES; i++) {
		fprintf(f, "%s\"%s\": ", i ? ", " : "", kt_cpu_value_name(i));
		kt_json_int(f, c->v[i], KT_NA);
	}
	fputs(", \"curr_comm\": ", f);
	kt_json_string(f, c->comm);
	fprintf(f, ", \"curr_idle\": %s, \"curr_scx\": %s",
		c->curr_idle ? "true" : "false",
		c->curr_scx ? "true" : "false");
	json_longest(f, s, x, c);
	fputs(", \"events\": ", f);
	if (!s->layout->nr_events || c->events[0] == KT_NA) {
		fputs("null}", f);
		return;
	}
	fputs("[", f);
	for (i = 0; i < s->layout->nr_events; i++) {
		fputs(i ? ", " : "", f);
		kt_json_int(f, c->events[i], KT_NA);
	}
	fputs("]}", f);
}

/* "0-3,6": the CPUs a waiting task may run on. */
static void json_cpulist(FILE *f, const struct kt_waiter *w,
			 unsigned int nr_cpus)
{
	unsigned int cpu, end;
	bool first = true;

	fputc('"', f);
	for (cpu = 0; cpu < nr_cpus; cpu = end + 1) {
		end = cpu;
		if (!kt_waiter_allowed(w, cpu))
			continue;
		while (end + 1 < nr_cpus && kt_waiter_allowed(w, end + 1))
			end++;
		fprintf(f, "%s%u", first ? "" : ",", cpu);
		if (end > cpu)
			fprintf(f, "-%u", end);
		first = false;
	}
	fputc('"', f);
}

/* The waiting tasks read with this sample, and whether that was all. */
static void json_waiters(FILE *f, const struct kt_sample *x)
{
	unsigned int i;

	fprintf(f, ",\n     \"waiting_unknown\": %s, \"waiting\": [",
		x->waiters_unknown ? "true" : "false");
	for (i = 0; i < x->nr_waiters; i++) {
		const struct kt_waiter *w = &x->waiters[i];

		fprintf(f, "%s{\"cpu\": %u, ", i ? ", " : "", w->cpu);
		json_waiter_task(f, w);
		fputs(", \"allowed\": ", f);
		json_cpulist(f, w, x->nr_cpus);
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_sample(FILE *f, const struct kt_series *s, size_t i)
{
	const struct kt_sample *x = &s->samples[i];
	unsigned int cpu;

	fputs("    {\"t\": ", f);
	kt_json_double(f, kt_series_time(s, i), 3);
	fputs(", \"jiffies\": ", f);
	kt_json_int(f, x->jiffies, KT_NA);
	fputs(", \"state\": ", f);
	kt_json_string(f, kt_layout_enable_name(s->layout, x->enable_state));
	fputs(", \"scheduler\": ", f);
	kt_json_string(f, x->scheduler);
	fputs(", \"watchdog_ts\": ", f);
	kt_json_int(f, x->watchdog_ts, KT_NA);
	fputs(", \"watchdog_timeout\": ", f);
	kt_json_int(f, x->watchdog_timeout, KT_NA);
	fputs(", \"exit_kind\": ", f);
	if (x->exit_kind == KT_NA || !kt_layout_exit_name(s->layout, x->exit_kind))
		kt_json_int(f, x->exit_kind, KT_NA);
	else
		kt_json_string(f, kt_layout_exit_name(s->layout, x->exit_kind));
	fputs(", \"bypass_depth\": ", f);
	kt_json_int(f, x->bypass_depth, KT_NA);
	fputs(", \"cost_us\": ", f);
	kt_json_double(f, x->cost_us, 1);
	fputs(", \"vm_run\": ", f);
	kt_json_int(f, x->vm_run, KT_NA);
	fputs(",\n     \"cpus\": [", f);
	for (cpu = 0; cpu < x->nr_cpus; cpu++) {
		fputs(cpu ? ",\n      " : "\n      ", f);
		json_cpu(f, s, x, &x->cpu[cpu]);
	}
	fputc(']', f);
	json_waiters(f, x);
	fputc('}', f);
}

static void json_exit(FILE *f, const struct kt_series *s)
{
	const struct kt_sample *x;
	size_t at;

	x = first_exit(s, &at);
	if (!x) {
		fputs("null", f);
		return;
	}
	fputs("{\"t\": ", f);
	kt_json_double(f, kt_series_time(s, at), 3);
	fputs(", \"scheduler\": ", f);
	kt_json_string(f, x->scheduler);
	fprintf(f, ", \"kind\": %lld, \"name\": ", (long long)x->exit_kind);
	kt_json_string(f, exit_name(s, x->exit_kind));
	fputs("}", f);
}

void kt_monitor_json(FILE *f, const struct kt_series *s,
		     const struct kt_monitor_verdict v[KT_NR_VERDICTS],
		     const char *error, const char *plot)
{
	unsigned int e;
	size_t i;

	fprintf(f, "{\n  \"interval_ms\": %u,\n  \"nr_cpus\": %u,\n  \"hz\": ",
		s->interval_ms, s->nr_cpus);
	kt_json_int(f, s->layout->hz ? s->layout->hz : KT_NA, KT_NA);
	fprintf(f, ",\n  \"count\": %zu,\n  \"dropped\": %zu,\n  \"host_us_per_sample\": ",
		s->count, s->dropped);
	kt_json_double(f, kt_monitor_cost_us(s), 2);
	fputs(",\n  \"error\": ", f);
	if (error)
		kt_json_string(f, error);
	else
		fputs("null", f);
	fputs(",\n  \"unavailable\": ", f);
	kt_json_string(f, s->layout->missing);
	fputs(",\n  \"plot\": ", f);
	if (plot)
		kt_json_string(f, plot);
	else
		fputs("null", f);
	fputs(",\n  \"scheduler_exit\": ", f);
	json_exit(f, s);
	fputs(",\n  \"verdicts\": ", f);
	json_verdicts(f, v);
	fputs(",\n  \"events\": [", f);
	for (e = 0; e < s->layout->nr_events; e++) {
		fputs(e ? ", " : "", f);
		kt_json_string(f, s->layout->events[e].name);
	}
	fputs("],\n  \"samples\": [", f);
	for (i = 0; i < s->count; i++) {
		fputs(i ? ",\n" : "\n", f);
		json_sample(f, s, i);
	}
	fputs("\n  ]\n}", f);
}
