// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel cache, config check and vmlinux extraction.  Synthetic
 * bzImages (a boot header and a small zstd payload) cover the error paths
 * without a real kernel; tests on the cached Debian kernel skip without it.
 */
#include <bpf/btf.h>
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "kselftest_harness.h"
#include "error.h"
#include "arm64_image.h"
#include "kernel.h"

#define GOOD_CONFIG \
	"CONFIG_SCHED_CLASS_EXT=y\nCONFIG_BPF_SYSCALL=y\n" \
	"CONFIG_DEBUG_INFO_BTF=y\n"
#define GOOD_MAP "ffffffff81000000 T _text\nffffffff81000010 t helper\n"
#define TEST_RELEASE "6.99.1-kttest"

static int write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static int write_text(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return write_file(path, text, strlen(text));
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Entries of @dir other than . and .., or -1 if it cannot be read. */
static int count_entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

enum fake_payload { FAKE_GOOD, FAKE_BAD_SIZE, FAKE_GZIP, FAKE_SHORT };

/*
 * A bzImage as the x86 boot protocol lays it out: one setup sector after
 * the boot sector, the release string inside it, then the payload with
 * its 32-bit size trailer.  FAKE_SHORT cuts the file inside the payload.
 */
static int make_bzimage(const char *path, enum fake_payload kind)
{
	static const char release[] = TEST_RELEASE " (test) #1";
	unsigned char elf[4096] = "\177ELF", img[16384] = { 0 };
	size_t base = 1024, n, total;
	uint32_t size = sizeof(elf);

	img[0x1f1] = 1;
	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0f;
	img[0x207] = 0x02;
	img[0x20e] = 0x00;			/* release at 0x200 + 0x100 */
	img[0x20f] = 0x01;
	memcpy(img + 0x300, release, sizeof(release));
	n = ZSTD_compress(img + base, sizeof(img) - base - 4, elf,
			  sizeof(elf), 1);
	if (ZSTD_isError(n))
		return -1;
	if (kind == FAKE_GZIP) {
		img[base] = 0x1f;
		img[base + 1] = 0x8b;
	}
	if (kind == FAKE_BAD_SIZE)
		size++;
	memcpy(img + base + n, &size, 4);
	n += 4;
	img[0x24c] = n & 0xff;
	img[0x24d] = n >> 8;
	total = base + n;
	if (kind == FAKE_SHORT)
		total -= n / 2;
	return write_file(path, img, total);
}

/* Whether the ELF @path has a section named @want. */
static int has_section(const char *path, const char *want)
{
	int fd = open(path, O_RDONLY), found = 0;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;
	const char *name;
	Elf *e;

	elf_version(EV_CURRENT);
	e = fd < 0 ? NULL : elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (e && !elf_getshdrstrndx(e, &shstrndx)) {
		while (!found && (scn = elf_nextscn(e, scn))) {
			if (!gelf_getshdr(scn, &sh))
				continue;
			name = elf_strptr(e, shstrndx, sh.sh_name);
			found = name && !strcmp(name, want);
		}
	}
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
	return found;
}

/* ------------------------------------------------------------------ */

FIXTURE(kernel) {
	char dir[64];
	char cache[128];
	char in[128];			/* input files */
	char kernels[256];
	struct kt_kernel real;		/* the cached kernel, if any */
	int have_real;
	struct kt_kernel real_arm64;
	int have_real_arm64;
};

FIXTURE_SETUP(kernel)
{
	/* Looked up before the cache is redirected to a scratch one. */
	self->have_real = !kt_kernel_resolve(NULL, &self->real);
	self->have_real_arm64 = !kt_kernel_resolve_arch(NULL, KT_ARCH_ARM64,
							&self->real_arm64);
	snprintf(self->dir, sizeof(self->dir), "/tmp/kt-kernel-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->cache, sizeof(self->cache), "%s/cache", self->dir);
	snprintf(self->in, sizeof(self->in), "%s/in", self->dir);
	snprintf(self->kernels, sizeof(self->kernels), "%s/kernels",
		 self->cache);
	ASSERT_EQ(0, mkdir(self->in, 0755));
	ASSERT_EQ(0, setenv("KTSTR_CACHE_DIR", self->cache, 1));
}

FIXTURE_TEARDOWN(kernel)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("cannot remove %s", self->dir);
}

/* Synthetic kernel inputs in self->in: bzImage, config, System.map. */
static int make_inputs(const char *in, const char *config)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/bzImage", in);
	if (make_bzimage(path, FAKE_GOOD))
		return -1;
	return write_text(in, "config", config) ||
	       write_text(in, "System.map", GOOD_MAP);
}

static int install_fake(const char *in, const char *version)
{
	char bz[PATH_MAX], config[PATH_MAX], map[PATH_MAX];

	snprintf(bz, sizeof(bz), "%s/bzImage", in);
	snprintf(config, sizeof(config), "%s/config", in);
	snprintf(map, sizeof(map), "%s/System.map", in);
	return kt_kernel_install(version, bz, config, map, "test", NULL);
}

/* ------------------------------------------------------------------ */
/* check_config                                                        */

TEST_F(kernel, config_good)
{
	char path[PATH_MAX];

	ASSERT_EQ(0, write_text(self->in, "config", GOOD_CONFIG));
	snprintf(path, sizeof(path), "%s/config", self->in);
	ASSERT_EQ(0, kt_kernel_check_config(path));
}

TEST_F(kernel, config_each_missing_option_named)
{
	static const char *const opts[] = {
		"CONFIG_SCHED_CLASS_EXT", "CONFIG_BPF_SYSCALL",
		"CONFIG_DEBUG_INFO_BTF",
	};
	char path[PATH_MAX], text[256];
	size_t i, j;

	snprintf(path, sizeof(path), "%s/config", self->in);
	for (i = 0; i < 3; i++) {
		text[0] = '\0';
		for (j = 0; j < 3; j++)
			if (j != i)
				snprintf(text + strlen(text),
					 sizeof(text) - strlen(text), "%s=y\n",
					 opts[j]);
		ASSERT_EQ(0, write_file(path, text, strlen(text)));
		ASSERT_EQ(-1, kt_kernel_check_config(path));
		TH_LOG("%s", kt_errmsg());
		ASSERT_NE(NULL, strstr(kt_errmsg(), opts[i]));
		ASSERT_NE(NULL, strstr(kt_errmsg(), path));
		for (j = 0; j < 3; j++)
			if (j != i)
				ASSERT_EQ(NULL, strstr(kt_errmsg(), opts[j]));
	}
}

TEST_F(kernel, config_not_set_refused)
{
	char path[PATH_MAX];

	ASSERT_EQ(0, write_text(self->in, "config",
				"# CONFIG_SCHED_CLASS_EXT is not set\n"
				"CONFIG_BPF_SYSCALL=y\n"
				"CONFIG_DEBUG_INFO_BTF=y\n"));
	snprintf(path, sizeof(path), "%s/config", self->in);
	ASSERT_EQ(-1, kt_kernel_check_config(path));
	ASSERT_NE(NULL, strstr(kt_errmsg(), "CONFIG_SCHED_CLASS_EXT"));
	ASSERT_NE(NULL, strstr(kt_errmsg(), "not set"));
}

TEST_F(kernel, config_module_refused)
{
	char path[PATH_MAX];

	ASSERT_EQ(0, write_text(self->in, "config",
				"CONFIG_SCHED_CLASS_EXT=y\n"
				"CONFIG_BPF_SYSCALL=m\n"
				"CONFIG_DEBUG_INFO_BTF=y\n"));
	snprintf(path, sizeof(path), "%s/config", self->in);
	ASSERT_EQ(-1, kt_kernel_check_config(path));
	ASSERT_NE(NULL, strstr(kt_errmsg(), "CONFIG_BPF_SYSCALL"));
}

