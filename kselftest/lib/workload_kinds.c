// SPDX-License-Identifier: GPL-2.0
/*
 * What each kind of worker does between the start and the stop flag.
 *
 * Every kind records a checkpoint per unit of work.  A checkpoint is
 * cheap (a vDSO clock read, sched_getcpu() from rseq, a few stores into
 * the shared slot) because under TCG anything heavier would dominate.
 * Time a worker chose to sleep does not count as a gap: after a sleep the
 * gap starts at the deadline, so what remains is wakeup latency and
 * time spent runnable but not running.
 */
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

static bool stopping(const struct ktstr_wctx *c)
{
	return __atomic_load_n(&c->sh->stop, __ATOMIC_RELAXED);
}

/* CPUs since the last ktstr_workers_mark(), see ktstr_check_after_change(). */
static void note_mark(struct ktstr_wctx *c, int cpu)
{
	uint32_t mark = __atomic_load_n(&c->sh->mark, __ATOMIC_ACQUIRE);

	if (mark != c->slot->mark_seen) {
		CPU_ZERO(&c->slot->cpus_since_mark);
		c->slot->mark_seen = mark;
	}
	CPU_SET(cpu, &c->slot->cpus_since_mark);
}

/* Returns true once the workers must stop. */
static bool checkpoint(struct ktstr_wctx *c)
{
	struct ktstr_worker_stats *st = &c->slot->stats;
	uint64_t now = ktstr_now_ns();
	int cpu = sched_getcpu();

	if (now > c->last && now - c->last > st->max_gap_ns)
		st->max_gap_ns = now - c->last;
	c->last = now;
	st->work++;
	if (cpu >= 0 && cpu < KTSTR_MAX_CPUS) {
		CPU_SET(cpu, &st->cpus_used);
		note_mark(c, cpu);
		if (c->last_cpu >= 0 && cpu != c->last_cpu) {
			st->llc_migrations += c->sh->llc_of[cpu] !=
					      c->sh->llc_of[c->last_cpu];
			st->node_migrations += c->sh->node_of[cpu] !=
					       c->sh->node_of[c->last_cpu];
		}
		c->last_cpu = cpu;
	}
	return stopping(c);
}

static void spin_chunk(const struct ktstr_wctx *c)
{
	ktstr_spin(c->sh->chunk_iters);
}

/*
 * Sleeps until @deadline (CLOCK_MONOTONIC) unless the stop flag is set
 * first: the parent wakes the stop futex.  Returns true on stop.
 */
static bool sleep_until(struct ktstr_wctx *c, uint64_t deadline)
{
	struct timespec ts = {
		.tv_sec = deadline / 1000000000ull,
		.tv_nsec = deadline % 1000000000ull,
	};

	while (!stopping(c) && ktstr_now_ns() < deadline)
		ktstr_futex(&c->sh->stop, FUTEX_WAIT_BITSET, 0, &ts,
			    FUTEX_BITSET_MATCH_ANY);
	if (deadline > c->last)
		c->last = deadline;
	return stopping(c);
}

/* For a worker with nothing left to do (its partner died): idle. */
static void wait_for_stop(struct ktstr_wctx *c)
{
	while (!stopping(c))
		ktstr_futex(&c->sh->stop, FUTEX_WAIT, 0, NULL, 0);
}

static void do_spin(struct ktstr_wctx *c)
{
	do
		spin_chunk(c);
	while (!checkpoint(c));
}

static void do_yield(struct ktstr_wctx *c)
{
	do {
		spin_chunk(c);
		if (checkpoint(c))
			return;
	} while (!sched_yield());
}

/*
 * Runs for duty_pct of each period and sleeps the rest.  Periods begin
 * at start + phase + k * period; a worker that overran skips the periods
 * it missed rather than catching up.  A worker that wakes after its
 * window has closed still does one chunk, so that its late wakeup shows
 * as a gap.
 */
static void periodic(struct ktstr_wctx *c, uint64_t phase)
{
	uint64_t run = c->period_ns * c->duty_pct / 100;
	uint64_t b = c->sh->start_ns + phase, now;
	bool woke = true;

	if (phase)
		b -= c->period_ns;
	for (;;) {
		now = ktstr_now_ns();
		if (now >= b + c->period_ns)
			b += (now - b) / c->period_ns * c->period_ns;
		if (now < b + run || woke) {
			woke = false;
			spin_chunk(c);
			if (checkpoint(c))
				return;
			continue;
		}
		b += c->period_ns;
		if (sleep_until(c, b))
			return;
		woke = true;
	}
}

/* Staggered phases keep MIXED workers from acting in lockstep. */
static void do_mixed(struct ktstr_wctx *c)
{
	periodic(c, c->period_ns * c->idx / c->w->n);
}

static void do_bursty(struct ktstr_wctx *c)
{
	periodic(c, 0);
}

/* A short burst (a fifth of a chunk) per period, like a task doing I/O. */
static void do_sleep_io(struct ktstr_wctx *c)
{
	uint64_t iters = c->sh->chunk_iters / 5 + 1;

	while (!sleep_until(c, ktstr_now_ns() + c->period_ns)) {
		ktstr_spin(iters);
		if (checkpoint(c))
			return;
	}
}

