// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler.h"
#include "cache.h"
#include "error.h"
#include "guest.h"

#define BUSYBOX "/bin/busybox"

/* busybox names its own applets; each becomes a symlink to it. */
static int add_busybox(struct kt_initramfs *ir)
{
	char line[PATH_MAX], guest[PATH_MAX + 1];
	int ret = 0;
	FILE *p;

	if (access(BUSYBOX, X_OK))
		return kt_fail_errno("%s (package busybox-static)", BUSYBOX);
	if (kt_initramfs_add_file(ir, BUSYBOX, BUSYBOX, 0))
		return -1;
	p = popen(BUSYBOX " --list-full", "r");
	if (!p)
		return kt_fail_errno("cannot run %s --list-full", BUSYBOX);
	while (!ret && fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line || !strcmp(line, "bin/busybox"))
			continue;
		snprintf(guest, sizeof(guest), "/%s", line);
		ret = kt_initramfs_add_symlink(ir, guest, BUSYBOX);
	}
	if (pclose(p) && !ret)
		return kt_fail("%s --list-full failed", BUSYBOX);
	return ret;
}

static int add_own_files(struct kt_initramfs *ir)
{
	char root[PATH_MAX], path[PATH_MAX + 64];

	if (kt_root_dir(root, sizeof(root)))
		return -1;
	snprintf(path, sizeof(path), "%s/build/guest/init", root);
	if (access(path, R_OK))
		return kt_fail_errno("guest init %s (run 'make')", path);
	if (kt_initramfs_add_file(ir, path, "/init", 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/vmm/guest/topo-dump.sh", root);
	return kt_initramfs_add_file(ir, path, "/ktstr/topo-dump.sh", 0755);
}

struct kt_initramfs *kt_guest_image(void)
{
	static const char * const dirs[] = {
		"/dev", "/proc", "/sys", "/tmp", "/run", "/root", "/etc",
		"/usr/bin", "/usr/sbin", "/sbin",
	};
	struct kt_initramfs *ir = kt_initramfs_new();
	size_t i;

	if (!ir) {
		kt_fail("out of memory");
		return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (kt_initramfs_add_dir(ir, dirs[i], 0755))
			goto fail;
	/* The kernel opens it for /init's stdio before devtmpfs exists. */
	if (kt_initramfs_add_chardev(ir, "/dev/console", 0600, 5, 1) ||
	    kt_initramfs_add_data(ir, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n",
				  30, 0644) ||
	    add_own_files(ir) || add_busybox(ir))
		goto fail;
	return ir;
fail:
	kt_initramfs_free(ir);
	return NULL;
}

int kt_guest_add_includes(struct kt_initramfs *ir, char *const *paths,
			  unsigned int count)
{
	char abs[PATH_MAX], cwd[PATH_MAX], why[1024];
	unsigned int i;

	for (i = 0; i < count; i++) {
		if (access(paths[i], F_OK))
			return kt_fail_errno("--include %s", paths[i]);
		/*
		 * Absolute but not resolved: --include /usr/bin/python3 must
		 * give the guest a python3, not only the python3.11 it
		 * points to (add_tree follows a top-level symlink itself).
		 */
		if (paths[i][0] == '/')
			snprintf(abs, sizeof(abs), "%s", paths[i]);
		else if (!getcwd(cwd, sizeof(cwd)) ||
			 snprintf(abs, sizeof(abs), "%s/%s", cwd, paths[i]) >=
			 (int)sizeof(abs))
			return kt_fail("--include %s: path too long", paths[i]);
		if (kt_initramfs_add_tree(ir, abs, abs)) {
			snprintf(why, sizeof(why), "%s", kt_errmsg());
			return kt_fail("--include %s: %s", paths[i], why);
		}
	}
	return 0;
}
