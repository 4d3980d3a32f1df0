// SPDX-License-Identifier: GPL-2.0
/*
 * The verdicts on series made here sample by sample: each condition
 * trips where it should, names the CPU and the window, stays quiet where
 * it should not, and follows the limits a test sets.
 */
#include <math.h>
#include <string.h>

#include "kselftest_harness.h"
#include "error.h"
#include "json.h"
#include "kselftest/runner/watch.h"
#include "output.h"
#include "verdict.h"

#define CPUS 4
#define IDLE_TASK 0x1000
#define TASK(n) (0x2000 + (n) * 0x100)
#define ALL_CPUS ((1ULL << CPUS) - 1)
#define SCX_RQ_ONLINE 1
#define SCX_DSQ_GLOBAL ((1ULL << 63) | 1)
/* The guest's clock: 250 jiffies a second, 25 between samples. */
#define HZ 250
#define JIFFIES_PER_SAMPLE 25

FIXTURE(series) {
	struct kt_layout layout;
	struct kt_series s;
	struct kt_monitor_limits limits;
	struct kt_monitor_verdict v[KT_NR_VERDICTS];
};

FIXTURE_SETUP(series)
{
	struct kt_layout *l = &self->layout;

	memset(l, 0, sizeof(*l));
	l->f[KT_RQ_SCX_NR_RUNNING].available = true;
	l->f[KT_RQ_LOCAL_DSQ_NR].available = true;
	l->f[KT_RQ_LOCAL_DSQ].available = true;
	l->f[KT_RQ_SCX_RUNNABLE_LIST].available = true;
	l->f[KT_TASK_SCX_RUNNABLE_NODE].available = true;
	l->f[KT_TASK_SCX_DSQ].available = true;
	l->f[KT_TASK_CPUS_PTR].available = true;
	l->f[KT_DSQ_ID].available = true;
	l->f[KT_LIST_NEXT].available = true;
	l->f[KT_TASK_SCX_RUNNABLE_AT].available = true;
	l->rq_online_flag = SCX_RQ_ONLINE;
	l->dsq_global_id = SCX_DSQ_GLOBAL;
	l->hz = HZ;
	l->nr_events = 2;
	snprintf(l->events[0].name, sizeof(l->events[0].name),
		 "SCX_EV_SELECT_CPU_FALLBACK");
	snprintf(l->events[1].name, sizeof(l->events[1].name),
		 "SCX_EV_DISPATCH_KEEP_LAST");
	kt_series_init(&self->s, l, CPUS, 100);
	kt_monitor_limits_default(&self->limits);
}

FIXTURE_TEARDOWN(series)
{
	kt_series_free(&self->s);
}

/*
 * Sample @x's @cpu has task @pid waiting in the global DSQ since jiffies
 * @since, the longest of its runqueue.
 */
static void longest(struct kt_sample *x, unsigned int cpu, int pid,
		    int64_t since)
{
	struct kt_waiter *w = &x->cpu[cpu].longest;

	x->cpu[cpu].has_longest = true;
	w->cpu = cpu;
	w->pid = pid;
	snprintf(w->comm, sizeof(w->comm), "task%d", pid);
	w->place = KT_WAIT_DSQ;
	w->dsq_id = SCX_DSQ_GLOBAL;
	w->runnable_at = since;
}

/*
 * @n samples, 100 ms apart, of a busy, healthy machine under a sched_ext
 * scheduler: two tasks per CPU taking turns (the one not running waits
 * 20 ms), counters moving slowly.
 */
static void healthy(struct kt_series *s, unsigned int n)
{
	unsigned int i, cpu;

	for (i = 0; i < n; i++) {
		struct kt_sample *x = kt_series_add(s);

		x->host_s = 1000 + i * 0.1;
		x->vm_run = KT_NA;
		x->jiffies = 5000 + i * JIFFIES_PER_SAMPLE;
		snprintf(x->scheduler, sizeof(x->scheduler), "simple");
		for (cpu = 0; cpu < CPUS; cpu++) {
			struct kt_cpu_sample *c = &x->cpu[cpu];

			longest(x, cpu, 10 * cpu + 1 - i % 2, x->jiffies - 5);
			c->v[KT_CV_NR_RUNNING] = 2;
			c->v[KT_CV_SCX_NR_RUNNING] = 2;
			c->v[KT_CV_LOCAL_DSQ] = 1;
			c->v[KT_CV_SCX_FLAGS] = SCX_RQ_ONLINE;
			c->v[KT_CV_CLOCK] = i * 100000000LL;
			c->v[KT_CV_NR_SWITCHES] = i * 5;
			c->curr = TASK(cpu * 2 + i % 2);
			c->v[KT_CV_CURR_PID] = 10 * cpu + i % 2;
			snprintf(c->comm, sizeof(c->comm), "task%d",
				 10 * cpu + i % 2);
			c->curr_scx = true;
			c->events[0] = i + cpu;
			c->events[1] = i;
			/* No vCPU thread names: the host did not time them. */
			c->v[KT_CV_VCPU_RUN] = KT_NA;
		}
	}
}

static struct kt_cpu_sample *at(struct kt_series *s, size_t i,
				unsigned int cpu)
{
	return &s->samples[i].cpu[cpu];
}

TEST_F(series, a_healthy_run_passes_every_verdict)
{
	unsigned int k;

	healthy(&self->s, 100);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	for (k = 0; k < KT_NR_VERDICTS; k++) {
		EXPECT_TRUE(self->v[k].evaluated) TH_LOG("%s",
				kt_monitor_verdict_name(k));
		EXPECT_FALSE(self->v[k].failed) TH_LOG("%s: %s",
				kt_monitor_verdict_name(k), self->v[k].detail);
	}
	EXPECT_FALSE(kt_verdicts_failed(self->v));
	/* Each task waits its partner's slice, shorter than an interval. */
	EXPECT_NE(NULL, strstr(self->v[KT_V_STALL].detail, "cpu 0: pid 1 (task1) waited 20 ms in the global DSQ, pid 0 (task0) running when sampled (0.0s to 0.0s, limit "))
		TH_LOG("%s", self->v[KT_V_STALL].detail);
	/* 1 per 100 ms on each CPU. */
	EXPECT_EQ(10, (int)(self->v[KT_V_FALLBACK_RATE].value + 0.5));
}

/* From sample @from to @to, @cpu idles while task 77 waits there. */
static void waits_on_idle_cpu(struct kt_series *s, size_t from, size_t to,
			      unsigned int cpu)
{
	int64_t since = s->samples[from].jiffies - 3;
	size_t i;

	for (i = from; i < to; i++) {
		at(s, i, cpu)->curr = IDLE_TASK;
		at(s, i, cpu)->curr_idle = true;
		at(s, i, cpu)->curr_scx = false;
		at(s, i, cpu)->v[KT_CV_SCX_NR_RUNNING] = 1;
		/* The kworkers passing through do nothing for it. */
		at(s, i, cpu)->v[KT_CV_NR_SWITCHES] = 7;
		longest(&s->samples[i], cpu, 77, since);
	}
}

/*
 * The stall tests judge waits of a few seconds against this limit: the
 * default is calibrated on real runs and may move.
 */
#define TEST_STALL_LIMIT "stall=2000"

/*
 * The host timed each vCPU thread: half a host CPU each, but @cpu's had
 * @share from sample @from to sample @to.
 */
static void vcpus_timed(struct kt_series *s, size_t from, size_t to,
			unsigned int cpu, double share)
{
	unsigned int c;
	size_t i;
	double had;

	for (c = 0; c < CPUS; c++)
		at(s, 0, c)->v[KT_CV_VCPU_RUN] = 0;
	for (i = 1; i < s->count; i++)
		for (c = 0; c < CPUS; c++) {
			had = c == cpu && i > from && i <= to ? share : 0.5;
			at(s, i, c)->v[KT_CV_VCPU_RUN] =
				at(s, i - 1, c)->v[KT_CV_VCPU_RUN] +
				(int64_t)(had * 1e8);
		}
}

/* The monitor's TAP summary of @s, malloc()ed; NULL if out of memory. */
static char *summary(const struct kt_series *s,
		     const struct kt_monitor_verdict v[KT_NR_VERDICTS])
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	kt_monitor_summary(f, s, v, NULL);
	fclose(f);
	return text;
}