static bool pipe_xfer(int fd, bool out)
{
	char byte = 0;
	ssize_t n;

	do
		n = out ? write(fd, &byte, 1) : read(fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	return n == 1;
}

/*
 * The even worker of a pair sends first.  At stop the parent writes a
 * byte into every pipe, so a worker blocked on a stopped or dead partner
 * still gets out.
 */
static void do_pipe_pingpong(struct ktstr_wctx *c)
{
	bool first = !(c->idx & 1);

	for (;;) {
		if (first && !pipe_xfer(c->wfd, true))
			break;
		if (!pipe_xfer(c->rfd, false) || stopping(c))
			break;
		if (checkpoint(c))
			return;
		if (!first && !pipe_xfer(c->wfd, true))
			break;
	}
	wait_for_stop(c);
}

/*
 * The pair's word says whose turn it is (0 or 1, the even worker first);
 * the parent sets PAIR_STOP at stop.  Turns pass with a compare and
 * exchange so that PAIR_STOP is never overwritten.
 */
static void do_futex_pingpong(struct ktstr_wctx *c)
{
	uint32_t *word = &c->sh->slot[c->idx & ~1u].pair_word;
	uint32_t me = c->idx & 1, other = !me, v, expected;

	for (;;) {
		while ((v = __atomic_load_n(word, __ATOMIC_ACQUIRE)) == other)
			ktstr_futex(word, FUTEX_WAIT, other, NULL, 0);
		if (v == PAIR_STOP || checkpoint(c))
			return;
		expected = me;
		if (!__atomic_compare_exchange_n(word, &expected, other, false,
						 __ATOMIC_RELEASE,
						 __ATOMIC_RELAXED))
			return;
		ktstr_futex(word, FUTEX_WAKE, 1, NULL, 0);
	}
}

static void do_fork_churn(struct ktstr_wctx *c)
{
	pid_t pid;

	do {
		pid = fork();
		if (!pid)
			_exit(0);
		if (pid < 0) {
			/* Out of processes for now: let some exit. */
			ktstr_sleep_ms(1);
			continue;
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	} while (!checkpoint(c));
}

/* The next CPU of @set after @cpu, wrapping; @set is not empty. */
static unsigned int next_cpu(const cpu_set_t *set, unsigned int cpu)
{
	do
		cpu = (cpu + 1) % KTSTR_MAX_CPUS;
	while (!CPU_ISSET(cpu, set));
	return cpu;
}

/* One chunk per CPU, in turn; a CPU the cpuset forbids is just skipped. */
static void do_affinity_churn(struct ktstr_wctx *c)
{
	unsigned int cpu = KTSTR_MAX_CPUS - 1;
	cpu_set_t one;

	do {
		cpu = next_cpu(&c->w->affinity, cpu);
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		sched_setaffinity(0, sizeof(one), &one);
		spin_chunk(c);
	} while (!checkpoint(c));
}

void ktstr_work_run(struct ktstr_wctx *c)
{
	static void (* const run[])(struct ktstr_wctx *) = {
		[KTSTR_WORK_SPIN] = do_spin,
		[KTSTR_WORK_YIELD] = do_yield,
		[KTSTR_WORK_MIXED] = do_mixed,
		[KTSTR_WORK_SLEEP_IO] = do_sleep_io,
		[KTSTR_WORK_BURSTY] = do_bursty,
		[KTSTR_WORK_PIPE_PINGPONG] = do_pipe_pingpong,
		[KTSTR_WORK_FUTEX_PINGPONG] = do_futex_pingpong,
		[KTSTR_WORK_FORK_CHURN] = do_fork_churn,
		[KTSTR_WORK_AFFINITY_CHURN] = do_affinity_churn,
		[KTSTR_WORK_NICE_SWEEP] = do_spin,
		[KTSTR_WORK_FORK_EXIT] = ktstr_do_fork_exit,
		[KTSTR_WORK_THREAD_CHURN] = ktstr_do_thread_churn,
		[KTSTR_WORK_EXEC] = ktstr_do_exec,
		[KTSTR_WORK_AFFINITY_STORM] = ktstr_do_affinity_storm,
		[KTSTR_WORK_YIELD_STORM] = ktstr_do_yield_storm,
		[KTSTR_WORK_THREADS] = ktstr_do_threads,
		[KTSTR_WORK_POLICY_SWITCH] = ktstr_do_policy_switch,
		[KTSTR_WORK_KILL_CHURN] = ktstr_do_kill_churn,
		[KTSTR_WORK_RT_HOG] = ktstr_do_rt_hog,
		[KTSTR_WORK_RT_BURST] = ktstr_do_rt_burst,
	};

	run[c->w->spec.kind](c);
}

bool ktstr_checkpoint(struct ktstr_wctx *c)
{
	return checkpoint(c);
}

bool ktstr_stopping(const struct ktstr_wctx *c)
{
	return stopping(c);
}

bool ktstr_sleep_until(struct ktstr_wctx *c, uint64_t deadline)
{
	return sleep_until(c, deadline);
}

void ktstr_work_failed(struct ktstr_wctx *c, int err)
{
	c->slot->stats.failures++;
	c->slot->stats.last_errno = err;
}
