/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 (FIPS 180-4), for content-addressed cache keys.  Not meant to
 * resist side channels: it only ever hashes files we are about to boot.
 */
#ifndef KTSTR_SHA256_H
#define KTSTR_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define KT_SHA256_LEN		32
#define KT_SHA256_BLOCK		64
/* 64 hex digits and the terminating NUL. */
#define KT_SHA256_HEX_LEN	(2 * KT_SHA256_LEN + 1)

struct kt_sha256 {
	uint32_t h[8];
	uint64_t total;			/* bytes hashed so far */
	uint8_t buf[KT_SHA256_BLOCK];	/* a partial block */
	size_t used;
};

void kt_sha256_init(struct kt_sha256 *s);
void kt_sha256_update(struct kt_sha256 *s, const void *data, size_t len);
/* Writes the digest; @s must be initialised again before reuse. */
void kt_sha256_final(struct kt_sha256 *s, uint8_t digest[KT_SHA256_LEN]);
void kt_sha256_hex(const uint8_t digest[KT_SHA256_LEN],
		   char hex[KT_SHA256_HEX_LEN]);
/* One-shot: the lowercase hex digest of @len bytes at @data. */
void kt_sha256_hex_of(const void *data, size_t len,
		      char hex[KT_SHA256_HEX_LEN]);

#endif
