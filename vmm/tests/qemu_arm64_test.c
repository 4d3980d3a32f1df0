// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 QEMU command line (no VM is started) and what an arm64 guest
 * refuses: x86 CPU models, KVM, and on x86_64 guests the clusters and
 * capacities only a device tree can declare.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "error.h"
#include "launch.h"
#include "qemu.h"
#include "topology.h"

static const char tri_tier[] =
	"node.0.llcs = 2c@1024|4c@768|2c@512\nmemory = 512M\n";
static const char two_nodes[] =
	"node.0.llcs = 2c2t\nnode.1.llcs = 3c\ndistance = 10 31\ndistance = 31 10\n";

static bool has_pair(const struct kt_argv *a, const char *opt,
		     const char *value)
{
	size_t i;

	for (i = 0; i + 1 < a->count; i++)
		if (!strcmp(a->items[i], opt) && !strcmp(a->items[i + 1], value))
			return true;
	return false;
}

static bool has_arg(const struct kt_argv *a, const char *arg)
{
	size_t i;

	for (i = 0; i < a->count; i++)
		if (!strcmp(a->items[i], arg))
			return true;
	return false;
}

static struct kt_qemu_spec arm64_spec(const struct kt_topology *t)
{
	struct kt_qemu_spec s = {
		.arch = KT_ARCH_ARM64, .topo = t, .accel = KT_ACCEL_TCG,
		.kernel = "Image", .initrd = "i.cpio",
		.cmdline = "console=ttyAMA0", .shm_prefix = "/dev/shm/ktstr-1-1",
		.console_path = "c", .stdout_path = "o", .stderr_path = "e",
		.control_path = "x", .control_in_path = "xi",
		.dtb = "t.dtb",
	};

	return s;
}

TEST(arm64_command_line)
{
	struct kt_argv a = { 0 };
	struct kt_topology t;
	struct kt_qemu_spec s;

	ASSERT_EQ(0, kt_topology_parse_text(tri_tier, "t", &t));
	s = arm64_spec(&t);
	unsetenv("KTSTR_QEMU_ARM64");
	unsetenv("KTSTR_TCG_THREAD");
	ASSERT_EQ(0, kt_qemu_argv(&s, &a));
	EXPECT_STREQ("qemu-system-aarch64", a.items[0]);
	EXPECT_TRUE(has_pair(&a, "-machine",
			     "virt,gic-version=3,dtb-randomness=off"));
	EXPECT_TRUE(has_pair(&a, "-accel", "tcg,thread=single"));
	EXPECT_TRUE(has_pair(&a, "-cpu", "max,pauth-impdef=on,lpa2=off"));
	/* Every CPU a socket: the device tree says the real shape. */
	EXPECT_TRUE(has_pair(&a, "-smp", "8,sockets=8,cores=1,threads=1"));
	EXPECT_TRUE(has_pair(&a, "-numa", "cpu,node-id=0,socket-id=7"));
	EXPECT_TRUE(has_pair(&a, "-object",
			     "memory-backend-file,id=mem0,size=512M,mem-path=/dev/shm/ktstr-1-1-ram0,share=on"));
	EXPECT_TRUE(has_pair(&a, "-dtb", "t.dtb"));
	EXPECT_TRUE(has_pair(&a, "-kernel", "Image"));
	/* The console on the PL011, the channels on a PCI card's 2nd-4th. */
	EXPECT_TRUE(has_pair(&a, "-serial", "chardev:console"));
	EXPECT_FALSE(has_pair(&a, "-serial", "chardev:stdout"));
	EXPECT_TRUE(has_pair(&a, "-chardev", "null,id=unused"));
	EXPECT_TRUE(has_pair(&a, "-chardev", "file,id=stderr,path=e"));
	EXPECT_TRUE(has_pair(&a, "-chardev",
			     "file,id=control,path=x,input-path=xi"));
	EXPECT_TRUE(has_pair(&a, "-device",
			     "pci-serial-4x,chardev1=unused,chardev2=stdout,chardev3=stderr,chardev4=control"));
	EXPECT_FALSE(has_arg(&a, "-incoming"));
	kt_argv_free(&a);

	ASSERT_EQ(0, setenv("KTSTR_QEMU_ARM64", "/opt/qemu/aarch64", 1));
	ASSERT_EQ(0, kt_qemu_argv(&s, &a));
	unsetenv("KTSTR_QEMU_ARM64");
	EXPECT_STREQ("/opt/qemu/aarch64", a.items[0]);
	kt_argv_free(&a);
}

