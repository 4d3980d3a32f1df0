// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "json.h"
#include "output.h"

/* The first sample in which the root scheduler had an exit kind set. */
static const struct kt_sample *first_exit(const struct kt_series *s, size_t *at)
{
	size_t i;

	for (i = 0; i < s->count; i++) {
		if (s->samples[i].exit_kind == KT_NA ||
		    !s->samples[i].exit_kind)
			continue;
		*at = i;
		return &s->samples[i];
	}
	return NULL;
}

static const char *exit_name(const struct kt_series *s, int64_t kind)
{
	const char *name = kt_layout_exit_name(s->layout, kind);

	return name ? name : "an unknown exit kind";
}

double kt_monitor_cost_us(const struct kt_series *s)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < s->count; i++)
		sum += s->samples[i].cost_us;
	return s->count ? sum / s->count : 0;
}

/* The window over which a vCPU thread's least share of the host is judged. */
#define VCPU_WINDOW_S 1.0

struct vcpu_shares {
	double lo, hi;			/* over the whole series */
	double least;			/* in any busy VCPU_WINDOW_S */
	unsigned int least_cpu;
	size_t least_at;
};

/* The thread that runs every vCPU in turn, as a @cpu below. */
#define WHOLE_VM UINT_MAX

static bool busy_at(const struct kt_sample *x, unsigned int cpu)
{
	unsigned int c;

	if (cpu != WHOLE_VM)
		return !x->cpu[cpu].curr_idle;
	for (c = 0; c < x->nr_cpus; c++)
		if (!x->cpu[c].curr_idle)
			return true;
	return false;
}

static double thread_share(const struct kt_series *s, unsigned int cpu,
			   size_t from, size_t to)
{
	return cpu == WHOLE_VM ? kt_series_vm_share(s, from, to) :
				 kt_series_vcpu_share(s, cpu, from, to);
}

static int64_t thread_run(const struct kt_sample *x, unsigned int cpu)
{
	return cpu == WHOLE_VM ? x->vm_run : x->cpu[cpu].v[KT_CV_VCPU_RUN];
}

/*
 * @cpu's thread's share over the whole series, from its first reading to
 * its last (QEMU's threads end before the last samples at shutdown).
 */
static double whole_share(const struct kt_series *s, unsigned int cpu)
{
	size_t from = 0, to = s->count;

	while (from < s->count && thread_run(&s->samples[from], cpu) == KT_NA)
		from++;
	while (to > from + 1 && thread_run(&s->samples[to - 1], cpu) == KT_NA)
		to--;
	return to > from + 1 ? thread_share(s, cpu, from, to - 1) : -1;
}

/*
 * The least share @cpu's thread had in a window that starts at a sample
 * and in which the guest CPU (for WHOLE_VM, some CPU) was busy at every
 * sample: an idle vCPU needs no host CPU, a busy one that gets none is
 * starved.
 */
static void least_window_share(const struct kt_series *s, unsigned int cpu,
			       struct vcpu_shares *v)
{
	size_t i, j = 0, next_idle = 0;
	double share;

	for (i = 0; i < s->count; i++) {
		if (j <= i)
			j = i + 1;
		while (j < s->count &&
		       s->samples[j].host_s - s->samples[i].host_s < VCPU_WINDOW_S)
			j++;
		if (j == s->count)
			return;
		if (next_idle < i)
			next_idle = i;
		while (next_idle < s->count && busy_at(&s->samples[next_idle], cpu))
			next_idle++;
		if (next_idle <= j)
			continue;
		share = thread_share(s, cpu, i, j);
		if (share >= 0 && share < v->least) {
			v->least = share;
			v->least_cpu = cpu;
			v->least_at = i;
		}
	}
}

