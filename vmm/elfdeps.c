// SPDX-License-Identifier: GPL-2.0
/*
 * A user-space model of ld.so's search (elf/dl-load.c in glibc) for the
 * cases a test program meets.  Only headers are read: the program headers
 * lead to the dynamic section and its string table, so stripped files and
 * files without section headers work too.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfdeps.h"
#include "error.h"

#define LD_SO_CONF	"/etc/ld.so.conf"
#define CONF_MAX_DEPTH	8

static const char *const default_dirs[] = {
	"/lib/x86_64-linux-gnu",
	"/usr/lib/x86_64-linux-gnu",
	"/lib64",
	"/lib",
	"/usr/lib",
	NULL,
};

/* What the search needs from one file's headers. */
struct elf_info {
	int is_elf;
	unsigned int type;
	unsigned char class;
	unsigned char data;
	unsigned int machine;
	char *interp;
	char *soname;
	char *rpath;		/* NULL when DT_RUNPATH overrides it */
	char *runpath;
	struct kt_strlist needed;
};

/* One object of the closure; @loader is the object that first needed it. */
struct obj {
	char *path;
	char *origin;
	struct elf_info info;
	long loader;
};

struct closure {
	const char *top;		/* the program asked about */
	struct obj *objs;
	size_t count;
	size_t cap;
	struct kt_strlist names;	/* DT_NEEDED names already loaded */
	struct kt_strlist conf_dirs;
	struct kt_strlist paths;	/* the answer, in load order */
};

static void elf_info_free(struct elf_info *info)
{
	free(info->interp);
	free(info->soname);
	free(info->rpath);
	free(info->runpath);
	kt_strlist_free(&info->needed);
	memset(info, 0, sizeof(*info));
}

static int bad_elf(const char *path, const char *what)
{
	return kt_fail("%s: malformed ELF file: %s", path, what);
}

/* Bytes of the file image, if [off, off + len) lies inside it. */
static const char *raw_range(Elf *e, uint64_t off, uint64_t len)
{
	size_t size;
	char *raw = elf_rawfile(e, &size);

	if (!raw || off > size || len > size - off)
		return NULL;
	return raw + off;
}

static int read_interp(const char *path, Elf *e, const GElf_Phdr *ph,
		       struct elf_info *info)
{
	const char *s = raw_range(e, ph->p_offset, ph->p_filesz);

	if (!s || !ph->p_filesz || !memchr(s, '\0', ph->p_filesz))
		return bad_elf(path, "PT_INTERP outside the file");
	info->interp = strdup(s);
	if (!info->interp)
		return kt_fail("out of memory reading %s", path);
	return 0;
}

/* DT_STRTAB holds an address: find the file offset of its segment. */
static int vaddr_to_offset(Elf *e, uint64_t addr, uint64_t *off)
{
	size_t i, phnum;
	GElf_Phdr ph;

	if (elf_getphdrnum(e, &phnum))
		return -1;
	for (i = 0; i < phnum; i++) {
		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr >= ph.p_vaddr && addr - ph.p_vaddr < ph.p_filesz) {
			*off = ph.p_offset + (addr - ph.p_vaddr);
			return 0;
		}
	}
	return -1;
}

struct dynstr {
	const char *base;
	uint64_t size;
};

static const char *dyn_string(const struct dynstr *t, uint64_t idx)
{
	if (!t->base || idx >= t->size ||
	    !memchr(t->base + idx, '\0', t->size - idx))
		return NULL;
	return t->base + idx;
}

static int find_dynstr(const char *path, Elf *e, Elf_Data *d, size_t n,
		       struct dynstr *t)
{
	uint64_t addr = 0, off;
	int have_addr = 0;
	GElf_Dyn dyn;
	size_t i;

	t->base = NULL;
	t->size = 0;
	for (i = 0; i < n && gelf_getdyn(d, i, &dyn); i++) {
		if (dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag == DT_STRTAB) {
			addr = dyn.d_un.d_ptr;
			have_addr = 1;
		} else if (dyn.d_tag == DT_STRSZ) {
			t->size = dyn.d_un.d_val;
		}
	}
	if (!have_addr)
		return 0;
	if (vaddr_to_offset(e, addr, &off))
		return bad_elf(path, "DT_STRTAB not in a loaded segment");
	t->base = raw_range(e, off, t->size);
	if (!t->base)
		return bad_elf(path, "DT_STRTAB outside the file");
	return 0;
}

