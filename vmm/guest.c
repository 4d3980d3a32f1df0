// SPDX-License-Identifier: GPL-2.0
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler.h"
#include "cache.h"
#include "elfdeps.h"
#include "error.h"
#include "guest.h"

#define BUSYBOX "/bin/busybox"

/*
 * Where a guest architecture's programs are built (make, make ARCH=arm64)
 * and what they are for.  The host's busybox serves the host's arch; the
 * build of another arch brings its own, from its sysroot.
 */
struct guest_arch {
	const char *name;	/* --arch */
	const char *build;	/* under ktstr's root */
	unsigned int machine;
	bool host_busybox;
	const char *make;	/* what builds it */
};

static const struct guest_arch arches[] = {
	{ "x86_64", "build", EM_X86_64, true, "make" },
	{ "arm64", "build/arm64", EM_AARCH64, false, "make arm64" },
};

static const struct guest_arch *find_arch(const char *name)
{
	size_t i;

	if (!name)
		return &arches[0];
	for (i = 0; i < ARRAY_SIZE(arches); i++)
		if (!strcmp(arches[i].name, name))
			return &arches[i];
	kt_fail_usage("--arch %s: ktstr builds guests for x86_64 and arm64",
		      name);
	return NULL;
}

int kt_guest_build_path(const char *arch, const char *what, char *buf,
			size_t len)
{
	const struct guest_arch *a = find_arch(arch);
	char rel[PATH_MAX];

	if (!a)
		return -1;
	if (snprintf(rel, sizeof(rel), "%s/%s", a->build, what) >=
	    (int)sizeof(rel))
		return kt_fail("path too long: %s/%s", a->build, what);
	return kt_root_path(buf, len, rel);
}

const char *kt_guest_make(const char *arch)
{
	const struct guest_arch *a = find_arch(arch);

	return a ? a->make : NULL;
}

int kt_guest_check_program(const char *arch, const char *what,
			   const char *path)
{
	const struct guest_arch *a = find_arch(arch);
	char have[32], want[32], why[1024];
	struct kt_elf_program p;

	if (!a)
		return -1;
	if (kt_elf_program(path, &p)) {
		snprintf(why, sizeof(why), "%s", kt_errmsg());
		return kt_fail_usage("%s: %s", what, why);
	}
	if (!p.is_program || p.machine == a->machine)
		return 0;
	return kt_fail_usage("%s: %s is a program for %s, and %s guests run %s programs ('%s' builds those in %s/)",
			     what, path,
			     kt_elf_machine_name(p.machine, have, sizeof(have)),
			     a->name,
			     kt_elf_machine_name(a->machine, want, sizeof(want)),
			     a->make, a->build);
}

/* Each line of @list ("usr/bin/ls") becomes a symlink to busybox. */
static int add_applets(struct kt_initramfs *ir, FILE *list)
{
	char line[PATH_MAX], guest[PATH_MAX + 1];
	int ret = 0;

	while (!ret && fgets(line, sizeof(line), list)) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line || !strcmp(line, "bin/busybox"))
			continue;
		snprintf(guest, sizeof(guest), "/%s", line);
		ret = kt_initramfs_add_symlink(ir, guest, BUSYBOX);
	}
	return ret;
}

/* busybox names its own applets; each becomes a symlink to it. */
static int add_host_busybox(struct kt_initramfs *ir)
{
	int ret;
	FILE *p;

	if (access(BUSYBOX, X_OK))
		return kt_fail_errno("%s (package busybox-static)", BUSYBOX);
	if (kt_initramfs_add_file(ir, BUSYBOX, BUSYBOX, 0))
		return -1;
	p = popen(BUSYBOX " --list-full", "r");
	if (!p)
		return kt_fail_errno("cannot run %s --list-full", BUSYBOX);
	ret = add_applets(ir, p);
	if (pclose(p) && !ret)
		return kt_fail("%s --list-full failed", BUSYBOX);
	return ret;
}

/*
 * The build's busybox (make ARCH=arm64 copies the sysroot's), which the
 * host cannot run: its applet list is the host busybox's when the build
 * found both of the same Debian version (guest/busybox.applets), else
 * the guest's /init makes the links (busybox --install -s).
 */
static int add_build_busybox(struct kt_initramfs *ir,
			     const struct guest_arch *a)
{
	char path[PATH_MAX];
	int ret;
	FILE *f;

	if (kt_guest_build_path(a->name, "guest/busybox", path, sizeof(path)))
		return -1;
	if (access(path, R_OK))
		return kt_fail_errno("%s busybox %s (run 'make ARCH=%s')",
				     a->name, path, a->name);
	if (kt_initramfs_add_file(ir, path, BUSYBOX, 0755) ||
	    kt_guest_build_path(a->name, "guest/busybox.applets", path,
				sizeof(path)))
		return -1;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 :
		       kt_fail_errno("cannot read %s", path);
	ret = add_applets(ir, f);
	if (ferror(f) && !ret)
		ret = kt_fail("cannot read %s", path);
	fclose(f);
	return ret;
}

