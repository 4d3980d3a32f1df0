// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decls.h"
#include "error.h"

/*
 * GCC emits the static records of a translation unit into a section in
 * reverse order of definition; undo that so plans follow the source.
 */
static void reverse(void *records, size_t n, size_t size)
{
	unsigned char tmp[512], *a = records, *b;
	size_t i;

	if (size > sizeof(tmp))
		return;
	for (i = 0; i < n / 2; i++) {
		a = (unsigned char *)records + i * size;
		b = (unsigned char *)records + (n - 1 - i) * size;
		memcpy(tmp, a, size);
		memcpy(a, b, size);
		memcpy(b, tmp, size);
	}
}

/* Copies the records of one section, checking magic and version. */
static int copy_records(const char *path, Elf_Scn *scn, const char *name,
			size_t size, void **out, size_t *count)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	const unsigned char *p;
	size_t i, n;

	/* A linker merges them; a hand-made or corrupt file need not. */
	if (*out)
		return kt_fail("%s: more than one section %s", path, name);
	if (!data || !data->d_buf || data->d_size % size)
		return kt_fail("%s: section %s is not a whole number of %zu-byte records",
			       path, name, size);
	n = data->d_size / size;
	*out = malloc(data->d_size ? data->d_size : 1);
	if (!*out)
		return kt_fail("out of memory");
	memcpy(*out, data->d_buf, data->d_size);
	for (i = 0, p = *out; i < n; i++, p += size) {
		const uint32_t *hdr = (const uint32_t *)p;

		if (hdr[0] != KTSTR_DECL_MAGIC)
			return kt_fail("%s: record %zu of %s has a bad magic",
				       path, i, name);
		if (hdr[1] != KTSTR_DECL_VERSION)
			return kt_fail("%s: %s version %u, this ktstr reads version %d: rebuild the test",
				       path, name, hdr[1], KTSTR_DECL_VERSION);
	}
	reverse(*out, n, size);
	*count = n;
	return 0;
}

/* A name field holds its terminating NUL. */
#define ENDS(field) (memchr((field), '\0', sizeof(field)) != NULL)

static int unended(const char *path, const char *section, size_t i, size_t n)
{
	/* Records were reversed: name them in the section's order. */
	return kt_fail("%s: record %zu of %s has a name without its terminating NUL",
		       path, n - 1 - i, section);
}

/*
 * Every name is printed and compared as a C string: a record that does
 * not end one would have it read past the record, past the last one's
 * buffer.  A compiler does not write such a record; a corrupt file can.
 */
static int check_names(const char *path, const struct kt_decls *d)
{
	const struct ktstr_test_decl *t;
	const struct ktstr_variant_decl *v;
	const struct ktstr_sched_decl *s;
	const struct ktstr_profile_decl *p;
	size_t i;

	for (i = 0, t = d->tests; i < d->nr_tests; i++, t++)
		if (!ENDS(t->fixture) || !ENDS(t->test) || !ENDS(t->topology))
			return unended(path, KTSTR_TESTS_SECTION, i,
				       d->nr_tests);
	for (i = 0, v = d->variants; i < d->nr_variants; i++, v++)
		if (!ENDS(v->fixture) || !ENDS(v->variant) ||
		    !ENDS(v->scheduler))
			return unended(path, KTSTR_VARIANTS_SECTION, i,
				       d->nr_variants);
	for (i = 0, s = d->scheds; i < d->nr_scheds; i++, s++)
		if (!ENDS(s->name) || !ENDS(s->binary) || !ENDS(s->args) ||
		    !ENDS(s->ops_name))
			return unended(path, KTSTR_SCHEDS_SECTION, i,
				       d->nr_scheds);
	for (i = 0, p = d->profiles; i < d->nr_profiles; i++, p++)
		if (!ENDS(p->scheduler) || !ENDS(p->name) || !ENDS(p->args))
			return unended(path, KTSTR_PROFILES_SECTION, i,
				       d->nr_profiles);
	return 0;
}

