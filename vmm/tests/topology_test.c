// SPDX-License-Identifier: GPL-2.0
/* Topology declarations: the short form, preset files, every rejection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "compiler.h"
#include "error.h"
#include "topology.h"

static int parse_text(const char *text, struct kt_topology *t)
{
	return kt_topology_parse_text(text, "test.topo", t);
}

#define EXPECT_ERROR(call, needle)					\
	do {								\
		EXPECT_EQ(-1, (call));					\
		EXPECT_NE(NULL, strstr(kt_errmsg(), (needle)))		\
			TH_LOG("error was: %s", kt_errmsg());		\
	} while (0)

TEST(short_form)
{
	struct kt_topology t;
	char buf[64];

	ASSERT_EQ(0, kt_topology_parse("2n4l2c2t", &t));
	EXPECT_EQ(2, t.nodes);
	EXPECT_EQ(4, t.llcs);
	EXPECT_EQ(2, t.cores);
	EXPECT_EQ(2, t.threads);
	EXPECT_EQ(16, kt_topology_cpus(&t));
	EXPECT_EQ(2, kt_topology_llcs_per_node(&t));
	EXPECT_EQ(512, t.memory_mib);
	EXPECT_EQ(0, kt_topology_short(&t, buf, sizeof(buf)));
	EXPECT_STREQ("2n4l2c2t", buf);
	EXPECT_EQ(20, kt_topology_distance(&t, 0, 1));
	EXPECT_EQ(10, kt_topology_distance(&t, 1, 1));
}

TEST(short_form_default_memory_scales_with_nodes)
{
	struct kt_topology t;

	ASSERT_EQ(0, kt_topology_parse("4n8l2c1t", &t));
	EXPECT_EQ(1024, t.memory_mib);
}

TEST(short_form_rejections)
{
	struct kt_topology t;

	EXPECT_ERROR(kt_topology_parse("0n1l1c1t", &t),
		     "must all be at least 1");
	EXPECT_ERROR(kt_topology_parse("1n1l0c1t", &t),
		     "must all be at least 1");
	EXPECT_ERROR(kt_topology_parse("2n3l2c1t", &t),
		     "3 LLCs do not divide evenly over 2 NUMA nodes (a preset file can declare uneven nodes");
	EXPECT_ERROR(kt_topology_parse("1n64l4c2t", &t),
		     "more than the VMM supports");
	EXPECT_ERROR(kt_topology_parse("2n4l2c", &t), "expected the form");
	EXPECT_ERROR(kt_topology_parse("no-such-preset", &t),
		     "no-such-preset");
}

TEST(apic_ids_have_power_of_two_fields)
{
	struct kt_topology t;

	/* 3 cores take 2 bits: socket 84 starts at APIC ID 336. */
	ASSERT_EQ(0, kt_topology_parse("1n3l3c1t", &t));
	EXPECT_EQ(2 << 2 | 2, kt_topology_max_apic_id(&t));
	EXPECT_ERROR(kt_topology_parse("1n85l3c1t", &t),
		     "highest APIC ID 338");
}

TEST(place_numbers_threads_fastest)
{
	struct kt_topology t;
	struct kt_cpu_place p;

	ASSERT_EQ(0, kt_topology_parse("2n4l2c2t", &t));
	kt_topology_place(&t, 0, &p);
	EXPECT_EQ(0, p.node);
	EXPECT_EQ(0, p.llc);
	EXPECT_EQ(0, p.core);
	EXPECT_EQ(0, p.thread);
	kt_topology_place(&t, 13, &p);
	EXPECT_EQ(1, p.node);
	EXPECT_EQ(3, p.llc);
	EXPECT_EQ(6, p.core);
	EXPECT_EQ(1, p.thread);
}

static const char uneven_text[] =
	"node.0.llcs = 3c 3c 2c\n"
	"node.1.llcs = 2c2t\n"
	"node.1.memory = 384M\n"
	"node.2.memory = 256M\n";

