// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel resolution, the kernel cache and vmlinux extraction.  See
 * kernel.h for the forms a kernel can be given in.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "arm64_image.h"
#include "cache.h"
#include "error.h"
#include "kernel.h"
#include "sha256.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* x86 boot protocol (Documentation/arch/x86/boot.rst). */
#define BOOT_SETUP_SECTS	0x1f1
#define BOOT_HEADER_MAGIC	0x202
#define BOOT_VERSION		0x206
#define BOOT_KERNEL_VERSION	0x20e
#define BOOT_PAYLOAD_OFFSET	0x248
#define BOOT_PAYLOAD_LENGTH	0x24c
#define BOOT_HEADER_END		0x250
/* payload_offset/length appeared in boot protocol 2.08. */
#define BOOT_PAYLOAD_PROTOCOL	0x208

/* XEN_ELFNOTE_PHYS32_ENTRY: the 32-bit PVH entry point QEMU boots. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

/* ELF header: e_machine, as little-endian 16 bits. */
#define ELF_MACHINE		18

enum image_kind { IMAGE_OTHER, IMAGE_BZIMAGE, IMAGE_ELF, IMAGE_ARM64 };

static const char *const required_options[] = {
	"CONFIG_SCHED_CLASS_EXT",
	"CONFIG_BPF_SYSCALL",
	"CONFIG_DEBUG_INFO_BTF",
};

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int join(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len)
		return kt_fail("path too long: %s/%s", dir, name);
	return 0;
}

/* @buf = @dir/@name if that is a regular file, else "". */
static void set_if_file(char *buf, size_t len, const char *dir,
			const char *name)
{
	if (join(buf, len, dir, name) || !is_file(buf))
		buf[0] = '\0';
}

static uint16_t le16(const unsigned char *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_head(const char *path, unsigned char *buf, size_t len,
		     size_t *got)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kt_fail_errno("cannot open %s", path);
	n = pread(fd, buf, len, 0);
	close(fd);
	if (n < 0)
		return kt_fail_errno("cannot read %s", path);
	*got = n;
	return 0;
}

static enum image_kind head_kind(const unsigned char *head, size_t len)
{
	if (len >= 4 && !memcmp(head, "\177ELF", 4))
		return IMAGE_ELF;
	if (kt_arm64_image_head(head, len))
		return IMAGE_ARM64;
	if (len >= BOOT_HEADER_MAGIC + 4 &&
	    !memcmp(head + BOOT_HEADER_MAGIC, "HdrS", 4))
		return IMAGE_BZIMAGE;
	return IMAGE_OTHER;
}

/* arm64 for an Image or an EM_AARCH64 ELF file, else x86_64. */
static enum kt_arch head_arch(const unsigned char *head, size_t len,
			      enum image_kind kind)
{
	if (kind == IMAGE_ARM64 ||
	    (kind == IMAGE_ELF && len > ELF_MACHINE + 1 &&
	     le16(head + ELF_MACHINE) == EM_AARCH64))
		return KT_ARCH_ARM64;
	return KT_ARCH_X86_64;
}

/* @hint, if not NULL, says what an IMAGE_OTHER is instead, or "". */
static int image_kind_arch(const char *path, enum image_kind *kind,
			   enum kt_arch *arch, const char **hint)
{
	unsigned char head[BOOT_HEADER_END];
	const char *what;
	size_t len;

	if (read_head(path, head, sizeof(head), &len))
		return -1;
	*kind = head_kind(head, len);
	*arch = head_arch(head, len, *kind);
	what = kt_arm64_image_hint(head, len);
	if (hint)
		*hint = what ? what : "";
	return 0;
}

/*
 * The kernel_version string the bzImage announces ("7.3.4+deb13-cloud-amd64
 * (builder@host) #1 SMP ..."), up to its newline; "" if it has none.
 */
static void bzimage_version(const char *path, char *out, size_t len)
{
	unsigned char head[BOOT_HEADER_END];
	char text[256];
	size_t got, off;
	ssize_t n;
	int fd;

	out[0] = '\0';
	if (read_head(path, head, sizeof(head), &got) ||
	    head_kind(head, got) != IMAGE_BZIMAGE || got < BOOT_HEADER_END)
		return;
	off = le16(head + BOOT_KERNEL_VERSION);
	if (!off)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	/* kernel_version is relative to the end of the boot sector. */
	n = pread(fd, text, sizeof(text) - 1, off + 0x200);
	close(fd);
	if (n <= 0)
		return;
	text[n] = '\0';
	snprintf(out, len, "%.*s", (int)strcspn(text, "\n"), text);
}

/* Its release: kernel_version up to the first space. */
static void bzimage_release(const char *path, char *out, size_t len)
{
	char text[256];

	bzimage_version(path, text, sizeof(text));
	snprintf(out, len, "%.*s", (int)strcspn(text, " "), text);
}

/* ------------------------------------------------------------------ */
/* Config check                                                        */

enum opt_state { OPT_ABSENT, OPT_YES, OPT_NOT_SET, OPT_OTHER };

static void scan_option(const char *line, const char *opt,
			enum opt_state *state)
{
	size_t n = strlen(opt);

	if (!strncmp(line, opt, n) && line[n] == '=') {
		line += n + 1;
		*state = (line[0] == 'y' && (!line[1] || line[1] == '\n')) ?
			 OPT_YES : OPT_OTHER;
	} else if (!strncmp(line, "# ", 2) && !strncmp(line + 2, opt, n) &&
		   !strcmp(line + 2 + n, " is not set\n")) {
		*state = OPT_NOT_SET;
	}
}

static const char *const state_words[] = {
	[OPT_ABSENT] = "absent",
	[OPT_NOT_SET] = "is not set",
	[OPT_OTHER] = "is not =y",
};

