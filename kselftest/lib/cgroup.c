// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup v2 for tests: every cgroup lives under /sys/fs/cgroup/ktstr with
 * the cpuset and cpu controllers, so a test can confine and weigh its
 * workers without touching anything else on the machine.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "internal.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CG_ROOT "/sys/fs/cgroup"
#define CG_KTSTR CG_ROOT "/ktstr"
/* Tasks may take a while to leave a cgroup they are exiting from. */
#define REMOVE_TIMEOUT_MS 5000

static const char * const controllers[] = { "cpuset", "cpu" };

/* Is @word one of the space-separated words of @list? */
static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == '\0' || p[len] == ' ' || p[len] == '\n'))
			return true;
		p += len;
	}
	return false;
}

const char *ktstr_cgroup_unavailable(void)
{
	char list[512];
	struct statfs fs;

	if (geteuid())
		return "cgroups need root";
	if (statfs(CG_ROOT, &fs) || fs.f_type != CGROUP2_SUPER_MAGIC)
		return CG_ROOT " is not a cgroup2 mount";
	if (access(CG_ROOT "/cgroup.subtree_control", W_OK))
		return CG_ROOT " is not writable";
	if (ktstr_read_file(CG_ROOT "/cgroup.controllers", list,
			    sizeof(list)) < 0 || !has_word(list, "cpuset"))
		return "the cpuset controller is not available in " CG_ROOT;
	return NULL;
}

static int path_join(char *buf, const char *dir, const char *file)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", dir, file) >= PATH_MAX)
		return ktstr_fail("path %s/%s is too long", dir, file);
	return 0;
}

/* Lets @dir's children use one controller that @dir itself has. */
static int enable_controller(const char *dir, const char *ctrl,
			     const char *have, const char *enabled)
{
	char path[PATH_MAX], value[32];

	if (has_word(enabled, ctrl))
		return 0;
	if (!has_word(have, ctrl))
		return ktstr_fail("the %s controller is not available in %s",
				  ctrl, dir);
	snprintf(value, sizeof(value), "+%s", ctrl);
	if (path_join(path, dir, "cgroup.subtree_control") < 0)
		return -1;
	return ktstr_write_file(path, value);
}

static int enable_controllers(const char *dir)
{
	char path[PATH_MAX], have[512], enabled[512];
	unsigned int i;

	if (path_join(path, dir, "cgroup.controllers") < 0 ||
	    ktstr_read_file(path, have, sizeof(have)) < 0)
		return -1;
	if (path_join(path, dir, "cgroup.subtree_control") < 0 ||
	    ktstr_read_file(path, enabled, sizeof(enabled)) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(controllers); i++)
		if (enable_controller(dir, controllers[i], have, enabled) < 0)
			return -1;
	return 0;
}

static int make_dir(const char *path, bool *existed)
{
	*existed = false;
	if (!mkdir(path, 0755))
		return 0;
	if (errno == EEXIST) {
		*existed = true;
		return 0;
	}
	return ktstr_fail("mkdir %s: %s", path, strerror(errno));
}

