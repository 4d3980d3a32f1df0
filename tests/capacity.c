// SPDX-License-Identifier: GPL-2.0
/*
 * Capacity: on CPUs of different sizes (arm64 big.LITTLE; the kernel
 * reads each CPU's capacity-dmips-mhz from the device tree), CPU-bound
 * work belongs on the big CPUs while they are free, and light work must
 * not all crowd them while the smaller CPUs idle.  Both scenarios start
 * the workers on the wrong side, so that leaving tasks where they are is
 * not enough.  An x86 guest cannot have such CPUs: on x86 the runner
 * SKIPs these tests (their topology needs --arch arm64), and on a
 * topology whose CPUs are all alike they SKIP here.
 */
#include "kselftest_harness.h"
#include "ktstr_test.h"

/* Long enough for EEVDF's misfit migration, at its slowest seen 0.4 s. */
#define SETTLE_MS 1500
#define SAMPLE_MS 3000
/* Light: a fifth of a 10 ms period each, two per CPU. */
#define LIGHT_DUTY_PCT 20
#define LIGHT_PER_CPU 2

KTSTR_FIXTURE(capacity);
KTSTR_RUN_UNDER(capacity, eevdf, "eevdf");
KTSTR_RUN_UNDER(capacity, scx_simple, "scx_simple");

/* The big CPUs and the rest, or a SKIP when the CPUs are all alike. */
static bool split_by_capacity(const struct ktstr_topo *t, cpu_set_t *big,
			      cpu_set_t *little, char *why, size_t len)
{
	char b[256], l[256];

	if (!ktstr_capacity_asymmetric(t, why, len))
		return false;
	ktstr_cpus_by_capacity(t, true, big);
	ktstr_cpus_by_capacity(t, false, little);
	ksft_print_msg("big CPUs %s (capacity %u), smaller CPUs %s (down to %u)\n",
		       ktstr_cpus_format(big, b, sizeof(b)), t->max_capacity,
		       ktstr_cpus_format(little, l, sizeof(l)),
		       t->min_capacity);
	return true;
}

/* Runs @spec, looks where its workers are, and stops them. */
static struct ktstr_workers *run_sampled(struct __test_metadata *_metadata,
					 const struct ktstr_work_spec *spec,
					 const cpu_set_t *sampled)
{
	struct ktstr_workers *w = ktstr_workers_start(spec);

	if (!w)
		return NULL;
	ktstr_sleep_ms(SETTLE_MS);
	if (ktstr_workers_sample_cpus(w, sampled, SAMPLE_MS) ||
	    ktstr_workers_stop(w)) {
		ktstr_workers_free(w);
		return NULL;
	}
	ktstr_print_stats(spec->name, w);
	return w;
}

/*
 * As many spinners as big CPUs, started on the smaller ones: a
 * capacity-aware scheduler moves each to a big CPU (EEVDF: misfit
 * migration), one that treats CPUs alike lets them run on where they
 * started.  Half the CPUs stay idle, which the imbalance verdict would
 * count against the scheduler.
 */
KTSTR_TEST_F(capacity, heavy_tasks_move_to_big, 120, .topology = "big-little",
	     .monitor = { .off = KTSTR_MON_IMBALANCE })
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_SPIN, .name = "CPU-bound spinners",
	};
	struct ktstr_workers *w;
	cpu_set_t big, little;
	char why[512];

	if (!ktstr_claimed(_metadata, &self->k, KTSTR_CLAIM_CAPACITY, why,
			   sizeof(why)))
		SKIP(return, "%s", why);
	if (!split_by_capacity(&self->k.topo, &big, &little, why, sizeof(why)))
		SKIP(return, "%s", why);
	spec.nr_workers = CPU_COUNT(&big);
	spec.start_affinity = &little;
	w = run_sampled(_metadata, &spec, &big);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	EXPECT_KTSTR(ktstr_check_heavy_on_big, w, &big,
		     &ktstr_default_capacity_limits);
	EXPECT_KTSTR(ktstr_check_progress, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	ktstr_workers_free(w);
}

/*
 * Two light tasks per CPU (20% of a 10 ms period each: their load fits
 * a small CPU), started on the big CPUs: together they need more than
 * the big CPUs have free, and the smaller CPUs must take a share.
 * Every scheduler is held to this, capacity-aware or not.
 */
KTSTR_TEST_F(capacity, light_tasks_not_all_on_big, 120,
	     .topology = "big-little")
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_MIXED, .duty_pct = LIGHT_DUTY_PCT,
		.name = "light tasks",
	};
	struct ktstr_workers *w;
	cpu_set_t big, little;
	char why[512];

	if (!split_by_capacity(&self->k.topo, &big, &little, why, sizeof(why)))
		SKIP(return, "%s", why);
	spec.nr_workers = LIGHT_PER_CPU * self->k.topo.nr_cpus;
	spec.start_affinity = &big;
	w = run_sampled(_metadata, &spec, &little);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	EXPECT_KTSTR(ktstr_check_light_off_big, w, &little,
		     &ktstr_default_capacity_limits);
	EXPECT_KTSTR(ktstr_check_progress, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	ktstr_workers_free(w);
}

TEST_HARNESS_MAIN
