// SPDX-License-Identifier: GPL-2.0
/*
 * Topology declarations: the short form "2n4l2c2t" and preset files of
 * "key = value" lines.  Everything impossible is rejected here, before a
 * VM is started, with the file, the line and the reason.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "error.h"
#include "topology.h"

#define MAX_FILE_SIZE 65536

/*
 * 512M, at least 256M per node and 8M per vCPU (per-CPU areas, stacks,
 * the test's own workers), in whole MiB per node.
 */
static unsigned long default_memory_mib(const struct kt_topology *t)
{
	unsigned long mib = 512;

	if (t->nodes * 256UL > mib)
		mib = t->nodes * 256UL;
	if (kt_topology_cpus(t) * 8UL > mib)
		mib = kt_topology_cpus(t) * 8UL;
	return (mib + t->nodes - 1) / t->nodes * t->nodes;
}

struct kt_llc_shape kt_topology_llc(const struct kt_topology *t,
				    unsigned int llc)
{
	struct kt_llc_shape l = { .cores = t->cores, .threads = t->threads };

	/*
	 * Declared node by node there may be fewer LLCs than nodes (nodes
	 * of memory only): llcs / nodes is then 0, not a divisor.
	 */
	if (t->uneven)
		return t->llc[llc];
	l.node = llc / (t->llcs / t->nodes);
	return l;
}

unsigned int kt_topology_cpus(const struct kt_topology *t)
{
	unsigned int i, n = 0;

	if (!t->uneven)
		return t->llcs * t->cores * t->threads;
	for (i = 0; i < t->llcs; i++)
		n += t->llc[i].cores * t->llc[i].threads;
	return n;
}

unsigned int kt_topology_node_cpus(const struct kt_topology *t,
				   unsigned int node)
{
	struct kt_llc_shape l;
	unsigned int i, n = 0;

	for (i = 0; i < t->llcs; i++) {
		l = kt_topology_llc(t, i);
		if (l.node == node)
			n += l.cores * l.threads;
	}
	return n;
}

/* Only meaningful for shapes declared with evenly spread LLCs. */
unsigned int kt_topology_llcs_per_node(const struct kt_topology *t)
{
	return t->llcs / t->nodes;
}

unsigned long kt_topology_node_memory(const struct kt_topology *t,
				      unsigned int node)
{
	if (t->memory_per_node)
		return t->node_memory_mib[node];
	return t->memory_mib / t->nodes;
}

unsigned int kt_topology_memory_nodes(const struct kt_topology *t)
{
	unsigned int n, count = 0;

	for (n = 0; n < t->nodes; n++)
		count += kt_topology_node_memory(t, n) > 0;
	return count;
}

unsigned int kt_topology_cpu_nodes(const struct kt_topology *t)
{
	unsigned int n, count = 0;

	for (n = 0; n < t->nodes; n++)
		count += kt_topology_node_cpus(t, n) > 0;
	return count;
}

unsigned int kt_topology_min_threads(const struct kt_topology *t)
{
	unsigned int i, min = t->threads;

	for (i = 0; t->uneven && i < t->llcs; i++)
		if (t->llc[i].threads < min)
			min = t->llc[i].threads;
	return min;
}

bool kt_topology_has_holes(const struct kt_topology *t)
{
	unsigned int i;

	for (i = 0; t->uneven && i < t->llcs; i++)
		if (t->llc[i].cores != t->cores ||
		    t->llc[i].threads != t->threads)
			return true;
	return false;
}

unsigned int kt_topology_distance(const struct kt_topology *t,
				  unsigned int from, unsigned int to)
{
	if (t->has_distance)
		return t->distance[from][to];
	return from == to ? 10 : 20;
}

static unsigned int llc_clusters(const struct kt_llc_shape *l)
{
	return l->clusters ? l->clusters : 1;
}

unsigned int kt_topology_clusters(const struct kt_topology *t)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->llcs; i++)
		n += t->uneven ? llc_clusters(&t->llc[i]) : 1;
	return n;
}

bool kt_topology_has_capacities(const struct kt_topology *t)
{
	unsigned int i, c;

	for (i = 0; t->uneven && i < t->llcs; i++)
		for (c = 0; c < t->llc[i].clusters; c++)
			if (t->llc[i].capacity[c] &&
			    t->llc[i].capacity[c] < KT_CAPACITY_MAX)
				return true;
	return false;
}

