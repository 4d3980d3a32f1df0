// SPDX-License-Identifier: GPL-2.0
/*
 * Storms: workers that create, exec, move, re-prioritise and kill tasks
 * as fast as the kernel lets them, so that every task passes through
 * the scheduler's init, enable, exit and policy callbacks thousands of
 * times in a run.  A scheduler that leaks something per task, or loses
 * a task on one of those paths, fails here and nowhere else.
 *
 * Each kind counts one unit of work per operation (a task created and
 * reaped, an exec, an affinity change, ...), records a failed operation
 * with its errno (ktstr_work_failed()) instead of retrying it silently,
 * and keeps going after a short pause.
 */
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

#ifndef SCHED_EXT
#define SCHED_EXT 7
#endif

/* The pause after a failed operation: let the system recover a little. */
#define FAILURE_PAUSE_NS 1000000ull
/* Threads created by THREAD_CHURN and THREADS need little stack. */
#define THREAD_STACK (64 * 1024)
/* THREADS: threads per worker by default, and how often progress is seen. */
#define DEFAULT_THREADS 16
#define THREADS_POLL_NS 10000000ll
/* KILL_CHURN: children per worker by default. */
#define DEFAULT_CHILDREN 4
/*
 * A killed child that has not exited after this long counts as a failed
 * kill; it is far beyond any limit a check puts on the exit time, so the
 * check reports the figures before this ever matters.
 */
#define KILL_EXIT_TIMEOUT_MS 10000
/* How often wait_work looks at the group's progress. */
#define WAIT_POLL_MS 50

/*
 * EXEC runs the test program itself with this variable set; the
 * constructor below ends it before anything else happens, so an exec
 * costs what the kernel needs for it and nothing more.
 */
#define EXEC_ENV "KTSTR_EXEC_EXIT"

static void __attribute__((constructor)) exec_storm_child(void)
{
	if (getenv(EXEC_ENV))
		_exit(0);
}

const struct ktstr_storm_limits ktstr_default_storm_limits = {
	.min_tasks = 10000,
	.max_failures = 0,
	.max_exit_ms = 3000,
};

/* ---- in the worker ----------------------------------------------------- */

/* After a failure; true if the worker must stop. */
static bool failed(struct ktstr_wctx *c, int err)
{
	ktstr_work_failed(c, err);
	return ktstr_sleep_until(c, ktstr_now_ns() + FAILURE_PAUSE_NS);
}

/* Reaps @pid; its exit status, or -1 if it did not exit normally. */
static int reap_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A child that shares our memory, as vfork()'s does, while it lives. */
static int exit_at_once(void *arg)
{
	_exit(0);
}

static pid_t spawn_exit(void)
{
	static _Alignas(16) char stack[16384];

	return clone(exit_at_once, stack + sizeof(stack),
		     CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
}

/* posix_spawn() is vfork + exec, and reports an exec that failed. */
static pid_t spawn_exec(void)
{
	static char * const argv[] = { "ktstr-exec", NULL };
	static char * const envp[] = { EXEC_ENV "=1", NULL };
	pid_t pid;
	int err;

	err = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, envp);
	if (!err)
		return pid;
	errno = err;
	return -1;
}

/* One unit per child that @spawn created and that exited with 0. */
static void spawn_storm(struct ktstr_wctx *c, pid_t (*spawn)(void))
{
	pid_t pid;

	for (;;) {
		pid = spawn();
		if (pid < 0) {
			if (failed(c, errno))
				return;
			continue;
		}
		if (reap_child(pid) && failed(c, ECHILD))
			return;
		if (ktstr_checkpoint(c))
			return;
	}
}

void ktstr_do_fork_exit(struct ktstr_wctx *c)
{
	spawn_storm(c, spawn_exit);
}

void ktstr_do_exec(struct ktstr_wctx *c)
{
	spawn_storm(c, spawn_exec);
}

static void *churn_thread(void *arg)
{
	ktstr_spin(*(const uint64_t *)arg);
	return NULL;
}

static void small_stack(pthread_attr_t *attr)
{
	pthread_attr_init(attr);
	pthread_attr_setstacksize(attr, THREAD_STACK);
}

void ktstr_do_thread_churn(struct ktstr_wctx *c)
{
	uint64_t iters = c->sh->chunk_iters / 64 + 1;
	pthread_attr_t attr;
	pthread_t t;
	int err;

	small_stack(&attr);
	for (;;) {
		err = pthread_create(&t, &attr, churn_thread, &iters);
		if (err) {
			if (failed(c, err))
				break;
			continue;
		}
		pthread_join(t, NULL);
		if (ktstr_checkpoint(c))
			break;
	}
	pthread_attr_destroy(&attr);
}