static int set_string(const char *path, char **dst, const char *s)
{
	if (!s)
		return bad_elf(path, "dynamic string outside DT_STRTAB");
	free(*dst);
	*dst = strdup(s);
	if (!*dst)
		return kt_fail("out of memory reading %s", path);
	return 0;
}

static int dyn_entry(const char *path, const GElf_Dyn *dyn,
		     const struct dynstr *t, struct elf_info *info)
{
	const char *s = dyn_string(t, dyn->d_un.d_val);

	switch (dyn->d_tag) {
	case DT_NEEDED:
		if (!s)
			return bad_elf(path, "DT_NEEDED outside DT_STRTAB");
		return kt_strlist_push(&info->needed, s) < 0 ? -1 : 0;
	case DT_SONAME:
		return set_string(path, &info->soname, s);
	case DT_RPATH:
		return set_string(path, &info->rpath, s);
	case DT_RUNPATH:
		return set_string(path, &info->runpath, s);
	}
	return 0;
}

static int read_dynamic(const char *path, Elf *e, const GElf_Phdr *ph,
			struct elf_info *info)
{
	size_t entsize = gelf_fsize(e, ELF_T_DYN, 1, EV_CURRENT);
	size_t i, n;
	struct dynstr strtab;
	Elf_Data *d;
	GElf_Dyn dyn;

	d = elf_getdata_rawchunk(e, ph->p_offset, ph->p_filesz, ELF_T_DYN);
	if (!d || !entsize)
		return bad_elf(path, "PT_DYNAMIC outside the file");
	n = ph->p_filesz / entsize;
	if (find_dynstr(path, e, d, n, &strtab))
		return -1;
	for (i = 0; i < n && gelf_getdyn(d, i, &dyn); i++) {
		if (dyn.d_tag == DT_NULL)
			break;
		if (dyn_entry(path, &dyn, &strtab, info))
			return -1;
	}
	/* ld.so ignores DT_RPATH when DT_RUNPATH is present. */
	if (info->runpath) {
		free(info->rpath);
		info->rpath = NULL;
	}
	return 0;
}

static int parse_elf(const char *path, Elf *e, struct elf_info *info)
{
	GElf_Phdr ph, dyn_ph;
	int have_dyn = 0;
	size_t i, phnum;
	GElf_Ehdr eh;

	if (!gelf_getehdr(e, &eh) || elf_getphdrnum(e, &phnum))
		return bad_elf(path, elf_errmsg(-1));
	/* libelf reports none when they lie past the end of the file. */
	if (!phnum && eh.e_phnum)
		return bad_elf(path, "program headers outside the file");
	info->is_elf = 1;
	info->type = eh.e_type;
	info->class = eh.e_ident[EI_CLASS];
	info->data = eh.e_ident[EI_DATA];
	info->machine = eh.e_machine;
	for (i = 0; i < phnum; i++) {
		if (!gelf_getphdr(e, i, &ph))
			return bad_elf(path, elf_errmsg(-1));
		if (ph.p_type == PT_INTERP && !info->interp &&
		    read_interp(path, e, &ph, info))
			return -1;
		if (ph.p_type == PT_DYNAMIC) {
			dyn_ph = ph;
			have_dyn = 1;
		}
	}
	return have_dyn ? read_dynamic(path, e, &dyn_ph, info) : 0;
}

/* 0 with info->is_elf clear for a file that is not ELF. */
static int read_elf(const char *path, struct elf_info *info)
{
	struct stat st;
	int fd, ret = 0;
	Elf *e;

	memset(info, 0, sizeof(*info));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return kt_fail("libelf: %s", elf_errmsg(-1));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kt_fail_errno("cannot open %s", path);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return kt_fail("%s is not a regular file", path);
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e)
		ret = kt_fail("%s: cannot read: %s", path, elf_errmsg(-1));
	else if (elf_kind(e) == ELF_K_ELF)
		ret = parse_elf(path, e, info);
	elf_end(e);
	close(fd);
	if (ret)
		elf_info_free(info);
	return ret;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int conf_read(const char *path, struct kt_strlist *dirs, int depth);

