// SPDX-License-Identifier: GPL-2.0
/* The arm64 kernel Image: recognition, checks and its BTF; see arm64_image.h. */
#include <bpf/btf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/btf.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "arm64_image.h"
#include "error.h"

/* PE/COFF, as the EFI stub lays it out (arch/arm64/kernel/efi-header.S). */
#define MZ_PE_OFFSET		0x3c
#define PE_NSECTIONS		6
#define PE_OPT_HDR_SIZE		20
#define PE_HDR_SIZE		24
#define PE_SECTION_SIZE		40
#define PE_SECTION_RAW_SIZE	16
#define PE_SECTION_RAW_PTR	20
/* EFI zboot (drivers/firmware/efi/libstub/zboot-header.S): "zimg" at 4. */
#define ZBOOT_MAGIC_OFFSET	4

/*
 * vmlinux.lds.h page-aligns .BTF, and the Image is the memory image
 * from _text on; 4 KiB divides every arm64 page size.
 */
#define BTF_ALIGN		4096

struct image {
	const char *path;
	const unsigned char *data;
	size_t len;
};

static uint16_t le16(const unsigned char *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

bool kt_arm64_image_head(const unsigned char *head, size_t len)
{
	return len >= KT_ARM64_MAGIC_OFFSET + 4 &&
	       !memcmp(head + KT_ARM64_MAGIC_OFFSET, "ARMd", 4);
}

const char *kt_arm64_image_hint(const unsigned char *p, size_t len)
{
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return "a gzip-compressed file (an Image.gz?): decompress it first";
	if (len >= ZBOOT_MAGIC_OFFSET + 4 && !memcmp(p, "MZ", 2) &&
	    !memcmp(p + ZBOOT_MAGIC_OFFSET, "zimg", 4))
		return "an EFI zboot image (compressed): use the uncompressed Image";
	return NULL;
}

/* The file must hold every section the PE header of the EFI stub lists. */
static int check_pe_sections(const struct image *img)
{
	size_t pe, sec, end = 0, raw_end, i, n;

	if (memcmp(img->data, "MZ", 2))
		return 0;
	pe = le32(img->data + MZ_PE_OFFSET);
	if (pe + PE_HDR_SIZE > img->len || memcmp(img->data + pe, "PE\0\0", 4))
		return kt_fail("%s: truncated or corrupt: no PE header at 0x%zx for its EFI stub",
			       img->path, pe);
	n = le16(img->data + pe + PE_NSECTIONS);
	sec = pe + PE_HDR_SIZE + le16(img->data + pe + PE_OPT_HDR_SIZE);
	if (sec + n * PE_SECTION_SIZE > img->len)
		return kt_fail("%s: truncated inside its PE section table",
			       img->path);
	for (i = 0; i < n; i++, sec += PE_SECTION_SIZE) {
		raw_end = (size_t)le32(img->data + sec + PE_SECTION_RAW_PTR) +
			  le32(img->data + sec + PE_SECTION_RAW_SIZE);
		if (raw_end > end)
			end = raw_end;
	}
	if (end > img->len)
		return kt_fail("%s: truncated: its sections end at byte %zu but the file has %zu",
			       img->path, end, img->len);
	return 0;
}

/* The BTF blob at @off if its header fits the file there, else 0. */
static size_t btf_blob_len(const struct image *img, size_t off)
{
	const unsigned char *p = img->data + off;
	uint64_t hdr, types, strs;

	if (off + sizeof(struct btf_header) > img->len ||
	    le16(p) != BTF_MAGIC || p[2] != BTF_VERSION)
		return 0;
	hdr = le32(p + 4);
	types = (uint64_t)le32(p + 8) + le32(p + 12);
	strs = (uint64_t)le32(p + 16) + le32(p + 20);
	if (hdr < sizeof(struct btf_header) || hdr > BTF_ALIGN)
		return 0;
	hdr += types > strs ? types : strs;
	return hdr <= img->len - off ? hdr : 0;
}

/*
 * The first page-aligned blob that libbpf accepts as BTF and that
 * describes a kernel (it has struct task_struct).
 */
static int find_btf(const struct image *img, size_t *off, size_t *len)
{
	struct btf *btf;
	size_t o, n;
	bool kernel;

	for (o = 0; o < img->len; o += BTF_ALIGN) {
		n = btf_blob_len(img, o);
		if (!n)
			continue;
		btf = btf__new(img->data + o, n);
		if (!btf)
			continue;
		kernel = btf__find_by_name_kind(btf, "task_struct",
						BTF_KIND_STRUCT) > 0;
		btf__free(btf);
		if (kernel) {
			*off = o;
			*len = n;
			return 0;
		}
	}
	return kt_fail("%s: no kernel BTF in the Image (a kernel built without CONFIG_DEBUG_INFO_BTF, or a truncated file)",
		       img->path);
}

/* The Image's BTF is at @off, @len bytes long, if it passes. */
static int check_image(const struct image *img, size_t *off, size_t *len)
{
	const char *hint = kt_arm64_image_hint(img->data, img->len);

	if (!kt_arm64_image_head(img->data, img->len))
		return kt_fail("%s: not an arm64 Image: %s", img->path,
			       hint ? hint : "no \"ARMd\" magic at 0x38");
	return check_pe_sections(img) ?: find_btf(img, off, len);
}

int kt_arm64_image_btf(const char *path, const void *data, size_t len,
		       size_t *btf_off, size_t *btf_len)
{
	const struct image img = { path, data, len };

	return check_image(&img, btf_off, btf_len);
}

/* The .BTF section of the ELF @e, or NULL. */
static Elf_Data *elf_btf(Elf *e)
{
	Elf_Scn *scn = NULL;
	const char *name;
	size_t shstrndx;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(e, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".BTF"))
			return elf_rawdata(scn, NULL);
	}
	return NULL;
}

static int compare_btf(const char *vmlinux, Elf *e, const void *btf,
		       size_t len)
{
	Elf_Data *sec;
	GElf_Ehdr eh;

	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh))
		return kt_fail("vmlinux %s: not an ELF file", vmlinux);
	if (eh.e_machine != EM_AARCH64)
		return kt_fail("vmlinux %s: not an arm64 ELF file (e_machine %u)",
			       vmlinux, eh.e_machine);
	sec = elf_btf(e);
	if (!sec)
		return kt_fail("vmlinux %s: no .BTF section", vmlinux);
	if (sec->d_size != len || memcmp(sec->d_buf, btf, len))
		return kt_fail("vmlinux %s: its .BTF differs from the Image's: they are of different builds",
			       vmlinux);
	return 0;
}

int kt_arm64_vmlinux_check(const char *vmlinux, const void *btf, size_t len)
{
	int fd, err;
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return kt_fail("libelf: %s", elf_errmsg(-1));
	fd = open(vmlinux, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kt_fail_errno("cannot open vmlinux %s", vmlinux);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	err = e ? compare_btf(vmlinux, e, btf, len) :
		  kt_fail("vmlinux %s: %s", vmlinux, elf_errmsg(-1));
	elf_end(e);
	close(fd);
	return err;
}
