// SPDX-License-Identifier: GPL-2.0
/*
 * Library closure: against ldd for a system program, and against small
 * programs built here with gcc to pin down the search rules (RUNPATH vs
 * RPATH, $ORIGIN, symlinked libraries, unusable candidates, missing ones).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "elfdeps.h"
#include "error.h"
#include "strlist.h"

/* Search $ORIGIN/lib: DT_RUNPATH (the default) or the older DT_RPATH. */
#define RUNPATH_LIB	"-Wl,--enable-new-dtags,-rpath,'$ORIGIN/lib'"
#define RPATH_LIB	"-Wl,--disable-new-dtags,-rpath,'$ORIGIN/lib'"

static int run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* What ldd says: "name => path (addr)" and the interpreter's own line. */
static int ldd_paths(const char *prog, struct kt_strlist *out)
{
	char cmd[PATH_MAX + 16], line[1024], a[512], b[512], c[512];
	FILE *p;
	int n;

	snprintf(cmd, sizeof(cmd), "ldd '%s'", prog);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		n = sscanf(line, "%511s %511s %511s", a, b, c);
		if (n == 3 && !strcmp(b, "=>") && c[0] == '/')
			kt_strlist_push(out, c);
		else if (n >= 1 && a[0] == '/')
			kt_strlist_push(out, a);
	}
	return pclose(p);
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && !strcmp(s + n - m, tail);
}

TEST(ls_matches_ldd)
{
	struct kt_strlist ours = KT_STRLIST_INIT, ldd = KT_STRLIST_INIT;
	size_t i;

	ASSERT_EQ(0, kt_elf_deps("/bin/ls", &ours)) {
		TH_LOG("%s", kt_errmsg());
	}
	ASSERT_EQ(0, ldd_paths("/bin/ls", &ldd));
	ASSERT_GE(kt_strlist_count(&ours), 2U);
	/* The interpreter first, as PT_INTERP names it. */
	EXPECT_TRUE(ends_with(kt_strlist_item(&ours, 0),
			      "/ld-linux-x86-64.so.2"));
	EXPECT_EQ(kt_strlist_count(&ldd), kt_strlist_count(&ours));
	for (i = 0; i < kt_strlist_count(&ldd); i++)
		EXPECT_TRUE(kt_strlist_contains(&ours, ldd.items[i])) {
			TH_LOG("ldd has %s, we do not", ldd.items[i]);
		}
	for (i = 0; i < kt_strlist_count(&ours); i++)
		EXPECT_EQ(0, access(ours.items[i], R_OK));
	kt_strlist_free(&ours);
	kt_strlist_free(&ldd);
}

TEST(appends_unique)
{
	struct kt_strlist l = KT_STRLIST_INIT, once = KT_STRLIST_INIT;

	ASSERT_EQ(1, kt_strlist_push(&l, "/already/here"));
	ASSERT_EQ(0, kt_strlist_push(&l, "/already/here"));
	ASSERT_EQ(0, kt_elf_deps("/bin/ls", &once));
	ASSERT_EQ(0, kt_elf_deps("/bin/ls", &l));
	ASSERT_EQ(0, kt_elf_deps("/bin/ls", &l));
	EXPECT_EQ(kt_strlist_count(&once) + 1, kt_strlist_count(&l));
	EXPECT_STREQ("/already/here", kt_strlist_item(&l, 0));
	EXPECT_NULL(l.items[l.count]);
	EXPECT_NULL(kt_strlist_item(&l, l.count));
	kt_strlist_free(&l);
	kt_strlist_free(&once);
	EXPECT_EQ(0U, kt_strlist_count(&l));
}

TEST(static_busybox_has_none)
{
	struct kt_strlist l = KT_STRLIST_INIT;

	if (access("/bin/busybox", R_OK))
		SKIP(return, "no /bin/busybox (package busybox-static)");
	ASSERT_EQ(0, kt_elf_deps("/bin/busybox", &l)) {
		TH_LOG("%s", kt_errmsg());
	}
	EXPECT_EQ(0U, kt_strlist_count(&l));
}

TEST(missing_file)
{
	struct kt_strlist l = KT_STRLIST_INIT;

	EXPECT_EQ(-1, kt_elf_deps("/nonexistent/ktstr-prog", &l));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "/nonexistent/ktstr-prog"));
	EXPECT_EQ(-1, kt_elf_deps("/etc", &l));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "/etc"));
	EXPECT_EQ(0U, kt_strlist_count(&l));
}

