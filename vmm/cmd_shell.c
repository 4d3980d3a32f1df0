// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr shell: boot a topology and give the user a shell on it, or run
 * one command and exit with its status.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "error.h"
#include "launch.h"
#include "payload.h"

#define SHELL_EXEC_TIMEOUT_S 3600

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ktstr shell --topology T [options] [--exec CMD]\n\n"
		"Boot a VM of topology T.  With --exec, run CMD (/bin/sh -c) and exit\n"
		"with its status; without, open an interactive shell on this terminal.\n\n"
		"options:\n"
		"  --exec CMD       run CMD instead of an interactive shell\n"
		KT_LAUNCH_HELP
		"\nexit status: the command's; 1 if the VM could not be prepared (no such\n"
		"kernel or --include file); 2 on bad arguments; 124 on timeout; 125 if the\n"
		"VM failed (panic, QEMU error); 128+N when stopped by signal N.\n");
}

int cmd_shell(int argc, char **argv)
{
	static const struct option own[] = {
		{ "exec", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option options[KT_LAUNCH_MAX_OPTIONS];
	struct kt_launch l;
	struct kt_vm_opts o;
	struct kt_vm_result r;
	const char *command = NULL;
	int opt, handled;

	kt_launch_init(&l, 0);
	kt_launch_options(own, options);
	while ((opt = getopt_long(argc, argv, "e:h", options, NULL)) != -1) {
		handled = kt_launch_option(&l, opt, optarg);
		if (handled < 0)
			goto fail;
		if (handled)
			continue;
		if (opt == 'e') {
			command = optarg;
			continue;
		}
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? 0 : KT_EXIT_USAGE;
	}
	if (optind < argc) {
		kt_fail_usage("unexpected argument '%s' (quote the command: --exec '...')",
			      argv[optind]);
		goto fail;
	}
	if (!command && !l.dry_run && !isatty(STDIN_FILENO)) {
		kt_fail_usage("no --exec and stdin is not a terminal");
		goto fail;
	}
	/* The guest would refuse it too, but only after a kernel and image. */
	if (command && strlen(command) > KT_PAYLOAD_COMMAND_MAX) {
		kt_fail_usage("--exec command too long: %zu bytes, at most %d",
			      strlen(command), KT_PAYLOAD_COMMAND_MAX);
		goto fail;
	}
	if (command && !l.timeout_s)
		l.timeout_s = SHELL_EXEC_TIMEOUT_S;
	if (kt_launch_prepare(&l))
		goto fail;
	kt_launch_vm_opts(&l, &o);
	o.command = command;
	o.interactive = !command;
	o.stdout_fd = STDOUT_FILENO;
	o.stderr_fd = STDERR_FILENO;
	if (kt_launch_run(&l, &o, &r))
		goto fail;
	if (l.dry_run)
		return 0;
	kt_launch_report(&r);
	return kt_vm_exit_code(&r);
fail:
	fprintf(stderr, "ktstr shell: %s\n", kt_errmsg());
	return kt_exit_status();
}
