// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the test library itself: topology, cpuset builders, cgroups
 * and every kind of workload.  They hold on any machine (in a ktstr VM or
 * as an ordinary kselftest); the cgroup tests SKIP where /sys/fs/cgroup
 * is not a writable cgroup2 mount.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <math.h>

#include <jansson.h>

#include "kselftest_harness.h"
#include "ktstr.h"
#include "internal.h"

#define RUN_MS 1000

static void log_set(struct __test_metadata *_metadata, const char *what,
		    const cpu_set_t *set)
{
	char buf[1024];

	TH_LOG("%s: %s", what, ktstr_cpus_format(set, buf, sizeof(buf)) ?: "?");
}

/* ---- topology ---------------------------------------------------------- */

/* Every online CPU in exactly one of @groups, and nothing else there. */
static void check_partition(struct __test_metadata *_metadata,
			    const struct ktstr_topo *t, const cpu_set_t *groups,
			    unsigned int nr, const char *what)
{
	unsigned int cpu, g, found;

	ASSERT_GE(nr, 1);
	for (g = 0; g < nr; g++) {
		cpu_set_t extra;

		EXPECT_GT(CPU_COUNT(&groups[g]), 0) TH_LOG("%s %u is empty",
							   what, g);
		CPU_XOR(&extra, &groups[g], &t->all);
		CPU_AND(&extra, &extra, &groups[g]);
		EXPECT_EQ(0, CPU_COUNT(&extra)) TH_LOG("%s %u has offline CPUs",
						       what, g);
	}
	for (cpu = 0; cpu < KTSTR_MAX_CPUS; cpu++) {
		if (!CPU_ISSET(cpu, &t->all))
			continue;
		for (found = 0, g = 0; g < nr; g++)
			found += !!CPU_ISSET(cpu, &groups[g]);
		EXPECT_EQ(1, found) TH_LOG("CPU %u is in %u %s groups", cpu,
					   found, what);
	}
}

TEST(topology_consistent)
{
	struct ktstr_topo t;
	unsigned int i;

	ASSERT_EQ(0, ktstr_topo_read(&t)) TH_LOG("%s", ktstr_errmsg());
	TH_LOG("%u CPUs, %u LLCs, %u nodes, %u threads per core", t.nr_cpus,
	       t.nr_llcs, t.nr_nodes, t.threads_per_core);
	for (i = 0; i < t.nr_llcs; i++)
		log_set(_metadata, "LLC", &t.llc[i]);
	for (i = 0; i < t.nr_nodes; i++)
		log_set(_metadata, "node", &t.node[i]);
	EXPECT_EQ(t.nr_cpus, CPU_COUNT(&t.all));
	EXPECT_EQ(t.nr_cpus, sysconf(_SC_NPROCESSORS_ONLN));
	check_partition(_metadata, &t, t.llc, t.nr_llcs, "LLC");
	check_partition(_metadata, &t, t.node, t.nr_nodes, "node");
	ASSERT_GE(t.threads_per_core, 1);
	EXPECT_EQ(0, t.nr_cpus % t.threads_per_core);
}

TEST(split_sizes)
{
	unsigned int parts, idx, size, min, max;
	cpu_set_t part, seen, both;
	struct ktstr_topo t;

	ASSERT_EQ(0, ktstr_topo_read(&t)) TH_LOG("%s", ktstr_errmsg());
	for (parts = 1; parts <= t.nr_cpus; parts++) {
		CPU_ZERO(&seen);
		min = UINT_MAX;
		max = 0;
		for (idx = 0; idx < parts; idx++) {
			ASSERT_EQ(0, ktstr_cpus_split(&t, parts, idx, &part))
				TH_LOG("%s", ktstr_errmsg());
			size = CPU_COUNT(&part);
			min = size < min ? size : min;
			max = size > max ? size : max;
			CPU_AND(&both, &seen, &part);
			EXPECT_EQ(0, CPU_COUNT(&both))
				TH_LOG("%u parts: part %u overlaps", parts, idx);
			CPU_OR(&seen, &seen, &part);
		}
		EXPECT_LE(max - min, 1) TH_LOG("%u parts: sizes %u-%u", parts,
					       min, max);
		EXPECT_TRUE(CPU_EQUAL(&seen, &t.all)) TH_LOG("%u parts", parts);
	}
	EXPECT_EQ(-1, ktstr_cpus_split(&t, t.nr_cpus + 1, 0, &part));
	EXPECT_NE(0, ktstr_errmsg()[0]);
	EXPECT_EQ(-1, ktstr_cpus_split(&t, 0, 0, &part));
	EXPECT_EQ(-1, ktstr_cpus_split(&t, 2, 2, &part));
}

TEST(overlap_sizes)
{
	unsigned int parts, idx, overlap, want;
	cpu_set_t split, next, over, missing;
	struct ktstr_topo t;

	ASSERT_EQ(0, ktstr_topo_read(&t)) TH_LOG("%s", ktstr_errmsg());
	for (parts = 1; parts <= t.nr_cpus; parts++) {
		for (idx = 0; idx < parts; idx++) {
			for (overlap = 0; overlap <= 2; overlap++) {
				ASSERT_EQ(0, ktstr_cpus_overlapping(&t, parts, idx,
								    overlap,
								    &over));
				ASSERT_EQ(0, ktstr_cpus_split(&t, parts, idx,
							      &split));
				ASSERT_EQ(0, ktstr_cpus_split(&t, parts,
							      (idx + 1) % parts,
							      &next));
				want = CPU_COUNT(&split) + overlap;
				if (want > t.nr_cpus)
					want = t.nr_cpus;
				EXPECT_EQ(want, CPU_COUNT(&over))
					TH_LOG("%u parts, slice %u, overlap %u",
					       parts, idx, overlap);
				CPU_XOR(&missing, &split, &over);
				CPU_AND(&missing, &missing, &split);
				EXPECT_EQ(0, CPU_COUNT(&missing));
				/* The first extra CPU is the next slice's first. */
				if (overlap && parts > 1) {
					CPU_AND(&next, &next, &over);
					EXPECT_GE(CPU_COUNT(&next), 1);
				}
			}
		}
	}
	EXPECT_EQ(-1, ktstr_cpus_overlapping(&t, t.nr_cpus + 1, 0, 1, &over));
}

TEST(cpus_format_parse)
{
	static const char * const lists[] = {
		"", "0", "0-3,8", "1,3,5", "0-255", "2-3,10-12,200",
	};
	char buf[2048];
	cpu_set_t s, back;
	unsigned int i, cpu;

	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		ASSERT_EQ(0, ktstr_cpus_parse(lists[i], &s))
			TH_LOG("'%s': %s", lists[i], ktstr_errmsg());
		ASSERT_NE(NULL, ktstr_cpus_format(&s, buf, sizeof(buf)));
		EXPECT_STREQ(lists[i], buf);
	}
	/* Every other CPU: the longest list for its size. */
	CPU_ZERO(&s);
	for (cpu = 0; cpu < KTSTR_MAX_CPUS; cpu += 2)
		CPU_SET(cpu, &s);
	ASSERT_NE(NULL, ktstr_cpus_format(&s, buf, sizeof(buf)));
	ASSERT_EQ(0, ktstr_cpus_parse(buf, &back));
	EXPECT_TRUE(CPU_EQUAL(&s, &back));
	EXPECT_EQ(NULL, ktstr_cpus_format(&s, buf, 8));

	ASSERT_EQ(0, ktstr_cpus_parse(" 0-1, 4\n", &s));
	EXPECT_EQ(3, CPU_COUNT(&s));
	EXPECT_EQ(-1, ktstr_cpus_parse("3-1", &s));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "3-1"));
	EXPECT_EQ(-1, ktstr_cpus_parse("x", &s));
	EXPECT_EQ(-1, ktstr_cpus_parse("1-", &s));
	EXPECT_EQ(-1, ktstr_cpus_parse("1,,2", &s));
	EXPECT_EQ(-1, ktstr_cpus_parse("99999", &s));
}

/* ---- workloads --------------------------------------------------------- */

enum pin { PIN_NONE, PIN_HALF, PIN_ONE };

FIXTURE(work) {
	struct ktstr_topo topo;
	cpu_set_t affinity;
};

FIXTURE_VARIANT(work) {
	enum ktstr_work_kind kind;
	unsigned int nr_workers;
	enum pin pin;
	unsigned int duty_pct;
	unsigned int period_us;
};

FIXTURE_VARIANT_ADD(work, spin) {
	.kind = KTSTR_WORK_SPIN, .nr_workers = 4, .pin = PIN_HALF,
};

FIXTURE_VARIANT_ADD(work, yield) {
	.kind = KTSTR_WORK_YIELD, .nr_workers = 3,
};