int kt_kernel_check_config(const char *config_path)
{
	enum opt_state state[ARRAY_SIZE(required_options)] = { OPT_ABSENT };
	char missing[512] = "", *line = NULL;
	size_t i, cap = 0, used = 0;
	FILE *f;

	if (!config_path || !*config_path)
		return kt_fail("no kernel config: ktstr needs one to check for CONFIG_SCHED_CLASS_EXT=y");
	f = fopen(config_path, "re");
	if (!f)
		return kt_fail_errno("kernel config %s", config_path);
	while (getline(&line, &cap, f) > 0)
		for (i = 0; i < ARRAY_SIZE(required_options); i++)
			scan_option(line, required_options[i], &state[i]);
	free(line);
	if (ferror(f)) {
		fclose(f);
		return kt_fail_errno("cannot read kernel config %s",
				     config_path);
	}
	fclose(f);
	for (i = 0; i < ARRAY_SIZE(required_options); i++) {
		if (state[i] == OPT_YES)
			continue;
		used += snprintf(missing + used, sizeof(missing) - used,
				 "%s%s=y (%s)", used ? ", " : "",
				 required_options[i], state_words[state[i]]);
	}
	if (used)
		return kt_fail("kernel config %s lacks %s: ktstr needs these to load sched_ext schedulers",
			       config_path, missing);
	return 0;
}

/* ------------------------------------------------------------------ */
/* vmlinux extraction                                                  */

static const struct {
	const char *name;
	unsigned char magic[6];
	size_t len;
} compressions[] = {
	{ "gzip", { 0x1f, 0x8b }, 2 },
	{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6 },
	{ "lzma", { 0x5d, 0, 0 }, 3 },
	{ "bzip2", { 'B', 'Z', 'h' }, 3 },
	{ "lz4", { 0x02, 0x21, 0x4c, 0x18 }, 4 },
	{ "lzo", { 0x89, 'L', 'Z', 'O' }, 4 },
};

static const char *compression_name(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(compressions); i++)
		if (len >= compressions[i].len &&
		    !memcmp(p, compressions[i].magic, compressions[i].len))
			return compressions[i].name;
	return "an unknown format";
}

struct payload {
	const unsigned char *data;	/* the zstd frame(s) */
	size_t len;
	size_t out_size;		/* what they decompress to */
};

static int find_payload(const char *path, const unsigned char *img,
			size_t len, struct payload *p)
{
	static const unsigned char zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };
	size_t base, off, n;
	unsigned int proto;

	if (head_kind(img, len) != IMAGE_BZIMAGE)
		return kt_fail("%s: not a bzImage (no \"HdrS\" boot header at 0x202)",
			       path);
	if (len < BOOT_HEADER_END)
		return kt_fail("%s: truncated inside the boot header (%zu bytes)",
			       path, len);
	proto = le16(img + BOOT_VERSION);
	if (proto < BOOT_PAYLOAD_PROTOCOL)
		return kt_fail("%s: boot protocol %u.%02u does not locate the payload (needs 2.08)",
			       path, proto >> 8, proto & 0xff);
	/* Zero setup sectors means four, for historical reasons. */
	base = ((img[BOOT_SETUP_SECTS] ? img[BOOT_SETUP_SECTS] : 4) + 1) * 512;
	off = le32(img + BOOT_PAYLOAD_OFFSET);
	n = le32(img + BOOT_PAYLOAD_LENGTH);
	if (base + off + n > len)
		return kt_fail("%s: truncated: the payload ends at byte %zu but the file has %zu",
			       path, base + off + n, len);
	if (n < sizeof(zstd_magic) + 4 ||
	    memcmp(img + base + off, zstd_magic, sizeof(zstd_magic)))
		return kt_fail("%s: payload is not zstd but %s; only zstd kernels are supported",
			       path, compression_name(img + base + off, n));
	/* The build appends the decompressed size as a 32-bit trailer. */
	p->data = img + base + off;
	p->len = n - 4;
	p->out_size = le32(img + base + off + n - 4);
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int inflate_payload(const char *src, const struct payload *p,
			   int fd, const char *dst)
{
	ZSTD_inBuffer in = { p->data, p->len, 0 };
	size_t cap = ZSTD_DStreamOutSize(), total = 0, ret = 0;
	ZSTD_DStream *zs = ZSTD_createDStream();
	char *buf = malloc(cap);
	ZSTD_outBuffer out;
	int err = -1;

	if (!zs || !buf) {
		kt_fail("%s: out of memory for zstd decompression", src);
		goto out;
	}
	do {
		out = (ZSTD_outBuffer){ buf, cap, 0 };
		ret = ZSTD_decompressStream(zs, &out, &in);
		if (ZSTD_isError(ret)) {
			kt_fail("%s: corrupt zstd payload: %s", src,
				ZSTD_getErrorName(ret));
			goto out;
		}
		if (!total && out.pos >= 4 && memcmp(buf, "\177ELF", 4)) {
			kt_fail("%s: payload does not decompress to an ELF vmlinux",
				src);
			goto out;
		}
		if (write_all(fd, buf, out.pos)) {
			kt_fail_errno("cannot write %s", dst);
			goto out;
		}
		total += out.pos;
	} while (in.pos < in.size || out.pos == out.size);
	if (ret)
		kt_fail("%s: truncated zstd payload", src);
	else if (total != p->out_size)
		kt_fail("%s: size mismatch: payload decompressed to %zu bytes, its trailer says %zu",
			src, total, p->out_size);
	else
		err = 0;
out:
	ZSTD_freeDStream(zs);
	free(buf);
	return err;
}

static int map_file(const char *path, void **map, size_t *len)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kt_fail_errno("cannot open %s", path);
	if (fstat(fd, &st)) {
		close(fd);
		return kt_fail_errno("cannot stat %s", path);
	}
	if (!st.st_size) {
		close(fd);
		return kt_fail("%s: empty file", path);
	}
	*len = st.st_size;
	*map = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (*map == MAP_FAILED)
		return kt_fail_errno("cannot map %s", path);
	return 0;
}

/*
 * Each banner in a vmlinux, after "Linux version ": "<release>
 * (<builder>) (<compiler>) #1 SMP ...", up to its newline, to @each
 * until it returns true.  A vmlinux has more than one (init/version.o's
 * with an empty build number, and version-timestamp.o's, the real
 * linux_banner).  Requiring " (" after the release passes over format
 * strings such as "Linux version %s".
 */
