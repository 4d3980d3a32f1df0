// SPDX-License-Identifier: GPL-2.0
/*
 * The runner's plan: declarations read from a real ELF test program
 * (compiled here), expanded into one VM per test and variant, with
 * filters, opt-in tests, --topology and --scheduler overrides, and what
 * a declaration of --scheduler's binary says about it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "scratch.h"

#include "compiler.h"

#include "../ktstr_sched_env.h"
#include "decls.h"
#include "error.h"
#include "plan.h"

static const char program[] =
	"#include \"ktstr_decl.h\"\n"
	"KTSTR_SCHEDULER(good, .binary = \"good\", .ops_name = \"good_ops\",\n"
	"		.flags = KTSTR_SCHED_IGNORES_NICE);\n"
	"KTSTR_SCHEDULER(good_slow, .binary = \"good\", .ops_name = \"other\");\n"
	"KTSTR_SCHEDULER(pathy, .binary = \"/usr/lib/scx/scx_pathy\",\n"
	"		.ops_name = \"pathy\",\n"
	"		.flags = KTSTR_SCHED_EXPECT_EXIT |\n"
	"			 KTSTR_SCHED_IGNORES_CGROUP_WEIGHT);\n"
	"KTSTR_SCHED_PROFILE(good, fifo, \"-f\", .flags = KTSTR_SCHED_IGNORES_NICE);\n"
	"KTSTR_SCHED_PROFILE(good, fast, \"-s 1\");\n"
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

	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "plan"));
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
	SCRATCH_REMOVE(self->dir);
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
	size_t i;

	ASSERT_EQ(0, kt_decls_read(self->prog, &d)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(5, d.nr_tests);
	EXPECT_EQ(3, d.nr_variants);
	EXPECT_EQ(4, d.nr_scheds);
	ASSERT_NE(NULL, kt_decls_sched(&d, "broken"));
	EXPECT_EQ(KTSTR_SCHED_EXPECT_EXIT, kt_decls_sched(&d, "broken")->flags);
	/* Version 3: a profile's own claims. */
	ASSERT_EQ(2, d.nr_profiles);
	for (i = 0; i < d.nr_profiles; i++)
		EXPECT_EQ(strcmp(d.profiles[i].name, "fifo") ? 0 :
			  KTSTR_SCHED_IGNORES_NICE, d.profiles[i].flags)
			TH_LOG("profile %s", d.profiles[i].name);
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
	EXPECT_EQ(KT_BOOT_MARGIN_S, kt_boot_margin_s(16));
	EXPECT_EQ(KT_BOOT_MARGIN_S + 1120, kt_boot_margin_s(128));
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

/*
 * --skip leaves out what it matches, by substring or glob; one naming
 * entries (<test>/<preset>) keeps the test in the plan and drops only
 * those entries of a matrix.
 */
TEST_F(plan, skips_leave_out_tests_and_entries)
{
	static char *skips[] = { "fair.good", "global.*", "*/odd-llc" };
	struct kt_plan_opts o = { .skips = skips, .nr_skips = 3 };
	struct kt_plan p;
	char *const progs[] = { self->prog };

	ASSERT_EQ(0, kt_plan_build(progs, 1, &o, &p));
	EXPECT_EQ(NULL, find(&p, "fair.good.spin"));
	EXPECT_EQ(NULL, find(&p, "global.plain"));
	EXPECT_NE(NULL, find(&p, "fair.eevdf.numa"));
	EXPECT_NE(NULL, find(&p, "neg.broken.caught"));
	EXPECT_FALSE(kt_plan_wanted(&o, "fair.eevdf.numa/odd-llc"));
	EXPECT_TRUE(kt_plan_wanted(&o, "fair.eevdf.numa/smt"));
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
	/* The harness variant the guest adds for the binary, by its name. */
	EXPECT_STREQ("fair.scx_rusty.spin", it->selector);
	EXPECT_STREQ("scx_rusty", it->scheduler);
	EXPECT_STREQ("scx_rusty", it->sched_binary);
	/* Declared nowhere: any ops name, every claim. */
	EXPECT_STREQ("", it->sched_ops);
	EXPECT_STREQ("", it->sched_decl);
	EXPECT_EQ(0, it->sched_flags);
	kt_plan_free(&p);
}

