// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "error.h"
#include "verdict.h"

/*
 * The most committed tasks a CPU may average over a window against the
 * fewest on another (the verdict is in Documentation/monitor.md, with
 * the worst ratio correct schedulers showed: the default keeps a margin
 * of more than twice that, as the emulator's pace under a loaded host
 * makes windows uneven).
 */
#define IMBALANCE_RATIO 8.0
#define IMBALANCE_WINDOW 10
/* The smallest mean a ratio divides by: keeps it finite. */
#define IMBALANCE_FLOOR 0.1
/*
 * Under two committed tasks apart, moving one from the busiest CPU to
 * the idlest would not even them out: no imbalance, whatever the ratio
 * (1.8 against 0 is 18; EEVDF showed that on llc-uneven, an idle CPU
 * beside one running a task with another waiting, which is the
 * conservation verdict's business).
 */
#define IMBALANCE_MIN_GAP 2.0
#define RATE_WINDOW_S 1.0
/*
 * The longest a sched_ext task may wait, runnable and not running, by
 * the kernel's own measure (p->scx.runnable_at, the one its watchdog
 * uses; 30 s there by default).  Correct schedulers make a task wait
 * for as long as the others on its CPUs take their slices: the worst
 * seen over the suite, and why the default keeps its margin, are in
 * Documentation/monitor.md.
 */
#define STALL_MS 5000
/*
 * The longest a task may wait behind one sched_ext task that is never
 * switched out: a scheduler that ends slices lets it in within a slice
 * (108 ms the worst over the suite and the matrix; waits behind an RT
 * hog, not sched_ext, reached 972 ms), while one that gives endless
 * slices leaves it until the soft-lockup watchdog's stopper thread
 * preempts the hog, up to 4 s.
 */
#define STALL_HELD_MS 2000
/*
 * Consecutive samples in which an idle CPU could have run a sched_ext
 * task that waited on another.  Correct schedulers show it for a sample
 * or two around wake-ups and migrations (a task placed on a busy CPU a
 * moment before another goes idle); the worst seen over the suite under
 * EEVDF, scx_simple and scx_qmap is in Documentation/monitor.md.
 */
#define CONSERVATION_SAMPLES 10
/* Waiting tasks a conservation failure names. */
#define CONSERVATION_NAMED 3
/*
 * A task that has waited less than this is a hand-off in flight, not a
 * CPU idling while it waits: a pipe or futex partner woken onto its
 * waker's CPU runs as soon as the waker blocks, and the pairs of
 * latency.*.pipe_pingpong, sampled on 9 CPUs, showed such a partner in
 * 11 and 12 samples in a row (each a different wait of microseconds).
 * Above a jiffy or two (4 ms at the usual HZ of 250), so that a wait
 * that merely crossed a tick is not taken for a long one.
 */
#define CONSERVATION_HANDOFF_MS 10

static const char *const names[KT_NR_VERDICTS] = {
	[KT_V_STALL] = "stall",
	[KT_V_IMBALANCE] = "imbalance",
	[KT_V_LOCAL_DSQ] = "local_dsq_depth",
	[KT_V_FALLBACK_RATE] = "select_cpu_fallback_rate",
	[KT_V_KEEP_LAST_RATE] = "dispatch_keep_last_rate",
	[KT_V_CONSERVATION] = "conservation",
};

void kt_monitor_limits_default(struct kt_monitor_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->stall_ms = STALL_MS;
	l->max_imbalance = IMBALANCE_RATIO;
	l->imbalance_window = IMBALANCE_WINDOW;
	l->max_local_dsq = 32;
	l->max_fallback_rate = 25;
	l->max_keep_last_rate = 500;
	l->conservation_samples = CONSERVATION_SAMPLES;
}

const char *kt_monitor_verdict_name(enum kt_verdict_kind kind)
{
	return names[kind];
}

int kt_monitor_verdict_parse(const char *name)
{
	unsigned int k;

	for (k = 0; k < KT_NR_VERDICTS; k++)
		if (!strcmp(name, names[k]))
			return k;
	return -1;
}