FIXTURE_VARIANT_ADD(work, mixed) {
	.kind = KTSTR_WORK_MIXED, .nr_workers = 3, .duty_pct = 30,
};

FIXTURE_VARIANT_ADD(work, sleep_io) {
	.kind = KTSTR_WORK_SLEEP_IO, .nr_workers = 2, .pin = PIN_HALF,
};

FIXTURE_VARIANT_ADD(work, bursty) {
	.kind = KTSTR_WORK_BURSTY, .nr_workers = 4,
};

FIXTURE_VARIANT_ADD(work, pipe_pingpong) {
	.kind = KTSTR_WORK_PIPE_PINGPONG, .nr_workers = 4, .pin = PIN_HALF,
};

FIXTURE_VARIANT_ADD(work, futex_pingpong) {
	.kind = KTSTR_WORK_FUTEX_PINGPONG, .nr_workers = 2,
};

FIXTURE_VARIANT_ADD(work, fork_churn) {
	.kind = KTSTR_WORK_FORK_CHURN, .nr_workers = 2,
};

FIXTURE_VARIANT_ADD(work, affinity_churn) {
	.kind = KTSTR_WORK_AFFINITY_CHURN, .nr_workers = 2, .pin = PIN_HALF,
};

/* All on one CPU, so that the weights decide who runs. */
FIXTURE_VARIANT_ADD(work, nice_sweep) {
	.kind = KTSTR_WORK_NICE_SWEEP, .nr_workers = 4, .pin = PIN_ONE,
};

FIXTURE_VARIANT_ADD(work, schbench) {
	.kind = KTSTR_WORK_SCHBENCH, .nr_workers = 3,
};

FIXTURE_VARIANT_ADD(work, timer) {
	.kind = KTSTR_WORK_TIMER, .nr_workers = 2, .pin = PIN_HALF,
};

FIXTURE_VARIANT_ADD(work, wake_chain) {
	.kind = KTSTR_WORK_WAKE_CHAIN, .nr_workers = 3,
};

FIXTURE_VARIANT_ADD(work, spin_waker) {
	.kind = KTSTR_WORK_SPIN_WAKER, .nr_workers = 2,
};

FIXTURE_VARIANT_ADD(work, sched_idle) {
	.kind = KTSTR_WORK_SCHED_IDLE, .nr_workers = 2, .pin = PIN_HALF,
};

FIXTURE_VARIANT_ADD(work, sched_batch) {
	.kind = KTSTR_WORK_SCHED_BATCH, .nr_workers = 2,
};

FIXTURE_VARIANT_ADD(work, renice) {
	.kind = KTSTR_WORK_RENICE, .nr_workers = 2, .pin = PIN_ONE,
	/*
	 * Renice well inside the run: the figures restart at the renice,
	 * and its default second is the whole run here.
	 */
	.period_us = RUN_MS * 1000 / 4,
};

FIXTURE_VARIANT_ADD(work, sleep_burst) {
	.kind = KTSTR_WORK_SLEEP_BURST, .nr_workers = 2, .duty_pct = 30,
};

FIXTURE_VARIANT_ADD(work, fork_exit) {
	.kind = KTSTR_WORK_FORK_EXIT, .nr_workers = 2,
};

FIXTURE_VARIANT_ADD(work, thread_churn) {
	.kind = KTSTR_WORK_THREAD_CHURN, .nr_workers = 2, .pin = PIN_HALF,
};

FIXTURE_VARIANT_ADD(work, exec) {
	.kind = KTSTR_WORK_EXEC, .nr_workers = 1,
};

FIXTURE_VARIANT_ADD(work, yield_storm) {
	.kind = KTSTR_WORK_YIELD_STORM, .nr_workers = 3, .pin = PIN_ONE,
};

FIXTURE_VARIANT_ADD(work, threads) {
	.kind = KTSTR_WORK_THREADS, .nr_workers = 2,
};

FIXTURE_VARIANT_ADD(work, policy_switch) {
	.kind = KTSTR_WORK_POLICY_SWITCH, .nr_workers = 2, .pin = PIN_HALF,
};

FIXTURE_VARIANT_ADD(work, kill_churn) {
	.kind = KTSTR_WORK_KILL_CHURN, .nr_workers = 1,
};

/* One RT hog on the last CPU: the others keep the machine going. */
FIXTURE_VARIANT_ADD(work, rt_hog) {
	.kind = KTSTR_WORK_RT_HOG, .nr_workers = 1, .pin = PIN_ONE,
};

FIXTURE_VARIANT_ADD(work, rt_burst) {
	.kind = KTSTR_WORK_RT_BURST, .nr_workers = 2, .duty_pct = 20,
};

FIXTURE_SETUP(work)
{
	ASSERT_EQ(0, ktstr_topo_read(&self->topo)) TH_LOG("%s", ktstr_errmsg());
	if (variant->pin == PIN_ONE) {
		CPU_ZERO(&self->affinity);
		CPU_SET(self->topo.nr_cpus - 1, &self->affinity);
	} else if (self->topo.nr_cpus > 1) {
		ASSERT_EQ(0, ktstr_cpus_split(&self->topo, 2, 1,
					      &self->affinity));
	} else {
		self->affinity = self->topo.all;
	}
}

FIXTURE_TEARDOWN(work)
{
}

static void log_worker(struct __test_metadata *_metadata,
		       const struct ktstr_worker_stats *st, unsigned int i)
{
	char cpus[1024];

	TH_LOG("worker %u pid %d nice %d: work %llu wall %llu ms cpu %llu ms delay %llu ms gap %llu us migr %llu sw %llu cpus %s%s",
	       i, st->pid, st->nice, (unsigned long long)st->work,
	       (unsigned long long)st->wall_ns / 1000000,
	       (unsigned long long)st->cpu_ns / 1000000,
	       (unsigned long long)st->run_delay_ns / 1000000,
	       (unsigned long long)st->max_gap_ns / 1000,
	       (unsigned long long)st->nr_migrations,
	       (unsigned long long)st->nr_switches,
	       ktstr_cpus_format(&st->cpus_used, cpus, sizeof(cpus)) ?: "?",
	       st->exited_early ? " EXITED EARLY" : "");
}

static bool blocks(enum ktstr_work_kind kind)
{
	switch (kind) {
	case KTSTR_WORK_SPIN:
	case KTSTR_WORK_YIELD:
	case KTSTR_WORK_AFFINITY_CHURN:
	case KTSTR_WORK_NICE_SWEEP:
	case KTSTR_WORK_SPIN_WAKER:	/* the waker spins */
	case KTSTR_WORK_SCHED_IDLE:
	case KTSTR_WORK_SCHED_BATCH:
	case KTSTR_WORK_RENICE:
	case KTSTR_WORK_YIELD_STORM:
	case KTSTR_WORK_POLICY_SWITCH:
	case KTSTR_WORK_RT_HOG:
		return false;
	default:
		return true;
	}
}

/* Who is woken in each kind that measures wake-up latency. */
static bool records_latency(enum ktstr_work_kind kind, unsigned int i)
{
	switch (kind) {
	case KTSTR_WORK_PIPE_PINGPONG:
	case KTSTR_WORK_FUTEX_PINGPONG:
	case KTSTR_WORK_TIMER:
	case KTSTR_WORK_WAKE_CHAIN:
		return true;
	case KTSTR_WORK_SCHBENCH:
		return i > 0;		/* 0 is the message thread */
	case KTSTR_WORK_SPIN_WAKER:
		return i & 1;		/* the even one wakes */
	default:
		return false;
	}
}

static void check_worker(struct __test_metadata *_metadata,
			 enum ktstr_work_kind kind, unsigned int nr_workers,
			 const cpu_set_t *affinity,
			 const struct ktstr_worker_stats *st, unsigned int i,
			 uint64_t outside_ns)
{
	cpu_set_t outside;

	EXPECT_FALSE(st->exited_early);
	EXPECT_GT(st->work, 0);
	EXPECT_EQ(0, st->failures) TH_LOG("worker %u: %s", i,
					  strerror(st->last_errno));
	if (kind == KTSTR_WORK_KILL_CHURN || kind == KTSTR_WORK_RT_BURST)
		EXPECT_GT(st->lat_count, 0);
	EXPECT_GE(st->wall_ns, RUN_MS * 1000000ull);
	EXPECT_LE(st->wall_ns, outside_ns);
	EXPECT_GT(st->cpu_ns, 0);
	EXPECT_EQ(st->wall_ns > st->cpu_ns ? st->wall_ns - st->cpu_ns : 0,
		  st->offcpu_ns);
	/* A spinner alone on its CPU may well never be switched out. */
	if (blocks(kind))
		EXPECT_GT(st->nr_switches, 0);
	EXPECT_GT(st->max_gap_ns, 0);
	if (affinity) {
		CPU_XOR(&outside, &st->cpus_used, affinity);
		CPU_AND(&outside, &outside, &st->cpus_used);
		EXPECT_EQ(0, CPU_COUNT(&outside)) TH_LOG("worker %u ran outside its affinity", i);
	}
	if (kind == KTSTR_WORK_AFFINITY_CHURN)
		EXPECT_TRUE(CPU_EQUAL(&st->cpus_used, affinity))
			TH_LOG("worker %u did not visit every CPU", i);
	if (kind == KTSTR_WORK_NICE_SWEEP)
		EXPECT_EQ(i * 19 / (nr_workers - 1), st->nice);
	if (records_latency(kind, i))
		EXPECT_GT(st->lat_count, 0) TH_LOG("worker %u recorded no wake-up", i);
	EXPECT_GT(CPU_COUNT(&st->cpus_allowed), 0);
}