TEST_F(kernel, config_missing_file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/no-such-config", self->in);
	ASSERT_EQ(-1, kt_kernel_check_config(path));
	ASSERT_NE(NULL, strstr(kt_errmsg(), path));
	ASSERT_EQ(-1, kt_kernel_check_config(NULL));
	ASSERT_NE(NULL, strstr(kt_errmsg(), "no kernel config"));
}

/* ------------------------------------------------------------------ */
/* vmlinux extraction                                                  */

TEST_F(kernel, extract_synthetic)
{
	char bz[PATH_MAX], out[PATH_MAX];
	struct stat st;

	snprintf(bz, sizeof(bz), "%s/bzImage", self->in);
	snprintf(out, sizeof(out), "%s/vmlinux", self->in);
	ASSERT_EQ(0, make_bzimage(bz, FAKE_GOOD));
	ASSERT_EQ(0, kt_vmlinux_extract(bz, out));
	ASSERT_EQ(0, stat(out, &st));
	ASSERT_EQ(4096, st.st_size);
	ASSERT_EQ(2, count_entries(self->in));
}

/* Each broken image fails with @why and leaves only itself behind. */
static void expect_extract_error(struct __test_metadata *_metadata,
				 const char *in, enum fake_payload kind,
				 const char *why)
{
	char bz[PATH_MAX], out[PATH_MAX];

	snprintf(bz, sizeof(bz), "%s/bzImage", in);
	snprintf(out, sizeof(out), "%s/vmlinux", in);
	ASSERT_EQ(0, make_bzimage(bz, kind));
	ASSERT_EQ(-1, kt_vmlinux_extract(bz, out));
	TH_LOG("%s", kt_errmsg());
	ASSERT_NE(NULL, strstr(kt_errmsg(), bz));
	ASSERT_NE(NULL, strstr(kt_errmsg(), why));
	ASSERT_FALSE(exists(out));
	ASSERT_EQ(1, count_entries(in));
}

TEST_F(kernel, extract_truncated)
{
	expect_extract_error(_metadata, self->in, FAKE_SHORT, "truncated");
}

TEST_F(kernel, extract_size_mismatch)
{
	expect_extract_error(_metadata, self->in, FAKE_BAD_SIZE,
			     "size mismatch");
}

TEST_F(kernel, extract_not_zstd)
{
	expect_extract_error(_metadata, self->in, FAKE_GZIP, "not zstd");
}

TEST_F(kernel, extract_not_bzimage)
{
	char bz[PATH_MAX], out[PATH_MAX];
	char junk[4096];

	memset(junk, 'x', sizeof(junk));
	snprintf(bz, sizeof(bz), "%s/junk", self->in);
	snprintf(out, sizeof(out), "%s/vmlinux", self->in);
	ASSERT_EQ(0, write_file(bz, junk, sizeof(junk)));
	ASSERT_EQ(-1, kt_vmlinux_extract(bz, out));
	ASSERT_NE(NULL, strstr(kt_errmsg(), "not a bzImage"));
	ASSERT_NE(NULL, strstr(kt_errmsg(), bz));
	ASSERT_FALSE(exists(out));
	ASSERT_EQ(1, count_entries(self->in));
}

TEST_F(kernel, extract_real_kernel)
{
	char out[PATH_MAX];

	if (!self->have_real || !self->real.bzimage[0])
		SKIP(return, "no kernel in the cache: run 'make deps'");
	snprintf(out, sizeof(out), "%s/vmlinux", self->in);
	ASSERT_EQ(0, kt_vmlinux_extract(self->real.bzimage, out));
	ASSERT_TRUE(has_section(out, ".BTF"));
	ASSERT_EQ(1, kt_vmlinux_has_pvh(out));
	ASSERT_EQ(1, count_entries(self->in));
}

TEST_F(kernel, truncated_real_kernel)
{
	char bz[PATH_MAX], out[PATH_MAX];
	static char head[1 << 20];
	FILE *f;

	if (!self->have_real || !self->real.bzimage[0])
		SKIP(return, "no kernel in the cache: run 'make deps'");
	f = fopen(self->real.bzimage, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(sizeof(head), fread(head, 1, sizeof(head), f));
	fclose(f);
	snprintf(bz, sizeof(bz), "%s/vmlinuz", self->in);
	snprintf(out, sizeof(out), "%s/vmlinux", self->in);
	ASSERT_EQ(0, write_file(bz, head, sizeof(head)));
	ASSERT_EQ(-1, kt_vmlinux_extract(bz, out));
	ASSERT_NE(NULL, strstr(kt_errmsg(), "truncated"));
	ASSERT_FALSE(exists(out));
	ASSERT_EQ(1, count_entries(self->in));
}

/* ------------------------------------------------------------------ */
/* Install, resolve, list                                              */

TEST_F(kernel, install_refuses_bad_config_before_writing)
{
	ASSERT_EQ(0, make_inputs(self->in,
				 "# CONFIG_SCHED_CLASS_EXT is not set\n"
				 "CONFIG_BPF_SYSCALL=y\n"
				 "CONFIG_DEBUG_INFO_BTF=y\n"));
	ASSERT_EQ(-1, install_fake(self->in, TEST_RELEASE));
	ASSERT_NE(NULL, strstr(kt_errmsg(), "CONFIG_SCHED_CLASS_EXT"));
	ASSERT_FALSE(exists(self->cache));
}

TEST_F(kernel, install_refuses_stub_system_map)
{
	ASSERT_EQ(0, make_inputs(self->in, GOOD_CONFIG));
	ASSERT_EQ(0, write_text(self->in, "System.map",
				"ffffffffffffffff B The real System.map is in the linux-image-X-dbg package\n"));
	ASSERT_EQ(-1, install_fake(self->in, TEST_RELEASE));
	ASSERT_NE(NULL, strstr(kt_errmsg(), "System.map"));
	ASSERT_FALSE(exists(self->cache));
}

TEST_F(kernel, install_bad_image_leaves_nothing)
{
	char bz[PATH_MAX];

	ASSERT_EQ(0, make_inputs(self->in, GOOD_CONFIG));
	snprintf(bz, sizeof(bz), "%s/bzImage", self->in);
	ASSERT_EQ(0, make_bzimage(bz, FAKE_BAD_SIZE));
	ASSERT_EQ(-1, install_fake(self->in, TEST_RELEASE));
	ASSERT_NE(NULL, strstr(kt_errmsg(), "size mismatch"));
	ASSERT_EQ(0, count_entries(self->kernels));
}

TEST_F(kernel, install_rejects_bad_version)
{
	ASSERT_EQ(0, make_inputs(self->in, GOOD_CONFIG));
	ASSERT_EQ(-1, install_fake(self->in, "../escape"));
	ASSERT_EQ(-1, install_fake(self->in, ".hidden"));
	ASSERT_EQ(-1, install_fake(self->in, ""));
	ASSERT_FALSE(exists(self->cache));
}

TEST_F(kernel, install_then_resolve)
{
	char path[PATH_MAX], entry[512];
	struct kt_kernel k;

	ASSERT_EQ(0, make_inputs(self->in, GOOD_CONFIG));
	ASSERT_EQ(0, install_fake(self->in, TEST_RELEASE));
	snprintf(entry, sizeof(entry), "%s/%s", self->kernels, TEST_RELEASE);
	ASSERT_EQ(1, count_entries(self->kernels));
	ASSERT_EQ(5, count_entries(entry));

	ASSERT_EQ(0, kt_kernel_resolve(TEST_RELEASE, &k));
	ASSERT_STREQ(TEST_RELEASE, k.version);
	ASSERT_STREQ(entry, k.dir);
	snprintf(path, sizeof(path), "%s/vmlinuz", entry);
	ASSERT_STREQ(path, k.bzimage);
	snprintf(path, sizeof(path), "%s/config", entry);
	ASSERT_STREQ(path, k.config);
	snprintf(path, sizeof(path), "%s/System.map", entry);
	ASSERT_STREQ(path, k.system_map);
	ASSERT_STREQ("", k.source);
	/* The fake vmlinux has no PVH note: boot the bzImage. */
	ASSERT_STREQ(k.bzimage, kt_kernel_boot_image(&k));

	ASSERT_EQ(0, kt_kernel_resolve(NULL, &k));
	ASSERT_STREQ(TEST_RELEASE, k.version);
	ASSERT_EQ(0, kt_kernel_resolve("6.99", &k));
	ASSERT_STREQ(TEST_RELEASE, k.version);

	snprintf(path, sizeof(path), "%s/vmlinuz", entry);
	ASSERT_EQ(0, kt_kernel_resolve(path, &k));
	ASSERT_STREQ(TEST_RELEASE, k.version);
	ASSERT_STREQ(path, k.bzimage);
	snprintf(path, sizeof(path), "%s/config", entry);
	ASSERT_STREQ(path, k.config);
}

/*
 * The release is what uname -r says in the guest, whatever the entry is
 * called: from the metadata, else (older entries) from the bzImage.
 */
TEST_F(kernel, release_is_the_kernels_own)
{
	char path[PATH_MAX];
	struct kt_kernel k;

	ASSERT_EQ(0, make_inputs(self->in, GOOD_CONFIG));
	ASSERT_EQ(0, install_fake(self->in, "my-kernel"));
	ASSERT_EQ(0, kt_kernel_resolve("my-kernel", &k));
	EXPECT_STREQ("my-kernel", k.version);
	EXPECT_STREQ(TEST_RELEASE, k.release);

	snprintf(path, sizeof(path), "%s/my-kernel/metadata", self->kernels);
	ASSERT_EQ(0, write_file(path, "version=my-kernel\n", 18));
	ASSERT_EQ(0, kt_kernel_resolve("my-kernel", &k));
	EXPECT_STREQ(TEST_RELEASE, k.release);
}

TEST_F(kernel, install_replaces_existing)
{
	static const char new_map[] = "ffffffff81000000 T _stext\n";
	char path[PATH_MAX], text[64] = "";
	FILE *f;

	ASSERT_EQ(0, make_inputs(self->in, GOOD_CONFIG));
	ASSERT_EQ(0, install_fake(self->in, TEST_RELEASE));
	ASSERT_EQ(0, write_text(self->in, "System.map", new_map));
	ASSERT_EQ(0, install_fake(self->in, TEST_RELEASE));
	ASSERT_EQ(1, count_entries(self->kernels));
	snprintf(path, sizeof(path), "%s/%s/System.map", self->kernels,
		 TEST_RELEASE);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(text, sizeof(text), f));
	fclose(f);
	ASSERT_STREQ(new_map, text);
}

