// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU clock on real threads of this process, named as QEMU names
 * its vCPU threads: the one that spins has the host CPU time it spent,
 * the one that sleeps has next to none, threads not named "CPU <n>/..."
 * or past the VM's CPUs are not vCPUs, the one thread of single-threaded
 * TCG is the whole VM's, and a process without vCPU threads is refused
 * with its pid.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "error.h"
#include "vcpu_clock.h"

#define SPIN_NS 200000000LL
#define NS 1000000000LL

struct vcpu {
	const char *name;
	bool spin;
	pthread_barrier_t *named, *done;
	int64_t spent_ns;	/* its own CPU time when it stopped */
};

static int64_t thread_cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * NS + t.tv_nsec;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;

	pthread_setname_np(pthread_self(), v->name);
	pthread_barrier_wait(v->named);
	while (v->spin && thread_cpu_ns() < SPIN_NS)
		;
	v->spent_ns = thread_cpu_ns();
	pthread_barrier_wait(v->done);
	/* Stays alive, still named, until the test has read its clock. */
	pthread_barrier_wait(v->done);
	return NULL;
}

static unsigned int open_fds(void)
{
	unsigned int n = 0;
	DIR *d = opendir("/proc/self/fd");

	if (!d)
		return 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

TEST(spinning_and_sleeping_vcpus)
{
	pthread_barrier_t named, done;
	struct vcpu v[] = {
		{ .name = "CPU 0/TCG", .spin = true },
		{ .name = "CPU 1/TCG", .spin = false },
		{ .name = "CPU 9/TCG", .spin = true },	/* past the VM's 2 CPUs */
		{ .name = "CPUs 1/TCG", .spin = true },	/* not a vCPU name */
	};
	const unsigned int n = ARRAY_SIZE(v);
	struct kt_vcpu_clock c;
	pthread_t t[4];
	unsigned int i, fds = open_fds();
	int64_t ran0, ran1;

	pthread_barrier_init(&named, NULL, n + 1);
	pthread_barrier_init(&done, NULL, n + 1);
	for (i = 0; i < n; i++) {
		v[i].named = &named;
		v[i].done = &done;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, vcpu_thread, &v[i]));
	}
	pthread_barrier_wait(&named);
	ASSERT_EQ(0, kt_vcpu_clock_open(&c, getpid(), 2)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(2, c.nr);
	pthread_barrier_wait(&done);

	ran0 = kt_vcpu_clock_read(&c, 0);
	ran1 = kt_vcpu_clock_read(&c, 1);
	/* schedstat counts what the thread's own CPU clock counts. */
	EXPECT_LE(v[0].spent_ns, ran0);
	EXPECT_LE(SPIN_NS, ran0);
	EXPECT_LE(0, ran1);
	EXPECT_GT(SPIN_NS / 4, ran1) TH_LOG("the sleeper ran %lld ns",
					     (long long)ran1);
	EXPECT_EQ(INT64_MIN, kt_vcpu_clock_read(&c, 2));
	EXPECT_EQ(INT64_MIN, kt_vcpu_clock_read(&c, 9));
	EXPECT_EQ(INT64_MIN, kt_vcpu_clock_read_all(&c));

	kt_vcpu_clock_close(&c);
	EXPECT_EQ(INT64_MIN, kt_vcpu_clock_read(&c, 0));
	EXPECT_EQ(fds, open_fds());
	pthread_barrier_wait(&done);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

/* Single-threaded TCG: one thread runs every vCPU, and is the VM's time. */
TEST(one_thread_for_every_vcpu)
{
	pthread_barrier_t named, done;
	struct vcpu v = { .name = "ALL CPUs/TCG", .spin = true,
			  .named = &named, .done = &done };
	struct kt_vcpu_clock c;
	pthread_t t;
	int64_t ran;

	pthread_barrier_init(&named, NULL, 2);
	pthread_barrier_init(&done, NULL, 2);
	ASSERT_EQ(0, pthread_create(&t, NULL, vcpu_thread, &v));
	pthread_barrier_wait(&named);
	ASSERT_EQ(0, kt_vcpu_clock_open(&c, getpid(), 4)) TH_LOG("%s", kt_errmsg());
	pthread_barrier_wait(&done);
	ran = kt_vcpu_clock_read_all(&c);
	EXPECT_LE(v.spent_ns, ran);
	EXPECT_LE(SPIN_NS, ran);
	EXPECT_EQ(INT64_MIN, kt_vcpu_clock_read(&c, 0));
	kt_vcpu_clock_close(&c);
	EXPECT_EQ(INT64_MIN, kt_vcpu_clock_read_all(&c));
	pthread_barrier_wait(&done);
	pthread_join(t, NULL);
}

TEST(a_process_without_vcpu_threads_is_refused)
{
	struct kt_vcpu_clock c;
	unsigned int fds = open_fds();
	char want[128];

	EXPECT_EQ(-1, kt_vcpu_clock_open(&c, getpid(), 4));
	snprintf(want, sizeof(want),
		 "process %d has no vCPU threads named \"CPU <n>/...\" or \"ALL CPUs/TCG\"",
		 getpid());
	EXPECT_STREQ(want, kt_errmsg());
	EXPECT_EQ(INT64_MIN, kt_vcpu_clock_read(&c, 0));
	EXPECT_EQ(fds, open_fds());
}

TEST(a_process_that_is_gone_is_refused)
{
	struct kt_vcpu_clock c;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
	EXPECT_EQ(-1, kt_vcpu_clock_open(&c, pid, 4));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "/task")) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(0, c.nr);
}

TEST_HARNESS_MAIN