TEST_F_TIMEOUT(work, runs, 120)
{
	struct ktstr_work_spec spec = {
		.kind = variant->kind,
		.nr_workers = variant->nr_workers,
		.affinity = variant->pin == PIN_NONE ? NULL : &self->affinity,
		.duty_pct = variant->duty_pct,
		.period_us = variant->period_us,
	};
	const struct ktstr_worker_stats *first, *last;
	struct ktstr_workers *w;
	uint64_t t0, t1, t2;
	unsigned int i;

	if ((variant->kind == KTSTR_WORK_RT_HOG ||
	     variant->kind == KTSTR_WORK_RT_BURST) && geteuid())
		SKIP(return, "SCHED_FIFO needs root");
	t0 = ktstr_now_ns();
	w = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	t1 = ktstr_now_ns();
	ASSERT_EQ(variant->nr_workers, ktstr_workers_count(w));
	ktstr_sleep_ms(RUN_MS);
	ASSERT_EQ(0, ktstr_workers_stop(w)) TH_LOG("%s", ktstr_errmsg());
	t2 = ktstr_now_ns();
	TH_LOG("%s: start %llu ms, stop %llu ms",
	       ktstr_work_kind_name(variant->kind),
	       (unsigned long long)(t1 - t0) / 1000000,
	       (unsigned long long)(t2 - t1) / 1000000 - RUN_MS);
	for (i = 0; i < variant->nr_workers; i++) {
		log_worker(_metadata, ktstr_worker_stats(w, i), i);
		check_worker(_metadata, variant->kind, variant->nr_workers,
			     spec.affinity, ktstr_worker_stats(w, i), i,
			     t2 - t0);
	}
	if (variant->kind == KTSTR_WORK_NICE_SWEEP) {
		first = ktstr_worker_stats(w, 0);
		last = ktstr_worker_stats(w, variant->nr_workers - 1);
		EXPECT_GT(first->work, last->work);
	}
	ktstr_workers_free(w);
}

TEST(pingpong_needs_pairs)
{
	struct ktstr_work_spec spec = { .nr_workers = 3 };

	spec.kind = KTSTR_WORK_PIPE_PINGPONG;
	EXPECT_EQ(NULL, ktstr_workers_start(&spec));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "even")) TH_LOG("%s", ktstr_errmsg());
	spec.kind = KTSTR_WORK_FUTEX_PINGPONG;
	EXPECT_EQ(NULL, ktstr_workers_start(&spec));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "futex-pingpong"));
	spec.kind = KTSTR_WORK_SPIN;
	spec.nr_workers = 0;
	EXPECT_EQ(NULL, ktstr_workers_start(&spec));
	spec.nr_workers = 1;
	spec.duty_pct = 101;
	EXPECT_EQ(NULL, ktstr_workers_start(&spec));
	EXPECT_STREQ("nice-sweep", ktstr_work_kind_name(KTSTR_WORK_NICE_SWEEP));
	EXPECT_STREQ("unknown", ktstr_work_kind_name(99));
}

TEST(stop_kills_stuck_worker)
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_SPIN,
		.nr_workers = 2,
	};
	struct ktstr_workers *w;
	uint64_t t;

	w = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(200);
	ASSERT_EQ(0, kill(ktstr_worker_pid(w, 0), SIGSTOP));
	t = ktstr_now_ns();
	ASSERT_EQ(0, ktstr_workers_stop(w)) TH_LOG("%s", ktstr_errmsg());
	t = ktstr_now_ns() - t;
	TH_LOG("stop took %llu ms", (unsigned long long)t / 1000000);
	EXPECT_LT(t, 7000000000ull);
	EXPECT_TRUE(ktstr_worker_stats(w, 0)->exited_early);
	EXPECT_FALSE(ktstr_worker_stats(w, 1)->exited_early);
	/* What it did before it was stopped still counts. */
	EXPECT_GT(ktstr_worker_stats(w, 0)->work, 0);
	EXPECT_GT(ktstr_worker_stats(w, 1)->work, 0);
	ktstr_workers_free(w);
}

TEST(worker_death_is_early_exit)
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_FUTEX_PINGPONG,
		.nr_workers = 2,
	};
	struct ktstr_workers *w;

	w = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(200);
	ASSERT_EQ(0, kill(ktstr_worker_pid(w, 1), SIGKILL));
	ktstr_sleep_ms(100);
	ASSERT_EQ(0, ktstr_workers_stop(w)) TH_LOG("%s", ktstr_errmsg());
	EXPECT_FALSE(ktstr_worker_stats(w, 0)->exited_early);
	EXPECT_TRUE(ktstr_worker_stats(w, 1)->exited_early);
	ktstr_workers_free(w);
}

/*
 * Stopping wakes pipe ping-pong workers with a byte; a pipe whose reader
 * is already gone must give EPIPE, not a SIGPIPE that kills the test.
 */
TEST(stop_after_pipe_partners_died)
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_PIPE_PINGPONG,
		.nr_workers = 2,
	};
	struct ktstr_workers *w;

	w = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(200);
	ASSERT_EQ(0, kill(ktstr_worker_pid(w, 0), SIGKILL));
	ASSERT_EQ(0, kill(ktstr_worker_pid(w, 1), SIGKILL));
	ktstr_sleep_ms(100);
	ASSERT_EQ(0, ktstr_workers_stop(w)) TH_LOG("%s", ktstr_errmsg());
	EXPECT_TRUE(ktstr_worker_stats(w, 0)->exited_early);
	EXPECT_TRUE(ktstr_worker_stats(w, 1)->exited_early);
	ktstr_workers_free(w);
}

/* ---- cgroups ----------------------------------------------------------- */

/* The cgroup v2 path of @pid, from /proc/<pid>/cgroup. */
static void cgroup_of(pid_t pid, char *buf, size_t len)
{
	char path[64], text[4096], *p;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	buf[0] = '\0';
	if (ktstr_read_file(path, text, sizeof(text)) < 0)
		return;
	p = strstr(text, "0::");
	if (p)
		snprintf(buf, len, "%.*s", (int)strcspn(p + 3, "\n"), p + 3);
}

FIXTURE(cg) {
	struct ktstr_topo topo;
	struct ktstr_cgroup a, b;
	cpu_set_t half_a, half_b;
};

FIXTURE_SETUP(cg)
{
	const char *why = ktstr_cgroup_unavailable();

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, ktstr_topo_read(&self->topo)) TH_LOG("%s", ktstr_errmsg());
	if (self->topo.nr_cpus > 1) {
		ASSERT_EQ(0, ktstr_cpus_split(&self->topo, 2, 0, &self->half_a));
		ASSERT_EQ(0, ktstr_cpus_split(&self->topo, 2, 1, &self->half_b));
	} else {
		self->half_a = self->topo.all;
		self->half_b = self->topo.all;
	}
	ASSERT_EQ(0, ktstr_cgroup_create(&self->a, "lib_test_a"))
		TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_cgroup_create(&self->b, "lib_test_b"))
		TH_LOG("%s", ktstr_errmsg());
}

FIXTURE_TEARDOWN(cg)
{
	if (self->a.path[0] && ktstr_cgroup_remove(&self->a))
		TH_LOG("%s", ktstr_errmsg());
	if (self->b.path[0] && ktstr_cgroup_remove(&self->b))
		TH_LOG("%s", ktstr_errmsg());
}