TEST_F(kernel, resolve_boot_image_beside_files)
{
	char path[PATH_MAX];
	struct kt_kernel k;

	/* Debian's /boot layout: <name>-<release> side by side. */
	snprintf(path, sizeof(path), "%s/vmlinuz-%s", self->in, TEST_RELEASE);
	ASSERT_EQ(0, make_bzimage(path, FAKE_GOOD));
	ASSERT_EQ(0, write_text(self->in, "config-" TEST_RELEASE,
				GOOD_CONFIG));
	ASSERT_EQ(0, write_text(self->in, "System.map-" TEST_RELEASE,
				GOOD_MAP));
	ASSERT_EQ(0, kt_kernel_resolve(path, &k));
	ASSERT_STREQ(TEST_RELEASE, k.version);
	ASSERT_STREQ(path, k.bzimage);
	ASSERT_STREQ(self->in, k.dir);
	snprintf(path, sizeof(path), "%s/config-%s", self->in, TEST_RELEASE);
	ASSERT_STREQ(path, k.config);
	snprintf(path, sizeof(path), "%s/System.map-%s", self->in,
		 TEST_RELEASE);
	ASSERT_STREQ(path, k.system_map);
}

TEST_F(kernel, resolve_built_tree)
{
	char tree[512], path[PATH_MAX];
	struct kt_kernel k;

	snprintf(tree, sizeof(tree), "%s/linux", self->in);
	ASSERT_EQ(0, mkdir(tree, 0755));
	snprintf(path, sizeof(path), "%s/arch", tree);
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/arch/x86", tree);
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/arch/x86/boot", tree);
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/arch/x86/boot/bzImage", tree);
	ASSERT_EQ(0, make_bzimage(path, FAKE_GOOD));
	ASSERT_EQ(0, write_text(tree, ".config", GOOD_CONFIG));
	ASSERT_EQ(0, write_text(tree, "System.map", GOOD_MAP));
	ASSERT_EQ(0, write_text(tree, "Makefile", "# kernel\n"));

	ASSERT_EQ(0, kt_kernel_resolve(tree, &k));
	ASSERT_STREQ(TEST_RELEASE, k.version);
	ASSERT_STREQ(TEST_RELEASE, k.release);
	ASSERT_STREQ(tree, k.source);
	ASSERT_STREQ(path, k.bzimage);
	snprintf(path, sizeof(path), "%s/.config", tree);
	ASSERT_STREQ(path, k.config);

	/* The tree's bzImage by path finds the same files. */
	snprintf(path, sizeof(path), "%s/arch/x86/boot/bzImage", tree);
	ASSERT_EQ(0, kt_kernel_resolve(path, &k));
	ASSERT_STREQ(tree, k.source);
	snprintf(path, sizeof(path), "%s/.config", tree);
	ASSERT_STREQ(path, k.config);
}

/*
 * A built tree in self->in/linux: the fake bzImage (build "TEST_RELEASE
 * (test) #1") and, if @banner, a vmlinux with that banner.
 */
static int make_tree(const char *in, const char *banner, char *tree,
		     size_t len)
{
	static const char *const dirs[] = { "", "/arch", "/arch/x86",
					    "/arch/x86/boot" };
	char path[PATH_MAX];
	unsigned int i;

	snprintf(tree, len, "%s/linux", in);
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", tree, dirs[i]);
		if (mkdir(path, 0755))
			return -1;
	}
	snprintf(path, sizeof(path), "%s/arch/x86/boot/bzImage", tree);
	if (make_bzimage(path, FAKE_GOOD) ||
	    write_text(tree, ".config", GOOD_CONFIG) ||
	    write_text(tree, "System.map", GOOD_MAP))
		return -1;
	/*
	 * The banner among other bytes, as in .rodata, after init/version.o's
	 * (no build number), as a real vmlinux has them.
	 */
	snprintf(path, sizeof(path), "%s/vmlinux", tree);
	if (banner) {
		FILE *f = fopen(path, "w");

		if (!f)
			return -1;
		fprintf(f, "%crodata%cLinux version %%s%c", 0, 0, 0);
		fprintf(f, "Linux version %s (test) (gcc) # SMP\n%c",
			TEST_RELEASE, 0);
		fprintf(f, "Linux version %s\n%c", banner, 0);
		return fclose(f);
	}
	return 0;
}

/* kt_kernel_launch_image()'s note, malloc()ed, and its image in *@image. */
static char *launch_note(const struct kt_kernel *k, bool kaslr,
			 const char **image)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *note = open_memstream(&buf, &len);

	*image = note ? kt_kernel_launch_image(k, kaslr, note) : NULL;
	if (note)
		fclose(note);
	return buf;
}