static void vmlinux_banners(const char *path,
			    bool (*each)(void *ctx, const char *text),
			    void *ctx)
{
	static const char tag[] = "Linux version ";
	const char *p, *rel, *end;
	char text[512];
	size_t size, n, line;
	void *map;

	if (map_file(path, &map, &size))
		return;
	end = (const char *)map + size;
	for (p = memmem(map, size, tag, sizeof(tag) - 1); p;
	     p = memmem(p + 1, end - p - 1, tag, sizeof(tag) - 1)) {
		rel = p + sizeof(tag) - 1;
		for (n = 0; rel + n < end && isgraph((unsigned char)rel[n]) &&
		     rel[n] != '%'; n++)
			;
		if (!n || n >= sizeof(text) || rel + n + 2 > end ||
		    memcmp(rel + n, " (", 2))
			continue;
		for (line = n; rel + line < end && rel[line] != '\n' &&
		     rel[line]; line++)
			;
		snprintf(text, sizeof(text), "%.*s", (int)line, rel);
		if (each(ctx, text))
			break;
	}
	munmap(map, size);
}

struct release {
	char *out;
	size_t len;
};

static bool take_release(void *ctx, const char *text)
{
	struct release *r = ctx;

	snprintf(r->out, r->len, "%.*s", (int)strcspn(text, " "), text);
	return true;
}

/* The release of the first banner, or "". */
static void vmlinux_release(const char *path, char *out, size_t len)
{
	struct release r = { out, len };

	out[0] = '\0';
	vmlinux_banners(path, take_release, &r);
}

/*
 * "<release> (<builder>) #<n>" of a kernel_version string (@banner
 * false) or of a banner, which has "(<compiler>) " before the "#": what
 * tells one build from another.  -1 if @text has not that form.
 */
static int build_of(const char *text, bool banner, char *out, size_t len)
{
	const char *rel_end = strchr(text, ' '), *by, *by_end, *num;

	if (!rel_end || strncmp(rel_end, " (", 2))
		return -1;
	by = rel_end + 2;
	by_end = strchr(by, ')');
	if (!by_end)
		return -1;
	num = banner ? strstr(by_end + 1, ") #") : by_end;
	if (!num || strncmp(num, ") #", 3))
		return -1;
	num += 2;
	snprintf(out, len, "%.*s (%.*s) %.*s", (int)(rel_end - text), text,
		 (int)(by_end - by), by, (int)strcspn(num, " "), num);
	return 0;
}

struct build_match {
	const char *want;
	char seen[300];		/* the last build with a number, for errors */
	bool matched;
};

static bool match_build(void *ctx, const char *text)
{
	struct build_match *m = ctx;
	char build[300];

	if (build_of(text, true, build, sizeof(build)))
		return false;
	if (!strcmp(build, m->want)) {
		m->matched = true;
		return true;
	}
	if (isdigit((unsigned char)build[strlen(build) - 1]))
		snprintf(m->seen, sizeof(m->seen), "%s", build);
	return false;
}

int kt_kernel_check_builds(const struct kt_kernel *k)
{
	struct build_match m = { 0 };
	char version[256], bz_build[300];

	if (!k->bzimage[0] || !k->vmlinux[0])
		return 0;
	bzimage_version(k->bzimage, version, sizeof(version));
	if (build_of(version, false, bz_build, sizeof(bz_build)))
		return 0;
	m.want = bz_build;
	vmlinux_banners(k->vmlinux, match_build, &m);
	/* Without a numbered banner there is nothing to compare: no error. */
	if (m.matched || !m.seen[0])
		return 0;
	return kt_fail("kernel %s: the bzImage %s is build \"%s\" but the vmlinux %s is \"%s\": the monitor would look for a kernel the guest does not run (rebuild the bzImage, e.g. make bzImage, or boot the vmlinux with --nokaslr)",
		       k->version, k->bzimage, bz_build, k->vmlinux, m.seen);
}

int kt_vmlinux_extract(const char *bzimage, const char *out_path)
{
	struct payload p = { 0 };
	char tmp[PATH_MAX];
	size_t len = 0;
	void *img = NULL;
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out_path, getpid()) >=
	    (int)sizeof(tmp))
		return kt_fail("path too long: %s", out_path);
	if (map_file(bzimage, &img, &len))
		return -1;
	err = find_payload(bzimage, img, len, &p);
	if (err)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = kt_fail_errno("cannot create %s", tmp);
		goto out;
	}
	err = inflate_payload(bzimage, &p, fd, tmp);
	if (close(fd) && !err)
		err = kt_fail_errno("cannot write %s", tmp);
	if (!err && rename(tmp, out_path))
		err = kt_fail_errno("cannot rename %s to %s", tmp, out_path);
	if (err)
		unlink(tmp);
out:
	munmap(img, len);
	return err;
}

/* ------------------------------------------------------------------ */
/* PVH note                                                            */

static bool notes_have_pvh(Elf_Data *data)
{
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off))) {
		if (nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY &&
		    nh.n_namesz == 4 &&
		    !memcmp((char *)data->d_buf + name_off, "Xen", 4))
			return true;
	}
	return false;
}

static int elf_has_pvh(const char *path, Elf *e)
{
	size_t i, nphdr;
	Elf_Data *data;
	GElf_Phdr ph;

	if (elf_kind(e) != ELF_K_ELF || elf_getphdrnum(e, &nphdr))
		return kt_fail("%s: not an ELF file", path);
	for (i = 0; i < nphdr; i++) {
		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_NOTE)
			continue;
		data = elf_getdata_rawchunk(e, ph.p_offset, ph.p_filesz,
					    ELF_T_NHDR);
		if (data && notes_have_pvh(data))
			return 1;
	}
	return 0;
}

int kt_vmlinux_has_pvh(const char *path)
{
	Elf *e;
	int fd, ret;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return kt_fail("libelf: %s", elf_errmsg(-1));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kt_fail_errno("cannot open %s", path);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e) {
		close(fd);
		return kt_fail("%s: %s", path, elf_errmsg(-1));
	}
	ret = elf_has_pvh(path, e);
	elf_end(e);
	close(fd);
	return ret;
}