static uint64_t xorshift(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/*
 * A random mask within @universe: a single CPU half of the time, else
 * each CPU with even odds; never empty.
 */
static void random_mask(const cpu_set_t *universe, uint64_t *rng,
			cpu_set_t *out)
{
	unsigned int cpus[KTSTR_MAX_CPUS], n = 0, i;
	uint64_t bits = xorshift(rng);

	for (i = 0; i < KTSTR_MAX_CPUS; i++)
		if (CPU_ISSET(i, universe))
			cpus[n++] = i;
	CPU_ZERO(out);
	if (bits & 1) {
		CPU_SET(cpus[(bits >> 1) % n], out);
		return;
	}
	for (i = 0; i < n; i++, bits >>= 1) {
		if (!(i % 63))
			bits = xorshift(rng);
		if (bits & 1)
			CPU_SET(cpus[i], out);
	}
	if (!CPU_COUNT(out))
		CPU_SET(cpus[bits % n], out);
}

/*
 * Moves the target group's workers, one after another, to random masks
 * within this worker's own affinity, as fast as the kernel takes it.
 */
void ktstr_do_affinity_storm(struct ktstr_wctx *c)
{
	const struct ktstr_workers *t = c->w->spec.target;
	uint64_t rng = 0x9e3779b97f4a7c15ull * (c->idx + 1) ^ getpid();
	unsigned int next = c->idx;
	cpu_set_t mask;

	do {
		random_mask(&c->w->affinity, &rng, &mask);
		if (sched_setaffinity(t->pids[next++ % t->n], sizeof(mask),
				      &mask) < 0 && failed(c, errno))
			return;
	} while (!ktstr_checkpoint(c));
}

void ktstr_do_yield_storm(struct ktstr_wctx *c)
{
	uint64_t iters = c->sh->chunk_iters / 64 + 1;

	do {
		sched_yield();
		ktstr_spin(iters);
	} while (!ktstr_checkpoint(c));
}

/* ---- THREADS ----------------------------------------------------------- */

struct pool_thread {
	_Alignas(64) uint64_t work;
	cpu_set_t cpus;			/* where its units ran */
	struct ktstr_wctx *c;
	pthread_t tid;
	uint64_t iters;
	uint64_t seen, last;		/* the main thread's view */
};

/*
 * A worker's threads: created before the common start (creating them
 * among hundreds of spinners would take longer than the run), they wait
 * for it like the workers do.
 */
static struct thread_pool {
	struct pool_thread *t;
	unsigned int n;
} pool;

/* Sleeps until @deadline unless the workers are told to stop first. */
static bool thread_sleep_until(struct ktstr_shared *sh, uint64_t deadline)
{
	struct timespec ts = {
		.tv_sec = deadline / 1000000000ull,
		.tv_nsec = deadline % 1000000000ull,
	};

	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED) &&
	       ktstr_now_ns() < deadline)
		ktstr_futex(&sh->stop, FUTEX_WAIT_BITSET, 0, &ts,
			    FUTEX_BITSET_MATCH_ANY);
	return __atomic_load_n(&sh->stop, __ATOMIC_RELAXED);
}

/*
 * A unit of work per period, at a phase of its own, like a thread of a
 * pool serving requests: many threads, most of them asleep at any time,
 * each of which must get a CPU soon after it wakes.
 */
static void *pool_thread(void *arg)
{
	struct pool_thread *me = arg;
	struct ktstr_shared *sh = me->c->sh;
	uint64_t period = me->c->period_ns, next, now;
	int cpu;

	while (!__atomic_load_n(&sh->go, __ATOMIC_ACQUIRE))
		ktstr_futex(&sh->go, FUTEX_WAIT, 0, NULL, 0);
	next = sh->start_ns + period * (me - pool.t) / pool.n;
	while (!thread_sleep_until(sh, next)) {
		ktstr_spin(me->iters);
		cpu = sched_getcpu();
		if (cpu >= 0 && cpu < KTSTR_MAX_CPUS)
			CPU_SET(cpu, &me->cpus);
		__atomic_store_n(&me->work, me->work + 1, __ATOMIC_RELAXED);
		/* A late thread skips the periods it missed: no catching up. */
		now = ktstr_now_ns();
		next += period;
		if (next < now)
			next += (now - next) / period * period + period;
	}
	return NULL;
}

