// SPDX-License-Identifier: GPL-2.0
/*
 * The machine as the guest kernel reports it in sysfs, and the cpuset
 * builders that tests use to carve it up.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The kernel's full-size CPU (include/linux/sched.h). */
#define SCHED_CAPACITY_SCALE 1024

#define CPU_DIR "/sys/devices/system/cpu"
#define NODE_DIR "/sys/devices/system/node"

/* ---- cpulists ---------------------------------------------------------- */

static const char *skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static int parse_cpu(const char **p, const char *text, unsigned int *cpu)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)**p))
		return ktstr_fail("bad cpulist '%s': expected a CPU number",
				  text);
	errno = 0;
	v = strtoul(*p, &end, 10);
	if (errno || v >= CPU_SETSIZE)
		return ktstr_fail("bad cpulist '%s': CPU number too large",
				  text);
	*p = end;
	*cpu = v;
	return 0;
}

int ktstr_cpus_parse(const char *text, cpu_set_t *s)
{
	const char *p = skip_space(text);
	unsigned int lo, hi;

	CPU_ZERO(s);
	while (*p) {
		if (parse_cpu(&p, text, &lo) < 0)
			return -1;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_cpu(&p, text, &hi) < 0)
				return -1;
			if (hi < lo)
				return ktstr_fail("bad cpulist '%s': range %u-%u is backwards",
						  text, lo, hi);
		}
		for (; lo <= hi; lo++)
			CPU_SET(lo, s);
		p = skip_space(p);
		if (*p == ',')
			p = skip_space(p + 1);
		else if (*p)
			return ktstr_fail("bad cpulist '%s': unexpected '%c'",
					  text, *p);
	}
	return 0;
}

char *ktstr_cpus_format(const cpu_set_t *s, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int lo, hi;
	int n;

	if (!len) {
		ktstr_fail("cpulist buffer of size 0");
		return NULL;
	}
	buf[0] = '\0';
	for (lo = 0; lo < CPU_SETSIZE; lo = hi + 1) {
		hi = lo;
		if (!CPU_ISSET(lo, s))
			continue;
		while (hi + 1 < CPU_SETSIZE && CPU_ISSET(hi + 1, s))
			hi++;
		if (hi == lo)
			n = snprintf(buf + used, len - used, "%s%u",
				     used ? "," : "", lo);
		else
			n = snprintf(buf + used, len - used, "%s%u-%u",
				     used ? "," : "", lo, hi);
		if (n < 0 || (size_t)n >= len - used) {
			ktstr_fail("cpulist does not fit in %zu bytes", len);
			return NULL;
		}
		used += n;
	}
	return buf;
}

/* ---- reading the topology ---------------------------------------------- */

/* The CPUs of @set in ascending order; returns how many. */
static unsigned int cpus_to_array(const cpu_set_t *set, unsigned int *cpus)
{
	unsigned int cpu, n = 0;

	for (cpu = 0; cpu < KTSTR_MAX_CPUS; cpu++)
		if (CPU_ISSET(cpu, set))
			cpus[n++] = cpu;
	return n;
}