/*
 * Whether KASLR moved the kernel, in the summary and the JSON: from the
 * offsets found, as nokaslr leaves both 0.
 */
TEST_F(series, the_summary_and_json_say_whether_kaslr_moved_the_kernel)
{
	static const struct {
		uint64_t virt_offset, phys_base;
		const char *text;
		bool moved;
	} cases[] = {
		{ 0x2a200000, 0xffffffffe7e00000ULL, ", moved by KASLR\n", true },
		{ 0, 0x1e000000, ", moved by KASLR\n", true },
		{ 0, 0, ", not moved (no KASLR)\n", false },
	};
	unsigned int i;
	json_t *obj;
	char *text;

	healthy(&self->s, 3);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		self->s.find_us = 1200;
		self->s.place.virt_offset = cases[i].virt_offset;
		self->s.place.phys_base = cases[i].phys_base;
		self->s.place.levels = 4;
		text = summary(&self->s, self->v);
		ASSERT_NE(NULL, text);
		EXPECT_NE(NULL, strstr(text, "4-level paging")) TH_LOG("%s", text);
		EXPECT_NE(NULL, strstr(text, cases[i].text)) TH_LOG("%s", text);
		free(text);
		obj = kt_monitor_json(&self->s, self->v, NULL, "p.svg");
		ASSERT_NE(NULL, obj) TH_LOG("%s", kt_errmsg());
		EXPECT_EQ(cases[i].moved,
			  json_is_true(json_object_get(json_object_get(obj, "kernel"),
						       "kaslr")));
		EXPECT_TRUE(json_is_boolean(json_object_get(json_object_get(obj, "kernel"),
							    "kaslr")));
		json_decref(obj);
	}
}

/*
 * An arm64 kernel's place: its image, kimage_voffset and linear map; its
 * image is where the loader put it, so only a virtual offset is KASLR's.
 */
TEST_F(series, the_summary_and_json_of_an_arm64_kernel)
{
	struct kt_kaslr *k = &self->s.place;
	json_t *obj, *kernel;
	char *text;

	healthy(&self->s, 3);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	self->s.find_us = 7300;
	*k = (struct kt_kaslr){
		.arch = KT_ARCH_ARM64, .image_pa = 0x40200000,
		.kimage_voffset = 0xffff80003fe00000ULL,
		.banner_pa = 0x4169b898, .top_pgt = 0x4226b000,
		.page_offset_base = 0xffff000000000000ULL,
		.direct_map_pa = 0x40000000,
		.memstart_addr = 0xfff1000040000000ULL, .levels = 4,
		.probes = 4096, .matches = 1,
	};
	text = summary(&self->s, self->v);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "monitor: arm64 kernel found in 7.3 ms (4096 places compared): virtual offset 0x0, _text at guest-physical 0x40200000, kimage_voffset 0xffff80003fe00000, linux_banner at guest-physical 0x4169b898, linear map 0xffff000000000000 at guest-physical 0x40000000 (memstart_addr 0xfff1000040000000), 4-level paging (48-bit VA), not moved (no KASLR)\n"))
		TH_LOG("%s", text);
	free(text);
	k->virt_offset = 0x1f3b50000ULL;
	k->levels = 5;
	k->lpa2 = true;
	text = summary(&self->s, self->v);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "5-level paging (52-bit VA, LPA2), moved by KASLR\n"))
		TH_LOG("%s", text);
	free(text);
	obj = kt_monitor_json(&self->s, self->v, NULL, "p.svg");
	ASSERT_NE(NULL, obj) TH_LOG("%s", kt_errmsg());
	kernel = json_object_get(obj, "kernel");
	EXPECT_STREQ("arm64", json_string_value(json_object_get(kernel, "arch")));
	EXPECT_TRUE(json_is_true(json_object_get(kernel, "kaslr")));
	EXPECT_TRUE(json_is_true(json_object_get(kernel, "lpa2")));
	EXPECT_STREQ("0x40200000",
		     json_string_value(json_object_get(kernel, "image_pa")));
	EXPECT_STREQ("0xfff1000040000000",
		     json_string_value(json_object_get(kernel, "memstart_addr")));
	EXPECT_EQ(5, json_integer_value(json_object_get(kernel, "levels")));
	json_decref(obj);
}

/*
 * Single-threaded TCG: QEMU's one thread had half a host CPU, but a
 * tenth from 3.0 s to 5.0 s, while the guest's CPUs were busy.
 */
TEST_F(series, a_summary_gives_the_share_of_the_thread_of_every_vcpu)
{
	unsigned int cpu;
	char *text;
	size_t i;

	healthy(&self->s, 100);
	for (i = 0; i < 100; i++)
		self->s.samples[i].vm_run = i ? self->s.samples[i - 1].vm_run +
			(i > 30 && i <= 50 ? 10000000 : 50000000) : 0;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	text = summary(&self->s, self->v);
	ASSERT_NE(NULL, text);
	/* 79 intervals of 100 ms at 0.5 and 20 at 0.1: 4.15 s in 9.9 s. */
	EXPECT_NE(NULL, strstr(text, "\nmonitor: QEMU's TCG thread (every vCPU in turn) had 0.42 of a host CPU, the least in any 1 s with a vCPU busy: 0.10 (from 3.0s)\n"))
		TH_LOG("%s", text);
	EXPECT_EQ(NULL, strstr(text, "vCPU threads had")) TH_LOG("%s", text);
	free(text);

	/* Every CPU idle then: the host owed the VM nothing. */
	for (i = 30; i <= 50; i++)
		for (cpu = 0; cpu < CPUS; cpu++)
			at(&self->s, i, cpu)->curr_idle = true;
	text = summary(&self->s, self->v);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "the least in any 1 s with a vCPU busy: 0.50 (from 0.0s)\n"))
		TH_LOG("%s", text);
	free(text);
}

TEST_F(series, a_summary_without_vcpu_times_leaves_them_out)
{
	char *text;

	healthy(&self->s, 20);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	text = summary(&self->s, self->v);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "monitor: 20 samples every 100 ms")) TH_LOG("%s", text);
	EXPECT_EQ(NULL, strstr(text, "vCPU")) TH_LOG("%s", text);
	EXPECT_EQ(NULL, strstr(text, "TCG thread")) TH_LOG("%s", text);
	free(text);
}

/*
 * CPU 2 runs pid 21 from 2.0 s to 4.5 s without its clock moving while
 * jiffies go on: the summary says it took no timer interrupt.  Half a
 * second of it, as a vCPU the emulator runs late may show, says nothing.
 */
TEST_F(series, a_busy_cpu_whose_clock_stands_still_is_named)
{
	char *text;
	size_t i;

	healthy(&self->s, 60);
	for (i = 20; i <= 45; i++) {
		at(&self->s, i, 2)->v[KT_CV_CLOCK] = 20 * 100000000LL;
		at(&self->s, i, 2)->v[KT_CV_CURR_PID] = 21;
		snprintf(at(&self->s, i, 2)->comm, KT_COMM_LEN, "loader");
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	text = summary(&self->s, self->v);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "\nmonitor: cpu 2's clock stood still from 2.0s to 4.5s while it ran pid 21 (loader): it took no timer interrupt (interrupts off, or its vCPU not run)\n"))
		TH_LOG("%s", text);
	free(text);

	for (i = 25; i <= 45; i++)
		at(&self->s, i, 2)->v[KT_CV_CLOCK] = i * 100000000LL;
	text = summary(&self->s, self->v);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(NULL, strstr(text, "stood still")) TH_LOG("%s", text);
	free(text);

	/* An idle CPU's tick stops: its clock standing still is no news. */
	for (i = 20; i <= 45; i++) {
		at(&self->s, i, 2)->v[KT_CV_CLOCK] = 20 * 100000000LL;
		at(&self->s, i, 2)->curr_idle = true;
	}
	text = summary(&self->s, self->v);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(NULL, strstr(text, "stood still")) TH_LOG("%s", text);
	free(text);
}

