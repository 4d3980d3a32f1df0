// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of `topo verify`: cpulists, the comparison of a guest's
 * topology dump with a declaration, and the QEMU command line that
 * realizes a declaration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "cpulist.h"
#include "error.h"
#include "qemu.h"
#include "topo_verify.h"

TEST(cpulist_round_trip)
{
	struct kt_cpuset s;
	char buf[128];

	ASSERT_EQ(0, kt_cpulist_parse("0-3,8,10-11\n", &s));
	EXPECT_EQ(7, kt_cpuset_count(&s));
	EXPECT_TRUE(kt_cpuset_has(&s, 8));
	EXPECT_FALSE(kt_cpuset_has(&s, 9));
	kt_cpulist_format(&s, buf, sizeof(buf));
	EXPECT_STREQ("0-3,8,10-11", buf);
	ASSERT_EQ(0, kt_cpulist_parse("255", &s));
	kt_cpulist_format(&s, buf, sizeof(buf));
	EXPECT_STREQ("255", buf);
}

TEST(cpulist_rejects_garbage)
{
	struct kt_cpuset s;

	EXPECT_EQ(-1, kt_cpulist_parse("3-1", &s));
	EXPECT_EQ(-1, kt_cpulist_parse("1;2", &s));
	EXPECT_EQ(-1, kt_cpulist_parse("256", &s));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "'256'"));
}

/* What topo-dump.sh prints for 2n4l2c1t with distance 21 in 1G. */
static const char good_dump[] =
	"online 0-7\n"
	"cpu 0 node 0 package 0 core 0 siblings 0 l2 0 l3 0-1\n"
	"cpu 1 node 0 package 0 core 1 siblings 1 l2 1 l3 0-1\n"
	"cpu 2 node 0 package 1 core 0 siblings 2 l2 2 l3 2-3\n"
	"cpu 3 node 0 package 1 core 1 siblings 3 l2 3 l3 2-3\n"
	"cpu 4 node 1 package 2 core 0 siblings 4 l2 4 l3 4-5\n"
	"cpu 5 node 1 package 2 core 1 siblings 5 l2 5 l3 4-5\n"
	"cpu 6 node 1 package 3 core 0 siblings 6 l2 6 l3 6-7\n"
	"cpu 7 node 1 package 3 core 1 siblings 7 l2 7 l3 6-7\n"
	"node 0 cpus 0-3 memkb 470232 distance 10 21\n"
	"node 1 cpus 4-7 memkb 514744 distance 21 10\n";

static void declare(struct __test_metadata *_metadata, struct kt_topology *t)
{
	ASSERT_EQ(0, kt_topology_parse_text("topology = 2n4l2c1t\n"
					    "memory = 1G\n"
					    "distance = 10 21\n"
					    "distance = 21 10\n", "t", t));
}

static const struct kt_topo_check *find(const struct kt_topo_report *rep,
					const char *name)
{
	unsigned int i;

	for (i = 0; i < rep->count; i++)
		if (!strcmp(rep->checks[i].name, name))
			return &rep->checks[i];
	return NULL;
}

TEST(matching_dump_passes_every_property)
{
	struct kt_topo_report rep;
	struct kt_topology t;
	unsigned int i;

	declare(_metadata, &t);
	ASSERT_EQ(0, kt_topo_verify(&t, good_dump, KT_ARCH_X86_64, NULL, &rep));
	EXPECT_LE(10, rep.count);
	for (i = 0; i < rep.count; i++)
		EXPECT_TRUE(rep.checks[i].ok)
			TH_LOG("%s: %s", rep.checks[i].name,
			       rep.checks[i].detail);
	EXPECT_EQ(0, kt_topo_report_failures(&rep));
}

static void replace(struct __test_metadata *_metadata, char *text,
		    const char *from, const char *to)
{
	char *p = strstr(text, from);
	char rest[4096];

	ASSERT_NE(NULL, p);
	snprintf(rest, sizeof(rest), "%s", p + strlen(from));
	sprintf(p, "%s%s", to, rest);
}