/* A file name no harness name should hold becomes a safe variant name. */
TEST_F(plan, scheduler_variant_name_is_safe)
{
	struct kt_plan_opts o = { .scheduler = "/opt/scx/scx-rusty.v1.2" };
	const struct kt_run_item *it;
	struct kt_plan p;
	char *const progs[] = { self->prog };

	ASSERT_EQ(0, kt_plan_build(progs, 1, &o, &p));
	it = find(&p, "fair.scx_rusty_v1_2.spin");
	ASSERT_NE(NULL, it);
	EXPECT_STREQ("fair.scx_rusty_v1_2.spin", it->selector);
	/* The guest runs the file as it is named. */
	EXPECT_STREQ("scx-rusty.v1.2", it->sched_binary);
	kt_plan_free(&p);
}

/* BIN's file name is a declared scheduler's binary: its ops and claims. */
TEST_F(plan, scheduler_declared_by_binary_name)
{
	struct kt_plan_opts o = { .scheduler = "/some/build/good" };
	const struct ktstr_sched_decl *s;
	const struct kt_run_item *it;
	struct kt_decls d;
	struct kt_plan p;
	char *const progs[] = { self->prog };

	ASSERT_EQ(0, kt_decls_read(self->prog, &d));
	/* Of two declarations of one binary, the one named like it. */
	s = kt_decls_sched_by_binary(&d, "good");
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("good", s->name);
	/* A declared path matches by its file name. */
	s = kt_decls_sched_by_binary(&d, "scx_pathy");
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("pathy", s->name);
	EXPECT_EQ(NULL, kt_decls_sched_by_binary(&d, "goo"));
	EXPECT_EQ(NULL, kt_decls_sched_by_binary(&d, "usr"));
	kt_decls_free(&d);

	ASSERT_EQ(0, kt_plan_build(progs, 1, &o, &p));
	it = find(&p, "fair.good.spin");
	ASSERT_NE(NULL, it);
	EXPECT_STREQ("good_ops", it->sched_ops);
	EXPECT_STREQ("good", it->sched_decl);
	EXPECT_EQ(KTSTR_SCHED_IGNORES_NICE, it->sched_flags);
	kt_plan_free(&p);

	/* Only the claims travel, not "built to fail". */
	o.scheduler = "/x/scx_pathy";
	ASSERT_EQ(0, kt_plan_build(progs, 1, &o, &p));
	it = find(&p, "fair.scx_pathy.spin");
	ASSERT_NE(NULL, it);
	EXPECT_STREQ("pathy", it->sched_ops);
	EXPECT_EQ(KTSTR_SCHED_IGNORES_CGROUP_WEIGHT, it->sched_flags);
	kt_plan_free(&p);

	/* --scheduler-ignores replaces what the declaration claims. */
	o.scheduler = "/some/build/good";
	ASSERT_EQ(0, kt_plan_parse_ignores("cgroup-weight", &o));
	ASSERT_EQ(0, kt_plan_build(progs, 1, &o, &p));
	EXPECT_EQ(KTSTR_SCHED_IGNORES_CGROUP_WEIGHT,
		  find(&p, "fair.good.spin")->sched_flags);
	kt_plan_free(&p);
	ASSERT_EQ(0, kt_plan_parse_ignores("none", &o));
	ASSERT_EQ(0, kt_plan_build(progs, 1, &o, &p));
	EXPECT_EQ(0, find(&p, "fair.good.spin")->sched_flags);
	EXPECT_STREQ("good_ops", find(&p, "fair.good.spin")->sched_ops);
	kt_plan_free(&p);
}