/* @core: the CPU's core within its LLC, p->llc. */
static void place_cluster(const struct kt_topology *t, struct kt_cpu_place *p,
			  unsigned int core)
{
	const struct kt_llc_shape *l = &t->llc[p->llc];
	unsigned int i, c = 0;

	for (i = 0; i < p->llc; i++)
		c += llc_clusters(&t->llc[i]);
	p->cluster = c;
	p->capacity = KT_CAPACITY_MAX;
	if (!l->clusters)
		return;
	for (i = 0; i < l->clusters - 1 && core >= l->cluster_cores[i]; i++)
		core -= l->cluster_cores[i];
	p->cluster = c + i;
	if (l->capacity[i])
		p->capacity = l->capacity[i];
}

void kt_topology_place(const struct kt_topology *t, unsigned int cpu,
		       struct kt_cpu_place *p)
{
	struct kt_llc_shape l;
	unsigned int i, core = 0, size;

	if (!t->uneven) {
		p->thread = cpu % t->threads;
		p->core = cpu / t->threads;
		p->llc = p->core / t->cores;
		p->node = p->llc / kt_topology_llcs_per_node(t);
		p->cluster = p->llc;
		p->capacity = KT_CAPACITY_MAX;
		return;
	}
	for (i = 0; i < t->llcs - 1; i++) {
		size = t->llc[i].cores * t->llc[i].threads;
		if (cpu < size)
			break;
		cpu -= size;
		core += t->llc[i].cores;
	}
	l = t->llc[i];
	p->llc = i;
	p->node = l.node;
	p->core = core + cpu / l.threads;
	p->thread = cpu % l.threads;
	place_cluster(t, p, cpu / l.threads);
}

void kt_topology_slot(const struct kt_topology *t,
		      const struct kt_cpu_place *p, unsigned int *core,
		      unsigned int *thread)
{
	unsigned int i, first = 0;

	for (i = 0; i < p->llc; i++)
		first += kt_topology_llc(t, i).cores;
	*core = p->core - first;
	*thread = p->thread;
}

static unsigned int bits_for(unsigned int count)
{
	unsigned int bits = 0;

	while ((1U << bits) < count)
		bits++;
	return bits;
}

/*
 * Each LLC is realized as a socket (see Documentation/topologies.md), so
 * an APIC ID is socket | core | thread, each field a power of two wide.
 */
unsigned int kt_topology_max_apic_id(const struct kt_topology *t)
{
	unsigned int tbits = bits_for(t->threads);
	unsigned int cbits = bits_for(t->cores);
	unsigned long id;

	id = ((unsigned long)(t->llcs - 1) << (tbits + cbits)) |
	     ((unsigned long)(t->cores - 1) << tbits) | (t->threads - 1);
	return id > UINT_MAX ? UINT_MAX : (unsigned int)id;
}

/* "4c2t", "2c@1024|4c@512": one LLC, its clusters joined by '|'. */
static int llc_short(const struct kt_llc_shape *l, char *buf, size_t len)
{
	unsigned int c, n = l->clusters ? l->clusters : 1;
	size_t used = 0;
	int w;

	buf[0] = '\0';
	for (c = 0; c < n; c++) {
		w = snprintf(buf + used, len - used, "%s%uc", c ? "|" : "",
			     l->clusters ? l->cluster_cores[c] : l->cores);
		if (w >= 0 && (size_t)w < len - used && l->threads > 1)
			w += snprintf(buf + used + w, len - used - w, "%ut",
				      l->threads);
		if (w >= 0 && (size_t)w < len - used && l->clusters &&
		    l->capacity[c])
			w += snprintf(buf + used + w, len - used - w, "@%u",
				      l->capacity[c]);
		if (w < 0 || (size_t)w >= len - used)
			return -1;
		used += w;
	}
	return 0;
}

/* "2c2t+4c/mem": LLCs joined by '+', nodes by '/', "mem" for no CPUs. */
static int uneven_short(const struct kt_topology *t, char *buf, size_t len)
{
	unsigned int node, i;
	size_t used = 0;
	bool first;
	int n;

	buf[0] = '\0';
	for (node = 0; node < t->nodes; node++) {
		n = snprintf(buf + used, len - used, "%s", node ? "/" : "");
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += n;
		first = true;
		for (i = 0; i < t->llcs; i++) {
			if (t->llc[i].node != node)
				continue;
			n = snprintf(buf + used, len - used, "%s",
				     first ? "" : "+");
			if (n < 0 || (size_t)n >= len - used ||
			    llc_short(&t->llc[i], buf + used + n,
				      len - used - n))
				return -1;
			used += strlen(buf + used);
			first = false;
		}
		n = snprintf(buf + used, len - used, "%s", first ? "mem" : "");
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += n;
	}
	return 0;
}

