// SPDX-License-Identifier: GPL-2.0
/*
 * The SHA-256 wrapper: the FIPS 180-4 example vectors (NIST CSRC
 * examples) through each entry point, and a file that cannot be read.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "error.h"
#include "sha256.h"

#define EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC_SHA256 \
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define MILLION_A_SHA256 \
	"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

static int hex_of_pieces(const char *msg, size_t piece, char *hex)
{
	size_t len = strlen(msg), off, n;
	struct kt_sha256 s;

	if (kt_sha256_init(&s))
		return -1;
	for (off = 0; off < len; off += n) {
		n = len - off < piece ? len - off : piece;
		kt_sha256_update(&s, msg + off, n);
	}
	return kt_sha256_final_hex(&s, hex);
}

TEST(empty)
{
	char hex[KT_SHA256_HEX_LEN];

	ASSERT_EQ(0, kt_sha256_hex_of("", 0, hex));
	EXPECT_STREQ(EMPTY_SHA256, hex);
	ASSERT_EQ(0, hex_of_pieces("", 1, hex));
	EXPECT_STREQ(EMPTY_SHA256, hex);
}

TEST(abc)
{
	char hex[KT_SHA256_HEX_LEN];

	ASSERT_EQ(0, kt_sha256_hex_of("abc", 3, hex));
	EXPECT_STREQ(ABC_SHA256, hex);
}

/* Any split into updates must give the one-shot digest. */
TEST(two_blocks_in_pieces)
{
	const char *msg =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	const char *want =
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
	char hex[KT_SHA256_HEX_LEN];
	size_t piece;

	ASSERT_EQ(0, kt_sha256_hex_of(msg, strlen(msg), hex));
	EXPECT_STREQ(want, hex);
	for (piece = 1; piece <= 65; piece++) {
		ASSERT_EQ(0, hex_of_pieces(msg, piece, hex));
		EXPECT_STREQ(want, hex);
	}
}

TEST(million_a)
{
	char hex[KT_SHA256_HEX_LEN];
	struct kt_sha256 s;
	char chunk[1000];
	int i;

	memset(chunk, 'a', sizeof(chunk));
	ASSERT_EQ(0, kt_sha256_init(&s));
	for (i = 0; i < 1000; i++)
		kt_sha256_update(&s, chunk, sizeof(chunk));
	ASSERT_EQ(0, kt_sha256_final_hex(&s, hex));
	EXPECT_STREQ(MILLION_A_SHA256, hex);
}

/* Discarding an unfinished digest, twice, must neither leak nor crash. */
TEST(discard)
{
	struct kt_sha256 s;

	ASSERT_EQ(0, kt_sha256_init(&s));
	kt_sha256_update(&s, "abc", 3);
	kt_sha256_discard(&s);
	kt_sha256_discard(&s);
	EXPECT_EQ(NULL, s.ctx);
}

FIXTURE(file)
{
	char dir[64];
	char path[128];
};

FIXTURE_SETUP(file)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/sha256_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/data", self->dir);
}

FIXTURE_TEARDOWN(file)
{
	unlink(self->path);
	rmdir(self->dir);
}

/* A million bytes: many reads, so the chunks are joined correctly. */
TEST_F(file, million_a)
{
	char hex[KT_SHA256_HEX_LEN], chunk[1000];
	int fd, i;

	memset(chunk, 'a', sizeof(chunk));
	fd = open(self->path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ASSERT_LE(0, fd);
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(sizeof(chunk), write(fd, chunk, sizeof(chunk)));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_sha256_file_hex(self->path, hex));
	EXPECT_STREQ(MILLION_A_SHA256, hex);
}

TEST_F(file, empty)
{
	char hex[KT_SHA256_HEX_LEN];
	int fd;

	fd = open(self->path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kt_sha256_file_hex(self->path, hex));
	EXPECT_STREQ(EMPTY_SHA256, hex);
}

/* The message kt_sha256_file_hex() leaves for @path: "@verb @path: why". */
static void error_message(char *buf, size_t len, const char *verb,
			  const char *path, int errnum)
{
	snprintf(buf, len, "%s %s: %s", verb, path, strerror(errnum));
}

/*
 * A missing file fails to open; a directory opens but fails to read, so
 * the read error is reached as root too, where mode 000 would not stop
 * anything.
 */
TEST_F(file, errors_name_the_file)
{
	char hex[KT_SHA256_HEX_LEN], want[192];

	EXPECT_EQ(-1, kt_sha256_file_hex(self->path, hex));
	error_message(want, sizeof(want), "cannot open", self->path, ENOENT);
	EXPECT_STREQ(want, kt_errmsg());
	EXPECT_EQ(-1, kt_sha256_file_hex(self->dir, hex));
	error_message(want, sizeof(want), "cannot read", self->dir, EISDIR);
	EXPECT_STREQ(want, kt_errmsg());
}

TEST_HARNESS_MAIN