int kt_monitor_limit_set(struct kt_monitor_limits *l, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	char name[64], *end;
	double v;
	int k;

	if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(name))
		return kt_fail_usage("--limit '%s': expected NAME=VALUE", assignment);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - assignment),
		 assignment);
	v = strtod(eq + 1, &end);
	if (end == eq + 1 || *end || v < 0 || v > 1e12)
		return kt_fail_usage("--limit '%s': the value must be a number >= 0",
				     assignment);
	if (!strcmp(name, "imbalance_window")) {
		if (v < 2 || v != (unsigned int)v)
			return kt_fail_usage("--limit '%s': a window is a whole number of samples, at least 2",
					     assignment);
		l->imbalance_window = v;
		return 0;
	}
	k = kt_monitor_verdict_parse(name);
	switch (k) {
	case KT_V_STALL:
		if (v != (unsigned int)v)
			return kt_fail_usage("--limit '%s': a whole number of milliseconds",
					     assignment);
		l->stall_ms = v;
		return 0;
	case KT_V_CONSERVATION:
		if (v != (unsigned int)v)
			return kt_fail_usage("--limit '%s': a whole number of samples",
					     assignment);
		l->conservation_samples = v;
		return 0;
	case KT_V_IMBALANCE:
		l->max_imbalance = v;
		return 0;
	case KT_V_LOCAL_DSQ:
		l->max_local_dsq = v;
		return 0;
	case KT_V_FALLBACK_RATE:
		l->max_fallback_rate = v;
		return 0;
	case KT_V_KEEP_LAST_RATE:
		l->max_keep_last_rate = v;
		return 0;
	}
	return kt_fail_usage("--limit '%s': no verdict '%s' (stall, imbalance, imbalance_window, local_dsq_depth, select_cpu_fallback_rate, dispatch_keep_last_rate, conservation)",
			     assignment, name);
}

static const struct kt_cpu_sample *cpu_at(const struct kt_series *s,
					  size_t i, unsigned int cpu)
{
	return &s->samples[i].cpu[cpu];
}

static bool guest_time_moved(const struct kt_series *s, size_t i,
			     unsigned int cpu)
{
	const struct kt_sample *a = &s->samples[i - 1], *b = &s->samples[i];
	int64_t ca = a->cpu[cpu].v[KT_CV_CLOCK], cb = b->cpu[cpu].v[KT_CV_CLOCK];
	int64_t ja = a->jiffies, jb = b->jiffies;

	/* An idle CPU's tick stops, and its rq clock with it: use jiffies. */
	return (ca != KT_NA && cb != ca) || (ja != KT_NA && jb != ja);
}

/*
 * The scheduler decides: attached, enabled, not exiting, not bypassed.
 * While sched_ext enables or disables a scheduler it bypasses it (so it
 * does around suspend and hibernation), and the kernel's own per-CPU
 * queues decide.
 */
static bool scx_in_charge(const struct kt_layout *l, const struct kt_sample *x)
{
	const char *state = kt_layout_enable_name(l, x->enable_state);

	return x->scheduler[0] && (x->exit_kind == KT_NA || !x->exit_kind) &&
	       (x->bypass_depth == KT_NA || x->bypass_depth <= 0) &&
	       (!strcmp(state, "-") || !strcmp(state, "SCX_ENABLED"));
}

/*
 * The tasks a CPU holds for itself in sample @x: those only it will run
 * unless the kernel or the scheduler moves them.  Under EEVDF, or while
 * sched_ext bypasses the scheduler (its per-CPU queues), that is every
 * task on its runqueue.  While a sched_ext scheduler is in charge, the
 * sched_ext tasks that wait in a shared DSQ or in the BPF scheduler are
 * counted on some CPU's runqueue too (where they last ran or woke), but
 * any CPU may take them: only the running task, the local DSQ and the
 * tasks of other classes are committed to this CPU.
 */
static int64_t committed_tasks(const struct kt_layout *l,
			       const struct kt_sample *x, unsigned int cpu)
{
	const struct kt_cpu_sample *c = &x->cpu[cpu];
	int64_t n = c->v[KT_CV_NR_RUNNING], uncommitted;

	if (n == KT_NA || !scx_in_charge(l, x))
		return n;
	uncommitted = kt_cpu_scx_uncommitted(c);
	if (uncommitted == KT_NA)
		return KT_NA;
	return n > uncommitted ? n - uncommitted : 0;
}

struct imbalance_window {
	double mean[KT_TARGET_MAX_CPUS];	/* committed tasks */
	bool online[KT_TARGET_MAX_CPUS];	/* in every sample */
	unsigned int nr_online;
	double total;
};

