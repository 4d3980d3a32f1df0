/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel symbol addresses: from the vmlinux ELF symbol table when it has
 * one, else from System.map ("<hex address> <type> <name>" lines).
 */
#ifndef KTSTR_MONITOR_SYMBOLS_H
#define KTSTR_MONITOR_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"

struct kt_symbol {
	uint64_t addr;
	char *name;
};

struct kt_symbols {
	struct kt_symbol *by_name;	/* sorted by name */
	size_t count;
	char source[4096];		/* the file they came from */
};

/* @vmlinux's .symtab if it has one, else @system_map (may be NULL). */
int kt_symbols_load(struct kt_symbols *s, const char *vmlinux,
		    const char *system_map);
int kt_symbols_load_map(struct kt_symbols *s, const char *system_map);
void kt_symbols_free(struct kt_symbols *s);
/* 0 and the address, or -1 (no message: absence is often expected). */
int kt_symbols_find(const struct kt_symbols *s, const char *name,
		    uint64_t *addr);
/*
 * The bytes @vmlinux's loadable segments hold at link address @addr: up
 * to @len, fewer (*@got) where the segment ends.
 */
int kt_vmlinux_read(const char *vmlinux, uint64_t addr, void *buf,
		    size_t len, size_t *got);
/*
 * The arch @vmlinux's kernel runs on, from its ELF header: x86_64 or
 * arm64 (64-bit, little-endian); an error naming anything else.
 */
int kt_vmlinux_arch(const char *vmlinux, enum kt_arch *arch);

#endif
