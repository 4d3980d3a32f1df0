// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler.h"
#include "sample.h"

static const char *const cpu_value_names[KT_NR_CPU_VALUES] = {
	[KT_CV_NR_RUNNING] = "nr_running",
	[KT_CV_SCX_NR_RUNNING] = "scx_nr_running",
	[KT_CV_LOCAL_DSQ] = "local_dsq",
	[KT_CV_SCX_FLAGS] = "scx_flags",
	[KT_CV_CLOCK] = "clock",
	[KT_CV_NR_SWITCHES] = "nr_switches",
	[KT_CV_CURR_PID] = "curr_pid",
	[KT_CV_CURR_POLICY] = "curr_policy",
	[KT_CV_CURR_RUNTIME] = "curr_runtime",
	[KT_CV_VCPU_RUN] = "vcpu_run",
};

/* Which rq field each per-CPU value is. */
static const enum kt_fld rq_fields[] = {
	[KT_CV_NR_RUNNING] = KT_RQ_NR_RUNNING,
	[KT_CV_SCX_NR_RUNNING] = KT_RQ_SCX_NR_RUNNING,
	[KT_CV_LOCAL_DSQ] = KT_RQ_LOCAL_DSQ_NR,
	[KT_CV_SCX_FLAGS] = KT_RQ_SCX_FLAGS,
	[KT_CV_CLOCK] = KT_RQ_CLOCK,
	[KT_CV_NR_SWITCHES] = KT_RQ_NR_SWITCHES,
};

const char *kt_cpu_value_name(enum kt_cpu_value v)
{
	return cpu_value_names[v];
}

static int64_t field(const struct kt_target *t, uint64_t base, enum kt_fld f)
{
	int64_t v;

	return kt_target_read_field(t, base, &t->layout->f[f], &v) ? KT_NA : v;
}

static uint64_t pointer(const struct kt_target *t, uint64_t base,
			enum kt_fld f)
{
	int64_t v = field(t, base, f);

	return v == KT_NA ? 0 : (uint64_t)v;
}

static void read_comm(const struct kt_target *t, uint64_t task, char *comm)
{
	const struct kt_field *f = &t->layout->f[KT_TASK_COMM];
	unsigned int i;

	comm[0] = '\0';
	if (!f->available || kt_target_read(t, task + f->offset, comm,
					    KT_COMM_LEN - 1))
		return;
	comm[KT_COMM_LEN - 1] = '\0';
	/* A task being freed can hold anything: keep the report readable. */
	for (i = 0; comm[i]; i++)
		if (!isprint((unsigned char)comm[i]))
			comm[i] = '?';
}

static void read_curr(const struct kt_target *t, uint64_t rq,
		      struct kt_cpu_sample *c)
{
	const struct kt_layout *l = t->layout;
	uint64_t task = pointer(t, rq, KT_RQ_CURR);

	c->curr = task;
	c->curr_idle = task && task == pointer(t, rq, KT_RQ_IDLE);
	if (!task)
		return;
	c->v[KT_CV_CURR_PID] = field(t, task, KT_TASK_PID);
	c->v[KT_CV_CURR_POLICY] = field(t, task, KT_TASK_POLICY);
	c->v[KT_CV_CURR_RUNTIME] = field(t, task, KT_TASK_SUM_EXEC_RUNTIME);
	c->curr_scx = l->has_sym[KT_SYM_EXT_CLASS] &&
		      pointer(t, task, KT_TASK_SCHED_CLASS) ==
		      kt_target_sym(t, KT_SYM_EXT_CLASS);
	read_comm(t, task, c->comm);
}