/*
 * The series as JSON: the fields readers use, null for what was not
 * read, figures rounded as written, guest strings made valid UTF-8.
 */
TEST_F(series, the_json_object_has_every_field_and_null_for_the_unread)
{
	json_t *obj, *again, *sample, *cpu, *waiter;
	struct kt_waiter *w;
	json_error_t err;
	char *text;

	healthy(&self->s, 3);
	/* The guest's comm is any bytes: 0xff is not UTF-8. */
	snprintf(at(&self->s, 1, 2)->comm, KT_COMM_LEN, "bad\xff");
	w = kt_sample_add_waiter(&self->s.samples[1]);
	ASSERT_NE(NULL, w);
	*w = at(&self->s, 1, 0)->longest;
	w->cpu = 3;
	w->allowed[0] = 0xb;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	self->v[KT_V_STALL].t0 = NAN;
	obj = kt_monitor_json(&self->s, self->v, NULL, "p.svg");
	ASSERT_NE(NULL, obj) TH_LOG("%s", kt_errmsg());
	text = json_dumps(obj, KT_JSON_FLAGS);
	json_decref(obj);
	ASSERT_NE(NULL, text);
	/* As rounded, not as the nearest binary double prints. */
	EXPECT_NE(NULL, strstr(text, "{\"t\":0.1,\"jiffies\":5025,")) TH_LOG("%.300s", text);
	EXPECT_NE(NULL, strstr(text, "\"name\":\"stall\",\"evaluated\":true,\"tripped\":false,\"failed\":false,\"cpu\":0,\"t0\":null,"))
		TH_LOG("%.600s", text);
	again = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	free(text);
	ASSERT_NE(NULL, again) TH_LOG("%s", err.text);
	EXPECT_EQ(100, json_integer_value(json_object_get(again, "interval_ms")));
	EXPECT_EQ(CPUS, json_integer_value(json_object_get(again, "nr_cpus")));
	EXPECT_EQ(HZ, json_integer_value(json_object_get(again, "hz")));
	EXPECT_EQ(3, json_integer_value(json_object_get(again, "count")));
	EXPECT_TRUE(json_is_null(json_object_get(again, "error")));
	EXPECT_STREQ("p.svg", json_string_value(json_object_get(again, "plot")));
	EXPECT_TRUE(json_is_null(json_object_get(again, "scheduler_exit")));
	EXPECT_STREQ("SCX_EV_DISPATCH_KEEP_LAST",
		     json_string_value(json_array_get(json_object_get(again, "events"), 1)));
	EXPECT_EQ(KT_NR_VERDICTS, json_array_size(json_object_get(again, "verdicts")));

	sample = json_array_get(json_object_get(again, "samples"), 1);
	EXPECT_TRUE(json_is_null(json_object_get(sample, "vm_run")));
	EXPECT_STREQ("simple", json_string_value(json_object_get(sample, "scheduler")));
	cpu = json_array_get(json_object_get(sample, "cpus"), 2);
	EXPECT_STREQ("bad\xef\xbf\xbd", json_string_value(json_object_get(cpu, "curr_comm")));
	EXPECT_TRUE(json_is_null(json_object_get(cpu, "vcpu_run")));
	EXPECT_EQ(2, json_integer_value(json_object_get(cpu, "nr_running")));
	EXPECT_EQ(3, json_integer_value(json_array_get(json_object_get(cpu, "events"), 0)));
	cpu = json_array_get(json_object_get(sample, "cpus"), 0);
	waiter = json_object_get(cpu, "longest_wait");
	EXPECT_STREQ("0x8000000000000001", json_string_value(json_object_get(waiter, "dsq")));
	EXPECT_EQ(20.0, json_number_value(json_object_get(waiter, "wait_ms")));
	EXPECT_TRUE(json_is_false(json_object_get(waiter, "partial")));
	EXPECT_TRUE(json_is_false(json_object_get(sample, "waiting_unknown")));
	waiter = json_array_get(json_object_get(sample, "waiting"), 0);
	EXPECT_EQ(3, json_integer_value(json_object_get(waiter, "cpu")));
	EXPECT_STREQ("dsq", json_string_value(json_object_get(waiter, "place")));
	EXPECT_STREQ("0-1,3", json_string_value(json_object_get(waiter, "allowed")));
	EXPECT_EQ(0, json_array_size(json_object_get(json_array_get(json_object_get(again, "samples"), 0),
						     "waiting")));
	json_decref(again);
}

TEST_F(series, a_task_that_waits_long_is_a_stall)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_STALL];
	size_t i;

	ASSERT_EQ(0, kt_monitor_limit_set(&self->limits, TEST_STALL_LIMIT));
	healthy(&self->s, 100);
	waits_on_idle_cpu(&self->s, 40, 70, 2);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->evaluated);
	EXPECT_TRUE(v->tripped);
	EXPECT_TRUE(v->failed);
	EXPECT_EQ(2, v->cpu);
	/* 29 samples of 100 ms and 3 jiffies of 4 ms. */
	EXPECT_EQ(2912, (int)v->value);
	EXPECT_EQ(2000, (int)v->limit);
	EXPECT_STREQ("cpu 2: pid 77 (task77) waited 2912 ms in the global DSQ while the CPU stayed idle (4.0s to 6.9s, limit 2000 ms)",
		     v->detail);

	/* A kworker passing through is still named. */
	for (i = 55; i < 70; i++)
		at(&self->s, i, 2)->v[KT_CV_NR_SWITCHES] = 9;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_NE(NULL, strstr(v->detail, "while the CPU stayed idle but for 2 context switches ("))
		TH_LOG("%s", v->detail);

	/* The limit is the task's wait, in ms. */
	ASSERT_EQ(0, kt_monitor_limit_set(&self->limits, "stall=3000"));
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
	EXPECT_EQ(2912, (int)v->value);
}

/*
 * The false alarm of a verdict on consecutive samples: a partner woken
 * every 10 ms waits 7 ms each time (a halted vCPU is slow to wake under
 * TCG), so each 100 ms sample finds the CPU idle with a task waiting,
 * for seconds on end.  Waits of 7 ms, however often they are sampled,
 * never add up.
 */
TEST_F(series, many_short_waits_never_trip)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_STALL];
	size_t i;

	healthy(&self->s, 100);
	waits_on_idle_cpu(&self->s, 10, 90, 1);
	for (i = 10; i < 90; i++)
		longest(&self->s.samples[i], 1, 77,
			self->s.samples[i].jiffies - 2);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->evaluated);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
	EXPECT_EQ(20, (int)v->value) TH_LOG("%s", v->detail);

	/* Sampled every jiffy instead: a new wait begins every 3. */
	kt_series_free(&self->s);
	kt_series_init(&self->s, &self->layout, CPUS, 4);
	healthy(&self->s, 2000);
	for (i = 0; i < 2000; i++) {
		self->s.samples[i].jiffies = 5000 + i;
		self->s.samples[i].host_s = 1000 + i * 0.004;
		longest(&self->s.samples[i], 1, 77, 5000 + i - i % 3);
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
	EXPECT_EQ(20, (int)v->value) TH_LOG("%s", v->detail);
}

/* From sample @from to @to, pid 99 holds CPU 1 while pid 12 waits there. */
static void hog_holds_cpu1(struct kt_series *s, size_t from, size_t to)
{
	int64_t since = s->samples[from].jiffies;
	size_t i;

	for (i = from; i < to; i++) {
		at(s, i, 1)->curr = TASK(9);
		at(s, i, 1)->v[KT_CV_CURR_PID] = 99;
		snprintf(at(s, i, 1)->comm, KT_COMM_LEN, "hog");
		at(s, i, 1)->v[KT_CV_NR_SWITCHES] = 50;
		longest(&s->samples[i], 1, 12, since);
		at(s, i, 1)->longest.place = KT_WAIT_LOCAL;
	}
}

