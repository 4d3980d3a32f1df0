/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test declarations: what a test needs (topology or constraints, time,
 * memory) and which scheduler it runs under, stored in named ELF sections
 * of the test program so the host can read them with libelf before it
 * boots anything, and the program itself can read them at run time.
 *
 * Records hold fixed-size strings, not pointers: the host reads them
 * straight from the file, without relocations.  Changing a layout means
 * bumping KTSTR_DECL_VERSION.
 */
#ifndef KTSTR_DECL_H
#define KTSTR_DECL_H

#include <stdint.h>

#ifndef __used
#define __used __attribute__((used))
#endif
#ifndef __aligned
#define __aligned(x) __attribute__((aligned(x)))
#endif
#ifndef __section
#define __section(s) __attribute__((section(s)))
#endif

#define KTSTR_DECL_MAGIC 0x4b545354u	/* "KTST" */
#define KTSTR_DECL_VERSION 3

#define KTSTR_TESTS_SECTION "ktstr_tests"
#define KTSTR_VARIANTS_SECTION "ktstr_variants"
#define KTSTR_SCHEDS_SECTION "ktstr_scheds"
#define KTSTR_PROFILES_SECTION "ktstr_profiles"

/* Test flags. */
#define KTSTR_OPT_IN		(1u << 0) /* runs only with --opt-in */
#define KTSTR_NEEDS_SCHED_EXT	(1u << 1) /* SKIP where the kernel lacks it */

/* Scheduler flags. */
#define KTSTR_SCHED_EXPECT_EXIT	(1u << 0) /* built to be kicked out */
/*
 * What a scheduler does not claim to do, so that the checks of it SKIP
 * with the reason instead of failing: task weights (nice) do not order
 * it (a FIFO by design), or cgroup cpu.weight has no effect on it even
 * though it may implement the cgroup callbacks.
 */
#define KTSTR_SCHED_IGNORES_NICE		(1u << 1)
#define KTSTR_SCHED_IGNORES_CGROUP_WEIGHT	(1u << 2)
/*
 * It places tasks without regard to CPU capacity (big.LITTLE): a
 * CPU-bound task may stay on a small CPU while a big one idles.
 */
#define KTSTR_SCHED_IGNORES_CAPACITY		(1u << 3)

enum ktstr_smt { KTSTR_SMT_ANY, KTSTR_SMT_REQUIRED, KTSTR_SMT_NONE };

/*
 * The host monitor's verdicts, as bits for ktstr_monitor_decl's @off and
 * @expect; the order is the monitor's (monitor/verdict.h).
 */
#define KTSTR_MON_STALL			(1u << 0)
#define KTSTR_MON_IMBALANCE		(1u << 1)
#define KTSTR_MON_LOCAL_DSQ		(1u << 2)
#define KTSTR_MON_FALLBACK_RATE		(1u << 3)
#define KTSTR_MON_KEEP_LAST_RATE	(1u << 4)
#define KTSTR_MON_CONSERVATION		(1u << 5)
#define KTSTR_MON_ALL			0x3fu

/*
 * A test's limits for the host monitor (Documentation/monitor.md); 0
 * keeps a default.  A test that confines its tasks on purpose turns the
 * imbalance verdict off; one that keeps a runnable task from running
 * while other CPUs idle (a starved task free to run anywhere) turns the
 * conservation verdict off; a test of a broken scheduler expects one.
 */
struct ktstr_monitor_decl {
	uint16_t stall_ms;		/* a task's longest wait, ms */
	uint16_t imbalance_x10;		/* max/min mean committed tasks, x 10 */
	uint16_t max_local_dsq;		/* tasks */
	uint16_t off;			/* KTSTR_MON_* not to judge */
	uint16_t expect;		/* KTSTR_MON_* that must trip */
	uint16_t conservation_samples;	/* consecutive samples */
	uint32_t max_fallback_rate;	/* SCX_EV_SELECT_CPU_FALLBACK/s/CPU */
	uint32_t max_keep_last_rate;	/* SCX_EV_DISPATCH_KEEP_LAST/s/CPU */
};