/* False if no vCPU thread was timed (no thread names, or too short). */
static bool vcpu_shares(const struct kt_series *s, struct vcpu_shares *v)
{
	unsigned int cpu;
	double share;
	bool known = false;

	*v = (struct vcpu_shares){ .lo = 2, .hi = -1, .least = 2 };
	if (s->count < 2)
		return false;
	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		share = whole_share(s, cpu);
		if (share < 0)
			continue;
		known = true;
		v->lo = share < v->lo ? share : v->lo;
		v->hi = share > v->hi ? share : v->hi;
		least_window_share(s, cpu, v);
	}
	return known;
}

/*
 * How much of the host each vCPU thread (or the one that runs them all)
 * had: a guest CPU that stood still while its thread had no host CPU
 * was starved by the host, not by the scheduler under test.
 */
static void summarize_vcpus(FILE *f, const struct kt_series *s)
{
	struct vcpu_shares v = { .least = 2 };
	double all = whole_share(s, WHOLE_VM);

	if (all >= 0) {
		least_window_share(s, WHOLE_VM, &v);
		fprintf(f, "monitor: QEMU's TCG thread (every vCPU in turn) had %.2f of a host CPU",
			all);
		if (v.least < 2)
			fprintf(f, ", the least in any %.0f s with a vCPU busy: %.2f (from %.1fs)",
				VCPU_WINDOW_S, v.least,
				kt_series_time(s, v.least_at));
		fputc('\n', f);
	}
	if (!vcpu_shares(s, &v))
		return;
	fprintf(f, "monitor: vCPU threads had %.2f to %.2f of a host CPU", v.lo,
		v.hi);
	if (v.least < 2)
		fprintf(f, ", a busy one the least in any %.0f s: %.2f (vCPU %u from %.1fs)",
			VCPU_WINDOW_S, v.least, v.least_cpu,
			kt_series_time(s, v.least_at));
	fputc('\n', f);
}

/*
 * A busy CPU's timer tick moves its runqueue clock every few ms.  One
 * that stood still this long on a busy CPU while the guest's jiffies
 * went on took no timer interrupt: it ran with interrupts off, or the
 * emulator did not run its vCPU.  Either way what the tasks there did
 * in that time says nothing of the scheduler under test.
 */
#define STILL_CLOCK_NOTE_S 1.0

struct still_clock {
	unsigned int cpu;
	size_t from, to;		/* samples */
};

/* Between samples @i - 1 and @i, @cpu was busy and its clock stood still. */
static bool clock_still(const struct kt_series *s, size_t i, unsigned int cpu)
{
	const struct kt_sample *a = &s->samples[i - 1], *b = &s->samples[i];
	int64_t ca = a->cpu[cpu].v[KT_CV_CLOCK];
	int64_t ja = a->jiffies, jb = b->jiffies;

	return ca != KT_NA && ca == b->cpu[cpu].v[KT_CV_CLOCK] &&
	       ja != KT_NA && jb != ja &&
	       !a->cpu[cpu].curr_idle && !b->cpu[cpu].curr_idle;
}

/* The longest such stretch of any CPU; false if none. */
static bool longest_still_clock(const struct kt_series *s,
				struct still_clock *best)
{
	unsigned int cpu;
	size_t i, from;
	bool found = false;

	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		from = 0;
		for (i = 1; i < s->count; i++) {
			if (!clock_still(s, i, cpu)) {
				from = i;
				continue;
			}
			if (found && s->samples[i].host_s -
				     s->samples[from].host_s <=
				     s->samples[best->to].host_s -
				     s->samples[best->from].host_s)
				continue;
			*best = (struct still_clock){ cpu, from, i };
			found = true;
		}
	}
	return found;
}

static void summarize_still_clock(FILE *f, const struct kt_series *s)
{
	const struct kt_cpu_sample *c;
	struct still_clock t;
	double from_s, to_s;

	if (!longest_still_clock(s, &t))
		return;
	from_s = kt_series_time(s, t.from);
	to_s = kt_series_time(s, t.to);
	if (to_s - from_s < STILL_CLOCK_NOTE_S)
		return;
	c = &s->samples[t.to].cpu[t.cpu];
	fprintf(f, "monitor: cpu %u's clock stood still from %.1fs to %.1fs while it ran pid %lld (%s): it took no timer interrupt (interrupts off, or its vCPU not run)\n",
		t.cpu, from_s, to_s, (long long)c->v[KT_CV_CURR_PID], c->comm);
}

