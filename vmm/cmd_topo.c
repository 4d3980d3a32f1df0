// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr topo: show a topology as ktstr realizes it, list the presets, and
 * verify that a booted guest kernel sees what was declared.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "error.h"
#include "launch.h"
#include "topo_verify.h"

#define VERIFY_TIMEOUT_S 600

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ktstr topo verify T [options]   boot T, compare the guest's view, print TAP\n"
		"       ktstr topo show T               print T as ktstr will realize it\n"
		"       ktstr topo list                 list the presets in topologies/\n\n"
		"verify options:\n" KT_LAUNCH_HELP
		"\nexit status: 0 on success (verify: every property matches), 1 otherwise,\n"
		"2 on bad arguments, a topology that does not parse among them.\n");
}

static void print_tap(const struct kt_topology *t,
		      const struct kt_topo_report *rep)
{
	unsigned int i;
	char shape[64];

	kt_topology_short(t, shape, sizeof(shape));
	printf("TAP version 13\n1..%u\n", rep->count);
	for (i = 0; i < rep->count; i++) {
		const struct kt_topo_check *c = &rep->checks[i];

		printf("%s %u %s\n", c->ok ? "ok" : "not ok", i + 1, c->name);
		printf("# %s\n", c->detail);
	}
	printf("# topology %s (%s): %u of %u properties match\n", t->name,
	       shape, rep->count - kt_topo_report_failures(rep), rep->count);
}

static int topo_verify(int argc, char **argv)
{
	static const struct option own[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option options[KT_LAUNCH_MAX_OPTIONS];
	struct kt_topo_report rep;
	struct kt_launch l;
	struct kt_vm_opts o;
	struct kt_vm_result r;
	char *dump = NULL;
	int opt, handled, ret;

	kt_launch_init(&l, VERIFY_TIMEOUT_S);
	kt_launch_options(own, options);
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		handled = kt_launch_option(&l, opt, optarg);
		if (handled < 0) {
			fprintf(stderr, "ktstr topo verify: %s\n", kt_errmsg());
			return kt_exit_status();
		}
		if (!handled) {
			usage(opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : KT_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "ktstr topo verify: expected one topology\n");
		return KT_EXIT_USAGE;
	}
	if (kt_launch_option(&l, KT_OPT_TOPOLOGY, argv[optind]) < 0 ||
	    kt_launch_prepare(&l)) {
		fprintf(stderr, "ktstr topo verify: %s\n", kt_errmsg());
		return kt_exit_status();
	}
	kt_launch_vm_opts(&l, &o);
	o.command = "/ktstr/topo-dump.sh";
	o.stderr_fd = STDERR_FILENO;
	o.capture_stdout = &dump;
	if (kt_launch_run(&l, &o, &r)) {
		fprintf(stderr, "ktstr topo verify: %s\n", kt_errmsg());
		return kt_exit_status();
	}
	if (l.dry_run)
		return 0;
	if (r.outcome != KT_VM_EXITED || r.exit_status) {
		kt_launch_report(&r);
		free(dump);
		return r.outcome == KT_VM_INTERRUPTED ? kt_vm_exit_code(&r) : 1;
	}
	ret = kt_topo_verify(&l.topo, dump ? dump : "", l.arch,
			     l.arch == KT_ARCH_ARM64 ? NULL :
			     r.vendor == KT_CPU_AMD ? "AuthenticAMD" :
						      "GenuineIntel", &rep);
	free(dump);
	if (ret) {
		fprintf(stderr, "ktstr topo verify: %s\n", kt_errmsg());
		return 1;
	}
	print_tap(&l.topo, &rep);
	return kt_topo_report_failures(&rep) ? 1 : 0;
}

static int topo_show(const char *spec)
{
	struct kt_topology t;
	struct kt_cpu_place p;
	unsigned int c, i, j;
	char shape[64];

	if (kt_topology_parse(spec, &t)) {
		fprintf(stderr, "ktstr topo show: %s\n", kt_errmsg());
		return kt_exit_status();
	}
	kt_topology_short(&t, shape, sizeof(shape));
	printf("name: %s\nshape: %s\n", t.name, shape);
	if (t.description[0])
		printf("description: %s\n", t.description);
	printf("vcpus: %u\nmemory: %luM\nnodes: %u\n", kt_topology_cpus(&t),
	       t.memory_mib, t.nodes);
	for (i = 0; i < t.nodes; i++)
		printf("node %u: %u vCPUs, %luM\n", i,
		       kt_topology_node_cpus(&t, i),
		       kt_topology_node_memory(&t, i));
	for (i = 0; i < t.nodes; i++) {
		printf("distance:");
		for (j = 0; j < t.nodes; j++)
			printf(" %u", kt_topology_distance(&t, i, j));
		printf("\n");
	}
	for (c = 0; c < kt_topology_cpus(&t); c++) {
		kt_topology_place(&t, c, &p);
		printf("cpu %u: node %u llc %u core %u thread %u", c, p.node,
		       p.llc, p.core, p.thread);
		/* Declared clusters and capacities (arm64's). */
		if (t.arm64_line)
			printf(" cluster %u capacity %u", p.cluster,
			       p.capacity);
		printf("\n");
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int topo_list(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], shape[64], *names[512];
	struct kt_topology t;
	unsigned int n = 0, i;
	struct dirent *de;
	DIR *d;
	int bad = 0;

	if (kt_topology_dir(dir, sizeof(dir))) {
		fprintf(stderr, "ktstr topo list: %s\n", kt_errmsg());
		return KT_EXIT_FAILURE;
	}
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "ktstr topo list: cannot open %s\n", dir);
		return 1;
	}
	while ((de = readdir(d)) && n < 512) {
		size_t len = strlen(de->d_name);

		if (len > 5 && !strcmp(de->d_name + len - 5, ".topo"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (kt_topology_parse_file(path, &t)) {
			fprintf(stderr, "ktstr topo list: %s\n", kt_errmsg());
			bad = 1;
		} else {
			kt_topology_short(&t, shape, sizeof(shape));
			printf("%-20s %-10s %4u vCPUs %6luM  %-6s  %s\n",
			       t.name, shape, kt_topology_cpus(&t),
			       t.memory_mib, t.matrix ? "matrix" : "",
			       t.description);
		}
		free(names[i]);
	}
	return bad;
}

int cmd_topo(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2)
		fprintf(stderr, "ktstr topo: missing subcommand\n");
	else if (!strcmp(argv[1], "verify"))
		return topo_verify(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "show") && argc == 3)
		return topo_show(argv[2]);
	else if (!strcmp(argv[1], "list") && argc == 2)
		return topo_list();
	else if (!strcmp(argv[1], "show"))
		fprintf(stderr, "ktstr topo show: expected one topology\n");
	else if (!strcmp(argv[1], "list"))
		fprintf(stderr, "ktstr topo list: unexpected argument '%s'\n",
			argv[2]);
	else
		fprintf(stderr, "ktstr topo: unknown subcommand '%s'\n",
			argv[1]);
	usage(stderr);
	return KT_EXIT_USAGE;
}
