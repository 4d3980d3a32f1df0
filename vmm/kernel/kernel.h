/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernels ktstr boots: entries of the kernel cache, a boot image
 * named by path, or a built kernel tree.  Every form resolves to the same
 * set of files so that the VM and the monitor need not care where a
 * kernel came from.
 *
 * A cache entry is $CACHE/kernels/<version>/ holding vmlinuz, vmlinux
 * (decompressed from vmlinuz), System.map, config and metadata
 * (key=value lines).  The metadata's arch= says which guests it is for;
 * an entry without it is x86_64.  An arm64 entry's vmlinuz is the
 * uncompressed Image, its BTF is vmlinux.btf (cut from the Image), and
 * its vmlinux, if it has one, is the ELF file of the -dbg package without
 * its DWARF.  Entries appear by rename() only, so an entry with
 * metadata is complete; directories starting with '.' are work in
 * progress and are ignored.
 */
#ifndef KTSTR_KERNEL_H
#define KTSTR_KERNEL_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "arch.h"

/* Paths are absolute; an empty string means "not available". */
struct kt_kernel {
	char version[128];
	char release[128];	/* what uname -r says when it runs */
	char dir[PATH_MAX];
	enum kt_arch arch;
	char bzimage[PATH_MAX];	/* the boot image: bzImage, or arm64 Image */
	char vmlinux[PATH_MAX];
	char btf[PATH_MAX];	/* vmlinux.btf, else the vmlinux */
	char system_map[PATH_MAX];
	char config[PATH_MAX];
	char source[PATH_MAX];
};

/*
 * @spec is NULL or "" for the default kernel (the newest cache entry by
 * version order), a cache key ("7.3.4+deb13-cloud-amd64", or a prefix of
 * one such as "7.3": the newest match), a boot image path (bzImage or
 * vmlinux ELF, with System.map and config looked up beside it) or a built
 * kernel tree.  The kernel's config must pass kt_kernel_check_config().
 * The release comes from the cache entry's metadata, else from the boot
 * image itself (the bzImage header, or the banner of a vmlinux); it is
 * "" if neither has one.
 */
int kt_kernel_resolve(const char *spec, struct kt_kernel *k);

/*
 * kt_kernel_resolve() for guests of @arch: the default is the newest
 * release of @arch, a key or prefix matches only entries of @arch, and
 * a kernel of another arch is refused, naming it.  kt_kernel_resolve()
 * is this for x86_64.
 */
int kt_kernel_resolve_arch(const char *spec, enum kt_arch arch,
			   struct kt_kernel *k);

/* Refuses a config without the options a sched_ext test needs. */
int kt_kernel_check_config(const char *config_path);

/* Decompresses the zstd payload of @bzimage to @out_path, atomically. */
int kt_vmlinux_extract(const char *bzimage, const char *out_path);

/* 1 if the ELF @path has a PVH entry note, 0 if not, -1 on error. */
int kt_vmlinux_has_pvh(const char *path);

/*
 * The image to pass to QEMU -kernel: vmlinux when it has a PVH entry
 * (it skips the bzImage decompressor), else the bzImage.  NULL, with the
 * reason recorded, if neither can boot.
 */
const char *kt_kernel_boot_image(const struct kt_kernel *k);
/*
 * What to boot for a guest with KASLR (@kaslr) or without: KASLR is the
 * work of the bzImage's decompressor (arch/x86/boot/compressed/kaslr.c
 * sets KASLR_FLAG, which the kernel checks before randomizing its memory
 * map too); a vmlinux entered at its PVH entry point is never
 * randomized.  So the bzImage if there is one, else what
 * kt_kernel_boot_image() gives, which it gives without KASLR.
 */
const char *kt_kernel_boot_image_kaslr(const struct kt_kernel *k, bool kaslr);
/*
 * A bzImage and vmlinux of different builds (a tree after `make vmlinux`
 * alone): -1 naming both, as the monitor, which reads the vmlinux, would
 * not find the kernel the bzImage boots.  Release, builder and build
 * number are compared; 0 if either string cannot be read.
 */
int kt_kernel_check_builds(const struct kt_kernel *k);
/*
 * What a launch boots: kt_kernel_boot_image_kaslr(), and a bzImage
 * checked against the vmlinux (kt_kernel_check_builds()).  KASLR asked
 * for but not possible (no bzImage) is a note on @note, not an error.
 */
const char *kt_kernel_launch_image(const struct kt_kernel *k, bool kaslr,
				   FILE *note);

/*
 * Adds $CACHE/kernels/@version, replacing an existing entry atomically.
 * @bzimage is a bzImage or an arm64 Image, and the entry's arch is
 * theirs.  @system_map may be NULL or "" when none is available; @origin
 * is a free-form note (where the kernel came from) kept in the metadata.
 * @vmlinux is NULL or "" but for an arm64 Image, whose ELF vmlinux
 * cannot be made from it: then it is that vmlinux, which must have the
 * Image's BTF.
 */
int kt_kernel_install(const char *version, const char *bzimage,
		      const char *config, const char *system_map,
		      const char *origin, const char *vmlinux);

/*
 * One line per cache entry, newest first, with its arch and whether it is
 * the default of its arch; returns the number of entries.
 */
int kt_kernel_list(FILE *out);

#endif
