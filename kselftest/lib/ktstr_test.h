/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture every ktstr test uses, for a test file that includes
 * kselftest_harness.h first:
 *
 *	KTSTR_FIXTURE(fair);
 *	KTSTR_RUN_UNDER(fair, eevdf, "eevdf");
 *	KTSTR_RUN_UNDER(fair, scx_simple, "scx_simple");
 *
 *	KTSTR_TEST_F(fair, spin, 120, .topology = "1n2l2c1t")
 *	{
 *		... self->sched, self->topo ...
 *	}
 *
 * Setup SKIPs when the machine cannot meet the declaration, starts the
 * variant's scheduler and waits until it is attached.  Teardown fails the
 * test if the scheduler was kicked out (unless the test said it expects
 * that), with the exit reason, the scheduler's last output and the kernel
 * log; then it stops the scheduler and checks sched_ext is disabled again.
 */
#ifndef KTSTR_TEST_H
#define KTSTR_TEST_H

#include <stdlib.h>
#include <string.h>

#include "../ktstr_sched_env.h"
#include "ktstr.h"

struct ktstr_fixture {
	struct ktstr_sched sched;
	struct ktstr_topo topo;
	bool expect_exit;		/* a negative test: it should be kicked out */
};

#define KTSTR_SCHED_TAIL_LINES 20
#define KTSTR_KERNEL_LOG_LINES 40
/* After a hotplug event, how long a scheduler's exit may take to show. */
#define KTSTR_HOTPLUG_SETTLE_MS 1000

/*
 * Does the running scheduler claim @claim (enum ktstr_claim)?  If not,
 * @why says why, for the test to SKIP with: a check of what a scheduler
 * never promised would only fail.  Not being able to tell fails the test.
 */
static inline bool ktstr_claimed(struct __test_metadata *_metadata,
				 const struct ktstr_fixture *f,
				 enum ktstr_claim claim, char *why, size_t len)
{
	int rc = ktstr_sched_claims(&f->sched, claim, why, len);

	ASSERT_LE(0, rc) TH_LOG("%s", ktstr_errmsg());
	return rc > 0;
}

static inline void ktstr_report_exit(struct ktstr_sched *s)
{
	char tail[4096];

	ksft_print_msg("scheduler %s: %s: %s\n", s->name,
		       ktstr_sched_exit_name(s->exit_kind), s->exit_reason);
	ktstr_sched_tail(s, KTSTR_SCHED_TAIL_LINES, tail, sizeof(tail));
	ksft_print_msg("scheduler %s, last output:\n", s->name);
	ktstr_print_lines(tail);
	ktstr_print_kernel_log(KTSTR_KERNEL_LOG_LINES);
}

static inline void ktstr_fixture_setup(struct __test_metadata *_metadata,
				       struct ktstr_fixture *f,
				       const char *variant_name,
				       const char *scheduler)
{
	const struct ktstr_test_decl *decl;
	char why[256];

	snprintf(why, sizeof(why), "%s.%s.%s", _metadata->fixture->name,
		 variant_name, _metadata->name);
	ktstr_result_begin(why);
	decl = ktstr_find_test(_metadata->fixture->name, _metadata->name);
	if (ktstr_unmet_needs(decl, why, sizeof(why)))
		SKIP(return, "%s", why);
	ASSERT_EQ(0, ktstr_topo_read(&f->topo))
		TH_LOG("%s", ktstr_errmsg());
	if (ktstr_in_vm())
		ktstr_schedstats_on();
	if (strcmp(ktstr_sched_effective_name(scheduler), "eevdf") &&
	    access("/sys/kernel/sched_ext/state", R_OK))
		SKIP(return, "the kernel has no sched_ext");
	if (ktstr_sched_start(&f->sched, scheduler)) {
		/* Its checks will not run: the record says why. */
		ktstr_result_check("attached", NULL, false, ktstr_errmsg(),
				   KTSTR_KV({ "exit_kind", f->sched.exit_kind }));
		ASSERT_TRUE(0) TH_LOG("%s", ktstr_errmsg());
	}
	ksft_print_msg("scheduler: %s, %u CPUs, %u LLCs, %u nodes\n",
		       f->sched.name, f->topo.nr_cpus, f->topo.nr_llcs,
		       f->topo.nr_nodes);
}

static inline void ktstr_fixture_teardown(struct __test_metadata *_metadata,
					  struct ktstr_fixture *f)
{
	struct ktstr_sched *s = &f->sched;
	int restored;