/* As ldconfig does, a relative pattern is taken from the file's dir. */
static int conf_include(const char *conf, const char *pattern,
			struct kt_strlist *dirs, int depth)
{
	const char *slash = strrchr(conf, '/');
	char full[PATH_MAX];
	int ret = 0;
	size_t i;
	glob_t g;

	if (pattern[0] == '/' || !slash)
		snprintf(full, sizeof(full), "%s", pattern);
	else
		snprintf(full, sizeof(full), "%.*s/%s", (int)(slash - conf),
			 conf, pattern);
	if (glob(full, 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc && !ret; i++)
		ret = conf_read(g.gl_pathv[i], dirs, depth + 1);
	globfree(&g);
	return ret;
}

static int starts_with_word(const char *line, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(line, word, n) && isspace((unsigned char)line[n]);
}

static int conf_line(const char *conf, char *line, struct kt_strlist *dirs,
		     int depth)
{
	char *tok, *save;
	size_t len;

	line[strcspn(line, "#")] = '\0';
	line = trim(line);
	if (starts_with_word(line, "include")) {
		for (tok = strtok_r(line + 7, " \t", &save); tok;
		     tok = strtok_r(NULL, " \t", &save))
			if (conf_include(conf, tok, dirs, depth))
				return -1;
		return 0;
	}
	if (!*line || starts_with_word(line, "hwcap"))
		return 0;
	len = strlen(line);
	while (len > 1 && line[len - 1] == '/')
		line[--len] = '\0';
	return kt_strlist_push(dirs, line) < 0 ? -1 : 0;
}

static int conf_read(const char *path, struct kt_strlist *dirs, int depth)
{
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;
	FILE *f;

	if (depth > CONF_MAX_DEPTH)
		return kt_fail("%s: includes nested deeper than %d (a loop?)",
			       path, CONF_MAX_DEPTH);
	/* ldconfig skips what it cannot read: so does the host's cache. */
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!ret && getline(&line, &cap, f) >= 0) {
		line[strcspn(line, "\n")] = '\0';
		ret = conf_line(path, line, dirs, depth);
	}
	free(line);
	fclose(f);
	return ret;
}

static int compatible(const struct elf_info *a, const struct elf_info *b)
{
	return b->is_elf && a->class == b->class && a->data == b->data &&
	       a->machine == b->machine;
}

/*
 * 1 and @found filled if @path is a usable library.  Anything else is
 * passed over, as ld.so would, so the error recorded here is dropped.
 */
static int try_path(const struct elf_info *want, const char *path,
		    struct obj *found)
{
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	if (read_elf(path, &found->info))
		return 0;
	if (!compatible(want, &found->info)) {
		elf_info_free(&found->info);
		return 0;
	}
	found->path = strdup(path);
	if (!found->path) {
		elf_info_free(&found->info);
		return kt_fail("out of memory");
	}
	return 1;
}

static int try_dir(const struct elf_info *want, const char *dir,
		   const char *name, struct obj *found)
{
	size_t len = strlen(dir);
	char path[PATH_MAX];
	int n;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	n = snprintf(path, sizeof(path), "%.*s/%s", (int)len, dir, name);
	if (n < 0 || n >= (int)sizeof(path))
		return 0;
	return try_path(want, path, found);
}

/*
 * One search path entry with $ORIGIN / ${ORIGIN} replaced.  Other tokens
 * ($LIB, $PLATFORM) depend on the loader's build: such entries are
 * skipped (1), like empty ones, which would mean the current directory.
 */