const char *kt_kernel_boot_image(const struct kt_kernel *k)
{
	/* QEMU boots the Image; the vmlinux of the -dbg package has DWARF. */
	if (k->arch == KT_ARCH_ARM64) {
		if (k->bzimage[0])
			return k->bzimage;
		kt_fail("kernel %s: no arm64 Image to boot (a vmlinux alone is not enough)",
			k->version);
		return NULL;
	}
	/* A vmlinux we cannot read is no reason to fail: use the bzImage. */
	if (k->vmlinux[0] && kt_vmlinux_has_pvh(k->vmlinux) == 1)
		return k->vmlinux;
	if (k->bzimage[0])
		return k->bzimage;
	if (k->vmlinux[0])
		kt_fail("kernel %s: %s has no PVH entry note and there is no bzImage to boot instead",
			k->version, k->vmlinux);
	else
		kt_fail("kernel %s: no boot image", k->version);
	return NULL;
}

const char *kt_kernel_boot_image_kaslr(const struct kt_kernel *k, bool kaslr)
{
	if (kaslr && k->bzimage[0])
		return k->bzimage;
	return kt_kernel_boot_image(k);
}

const char *kt_kernel_launch_image(const struct kt_kernel *k, bool kaslr,
				   FILE *note)
{
	const char *image = kt_kernel_boot_image_kaslr(k, kaslr);

	if (!image)
		return NULL;
	if (image == k->bzimage && kt_kernel_check_builds(k))
		return NULL;
	if (kaslr && image != k->bzimage)
		fprintf(note, "ktstr: kernel %s has no bzImage: booting PVH vmlinux %s, without KASLR\n",
			k->version, image);
	return image;
}

/* ------------------------------------------------------------------ */
/* Cache entries                                                       */

static int kernels_dir(char *buf, size_t len)
{
	char root[PATH_MAX];

	if (kt_cache_dir(root, sizeof(root)))
		return -1;
	return join(buf, len, root, "kernels");
}

/*
 * Install writes metadata last and renames the directory in whole, so an
 * entry without it is left over from something else: never use it.
 */
static bool entry_valid(const char *kdir, const char *name)
{
	char path[PATH_MAX];

	if (name[0] == '.')
		return false;
	if (snprintf(path, sizeof(path), "%s/%s/metadata", kdir, name) >=
	    (int)sizeof(path) || !is_file(path))
		return false;
	snprintf(path, sizeof(path), "%s/%s/vmlinuz", kdir, name);
	return is_file(path);
}

/* "7.3" selects 7.3.4+deb13-cloud-amd64 but not 7.30.1. */
static bool key_matches(const char *name, const char *prefix)
{
	size_t n;

	if (!prefix)
		return true;
	n = strlen(prefix);
	return !strncmp(name, prefix, n) &&
	       (!name[n] || strchr(".+-~", name[n]));
}

static void free_names(char **names, size_t count)
{
	while (count)
		free(names[--count]);
	free(names);
}

static int add_name(char ***names, size_t *count, const char *name)
{
	char **v = realloc(*names, (*count + 1) * sizeof(**names));

	if (!v)
		return -1;
	*names = v;
	v[*count] = strdup(name);
	if (!v[*count])
		return -1;
	(*count)++;
	return 0;
}

/* The valid entries of @kdir; the caller frees them with free_names(). */
static int list_entries(const char *kdir, char ***names, size_t *count)
{
	struct dirent *de;
	DIR *d;

	*names = NULL;
	*count = 0;
	d = opendir(kdir);
	if (!d)
		return errno == ENOENT ? 0 :
		       kt_fail_errno("cannot read %s", kdir);
	while ((de = readdir(d))) {
		if (!entry_valid(kdir, de->d_name))
			continue;
		if (add_name(names, count, de->d_name)) {
			closedir(d);
			free_names(*names, *count);
			return kt_fail("out of memory listing %s", kdir);
		}
	}
	closedir(d);
	return 0;
}

static int newer_first(const void *a, const void *b)
{
	return strverscmp(*(char *const *)b, *(char *const *)a);
}

static int meta_get(const char *dir, const char *key, char *out, size_t len)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0, n = strlen(key);
	ssize_t got;
	FILE *f;

	out[0] = '\0';
	if (join(path, sizeof(path), dir, "metadata"))
		return -1;
	f = fopen(path, "re");
	if (!f)
		return kt_fail_errno("cannot open %s", path);
	while ((got = getline(&line, &cap, f)) > 0) {
		if (strncmp(line, key, n) || line[n] != '=')
			continue;
		if (line[got - 1] == '\n')
			line[got - 1] = '\0';
		snprintf(out, len, "%s", line + n + 1);
		break;
	}
	free(line);
	fclose(f);
	return 0;
}

/*
 * The arch in the metadata of the entry @dir; x86_64 without one, and
 * -1, recorded, if it names none.
 */
static int dir_arch(const char *dir, enum kt_arch *arch)
{
	char value[64];

	*arch = KT_ARCH_X86_64;
	if (meta_get(dir, "arch", value, sizeof(value)))
		return -1;
	if (value[0] && kt_arch_parse(value, arch))
		return kt_fail("kernel %s: metadata names an unknown arch '%s'",
			       dir, value);
	return 0;
}

static int entry_arch(const char *kdir, const char *name,
		      enum kt_arch *arch)
{
	char dir[PATH_MAX];

	return join(dir, sizeof(dir), kdir, name) ?: dir_arch(dir, arch);
}

static bool entry_is_arch(const char *kdir, const char *name,
			  enum kt_arch arch)
{
	enum kt_arch a;

	return !entry_arch(kdir, name, &a) && a == arch;
}

/*
 * 1 and @out set if an entry of @arch matches @prefix, else 0.  With no
 * prefix, the default kernel of @arch: the newest release, so that a
 * tree built once with --kernel (key "tree_...") does not become
 * everyone's default; only without any release is it the newest entry.
 */
static int newest_entry(const char *kdir, const char *prefix,
			enum kt_arch arch, char *out, size_t len)
{
	size_t i, count, pass;
	char **names;
	int found = 0;

	if (list_entries(kdir, &names, &count))
		return -1;
	qsort(names, count, sizeof(*names), newer_first);
	for (pass = prefix ? 1 : 0; pass < 2 && !found; pass++) {
		for (i = 0; i < count && !found; i++) {
			if (!key_matches(names[i], prefix) ||
			    (!pass && !isdigit((unsigned char)names[i][0])) ||
			    !entry_is_arch(kdir, names[i], arch))
				continue;
			snprintf(out, len, "%s", names[i]);
			found = 1;
		}
	}
	free_names(names, count);
	return found;
}