FIXTURE(built) {
	char dir[PATH_MAX];
	char prog[PATH_MAX + 8];
};

FIXTURE_SETUP(built)
{
	char tmpl[] = "/tmp/kt-elfdeps-XXXXXX";

	if (run("command -v gcc >/dev/null"))
		SKIP(return, "no gcc to build test programs");
	ASSERT_NE(NULL, mkdtemp(tmpl));
	/* $ORIGIN is resolved: expect the real directory in paths. */
	ASSERT_NE(NULL, realpath(tmpl, self->dir));
	snprintf(self->prog, sizeof(self->prog), "%s/prog", self->dir);
	ASSERT_EQ(0, run("mkdir %s/lib %s/bad", self->dir, self->dir));
}

FIXTURE_TEARDOWN(built)
{
	if (self->dir[0] && run("rm -rf '%s'", self->dir))
		TH_LOG("cannot remove %s", self->dir);
}

/* lib/libkta.so calls into lib/libktb.so; prog calls libkta.so. */
static int build_libs(const char *dir, const char *a_flags)
{
	char src[PATH_MAX + 16];

	snprintf(src, sizeof(src), "%s/b.c", dir);
	if (write_text(src, "int ktb(void) { return 2; }\n"))
		return -1;
	snprintf(src, sizeof(src), "%s/a.c", dir);
	if (write_text(src,
		       "int ktb(void);\nint kta(void) { return ktb(); }\n"))
		return -1;
	snprintf(src, sizeof(src), "%s/main.c", dir);
	if (write_text(src,
		       "int kta(void);\nint main(void) { return kta(); }\n"))
		return -1;
	if (run("cd '%s' && gcc -shared -fPIC -o lib/libktb.so b.c", dir))
		return -1;
	return run("cd '%s' && gcc -shared -fPIC -o lib/libkta.so a.c %s %s",
		   dir, "-Llib -lktb", a_flags);
}

static int build_prog(const char *dir, const char *flags)
{
	return run("cd '%s' && gcc -o prog main.c %s %s", dir,
		   "-Llib -lkta -Wl,-rpath-link,lib", flags);
}

static int has_at(const struct kt_strlist *l, const char *dir,
		  const char *rel)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return kt_strlist_contains(l, path);
}

TEST_F(built, missing_library_is_named)
{
	struct kt_strlist l = KT_STRLIST_INIT;

	ASSERT_EQ(0, build_libs(self->dir, ""));
	ASSERT_EQ(0, build_prog(self->dir,
				""));
	ASSERT_EQ(0, run("rm '%s/lib/libkta.so'", self->dir));
	EXPECT_EQ(-1, kt_elf_deps(self->prog, &l));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "libkta.so")) {
		TH_LOG("%s", kt_errmsg());
	}
	EXPECT_NE(NULL, strstr(kt_errmsg(), self->prog));
	EXPECT_EQ(0U, kt_strlist_count(&l));
}

/* DT_RUNPATH with $ORIGIN, each library using its own. */
TEST_F(built, runpath_origin_transitive)
{
	struct kt_strlist l = KT_STRLIST_INIT;

	ASSERT_EQ(0, build_libs(self->dir, "-Wl,-rpath,'$ORIGIN'"));
	ASSERT_EQ(0, build_prog(self->dir, RUNPATH_LIB));
	ASSERT_EQ(0, kt_elf_deps(self->prog, &l)) {
		TH_LOG("%s", kt_errmsg());
	}
	EXPECT_TRUE(has_at(&l, self->dir, "lib/libkta.so"));
	EXPECT_TRUE(has_at(&l, self->dir, "lib/libktb.so"));
	EXPECT_EQ(0, run("'%s'; test $? = 2", self->prog));
	kt_strlist_free(&l);
}

/*
 * The program's DT_RUNPATH does not apply to its libraries' needs, but
 * its DT_RPATH does: libkta.so has no search path of its own.
 */