struct ignores_case {
	const char *list;
	int ret;
	uint32_t flags;
	const char *message;
};

TEST(scheduler_ignores_words)
{
	static const struct ignores_case cases[] = {
		{ "nice", 0, KTSTR_SCHED_IGNORES_NICE, NULL },
		{ "cgroup-weight,nice", 0, KTSTR_SCHED_IGNORES_NICE |
		  KTSTR_SCHED_IGNORES_CGROUP_WEIGHT, NULL },
		{ "capacity", 0, KTSTR_SCHED_IGNORES_CAPACITY, NULL },
		{ "capacity,nice,cgroup-weight", 0, KTSTR_IGNORES_MASK, NULL },
		{ "none", 0, 0, NULL },
		{ "nicety", -1, 0, "'nicety' is not a claim to waive (known: nice, cgroup-weight, capacity, or none)" },
		{ "nice,", -1, 0, "'nice,': '' is not" },
		{ "nice, cgroup-weight", -1, 0, "' cgroup-weight' is not" },
		{ "", -1, 0, "--scheduler-ignores: empty" },
	};
	struct kt_plan_opts o;
	char words[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&o, 0, sizeof(o));
		EXPECT_EQ(cases[i].ret, kt_plan_parse_ignores(cases[i].list, &o))
			TH_LOG("'%s'", cases[i].list);
		if (cases[i].ret) {
			EXPECT_NE(NULL, strstr(kt_errmsg(), cases[i].message))
				TH_LOG("%s", kt_errmsg());
			EXPECT_FALSE(o.ignores_given);
			continue;
		}
		EXPECT_TRUE(o.ignores_given);
		EXPECT_EQ(cases[i].flags, o.ignores) TH_LOG("'%s'", cases[i].list);
		/* What the guest is handed parses back to the same. */
		ktstr_ignores_format(o.ignores, words, sizeof(words));
		ASSERT_EQ(0, kt_plan_parse_ignores(words, &o));
		EXPECT_EQ(cases[i].flags, o.ignores) TH_LOG("'%s'", words);
	}
}

TEST(scheduler_path_is_checked)
{
	struct kt_plan_opts o = { 0 };

	EXPECT_EQ(0, kt_plan_check_scheduler(&o, "x86_64", false));
	EXPECT_EQ(-1, kt_plan_check_scheduler(&o, "x86_64", true));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "arguments after -- are for --scheduler"));
	o.ignores_given = true;
	EXPECT_EQ(-1, kt_plan_check_scheduler(&o, "x86_64", false));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "--scheduler-ignores is for --scheduler"));
	o.scheduler = "/nonexistent/scx_x";
	EXPECT_EQ(-1, kt_plan_check_scheduler(&o, "x86_64", false));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "--scheduler /nonexistent/scx_x: No such file"));
	o.scheduler = "/tmp";
	EXPECT_EQ(-1, kt_plan_check_scheduler(&o, "x86_64", false));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "--scheduler /tmp: not a file"));
	o.scheduler = "/bin/true";
	EXPECT_EQ(0, kt_plan_check_scheduler(&o, "x86_64", true));
	/* a program for the other machine, named with both */
	EXPECT_EQ(-1, kt_plan_check_scheduler(&o, "arm64", false));
	EXPECT_STREQ("--scheduler /bin/true: /bin/true is a program for x86_64, and arm64 guests run aarch64 programs ('make arm64' builds those in build/arm64/)",
		     kt_errmsg());
	EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());
	/* a script is no program: either arch takes it */
	o.scheduler = "kselftest/deps.sh";
	EXPECT_EQ(0, kt_plan_check_scheduler(&o, "arm64", false))
		TH_LOG("%s", kt_errmsg());
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

/*
 * An object with a second section of tests (the assembler makes one with
 * the same name when asked for a unique one) is refused, whichever
 * section a reader would have kept.
 */