TEST(wrong_llc_is_named)
{
	struct kt_topo_report rep;
	struct kt_topology t;
	const struct kt_topo_check *c;
	char dump[4096];

	declare(_metadata, &t);
	snprintf(dump, sizeof(dump), "%s", good_dump);
	/* A guest that merged the two LLCs of node 0. */
	replace(_metadata, dump, "l2 0 l3 0-1", "l2 0 l3 0-3");
	replace(_metadata, dump, "l2 1 l3 0-1", "l2 1 l3 0-3");
	replace(_metadata, dump, "l2 2 l3 2-3", "l2 2 l3 0-3");
	replace(_metadata, dump, "l2 3 l3 2-3", "l2 3 l3 0-3");
	ASSERT_EQ(0, kt_topo_verify(&t, dump, KT_ARCH_X86_64, NULL, &rep));
	c = find(&rep, "LLC (L3) sharing");
	ASSERT_NE(NULL, c);
	EXPECT_FALSE(c->ok);
	EXPECT_STREQ("cpu0: guest 0-3, declared 0-1", c->detail);
	c = find(&rep, "LLC count");
	ASSERT_NE(NULL, c);
	EXPECT_FALSE(c->ok);
	c = find(&rep, "LLC sizes");
	ASSERT_NE(NULL, c);
	EXPECT_STREQ("LLC 0 (cpu0): guest 4 CPUs, declared 2", c->detail);
	EXPECT_EQ(3, kt_topo_report_failures(&rep));
}

TEST(wrong_distance_and_missing_cpu_are_named)
{
	struct kt_topo_report rep;
	struct kt_topology t;
	const struct kt_topo_check *c;
	char dump[4096];

	declare(_metadata, &t);
	snprintf(dump, sizeof(dump), "%s", good_dump);
	replace(_metadata, dump, "distance 10 21", "distance 10 20");
	replace(_metadata, dump, "online 0-7", "online 0-6");
	ASSERT_EQ(0, kt_topo_verify(&t, dump, KT_ARCH_X86_64, NULL, &rep));
	c = find(&rep, "NUMA distances");
	ASSERT_NE(NULL, c);
	EXPECT_FALSE(c->ok);
	EXPECT_STREQ("node0->node1: guest 20, declared 21", c->detail);
	c = find(&rep, "online CPUs");
	ASSERT_NE(NULL, c);
	EXPECT_FALSE(c->ok);
	EXPECT_STREQ("guest 0-6, declared 0-7", c->detail);
}

TEST(node_memory_bounds)
{
	struct kt_topo_report rep;
	struct kt_topology t;
	const struct kt_topo_check *c;
	char dump[4096];

	declare(_metadata, &t);
	snprintf(dump, sizeof(dump), "%s", good_dump);
	replace(_metadata, dump, "memkb 514744", "memkb 262144");
	ASSERT_EQ(0, kt_topo_verify(&t, dump, KT_ARCH_X86_64, NULL, &rep));
	c = find(&rep, "NUMA node memory");
	ASSERT_NE(NULL, c);
	EXPECT_FALSE(c->ok);
	EXPECT_STREQ("node1: guest 262144 kB, declared 524288 kB", c->detail);
}

/*
 * Node by node: node 0 has an SMT LLC of 2 cores and an LLC of one core,
 * node 1 one core and no memory, node 2 memory and no CPUs.
 */
static const char uneven_decl[] =
	"node.0.llcs = 2c2t 1c\n"
	"node.0.memory = 512M\n"
	"node.1.llcs = 1c\n"
	"node.1.memory = 0\n"
	"node.2.memory = 256M\n";

