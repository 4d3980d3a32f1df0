// SPDX-License-Identifier: GPL-2.0
/* ./ktstr kernel: list, fetch, install and inspect kernels. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "commands.h"
#include "error.h"
#include "kernel.h"

static const char usage_text[] =
"usage: ktstr kernel <subcommand>\n"
"\n"
"  list                      cached kernels, newest first, with their arch\n"
"                            and the default of each arch\n"
"  fetch [--arch A] [--version V]\n"
"                            download the default kernel of arch A and its\n"
"                            source into the cache (config/default-kernel,\n"
"                            config/default-kernel-arm64)\n"
"  show [--arch A] [KERNEL]  the files a --kernel value resolves to\n"
"  install [--vmlinux ELF] VERSION IMAGE CONFIG SYSTEM_MAP [ORIGIN]\n"
"                            add a kernel to the cache: IMAGE is a bzImage\n"
"                            or an arm64 Image, with its ELF vmlinux (arm64\n"
"                            only; its BTF must be the Image's); SYSTEM_MAP\n"
"                            may be \"\" when there is none\n"
"  extract-vmlinux BZIMAGE OUT\n"
"                            decompress the vmlinux ELF from a bzImage\n"
"  check-config FILE         refuse a config that cannot run sched_ext\n"
"\n"
"KERNEL is a cache key or a prefix of one (7.3), a bzImage, Image or vmlinux\n"
"path, or a built kernel tree; none means the default.  A is x86_64 (the\n"
"default) or arm64; a kernel of another arch is refused.\n"
"\n"
"exit status: 0 on success, 1 on an error, 2 on bad arguments.\n";

static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") ||
		    !strcmp(argv[i], "help"))
			return true;
	return false;
}

#define usage_error(...) kt_usage_exit("kernel", usage_text, __VA_ARGS__)

static int failed(void)
{
	fprintf(stderr, "ktstr: %s\n", kt_errmsg());
	return kt_exit_status();
}

static int kernel_list(void)
{
	char dir[PATH_MAX];
	int n = kt_kernel_list(stdout);

	if (n < 0)
		return failed();
	if (!n && !kt_cache_dir(dir, sizeof(dir)))
		fprintf(stderr, "ktstr: no kernel in the cache (%s/kernels): run 'make deps' or './ktstr kernel fetch'\n",
			dir);
	return 0;
}

static void show_field(const char *name, const char *value)
{
	printf("%-12s %s\n", name, *value ? value : "-");
}

/*
 * --arch A or --arch=A at @argv[*i], moving past it: 1 if it is one, 0
 * if not, -1 (a usage error recorded) if A is missing or no arch.
 */
static int arch_option(int argc, char **argv, int *i, enum kt_arch *arch)
{
	const char *value;

	if (!strncmp(argv[*i], "--arch=", 7))
		value = argv[*i] + 7;
	else if (!strcmp(argv[*i], "--arch") && *i + 1 < argc)
		value = argv[++*i];
	else if (!strcmp(argv[*i], "--arch"))
		return kt_fail_usage("--arch needs a value: x86_64 or arm64");
	else
		return 0;
	return kt_arch_parse(value, arch) ? -1 : 1;
}

static int kernel_show(int argc, char **argv)
{
	enum kt_arch arch = KT_ARCH_X86_64;
	const char *boot, *boot_nokaslr, *spec = NULL;
	struct kt_kernel k;
	int i, r;

	for (i = 1; i < argc; i++) {
		r = arch_option(argc, argv, &i, &arch);
		if (r < 0)
			return usage_error("show: %s", kt_errmsg());
		if (!r && spec)
			return usage_error("show: unexpected argument '%s'",
					   argv[i]);
		if (!r)
			spec = argv[i];
	}
	if (kt_kernel_resolve_arch(spec, arch, &k))
		return failed();
	boot = kt_kernel_boot_image_kaslr(&k, true);
	boot_nokaslr = kt_kernel_boot_image_kaslr(&k, false);
	show_field("version", k.version);
	show_field("arch", kt_arch_name(k.arch));
	show_field("dir", k.dir);
	show_field("bzimage", k.bzimage);
	show_field("vmlinux", k.vmlinux);
	show_field("btf", k.btf);
	show_field("system_map", k.system_map);
	show_field("config", k.config);
	show_field("source", k.source);
	show_field("boot", boot ? boot : "");
	show_field("boot_nokaslr", boot_nokaslr ? boot_nokaslr : "");
	return 0;
}