/* The address of @cpu's scx_event_stats, or 0. */
static uint64_t events_base(const struct kt_target *t, uint64_t root,
			    unsigned int cpu)
{
	const struct kt_layout *l = t->layout;
	uint64_t pcpu;

	switch (l->events_at) {
	case KT_EVENTS_SCH_PCPU:
		pcpu = pointer(t, root, KT_SCH_PCPU);
		return pcpu ? kt_target_percpu(t, pcpu, cpu) +
			      l->f[KT_SCH_PCPU_EVENTS].offset : 0;
	case KT_EVENTS_SCH_CPU:
		pcpu = pointer(t, root, KT_SCH_EVENTS_CPU);
		return pcpu ? kt_target_percpu(t, pcpu, cpu) : 0;
	case KT_EVENTS_GLOBAL_PCPU:
		return kt_target_percpu(t, kt_target_sym(t, KT_SYM_SCX_EVENTS_PCPU), cpu);
	default:
		return 0;
	}
}

static void read_events(const struct kt_target *t, uint64_t root,
			unsigned int cpu, struct kt_cpu_sample *c)
{
	const struct kt_layout *l = t->layout;
	uint64_t base = root ? events_base(t, root, cpu) : 0;
	unsigned int e;

	for (e = 0; e < l->nr_events; e++)
		if (!base || kt_target_read(t, base + l->events[e].offset,
					    &c->events[e], 8))
			c->events[e] = KT_NA;
}

static void take_cpu(const struct kt_target *t, unsigned int cpu,
		     uint64_t root, struct kt_cpu_sample *c)
{
	uint64_t rq = kt_target_percpu(t, kt_target_sym(t, KT_SYM_RUNQUEUES), cpu);
	unsigned int v;

	memset(c, 0, sizeof(*c));
	for (v = 0; v < KT_NR_CPU_VALUES; v++)
		c->v[v] = KT_NA;
	for (v = 0; v < ARRAY_SIZE(rq_fields); v++)
		c->v[v] = field(t, rq, rq_fields[v]);
	read_curr(t, rq, c);
	read_events(t, root, cpu, c);
}

bool kt_cpu_idle(const struct kt_cpu_sample *c)
{
	return c->curr_idle && c->v[KT_CV_NR_RUNNING] == 0;
}

bool kt_cpu_online(const struct kt_layout *l, const struct kt_cpu_sample *c)
{
	int64_t flags = c->v[KT_CV_SCX_FLAGS];

	return !l->rq_online_flag || flags == KT_NA ||
	       (flags & l->rq_online_flag);
}

int64_t kt_cpu_scx_waiting(const struct kt_cpu_sample *c)
{
	int64_t n = c->v[KT_CV_SCX_NR_RUNNING];

	if (n == KT_NA)
		return KT_NA;
	return c->curr_scx ? n - 1 : n;
}

int64_t kt_cpu_scx_uncommitted(const struct kt_cpu_sample *c)
{
	int64_t waiting = kt_cpu_scx_waiting(c), local = c->v[KT_CV_LOCAL_DSQ];

	if (waiting == KT_NA || local == KT_NA)
		return KT_NA;
	/* Read a moment apart, the two can disagree by a task. */
	return waiting > local ? waiting - local : 0;
}

bool kt_waiter_allowed(const struct kt_waiter *w, unsigned int cpu)
{
	return cpu < KT_TARGET_MAX_CPUS &&
	       (w->allowed[cpu / 64] >> (cpu % 64) & 1);
}

double kt_waiter_wait_ms(const struct kt_layout *l, const struct kt_sample *x,
			 const struct kt_waiter *w)
{
	int64_t now = x->jiffies, waited;

	if (!l->hz || now == KT_NA || w->runnable_at == KT_NA)
		return -1;
	/* Read a moment after the clock, a wait can have begun since. */
	waited = (int64_t)((uint64_t)now - (uint64_t)w->runnable_at);
	return waited > 0 ? waited * 1000.0 / l->hz : 0;
}

struct kt_waiter *kt_sample_add_waiter(struct kt_sample *s)
{
	unsigned int n = s->nr_waiters;
	struct kt_waiter *w;

