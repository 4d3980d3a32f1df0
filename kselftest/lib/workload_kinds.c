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
#include <sys/prctl.h>
#include <sys/resource.h>
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

/* What a woken worker does before it waits again: a fifth of a chunk. */
static void think(const struct ktstr_wctx *c)
{
	ktstr_spin(c->sh->chunk_iters / 5 + 1);
}

/* The partner's send time, taken as the wake-up; 0 before its first. */
static void record_since(struct ktstr_wctx *c, uint64_t posted)
{
	uint64_t now = ktstr_now_ns();

	if (posted && now >= posted)
		ktstr_record_latency(c, now - posted);
}

static void mark_sent(struct ktstr_wctx *c)
{
	__atomic_store_n(&c->slot->posted_ns, ktstr_now_ns(), __ATOMIC_RELEASE);
}

static uint64_t partner_sent(const struct ktstr_wctx *c)
{
	return __atomic_load_n(&c->sh->slot[c->idx ^ 1].posted_ns,
			       __ATOMIC_ACQUIRE);
}

/* Wakes worker @to with the time of posting. */
static void post(struct ktstr_wctx *c, unsigned int to)
{
	struct ktstr_slot *slot = &c->sh->slot[to];

	__atomic_store_n(&slot->posted_ns, ktstr_now_ns(), __ATOMIC_RELAXED);
	__atomic_store_n(&slot->posted_cpu, sched_getcpu(), __ATOMIC_RELAXED);
	__atomic_add_fetch(&slot->wake_seq, 1, __ATOMIC_RELEASE);
	ktstr_futex(&slot->wake_seq, FUTEX_WAKE, 1, NULL, 0);
}

/*
 * Waits for a post newer than @seen and records how long after the post
 * it runs.  Returns false on stop (the stop is posted too).
 */
static bool wait_post(struct ktstr_wctx *c, uint32_t *seen)
{
	uint32_t seq;

	for (;;) {
		if (stopping(c))
			return false;
		seq = __atomic_load_n(&c->slot->wake_seq, __ATOMIC_ACQUIRE);
		if (seq != *seen)
			break;
		ktstr_futex(&c->slot->wake_seq, FUTEX_WAIT, seq, NULL, 0);
	}
	*seen = seq;
	if (stopping(c))
		return false;
	record_since(c, __atomic_load_n(&c->slot->posted_ns,
					__ATOMIC_RELAXED));
	if (sched_getcpu() == __atomic_load_n(&c->slot->posted_cpu,
					      __ATOMIC_RELAXED))
		c->slot->stats.lat_on_waker_cpu++;
	return true;
}

/* The next of the deadlines @phase + k periods after the start, after now. */
static uint64_t next_deadline(const struct ktstr_wctx *c, uint64_t prev)
{
	uint64_t now = ktstr_now_ns();

	prev += c->period_ns;
	if (prev <= now)
		prev += ((now - prev) / c->period_ns + 1) * c->period_ns;
	return prev;
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
		if (first)
			mark_sent(c);
		if (first && !pipe_xfer(c->wfd, true))
			break;
		if (!pipe_xfer(c->rfd, false) || stopping(c))
			break;
		record_since(c, partner_sent(c));
		if (checkpoint(c))
			return;
		if (!first)
			mark_sent(c);
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
		if (v == PAIR_STOP)
			return;
		record_since(c, partner_sent(c));
		if (checkpoint(c))
			return;
		mark_sent(c);
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

/*
 * Worker 0 is the message thread: every period it posts to each of the
 * others and wakes it; they record how long after their post they run,
 * think a little and wait again.
 */
/* A wakee: each post wakes it, it records the delay and thinks a little. */
static void serve_posts(struct ktstr_wctx *c)
{
	uint32_t seen = 0;

	while (wait_post(c, &seen)) {
		think(c);
		if (checkpoint(c))
			return;
	}
}

static void do_schbench(struct ktstr_wctx *c)
{
	uint64_t next = c->sh->start_ns;
	unsigned int i, n = c->w->n;

	if (c->idx) {
		serve_posts(c);
		return;
	}
	for (;;) {
		for (i = 1; i < n; i++)
			post(c, i);
		if (checkpoint(c))
			return;
		next = next_deadline(c, next);
		if (sleep_until(c, next))
			return;
	}
}

/*
 * Sleeps to a periodic deadline (phases staggered like MIXED) and records
 * how late it runs; timer slack is 1 ns so that only scheduling counts.
 */
static void do_timer(struct ktstr_wctx *c)
{
	uint64_t next = c->sh->start_ns + c->period_ns * c->idx / c->w->n;

	prctl(PR_SET_TIMERSLACK, 1UL);
	for (;;) {
		next = next_deadline(c, next);
		if (sleep_until(c, next))
			return;
		record_since(c, next);
		think(c);
		if (checkpoint(c))
			return;
	}
}

/* One token goes around the ring 0, 1, ..., n - 1, 0, ... */
static void do_wake_chain(struct ktstr_wctx *c)
{
	unsigned int next = (c->idx + 1) % c->w->n;
	uint32_t seen = 0;

	if (!c->idx)
		post(c, next);
	while (wait_post(c, &seen)) {
		think(c);
		if (checkpoint(c))
			return;
		post(c, next);
	}
}

/*
 * The even worker of a pair spins and posts to the odd one every period
 * without stopping: the odd one must be run elsewhere than on its busy
 * waker's CPU to run at once.
 */
static void do_spin_waker(struct ktstr_wctx *c)
{
	uint64_t next = c->sh->start_ns;

	if (c->idx & 1) {
		serve_posts(c);
		return;
	}
	for (;;) {
		spin_chunk(c);
		if (checkpoint(c))
			return;
		if (ktstr_now_ns() < next)
			continue;
		post(c, c->idx + 1);
		next = next_deadline(c, next);
	}
}

/* Its statistics start again at the renice: they show the new weight. */
static void restart_stats(struct ktstr_wctx *c)
{
	struct ktstr_worker_stats *st = &c->slot->stats;

	ktstr_read_sched(&c->base);
	st->work = 0;
	st->max_gap_ns = 0;
	st->llc_migrations = 0;
	st->node_migrations = 0;
	CPU_ZERO(&st->cpus_used);
	c->last = ktstr_now_ns();
}

/* Nice 0 for the first period, then spec.nice. */
static void do_renice(struct ktstr_wctx *c)
{
	uint64_t at = c->sh->start_ns + c->period_ns;
	int nice = c->w->spec.nice;

	while (ktstr_now_ns() < at) {
		spin_chunk(c);
		if (checkpoint(c))
			return;
	}
	if (setpriority(PRIO_PROCESS, 0, nice) == 0)
		c->slot->stats.nice = nice;
	restart_stats(c);
	do_spin(c);
}

/* All sleep the first part of each period, then all spin its duty. */
static void do_sleep_burst(struct ktstr_wctx *c)
{
	periodic(c, c->period_ns - c->period_ns * c->duty_pct / 100);
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
		[KTSTR_WORK_SCHBENCH] = do_schbench,
		[KTSTR_WORK_TIMER] = do_timer,
		[KTSTR_WORK_WAKE_CHAIN] = do_wake_chain,
		[KTSTR_WORK_SPIN_WAKER] = do_spin_waker,
		[KTSTR_WORK_SCHED_IDLE] = do_spin,
		[KTSTR_WORK_SCHED_BATCH] = do_spin,
		[KTSTR_WORK_RENICE] = do_renice,
		[KTSTR_WORK_SLEEP_BURST] = do_sleep_burst,
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