static int threads_place(struct ktstr_wctx *c)
{
	unsigned int want = c->w->spec.tasks ?: DEFAULT_THREADS, i;
	pthread_attr_t attr;
	int err;

	pool.t = calloc(want, sizeof(*pool.t));
	if (!pool.t)
		return ktstr_fail("out of memory for %u threads", want);
	small_stack(&attr);
	for (i = 0; i < want; i++) {
		pool.t[pool.n].c = c;
		pool.t[pool.n].iters = c->sh->chunk_iters / 8 + 1;
		err = pthread_create(&pool.t[pool.n].tid, &attr, pool_thread,
				     &pool.t[pool.n]);
		if (err)
			ktstr_work_failed(c, err);
		else
			pool.n++;
	}
	pthread_attr_destroy(&attr);
	if (!pool.n)
		return ktstr_fail("no thread of %u could be created: %s", want,
				  strerror(c->slot->stats.last_errno));
	return 0;
}

/*
 * What the worker reports: the units of its slowest thread as its work,
 * and the longest any thread went without a unit (up to @now) as its
 * longest gap.
 */
static void pool_update(struct ktstr_wctx *c, uint64_t now)
{
	struct ktstr_worker_stats *st = &c->slot->stats;
	uint64_t least = UINT64_MAX, work;
	struct pool_thread *t;
	unsigned int i;

	for (i = 0; i < pool.n; i++) {
		t = &pool.t[i];
		work = __atomic_load_n(&t->work, __ATOMIC_RELAXED);
		if (work != t->seen) {
			t->seen = work;
			t->last = now;
		} else if (now - t->last > st->max_gap_ns) {
			st->max_gap_ns = now - t->last;
		}
		least = work < least ? work : least;
	}
	__atomic_store_n(&st->work, least, __ATOMIC_RELAXED);
}

/* Sleeps THREADS_POLL_NS unless stopped; true once stopped. */
static bool poll_pause(struct ktstr_wctx *c)
{
	struct timespec ts = { .tv_nsec = THREADS_POLL_NS };

	if (!ktstr_stopping(c))
		ktstr_futex(&c->sh->stop, FUTEX_WAIT, 0, &ts, 0);
	return ktstr_stopping(c);
}

/*
 * The worker's main thread watches its threads spin, without a
 * checkpoint of its own: the worker's statistics are its threads'
 * (pool_update()), and its CPUs all the CPUs they ran on.
 */
void ktstr_do_threads(struct ktstr_wctx *c)
{
	unsigned int i;

	for (i = 0; i < pool.n; i++)
		pool.t[i].last = c->sh->start_ns;
	while (!poll_pause(c))
		pool_update(c, ktstr_now_ns());
	pool_update(c, ktstr_now_ns());
	for (i = 0; i < pool.n; i++) {
		pthread_join(pool.t[i].tid, NULL);
		CPU_OR(&c->slot->stats.cpus_used, &c->slot->stats.cpus_used,
		       &pool.t[i].cpus);
	}
}

/* ---- POLICY_SWITCH ----------------------------------------------------- */

bool ktstr_sched_ext_partial(void)
{
	char state[32], all[16];

	return ktstr_read_file("/sys/kernel/sched_ext/state", state,
			       sizeof(state)) > 0 &&
	       !strncmp(state, "enabled", 7) &&
	       ktstr_read_file("/sys/kernel/sched_ext/switch_all", all,
			       sizeof(all)) > 0 &&
	       all[0] == '0';
}

/*
 * A chunk of work under each policy in turn.  SCHED_EXT joins the cycle
 * only where a scheduler runs in partial mode: in full mode every task
 * is a sched_ext task already, and without sched_ext it means nothing.
 */
void ktstr_do_policy_switch(struct ktstr_wctx *c)
{
	static const int policies[] = {
		SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, SCHED_EXT,
	};
	unsigned int n = ARRAY_SIZE(policies) - !ktstr_sched_ext_partial();
	uint64_t iters = c->sh->chunk_iters / 4 + 1;
	struct sched_param param = { 0 };
	unsigned int i = c->idx;

	do {
		ktstr_spin(iters);
		if (sched_setscheduler(0, policies[i++ % n], &param) < 0 &&
		    failed(c, errno))
			return;
	} while (!ktstr_checkpoint(c));
}

/* ---- KILL_CHURN -------------------------------------------------------- */

struct child {
	pid_t pid;
	int pidfd;
};

static _Noreturn void spin_forever(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	for (;;)
		ktstr_spin(1000000);
}