TEST_F(built, runpath_is_not_inherited)
{
	struct kt_strlist l = KT_STRLIST_INIT;
	char lib[PATH_MAX * 2];

	snprintf(lib, sizeof(lib), "%s/lib/libkta.so", self->dir);
	ASSERT_EQ(0, build_libs(self->dir, ""));
	ASSERT_EQ(0, build_prog(self->dir, RUNPATH_LIB));
	EXPECT_EQ(-1, kt_elf_deps(self->prog, &l));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "libktb.so")) {
		TH_LOG("%s", kt_errmsg());
	}
	EXPECT_NE(NULL, strstr(kt_errmsg(), lib));
	EXPECT_NE(NULL, strstr(kt_errmsg(), self->prog));
	/* The real loader agrees. */
	EXPECT_NE(0, run("'%s' 2>/dev/null", self->prog));
}

TEST_F(built, rpath_is_inherited)
{
	struct kt_strlist l = KT_STRLIST_INIT;

	ASSERT_EQ(0, build_libs(self->dir, ""));
	ASSERT_EQ(0, build_prog(self->dir, RPATH_LIB));
	ASSERT_EQ(0, kt_elf_deps(self->prog, &l)) {
		TH_LOG("%s", kt_errmsg());
	}
	EXPECT_TRUE(has_at(&l, self->dir, "lib/libkta.so"));
	EXPECT_TRUE(has_at(&l, self->dir, "lib/libktb.so"));
	EXPECT_EQ(0, run("'%s'; test $? = 2", self->prog));
	kt_strlist_free(&l);
}

/* A file that is not a usable ELF object is passed over, as ld.so does. */
TEST_F(built, unusable_candidate_skipped)
{
	struct kt_strlist l = KT_STRLIST_INIT;
	char bad[PATH_MAX * 2];

	ASSERT_EQ(0, build_libs(self->dir, "-Wl,-rpath,'$ORIGIN'"));
	ASSERT_EQ(0, build_prog(self->dir,
				"-Wl,-rpath,'$ORIGIN/bad:${ORIGIN}/lib'"));
	snprintf(bad, sizeof(bad), "%s/bad/libkta.so", self->dir);
	ASSERT_EQ(0, write_text(bad, "not an ELF file\n"));
	ASSERT_EQ(0, kt_elf_deps(self->prog, &l)) {
		TH_LOG("%s", kt_errmsg());
	}
	EXPECT_FALSE(kt_strlist_contains(&l, bad));
	EXPECT_TRUE(has_at(&l, self->dir, "lib/libkta.so"));
	kt_strlist_free(&l);
}

/* The guest needs the name the loader opens, not the symlink's target. */
TEST_F(built, symlinked_library_keeps_its_name)
{
	struct kt_strlist l = KT_STRLIST_INIT;

	ASSERT_EQ(0, build_libs(self->dir, "-Wl,-rpath,'$ORIGIN'"));
	ASSERT_EQ(0, run("cd '%s/lib' && mv libkta.so libkta.so.1.2.3 && %s",
			 self->dir, "ln -s libkta.so.1.2.3 libkta.so"));
	ASSERT_EQ(0, build_prog(self->dir,
				"-Wl,-rpath,'$ORIGIN/lib'"));
	ASSERT_EQ(0, kt_elf_deps(self->prog, &l));
	EXPECT_TRUE(has_at(&l, self->dir, "lib/libkta.so"));
	EXPECT_FALSE(has_at(&l, self->dir, "lib/libkta.so.1.2.3"));
	kt_strlist_free(&l);
}

TEST_F(built, script_and_empty_file_have_none)
{
	struct kt_strlist l = KT_STRLIST_INIT;
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/script.sh", self->dir);
	ASSERT_EQ(0, write_text(path, "#!/bin/sh\necho hi\n"));
	EXPECT_EQ(0, kt_elf_deps(path, &l));
	snprintf(path, sizeof(path), "%s/empty", self->dir);
	ASSERT_EQ(0, write_text(path, ""));
	EXPECT_EQ(0, kt_elf_deps(path, &l));
	EXPECT_EQ(0U, kt_strlist_count(&l));
}

TEST_F(built, truncated_elf_is_an_error)
{
	struct kt_strlist l = KT_STRLIST_INIT;

	ASSERT_EQ(0, build_libs(self->dir, ""));
	ASSERT_EQ(0, build_prog(self->dir,
				""));
	ASSERT_EQ(0, run("truncate -s 100 '%s'", self->prog));
	EXPECT_EQ(-1, kt_elf_deps(self->prog, &l));
	EXPECT_NE(NULL, strstr(kt_errmsg(), self->prog)) {
		TH_LOG("%s", kt_errmsg());
	}
}

TEST_HARNESS_MAIN
