// SPDX-License-Identifier: GPL-2.0
/*
 * Workloads: forked worker processes, not threads, so that each has its
 * own schedstat and can be moved between cgroups on its own.  Statistics
 * live in a MAP_SHARED mapping; the parent reads them after the workers
 * have exited.
 *
 * Life of a worker: fork, place itself (cgroup, affinity, nice), report
 * ready, wait for the common start, work until the stop flag, read its
 * scheduler statistics from /proc/self, mark its slot done and exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

#define MAX_WORKERS 1024
/* Forking and placing many workers is slow under TCG. */
#define READY_TIMEOUT_MS 30000
/* How long a stopped worker may take to report before it is killed. */
#define STOP_GRACE_MS 5000
#define CHUNK_NS 500000ull
#define DEFAULT_PERIOD_US 10000
#define DEFAULT_DUTY_PCT 50
#define DEFAULT_RENICE_AFTER_US 1000000

/* ---- small helpers ----------------------------------------------------- */

uint64_t ktstr_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void ktstr_sleep_ms(unsigned int ms)
{
	uint64_t deadline = ktstr_now_ns() + ms * 1000000ull;
	struct timespec ts = {
		.tv_sec = deadline / 1000000000ull,
		.tv_nsec = deadline % 1000000000ull,
	};

	/* Absolute, so that signals do not stretch the sleep. */
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

/*
 * "cpu<N> yld 0 sched goidle ttwu ttwu_local cpu_time run_delay pcount":
 * pcount counts whether or not schedstats are enabled (sched_info is),
 * goidle only while they are.  Without /proc/schedstat
 * (CONFIG_SCHEDSTATS=n) there are none.
 */
static void read_arrivals(struct ktstr_cpu_idle *out)
{
	unsigned long long goidle, pcount;
	char line[512];
	unsigned int cpu;
	FILE *f;

	f = fopen("/proc/schedstat", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "cpu%u %*u %*u %*u %llu %*u %*u %*u %*u %llu",
			   &cpu, &goidle, &pcount) != 3 ||
		    cpu >= KTSTR_MAX_CPUS)
			continue;
		out->goidle[cpu] = goidle;
		out->arrivals[cpu] = pcount;
		out->has_arrivals = true;
	}
	fclose(f);
}

/*
 * Count idle entries from now on (each test has a VM of its own, so it
 * stays on for the rest of the test only); best effort.
 */
void ktstr_schedstats_on(void)
{
	int fd = open("/proc/sys/kernel/sched_schedstats", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	/* Without it the idle periods are bounded by arrivals instead. */
	(void)!write(fd, "1", 1);
	close(fd);
}

/*
 * /proc/stat counts in USER_HZ ticks; idle includes the current idle
 * period of a CPU that is idle now, so the figure is up to date.
 */
int ktstr_cpu_idle_read(struct ktstr_cpu_idle *out)
{
	unsigned long long idle, iowait;
	long hz = sysconf(_SC_CLK_TCK);
	char line[512];
	unsigned int cpu;
	FILE *f;

	memset(out, 0, sizeof(*out));
	f = fopen("/proc/stat", "re");
	if (!f)
		return ktstr_fail("open /proc/stat: %s", strerror(errno));
	out->at_ns = ktstr_now_ns();
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "cpu%u %*u %*u %*u %llu %llu", &cpu, &idle,
			   &iowait) != 3 || cpu >= KTSTR_MAX_CPUS)
			continue;
		CPU_SET(cpu, &out->cpus);
		out->idle_ns[cpu] = (idle + iowait) * (1000000000ull / hz);
	}
	fclose(f);
	if (!CPU_COUNT(&out->cpus))
		return ktstr_fail("/proc/stat lists no CPU");
	read_arrivals(out);
	return 0;
}

long ktstr_futex(uint32_t *uaddr, int op, uint32_t val,
		 const struct timespec *ts, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, val3);
}

