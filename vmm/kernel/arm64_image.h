/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arm64 kernel Image (Documentation/arch/arm64/booting.rst): the
 * kernel's memory image as a flat file, with "ARMd" at 0x38.  Debian
 * ships it uncompressed, and with the EFI stub, which makes it a PE/COFF
 * file too.  A flat image has no section headers, but the kernel's BTF
 * is in it whole, as the .BTF section of the vmlinux it was made from.
 */
#ifndef KTSTR_ARM64_IMAGE_H
#define KTSTR_ARM64_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#define KT_ARM64_MAGIC_OFFSET	0x38

/* Whether the first @len bytes @head of a file are an arm64 Image's. */
bool kt_arm64_image_head(const unsigned char *head, size_t len);

/*
 * What a file that is not a kernel image is instead, if it is a
 * compressed arm64 Image, with what to do: a message, else NULL.
 */
const char *kt_arm64_image_hint(const unsigned char *head, size_t len);

/*
 * The BTF of the Image @path, mapped at @data: the offset and length of
 * the page-aligned blob libbpf accepts as a kernel's BTF.  Refuses what
 * QEMU cannot boot as an arm64 Image: another format (a compressed
 * Image.gz or EFI zboot image among them), a file shorter than its PE
 * section table says, or one without the kernel's BTF.
 */
int kt_arm64_image_btf(const char *path, const void *data, size_t len,
		       size_t *btf_off, size_t *btf_len);

/*
 * Refuses a @vmlinux that is not the ELF file an Image with BTF @btf was
 * made from: not an arm64 ELF, or with another .BTF section.
 */
int kt_arm64_vmlinux_check(const char *vmlinux, const void *btf, size_t len);

#endif