int kt_topology_short(const struct kt_topology *t, char *buf, size_t len)
{
	int n;

	if (t->uneven)
		return uneven_short(t, buf, len);
	n = snprintf(buf, len, "%un%ul%uc%ut", t->nodes, t->llcs, t->cores,
		     t->threads);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static void init_topology(struct kt_topology *t)
{
	memset(t, 0, sizeof(*t));
}

static int parse_uint(const char *s, unsigned int *out, const char **end)
{
	unsigned long v;
	char *e;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || v > 1000000)
		return -1;
	*out = v;
	if (end)
		*end = e;
	return 0;
}

/* "2n4l2c2t": nodes, LLCs in total, cores per LLC, threads per core. */
int kt_topology_parse_short(const char *s, struct kt_topology *t)
{
	static const char units[] = "nlct";
	unsigned int *fields[4];
	const char *p = s;
	int i;

	init_topology(t);
	fields[0] = &t->nodes;
	fields[1] = &t->llcs;
	fields[2] = &t->cores;
	fields[3] = &t->threads;
	for (i = 0; i < 4; i++) {
		if (parse_uint(p, fields[i], &p) || *p != units[i])
			return kt_fail_usage("topology '%s': expected the form <nodes>n<llcs>l<cores>c<threads>t, e.g. 2n4l2c2t",
					     s);
		p++;
	}
	if (*p)
		return kt_fail_usage("topology '%s': trailing text '%s' after the threads count",
				     s, p);
	snprintf(t->name, sizeof(t->name), "%s", s);
	t->memory_mib = 0;
	/* The checks are shared with files; a short form is an argument. */
	return kt_topology_validate(t, s) ? kt_fail_mark_usage() : 0;
}

static bool is_short_form(const char *s)
{
	const char *p = s;
	int i;

	for (i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
		if (*p != "nlct"[i])
			return false;
		p++;
	}
	return *p == '\0';
}

/* "512M", "2G", "1024" (MiB). */
static int parse_memory(const char *s, unsigned long *mib)
{
	unsigned long long v;
	char *e;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno)
		return -1;
	if (!strcasecmp(e, "G") || !strcasecmp(e, "GiB"))
		v *= 1024;
	else if (*e && strcasecmp(e, "M") && strcasecmp(e, "MiB"))
		return -1;
	if (v > (1ULL << 30))
		return -1;
	*mib = v;
	return 0;
}