/* $CACHE/source/linux-source-<major.minor>, if it was unpacked. */
static void source_for(const char *version, char *out, size_t len)
{
	char root[PATH_MAX], makefile[PATH_MAX];
	unsigned int major, minor;

	out[0] = '\0';
	if (sscanf(version, "%u.%u", &major, &minor) != 2 ||
	    kt_cache_dir(root, sizeof(root)))
		return;
	if (snprintf(out, len, "%s/source/linux-source-%u.%u", root, major,
		     minor) >= (int)len ||
	    snprintf(makefile, sizeof(makefile), "%s/Makefile", out) >=
	    (int)sizeof(makefile) || !is_file(makefile))
		out[0] = '\0';
}

/* vmlinux.btf in @dir if there is one, else the vmlinux. */
static void set_btf(struct kt_kernel *k, const char *dir)
{
	set_if_file(k->btf, sizeof(k->btf), dir, "vmlinux.btf");
	if (!k->btf[0])
		snprintf(k->btf, sizeof(k->btf), "%s", k->vmlinux);
}

static int fill_entry(struct kt_kernel *k, const char *dir)
{
	const char *name = strrchr(dir, '/');

	name = name ? name + 1 : dir;
	if (meta_get(dir, "version", k->version, sizeof(k->version)) ||
	    meta_get(dir, "release", k->release, sizeof(k->release)) ||
	    dir_arch(dir, &k->arch))
		return -1;
	if (!k->version[0])
		snprintf(k->version, sizeof(k->version), "%s", name);
	snprintf(k->dir, sizeof(k->dir), "%s", dir);
	set_if_file(k->bzimage, sizeof(k->bzimage), dir, "vmlinuz");
	set_if_file(k->vmlinux, sizeof(k->vmlinux), dir, "vmlinux");
	set_if_file(k->system_map, sizeof(k->system_map), dir, "System.map");
	set_if_file(k->config, sizeof(k->config), dir, "config");
	set_btf(k, dir);
	source_for(k->version, k->source, sizeof(k->source));
	return 0;
}

static int resolve_default(enum kt_arch arch, struct kt_kernel *k)
{
	char kdir[PATH_MAX], name[256], dir[PATH_MAX];
	int found;

	if (kernels_dir(kdir, sizeof(kdir)))
		return -1;
	found = newest_entry(kdir, NULL, arch, name, sizeof(name));
	if (found < 0)
		return -1;
	if (!found && arch != KT_ARCH_X86_64)
		return kt_fail("no %s kernel in the cache (%s): run './ktstr kernel fetch --arch %s'",
			       kt_arch_name(arch), kdir, kt_arch_name(arch));
	if (!found)
		return kt_fail("no kernel in the cache (%s): run 'make deps' or './ktstr kernel fetch'",
			       kdir);
	return join(dir, sizeof(dir), kdir, name) ?: fill_entry(k, dir);
}

/* An entry of another arch that @key names is refused, naming its arch. */
static int refuse_other_arch(const char *kdir, const char *key,
			     enum kt_arch arch)
{
	char name[256];
	enum kt_arch a;

	for (a = 0; a < KT_ARCH_COUNT; a++) {
		if (a == arch || newest_entry(kdir, key, a, name,
					      sizeof(name)) <= 0)
			continue;
		return kt_fail("kernel '%s': the cache entry %s is an %s kernel, not %s (add --arch %s)",
			       key, name, kt_arch_name(a), kt_arch_name(arch),
			       kt_arch_name(a));
	}
	return 0;
}

/* 0 if @key named a cache entry, 1 if none matches, -1 on error. */
static int resolve_key(const char *key, enum kt_arch arch,
		       struct kt_kernel *k)
{
	char kdir[PATH_MAX], name[256], dir[PATH_MAX];
	int found;

	if (kernels_dir(kdir, sizeof(kdir)))
		return -1;
	found = newest_entry(kdir, key, arch, name, sizeof(name));
	if (found < 0 || (!found && refuse_other_arch(kdir, key, arch)))
		return -1;
	if (!found)
		return 1;
	return join(dir, sizeof(dir), kdir, name) ?: fill_entry(k, dir);
}

/* ------------------------------------------------------------------ */
/* Boot images and built trees                                         */

/*
 * The first of @names found in @dir; a name ending in '-' stands for
 * itself followed by @ver, as in Debian's /boot.
 */
static void find_beside(char *out, size_t len, const char *dir,
			const char *ver, const char *const *names)
{
	char name[NAME_MAX + 1];
	size_t n;

	out[0] = '\0';
	for (; *names && !out[0]; names++) {
		n = strlen(*names);
		if ((*names)[n - 1] != '-')
			snprintf(name, sizeof(name), "%s", *names);
		else if (*ver)
			snprintf(name, sizeof(name), "%s%s", *names, ver);
		else
			continue;
		set_if_file(out, len, dir, name);
	}
}

static const char *const vmlinux_names[] = {
	"vmlinux-", "vmlinux", NULL
};
static const char *const bzimage_names[] = {
	"vmlinuz-", "vmlinuz", "bzImage", "arch/x86/boot/bzImage", "Image",
	"arch/arm64/boot/Image", NULL
};
static const char *const system_map_names[] = {
	"System.map-", "System.map", NULL
};
static const char *const config_names[] = {
	"config-", "config", ".config", NULL
};

/* Debian installs /boot/vmlinuz-<release> next to config-<release>. */
static void debian_release(const char *base, char *out, size_t len)
{
	static const char *const prefixes[] = { "vmlinuz-", "vmlinux-" };
	size_t i;

	out[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(base, prefixes[i], strlen(prefixes[i])))
			snprintf(out, len, "%s", base + strlen(prefixes[i]));
}

