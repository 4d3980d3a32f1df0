/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BTF the repro fuzz targets decode with: $KTSTR_FUZZ_VMLINUX's, else
 * the default kernel's, as the repro unit tests take it; NULL if there
 * is neither.  Opened once: it takes longer than a report.
 */
#ifndef KTSTR_REPRO_FUZZ_KERNEL_BTF_H
#define KTSTR_REPRO_FUZZ_KERNEL_BTF_H

#include <stdlib.h>

#include "decode.h"
#include "kernel.h"

static inline struct kt_decoder *fuzz_kernel_decoder(void)
{
	const char *vmlinux = getenv("KTSTR_FUZZ_VMLINUX");
	struct kt_kernel k;

	if (!vmlinux && !kt_kernel_resolve(NULL, &k) && k.vmlinux[0])
		vmlinux = k.vmlinux;
	return vmlinux ? kt_decoder_open(vmlinux) : NULL;
}

#endif
