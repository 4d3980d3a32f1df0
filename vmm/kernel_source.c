// SPDX-License-Identifier: GPL-2.0
#include "error.h"
#include "kernel_source.h"

int kt_kernel_obtain(const char *spec, struct kt_kernel *k)
{
	return kt_kernel_resolve(spec, k);
}