/*
 * A sample the guest ran before: its clock moved since the last one.  A
 * guest that did not run (its emulator starved of the host CPU) shows
 * the same moment again, and a window of such copies would weigh one
 * instant as if it had lasted.
 */
static bool fresh(const struct kt_series *s, size_t i)
{
	return !i || s->samples[i].jiffies - s->samples[i - 1].jiffies;
}

/*
 * Mean committed tasks per CPU over the fresh samples of [@from, @to),
 * for the CPUs online throughout: an offline CPU runs nothing by right,
 * and one that comes back starts empty.  False if a value could not be
 * read, or if the guest ran in under half of the window.
 */
static bool window_means(const struct kt_series *s, size_t from, size_t to,
			 struct imbalance_window *win)
{
	unsigned int cpu, used = 0;
	int64_t n;
	size_t i;

	memset(win, 0, sizeof(*win));
	for (i = from; i < to; i++)
		used += fresh(s, i);
	if (2 * used < to - from)
		return false;
	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		win->online[cpu] = true;
		for (i = from; i < to && win->online[cpu]; i++)
			win->online[cpu] = kt_cpu_online(s->layout,
							 cpu_at(s, i, cpu));
		if (!win->online[cpu])
			continue;
		for (i = from; i < to; i++) {
			if (!fresh(s, i))
				continue;
			n = committed_tasks(s->layout, &s->samples[i], cpu);
			if (n == KT_NA)
				return false;
			win->mean[cpu] += n;
		}
		win->mean[cpu] /= used;
		win->total += win->mean[cpu];
		win->nr_online++;
	}
	return true;
}

/* The online CPUs with the fewest and the most; two CPUs if all are even. */
static void window_extremes(const struct imbalance_window *win,
			    unsigned int nr_cpus, unsigned int *lo,
			    unsigned int *hi)
{
	unsigned int cpu;

	*lo = *hi = nr_cpus;
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		if (!win->online[cpu])
			continue;
		if (*lo == nr_cpus || win->mean[cpu] < win->mean[*lo])
			*lo = cpu;
		if (*hi == nr_cpus || win->mean[cpu] >= win->mean[*hi])
			*hi = cpu;
	}
}

/* @excused: past the ratio limit, but under IMBALANCE_MIN_GAP apart. */
static void describe_imbalance(const struct imbalance_window *win,
			       unsigned int lo_cpu, unsigned int hi_cpu,
			       double limit, bool excused,
			       struct kt_monitor_verdict *v)
{
	int at;

	at = snprintf(v->detail, sizeof(v->detail),
		      "%.1fs to %.1fs: cpu %u averaged %.2f committed tasks, cpu %u %.2f (ratio %.1f, limit %.1f; %.1f committed in all on %u online CPUs)",
		      v->t0, v->t1, lo_cpu, win->mean[lo_cpu], hi_cpu,
		      win->mean[hi_cpu], v->value, limit, win->total,
		      win->nr_online);
	if (excused && at > 0 && (size_t)at < sizeof(v->detail))
		snprintf(v->detail + at, sizeof(v->detail) - at,
			 "; %.2f tasks apart, under %.0f: moving one would not even them",
			 win->mean[hi_cpu] - win->mean[lo_cpu],
			 IMBALANCE_MIN_GAP);
}

/*
 * Per window, the CPU with the most committed tasks against the one
 * with the fewest.  Fewer committed tasks than online CPUs leaves some
 * CPU without one by right (or for want of work the scheduler has not
 * handed out, which is the conservation verdict's business), and so
 * does a gap under IMBALANCE_MIN_GAP.  The window shown is the worst
 * that trips, else the highest ratio.
 */
static void eval_imbalance(const struct kt_series *s,
			   const struct kt_monitor_limits *l,
			   struct kt_monitor_verdict *v)
{
	unsigned int w = l->imbalance_window ? l->imbalance_window :
						IMBALANCE_WINDOW;
	unsigned int lo_cpu, hi_cpu, judged = 0;
	struct imbalance_window win;
	double ratio, lo;
	bool over, trips;
	size_t from;