/* Names are paths below ktstr's cgroup: no empty, "." or ".." parts. */
static int check_name(const char *name)
{
	const char *p = name;
	size_t len;

	if (strlen(name) >= sizeof(((struct ktstr_cgroup *)0)->name))
		return ktstr_fail("cgroup name '%s' is too long", name);
	for (;;) {
		len = strcspn(p, "/");
		if (!len || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return ktstr_fail("bad cgroup name '%s'", name);
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* The directory holding @path, into @buf (PATH_MAX). */
static void parent_dir(const char *path, char *buf)
{
	const char *slash = strrchr(path, '/');

	snprintf(buf, PATH_MAX, "%.*s", (int)(slash - path), path);
}

/* A cgroup left behind by an earlier, aborted test starts afresh. */
static int reset_cgroup(struct ktstr_cgroup *cg)
{
	char path[PATH_MAX];

	if (ktstr_cgroup_set_cpus(cg, NULL) < 0)
		return -1;
	if (path_join(path, cg->path, "cpu.weight") < 0)
		return -1;
	if (!access(path, F_OK) && ktstr_write_file(path, "100") < 0)
		return -1;
	return 0;
}

int ktstr_cgroup_create(struct ktstr_cgroup *cg, const char *name)
{
	char parent[PATH_MAX];
	const char *why;
	bool existed;

	memset(cg, 0, sizeof(*cg));
	if (check_name(name) < 0)
		return -1;
	why = ktstr_cgroup_unavailable();
	if (why)
		return ktstr_fail("cgroup %s: %s", name, why);
	snprintf(cg->name, sizeof(cg->name), "%s", name);
	if (path_join(cg->path, CG_KTSTR, name) < 0)
		return -1;
	if (enable_controllers(CG_ROOT) < 0 ||
	    make_dir(CG_KTSTR, &existed) < 0)
		return -1;
	parent_dir(cg->path, parent);
	if (enable_controllers(CG_KTSTR) < 0 ||
	    (strcmp(parent, CG_KTSTR) && enable_controllers(parent) < 0))
		return -1;
	if (make_dir(cg->path, &existed) < 0)
		return -1;
	return existed ? reset_cgroup(cg) : 0;
}

static int write_pid(const char *dir, pid_t pid)
{
	char path[PATH_MAX], value[32];

	snprintf(value, sizeof(value), "%d", (int)pid);
	if (path_join(path, dir, "cgroup.procs") < 0)
		return -1;
	return ktstr_write_file(path, value);
}

/*
 * Moves @pid out of a cgroup that is going away: to the parent, or, when
 * the parent cannot hold tasks because it hands controllers to its
 * children (cgroup v2's no-internal-process rule), to the root.
 */
static int evict(const char *parent, pid_t pid)
{
	if (!write_pid(parent, pid))
		return 0;
	if (errno == ESRCH)
		return 0;
	if (errno != EBUSY && errno != EOPNOTSUPP)
		return -1;
	if (!write_pid(CG_ROOT, pid) || errno == ESRCH)
		return 0;
	return -1;
}

/* Returns the number of tasks found, or -1. */
static int evict_all(const struct ktstr_cgroup *cg, const char *parent)
{
	char path[PATH_MAX];
	int pid, n = 0;
	FILE *f;

	if (path_join(path, cg->path, "cgroup.procs") < 0)
		return -1;
	f = fopen(path, "re");
	if (!f)
		return ktstr_fail("open %s: %s", path, strerror(errno));
	while (fscanf(f, "%d", &pid) == 1) {
		n++;
		if (evict(parent, pid) < 0) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return n;
}

int ktstr_cgroup_remove(struct ktstr_cgroup *cg)
{
	uint64_t deadline = ktstr_now_ns() + REMOVE_TIMEOUT_MS * 1000000ull;
	char parent[PATH_MAX];
	int tasks;

	if (!cg->path[0])
		return ktstr_fail("cgroup was never created");
	parent_dir(cg->path, parent);
	for (;;) {
		tasks = evict_all(cg, parent);
		if (tasks < 0)
			return -1;
		if (!rmdir(cg->path))
			return 0;
		if (errno != EBUSY || ktstr_now_ns() > deadline)
			break;
		ktstr_sleep_ms(10);
	}
	return ktstr_fail("rmdir %s: %s (%d tasks left%s)", cg->path,
			  strerror(errno), tasks,
			  tasks ? "" : "; child cgroups?");
}

int ktstr_cgroup_set_cpus(struct ktstr_cgroup *cg, const cpu_set_t *cpus)
{
	char path[PATH_MAX], list[4096], parent[PATH_MAX], pcpus[512];
	char why[1024];

	/* An empty write(2) never reaches cgroupfs: clear with a newline. */
	if (!cpus)
		snprintf(list, sizeof(list), "\n");
	else if (!ktstr_cpus_format(cpus, list, sizeof(list)))
		return -1;
	if (path_join(path, cg->path, "cpuset.cpus") < 0)
		return -1;
	if (!ktstr_write_file(path, list))
		return 0;
	/* The usual cause: CPUs the parent does not have. */
	snprintf(why, sizeof(why), "%s", ktstr_errmsg());
	parent_dir(cg->path, parent);
	if (path_join(path, parent, "cpuset.cpus.effective") < 0 ||
	    ktstr_read_file(path, pcpus, sizeof(pcpus)) < 0)
		return ktstr_fail("%s", why);
	pcpus[strcspn(pcpus, "\n")] = '\0';
	return ktstr_fail("%s (the parent's effective CPUs: %s)", why, pcpus);
}

int ktstr_cgroup_effective_cpus(struct ktstr_cgroup *cg, cpu_set_t *out)
{
	char path[PATH_MAX];

	if (path_join(path, cg->path, "cpuset.cpus.effective") < 0)
		return -1;
	return ktstr_read_cpulist(path, out);
}

int ktstr_cgroup_move(struct ktstr_cgroup *cg, pid_t pid)
{
	return write_pid(cg->path, pid);
}

int ktstr_cgroup_set_weight(struct ktstr_cgroup *cg, unsigned int weight)
{
	char path[PATH_MAX], value[16];

	if (weight < 1 || weight > 10000)
		return ktstr_fail("cpu.weight %u of %s: must be 1-10000",
				  weight, cg->name);
	snprintf(value, sizeof(value), "%u", weight);
	if (path_join(path, cg->path, "cpu.weight") < 0)
		return -1;
	return ktstr_write_file(path, value);
}
