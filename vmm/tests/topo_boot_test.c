// SPDX-License-Identifier: GPL-2.0
/*
 * Integration: boot each topology the project promises and have
 * `ktstr topo verify` compare the guest kernel's view with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "kselftest_harness.h"

#define VERIFY_TIMEOUT_S 300

FIXTURE(topo) {
};

FIXTURE_VARIANT(topo) {
	const char *spec;
	const char *cpu_model;		/* NULL: the default (Intel) */
};

FIXTURE_SETUP(topo)
{
}

FIXTURE_TEARDOWN(topo)
{
}

FIXTURE_VARIANT_ADD(topo, t1n1l2c1t) {
	.spec = "1n1l2c1t",
};

FIXTURE_VARIANT_ADD(topo, t1n2l2c1t) {
	.spec = "1n2l2c1t",
};

FIXTURE_VARIANT_ADD(topo, t1n3l3c1t) {
	.spec = "1n3l3c1t",
};

FIXTURE_VARIANT_ADD(topo, t1n2l2c2t) {
	.spec = "1n2l2c2t",
};

FIXTURE_VARIANT_ADD(topo, t2n4l2c1t) {
	.spec = "2n4l2c1t",
};

FIXTURE_VARIANT_ADD(topo, t2n4l2c2t) {
	.spec = "2n4l2c2t",
};

FIXTURE_VARIANT_ADD(topo, t4n8l2c1t) {
	.spec = "4n8l2c1t",
};

FIXTURE_VARIANT_ADD(topo, t1n4l4c2t) {
	.spec = "1n4l4c2t",
};

FIXTURE_VARIANT_ADD(topo, preset_numa4) {
	.spec = "numa4",
};

/* Declared node by node: uneven LLCs and nodes, partial nodes, SMT mix. */
FIXTURE_VARIANT_ADD(topo, preset_llc_uneven) {
	.spec = "llc-uneven",
};

FIXTURE_VARIANT_ADD(topo, preset_numa2_unbalanced) {
	.spec = "numa2-unbalanced",
};

FIXTURE_VARIANT_ADD(topo, preset_numa_memonly) {
	.spec = "numa-memonly",
};

FIXTURE_VARIANT_ADD(topo, preset_numa_memless) {
	.spec = "numa-memless",
};

FIXTURE_VARIANT_ADD(topo, preset_smt_mix) {
	.spec = "smt-mix",
};

/* The AMD model on a subset: odd LLCs, SMT and NUMA, uneven, SMT mix. */
FIXTURE_VARIANT_ADD(topo, amd_odd_llc) {
	.spec = "odd-llc", .cpu_model = "amd",
};

FIXTURE_VARIANT_ADD(topo, amd_numa2_smt) {
	.spec = "numa2-smt", .cpu_model = "amd",
};

FIXTURE_VARIANT_ADD(topo, amd_numa2_unbalanced) {
	.spec = "numa2-unbalanced", .cpu_model = "amd",
};

FIXTURE_VARIANT_ADD(topo, amd_smt_mix) {
	.spec = "smt-mix", .cpu_model = "amd",
};


TEST_F_TIMEOUT(topo, verify, VERIFY_TIMEOUT_S)
{
	char cmd[256], out[16384];
	size_t n;
	FILE *p;
	int status;

	snprintf(cmd, sizeof(cmd), "./ktstr topo verify %s%s %s 2>&1",
		 variant->cpu_model ? "--cpu-model " : "",
		 variant->cpu_model ?: "", variant->spec);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	status = pclose(p);
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "not ok")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "properties match")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, variant->cpu_model ? "guest AuthenticAMD" :
					  "guest GenuineIntel"))
		TH_LOG("%s", out);
}

TEST_HARNESS_MAIN