	v->limit = l->max_imbalance;
	if (!l->max_imbalance || s->nr_cpus < 2)
		return;
	v->evaluated = true;
	for (from = 0; from + w <= s->count; from += w) {
		if (!window_means(s, from, from + w, &win) ||
		    win.nr_online < 2 || win.total < win.nr_online)
			continue;
		judged++;
		window_extremes(&win, s->nr_cpus, &lo_cpu, &hi_cpu);
		lo = win.mean[lo_cpu];
		ratio = win.mean[hi_cpu] / (lo > IMBALANCE_FLOOR ? lo :
					    IMBALANCE_FLOOR);
		over = ratio > l->max_imbalance;
		trips = over && win.mean[hi_cpu] - lo >= IMBALANCE_MIN_GAP;
		if (trips < v->tripped ||
		    (trips == v->tripped && ratio <= v->value))
			continue;
		v->tripped = trips;
		v->value = ratio;
		v->cpu = lo_cpu;
		v->t0 = kt_series_time(s, from);
		v->t1 = kt_series_time(s, from + w - 1);
		describe_imbalance(&win, lo_cpu, hi_cpu, l->max_imbalance,
				   over && !trips, v);
	}
	if (!judged)
		snprintf(v->detail, sizeof(v->detail),
			 "no window of %u samples had a committed task per online CPU (limit %.1f)",
			 w, l->max_imbalance);
}

static void eval_local_dsq(const struct kt_series *s, long long limit,
			   struct kt_monitor_verdict *v)
{
	unsigned int cpu;
	size_t i;

	v->limit = limit;
	if (!limit || !s->layout->f[KT_RQ_LOCAL_DSQ_NR].available)
		return;
	v->evaluated = true;
	for (i = 0; i < s->count; i++) {
		for (cpu = 0; cpu < s->nr_cpus; cpu++) {
			int64_t n = cpu_at(s, i, cpu)->v[KT_CV_LOCAL_DSQ];

			if (n == KT_NA || n <= v->value)
				continue;
			v->value = n;
			v->cpu = cpu;
			v->t0 = v->t1 = kt_series_time(s, i);
		}
	}
	v->tripped = v->value > limit;
	if (v->value > 0)
		snprintf(v->detail, sizeof(v->detail),
			 "deepest local DSQ: %.0f tasks on cpu %d at %.1fs (limit %lld)",
			 v->value, v->cpu, v->t0, limit);
	else
		snprintf(v->detail, sizeof(v->detail),
			 "no task seen in a local DSQ (limit %lld)", limit);
}

static void eval_rate(const struct kt_series *s, const char *event,
		      double limit, struct kt_monitor_verdict *v)
{
	int e = kt_series_event(s, event);
	size_t from = 0, to;
	int64_t a, b;
	double dt, rate;

	v->limit = limit;
	if (!limit || e < 0)
		return;
	v->evaluated = true;
	for (to = 1; to < s->count; to++) {
		while (kt_series_time(s, to) - kt_series_time(s, from) >
		       RATE_WINDOW_S + 1e-6)
			from++;
		a = kt_sample_event_total(&s->samples[from], e);
		b = kt_sample_event_total(&s->samples[to], e);
		dt = kt_series_time(s, to) - kt_series_time(s, from);
		/* Only while one scheduler stays attached. */
		if (a == KT_NA || b == KT_NA || b < a ||
		    dt < RATE_WINDOW_S / 2)
			continue;
		rate = (b - a) / dt / s->nr_cpus;
		if (rate <= v->value)
			continue;
		v->value = rate;
		v->t0 = kt_series_time(s, from);
		v->t1 = kt_series_time(s, to);
	}
	v->tripped = v->value > limit;
	if (v->value > 0)
		snprintf(v->detail, sizeof(v->detail),
			 "highest %s rate: %.1f/s per CPU from %.1fs to %.1fs (limit %.0f/s)",
			 event, v->value, v->t0, v->t1, limit);
	else
		snprintf(v->detail, sizeof(v->detail),
			 "%s did not move (limit %.0f/s)", event, limit);
}

/*
 * Only its own CPU runs a task in a local DSQ.  Behind a running
 * sched_ext task it waits because it was put there while another CPU
 * idles; on an idle CPU it is about to run, or that CPU stalls (the
 * stall verdict's business); behind a task of a higher class it stays
 * unless the scheduler moves it (ops.cpu_release()), which not every
 * correct one does.
 */