/* Work the compiler cannot fold away: an xorshift chain. */
uint64_t ktstr_spin(uint64_t iters)
{
	uint64_t x = 88172645463325252ull;

	while (iters--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

/*
 * Iterations of ktstr_spin() in CHUNK_NS, measured once per process so
 * that all workloads of a test count work in the same unit.  The fastest
 * of a few runs is the one least disturbed by other tasks.
 */
static uint64_t chunk_iters(void)
{
	static uint64_t iters;
	uint64_t n = 1000, t, best = UINT64_MAX;
	int run;

	if (iters)
		return iters;
	for (;;) {
		t = ktstr_now_ns();
		ktstr_spin(n);
		t = ktstr_now_ns() - t;
		if (t >= 2000000)
			break;
		n *= 2;
	}
	for (run = 0; run < 3; run++) {
		t = ktstr_now_ns();
		ktstr_spin(n);
		t = ktstr_now_ns() - t;
		if (t < best)
			best = t;
	}
	iters = n * CHUNK_NS / (best ? best : 1);
	if (!iters)
		iters = 1;
	return iters;
}

bool ktstr_is_pingpong(enum ktstr_work_kind kind)
{
	return kind == KTSTR_WORK_PIPE_PINGPONG ||
	       kind == KTSTR_WORK_FUTEX_PINGPONG ||
	       kind == KTSTR_WORK_SPIN_WAKER;
}

/* Kinds in which one worker wakes others: a lone worker has no one. */
static unsigned int min_workers(enum ktstr_work_kind kind)
{
	return kind == KTSTR_WORK_SCHBENCH || kind == KTSTR_WORK_WAKE_CHAIN ?
	       2 : 1;
}

static const char * const kind_names[] = {
	[KTSTR_WORK_SPIN] = "spin",
	[KTSTR_WORK_YIELD] = "yield",
	[KTSTR_WORK_MIXED] = "mixed",
	[KTSTR_WORK_SLEEP_IO] = "sleep-io",
	[KTSTR_WORK_BURSTY] = "bursty",
	[KTSTR_WORK_PIPE_PINGPONG] = "pipe-pingpong",
	[KTSTR_WORK_FUTEX_PINGPONG] = "futex-pingpong",
	[KTSTR_WORK_FORK_CHURN] = "fork-churn",
	[KTSTR_WORK_AFFINITY_CHURN] = "affinity-churn",
	[KTSTR_WORK_NICE_SWEEP] = "nice-sweep",
	[KTSTR_WORK_SCHBENCH] = "schbench",
	[KTSTR_WORK_TIMER] = "timer",
	[KTSTR_WORK_WAKE_CHAIN] = "wake-chain",
	[KTSTR_WORK_SPIN_WAKER] = "spin-waker",
	[KTSTR_WORK_SCHED_IDLE] = "sched-idle",
	[KTSTR_WORK_SCHED_BATCH] = "sched-batch",
	[KTSTR_WORK_RENICE] = "renice",
	[KTSTR_WORK_SLEEP_BURST] = "sleep-burst",
	[KTSTR_WORK_FORK_EXIT] = "fork-exit",
	[KTSTR_WORK_THREAD_CHURN] = "thread-churn",
	[KTSTR_WORK_EXEC] = "exec",
	[KTSTR_WORK_AFFINITY_STORM] = "affinity-storm",
	[KTSTR_WORK_YIELD_STORM] = "yield-storm",
	[KTSTR_WORK_THREADS] = "threads",
	[KTSTR_WORK_POLICY_SWITCH] = "policy-switch",
	[KTSTR_WORK_KILL_CHURN] = "kill-churn",
	[KTSTR_WORK_RT_HOG] = "rt-hog",
	[KTSTR_WORK_RT_BURST] = "rt-burst",
};

#define NR_KINDS ARRAY_SIZE(kind_names)

const char *ktstr_work_kind_name(enum ktstr_work_kind kind)
{
	if ((unsigned int)kind >= NR_KINDS)
		return "unknown";
	return kind_names[kind];
}

/* ---- in the worker ----------------------------------------------------- */

static int worker_nice(const struct ktstr_workers *w, unsigned int i)
{
	if (w->spec.kind == KTSTR_WORK_RENICE)
		return 0;	/* spec.nice comes later */
	if (w->spec.kind != KTSTR_WORK_NICE_SWEEP)
		return w->spec.nice;
	return w->n > 1 ? i * 19 / (w->n - 1) : 0;
}

/* SCHED_IDLE and SCHED_BATCH kinds; SCHED_OTHER for the rest. */
static int set_policy(enum ktstr_work_kind kind)
{
	struct sched_param param = { 0 };
	int policy = SCHED_OTHER;

	if (kind == KTSTR_WORK_SCHED_IDLE)
		policy = SCHED_IDLE;
	else if (kind == KTSTR_WORK_SCHED_BATCH)
		policy = SCHED_BATCH;
	else
		return 0;
	if (sched_setscheduler(0, policy, &param) < 0)
		return ktstr_fail("sched_setscheduler(%s): %s",
				  policy == SCHED_IDLE ? "SCHED_IDLE" :
				  "SCHED_BATCH", strerror(errno));
	return 0;
}

static int set_affinity(const cpu_set_t *cpus)
{
	char list[1024];

	if (sched_setaffinity(0, sizeof(*cpus), cpus) < 0)
		return ktstr_fail("sched_setaffinity(%s): %s",
				  ktstr_cpus_format(cpus, list,
						    sizeof(list)) ?: "?",
				  strerror(errno));
	return 0;
}

/* The start CPU of spin-waker pair @pair: the pair-th of the start set. */
static void pair_start_cpu(const struct ktstr_workers *w, unsigned int pair,
			   cpu_set_t *out)
{
	unsigned int n = CPU_COUNT(&w->start_affinity), cpu, seen = 0;

	CPU_ZERO(out);
	for (cpu = 0; cpu < KTSTR_MAX_CPUS; cpu++)
		if (CPU_ISSET(cpu, &w->start_affinity) && seen++ == pair % n) {
			CPU_SET(cpu, out);
			return;
		}
}

static bool pinned_waker(const struct ktstr_wctx *c)
{
	return c->w->spec.pin_wakers && c->w->has_start_affinity &&
	       c->w->spec.kind == KTSTR_WORK_SPIN_WAKER && !(c->idx & 1);
}

/* The worker's own CPUs: the group's, or one of them (one_cpu_each). */
static void worker_affinity(const struct ktstr_workers *w, unsigned int idx,
			    cpu_set_t *out)
{
	unsigned int nth = idx % CPU_COUNT(&w->affinity), cpu;

	*out = w->affinity;
	if (!w->spec.one_cpu_each)
		return;
	for (cpu = 0; cpu < KTSTR_MAX_CPUS; cpu++)
		if (CPU_ISSET(cpu, &w->affinity) && !nth--)
			break;
	CPU_ZERO(out);
	CPU_SET(cpu, out);
}

static int place(struct ktstr_wctx *c)
{
	const struct ktstr_workers *w = c->w;
	int nice = worker_nice(w, c->idx);
	const cpu_set_t *first;
	cpu_set_t mine, pair_cpu;

	worker_affinity(w, c->idx, &mine);
	first = w->has_start_affinity ? &w->start_affinity : &mine;
	if (w->spec.pin_wakers && w->has_start_affinity &&
	    w->spec.kind == KTSTR_WORK_SPIN_WAKER) {
		pair_start_cpu(w, c->idx / 2, &pair_cpu);
		first = &pair_cpu;
	}
	if (w->spec.cgroup && ktstr_cgroup_move(w->spec.cgroup, getpid()) < 0)
		return -1;
	if (set_affinity(first) < 0)
		return -1;
	if (setpriority(PRIO_PROCESS, 0, nice) < 0)
		return ktstr_fail("setpriority(nice %d): %s", nice,
				  strerror(errno));
	if (set_policy(w->spec.kind) < 0)
		return -1;
	c->slot->stats.nice = nice;
	return ktstr_kind_place(c);
}

/* At the start: off the start CPUs, and note where it may run now. */
static void take_final_affinity(struct ktstr_wctx *c)
{
	struct ktstr_worker_stats *st = &c->slot->stats;

	cpu_set_t mine;

	if (c->w->has_start_affinity && !pinned_waker(c)) {
		worker_affinity(c->w, c->idx, &mine);
		set_affinity(&mine);
	}
	if (sched_getaffinity(0, sizeof(st->cpus_allowed), &st->cpus_allowed))
		CPU_ZERO(&st->cpus_allowed);
}

/* Keeps only this worker's own pipe ends. */
static void take_pipes(struct ktstr_wctx *c)
{
	const struct ktstr_workers *w = c->w;
	unsigned int pair = c->idx / 2, i;
	int *fds = w->fds + pair * 4;	/* even->odd pipe, odd->even pipe */

	c->rfd = c->idx & 1 ? fds[0] : fds[2];
	c->wfd = c->idx & 1 ? fds[3] : fds[1];
	for (i = 0; i < 2 * w->n; i++)
		if (w->fds[i] != c->rfd && w->fds[i] != c->wfd)
			close(w->fds[i]);
}

static uint64_t sched_field(const char *text, const char *name)
{
	size_t len = strlen(name);
	const char *p = text;

	/* Lines look like "se.nr_migrations      :      12". */
	while ((p = strstr(p, name))) {
		if ((p == text || p[-1] == '\n') &&
		    (p[len] == ' ' || p[len] == ':'))
			return strtoull(strchr(p, ':') + 1, NULL, 10);
		p += len;
	}
	return UINT64_MAX;
}

/* Older kernels lack nr_switches; the two kinds add up to it. */
static uint64_t nr_switches(const char *text)
{
	uint64_t vol, invol, sw = sched_field(text, "nr_switches");

	if (sw != UINT64_MAX)
		return sw;
	vol = sched_field(text, "nr_voluntary_switches");
	invol = sched_field(text, "nr_involuntary_switches");
	if (vol == UINT64_MAX || invol == UINT64_MAX)
		return 0;
	return vol + invol;
}

void ktstr_read_sched(struct ktstr_worker_stats *st)
{
	unsigned long long cpu, delay;
	char buf[8192];

	if (ktstr_read_file("/proc/self/schedstat", buf, sizeof(buf)) > 0 &&
	    sscanf(buf, "%llu %llu", &cpu, &delay) == 2) {
		st->cpu_ns = cpu;
		st->run_delay_ns = delay;
	}
	if (ktstr_read_file("/proc/self/sched", buf, sizeof(buf)) <= 0)
		return;
	st->nr_migrations = sched_field(buf, "se.nr_migrations");
	if (st->nr_migrations == UINT64_MAX)
		st->nr_migrations = 0;
	st->nr_switches = nr_switches(buf);
}

/* What the worker did since @base: placement is not part of the run. */
void ktstr_sched_since(struct ktstr_worker_stats *st,
		       const struct ktstr_worker_stats *base)
{
	struct ktstr_worker_stats now = { 0 };

	ktstr_read_sched(&now);
	st->cpu_ns = now.cpu_ns - base->cpu_ns;
	st->run_delay_ns = now.run_delay_ns - base->run_delay_ns;
	st->nr_migrations = now.nr_migrations - base->nr_migrations;
	st->nr_switches = now.nr_switches - base->nr_switches;
}

/* A worker's own percentiles, for the per-worker report. */
static void summarize_latency(struct ktstr_slot *slot)
{
	struct ktstr_worker_stats *st = &slot->stats;

	if (!st->lat_count)
		return;
	st->lat_p50_ns = ktstr_hist_percentile(slot->lat_hist, st->lat_count,
					       50);
	st->lat_p99_ns = ktstr_hist_percentile(slot->lat_hist, st->lat_count,
					       99);
	if (st->lat_p99_ns > st->lat_max_ns)
		st->lat_p99_ns = st->lat_max_ns;
	if (st->lat_p50_ns > st->lat_p99_ns)
		st->lat_p50_ns = st->lat_p99_ns;
}

static void wait_for_go(struct ktstr_shared *sh)
{
	while (!__atomic_load_n(&sh->go, __ATOMIC_ACQUIRE))
		ktstr_futex(&sh->go, FUTEX_WAIT, 0, NULL, 0);
}

static void ready(struct ktstr_shared *sh)
{
	__atomic_add_fetch(&sh->nr_ready, 1, __ATOMIC_RELEASE);
	ktstr_futex(&sh->nr_ready, FUTEX_WAKE, 1, NULL, 0);
}

/* A renice worker's period is when it renices: a second into the run. */
static unsigned int default_period_us(const struct ktstr_workers *w)
{
	return w->spec.kind == KTSTR_WORK_RENICE ? DEFAULT_RENICE_AFTER_US :
	       DEFAULT_PERIOD_US;
}

static _Noreturn void worker_main(const struct ktstr_workers *w,
				  unsigned int idx)
{
	struct ktstr_wctx c = {
		.sh = w->sh,
		.slot = &w->sh->slot[idx],
		.w = w,
		.idx = idx,
		.period_ns = (w->spec.period_us ?: default_period_us(w)) *
			     1000ull,
		.duty_pct = w->spec.duty_pct ?: DEFAULT_DUTY_PCT,
		.last_cpu = -1,
	};
	/* A test that dies (a failed ASSERT) must not leave us spinning. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != w->parent)
		_exit(1);
	/* A partner's pipe may close under us: see the error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	c.slot->stats.pid = getpid();
	if (w->fds)
		take_pipes(&c);
	if (place(&c) < 0) {
		snprintf(c.slot->err, sizeof(c.slot->err), "%s",
			 ktstr_errmsg());
		__atomic_store_n(&c.slot->failed, 1, __ATOMIC_RELEASE);
		ready(c.sh);
		_exit(1);
	}
	ktstr_read_sched(&c.base);
	ready(c.sh);
	wait_for_go(c.sh);
	take_final_affinity(&c);
	c.last = c.sh->start_ns;
	ktstr_work_run(&c);
	ktstr_sched_since(&c.slot->stats, &c.base);
	summarize_latency(c.slot);
	__atomic_store_n(&c.slot->done, 1, __ATOMIC_RELEASE);
	_exit(0);
}

/* ---- in the parent ----------------------------------------------------- */

static int check_spec(const struct ktstr_work_spec *spec)
{
	const char *name = ktstr_work_kind_name(spec->kind);

	if ((unsigned int)spec->kind >= NR_KINDS)
		return ktstr_fail("unknown work kind %d", spec->kind);
	if (spec->nr_workers < min_workers(spec->kind) ||
	    spec->nr_workers > MAX_WORKERS)
		return ktstr_fail("%s: nr_workers %u, want %u-%u", name,
				  spec->nr_workers, min_workers(spec->kind),
				  MAX_WORKERS);
	if (ktstr_is_pingpong(spec->kind) && spec->nr_workers % 2)
		return ktstr_fail("%s: needs an even nr_workers (pairs), got %u",
				  name, spec->nr_workers);
	if (spec->duty_pct > 100)
		return ktstr_fail("%s: duty_pct %u is over 100", name,
				  spec->duty_pct);
	if (spec->cgroup && !spec->cgroup->path[0])
		return ktstr_fail("%s: the cgroup was never created", name);
	if (spec->kind == KTSTR_WORK_AFFINITY_STORM &&
	    (!spec->target || !spec->target->n || spec->target->stopped))
		return ktstr_fail("%s: needs a running target group (spec.target)",
				  name);
	return 0;
}

/* Which LLC and node each CPU is in, for the workers' migration counts. */
static int map_topology(struct ktstr_shared *sh)
{
	struct ktstr_topo t;
	unsigned int i, cpu;

	if (ktstr_topo_read(&t) < 0)
		return -1;
	for (i = 0; i < t.nr_llcs; i++)
		for (cpu = 0; cpu < KTSTR_MAX_CPUS; cpu++)
			if (CPU_ISSET(cpu, &t.llc[i]))
				sh->llc_of[cpu] = i;
	for (i = 0; i < t.nr_nodes; i++)
		for (cpu = 0; cpu < KTSTR_MAX_CPUS; cpu++)
			if (CPU_ISSET(cpu, &t.node[i]))
				sh->node_of[cpu] = i;
	return 0;
}

/* The CPUs the workers may use: the spec's, within the online ones. */
static int pick_affinity(struct ktstr_workers *w)
{
	cpu_set_t online;
	char buf[1024];

	if (ktstr_read_cpulist("/sys/devices/system/cpu/online", &online) < 0)
		return -1;
	if (!w->spec.affinity) {
		w->affinity = online;
	} else {
		CPU_AND(&w->affinity, w->spec.affinity, &online);
		if (!CPU_COUNT(&w->affinity))
			return ktstr_fail("%s: no online CPU in affinity %s",
					  ktstr_work_kind_name(w->spec.kind),
					  ktstr_cpus_format(w->spec.affinity,
							    buf, sizeof(buf)) ?: "?");
	}
	w->spec.affinity = &w->affinity;
	if (!w->spec.start_affinity)
		return 0;
	CPU_AND(&w->start_affinity, w->spec.start_affinity, &online);
	if (!CPU_COUNT(&w->start_affinity))
		return ktstr_fail("%s: no online CPU in start affinity %s",
				  ktstr_work_kind_name(w->spec.kind),
				  ktstr_cpus_format(w->spec.start_affinity,
						    buf, sizeof(buf)) ?: "?");
	w->has_start_affinity = true;
	w->spec.start_affinity = &w->start_affinity;
	return 0;
}

static int make_pipes(struct ktstr_workers *w)
{
	unsigned int i;

	w->fds = malloc(2 * w->n * sizeof(*w->fds));
	if (!w->fds)
		return ktstr_fail("out of memory");
	for (i = 0; i < 2 * w->n; i++)
		w->fds[i] = -1;
	for (i = 0; i < 2 * w->n; i += 2)
		if (pipe2(w->fds + i, O_CLOEXEC) < 0)
			return ktstr_fail("pipe: %s", strerror(errno));
	return 0;
}

static void close_fds(struct ktstr_workers *w, bool read_ends_only)
{
	unsigned int i;

	if (!w->fds)
		return;
	for (i = 0; i < 2 * w->n; i++) {
		if (w->fds[i] < 0 || (read_ends_only && i % 2))
			continue;
		close(w->fds[i]);
		w->fds[i] = -1;
	}
}

static struct ktstr_workers *alloc_workers(const struct ktstr_work_spec *spec)
{
	struct ktstr_workers *w = calloc(1, sizeof(*w));

	if (!w) {
		ktstr_fail("out of memory");
		return NULL;
	}
	w->spec = *spec;
	/* The caller's string need not outlive the call. */
	if (spec->name)
		ktstr_workers_set_name(w, spec->name);
	w->spec.name = NULL;
	w->n = spec->nr_workers;
	w->parent = getpid();
	w->pids = calloc(w->n, sizeof(*w->pids));
	w->reaped = calloc(w->n, sizeof(*w->reaped));
	w->window_start = calloc(w->n, sizeof(*w->window_start));
	w->window_stop = calloc(w->n, sizeof(*w->window_stop));
	w->map_len = sizeof(*w->sh) + w->n * sizeof(w->sh->slot[0]);
	w->sh = mmap(NULL, w->map_len, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w->sh == MAP_FAILED)
		w->sh = NULL;
	if (!w->pids || !w->reaped || !w->sh || !w->window_start ||
	    !w->window_stop) {
		ktstr_fail("out of memory for %u workers", w->n);
		ktstr_workers_free(w);
		return NULL;
	}
	return w;
}

static int fork_workers(struct ktstr_workers *w)
{
	unsigned int i;
	pid_t pid;

	/* Buffered output would otherwise be written once per worker. */
	fflush(NULL);
	for (i = 0; i < w->n; i++) {
		pid = fork();
		if (pid < 0)
			return ktstr_fail("%s: fork worker %u: %s",
					  ktstr_work_kind_name(w->spec.kind),
					  i, strerror(errno));
		if (!pid)
			worker_main(w, i);
		w->pids[i] = pid;
		w->sh->slot[i].stats.pid = pid;
	}
	return 0;
}

/* A worker that failed to place itself, or died before it was ready. */
static int check_workers(struct ktstr_workers *w)
{
	struct ktstr_slot *slot;
	unsigned int i;
	int status;

	for (i = 0; i < w->n; i++) {
		slot = &w->sh->slot[i];
		if (__atomic_load_n(&slot->failed, __ATOMIC_ACQUIRE))
			return ktstr_fail("%s worker %u: %s",
					  ktstr_work_kind_name(w->spec.kind),
					  i, slot->err);
		if (waitpid(w->pids[i], &status, WNOHANG) == w->pids[i]) {
			w->reaped[i] = true;
			return ktstr_fail("%s worker %u (pid %d) died before it started (status 0x%x)",
					  ktstr_work_kind_name(w->spec.kind),
					  i, w->pids[i], status);
		}
	}
	return 0;
}

static int wait_ready(struct ktstr_workers *w)
{
	uint64_t deadline = ktstr_now_ns() + READY_TIMEOUT_MS * 1000000ull;
	struct timespec ts = { .tv_nsec = 10000000 };
	uint32_t n;

	for (;;) {
		n = __atomic_load_n(&w->sh->nr_ready, __ATOMIC_ACQUIRE);
		if (check_workers(w) < 0)
			return -1;
		if (n == w->n)
			return 0;
		if (ktstr_now_ns() > deadline)
			return ktstr_fail("%s: only %u of %u workers ready after %u ms",
					  ktstr_work_kind_name(w->spec.kind),
					  n, w->n, READY_TIMEOUT_MS);
		ktstr_futex(&w->sh->nr_ready, FUTEX_WAIT, n, &ts, 0);
	}
}

/*
 * Each worker's schedstat (CPU time, run delay) read by the parent at
 * the moment of an idle snapshot, so that both cover the same window;
 * a worker's own figures run until it noticed the stop.
 */
static int task_schedstat(pid_t pid, struct ktstr_window *at)
{
	unsigned long long cpu, delay;
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	if (ktstr_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	if (sscanf(buf, "%llu %llu", &cpu, &delay) != 2)
		return ktstr_fail("%s: no CPU time and run delay in '%s'",
				  path, buf);
	at->cpu_ns = cpu;
	at->delay_ns = delay;
	return 0;
}

static void snapshot_workers(struct ktstr_workers *w, struct ktstr_window *at)
{
	unsigned int i;

	/* A worker that is gone keeps zeros: the check leaves it out. */
	for (i = 0; i < w->n; i++)
		task_schedstat(w->pids[i], &at[i]);
}

int ktstr_workers_schedstat(const struct ktstr_workers *w, uint64_t *cpu_ns,
			    uint64_t *delay_ns)
{
	struct ktstr_window one;
	unsigned int i;

	*cpu_ns = 0;
	*delay_ns = 0;
	for (i = 0; i < w->n; i++) {
		if (task_schedstat(w->pids[i], &one) < 0)
			return -1;
		*cpu_ns += one.cpu_ns;
		*delay_ns += one.delay_ns;
	}
	return 0;
}

static void release(struct ktstr_workers *w)
{
	/* No idle accounting only disables the conservation check. */
	snapshot_workers(w, w->window_start);
	if (ktstr_cpu_idle_read(&w->idle_start) < 0)
		w->idle_start.at_ns = 0;
	w->sh->start_ns = ktstr_now_ns();
	__atomic_store_n(&w->sh->go, 1, __ATOMIC_RELEASE);
	ktstr_futex(&w->sh->go, FUTEX_WAKE, INT_MAX, NULL, 0);
}

struct ktstr_workers *ktstr_workers_start(const struct ktstr_work_spec *spec)
{
	struct ktstr_workers *w;

	if (!spec) {
		ktstr_fail("no work spec");
		return NULL;
	}
	if (check_spec(spec) < 0)
		return NULL;
	w = alloc_workers(spec);
	if (!w)
		return NULL;
	w->sh->chunk_iters = chunk_iters();
	if (map_topology(w->sh) < 0 || pick_affinity(w) < 0 ||
	    (spec->kind == KTSTR_WORK_PIPE_PINGPONG && make_pipes(w) < 0) ||
	    fork_workers(w) < 0 || wait_ready(w) < 0) {
		ktstr_workers_free(w);
		return NULL;
	}
	/* Workers hold the read ends; ours only keep them from EOF. */
	close_fds(w, true);
	release(w);
	return w;
}

const char *ktstr_workers_name(const struct ktstr_workers *w)
{
	return w->name[0] ? w->name : ktstr_work_kind_name(w->spec.kind);
}

void ktstr_workers_set_name(struct ktstr_workers *w, const char *name)
{
	/* ktstr_print_stats(ktstr_workers_name(w), w) must not clear it. */
	if (name != w->name)
		snprintf(w->name, sizeof(w->name), "%s", name);
}

unsigned int ktstr_workers_count(const struct ktstr_workers *w)
{
	return w->n;
}

pid_t ktstr_worker_pid(const struct ktstr_workers *w, unsigned int i)
{
	return i < w->n ? w->pids[i] : -1;
}

const struct ktstr_worker_stats *ktstr_worker_stats(const struct ktstr_workers *w,
						    unsigned int i)
{
	return i < w->n ? &w->sh->slot[i].stats : NULL;
}

/* Gets every worker out of its loop, even one blocked on its partner. */
/*
 * Wakes a worker blocked reading its pipe.  Its partner may have exited
 * already; that EPIPE must not become a SIGPIPE that kills the test.
 */
static void poke_pipe(int fd)
{
	struct timespec zero = { 0 };
	sigset_t pipe_set, old;
	char byte = 0;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	if (write(fd, &byte, 1) < 0 && errno == EPIPE)
		sigtimedwait(&pipe_set, NULL, &zero);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void signal_stop(struct ktstr_workers *w)
{
	uint32_t *word;
	unsigned int i;

	__atomic_store_n(&w->sh->stop, 1, __ATOMIC_RELEASE);
	ktstr_futex(&w->sh->stop, FUTEX_WAKE, INT_MAX, NULL, 0);
	for (i = 0; w->spec.kind == KTSTR_WORK_FUTEX_PINGPONG && i < w->n;
	     i += 2) {
		word = &w->sh->slot[i].pair_word;
		__atomic_store_n(word, PAIR_STOP, __ATOMIC_RELEASE);
		ktstr_futex(word, FUTEX_WAKE, INT_MAX, NULL, 0);
	}
	/* Workers waiting to be posted to: a post they see as the stop. */
	for (i = 0; i < w->n; i++) {
		word = &w->sh->slot[i].wake_seq;
		__atomic_add_fetch(word, 1, __ATOMIC_RELEASE);
		ktstr_futex(word, FUTEX_WAKE, INT_MAX, NULL, 0);
	}
	/* Pipes hold 64 KiB: a byte more never blocks. */
	for (i = 1; w->fds && i < 2 * w->n; i += 2)
		poke_pipe(w->fds[i]);
}

static void reap_one(struct ktstr_workers *w, unsigned int i, int status,
		     bool killed)
{
	struct ktstr_worker_stats *st = &w->sh->slot[i].stats;
	bool done = __atomic_load_n(&w->sh->slot[i].done, __ATOMIC_ACQUIRE);

	w->reaped[i] = true;
	st->pid = w->pids[i];
	st->exited_early = killed || !done || !WIFEXITED(status) ||
			   WEXITSTATUS(status);
	st->wall_ns = w->stop_ns - w->sh->start_ns;
	st->offcpu_ns = st->wall_ns > st->cpu_ns ? st->wall_ns - st->cpu_ns : 0;
}

/* Reaps the workers that have exited; returns how many are left. */
static unsigned int reap_exited(struct ktstr_workers *w)
{
	unsigned int i, left = 0;
	int status;

	for (i = 0; i < w->n; i++) {
		if (w->reaped[i])
			continue;
		if (waitpid(w->pids[i], &status, WNOHANG) == w->pids[i])
			reap_one(w, i, status, false);
		else
			left++;
	}
	return left;
}

static void kill_rest(struct ktstr_workers *w)
{
	unsigned int i;
	int status = 0;

	for (i = 0; i < w->n; i++) {
		if (w->reaped[i] || w->pids[i] <= 0)
			continue;
		kill(w->pids[i], SIGKILL);
		while (waitpid(w->pids[i], &status, 0) < 0 && errno == EINTR)
			;
		reap_one(w, i, status, true);
	}
}

int ktstr_workers_stop(struct ktstr_workers *w)
{
	uint64_t deadline;

	if (w->stopped)
		return ktstr_fail("%s workers were already stopped",
				  ktstr_work_kind_name(w->spec.kind));
	/*
	 * The workers' window ends before the CPUs' (and starts after it:
	 * they only wait for the start then): the workers' figures never
	 * cover time the idle figures do not.
	 */
	snapshot_workers(w, w->window_stop);
	if (ktstr_cpu_idle_read(&w->idle_stop) < 0)
		w->idle_stop.at_ns = 0;
	w->stop_ns = ktstr_now_ns();
	signal_stop(w);
	deadline = w->stop_ns + STOP_GRACE_MS * 1000000ull;
	while (reap_exited(w) && ktstr_now_ns() < deadline)
		ktstr_sleep_ms(1);
	/* Stuck (stopped, livelocked): it has had its chance. */
	kill_rest(w);
	close_fds(w, false);
	w->stopped = true;
	return 0;
}

void ktstr_workers_free(struct ktstr_workers *w)
{
	if (!w)
		return;
	if (w->sh && w->pids && w->reaped) {
		if (!w->stopped)
			w->stop_ns = ktstr_now_ns();
		__atomic_store_n(&w->sh->stop, 1, __ATOMIC_RELEASE);
		kill_rest(w);
	}
	close_fds(w, false);
	free(w->fds);
	if (w->sh)
		munmap(w->sh, w->map_len);
	free(w->pids);
	free(w->reaped);
	free(w->window_start);
	free(w->window_stop);
	free(w);
}

void ktstr_workers_free_all(struct ktstr_workers **w, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		ktstr_workers_free(w[i]);
		w[i] = NULL;
	}
}

int ktstr_workers_run(const struct ktstr_work_spec *specs, unsigned int n,
		      unsigned int ms, struct ktstr_workers **out)
{
	unsigned int i;

	memset(out, 0, n * sizeof(*out));
	for (i = 0; i < n; i++) {
		if (!specs[i].nr_workers)
			continue;
		out[i] = ktstr_workers_start(&specs[i]);
		if (!out[i])
			goto fail;
	}
	ktstr_sleep_ms(ms);
	for (i = 0; i < n; i++)
		if (out[i] && ktstr_workers_stop(out[i]) < 0)
			goto fail;
	for (i = 0; i < n; i++) {
		char name[sizeof(out[i]->name)];

		if (!out[i])
			continue;
		snprintf(name, sizeof(name), "%s", ktstr_workers_name(out[i]));
		ktstr_print_stats(name, out[i]);
	}
	return 0;
fail:
	ktstr_workers_free_all(out, n);
	return -1;
}
