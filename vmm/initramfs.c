// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cache.h"
#include "cpio.h"
#include "elfdeps.h"
#include "error.h"
#include "initramfs.h"
#include "sha256.h"
#include "strlist.h"

/* Bump when the archive layout changes: old cache entries then miss. */
#define FORMAT_TAG	"ktstr-initramfs 1"
#define LD_SO_CACHE	"/etc/ld.so.cache"
#define HASH_CHUNK	(128 * 1024)

enum ir_type { IR_DIR, IR_DATA, IR_HOST, IR_SYMLINK, IR_CHARDEV };

struct ir_entry {
	char *path;		/* normalised, absolute */
	enum ir_type type;
	unsigned int mode;	/* permission bits only */
	char *host;		/* IR_HOST */
	uint64_t size;		/* IR_HOST: measured while hashing */
	void *data;		/* IR_DATA */
	size_t len;
	char *target;		/* IR_SYMLINK */
	unsigned int major;	/* IR_CHARDEV */
	unsigned int minor;
};

/*
 * Entries in insertion order, and an open-addressing table from path to
 * entry for replacing and for parent lookups: a tree from --include can
 * have tens of thousands of entries.  Entries are never removed.
 */
struct kt_initramfs {
	struct ir_entry *entries;
	size_t count;
	size_t cap;
	size_t *slots;		/* entry index + 1; 0 is free */
	size_t nslots;
	unsigned int machine;	/* of the guest's programs (e_machine) */
};

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#else
#error "ktstr runs on x86_64 or aarch64 hosts"
#endif

/* Whether an add may replace an entry that is already there. */
enum { REPLACE, KEEP };

static const char *type_name(enum ir_type type)
{
	switch (type) {
	case IR_DIR:
		return "a directory";
	case IR_SYMLINK:
		return "a symlink";
	case IR_CHARDEV:
		return "a character device";
	default:
		return "a file";
	}
}

static void entry_clear(struct ir_entry *e)
{
	free(e->host);
	free(e->data);
	free(e->target);
	e->host = NULL;
	e->data = NULL;
	e->target = NULL;
}

struct kt_initramfs *kt_initramfs_new(void)
{
	struct kt_initramfs *ir = calloc(1, sizeof(*ir));

	if (!ir)
		kt_fail("out of memory for an initramfs");
	else
		ir->machine = HOST_MACHINE;
	return ir;
}

void kt_initramfs_set_machine(struct kt_initramfs *ir, unsigned int machine)
{
	ir->machine = machine;
}

/*
 * A program the guest could not run is refused here rather than found
 * out in the guest; one that needs ld.so only where that ld.so and its
 * libraries can be the host's.
 */
static int check_program(const struct kt_initramfs *ir, const char *host)
{
	char have[32], want[32];
	struct kt_elf_program p;

	if (kt_elf_program(host, &p))
		return -1;
	if (!p.is_program)
		return 0;
	if (p.machine != ir->machine)
		return kt_fail("%s is a program for %s, and the guest runs %s programs",
			       host, kt_elf_machine_name(p.machine, have, sizeof(have)),
			       kt_elf_machine_name(ir->machine, want, sizeof(want)));
	if (p.needs_loader && ir->machine != HOST_MACHINE)
		return kt_fail("%s is dynamically linked, and an %s guest has no libraries: link it statically",
			       host, kt_elf_machine_name(ir->machine, want, sizeof(want)));
	return 0;
}

void kt_initramfs_free(struct kt_initramfs *ir)
{
	size_t i;

	if (!ir)
		return;
	for (i = 0; i < ir->count; i++) {
		entry_clear(&ir->entries[i]);
		free(ir->entries[i].path);
	}
	free(ir->entries);
	free(ir->slots);
	free(ir);
}

/*
 * Absolute, no empty or "." components, ".." applied to the text.  The
 * root itself is not an entry: the kernel provides it.
 */
