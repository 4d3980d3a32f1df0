// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler's BPF maps read from a crafted guest: the input is a
 * guest memory excerpt (memimage.h), as `ktstr monitor --maps-record`
 * writes one, read with the default kernel's BTF and symbols (or
 * $KTSTR_FUZZ_VMLINUX's): map_idr, the struct_ops map and its programs,
 * each map's BTF parsed by libbpf and its contents decoded with it, then
 * printed; aborts if the print holds a control character but newlines.
 * Every pointer, count, size and BTF byte is the guest's.
 * Seeds: the excerpts of monitor/tests/fixtures, recorded from real
 * guests running scx_qmap and scx_flatcg.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfmap.h"
#include "btf.h"
#include "error.h"
#include "kernel.h"
#include "layout.h"
#include "memimage.h"
#include "symbols.h"
#include "target.h"

static struct kt_btf btf;
static struct kt_symbols syms;
static struct kt_layout layout;
static struct kt_bpfmap_layout maps;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *vmlinux = getenv("KTSTR_FUZZ_VMLINUX");
	const char *system_map = getenv("KTSTR_FUZZ_SYSTEM_MAP");
	static struct kt_kernel k;

	if (!vmlinux && !kt_kernel_resolve(NULL, &k) && k.vmlinux[0]) {
		vmlinux = k.vmlinux;
		system_map = k.system_map;
	}
	/* Without a kernel nothing would be tested: that is no pass. */
	if (!vmlinux) {
		fprintf(stderr, "bpfmap_fuzz: no kernel: build one or set %s\n",
			"KTSTR_FUZZ_VMLINUX (Documentation/fuzzing.md)");
		exit(1);
	}
	if (kt_btf_load(&btf, vmlinux) ||
	    kt_symbols_load(&syms, vmlinux, system_map) ||
	    kt_layout_resolve(&layout, &btf, &syms) ||
	    kt_layout_read_banner(&layout, vmlinux)) {
		fprintf(stderr, "bpfmap_fuzz: %s: %s\n", vmlinux, kt_errmsg());
		exit(1);
	}
	kt_bpfmap_layout_resolve(&maps, &btf, &syms);
	if (!maps.available) {
		fprintf(stderr, "bpfmap_fuzz: %s lacks what reading BPF maps needs: %s\n",
			vmlinux, maps.missing);
		exit(1);
	}
	return 0;
}

/*
 * The print goes into TAP (a failed test's globals): a control character
 * from the guest other than the printer's own newlines would end a line.
 */
static void print_checked(const json_t *all)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	kt_bpfmap_print(f, all, "  ");
	fclose(f);
	for (i = 0; i < len; i++) {
		unsigned char c = text[i];	/* UTF-8 past 0x7f is fine */

		if ((c < 0x20 && c != '\n') || c == 0x7f)
			abort();
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const one[] = { "bss" };
	static struct kt_target t;
	struct kt_bpfmap_cache cache = { 0 };
	unsigned int nr_cpus;
	json_t *all;

	memset(&t, 0, sizeof(t));
	if (kt_memimage_load(&t.mem, data, size, "input", &nr_cpus))
		return 0;
	if (!kt_target_setup(&t, &layout, nr_cpus % (KT_TARGET_MAX_CPUS + 8))) {
		all = kt_bpfmap_dump(&t, &maps, NULL, 0);
		print_checked(all);
		json_decref(all);
		/* Twice through one cache: the second dump reuses the BTF. */
		all = kt_bpfmap_globals(&t, &maps, &cache);
		print_checked(all);
		json_decref(all);
		json_decref(kt_bpfmap_globals(&t, &maps, &cache));
		kt_bpfmap_cache_free(&cache);
		json_decref(kt_bpfmap_dump(&t, &maps, one, 1));
	}
	kt_guestmem_close(&t.mem);
	return 0;
}