static const char uneven_dump[] =
	"online 0-5\n"
	"possible 0-5\n"
	"vendor GenuineIntel\n"
	"cpu 0 node 0 package 0 core 0 siblings 0-1 l2 0-1 l3 0-3\n"
	"cpu 1 node 0 package 0 core 0 siblings 0-1 l2 0-1 l3 0-3\n"
	"cpu 2 node 0 package 0 core 1 siblings 2-3 l2 2-3 l3 0-3\n"
	"cpu 3 node 0 package 0 core 1 siblings 2-3 l2 2-3 l3 0-3\n"
	"cpu 4 node 0 package 1 core 0 siblings 4 l2 4 l3 4\n"
	"cpu 5 node 1 package 2 core 0 siblings 5 l2 5 l3 5\n"
	"node 0 cpus 0-4 memkb 470232 distance 10 20 20\n"
	"node 1 cpus 5 memkb 0 distance 20 10 20\n"
	"node 2 cpus none memkb 257700 distance 20 20 10\n";

TEST(uneven_dump_passes_every_property)
{
	struct kt_topo_report rep;
	struct kt_topology t;
	unsigned int i;

	ASSERT_EQ(0, kt_topology_parse_text(uneven_decl, "t", &t));
	ASSERT_EQ(0, kt_topo_verify(&t, uneven_dump, KT_ARCH_X86_64, "GenuineIntel", &rep));
	EXPECT_LE(15, rep.count);
	for (i = 0; i < rep.count; i++)
		EXPECT_TRUE(rep.checks[i].ok)
			TH_LOG("%s: %s", rep.checks[i].name,
			       rep.checks[i].detail);
}

TEST(uneven_faults_are_named)
{
	struct kt_topo_report rep;
	struct kt_topology t;
	const struct kt_topo_check *c;
	char dump[4096];

	ASSERT_EQ(0, kt_topology_parse_text(uneven_decl, "t", &t));
	snprintf(dump, sizeof(dump), "%s", uneven_dump);
	/* Empty slots the guest could bring up; node 1 given memory. */
	replace(_metadata, dump, "possible 0-5", "possible 0-11");
	replace(_metadata, dump, "vendor GenuineIntel", "vendor AuthenticAMD");
	replace(_metadata, dump, "cpus 5 memkb 0", "cpus 5 memkb 1024");
	/* The single-core LLC folded into the SMT one. */
	replace(_metadata, dump, "l2 4 l3 4", "l2 4 l3 0-4");
	ASSERT_EQ(0, kt_topo_verify(&t, dump, KT_ARCH_X86_64, "GenuineIntel", &rep));
	c = find(&rep, "CPU vendor");
	ASSERT_NE(NULL, c);
	EXPECT_STREQ("guest AuthenticAMD, declared GenuineIntel", c->detail);
	c = find(&rep, "possible CPUs");
	ASSERT_NE(NULL, c);
	EXPECT_STREQ("guest 0-11, declared 0-5", c->detail);
	c = find(&rep, "memory-less nodes");
	ASSERT_NE(NULL, c);
	EXPECT_FALSE(c->ok);
	EXPECT_STREQ("guest none, declared node1", c->detail);
	c = find(&rep, "CPU-less nodes");
	ASSERT_NE(NULL, c);
	EXPECT_TRUE(c->ok);
	EXPECT_STREQ("guest node2, declared node2", c->detail);
	c = find(&rep, "LLC sizes");
	ASSERT_NE(NULL, c);
	EXPECT_STREQ("LLC 1 (cpu4): guest 5 CPUs, declared 1", c->detail);
	c = find(&rep, "NUMA node memory");
	ASSERT_NE(NULL, c);
	EXPECT_STREQ("node1: guest 1024 kB, declared 0 kB", c->detail);

	/* A node that lost its CPUs to another. */
	snprintf(dump, sizeof(dump), "%s", uneven_dump);
	replace(_metadata, dump, "cpu 5 node 1", "cpu 5 node 0");
	replace(_metadata, dump, "node 0 cpus 0-4", "node 0 cpus 0-5");
	replace(_metadata, dump, "node 1 cpus 5", "node 1 cpus none");
	ASSERT_EQ(0, kt_topo_verify(&t, dump, KT_ARCH_X86_64, NULL, &rep));
	c = find(&rep, "CPU-less nodes");
	ASSERT_NE(NULL, c);
	EXPECT_STREQ("guest node1,node2, declared node2", c->detail);
	c = find(&rep, "NUMA node CPUs");
	ASSERT_NE(NULL, c);
	EXPECT_STREQ("node0: guest 0-5, declared 0-4", c->detail);
}