TEST_F(series, a_stall_on_a_busy_cpu_says_how_much_host_cpu_its_vcpu_had)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_STALL];
	unsigned int cpu;
	char *text;
	size_t i;

	ASSERT_EQ(0, kt_monitor_limit_set(&self->limits, TEST_STALL_LIMIT));
	healthy(&self->s, 100);
	hog_holds_cpu1(&self->s, 10, 35);
	vcpus_timed(&self->s, 10, 99, 1, 0.04);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_STREQ("cpu 1: pid 12 (task12) waited 2400 ms in its local DSQ while pid 99 (hog) ran on, never switched out (1.0s to 3.4s, its vCPU had 0.04 of a host CPU, limit 2000 ms)",
		     v->detail);

	text = summary(&self->s, self->v);
	ASSERT_NE(NULL, text);
	/* vCPU 1: 1.0 s at 0.5, then 8.9 s at 0.04: 0.856 s in 9.9 s. */
	EXPECT_NE(NULL, strstr(text, "\nmonitor: vCPU threads had 0.09 to 0.50 of a host CPU, a busy one the least in any 1 s: 0.04 (vCPU 1 from 1.0s)\n"))
		TH_LOG("%s", text);
	free(text);

	/* Single-threaded TCG: the one thread's share instead. */
	for (i = 0; i < self->s.count; i++) {
		self->s.samples[i].vm_run = i * 20000000LL;
		for (cpu = 0; cpu < CPUS; cpu++)
			at(&self->s, i, cpu)->v[KT_CV_VCPU_RUN] = KT_NA;
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_NE(NULL, strstr(v->detail, "(1.0s to 3.4s, QEMU's TCG thread had 0.20 of a host CPU, limit 2000 ms)"))
		TH_LOG("%s", v->detail);
}

/* An idle vCPU needs no host CPU: its share says nothing of the host. */
TEST_F(series, a_stall_on_an_idle_cpu_leaves_the_host_out)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_STALL];
	char *text;

	ASSERT_EQ(0, kt_monitor_limit_set(&self->limits, TEST_STALL_LIMIT));
	healthy(&self->s, 100);
	waits_on_idle_cpu(&self->s, 40, 70, 2);
	vcpus_timed(&self->s, 40, 69, 2, 0.0);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_STREQ("cpu 2: pid 77 (task77) waited 2912 ms in the global DSQ while the CPU stayed idle (4.0s to 6.9s, limit 2000 ms)",
		     v->detail);
	text = summary(&self->s, self->v);
	ASSERT_NE(NULL, text);
	/* Busy vCPUs had 0.5 in every window: vCPU 2's idle 0 is not the least. */
	EXPECT_NE(NULL, strstr(text, "\nmonitor: vCPU threads had 0.35 to 0.50 of a host CPU, a busy one the least in any 1 s: 0.50 (vCPU 0 from 0.0s)\n"))
		TH_LOG("%s", text);
	free(text);
}

TEST_F(series, a_task_never_switched_out_while_another_waits_is_a_stall)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_STALL];
	size_t i;

	ASSERT_EQ(0, kt_monitor_limit_set(&self->limits, TEST_STALL_LIMIT));
	healthy(&self->s, 100);
	hog_holds_cpu1(&self->s, 10, 35);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_EQ(1, v->cpu);
	EXPECT_STREQ("cpu 1: pid 12 (task12) waited 2400 ms in its local DSQ while pid 99 (hog) ran on, never switched out (1.0s to 3.4s, limit 2000 ms)",
		     v->detail);

	/*
	 * The kernel's stopper thread takes the CPU for a moment now and
	 * then: the hog still had nearly all of the time.
	 */
	for (i = 10; i < 35; i++) {
		at(&self->s, i, 1)->v[KT_CV_NR_SWITCHES] = 50 + i / 10 * 2;
		at(&self->s, i, 1)->v[KT_CV_CURR_RUNTIME] =
			at(&self->s, i, 1)->v[KT_CV_CLOCK] / 100 * 99;
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_NE(NULL, strstr(v->detail, "while pid 99 (hog) ran on, never switched out ("))
		TH_LOG("%s", v->detail);
	/* Half of it: another task had the rest. */
	for (i = 10; i < 35; i++)
		at(&self->s, i, 1)->v[KT_CV_CURR_RUNTIME] =
			at(&self->s, i, 1)->v[KT_CV_CLOCK] / 2;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_NE(NULL, strstr(v->detail, "while the CPU ran other tasks (4 context switches, idle at 0 of 25 samples)"))
		TH_LOG("%s", v->detail);

	/* The same wait while the CPU runs other tasks. */
	for (i = 10; i < 35; i++) {
		at(&self->s, i, 1)->v[KT_CV_NR_SWITCHES] = 50 + i;
		at(&self->s, i, 1)->curr_idle = i % 5 == 0;
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_NE(NULL, strstr(v->detail, "in its local DSQ while the CPU ran other tasks (24 context switches, idle at 5 of 25 samples) (1.0s"))
		TH_LOG("%s", v->detail);
}

/*
 * Behind one sched_ext task never switched out, 2 s is enough: slices
 * that end let a waiter in within one; behind an RT hog it is the
 * kernel's class order, judged by the general limit.
 */
TEST_F(series, a_wait_behind_an_endless_slice_trips_sooner)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_STALL];
	int64_t since;
	size_t i;

	healthy(&self->s, 100);
	since = self->s.samples[10].jiffies;
	for (i = 10; i < 45; i++) {
		at(&self->s, i, 1)->curr = TASK(9);
		at(&self->s, i, 1)->curr_scx = true;
		at(&self->s, i, 1)->v[KT_CV_CURR_PID] = 99;
		snprintf(at(&self->s, i, 1)->comm, KT_COMM_LEN, "spin");
		at(&self->s, i, 1)->v[KT_CV_NR_SWITCHES] = 50;
		longest(&self->s.samples[i], 1, 12, since);
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_NE(NULL, strstr(v->detail, "waited 3400 ms in the global DSQ while pid 99 (spin) ran on, never switched out (1.0s to 4.4s, limit 2000 ms)"))
		TH_LOG("%s", v->detail);

	/* Not a sched_ext task: the general limit. */
	for (i = 10; i < 45; i++)
		at(&self->s, i, 1)->curr_scx = false;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);

	/* A sched_ext CPU that switched tasks all along: the same. */
	for (i = 10; i < 45; i++) {
		at(&self->s, i, 1)->curr_scx = true;
		at(&self->s, i, 1)->v[KT_CV_NR_SWITCHES] = 50 + i;
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
}

/*
 * Waits while no BPF scheduler is in charge are the kernel's: bypassed
 * (enabling, disabling, suspend), exiting, or none attached.  A guest
 * that stood still (a paused VM) lets no wait grow.
 */
TEST_F(series, no_stall_without_a_scheduler_in_charge_or_guest_time)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_STALL];
	size_t i;

	ASSERT_EQ(0, kt_monitor_limit_set(&self->limits, TEST_STALL_LIMIT));
	healthy(&self->s, 100);
	waits_on_idle_cpu(&self->s, 40, 70, 2);
	for (i = 40; i < 70; i++)
		self->s.samples[i].bypass_depth = 1;
	for (i = 62; i < 70; i++)
		self->s.samples[i].bypass_depth = 0;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed) TH_LOG("%s", v->detail);
	EXPECT_NE(NULL, strstr(v->detail, "waited 2912 ms")) TH_LOG("%s", v->detail);
	for (i = 62; i < 70; i++)
		self->s.samples[i].exit_kind = 1025;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->evaluated);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
	EXPECT_EQ(20, (int)v->value) TH_LOG("%s", v->detail);
	for (i = 40; i < 70; i++) {
		self->s.samples[i].bypass_depth = 0;
		self->s.samples[i].exit_kind = 0;
		self->s.samples[i].scheduler[0] = '\0';
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);

	/* Attached, but the guest's clock stood still from sample 41 on. */
	for (i = 40; i < 70; i++) {
		snprintf(self->s.samples[i].scheduler, 64, "simple");
		self->s.samples[i].jiffies = self->s.samples[40].jiffies;
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
	EXPECT_EQ(20, (int)v->value) TH_LOG("%s", v->detail);
}