struct ktstr_test_decl {
	uint32_t magic;
	uint32_t version;
	char fixture[48];	/* harness fixture, "global" for TEST() */
	char test[64];		/* harness test name */
	char topology[64];	/* short form or preset; "" = from constraints */
	uint16_t min_cpus;
	uint16_t min_llcs;
	uint16_t min_nodes;
	uint16_t smt;		/* enum ktstr_smt */
	uint32_t timeout_s;	/* VM time limit; 0 = default */
	uint32_t memory_mib;	/* 0 = the topology's */
	uint32_t flags;
	uint32_t reserved;
	struct ktstr_monitor_decl monitor;
} __aligned(8);

/* A fixture variant that names the scheduler its tests run under. */
struct ktstr_variant_decl {
	uint32_t magic;
	uint32_t version;
	char fixture[48];
	char variant[48];
	char scheduler[48];	/* a ktstr_sched_decl name; "eevdf" = none */
} __aligned(8);

/*
 * A scheduler: the binary (looked up in the guest's /ktstr/schedulers,
 * then $PATH), its arguments, and what "attached" means: state "enabled"
 * and root/ops equal to ops_name ("" accepts any name).
 */
struct ktstr_sched_decl {
	uint32_t magic;
	uint32_t version;
	char name[48];
	char binary[128];
	char args[256];
	char ops_name[64];
	uint32_t attach_timeout_s;	/* 0 = default */
	uint32_t flags;
} __aligned(8);

/*
 * A flag profile of a scheduler: `ktstr gauntlet` also runs each test of
 * the scheduler with these arguments appended to its declared ones.  A
 * section of its own, so the other records keep their layout.
 */
struct ktstr_profile_decl {
	uint32_t magic;
	uint32_t version;
	char scheduler[48];	/* a ktstr_sched_decl name */
	char name[32];		/* the profile part of a gauntlet name */
	char args[256];
	/*
	 * KTSTR_SCHED_IGNORES_* the arguments add to the scheduler's own
	 * flags (scx_simple -f is a FIFO: it ignores nice).
	 */
	uint32_t flags;
	uint32_t reserved;
} __aligned(8);

/*
 * KTSTR_TEST(fixture, test, .topology = "1n2l2c1t", .timeout_s = 60);
 * placed next to TEST_F(fixture, test).  Use "global" for TEST(test).
 */
#define KTSTR_TEST(fixture_, test_, ...)				\
	static const struct ktstr_test_decl				\
	__ktstr_test_##fixture_##_##test_				\
	__used __section(KTSTR_TESTS_SECTION) __aligned(8) = {		\
		.magic = KTSTR_DECL_MAGIC,				\
		.version = KTSTR_DECL_VERSION,				\
		.fixture = #fixture_,					\
		.test = #test_,						\
		__VA_ARGS__						\
	}

#define KTSTR_VARIANT(fixture_, variant_, scheduler_)			\
	static const struct ktstr_variant_decl				\
	__ktstr_variant_##fixture_##_##variant_				\
	__used __section(KTSTR_VARIANTS_SECTION) __aligned(8) = {	\
		.magic = KTSTR_DECL_MAGIC,				\
		.version = KTSTR_DECL_VERSION,				\
		.fixture = #fixture_,					\
		.variant = #variant_,					\
		.scheduler = scheduler_,				\
	}

#define KTSTR_SCHEDULER(name_, ...)					\
	static const struct ktstr_sched_decl __ktstr_sched_##name_	\
	__used __section(KTSTR_SCHEDS_SECTION) __aligned(8) = {		\
		.magic = KTSTR_DECL_MAGIC,				\
		.version = KTSTR_DECL_VERSION,				\
		.name = #name_,						\
		__VA_ARGS__						\
	}

/* KTSTR_SCHED_PROFILE(scx_simple, fifo, "-f", .flags = ...); */
#define KTSTR_SCHED_PROFILE(sched_, name_, args_, ...)			\
	static const struct ktstr_profile_decl				\
	__ktstr_profile_##sched_##_##name_				\
	__used __section(KTSTR_PROFILES_SECTION) __aligned(8) = {	\
		.magic = KTSTR_DECL_MAGIC,				\
		.version = KTSTR_DECL_VERSION,				\
		.scheduler = #sched_,					\
		.name = #name_,						\
		.args = args_,						\
		__VA_ARGS__						\
	}

#endif