/* The tree root if @dir is <tree>/arch/{x86,arm64}/boot, else "". */
static void tree_of_boot_dir(const char *dir, char *out, size_t len)
{
	static const char *const suffixes[] = {
		"/arch/x86/boot", "/arch/arm64/boot"
	};
	size_t i, n = strlen(dir), s;

	out[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(suffixes) && !out[0]; i++) {
		s = strlen(suffixes[i]);
		if (n > s && !strcmp(dir + n - s, suffixes[i]))
			snprintf(out, len, "%.*s", (int)(n - s), dir);
	}
}

/* Fills what is still missing from @dir. */
static void fill_beside(struct kt_kernel *k, const char *dir, const char *ver)
{
	if (!k->bzimage[0])
		find_beside(k->bzimage, sizeof(k->bzimage), dir, ver,
			    bzimage_names);
	if (!k->vmlinux[0])
		find_beside(k->vmlinux, sizeof(k->vmlinux), dir, ver,
			    vmlinux_names);
	if (!k->system_map[0])
		find_beside(k->system_map, sizeof(k->system_map), dir, ver,
			    system_map_names);
	if (!k->config[0])
		find_beside(k->config, sizeof(k->config), dir, ver,
			    config_names);
	if (!k->btf[0])
		set_btf(k, dir);
}

static void read_first_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");

	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, len, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/* The release the kernel calls itself, for messages and listings. */
static void guess_version(struct kt_kernel *k, const char *tree,
			  const char *fallback)
{
	char path[PATH_MAX];

	if (!k->version[0] && tree[0] &&
	    !join(path, sizeof(path), tree, "include/config/kernel.release"))
		read_first_line(path, k->version, sizeof(k->version));
	if (!k->version[0] && k->bzimage[0])
		bzimage_release(k->bzimage, k->version, sizeof(k->version));
	if (!k->version[0])
		snprintf(k->version, sizeof(k->version), "%s", fallback);
}

static int resolve_image(const char *path, struct kt_kernel *k)
{
	char tree[PATH_MAX], ver[128], *base;
	enum image_kind kind;
	const char *hint;

	if (image_kind_arch(path, &kind, &k->arch, &hint))
		return -1;
	if (kind == IMAGE_OTHER)
		return kt_fail("kernel %s: neither a bzImage, an arm64 Image nor an ELF vmlinux%s%s",
			       path, *hint ? "; it is " : "", hint);
	snprintf(k->dir, sizeof(k->dir), "%s", path);
	base = strrchr(k->dir, '/');
	*base++ = '\0';
	debian_release(base, ver, sizeof(ver));
	if (kind == IMAGE_ELF)
		snprintf(k->vmlinux, sizeof(k->vmlinux), "%s", path);
	else
		snprintf(k->bzimage, sizeof(k->bzimage), "%s", path);
	fill_beside(k, k->dir, ver);
	tree_of_boot_dir(k->dir, tree, sizeof(tree));
	if (tree[0]) {
		fill_beside(k, tree, ver);
		snprintf(k->source, sizeof(k->source), "%s", tree);
	}
	snprintf(k->version, sizeof(k->version), "%s", ver);
	guess_version(k, tree, base);
	/* An image inside a cache entry still has the entry's source. */
	if (!tree[0] && !join(tree, sizeof(tree), k->dir, "metadata") &&
	    is_file(tree))
		source_for(k->version, k->source, sizeof(k->source));
	return 0;
}

static int resolve_tree(const char *dir, struct kt_kernel *k)
{
	char path[PATH_MAX];
	const char *base;

	if (!join(path, sizeof(path), dir, "metadata") && is_file(path))
		return fill_entry(k, dir);
	snprintf(k->dir, sizeof(k->dir), "%s", dir);
	set_if_file(k->bzimage, sizeof(k->bzimage), dir,
		    "arch/x86/boot/bzImage");
	if (!k->bzimage[0]) {
		set_if_file(k->bzimage, sizeof(k->bzimage), dir,
			    "arch/arm64/boot/Image");
		k->arch = k->bzimage[0] ? KT_ARCH_ARM64 : KT_ARCH_X86_64;
	}
	set_if_file(k->vmlinux, sizeof(k->vmlinux), dir, "vmlinux");
	if (!k->bzimage[0] && !k->vmlinux[0])
		return kt_fail("kernel %s: not a built kernel tree (no arch/x86/boot/bzImage, arch/arm64/boot/Image or vmlinux)",
			       dir);
	snprintf(k->btf, sizeof(k->btf), "%s", k->vmlinux);
	set_if_file(k->system_map, sizeof(k->system_map), dir, "System.map");
	set_if_file(k->config, sizeof(k->config), dir, ".config");
	if (!join(path, sizeof(path), dir, "Makefile") && is_file(path))
		snprintf(k->source, sizeof(k->source), "%s", dir);
	base = strrchr(dir, '/');
	guess_version(k, dir, base && base[1] ? base + 1 : dir);
	return 0;
}

static int resolve_path(const char *spec, struct kt_kernel *k)
{
	char abs[PATH_MAX];

	if (!realpath(spec, abs))
		return kt_fail_errno("kernel %s", spec);
	return is_dir(abs) ? resolve_tree(abs, k) : resolve_image(abs, k);
}

static int resolve_spec(const char *spec, enum kt_arch arch,
			struct kt_kernel *k)
{
	char kdir[PATH_MAX];
	int r;

	if (!strchr(spec, '/')) {
		r = resolve_key(spec, arch, k);
		if (r <= 0)
			return r;
		if (access(spec, F_OK)) {
			if (kernels_dir(kdir, sizeof(kdir)))
				return -1;
			return kt_fail("kernel '%s': no such cache entry in %s, nor a file or directory",
				       spec, kdir);
		}
	}
	if (resolve_path(spec, k))
		return -1;
	if (k->arch != arch)
		return kt_fail("kernel %s is an %s kernel, not %s (add --arch %s)",
			       spec, kt_arch_name(k->arch), kt_arch_name(arch),
			       kt_arch_name(k->arch));
	return 0;
}

/*
 * Unless the metadata had it: the release of the image that boots, else
 * of the other one.
 */