/* arm64's: the image, kimage_voffset and the linear map. */
static void summarize_place_arm64(FILE *f, const struct kt_series *s)
{
	const struct kt_kaslr *k = &s->place;

	fprintf(f, "monitor: arm64 kernel found in %.1f ms (%u places compared): virtual offset 0x%llx, _text at guest-physical 0x%llx, kimage_voffset 0x%llx, linux_banner at guest-physical 0x%llx, linear map 0x%llx at guest-physical 0x%llx (memstart_addr 0x%llx), %u-level paging (%u-bit VA%s), %s\n",
		s->find_us / 1000, k->probes,
		(unsigned long long)k->virt_offset,
		(unsigned long long)k->image_pa,
		(unsigned long long)k->kimage_voffset,
		(unsigned long long)k->banner_pa,
		(unsigned long long)k->page_offset_base,
		(unsigned long long)k->direct_map_pa,
		(unsigned long long)k->memstart_addr, k->levels,
		k->levels == 5 ? 52 : 48, k->lpa2 ? ", LPA2" : "",
		kt_kaslr_moved(k) ? "moved by KASLR" : "not moved (no KASLR)");
}

/* Where the guest kernel was found: what KASLR chose, or nokaslr's. */
static void summarize_place(FILE *f, const struct kt_series *s)
{
	const struct kt_kaslr *k = &s->place;

	if (!s->find_us)
		return;
	if (k->arch == KT_ARCH_ARM64) {
		summarize_place_arm64(f, s);
		return;
	}
	fprintf(f, "monitor: kernel found in %.1f ms (%u places compared): virtual offset 0x%llx, phys_base 0x%llx, linux_banner at guest-physical 0x%llx, direct map 0x%llx, vmalloc 0x%llx, vmemmap 0x%llx, %u-level paging, %s\n",
		s->find_us / 1000, k->probes,
		(unsigned long long)k->virt_offset,
		(unsigned long long)k->phys_base,
		(unsigned long long)k->banner_pa,
		(unsigned long long)k->page_offset_base,
		(unsigned long long)k->vmalloc_base,
		(unsigned long long)k->vmemmap_base, k->levels,
		kt_kaslr_moved(k) ? "moved by KASLR" : "not moved (no KASLR)");
}

static const char *state_word(const struct kt_monitor_verdict *v)
{
	if (!v->evaluated)
		return "off";
	if (v->failed)
		return "FAILED";
	return v->tripped ? "tripped as expected" : "ok";
}

void kt_monitor_summary(FILE *f, const struct kt_series *s,
			const struct kt_monitor_verdict v[KT_NR_VERDICTS],
			const char *error)
{
	const struct kt_sample *x;
	unsigned int k;
	size_t at;

	if (error) {
		fprintf(f, "monitor: could not watch the guest: %s\n", error);
		return;
	}
	fprintf(f, "monitor: %zu samples every %u ms over %.1fs on %u CPUs, %.1f us host CPU per sample\n",
		s->count, s->interval_ms,
		s->count ? kt_series_time(s, s->count - 1) : 0.0, s->nr_cpus,
		kt_monitor_cost_us(s));
	summarize_place(f, s);
	if (s->layout->missing[0])
		fprintf(f, "monitor: this kernel lacks: %s\n", s->layout->missing);
	summarize_vcpus(f, s);
	summarize_still_clock(f, s);
	x = first_exit(s, &at);
	if (x)
		fprintf(f, "monitor: scheduler %s exiting at %.1fs: %s (%lld)\n",
			x->scheduler[0] ? x->scheduler : "-",
			kt_series_time(s, at), exit_name(s, x->exit_kind),
			(long long)x->exit_kind);
	for (k = 0; k < KT_NR_VERDICTS; k++)
		fprintf(f, "monitor: %s %s%s%s\n", kt_monitor_verdict_name(k),
			state_word(&v[k]), v[k].detail[0] ? ": " : "",
			v[k].detail);
}