TEST_F(cg, cpus)
{
	cpu_set_t eff, bad;
	char why[1024];

	EXPECT_STREQ("/sys/fs/cgroup/ktstr/lib_test_a", self->a.path);
	ASSERT_EQ(0, ktstr_cgroup_set_cpus(&self->a, &self->half_a))
		TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_cgroup_effective_cpus(&self->a, &eff));
	EXPECT_TRUE(CPU_EQUAL(&eff, &self->half_a));
	ASSERT_EQ(0, ktstr_cgroup_set_cpus(&self->a, NULL));
	ASSERT_EQ(0, ktstr_cgroup_effective_cpus(&self->a, &eff));
	EXPECT_TRUE(CPU_EQUAL(&eff, &self->topo.all));

	/* A CPU the machine lacks: the message says where and what. */
	CPU_ZERO(&bad);
	CPU_SET(KTSTR_MAX_CPUS - 1, &bad);
	EXPECT_EQ(-1, ktstr_cgroup_set_cpus(&self->a, &bad));
	snprintf(why, sizeof(why), "%s", ktstr_errmsg());
	EXPECT_NE(NULL, strstr(why, "lib_test_a/cpuset.cpus")) TH_LOG("%s", why);
	EXPECT_NE(NULL, strstr(why, "'255'")) TH_LOG("%s", why);

	EXPECT_EQ(0, ktstr_cgroup_set_weight(&self->a, 200))
		TH_LOG("%s", ktstr_errmsg());
	EXPECT_EQ(-1, ktstr_cgroup_set_weight(&self->a, 0));
}

/*
 * Workers are in their cgroup when start returns, stay in its CPUs, and
 * follow a move to another cgroup.
 */
TEST_F_TIMEOUT(cg, workers, 120)
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_SPIN,
		.nr_workers = 2,
		.cgroup = &self->a,
	};
	const struct ktstr_worker_stats *st;
	struct ktstr_workers *w;
	cpu_set_t outside;
	char where[256];
	unsigned int i;

	ASSERT_EQ(0, ktstr_cgroup_set_cpus(&self->a, &self->half_a))
		TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_cgroup_set_cpus(&self->b, &self->half_b))
		TH_LOG("%s", ktstr_errmsg());
	w = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	for (i = 0; i < 2; i++) {
		cgroup_of(ktstr_worker_pid(w, i), where, sizeof(where));
		EXPECT_STREQ("/ktstr/lib_test_a", where);
	}
	ktstr_sleep_ms(RUN_MS / 2);
	/* Statistics so far are live: a clean cut between the cgroups. */
	while (!ktstr_worker_stats(w, 1)->work)
		ktstr_sleep_ms(10);
	ASSERT_EQ(0, ktstr_cgroup_move(&self->b, ktstr_worker_pid(w, 1)))
		TH_LOG("%s", ktstr_errmsg());
	cgroup_of(ktstr_worker_pid(w, 1), where, sizeof(where));
	EXPECT_STREQ("/ktstr/lib_test_b", where);
	ktstr_sleep_ms(RUN_MS / 2);
	ASSERT_EQ(0, ktstr_workers_stop(w)) TH_LOG("%s", ktstr_errmsg());

	st = ktstr_worker_stats(w, 0);
	log_worker(_metadata, st, 0);
	CPU_XOR(&outside, &st->cpus_used, &self->half_a);
	CPU_AND(&outside, &outside, &st->cpus_used);
	EXPECT_EQ(0, CPU_COUNT(&outside));
	st = ktstr_worker_stats(w, 1);
	log_worker(_metadata, st, 1);
	CPU_AND(&outside, &st->cpus_used, &self->half_b);
	EXPECT_GT(CPU_COUNT(&outside), 0);
	ktstr_workers_free(w);
}

TEST_F(cg, remove_with_tasks)
{
	char where[256];
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		pause();
		_exit(0);
	}
	ASSERT_EQ(0, ktstr_cgroup_move(&self->a, pid)) TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_cgroup_remove(&self->a)) TH_LOG("%s", ktstr_errmsg());
	EXPECT_NE(0, access(self->a.path, F_OK));
	cgroup_of(pid, where, sizeof(where));
	EXPECT_EQ(NULL, strstr(where, "lib_test_a"));
	self->a.path[0] = '\0';
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	EXPECT_EQ(-1, ktstr_cgroup_create(&self->a, "../escape"));
	EXPECT_EQ(-1, ktstr_cgroup_create(&self->a, ""));
}

/* ---- a scheduler binary from the host (ktstr run --scheduler) ---------- */

/*
 * $KTSTR_SCHEDULER replaces every variant's scheduler, under the name of
 * the binary; the host's ops name and claims come with it, checked.
 */
TEST(scheduler_from_the_environment)
{
	struct ktstr_sched s;

	ASSERT_EQ(0, setenv("KTSTR_SCHEDULER", "/nonexistent/scx-mine.v2", 1));
	EXPECT_STREQ("scx_mine_v2", ktstr_sched_effective_name("scx_simple"));
	EXPECT_STREQ("eevdf", ktstr_sched_effective_name("eevdf"));
	ASSERT_EQ(0, setenv("KTSTR_SCHEDULER_IGNORES", "nice,fifo", 1));
	EXPECT_EQ(-1, ktstr_sched_start(&s, "scx_simple"));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(),
			       "KTSTR_SCHEDULER_IGNORES='nice,fifo': 'fifo' is not a claim to waive (known: nice, cgroup-weight, capacity)"))
		TH_LOG("%s", ktstr_errmsg());
	EXPECT_EQ(NULL, s.decl);
	/* It cannot start (no such file, or no sched_ext), but it was read. */
	ASSERT_EQ(0, setenv("KTSTR_SCHEDULER_IGNORES", "cgroup-weight", 1));
	ASSERT_EQ(0, setenv("KTSTR_SCHEDULER_OPS", "mine", 1));
	EXPECT_EQ(-1, ktstr_sched_start(&s, "scx_simple"));
	ASSERT_NE(NULL, s.decl);
	EXPECT_EQ(KTSTR_SCHED_IGNORES_CGROUP_WEIGHT, s.decl->flags);
	EXPECT_STREQ("mine", s.decl->ops_name);
	EXPECT_STREQ("scx_mine_v2", s.name);
}

/* ---- latency histogram ------------------------------------------------- */

#include "workload.h"

/* Every value falls in a bucket whose upper bound is at most 1/16 above it. */
TEST(histogram_buckets)
{
	static const uint64_t v[] = { 0, 1, 15, 16, 17, 31, 32, 1000, 1023,
				      1024, 123456789, 4000000000ull,
				      1ull << 45 };
	unsigned int i, idx, prev = 0;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		idx = ktstr_hist_index(v[i]);
		ASSERT_LT(idx, KTSTR_HIST_BUCKETS);
		EXPECT_GE(idx, prev) TH_LOG("index of %llu went down",
					    (unsigned long long)v[i]);
		prev = idx;
		EXPECT_GE(ktstr_hist_value(idx), v[i]);
		EXPECT_LE(ktstr_hist_value(idx), v[i] + v[i] / 16)
			TH_LOG("%llu read back as %llu",
			       (unsigned long long)v[i],
			       (unsigned long long)ktstr_hist_value(idx));
		if (idx)
			EXPECT_LT(ktstr_hist_value(idx - 1), v[i]);
	}
	/* Beyond the last bucket: clamped, not out of bounds. */
	EXPECT_EQ(KTSTR_HIST_BUCKETS - 1, ktstr_hist_index(UINT64_MAX));
}

TEST(histogram_percentiles)
{
	static uint32_t counts[KTSTR_HIST_BUCKETS];
	uint64_t ns;

	/* 1..1000 us, one sample each: p50 about 500 us, p99 about 990 us. */
	for (ns = 1000; ns <= 1000000; ns += 1000)
		counts[ktstr_hist_index(ns)]++;
	ns = ktstr_hist_percentile(counts, 1000, 50);
	EXPECT_GE(ns, 500000);
	EXPECT_LE(ns, 500000 + 500000 / 16);
	ns = ktstr_hist_percentile(counts, 1000, 99);
	EXPECT_GE(ns, 990000);
	EXPECT_LE(ns, 990000 + 990000 / 16);
	EXPECT_EQ(0, ktstr_hist_percentile(counts, 0, 50));
}

/*
 * Weight 36 against the spinner's 1024: under TCG its wake-ups wait
 * for the spinner's slice (p99 11-46 ms against the group's 4 ms) and
 * still come 560-850 times in 4 s on a quiet host.  SCHED_IDLE woke 8
 * times.
 */
#define SLOW_PAIR_NICE 15

/*
 * How often the slow pair wakes depends on how much CPU the host gives
 * the guest: 281-873 times in 4 s in 18 runs of lib_test with another
 * VM beside it.  So the pairs run until it has woken enough times for a
 * p99 of its own, or for SLOW_PAIR_MAX_MS at most.
 */
#define SLOW_PAIR_MIN_MS 4000
#define SLOW_PAIR_MAX_MS 40000
#define SLOW_PAIR_STEP_MS 250

/* Worker @i on @cpu alone, at @nice. */
static void place_worker(struct __test_metadata *_metadata,
			 const struct ktstr_workers *w, unsigned int i, int cpu,
			 int nice)
{
	pid_t pid = ktstr_worker_pid(w, i);
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	ASSERT_EQ(0, sched_setaffinity(pid, sizeof(one), &one))
		TH_LOG("worker %u: %s", i, strerror(errno));
	ASSERT_EQ(0, setpriority(PRIO_PROCESS, pid, nice))
		TH_LOG("worker %u: %s", i, strerror(errno));
}

