/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A CPU topology as a test declares it: NUMA nodes x LLCs x cores per LLC
 * x threads per core, memory, and an optional NUMA distance matrix.
 */
#ifndef KTSTR_TOPOLOGY_H
#define KTSTR_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>

#define KT_MAX_NODES 16
/* Without interrupt remapping x86 APIC IDs must stay below 255. */
#define KT_MAX_APIC_ID 254
#define KT_MIN_NODE_MEMORY_MIB 128
#define KT_MIN_MEMORY_MIB 256

struct kt_topology {
	char name[64];			/* preset name or short form */
	char description[160];
	/* In the default set of shapes `ktstr run --scheduler` runs on. */
	bool matrix;
	unsigned int nodes;
	unsigned int llcs;		/* in total, spread evenly over nodes */
	unsigned int cores;		/* per LLC */
	unsigned int threads;		/* per core */
	unsigned long memory_mib;	/* in total, split evenly over nodes */
	bool has_distance;
	unsigned int distance[KT_MAX_NODES][KT_MAX_NODES];
};

/* Where one vCPU sits; vCPUs are numbered thread-fastest. */
struct kt_cpu_place {
	unsigned int node;
	unsigned int llc;		/* global LLC index */
	unsigned int core;		/* global core index */
	unsigned int thread;		/* within its core */
};

/*
 * A spec is a short form ("2n4l2c2t"), a preset name (a file
 * topologies/<name>.topo) or a path to a preset file.
 */
int kt_topology_parse(const char *spec, struct kt_topology *t);
int kt_topology_parse_file(const char *path, struct kt_topology *t);
int kt_topology_parse_text(const char *text, const char *origin,
			   struct kt_topology *t);
int kt_topology_parse_short(const char *s, struct kt_topology *t);
int kt_topology_validate(const struct kt_topology *t, const char *origin);
/* "512M", "2G" or MiB; errors name the value. */
int kt_topology_parse_memory(const char *s, unsigned long *mib);

unsigned int kt_topology_cpus(const struct kt_topology *t);
unsigned int kt_topology_llcs_per_node(const struct kt_topology *t);
unsigned int kt_topology_distance(const struct kt_topology *t,
				  unsigned int from, unsigned int to);
void kt_topology_place(const struct kt_topology *t, unsigned int cpu,
		       struct kt_cpu_place *p);
unsigned int kt_topology_max_apic_id(const struct kt_topology *t);
int kt_topology_short(const struct kt_topology *t, char *buf, size_t len);

/* Directory holding the presets: $KTSTR_TOPOLOGY_DIR or <ktstr dir>/topologies. */
int kt_topology_dir(char *buf, size_t len);

#endif
