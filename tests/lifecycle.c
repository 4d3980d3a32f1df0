// SPDX-License-Identifier: GPL-2.0
/*
 * Every scheduler of the suite attaches, shows up in sysfs under its own
 * name while tasks run, and detaches cleanly: sched_ext goes back to
 * "disabled" (checked by the fixture's teardown).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"

KTSTR_FIXTURE(lifecycle);
KTSTR_RUN_UNDER(lifecycle, eevdf, "eevdf");
KTSTR_RUN_UNDER(lifecycle, scx_simple, "scx_simple");
KTSTR_RUN_UNDER(lifecycle, scx_qmap, "scx_qmap");
KTSTR_RUN_UNDER(lifecycle, scx_central, "scx_central");
KTSTR_RUN_UNDER(lifecycle, scx_flatcg, "scx_flatcg");
KTSTR_RUN_UNDER(lifecycle, ktstr_fifo, "ktstr_fifo");
KTSTR_RUN_UNDER(lifecycle, ktstr_llc_vtime, "ktstr_llc_vtime");

static void read_sysfs(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (fd >= 0)
		close(fd);
}

KTSTR_TEST_F(lifecycle, attach_run_detach, 120, .topology = "1n2l2c1t")
{
	struct ktstr_work_spec spec = {
		.kind = KTSTR_WORK_MIXED,
		.nr_workers = 4,
	};
	struct ktstr_workers *w;
	char state[64], ops[64];

	read_sysfs("/sys/kernel/sched_ext/state", state, sizeof(state));
	read_sysfs("/sys/kernel/sched_ext/root/ops", ops, sizeof(ops));
	if (self->k.sched.decl) {
		EXPECT_STREQ("enabled", state);
		EXPECT_STREQ(self->k.sched.ops, ops);
		/* A scheduler given with --scheduler declares no ops name. */
		if (self->k.sched.decl->ops_name[0])
			EXPECT_STREQ(self->k.sched.decl->ops_name, ops);
		EXPECT_NE(0, ops[0]);
	} else if (!access("/sys/kernel/sched_ext/state", R_OK)) {
		/* EEVDF on a kernel with sched_ext: nothing attached. */
		EXPECT_STREQ("disabled", state);
	}
	w = ktstr_workers_start(&spec);
	ASSERT_NE(NULL, w) TH_LOG("%s", ktstr_errmsg());
	ktstr_sleep_ms(2000);
	ASSERT_EQ(0, ktstr_workers_stop(w)) TH_LOG("%s", ktstr_errmsg());
	EXPECT_KTSTR(ktstr_check_progress, w, &ktstr_default_limits);
	EXPECT_KTSTR(ktstr_check_attached, &self->k.sched);
	ktstr_workers_free(w);
}

TEST_HARNESS_MAIN
