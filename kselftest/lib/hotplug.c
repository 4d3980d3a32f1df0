// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug for tests: CPUs taken offline and brought back through
 * /sys/devices/system/cpu/cpuN/online while tasks run.
 *
 * A sched_ext scheduler either handles hotplug (ops.cpu_online/offline)
 * or is made to exit by the kernel, which asks it to restart
 * (SCX_ECODE_ACT_RESTART); its loader then loads it again.  A loader
 * reads the hotplug sequence when it opens the scheduler, and the kernel
 * refuses the attach if a CPU came or went since: by the 7.3 source the
 * kernel's example loaders then end (SCX_BUG_ON on the failed attach).
 * So a test waits for the scheduler to settle (ktstr_sched_follow())
 * before the next event.
 *
 * The CPUs this process took offline are remembered, and the fixture's
 * teardown brings them back, also after a failed assertion.  A test
 * process that is killed (a timeout) cannot: in a ktstr VM the VM ends
 * with it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "workload.h"

#define CPU_DIR "/sys/devices/system/cpu"

static cpu_set_t offlined;		/* by us, not yet back */
static unsigned int events, failed_writes;

static void online_path(unsigned int cpu, char *buf, size_t len)
{
	snprintf(buf, len, CPU_DIR "/cpu%u/online", cpu);
}

static unsigned int last_cpu(const cpu_set_t *set)
{
	unsigned int cpu = KTSTR_MAX_CPUS;

	while (cpu-- > 0)
		if (CPU_ISSET(cpu, set))
			return cpu;
	return 0;
}

const char *ktstr_hotplug_unavailable(const struct ktstr_topo *t, char *buf,
				      size_t len)
{
	char path[64];

	if (geteuid()) {
		snprintf(buf, len, "CPU hotplug needs root");
		return buf;
	}
	if (t->nr_cpus < 2) {
		snprintf(buf, len,
			 "CPU hotplug needs 2 CPUs (CPU 0 stays online), %u online",
			 t->nr_cpus);
		return buf;
	}
	online_path(last_cpu(&t->all), path, sizeof(path));
	if (access(path, W_OK)) {
		snprintf(buf, len,
			 "CPUs cannot be taken offline here: %s: %s (no CONFIG_HOTPLUG_CPU?)",
			 path, strerror(errno));
		return buf;
	}
	return NULL;
}

int ktstr_cpu_set_online(unsigned int cpu, bool online)
{
	char path[64];

	if (!cpu)
		return ktstr_fail("CPU 0 is never taken offline or brought online by a test");
	if (cpu >= KTSTR_MAX_CPUS)
		return ktstr_fail("CPU %u: ktstr handles CPUs 0-%d", cpu,
				  KTSTR_MAX_CPUS - 1);
	online_path(cpu, path, sizeof(path));
	if (ktstr_write_file(path, online ? "1" : "0") < 0) {
		failed_writes++;
		return -1;
	}
	events++;
	if (online)
		CPU_CLR(cpu, &offlined);
	else
		CPU_SET(cpu, &offlined);
	return 0;
}

int ktstr_cpus_restore_online(void)
{
	char path[64], left_list[256], why[512] = "";
	unsigned int cpu, back = 0;
	cpu_set_t left;

	CPU_ZERO(&left);
	for (cpu = 1; cpu < KTSTR_MAX_CPUS; cpu++) {
		if (!CPU_ISSET(cpu, &offlined))
			continue;
		online_path(cpu, path, sizeof(path));
		if (ktstr_write_file(path, "1") < 0) {
			CPU_SET(cpu, &left);
			snprintf(why, sizeof(why), "%s", ktstr_errmsg());
			continue;
		}
		CPU_CLR(cpu, &offlined);
		back++;
	}
	if (!CPU_COUNT(&left))
		return back;
	return ktstr_fail("CPUs %s could not be brought back online: %s",
			  ktstr_cpus_format(&left, left_list,
					    sizeof(left_list)) ?: "?", why);
}

unsigned int ktstr_hotplug_candidates(const struct ktstr_topo *t,
				      unsigned int max, unsigned int *cpus)
{
	unsigned int llc = t->nr_llcs, n = 0, cpu;

	while (llc-- > 0 && n < max) {
		cpu = last_cpu(&t->llc[llc]);
		if (cpu)
			cpus[n++] = cpu;
	}
	return n;
}

/* Why the check fails, if it does: the first of its three reasons. */
static bool hotplug_offender(struct ktstr_sched *s, const cpu_set_t *before,
			     const cpu_set_t *now, bool attached, char *why,
			     size_t len)
{
	char a[256], b[256], c[256];
	cpu_set_t missing;

	CPU_AND(&missing, before, now);
	CPU_XOR(&missing, &missing, before);
	if (!events) {
		snprintf(why, len, "hotplug: no CPU went offline or online");
		return false;
	}
	if (CPU_COUNT(&missing)) {
		snprintf(why, len,
			 "hotplug: CPUs %s are still offline after the test (online %s, before %s)",
			 ktstr_cpus_format(&missing, a, sizeof(a)) ?: "?",
			 ktstr_cpus_format(now, b, sizeof(b)) ?: "?",
			 ktstr_cpus_format(before, c, sizeof(c)) ?: "?");
		return false;
	}
	if (failed_writes) {
		snprintf(why, len,
			 "hotplug: %u of %u online/offline writes failed; the last: %s",
			 failed_writes, failed_writes + events, ktstr_errmsg());
		return false;
	}
	if (!attached) {
		snprintf(why, len,
			 "hotplug: scheduler %s did not stay attached through %u CPU hotplug events (%u restarts followed): %s: %s",
			 s->name, events, s->restarts,
			 ktstr_sched_exit_name(s->exit_kind), s->exit_reason);
		return false;
	}
	return true;
}

bool ktstr_check_hotplug(struct ktstr_sched *s,
			 const cpu_set_t *online_before, char *why,
			 size_t len)
{
	bool attached = !s->decl || ktstr_sched_alive(s);
	cpu_set_t now;
	bool ok;

	if (ktstr_read_cpulist(CPU_DIR "/online", &now) < 0) {
		snprintf(why, len, "hotplug: %s", ktstr_errmsg());
		CPU_ZERO(&now);
		ok = false;
	} else {
		ok = hotplug_offender(s, online_before, &now, attached, why,
				      len);
	}
	ktstr_result_check("hotplug", NULL, ok, why,
			   KTSTR_KV({ "events", events },
				    { "failed_writes", failed_writes },
				    { "restarts", s->restarts },
				    { "restart_max_ms", s->restart_max_ms },
				    { "online_cpus", CPU_COUNT(&now) },
				    { "online_before", CPU_COUNT(online_before) },
				    { "attached", attached }));
	return ok;
}
