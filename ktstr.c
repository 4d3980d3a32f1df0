// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr: boot a kernel in a VM of a declared CPU topology and test its
 * scheduler there.  This file only dispatches to the subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "vmm/util/compiler.h"
#include "vmm/util/error.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "run the suite's tests, each in its own VM" },
	{ "repro", cmd_repro, "rerun a test whose scheduler exited, with BPF probes" },
	{ "gauntlet", cmd_gauntlet, "run tests over topology presets, profiles and kernels" },
	{ "compare", cmd_compare, "compare two result sets, exit 1 on a regression" },
	{ "verifier", cmd_verifier, "a scheduler's BPF programs: verified instructions, states, time" },
	{ "shell", cmd_shell, "boot a topology and run a shell or a command" },
	{ "topo", cmd_topo, "check that a booted topology matches its declaration" },
	{ "monitor", cmd_monitor, "watch a VM's scheduler from the host, live" },
	{ "kernel", cmd_kernel, "list, fetch and inspect cached kernels" },
	{ "snapshot", cmd_snapshot, "list or clear the saved guests VMs start from" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: ktstr <command> [options]\n\ncommands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'ktstr <command> --help' describes a command.\n"
		"Every command exits 2 on bad arguments, naming the argument.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return KT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "ktstr: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return KT_EXIT_USAGE;
}