static int read_sections(const char *path, Elf *elf, struct kt_decls *d)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	size_t shstrndx;
	const char *name;
	int ret = 0;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return kt_fail("%s: %s", path, elf_errmsg(-1));
	while (!ret && (scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &shdr))
			return kt_fail("%s: %s", path, elf_errmsg(-1));
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!name)
			continue;
		if (!strcmp(name, KTSTR_TESTS_SECTION))
			ret = copy_records(path, scn, name, sizeof(*d->tests),
					   (void **)&d->tests, &d->nr_tests);
		else if (!strcmp(name, KTSTR_VARIANTS_SECTION))
			ret = copy_records(path, scn, name,
					   sizeof(*d->variants),
					   (void **)&d->variants,
					   &d->nr_variants);
		else if (!strcmp(name, KTSTR_SCHEDS_SECTION))
			ret = copy_records(path, scn, name, sizeof(*d->scheds),
					   (void **)&d->scheds, &d->nr_scheds);
		else if (!strcmp(name, KTSTR_PROFILES_SECTION))
			ret = copy_records(path, scn, name,
					   sizeof(*d->profiles),
					   (void **)&d->profiles,
					   &d->nr_profiles);
	}
	return ret;
}

/*
 * Records are copied as they lie in the file.  They hold fixed-size
 * integers and strings, no pointers or longs, so one layout serves every
 * 64-bit ABI of the host's byte order (x86_64 and aarch64 test programs
 * alike); only the byte order must match.
 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_ELFDATA ELFDATA2LSB
#define HOST_ORDER "little"
#define OTHER_ORDER "big"
#else
#define HOST_ELFDATA ELFDATA2MSB
#define HOST_ORDER "big"
#define OTHER_ORDER "little"
#endif

static int check_byte_order(const char *path, Elf *elf)
{
	GElf_Ehdr eh;

	if (!gelf_getehdr(elf, &eh))
		return kt_fail("%s: %s", path, elf_errmsg(-1));
	if (eh.e_ident[EI_DATA] != HOST_ELFDATA)
		return kt_fail("%s: a " OTHER_ORDER "-endian ELF file: ktstr reads test declarations in its own byte order, " HOST_ORDER "-endian",
			       path);
	return 0;
}

int kt_decls_read(const char *path, struct kt_decls *d)
{
	Elf *elf;
	int fd, ret;

	memset(d, 0, sizeof(*d));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return kt_fail("libelf: %s", elf_errmsg(-1));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kt_fail_errno("test program %s", path);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		close(fd);
		return kt_fail("%s: not an ELF file", path);
	}
	ret = check_byte_order(path, elf);
	if (!ret)
		ret = read_sections(path, elf, d);
	if (!ret)
		ret = check_names(path, d);
	elf_end(elf);
	close(fd);
	if (ret)
		kt_decls_free(d);
	return ret;
}

void kt_decls_free(struct kt_decls *d)
{
	free(d->tests);
	free(d->variants);
	free(d->scheds);
	free(d->profiles);
	memset(d, 0, sizeof(*d));
}

const struct ktstr_sched_decl *kt_decls_sched(const struct kt_decls *d,
					      const char *name)
{
	size_t i;

	for (i = 0; i < d->nr_scheds; i++)
		if (!strcmp(d->scheds[i].name, name))
			return &d->scheds[i];
	return NULL;
}

const struct ktstr_sched_decl *
kt_decls_sched_by_binary(const struct kt_decls *d, const char *file_name)
{
	const struct ktstr_sched_decl *found = NULL;
	const char *base;
	size_t i;

	for (i = 0; i < d->nr_scheds; i++) {
		base = strrchr(d->scheds[i].binary, '/');
		base = base ? base + 1 : d->scheds[i].binary;
		if (strcmp(base, file_name))
			continue;
		if (!strcmp(d->scheds[i].name, file_name))
			return &d->scheds[i];
		if (!found)
			found = &d->scheds[i];
	}
	return found;
}