void kt_monitor_failures(FILE *f, const struct kt_monitor_verdict v[KT_NR_VERDICTS])
{
	unsigned int k;

	for (k = 0; k < KT_NR_VERDICTS; k++)
		if (v[k].failed)
			fprintf(f, "monitor verdict %s failed: %s\n",
				kt_monitor_verdict_name(k), v[k].detail);
}

static json_t *json_verdict(const struct kt_monitor_verdict *v,
			    unsigned int k)
{
	return json_pack("{s:s, s:b, s:b, s:b, s:i, s:o, s:o, s:o, s:o, s:o}",
			 "name", kt_monitor_verdict_name(k),
			 "evaluated", v->evaluated, "tripped", v->tripped,
			 "failed", v->failed, "cpu", v->cpu,
			 "t0", kt_json_real(v->t0, 3),
			 "t1", kt_json_real(v->t1, 3),
			 "value", kt_json_real(v->value, 3),
			 "limit", kt_json_real(v->limit, 3),
			 "detail", kt_json_text(v->detail));
}

static json_t *json_verdicts(const struct kt_monitor_verdict v[KT_NR_VERDICTS])
{
	json_t *array = json_array();
	unsigned int k;

	for (k = 0; array && k < KT_NR_VERDICTS; k++)
		array = kt_json_append(array, json_verdict(&v[k], k));
	return array;
}

static const char *const place_names[] = {
	[KT_WAIT_LOCAL] = "local", [KT_WAIT_DSQ] = "dsq", [KT_WAIT_BPF] = "bpf",
};

static json_t *dsq_value(const struct kt_waiter *w)
{
	char id[24];

	if (w->place != KT_WAIT_DSQ)
		return json_null();
	/* A string: builtin DSQ ids do not fit an int64. */
	snprintf(id, sizeof(id), "0x%llx", (unsigned long long)w->dsq_id);
	return json_string(id);
}

/* What a waiting task is, added to @obj: pid, comm, where it waits, since when. */
static int add_waiter_task(json_t *obj, const struct kt_waiter *w)
{
	json_t *task = json_pack("{s:i, s:o, s:s, s:o, s:o}", "pid", w->pid,
				 "comm", kt_json_text(w->comm),
				 "place", place_names[w->place],
				 "dsq", dsq_value(w),
				 "runnable_at", kt_json_int(w->runnable_at, KT_NA));
	int ret = task ? json_object_update(obj, task) : -1;

	json_decref(task);
	return ret;
}