	/*
	 * A hotplug test that failed half-way may have left CPUs offline;
	 * bringing them back may make the scheduler restart.
	 */
	restored = ktstr_cpus_restore_online();
	/* Not TH_LOG(): after a failed ASSERT it would print anyway. */
	if (restored < 0)
		ksft_print_msg("%s\n", ktstr_errmsg());
	EXPECT_LE(0, restored);
	if (!s->decl)
		return;
	if (restored > 0)
		ktstr_sched_follow(s, KTSTR_HOTPLUG_SETTLE_MS);
	/* The test may have seen the exit itself (ktstr_sched_alive()). */
	if (!f->expect_exit && s->exit_kind != KTSTR_SCHED_STOPPED &&
	    !ktstr_sched_alive(s)) {
		ktstr_report_exit(s);
		EXPECT_TRUE(0) TH_LOG("scheduler %s was kicked out: %s",
				      s->name, s->exit_reason);
	} else if (_metadata->exit_code == KSFT_FAIL) {
		char tail[4096];

		/* The test failed with the scheduler attached: its view. */
		ktstr_sched_tail(s, KTSTR_SCHED_TAIL_LINES, tail,
				 sizeof(tail));
		ksft_print_msg("scheduler %s, last output:\n", s->name);
		ktstr_print_lines(tail);
	}
	EXPECT_EQ(0, ktstr_sched_stop(s)) TH_LOG("%s", ktstr_errmsg());
}

/* After the harness registered the declared variants. */
#define KTSTR_PRIO_SCHED_VARIANT (KSELFTEST_PRIO_TEST + 1)

/*
 * With $KTSTR_SCHEDULER set (`ktstr run --scheduler BIN`), every fixture
 * also has a variant named after BIN, so that the harness names a test
 * <fixture>.<BIN>.<test> exactly as the host does.  A declared variant of
 * the same name already is that variant (it runs BIN too); without
 * $KTSTR_SCHEDULER nothing is added, so a kselftest install lists only
 * the declared variants.  Returns the name, or NULL if none was added.
 */
static inline const char *
ktstr_sched_variant_add(struct __fixture_metadata *f,
			struct __fixture_variant_metadata *added,
			const void *data)
{
	static char name[KTSTR_SCHED_VARIANT_LEN];
	const char *env = getenv(KTSTR_ENV_SCHEDULER);
	const struct __fixture_variant_metadata *v;

	if (!env || !*env)
		return NULL;
	ktstr_sched_variant_name(env, name, sizeof(name));
	for (v = f->variant; v; v = v->next)
		if (!strcmp(v->name, name))
			return NULL;
	added->name = name;
	added->data = data;
	__register_fixture_variant(f, added);
	return name;
}

#define KTSTR_SCHED_VARIANT(name)					\
	static FIXTURE_VARIANT(name) _ktstr_##name##_sched_variant;	\
	static struct __fixture_variant_metadata			\
		_ktstr_##name##_sched_variant_object;			\
	static void __attribute__((constructor(KTSTR_PRIO_SCHED_VARIANT))) \
		_ktstr_register_##name##_sched_variant(void)		\
	{								\
		_ktstr_##name##_sched_variant.label =			\
			ktstr_sched_variant_add(			\
				&_##name##_fixture_object,		\
				&_ktstr_##name##_sched_variant_object,	\
				&_ktstr_##name##_sched_variant);	\
		_ktstr_##name##_sched_variant.scheduler =		\
			_ktstr_##name##_sched_variant.label;		\
	}

#define KTSTR_FIXTURE(name)						\
	FIXTURE(name) {							\
		struct ktstr_fixture k;					\
	};								\
	FIXTURE_VARIANT(name) {						\
		const char *label;					\
		const char *scheduler;					\
	};								\
	KTSTR_SCHED_VARIANT(name)					\
	FIXTURE_SETUP(name)						\
	{								\
		ktstr_fixture_setup(_metadata, &self->k,		\
				    variant->label,			\
				    variant->scheduler);		\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		ktstr_fixture_teardown(_metadata, &self->k);		\
	}

#define KTSTR_RUN_UNDER(fixture, variant_name, sched_name)		\
	KTSTR_VARIANT(fixture, variant_name, sched_name);		\
	FIXTURE_VARIANT_ADD(fixture, variant_name) {			\
		.label = #variant_name,					\
		.scheduler = sched_name,				\
	}

/*
 * A test with its declaration.  @timeout_s bounds the test itself; the
 * VM's limit adds the boot.
 */
#define KTSTR_TEST_F(fixture, test, timeout_s_, ...)			\
	KTSTR_TEST(fixture, test, .timeout_s = timeout_s_, __VA_ARGS__);\
	TEST_F_TIMEOUT(fixture, test, timeout_s_)

#endif