static bool could_run_on(const struct kt_sample *x, const struct kt_waiter *w,
			 unsigned int cpu)
{
	if (w->cpu == cpu || w->cpu >= x->nr_cpus ||
	    !kt_waiter_allowed(w, cpu))
		return false;
	return w->place != KT_WAIT_LOCAL || x->cpu[w->cpu].curr_scx;
}

/* @w began waiting a moment ago (unknown counts as long ago). */
static bool handing_off(const struct kt_layout *l, const struct kt_sample *x,
			const struct kt_waiter *w)
{
	double ms = kt_waiter_wait_ms(l, x, w);

	return ms >= 0 && ms < CONSERVATION_HANDOFF_MS;
}

enum conserve_state { CONSERVE_NO, CONSERVE_YES, CONSERVE_UNKNOWN };

/*
 * Whether @cpu idled in sample @x while a task it could run waited.  A
 * sample in which only tasks handed off a moment ago could have run
 * there neither counts nor ends a run: a scheduler that keeps tasks
 * waiting while a CPU idles shows in the samples in between.
 */
static enum conserve_state conserve_state(const struct kt_layout *l,
					  const struct kt_sample *x,
					  unsigned int cpu)
{
	bool handoff = false;
	unsigned int i;

	if (!scx_in_charge(l, x) || !kt_cpu_idle(&x->cpu[cpu]) ||
	    !kt_cpu_online(l, &x->cpu[cpu]))
		return CONSERVE_NO;
	for (i = 0; i < x->nr_waiters; i++) {
		if (!could_run_on(x, &x->waiters[i], cpu))
			continue;
		if (!handing_off(l, x, &x->waiters[i]))
			return CONSERVE_YES;
		handoff = true;
	}
	return handoff || x->waiters_unknown ? CONSERVE_UNKNOWN : CONSERVE_NO;
}

static const char *place_text(const struct kt_layout *l,
			      const struct kt_waiter *w, char *buf, size_t len)
{
	switch (w->place) {
	case KT_WAIT_LOCAL:
		return "in its local DSQ";
	case KT_WAIT_BPF:
		return "in the BPF scheduler";
	case KT_WAIT_DSQ:
		break;
	}
	if (l->dsq_global_id && w->dsq_id == (uint64_t)l->dsq_global_id)
		return "in the global DSQ";
	snprintf(buf, len, "in DSQ 0x%llx", (unsigned long long)w->dsq_id);
	return buf;
}

/* The tasks idle @cpu could have run in sample @x: "pid 1 (a) on cpu 0 ...". */
static unsigned int describe_waiters(const struct kt_layout *l,
				     const struct kt_sample *x,
				     unsigned int cpu, char *buf, size_t len)
{
	unsigned int i, n = 0;
	size_t used = 0;
	char place[48];

	buf[0] = '\0';
	for (i = 0; i < x->nr_waiters; i++) {
		const struct kt_waiter *w = &x->waiters[i];

		if (!could_run_on(x, w, cpu) || handing_off(l, x, w))
			continue;
		if (n++ < CONSERVATION_NAMED && used < len)
			used += snprintf(buf + used, len - used,
					 "%spid %d (%s) on cpu %u %s",
					 n > 1 ? ", " : "", w->pid, w->comm,
					 w->cpu, place_text(l, w, place,
							    sizeof(place)));
	}
	if (n > CONSERVATION_NAMED && used < len)
		snprintf(buf + used, len - used, ", ...");
	return n;
}

/* The other CPUs that idled in the same way in sample @x: ", also cpus 3 5". */
static void describe_also_idle(const struct kt_layout *l,
			       const struct kt_sample *x, unsigned int cpu,
			       char *buf, size_t len)
{
	size_t used = 0;
	unsigned int c;

	buf[0] = '\0';
	for (c = 0; c < x->nr_cpus && used < len; c++)
		if (c != cpu && conserve_state(l, x, c) == CONSERVE_YES)
			used += snprintf(buf + used, len - used, "%s %u",
					 used ? "" : "; idle as well: cpu", c);
}

static void describe_conservation(const struct kt_series *s, size_t at,
				  unsigned int cpu, unsigned int need,
				  struct kt_monitor_verdict *v)
{
	const struct kt_sample *x = &s->samples[at];
	char tasks[256], also[64];
	unsigned int n;

