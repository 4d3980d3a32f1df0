/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's initramfs: an in-memory list of what goes where, written
 * as a newc cpio archive into the cache, named by the SHA-256 of its
 * content so that an unchanged image is built once.
 *
 * Guest paths are absolute; "." and ".." are resolved by the text alone
 * (the guest tree is built from real directories, so that is how the
 * guest resolves them too).  Missing parent directories are created with
 * mode 0755.  Adding a guest path that is already there replaces the
 * earlier entry, whatever its type; replacing a directory that still has
 * entries below it with anything but a directory fails at build time.
 * The one exception: libraries and files pulled in automatically for an
 * ELF program never replace an entry that is already there.
 *
 * Host files are read at build time, not when added, so they must not
 * change in between or during the build.
 */
#ifndef KTSTR_INITRAMFS_H
#define KTSTR_INITRAMFS_H

#include <stddef.h>

struct kt_initramfs;

/* NULL with kt_errmsg() set if out of memory. */
struct kt_initramfs *kt_initramfs_new(void);
void kt_initramfs_free(struct kt_initramfs *ir);

/*
 * The ELF machine (EM_X86_64, EM_AARCH64) of the guest's programs; the
 * host's unless set.  Every file added as a program (kt_initramfs_add_file,
 * and files with an execute bit under kt_initramfs_add_tree) that is an
 * ELF executable or shared object for another machine is refused, and,
 * for a machine other than the host's, so is a dynamically linked one:
 * its loader and libraries would be the host's.  Relocatable objects (BPF
 * programs) and other files are data.
 */
void kt_initramfs_set_machine(struct kt_initramfs *ir, unsigned int machine);

/* A regular file holding a copy of @len bytes at @data. */
int kt_initramfs_add_data(struct kt_initramfs *ir, const char *guest_path,
			  const void *data, size_t len, unsigned int mode);

/*
 * The regular file at @host_path (symlinks followed), with @mode, or the
 * host file's permissions if @mode is 0.  For a dynamic ELF program its
 * interpreter and libraries are added too, each at its host path (see
 * kt_elf_deps()), with the host's /etc/ld.so.cache so that the guest
 * loader searches where the host one does.  A dynamic program reached
 * through a host symlink is stored at its real path, with a symlink at
 * @guest_path, so that $ORIGIN means in the guest what it means on the
 * host.
 */
int kt_initramfs_add_file(struct kt_initramfs *ir, const char *host_path,
			  const char *guest_path, unsigned int mode);

/*
 * A file as with kt_initramfs_add_file(), or a directory and everything
 * below it: directories, regular files, symlinks (kept as symlinks, the
 * target unchanged) and character devices.  Only @host_path itself is
 * followed if it is a symlink.  ELF dependencies are added for files
 * with an execute bit.  Used for `--include`.
 */
int kt_initramfs_add_tree(struct kt_initramfs *ir, const char *host_path,
			  const char *guest_path);

int kt_initramfs_add_dir(struct kt_initramfs *ir, const char *guest_path,
			 unsigned int mode);
int kt_initramfs_add_symlink(struct kt_initramfs *ir, const char *guest_path,
			     const char *target);
int kt_initramfs_add_chardev(struct kt_initramfs *ir, const char *guest_path,
			     unsigned int mode, unsigned int major,
			     unsigned int minor);

/*
 * Writes the archive unless the cache already has it, and puts its path,
 * <cache root>/initramfs/<sha256>.cpio (see cache.h), in @out_path.  It is
 * written under a temporary name and renamed when complete, so a crash
 * never leaves a partial file under a valid name; on failure nothing is
 * left behind.  Entries are sorted by path, so parents come first.
 */
int kt_initramfs_build(struct kt_initramfs *ir, char *out_path,
		       size_t out_len);

#endif
