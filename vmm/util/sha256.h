/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 digests in lowercase hex, the form of the cache keys and of
 * kernel.org's sha256sums.asc.  libcrypto does the hashing; this only
 * adds the hex, hashing a file, and kt_fail() messages naming the file.
 */
#ifndef KTSTR_SHA256_H
#define KTSTR_SHA256_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/types.h>

#define KT_SHA256_LEN		32
/* 64 hex digits and the terminating NUL. */
#define KT_SHA256_HEX_LEN	(2 * KT_SHA256_LEN + 1)

/*
 * A digest being computed.  Callers feed it many small pieces, so a
 * failed update is remembered here and returned by kt_sha256_final_hex()
 * rather than checked after every piece.
 */
struct kt_sha256 {
	EVP_MD_CTX *ctx;
	bool failed;
};

int kt_sha256_init(struct kt_sha256 *s);
void kt_sha256_update(struct kt_sha256 *s, const void *data, size_t len);
/* Writes the digest and frees @s, even when it returns -1. */
int kt_sha256_final_hex(struct kt_sha256 *s, char hex[KT_SHA256_HEX_LEN]);
/* Frees @s without a digest, on a caller's error path; idempotent. */
void kt_sha256_discard(struct kt_sha256 *s);

/* One-shot: the digest of @len bytes at @data. */
int kt_sha256_hex_of(const void *data, size_t len,
		     char hex[KT_SHA256_HEX_LEN]);
/* The digest of the file at @path; errors name @path. */
int kt_sha256_file_hex(const char *path, char hex[KT_SHA256_HEX_LEN]);
/*
 * Adds which file @path is and which version of it, cheaply: its real
 * path, device, inode, size and times (any write, even one that keeps
 * size and mtime, moves ctime).  Errors name @what and @path.
 */
int kt_sha256_identity(struct kt_sha256 *h, const char *what,
		       const char *path);

#endif