TEST(two_sections_of_tests_are_refused)
{
	char dir[64], src[96], obj[96], cmd[256];
	struct kt_decls d;
	FILE *f;

	ASSERT_NE(NULL, scratch_make(dir, sizeof(dir), "plan"));
	snprintf(src, sizeof(src), "%s/t.c", dir);
	snprintf(obj, sizeof(obj), "%s/t.o", dir);
	f = fopen(src, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "#include \"ktstr_decl.h\"\n"
		   "KTSTR_TEST(fair, spin);\n"
		   "asm(\".section %s,\\\"aw\\\",@progbits,unique,1\\n\"\n"
		   "    \".byte 0\\n.previous\");\n", KTSTR_TESTS_SECTION);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gcc -Ikselftest -c -o %s %s", obj, src);
	ASSERT_EQ(0, system(cmd));
	EXPECT_EQ(-1, kt_decls_read(obj, &d));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "more than one section " KTSTR_TESTS_SECTION))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(NULL, d.tests);
	SCRATCH_REMOVE(dir);
}

/*
 * make ARCH=arm64 builds the test programs for arm64 guests, and the host
 * plans their runs from the same declarations: an aarch64 build of the
 * program (gcc-aarch64-linux-gnu, make deps) gives the records of the
 * host's build, byte for byte, in the same order.
 */
TEST_F(plan, aarch64_program_declares_the_same)
{
	char arm64[160], cmd[1024];
	struct kt_decls host, cross;

	snprintf(arm64, sizeof(arm64), "%s/t-arm64", self->dir);
	snprintf(cmd, sizeof(cmd),
		 "aarch64-linux-gnu-gcc -static -Ikselftest -o %s %s.c && file %s | grep -q 'ARM aarch64.*statically linked'",
		 arm64, self->prog, arm64);
	ASSERT_EQ(0, system(cmd)) TH_LOG("%s failed (make deps installs gcc-aarch64-linux-gnu)", cmd);
	ASSERT_EQ(0, kt_decls_read(self->prog, &host)) TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, kt_decls_read(arm64, &cross)) TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(host.nr_tests, cross.nr_tests);
	ASSERT_EQ(host.nr_variants, cross.nr_variants);
	ASSERT_EQ(host.nr_scheds, cross.nr_scheds);
	ASSERT_EQ(host.nr_profiles, cross.nr_profiles);
	EXPECT_EQ(0, memcmp(host.tests, cross.tests,
			    host.nr_tests * sizeof(*host.tests)));
	EXPECT_EQ(0, memcmp(host.variants, cross.variants,
			    host.nr_variants * sizeof(*host.variants)));
	EXPECT_EQ(0, memcmp(host.scheds, cross.scheds,
			    host.nr_scheds * sizeof(*host.scheds)));
	EXPECT_EQ(0, memcmp(host.profiles, cross.profiles,
			    host.nr_profiles * sizeof(*host.profiles)));
	EXPECT_EQ(5, cross.nr_tests);
	kt_decls_free(&host);
	kt_decls_free(&cross);
}

/*
 * Records are read in the host's byte order: a big-endian program (an
 * aarch64_be object here) is refused by name, not as a bad magic.
 */
TEST_F(plan, big_endian_program_is_refused)
{
	char obj[160], cmd[1024];
	struct kt_decls d;

	snprintf(obj, sizeof(obj), "%s/t-be.o", self->dir);
	snprintf(cmd, sizeof(cmd),
		 "aarch64-linux-gnu-gcc -mbig-endian -ffreestanding -Ikselftest -c -o %s %s.c",
		 obj, self->prog);
	ASSERT_EQ(0, system(cmd)) TH_LOG("%s failed (make deps installs gcc-aarch64-linux-gnu)", cmd);
	EXPECT_EQ(-1, kt_decls_read(obj, &d));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "t-be.o: a big-endian ELF file: ktstr reads test declarations in its own byte order, little-endian"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(NULL, d.tests);
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