	n = describe_waiters(s->layout, x, cpu, tasks, sizeof(tasks));
	describe_also_idle(s->layout, x, cpu, also, sizeof(also));
	snprintf(v->detail, sizeof(v->detail),
		 "cpu %u idle while %u runnable sched_ext task(s) that may run there waited elsewhere (%s) for %.0f samples (%.1fs to %.1fs, limit %u)%s",
		 cpu, n, tasks, v->value, v->t0, v->t1, need, also);
}

struct conserve_run {
	size_t start, samples;
};

/*
 * Per CPU, the longest run of samples in which it idled while a task it
 * could run waited elsewhere.  A sample in which guest time stood still
 * does not count, nor does one whose waiting tasks could not all be
 * read; neither ends a run.
 */
static void eval_conservation(const struct kt_series *s, unsigned int need,
			      struct kt_monitor_verdict *v)
{
	struct conserve_run run[KT_TARGET_MAX_CPUS] = { 0 };
	size_t i, best_end = 0;
	unsigned int cpu;

	v->limit = need;
	if (!need || !kt_sample_can_read_waiters(s->layout))
		return;
	v->evaluated = true;
	for (i = 0; i < s->count; i++) {
		for (cpu = 0; cpu < s->nr_cpus; cpu++) {
			struct conserve_run *r = &run[cpu];

			switch (conserve_state(s->layout, &s->samples[i], cpu)) {
			case CONSERVE_NO:
				r->samples = 0;
				continue;
			case CONSERVE_UNKNOWN:
				continue;
			case CONSERVE_YES:
				break;
			}
			if (!r->samples)
				r->start = i;
			else if (!guest_time_moved(s, i, cpu))
				continue;
			r->samples++;
			if (r->samples <= v->value)
				continue;
			v->value = r->samples;
			v->cpu = cpu;
			v->t0 = kt_series_time(s, r->start);
			v->t1 = kt_series_time(s, i);
			best_end = i;
		}
	}
	v->tripped = v->value >= need;
	if (v->value)
		describe_conservation(s, best_end, v->cpu, need, v);
	else
		snprintf(v->detail, sizeof(v->detail),
			 "no CPU idled while a task it could run waited elsewhere (limit %u)",
			 need);
}

/*
 * The share of @cpu's time from sample @from to @to that the task running
 * at both used, at least: the kernel's housekeeping (the stopper thread
 * the soft-lockup watchdog wakes every few seconds) preempts even a task
 * that holds its CPU for good, for microseconds.
 */
#define HELD_PCT 90

/* The same task ran at every sample, and ran all along. */
static bool one_task_held(const struct kt_series *s, size_t from, size_t to,
			  unsigned int cpu)
{
	const struct kt_cpu_sample *a = cpu_at(s, from, cpu);
	const struct kt_cpu_sample *b = cpu_at(s, to, cpu);
	int64_t ran = b->v[KT_CV_CURR_RUNTIME] - a->v[KT_CV_CURR_RUNTIME];
	int64_t took = b->v[KT_CV_CLOCK] - a->v[KT_CV_CLOCK];
	size_t i;

	if (!a->curr || a->curr_idle)
		return false;
	for (i = from; i <= to; i++)
		if (cpu_at(s, i, cpu)->curr != a->curr)
			return false;
	if (a->v[KT_CV_NR_SWITCHES] != KT_NA &&
	    a->v[KT_CV_NR_SWITCHES] == b->v[KT_CV_NR_SWITCHES])
		return true;
	return a->v[KT_CV_CURR_RUNTIME] != KT_NA &&
	       b->v[KT_CV_CURR_RUNTIME] != KT_NA &&
	       a->v[KT_CV_CLOCK] != KT_NA && b->v[KT_CV_CLOCK] != KT_NA &&
	       took > 0 && ran * 100 >= took * HELD_PCT;
}

/*
 * What @cpu did from sample @from to @to while a task waited on its
 * runqueue: "while the CPU stayed idle", "while pid 7 (hog) ran on, never
 * switched out" (the same task at every sample, and rq.nr_switches
 * unchanged or its CPU time grown with the clock), "while the CPU ran
 * other tasks (...)"; what it ran when sampled if the wait spans one
 * sample.
 */
