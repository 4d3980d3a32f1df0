// SPDX-License-Identifier: GPL-2.0
/*
 * BTF and symbol lookups against the default kernel's real vmlinux and
 * System.map: what the monitor resolves, and how it reports what a
 * kernel does not have.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "btf.h"
#include "error.h"
#include "kernel.h"
#include "layout.h"
#include "sample.h"
#include "symbols.h"

FIXTURE(kernel) {
	struct kt_kernel k;
	struct kt_btf btf;
	struct kt_symbols syms;
};

FIXTURE_SETUP(kernel)
{
	ASSERT_EQ(0, kt_kernel_resolve(NULL, &self->k)) TH_LOG("%s", kt_errmsg());
	ASSERT_NE(0, self->k.vmlinux[0]);
	ASSERT_EQ(0, kt_btf_load(&self->btf, self->k.vmlinux))
		TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, kt_symbols_load(&self->syms, self->k.vmlinux,
				     self->k.system_map))
		TH_LOG("%s", kt_errmsg());
}

FIXTURE_TEARDOWN(kernel)
{
	kt_symbols_free(&self->syms);
	kt_btf_free(&self->btf);
}

static uint32_t offset_of(struct __test_metadata *_metadata,
			  const struct kt_btf *b, const char *type,
			  const char *path)
{
	struct kt_field f;

	EXPECT_EQ(0, kt_btf_field(b, type, path, &f))
		TH_LOG("%s.%s: %s", type, path, kt_errmsg());
	EXPECT_TRUE(f.available);
	return f.offset;
}

/* A path is the sum of its steps: each step looked up on its own. */
TEST_F(kernel, nested_paths_add_up)
{
	struct kt_btf *b = &self->btf;
	struct kt_field f;

	ASSERT_EQ(0, kt_btf_field(b, "rq", "scx.local_dsq.nr", &f));
	EXPECT_EQ(offset_of(_metadata, b, "rq", "scx") +
		  offset_of(_metadata, b, "scx_rq", "local_dsq") +
		  offset_of(_metadata, b, "scx_dispatch_q", "nr"), f.offset);
	EXPECT_EQ(4, f.size);
	ASSERT_EQ(0, kt_btf_field(b, "rq", "clock", &f));
	EXPECT_EQ(8, f.size);
	ASSERT_EQ(0, kt_btf_field(b, "task_struct", "comm", &f));
	EXPECT_EQ(16, f.size);
	/* The struct it is in holds it whole. */
	EXPECT_LE(f.offset + f.size, kt_btf_struct_size(b, "rq"));
}

/* scx_sched.ops sits in an anonymous union: reached as if it were not. */
TEST_F(kernel, anonymous_members_are_searched)
{
	struct kt_field name, ops;

	ASSERT_EQ(0, kt_btf_field(&self->btf, "scx_sched", "ops.name", &name))
		TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, kt_btf_field(&self->btf, "scx_sched", "ops", &ops));
	EXPECT_EQ(ops.offset + offset_of(_metadata, &self->btf,
					 "sched_ext_ops", "name"), name.offset);
	EXPECT_EQ(128, name.size);
}

TEST_F(kernel, a_missing_field_is_unavailable_and_named)
{
	struct kt_field f = { .available = true };

	EXPECT_EQ(-1, kt_btf_field(&self->btf, "rq", "scx.no_such_field", &f));
	EXPECT_FALSE(f.available);
	EXPECT_STREQ("struct rq has no field scx.no_such_field (no_such_field)",
		     kt_errmsg());
	EXPECT_EQ(-1, kt_btf_field(&self->btf, "no_such_struct", "x", &f));
	EXPECT_STREQ("this kernel has no struct no_such_struct", kt_errmsg());
	EXPECT_EQ(0, kt_btf_struct_size(&self->btf, "no_such_struct"));
}

TEST_F(kernel, enums_by_value)
{
	EXPECT_STREQ("SCX_ENABLED",
		     kt_btf_enum_name(&self->btf, "scx_enable_state", 1));
	EXPECT_STREQ("SCX_DISABLED",
		     kt_btf_enum_name(&self->btf, "scx_enable_state", 3));
	EXPECT_EQ(NULL, kt_btf_enum_name(&self->btf, "scx_enable_state", 99));
	EXPECT_EQ(NULL, kt_btf_enum_name(&self->btf, "no_such_enum", 0));
}