static int expand_entry(const char *s, size_t len, const char *origin,
			char *out, size_t outlen)
{
	size_t o = 0, olen = strlen(origin), i = 0, skip;

	if (!len)
		return 1;
	while (i < len) {
		if (s[i] != '$') {
			if (o + 1 >= outlen)
				return 1;
			out[o++] = s[i++];
			continue;
		}
		if (len - i >= 7 && !strncmp(s + i + 1, "ORIGIN", 6))
			skip = 7;
		else if (len - i >= 9 && !strncmp(s + i + 1, "{ORIGIN}", 8))
			skip = 9;
		else
			return 1;
		if (skip == 7 && i + 7 < len &&
		    (isalnum((unsigned char)s[i + 7]) || s[i + 7] == '_'))
			return 1;
		if (o + olen >= outlen)
			return 1;
		memcpy(out + o, origin, olen);
		o += olen;
		i += skip;
	}
	out[o] = '\0';
	return 0;
}

static int search_path(const struct elf_info *want, const char *list,
		       const char *origin, const char *name, struct obj *found)
{
	const char *p = list, *end;
	char dir[PATH_MAX];
	int r;

	for (;;) {
		end = strchrnul(p, ':');
		if (!expand_entry(p, end - p, origin, dir, sizeof(dir))) {
			r = try_dir(want, dir, name, found);
			if (r)
				return r;
		}
		if (!*end)
			return 0;
		p = end + 1;
	}
}

/* @dirs is NULL-terminated, or NULL for none. */
static int search_list(const struct elf_info *want, const char *const *dirs,
		       const char *name, struct obj *found)
{
	size_t i;
	int r;

	for (i = 0; dirs && dirs[i]; i++) {
		r = try_dir(want, dirs[i], name, found);
		if (r)
			return r;
	}
	return 0;
}

/* ld.so's order for the DT_NEEDED @name of object @idx: 1 if found. */
static int resolve(struct closure *cl, size_t idx, const char *name,
		   struct obj *found)
{
	const struct elf_info *want = &cl->objs[0].info;
	const struct obj *o = &cl->objs[idx];
	long i;
	int r;

	if (strchr(name, '/'))
		return try_path(want, name, found);
	for (i = idx; !o->info.runpath && i >= 0; i = cl->objs[i].loader) {
		if (!cl->objs[i].info.rpath)
			continue;
		r = search_path(want, cl->objs[i].info.rpath,
				cl->objs[i].origin, name, found);
		if (r)
			return r;
	}
	if (o->info.runpath) {
		r = search_path(want, o->info.runpath, o->origin, name,
				found);
		if (r)
			return r;
	}
	r = search_list(want, (const char *const *)cl->conf_dirs.items, name,
			found);
	if (r)
		return r;
	return search_list(want, default_dirs, name, found);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, slash - path);
}

/* Takes over @o's allocations, also on failure.  @name: NULL for @top. */
static int add_obj(struct closure *cl, struct obj *o, long loader,
		   const char *name)
{
	struct obj *objs;
	size_t cap;

	if (cl->count == cl->cap) {
		cap = cl->cap ? cl->cap * 2 : 16;
		objs = realloc(cl->objs, cap * sizeof(*objs));
		if (!objs)
			goto oom;
		cl->objs = objs;
		cl->cap = cap;
	}
	o->loader = loader;
	if (!o->origin)
		o->origin = dir_of(o->path);
	if (!o->origin)
		goto oom;
	cl->objs[cl->count++] = *o;
	if ((name && kt_strlist_push(&cl->names, name) < 0) ||
	    (o->info.soname &&
	     kt_strlist_push(&cl->names, o->info.soname) < 0))
		return -1;
	return loader < 0 ? 0 : (kt_strlist_push(&cl->paths, o->path) < 0);
oom:
	free(o->path);
	free(o->origin);
	elf_info_free(&o->info);
	return kt_fail("out of memory resolving libraries of %s", cl->top);
}

static int not_found(struct closure *cl, size_t idx, const char *name)
{
	if (!idx)
		return kt_fail("cannot find library %s needed by %s", name,
			       cl->top);
	return kt_fail("cannot find library %s needed by %s (a dependency of %s)",
		       name, cl->objs[idx].path, cl->top);
}

