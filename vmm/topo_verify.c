// SPDX-License-Identifier: GPL-2.0
/*
 * Compare the guest kernel's view of its topology (the output of
 * vmm/guest/topo-dump.sh) with the declaration, one property at a time.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "topo_verify.h"

/* The kernel keeps some of each node's memory for itself. */
#define MIN_NODE_MEMORY_PERCENT 75

struct guest_cpu {
	bool present;
	int node;
	struct kt_cpuset siblings, l2, l3;
	/* arm64: its cluster, its capacity, and its scheduling domains. */
	struct kt_cpuset cluster;
	int capacity;			/* -1: not in the dump */
	unsigned int domains;
	bool asym, asym_full;		/* SD_ASYM_CPUCAPACITY(_FULL) */
};

struct guest_node {
	bool present;
	struct kt_cpuset cpus;
	unsigned long memkb;
	unsigned int distance[KT_MAX_NODES];
	unsigned int ndistance;
};

struct guest_view {
	bool has_online, has_possible;
	char vendor[32];
	struct kt_cpuset online, possible;
	struct guest_cpu cpu[KT_MAX_CPUS];
	struct guest_node node[KT_MAX_NODES];
};

static int parse_cpu_line(struct guest_view *g, const char *line)
{
	char node[16], sib[256], l2[256], l3[256];
	unsigned int cpu;
	int package, core;
	struct guest_cpu *c;

	if (sscanf(line, "cpu %u node %15s package %d core %d siblings %255s l2 %255s l3 %255s",
		   &cpu, node, &package, &core, sib, l2, l3) != 7 ||
	    cpu >= KT_MAX_CPUS)
		return kt_fail("topology dump: bad line '%s'", line);
	c = &g->cpu[cpu];
	c->present = true;
	c->node = strcmp(node, "none") ? atoi(node) : -1;
	if (kt_cpulist_parse(sib, &c->siblings))
		return -1;
	if (strcmp(l2, "none") && kt_cpulist_parse(l2, &c->l2))
		return -1;
	if (strcmp(l3, "none") && kt_cpulist_parse(l3, &c->l3))
		return -1;
	return 0;
}

/* "capacity <cpu> <n>" and "cluster <cpu> <cpu list>". */
static int parse_cpu_extra(struct guest_view *g, const char *line)
{
	unsigned int cpu, capacity;
	char list[256];

	if (sscanf(line, "capacity %u %u", &cpu, &capacity) == 2 &&
	    cpu < KT_MAX_CPUS) {
		g->cpu[cpu].capacity = capacity;
		return 0;
	}
	if (sscanf(line, "cluster %u %255s", &cpu, list) == 2 &&
	    cpu < KT_MAX_CPUS)
		return kt_cpulist_parse(list, &g->cpu[cpu].cluster);
	return kt_fail("topology dump: bad line '%s'", line);
}

/* "domain <cpu> <level> <name> <flag> <flag> ...". */
static int parse_domain_line(struct guest_view *g, const char *line)
{
	unsigned int cpu, level;
	char name[32], flag[48];
	const char *p;
	int used, len;

	if (sscanf(line, "domain %u %u %31s%n", &cpu, &level, name,
		   &used) != 3 || cpu >= KT_MAX_CPUS)
		return kt_fail("topology dump: bad line '%s'", line);
	g->cpu[cpu].domains++;
	for (p = line + used; sscanf(p, "%47s%n", flag, &len) == 1; p += len) {
		if (!strcmp(flag, "SD_ASYM_CPUCAPACITY"))
			g->cpu[cpu].asym = true;
		else if (!strcmp(flag, "SD_ASYM_CPUCAPACITY_FULL"))
			g->cpu[cpu].asym_full = true;
	}
	return 0;
}

static int parse_node_line(struct guest_view *g, const char *line)
{
	char cpus[256];
	unsigned int id, i;
	unsigned long kb;
	const char *p;
	int used;
	struct guest_node *n;

	if (sscanf(line, "node %u cpus %255s memkb %lu distance%n", &id, cpus,
		   &kb, &used) != 3 || id >= KT_MAX_NODES)
		return kt_fail("topology dump: bad line '%s'", line);
	n = &g->node[id];
	n->present = true;
	n->memkb = kb;
	if (!strcmp(cpus, "none"))
		kt_cpuset_clear(&n->cpus);
	else if (kt_cpulist_parse(cpus, &n->cpus))
		return -1;
	p = line + used;
	for (i = 0; i < KT_MAX_NODES; i++) {
		int v, len;

		if (sscanf(p, "%d%n", &v, &len) != 1)
			break;
		n->distance[i] = v;
		p += len;
	}
	n->ndistance = i;
	return 0;
}