/* The fewest wake-ups either of the slow pair (workers 0 and 1) has had. */
static uint64_t slow_pair_wakeups(const struct ktstr_workers *w)
{
	uint64_t a = __atomic_load_n(&ktstr_worker_stats(w, 0)->lat_count,
				     __ATOMIC_RELAXED);
	uint64_t b = __atomic_load_n(&ktstr_worker_stats(w, 1)->lat_count,
				     __ATOMIC_RELAXED);

	return a < b ? a : b;
}

/*
 * Two ping-pong pairs, one alone on CPU 1 and one on CPU 0 beside a
 * spinner, at a nice level that makes its wake-ups wait for the
 * spinner's slice: the slow pair adds few samples to the group's
 * histogram, so the group's p99 misses it and only the workers' own p99
 * show it.
 */
TEST(latency_of_one_worker)
{
	struct ktstr_work_spec spec = { .kind = KTSTR_WORK_PIPE_PINGPONG,
					.nr_workers = 4, .name = "pairs" };
	struct ktstr_work_spec spin = { .kind = KTSTR_WORK_SPIN,
					.nr_workers = 1 };
	struct ktstr_limits l = ktstr_default_limits;
	const struct ktstr_worker_stats *one, *worst = NULL;
	struct ktstr_workers *pp, *sp;
	char why[KTSTR_WHY_LEN];
	struct ktstr_latency group;
	unsigned int i, ran_ms;
	uint64_t count = 0;
	cpu_set_t cpu0;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU: no CPU for the pair on its own");
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	spin.affinity = &cpu0;
	sp = ktstr_workers_start(&spin);
	ASSERT_NE(NULL, sp) TH_LOG("%s", ktstr_errmsg());
	pp = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, pp) TH_LOG("%s", ktstr_errmsg());
	for (i = 0; i < 4; i++)
		place_worker(_metadata, pp, i, i < 2 ? 0 : 1,
			     i < 2 ? SLOW_PAIR_NICE : 0);
	for (ran_ms = 0; ran_ms < SLOW_PAIR_MIN_MS ||
	     (slow_pair_wakeups(pp) < KTSTR_LAT_WORKER_MIN_WAKEUPS &&
	      ran_ms < SLOW_PAIR_MAX_MS); ran_ms += SLOW_PAIR_STEP_MS)
		ktstr_sleep_ms(SLOW_PAIR_STEP_MS);
	ASSERT_EQ(0, ktstr_workers_stop(pp));
	ASSERT_EQ(0, ktstr_workers_stop(sp));

	ASSERT_EQ(0, ktstr_workers_latency(pp, &group));
	for (i = 0; i < 4; i++) {
		one = ktstr_worker_stats(pp, i);
		TH_LOG("worker %u: %llu wake-ups, p50 %lluus p99 %lluus", i,
		       (unsigned long long)one->lat_count,
		       (unsigned long long)one->lat_p50_ns / 1000,
		       (unsigned long long)one->lat_p99_ns / 1000);
		count += one->lat_count;
		if (i < 2 && (!worst || one->lat_p99_ns > worst->lat_p99_ns))
			worst = one;
	}
	EXPECT_EQ(group.count, count);
	TH_LOG("group: %llu wake-ups, p99 %lluus, in %u ms",
	       (unsigned long long)group.count,
	       (unsigned long long)group.p99_ns / 1000, ran_ms);
	ASSERT_GE(worst->lat_count, KTSTR_LAT_WORKER_MIN_WAKEUPS)
		TH_LOG("the pair behind the spinner woke too seldom");
	ASSERT_GT(worst->lat_p99_ns, group.p99_ns);
	/* A limit between the two: the slow pair is named. */
	l.max_lat_p99_us = (group.p99_ns + worst->lat_p99_ns) / 2000;
	l.max_lat_max_us = 0;
	EXPECT_FALSE(ktstr_check_latency(pp, &l, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "pairs worker ")) TH_LOG("%s", why);
	EXPECT_NE(NULL, strstr(why, "the group's p99")) TH_LOG("%s", why);
	ktstr_workers_free(pp);
	ktstr_workers_free(sp);
}

/* ---- structured results ------------------------------------------------ */

/* A group's record and a check's record, read back with jansson. */
TEST(results_records)
{
	char path[] = "/tmp/ktstr-results-XXXXXX", line[65536];
	struct ktstr_work_spec spec = { .kind = KTSTR_WORK_SLEEP_IO,
					.nr_workers = 2, .name = "sleepers" };
	struct ktstr_workers *w;
	json_error_t err;
	json_t *rec;
	FILE *f;
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	close(fd);
	setenv("KTSTR_RESULTS", path, 1);
	w = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(200);
	ASSERT_EQ(0, ktstr_workers_stop(w));
	EXPECT_STREQ("sleepers", ktstr_workers_name(w));
	ktstr_result_group(w);
	ktstr_result_check("share", "sleepers", false, "first line\nsecond",
			   KTSTR_KV({ "expected", 0.75 },
				    { "measured", 0.31 }));
	ktstr_workers_free(w);

	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	rec = json_loads(line, 0, &err);
	ASSERT_NE(NULL, rec) TH_LOG("%s: %s", err.text, line);
	EXPECT_STREQ("group", json_string_value(json_object_get(rec, "type")));
	EXPECT_STREQ("sleepers",
		     json_string_value(json_object_get(rec, "group")));
	EXPECT_EQ(2, json_array_size(json_object_get(rec, "workers")));
	EXPECT_EQ(2, json_integer_value(json_object_get(
		json_object_get(rec, "summary"), "workers")));
	json_decref(rec);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	rec = json_loads(line, 0, &err);
	ASSERT_NE(NULL, rec) TH_LOG("%s: %s", err.text, line);
	EXPECT_STREQ("first line",
		     json_string_value(json_object_get(rec, "reason")));
	EXPECT_FALSE(json_boolean_value(json_object_get(rec, "pass")));
	EXPECT_EQ(0.75, json_real_value(json_object_get(
		json_object_get(rec, "values"), "expected")));
	json_decref(rec);
	fclose(f);
	unsetenv("KTSTR_RESULTS");
	unlink(path);
}

/* ---- weights, water-filling, shares ----------------------------------- */

TEST(nice_weights)
{
	EXPECT_EQ(1024, ktstr_nice_weight(0));
	EXPECT_EQ(88761, ktstr_nice_weight(-20));
	EXPECT_EQ(15, ktstr_nice_weight(19));
	EXPECT_EQ(110, ktstr_nice_weight(10));
	/* Out of range clamps to the ends. */
	EXPECT_EQ(15, ktstr_nice_weight(40));
	EXPECT_EQ(88761, ktstr_nice_weight(-99));
	/* Each step is about 1.25x. */
	for (int nice = -20; nice < 19; nice++) {
		double r = (double)ktstr_nice_weight(nice) /
			   ktstr_nice_weight(nice + 1);

		EXPECT_TRUE(r > 1.19 && r < 1.31) TH_LOG("nice %d: %g", nice, r);
	}
}

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

TEST(water_fill)
{
	const double weight[] = { 3121, 3121, 335, 335, 335, 335 };
	const double ones[] = { 1, 1, 1, 1, 1, 1 };
	double rate[6], bad = -1;

	/* Uncapped: proportional to weight. */
	ASSERT_EQ(0, ktstr_water_fill(weight + 1, ones, 2, 1, rate));
	EXPECT_TRUE(NEAR(rate[0], 3121.0 / 3456)) TH_LOG("%g", rate[0]);
	/* Capped: the heavy two get a CPU each, the rest share 2 CPUs. */
	ASSERT_EQ(0, ktstr_water_fill(weight, ones, 6, 4, rate));
	EXPECT_TRUE(NEAR(rate[0], 1) && NEAR(rate[1], 1));
	EXPECT_TRUE(NEAR(rate[2], 0.5)) TH_LOG("%g", rate[2]);
	/* More CPUs than tasks: everyone is capped. */
	ASSERT_EQ(0, ktstr_water_fill(weight, ones, 6, 8, rate));
	EXPECT_TRUE(NEAR(rate[5], 1));
	/* Bad input names the entity. */
	EXPECT_EQ(-1, ktstr_water_fill(&bad, ones, 1, 1, rate));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "entity 0"))
		TH_LOG("%s", ktstr_errmsg());
}