TEST(unparseable_dump_is_an_error)
{
	struct kt_topo_report rep;
	struct kt_topology t;

	declare(_metadata, &t);
	EXPECT_EQ(-1, kt_topo_verify(&t, "", KT_ARCH_X86_64, NULL, &rep));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no 'online' line"));
	EXPECT_EQ(-1, kt_topo_verify(&t, "online 0-7\ncpu x\n", KT_ARCH_X86_64, NULL, &rep));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "bad line 'cpu x'"));
}

static int has_arg_pair(const struct kt_argv *a, const char *opt,
			const char *value)
{
	size_t i;

	for (i = 0; i + 1 < a->count; i++)
		if (!strcmp(a->items[i], opt) && !strcmp(a->items[i + 1], value))
			return 1;
	return 0;
}

/* A TCG VM with files for its ports; the topology is the test's. */
static struct kt_qemu_spec test_spec(enum kt_cpu_vendor vendor)
{
	struct kt_qemu_spec s = {
		.accel = KT_ACCEL_TCG, .vendor = vendor,
		.kernel = "vmlinux", .initrd = "i.cpio",
		.cmdline = "console=ttyS0", .shm_prefix = "/dev/shm/ktstr-1-1",
		.console_path = "c", .stdout_path = "o", .stderr_path = "e",
		.control_path = "x", .control_in_path = "xi",
	};

	return s;
}

TEST(qemu_command_realizes_the_topology)
{
	struct kt_qemu_spec s = test_spec(KT_CPU_INTEL);
	struct kt_argv a = { 0 };
	struct kt_topology t;

	declare(_metadata, &t);
	s.topo = &t;
	unsetenv("KTSTR_TCG_THREAD");
	ASSERT_EQ(0, kt_qemu_argv(&s, &a));
	EXPECT_TRUE(has_arg_pair(&a, "-smp", "8,sockets=4,cores=2,threads=1"));
	EXPECT_TRUE(has_arg_pair(&a, "-m", "1024M"));
	EXPECT_TRUE(has_arg_pair(&a, "-object",
				 "memory-backend-file,id=mem1,size=512M,mem-path=/dev/shm/ktstr-1-1-ram1,share=on"));
	EXPECT_TRUE(has_arg_pair(&a, "-numa", "node,nodeid=1,memdev=mem1"));
	EXPECT_TRUE(has_arg_pair(&a, "-numa", "cpu,node-id=1,socket-id=3"));
	EXPECT_TRUE(has_arg_pair(&a, "-numa", "dist,src=1,dst=0,val=21"));
	EXPECT_TRUE(has_arg_pair(&a, "-accel", "tcg,thread=single"));
	EXPECT_TRUE(has_arg_pair(&a, "-serial", "chardev:control"));
	/* The control port is read both ways: the payload comes in on it. */
	EXPECT_TRUE(has_arg_pair(&a, "-chardev",
				 "file,id=control,path=x,input-path=xi"));
	EXPECT_TRUE(has_arg_pair(&a, "-kernel", "vmlinux"));
	kt_argv_free(&a);
	ASSERT_EQ(0, setenv("KTSTR_TCG_THREAD", "multi", 1));
	ASSERT_EQ(0, kt_qemu_argv(&s, &a));
	unsetenv("KTSTR_TCG_THREAD");
	EXPECT_TRUE(has_arg_pair(&a, "-accel", "tcg,thread=multi"));
	kt_argv_free(&a);
}