/* A kernel without runnable_at, or whose HZ is unknown: not judged. */
TEST_F(series, no_stall_verdict_without_runnable_at_or_hz)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_STALL];

	healthy(&self->s, 100);
	waits_on_idle_cpu(&self->s, 40, 70, 2);
	self->layout.f[KT_TASK_SCX_RUNNABLE_AT].available = false;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->evaluated);
	EXPECT_FALSE(v->failed);
	EXPECT_STREQ("unavailable: this kernel lacks task_struct.scx.runnable_at",
		     v->detail);
	self->layout.f[KT_TASK_SCX_RUNNABLE_AT].available = true;
	self->layout.hz = 0;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->evaluated);
	EXPECT_FALSE(v->failed);
	EXPECT_NE(NULL, strstr(v->detail, "lacks the guest's HZ"))
		TH_LOG("%s", v->detail);
	/* Expected, it fails: the test cannot show what it is for. */
	self->limits.expect = KT_V_BIT(KT_V_STALL);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
}

/*
 * On series @s, where verdict @k trips: a declaration that turns it off
 * (KTSTR_MON_* @bit) leaves it unjudged; one that expects it passes.
 * @l holds the limits the last declaration gave.
 */
static void off_then_expected(struct __test_metadata *_metadata,
			      const struct kt_series *s,
			      struct kt_monitor_limits *l,
			      enum kt_verdict_kind k, unsigned int bit)
{
	struct ktstr_monitor_decl decl = { .off = bit };
	struct kt_monitor_verdict v[KT_NR_VERDICTS];

	kt_watch_limits(&decl, l);
	kt_verdicts_eval(s, l, v);
	EXPECT_FALSE(v[k].evaluated);
	EXPECT_FALSE(v[k].failed);
	decl = (struct ktstr_monitor_decl){ .expect = bit };
	kt_watch_limits(&decl, l);
	kt_verdicts_eval(s, l, v);
	EXPECT_TRUE(v[k].tripped);
	EXPECT_FALSE(v[k].failed);
}

/*
 * The default limit, whatever its value: a wait of twice as long trips
 * it, one of half as long does not.
 */
TEST_F(series, the_default_limit_lies_between_half_and_twice_a_wait)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_STALL];
	unsigned int samples = 2 * self->limits.stall_ms / 100;

	ASSERT_LT(0, self->limits.stall_ms);
	healthy(&self->s, samples + 20);
	waits_on_idle_cpu(&self->s, 10, 10 + samples, 2);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed) TH_LOG("%s", v->detail);
	kt_series_free(&self->s);
	kt_series_init(&self->s, &self->layout, CPUS, 100);
	healthy(&self->s, samples + 20);
	waits_on_idle_cpu(&self->s, 10, 10 + samples / 4, 2);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
}

/* What a test declares reaches the verdict. */
TEST_F(series, stall_limits_come_from_the_declaration)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_STALL];
	struct ktstr_monitor_decl decl = { .stall_ms = 3500 };
	unsigned int samples = 2 * self->limits.stall_ms / 100;

	healthy(&self->s, samples + 20);
	waits_on_idle_cpu(&self->s, 10, 40, 2);
	kt_watch_limits(&decl, &self->limits);
	EXPECT_EQ(3500, self->limits.stall_ms);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->tripped);
	EXPECT_NE(NULL, strstr(v->detail, "waited 2912 ms in the global DSQ while the CPU stayed idle (1.0s to 3.9s, limit 3500 ms)"))
		TH_LOG("%s", v->detail);
	/* Off, or expected: a wait past the default. */
	waits_on_idle_cpu(&self->s, 10, 10 + samples, 2);
	off_then_expected(_metadata, &self->s, &self->limits, KT_V_STALL,
			  KTSTR_MON_STALL);
}

/* Sample @i's @cpu runs its idle task with nothing runnable. */
static void idle(struct kt_series *s, size_t i, unsigned int cpu)
{
	struct kt_cpu_sample *c = at(s, i, cpu);

	c->curr = IDLE_TASK;
	c->curr_idle = true;
	c->curr_scx = false;
	c->v[KT_CV_NR_RUNNING] = 0;
	c->v[KT_CV_SCX_NR_RUNNING] = 0;
	c->v[KT_CV_LOCAL_DSQ] = 0;
}

/* A task runnable on @cpu's runqueue, waiting in @place, may run on @allowed. */
static struct kt_waiter *waiter(struct kt_series *s, size_t i,
				unsigned int cpu, int pid,
				enum kt_wait_place place, uint64_t dsq,
				uint64_t allowed)
{
	struct kt_waiter *w = kt_sample_add_waiter(&s->samples[i]);

	w->cpu = cpu;
	w->pid = pid;
	snprintf(w->comm, sizeof(w->comm), "spin%d", pid);
	w->place = place;
	w->dsq_id = dsq;
	w->allowed[0] = allowed;
	at(s, i, cpu)->v[KT_CV_NR_RUNNING]++;
	at(s, i, cpu)->v[KT_CV_SCX_NR_RUNNING]++;
	return w;
}

/*
 * Samples [@from, @to) of @cpu under a sched_ext scheduler: a task runs
 * (or the CPU idles), @local more wait in its local DSQ and @elsewhere
 * more, counted on its runqueue, wait in a shared DSQ or in the BPF
 * scheduler.
 */
static void scx_queue(struct kt_series *s, size_t from, size_t to,
		      unsigned int cpu, bool running, int local, int elsewhere)
{
	struct kt_cpu_sample *c;
	size_t i;

	for (i = from; i < to; i++) {
		c = at(s, i, cpu);
		c->curr_idle = !running;
		c->curr_scx = running;
		c->curr = running ? TASK(cpu * 2) : IDLE_TASK;
		c->v[KT_CV_LOCAL_DSQ] = local;
		c->v[KT_CV_SCX_NR_RUNNING] = running + local + elsewhere;
		c->v[KT_CV_NR_RUNNING] = running + local + elsewhere;
	}
}

TEST_F(series, an_idle_cpu_beside_a_queue_is_an_imbalance)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_IMBALANCE];

	healthy(&self->s, 50);
	scx_queue(&self->s, 20, 30, 0, false, 0, 0);
	scx_queue(&self->s, 20, 30, 3, true, 5, 0);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_EQ(0, v->cpu);
	EXPECT_STREQ("2.0s to 2.9s: cpu 0 averaged 0.00 committed tasks, cpu 3 6.00 (ratio 60.0, limit 8.0; 10.0 committed in all on 4 online CPUs)",
		     v->detail);
	/* A test that confines tasks on purpose turns it off. */
	ASSERT_EQ(0, kt_monitor_limit_set(&self->limits, "imbalance=0"));
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->evaluated);
	EXPECT_FALSE(v->failed);
}

/*
 * EEVDF on llc-uneven: cpu 5 idle for a window while cpu 0 ran a task
 * with another waiting 80% of the time (here cpu 1 and cpu 0).  Ratio
 * 18, but moving one task would leave cpu 0 0.8 and the idle CPU 1.0:
 * nothing to even out.  Two tasks
 * apart, it is an imbalance again.
 */
TEST_F(series, under_two_tasks_apart_is_no_imbalance)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_IMBALANCE];
	size_t i;

	healthy(&self->s, 50);
	scx_queue(&self->s, 20, 30, 1, false, 0, 0);
	scx_queue(&self->s, 20, 30, 3, true, 0, 0);
	for (i = 20; i < 30; i++) {
		scx_queue(&self->s, i, i + 1, 0, true, i % 5 ? 1 : 0, 0);
		scx_queue(&self->s, i, i + 1, 2, true, i % 10 < 3, 0);
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->evaluated);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
	EXPECT_EQ(18, (int)(v->value + 0.5));
	EXPECT_STREQ("2.0s to 2.9s: cpu 1 averaged 0.00 committed tasks, cpu 0 1.80 (ratio 18.0, limit 8.0; 4.1 committed in all on 4 online CPUs); 1.80 tasks apart, under 2: moving one would not even them",
		     v->detail);

	/* A second task waiting on cpu 0 in the same window. */
	scx_queue(&self->s, 20, 30, 0, true, 2, 0);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_EQ(1, v->cpu);
	EXPECT_STREQ("2.0s to 2.9s: cpu 1 averaged 0.00 committed tasks, cpu 0 3.00 (ratio 30.0, limit 8.0; 5.3 committed in all on 4 online CPUs)",
		     v->detail);
}