	if (n == KT_MAX_WAITERS)
		return NULL;
	/* The array holds a power of two: full at 1, 2, 4, ... */
	if (!(n & (n - 1))) {
		w = realloc(s->waiters, (n ? 2 * n : 1) * sizeof(*w));
		if (!w)
			return NULL;
		s->waiters = w;
	}
	w = &s->waiters[s->nr_waiters++];
	memset(w, 0, sizeof(*w));
	return w;
}

/* Where task @p waits: in @rq's local DSQ, another DSQ, or none. */
static void read_place(const struct kt_target *t, uint64_t rq, uint64_t p,
		       struct kt_waiter *w)
{
	const struct kt_layout *l = t->layout;
	uint64_t dsq = pointer(t, p, KT_TASK_SCX_DSQ);

	if (!dsq) {
		w->place = KT_WAIT_BPF;
	} else if (dsq == rq + l->f[KT_RQ_LOCAL_DSQ].offset) {
		w->place = KT_WAIT_LOCAL;
	} else {
		w->place = KT_WAIT_DSQ;
		w->dsq_id = field(t, dsq, KT_DSQ_ID);
	}
}

/* cpus_ptr, or only @w->cpu while @p cannot migrate. */
static int read_allowed(const struct kt_target *t, uint64_t p,
			struct kt_waiter *w)
{
	uint64_t mask = pointer(t, p, KT_TASK_CPUS_PTR);
	int64_t pinned = field(t, p, KT_TASK_MIGRATION_DISABLED);

	if (pinned > 0) {
		w->allowed[w->cpu / 64] = 1ULL << (w->cpu % 64);
		return 0;
	}
	return !mask || kt_target_read(t, mask, w->allowed,
				       (t->nr_cpus + 63) / 64 * 8);
}

static int read_waiter(const struct kt_target *t, uint64_t rq, uint64_t p,
		       unsigned int cpu, struct kt_waiter *w)
{
	w->cpu = cpu;
	w->pid = field(t, p, KT_TASK_PID);
	read_comm(t, p, w->comm);
	read_place(t, rq, p, w);
	w->runnable_at = field(t, p, KT_TASK_SCX_RUNNABLE_AT);
	return read_allowed(t, p, w);
}

/* Past this many tasks a runqueue's list is not walked on: partial. */
#define KT_WALK_MAX 512

/* jiffies @a is before @b, as the kernel's time_before() has it. */
static bool jiffies_before(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b) < 0;
}

/* One walk of a runqueue's runnable list. */
struct runnable_walk {
	unsigned int cpu;
	uint64_t rq;
	const uint64_t *heads;		/* every CPU's list head */
	unsigned int nr_cpus;
	bool collect;			/* append the first ones to the sample */
	bool timed;			/* this kernel has runnable_at */
	unsigned int seen, collected;
	uint64_t oldest;		/* the task with the oldest runnable_at */
	int64_t oldest_at;
};

/*
 * A waiting task @p: the oldest yet?  Appended to @s if collecting and
 * there is room; one not collected leaves @walk->seen above
 * @walk->collected.
 */
static void visit_waiter(const struct kt_target *t, struct runnable_walk *walk,
			 uint64_t p, struct kt_sample *s)
{
	int64_t at = walk->timed ? field(t, p, KT_TASK_SCX_RUNNABLE_AT) : KT_NA;
	struct kt_waiter *w;

	walk->seen++;
	if (at != KT_NA &&
	    (!walk->oldest || jiffies_before(at, walk->oldest_at))) {
		walk->oldest = p;
		walk->oldest_at = at;
	}
	if (!walk->collect || walk->collected == KT_WAITERS_PER_CPU)
		return;
	w = kt_sample_add_waiter(s);
	if (!w)
		return;
	if (read_waiter(t, walk->rq, p, walk->cpu, w))
		s->nr_waiters--;
	else
		walk->collected++;
}