TEST(qemu_command_fills_only_the_declared_slots)
{
	struct kt_qemu_spec s = test_spec(KT_CPU_INTEL);
	struct kt_argv a = { 0 };
	struct kt_topology t;

	ASSERT_EQ(0, kt_topology_parse_text(uneven_decl, "t", &t));
	s.topo = &t;
	ASSERT_EQ(0, kt_qemu_argv(&s, &a));
	/* Three sockets of 2 cores x 2 threads; the boot CPU, then 5. */
	EXPECT_TRUE(has_arg_pair(&a, "-smp",
				 "1,maxcpus=12,sockets=3,cores=2,threads=2"));
	EXPECT_TRUE(has_arg_pair(&a, "-device",
				 "max-x86_64-cpu,socket-id=0,core-id=1,thread-id=1"));
	EXPECT_TRUE(has_arg_pair(&a, "-device",
				 "max-x86_64-cpu,socket-id=1,core-id=0,thread-id=0"));
	EXPECT_TRUE(has_arg_pair(&a, "-device",
				 "max-x86_64-cpu,socket-id=2,core-id=0,thread-id=0"));
	EXPECT_FALSE(has_arg_pair(&a, "-device",
				  "max-x86_64-cpu,socket-id=1,core-id=0,thread-id=1"));
	EXPECT_TRUE(has_arg_pair(&a, "-numa", "cpu,node-id=1,socket-id=2"));
	/* Node 1 has no memory; node 2's is the second RAM block. */
	EXPECT_TRUE(has_arg_pair(&a, "-numa", "node,nodeid=1"));
	EXPECT_TRUE(has_arg_pair(&a, "-object",
				 "memory-backend-file,id=mem2,size=256M,mem-path=/dev/shm/ktstr-1-1-ram1,share=on"));
	EXPECT_TRUE(has_arg_pair(&a, "-m", "768M"));
	kt_argv_free(&a);
}

TEST(cpu_model_amd_under_tcg)
{
	struct kt_qemu_spec s = test_spec(KT_CPU_AMD);
	enum kt_cpu_vendor v;
	struct kt_argv a = { 0 };
	struct kt_topology t;
	size_t i;
	bool found = false;

	ASSERT_EQ(0, kt_topology_parse_text(uneven_decl, "t", &t));
	s.topo = &t;
	ASSERT_EQ(0, kt_qemu_argv(&s, &a));
	for (i = 0; i + 1 < a.count; i++)
		if (!strcmp(a.items[i], "-cpu"))
			found = !strncmp(a.items[i + 1],
					 "EPYC-Rome,x-force-features=on,", 30) &&
				strstr(a.items[i + 1], "-xsaves");
	EXPECT_TRUE(found);
	EXPECT_TRUE(has_arg_pair(&a, "-device",
				 "EPYC-Rome-x86_64-cpu,socket-id=2,core-id=0,thread-id=0"));
	kt_argv_free(&a);

	EXPECT_EQ(0, kt_cpu_vendor_parse("amd", &v));
	EXPECT_EQ(KT_CPU_AMD, v);
	EXPECT_EQ(-1, kt_cpu_vendor_parse("arm", &v));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "--cpu-model 'arm': expected auto, intel or amd"));
	/* Under TCG any model can be had; auto is Intel. */
	EXPECT_EQ(0, kt_cpu_vendor_resolve(KT_CPU_AUTO, KT_ACCEL_TCG, &v));
	EXPECT_EQ(KT_CPU_INTEL, v);
	EXPECT_EQ(0, kt_cpu_vendor_resolve(KT_CPU_AMD, KT_ACCEL_TCG, &v));
	EXPECT_EQ(KT_CPU_AMD, v);
}

TEST(accel_parsing)
{
	enum kt_accel a;
	char why[160];

	EXPECT_EQ(0, kt_accel_parse("tcg", &a));
	EXPECT_EQ(KT_ACCEL_TCG, a);
	EXPECT_EQ(-1, kt_accel_parse("hvf", &a));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "--accel 'hvf'"));
	ASSERT_EQ(0, kt_accel_resolve(KT_ACCEL_AUTO, &a, why, sizeof(why)));
	EXPECT_NE(0, why[0]);
}