static void find_release(struct kt_kernel *k, const char *boot_image)
{
	/* The Image is the kernel's memory: the banner is in it as is. */
	if (!k->release[0] && k->arch == KT_ARCH_ARM64)
		vmlinux_release(boot_image, k->release, sizeof(k->release));
	if (!k->release[0] && boot_image == k->vmlinux)
		vmlinux_release(k->vmlinux, k->release, sizeof(k->release));
	if (!k->release[0] && k->bzimage[0])
		bzimage_release(k->bzimage, k->release, sizeof(k->release));
	if (!k->release[0] && k->vmlinux[0] && boot_image != k->vmlinux)
		vmlinux_release(k->vmlinux, k->release, sizeof(k->release));
}

int kt_kernel_resolve_arch(const char *spec, enum kt_arch arch,
			   struct kt_kernel *k)
{
	const char *boot_image;

	memset(k, 0, sizeof(*k));
	if (spec && *spec ? resolve_spec(spec, arch, k) :
	    resolve_default(arch, k))
		return -1;
	if (!k->config[0])
		return kt_fail("kernel %s (%s): no config found beside it (config, .config or config-<release>); ktstr needs one to check for CONFIG_SCHED_CLASS_EXT=y",
			       k->version, k->dir);
	if (kt_kernel_check_config(k->config))
		return -1;
	boot_image = kt_kernel_boot_image(k);
	if (!boot_image)
		return -1;
	find_release(k, boot_image);
	return 0;
}

int kt_kernel_resolve(const char *spec, struct kt_kernel *k)
{
	return kt_kernel_resolve_arch(spec, KT_ARCH_X86_64, k);
}

/* ------------------------------------------------------------------ */
/* Installing into the cache                                           */

static int check_version_name(const char *version)
{
	size_t i, n = version ? strlen(version) : 0;

	if (!n || n >= sizeof(((struct kt_kernel *)0)->version))
		return kt_fail_usage("kernel version '%s': must be 1 to 127 characters",
				     version ? version : "");
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)version[i]) &&
		    !strchr(".+-_~", version[i]))
			break;
	if (version[0] == '.' || i < n)
		return kt_fail_usage("kernel version '%s': use letters, digits and . + - _ ~, not starting with '.'",
				     version);
	return 0;
}

/*
 * Debian's linux-base ships a one-line System.map that only points at the
 * -dbg package; symbol lookups need the real one, which has text symbols.
 */
static int check_system_map(const char *path)
{
	char *line = NULL, type;
	size_t cap = 0;
	bool text = false;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return kt_fail_errno("System.map %s", path);
	while (!text && getline(&line, &cap, f) > 0)
		text = sscanf(line, "%*x %c", &type) == 1 &&
		       (type == 'T' || type == 't');
	free(line);
	fclose(f);
	if (!text)
		return kt_fail("System.map %s has no text symbols (Debian's linux-base has a stub; the real one is in the -dbg package)",
			       path);
	return 0;
}

static int copy_file(const char *src, const char *dst)
{
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	int in, out, err = -1;
	ssize_t n;

	if (!buf)
		return kt_fail("out of memory copying %s", src);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		free(buf);
		return kt_fail_errno("cannot open %s", src);
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		kt_fail_errno("cannot create %s", dst);
		goto out;
	}
	while ((n = read(in, buf, cap)) > 0) {
		if (write_all(out, buf, n)) {
			kt_fail_errno("cannot write %s", dst);
			goto out;
		}
	}
	if (n < 0)
		kt_fail_errno("cannot read %s", src);
	else
		err = 0;
out:
	if (out >= 0 && close(out) && !err)
		err = kt_fail_errno("cannot write %s", dst);
	close(in);
	free(buf);
	return err;
}

/* Into @dir/@name, copying @src; nothing if @src is NULL or "". */
static int copy_into(const char *dir, const char *name, const char *src)
{
	char dst[PATH_MAX];

	if (!src || !*src)
		return 0;
	return join(dst, sizeof(dst), dir, name) ?: copy_file(src, dst);
}

/* Newlines would split the value into bogus keys. */
static void put_value(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s=", key);
	for (; *value; value++)
		fputc(*value == '\n' || *value == '\r' ? ' ' : *value, f);
	fputc('\n', f);
}

/* What kt_kernel_install() was given, and the arch of its image. */
struct install {
	const char *version;
	const char *image;
	const char *config;
	const char *system_map;
	const char *origin;
	const char *vmlinux;
	enum kt_arch arch;
};

static int write_metadata(const char *dir, const struct install *in,
			  const char *release, const char *sha256)
{
	char path[PATH_MAX], date[32];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	if (join(path, sizeof(path), dir, "metadata"))
		return -1;
	f = fopen(path, "we");
	if (!f)
		return kt_fail_errno("cannot create %s", path);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	put_value(f, "version", in->version);
	put_value(f, "release", release);
	put_value(f, "arch", kt_arch_name(in->arch));
	put_value(f, "origin", in->origin && *in->origin ? in->origin :
		  "manual");
	put_value(f, "installed", date);
	put_value(f, "vmlinuz_sha256", sha256);
	if (fclose(f))
		return kt_fail_errno("cannot write %s", path);
	return 0;
}

static int write_new_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0)
		return kt_fail_errno("cannot create %s", path);
	if (write_all(fd, data, len)) {
		close(fd);
		return kt_fail_errno("cannot write %s", path);
	}
	if (close(fd))
		return kt_fail_errno("cannot write %s", path);
	return 0;
}

/*
 * An arm64 Image has no vmlinux to decompress: vmlinux.btf is its BTF,
 * and a vmlinux given with it must have the same.
 */
static int populate_arm64(const char *dir, const char *image,
			  const char *vmlinux)
{
	char out[PATH_MAX];
	size_t len, off, n;
	void *map;
	int err;

	if (join(out, sizeof(out), dir, "vmlinux.btf") ||
	    map_file(image, &map, &len))
		return -1;
	err = kt_arm64_image_btf(image, map, len, &off, &n);
	if (!err && vmlinux && *vmlinux)
		err = kt_arm64_vmlinux_check(vmlinux, (char *)map + off, n);
	if (!err)
		err = write_new_file(out, (char *)map + off, n);
	munmap(map, len);
	return err ?: copy_into(dir, "vmlinux", vmlinux);
}

