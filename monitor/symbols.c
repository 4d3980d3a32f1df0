// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "symbols.h"

static int add(struct kt_symbols *s, size_t *cap, const char *name,
	       uint64_t addr)
{
	struct kt_symbol *p;

	if (s->count == *cap) {
		*cap = *cap ? *cap * 2 : 65536;
		p = realloc(s->by_name, *cap * sizeof(*p));
		if (!p)
			return kt_fail("out of memory reading symbols");
		s->by_name = p;
	}
	s->by_name[s->count].name = strdup(name);
	if (!s->by_name[s->count].name)
		return kt_fail("out of memory reading symbols");
	s->by_name[s->count++].addr = addr;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct kt_symbol *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static void finish(struct kt_symbols *s, const char *source)
{
	qsort(s->by_name, s->count, sizeof(s->by_name[0]), by_name);
	snprintf(s->source, sizeof(s->source), "%s", source);
}

int kt_symbols_load_map(struct kt_symbols *s, const char *system_map)
{
	char line[512], type, name[256];
	unsigned long long addr;
	size_t cap = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen(system_map, "r");
	if (!f)
		return kt_fail_errno("System.map %s", system_map);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (add(s, &cap, name, addr)) {
			fclose(f);
			kt_symbols_free(s);
			return -1;
		}
	}
	fclose(f);
	/* Debian's linux-base ships a one-line stub. */
	if (s->count < 1000) {
		size_t count = s->count;

		kt_symbols_free(s);
		return kt_fail("System.map %s has %s symbols: not a kernel's full map",
			       system_map, count ? "too few" : "no");
	}
	finish(s, system_map);
	return 0;
}

/* @path's ELF, and its file in *@fd; NULL with a message if neither. */
static Elf *open_elf(const char *path, int *fd)
{
	Elf *elf;

	elf_version(EV_CURRENT);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		kt_fail_errno("vmlinux %s", path);
		return NULL;
	}
	elf = elf_begin(*fd, ELF_C_READ, NULL);
	if (!elf) {
		close(*fd);
		kt_fail("vmlinux %s: not an ELF file", path);
	}
	return elf;
}

/* 1 if @path has a .symtab and it was read, 0 if it has none. */
static int load_elf(struct kt_symbols *s, const char *path)
{
	Elf_Scn *scn = NULL;
	size_t cap = 0, i, n;
	GElf_Shdr shdr;
	GElf_Sym sym;
	Elf_Data *data;
	int fd, ret = 0;
	Elf *elf;

	elf = open_elf(path, &fd);
	if (!elf)
		return -1;
	while ((scn = elf_nextscn(elf, scn)) && !ret) {
		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_SYMTAB)
			continue;
		data = elf_getdata(scn, NULL);
		n = data && shdr.sh_entsize ? shdr.sh_size / shdr.sh_entsize : 0;
		for (i = 0; i < n; i++) {
			const char *name;

			if (!gelf_getsym(data, i, &sym) || !sym.st_value)
				continue;
			name = elf_strptr(elf, shdr.sh_link, sym.st_name);
			if (name && *name && add(s, &cap, name, sym.st_value)) {
				ret = -1;
				break;
			}
		}
		if (!ret)
			ret = 1;
	}
	elf_end(elf);
	close(fd);
	return ret;
}

int kt_symbols_load(struct kt_symbols *s, const char *vmlinux,
		    const char *system_map)
{
	int ret;

	memset(s, 0, sizeof(*s));
	if (vmlinux && *vmlinux) {
		ret = load_elf(s, vmlinux);
		if (ret < 0) {
			kt_symbols_free(s);
			return -1;
		}
		if (ret > 0 && s->count) {
			finish(s, vmlinux);
			return 0;
		}
		kt_symbols_free(s);
	}
	if (!system_map || !*system_map)
		return kt_fail("kernel symbols: %s has no symbol table and there is no System.map",
			       vmlinux && *vmlinux ? vmlinux : "the kernel");
	return kt_symbols_load_map(s, system_map);
}

void kt_symbols_free(struct kt_symbols *s)
{
	while (s->count)
		free(s->by_name[--s->count].name);
	free(s->by_name);
	memset(s, 0, sizeof(*s));
}

int kt_symbols_find(const struct kt_symbols *s, const char *name,
		    uint64_t *addr)
{
	struct kt_symbol key = { .name = (char *)name }, *hit;

	hit = bsearch(&key, s->by_name, s->count, sizeof(key), by_name);
	if (!hit)
		return -1;
	*addr = hit->addr;
	return 0;
}

/* Copies what @e's loadable segments hold at @addr, up to @len bytes. */
static size_t read_segments(Elf *e, int fd, uint64_t addr, void *buf,
			    size_t len)
{
	GElf_Phdr ph;
	size_t n, i;
	ssize_t got;

	if (elf_getphdrnum(e, &n))
		return 0;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_LOAD ||
		    addr < ph.p_vaddr || addr >= ph.p_vaddr + ph.p_filesz)
			continue;
		if (len > ph.p_vaddr + ph.p_filesz - addr)
			len = ph.p_vaddr + ph.p_filesz - addr;
		got = pread(fd, buf, len, ph.p_offset + (addr - ph.p_vaddr));
		return got > 0 ? got : 0;
	}
	return 0;
}

int kt_vmlinux_read(const char *vmlinux, uint64_t addr, void *buf,
		    size_t len, size_t *got)
{
	Elf *elf;
	int fd;

	elf = open_elf(vmlinux, &fd);
	if (!elf)
		return -1;
	*got = read_segments(elf, fd, addr, buf, len);
	elf_end(elf);
	close(fd);
	if (!*got)
		return kt_fail("vmlinux %s: no loadable segment holds 0x%llx",
			       vmlinux, (unsigned long long)addr);
	return 0;
}

int kt_vmlinux_arch(const char *vmlinux, enum kt_arch *arch)
{
	GElf_Ehdr eh;
	int fd, ret = 0;
	Elf *elf;

	elf = open_elf(vmlinux, &fd);
	if (!elf)
		return -1;
	if (!gelf_getehdr(elf, &eh))
		ret = kt_fail("vmlinux %s: not an ELF file", vmlinux);
	else if (eh.e_ident[EI_CLASS] == ELFCLASS64 &&
		 eh.e_ident[EI_DATA] == ELFDATA2LSB &&
		 (eh.e_machine == EM_X86_64 || eh.e_machine == EM_AARCH64))
		*arch = eh.e_machine == EM_AARCH64 ? KT_ARCH_ARM64 :
						     KT_ARCH_X86_64;
	else
		ret = kt_fail("vmlinux %s: a kernel for ELF machine %u (%s-bit, %s-endian): the monitor reads x86-64 and arm64 (64-bit little-endian) kernels only",
			      vmlinux, eh.e_machine,
			      eh.e_ident[EI_CLASS] == ELFCLASS64 ? "64" : "32",
			      eh.e_ident[EI_DATA] == ELFDATA2LSB ? "little" : "big");
	elf_end(elf);
	close(fd);
	return ret;
}