/*
 * No CPU idles, so the conservation verdict has nothing to say, but the
 * tasks piled up in cpu 1's local DSQ get a tenth of a CPU each while
 * the others run alone.
 */
TEST_F(series, a_pile_in_one_local_dsq_beside_busy_cpus_is_an_imbalance)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_IMBALANCE];
	unsigned int cpu;

	healthy(&self->s, 50);
	for (cpu = 0; cpu < CPUS; cpu++)
		scx_queue(&self->s, 0, 50, cpu, true, cpu == 1 ? 9 : 0, 0);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_EQ(10, (int)(v->value + 0.5));
	EXPECT_NE(NULL, strstr(v->detail, "cpu 0 averaged 1.00 committed tasks, cpu 1 10.00 (ratio 10.0"))
		TH_LOG("%s", v->detail);
	EXPECT_FALSE(self->v[KT_V_CONSERVATION].tripped);
	EXPECT_FALSE(self->v[KT_V_STALL].tripped);
}

/*
 * The same pile, but the guest did not run for most of a window: the
 * monitor read one frozen instant again and again (its emulator starved
 * of the host CPU).  That instant is no sustained imbalance; the windows
 * in which the guest ran still are.
 */
TEST_F(series, a_frozen_guest_is_no_imbalance_but_a_running_one_is)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_IMBALANCE];
	unsigned int cpu;
	size_t i;

	healthy(&self->s, 50);
	for (cpu = 0; cpu < CPUS; cpu++)
		scx_queue(&self->s, 20, 30, cpu, true, cpu == 1 ? 9 : 0, 0);
	/* Samples 25-29 repeat sample 24: the guest ran in half the window. */
	for (i = 25; i < 30; i++)
		self->s.samples[i].jiffies = self->s.samples[24].jiffies;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed) TH_LOG("%s", v->detail);
	/* Samples 24-29 repeat sample 23: in under half. */
	for (i = 24; i < 30; i++)
		self->s.samples[i].jiffies = self->s.samples[23].jiffies;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->failed) TH_LOG("%s", v->detail);

	/* The same pile in a window where the guest ran: an imbalance. */
	for (cpu = 0; cpu < CPUS; cpu++)
		scx_queue(&self->s, 40, 50, cpu, true, cpu == 1 ? 9 : 0, 0);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_NE(NULL, strstr(v->detail, "cpu 1 10.00")) TH_LOG("%s", v->detail);
}

/*
 * cpu 2 idles four samples in ten while five tasks wait in cpu 0's
 * local DSQ: never long enough for the conservation verdict, but the
 * window's mean shows it.
 */
TEST_F(series, short_idle_spells_beside_a_pile_are_an_imbalance)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_IMBALANCE];
	size_t i;
	int pid;

	healthy(&self->s, 50);
	scx_queue(&self->s, 0, 50, 0, true, 5, 0);
	scx_queue(&self->s, 0, 50, 2, true, 0, 0);
	for (i = 0; i < 50; i++) {
		if (i % 10 >= 4)
			continue;
		idle(&self->s, i, 2);
		/*
		 * The pile as the sampler lists it when a CPU idles; it is
		 * counted on cpu 0 already.
		 */
		for (pid = 1; pid <= 5; pid++) {
			waiter(&self->s, i, 0, pid, KT_WAIT_LOCAL, 0, ALL_CPUS);
			at(&self->s, i, 0)->v[KT_CV_NR_RUNNING]--;
			at(&self->s, i, 0)->v[KT_CV_SCX_NR_RUNNING]--;
		}
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_EQ(4, (int)self->v[KT_V_CONSERVATION].value);
	EXPECT_FALSE(self->v[KT_V_CONSERVATION].tripped);
	EXPECT_TRUE(v->failed);
	EXPECT_EQ(2, v->cpu);
	EXPECT_NE(NULL, strstr(v->detail, "cpu 2 averaged 0.60 committed tasks, cpu 0 6.00 (ratio 10.0"))
		TH_LOG("%s", v->detail);
}

/*
 * scx_central: every wake-up goes to the central cpu 0, whose runqueue
 * counts the tasks while they wait in its BPF queue; it hands them out
 * one at a time to the local DSQs.  Where they are counted says nothing
 * about the balance; committed to a CPU, the same tasks would.
 */
TEST_F(series, tasks_waiting_in_a_shared_queue_are_committed_to_no_cpu)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_IMBALANCE];
	unsigned int cpu;
	size_t i;

	healthy(&self->s, 50);
	scx_queue(&self->s, 0, 50, 0, true, 0, 11);
	for (cpu = 1; cpu < CPUS; cpu++)
		scx_queue(&self->s, 0, 50, cpu, true, 0, 0);
	/* Between two tasks a CPU waits for the central one, now and then. */
	for (i = 0; i < 50; i += 4)
		scx_queue(&self->s, i, i + 1, 1 + i % 3, false, 0, 1);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->evaluated);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
	EXPECT_GT(1.5, v->value) TH_LOG("%s", v->detail);

	/* In a user DSQ, or in the global one: the same. */
	for (i = 0; i < 50; i++)
		at(&self->s, i, 0)->v[KT_CV_LOCAL_DSQ] = 0;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);

	/* Put in cpu 0's local DSQ, only cpu 0 will run them. */
	scx_queue(&self->s, 0, 50, 0, true, 11, 0);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_NE(NULL, strstr(v->detail, "cpu 0 12.00 (ratio"))
		TH_LOG("%s", v->detail);
}

/*
 * Without a sched_ext scheduler in charge (EEVDF; or sched_ext bypassing
 * one that is exiting, with the kernel's per-CPU queues) every task on a
 * runqueue is that CPU's.
 */
TEST_F(series, without_a_scheduler_in_charge_every_runnable_task_counts)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_IMBALANCE];
	unsigned int cpu;
	size_t i;

	healthy(&self->s, 50);
	scx_queue(&self->s, 0, 50, 0, true, 0, 11);
	for (cpu = 1; cpu < CPUS; cpu++)
		scx_queue(&self->s, 0, 50, cpu, true, 0, 0);
	for (i = 0; i < 50; i++)
		self->s.samples[i].exit_kind = 1025;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_NE(NULL, strstr(v->detail, "cpu 1 averaged 1.00 committed tasks, cpu 0 12.00 (ratio 12.0"))
		TH_LOG("%s", v->detail);
	for (i = 0; i < 50; i++) {
		self->s.samples[i].exit_kind = KT_NA;
		self->s.samples[i].scheduler[0] = '\0';
		for (cpu = 0; cpu < CPUS; cpu++) {
			at(&self->s, i, cpu)->curr_scx = false;
			at(&self->s, i, cpu)->v[KT_CV_SCX_NR_RUNNING] = 0;
			at(&self->s, i, cpu)->v[KT_CV_LOCAL_DSQ] = 0;
		}
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_EQ(12, (int)v->value);
}

/*
 * An offline CPU runs nothing by right; one that comes back starts
 * empty.  A window in which a CPU was offline at any sample leaves that
 * CPU out, and the others are judged among themselves.
 */
TEST_F(series, offline_cpus_are_left_out_of_the_imbalance)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_IMBALANCE];
	size_t i;

	healthy(&self->s, 60);
	/* cpu 3 goes offline in the middle of a window, back in another. */
	for (i = 15; i < 36; i++) {
		scx_queue(&self->s, i, i + 1, 3, false, 0, 0);
		at(&self->s, i, 3)->v[KT_CV_SCX_FLAGS] = 0;
	}
	/* Back online, empty for the rest of its window. */
	scx_queue(&self->s, 36, 40, 3, false, 0, 0);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->evaluated);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
	EXPECT_EQ(1, (int)v->value) TH_LOG("%s", v->detail);

	/* The online CPUs are still judged: cpu 2 empty beside cpu 0's pile. */
	scx_queue(&self->s, 20, 30, 2, false, 0, 0);
	scx_queue(&self->s, 20, 30, 0, true, 3, 0);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_EQ(2, v->cpu);
	EXPECT_STREQ("2.0s to 2.9s: cpu 2 averaged 0.00 committed tasks, cpu 0 4.00 (ratio 40.0, limit 8.0; 6.0 committed in all on 3 online CPUs)",
		     v->detail);

	/* Scheduler flags that cannot be read: online, as for conservation. */
	for (i = 15; i < 36; i++)
		at(&self->s, i, 3)->v[KT_CV_SCX_FLAGS] = KT_NA;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_NE(NULL, strstr(v->detail, "6.0 committed in all on 4 online CPUs"))
		TH_LOG("%s", v->detail);
}

