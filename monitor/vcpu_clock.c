// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "vcpu_clock.h"

#define ALL_VCPUS (-2)

/*
 * QEMU's vCPU index from a thread name such as "CPU 3/TCG", ALL_VCPUS
 * for the thread of single-threaded TCG, or -1.
 */
static int vcpu_index(const char *comm)
{
	unsigned int cpu;
	char slash;

	if (!strcmp(comm, "ALL CPUs/TCG\n"))
		return ALL_VCPUS;
	if (sscanf(comm, "CPU %u%c", &cpu, &slash) != 2 || slash != '/')
		return -1;
	return cpu < KT_TARGET_MAX_CPUS ? (int)cpu : -1;
}

static int thread_vcpu(pid_t pid, pid_t tid)
{
	char path[96], comm[32];
	FILE *f;
	int cpu = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(comm, sizeof(comm), f))
		cpu = vcpu_index(comm);
	fclose(f);
	return cpu;
}

static int open_schedstat(pid_t pid, pid_t tid)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", pid, tid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

void kt_vcpu_clock_init(struct kt_vcpu_clock *c)
{
	unsigned int i;

	c->nr = 0;
	c->all_fd = -1;
	for (i = 0; i < KT_TARGET_MAX_CPUS; i++)
		c->fd[i] = -1;
}

int kt_vcpu_clock_open(struct kt_vcpu_clock *c, pid_t pid,
		       unsigned int nr_cpus)
{
	char dir[64];
	struct dirent *e;
	unsigned int found = 0;
	DIR *d;
	pid_t tid;
	int cpu;

	kt_vcpu_clock_init(c);
	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	d = opendir(dir);
	if (!d)
		return kt_fail_errno("%s", dir);
	c->nr = nr_cpus < KT_TARGET_MAX_CPUS ? nr_cpus : KT_TARGET_MAX_CPUS;
	while ((e = readdir(d))) {
		tid = atoi(e->d_name);
		cpu = tid > 0 ? thread_vcpu(pid, tid) : -1;
		if (cpu == ALL_VCPUS && c->all_fd < 0) {
			c->all_fd = open_schedstat(pid, tid);
			found += c->all_fd >= 0;
		}
		if (cpu < 0 || cpu >= (int)c->nr || c->fd[cpu] >= 0)
			continue;
		c->fd[cpu] = open_schedstat(pid, tid);
		found += c->fd[cpu] >= 0;
	}
	closedir(d);
	if (!found) {
		kt_vcpu_clock_close(c);
		return kt_fail("process %d has no vCPU threads named \"CPU <n>/...\" or \"ALL CPUs/TCG\"",
			       pid);
	}
	return 0;
}

/* "<on-CPU ns> <waiting ns> <timeslices>": the first. */
static int64_t read_schedstat(int fd)
{
	char buf[96];
	ssize_t n;
	int64_t ns;

	if (fd < 0)
		return INT64_MIN;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return INT64_MIN;
	buf[n] = '\0';
	if (sscanf(buf, "%" SCNd64, &ns) != 1 || ns < 0)
		return INT64_MIN;
	return ns;
}

int64_t kt_vcpu_clock_read(const struct kt_vcpu_clock *c, unsigned int cpu)
{
	return cpu < c->nr ? read_schedstat(c->fd[cpu]) : INT64_MIN;
}

int64_t kt_vcpu_clock_read_all(const struct kt_vcpu_clock *c)
{
	return read_schedstat(c->all_fd);
}

void kt_vcpu_clock_close(struct kt_vcpu_clock *c)
{
	unsigned int i;

	for (i = 0; i < KT_TARGET_MAX_CPUS; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	if (c->all_fd >= 0)
		close(c->all_fd);
	kt_vcpu_clock_init(c);
}