TEST(fill_confined)
{
	const double weight[] = { 1024, 1024, 1024 }, cap[] = { 1, 1, 1 };
	cpu_set_t cpus[3], many[9];
	double rate[9];
	unsigned int i;

	/* Two tasks pinned to CPU 0, one free on CPUs 0-1: 0.5, 0.5, 1. */
	CPU_ZERO(&cpus[0]);
	CPU_SET(0, &cpus[0]);
	cpus[1] = cpus[0];
	cpus[2] = cpus[0];
	CPU_SET(1, &cpus[2]);
	ASSERT_EQ(0, ktstr_fill_confined(weight, cap, cpus, 3, rate))
		TH_LOG("%s", ktstr_errmsg());
	EXPECT_TRUE(NEAR(rate[0], 0.5) && NEAR(rate[1], 0.5));
	EXPECT_TRUE(NEAR(rate[2], 1)) TH_LOG("%g", rate[2]);
	/* The same set for all: plain water-filling on 2 CPUs. */
	cpus[0] = cpus[2];
	cpus[1] = cpus[2];
	ASSERT_EQ(0, ktstr_fill_confined(weight, cap, cpus, 3, rate));
	EXPECT_TRUE(NEAR(rate[0] + rate[1] + rate[2], 2));
	EXPECT_TRUE(NEAR(rate[0], 2.0 / 3));
	/* Too many distinct sets is refused, with the reason. */
	for (i = 0; i < 9; i++) {
		CPU_ZERO(&many[i]);
		CPU_SET(i, &many[i]);
	}
	{
		double w9[9], c9[9];

		for (i = 0; i < 9; i++) {
			w9[i] = 1024;
			c9[i] = 1;
		}
		EXPECT_EQ(-1, ktstr_fill_confined(w9, c9, many, 9, rate));
		EXPECT_NE(NULL, strstr(ktstr_errmsg(), "distinct CPU sets"))
			TH_LOG("%s", ktstr_errmsg());
		c9[0] = -1;
		EXPECT_EQ(-1, ktstr_fill_confined(w9, c9, many, 1, rate));
		EXPECT_NE(NULL, strstr(ktstr_errmsg(), "entity 0"));
	}
}

/* Expected shares of real (idle) workers: nice 0 vs nice 8, and a cap. */
TEST(share_expected)
{
	struct ktstr_work_spec spec = { .kind = KTSTR_WORK_SLEEP_IO,
					.nr_workers = 2 };
	struct ktstr_share_group g[2] = {
		{ .name = "a", .parent = -1 }, { .name = "b", .parent = -1 },
	};
	char why[KTSTR_WHY_LEN];
	double expected[2];
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	spec.affinity = &one;
	g[0].w = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, g[0].w) TH_LOG("%s", ktstr_errmsg());
	spec.nice = 8;
	g[1].w = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, g[1].w) TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_workers_stop((struct ktstr_workers *)g[0].w));
	ASSERT_EQ(0, ktstr_workers_stop((struct ktstr_workers *)g[1].w));
	ASSERT_EQ(0, ktstr_share_expected(g, 2, expected))
		TH_LOG("%s", ktstr_errmsg());
	EXPECT_TRUE(NEAR(expected[0], 1024.0 / (1024 + 172)))
		TH_LOG("%g", expected[0]);
	/* A cgroup level holding both: the same split inside it. */
	{
		struct ktstr_share_group nest[3] = {
			{ .name = "cg", .cgroup_weight = 100, .parent = -1 },
			{ .name = "a", .w = g[0].w, .parent = 0 },
			{ .name = "b", .w = g[1].w, .parent = 0 },
		};
		double e3[3];

		ASSERT_EQ(0, ktstr_share_expected(nest, 3, e3));
		EXPECT_TRUE(NEAR(e3[0], 1));
		EXPECT_TRUE(NEAR(e3[1], expected[0]));
		/* A parent that is not a cgroup group is refused. */
		nest[2].parent = 1;
		EXPECT_EQ(-1, ktstr_share_expected(nest, 3, e3));
		EXPECT_NE(NULL, strstr(ktstr_errmsg(), "parent"))
			TH_LOG("%s", ktstr_errmsg());
		/* ... and the check fails with that reason. */
		EXPECT_FALSE(ktstr_check_share(nest, 3, &ktstr_default_limits,
					       why, sizeof(why)));
		EXPECT_NE(NULL, strstr(why, "share: group 2's parent"))
			TH_LOG("%s", why);
		EXPECT_EQ(-1, ktstr_share_expected(nest, 0, e3));
		EXPECT_NE(NULL, strstr(ktstr_errmsg(), "0 groups"));
	}
	ktstr_workers_free((struct ktstr_workers *)g[0].w);
	ktstr_workers_free((struct ktstr_workers *)g[1].w);
}

/* The checks' own failures name what is wrong with their input. */
TEST(check_input_errors)
{
	struct ktstr_work_spec spec = { .kind = KTSTR_WORK_SPIN,
					.nr_workers = 2 };
	struct ktstr_limits lax = ktstr_default_limits;
	struct ktstr_workers *w;
	char why[KTSTR_WHY_LEN];
	uint64_t cpu, delay;
	cpu_set_t none;

	w = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(100);
	ASSERT_EQ(0, ktstr_workers_schedstat(w, &cpu, &delay))
		TH_LOG("%s", ktstr_errmsg());
	EXPECT_GT(cpu, 0);
	ASSERT_EQ(0, ktstr_workers_stop(w));
	/* Reaped workers have no schedstat any more: the file is named. */
	EXPECT_EQ(-1, ktstr_workers_schedstat(w, &cpu, &delay));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "/schedstat"))
		TH_LOG("%s", ktstr_errmsg());
	/* A share measured by the test itself: the reason has the figures. */
	EXPECT_FALSE(ktstr_check_share_of("g", 0.9, 0.5, &ktstr_default_limits,
					  why, sizeof(why)));
	EXPECT_STREQ("share: g got 90% of the CPU, expected 50% +- 15%", why);
	/* Spinners record no wake-up: the latency check says so. */
	EXPECT_FALSE(ktstr_check_latency(w, &ktstr_default_limits, why,
					 sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "recorded no wake-up")) TH_LOG("%s", why);
	/*
	 * Idle accounting was taken at start and stop: with a limit of
	 * every CPU only missing accounting fails, not the 100 ms run's
	 * noise (two spinners waiting at their start).
	 */
	lax.max_excess_idle_cpus = KTSTR_MAX_CPUS;
	EXPECT_TRUE(ktstr_check_conservation(w, &lax, why, sizeof(why)))
		TH_LOG("%s", why);
	ktstr_workers_free(w);

	spec.kind = KTSTR_WORK_SCHBENCH;
	spec.nr_workers = 1;
	EXPECT_EQ(NULL, ktstr_workers_start(&spec));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "want 2-"))
		TH_LOG("%s", ktstr_errmsg());
	spec.kind = KTSTR_WORK_SPIN_WAKER;
	spec.nr_workers = 3;
	EXPECT_EQ(NULL, ktstr_workers_start(&spec));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "even"));
	spec.kind = KTSTR_WORK_TIMER;
	spec.nr_workers = 1;
	CPU_ZERO(&none);
	CPU_SET(KTSTR_MAX_CPUS - 1, &none);
	spec.start_affinity = &none;
	EXPECT_EQ(NULL, ktstr_workers_start(&spec));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "start affinity"))
		TH_LOG("%s", ktstr_errmsg());
}

/* Claims: EEVDF claims both; an unknown sched_ext scheduler is an error. */
TEST(claims)
{
	struct ktstr_sched eevdf = { .decl = NULL };
	char why[256];

	EXPECT_EQ(1, ktstr_sched_claims(&eevdf, KTSTR_CLAIM_NICE, why,
					sizeof(why)));
	EXPECT_EQ(1, ktstr_sched_claims(&eevdf, KTSTR_CLAIM_CGROUP_WEIGHT,
					why, sizeof(why)));
	struct ktstr_sched_decl decl = {
		.flags = KTSTR_SCHED_IGNORES_NICE |
			 KTSTR_SCHED_IGNORES_CGROUP_WEIGHT,
	};
	struct ktstr_sched fifo = { .decl = &decl, .name = "fifo" };

	/* What a declaration says it ignores is not claimed, with why. */
	EXPECT_EQ(0, ktstr_sched_claims(&fifo, KTSTR_CLAIM_NICE, why,
					sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "KTSTR_SCHED_IGNORES_NICE")) TH_LOG("%s", why);
	EXPECT_EQ(0, ktstr_sched_claims(&fifo, KTSTR_CLAIM_CGROUP_WEIGHT, why,
					sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "fifo declares")) TH_LOG("%s", why);
	EXPECT_EQ(-1, ktstr_sched_claims(&fifo, 99, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "unknown claim 99"));
	if (geteuid())
		SKIP(return, "listing BPF maps needs root");
	EXPECT_EQ(-1, ktstr_scx_implements("ktstr-no-such-ops",
					   "cgroup_set_weight"));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "ktstr-no-such-ops"))
		TH_LOG("%s", ktstr_errmsg());
}