static int add_own_files(struct kt_initramfs *ir, const struct guest_arch *a)
{
	char path[PATH_MAX];

	if (kt_guest_build_path(a->name, "guest/init", path, sizeof(path)))
		return -1;
	if (access(path, R_OK))
		return kt_fail_errno("guest init %s (run 'make%s%s')", path,
				     a->host_busybox ? "" : " ARCH=",
				     a->host_busybox ? "" : a->name);
	if (kt_initramfs_add_file(ir, path, "/init", 0755) ||
	    kt_root_path(path, sizeof(path), "vmm/guest/topo-dump.sh"))
		return -1;
	return kt_initramfs_add_file(ir, path, "/ktstr/topo-dump.sh", 0755);
}

struct kt_initramfs *kt_guest_image_for(const char *arch)
{
	static const char * const dirs[] = {
		"/dev", "/proc", "/sys", "/tmp", "/run", "/root", "/etc",
		"/usr/bin", "/usr/sbin", "/sbin",
	};
	const struct guest_arch *a = find_arch(arch);
	struct kt_initramfs *ir;
	size_t i;

	if (!a)
		return NULL;
	ir = kt_initramfs_new();
	if (!ir)
		return NULL;
	kt_initramfs_set_machine(ir, a->machine);
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (kt_initramfs_add_dir(ir, dirs[i], 0755))
			goto fail;
	/* The kernel opens it for /init's stdio before devtmpfs exists. */
	if (kt_initramfs_add_chardev(ir, "/dev/console", 0600, 5, 1) ||
	    kt_initramfs_add_data(ir, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n",
				  30, 0644) ||
	    add_own_files(ir, a) ||
	    (a->host_busybox ? add_host_busybox(ir) : add_build_busybox(ir, a)))
		goto fail;
	return ir;
fail:
	kt_initramfs_free(ir);
	return NULL;
}

struct kt_initramfs *kt_guest_image(void)
{
	return kt_guest_image_for(NULL);
}

/* Whether two files hold the same bytes; false if either cannot be read. */
static bool same_content(const char *a, const char *b)
{
	char buf_a[8192], buf_b[8192];
	FILE *fa = fopen(a, "re"), *fb = fopen(b, "re");
	bool same = fa && fb;
	size_t na, nb;

	while (same) {
		na = fread(buf_a, 1, sizeof(buf_a), fa);
		nb = fread(buf_b, 1, sizeof(buf_b), fb);
		same = na == nb && !memcmp(buf_a, buf_b, na);
		if (na < sizeof(buf_a))
			break;
	}
	same = same && !ferror(fa) && !ferror(fb);
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* Why @k's guests cannot have its config, or NULL if they can. */
static const char *no_config_reason(const struct kt_kernel *k)
{
	if (!k->config[0])
		return "no config was found for it";
	if (!k->release[0])
		return "its release (uname -r) is unknown";
	if (strchr(k->release, '/'))
		return "its release (uname -r) contains '/'";
	return NULL;
}

/*
 * Whether one of @kernels[0..@n) already took @k's release; one with
 * another config is not replaced silently.
 */
static bool release_taken(const struct kt_kernel *const *kernels, size_t n,
			  const struct kt_kernel *k)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (no_config_reason(kernels[i]) ||
		    strcmp(kernels[i]->release, k->release))
			continue;
		if (!same_content(kernels[i]->config, k->config))
			fprintf(stderr, "ktstr: warning: kernels %s and %s both call themselves %s, with different configs: guests of both read the config of %s\n",
				kernels[i]->version, k->version, k->release,
				kernels[i]->version);
		return true;
	}
	return false;
}

int kt_guest_add_kernel_configs(struct kt_initramfs *ir,
				const struct kt_kernel *const *kernels,
				size_t count)
{
	char guest[sizeof(kernels[0]->release) + 32];
	const char *why;
	size_t i;

	for (i = 0; i < count; i++) {
		why = no_config_reason(kernels[i]);
		if (why) {
			fprintf(stderr, "ktstr: warning: kernel %s: %s, so its guests have no /boot/config-$(uname -r): schedulers with __kconfig externs (scx_central) cannot load there\n",
				kernels[i]->version, why);
			continue;
		}
		if (release_taken(kernels, i, kernels[i]))
			continue;
		snprintf(guest, sizeof(guest), "/boot/config-%s",
			 kernels[i]->release);
		if (kt_initramfs_add_file(ir, kernels[i]->config, guest, 0644))
			return -1;
	}
	return 0;
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