/* A new spinning child in @k; false (and a failure) if none could be made. */
static bool spawn_child(struct ktstr_wctx *c, struct child *k)
{
	pid_t parent = getpid();

	k->pidfd = -1;
	k->pid = fork();
	if (!k->pid)
		spin_forever(parent);
	if (k->pid < 0) {
		failed(c, errno);
		return false;
	}
	k->pidfd = syscall(SYS_pidfd_open, k->pid, 0);
	if (k->pidfd < 0) {
		failed(c, errno);
		kill(k->pid, SIGKILL);
		reap_child(k->pid);
		k->pid = -1;
		return false;
	}
	return true;
}

/*
 * Kills @k and waits for it to exit: the time from the SIGKILL to its
 * exit goes into the worker's latency histogram.  A child that does not
 * exit within KILL_EXIT_TIMEOUT_MS is a failure, and is left to the
 * final clean-up.
 */
static void kill_child(struct ktstr_wctx *c, struct child *k)
{
	struct pollfd pfd = { .fd = k->pidfd, .events = POLLIN };
	uint64_t t0 = ktstr_now_ns();
	int n;

	kill(k->pid, SIGKILL);
	do
		n = poll(&pfd, 1, KILL_EXIT_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	if (n == 1) {
		ktstr_record_latency(c, ktstr_now_ns() - t0);
		reap_child(k->pid);
	} else {
		failed(c, n ? errno : ETIMEDOUT);
	}
	close(k->pidfd);
	k->pidfd = -1;
	k->pid = -1;
}

static void kill_all(struct child *kids, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (kids[i].pid <= 0)
			continue;
		kill(kids[i].pid, SIGKILL);
		reap_child(kids[i].pid);
		if (kids[i].pidfd >= 0)
			close(kids[i].pidfd);
	}
}

/*
 * Spinning children, always runnable and more of them than CPUs, so a
 * SIGKILL mostly finds one queued rather than running: one unit of work
 * is a child killed, seen to exit, and replaced.
 */
void ktstr_do_kill_churn(struct ktstr_wctx *c)
{
	unsigned int n = c->w->spec.tasks ?: DEFAULT_CHILDREN, i = 0;
	struct child *kids = calloc(n, sizeof(*kids));

	if (!kids) {
		ktstr_work_failed(c, ENOMEM);
		return;
	}
	for (i = 0; i < n; i++)
		spawn_child(c, &kids[i]);
	for (i = 0; !ktstr_stopping(c); i = (i + 1) % n) {
		if (kids[i].pid > 0) {
			kill_child(c, &kids[i]);
			if (ktstr_checkpoint(c))
				break;
		}
		spawn_child(c, &kids[i]);
	}
	kill_all(kids, n);
	free(kids);
}

int ktstr_kind_place(struct ktstr_wctx *c)
{
	switch (c->w->spec.kind) {
	case KTSTR_WORK_RT_HOG:
	case KTSTR_WORK_RT_BURST:
		return ktstr_rt_place(c);
	case KTSTR_WORK_THREADS:
		return threads_place(c);
	default:
		return 0;
	}
}

/* ---- in the parent ----------------------------------------------------- */

struct group_totals {
	uint64_t work, failures;
	int last_errno;
	unsigned int running;
};

/* Has child @pid exited?  It stays to be reaped by ktstr_workers_stop(). */
static bool has_exited(pid_t pid)
{
	siginfo_t info = { 0 };

	return !waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) &&
	       info.si_pid == pid;
}

static void group_totals(const struct ktstr_workers *w, struct group_totals *g)
{
	unsigned int i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < w->n; i++) {
		const struct ktstr_worker_stats *s = &w->sh->slot[i].stats;

		g->work += __atomic_load_n(&s->work, __ATOMIC_RELAXED);
		g->failures += __atomic_load_n(&s->failures, __ATOMIC_RELAXED);
		if (s->failures)
			g->last_errno = s->last_errno;
		g->running += !w->reaped[i] && !has_exited(w->pids[i]);
	}
}