/* ---- storms, changes mid-run, RT, hotplug ----------------------------- */

static struct ktstr_workers *spinners(struct __test_metadata *_metadata,
				      unsigned int n, const cpu_set_t *cpus)
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_SPIN, .nr_workers = n, .affinity = cpus,
	};
	struct ktstr_workers *w = ktstr_workers_start(&spec);

	if (!w)
		TH_LOG("%s", ktstr_errmsg());
	return w;
}

/* The storm moves its targets within its own affinity, nonstop. */
TEST(affinity_storm_moves_targets)
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_AFFINITY_STORM, .nr_workers = 1,
	};
	struct ktstr_workers *target, *storm;
	cpu_set_t half, now;
	struct ktstr_topo t;
	unsigned int i;

	ASSERT_EQ(0, ktstr_topo_read(&t)) TH_LOG("%s", ktstr_errmsg());
	half = t.all;
	if (t.nr_cpus > 1)
		ASSERT_EQ(0, ktstr_cpus_split(&t, 2, 1, &half));
	EXPECT_EQ(NULL, ktstr_workers_start(&spec));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "spec.target"))
		TH_LOG("%s", ktstr_errmsg());
	target = spinners(_metadata, 2, NULL);
	ASSERT_NE(NULL, target);
	spec.target = target;
	spec.affinity = &half;
	storm = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, storm) TH_LOG("%s", ktstr_errmsg());
	EXPECT_EQ(0, ktstr_workers_wait_work(storm, 50, 30000))
		TH_LOG("%s", ktstr_errmsg());
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, sched_getaffinity(ktstr_worker_pid(target, i),
					       sizeof(now), &now));
		CPU_AND(&now, &now, &half);
		EXPECT_LT(0, CPU_COUNT(&now));
	}
	ASSERT_EQ(0, ktstr_workers_stop(storm));
	ASSERT_EQ(0, ktstr_workers_stop(target));
	EXPECT_EQ(0, ktstr_worker_stats(storm, 0)->failures);
	EXPECT_LE(50, ktstr_worker_stats(storm, 0)->work);
	EXPECT_GT(ktstr_worker_stats(target, 1)->work, 0);
	ktstr_workers_free(storm);
	ktstr_workers_free(target);
}

/*
 * A storm whose operations fail stops waiting at once, and its check
 * names the count, the failures and their errno.
 */
TEST(storm_failures_reported)
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_AFFINITY_STORM, .nr_workers = 1,
	};
	struct ktstr_storm_limits l = ktstr_default_storm_limits;
	struct ktstr_workers *target, *storm;
	char why[KTSTR_WHY_LEN];
	uint64_t t0;

	target = spinners(_metadata, 1, NULL);
	ASSERT_NE(NULL, target);
	spec.target = target;
	storm = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, storm) TH_LOG("%s", ktstr_errmsg());
	/* Its only target gone: every change fails with ESRCH. */
	kill(ktstr_worker_pid(target, 0), SIGKILL);
	waitpid(ktstr_worker_pid(target, 0), NULL, 0);
	t0 = ktstr_now_ns();
	EXPECT_EQ(-1, ktstr_workers_wait_work(storm, 1000000000, 30000));
	EXPECT_LT(ktstr_now_ns() - t0, 10000000000ull);
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "No such process"))
		TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_workers_stop(storm));
	l.min_tasks = 1;
	EXPECT_FALSE(ktstr_check_storm(storm, &l, NULL, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "ESRCH")) TH_LOG("%s", why);
	EXPECT_NE(NULL, strstr(why, "scheduler none")) TH_LOG("%s", why);
	ktstr_workers_free(storm);
	ktstr_workers_free(target);
}

TEST(storm_checks)
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_FORK_EXIT, .nr_workers = 1,
	};
	struct ktstr_storm_limits l = ktstr_default_storm_limits;
	char why[KTSTR_WHY_LEN];
	struct ktstr_workers *w;

	EXPECT_EQ(10000, l.min_tasks);
	EXPECT_EQ(0, l.max_failures);
	w = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	EXPECT_EQ(0, ktstr_workers_wait_work(w, 20, 30000))
		TH_LOG("%s", ktstr_errmsg());
	/* Not there yet: the reason says how far it got, and in how long. */
	EXPECT_EQ(-1, ktstr_workers_wait_work(w, 1000000000, 200));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "units in 200 ms"))
		TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_workers_stop(w));
	l.min_tasks = 20;
	EXPECT_TRUE(ktstr_check_storm(w, &l, NULL, why, sizeof(why)))
		TH_LOG("%s", why);
	l.min_tasks = 1000000000;
	EXPECT_FALSE(ktstr_check_storm(w, &l, NULL, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "want 1000000000")) TH_LOG("%s", why);
	/* Nothing killed: the kill check cannot pass. */
	EXPECT_FALSE(ktstr_check_kill_exit(w, &l, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "no task was killed")) TH_LOG("%s", why);
	/* Every worker gone: waiting for more is pointless. */
	EXPECT_EQ(-1, ktstr_workers_wait_work(w, 1000000000, 10000));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "every worker exited"))
		TH_LOG("%s", ktstr_errmsg());
	ktstr_workers_free(w);
}

/*
 * Starved is kept waiting: a nice-19 spinner on a CPU with two nice-0
 * ones waits runnable nearly all the run and fails; a spinner stopped
 * (not runnable) for most of it did as little, waited not at all, and
 * passes with a line that says so.
 */
TEST(progress_counts_waiting_not_sleeping)
{
	struct ktstr_limits l = ktstr_default_limits;
	char why[KTSTR_WHY_LEN];
	struct ktstr_workers *w;
	struct ktstr_topo t;
	cpu_set_t one;

	ASSERT_EQ(0, ktstr_topo_read(&t)) TH_LOG("%s", ktstr_errmsg());
	CPU_ZERO(&one);
	CPU_SET(t.nr_cpus - 1, &one);
	w = spinners(_metadata, 3, &one);
	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, setpriority(PRIO_PROCESS, ktstr_worker_pid(w, 2), 19));
	ktstr_sleep_ms(1500);
	ASSERT_EQ(0, ktstr_workers_stop(w));
	EXPECT_FALSE(ktstr_check_progress(w, &l, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "worker 2")) TH_LOG("%s", why);
	EXPECT_NE(NULL, strstr(why, "(starved)")) TH_LOG("%s", why);
	EXPECT_NE(NULL, strstr(why, "waited runnable")) TH_LOG("%s", why);
	ktstr_workers_free(w);

	w = spinners(_metadata, 2, NULL);
	ASSERT_NE(NULL, w);
	ktstr_sleep_ms(50);
	ASSERT_EQ(0, kill(ktstr_worker_pid(w, 1), SIGSTOP));
	ktstr_sleep_ms(1500);
	kill(ktstr_worker_pid(w, 1), SIGCONT);
	ASSERT_EQ(0, ktstr_workers_stop(w));
	EXPECT_GT(l.min_work_share * ktstr_worker_stats(w, 0)->work,
		  ktstr_worker_stats(w, 1)->work);
	EXPECT_TRUE(ktstr_check_progress(w, &l, why, sizeof(why)))
		TH_LOG("%s", why);
	ktstr_workers_free(w);
}

/*
 * After a mark, the check sees only what happened since: CPUs the
 * workers left before it do not count, a worker stopped since does.
 */
TEST(after_change_since_mark)
{
	struct ktstr_limits l = ktstr_default_limits;
	char why[KTSTR_WHY_LEN], list[64];
	struct ktstr_workers *w;
	cpu_set_t one, other;
	struct ktstr_topo t;
	unsigned int i;

	ASSERT_EQ(0, ktstr_topo_read(&t)) TH_LOG("%s", ktstr_errmsg());
	w = spinners(_metadata, 2, NULL);
	ASSERT_NE(NULL, w);
	EXPECT_FALSE(ktstr_check_after_change(w, NULL, &l, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "never marked")) TH_LOG("%s", why);
	CPU_ZERO(&one);
	CPU_SET(t.nr_cpus - 1, &one);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, sched_setaffinity(ktstr_worker_pid(w, i),
					       sizeof(one), &one));
	ktstr_sleep_ms(100);
	ktstr_workers_mark(w);
	ktstr_sleep_ms(500);
	EXPECT_TRUE(ktstr_check_after_change(w, &one, &l, why, sizeof(why)))
		TH_LOG("%s", why);
	CPU_XOR(&other, &t.all, &one);
	if (CPU_COUNT(&other)) {
		EXPECT_FALSE(ktstr_check_after_change(w, &other, &l, why,
						      sizeof(why)));
		snprintf(list, sizeof(list), "ran on CPUs %u after the change",
			 t.nr_cpus - 1);
		EXPECT_NE(NULL, strstr(why, list)) TH_LOG("%s", why);
	}
	/* A worker that stops running after the next mark is stranded. */
	ASSERT_EQ(0, kill(ktstr_worker_pid(w, 1), SIGSTOP));
	ktstr_sleep_ms(100);
	ktstr_workers_mark(w);
	ktstr_sleep_ms(500);
	EXPECT_FALSE(ktstr_check_after_change(w, &one, &l, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "worker 1")) TH_LOG("%s", why);
	EXPECT_NE(NULL, strstr(why, "stranded")) TH_LOG("%s", why);
	kill(ktstr_worker_pid(w, 1), SIGCONT);
	ASSERT_EQ(0, ktstr_workers_stop(w));
	ktstr_workers_free(w);
}

