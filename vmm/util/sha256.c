// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 through libcrypto's EVP interface: the implementation the rest
 * of the system trusts, and the fastest one the CPU offers.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "error.h"
#include "sha256.h"

#define FILE_CHUNK	(64 << 10)

/* libcrypto queues its reasons; the oldest one is the cause. */
static int libcrypto_failed(const char *what)
{
	char reason[256];
	unsigned long code = ERR_get_error();

	ERR_clear_error();
	if (!code)
		return kt_fail("SHA-256: libcrypto: %s failed", what);
	ERR_error_string_n(code, reason, sizeof(reason));
	return kt_fail("SHA-256: libcrypto: %s failed: %s", what, reason);
}

static void to_hex(const unsigned char digest[KT_SHA256_LEN],
		   char hex[KT_SHA256_HEX_LEN])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < KT_SHA256_LEN; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 0xf];
	}
	hex[2 * KT_SHA256_LEN] = '\0';
}

int kt_sha256_init(struct kt_sha256 *s)
{
	s->failed = false;
	s->ctx = EVP_MD_CTX_new();
	if (!s->ctx)
		return libcrypto_failed("EVP_MD_CTX_new");
	if (!EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL)) {
		kt_sha256_discard(s);
		return libcrypto_failed("EVP_DigestInit_ex");
	}
	return 0;
}

void kt_sha256_update(struct kt_sha256 *s, const void *data, size_t len)
{
	if (!s->failed && !EVP_DigestUpdate(s->ctx, data, len))
		s->failed = true;
}

int kt_sha256_final_hex(struct kt_sha256 *s, char hex[KT_SHA256_HEX_LEN])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	int ret = 0;

	if (s->failed)
		ret = libcrypto_failed("EVP_DigestUpdate");
	else if (!EVP_DigestFinal_ex(s->ctx, digest, NULL))
		ret = libcrypto_failed("EVP_DigestFinal_ex");
	else
		to_hex(digest, hex);
	kt_sha256_discard(s);
	return ret;
}

void kt_sha256_discard(struct kt_sha256 *s)
{
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

int kt_sha256_hex_of(const void *data, size_t len,
		     char hex[KT_SHA256_HEX_LEN])
{
	unsigned char digest[EVP_MAX_MD_SIZE];

	if (!EVP_Digest(data, len, digest, NULL, EVP_sha256(), NULL))
		return libcrypto_failed("EVP_Digest");
	to_hex(digest, hex);
	return 0;
}

int kt_sha256_file_hex(const char *path, char hex[KT_SHA256_HEX_LEN])
{
	char buf[FILE_CHUNK];
	struct kt_sha256 s;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kt_fail_errno("cannot open %s", path);
	if (kt_sha256_init(&s)) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			kt_fail_errno("cannot read %s", path);
			close(fd);
			kt_sha256_discard(&s);
			return -1;
		}
		kt_sha256_update(&s, buf, n);
	}
	close(fd);
	return kt_sha256_final_hex(&s, hex);
}

int kt_sha256_identity(struct kt_sha256 *h, const char *what,
		       const char *path)
{
	char real[PATH_MAX], line[PATH_MAX + 256];
	struct stat st;
	int n;

	if (!realpath(path, real) || stat(real, &st))
		return kt_fail_errno("%s %s", what, path);
	n = snprintf(line, sizeof(line),
		     "%s %s dev=%llu ino=%llu size=%lld mtime=%lld.%09ld ctime=%lld.%09ld",
		     what, real, (unsigned long long)st.st_dev,
		     (unsigned long long)st.st_ino, (long long)st.st_size,
		     (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		     (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	kt_sha256_update(h, line, n + 1);
	return 0;
}