static int read_uint(const char *path, unsigned int *val)
{
	char buf[64];

	if (ktstr_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	*val = strtoul(buf, NULL, 10);
	return 0;
}

/* The cache level that best stands for "last level": L3, else the highest. */
static bool better_llc(unsigned int level, unsigned int best)
{
	return best != 3 && (level == 3 || level > best);
}

/*
 * The CPUs sharing @cpu's last-level cache.  Returns 1 if sysfs has no
 * cache information for it.
 */
static int cpu_llc(unsigned int cpu, cpu_set_t *out)
{
	unsigned int idx, level, best = 0;
	char path[128];
	cpu_set_t set;

	for (idx = 0; ; idx++) {
		snprintf(path, sizeof(path), CPU_DIR "/cpu%u/cache/index%u/level",
			 cpu, idx);
		if (read_uint(path, &level) < 0)
			break;
		if (!better_llc(level, best))
			continue;
		snprintf(path, sizeof(path),
			 CPU_DIR "/cpu%u/cache/index%u/shared_cpu_list",
			 cpu, idx);
		if (ktstr_read_cpulist(path, &set) < 0)
			continue;
		*out = set;
		best = level;
	}
	return best ? 0 : 1;
}

/* Adds @set, less the CPUs some earlier group holds, as a new group. */
static int add_group(cpu_set_t *groups, unsigned int *nr, unsigned int max,
		     const cpu_set_t *set, cpu_set_t *assigned,
		     const char *what)
{
	cpu_set_t fresh;

	CPU_XOR(&fresh, set, assigned);
	CPU_AND(&fresh, &fresh, set);
	if (!CPU_COUNT(&fresh))
		return 0;
	if (*nr == max)
		return ktstr_fail("more than %u %s groups", max, what);
	groups[(*nr)++] = fresh;
	CPU_OR(assigned, assigned, &fresh);
	return 0;
}

static int read_llcs(struct ktstr_topo *t)
{
	unsigned int cpus[KTSTR_MAX_CPUS], i, n;
	cpu_set_t assigned, llc;

	CPU_ZERO(&assigned);
	t->nr_llcs = 0;
	n = cpus_to_array(&t->all, cpus);
	for (i = 0; i < n; i++) {
		if (CPU_ISSET(cpus[i], &assigned))
			continue;
		/* Without cache information, one LLC holds everything. */
		if (cpu_llc(cpus[i], &llc))
			llc = t->all;
		CPU_SET(cpus[i], &llc);
		CPU_AND(&llc, &llc, &t->all);
		if (add_group(t->llc, &t->nr_llcs, KTSTR_MAX_LLCS, &llc,
			      &assigned, "LLC") < 0)
			return -1;
	}
	return 0;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* The numbers of the nodeN directories, sorted; returns how many. */
static int node_ids(unsigned int *ids, unsigned int max)
{
	struct dirent *de;
	unsigned int n = 0;
	DIR *dir;

	dir = opendir(NODE_DIR);
	if (!dir)
		return 0;
	while ((de = readdir(dir)) && n < max) {
		if (strncmp(de->d_name, "node", 4) || !isdigit((unsigned char)de->d_name[4]))
			continue;
		ids[n++] = strtoul(de->d_name + 4, NULL, 10);
	}
	closedir(dir);
	qsort(ids, n, sizeof(*ids), cmp_uint);
	return n;
}

static int read_nodes(struct ktstr_topo *t)
{
	unsigned int ids[1024], i, n;
	cpu_set_t assigned, node;
	char path[128];

	CPU_ZERO(&assigned);
	t->nr_nodes = 0;
	n = node_ids(ids, 1024);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), NODE_DIR "/node%u/cpulist", ids[i]);
		if (ktstr_read_cpulist(path, &node) < 0)
			return -1;
		CPU_AND(&node, &node, &t->all);
		/* Memory-only nodes have no CPUs to place work on. */
		if (add_group(t->node, &t->nr_nodes, KTSTR_MAX_NODES, &node,
			      &assigned, "node") < 0)
			return -1;
	}
	/* No NUMA information, or CPUs it forgot: one more node. */
	CPU_XOR(&node, &t->all, &assigned);
	return add_group(t->node, &t->nr_nodes, KTSTR_MAX_NODES, &node,
			 &assigned, "node");
}

static void read_threads(struct ktstr_topo *t)
{
	unsigned int cpus[KTSTR_MAX_CPUS], i, n, count;
	cpu_set_t sib;
	char path[128];

	t->threads_per_core = 1;
	n = cpus_to_array(&t->all, cpus);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path),
			 CPU_DIR "/cpu%u/topology/thread_siblings_list", cpus[i]);
		if (ktstr_read_cpulist(path, &sib) < 0)
			continue;
		CPU_AND(&sib, &sib, &t->all);
		count = CPU_COUNT(&sib);
		if (count > t->threads_per_core)
			t->threads_per_core = count;
	}
}