int kt_topology_parse_memory(const char *s, unsigned long *mib)
{
	if (parse_memory(s, mib))
		return kt_fail_usage("memory '%s' is not a size such as 512M or 2G",
				     s);
	if (*mib < KT_MIN_MEMORY_MIB)
		return kt_fail_usage("memory %luM is too little, at least %dM is needed",
				     *mib, KT_MIN_MEMORY_MIB);
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

struct parse_state {
	const char *origin;
	unsigned int line;
	unsigned int distance_rows;
	unsigned int distance_width;
	unsigned int grid_line;		/* first topology/nodes/... line */
	unsigned int node_line;		/* first node.N.* line */
	unsigned int llcs_line[KT_MAX_NODES];
	unsigned int memory_line[KT_MAX_NODES];
	unsigned long total_memory_mib;	/* memory = ..., if given */
};

/* "4c", "4c2t", "4c@512": one cluster of cores, its capacity if given. */
static int parse_cluster(const char *s, unsigned int *cores,
			 unsigned int *threads, unsigned int *capacity,
			 const char **end)
{
	if (parse_uint(s, cores, &s) || *s != 'c' || !*cores)
		return -1;
	s++;
	*threads = 1;
	if (isdigit((unsigned char)*s)) {
		if (parse_uint(s, threads, &s) || *s != 't' || !*threads)
			return -1;
		s++;
	}
	*capacity = 0;
	if (*s == '@' &&
	    (parse_uint(s + 1, capacity, &s) || !*capacity ||
	     *capacity > KT_CAPACITY_MAX))
		return -1;
	*end = s;
	return 0;
}

/*
 * "4c" or "4c2t" (cores, threads per core): one LLC of a node.N.llcs
 * list; "4c@512" of capacity 512; "2c@1024|4c@512" of two clusters.
 */
static int parse_llc(const char *s, struct kt_llc_shape *l, const char **end)
{
	unsigned int n = 0, cores, threads, capacity;
	bool declared = false;

	memset(l, 0, sizeof(*l));
	for (;;) {
		if (n == KT_MAX_CLUSTERS ||
		    parse_cluster(s, &cores, &threads, &capacity, &s))
			return -1;
		if (n && threads != l->threads)
			return -1;
		l->threads = threads;
		l->cores += cores;
		l->cluster_cores[n] = cores;
		l->capacity[n++] = capacity;
		declared |= capacity != 0;
		if (*s != '|')
			break;
		s++;
	}
	if (*s && !isspace((unsigned char)*s) && *s != ',')
		return -1;
	if (n > 1 || declared)
		l->clusters = n;
	*end = s;
	return 0;
}

static int parse_node_llcs(struct parse_state *ps, struct kt_topology *t,
			   unsigned int node, const char *value)
{
	const char *p = value;
	struct kt_llc_shape l;

	while (*p) {
		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (!*p)
			break;
		if (parse_llc(p, &l, &p))
			return kt_fail("%s:%u: node.%u.llcs: '%s' is not a list of LLCs such as '4c 4c 3c' or '2c2t' (cores, then threads per core), on arm64 also '4c@512' (capacity 1 to %d) or '2c@1024|4c@512' (clusters of one LLC, with the same threads per core; at most %d)",
				       ps->origin, ps->line, node, value,
				       KT_CAPACITY_MAX, KT_MAX_CLUSTERS);
		if (t->llcs >= KT_MAX_LLCS)
			return kt_fail("%s:%u: more than %d LLCs", ps->origin,
				       ps->line, KT_MAX_LLCS);
		l.node = node;
		t->llc[t->llcs++] = l;
		if (l.clusters && !t->arm64_line) {
			snprintf(t->arm64_key, sizeof(t->arm64_key),
				 "node.%u.llcs", node);
			t->arm64_line = ps->line;
		}
	}
	return 0;
}

/* node.N.llcs = 4c 4c 3c | node.N.memory = 512M (0: none). */
static int parse_node_key(struct parse_state *ps, struct kt_topology *t,
			  const char *key, const char *value)
{
	unsigned int node, *seen;
	const char *what;
	char *end;

	errno = 0;
	node = strtoul(key + 5, &end, 10);
	if (!isdigit((unsigned char)key[5]) || errno || *end != '.')
		return kt_fail("%s:%u: '%s': expected node.<number>.llcs or node.<number>.memory",
			       ps->origin, ps->line, key);
	what = end + 1;
	if (node >= KT_MAX_NODES)
		return kt_fail("%s:%u: node %u: at most %d NUMA nodes are supported",
			       ps->origin, ps->line, node, KT_MAX_NODES);
	if (ps->grid_line)
		return kt_fail("%s:%u: '%s' cannot be mixed with the shape of line %u (topology, nodes, llcs, cores, threads): declare it node by node or as a grid, not both",
			       ps->origin, ps->line, key, ps->grid_line);
	if (!strcmp(what, "llcs"))
		seen = &ps->llcs_line[node];
	else if (!strcmp(what, "memory"))
		seen = &ps->memory_line[node];
	else
		return kt_fail("%s:%u: '%s': unknown, expected node.%u.llcs or node.%u.memory",
			       ps->origin, ps->line, key, node, node);
	if (*seen)
		return kt_fail("%s:%u: %s given twice (first on line %u)",
			       ps->origin, ps->line, key, *seen);
	*seen = ps->line;
	if (!ps->node_line)
		ps->node_line = ps->line;
	t->uneven = true;
	if (seen == &ps->llcs_line[node])
		return parse_node_llcs(ps, t, node, value);
	if (!strcmp(value, "0")) {
		t->node_memory_mib[node] = 0;
		return 0;
	}
	if (parse_memory(value, &t->node_memory_mib[node]) ||
	    !t->node_memory_mib[node])
		return kt_fail("%s:%u: %s: '%s' is not a size such as 512M or 2G (or 0 for none)",
			       ps->origin, ps->line, key, value);
	return 0;
}

static int parse_distance_row(struct parse_state *ps, struct kt_topology *t,
			      const char *value)
{
	unsigned int row = ps->distance_rows, col = 0, v;
	const char *p = value;

	if (row >= KT_MAX_NODES)
		return kt_fail("%s:%u: more than %d distance rows", ps->origin,
			       ps->line, KT_MAX_NODES);
	while (*p) {
		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (!*p)
			break;
		if (parse_uint(p, &v, &p) ||
		    (*p && !isspace((unsigned char)*p) && *p != ','))
			return kt_fail("%s:%u: distance: '%s' is not a list of numbers",
				       ps->origin, ps->line, value);
		if (col >= KT_MAX_NODES)
			return kt_fail("%s:%u: distance: more than %d columns",
				       ps->origin, ps->line, KT_MAX_NODES);
		t->distance[row][col++] = v;
	}
	if (row > 0 && col != ps->distance_width)
		return kt_fail("%s:%u: distance row %u has %u entries, row 0 has %u",
			       ps->origin, ps->line, row, col,
			       ps->distance_width);
	if (row == 0)
		ps->distance_width = col;
	ps->distance_rows++;
	t->has_distance = true;
	return 0;
}

static int parse_yes_no(const struct parse_state *ps, const char *key,
			const char *value, bool *out)
{
	if (strcmp(value, "yes") && strcmp(value, "no"))
		return kt_fail("%s:%u: %s: '%s' is neither yes nor no",
			       ps->origin, ps->line, key, value);
	*out = !strcmp(value, "yes");
	return 0;
}

/* The keys of the grid form: the short form or its four dimensions. */
static bool is_grid_key(const char *key)
{
	return !strcmp(key, "topology") || !strcmp(key, "nodes") ||
	       !strcmp(key, "llcs") || !strcmp(key, "cores") ||
	       !strcmp(key, "threads");
}

static int parse_key(struct parse_state *ps, struct kt_topology *t,
		     const char *key, const char *value)
{
	static const char * const dims[] = { "nodes", "llcs", "cores",
					     "threads" };
	unsigned int *fields[] = { &t->nodes, &t->llcs, &t->cores,
				   &t->threads };
	struct kt_topology shape;
	char why[1024];
	size_t i;

	if (!strncmp(key, "node.", 5))
		return parse_node_key(ps, t, key, value);
	if (ps->node_line && is_grid_key(key))
		return kt_fail("%s:%u: '%s' cannot be mixed with the node by node shape of line %u: declare it node by node or as a grid, not both",
			       ps->origin, ps->line, key, ps->node_line);
	if (!ps->grid_line && is_grid_key(key))
		ps->grid_line = ps->line;
	for (i = 0; i < 4; i++) {
		if (strcmp(key, dims[i]))
			continue;
		if (parse_uint(value, fields[i], NULL) ||
		    strspn(value, "0123456789") != strlen(value))
			return kt_fail("%s:%u: %s: '%s' is not a whole number",
				       ps->origin, ps->line, key, value);
		return 0;
	}
	if (!strcmp(key, "topology")) {
		if (!is_short_form(value))
			return kt_fail("%s:%u: topology: '%s' is not of the form 2n4l2c2t",
				       ps->origin, ps->line, value);
		if (kt_topology_parse_short(value, &shape)) {
			snprintf(why, sizeof(why), "%s", kt_errmsg());
			return kt_fail("%s:%u: %s", ps->origin, ps->line, why);
		}
		t->nodes = shape.nodes;
		t->llcs = shape.llcs;
		t->cores = shape.cores;
		t->threads = shape.threads;
		return 0;
	}
	if (!strcmp(key, "memory")) {
		if (parse_memory(value, &t->memory_mib))
			return kt_fail("%s:%u: memory: '%s' is not a size such as 512M or 2G",
				       ps->origin, ps->line, value);
		ps->total_memory_mib = t->memory_mib;
		return 0;
	}
	if (!strcmp(key, "description")) {
		snprintf(t->description, sizeof(t->description), "%s", value);
		return 0;
	}
	if (!strcmp(key, "distance"))
		return parse_distance_row(ps, t, value);
	if (!strcmp(key, "matrix"))
		return parse_yes_no(ps, key, value, &t->matrix);
	return kt_fail("%s:%u: unknown key '%s' (known: topology, nodes, llcs, cores, threads, node.N.llcs, node.N.memory, memory, distance, description, matrix)",
		       ps->origin, ps->line, key);
}

static int parse_line(struct parse_state *ps, struct kt_topology *t,
		      char *line)
{
	char *eq, *key, *value;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq)
		return kt_fail("%s:%u: expected 'key = value', got '%s'",
			       ps->origin, ps->line, line);
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (!*value)
		return kt_fail("%s:%u: %s: missing value", ps->origin,
			       ps->line, key);
	return parse_key(ps, t, key, value);
}