/* The script lives in the tree next to the binary, not on $PATH. */
static int fetch_script(char *exe, size_t exe_len, char *script,
			size_t script_len)
{
	ssize_t n = readlink("/proc/self/exe", exe, exe_len - 1);
	char *slash;

	if (n < 0)
		return kt_fail_errno("cannot read /proc/self/exe");
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (snprintf(script, script_len, "%.*s/vmm/kernel/kernel-fetch.sh",
		     (int)(slash - exe), exe) >= (int)script_len)
		return kt_fail("path too long: %s", exe);
	if (access(script, R_OK))
		return kt_fail_errno("cannot find the fetch script %s", script);
	return 0;
}

static int kernel_fetch(int argc, char **argv)
{
	char exe[PATH_MAX], script[PATH_MAX + 32];
	enum kt_arch arch = KT_ARCH_X86_64;
	const char *version = NULL;
	char *args[10];
	int i, n = 0, r;

	for (i = 1; i < argc; i++) {
		r = arch_option(argc, argv, &i, &arch);
		if (r < 0)
			return usage_error("fetch: %s", kt_errmsg());
		if (r)
			continue;
		if (!strcmp(argv[i], "--version") && i + 1 < argc)
			version = argv[++i];
		else if (!strncmp(argv[i], "--version=", 10))
			version = argv[i] + 10;
		else
			return usage_error("fetch: unexpected argument '%s'",
					   argv[i]);
	}
	if (fetch_script(exe, sizeof(exe), script, sizeof(script)))
		return failed();
	args[n++] = "bash";
	args[n++] = script;
	args[n++] = "--ktstr";
	args[n++] = exe;
	args[n++] = "--arch";
	args[n++] = (char *)kt_arch_name(arch);
	if (version) {
		args[n++] = "--version";
		args[n++] = (char *)version;
	}
	args[n] = NULL;
	fflush(NULL);
	execvp("bash", args);
	kt_fail_errno("cannot run bash %s", script);
	return failed();
}

static int kernel_install(int argc, char **argv)
{
	const char *vmlinux = NULL;

	if (argc > 1 && !strncmp(argv[1], "--vmlinux=", 10)) {
		vmlinux = argv[1] + 10;
		argc--;
		argv++;
	} else if (argc > 2 && !strcmp(argv[1], "--vmlinux")) {
		vmlinux = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 5 || argc > 6)
		return usage_error("install: needs [--vmlinux ELF] VERSION IMAGE CONFIG SYSTEM_MAP [ORIGIN]");
	if (kt_kernel_install(argv[1], argv[2], argv[3], argv[4],
			      argc == 6 ? argv[5] : "manual", vmlinux))
		return failed();
	printf("installed kernel %s\n", argv[1]);
	return 0;
}

static int kernel_extract(int argc, char **argv)
{
	if (argc != 3)
		return usage_error("extract-vmlinux: needs BZIMAGE OUT");
	return kt_vmlinux_extract(argv[1], argv[2]) ? failed() : 0;
}

static int kernel_check_config(int argc, char **argv)
{
	if (argc != 2)
		return usage_error("check-config: needs FILE");
	return kt_kernel_check_config(argv[1]) ? failed() : 0;
}

int cmd_kernel(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub)
		return usage_error("missing subcommand");
	if (wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return 0;
	}
	argc--;
	argv++;
	if (!strcmp(sub, "list") && argc == 1)
		return kernel_list();
	if (!strcmp(sub, "show"))
		return kernel_show(argc, argv);
	if (!strcmp(sub, "fetch"))
		return kernel_fetch(argc, argv);
	if (!strcmp(sub, "install"))
		return kernel_install(argc, argv);
	if (!strcmp(sub, "extract-vmlinux"))
		return kernel_extract(argc, argv);
	if (!strcmp(sub, "check-config"))
		return kernel_check_config(argc, argv);
	return usage_error("unknown subcommand or arguments: '%s'", sub);
}
