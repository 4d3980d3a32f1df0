// SPDX-License-Identifier: GPL-2.0
/*
 * Real-time tasks beside the scheduler under test.  SCHED_FIFO is a
 * class above sched_ext and fair, so an RT task takes its CPU whatever
 * the scheduler under test wants; what the scheduler decides is where
 * the tasks it had queued on that CPU go.  The rule the check applies,
 * and why, is in Documentation/assertions.md ("RT tasks").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

/*
 * The kernel's deadline server for sched_ext tasks (rq->ext_server, like
 * fair's) guarantees them 50 ms in every 1000 ms period on a CPU that RT
 * tasks hold.  7.3's put_prev_task_scx() keeps a task that an RT task
 * preempted with slice left at the head of its CPU's local DSQ: it waits
 * there for the server, runs out its slice and goes back to the
 * scheduler.  So even a correct scheduler without SCX_ENQ_IMMED or
 * ops.cpu_release() (scx_simple) has at most one task at a time waiting
 * on each RT-held CPU, for up to a server period; with IMMED (scx_qmap)
 * the kernel hands it back at once; EEVDF's balancer pulls it away.  A
 * scheduler that queues tasks on per-CPU local DSQs and never moves them
 * keeps as many there as anywhere else: with three tasks per CPU, a
 * quarter of them on one RT-held CPU out of two is the bound that the
 * first kind stays well under (at most one of six per RT-held CPU) and
 * the second goes over (about half when half the CPUs are held).
 */
#define EXT_SERVER_PERIOD_MS 1000
#define RT_MAX_SHARE_ON_RT 0.3
/*
 * The ordinary gap limit (ktstr_default_limits) and two server periods
 * on top: three spinners per CPU on 2n2l2c2t went 2.5 s without a turn
 * under EEVDF, with no task on an RT-held CPU.
 */
#define RT_GAP_LIMIT_MS (3000 + 2 * EXT_SERVER_PERIOD_MS)
/* How often ktstr_workers_sample_cpus() looks. */
#define SAMPLE_EVERY_MS 50
/* How finely an RT burst checks whether its run time is over. */
#define BURST_SLICES 16

const struct ktstr_rt_limits ktstr_default_rt_limits = {
	.max_share_on_rt = RT_MAX_SHARE_ON_RT,
	.max_gap_ms = RT_GAP_LIMIT_MS,
};

int ktstr_rt_place(struct ktstr_wctx *c)
{
	struct sched_param param = { .sched_priority = KTSTR_RT_PRIO };

	if (sched_setscheduler(0, SCHED_FIFO, &param) < 0)
		return ktstr_fail("sched_setscheduler(SCHED_FIFO, priority %d): %s",
				  KTSTR_RT_PRIO, strerror(errno));
	return 0;
}

void ktstr_do_rt_hog(struct ktstr_wctx *c)
{
	do
		ktstr_spin(c->sh->chunk_iters);
	while (!ktstr_checkpoint(c));
}

/* The period boundary after @now, on the grid start + k * @period. */
static uint64_t next_boundary(uint64_t start, uint64_t period, uint64_t now)
{
	return now < start ? start : now + period - (now - start) % period;
}

/*
 * Wakes at every period boundary (all workers together: on every CPU at
 * once), runs duty_pct of the period, sleeps again.  The delay from the
 * boundary to running is the worker's wake-up latency; one burst is one
 * unit of work.
 */
void ktstr_do_rt_burst(struct ktstr_wctx *c)
{
	uint64_t run = c->period_ns * c->duty_pct / 100;
	uint64_t iters = c->sh->chunk_iters / BURST_SLICES + 1;
	uint64_t due = c->sh->start_ns + c->period_ns, woke;

	while (!ktstr_sleep_until(c, due)) {
		woke = ktstr_now_ns();
		if (woke > due)
			ktstr_record_latency(c, woke - due);
		while (ktstr_now_ns() < woke + run)
			ktstr_spin(iters);
		if (ktstr_checkpoint(c))
			return;
		due = next_boundary(c->sh->start_ns, c->period_ns,
				    ktstr_now_ns());
	}
}

int ktstr_cpus_rt_hogged(const struct ktstr_topo *t, cpu_set_t *out)
{
	unsigned int cpu;

	CPU_ZERO(out);
	for (cpu = 0; cpu < KTSTR_MAX_CPUS; cpu++)
		if (CPU_ISSET(cpu, &t->all) && cpu % 2)
			CPU_SET(cpu, out);
	if (!CPU_COUNT(out) || CPU_EQUAL(out, &t->all))
		return ktstr_fail("RT hogs need 2 online CPUs, CPU 0 and an odd one (%u online)",
				  t->nr_cpus);
	return 0;
}

