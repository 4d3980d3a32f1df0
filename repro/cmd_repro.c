// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr repro TEST...: run tests as `ktstr run` does (opt-in ones
 * included) and, for each whose scheduler exited, expected or not, boot
 * the probe VM and print its AUTO-PROBE report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

int cmd_repro(int argc, char **argv)
{
	char **args;
	int i, ret;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout,
			"Usage: ktstr repro [ktstr run options] TEST...\n\n"
			"Run TEST and, if its sched_ext scheduler exited (even where the\n"
			"test expects it), rerun it in a second VM with BPF probes on the\n"
			"crash path; the AUTO-PROBE report is in its TAP diagnostics.\n");
		return argc < 2 ? 2 : 0;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--no-auto-repro") ||
		    !strcmp(argv[i], "--repro")) {
			fprintf(stderr, "ktstr repro: %s: the probe VM is what ktstr repro runs\n",
				argv[i]);
			return 2;
		}
	}
	args = calloc(argc + 3, sizeof(*args));
	if (!args) {
		fprintf(stderr, "ktstr repro: out of memory\n");
		return 1;
	}
	args[0] = "run";
	args[1] = "--repro";
	args[2] = "--opt-in";
	for (i = 1; i < argc; i++)
		args[i + 2] = argv[i];
	ret = cmd_run(argc + 2, args);
	free(args);
	return ret;
}