TEST(node_by_node_shape)
{
	struct kt_topology t;
	struct kt_cpu_place p;
	unsigned int core, thread;
	char buf[64];

	ASSERT_EQ(0, parse_text(uneven_text, &t)) TH_LOG("%s", kt_errmsg());
	EXPECT_TRUE(t.uneven);
	EXPECT_EQ(3, t.nodes);
	EXPECT_EQ(4, t.llcs);
	EXPECT_EQ(3, t.cores);		/* the grid: the largest LLC */
	EXPECT_EQ(2, t.threads);
	EXPECT_EQ(12, kt_topology_cpus(&t));
	EXPECT_EQ(8, kt_topology_node_cpus(&t, 0));
	EXPECT_EQ(4, kt_topology_node_cpus(&t, 1));
	EXPECT_EQ(0, kt_topology_node_cpus(&t, 2));
	/* Node 0 has no memory line: 256M, as every such node. */
	EXPECT_EQ(256, kt_topology_node_memory(&t, 0));
	EXPECT_EQ(384, kt_topology_node_memory(&t, 1));
	EXPECT_EQ(896, t.memory_mib);
	EXPECT_EQ(3, kt_topology_memory_nodes(&t));
	EXPECT_TRUE(kt_topology_has_holes(&t));
	EXPECT_EQ(0, kt_topology_short(&t, buf, sizeof(buf)));
	EXPECT_STREQ("3c+3c+2c/2c2t/mem", buf);

	kt_topology_place(&t, 7, &p);
	EXPECT_EQ(0, p.node);
	EXPECT_EQ(2, p.llc);
	EXPECT_EQ(7, p.core);
	kt_topology_slot(&t, &p, &core, &thread);
	EXPECT_EQ(1, core);
	EXPECT_EQ(0, thread);
	kt_topology_place(&t, 11, &p);
	EXPECT_EQ(1, p.node);
	EXPECT_EQ(3, p.llc);
	EXPECT_EQ(9, p.core);
	EXPECT_EQ(1, p.thread);
	kt_topology_slot(&t, &p, &core, &thread);
	EXPECT_EQ(1, core);
	EXPECT_EQ(1, thread);
}

TEST(node_by_node_lines_in_any_order)
{
	struct kt_topology t;

	ASSERT_EQ(0, parse_text("node.1.llcs = 2c\nnode.0.llcs = 2c, 2c\n"
				"memory = 1G\n", &t));
	EXPECT_EQ(0, t.llc[0].node);
	EXPECT_EQ(0, t.llc[1].node);
	EXPECT_EQ(1, t.llc[2].node);
	EXPECT_EQ(6, kt_topology_cpus(&t));
	/* Unbalanced nodes, equal LLCs: no empty slot. */
	EXPECT_FALSE(kt_topology_has_holes(&t));
	EXPECT_FALSE(t.memory_per_node);
	EXPECT_EQ(512, kt_topology_node_memory(&t, 1));
}