/*
 * After `make vmlinux` alone, a tree's bzImage is of an older build: the
 * monitor would look for the vmlinux's kernel in a guest running the
 * bzImage's.  Refused before booting, naming both files.
 */
TEST_F(kernel, a_stale_bzimage_beside_its_vmlinux_is_refused)
{
	const char *image;
	struct kt_kernel k;
	char tree[512], *note;

	ASSERT_EQ(0, make_tree(self->in, TEST_RELEASE " (test) (gcc (Debian 14.2.0-19) 14.2.0, GNU ld 2.44) #2 SMP PREEMPT_DYNAMIC",
			       tree, sizeof(tree)));
	ASSERT_EQ(0, kt_kernel_resolve(tree, &k)) TH_LOG("%s", kt_errmsg());
	note = launch_note(&k, true, &image);
	EXPECT_EQ(NULL, image);
	EXPECT_STREQ("", note);
	free(note);
	EXPECT_NE(NULL, strstr(kt_errmsg(), "the bzImage ")) TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), "/linux/arch/x86/boot/bzImage is build \"" TEST_RELEASE " (test) #1\" but the vmlinux "))
		TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), "/linux/vmlinux is \"" TEST_RELEASE " (test) #2\": the monitor would look for a kernel the guest does not run"))
		TH_LOG("%s", kt_errmsg());
}

TEST_F(kernel, a_bzimage_of_its_vmlinuxs_build_boots)
{
	char tree[512], path[PATH_MAX];
	struct kt_kernel k;

	/* Only the compiler and the date tell the strings apart. */
	ASSERT_EQ(0, make_tree(self->in, TEST_RELEASE " (test) (clang 19) #1 SMP Thu Jan  1",
			       tree, sizeof(tree)));
	ASSERT_EQ(0, kt_kernel_resolve(tree, &k)) TH_LOG("%s", kt_errmsg());
	snprintf(path, sizeof(path), "%s/arch/x86/boot/bzImage", tree);
	EXPECT_STREQ(path, kt_kernel_launch_image(&k, true, stderr));
	EXPECT_EQ(0, kt_kernel_check_builds(&k));
	/* Another builder is another build. */
	snprintf(path, sizeof(path), "rm %s/vmlinux", tree);
	ASSERT_EQ(0, system(path));
	ASSERT_EQ(0, write_text(tree, "vmlinux", "Linux version " TEST_RELEASE " (other) (gcc) #1 SMP\n"));
	EXPECT_EQ(-1, kt_kernel_check_builds(&k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "the vmlinux ")) TH_LOG("%s", kt_errmsg());
	/* A vmlinux without a numbered banner: nothing to compare. */
	ASSERT_EQ(0, write_text(tree, "vmlinux", "no banner here\n"));
	EXPECT_EQ(0, kt_kernel_check_builds(&k));
	ASSERT_EQ(0, write_text(tree, "vmlinux", "Linux version " TEST_RELEASE " (other) (gcc) # SMP\n"));
	EXPECT_EQ(0, kt_kernel_check_builds(&k));
}

/* KASLR asked for, no bzImage to give it: one note, and the vmlinux boots. */
TEST_F(kernel, no_bzimage_for_kaslr_is_a_note)
{
	char tree[512], want[PATH_MAX + 128], *note;
	const char *image;
	struct kt_kernel k;

	ASSERT_EQ(0, make_tree(self->in, TEST_RELEASE " (test) (gcc) #1 SMP",
			       tree, sizeof(tree)));
	ASSERT_EQ(0, kt_kernel_resolve(tree, &k)) TH_LOG("%s", kt_errmsg());
	/* As a tree with only a PVH vmlinux resolves. */
	k.bzimage[0] = '\0';
	/* The fake vmlinux has no PVH note: kt_kernel_boot_image() refuses. */
	note = launch_note(&k, true, &image);
	EXPECT_EQ(NULL, image);
	EXPECT_STREQ("", note);
	free(note);
	if (!self->have_real || kt_vmlinux_has_pvh(self->real.vmlinux) != 1)
		SKIP(return, "no PVH vmlinux in the cache: run 'make deps'");
	snprintf(k.vmlinux, sizeof(k.vmlinux), "%s", self->real.vmlinux);
	snprintf(k.version, sizeof(k.version), "%s", "v-test");
	note = launch_note(&k, true, &image);
	EXPECT_STREQ(k.vmlinux, image);
	snprintf(want, sizeof(want),
		 "ktstr: kernel v-test has no bzImage: booting PVH vmlinux %s, without KASLR\n",
		 k.vmlinux);
	EXPECT_STREQ(want, note);
	free(note);
	/* Without KASLR asked for there is nothing to note. */
	note = launch_note(&k, false, &image);
	EXPECT_STREQ(k.vmlinux, image);
	EXPECT_STREQ("", note);
	free(note);
}

TEST_F(kernel, resolve_without_config_fails)
{
	char path[PATH_MAX];
	struct kt_kernel k;

	snprintf(path, sizeof(path), "%s/bzImage", self->in);
	ASSERT_EQ(0, make_bzimage(path, FAKE_GOOD));
	ASSERT_EQ(-1, kt_kernel_resolve(path, &k));
	ASSERT_NE(NULL, strstr(kt_errmsg(), "no config"));
}

TEST_F(kernel, resolve_nonexistent)
{
	char path[PATH_MAX];
	struct kt_kernel k;

	ASSERT_EQ(-1, kt_kernel_resolve("no-such-kernel", &k));
	ASSERT_NE(NULL, strstr(kt_errmsg(), "no-such-kernel"));
	snprintf(path, sizeof(path), "%s/missing/bzImage", self->in);
	ASSERT_EQ(-1, kt_kernel_resolve(path, &k));
	ASSERT_NE(NULL, strstr(kt_errmsg(), path));
	ASSERT_EQ(-1, kt_kernel_resolve(NULL, &k));
	ASSERT_NE(NULL, strstr(kt_errmsg(), "no kernel in the cache"));
}

TEST_F(kernel, list_and_default_ignore_incomplete)
{
	char path[PATH_MAX], *buf = NULL;
	struct kt_kernel k;
	size_t len = 0;
	FILE *out;

	ASSERT_EQ(0, make_inputs(self->in, GOOD_CONFIG));
	ASSERT_EQ(0, install_fake(self->in, TEST_RELEASE));
	/* Both would sort after the real entry if they counted. */
	snprintf(path, sizeof(path), "%s/.tmp-9.9.9-123", self->kernels);
	ASSERT_EQ(0, mkdir(path, 0755));
	ASSERT_EQ(0, write_text(path, "metadata", "version=9.9.9\n"));
	ASSERT_EQ(0, write_text(path, "vmlinuz", "x"));
	snprintf(path, sizeof(path), "%s/9.9.8", self->kernels);
	ASSERT_EQ(0, mkdir(path, 0755));
	ASSERT_EQ(0, write_text(path, "vmlinuz", "x"));

	out = open_memstream(&buf, &len);
	ASSERT_NE(NULL, out);
	ASSERT_EQ(1, kt_kernel_list(out));
	fclose(out);
	TH_LOG("%s", buf);
	ASSERT_NE(NULL, strstr(buf, TEST_RELEASE));
	ASSERT_NE(NULL, strstr(buf, "test"));
	ASSERT_EQ(NULL, strstr(buf, "9.9."));
	free(buf);

	ASSERT_EQ(0, kt_kernel_resolve(NULL, &k));
	ASSERT_STREQ(TEST_RELEASE, k.version);
	ASSERT_EQ(-1, kt_kernel_resolve("9.9.8", &k));
}