static void describe_meanwhile(const struct kt_series *s, size_t from,
			       size_t to, unsigned int cpu, char *buf,
			       size_t len)
{
	const struct kt_cpu_sample *first = cpu_at(s, from, cpu);
	int64_t sw0 = first->v[KT_CV_NR_SWITCHES];
	int64_t sw1 = cpu_at(s, to, cpu)->v[KT_CV_NR_SWITCHES];
	unsigned int idle = 0, n = to - from + 1;
	size_t i;

	for (i = from; i <= to; i++)
		idle += cpu_at(s, i, cpu)->curr_idle;
	if (n == 1 && idle)
		snprintf(buf, len, ", the CPU idle when sampled");
	else if (n == 1)
		snprintf(buf, len, ", pid %lld (%s) running when sampled",
			 (long long)first->v[KT_CV_CURR_PID], first->comm);
	else if (one_task_held(s, from, to, cpu))
		snprintf(buf, len,
			 " while pid %lld (%s) ran on, never switched out",
			 (long long)first->v[KT_CV_CURR_PID], first->comm);
	else if (idle == n && (sw0 == KT_NA || sw1 == sw0))
		snprintf(buf, len, " while the CPU stayed idle");
	else if (idle == n)
		snprintf(buf, len,
			 " while the CPU stayed idle but for %lld context switches",
			 (long long)(sw1 - sw0));
	else if (sw0 != KT_NA && sw1 != KT_NA)
		snprintf(buf, len,
			 " while the CPU ran other tasks (%lld context switches, idle at %u of %u samples)",
			 (long long)(sw1 - sw0), idle, n);
	else
		snprintf(buf, len,
			 " while the CPU ran other tasks (idle at %u of %u samples)",
			 idle, n);
}

/* Sample @x was taken once the wait that began at jiffies @since had. */
static bool taken_since(const struct kt_sample *x, int64_t since)
{
	int64_t now = x->jiffies;

	return now != KT_NA && (int64_t)((uint64_t)now - (uint64_t)since) >= 0;
}

/* The first sample of @cpu's longest waiter's wait up to sample @at. */
static size_t wait_start(const struct kt_series *s, size_t at,
			 unsigned int cpu)
{
	int64_t since = cpu_at(s, at, cpu)->longest.runnable_at;
	size_t i = at;

	while (i > 0 && taken_since(&s->samples[i - 1], since))
		i--;
	return i;
}

/* @cpu's longest waiter at sample @at waited behind one sched_ext task. */
static bool held_by_scx(const struct kt_series *s, size_t at,
			unsigned int cpu)
{
	size_t from = wait_start(s, at, cpu);

	return from < at && cpu_at(s, at, cpu)->curr_scx &&
	       one_task_held(s, from, at, cpu);
}

static bool busy_throughout(const struct kt_series *s, size_t from,
			    size_t to, unsigned int cpu)
{
	size_t i;

	for (i = from; i <= to; i++)
		if (cpu_at(s, i, cpu)->curr_idle)
			return false;
	return true;
}

static void describe_stall(const struct kt_series *s, size_t at,
			   unsigned int cpu, unsigned int limit_ms,
			   struct kt_monitor_verdict *v)
{
	const struct kt_cpu_sample *c = cpu_at(s, at, cpu);
	const struct kt_waiter *w = &c->longest;
	size_t from = wait_start(s, at, cpu);
	char place[48], meanwhile[128], host[64] = "";
	bool busy = busy_throughout(s, from, at, cpu);
	double share = busy ? kt_series_vcpu_share(s, cpu, from, at) : -1;
	double vm = busy ? kt_series_vm_share(s, from, at) : -1;

	describe_meanwhile(s, from, at, cpu, meanwhile, sizeof(meanwhile));
	/*
	 * A busy vCPU the host did not run is starved by the host, not by
	 * the scheduler; an idle one needs no host CPU, so says nothing.
	 */
	if (share >= 0)
		snprintf(host, sizeof(host), ", its vCPU had %.2f of a host CPU",
			 share);
	else if (vm >= 0)
		snprintf(host, sizeof(host),
			 ", QEMU's TCG thread had %.2f of a host CPU", vm);
	v->cpu = cpu;
	v->t0 = kt_series_time(s, from);
	v->t1 = kt_series_time(s, at);
	snprintf(v->detail, sizeof(v->detail),
		 "cpu %u: pid %d (%s) waited %.0f ms %s%s (%.1fs to %.1fs%s, limit %u ms)",
		 cpu, w->pid, w->comm, v->value,
		 place_text(s->layout, w, place, sizeof(place)), meanwhile,
		 v->t0, v->t1, host, limit_ms);
}

