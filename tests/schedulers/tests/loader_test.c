// SPDX-License-Identifier: GPL-2.0
/*
 * The options of the in-tree schedulers' loaders (loader_options(),
 * LOADER_MAIN_OPTS()): help, and bad usage refused with exit status 2 and
 * a message naming the input.  Nothing is loaded: the options are read
 * before the BPF object is opened, so this runs on the host, from the
 * built binaries in build/schedulers/.
 */
#include "kselftest_harness.h"
#include "cli.h"

#define SCHEDS "build/schedulers/"

#define COMMON "[-t MS] [-v] [-h]"

/* Loaders with only the common options. */
static const char * const loaders[] = {
	"ktstr_fifo", "ktstr_llc_vtime",
	"ktstr_bad_nice", "ktstr_bad_cgweight", "ktstr_bad_noslice",
	"ktstr_bad_idle", "ktstr_bad_wakeup", "ktstr_bad_leak",
	"ktstr_bad_llc", "ktstr_bad_numa", "ktstr_bad_smt",
	"ktstr_bad_affinity", "ktstr_bad_rtlocal", "ktstr_bad_hotplug",
	"ktstr_bad_credit", "ktstr_bad_capacity",
};

/* Loaders with -c COMM as well. */
static const char * const comm_loaders[] = { "ktstr_error", "ktstr_stall" };

FIXTURE(loader) {
	struct cli c;
};

FIXTURE_SETUP(loader)
{
}

FIXTURE_TEARDOWN(loader)
{
}

/*
 * @name @args exits with 2, @message on stderr, followed by the usage if
 * @usage (a bad option is not one of the known ones).
 */
static void expect_refused(struct __test_metadata *_metadata,
			   struct cli *c, const char *name, const char *args,
			   const char *message, bool usage)
{
	char first[64];

	snprintf(first, sizeof(first), "Usage: %s ", name);
	EXPECT_EQ(2, cli_run(c, SCHEDS "%s %s", name, args))
		TH_LOG("%s %s: %s", name, args, c->err);
	EXPECT_NE(NULL, strstr(c->err, message))
		TH_LOG("%s %s: no '%s' in: %s", name, args, message, c->err);
	EXPECT_EQ(usage, !!strstr(c->err, first)) TH_LOG("%s", c->err);
	EXPECT_STREQ("", c->out);
}

static void expect_help(struct __test_metadata *_metadata, struct cli *c,
			const char *name, const char *synopsis)
{
	char first[128];

	snprintf(first, sizeof(first), "Usage: %s %s\n", name, synopsis);
	EXPECT_EQ(0, cli_run(c, SCHEDS "%s -h", name))
		TH_LOG("%s -h: %s", name, c->err);
	EXPECT_EQ(0, strncmp(c->out, first, strlen(first)))
		TH_LOG("%s -h: %s", name, c->out);
	EXPECT_NE(NULL, strstr(c->out, "-t MS    watchdog timeout"))
		TH_LOG("%s -h: %s", name, c->out);
	EXPECT_STREQ("", c->err);
}

TEST_F(loader, help_on_stdout)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(loaders); i++)
		expect_help(_metadata, &self->c, loaders[i], COMMON);
	for (i = 0; i < ARRAY_SIZE(comm_loaders); i++)
		expect_help(_metadata, &self->c, comm_loaders[i],
			    "[-c COMM] " COMMON);
}

TEST_F(loader, bad_timeout_refused)
{
	static const char * const bad[] = { "0", "abc", "10ms", "4294967296" };
	char args[64], message[128];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(loaders); i++) {
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			snprintf(args, sizeof(args), "-t %s", bad[j]);
			snprintf(message, sizeof(message), "%s: bad -t '%s'\n",
				 loaders[i], bad[j]);
			expect_refused(_metadata, &self->c, loaders[i], args,
				       message, false);
		}
	}
}

TEST_F(loader, unknown_option_refused)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(loaders); i++)
		expect_refused(_metadata, &self->c, loaders[i], "-x",
			       "invalid option -- 'x'", true);
}

TEST_F(loader, argument_refused)
{
	char message[128];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(loaders); i++) {
		snprintf(message, sizeof(message),
			 "%s: unexpected argument 'extra'\n", loaders[i]);
		expect_refused(_metadata, &self->c, loaders[i], "-v extra",
			       message, true);
	}
}

TEST_F(loader, bad_comm_refused)
{
	static const char * const bad[] = { "''", "0123456789abcdef" };
	char args[64], message[128];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(comm_loaders); i++) {
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			snprintf(args, sizeof(args), "-c %s", bad[j]);
			snprintf(message, sizeof(message), "%s: bad comm '%s'\n",
				 comm_loaders[i], strcmp(bad[j], "''") ? bad[j] : "");
			expect_refused(_metadata, &self->c, comm_loaders[i],
				       args, message, false);
		}
		expect_refused(_metadata, &self->c, comm_loaders[i], "-c",
			       "option requires an argument -- 'c'", true);
		expect_refused(_metadata, &self->c, comm_loaders[i], "-x",
			       "invalid option -- 'x'", true);
	}
}

TEST_HARNESS_MAIN