static int normalize(const char *in, char *out, size_t outlen)
{
	const char *p = in, *end;
	size_t o = 0, n;

	if (in[0] != '/')
		return kt_fail("guest path '%s' is not absolute", in);
	while (*p) {
		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		n = end - p;
		if (n == 2 && !strncmp(p, "..", 2)) {
			while (o && out[--o] != '/')
				;
		} else if (n && !(n == 1 && *p == '.')) {
			if (o + 1 + n >= outlen)
				return kt_fail("guest path too long: %s", in);
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = end;
	}
	out[o] = '\0';
	if (!o)
		return kt_fail("guest path '%s' is the root directory", in);
	return 0;
}

static uint64_t hash_path(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static long find(const struct kt_initramfs *ir, const char *path)
{
	size_t i, idx;

	if (!ir->nslots)
		return -1;
	for (i = hash_path(path) & (ir->nslots - 1); ir->slots[i];
	     i = (i + 1) & (ir->nslots - 1)) {
		idx = ir->slots[i] - 1;
		if (!strcmp(ir->entries[idx].path, path))
			return idx;
	}
	return -1;
}

static void slot_insert(struct kt_initramfs *ir, size_t idx)
{
	size_t i = hash_path(ir->entries[idx].path) & (ir->nslots - 1);

	while (ir->slots[i])
		i = (i + 1) & (ir->nslots - 1);
	ir->slots[i] = idx + 1;
}

/* Keeps the table at most half full so probe runs stay short. */
static int reserve(struct kt_initramfs *ir)
{
	size_t cap, nslots, i;
	struct ir_entry *entries;
	size_t *slots;

	if (ir->count == ir->cap) {
		cap = ir->cap ? ir->cap * 2 : 64;
		entries = realloc(ir->entries, cap * sizeof(*entries));
		if (!entries)
			return kt_fail("out of memory for initramfs entries");
		ir->entries = entries;
		ir->cap = cap;
	}
	if (2 * (ir->count + 1) <= ir->nslots)
		return 0;
	nslots = ir->nslots ? ir->nslots * 2 : 128;
	slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return kt_fail("out of memory for initramfs entries");
	free(ir->slots);
	ir->slots = slots;
	ir->nslots = nslots;
	for (i = 0; i < ir->count; i++)
		slot_insert(ir, i);
	return 0;
}

static int append(struct kt_initramfs *ir, const char *path,
		  const struct ir_entry *tmpl)
{
	struct ir_entry *e;

	if (reserve(ir))
		return -1;
	e = &ir->entries[ir->count];
	*e = *tmpl;
	e->path = strdup(path);
	if (!e->path)
		return kt_fail("out of memory adding %s", path);
	slot_insert(ir, ir->count++);
	return 0;
}

/* Each ancestor of @path must be a directory; missing ones are made. */
static int make_parents(struct kt_initramfs *ir, const char *path)
{
	struct ir_entry dir = { .type = IR_DIR, .mode = 0755 };
	char buf[PATH_MAX];
	char *slash;
	long idx;

	snprintf(buf, sizeof(buf), "%s", path);
	for (slash = strchr(buf + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		idx = find(ir, buf);
		if (idx < 0 && append(ir, buf, &dir))
			return -1;
		if (idx >= 0 && ir->entries[idx].type != IR_DIR)
			return kt_fail("cannot add %s: %s is %s in the guest, not a directory",
				       path, buf,
				       type_name(ir->entries[idx].type));
		*slash = '/';
	}
	return 0;
}

/* Takes over @tmpl's allocations whatever happens. */
static int put(struct kt_initramfs *ir, const char *guest_path,
	       struct ir_entry *tmpl, int keep)
{
	char path[PATH_MAX];
	struct ir_entry *e;
	long idx;

	if (normalize(guest_path, path, sizeof(path)) ||
	    make_parents(ir, path))
		goto fail;
	idx = find(ir, path);
	if (idx < 0) {
		if (append(ir, path, tmpl))
			goto fail;
		return 0;
	}
	if (keep == KEEP) {
		entry_clear(tmpl);
		return 0;
	}
	e = &ir->entries[idx];
	entry_clear(e);
	tmpl->path = e->path;
	*e = *tmpl;
	return 0;
fail:
	entry_clear(tmpl);
	return -1;
}

int kt_initramfs_add_data(struct kt_initramfs *ir, const char *guest_path,
			  const void *data, size_t len, unsigned int mode)
{
	struct ir_entry e = {
		.type = IR_DATA,
		.mode = mode & 07777,
		.len = len,
	};

	/* One byte at least, so that empty files have a buffer too. */
	e.data = malloc(len ? len : 1);
	if (!e.data)
		return kt_fail("out of memory for %zu bytes at %s", len,
			       guest_path);
	memcpy(e.data, data, len);
	return put(ir, guest_path, &e, REPLACE);
}

int kt_initramfs_add_dir(struct kt_initramfs *ir, const char *guest_path,
			 unsigned int mode)
{
	struct ir_entry e = { .type = IR_DIR, .mode = mode & 07777 };

	return put(ir, guest_path, &e, REPLACE);
}

int kt_initramfs_add_symlink(struct kt_initramfs *ir, const char *guest_path,
			     const char *target)
{
	struct ir_entry e = { .type = IR_SYMLINK, .mode = 0777 };

	if (!*target)
		return kt_fail("symlink %s: empty target", guest_path);
	e.target = strdup(target);
	if (!e.target)
		return kt_fail("out of memory adding %s", guest_path);
	return put(ir, guest_path, &e, REPLACE);
}

int kt_initramfs_add_chardev(struct kt_initramfs *ir, const char *guest_path,
			     unsigned int mode, unsigned int major,
			     unsigned int minor)
{
	struct ir_entry e = {
		.type = IR_CHARDEV,
		.mode = mode & 07777,
		.major = major,
		.minor = minor,
	};

	return put(ir, guest_path, &e, REPLACE);
}

/* Errors name the host path: that is what the user typed. */
static int check_host_file(const char *host, struct stat *st)
{
	int fd;

	if (stat(host, st))
		return kt_fail_errno("cannot add %s", host);
	if (S_ISDIR(st->st_mode))
		return kt_fail("cannot add %s: a directory where a file was expected",
			       host);
	if (!S_ISREG(st->st_mode))
		return kt_fail("cannot add %s: not a regular file", host);
	fd = open(host, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kt_fail_errno("cannot read %s", host);
	close(fd);
	return 0;
}

static int put_host(struct kt_initramfs *ir, const char *host,
		    const char *guest_path, unsigned int mode, int keep)
{
	struct ir_entry e = { .type = IR_HOST, .mode = mode & 07777 };

	e.host = strdup(host);
	if (!e.host)
		return kt_fail("out of memory adding %s", host);
	return put(ir, guest_path, &e, keep);
}

/* Libraries go where the loader will look: at their host paths. */
static int add_deps(struct kt_initramfs *ir, const struct kt_strlist *deps)
{
	struct stat st;
	size_t i;

	for (i = 0; i < deps->count; i++) {
		if (check_host_file(deps->items[i], &st) ||
		    put_host(ir, deps->items[i], deps->items[i],
			     st.st_mode, KEEP))
			return -1;
	}
	/*
	 * The loader consults the cache before its built-in directories:
	 * with the host's, libraries found through /etc/ld.so.conf
	 * directories are found in the guest as well.
	 */
	if (deps->count && !stat(LD_SO_CACHE, &st) && S_ISREG(st.st_mode) &&
	    !access(LD_SO_CACHE, R_OK))
		return put_host(ir, LD_SO_CACHE, LD_SO_CACHE, 0644, KEEP);
	return 0;
}

/*
 * A program found through a symlink gets its $ORIGIN from the symlink's
 * target (/proc/self/exe): keep that relation in the guest.
 */
static int put_program(struct kt_initramfs *ir, const char *host,
		       const char *guest_path, unsigned int mode)
{
	char real[PATH_MAX], norm[PATH_MAX];
	struct stat lst;

	if (lstat(host, &lst) || !S_ISLNK(lst.st_mode))
		return put_host(ir, host, guest_path, mode, REPLACE);
	if (!realpath(host, real))
		return kt_fail_errno("cannot resolve %s", host);
	if (normalize(guest_path, norm, sizeof(norm)))
		return -1;
	if (!strcmp(norm, real))
		return put_host(ir, real, real, mode, REPLACE);
	if (put_host(ir, real, real, mode, REPLACE))
		return -1;
	return kt_initramfs_add_symlink(ir, guest_path, real);
}

static int add_file(struct kt_initramfs *ir, const char *host,
		    const char *guest_path, unsigned int mode, int with_deps)
{
	struct kt_strlist deps = KT_STRLIST_INIT;
	struct stat st;
	int ret;

	if (check_host_file(host, &st))
		return -1;
	if (!mode)
		mode = st.st_mode & 07777;
	if (!with_deps)
		return put_host(ir, host, guest_path, mode, REPLACE);
	if (check_program(ir, host) || kt_elf_deps(host, &deps))
		return -1;
	if (deps.count)
		ret = put_program(ir, host, guest_path, mode);
	else
		ret = put_host(ir, host, guest_path, mode, REPLACE);
	if (!ret)
		ret = add_deps(ir, &deps);
	kt_strlist_free(&deps);
	return ret;
}

int kt_initramfs_add_file(struct kt_initramfs *ir, const char *host_path,
			  const char *guest_path, unsigned int mode)
{
	return add_file(ir, host_path, guest_path, mode, 1);
}

static int add_tree_at(struct kt_initramfs *ir, const char *host,
		       const char *guest, const struct stat *st);

static int add_dir_tree(struct kt_initramfs *ir, const char *host,
			const char *guest, unsigned int mode)
{
	char hchild[PATH_MAX], gchild[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int ret = 0;
	DIR *d;

	if (kt_initramfs_add_dir(ir, guest, mode))
		return -1;
	d = opendir(host);
	if (!d)
		return kt_fail_errno("cannot read directory %s", host);
	while (!ret && (errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(hchild, sizeof(hchild), "%s/%s", host,
			     de->d_name) >= (int)sizeof(hchild) ||
		    snprintf(gchild, sizeof(gchild), "%s/%s", guest,
			     de->d_name) >= (int)sizeof(gchild))
			ret = kt_fail("path too long: %s/%s", host, de->d_name);
		else if (lstat(hchild, &st))
			ret = kt_fail_errno("cannot add %s", hchild);
		else
			ret = add_tree_at(ir, hchild, gchild, &st);
	}
	if (!ret && errno)
		ret = kt_fail_errno("cannot read directory %s", host);
	closedir(d);
	return ret;
}

static int add_link(struct kt_initramfs *ir, const char *host,
		    const char *guest)
{
	char target[PATH_MAX];
	ssize_t n;

	n = readlink(host, target, sizeof(target) - 1);
	if (n < 0)
		return kt_fail_errno("cannot read symlink %s", host);
	target[n] = '\0';
	return kt_initramfs_add_symlink(ir, guest, target);
}

static int add_tree_at(struct kt_initramfs *ir, const char *host,
		       const char *guest, const struct stat *st)
{
	unsigned int mode = st->st_mode & 07777;

	switch (st->st_mode & S_IFMT) {
	case S_IFDIR:
		return add_dir_tree(ir, host, guest, mode);
	case S_IFREG:
		return add_file(ir, host, guest, mode, !!(mode & 0111));
	case S_IFLNK:
		return add_link(ir, host, guest);
	case S_IFCHR:
		return kt_initramfs_add_chardev(ir, guest, mode,
						major(st->st_rdev),
						minor(st->st_rdev));
	}
	return kt_fail("cannot add %s: not a file, directory, symlink or character device",
		       host);
}

int kt_initramfs_add_tree(struct kt_initramfs *ir, const char *host_path,
			  const char *guest_path)
{
	struct stat st;

	if (stat(host_path, &st))
		return kt_fail_errno("cannot add %s", host_path);
	return add_tree_at(ir, host_path, guest_path, &st);
}

/* The build: sort, check, hash, then write unless cached. */

static int by_path(const void *a, const void *b)
{
	const struct ir_entry *const *x = a, *const *y = b;

	return strcmp((*x)->path, (*y)->path);
}

/* A prefix sorts first, so every parent precedes its children. */
static struct ir_entry **sorted(struct kt_initramfs *ir)
{
	struct ir_entry **order = malloc((ir->count + 1) * sizeof(*order));
	size_t i;

	if (!order) {
		kt_fail("out of memory sorting %zu initramfs entries",
			ir->count);
		return NULL;
	}
	for (i = 0; i < ir->count; i++)
		order[i] = &ir->entries[i];
	qsort(order, ir->count, sizeof(*order), by_path);
	return order;
}

/* A later add may have replaced a directory that had entries below. */
static int check_parents(const struct kt_initramfs *ir)
{
	char parent[PATH_MAX];
	char *slash;
	size_t i;
	long idx;

	for (i = 0; i < ir->count; i++) {
		snprintf(parent, sizeof(parent), "%s", ir->entries[i].path);
		slash = strrchr(parent, '/');
		if (slash == parent)
			continue;
		*slash = '\0';
		idx = find(ir, parent);
		if (idx >= 0 && ir->entries[idx].type == IR_DIR)
			continue;
		return kt_fail("guest path %s: %s was replaced by %s, but entries below it remain",
			       ir->entries[i].path, parent,
			       idx < 0 ? "nothing" :
			       type_name(ir->entries[idx].type));
	}
	return 0;
}

static int open_host(const struct ir_entry *e, uint64_t *size)
{
	struct stat st;
	int fd;

	fd = open(e->host, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kt_fail_errno("cannot read %s (for %s)", e->host,
				     e->path);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return kt_fail("%s (for %s) is no longer a regular file",
			       e->host, e->path);
	}
	*size = st.st_size;
	return fd;
}

static int hash_host(struct ir_entry *e, struct kt_sha256 *s)
{
	char *buf = malloc(HASH_CHUNK);
	uint64_t done = 0;
	char num[32];
	int fd, ret = 0;
	ssize_t n;

	if (!buf)
		return kt_fail("out of memory hashing %s", e->host);
	fd = open_host(e, &e->size);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)e->size);
	kt_sha256_update(s, num, strlen(num) + 1);
	while ((n = read(fd, buf, HASH_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = kt_fail_errno("cannot read %s", e->host);
			break;
		}
		kt_sha256_update(s, buf, n);
		done += n;
	}
	if (!ret && done != e->size)
		ret = kt_fail("%s changed while being read", e->host);
	close(fd);
	free(buf);
	return ret;
}

/*
 * Everything the archive depends on, each field ended by a NUL so no two
 * different images serialise alike; contents are preceded by their size.
 */
static int hash_entry(struct ir_entry *e, struct kt_sha256 *s)
{
	static const char types[] = "dfflc";
	char head[32];

	snprintf(head, sizeof(head), "%c%o", types[e->type], e->mode);
	kt_sha256_update(s, head, strlen(head) + 1);
	kt_sha256_update(s, e->path, strlen(e->path) + 1);
	switch (e->type) {
	case IR_DATA:
		snprintf(head, sizeof(head), "%zu", e->len);
		kt_sha256_update(s, head, strlen(head) + 1);
		kt_sha256_update(s, e->data, e->len);
		break;
	case IR_HOST:
		return hash_host(e, s);
	case IR_SYMLINK:
		kt_sha256_update(s, e->target, strlen(e->target) + 1);
		break;
	case IR_CHARDEV:
		snprintf(head, sizeof(head), "%u:%u", e->major, e->minor);
		kt_sha256_update(s, head, strlen(head) + 1);
		break;
	case IR_DIR:
		break;
	}
	return 0;
}

static int hash_all(const struct kt_initramfs *ir, struct ir_entry **order,
		    char hex[KT_SHA256_HEX_LEN])
{
	struct kt_sha256 s;
	size_t i;

	if (kt_sha256_init(&s))
		return -1;
	kt_sha256_update(&s, FORMAT_TAG, sizeof(FORMAT_TAG));
	for (i = 0; i < ir->count; i++) {
		if (hash_entry(order[i], &s)) {
			kt_sha256_discard(&s);
			return -1;
		}
	}
	return kt_sha256_final_hex(&s, hex);
}

static int write_host(struct kt_cpio *c, const struct ir_entry *e)
{
	uint64_t size;
	int fd, ret;

	fd = open_host(e, &size);
	if (fd < 0)
		return -1;
	if (size != e->size)
		ret = kt_fail("%s changed size during the build", e->host);
	else
		ret = kt_cpio_add_file_fd(c, e->path, e->mode, fd, size);
	close(fd);
	return ret;
}

static int write_entry(struct kt_cpio *c, const struct ir_entry *e)
{
	switch (e->type) {
	case IR_DIR:
		return kt_cpio_add_dir(c, e->path, e->mode);
	case IR_DATA:
		return kt_cpio_add_file(c, e->path, e->mode, e->data, e->len);
	case IR_HOST:
		return write_host(c, e);
	case IR_SYMLINK:
		return kt_cpio_add_symlink(c, e->path, e->target);
	case IR_CHARDEV:
		return kt_cpio_add_chardev(c, e->path, e->mode, e->major,
					   e->minor);
	}
	return kt_fail("%s: unknown entry type", e->path);
}

static int write_archive(const struct kt_initramfs *ir,
			 struct ir_entry *const *order, int fd)
{
	struct kt_cpio *c = kt_cpio_new(fd);
	size_t i;

	if (!c)
		return -1;
	for (i = 0; i < ir->count; i++) {
		if (write_entry(c, order[i])) {
			kt_cpio_abort(c);
			return -1;
		}
	}
	return kt_cpio_finish(c);
}

static int create_tmp(const char *tmp)
{
	int fd;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd >= 0 || errno != EEXIST)
		return fd;
	/*
	 * Left by a crashed process that had our pid (containers reuse
	 * small pids); no live process can be using the name.
	 */
	if (unlink(tmp) && errno != ENOENT)
		return -1;
	return open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
}

/* Complete on disk before it gets the name that says it is complete. */
static int publish(const struct kt_initramfs *ir,
		   struct ir_entry *const *order, const char *tmp,
		   const char *final)
{
	char why[512];
	int fd, ret;

	fd = create_tmp(tmp);
	if (fd < 0)
		return kt_fail_errno("cannot create %s", tmp);
	ret = write_archive(ir, order, fd);
	if (ret) {
		/* kt_errmsg() is the buffer kt_fail() writes: copy it first. */
		snprintf(why, sizeof(why), "%s", kt_errmsg());
		kt_fail("writing %s: %s", tmp, why);
	}
	if (!ret && fsync(fd))
		ret = kt_fail_errno("cannot write %s", tmp);
	if (close(fd) && !ret)
		ret = kt_fail_errno("cannot write %s", tmp);
	if (!ret && rename(tmp, final))
		ret = kt_fail_errno("cannot rename %s to %s", tmp, final);
	if (ret)
		unlink(tmp);
	return ret;
}

static int cache_names(const char *hex, char *final, size_t final_len,
		       char *tmp, size_t tmp_len)
{
	char sub[KT_SHA256_HEX_LEN + 64];

	snprintf(sub, sizeof(sub), "initramfs/%s.cpio", hex);
	if (kt_cache_path(final, final_len, sub))
		return -1;
	snprintf(sub, sizeof(sub), "initramfs/.tmp-%s-%ld", hex,
		 (long)getpid());
	return kt_cache_path(tmp, tmp_len, sub);
}

int kt_initramfs_build(struct kt_initramfs *ir, char *out_path,
		       size_t out_len)
{
	char hex[KT_SHA256_HEX_LEN], final[PATH_MAX], tmp[PATH_MAX];
	struct ir_entry **order;
	struct stat st;
	int ret = -1;

	order = sorted(ir);
	if (!order)
		return -1;
	if (check_parents(ir) || hash_all(ir, order, hex) ||
	    cache_names(hex, final, sizeof(final), tmp, sizeof(tmp)))
		goto out;
	if (strlen(final) >= out_len) {
		kt_fail("initramfs path does not fit in %zu bytes: %s",
			out_len, final);
		goto out;
	}
	if (!stat(final, &st) && S_ISREG(st.st_mode))
		ret = 0;
	else
		ret = publish(ir, order, tmp, final);
	if (!ret)
		snprintf(out_path, out_len, "%s", final);
out:
	free(order);
	return ret;
}
