// SPDX-License-Identifier: GPL-2.0
/*
 * The AUTO-PROBE report: the input is a test's output (its kernel log
 * with the exit report), a NUL, and the repro VM's output, where the
 * guest agent's KTSTR-PROBE lines describe the probed functions, their
 * calls and the kernel memory captured at each; that memory is decoded
 * with the kernel's BTF.  All of it is the guest's to write.
 *
 * The BTF is opened once (kernel_btf.h); without one the report is made
 * without BTF, as ktstr does then.  Seeds: real agent output (the repro
 * fixtures), cut to a few calls each.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "kernel_btf.h"
#include "repro.h"

static struct kt_decoder *decoder;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	decoder = fuzz_kernel_decoder();
	if (!decoder)
		fprintf(stderr, "probe_report_fuzz: no kernel BTF, reports are made without it\n");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_repro_result res;
	char *test_output = malloc(size + 2);
	const char *vm_output;

	if (!test_output)
		return 0;
	memcpy(test_output, data, size);
	test_output[size] = '\0';
	test_output[size + 1] = '\0';
	/* After the first NUL, or empty. */
	vm_output = test_output + strlen(test_output) + 1;
	if (!kt_repro_report_btf(test_output, vm_output, decoder, 1.5, &res))
		kt_repro_result_free(&res);
	free(test_output);
	return 0;
}