TEST(arm64_nodes_and_distances)
{
	struct kt_argv a = { 0 };
	struct kt_topology t;
	struct kt_qemu_spec s;

	ASSERT_EQ(0, kt_topology_parse_text(two_nodes, "t", &t));
	t.memory_mib = 512;
	s = arm64_spec(&t);
	ASSERT_EQ(0, kt_qemu_argv(&s, &a));
	/* 2 cores x 2 threads in node 0, then 3 cores in node 1. */
	EXPECT_TRUE(has_pair(&a, "-smp", "7,sockets=7,cores=1,threads=1"));
	EXPECT_TRUE(has_pair(&a, "-numa", "cpu,node-id=0,socket-id=3"));
	EXPECT_TRUE(has_pair(&a, "-numa", "cpu,node-id=1,socket-id=4"));
	EXPECT_TRUE(has_pair(&a, "-numa", "cpu,node-id=1,socket-id=6"));
	EXPECT_TRUE(has_pair(&a, "-numa", "dist,src=0,dst=1,val=31"));
	EXPECT_TRUE(has_pair(&a, "-numa", "node,nodeid=1,memdev=mem1"));
	kt_argv_free(&a);
}

/* Interactive: stdout is the terminal, stderr shares it. */
TEST(arm64_interactive_ports)
{
	struct kt_argv a = { 0 };
	struct kt_topology t;
	struct kt_qemu_spec s;

	ASSERT_EQ(0, kt_topology_parse_text(tri_tier, "t", &t));
	s = arm64_spec(&t);
	s.stdout_path = NULL;
	ASSERT_EQ(0, kt_qemu_argv(&s, &a));
	EXPECT_TRUE(has_pair(&a, "-chardev", "stdio,id=stdout,signal=off"));
	EXPECT_TRUE(has_pair(&a, "-chardev", "null,id=stderr"));
	kt_argv_free(&a);
}

/* What QEMU is run with to write its own tree: the machine alone. */
TEST(arm64_dump_command_line)
{
	struct kt_argv a = { 0 };
	struct kt_topology t;
	struct kt_qemu_spec s;

	ASSERT_EQ(0, kt_topology_parse_text(two_nodes, "t", &t));
	t.memory_mib = 512;
	s = arm64_spec(&t);
	s.dtb = NULL;
	s.dump_dtb = "/tmp/d.dtb";
	ASSERT_EQ(0, kt_qemu_argv(&s, &a));
	EXPECT_TRUE(has_pair(&a, "-machine",
			     "virt,gic-version=3,dtb-randomness=off,dumpdtb=/tmp/d.dtb"));
	/* No /dev/shm file is made for a run of no guest. */
	EXPECT_TRUE(has_pair(&a, "-object",
			     "memory-backend-ram,id=mem1,size=256M"));
	EXPECT_TRUE(has_pair(&a, "-numa", "cpu,node-id=1,socket-id=4"));
	EXPECT_FALSE(has_arg(&a, "-kernel"));
	EXPECT_FALSE(has_arg(&a, "-chardev"));
	EXPECT_FALSE(has_arg(&a, "-qmp"));
	EXPECT_FALSE(has_arg(&a, "-dtb"));
	kt_argv_free(&a);
}

TEST(arm64_runs_under_tcg)
{
	enum kt_accel accel;
	char why[160];

	EXPECT_EQ(0, kt_accel_resolve_arch(KT_ARCH_ARM64, KT_ACCEL_AUTO,
					   &accel, why, sizeof(why)));
	EXPECT_EQ(KT_ACCEL_TCG, accel);
	EXPECT_STREQ("arm64 guest on an x86_64 host", why);
	EXPECT_EQ(-1, kt_accel_resolve_arch(KT_ARCH_ARM64, KT_ACCEL_KVM,
					    &accel, why, sizeof(why)));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "--accel kvm: arm64 guests run under TCG"));
	EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());
}

TEST(launch_arch_option)
{
	struct kt_launch l;

	kt_launch_init(&l, 0);
	EXPECT_EQ(KT_ARCH_X86_64, l.arch);
	EXPECT_EQ(1, kt_launch_option(&l, KT_OPT_ARCH, "aarch64"));
	EXPECT_EQ(KT_ARCH_ARM64, l.arch);
	EXPECT_EQ(-1, kt_launch_option(&l, KT_OPT_ARCH, "riscv64"));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "architecture 'riscv64'"));
	EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());
	EXPECT_EQ(0, kt_launch_check_arch(&l));

	/* An x86 CPU model on an arm64 guest. */
	EXPECT_EQ(1, kt_launch_option(&l, KT_OPT_CPU_MODEL, "amd"));
	EXPECT_EQ(-1, kt_launch_check_arch(&l));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "--cpu-model amd: an x86_64 CPU model"));
	EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());

	kt_launch_init(&l, 0);
	EXPECT_EQ(1, kt_launch_option(&l, KT_OPT_ARCH, "arm64"));
	EXPECT_EQ(1, kt_launch_option(&l, KT_OPT_ACCEL, "kvm"));
	EXPECT_EQ(-1, kt_launch_check_arch(&l));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "--accel kvm"));
	EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());

	/* Everything goes for x86_64. */
	kt_launch_init(&l, 0);
	EXPECT_EQ(1, kt_launch_option(&l, KT_OPT_CPU_MODEL, "amd"));
	EXPECT_EQ(0, kt_launch_check_arch(&l));
}

TEST_HARNESS_MAIN
