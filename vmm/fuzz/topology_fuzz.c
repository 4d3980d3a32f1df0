// SPDX-License-Identifier: GPL-2.0
/*
 * Topology files (topologies/<name>.topo, or any path a user passes) and
 * the short form of its first line ("2n4l2c2t", --topology): a topology
 * that parses is then laid out CPU by CPU, as the VM's ACPI tables and
 * the topology checks use it.  Seeds: the presets in topologies/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "topology.h"

static void lay_out(const struct kt_topology *t)
{
	unsigned int cpu, cpus = kt_topology_cpus(t), n, m, core, thread;
	struct kt_cpu_place p;
	char buf[64];

	for (cpu = 0; cpu < cpus && cpu <= KT_MAX_APIC_ID; cpu++) {
		kt_topology_place(t, cpu, &p);
		kt_topology_slot(t, &p, &core, &thread);
	}
	for (n = 0; n < t->llcs && n < KT_MAX_LLCS; n++)
		kt_topology_llc(t, n);
	for (n = 0; n < t->nodes && n < KT_MAX_NODES; n++) {
		kt_topology_node_memory(t, n);
		kt_topology_node_cpus(t, n);
		for (m = 0; m < t->nodes && m < KT_MAX_NODES; m++)
			kt_topology_distance(t, n, m);
	}
	kt_topology_llcs_per_node(t);
	kt_topology_cpu_nodes(t);
	kt_topology_min_threads(t);
	kt_topology_has_holes(t);
	kt_topology_memory_nodes(t);
	kt_topology_max_apic_id(t);
	kt_topology_short(t, buf, sizeof(buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kt_topology t;
	unsigned long mib;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!kt_topology_parse_text(text, "fuzz.topo", &t)) {
		lay_out(&t);
		if (!kt_topology_set_memory(&t, 4096, "fuzz"))
			lay_out(&t);
	}
	text[strcspn(text, "\n")] = '\0';
	if (!kt_topology_parse_short(text, &t))
		lay_out(&t);
	kt_topology_parse_memory(text, &mib);
	free(text);
	return 0;
}
