// SPDX-License-Identifier: GPL-2.0
/*
 * The ELF reader that finds what a host program given to the guest
 * (--include, a scheduler binary) needs: its interpreter and the
 * DT_NEEDED closure, searched on this host as ld.so would.  Seeds: small
 * real ELF files (a dynamic program, a test program's sections).
 */
#include <stdint.h>
#include <unistd.h>

#include "elfdeps.h"
#include "fuzz/memfile.h"
#include "strlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_strlist deps = { 0 };
	char path[64];
	int fd = fuzz_memfile(data, size, path, sizeof(path));

	if (fd < 0)
		return 0;
	kt_elf_deps(path, &deps);
	kt_strlist_free(&deps);
	close(fd);
	return 0;
}
