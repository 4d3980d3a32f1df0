// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr compare A B: what changed from result set A to result set B.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "baseline.h"
#include "commands.h"
#include "compare.h"
#include "error.h"

static void usage(FILE *out)
{
	unsigned int i;

	fprintf(out,
		"Usage: ktstr compare [options] A B\n\n"
		"Pair the results of A and B (directories written by --json, or names\n"
		"of baselines kept with --baseline) by test, topology, scheduler and\n"
		"kernel; print each metric that got better or worse by more than both\n"
		"its absolute and its relative threshold.\n\n"
		"options:\n"
		"  --threshold METRIC=ABS,REL%%   override a threshold (repeatable)\n"
		"  --pair-scheduler SA=SB        pair A's scheduler SA with B's SB\n"
		"\nmetrics and default thresholds (absolute, relative):\n");
	for (i = 0; i < KT_NR_METRICS; i++)
		fprintf(out, "  %-24s %8g %5.0f%%  (%s is better)\n",
			kt_metrics[i].name, kt_metrics[i].def.abs,
			kt_metrics[i].def.rel * 100,
			kt_metrics[i].higher_is_better ? "higher" : "lower");
	fprintf(out, "\nexit status: 0 without regressions, 1 with one or when nothing pairs,\n"
		"2 on bad arguments or a result set that cannot be read.\n");
}

static int pair_scheduler(struct kt_compare_opts *o, const char *s)
{
	const char *eq = strchr(s, '=');

	if (!eq || eq == s || !eq[1] || (size_t)(eq - s) >= sizeof(o->sched_a) ||
	    strlen(eq + 1) >= sizeof(o->sched_b))
		return kt_fail_usage("--pair-scheduler '%s': expected SCHED_A=SCHED_B", s);
	snprintf(o->sched_a, sizeof(o->sched_a), "%.*s", (int)(eq - s), s);
	snprintf(o->sched_b, sizeof(o->sched_b), "%s", eq + 1);
	return 0;
}

static int parse(int argc, char **argv, struct kt_compare_opts *o)
{
	static const struct option options[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "pair-scheduler", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	kt_compare_defaults(o);
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (opt == 't' && kt_compare_parse_threshold(o, optarg))
			return -1;
		if (opt == 'p' && pair_scheduler(o, optarg))
			return -1;
		if (opt == 't' || opt == 'p')
			continue;
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? 1 : 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "ktstr compare: expected two result sets, A and B; got %d\n",
			argc - optind);
		usage(stderr);
		return 2;
	}
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	char dir_a[4096], dir_b[4096];
	struct kt_compare_opts o;
	struct kt_result_set a, b;
	struct kt_compare_summary sum;
	int ret = parse(argc, argv, &o);

	if (ret < 0) {
		fprintf(stderr, "ktstr compare: %s\n", kt_errmsg());
		return kt_exit_status();
	}
	if (ret)
		return ret == 1 ? 0 : KT_EXIT_USAGE;
	if (kt_baseline_resolve(argv[optind], dir_a, sizeof(dir_a)) ||
	    kt_baseline_resolve(argv[optind + 1], dir_b, sizeof(dir_b)) ||
	    kt_result_set_load(dir_a, &a))
		goto fail;
	if (kt_result_set_load(dir_b, &b)) {
		kt_result_set_free(&a);
		goto fail;
	}
	kt_compare(&a, &b, &o, stdout, &sum);
	printf("# compare: %u pairs, %u regressions, %u improvements, %u only in A, %u only in B\n",
	       sum.pairs, sum.regressions, sum.improvements, sum.only_a,
	       sum.only_b);
	kt_result_set_free(&a);
	kt_result_set_free(&b);
	if (!sum.pairs) {
		fprintf(stderr, "ktstr compare: no result of A pairs with one of B\n");
		return 1;
	}
	return sum.regressions ? 1 : 0;
fail:
	/* Unlike the other commands: A and B are what compare is given. */
	fprintf(stderr, "ktstr compare: %s\n", kt_errmsg());
	return KT_EXIT_USAGE;
}