TEST_F(series, fewer_committed_tasks_than_cpus_is_no_imbalance)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_IMBALANCE];
	unsigned int cpu;

	healthy(&self->s, 50);
	/* One task runs, five more wait in a shared DSQ: no CPU holds them. */
	for (cpu = 0; cpu < CPUS; cpu++)
		scx_queue(&self->s, 0, 50, cpu, cpu == 0, 0, cpu ? 0 : 5);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->evaluated);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
	EXPECT_STREQ("no window of 10 samples had a committed task per online CPU (limit 8.0)",
		     v->detail);
}

/* A value that could not be read leaves out its window, not the rest. */
TEST_F(series, an_unreadable_sample_leaves_out_only_its_window)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_IMBALANCE];

	healthy(&self->s, 50);
	at(&self->s, 5, 1)->v[KT_CV_NR_RUNNING] = KT_NA;
	at(&self->s, 12, 2)->v[KT_CV_LOCAL_DSQ] = KT_NA;
	scx_queue(&self->s, 0, 20, 0, false, 0, 0);
	scx_queue(&self->s, 30, 40, 0, false, 0, 0);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_NE(NULL, strstr(v->detail, "3.0s to 3.9s: cpu 0 averaged 0.00"))
		TH_LOG("%s", v->detail);
}

TEST_F(series, a_deep_local_dsq_and_fast_counters_trip_their_limits)
{
	size_t i;

	healthy(&self->s, 50);
	at(&self->s, 33, 1)->v[KT_CV_LOCAL_DSQ] = 80;
	for (i = 0; i < 50; i++)
		at(&self->s, i, 2)->events[1] = i * 5000;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(self->v[KT_V_LOCAL_DSQ].failed);
	EXPECT_EQ(1, self->v[KT_V_LOCAL_DSQ].cpu);
	EXPECT_NE(NULL, strstr(self->v[KT_V_LOCAL_DSQ].detail, "80 tasks on cpu 1 at 3.3s (limit 32)"))
		TH_LOG("%s", self->v[KT_V_LOCAL_DSQ].detail);
	EXPECT_TRUE(self->v[KT_V_KEEP_LAST_RATE].failed);
	EXPECT_NE(NULL, strstr(self->v[KT_V_KEEP_LAST_RATE].detail, "SCX_EV_DISPATCH_KEEP_LAST rate: 12507.5/s per CPU"))
		TH_LOG("%s", self->v[KT_V_KEEP_LAST_RATE].detail);
	EXPECT_FALSE(self->v[KT_V_FALLBACK_RATE].failed);
	/* Raised limits let the same run pass. */
	ASSERT_EQ(0, kt_monitor_limit_set(&self->limits, "local_dsq_depth=100"));
	ASSERT_EQ(0, kt_monitor_limit_set(&self->limits, "dispatch_keep_last_rate=15000"));
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(kt_verdicts_failed(self->v));
}

TEST_F(series, an_expected_verdict_must_trip)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_STALL];

	healthy(&self->s, 50);
	self->limits.expect = KT_V_BIT(KT_V_STALL);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_FALSE(v->tripped);
	EXPECT_NE(NULL, strstr(v->detail, "expected to trip, did not"))
		TH_LOG("%s", v->detail);
}

TEST_F(series, unavailable_fields_leave_their_verdicts_unjudged)
{
	healthy(&self->s, 50);
	self->layout.f[KT_TASK_SCX_RUNNABLE_AT].available = false;
	self->layout.f[KT_RQ_LOCAL_DSQ_NR].available = false;
	self->layout.nr_events = 0;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(self->v[KT_V_STALL].evaluated);
	EXPECT_FALSE(self->v[KT_V_LOCAL_DSQ].evaluated);
	EXPECT_FALSE(self->v[KT_V_FALLBACK_RATE].evaluated);
	EXPECT_TRUE(self->v[KT_V_IMBALANCE].evaluated);
}

/*
 * From sample @from to @to, cpu 3 idles while cpu 0 has two tasks
 * waiting that may run on @allowed: one in DSQ 0, one held by the BPF
 * scheduler.
 */
static void cpu3_idles(struct kt_series *s, size_t from, size_t to,
		       uint64_t allowed)
{
	size_t i;

	for (i = from; i < to; i++) {
		idle(s, i, 3);
		waiter(s, i, 0, 101, KT_WAIT_DSQ, 0, allowed);
		waiter(s, i, 0, 102, KT_WAIT_BPF, 0, allowed);
	}
}

TEST_F(series, an_idle_cpu_while_tasks_wait_elsewhere_is_not_conserving)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_CONSERVATION];

	healthy(&self->s, 100);
	cpu3_idles(&self->s, 30, 52, ALL_CPUS);
	/* The guest stood still for an interval: it neither counts nor ends. */
	self->s.samples[40].jiffies = self->s.samples[39].jiffies;
	at(&self->s, 40, 3)->v[KT_CV_CLOCK] = at(&self->s, 39, 3)->v[KT_CV_CLOCK];
	/* Lists that could not be read: the same. */
	self->s.samples[45].nr_waiters = 0;
	self->s.samples[45].waiters_unknown = true;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->evaluated);
	EXPECT_TRUE(v->tripped);
	EXPECT_TRUE(v->failed);
	EXPECT_EQ(3, v->cpu);
	EXPECT_EQ(20, (int)v->value);
	EXPECT_STREQ("cpu 3 idle while 2 runnable sched_ext task(s) that may run there waited elsewhere (pid 101 (spin101) on cpu 0 in DSQ 0x0, pid 102 (spin102) on cpu 0 in the BPF scheduler) for 20 samples (3.0s to 5.1s, limit 10)",
		     v->detail);
	EXPECT_FALSE(self->v[KT_V_STALL].tripped);
}

TEST_F(series, the_failure_names_a_few_tasks_and_the_other_idle_cpus)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_CONSERVATION];
	size_t i;
	int pid;

	healthy(&self->s, 40);
	for (i = 10; i < 25; i++) {
		idle(&self->s, i, 2);
		idle(&self->s, i, 3);
		for (pid = 1; pid <= 5; pid++)
			waiter(&self->s, i, pid % 2, pid, KT_WAIT_DSQ,
			       SCX_DSQ_GLOBAL, ALL_CPUS);
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_EQ(2, v->cpu);
	EXPECT_STREQ("cpu 2 idle while 5 runnable sched_ext task(s) that may run there waited elsewhere (pid 1 (spin1) on cpu 1 in the global DSQ, pid 2 (spin2) on cpu 0 in the global DSQ, pid 3 (spin3) on cpu 1 in the global DSQ, ...) for 15 samples (1.0s to 2.4s, limit 10); idle as well: cpu 3",
		     v->detail);
}

/* At every wake-up a correct scheduler can show it for a sample or two. */
TEST_F(series, brief_overlaps_do_not_trip_conservation)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_CONSERVATION];
	size_t i;

	healthy(&self->s, 200);
	for (i = 0; i < 100; i += 10) {
		cpu3_idles(&self->s, i, i + 2, ALL_CPUS);
		/* Another CPU, another moment. */
		idle(&self->s, i + 5, 1);
		waiter(&self->s, i + 5, 2, 7, KT_WAIT_LOCAL, 0, ALL_CPUS);
	}
	/* Nine samples, one in which cpu 3 ran, nine more: two runs. */
	cpu3_idles(&self->s, 120, 129, ALL_CPUS);
	cpu3_idles(&self->s, 130, 139, ALL_CPUS);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->evaluated);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
	EXPECT_EQ(9, (int)v->value);
	EXPECT_EQ(3, v->cpu);
}

