/* SPDX-License-Identifier: GPL-2.0 */
/* Does the guest kernel see the topology that was declared? */
#ifndef KTSTR_TOPO_VERIFY_H
#define KTSTR_TOPO_VERIFY_H

#include <stdbool.h>

#include "cpulist.h"
#include "topology.h"

#define KT_TOPO_MAX_CHECKS 24

struct kt_topo_check {
	char name[48];
	bool ok;
	char detail[200];
};

struct kt_topo_report {
	struct kt_topo_check checks[KT_TOPO_MAX_CHECKS];
	unsigned int count;
};

/*
 * @dump is what vmm/guest/topo-dump.sh printed in a guest of @arch.
 * Returns -1 only if it cannot be parsed; mismatches are failed checks
 * in @rep.  @vendor: the CPU vendor the guest must report, or NULL for
 * none (arm64).  An arm64 guest is also checked for its clusters, CPU
 * capacities and asymmetric-capacity scheduling domains.
 */
int kt_topo_verify(const struct kt_topology *t, const char *dump,
		   enum kt_arch arch, const char *vendor,
		   struct kt_topo_report *rep);
unsigned int kt_topo_report_failures(const struct kt_topo_report *rep);

#endif