/* @node is another runqueue's list head: the walk strayed. */
static bool strayed(const struct runnable_walk *walk, uint64_t node)
{
	unsigned int cpu;

	for (cpu = 0; cpu < walk->nr_cpus; cpu++)
		if (node == walk->heads[cpu])
			return true;
	return false;
}

/*
 * A runqueue's list of runnable sched_ext tasks, without the running one
 * (7.x takes it off the list while it runs; older kernels kept it).  The
 * guest changes the list under the walk: a walk that reads a bad pointer,
 * a node that points at itself (just removed) or another runqueue's list
 * head (the node moved there: taken for a task, the head would give a
 * garbage wait) is unknown, not short; so is one cut at KT_WALK_MAX.
 * The oldest found until then is still a task that waited that long.
 */
static int walk_runnable(const struct kt_target *t, struct runnable_walk *walk,
			 struct kt_sample *s)
{
	const struct kt_layout *l = t->layout;
	uint64_t head = walk->heads[walk->cpu];
	uint64_t node = pointer(t, head, KT_LIST_NEXT), next, p;

	while (node != head) {
		if (!node || walk->seen == KT_WALK_MAX || strayed(walk, node))
			return -1;
		p = node - l->f[KT_TASK_SCX_RUNNABLE_NODE].offset;
		if (p != s->cpu[walk->cpu].curr)
			visit_waiter(t, walk, p, s);
		next = pointer(t, node, KT_LIST_NEXT);
		if (next == node)
			return -1;
		node = next;
	}
	return 0;
}

/*
 * The oldest waiter a walk found, read whole, if it is still where and
 * what the walk saw: the same runnable_at, and on kernels that record
 * the runqueue a task waits on (7.x runnable_cpu), this one.
 */
static void read_longest(const struct kt_target *t,
			 const struct runnable_walk *walk, bool partial,
			 struct kt_cpu_sample *c)
{
	const struct kt_field *rcpu = &t->layout->f[KT_TASK_SCX_RUNNABLE_CPU];

	if (!walk->oldest ||
	    read_waiter(t, walk->rq, walk->oldest, walk->cpu, &c->longest) ||
	    c->longest.runnable_at != walk->oldest_at)
		return;
	if (rcpu->available &&
	    field(t, walk->oldest, KT_TASK_SCX_RUNNABLE_CPU) != walk->cpu)
		return;
	c->has_longest = true;
	c->longest_partial = partial;
}

bool kt_sample_can_read_waiters(const struct kt_layout *l)
{
	static const enum kt_fld needed[] = {
		KT_RQ_LOCAL_DSQ, KT_RQ_SCX_RUNNABLE_LIST,
		KT_TASK_SCX_RUNNABLE_NODE, KT_TASK_SCX_DSQ, KT_TASK_CPUS_PTR,
		KT_DSQ_ID, KT_LIST_NEXT,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(needed); i++)
		if (!l->f[needed[i]].available)
			return false;
	return true;
}

/*
 * Every sample, each runqueue with sched_ext tasks waiting: the one that
 * waited longest.  When a CPU idles while another has some waiting, the
 * waiting tasks too (the lists are long on a busy machine, and only the
 * conservation verdict needs them).
 */