/* Why the stall verdict cannot be judged on this kernel, or NULL. */
static const char *stall_unavailable(const struct kt_layout *l)
{
	if (!l->hz)
		return "the guest's HZ (SCX_WATCHDOG_MAX_TIMEOUT)";
	if (!l->f[KT_TASK_SCX_RUNNABLE_AT].available)
		return "task_struct.scx.runnable_at";
	if (!kt_sample_can_read_waiters(l))
		return "the fields its runnable lists are read through";
	return NULL;
}

/*
 * The kernel's watchdog, from the host and with a tighter limit: the
 * longest any sched_ext task waited on a runqueue, runnable and not
 * running, by its runnable_at, in the samples in which the scheduler
 * was in charge.
 */
static void eval_stall(const struct kt_series *s, unsigned int limit_ms,
		       struct kt_monitor_verdict *v)
{
	const char *lacks = stall_unavailable(s->layout);
	size_t i, worst_at = 0;
	unsigned int cpu, worst_cpu = 0;
	double ms;

	v->limit = limit_ms;
	if (!limit_ms)
		return;
	if (lacks) {
		snprintf(v->detail, sizeof(v->detail),
			 "unavailable: this kernel lacks %s", lacks);
		return;
	}
	v->evaluated = true;
	for (i = 0; i < s->count; i++) {
		if (!scx_in_charge(s->layout, &s->samples[i]))
			continue;
		for (cpu = 0; cpu < s->nr_cpus; cpu++) {
			if (!cpu_at(s, i, cpu)->has_longest)
				continue;
			ms = kt_waiter_wait_ms(s->layout, &s->samples[i],
					       &cpu_at(s, i, cpu)->longest);
			if (ms <= v->value)
				continue;
			v->value = ms;
			worst_at = i;
			worst_cpu = cpu;
		}
	}
	v->tripped = v->value > limit_ms;
	if (v->value > STALL_HELD_MS && STALL_HELD_MS < limit_ms &&
	    held_by_scx(s, worst_at, worst_cpu)) {
		v->tripped = true;
		limit_ms = STALL_HELD_MS;
	}
	if (v->value > 0)
		describe_stall(s, worst_at, worst_cpu, limit_ms, v);
	else
		snprintf(v->detail, sizeof(v->detail),
			 "no sched_ext task seen waiting (limit %u ms)",
			 limit_ms);
}

static void judge(struct kt_monitor_verdict *v, unsigned int expect)
{
	bool expected = expect & KT_V_BIT(v->kind);
	size_t n;

	v->failed = expected ? !v->tripped : v->tripped;
	if (expected && !v->tripped) {
		n = strlen(v->detail);
		snprintf(v->detail + n, sizeof(v->detail) - n,
			 "%sexpected to trip, did not%s",
			 n ? " (" : "", n ? ")" : "");
	}
}

void kt_verdicts_eval(const struct kt_series *s,
		      const struct kt_monitor_limits *l,
		      struct kt_monitor_verdict out[KT_NR_VERDICTS])
{
	unsigned int k;

	memset(out, 0, sizeof(*out) * KT_NR_VERDICTS);
	for (k = 0; k < KT_NR_VERDICTS; k++) {
		out[k].kind = k;
		out[k].cpu = -1;
	}
	eval_stall(s, l->stall_ms, &out[KT_V_STALL]);
	eval_imbalance(s, l, &out[KT_V_IMBALANCE]);
	eval_local_dsq(s, l->max_local_dsq, &out[KT_V_LOCAL_DSQ]);
	eval_rate(s, "SCX_EV_SELECT_CPU_FALLBACK", l->max_fallback_rate,
		  &out[KT_V_FALLBACK_RATE]);
	eval_rate(s, "SCX_EV_DISPATCH_KEEP_LAST", l->max_keep_last_rate,
		  &out[KT_V_KEEP_LAST_RATE]);
	eval_conservation(s, l->conservation_samples, &out[KT_V_CONSERVATION]);
	for (k = 0; k < KT_NR_VERDICTS; k++)
		judge(&out[k], l->expect);
}

bool kt_verdicts_failed(const struct kt_monitor_verdict v[KT_NR_VERDICTS])
{
	unsigned int k;

	for (k = 0; k < KT_NR_VERDICTS; k++)
		if (v[k].failed)
			return true;
	return false;
}