/*
 * A task's state and the CPU it is on (or queued on), fields 3 and 39 of
 * /proc/PID/stat, after its comm, which may hold anything.
 */
static int task_cpu_state(pid_t pid, char *state, int *cpu)
{
	char path[64], buf[1024], *p;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (ktstr_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return ktstr_fail("%s: no comm in '%.40s'", path, buf);
	p += 2;
	*state = *p;
	for (field = 3; field < 39 && p; field++) {
		p = strchr(p, ' ');
		p = p ? p + 1 : NULL;
	}
	if (!p)
		return ktstr_fail("%s: fewer than 39 fields", path);
	*cpu = atoi(p);
	return 0;
}

int ktstr_workers_sample_cpus(struct ktstr_workers *w, const cpu_set_t *cpus,
			      unsigned int ms)
{
	uint64_t end = ktstr_now_ns() + ms * 1000000ull;
	char state = 0, list[256];
	unsigned int i;
	int cpu = -1;

	w->samples_runnable = 0;
	w->samples_on = 0;
	while (ktstr_now_ns() < end) {
		for (i = 0; i < w->n; i++) {
			if (task_cpu_state(w->pids[i], &state, &cpu) < 0)
				return -1;
			if (state != 'R')
				continue;
			w->samples_runnable++;
			w->samples_on += cpu >= 0 && cpu < KTSTR_MAX_CPUS &&
					 CPU_ISSET(cpu, cpus);
		}
		ktstr_sleep_ms(SAMPLE_EVERY_MS);
	}
	ktstr_cpus_format(cpus, list, sizeof(list));
	printf("# %s: %llu of %llu runnable samples on CPUs %s\n",
	       ktstr_workers_name(w), (unsigned long long)w->samples_on,
	       (unsigned long long)w->samples_runnable, list);
	fflush(stdout);
	return 0;
}

static uint64_t longest_gap(const struct ktstr_workers *w, unsigned int *who)
{
	uint64_t longest = 0;
	unsigned int i;

	*who = 0;
	for (i = 0; i < w->n; i++) {
		if (w->sh->slot[i].stats.max_gap_ns <= longest)
			continue;
		longest = w->sh->slot[i].stats.max_gap_ns;
		*who = i;
	}
	return longest;
}

bool ktstr_check_rt_displaced(const struct ktstr_workers *w,
			      const cpu_set_t *rt_cpus,
			      const struct ktstr_rt_limits *l, char *why,
			      size_t len)
{
	double share = w->samples_runnable ?
		       (double)w->samples_on / w->samples_runnable : 0;
	unsigned int who;
	uint64_t gap = longest_gap(w, &who);
	char rt[256];
	bool ok = false;

	ktstr_cpus_format(rt_cpus, rt, sizeof(rt));
	if (!w->samples_runnable)
		snprintf(why, len,
			 "rt_displaced: %s was never seen runnable (sampled with ktstr_workers_sample_cpus()?)",
			 ktstr_workers_name(w));
	else if (share > l->max_share_on_rt)
		ktstr_group_fail(w, why, len,
				 "rt_displaced: %.0f%% of the runnable samples (%llu of %llu) found a task on CPUs %s, which SCHED_FIFO tasks held (limit %.0f%%): tasks queued behind RT tasks were not moved to the free CPUs",
				 100 * share,
				 (unsigned long long)w->samples_on,
				 (unsigned long long)w->samples_runnable, rt,
				 100 * l->max_share_on_rt);
	else if (gap > l->max_gap_ms * 1000000ull)
		ktstr_group_fail(w, why, len,
				 "rt_displaced: worker %u went %llu ms without progress (limit %llu ms) while SCHED_FIFO tasks held CPUs %s",
				 who, (unsigned long long)(gap / 1000000),
				 (unsigned long long)l->max_gap_ms, rt);
	else
		ok = true;
	ktstr_result_check("rt_displaced", ktstr_workers_name(w), ok, why,
			   KTSTR_KV({ "share_on_rt_cpus", share },
				    { "limit", l->max_share_on_rt },
				    { "samples", w->samples_runnable },
				    { "max_gap_ms", gap / 1e6 },
				    { "limit_gap_ms", l->max_gap_ms },
				    { "rt_cpus", CPU_COUNT(rt_cpus) }));
	return ok;
}