/*
 * What topo-dump.sh prints for tri-tier in an arm64 guest, built here:
 * clusters 0-1, 2-5 and 6-7 of capacities 1024, 768 and 512 under one
 * L3, and (@flags) the flags of each CPU's MC domain.
 */
static void arm64_dump(char *buf, size_t len, const char *flags,
		       bool domains)
{
	static const char * const cluster[] = { "0-1", "0-1", "2-5", "2-5",
						 "2-5", "2-5", "6-7", "6-7" };
	static const unsigned int cap[] = { 1024, 1024, 768, 768, 768, 768,
					    512, 512 };
	size_t n;
	int c;

	n = snprintf(buf, len, "online 0-7\npossible 0-7\n");
	for (c = 0; c < 8; c++) {
		n += snprintf(buf + n, len - n,
			      "cpu %d node 0 package 0 core %d siblings %d l2 %d l3 0-7\n"
			      "capacity %d %u\ncluster %d %s\n",
			      c, c, c, c, c, cap[c], c, cluster[c]);
		if (domains)
			n += snprintf(buf + n, len - n,
				      "domain %d 0 CLS SD_BALANCE_NEWIDLE SD_SHARE_LLC\n"
				      "domain %d 1 MC SD_BALANCE_NEWIDLE %s\n",
				      c, c, flags);
	}
	snprintf(buf + n, len - n, "node 0 cpus 0-7 memkb 480000 distance 10\n");
}

static void declare_tri_tier(struct __test_metadata *_metadata,
			     struct kt_topology *t)
{
	ASSERT_EQ(0, kt_topology_parse_text("node.0.llcs = 2c@1024|4c@768|2c@512\n"
					    "memory = 512M\n", "t", t));
}

TEST(arm64_dump_passes_with_clusters_and_capacities)
{
	struct kt_topo_report rep;
	struct kt_topology t;
	char dump[8192];
	unsigned int i;

	declare_tri_tier(_metadata, &t);
	arm64_dump(dump, sizeof(dump),
		   "SD_ASYM_CPUCAPACITY SD_ASYM_CPUCAPACITY_FULL SD_SHARE_LLC",
		   true);
	ASSERT_EQ(0, kt_topo_verify(&t, dump, KT_ARCH_ARM64, NULL, &rep));
	for (i = 0; i < rep.count; i++)
		EXPECT_TRUE(rep.checks[i].ok)
			TH_LOG("%s: %s", rep.checks[i].name,
			       rep.checks[i].detail);
	EXPECT_EQ(NULL, find(&rep, "CPU vendor"));
	EXPECT_TRUE(find(&rep, "cluster siblings")->ok);
	EXPECT_STREQ("every CPU has an SD_ASYM_CPUCAPACITY_FULL domain",
		     find(&rep, "asymmetric capacity domain")->detail);
	/* An x86_64 guest is not asked for any of it. */
	ASSERT_EQ(0, kt_topo_verify(&t, dump, KT_ARCH_X86_64, NULL, &rep));
	EXPECT_EQ(NULL, find(&rep, "CPU capacity"));
}

