// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "costs.h"
#include "error.h"

/* A run shorter than this is noise in the boot estimate, not a test. */
#define MIN_RUN_S 0.5

void kt_costs_init(struct kt_costs *c)
{
	memset(c, 0, sizeof(*c));
	c->boot_base_s = KT_COST_BOOT_BASE_S;
	c->boot_per_cpu_s = KT_COST_BOOT_PER_CPU_S;
}

void kt_costs_free(struct kt_costs *c)
{
	free(c->tests);
	kt_costs_init(c);
}

int kt_costs_default_path(char *buf, size_t len)
{
	char dir[PATH_MAX];

	if (kt_cache_dir(dir, sizeof(dir)))
		return -1;
	snprintf(buf, len, "%s/gauntlet-costs", dir);
	return 0;
}

static struct kt_cost_test *find(const struct kt_costs *c, const char *test)
{
	size_t i;

	for (i = 0; i < c->nr_tests; i++)
		if (!strcmp(c->tests[i].name, test))
			return &c->tests[i];
	return NULL;
}

static int set_run(struct kt_costs *c, const char *test, double run_s)
{
	struct kt_cost_test *t = find(c, test), *v;

	if (!t) {
		v = realloc(c->tests, (c->nr_tests + 1) * sizeof(*v));
		if (!v)
			return kt_fail("out of memory");
		c->tests = v;
		t = &c->tests[c->nr_tests++];
		snprintf(t->name, sizeof(t->name), "%s", test);
	}
	t->run_s = run_s;
	return 0;
}

static int parse_line(struct kt_costs *c, const char *path, unsigned int n,
		      char *line)
{
	char key[32], name[192];
	double v;

	line[strcspn(line, "\n")] = '\0';
	if (!line[0] || line[0] == '#')
		return 0;
	if (sscanf(line, "test %191s %lf", name, &v) == 2 && v >= 0)
		return set_run(c, name, v);
	if (sscanf(line, "%31s %lf", key, &v) == 2 && v >= 0) {
		if (!strcmp(key, "boot_base_s")) {
			c->boot_base_s = v;
			return 0;
		}
		if (!strcmp(key, "boot_per_cpu_s")) {
			c->boot_per_cpu_s = v;
			return 0;
		}
		if (!strcmp(key, "calibrated")) {
			c->calibrated = v != 0;
			return 0;
		}
	}
	return kt_fail("%s:%u: not a cost line: '%s'", path, n, line);
}

int kt_costs_load(const char *path, struct kt_costs *c)
{
	char line[512];
	unsigned int n = 0;
	FILE *f;
	int ret = 0;

	kt_costs_init(c);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : kt_fail_errno("costs %s", path);
	while (!ret && fgets(line, sizeof(line), f))
		ret = parse_line(c, path, ++n, line);
	fclose(f);
	if (ret)
		kt_costs_free(c);
	return ret;
}

int kt_costs_save(const char *path, const struct kt_costs *c)
{
	char tmp[PATH_MAX + 32];
	size_t i;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp-%d", path, getpid());
	f = fopen(tmp, "w");
	if (!f)
		return kt_fail_errno("costs %s", tmp);
	fprintf(f, "# ktstr gauntlet cost model: wall = boot_base_s + boot_per_cpu_s * vCPUs + test run_s\n");
	fprintf(f, "boot_base_s %.3f\nboot_per_cpu_s %.4f\ncalibrated %d\n",
		c->boot_base_s, c->boot_per_cpu_s, c->calibrated);
	for (i = 0; i < c->nr_tests; i++)
		fprintf(f, "test %s %.3f\n", c->tests[i].name,
			c->tests[i].run_s);
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return kt_fail_errno("costs %s", path);
	}
	return 0;
}

double kt_costs_boot(const struct kt_costs *c, unsigned int cpus)
{
	return c->boot_base_s + c->boot_per_cpu_s * cpus;
}

/* "fixture.variant.test..." names the same test as @b under any variant. */
static bool same_test(const char *a, const char *b)
{
	const char *va = strchr(a, '.'), *vb = strchr(b, '.');
	const char *ta, *tb;

	if (!va || !vb || va - a != vb - b || strncmp(a, b, va - a))
		return false;
	ta = strchr(va + 1, '.');
	tb = strchr(vb + 1, '.');
	return ta && tb && !strcmp(ta, tb);
}

/*
 * A test's time is mostly its own, not its scheduler's: under a
 * scheduler never measured (--scheduler BIN) it counts the longest any
 * scheduler took, rather than the flat KT_COST_RUN_S.
 */
static double run_estimate(const struct kt_costs *c, const char *test)
{
	const struct kt_cost_test *t = find(c, test);
	double longest = -1;
	size_t i;

	if (t)
		return t->run_s;
	for (i = 0; i < c->nr_tests; i++)
		if (c->tests[i].run_s > longest &&
		    same_test(c->tests[i].name, test))
			longest = c->tests[i].run_s;
	return longest >= 0 ? longest : KT_COST_RUN_S;
}

double kt_costs_estimate(const struct kt_costs *c, const char *test,
			 unsigned int cpus)
{
	return kt_costs_boot(c, cpus) + run_estimate(c, test);
}

/*
 * The longest a test took, not the last: a test runs longer on some
 * presets than on others, and a greedy choice under a budget picks the
 * entries whose cost is underestimated.  A budget is a limit, so the
 * model errs on the safe side.
 */
int kt_costs_observe(struct kt_costs *c, const char *test, unsigned int cpus,
		     double wall_s)
{
	const struct kt_cost_test *t = find(c, test);
	double run = wall_s - kt_costs_boot(c, cpus);

	if (run < MIN_RUN_S)
		run = MIN_RUN_S;
	/*
	 * A longer run is the estimate at once (a budget is a limit); a
	 * shorter one takes it halfway down, so that one stalled run, or
	 * a machine that got faster (snapshots, KVM), is not planned with
	 * for good.
	 */
	if (t && t->run_s > run)
		run = (t->run_s + run) / 2;
	return set_run(c, test, run);
}

int kt_costs_fit_boot(struct kt_costs *c, const unsigned int *cpus,
		      const double *boot_s, size_t n)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, d;
	size_t i;

	for (i = 0; i < n; i++) {
		sx += cpus[i];
		sy += boot_s[i];
		sxx += (double)cpus[i] * cpus[i];
		sxy += cpus[i] * boot_s[i];
	}
	d = n * sxx - sx * sx;
	if (n < 2 || d <= 0)
		return kt_fail("calibration needs boots of at least two vCPU counts");
	c->boot_per_cpu_s = (n * sxy - sx * sy) / d;
	if (c->boot_per_cpu_s < 0)
		c->boot_per_cpu_s = 0;
	c->boot_base_s = (sy - c->boot_per_cpu_s * sx) / n;
	if (c->boot_base_s < 0)
		c->boot_base_s = 0;
	c->calibrated = true;
	return 0;
}