static int check_distance_rows(const struct parse_state *ps,
			       const struct kt_topology *t)
{
	if (!t->has_distance)
		return 0;
	if (ps->distance_rows != t->nodes || ps->distance_width != t->nodes)
		return kt_fail("%s: distance matrix is %ux%u, expected %ux%u for %u nodes",
			       ps->origin, ps->distance_rows,
			       ps->distance_width, t->nodes, t->nodes,
			       t->nodes);
	return 0;
}

/* LLCs in node order (stable: each node's in the order declared). */
static void sort_llcs(struct kt_topology *t)
{
	struct kt_llc_shape l;
	unsigned int i, j;

	for (i = 1; i < t->llcs; i++) {
		l = t->llc[i];
		for (j = i; j > 0 && t->llc[j - 1].node > l.node; j--)
			t->llc[j] = t->llc[j - 1];
		t->llc[j] = l;
	}
}

/*
 * Nodes without node.N.memory share what `memory =` leaves, evenly, or
 * have 256M each.
 */
static int finish_node_memory(const struct parse_state *ps,
			      struct kt_topology *t)
{
	unsigned long given = 0, rest;
	unsigned int n, unset = 0;

	for (n = 0; n < t->nodes; n++) {
		if (ps->memory_line[n])
			given += t->node_memory_mib[n];
		else
			unset++;
	}
	if (given == 0 && unset == t->nodes)
		return 0;
	t->memory_per_node = true;
	if (!ps->total_memory_mib) {
		rest = unset * 256UL;
	} else if (ps->total_memory_mib < given ||
		   (unset && (ps->total_memory_mib - given) % unset) ||
		   (!unset && ps->total_memory_mib != given)) {
		return kt_fail("%s: memory = %luM does not match the nodes' own memory (%luM declared per node%s)",
			       ps->origin, ps->total_memory_mib, given,
			       unset ? ", the rest to split evenly over the others" : "");
	} else {
		rest = ps->total_memory_mib - given;
	}
	for (n = 0; n < t->nodes; n++)
		if (!ps->memory_line[n])
			t->node_memory_mib[n] = rest / unset;
	t->memory_mib = given + rest;
	return 0;
}

