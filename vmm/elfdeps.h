/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared objects a dynamic ELF program needs at run time, found the
 * way the host's ld.so finds them, so that the guest can run a host
 * program from the initramfs.
 */
#ifndef KTSTR_ELFDEPS_H
#define KTSTR_ELFDEPS_H

#include <stdbool.h>
#include <stddef.h>

#include "strlist.h"

/*
 * Appends to @out the host paths of @path's ELF interpreter (PT_INTERP)
 * and of every library in its DT_NEEDED closure, each spelled the way
 * the loader opens it, which is the name the guest needs: a library found
 * through a symlink is recorded under the symlink's path.  The order is
 * the interpreter, then libraries breadth first, as ld.so loads them.
 *
 * Libraries are searched, per needing object, in DT_RPATH (if it has no
 * DT_RUNPATH, then also those of the objects that loaded it), DT_RUNPATH,
 * the directories of /etc/ld.so.conf (with its includes), then
 * /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib64, /lib and
 * /usr/lib.  $ORIGIN is expanded; search entries using other dynamic
 * string tokens are skipped.  A candidate of another ELF class or machine
 * is passed over, as ld.so does.  LD_LIBRARY_PATH is ignored: the guest
 * does not have the host's environment.
 *
 * A static program, or a file that is not ELF (a script), adds nothing
 * and is not an error.  A missing or unreadable @path, a missing
 * interpreter or a library found nowhere is; @out is unchanged then.
 */
int kt_elf_deps(const char *path, struct kt_strlist *out);

/* What an image must know of a file before it takes it as a program. */
struct kt_elf_program {
	bool is_program;	/* an ELF executable or shared object */
	bool needs_loader;	/* it has a PT_INTERP: dynamically linked */
	unsigned int machine;	/* e_machine: EM_X86_64, EM_AARCH64 ... */
};

/*
 * Fills @out for @path; a file that is not ELF, or an ELF relocatable
 * object (a BPF program), is no program.  A missing, unreadable or
 * malformed ELF file is an error.
 */
int kt_elf_program(const char *path, struct kt_elf_program *out);

/* "x86_64", "aarch64", or "ELF machine N" in @buf. */
const char *kt_elf_machine_name(unsigned int machine, char *buf, size_t len);

#endif
