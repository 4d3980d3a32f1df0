// SPDX-License-Identifier: GPL-2.0
/* SHA-256 against the FIPS 180-4 example vectors (NIST CSRC examples). */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "sha256.h"

static void hex_of_pieces(const char *msg, size_t piece, char *hex)
{
	uint8_t digest[KT_SHA256_LEN];
	size_t len = strlen(msg), off, n;
	struct kt_sha256 s;

	kt_sha256_init(&s);
	for (off = 0; off < len; off += n) {
		n = len - off < piece ? len - off : piece;
		kt_sha256_update(&s, msg + off, n);
	}
	kt_sha256_final(&s, digest);
	kt_sha256_hex(digest, hex);
}

TEST(empty)
{
	char hex[KT_SHA256_HEX_LEN];

	kt_sha256_hex_of("", 0, hex);
	EXPECT_STREQ(
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		hex);
}

TEST(abc)
{
	char hex[KT_SHA256_HEX_LEN];

	kt_sha256_hex_of("abc", 3, hex);
	EXPECT_STREQ(
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		hex);
}

/* 448 bits: the padding no longer fits, so a second block is needed. */
TEST(two_blocks)
{
	const char *msg =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	const char *want =
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
	char hex[KT_SHA256_HEX_LEN];
	size_t piece;

	kt_sha256_hex_of(msg, strlen(msg), hex);
	EXPECT_STREQ(want, hex);
	/* Any split into updates must give the same digest. */
	for (piece = 1; piece <= 65; piece++) {
		hex_of_pieces(msg, piece, hex);
		EXPECT_STREQ(want, hex);
	}
}

TEST(million_a)
{
	uint8_t digest[KT_SHA256_LEN];
	char hex[KT_SHA256_HEX_LEN];
	struct kt_sha256 s;
	char chunk[1000];
	int i;

	memset(chunk, 'a', sizeof(chunk));
	kt_sha256_init(&s);
	for (i = 0; i < 1000; i++)
		kt_sha256_update(&s, chunk, sizeof(chunk));
	kt_sha256_final(&s, digest);
	kt_sha256_hex(digest, hex);
	EXPECT_STREQ(
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
		hex);
}

/* Lengths around the 55/56/64-byte padding boundaries, against sha256sum. */
TEST(padding_boundaries)
{
	static const size_t lens[] = { 55, 56, 57, 63, 64, 65, 119, 120 };
	char hex[KT_SHA256_HEX_LEN], cmd[256], want[KT_SHA256_HEX_LEN];
	char msg[128];
	unsigned int i;
	FILE *p;

	memset(msg, 'x', sizeof(msg));
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		snprintf(cmd, sizeof(cmd),
			 "head -c %zu /dev/zero | tr '\\0' x | sha256sum",
			 lens[i]);
		p = popen(cmd, "r");
		ASSERT_NE(NULL, p);
		ASSERT_EQ(1, fscanf(p, "%64s", want));
		pclose(p);
		kt_sha256_hex_of(msg, lens[i], hex);
		EXPECT_STREQ(want, hex);
	}
}

TEST_HARNESS_MAIN
