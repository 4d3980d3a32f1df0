// SPDX-License-Identifier: GPL-2.0
/* Guest architecture names; see arch.h. */
#include <string.h>

#include "arch.h"
#include "error.h"

static const struct {
	const char *name;
	const char *alias[2];
	const char *qemu;
	const char *bpf_target;
} arches[KT_ARCH_COUNT] = {
	[KT_ARCH_X86_64] = { "x86_64", { "x86", "amd64" },
			     "qemu-system-x86_64", "x86" },
	[KT_ARCH_ARM64] = { "arm64", { "aarch64" },
			    "qemu-system-aarch64", "arm64" },
};

int kt_arch_parse(const char *name, enum kt_arch *arch)
{
	size_t i, j;

	for (i = 0; name && i < KT_ARCH_COUNT; i++) {
		if (!strcmp(name, arches[i].name))
			goto found;
		for (j = 0; j < 2; j++)
			if (arches[i].alias[j] &&
			    !strcmp(name, arches[i].alias[j]))
				goto found;
	}
	return kt_fail_usage("architecture '%s': use x86_64 or arm64 (aliases x86, amd64, aarch64)",
			     name ? name : "");
found:
	*arch = i;
	return 0;
}

const char *kt_arch_name(enum kt_arch arch)
{
	return arch < KT_ARCH_COUNT ? arches[arch].name : "unknown";
}

const char *kt_arch_qemu(enum kt_arch arch)
{
	return arch < KT_ARCH_COUNT ? arches[arch].qemu : NULL;
}

const char *kt_arch_bpf_target(enum kt_arch arch)
{
	return arch < KT_ARCH_COUNT ? arches[arch].bpf_target : NULL;
}