int ktstr_workers_wait_work(const struct ktstr_workers *w, uint64_t work,
			    unsigned int timeout_ms)
{
	uint64_t start = ktstr_now_ns();
	uint64_t deadline = start + timeout_ms * 1000000ull;
	const char *name = ktstr_workers_name(w);
	struct group_totals g;

	for (;;) {
		group_totals(w, &g);
		if (g.work >= work)
			return 0;
		if (g.failures)
			return ktstr_fail("%s: %llu operations failed (last: %s) after %llu of %llu units",
					  name, (unsigned long long)g.failures,
					  strerror(g.last_errno),
					  (unsigned long long)g.work,
					  (unsigned long long)work);
		if (!g.running)
			return ktstr_fail("%s: every worker exited after %llu of %llu units",
					  name, (unsigned long long)g.work,
					  (unsigned long long)work);
		if (ktstr_now_ns() >= deadline)
			return ktstr_fail("%s: %llu of %llu units in %u ms",
					  name, (unsigned long long)g.work,
					  (unsigned long long)work,
					  timeout_ms);
		ktstr_sleep_ms(WAIT_POLL_MS);
	}
}

/* "attached", or how it ended; an EEVDF run has nothing to say. */
static const char *sched_state(struct ktstr_sched *s, char *buf, size_t len)
{
	if (!s || !s->decl)
		snprintf(buf, len, "none (EEVDF)");
	else if (ktstr_sched_alive(s))
		snprintf(buf, len, "%s attached (%u restarts)", s->name,
			 s->restarts);
	else
		snprintf(buf, len, "%s %s: %s", s->name,
			 ktstr_sched_exit_name(s->exit_kind), s->exit_reason);
	return buf;
}

bool ktstr_check_storm(const struct ktstr_workers *w,
		       const struct ktstr_storm_limits *l,
		       struct ktstr_sched *s, char *why, size_t len)
{
	const char *kind = ktstr_work_kind_name(w->spec.kind);
	uint64_t end = w->stopped ? w->stop_ns : ktstr_now_ns();
	double secs = (end - w->sh->start_ns) / 1e9;
	bool attached = !s || !s->decl || ktstr_sched_alive(s);
	char state[768];
	struct group_totals g;
	bool ok;

	group_totals(w, &g);
	sched_state(s, state, sizeof(state));
	ok = g.work >= l->min_tasks && g.failures <= l->max_failures &&
	     attached;
	if (!ok)
		ktstr_group_fail(w, why, len,
				 "storm: %llu %s operations in %.1f s (%.0f/s), want %llu; %llu failed (limit %llu)%s%s; scheduler %s",
				 (unsigned long long)g.work, kind, secs,
				 secs > 0 ? g.work / secs : 0,
				 (unsigned long long)l->min_tasks,
				 (unsigned long long)g.failures,
				 (unsigned long long)l->max_failures,
				 g.failures ? ", last errno " : "",
				 g.failures ? strerrorname_np(g.last_errno) ?: "?" : "",
				 state);
	ktstr_result_check("storm", ktstr_workers_name(w), ok, why,
			   KTSTR_KV({ "tasks", g.work },
				    { "limit_tasks", l->min_tasks },
				    { "failures", g.failures },
				    { "limit_failures", l->max_failures },
				    { "errno", g.last_errno },
				    { "rate_per_s", secs > 0 ? g.work / secs : 0 },
				    { "elapsed_s", secs },
				    { "attached", attached }));
	return ok;
}

bool ktstr_check_kill_exit(const struct ktstr_workers *w,
			   const struct ktstr_storm_limits *l, char *why,
			   size_t len)
{
	struct ktstr_latency lat = { 0 };
	struct group_totals g;
	bool ok;

	group_totals(w, &g);
	ktstr_workers_latency(w, &lat);
	ok = lat.count && !g.failures &&
	     lat.max_ns <= l->max_exit_ms * 1000000ull;
	if (!lat.count)
		ktstr_group_fail(w, why, len,
				 "kill_exit: no task was killed and seen to exit (%llu kills failed)",
				 (unsigned long long)g.failures);
	else if (!ok)
		ktstr_group_fail(w, why, len,
				 "kill_exit: killed tasks took up to %.0f ms to exit (p50 %.1f ms, p99 %.0f ms over %llu kills), limit %llu ms; %llu did not exit within %d ms",
				 lat.max_ns / 1e6, lat.p50_ns / 1e6,
				 lat.p99_ns / 1e6,
				 (unsigned long long)lat.count,
				 (unsigned long long)l->max_exit_ms,
				 (unsigned long long)g.failures,
				 KILL_EXIT_TIMEOUT_MS);
	ktstr_result_check("kill_exit", ktstr_workers_name(w), ok, why,
			   KTSTR_KV({ "kills", lat.count },
				    { "p50_ms", lat.p50_ns / 1e6 },
				    { "p99_ms", lat.p99_ns / 1e6 },
				    { "max_ms", lat.max_ns / 1e6 },
				    { "limit_ms", l->max_exit_ms },
				    { "not_exited", g.failures }));
	return ok;
}