TEST(node_by_node_memory)
{
	struct kt_topology t;

	/* A node without memory, the rest of `memory =` to the others. */
	ASSERT_EQ(0, parse_text("node.0.llcs = 2c\nnode.0.memory = 0\n"
				"node.1.llcs = 2c\nnode.2.llcs = 1c\n"
				"memory = 1G\n", &t)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(0, kt_topology_node_memory(&t, 0));
	EXPECT_EQ(512, kt_topology_node_memory(&t, 1));
	EXPECT_EQ(512, kt_topology_node_memory(&t, 2));
	EXPECT_EQ(2, kt_topology_memory_nodes(&t));
	/* A test's or --memory's total scales every node alike. */
	ASSERT_EQ(0, kt_topology_set_memory(&t, 2048, "--memory"));
	EXPECT_EQ(0, kt_topology_node_memory(&t, 0));
	EXPECT_EQ(1024, kt_topology_node_memory(&t, 1));
	EXPECT_EQ(2048, t.memory_mib);
	EXPECT_ERROR(kt_topology_set_memory(&t, 200, "--memory"),
		     "--memory: memory 200M is too little");
	ASSERT_EQ(0, parse_text(uneven_text, &t));
	EXPECT_ERROR(kt_topology_set_memory(&t, 300, "--memory"),
		     "at least 128M per node");
	/* Per node and all 0: nothing to scale (it divided by 0). */
	EXPECT_ERROR(parse_text("node.0.llcs = 2c 2c\nnode.0.memory = 0\n",
				&t), "no node has memory");
}

/* Fewer LLCs than nodes: llcs / nodes is 0 (it divided by it). */
TEST(node_of_memory_only_beside_one_llc)
{
	struct kt_cpu_place p;
	struct kt_topology t;

	ASSERT_EQ(0, parse_text("node.0.llcs = 2c\nnode.0.memory = 512M\n"
				"node.1.memory = 512M\n", &t))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(2, t.nodes);
	EXPECT_EQ(1, t.llcs);
	EXPECT_EQ(0, kt_topology_llc(&t, 0).node);
	EXPECT_EQ(2, kt_topology_node_cpus(&t, 0));
	EXPECT_EQ(0, kt_topology_node_cpus(&t, 1));
	kt_topology_place(&t, 1, &p);
	EXPECT_EQ(0, p.node);
}

TEST(node_by_node_errors_name_file_line_and_reason)
{
	struct kt_topology t;

	EXPECT_ERROR(parse_text("node.0.llcs = 2c\nnode.2.llcs = 2c\n", &t),
		     "test.topo: node 1 is not declared");
	EXPECT_ERROR(parse_text("node.0.llcs = 2c\nnode.1.memory = 0\n", &t),
		     "test.topo:2: node 1 has neither CPUs nor memory");
	EXPECT_ERROR(parse_text("node.0.llcs = 2x\n", &t),
		     "test.topo:1: node.0.llcs: '2x' is not a list of LLCs");
	EXPECT_ERROR(parse_text("node.0.llcs = 0c\n", &t),
		     "test.topo:1: node.0.llcs: '0c'");
	EXPECT_ERROR(parse_text("node.0.llcs = 2c0t\n", &t),
		     "test.topo:1: node.0.llcs: '2c0t'");
	EXPECT_ERROR(parse_text("node.0.llcs = 2c\nnode.0.llcs = 4c\n", &t),
		     "test.topo:2: node.0.llcs given twice (first on line 1)");
	EXPECT_ERROR(parse_text("node.0.cpus = 2\n", &t),
		     "test.topo:1: 'node.0.cpus': unknown");
	EXPECT_ERROR(parse_text("node.x.llcs = 2c\n", &t),
		     "test.topo:1: 'node.x.llcs': expected node.<number>");
	EXPECT_ERROR(parse_text("node.16.llcs = 2c\n", &t),
		     "test.topo:1: node 16: at most 16 NUMA nodes");
	EXPECT_ERROR(parse_text("topology = 1n1l2c1t\nnode.0.llcs = 2c\n", &t),
		     "test.topo:2: 'node.0.llcs' cannot be mixed with the shape of line 1");
	EXPECT_ERROR(parse_text("node.0.llcs = 2c\ncores = 2\n", &t),
		     "test.topo:2: 'cores' cannot be mixed with the node by node shape of line 1");
	EXPECT_ERROR(parse_text("node.0.llcs = 2c\nnode.0.memory = lots\n", &t),
		     "test.topo:2: node.0.memory: 'lots' is not a size");
	EXPECT_ERROR(parse_text("node.0.llcs = 2c\nnode.0.memory = 64M\n"
				"node.1.memory = 512M\n", &t),
		     "node 0 has 64M, at least 128M per node");
	EXPECT_ERROR(parse_text("node.0.memory = 512M\n", &t),
		     "no node has LLCs");
	EXPECT_ERROR(parse_text("node.0.llcs = 2c\nnode.0.memory = 512M\n"
				"memory = 256M\n", &t),
		     "memory = 256M does not match the nodes' own memory (512M");
	EXPECT_ERROR(parse_text("node.0.llcs = 2c\nnode.1.llcs = 2c\n"
				"distance = 10 20\n", &t),
		     "distance matrix is 1x2, expected 2x2");
	EXPECT_EQ(0, parse_text("node.0.llcs = 2c\nnode.0.memory = 512M\n"
				"node.1.memory = 0\nnode.1.llcs = 1c\n", &t));
}

TEST(uneven_apic_ids_follow_the_grid)
{
	struct kt_topology t;

	/* 65 LLCs of up to 4 cores: socket 64 starts at APIC ID 256. */
	EXPECT_ERROR(parse_text("node.0.llcs = 4c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c 1c\n",
				&t),
		     "more than the VMM supports");
}

TEST(preset_file_keys)
{
	struct kt_topology t;

	ASSERT_EQ(0, parse_text("# comment\n"
				"description = two nodes\n"
				"nodes = 2\nllcs = 4\ncores = 3\nthreads = 2\n"
				"memory = 2G\n"
				"distance = 10 21\ndistance = 21 10\n", &t));
	EXPECT_EQ(2, t.nodes);
	EXPECT_EQ(3, t.cores);
	EXPECT_EQ(2048, t.memory_mib);
	EXPECT_STREQ("two nodes", t.description);
	EXPECT_EQ(21, kt_topology_distance(&t, 0, 1));
	EXPECT_FALSE(t.matrix);
	ASSERT_EQ(0, parse_text("topology = 1n3l3c1t\nmatrix = yes\n", &t));
	EXPECT_TRUE(t.matrix);
	ASSERT_EQ(0, parse_text("topology = 1n3l3c1t\nmatrix = no\n", &t));
	EXPECT_FALSE(t.matrix);
}

TEST(preset_file_errors_name_file_line_and_reason)
{
	struct kt_topology t;

	EXPECT_ERROR(parse_text("topology = 1n1l2c1t\ncolour = blue\n", &t),
		     "test.topo:2: unknown key 'colour'");
	EXPECT_ERROR(parse_text("topology = 1n1l2c1t\njunk\n", &t),
		     "test.topo:2: expected 'key = value'");
	EXPECT_ERROR(parse_text("nodes = two\n", &t),
		     "test.topo:1: nodes: 'two' is not a whole number");
	EXPECT_ERROR(parse_text("topology = 1n1l2c1t\nmemory = lots\n", &t),
		     "test.topo:2: memory: 'lots' is not a size");
	EXPECT_ERROR(parse_text("topology = 1n1l2c1t\nmemory = 64M\n", &t),
		     "memory 64M is too little");
	EXPECT_ERROR(parse_text("topology = 4n4l1c1t\nmemory = 256M\n", &t),
		     "64M per node");
	EXPECT_ERROR(parse_text("topology = 2n2l1c1t\nmemory = 513M\n", &t),
		     "does not split evenly over 2 nodes");
	EXPECT_ERROR(parse_text("nodes = 1\n", &t),
		     "needs nodes, llcs, cores and threads");
	EXPECT_ERROR(parse_text("topology = 3n3l0c1t\n", &t),
		     "test.topo:1:");
	EXPECT_ERROR(parse_text("topology = 1n1l2c1t\nmemory =\n", &t),
		     "test.topo:2: memory: missing value");
	EXPECT_ERROR(parse_text("topology = 1n1l2c1t\nmatrix = 1\n", &t),
		     "test.topo:2: matrix: '1' is neither yes nor no");
}

TEST(distance_errors)
{
	struct kt_topology t;

	EXPECT_ERROR(parse_text("topology = 2n2l1c1t\n"
				"distance = 10 21\ndistance = 20 10\n", &t),
		     "not symmetric");
	EXPECT_ERROR(parse_text("topology = 2n2l1c1t\n"
				"distance = 10 300\ndistance = 300 10\n", &t),
		     "out of range");
	EXPECT_ERROR(parse_text("topology = 2n2l1c1t\n"
				"distance = 12 21\ndistance = 21 10\n", &t),
		     "to itself must be 10");
	EXPECT_ERROR(parse_text("topology = 2n2l1c1t\n"
				"distance = 10 10\ndistance = 10 10\n", &t),
		     "out of range");
	EXPECT_ERROR(parse_text("topology = 2n2l1c1t\ndistance = 10 21\n",
				&t),
		     "distance matrix is 1x2, expected 2x2");
	EXPECT_ERROR(parse_text("topology = 2n2l1c1t\n"
				"distance = 10 21\ndistance = 21\n", &t),
		     "test.topo:3: distance row 1 has 1 entries");
	EXPECT_ERROR(parse_text("topology = 2n2l1c1t\ndistance = 10 x\n", &t),
		     "is not a list of numbers");
}

TEST(preset_files_in_tree_all_parse)
{
	static const char * const presets[] = {
		"tiny", "smt", "odd-llc", "numa2", "numa2-smt", "numa4",
		"numa2-llc1-smt", "big-little", "tri-tier",
	};
	struct kt_topology t;
	size_t i;

	ASSERT_EQ(0, setenv("KTSTR_TOPOLOGY_DIR", "topologies", 1));
	for (i = 0; i < ARRAY_SIZE(presets); i++) {
		EXPECT_EQ(0, kt_topology_parse(presets[i], &t))
			TH_LOG("%s: %s", presets[i], kt_errmsg());
		EXPECT_STREQ(presets[i], t.name);
		EXPECT_NE(0, t.description[0]);
	}
	ASSERT_EQ(0, kt_topology_parse("numa4", &t));
	EXPECT_EQ(22, kt_topology_distance(&t, 0, 2));
	EXPECT_EQ(1024, t.memory_mib);
}

TEST(preset_file_by_path_and_missing_file)
{
	char path[] = "/tmp/ktstr-topo-XXXXXX";
	struct kt_topology t;
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	ASSERT_EQ(29, write(fd, "topology = 1n2l2c1t\nbogus = 1", 29));
	close(fd);
	EXPECT_ERROR(kt_topology_parse(path, &t), ":2: unknown key 'bogus'");
	EXPECT_NE(NULL, strstr(kt_errmsg(), path));
	unlink(path);
	EXPECT_ERROR(kt_topology_parse("/nonexistent/x.topo", &t),
		     "topology file /nonexistent/x.topo");
}

/* arm64: clusters of one LLC, each of its own capacity. */
TEST(clusters_and_capacities)
{
	struct kt_topology t;
	struct kt_cpu_place p;
	char shape[64];

	ASSERT_EQ(0, parse_text("node.0.llcs = 2c@1024|4c@768|2c@512\n", &t));
	EXPECT_EQ(1, t.llcs);
	EXPECT_EQ(8, kt_topology_cpus(&t));
	EXPECT_EQ(3, kt_topology_clusters(&t));
	EXPECT_TRUE(kt_topology_has_capacities(&t));
	kt_topology_place(&t, 1, &p);
	EXPECT_EQ(0, p.cluster);
	EXPECT_EQ(1024, p.capacity);
	kt_topology_place(&t, 2, &p);
	EXPECT_EQ(1, p.cluster);
	EXPECT_EQ(768, p.capacity);
	EXPECT_EQ(2, p.core);
	kt_topology_place(&t, 7, &p);
	EXPECT_EQ(2, p.cluster);
	EXPECT_EQ(512, p.capacity);
	EXPECT_EQ(0, p.llc);
	ASSERT_EQ(0, kt_topology_short(&t, shape, sizeof(shape)));
	EXPECT_STREQ("2c@1024|4c@768|2c@512", shape);
	EXPECT_STREQ("node.0.llcs", t.arm64_key);
	EXPECT_EQ(1, t.arm64_line);

	/* A cluster per LLC, SMT, in two nodes; clusters count on. */
	ASSERT_EQ(0, parse_text("node.0.llcs = 2c2t@1024\nnode.1.llcs = 2c2t@512|1c2t\n",
				&t));
	EXPECT_EQ(3, kt_topology_clusters(&t));
	kt_topology_place(&t, 5, &p);
	EXPECT_EQ(1, p.node);
	EXPECT_EQ(1, p.cluster);
	EXPECT_EQ(512, p.capacity);
	EXPECT_EQ(1, p.thread);
	kt_topology_place(&t, 9, &p);
	EXPECT_EQ(2, p.cluster);
	EXPECT_EQ(1024, p.capacity);
	ASSERT_EQ(0, kt_topology_short(&t, shape, sizeof(shape)));
	EXPECT_STREQ("2c2t@1024/2c2t@512|1c2t", shape);
	EXPECT_STREQ("node.0.llcs", t.arm64_key);

	/* Clusters alone, all of one capacity. */
	ASSERT_EQ(0, parse_text("node.0.llcs = 2c|2c 4c\n", &t));
	EXPECT_EQ(3, kt_topology_clusters(&t));
	EXPECT_FALSE(kt_topology_has_capacities(&t));
	kt_topology_place(&t, 5, &p);
	EXPECT_EQ(2, p.cluster);
	EXPECT_EQ(1024, p.capacity);

	/* Without either, an LLC is a cluster and nothing is arm64's. */
	ASSERT_EQ(0, parse_text("node.0.llcs = 3c 2c\n", &t));
	EXPECT_EQ(2, kt_topology_clusters(&t));
	EXPECT_EQ(0, t.arm64_line);
	kt_topology_place(&t, 4, &p);
	EXPECT_EQ(1, p.cluster);
	EXPECT_EQ(1024, p.capacity);
	ASSERT_EQ(0, kt_topology_parse_short("2n4l2c1t", &t));
	EXPECT_EQ(4, kt_topology_clusters(&t));
	kt_topology_place(&t, 7, &p);
	EXPECT_EQ(3, p.cluster);
	EXPECT_EQ(1024, p.capacity);
}

TEST(capacity_errors)
{
	static const char * const bad[] = {
		"4c@0", "4c@1025", "4c@", "4c@x", "4c@512x", "2c2t|2c",
		"2c|", "|2c", "1c|1c|1c|1c|1c|1c|1c|1c|1c",
	};
	struct kt_topology t;
	char text[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), "node.0.llcs = %s\n", bad[i]);
		EXPECT_ERROR(parse_text(text, &t), "test.topo:1: node.0.llcs: '");
	}
	EXPECT_ERROR(parse_text("node.0.llcs = 2c2t|2c\n", &t),
		     "with the same threads per core");
	/* The kernel would make 512 the 1024 of the guest. */
	EXPECT_ERROR(parse_text("node.0.llcs = 4c@512 4c@256\n", &t),
		     "test.topo: the largest CPU capacity is 512: the kernel scales the largest to 1024");
}

/* An x86 guest cannot be told clusters or capacities: named, exit 2. */
TEST(capacities_are_arm64s)
{
	struct kt_topology t;

	ASSERT_EQ(0, setenv("KTSTR_TOPOLOGY_DIR", "topologies", 1));
	ASSERT_EQ(0, kt_topology_parse("big-little", &t));
	EXPECT_EQ(0, kt_topology_check_arch(&t, KT_ARCH_ARM64));
	EXPECT_ERROR(kt_topology_check_arch(&t, KT_ARCH_X86_64),
		     "topology big-little: node.0.llcs (line ");
	EXPECT_NE(NULL, strstr(kt_errmsg(), "use --arch arm64"));
	EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());
	ASSERT_EQ(0, kt_topology_parse("tri-tier", &t));
	EXPECT_ERROR(kt_topology_check_arch(&t, KT_ARCH_X86_64),
		     "topology tri-tier: node.0.llcs (line ");
	ASSERT_EQ(0, kt_topology_parse("llc-uneven", &t));
	EXPECT_EQ(0, kt_topology_check_arch(&t, KT_ARCH_X86_64));
	EXPECT_EQ(0, kt_topology_check_arch(&t, KT_ARCH_ARM64));
}

TEST_HARNESS_MAIN