/*
 * arm64 says each CPU's capacity (from the device tree's
 * capacity-dmips-mhz); x86 has no such file, and every CPU is full size.
 */
static void read_capacities(struct ktstr_topo *t)
{
	unsigned int cpus[KTSTR_MAX_CPUS], i, n, cap;
	char path[128];

	t->max_capacity = 0;
	t->min_capacity = UINT_MAX;
	n = cpus_to_array(&t->all, cpus);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), CPU_DIR "/cpu%u/cpu_capacity",
			 cpus[i]);
		if (read_uint(path, &cap) < 0 || !cap)
			cap = SCHED_CAPACITY_SCALE;
		t->capacity[cpus[i]] = cap;
		if (cap > t->max_capacity)
			t->max_capacity = cap;
		if (cap < t->min_capacity)
			t->min_capacity = cap;
	}
}

void ktstr_cpus_by_capacity(const struct ktstr_topo *t, bool big,
			    cpu_set_t *out)
{
	unsigned int cpu;

	CPU_ZERO(out);
	for (cpu = 0; cpu < KTSTR_MAX_CPUS; cpu++)
		if (CPU_ISSET(cpu, &t->all) &&
		    (t->capacity[cpu] == t->max_capacity) == big)
			CPU_SET(cpu, out);
}

static int read_online(struct ktstr_topo *t)
{
	unsigned int cpu;

	if (ktstr_read_cpulist(CPU_DIR "/online", &t->all) < 0)
		return -1;
	for (cpu = KTSTR_MAX_CPUS; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &t->all))
			return ktstr_fail("CPU %u is online: ktstr handles CPUs below %u",
					  cpu, KTSTR_MAX_CPUS);
	t->nr_cpus = CPU_COUNT(&t->all);
	if (!t->nr_cpus)
		return ktstr_fail(CPU_DIR "/online lists no CPU");
	return 0;
}

int ktstr_topo_read(struct ktstr_topo *t)
{
	memset(t, 0, sizeof(*t));
	if (read_online(t) < 0 || read_llcs(t) < 0 || read_nodes(t) < 0)
		return -1;
	read_threads(t);
	read_capacities(t);
	return 0;
}

/* ---- cpuset builders --------------------------------------------------- */

static int check_parts(const struct ktstr_topo *t, unsigned int parts,
		       unsigned int idx)
{
	if (!parts || parts > t->nr_cpus)
		return ktstr_fail("cannot split %u CPUs into %u parts",
				  t->nr_cpus, parts);
	if (idx >= parts)
		return ktstr_fail("part %u of %u does not exist", idx, parts);
	return 0;
}

/* Slice @idx covers positions [idx * n / parts, (idx + 1) * n / parts). */
static unsigned int slice_start(unsigned int n, unsigned int parts,
				unsigned int idx)
{
	return idx * n / parts;
}

int ktstr_cpus_split(const struct ktstr_topo *t, unsigned int parts,
		     unsigned int idx, cpu_set_t *out)
{
	return ktstr_cpus_overlapping(t, parts, idx, 0, out);
}

int ktstr_cpus_overlapping(const struct ktstr_topo *t, unsigned int parts,
			   unsigned int idx, unsigned int overlap,
			   cpu_set_t *out)
{
	unsigned int cpus[KTSTR_MAX_CPUS], n, pos, end;

	if (check_parts(t, parts, idx) < 0)
		return -1;
	n = cpus_to_array(&t->all, cpus);
	end = slice_start(n, parts, idx + 1);
	/* Past n positions the slice would only repeat CPUs it has. */
	if (overlap > n)
		overlap = n;
	CPU_ZERO(out);
	for (pos = slice_start(n, parts, idx); pos < end + overlap; pos++)
		CPU_SET(cpus[pos % n], out);
	return 0;
}