TEST_F(kernel, enums_by_name)
{
	int64_t v = 0;

	ASSERT_EQ(0, kt_btf_enum_value(&self->btf, "scx_rq_flags",
				       "SCX_RQ_ONLINE", &v));
	EXPECT_EQ(1, v);
	/* An ENUM64 whose values do not fit an int64 as such. */
	ASSERT_EQ(0, kt_btf_enum_value(&self->btf, "scx_dsq_id_flags",
				       "SCX_DSQ_GLOBAL", &v));
	EXPECT_EQ((1ULL << 63) | 1, (uint64_t)v);
	EXPECT_EQ(-1, kt_btf_enum_value(&self->btf, "scx_rq_flags",
					"SCX_RQ_NOPE", &v));
	EXPECT_STREQ("enum scx_rq_flags has no SCX_RQ_NOPE", kt_errmsg());
	EXPECT_EQ(-1, kt_btf_enum_value(&self->btf, "no_such_enum", "X", &v));
	EXPECT_STREQ("this kernel has no enum no_such_enum", kt_errmsg());
}

TEST_F(kernel, symbols_come_from_the_real_map)
{
	uint64_t rq, text;

	ASSERT_EQ(0, kt_symbols_find(&self->syms, "runqueues", &rq));
	ASSERT_EQ(0, kt_symbols_find(&self->syms, "_text", &text));
	EXPECT_EQ(0xffffffff81000000ULL, text);
	EXPECT_NE(0, rq);
	EXPECT_EQ(-1, kt_symbols_find(&self->syms, "no_such_symbol", &rq));
	EXPECT_GT(self->syms.count, 100000);
}

/* This kernel has everything the monitor reads. */
TEST_F(kernel, the_layout_of_the_default_kernel_is_complete)
{
	struct kt_layout l;

	ASSERT_EQ(0, kt_layout_resolve(&l, &self->btf, &self->syms))
		TH_LOG("%s", kt_errmsg());
	EXPECT_STREQ("", l.missing);
	EXPECT_EQ(KT_EVENTS_SCH_PCPU, l.events_at);
	EXPECT_LE(10, l.nr_events);
	EXPECT_STREQ("SCX_EV_SELECT_CPU_FALLBACK", l.events[0].name);
	EXPECT_STREQ("SCX_ENABLED", kt_layout_enable_name(&l, 1));
	/* Exit kinds are sparse (1, 64, 1024...): looked up by value. */
	EXPECT_STREQ("SCX_EXIT_ERROR_BPF", kt_layout_exit_name(&l, 1025));
	EXPECT_STREQ("SCX_EXIT_NONE", kt_layout_exit_name(&l, 0));
	EXPECT_EQ(NULL, kt_layout_exit_name(&l, 12345));
	EXPECT_TRUE(l.f[KT_SCH_EXIT_KIND].available);
	EXPECT_STREQ("-", kt_layout_enable_name(&l, 42));
	EXPECT_TRUE(l.has_sym[KT_SYM_SCX_ROOT]);
	EXPECT_TRUE(l.f[KT_RQ_LOCAL_DSQ_NR].available);
	/* What the conservation verdict reads the waiting tasks through. */
	EXPECT_TRUE(kt_sample_can_read_waiters(&l));
	EXPECT_TRUE(l.f[KT_TASK_MIGRATION_DISABLED].available);
	EXPECT_EQ(1, l.rq_online_flag);
	EXPECT_EQ((1ULL << 63) | 1, (uint64_t)l.dsq_global_id);
	/* What the stall verdict reads: each task's wait, and who is in charge. */
	EXPECT_TRUE(l.f[KT_TASK_SCX_RUNNABLE_AT].available);
	EXPECT_EQ(8, l.f[KT_TASK_SCX_RUNNABLE_AT].size);
	EXPECT_TRUE(l.f[KT_TASK_SCX_RUNNABLE_CPU].available);
	EXPECT_TRUE(l.f[KT_SCH_BYPASS_DEPTH].available);
}