static int parse_dump(struct guest_view *g, const char *dump)
{
	const char *line = dump, *next;
	char buf[1024];
	size_t len;
	int ret = 0;

	for (; *line && !ret; line = next) {
		next = strchr(line, '\n');
		len = next ? (size_t)(next - line) : strlen(line);
		next = next ? next + 1 : line + len;
		if (len >= sizeof(buf))
			return kt_fail("topology dump: line too long");
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (len && buf[len - 1] == '\r')
			buf[len - 1] = '\0';
		if (!strncmp(buf, "online ", 7)) {
			g->has_online = true;
			ret = kt_cpulist_parse(buf + 7, &g->online);
		} else if (!strncmp(buf, "vendor ", 7)) {
			snprintf(g->vendor, sizeof(g->vendor), "%.31s",
				 buf + 7);
		} else if (!strncmp(buf, "possible ", 9)) {
			g->has_possible = true;
			ret = kt_cpulist_parse(buf + 9, &g->possible);
		} else if (!strncmp(buf, "cpu ", 4)) {
			ret = parse_cpu_line(g, buf);
		} else if (!strncmp(buf, "node ", 5)) {
			ret = parse_node_line(g, buf);
		} else if (!strncmp(buf, "capacity ", 9) ||
			   !strncmp(buf, "cluster ", 8)) {
			ret = parse_cpu_extra(g, buf);
		} else if (!strncmp(buf, "domain ", 7)) {
			ret = parse_domain_line(g, buf);
		}
	}
	if (!ret && !g->has_online)
		return kt_fail("topology dump: no 'online' line; did the guest run the dump?");
	return ret;
}

