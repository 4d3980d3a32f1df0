/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A CPU topology as a test declares it: NUMA nodes x LLCs x cores per LLC
 * x threads per core, memory, and an optional NUMA distance matrix; or,
 * node by node, LLCs of their own sizes, memory of its own size, nodes
 * with memory and no CPUs and nodes with CPUs and no memory.
 */
#ifndef KTSTR_TOPOLOGY_H
#define KTSTR_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>

#include "arch.h"

#define KT_MAX_NODES 16
/* Without interrupt remapping x86 APIC IDs must stay below 255. */
#define KT_MAX_APIC_ID 254
#define KT_MIN_NODE_MEMORY_MIB 128
#define KT_MIN_MEMORY_MIB 256
#define KT_MAX_LLCS 128

/* Clusters of cores in one LLC (arm64 only: "2c@1024|4c@512"). */
#define KT_MAX_CLUSTERS 8
/* What a CPU's capacity is when none is declared, and the largest. */
#define KT_CAPACITY_MAX 1024

/*
 * One LLC: the node it is in, its cores and the threads of each core;
 * on arm64 also its clusters, each of its own cores and capacity.
 */
struct kt_llc_shape {
	unsigned int node;
	unsigned int cores;		/* all its clusters' */
	unsigned int threads;
	/* 0: one cluster of all its cores, of capacity 1024. */
	unsigned int clusters;
	unsigned int cluster_cores[KT_MAX_CLUSTERS];
	/* 0: not declared, 1024. */
	unsigned int capacity[KT_MAX_CLUSTERS];
};

struct kt_topology {
	char name[64];			/* preset name or short form */
	char description[160];
	/* In the default set of shapes `ktstr run --scheduler` runs on. */
	bool matrix;
	unsigned int nodes;		/* CPU-less nodes included */
	unsigned int llcs;		/* in total */
	unsigned int cores;		/* per LLC: the largest LLC's */
	unsigned int threads;		/* per core: the most of any LLC */
	unsigned long memory_mib;	/* in total */
	/*
	 * Declared node by node (node.N.llcs, node.N.memory): llc[] holds
	 * every LLC in node order; without it, llcs spread evenly over the
	 * nodes and every LLC is cores x threads.
	 */
	bool uneven;
	struct kt_llc_shape llc[KT_MAX_LLCS];
	/* Memory per node, when declared per node (0: no memory). */
	bool memory_per_node;
	unsigned long node_memory_mib[KT_MAX_NODES];
	bool has_distance;
	unsigned int distance[KT_MAX_NODES][KT_MAX_NODES];
	/*
	 * The first key that declares clusters or capacities, which only
	 * arm64 guests can have (kt_topology_check_arch()); "" if none.
	 */
	char arm64_key[32];
	unsigned int arm64_line;
};

/*
 * Where one vCPU sits; vCPUs are numbered thread-fastest, LLC by LLC in
 * node order (the order of their APIC IDs).
 */
struct kt_cpu_place {
	unsigned int node;
	unsigned int llc;		/* global LLC index */
	unsigned int cluster;		/* global cluster index */
	unsigned int core;		/* global core index */
	unsigned int thread;		/* within its core */
	unsigned int capacity;		/* 1..1024 */
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

/*
 * Sets the total memory (a test's or --memory); memory declared per node
 * is scaled, every node by the same factor.
 */
int kt_topology_set_memory(struct kt_topology *t, unsigned long mib,
			   const char *origin);

unsigned int kt_topology_cpus(const struct kt_topology *t);
unsigned int kt_topology_llcs_per_node(const struct kt_topology *t);
struct kt_llc_shape kt_topology_llc(const struct kt_topology *t,
				    unsigned int llc);
unsigned long kt_topology_node_memory(const struct kt_topology *t,
				      unsigned int node);
unsigned int kt_topology_node_cpus(const struct kt_topology *t,
				   unsigned int node);
/* Nodes with CPUs; the fewest threads per core of any LLC. */
unsigned int kt_topology_cpu_nodes(const struct kt_topology *t);
unsigned int kt_topology_min_threads(const struct kt_topology *t);
/* Some slot of the cores x threads grid of some LLC holds no CPU. */
bool kt_topology_has_holes(const struct kt_topology *t);
/* Guest memory blocks in guest-physical order: the nodes with memory. */
unsigned int kt_topology_memory_nodes(const struct kt_topology *t);
unsigned int kt_topology_distance(const struct kt_topology *t,
				  unsigned int from, unsigned int to);
void kt_topology_place(const struct kt_topology *t, unsigned int cpu,
		       struct kt_cpu_place *p);
/* Core and thread slot of @p inside its LLC's grid. */
void kt_topology_slot(const struct kt_topology *t,
		      const struct kt_cpu_place *p, unsigned int *core,
		      unsigned int *thread);
unsigned int kt_topology_max_apic_id(const struct kt_topology *t);
/* Clusters in all: an LLC without declared clusters is one. */
unsigned int kt_topology_clusters(const struct kt_topology *t);
/* Some CPU's capacity is below 1024. */
bool kt_topology_has_capacities(const struct kt_topology *t);
/*
 * Clusters and capacities are arm64's (a device tree says them; q35
 * cannot): for another @arch an error naming the topology and its key.
 */
int kt_topology_check_arch(const struct kt_topology *t, enum kt_arch arch);
int kt_topology_short(const struct kt_topology *t, char *buf, size_t len);

/* Directory holding the presets: $KTSTR_TOPOLOGY_DIR or <ktstr dir>/topologies. */
int kt_topology_dir(char *buf, size_t len);

#endif
