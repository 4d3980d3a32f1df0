// SPDX-License-Identifier: GPL-2.0
/* Guest architecture names: every spelling, and names that are none. */
#include <string.h>

#include "kselftest_harness.h"
#include "arch.h"
#include "error.h"

TEST(names_and_aliases)
{
	static const struct {
		const char *name;
		enum kt_arch arch;
	} ok[] = {
		{ "x86_64", KT_ARCH_X86_64 }, { "x86", KT_ARCH_X86_64 },
		{ "amd64", KT_ARCH_X86_64 }, { "arm64", KT_ARCH_ARM64 },
		{ "aarch64", KT_ARCH_ARM64 },
	};
	enum kt_arch arch;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		arch = KT_ARCH_COUNT;
		ASSERT_EQ(0, kt_arch_parse(ok[i].name, &arch));
		EXPECT_EQ(ok[i].arch, arch) TH_LOG("%s", ok[i].name);
	}
}

TEST(canonical_names_round_trip)
{
	enum kt_arch arch, back;

	for (arch = 0; arch < KT_ARCH_COUNT; arch++) {
		ASSERT_EQ(0, kt_arch_parse(kt_arch_name(arch), &back));
		EXPECT_EQ(arch, back);
	}
}

TEST(qemu_and_bpf_names)
{
	EXPECT_STREQ("qemu-system-x86_64", kt_arch_qemu(KT_ARCH_X86_64));
	EXPECT_STREQ("qemu-system-aarch64", kt_arch_qemu(KT_ARCH_ARM64));
	EXPECT_STREQ("x86", kt_arch_bpf_target(KT_ARCH_X86_64));
	EXPECT_STREQ("arm64", kt_arch_bpf_target(KT_ARCH_ARM64));
	EXPECT_STREQ("unknown", kt_arch_name(KT_ARCH_COUNT));
	EXPECT_EQ(NULL, kt_arch_qemu(KT_ARCH_COUNT));
	EXPECT_EQ(NULL, kt_arch_bpf_target(KT_ARCH_COUNT));
}

/* A bad name is a usage error naming it; the output is left alone. */
TEST(bad_names_refused)
{
	static const char *const bad[] = {
		"riscv64", "ARM64", "", "x86_64 ", "arm",
	};
	enum kt_arch arch;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		arch = KT_ARCH_COUNT;
		ASSERT_EQ(-1, kt_arch_parse(bad[i], &arch));
		EXPECT_EQ(KT_ARCH_COUNT, arch);
		EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());
		EXPECT_NE(NULL, strstr(kt_errmsg(), bad[i])) TH_LOG("%s", kt_errmsg());
		EXPECT_NE(NULL, strstr(kt_errmsg(), "x86_64 or arm64"));
	}
	ASSERT_EQ(-1, kt_arch_parse(NULL, &arch));
	EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());
}

TEST_HARNESS_MAIN
