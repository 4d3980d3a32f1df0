// SPDX-License-Identifier: GPL-2.0
/*
 * The runner's plan: declarations read from a real ELF test program
 * (compiled here), expanded into one VM per test and variant, with
 * filters, opt-in tests, --topology and --scheduler overrides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "decls.h"
#include "error.h"
#include "plan.h"

static const char program[] =
	"#include \"ktstr_decl.h\"\n"
	"KTSTR_SCHEDULER(good, .binary = \"good\", .ops_name = \"good\");\n"
	"KTSTR_SCHEDULER(broken, .binary = \"broken\",\n"
	"		.flags = KTSTR_SCHED_EXPECT_EXIT);\n"
	"KTSTR_VARIANT(fair, eevdf, \"eevdf\");\n"
	"KTSTR_VARIANT(fair, good, \"good\");\n"
	"KTSTR_VARIANT(neg, broken, \"broken\");\n"
	"KTSTR_TEST(fair, spin, .topology = \"1n2l2c1t\", .timeout_s = 60);\n"
	"KTSTR_TEST(fair, numa, .min_cpus = 6, .min_nodes = 2,\n"
	"	   .smt = KTSTR_SMT_REQUIRED);\n"
	"KTSTR_TEST(neg, caught, .topology = \"tiny\");\n"
	"KTSTR_TEST(global, plain, .min_llcs = 3);\n"
	"KTSTR_TEST(global, broken_on_purpose, .flags = KTSTR_OPT_IN);\n"
	"int main(void) { return 0; }\n";

FIXTURE(plan) {
	char dir[64];
	char prog[128];
};

FIXTURE_SETUP(plan)
{
	char src[160], cmd[512];
	FILE *f;

	snprintf(self->dir, sizeof(self->dir), "/tmp/ktstr-plan-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(src, sizeof(src), "%s/t.c", self->dir);
	snprintf(self->prog, sizeof(self->prog), "%s/t", self->dir);
	f = fopen(src, "w");
	ASSERT_NE(NULL, f);
	fputs(program, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gcc -Ikselftest -o %s %s", self->prog,
		 src);
	ASSERT_EQ(0, system(cmd));
}

FIXTURE_TEARDOWN(plan)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	system(cmd);
}

static const struct kt_run_item *find(const struct kt_plan *p,
				      const char *name)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		if (!strcmp(p->items[i].name, name))
			return &p->items[i];
	return NULL;
}

TEST_F(plan, declarations_are_read)
{
	struct kt_decls d;

	ASSERT_EQ(0, kt_decls_read(self->prog, &d)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(5, d.nr_tests);
	EXPECT_EQ(3, d.nr_variants);
	EXPECT_EQ(2, d.nr_scheds);
	ASSERT_NE(NULL, kt_decls_sched(&d, "broken"));
	EXPECT_EQ(KTSTR_SCHED_EXPECT_EXIT, kt_decls_sched(&d, "broken")->flags);
	kt_decls_free(&d);
}

TEST_F(plan, one_vm_per_test_and_variant)
{
	struct kt_plan_opts o = { 0 };
	const struct kt_run_item *it;
	struct kt_plan p;
	char *const progs[] = { self->prog };

	ASSERT_EQ(0, kt_plan_build(progs, 1, &o, &p)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(6, p.count);
	it = find(&p, "fair.good.spin");
	ASSERT_NE(NULL, it);
	EXPECT_STREQ("fair.good.spin", it->selector);
	EXPECT_STREQ("1n2l2c1t", it->topology);
	EXPECT_STREQ("good", it->scheduler);
	EXPECT_EQ(60, it->test_timeout_s);
	EXPECT_EQ(60 + KT_BOOT_MARGIN_S, it->vm_timeout_s);
	it = find(&p, "fair.eevdf.numa");
	ASSERT_NE(NULL, it);
	/* 6 CPUs over 2 nodes with SMT: 2 LLCs of 2 cores of 2 threads. */
	EXPECT_STREQ("2n2l2c2t", it->topology);
	EXPECT_EQ(KT_DEFAULT_TEST_TIMEOUT_S, it->test_timeout_s);
	it = find(&p, "global.plain");
	ASSERT_NE(NULL, it);
	EXPECT_STREQ("1n3l1c1t", it->topology);
	EXPECT_STREQ("eevdf", it->scheduler);
	EXPECT_NE(NULL, find(&p, "neg.broken.caught"));
	EXPECT_EQ(NULL, find(&p, "global.broken_on_purpose"));
	kt_plan_free(&p);
}

TEST_F(plan, filters_opt_in_and_topology_override)
{
	static char *filters[] = { "spin", "global.*" };
	struct kt_plan_opts o = {
		.filters = filters, .nr_filters = 2, .opt_in = true,
		.topology = "2n4l2c1t",
	};
	struct kt_plan p;
	char *const progs[] = { self->prog };
	size_t i;

	ASSERT_EQ(0, kt_plan_build(progs, 1, &o, &p));
	EXPECT_EQ(4, p.count);
	EXPECT_NE(NULL, find(&p, "global.broken_on_purpose"));
	for (i = 0; i < p.count; i++)
		EXPECT_STREQ("2n4l2c1t", p.items[i].topology);
	kt_plan_free(&p);
}

TEST_F(plan, scheduler_override_takes_one_ordinary_variant)
{
	struct kt_plan_opts o = { .scheduler = "/opt/scx/scx_rusty" };
	const struct kt_run_item *it;
	struct kt_plan p;
	char *const progs[] = { self->prog };

	ASSERT_EQ(0, kt_plan_build(progs, 1, &o, &p));
	/* fair.spin and fair.numa; neg (broken) and global (EEVDF) not. */
	EXPECT_EQ(2, p.count);
	it = find(&p, "fair.scx_rusty.spin");
	ASSERT_NE(NULL, it);
	EXPECT_STREQ("fair.good.spin", it->selector);
	EXPECT_STREQ("scx_rusty", it->scheduler);
	kt_plan_free(&p);
}

TEST(not_an_elf_file_is_named)
{
	struct kt_decls d;
	char *const progs[] = { "/etc/hostname" };
	struct kt_plan_opts o = { 0 };
	struct kt_plan p;

	EXPECT_EQ(-1, kt_decls_read("/etc/hostname", &d));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "/etc/hostname: not an ELF file"));
	EXPECT_EQ(-1, kt_plan_build(progs, 1, &o, &p));
	EXPECT_EQ(-1, kt_decls_read("/nonexistent/prog", &d));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "/nonexistent/prog"));
}

TEST(program_without_declarations_plans_nothing)
{
	struct kt_plan_opts o = { 0 };
	struct kt_plan p;
	char *const progs[] = { "/bin/true" };

	ASSERT_EQ(0, kt_plan_build(progs, 1, &o, &p));
	EXPECT_EQ(0, p.count);
	kt_plan_free(&p);
}

TEST_HARNESS_MAIN