static void add_check(struct kt_topo_report *rep, const char *name, bool ok,
		      const char *fmt, ...)
{
	struct kt_topo_check *c;
	va_list ap;

	if (rep->count >= KT_TOPO_MAX_CHECKS)
		return;
	c = &rep->checks[rep->count++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->ok = ok;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
}

static void expected_set(const struct kt_topology *t, int level,
			 unsigned int cpu, struct kt_cpuset *s)
{
	struct kt_cpu_place want, p;
	unsigned int c, n = kt_topology_cpus(t);

	kt_topology_place(t, cpu, &want);
	kt_cpuset_clear(s);
	for (c = 0; c < n; c++) {
		kt_topology_place(t, c, &p);
		if ((level == 0 && p.core == want.core) ||
		    (level == 1 && p.llc == want.llc) ||
		    (level == 2 && p.node == want.node) ||
		    (level == 4 && p.cluster == want.cluster))
			kt_cpuset_add(s, c);
	}
}

static void check_cpu_list(const struct kt_topology *t,
			   const struct kt_cpuset *have, const char *name,
			   struct kt_topo_report *rep)
{
	struct kt_cpuset want;
	char got[256], exp[256];
	unsigned int c;

	kt_cpuset_clear(&want);
	for (c = 0; c < kt_topology_cpus(t); c++)
		kt_cpuset_add(&want, c);
	kt_cpulist_format(have, got, sizeof(got));
	kt_cpulist_format(&want, exp, sizeof(exp));
	add_check(rep, name, kt_cpuset_equal(&want, have),
		  "guest %s, declared %s", got, exp);
}

static void expected_node(const struct kt_topology *t, unsigned int node,
			  struct kt_cpuset *s)
{
	unsigned int c, n = kt_topology_cpus(t);
	struct kt_cpu_place p;

	kt_cpuset_clear(s);
	for (c = 0; c < n; c++) {
		kt_topology_place(t, c, &p);
		if (p.node == node)
			kt_cpuset_add(s, c);
	}
}

static void check_online(const struct kt_topology *t,
			 const struct guest_view *g,
			 struct kt_topo_report *rep)
{
	check_cpu_list(t, &g->online, "online CPUs", rep);
	/* An empty slot must not be a CPU the guest could bring up. */
	if (g->has_possible)
		check_cpu_list(t, &g->possible, "possible CPUs", rep);
}

/*
 * One check per per-CPU property: the first CPU that differs is named,
 * which is what a developer needs to start looking.
 */
static void check_cpu_sets(const struct kt_topology *t,
			   const struct guest_view *g, int level,
			   const char *name, struct kt_topo_report *rep)
{
	char got[256], exp[256];
	struct kt_cpuset want;
	const struct kt_cpuset *have;
	unsigned int c, n = kt_topology_cpus(t);

	for (c = 0; c < n; c++) {
		const struct guest_cpu *gc = &g->cpu[c];

		expected_set(t, level, c, &want);
		if (level == 0)
			have = &gc->siblings;
		else if (level == 1)
			have = &gc->l3;
		else if (level == 4)
			have = &gc->cluster;
		else
			have = &gc->l2;
		if (level == 3)
			expected_set(t, 0, c, &want);
		if (gc->present && kt_cpuset_equal(have, &want))
			continue;
		kt_cpulist_format(have, got, sizeof(got));
		kt_cpulist_format(&want, exp, sizeof(exp));
		add_check(rep, name, false, "cpu%u: guest %s, declared %s", c,
			  gc->present ? got : "(missing)", exp);
		return;
	}
	add_check(rep, name, true, "all %u CPUs match", n);
}

static void check_llc_count(const struct kt_topology *t,
			    const struct guest_view *g,
			    struct kt_topo_report *rep)
{
	struct kt_cpuset seen[KT_MAX_CPUS];
	unsigned int c, i, count = 0, n = kt_topology_cpus(t);

	for (c = 0; c < n; c++) {
		for (i = 0; i < count; i++)
			if (kt_cpuset_equal(&seen[i], &g->cpu[c].l3))
				break;
		if (i == count)
			seen[count++] = g->cpu[c].l3;
	}
	add_check(rep, "LLC count", count == t->llcs,
		  "guest %u distinct L3 domains, declared %u", count, t->llcs);
}

static void check_llc_sizes(const struct kt_topology *t,
			    const struct guest_view *g,
			    struct kt_topo_report *rep)
{
	unsigned int llc, cpu = 0, got, want;
	struct kt_llc_shape l;

	for (llc = 0; llc < t->llcs; cpu += want, llc++) {
		l = kt_topology_llc(t, llc);
		want = l.cores * l.threads;
		got = g->cpu[cpu].present ? kt_cpuset_count(&g->cpu[cpu].l3) :
					    0;
		if (got == want)
			continue;
		add_check(rep, "LLC sizes", false,
			  "LLC %u (cpu%u): guest %u CPUs, declared %u", llc,
			  cpu, got, want);
		return;
	}
	add_check(rep, "LLC sizes", true, "all %u LLCs match", t->llcs);
}

static void check_threads(const struct kt_topology *t,
			  const struct guest_view *g,
			  struct kt_topo_report *rep)
{
	unsigned int c, got, want, n = kt_topology_cpus(t);
	struct kt_cpu_place p;

	for (c = 0; c < n; c++) {
		kt_topology_place(t, c, &p);
		want = kt_topology_llc(t, p.llc).threads;
		got = kt_cpuset_count(&g->cpu[c].siblings);
		if (got != want) {
			add_check(rep, "threads per core", false,
				  "cpu%u has %u, declared %u", c, got, want);
			return;
		}
	}
	if (kt_topology_has_holes(t))
		add_check(rep, "threads per core", true,
			  "as declared on every CPU");
	else
		add_check(rep, "threads per core", true, "%u on every CPU",
			  t->threads);
}

static unsigned int count_nodes(const struct guest_view *g)
{
	unsigned int i, n = 0;

	for (i = 0; i < KT_MAX_NODES; i++)
		n += g->node[i].present;
	return n;
}

static void check_node_cpus(const struct kt_topology *t,
			    const struct guest_view *g,
			    struct kt_topo_report *rep)
{
	char got[256], exp[256];
	struct kt_cpuset want;
	unsigned int node;

	for (node = 0; node < t->nodes; node++) {
		expected_node(t, node, &want);
		if (kt_cpuset_equal(&want, &g->node[node].cpus))
			continue;
		kt_cpulist_format(&g->node[node].cpus, got, sizeof(got));
		kt_cpulist_format(&want, exp, sizeof(exp));
		add_check(rep, "NUMA node CPUs", false,
			  "node%u: guest %s, declared %s", node,
			  got[0] ? got : "none", exp[0] ? exp : "none");
		return;
	}
	add_check(rep, "NUMA node CPUs", true, "all %u nodes match", t->nodes);
}

/*
 * Nodes with memory and no CPUs (@cpuless) or CPUs and no memory: the
 * declared and the guest's, as lists of node numbers.
 */
static void check_partial_nodes(const struct kt_topology *t,
				const struct guest_view *g, bool cpuless,
				struct kt_topo_report *rep)
{
	char got[128] = "", exp[128] = "";
	size_t gl = 0, el = 0;
	bool decl, have;
	unsigned int n;

	for (n = 0; n < t->nodes; n++) {
		decl = cpuless ? !kt_topology_node_cpus(t, n) :
				 !kt_topology_node_memory(t, n);
		have = cpuless ? !kt_cpuset_count(&g->node[n].cpus) :
				 !g->node[n].memkb;
		have = have && g->node[n].present;
		if (decl && el < sizeof(exp))
			el += snprintf(exp + el, sizeof(exp) - el, "%snode%u",
				       el ? "," : "", n);
		if (have && gl < sizeof(got))
			gl += snprintf(got + gl, sizeof(got) - gl, "%snode%u",
				       gl ? "," : "", n);
	}
	add_check(rep, cpuless ? "CPU-less nodes" : "memory-less nodes",
		  !strcmp(got, exp), "guest %s, declared %s",
		  gl ? got : "none", el ? exp : "none");
}

static void check_distances(const struct kt_topology *t,
			    const struct guest_view *g,
			    struct kt_topo_report *rep)
{
	unsigned int i, j, want, got;

	for (i = 0; i < t->nodes; i++) {
		for (j = 0; j < t->nodes; j++) {
			want = kt_topology_distance(t, i, j);
			got = j < g->node[i].ndistance ?
			      g->node[i].distance[j] : 0;
			if (got == want)
				continue;
			add_check(rep, "NUMA distances", false,
				  "node%u->node%u: guest %u, declared %u", i, j,
				  got, want);
			return;
		}
	}
	add_check(rep, "NUMA distances", true, "%ux%u matrix matches",
		  t->nodes, t->nodes);
}

static void check_node_memory(const struct kt_topology *t,
			      const struct guest_view *g,
			      struct kt_topo_report *rep)
{
	unsigned long want_kb, got;
	unsigned int n;

	for (n = 0; n < t->nodes; n++) {
		want_kb = kt_topology_node_memory(t, n) * 1024;
		got = g->node[n].memkb;
		if (got <= want_kb &&
		    got * 100 >= want_kb * MIN_NODE_MEMORY_PERCENT)
			continue;
		add_check(rep, "NUMA node memory", false,
			  "node%u: guest %lu kB, declared %lu kB", n, got,
			  want_kb);
		return;
	}
	add_check(rep, "NUMA node memory", true,
		  "every node has %d-100%% of its declared memory",
		  MIN_NODE_MEMORY_PERCENT);
}

static void check_cpu_nodes(const struct kt_topology *t,
			    const struct guest_view *g,
			    struct kt_topo_report *rep)
{
	struct kt_cpu_place p;
	unsigned int c, n = kt_topology_cpus(t);

	for (c = 0; c < n; c++) {
		kt_topology_place(t, c, &p);
		if (g->cpu[c].node == (int)p.node)
			continue;
		add_check(rep, "CPU to node", false,
			  "cpu%u: guest node %d, declared node %u", c,
			  g->cpu[c].node, p.node);
		return;
	}
	add_check(rep, "CPU to node", true, "all %u CPUs match", n);
}

static void check_capacities(const struct kt_topology *t,
			     const struct guest_view *g,
			     struct kt_topo_report *rep)
{
	unsigned int c, n = kt_topology_cpus(t);
	struct kt_cpu_place p;

	for (c = 0; c < n; c++) {
		kt_topology_place(t, c, &p);
		if (g->cpu[c].capacity == (int)p.capacity)
			continue;
		if (g->cpu[c].capacity < 0)
			add_check(rep, "CPU capacity", false,
				  "cpu%u: no cpu_capacity in the guest, declared %u",
				  c, p.capacity);
		else
			add_check(rep, "CPU capacity", false,
				  "cpu%u: guest %d, declared %u", c,
				  g->cpu[c].capacity, p.capacity);
		return;
	}
	add_check(rep, "CPU capacity", true, "all %u CPUs match", n);
}

/*
 * The kernel marks the domains that span CPUs of different capacities
 * SD_ASYM_CPUCAPACITY (_FULL where all of them): every CPU must have
 * one if capacities differ, and none if they do not.
 */
static void check_asym_domain(const struct kt_topology *t,
			      const struct guest_view *g,
			      struct kt_topo_report *rep)
{
	bool want = kt_topology_has_capacities(t);
	unsigned int c, n = kt_topology_cpus(t);
	const struct guest_cpu *gc;

	for (c = 0; c < n; c++) {
		gc = &g->cpu[c];
		if (want && !gc->domains) {
			add_check(rep, "asymmetric capacity domain", false,
				  "cpu%u: no scheduling domains in the guest's debugfs",
				  c);
			return;
		}
		if (want && !gc->asym_full)
			add_check(rep, "asymmetric capacity domain", false,
				  "cpu%u: no SD_ASYM_CPUCAPACITY_FULL domain, declared capacities that differ",
				  c);
		else if (!want && (gc->asym || gc->asym_full))
			add_check(rep, "asymmetric capacity domain", false,
				  "cpu%u: a domain flagged SD_ASYM_CPUCAPACITY, declared one capacity",
				  c);
		else
			continue;
		return;
	}
	add_check(rep, "asymmetric capacity domain", true,
		  want ? "every CPU has an SD_ASYM_CPUCAPACITY_FULL domain" :
			 "no CPU has an SD_ASYM_CPUCAPACITY domain");
}

/* What only the device tree of an arm64 guest declares. */
static void check_arm64(const struct kt_topology *t,
			const struct guest_view *g,
			struct kt_topo_report *rep)
{
	check_cpu_sets(t, g, 4, "cluster siblings", rep);
	check_capacities(t, g, rep);
	check_asym_domain(t, g, rep);
}

int kt_topo_verify(const struct kt_topology *t, const char *dump,
		   enum kt_arch arch, const char *vendor,
		   struct kt_topo_report *rep)
{
	struct guest_view *g = calloc(1, sizeof(*g));
	unsigned int nodes, c;

	memset(rep, 0, sizeof(*rep));
	if (!g)
		return kt_fail("out of memory");
	for (c = 0; c < KT_MAX_CPUS; c++)
		g->cpu[c].capacity = -1;
	if (parse_dump(g, dump)) {
		free(g);
		return -1;
	}
	if (vendor)
		add_check(rep, "CPU vendor", !strcmp(g->vendor, vendor),
			  "guest %s, declared %s",
			  g->vendor[0] ? g->vendor : "(none)", vendor);
	check_online(t, g, rep);
	nodes = count_nodes(g);
	add_check(rep, "NUMA node count", nodes == t->nodes,
		  "guest %u, declared %u", nodes, t->nodes);
	check_node_cpus(t, g, rep);
	check_partial_nodes(t, g, true, rep);
	check_partial_nodes(t, g, false, rep);
	check_cpu_nodes(t, g, rep);
	check_distances(t, g, rep);
	check_node_memory(t, g, rep);
	check_llc_count(t, g, rep);
	check_llc_sizes(t, g, rep);
	check_cpu_sets(t, g, 1, "LLC (L3) sharing", rep);
	check_cpu_sets(t, g, 0, "SMT siblings", rep);
	check_threads(t, g, rep);
	check_cpu_sets(t, g, 3, "L2 per core", rep);
	if (arch == KT_ARCH_ARM64)
		check_arm64(t, g, rep);
	free(g);
	return 0;
}

unsigned int kt_topo_report_failures(const struct kt_topo_report *rep)
{
	unsigned int i, n = 0;

	for (i = 0; i < rep->count; i++)
		n += !rep->checks[i].ok;
	return n;
}