/* Breadth first, as ld.so loads, so a name resolves where it would. */
static int walk(struct closure *cl)
{
	struct obj found;
	const char *name;
	size_t i, j;
	int r;

	for (i = 0; i < cl->count; i++) {
		for (j = 0; j < cl->objs[i].info.needed.count; j++) {
			name = cl->objs[i].info.needed.items[j];
			if (kt_strlist_contains(&cl->names, name))
				continue;
			memset(&found, 0, sizeof(found));
			r = resolve(cl, i, name, &found);
			if (r < 0)
				return -1;
			if (!r)
				return not_found(cl, i, name);
			if (add_obj(cl, &found, i, name))
				return -1;
		}
	}
	return 0;
}

/*
 * The interpreter is loaded before anything else: libc's DT_NEEDED on
 * it must match it by name instead of finding a second copy.
 */
static int add_interp(struct closure *cl, const char *interp)
{
	struct elf_info info;
	const char *base = strrchr(interp, '/');
	struct stat st;

	if (stat(interp, &st))
		return kt_fail_errno("%s: ELF interpreter %s", cl->top,
				     interp);
	if (kt_strlist_push(&cl->paths, interp) < 0 ||
	    kt_strlist_push(&cl->names, base ? base + 1 : interp) < 0)
		return -1;
	if (read_elf(interp, &info))
		return -1;
	if (info.soname && kt_strlist_push(&cl->names, info.soname) < 0) {
		elf_info_free(&info);
		return -1;
	}
	elf_info_free(&info);
	return 0;
}

/* $ORIGIN of the program is where /proc/self/exe points: no symlinks. */
static int add_program(struct closure *cl, struct elf_info *info)
{
	char real[PATH_MAX];
	struct obj o = { .info = *info };

	memset(info, 0, sizeof(*info));
	if (!realpath(cl->top, real)) {
		elf_info_free(&o.info);
		return kt_fail_errno("cannot resolve %s", cl->top);
	}
	o.path = strdup(cl->top);
	o.origin = dir_of(real);
	if (!o.path)
		free(o.origin);
	if (!o.path || !o.origin) {
		free(o.path);
		elf_info_free(&o.info);
		return kt_fail("out of memory resolving libraries of %s",
			       cl->top);
	}
	return add_obj(cl, &o, -1, NULL);
}

static void closure_free(struct closure *cl)
{
	size_t i;

	for (i = 0; i < cl->count; i++) {
		free(cl->objs[i].path);
		free(cl->objs[i].origin);
		elf_info_free(&cl->objs[i].info);
	}
	free(cl->objs);
	kt_strlist_free(&cl->names);
	kt_strlist_free(&cl->conf_dirs);
	kt_strlist_free(&cl->paths);
}

static int closure_build(struct closure *cl)
{
	struct elf_info info;

	if (read_elf(cl->top, &info))
		return -1;
	if (!info.is_elf)
		return 0;
	if (info.interp && add_interp(cl, info.interp)) {
		elf_info_free(&info);
		return -1;
	}
	if (!info.needed.count) {
		elf_info_free(&info);
		return 0;
	}
	if (add_program(cl, &info) || conf_read(LD_SO_CONF, &cl->conf_dirs, 0))
		return -1;
	return walk(cl);
}

int kt_elf_deps(const char *path, struct kt_strlist *out)
{
	struct closure cl = { .top = path };
	int ret;
	size_t i;

	ret = closure_build(&cl);
	for (i = 0; !ret && i < cl.paths.count; i++)
		if (kt_strlist_push(out, cl.paths.items[i]) < 0)
			ret = -1;
	closure_free(&cl);
	return ret;
}

int kt_elf_program(const char *path, struct kt_elf_program *out)
{
	struct elf_info info;

	memset(out, 0, sizeof(*out));
	if (read_elf(path, &info))
		return -1;
	out->is_program = info.is_elf &&
			  (info.type == ET_EXEC || info.type == ET_DYN);
	out->needs_loader = info.interp != NULL;
	out->machine = info.machine;
	elf_info_free(&info);
	return 0;
}

const char *kt_elf_machine_name(unsigned int machine, char *buf, size_t len)
{
	switch (machine) {
	case EM_X86_64:
		return "x86_64";
	case EM_AARCH64:
		return "aarch64";
	}
	snprintf(buf, len, "ELF machine %u", machine);
	return buf;
}