/* The CPU's longest waiter and how long it had waited, or null. */
static json_t *json_longest(const struct kt_series *s,
			    const struct kt_sample *x,
			    const struct kt_cpu_sample *c)
{
	json_t *obj;

	if (!c->has_longest)
		return json_null();
	obj = json_object();
	if (!obj || add_waiter_task(obj, &c->longest) ||
	    json_object_set_new(obj, "wait_ms",
				kt_json_real(kt_waiter_wait_ms(s->layout, x,
							       &c->longest), 1)) ||
	    json_object_set_new(obj, "partial",
				json_boolean(c->longest_partial))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* The CPU's event counters, or null without a sched_ext scheduler. */
static json_t *json_cpu_events(const struct kt_series *s,
			       const struct kt_cpu_sample *c)
{
	json_t *array;
	unsigned int i;

	if (!s->layout->nr_events || c->events[0] == KT_NA)
		return json_null();
	array = json_array();
	for (i = 0; array && i < s->layout->nr_events; i++)
		array = kt_json_append(array, kt_json_int(c->events[i], KT_NA));
	return array;
}

static json_t *json_cpu(const struct kt_series *s, const struct kt_sample *x,
			const struct kt_cpu_sample *c)
{
	json_t *obj = json_object();
	unsigned int i;
	int bad = !obj;

	for (i = 0; !bad && i < KT_NR_CPU_VALUES; i++)
		bad = json_object_set_new(obj, kt_cpu_value_name(i),
					  kt_json_int(c->v[i], KT_NA));
	if (bad ||
	    json_object_set_new(obj, "curr_comm", kt_json_text(c->comm)) ||
	    json_object_set_new(obj, "curr_idle", json_boolean(c->curr_idle)) ||
	    json_object_set_new(obj, "curr_scx", json_boolean(c->curr_scx)) ||
	    json_object_set_new(obj, "longest_wait", json_longest(s, x, c)) ||
	    json_object_set_new(obj, "events", json_cpu_events(s, c))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* "0-3,6": the CPUs a waiting task may run on. */
static json_t *json_cpulist(const struct kt_waiter *w, unsigned int nr_cpus)
{
	/* At most ten digits and a separator per CPU. */
	char *list = malloc(nr_cpus * 11 + 1);
	unsigned int cpu, end;
	size_t len = 0;
	json_t *v;

	if (!list)
		return NULL;
	list[0] = '\0';
	for (cpu = 0; cpu < nr_cpus; cpu = end + 1) {
		end = cpu;
		if (!kt_waiter_allowed(w, cpu))
			continue;
		while (end + 1 < nr_cpus && kt_waiter_allowed(w, end + 1))
			end++;
		len += sprintf(list + len, "%s%u", len ? "," : "", cpu);
		if (end > cpu)
			len += sprintf(list + len, "-%u", end);
	}
	v = json_string(list);
	free(list);
	return v;
}

static json_t *json_waiter(const struct kt_sample *x, const struct kt_waiter *w)
{
	json_t *obj = json_pack("{s:I}", "cpu", (json_int_t)w->cpu);

	if (!obj || add_waiter_task(obj, w) ||
	    json_object_set_new(obj, "allowed", json_cpulist(w, x->nr_cpus))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* The waiting tasks read with this sample. */
static json_t *json_waiters(const struct kt_sample *x)
{
	json_t *array = json_array();
	unsigned int i;

	for (i = 0; array && i < x->nr_waiters; i++)
		array = kt_json_append(array, json_waiter(x, &x->waiters[i]));
	return array;
}

/* The root scheduler's exit kind: its name if known, else the number. */
static json_t *exit_kind_value(const struct kt_series *s,
			       const struct kt_sample *x)
{
	const char *name = x->exit_kind == KT_NA ? NULL :
			   kt_layout_exit_name(s->layout, x->exit_kind);

	return name ? kt_json_text(name) : kt_json_int(x->exit_kind, KT_NA);
}

static json_t *json_sample(const struct kt_series *s, size_t i)
{
	const struct kt_sample *x = &s->samples[i];
	json_t *obj, *cpus = json_array();
	unsigned int cpu;

	for (cpu = 0; cpus && cpu < x->nr_cpus; cpu++)
		cpus = kt_json_append(cpus, json_cpu(s, x, &x->cpu[cpu]));
	obj = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o}",
			"t", kt_json_real(kt_series_time(s, i), 3),
			"jiffies", kt_json_int(x->jiffies, KT_NA),
			"state", kt_json_text(kt_layout_enable_name(s->layout,
								    x->enable_state)),
			"scheduler", kt_json_text(x->scheduler),
			"watchdog_ts", kt_json_int(x->watchdog_ts, KT_NA),
			"watchdog_timeout",
			kt_json_int(x->watchdog_timeout, KT_NA),
			"exit_kind", exit_kind_value(s, x),
			"bypass_depth", kt_json_int(x->bypass_depth, KT_NA),
			"cost_us", kt_json_real(x->cost_us, 1),
			"vm_run", kt_json_int(x->vm_run, KT_NA),
			"cpus", cpus,
			"waiting_unknown", x->waiters_unknown,
			"waiting", json_waiters(x));
	return obj;
}

/* The first exit of the root scheduler, or null. */
static json_t *json_exit(const struct kt_series *s)
{
	const struct kt_sample *x;
	size_t at;

	x = first_exit(s, &at);
	if (!x)
		return json_null();
	return json_pack("{s:o, s:o, s:I, s:o}",
			 "t", kt_json_real(kt_series_time(s, at), 3),
			 "scheduler", kt_json_text(x->scheduler),
			 "kind", (json_int_t)x->exit_kind,
			 "name", kt_json_text(exit_name(s, x->exit_kind)));
}

static json_t *json_event_names(const struct kt_layout *l)
{
	json_t *array = json_array();
	unsigned int e;

	for (e = 0; array && e < l->nr_events; e++)
		array = kt_json_append(array, kt_json_text(l->events[e].name));
	return array;
}

static json_t *json_hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

static json_t *json_place_arm64(const struct kt_series *s)
{
	const struct kt_kaslr *k = &s->place;

	return json_pack("{s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:b, s:o, s:I}",
			 "arch", "arm64", "kaslr", kt_kaslr_moved(k),
			 "virt_offset", json_hex(k->virt_offset),
			 "image_pa", json_hex(k->image_pa),
			 "kimage_voffset", json_hex(k->kimage_voffset),
			 "banner_pa", json_hex(k->banner_pa),
			 "top_pgt_pa", json_hex(k->top_pgt),
			 "page_offset", json_hex(k->page_offset_base),
			 "linear_map_pa", json_hex(k->direct_map_pa),
			 "memstart_addr", json_hex(k->memstart_addr),
			 "levels", (json_int_t)k->levels, "lpa2", k->lpa2,
			 "find_ms", kt_json_real(s->find_us / 1000, 3),
			 "probes", (json_int_t)k->probes);
}

/* Addresses as hex strings: most do not fit JSON's integers. */
static json_t *json_place(const struct kt_series *s)
{
	const struct kt_kaslr *k = &s->place;

	if (!s->find_us)
		return json_null();
	if (k->arch == KT_ARCH_ARM64)
		return json_place_arm64(s);
	return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:I}",
			 "kaslr", kt_kaslr_moved(k),
			 "virt_offset", json_hex(k->virt_offset),
			 "phys_base", json_hex(k->phys_base),
			 "banner_pa", json_hex(k->banner_pa),
			 "top_pgt_pa", json_hex(k->top_pgt),
			 "page_offset_base", json_hex(k->page_offset_base),
			 "vmalloc_base", json_hex(k->vmalloc_base),
			 "vmemmap_base", json_hex(k->vmemmap_base),
			 "levels", (json_int_t)k->levels,
			 "find_ms", kt_json_real(s->find_us / 1000, 3),
			 "probes", (json_int_t)k->probes);
}

json_t *kt_monitor_json(const struct kt_series *s,
			const struct kt_monitor_verdict v[KT_NR_VERDICTS],
			const char *error, const char *plot)
{
	json_t *samples = json_array(), *obj;
	size_t i;

	for (i = 0; samples && i < s->count; i++)
		samples = kt_json_append(samples, json_sample(s, i));
	obj = json_pack("{s:I, s:I, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			"interval_ms", (json_int_t)s->interval_ms,
			"nr_cpus", (json_int_t)s->nr_cpus,
			"hz", kt_json_int(s->layout->hz ? s->layout->hz : KT_NA,
					  KT_NA),
			"count", (json_int_t)s->count,
			"dropped", (json_int_t)s->dropped,
			"host_us_per_sample",
			kt_json_real(kt_monitor_cost_us(s), 2),
			"error", error ? kt_json_text(error) : json_null(),
			"kernel", json_place(s),
			"unavailable", kt_json_text(s->layout->missing),
			"plot", plot ? kt_json_text(plot) : json_null(),
			"scheduler_exit", json_exit(s),
			"verdicts", json_verdicts(v),
			"events", json_event_names(s->layout),
			"samples", samples);
	if (!obj)
		kt_fail("monitor JSON: out of memory");
	return obj;
}