static int finish_nodes(const struct parse_state *ps, struct kt_topology *t)
{
	unsigned int n, i;

	for (n = 0; n < KT_MAX_NODES; n++)
		if (ps->llcs_line[n] || ps->memory_line[n])
			t->nodes = n + 1;
	for (n = 0; n < t->nodes; n++) {
		if (!ps->llcs_line[n] && !ps->memory_line[n])
			return kt_fail("%s: node %u is not declared (nodes are numbered 0 to %u without gaps)",
				       ps->origin, n, t->nodes - 1);
		if (!kt_topology_node_cpus(t, n) && ps->memory_line[n] &&
		    !t->node_memory_mib[n])
			return kt_fail("%s:%u: node %u has neither CPUs nor memory",
				       ps->origin, ps->memory_line[n], n);
	}
	if (!t->llcs)
		return kt_fail("%s: no node has LLCs (node.N.llcs = 4c ...)",
			       ps->origin);
	sort_llcs(t);
	for (i = 0; i < t->llcs; i++) {
		if (t->llc[i].cores > t->cores)
			t->cores = t->llc[i].cores;
		if (t->llc[i].threads > t->threads)
			t->threads = t->llc[i].threads;
	}
	return finish_node_memory(ps, t);
}

int kt_topology_parse_text(const char *text, const char *origin,
			   struct kt_topology *t)
{
	struct parse_state ps = { .origin = origin };
	char *copy, *line, *next;
	int ret = 0;

	init_topology(t);
	copy = strdup(text);
	if (!copy)
		return kt_fail("out of memory");
	for (line = copy; line && !ret; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		ps.line++;
		ret = parse_line(&ps, t, line);
	}
	free(copy);
	if (ret)
		return ret;
	if (t->uneven && finish_nodes(&ps, t))
		return -1;
	if (!t->nodes || !t->llcs || !t->cores || !t->threads)
		return kt_fail("%s: needs nodes, llcs, cores and threads (or topology = <short form>)",
			       origin);
	if (t->nodes > KT_MAX_NODES)
		return kt_fail("%s: %u NUMA nodes, at most %d are supported",
			       origin, t->nodes, KT_MAX_NODES);
	if (check_distance_rows(&ps, t))
		return -1;
	return kt_topology_validate(t, origin);
}