/* The value of CONFIG_@name in kernel config @path, or -1. */
static long config_value(const char *path, const char *name)
{
	char line[256], key[64];
	long v = -1;
	FILE *f = fopen(path, "r");
	int n = snprintf(key, sizeof(key), "CONFIG_%s=", name);

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n))
			v = strtol(line + n, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* HZ from BTF alone (SCX_WATCHDOG_MAX_TIMEOUT): what the kernel was built with. */
TEST_F(kernel, the_guests_hz_is_the_one_it_was_built_with)
{
	struct kt_layout l;
	long hz = config_value(self->k.config, "HZ");

	ASSERT_LT(0, hz) TH_LOG("no CONFIG_HZ in %s", self->k.config);
	ASSERT_EQ(0, kt_layout_resolve(&l, &self->btf, &self->syms))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(hz, l.hz);
}

/*
 * What the monitor looks for in guest RAM: the banner's exact bytes, up
 * to its NUL; symbols of another build point elsewhere and are refused.
 */
TEST_F(kernel, the_banner_comes_from_the_vmlinux)
{
	struct kt_layout l;
	char release[160];

	ASSERT_EQ(0, kt_layout_resolve(&l, &self->btf, &self->syms))
		TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, kt_layout_read_banner(&l, self->k.vmlinux))
		TH_LOG("%s", kt_errmsg());
	snprintf(release, sizeof(release), "Linux version %s (", self->k.release);
	EXPECT_EQ(0, strncmp(l.banner, release, strlen(release))) TH_LOG("%s", l.banner);
	EXPECT_EQ(strlen(l.banner) + 1, l.banner_len);
	EXPECT_EQ('\n', l.banner[l.banner_len - 2]);
	l.sym[KT_SYM_LINUX_BANNER] += 2 << 20;
	EXPECT_EQ(-1, kt_layout_read_banner(&l, self->k.vmlinux));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "the symbols are not this vmlinux's"))
		TH_LOG("%s", kt_errmsg());
	l.sym[KT_SYM_LINUX_BANNER] = 0x1000;
	EXPECT_EQ(-1, kt_layout_read_banner(&l, self->k.vmlinux));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no loadable segment holds 0x1000"))
		TH_LOG("%s", kt_errmsg());
}

/* Without a symbol it cannot do without, the layout says which. */
TEST_F(kernel, a_kernel_without_runqueues_is_refused)
{
	struct kt_symbols none = { .source = "empty.map" };
	struct kt_layout l;

	EXPECT_EQ(-1, kt_layout_resolve(&l, &self->btf, &none));
	EXPECT_STREQ("kernel symbol linux_banner not found in empty.map",
		     kt_errmsg());
}

TEST(a_stub_system_map_is_refused)
{
	char path[] = "/tmp/ktstr-map-XXXXXX";
	struct kt_symbols s;
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	/* What Debian's linux-base ships. */
	dprintf(fd, "ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n");
	close(fd);
	EXPECT_EQ(-1, kt_symbols_load(&s, NULL, path));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "has too few symbols: not a kernel's full map"))
		TH_LOG("%s", kt_errmsg());
	unlink(path);
	EXPECT_EQ(-1, kt_symbols_load(&s, NULL, "/nonexistent/System.map"));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "System.map /nonexistent/System.map"));
	EXPECT_EQ(-1, kt_symbols_load(&s, "/bin/true", NULL));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "/bin/true has no symbol table and there is no System.map"))
		TH_LOG("%s", kt_errmsg());
}

/* /sys/kernel/btf/vmlinux's format: the raw .BTF section, no ELF. */
TEST_F(kernel, raw_btf_reads_the_same)
{
	char raw[] = "/tmp/ktstr-btf-XXXXXX", cmd[4200];
	struct kt_field a, b;
	struct kt_btf r;
	int fd = mkstemp(raw);

	ASSERT_LE(0, fd);
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "objcopy -O binary --only-section=.BTF %s %s", self->k.vmlinux,
		 raw);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, kt_btf_load(&r, raw)) TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, kt_btf_field(&r, "rq", "scx.local_dsq.nr", &a));
	ASSERT_EQ(0, kt_btf_field(&self->btf, "rq", "scx.local_dsq.nr", &b));
	EXPECT_EQ(b.offset, a.offset);
	EXPECT_EQ(b.size, a.size);
	kt_btf_free(&r);
	unlink(raw);
}

TEST(btf_of_a_file_without_btf)
{
	struct kt_btf b;

	EXPECT_EQ(-1, kt_btf_load(&b, "/bin/true"));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "BTF of /bin/true"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(-1, kt_btf_load(&b, "/nonexistent/vmlinux"));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "BTF of /nonexistent/vmlinux"));
}

TEST_HARNESS_MAIN