/*
 * A tree built once with --kernel is a cache entry ("tree_...-ktstr"),
 * newer than any release in version order, but not the default: the
 * newest release is.  Only a cache of trees alone defaults to one.
 */
TEST_F(kernel, a_built_tree_is_not_the_default)
{
	char *buf = NULL, *line;
	struct kt_kernel k;
	size_t len = 0;
	FILE *out;

	ASSERT_EQ(0, make_inputs(self->in, GOOD_CONFIG));
	ASSERT_EQ(0, install_fake(self->in, "tree_home_me_linux-ktstr"));
	ASSERT_EQ(0, kt_kernel_resolve(NULL, &k)) TH_LOG("%s", kt_errmsg());
	EXPECT_STREQ("tree_home_me_linux-ktstr", k.version);
	ASSERT_EQ(0, install_fake(self->in, TEST_RELEASE));
	ASSERT_EQ(0, kt_kernel_resolve(NULL, &k));
	EXPECT_STREQ(TEST_RELEASE, k.version);
	/* ktstr kernel list marks the same one. */
	out = open_memstream(&buf, &len);
	ASSERT_NE(NULL, out);
	ASSERT_EQ(2, kt_kernel_list(out));
	fclose(out);
	EXPECT_NE(NULL, strstr(buf, TEST_RELEASE)) TH_LOG("%s", buf);
	line = strstr(buf, TEST_RELEASE);
	EXPECT_TRUE(line && !strncmp(line + 33, "x86_64   yes", 12))
		TH_LOG("%s", buf);
	line = strstr(buf, "tree_home_me_linux-ktstr");
	EXPECT_TRUE(line && !strncmp(line + 33, "x86_64   -", 10))
		TH_LOG("%s", buf);
	free(buf);
	ASSERT_EQ(0, kt_kernel_resolve("tree_home_me_linux-ktstr", &k));
	EXPECT_STREQ("tree_home_me_linux-ktstr", k.version);
}

TEST_F(kernel, real_kernel_boots_pvh_vmlinux)
{
	struct kt_kernel k;

	if (!self->have_real)
		SKIP(return, "no kernel in the cache: run 'make deps'");
	ASSERT_EQ(0, kt_kernel_install(self->real.version, self->real.bzimage,
				       self->real.config,
				       self->real.system_map, "test", NULL));
	ASSERT_EQ(0, kt_kernel_resolve(NULL, &k));
	ASSERT_STREQ(self->real.version, k.version);
	ASSERT_TRUE(has_section(k.vmlinux, ".BTF"));
	ASSERT_STREQ(k.vmlinux, kt_kernel_boot_image(&k));
	/* KASLR is the decompressor's: the bzImage then, the vmlinux without. */
	EXPECT_STREQ(k.bzimage, kt_kernel_boot_image_kaslr(&k, true));
	EXPECT_STREQ(k.vmlinux, kt_kernel_boot_image_kaslr(&k, false));
}

/*
 * A vmlinux by path, alone (a copy: no bzImage beside it): the release
 * from its banner, as uname -r has it.
 */
TEST_F(kernel, real_vmlinux_release_from_banner)
{
	char path[PATH_MAX], cmd[2 * PATH_MAX + 16];
	struct kt_kernel k;

	if (!self->have_real || !self->real.release[0])
		SKIP(return, "no kernel with a known release in the cache: run 'make deps'");
	snprintf(path, sizeof(path), "%s/vmlinux", self->in);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", self->real.vmlinux, path);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, write_text(self->in, "config", GOOD_CONFIG));
	ASSERT_EQ(0, kt_kernel_resolve(path, &k)) TH_LOG("%s", kt_errmsg());
	ASSERT_STREQ("", k.bzimage);
	ASSERT_STREQ(path, kt_kernel_boot_image(&k));
	/* No bzImage: no KASLR to have, the vmlinux boots anyway. */
	EXPECT_STREQ(path, kt_kernel_boot_image_kaslr(&k, true));
	EXPECT_STREQ(self->real.release, k.release);
}

/* ------------------------------------------------------------------ */
/* arm64 kernels                                                       */

#define ARM64_RELEASE "6.99.2-kttest-arm64"
#define ARM64_BTF_OFF 0x2000

enum fake_arm64 {
	ARM64_GOOD,
	ARM64_TRUNCATED,	/* shorter than its PE sections */
	ARM64_NO_BTF,
	ARM64_BAD_BTF,		/* a BTF header over garbage */
	ARM64_OTHER_BTF,	/* valid BTF, but not a kernel's */
	ARM64_GZIP,
	ARM64_ZBOOT,
	ARM64_NO_MAGIC,
};

/* Raw BTF with struct task_struct (a kernel's) or only struct @name. */
static void *make_btf(const char *name, __u32 *size)
{
	struct btf *btf = btf__new_empty();
	const void *raw;
	void *copy = NULL;
	int id;

	if (!btf)
		return NULL;
	id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	if (id > 0 && btf__add_struct(btf, name, 4) > 0 &&
	    !btf__add_field(btf, "pid", id, 0, 0)) {
		raw = btf__raw_data(btf, size);
		copy = raw ? malloc(*size) : NULL;
		if (copy)
			memcpy(copy, raw, *size);
	}
	btf__free(btf);
	return copy;
}

/*
 * An arm64 Image as Debian's looks: "MZ" and "ARMd" at 0x38, a PE header
 * whose one section spans the file, the banner, and the BTF at a page.
 */
static int make_arm64_image(const char *path, enum fake_arm64 kind)
{
	static const char banner[] = "Linux version " ARM64_RELEASE
				     " (test) #1 SMP\n";
	static unsigned char img[0x8000];
	__u32 btf_len = 0;
	void *btf = make_btf(kind == ARM64_OTHER_BTF ? "not_a_task" :
			     "task_struct", &btf_len);
	size_t len = sizeof(img);
	uint32_t u;

	if (!btf || ARM64_BTF_OFF + btf_len > sizeof(img)) {
		free(btf);
		return -1;
	}
	memset(img, 0, sizeof(img));
	memcpy(img, "MZ", 2);
	memcpy(img + 0x38, "ARMd", 4);
	img[0x3c] = 0x40;
	memcpy(img + 0x40, "PE\0\0", 4);
	img[0x46] = 1;				/* one section, at 0x58 */
	memcpy(img + 0x58, ".text", 5);
	u = sizeof(img);
	memcpy(img + 0x58 + 16, &u, 4);		/* raw size; raw ptr 0 */
	memcpy(img + 0x200, banner, sizeof(banner));
	if (kind != ARM64_NO_BTF)
		memcpy(img + ARM64_BTF_OFF, btf, btf_len);
	if (kind == ARM64_BAD_BTF)
		memset(img + ARM64_BTF_OFF + 24, 0xff, btf_len - 24);
	free(btf);
	if (kind == ARM64_TRUNCATED)
		len -= 0x1000;
	if (kind == ARM64_GZIP)
		memcpy(img, "\x1f\x8b\x08", 3);
	if (kind == ARM64_ZBOOT)
		memcpy(img + 4, "zimg", 4);
	if (kind >= ARM64_GZIP)
		memset(img + 0x38, 0, 4);
	return write_file(path, img, len);
}