static void read_waiters(const struct kt_target *t, struct kt_sample *s)
{
	const struct kt_layout *l = t->layout;
	bool timed = l->f[KT_TASK_SCX_RUNNABLE_AT].available;
	bool idle = false, waiting = false, partial;
	uint64_t heads[KT_TARGET_MAX_CPUS];
	struct runnable_walk walk;
	unsigned int cpu;

	if (!s->scheduler[0] || !kt_sample_can_read_waiters(t->layout))
		return;
	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		idle |= kt_cpu_idle(&s->cpu[cpu]) &&
			kt_cpu_online(t->layout, &s->cpu[cpu]);
		waiting |= kt_cpu_scx_waiting(&s->cpu[cpu]) > 0;
	}
	if (!timed && !(idle && waiting))
		return;
	for (cpu = 0; cpu < s->nr_cpus; cpu++)
		heads[cpu] = kt_target_percpu(t, kt_target_sym(t, KT_SYM_RUNQUEUES), cpu) +
			     l->f[KT_RQ_SCX_RUNNABLE_LIST].offset;
	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		if (kt_cpu_scx_waiting(&s->cpu[cpu]) <= 0)
			continue;
		walk = (struct runnable_walk){
			.cpu = cpu, .collect = idle && waiting, .timed = timed,
			.rq = kt_target_percpu(t, kt_target_sym(t, KT_SYM_RUNQUEUES), cpu),
			.heads = heads, .nr_cpus = s->nr_cpus,
		};
		partial = walk_runnable(t, &walk, s) != 0;
		if (walk.collect && (partial || walk.seen > walk.collected))
			s->waiters_unknown = true;
		read_longest(t, &walk, partial, &s->cpu[cpu]);
	}
}

static int64_t image_value(const struct kt_target *t, enum kt_sym s,
			   unsigned int size)
{
	int64_t v = 0;

	if (!t->layout->has_sym[s] ||
	    kt_target_read(t, kt_target_sym(t, s), &v, size))
		return KT_NA;
	return v;
}

static void read_scheduler(const struct kt_target *t, uint64_t root,
			   struct kt_sample *s)
{
	const struct kt_field *name = &t->layout->f[KT_SCH_NAME];
	unsigned int i;

	s->scheduler[0] = '\0';
	if (!root || !name->available ||
	    kt_target_read(t, root + name->offset, s->scheduler,
			   sizeof(s->scheduler) - 1))
		return;
	s->scheduler[sizeof(s->scheduler) - 1] = '\0';
	for (i = 0; s->scheduler[i]; i++)
		if (!isprint((unsigned char)s->scheduler[i]))
			s->scheduler[i] = '?';
}

static double thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

void kt_sample_take(const struct kt_target *t, struct kt_sample *s)
{
	const struct kt_layout *l = t->layout;
	double cost = thread_cpu_us();
	struct timespec ts;
	uint64_t root;
	unsigned int cpu;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->host_s = ts.tv_sec + ts.tv_nsec / 1e9;
	s->nr_cpus = t->nr_cpus;
	s->jiffies = image_value(t, KT_SYM_JIFFIES, 8);
	s->enable_state = image_value(t, KT_SYM_SCX_ENABLE_STATE, 4);
	s->watchdog_ts = image_value(t, KT_SYM_SCX_WATCHDOG_TS, 8);
	root = l->has_sym[KT_SYM_SCX_ROOT] ?
	       (uint64_t)image_value(t, KT_SYM_SCX_ROOT, 8) : 0;
	if (root == (uint64_t)KT_NA)
		root = 0;
	read_scheduler(t, root, s);
	s->exit_kind = root ? field(t, root, KT_SCH_EXIT_KIND) : KT_NA;
	s->bypass_depth = root ? field(t, root, KT_SCH_BYPASS_DEPTH) : KT_NA;
	s->watchdog_timeout = root && l->f[KT_SCH_WATCHDOG_TIMEOUT].available ?
		field(t, root, KT_SCH_WATCHDOG_TIMEOUT) :
		image_value(t, KT_SYM_SCX_WATCHDOG_TIMEOUT, 8);
	for (cpu = 0; cpu < t->nr_cpus; cpu++)
		take_cpu(t, cpu, root, &s->cpu[cpu]);
	read_waiters(t, s);
	s->cost_us = thread_cpu_us() - cost;
}

int64_t kt_sample_event_total(const struct kt_sample *s, unsigned int e)
{
	int64_t sum = 0;
	unsigned int cpu;

	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		if (s->cpu[cpu].events[e] == KT_NA)
			return KT_NA;
		sum += s->cpu[cpu].events[e];
	}
	return sum;
}
