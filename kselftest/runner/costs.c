// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "compiler.h"
#include "costs.h"
#include "error.h"
#include "json.h"

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

/*
 * The file is one JSON object, every field required and no other:
 *
 *	{"boot_base_s": 2.458, "boot_per_cpu_s": 0.112, "calibrated": true,
 *	 "tests": {"fair.scx_simple.spin": 11.364, ...}, "version": 1}
 */
#define COSTS_VERSION 1

/*
 * The whole suite under every scheduler is about 160 tests, 8 KB; 1 MiB
 * holds a hundred times that.  A larger file is not a cost model (a
 * --costs FILE naming something else), and is not read into memory.
 */
#define COSTS_MAX_MIB 1

static const char *const cost_fields[] = {
	"boot_base_s", "boot_per_cpu_s", "calibrated", "tests", "version",
};

/*
 * json_unpack_ex() of @fmt on @obj's @key; errors name @path and the
 * field, @prefix then @key.
 */
static int unpack_field(const json_t *obj, const char *path,
			const char *prefix, const char *key,
			const char *fmt, ...)
{
	json_t *v = json_object_get(obj, key);
	json_error_t err;
	va_list ap;
	int ret;

	if (!v)
		return kt_fail("%s: field %s%s: missing", path, prefix, key);
	va_start(ap, fmt);
	ret = json_vunpack_ex(v, &err, 0, fmt, ap);
	va_end(ap);
	if (ret)
		return kt_fail("%s: field %s%s: %s", path, prefix, key,
			       err.text);
	return 0;
}

/* Field @key of @obj: seconds, a number >= 0. */
static int seconds_field(const json_t *obj, const char *path,
			 const char *prefix, const char *key, double *out)
{
	if (unpack_field(obj, path, prefix, key, "F", out))
		return -1;
	if (!isfinite(*out) || *out < 0)
		return kt_fail("%s: field %s%s: %g, not a number of seconds >= 0",
			       path, prefix, key, *out);
	return 0;
}

static int unknown_field(const json_t *model, const char *path)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)model, key, v) {
		for (i = 0; i < ARRAY_SIZE(cost_fields); i++)
			if (!strcmp(key, cost_fields[i]))
				break;
		if (i == ARRAY_SIZE(cost_fields))
			return kt_fail("%s: field %s: not a field of a cost model",
				       path, key);
	}
	return 0;
}

static int parse_tests(const json_t *tests, const char *path,
		       struct kt_costs *c)
{
	const char *name;
	double run_s;
	json_t *v;

	json_object_foreach((json_t *)tests, name, v) {
		if (strlen(name) >= sizeof(c->tests[0].name))
			return kt_fail("%s: field tests.%s: a test name longer than %zu characters",
				       path, name, sizeof(c->tests[0].name) - 1);
		if (seconds_field(tests, path, "tests.", name, &run_s) ||
		    set_run(c, name, run_s))
			return -1;
	}
	return 0;
}

static int parse_model(const json_t *model, const char *path,
		       struct kt_costs *c)
{
	int version, calibrated;
	json_t *tests;

	if (!json_is_object(model))
		return kt_fail("%s: not a cost model (not a JSON object)", path);
	if (unpack_field(model, path, "", "version", "i", &version))
		return -1;
	if (version != COSTS_VERSION)
		return kt_fail("%s: field version: %d, but this ktstr reads version %d",
			       path, version, COSTS_VERSION);
	if (seconds_field(model, path, "", "boot_base_s", &c->boot_base_s) ||
	    seconds_field(model, path, "", "boot_per_cpu_s",
			  &c->boot_per_cpu_s) ||
	    unpack_field(model, path, "", "calibrated", "b", &calibrated) ||
	    unpack_field(model, path, "", "tests", "o", &tests) ||
	    unknown_field(model, path))
		return -1;
	c->calibrated = calibrated;
	if (!json_is_object(tests))
		return kt_fail("%s: field tests: not an object", path);
	return parse_tests(tests, path, c);
}

/*
 * Before version 1, ktstr wrote the model as text lines, the first a
 * comment ('#'), which JSON never starts with.  Such a file is refused
 * and the error says what to do: treated as absent, the run would plan
 * from the defaults without a word and then replace the file, losing a
 * calibration someone may have committed for CI (--costs FILE).  The
 * documentation converts one with a few lines of Python.
 */
static int text_model(const char *path)
{
	return kt_fail("%s: a cost model in the text format of an older ktstr, not JSON: delete it (and run ktstr gauntlet --calibrate again if it was calibrated), or convert it as Documentation/gauntlet.md shows",
		       path);
}

int kt_costs_load(const char *path, struct kt_costs *c)
{
	json_t *model;
	FILE *f;
	int first, ret;

	kt_costs_init(c);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : kt_fail_errno("costs %s", path);
	first = getc(f);
	if (first == '#') {
		fclose(f);
		return text_model(path);
	}
	if (first != EOF)
		ungetc(first, f);
	model = kt_json_loadf(f, path, COSTS_MAX_MIB);
	fclose(f);
	if (!model)
		return -1;
	ret = parse_model(model, path, c);
	json_decref(model);
	if (ret)
		kt_costs_free(c);
	return ret;
}

/* One test a line, in name order: a model committed for CI diffs well. */
#define COSTS_JSON_FLAGS (JSON_INDENT(2) | JSON_SORT_KEYS | \
			  JSON_REAL_PRECISION(12))

int kt_costs_save(const char *path, const struct kt_costs *c)
{
	json_t *tests = json_object(), *model;
	size_t i;
	int ret;

	for (i = 0; tests && i < c->nr_tests; i++)
		if (json_object_set_new(tests, c->tests[i].name,
					kt_json_real(c->tests[i].run_s, 3))) {
			json_decref(tests);
			return kt_fail("costs %s: test %s: not stored (not UTF-8, or out of memory)",
				       path, c->tests[i].name);
		}
	model = json_pack("{s:i, s:o, s:o, s:b, s:o}", "version", COSTS_VERSION,
			  "boot_base_s", kt_json_real(c->boot_base_s, 3),
			  "boot_per_cpu_s", kt_json_real(c->boot_per_cpu_s, 4),
			  "calibrated", c->calibrated, "tests", tests);
	if (!model)
		return kt_fail("costs %s: out of memory", path);
	ret = kt_json_save("costs", path, model, COSTS_JSON_FLAGS);
	json_decref(model);
	return ret;
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