/* An ELF file of @machine with a section @sec (.BTF or .text) of @btf. */
static int make_elf(const char *path, uint16_t machine, const char *sec,
		    const void *btf, size_t btf_len)
{
	char names[32];
	size_t names_off = sizeof(Elf64_Ehdr) + btf_len;
	size_t names_len = 1 + 5 + 1 + sizeof(".shstrtab");
	size_t sh_off = (names_off + names_len + 7) & ~(size_t)7;
	size_t len = sh_off + 3 * sizeof(Elf64_Shdr);
	unsigned char *buf = calloc(1, len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Shdr *sh;
	int err;

	if (!buf)
		return -1;
	/* "\0<sec>\0.shstrtab\0": both names 5 characters long */
	snprintf(names, sizeof(names), "%c%.5s%c.shstrtab", 0, sec, 0);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = machine;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_shoff = sh_off;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 3;
	eh->e_shstrndx = 2;
	memcpy(buf + sizeof(Elf64_Ehdr), btf, btf_len);
	memcpy(buf + names_off, names, names_len);
	sh = (Elf64_Shdr *)(buf + sh_off);
	sh[1] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_PROGBITS,
			      .sh_offset = sizeof(Elf64_Ehdr),
			      .sh_size = btf_len, .sh_addralign = 1 };
	sh[2] = (Elf64_Shdr){ .sh_name = 6, .sh_type = SHT_STRTAB,
			      .sh_offset = names_off,
			      .sh_size = names_len, .sh_addralign = 1 };
	err = write_file(path, buf, len);
	free(buf);
	return err;
}

/* The BTF that make_arm64_image(ARM64_GOOD) puts in the Image. */
static int make_vmlinux(const char *path, uint16_t machine,
			const char *struct_name)
{
	__u32 len = 0;
	void *btf = make_btf(struct_name, &len);
	int err;

	if (!btf)
		return -1;
	err = make_elf(path, machine, ".BTF", btf, len);
	free(btf);
	return err;
}

static int install_arm64(const char *in, const char *version,
			 enum fake_arm64 kind, const char *vmlinux)
{
	char img[PATH_MAX], config[PATH_MAX], map[PATH_MAX];

	snprintf(img, sizeof(img), "%s/Image", in);
	snprintf(config, sizeof(config), "%s/config", in);
	snprintf(map, sizeof(map), "%s/System.map", in);
	if (make_arm64_image(img, kind) ||
	    write_text(in, "config", GOOD_CONFIG) ||
	    write_text(in, "System.map",
		       "ffff800080000000 T _text\n"))
		return -2;
	return kt_kernel_install(version, img, config, map, "test", vmlinux);
}

/* kt_kernel_list() into *@buf, which the caller frees. */
static int listing(char **buf)
{
	size_t len = 0;
	FILE *out = open_memstream(buf, &len);
	int n;

	if (!out)
		return -2;
	n = kt_kernel_list(out);
	fclose(out);
	return n;
}