static int populate_entry(const char *dir, const struct install *in)
{
	char hex[KT_SHA256_HEX_LEN], release[128], path[PATH_MAX];
	char vmlinux[PATH_MAX];

	if (copy_into(dir, "vmlinuz", in->image) ||
	    join(path, sizeof(path), dir, "vmlinuz") ||
	    kt_sha256_file_hex(path, hex))
		return -1;
	/* Checks name the caller's file, of which vmlinuz is a copy. */
	if (in->arch == KT_ARCH_ARM64) {
		if (populate_arm64(dir, in->image, in->vmlinux))
			return -1;
		vmlinux_release(path, release, sizeof(release));
	} else {
		if (join(vmlinux, sizeof(vmlinux), dir, "vmlinux") ||
		    kt_vmlinux_extract(path, vmlinux))
			return -1;
		bzimage_release(path, release, sizeof(release));
	}
	if (copy_into(dir, "System.map", in->system_map) ||
	    copy_into(dir, "config", in->config))
		return -1;
	return write_metadata(dir, in, release, hex);
}

/*
 * Puts the complete directory @tmp at @final.  Readers see either the old
 * entry or the new one: RENAME_EXCHANGE swaps them in one step, and where
 * the filesystem lacks it, the old entry is renamed away first, which
 * leaves only a short window with no entry at all.
 */
static int swap_in(const char *tmp, const char *final, const char *old)
{
	if (!rename(tmp, final))
		return 0;
	if (errno != ENOTEMPTY && errno != EEXIST)
		return kt_fail_errno("cannot rename %s to %s", tmp, final);
	if (!renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE)) {
		kt_remove_tree(tmp);
		return 0;
	}
	if (rename(final, old))
		return kt_fail_errno("cannot move %s away", final);
	if (rename(tmp, final)) {
		kt_fail_errno("cannot rename %s to %s", tmp, final);
		rename(old, final);
		return -1;
	}
	kt_remove_tree(old);
	return 0;
}

/* Sets @in->arch from the image. */
static int check_install_inputs(struct install *in)
{
	enum image_kind kind;
	const char *hint;

	if (check_version_name(in->version) ||
	    kt_kernel_check_config(in->config))
		return -1;
	if (!in->image ||
	    image_kind_arch(in->image, &kind, &in->arch, &hint))
		return in->image ? -1 : kt_fail("no bzImage to install");
	if (kind != IMAGE_BZIMAGE && kind != IMAGE_ARM64)
		return kt_fail("%s: neither a bzImage (no \"HdrS\" boot header at 0x202) nor an arm64 Image (no \"ARMd\" at 0x38)%s%s",
			       in->image, *hint ? "; it is " : "", hint);
	if (kind == IMAGE_BZIMAGE && in->vmlinux && *in->vmlinux)
		return kt_fail_usage("vmlinux %s: a bzImage's vmlinux is decompressed from it; a vmlinux is only given with an arm64 Image",
				     in->vmlinux);
	if (in->system_map && *in->system_map &&
	    check_system_map(in->system_map))
		return -1;
	return 0;
}

int kt_kernel_install(const char *version, const char *bzimage,
		      const char *config, const char *system_map,
		      const char *origin, const char *vmlinux)
{
	char final[PATH_MAX], tmp[PATH_MAX], old[PATH_MAX], sub[PATH_MAX];
	struct install in = {
		version, bzimage, config, system_map, origin, vmlinux,
		KT_ARCH_X86_64
	};
	char *slash;

	if (check_install_inputs(&in))
		return -1;
	snprintf(sub, sizeof(sub), "kernels/%s", version);
	if (kt_cache_path(final, sizeof(final), sub))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s", final);
	slash = strrchr(tmp, '/');
	if (snprintf(slash + 1, sizeof(tmp) - (slash + 1 - tmp), ".tmp-%s-%d",
		     version, getpid()) >= (int)(sizeof(tmp) - (slash + 1 - tmp)))
		return kt_fail("path too long: %s", final);
	if (snprintf(old, sizeof(old), "%s.old", tmp) >= (int)sizeof(old))
		return kt_fail("path too long: %s", final);
	/* A crashed install with our pid may have left this behind. */
	kt_remove_tree(tmp);
	if (mkdir(tmp, 0755))
		return kt_fail_errno("cannot create %s", tmp);
	if (populate_entry(tmp, &in) ||
	    swap_in(tmp, final, old)) {
		kt_remove_tree(tmp);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Listing                                                             */

static void list_one(FILE *out, const char *kdir, const char *name,
		     bool is_default)
{
	char dir[PATH_MAX], origin[256], version[128], source[PATH_MAX];
	const char *arch_name = "unknown";
	enum kt_arch arch;

	if (join(dir, sizeof(dir), kdir, name) ||
	    meta_get(dir, "origin", origin, sizeof(origin)))
		origin[0] = '\0';
	if (meta_get(dir, "version", version, sizeof(version)) || !version[0])
		snprintf(version, sizeof(version), "%s", name);
	if (!entry_arch(kdir, name, &arch))
		arch_name = kt_arch_name(arch);
	source_for(version, source, sizeof(source));
	fprintf(out, "%-32s %-8s %-8s %-8s %s\n", name, arch_name,
		is_default ? "yes" : "-", source[0] ? "present" : "missing",
		origin[0] ? origin : "unknown");
}

int kt_kernel_list(FILE *out)
{
	char kdir[PATH_MAX], def[KT_ARCH_COUNT][256] = { "" }, **names;
	size_t i, count;
	enum kt_arch a;
	bool is_default;

	if (kernels_dir(kdir, sizeof(kdir)))
		return -1;
	for (a = 0; a < KT_ARCH_COUNT; a++)
		if (newest_entry(kdir, NULL, a, def[a], sizeof(def[a])) < 0)
			return -1;
	if (list_entries(kdir, &names, &count))
		return -1;
	qsort(names, count, sizeof(*names), newer_first);
	if (count)
		fprintf(out, "%-32s %-8s %-8s %-8s %s\n", "VERSION", "ARCH",
			"DEFAULT", "SOURCE", "ORIGIN");
	for (i = 0; i < count; i++) {
		is_default = false;
		for (a = 0; a < KT_ARCH_COUNT; a++)
			is_default |= !strcmp(names[i], def[a]);
		list_one(out, kdir, names[i], is_default);
	}
	free_names(names, count);
	return count;
}