/*
 * A ping-pong partner woken onto its waker's CPU waits a moment in that
 * CPU's local DSQ: in every sample a different one, each a hand-off in
 * flight while other CPUs idle.  Samples with only such waits neither
 * count nor end a run, so waits that last still add up between them.
 */
TEST_F(series, hand_offs_in_flight_do_not_trip_conservation)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_CONSERVATION];
	struct kt_waiter *w;
	size_t i;

	healthy(&self->s, 100);
	for (i = 10; i < 70; i++) {
		idle(&self->s, i, 3);
		at(&self->s, i, 0)->curr_scx = true;
		w = waiter(&self->s, i, 0, 200 + i % 2, KT_WAIT_LOCAL, 0,
			   ALL_CPUS);
		/* Woken this jiffy or the one before: under 10 ms. */
		w->runnable_at = self->s.samples[i].jiffies - i % 2;
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->evaluated);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
	EXPECT_EQ(0, (int)v->value);

	/* Every other sample, one that has waited 3 jiffies (12 ms). */
	for (i = 10; i < 70; i += 2)
		self->s.samples[i].waiters[0].runnable_at =
			self->s.samples[i].jiffies - 3;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->tripped);
	EXPECT_EQ(30, (int)v->value);
	EXPECT_NE(NULL, strstr(v->detail, "cpu 3 idle while 1 runnable sched_ext task(s) that may run there waited elsewhere (pid 200 (spin200) on cpu 0 in its local DSQ) for 30 samples"))
		TH_LOG("%s", v->detail);
}

/*
 * Tasks pinned to their CPU, confined by a cpuset that leaves the idle
 * CPU out, in the local DSQ of a CPU a higher class took or of an idle
 * CPU, or an idle CPU that is offline: nothing a correct scheduler could
 * have done here.
 */
TEST_F(series, tasks_that_may_not_run_there_and_offline_cpus_do_not_count)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_CONSERVATION];
	size_t i;

	healthy(&self->s, 100);
	for (i = 10; i < 90; i++) {
		idle(&self->s, i, 3);
		waiter(&self->s, i, 0, 11, KT_WAIT_DSQ, 0, 1u << 0);
		waiter(&self->s, i, 1, 12, KT_WAIT_BPF, 0, 1u << 1 | 1u << 2);
		/* cpu 2 runs an RT task; its preempted task stays local. */
		at(&self->s, i, 2)->curr_scx = false;
		waiter(&self->s, i, 2, 13, KT_WAIT_LOCAL, 0, ALL_CPUS);
		/* Idle beside its own waiting task: about to run it, or a stall. */
		idle(&self->s, i, 1);
		waiter(&self->s, i, 1, 14, KT_WAIT_LOCAL, 0, ALL_CPUS);
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->evaluated);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
	EXPECT_EQ(0, (int)v->value);
	EXPECT_NE(NULL, strstr(v->detail, "no CPU idled while a task it could run waited elsewhere (limit 10)"))
		TH_LOG("%s", v->detail);

	/* The same task in the shared DSQ: an idle CPU should take it. */
	for (i = 10; i < 90; i++)
		self->s.samples[i].waiters[2].place = KT_WAIT_DSQ;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->tripped);
	EXPECT_EQ(3, v->cpu);
	EXPECT_EQ(80, (int)v->value);
	EXPECT_NE(NULL, strstr(v->detail, "(pid 13 (spin13) on cpu 2 in DSQ 0x0)"))
		TH_LOG("%s", v->detail);

	/* Or in a local DSQ behind a sched_ext task: put there, not taken. */
	for (i = 10; i < 90; i++) {
		self->s.samples[i].waiters[2].place = KT_WAIT_LOCAL;
		at(&self->s, i, 2)->curr_scx = true;
	}
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->tripped);
	EXPECT_NE(NULL, strstr(v->detail, "(pid 13 (spin13) on cpu 2 in its local DSQ)"))
		TH_LOG("%s", v->detail);

	/* Unless the idle CPU is offline. */
	for (i = 10; i < 90; i++)
		at(&self->s, i, 3)->v[KT_CV_SCX_FLAGS] = 0;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
}

TEST_F(series, no_conservation_verdict_outside_the_schedulers_hands)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_CONSERVATION];
	size_t i;

	healthy(&self->s, 100);
	cpu3_idles(&self->s, 10, 90, ALL_CPUS);
	/* Exiting: sched_ext bypasses the scheduler. */
	for (i = 10; i < 90; i++)
		self->s.samples[i].exit_kind = 1025;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->tripped) TH_LOG("%s", v->detail);
	/* A kernel without the fields the waiting tasks are read through. */
	for (i = 10; i < 90; i++)
		self->s.samples[i].exit_kind = 0;
	self->layout.f[KT_TASK_CPUS_PTR].available = false;
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->evaluated);
	EXPECT_FALSE(v->failed);
}

/* What a test declares reaches the verdict. */
TEST_F(series, conservation_limits_come_from_the_declaration)
{
	struct kt_monitor_verdict *v = &self->v[KT_V_CONSERVATION];
	struct ktstr_monitor_decl decl = { .conservation_samples = 25 };

	healthy(&self->s, 100);
	cpu3_idles(&self->s, 30, 50, ALL_CPUS);
	kt_watch_limits(&decl, &self->limits);
	EXPECT_EQ(25, self->limits.conservation_samples);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_FALSE(v->tripped);
	EXPECT_NE(NULL, strstr(v->detail, "for 20 samples (3.0s to 4.9s, limit 25)"))
		TH_LOG("%s", v->detail);

	/* A test of a broken scheduler expects it; a healthy run fails it. */
	off_then_expected(_metadata, &self->s, &self->limits,
			  KT_V_CONSERVATION, KTSTR_MON_CONSERVATION);
	EXPECT_EQ(10, self->limits.conservation_samples);
	kt_series_free(&self->s);
	kt_series_init(&self->s, &self->layout, CPUS, 100);
	healthy(&self->s, 100);
	kt_verdicts_eval(&self->s, &self->limits, self->v);
	EXPECT_TRUE(v->failed);
	EXPECT_NE(NULL, strstr(v->detail, "expected to trip, did not"))
		TH_LOG("%s", v->detail);

	/* And from the command line. */
	ASSERT_EQ(0, kt_monitor_limit_set(&self->limits, "conservation=40"));
	EXPECT_EQ(40, self->limits.conservation_samples);
	EXPECT_EQ(-1, kt_monitor_limit_set(&self->limits, "conservation=2.5"));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "--limit 'conservation=2.5': a whole number of samples"))
		TH_LOG("%s", kt_errmsg());
}

TEST(limits_are_parsed_and_bad_ones_named)
{
	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "stall", "--limit 'stall': expected NAME=VALUE" },
		{ "=3", "--limit '=3': expected NAME=VALUE" },
		{ "stall=", "the value must be a number >= 0" },
		{ "stall=x", "the value must be a number >= 0" },
		{ "stall=-2", "the value must be a number >= 0" },
		{ "stall=1.5", "--limit 'stall=1.5': a whole number of milliseconds" },
		{ "conservation=2.5", "--limit 'conservation=2.5': a whole number of samples" },
		{ "imbalance_window=1", "at least 2" },
		{ "warp=9", "no verdict 'warp'" },
	};
	struct kt_monitor_limits l;
	size_t i;

	kt_monitor_limits_default(&l);
	ASSERT_EQ(0, kt_monitor_limit_set(&l, "stall=3000"));
	ASSERT_EQ(0, kt_monitor_limit_set(&l, "imbalance=2.5"));
	ASSERT_EQ(0, kt_monitor_limit_set(&l, "imbalance_window=20"));
	EXPECT_EQ(3000, l.stall_ms);
	EXPECT_EQ(2.5, l.max_imbalance);
	EXPECT_EQ(20, l.imbalance_window);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-1, kt_monitor_limit_set(&l, bad[i].text));
		EXPECT_NE(NULL, strstr(kt_errmsg(), bad[i].error))
			TH_LOG("%s: %s", bad[i].text, kt_errmsg());
	}
	EXPECT_EQ(KT_V_STALL, kt_monitor_verdict_parse("stall"));
	EXPECT_EQ(-1, kt_monitor_verdict_parse("stal"));
}

TEST_HARNESS_MAIN