TEST(arm64_mismatches_are_named)
{
	struct kt_topo_report rep;
	struct kt_topology t;
	char dump[8192];

	declare_tri_tier(_metadata, &t);
	arm64_dump(dump, sizeof(dump),
		   "SD_ASYM_CPUCAPACITY SD_ASYM_CPUCAPACITY_FULL", true);
	replace(_metadata, dump, "capacity 6 512", "capacity 6 768");
	replace(_metadata, dump, "cluster 3 2-5", "cluster 3 0-7");
	ASSERT_EQ(0, kt_topo_verify(&t, dump, KT_ARCH_ARM64, NULL, &rep));
	EXPECT_FALSE(find(&rep, "CPU capacity")->ok);
	EXPECT_STREQ("cpu6: guest 768, declared 512",
		     find(&rep, "CPU capacity")->detail);
	EXPECT_FALSE(find(&rep, "cluster siblings")->ok);
	EXPECT_STREQ("cpu3: guest 0-7, declared 2-5",
		     find(&rep, "cluster siblings")->detail);

	/* No capacities in the guest at all. */
	arm64_dump(dump, sizeof(dump), "SD_ASYM_CPUCAPACITY_FULL", true);
	replace(_metadata, dump, "capacity 0 1024\n", "");
	ASSERT_EQ(0, kt_topo_verify(&t, dump, KT_ARCH_ARM64, NULL, &rep));
	EXPECT_STREQ("cpu0: no cpu_capacity in the guest, declared 1024",
		     find(&rep, "CPU capacity")->detail);

	/* Capacities differ but no domain says so. */
	arm64_dump(dump, sizeof(dump), "SD_SHARE_LLC", true);
	ASSERT_EQ(0, kt_topo_verify(&t, dump, KT_ARCH_ARM64, NULL, &rep));
	EXPECT_FALSE(find(&rep, "asymmetric capacity domain")->ok);
	EXPECT_STREQ("cpu0: no SD_ASYM_CPUCAPACITY_FULL domain, declared capacities that differ",
		     find(&rep, "asymmetric capacity domain")->detail);
	arm64_dump(dump, sizeof(dump), "", false);
	ASSERT_EQ(0, kt_topo_verify(&t, dump, KT_ARCH_ARM64, NULL, &rep));
	EXPECT_STREQ("cpu0: no scheduling domains in the guest's debugfs",
		     find(&rep, "asymmetric capacity domain")->detail);

	/* One capacity, yet a domain flagged asymmetric. */
	ASSERT_EQ(0, kt_topology_parse_text("node.0.llcs = 2c|4c|2c\n"
					    "memory = 512M\n", "t", &t));
	arm64_dump(dump, sizeof(dump), "SD_ASYM_CPUCAPACITY", true);
	replace(_metadata, dump, "capacity 2 768", "capacity 2 1024");
	replace(_metadata, dump, "capacity 3 768", "capacity 3 1024");
	replace(_metadata, dump, "capacity 4 768", "capacity 4 1024");
	replace(_metadata, dump, "capacity 5 768", "capacity 5 1024");
	replace(_metadata, dump, "capacity 6 512", "capacity 6 1024");
	replace(_metadata, dump, "capacity 7 512", "capacity 7 1024");
	ASSERT_EQ(0, kt_topo_verify(&t, dump, KT_ARCH_ARM64, NULL, &rep));
	EXPECT_TRUE(find(&rep, "CPU capacity")->ok);
	EXPECT_STREQ("cpu0: a domain flagged SD_ASYM_CPUCAPACITY, declared one capacity",
		     find(&rep, "asymmetric capacity domain")->detail);
}

TEST(arm64_bad_lines)
{
	struct kt_topo_report rep;
	struct kt_topology t;

	declare_tri_tier(_metadata, &t);
	EXPECT_EQ(-1, kt_topo_verify(&t, "online 0-7\ncapacity x 5\n",
				     KT_ARCH_ARM64, NULL, &rep));
	EXPECT_STREQ("topology dump: bad line 'capacity x 5'", kt_errmsg());
	EXPECT_EQ(-1, kt_topo_verify(&t, "online 0-7\ncluster 999 0\n",
				     KT_ARCH_ARM64, NULL, &rep));
	EXPECT_EQ(-1, kt_topo_verify(&t, "online 0-7\ndomain 0 MC\n",
				     KT_ARCH_ARM64, NULL, &rep));
	EXPECT_STREQ("topology dump: bad line 'domain 0 MC'", kt_errmsg());
}

TEST_HARNESS_MAIN