static int validate_distance(const struct kt_topology *t, const char *origin)
{
	unsigned int i, j, d;

	for (i = 0; i < t->nodes; i++) {
		for (j = 0; j < t->nodes; j++) {
			d = t->distance[i][j];
			if (i == j && d != 10)
				return kt_fail("%s: distance[%u][%u] is %u, a node's distance to itself must be 10",
					       origin, i, j, d);
			if (i != j && (d <= 10 || d > 254))
				return kt_fail("%s: distance[%u][%u] is %u, out of range (11..254 between different nodes)",
					       origin, i, j, d);
			if (d != t->distance[j][i])
				return kt_fail("%s: distance matrix is not symmetric: [%u][%u]=%u but [%u][%u]=%u",
					       origin, i, j, d, j, i,
					       t->distance[j][i]);
		}
	}
	return 0;
}

static int validate_node_memory(const struct kt_topology *t,
				const char *origin)
{
	unsigned long mib;
	unsigned int n;

	for (n = 0; n < t->nodes; n++) {
		mib = t->node_memory_mib[n];
		if (mib && mib < KT_MIN_NODE_MEMORY_MIB)
			return kt_fail("%s: node %u has %luM, at least %dM per node is needed (or 0 for a node without memory)",
				       origin, n, mib, KT_MIN_NODE_MEMORY_MIB);
	}
	if (!kt_topology_memory_nodes(t))
		return kt_fail("%s: no node has memory", origin);
	return 0;
}

static int validate_memory(const struct kt_topology *t, const char *origin)
{
	unsigned long mib = t->memory_mib;

	if (mib < KT_MIN_MEMORY_MIB)
		return kt_fail("%s: memory %luM is too little, at least %dM is needed",
			       origin, mib, KT_MIN_MEMORY_MIB);
	if (t->memory_per_node)
		return validate_node_memory(t, origin);
	if (mib % t->nodes)
		return kt_fail("%s: memory %luM does not split evenly over %u nodes",
			       origin, mib, t->nodes);
	if (mib / t->nodes < KT_MIN_NODE_MEMORY_MIB)
		return kt_fail("%s: memory %luM gives %luM per node, at least %dM per node is needed",
			       origin, mib, mib / t->nodes,
			       KT_MIN_NODE_MEMORY_MIB);
	return 0;
}

/*
 * The kernel scales capacities so that the largest is 1024
 * (topology_normalize_cpu_scale()): declared any other way, the guest's
 * would not be the declared ones.
 */
static int validate_capacities(const struct kt_topology *t,
			       const char *origin)
{
	unsigned int i, c, cap, max = 0;

	if (!t->uneven)
		return 0;
	for (i = 0; i < t->llcs; i++) {
		for (c = 0; c < (t->llc[i].clusters ?: 1); c++) {
			cap = t->llc[i].capacity[c] ?: KT_CAPACITY_MAX;
			if (cap > max)
				max = cap;
		}
	}
	if (max != KT_CAPACITY_MAX)
		return kt_fail("%s: the largest CPU capacity is %u: the kernel scales the largest to %d, so declare the biggest CPUs @%d",
			       origin, max, KT_CAPACITY_MAX, KT_CAPACITY_MAX);
	return 0;
}

int kt_topology_validate(const struct kt_topology *t, const char *origin)
{
	unsigned long cpus;

	if (!t->nodes || !t->llcs || !t->cores || !t->threads)
		return kt_fail("%s: nodes, llcs, cores and threads must all be at least 1 (got %un%ul%uc%ut)",
			       origin, t->nodes, t->llcs, t->cores,
			       t->threads);
	if (t->nodes > KT_MAX_NODES)
		return kt_fail("%s: %u NUMA nodes, at most %d are supported",
			       origin, t->nodes, KT_MAX_NODES);
	if (!t->uneven && t->llcs % t->nodes)
		return kt_fail("%s: %u LLCs do not divide evenly over %u NUMA nodes (a preset file can declare uneven nodes: node.0.llcs = ..., see Documentation/topologies.md)",
			       origin, t->llcs, t->nodes);
	cpus = (unsigned long)t->llcs * t->cores * t->threads;
	if (cpus > KT_MAX_APIC_ID + 1 ||
	    kt_topology_max_apic_id(t) > KT_MAX_APIC_ID)
		return kt_fail("%s: %lu vCPUs (highest APIC ID %u), more than the VMM supports (APIC IDs up to %d)",
			       origin, cpus, kt_topology_max_apic_id(t),
			       KT_MAX_APIC_ID);
	/*
	 * Memory 0 is the default, unless declared per node: all nodes
	 * without memory, which kt_topology_set_memory() cannot scale.
	 */
	if (t->memory_per_node && !t->memory_mib)
		return kt_fail("%s: no node has memory", origin);
	if (t->memory_mib && validate_memory(t, origin))
		return -1;
	if (validate_capacities(t, origin))
		return -1;
	if (t->has_distance)
		return validate_distance(t, origin);
	return 0;
}

