/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTSTR_CACHE_H
#define KTSTR_CACHE_H

#include <stddef.h>

/*
 * The cache root: $KTSTR_CACHE_DIR, else $XDG_CACHE_HOME/ktstr, else
 * $HOME/.cache/ktstr.  kt_cache_path() joins a subpath to it and creates
 * the directories on the way (not the last component).
 */
int kt_cache_dir(char *buf, size_t len);
int kt_cache_path(char *buf, size_t len, const char *subpath);
int kt_mkdir_p(const char *path, unsigned int mode);
/*
 * Removes @dir and the files in it, as far as it can: for directories
 * ktstr made without subdirectories (a VM's run files, a snapshot).
 */
void kt_remove_flat_dir(const char *dir);
/*
 * Removes @path and everything under it, as far as it can, without a
 * shell.  Links are removed, never followed.  Directories the owner may
 * not write or search are opened up first, so that a tree with read-only
 * directories (an unpacked tarball, a test's error path) goes too.  A
 * @path that does not exist is nothing to remove.  Returns 0, or -1 with
 * errno set by the first entry that could not be removed; it sets no
 * error message, so a caller cleaning up after a failure keeps its own.
 */
int kt_remove_tree(const char *path);

/*
 * Where ktstr's own files live (topologies/, build/guest/, vmm/ scripts):
 * $KTSTR_ROOT, else the directory of the running executable.
 */
int kt_root_dir(char *buf, size_t len);
/* @rel under ktstr's root directory (kt_root_dir). */
int kt_root_path(char *buf, size_t len, const char *rel);

#endif