static void fake_topo(struct ktstr_topo *t, const char *all,
		      const char * const *llcs, unsigned int nr_llcs)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	ktstr_cpus_parse(all, &t->all);
	t->nr_cpus = CPU_COUNT(&t->all);
	t->nr_llcs = nr_llcs;
	for (i = 0; i < nr_llcs; i++)
		ktstr_cpus_parse(llcs[i], &t->llc[i]);
}

TEST(rt_hogged_cpus)
{
	static const char * const one_llc[] = { "0" };
	static const char * const three[] = { "0-2", "3-5", "6-8" };
	struct ktstr_topo t;
	char buf[64];
	cpu_set_t out;

	fake_topo(&t, "0-8", three, 3);
	ASSERT_EQ(0, ktstr_cpus_rt_hogged(&t, &out));
	EXPECT_STREQ("1,3,5,7", ktstr_cpus_format(&out, buf, sizeof(buf)));
	fake_topo(&t, "0", one_llc, 1);
	EXPECT_EQ(-1, ktstr_cpus_rt_hogged(&t, &out));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "need 2 online CPUs"))
		TH_LOG("%s", ktstr_errmsg());
}

/*
 * Samples find spinners pinned to the "RT" CPUs there every time; the
 * check then fails, and passes for the CPUs they avoid.
 */
TEST(rt_displaced_check)
{
	struct ktstr_rt_limits l = ktstr_default_rt_limits;
	char why[KTSTR_WHY_LEN];
	struct ktstr_workers *w;
	cpu_set_t last, others;
	struct ktstr_topo t;

	EXPECT_EQ(0.3, l.max_share_on_rt);
	EXPECT_EQ(5000, l.max_gap_ms);
	ASSERT_EQ(0, ktstr_topo_read(&t)) TH_LOG("%s", ktstr_errmsg());
	CPU_ZERO(&last);
	CPU_SET(t.nr_cpus - 1, &last);
	CPU_XOR(&others, &t.all, &last);
	w = spinners(_metadata, 2, &last);
	ASSERT_NE(NULL, w);
	EXPECT_FALSE(ktstr_check_rt_displaced(w, &last, &l, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "never seen runnable")) TH_LOG("%s", why);
	if (CPU_COUNT(&others)) {
		ASSERT_EQ(0, ktstr_workers_sample_cpus(w, &others, 300))
			TH_LOG("%s", ktstr_errmsg());
		EXPECT_TRUE(ktstr_check_rt_displaced(w, &others, &l, why,
						     sizeof(why)))
			TH_LOG("%s", why);
		l.max_gap_ms = 0;
		EXPECT_FALSE(ktstr_check_rt_displaced(w, &others, &l, why,
						      sizeof(why)));
		EXPECT_NE(NULL, strstr(why, "without progress (limit 0 ms)"))
			TH_LOG("%s", why);
		l.max_gap_ms = ktstr_default_rt_limits.max_gap_ms;
	}
	ASSERT_EQ(0, ktstr_workers_sample_cpus(w, &last, 300))
		TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_workers_stop(w));
	EXPECT_FALSE(ktstr_check_rt_displaced(w, &last, &l, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "100% of the runnable samples"))
		TH_LOG("%s", why);
	EXPECT_NE(NULL, strstr(why, "were not moved to the free CPUs"))
		TH_LOG("%s", why);
	ktstr_workers_free(w);
}

TEST(hotplug_candidates)
{
	static const char * const two[] = { "0-1", "2-3" };
	static const char * const three[] = { "0-2", "3-5", "6-8" };
	static const char * const solo[] = { "0" };
	unsigned int cpus[4];
	struct ktstr_topo t;

	fake_topo(&t, "0-3", two, 2);
	ASSERT_EQ(2, ktstr_hotplug_candidates(&t, 4, cpus));
	EXPECT_EQ(3, cpus[0]);
	EXPECT_EQ(1, cpus[1]);
	fake_topo(&t, "0-8", three, 3);
	ASSERT_EQ(2, ktstr_hotplug_candidates(&t, 2, cpus));
	EXPECT_EQ(8, cpus[0]);
	EXPECT_EQ(5, cpus[1]);
	/* CPU 0 alone in its LLC is never a candidate. */
	fake_topo(&t, "0", solo, 1);
	EXPECT_EQ(0, ktstr_hotplug_candidates(&t, 4, cpus));
}

/* Bad input is refused before anything is written. */
TEST(hotplug_errors)
{
	static struct ktstr_sched eevdf;
	char why[KTSTR_WHY_LEN];
	cpu_set_t before;

	EXPECT_EQ(-1, ktstr_cpu_set_online(0, false));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "CPU 0 is never"))
		TH_LOG("%s", ktstr_errmsg());
	EXPECT_EQ(-1, ktstr_cpu_set_online(KTSTR_MAX_CPUS, false));
	EXPECT_NE(NULL, strstr(ktstr_errmsg(), "CPU 256"))
		TH_LOG("%s", ktstr_errmsg());
	EXPECT_EQ(0, ktstr_cpus_restore_online());
	/* No event at all: a hotplug test that did nothing cannot pass. */
	CPU_ZERO(&before);
	EXPECT_FALSE(ktstr_check_hotplug(&eevdf, &before, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "no CPU went offline or online"))
		TH_LOG("%s", why);
	EXPECT_TRUE(ktstr_sched_follow(&eevdf, 100));
}

/* A real CPU goes away and comes back; the restore brings back the rest. */
TEST(hotplug_offline_online)
{
	static struct ktstr_sched eevdf;
	char why[KTSTR_WHY_LEN], skip[256];
	struct ktstr_topo t, now;
	unsigned int cpu;

	ASSERT_EQ(0, ktstr_topo_read(&t)) TH_LOG("%s", ktstr_errmsg());
	if (ktstr_hotplug_unavailable(&t, skip, sizeof(skip)))
		SKIP(return, "%s", skip);
	ASSERT_EQ(1, ktstr_hotplug_candidates(&t, 1, &cpu));
	ASSERT_EQ(0, ktstr_cpu_set_online(cpu, false))
		TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_topo_read(&now));
	EXPECT_FALSE(CPU_ISSET(cpu, &now.all));
	EXPECT_FALSE(ktstr_check_hotplug(&eevdf, &t.all, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "still offline")) TH_LOG("%s", why);
	ASSERT_EQ(0, ktstr_cpu_set_online(cpu, true))
		TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_topo_read(&now));
	EXPECT_TRUE(CPU_ISSET(cpu, &now.all));
	ASSERT_EQ(0, ktstr_cpu_set_online(cpu, false));
	EXPECT_EQ(1, ktstr_cpus_restore_online()) TH_LOG("%s", ktstr_errmsg());
	ASSERT_EQ(0, ktstr_topo_read(&now));
	EXPECT_TRUE(CPU_EQUAL(&t.all, &now.all));
	EXPECT_TRUE(ktstr_check_hotplug(&eevdf, &t.all, why, sizeof(why)))
		TH_LOG("%s", why);
}

/* one_cpu_each: worker i runs on the i-th CPU of the group's affinity. */
TEST(one_cpu_each)
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_SPIN, .nr_workers = 3, .one_cpu_each = true,
	};
	unsigned int i, cpu, nth;
	struct ktstr_workers *w;
	struct ktstr_topo t;
	cpu_set_t want;

	ASSERT_EQ(0, ktstr_topo_read(&t)) TH_LOG("%s", ktstr_errmsg());
	w = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(300);
	ASSERT_EQ(0, ktstr_workers_stop(w));
	for (i = 0; i < 3; i++) {
		nth = i % t.nr_cpus;
		for (cpu = 0; !CPU_ISSET(cpu, &t.all) || nth--; cpu++)
			;
		CPU_ZERO(&want);
		CPU_SET(cpu, &want);
		EXPECT_TRUE(CPU_EQUAL(&want, &ktstr_worker_stats(w, i)->cpus_used))
			TH_LOG("worker %u: want CPU %u", i, cpu);
	}
	ktstr_workers_free(w);
}

TEST_HARNESS_MAIN
