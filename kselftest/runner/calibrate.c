// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "calibrate.h"
#include "compiler.h"
#include "error.h"

/* Small, medium and wider shapes: the line must hold across them. */
static const char *const shapes[] = { "tiny", "llc5", "numa2-smt" };
#define NR_SHAPES ARRAY_SIZE(shapes)

static int boot_once(struct kt_launch *l, const char *shape,
		     unsigned int *cpus, double *wall_s)
{
	struct kt_vm_opts vo;
	struct kt_vm_result r;
	char why[160];

	l->topology_spec = shape;
	if (kt_launch_prepare(l))
		return -1;
	kt_launch_vm_opts(l, &vo);
	vo.command = "true";
	vo.timeout_s = 300;
	if (kt_accel_resolve_arch(l->arch, l->accel, &vo.accel, why,
				  sizeof(why)) ||
	    kt_vm_run(&vo, &r))
		return -1;
	if (r.outcome != KT_VM_EXITED || r.exit_status)
		return kt_fail("calibration boot of %s: VM %s: %s", shape,
			       kt_vm_outcome_name(r.outcome), r.detail);
	*cpus = kt_topology_cpus(&l->topo);
	*wall_s = r.wall_s;
	fprintf(stderr, "calibrate: %s, %u vCPUs: %.2fs\n", shape, *cpus,
		*wall_s);
	return 0;
}

int kt_calibrate_boot(struct kt_launch *l, struct kt_costs *c)
{
	unsigned int cpus[NR_SHAPES];
	double wall[NR_SHAPES];
	size_t i;

	for (i = 0; i < NR_SHAPES; i++)
		if (boot_once(l, shapes[i], &cpus[i], &wall[i]))
			return -1;
	return kt_costs_fit_boot(c, cpus, wall, NR_SHAPES);
}