int kt_topology_check_arch(const struct kt_topology *t, enum kt_arch arch)
{
	if (arch == KT_ARCH_ARM64 || !t->arm64_line)
		return 0;
	return kt_fail_usage("topology %s: %s (line %u) declares clusters or CPU capacities, which only arm64 guests have (a device tree says them; an %s guest's firmware tables cannot): use --arch arm64",
			     t->name, t->arm64_key, t->arm64_line,
			     kt_arch_name(arch));
}

int kt_topology_set_memory(struct kt_topology *t, unsigned long mib,
			   const char *origin)
{
	unsigned long old = t->memory_mib, sum = 0;
	unsigned int n, first = KT_MAX_NODES;

	if (!t->memory_per_node) {
		t->memory_mib = mib;
		return kt_topology_validate(t, origin);
	}
	if (mib < KT_MIN_MEMORY_MIB)
		return kt_fail("%s: memory %luM is too little, at least %dM is needed",
			       origin, mib, KT_MIN_MEMORY_MIB);
	for (n = 0; n < t->nodes; n++) {
		t->node_memory_mib[n] = t->node_memory_mib[n] * mib / old;
		sum += t->node_memory_mib[n];
		if (t->node_memory_mib[n] && first == KT_MAX_NODES)
			first = n;
	}
	if (first == KT_MAX_NODES)
		return kt_fail("%s: no node has memory", origin);
	t->node_memory_mib[first] += mib - sum;
	t->memory_mib = mib;
	return kt_topology_validate(t, origin);
}

static int fill_defaults(struct kt_topology *t)
{
	if (!t->memory_mib)
		t->memory_mib = default_memory_mib(t);
	return 0;
}

int kt_topology_parse_file(const char *path, struct kt_topology *t)
{
	char *text, *base, *dot;
	FILE *f;
	size_t n;
	int ret;

	f = fopen(path, "r");
	if (!f)
		return kt_fail_errno("topology file %s", path);
	text = malloc(MAX_FILE_SIZE + 1);
	if (!text) {
		fclose(f);
		return kt_fail("out of memory");
	}
	n = fread(text, 1, MAX_FILE_SIZE + 1, f);
	fclose(f);
	if (n > MAX_FILE_SIZE) {
		free(text);
		return kt_fail("%s: larger than %d bytes", path, MAX_FILE_SIZE);
	}
	text[n] = '\0';
	ret = kt_topology_parse_text(text, path, t);
	free(text);
	if (ret)
		return ret;
	base = strrchr(path, '/');
	snprintf(t->name, sizeof(t->name), "%s", base ? base + 1 : path);
	dot = strrchr(t->name, '.');
	if (dot && !strcmp(dot, ".topo"))
		*dot = '\0';
	return fill_defaults(t);
}

int kt_topology_dir(char *buf, size_t len)
{
	const char *env = getenv("KTSTR_TOPOLOGY_DIR");
	char root[PATH_MAX];

	if (env && *env) {
		if (snprintf(buf, len, "%s", env) >= (int)len)
			return kt_fail("KTSTR_TOPOLOGY_DIR too long");
		return 0;
	}
	if (kt_root_dir(root, sizeof(root)))
		return -1;
	if (snprintf(buf, len, "%s/topologies", root) >= (int)len)
		return kt_fail("topology directory path too long");
	return 0;
}

int kt_topology_parse(const char *spec, struct kt_topology *t)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];

	if (!spec || !*spec)
		return kt_fail_usage("empty topology");
	if (is_short_form(spec)) {
		if (kt_topology_parse_short(spec, t))
			return -1;
		return fill_defaults(t);
	}
	if (strchr(spec, '/'))
		return kt_topology_parse_file(spec, t);
	if (kt_topology_dir(dir, sizeof(dir)))
		return -1;
	snprintf(path, sizeof(path), "%s/%s.topo", dir, spec);
	if (access(path, F_OK) == 0)
		return kt_topology_parse_file(path, t);
	if (isdigit((unsigned char)spec[0]))
		return kt_topology_parse_short(spec, t);
	return kt_fail_usage("topology '%s': not a short form like 2n4l2c2t and no preset %s",
			     spec, path);
}