static int file_has(const char *path, const char *text)
{
	char buf[4096] = "";
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

TEST_F(kernel, arm64_install_then_resolve)
{
	char path[PATH_MAX], entry[512];
	struct kt_kernel k;
	struct btf *btf;

	ASSERT_EQ(0, install_arm64(self->in, ARM64_RELEASE, ARM64_GOOD, NULL))
		TH_LOG("%s", kt_errmsg());
	snprintf(entry, sizeof(entry), "%s/%s", self->kernels, ARM64_RELEASE);
	/* vmlinuz, vmlinux.btf, System.map, config, metadata */
	ASSERT_EQ(5, count_entries(entry));
	snprintf(path, sizeof(path), "%s/metadata", entry);
	EXPECT_TRUE(file_has(path, "\narch=arm64\n"));

	ASSERT_EQ(0, kt_kernel_resolve_arch(NULL, KT_ARCH_ARM64, &k))
		TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(KT_ARCH_ARM64, k.arch);
	EXPECT_STREQ(ARM64_RELEASE, k.version);
	EXPECT_STREQ(ARM64_RELEASE, k.release);
	EXPECT_STREQ("", k.vmlinux);
	snprintf(path, sizeof(path), "%s/vmlinux.btf", entry);
	EXPECT_STREQ(path, k.btf);
	btf = btf__parse(k.btf, NULL);
	ASSERT_NE(NULL, btf);
	EXPECT_LT(0, btf__find_by_name_kind(btf, "task_struct",
					    BTF_KIND_STRUCT));
	btf__free(btf);
	snprintf(path, sizeof(path), "%s/vmlinuz", entry);
	EXPECT_STREQ(path, k.bzimage);
	EXPECT_STREQ(path, kt_kernel_boot_image(&k));
	EXPECT_STREQ(path, kt_kernel_boot_image_kaslr(&k, true));
	EXPECT_STREQ(path, kt_kernel_boot_image_kaslr(&k, false));

	/* The Image by path is arm64 too, with the entry's files. */
	snprintf(path, sizeof(path), "%s/vmlinuz", entry);
	ASSERT_EQ(0, kt_kernel_resolve_arch(path, KT_ARCH_ARM64, &k));
	EXPECT_EQ(KT_ARCH_ARM64, k.arch);
	EXPECT_STREQ(ARM64_RELEASE, k.release);
	snprintf(path, sizeof(path), "%s/vmlinux.btf", entry);
	EXPECT_STREQ(path, k.btf);
}

/* Whether vmm/kernel/default-kernel.sh @arch prints @kernels/@entry. */
static bool script_default_is(char *cmd, size_t len, const char *arch,
			      const char *kernels, const char *entry)
{
	snprintf(cmd, len, "test \"$(vmm/kernel/default-kernel.sh %s)\" = '%s/%s'",
		 arch, kernels, entry);
	return system(cmd) == 0;
}

/*
 * An arm64 entry newer in version order than the x86 one (and its key
 * sorts after it) is never the x86 default, by any route: default, a
 * prefix, kernel list, default-kernel.sh.
 */
TEST_F(kernel, arm64_entry_is_never_the_x86_default)
{
	char cmd[1200], path[PATH_MAX], *buf = NULL, *line;
	struct kt_kernel k;

	ASSERT_EQ(0, make_inputs(self->in, GOOD_CONFIG));
	ASSERT_EQ(0, install_fake(self->in, TEST_RELEASE));
	ASSERT_EQ(0, install_arm64(self->in, ARM64_RELEASE, ARM64_GOOD, NULL));

	ASSERT_EQ(0, kt_kernel_resolve(NULL, &k));
	EXPECT_STREQ(TEST_RELEASE, k.version);
	EXPECT_EQ(KT_ARCH_X86_64, k.arch);
	ASSERT_EQ(0, kt_kernel_resolve("6.99", &k));
	EXPECT_STREQ(TEST_RELEASE, k.version);
	ASSERT_EQ(0, kt_kernel_resolve_arch("6.99", KT_ARCH_ARM64, &k));
	EXPECT_STREQ(ARM64_RELEASE, k.version);
	ASSERT_EQ(0, kt_kernel_resolve_arch(NULL, KT_ARCH_ARM64, &k));
	EXPECT_STREQ(ARM64_RELEASE, k.version);

	ASSERT_EQ(2, listing(&buf));
	line = strstr(buf, ARM64_RELEASE);
	EXPECT_TRUE(line && !strncmp(line + 33, "arm64    yes", 12))
		TH_LOG("%s", buf);
	line = strstr(buf, TEST_RELEASE " ");
	EXPECT_TRUE(line && !strncmp(line + 33, "x86_64   yes", 12))
		TH_LOG("%s", buf);
	free(buf);

	EXPECT_TRUE(script_default_is(cmd, sizeof(cmd), "x86_64", self->kernels,
				      TEST_RELEASE));
	EXPECT_TRUE(script_default_is(cmd, sizeof(cmd), "", self->kernels,
				      TEST_RELEASE));
	EXPECT_TRUE(script_default_is(cmd, sizeof(cmd), "arm64", self->kernels,
				      ARM64_RELEASE));

	/* Named explicitly for the wrong arch: refused, naming its arch. */
	ASSERT_EQ(-1, kt_kernel_resolve(ARM64_RELEASE, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "is an arm64 kernel, not x86_64 (add --arch arm64)"))
		TH_LOG("%s", kt_errmsg());
	snprintf(path, sizeof(path), "%s/%s/vmlinuz", self->kernels,
		 ARM64_RELEASE);
	ASSERT_EQ(-1, kt_kernel_resolve(path, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "is an arm64 kernel, not x86_64"))
		TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(-1, kt_kernel_resolve_arch(TEST_RELEASE, KT_ARCH_ARM64, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "is an x86_64 kernel, not arm64"))
		TH_LOG("%s", kt_errmsg());
}

/* Alone in the cache, an arm64 kernel is still not an x86 default. */
TEST_F(kernel, no_default_of_an_arch_without_entries)
{
	struct kt_kernel k;

	ASSERT_EQ(0, install_arm64(self->in, ARM64_RELEASE, ARM64_GOOD, NULL));
	ASSERT_EQ(-1, kt_kernel_resolve(NULL, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no kernel in the cache"));
	EXPECT_EQ(0, system("test -z \"$(vmm/kernel/default-kernel.sh x86_64)\""));
	ASSERT_EQ(0, system("rm -rf \"$KTSTR_CACHE_DIR/kernels\"/*"));
	ASSERT_EQ(0, make_inputs(self->in, GOOD_CONFIG));
	ASSERT_EQ(0, install_fake(self->in, TEST_RELEASE));
	ASSERT_EQ(-1, kt_kernel_resolve_arch(NULL, KT_ARCH_ARM64, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no arm64 kernel in the cache"));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "kernel fetch --arch arm64"));
}

/* Entries from before arch= are x86_64; an unknown arch is refused. */
TEST_F(kernel, metadata_arch)
{
	char path[PATH_MAX], *buf = NULL;
	struct kt_kernel k;

	ASSERT_EQ(0, make_inputs(self->in, GOOD_CONFIG));
	ASSERT_EQ(0, install_fake(self->in, TEST_RELEASE));
	snprintf(path, sizeof(path), "%s/%s/metadata", self->kernels,
		 TEST_RELEASE);
	EXPECT_TRUE(file_has(path, "\narch=x86_64\n"));
	ASSERT_EQ(0, write_text(self->kernels, TEST_RELEASE "/metadata",
				"version=" TEST_RELEASE "\n"));
	ASSERT_EQ(0, kt_kernel_resolve(NULL, &k));
	EXPECT_EQ(KT_ARCH_X86_64, k.arch);
	EXPECT_STREQ(TEST_RELEASE, k.version);

	ASSERT_EQ(0, write_text(self->kernels, TEST_RELEASE "/metadata",
				"version=" TEST_RELEASE "\narch=riscv64\n"));
	ASSERT_EQ(-1, kt_kernel_resolve(NULL, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no kernel in the cache"));
	snprintf(path, sizeof(path), "%s/%s", self->kernels, TEST_RELEASE);
	ASSERT_EQ(-1, kt_kernel_resolve(path, &k));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "unknown arch 'riscv64'"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), path));
	ASSERT_EQ(1, listing(&buf));
	EXPECT_NE(NULL, strstr(buf, "unknown  -")) TH_LOG("%s", buf);
	free(buf);
}

/* Each bad Image fails naming it and why, and leaves no entry. */
static void expect_arm64_refused(struct __test_metadata *_metadata,
				 const char *in, const char *kernels,
				 enum fake_arm64 kind, const char *why)
{
	char img[PATH_MAX];

	snprintf(img, sizeof(img), "%s/Image", in);
	ASSERT_EQ(-1, install_arm64(in, ARM64_RELEASE, kind, NULL));
	TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), img));
	EXPECT_NE(NULL, strstr(kt_errmsg(), why));
	EXPECT_TRUE(!exists(kernels) || count_entries(kernels) == 0);
}

TEST_F(kernel, arm64_truncated_image_refused)
{
	expect_arm64_refused(_metadata, self->in, self->kernels,
			     ARM64_TRUNCATED,
			     "truncated: its sections end at byte 32768 but the file has 28672");
}

TEST_F(kernel, arm64_image_without_btf_refused)
{
	expect_arm64_refused(_metadata, self->in, self->kernels, ARM64_NO_BTF,
			     "no kernel BTF in the Image");
	expect_arm64_refused(_metadata, self->in, self->kernels,
			     ARM64_BAD_BTF, "no kernel BTF in the Image");
	expect_arm64_refused(_metadata, self->in, self->kernels,
			     ARM64_OTHER_BTF, "no kernel BTF in the Image");
}

TEST_F(kernel, arm64_compressed_or_other_image_refused)
{
	expect_arm64_refused(_metadata, self->in, self->kernels, ARM64_GZIP,
			     "it is a gzip-compressed file (an Image.gz?): decompress it first");
	expect_arm64_refused(_metadata, self->in, self->kernels, ARM64_ZBOOT,
			     "it is an EFI zboot image (compressed): use the uncompressed Image");
	expect_arm64_refused(_metadata, self->in, self->kernels,
			     ARM64_NO_MAGIC, "no \"ARMd\" at 0x38");
}

/* The -dbg package's vmlinux is kept when its BTF is the Image's. */
TEST_F(kernel, arm64_vmlinux_kept_when_it_matches)
{
	char elf[PATH_MAX], path[PATH_MAX];
	struct kt_kernel k;

	snprintf(elf, sizeof(elf), "%s/vmlinux-dbg", self->in);
	ASSERT_EQ(0, make_vmlinux(elf, EM_AARCH64, "task_struct"));
	ASSERT_EQ(0, install_arm64(self->in, ARM64_RELEASE, ARM64_GOOD, elf))
		TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, kt_kernel_resolve_arch(ARM64_RELEASE, KT_ARCH_ARM64, &k));
	snprintf(path, sizeof(path), "%s/%s/vmlinux", self->kernels,
		 ARM64_RELEASE);
	EXPECT_STREQ(path, k.vmlinux);
	EXPECT_TRUE(has_section(k.vmlinux, ".BTF"));
	/* Still the Image boots, and the BTF is the one cut from it. */
	EXPECT_STREQ(k.bzimage, kt_kernel_boot_image(&k));
	snprintf(path, sizeof(path), "%s/%s/vmlinux.btf", self->kernels,
		 ARM64_RELEASE);
	EXPECT_STREQ(path, k.btf);
}

static void expect_vmlinux_refused(struct __test_metadata *_metadata,
				   const char *in, const char *kernels,
				   const char *elf, const char *why)
{
	ASSERT_EQ(-1, install_arm64(in, ARM64_RELEASE, ARM64_GOOD, elf));
	TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), elf));
	EXPECT_NE(NULL, strstr(kt_errmsg(), why));
	EXPECT_TRUE(!exists(kernels) || count_entries(kernels) == 0);
}

TEST_F(kernel, arm64_wrong_vmlinux_refused)
{
	char elf[PATH_MAX];

	snprintf(elf, sizeof(elf), "%s/vmlinux-dbg", self->in);
	ASSERT_EQ(0, make_vmlinux(elf, EM_X86_64, "task_struct"));
	expect_vmlinux_refused(_metadata, self->in, self->kernels, elf,
			       "not an arm64 ELF file (e_machine 62)");
	ASSERT_EQ(0, make_vmlinux(elf, EM_AARCH64, "another_build"));
	expect_vmlinux_refused(_metadata, self->in, self->kernels, elf,
			       "its .BTF differs from the Image's");
	ASSERT_EQ(0, make_elf(elf, EM_AARCH64, ".BTF", "", 0));
	expect_vmlinux_refused(_metadata, self->in, self->kernels, elf,
			       "differs");
	ASSERT_EQ(0, write_text(self->in, "vmlinux-dbg", "not an ELF file"));
	expect_vmlinux_refused(_metadata, self->in, self->kernels, elf,
			       "not an ELF file");
	snprintf(elf, sizeof(elf), "%s/no-such-vmlinux", self->in);
	expect_vmlinux_refused(_metadata, self->in, self->kernels, elf,
			       "cannot open");
}

