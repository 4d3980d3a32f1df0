/* SPDX-License-Identifier: GPL-2.0 */
/* Measuring this machine's boot times for the gauntlet's cost model. */
#ifndef KTSTR_RUNNER_CALIBRATE_H
#define KTSTR_RUNNER_CALIBRATE_H

#include "costs.h"
#include "launch.h"

/*
 * Boots presets of 2, 10 and 16 vCPUs with the payload `true` on the
 * kernel of @l and fits the boot line of @c to their wall times.
 */
int kt_calibrate_boot(struct kt_launch *l, struct kt_costs *c);

#endif
