// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr repro [--kprobe FUNC]... TEST...: run tests as `ktstr run` does
 * (opt-in ones included) and, for each whose scheduler exited, expected
 * or not, boot the probe VM and print its AUTO-PROBE report.  --kprobe
 * probes FUNC with kprobe/kretprobe even where fentry works (passed to
 * the repro as $KTSTR_REPRO_KPROBE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "error.h"
#include "repro.h"

/* Append @func to $KTSTR_REPRO_KPROBE. */
static int force_kprobe(const char *func)
{
	const char *old = getenv(KT_REPRO_KPROBE_ENV);
	char buf[1024];

	if (!kt_repro_func_name_ok(func, strlen(func))) {
		fprintf(stderr, "ktstr repro: --kprobe: '%s' is not a function name\n",
			func);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s%s%s", old ? old : "",
		 old && *old ? "," : "", func);
	return setenv(KT_REPRO_KPROBE_ENV, buf, 1);
}

int cmd_repro(int argc, char **argv)
{
	char **args;
	int i, n = 3, ret;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout,
			"Usage: ktstr repro [--kprobe FUNC]... [ktstr run options] TEST...\n\n"
			"Run TEST and, if its sched_ext scheduler exited (even where the\n"
			"test expects it), rerun it in a second VM with BPF probes on the\n"
			"crash path; the AUTO-PROBE report is in its TAP diagnostics.\n"
			"--kprobe FUNC probes kernel function FUNC with kprobe/kretprobe\n"
			"instead of fentry/fexit, on the crash path or not.\n\n"
			"exit status: as for 'ktstr run' (2 on bad arguments).\n");
		return argc < 2 ? KT_EXIT_USAGE : 0;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--no-auto-repro") ||
		    !strcmp(argv[i], "--repro")) {
			fprintf(stderr, "ktstr repro: %s: the probe VM is what ktstr repro runs\n",
				argv[i]);
			return KT_EXIT_USAGE;
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
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kprobe") && i + 1 < argc) {
			if (force_kprobe(argv[++i]))
				goto bad;
		} else if (!strncmp(argv[i], "--kprobe=", 9)) {
			if (force_kprobe(argv[i] + 9))
				goto bad;
		} else if (!strcmp(argv[i], "--kprobe")) {
			fprintf(stderr, "ktstr repro: --kprobe needs a function name\n");
			goto bad;
		} else {
			args[n++] = argv[i];
		}
	}
	ret = cmd_run(n, args);
	free(args);
	return ret;
bad:
	free(args);
	return KT_EXIT_USAGE;
}