TEST_F(kernel, vmlinux_with_a_bzimage_refused)
{
	char bz[PATH_MAX], config[PATH_MAX], elf[PATH_MAX];

	ASSERT_EQ(0, make_inputs(self->in, GOOD_CONFIG));
	snprintf(bz, sizeof(bz), "%s/bzImage", self->in);
	snprintf(config, sizeof(config), "%s/config", self->in);
	snprintf(elf, sizeof(elf), "%s/vmlinux-dbg", self->in);
	ASSERT_EQ(0, make_vmlinux(elf, EM_X86_64, "task_struct"));
	ASSERT_EQ(-1, kt_kernel_install(TEST_RELEASE, bz, config, "", "test",
					elf));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "only given with an arm64 Image"));
	EXPECT_EQ(KT_EXIT_USAGE, kt_exit_status());
	EXPECT_FALSE(exists(self->cache));
}

/* The command line: a bad --arch exits 2 naming it, before any work. */
TEST_F(kernel, bad_arch_option_exits_2)
{
	static const char *const cmds[] = {
		"./ktstr kernel show --arch sparc64",
		"./ktstr kernel show --arch=sparc64 7.3",
		"./ktstr kernel fetch --arch sparc64",
		"./ktstr kernel fetch --version 7.3 --arch=sparc64",
	};
	char cmd[1024], out[128];
	size_t i;

	snprintf(out, sizeof(out), "%s/out", self->dir);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		snprintf(cmd, sizeof(cmd), "%s >%s 2>&1", cmds[i], out);
		EXPECT_EQ(2, WEXITSTATUS(system(cmd))) TH_LOG("%s", cmds[i]);
		EXPECT_TRUE(file_has(out, "architecture 'sparc64': use x86_64 or arm64"))
			TH_LOG("%s", cmds[i]);
	}
	snprintf(cmd, sizeof(cmd), "./ktstr kernel show --arch >%s 2>&1", out);
	EXPECT_EQ(2, WEXITSTATUS(system(cmd)));
	EXPECT_TRUE(file_has(out, "--arch needs a value"));
	snprintf(cmd, sizeof(cmd), "vmm/kernel/default-kernel.sh sparc64 >%s 2>&1",
		 out);
	EXPECT_EQ(2, WEXITSTATUS(system(cmd)));
	EXPECT_TRUE(file_has(out, "arch 'sparc64'"));
	snprintf(cmd, sizeof(cmd),
		 "vmm/kernel/kernel-fetch.sh --ktstr ./ktstr --arch sparc64 >%s 2>&1",
		 out);
	EXPECT_EQ(2, WEXITSTATUS(system(cmd)));
	EXPECT_TRUE(file_has(out, "architecture 'sparc64': use x86_64 or arm64"));
	/* Nothing was fetched or created. */
	EXPECT_FALSE(exists(self->cache));
}

/* The Image reader by itself: what install's own checks never let by. */
TEST(arm64_image_btf_refusals)
{
	static unsigned char img[0x3000];
	size_t off, len;

	memcpy(img, "\x1f\x8b", 2);
	ASSERT_EQ(-1, kt_arm64_image_btf("img", img, sizeof(img), &off, &len));
	EXPECT_STREQ("img: not an arm64 Image: a gzip-compressed file (an Image.gz?): decompress it first",
		     kt_errmsg());
	memset(img, 0, sizeof(img));
	ASSERT_EQ(-1, kt_arm64_image_btf("img", img, sizeof(img), &off, &len));
	EXPECT_STREQ("img: not an arm64 Image: no \"ARMd\" magic at 0x38",
		     kt_errmsg());
	memcpy(img, "MZ", 2);
	memcpy(img + 0x38, "ARMd", 4);
	img[0x3d] = 0x30;				/* PE at 0x3000: past the end */
	ASSERT_EQ(-1, kt_arm64_image_btf("img", img, sizeof(img), &off, &len));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no PE header at 0x3000"))
		TH_LOG("%s", kt_errmsg());
	img[0x3c] = 0x40;
	img[0x3d] = 0;
	memcpy(img + 0x40, "PE\0\0", 4);
	img[0x47] = 0x10;				/* 4096 sections */
	ASSERT_EQ(-1, kt_arm64_image_btf("img", img, sizeof(img), &off, &len));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "truncated inside its PE section table"))
		TH_LOG("%s", kt_errmsg());
	/* Without the EFI stub there is no table to check: BTF decides. */
	img[0] = 0;
	ASSERT_EQ(-1, kt_arm64_image_btf("img", img, sizeof(img), &off, &len));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no kernel BTF"));
}

TEST_F(kernel, arm64_vmlinux_without_btf_refused)
{
	static const unsigned char text[] = { 0xd5, 0x03, 0x20, 0x1f };
	char elf[PATH_MAX];

	snprintf(elf, sizeof(elf), "%s/vmlinux-dbg", self->in);
	ASSERT_EQ(0, make_elf(elf, EM_AARCH64, ".text", text, sizeof(text)));
	expect_vmlinux_refused(_metadata, self->in, self->kernels, elf,
			       "no .BTF section");
}

/* The real Image cut short: refused by its PE table, no entry left. */
TEST_F(kernel, truncated_real_arm64_image)
{
	char img[PATH_MAX], cmd[2 * PATH_MAX + 64];

	if (!self->have_real_arm64)
		SKIP(return, "no arm64 kernel in the cache: run './ktstr kernel fetch --arch arm64'");
	snprintf(img, sizeof(img), "%s/Image", self->in);
	snprintf(cmd, sizeof(cmd), "head -c 30000000 '%s' >'%s'",
		 self->real_arm64.bzimage, img);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(-1, kt_kernel_install(self->real_arm64.version, img,
					self->real_arm64.config, "", "test",
					self->real_arm64.vmlinux));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "but the file has 30000000"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), img));
	EXPECT_EQ(0, count_entries(self->kernels));
}

/* The cached arm64 kernel, if any: installs again, BTF and all. */
TEST_F(kernel, real_arm64_kernel)
{
	struct kt_kernel k;
	struct btf *btf;

	if (!self->have_real_arm64)
		SKIP(return, "no arm64 kernel in the cache: run './ktstr kernel fetch --arch arm64'");
	ASSERT_EQ(0, kt_kernel_install(self->real_arm64.version,
				       self->real_arm64.bzimage,
				       self->real_arm64.config,
				       self->real_arm64.system_map, "test",
				       self->real_arm64.vmlinux))
		TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(0, kt_kernel_resolve_arch(NULL, KT_ARCH_ARM64, &k));
	EXPECT_STREQ(self->real_arm64.release, k.release);
	btf = btf__parse(k.btf, NULL);
	ASSERT_NE(NULL, btf);
	EXPECT_LT(0, btf__find_by_name_kind(btf, "sched_ext_ops",
					    BTF_KIND_STRUCT));
	btf__free(btf);
	if (k.vmlinux[0])
		EXPECT_TRUE(has_section(k.vmlinux, ".symtab"));
	/* The x86 default is untouched by it. */
	EXPECT_EQ(-1, kt_kernel_resolve(NULL, &k));
}

TEST_HARNESS_MAIN
