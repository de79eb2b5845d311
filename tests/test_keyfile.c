/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of keyfile.c: the key files of ntp 4.2.8, NTPsec and chrony,
 * every kind of bad line with its number, that no reason holds key bytes,
 * and the file edge (missing, not a file, too large, world-readable).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <grp.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "keyfile.h"

#define ERRLEN	256

/* shared/data/classic-ntpd-auth-vectors.json, "keys_file", as captured. */
#define VECTORS_KEYS_FILE \
	"1 MD5 secret1\n2 SHA1 0123456789abcdef0123456789abcdef01234567\n"

static const uint8_t hex20[20] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23,
	0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67,
};
static const uint8_t hex16[16] = {
	0x2d, 0xa8, 0x37, 0xc4, 0xb6, 0x57, 0x37, 0x48,
	0xca, 0x69, 0x2b, 0x8c, 0x82, 0x8e, 0x48, 0x91,
};
#define HEX40	"0123456789abcdef0123456789abcdef01234567"
#define HEX32	"2DA837C4B6573748CA692B8C828E4891"

/* Finds id in text, which must succeed; the key goes to *k. */
static void
find(const char *text, uint32_t id, struct ntp_key *k)
{
	char err[ERRLEN] = "";

	if (keyfile_parse(text, strlen(text), id, k, err, sizeof(err)) !=
	    KEYFILE_FOUND)
		fail_msg("key %u: %s", (unsigned)id, err);
	assert_int_equal(k->id, id);
}

static void
assert_ascii_key(const struct ntp_key *k, enum mac_type t, const char *s)
{
	assert_int_equal(k->type, t);
	assert_int_equal(k->len, strlen(s));
	assert_memory_equal(k->bytes, s, strlen(s));
}

static void
assert_bin_key(const struct ntp_key *k, enum mac_type t, const uint8_t *b,
    size_t n)
{
	assert_int_equal(k->type, t);
	assert_int_equal(k->len, n);
	assert_memory_equal(k->bytes, b, n);
}

static void
test_vectors_keys_file(void **state)
{
	struct ntp_key k;

	(void)state;
	find(VECTORS_KEYS_FILE, 1, &k);
	/* "secret1": 7 characters, ASCII. */
	assert_ascii_key(&k, MAC_MD5, "secret1");
	find(VECTORS_KEYS_FILE, 2, &k);
	/* 40 characters: hex, 20 bytes. */
	assert_bin_key(&k, MAC_SHA1, hex20, sizeof(hex20));
}

static void
test_ntp428(void **state)
{
	static const char f[] =
	    "# ntp-keygen style\n"
	    "1 MD5 secret\n"
	    "2 SHA1 " HEX40 "\n"
	    "3 AES128CMAC " HEX32 "\n"
	    "65535 MD5 top\n"
	    "4 M old\n";			/* NTPv3's type letter */
	struct ntp_key k;

	(void)state;
	find(f, 1, &k);
	assert_ascii_key(&k, MAC_MD5, "secret");
	find(f, 2, &k);
	assert_bin_key(&k, MAC_SHA1, hex20, sizeof(hex20));
	find(f, 3, &k);
	assert_bin_key(&k, MAC_AES128_CMAC, hex16, sizeof(hex16));
	find(f, 65535, &k);
	assert_ascii_key(&k, MAC_MD5, "top");
	find(f, 4, &k);
	assert_ascii_key(&k, MAC_MD5, "old");
}

static void
test_ntpsec(void **state)
{
	static const char f[] =
	    "1 md5 secret\n"
	    "2 sha1 " HEX40 "\n"
	    "3 aes-128 " HEX32 "\n"
	    "4 aes " HEX32 "\n"
	    "5 sha-1 " HEX40 "\n"
	    "6 AES-128 0123456789abcdef\n";	/* 16 characters: ASCII */
	struct ntp_key k;

	(void)state;
	find(f, 1, &k);
	assert_ascii_key(&k, MAC_MD5, "secret");
	find(f, 2, &k);
	assert_bin_key(&k, MAC_SHA1, hex20, sizeof(hex20));
	find(f, 3, &k);
	assert_bin_key(&k, MAC_AES128_CMAC, hex16, sizeof(hex16));
	find(f, 4, &k);
	assert_bin_key(&k, MAC_AES128_CMAC, hex16, sizeof(hex16));
	find(f, 5, &k);
	assert_bin_key(&k, MAC_SHA1, hex20, sizeof(hex20));
	find(f, 6, &k);
	assert_ascii_key(&k, MAC_AES128_CMAC, "0123456789abcdef");
}

static void
test_chrony(void **state)
{
	static const char f[] =
	    "! chrony comment\n"
	    "; another\n"
	    "% and another\n"
	    "1 ALongAndRandomPassword\n"	/* no type: MD5, ASCII */
	    "2 MD5 HEX:" HEX32 "\n"
	    "3 SHA1 HEX:" HEX40 "\n"
	    "4 AES128 HEX:" HEX32 "\n"
	    "5 MD5 ASCII:0123456789abcdef0123456789\n"
	    "4294967295 SHA1 HEX:" HEX40 "\n"
	    "7 0123456789abcdef0123456789\n";	/* no type: ASCII, any length */
	struct ntp_key k;

	(void)state;
	find(f, 1, &k);
	assert_ascii_key(&k, MAC_MD5, "ALongAndRandomPassword");
	find(f, 2, &k);
	assert_bin_key(&k, MAC_MD5, hex16, sizeof(hex16));
	find(f, 3, &k);
	assert_bin_key(&k, MAC_SHA1, hex20, sizeof(hex20));
	find(f, 4, &k);
	assert_bin_key(&k, MAC_AES128_CMAC, hex16, sizeof(hex16));
	find(f, 5, &k);
	assert_ascii_key(&k, MAC_MD5, "0123456789abcdef0123456789");
	find(f, 4294967295u, &k);
	assert_bin_key(&k, MAC_SHA1, hex20, sizeof(hex20));
	find(f, 7, &k);
	assert_ascii_key(&k, MAC_MD5, "0123456789abcdef0123456789");
}

static void
test_comments_blanks_crlf(void **state)
{
	static const char f[] =
	    "\n"
	    "   \t\n"
	    "# 9 MD5 commented\n"
	    "  # indented comment\n"
	    "1 MD5 abc # a comment after a space\r\n"
	    "\t2\tSHA1\t" HEX40 "\r\n"
	    "3 MD5 last";			/* no newline at the end */
	struct ntp_key k;
	char err[ERRLEN];

	(void)state;
	find(f, 1, &k);
	assert_ascii_key(&k, MAC_MD5, "abc");
	find(f, 2, &k);
	assert_bin_key(&k, MAC_SHA1, hex20, sizeof(hex20));
	find(f, 3, &k);
	assert_ascii_key(&k, MAC_MD5, "last");
	assert_int_equal(keyfile_parse(f, strlen(f), 9, &k, err, sizeof(err)),
	    KEYFILE_NOT_FOUND);
	assert_string_equal(err, "key 9 is not in the file");
	assert_int_equal(k.len, 0);
}

static void
test_empty_file(void **state)
{
	struct ntp_key k;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(keyfile_parse("", 0, 1, &k, err, sizeof(err)),
	    KEYFILE_NOT_FOUND);
}

/* ntp 4.2.8 and NTPsec: up to 20 characters ASCII, more is hex. */
static void
test_ascii_hex_boundary(void **state)
{
	struct ntp_key k;
	char err[ERRLEN];
	static const char odd21[] = "1 MD5 0123456789abcdef01234\n";
	static const uint8_t b11[11] = {
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23,
		0x45,
	};

	(void)state;
	/* 20 hex digits are 20 ASCII characters, not 10 bytes. */
	find("1 MD5 0123456789abcdef0123\n", 1, &k);
	assert_ascii_key(&k, MAC_MD5, "0123456789abcdef0123");
	/* 22: hex, 11 bytes. */
	find("1 MD5 0123456789abcdef012345\n", 1, &k);
	assert_bin_key(&k, MAC_MD5, b11, sizeof(b11));
	/* 21: hex, and odd. */
	assert_int_equal(keyfile_parse(odd21, strlen(odd21), 1, &k, err,
	    sizeof(err)), KEYFILE_ERROR);
	assert_string_equal(err,
	    "line 1: the key has an odd number of hex digits");
	/* 20 characters that are not hex: still ASCII. */
	find("1 MD5 abcdefghijklmnopqrst\n", 1, &k);
	assert_ascii_key(&k, MAC_MD5, "abcdefghijklmnopqrst");
	/* 64 hex digits: 32 bytes, the most there is. */
	find("1 SHA1 " HEX32 HEX32 "\n", 1, &k);
	assert_int_equal(k.len, KEY_BYTES_MAX);
}

struct bad {
	const char	*line;		/* written as line 3 */
	const char	*reason;	/* after "line 3: " */
	const char	*secret;	/* what must not be in the reason */
};

static const struct bad bad_lines[] = {
	{ "x1 MD5 hunter2", "the key id is not a number", "hunter2" },
	{ "-1 MD5 hunter2", "the key id is not a number", "hunter2" },
	{ "1a MD5 hunter2", "the key id is not a number", "hunter2" },
	{ "0 MD5 hunter2", "key id 0 is reserved (a server's crypto-NAK)",
	    "hunter2" },
	{ "65536 MD5 hunter2", "the key id is larger than 65535 (a chrony "
	    "keyfile line, with HEX: or ASCII: before the key, may have 32-bit "
	    "ids)", "hunter2" },
	{ "4294967296 MD5 HEX:00", "the key id is larger than 4294967295",
	    NULL },
	{ "99999999999999999999999 MD5 hunter2",
	    "the key id is larger than 4294967295", "hunter2" },
	{ "1 FOO hunter2", "unknown MAC type (ntpsync has MD5, SHA1 and "
	    "AES-128-CMAC)", "hunter2" },
	/* A key in the type's column is not repeated. */
	{ "1 hunter2hunter2 MD5", "unknown MAC type (ntpsync has MD5, SHA1 "
	    "and AES-128-CMAC)", "hunter2" },
	{ "1 sha256 hunter2", "unsupported MAC type (ntpsync has MD5, SHA1 "
	    "and AES-128-CMAC)", "hunter2" },
	{ "1 AES256 HEX:" HEX32 HEX32, "unsupported MAC type (ntpsync has "
	    "MD5, SHA1 and AES-128-CMAC)", HEX32 },
	{ "1 MD5 0123456789abcdef01234", "the key has an odd number of hex "
	    "digits", "0123456789" },
	{ "1 MD5 HEX:0123456789abcdef012", "the key has an odd number of hex "
	    "digits", "0123456789" },
	{ "1 MD5 hunter2hunter2hunter2x", "the key is not hex (a key longer "
	    "than 20 characters is hex; in chrony's keyfile write ASCII: "
	    "before an ASCII one)", "hunter2" },
	{ "1 SHA1 HEX:hunter2hunter2", "the key is not hex (a key longer than "
	    "20 characters is hex; in chrony's keyfile write ASCII: before an "
	    "ASCII one)", "hunter2" },
	{ "1 SHA1 " HEX32 HEX32 "00", "the key is longer than 32 bytes",
	    HEX32 },
	{ "1 MD5 ASCII:hunter2hunter2hunter2hunter2hunter2",
	    "the key is longer than 32 bytes", "hunter2" },
	{ "1 ASCII:hunter2hunter2hunter2hunter2hunter2",
	    "the key is longer than 32 bytes", "hunter2" },
	{ "1 MD5", "missing key (ID TYPE KEY)", NULL },
	{ "1", "missing key (ID TYPE KEY)", NULL },
	{ "1 sha1", "missing key (ID TYPE KEY)", NULL },
	{ "1 AES128", "missing key (ID TYPE KEY)", NULL },
	{ "1 MD5 HEX:", "missing key after HEX:", NULL },
	{ "1 MD5 ASCII:", "missing key after ASCII:", NULL },
	{ "1 MD5 hunter2 127.0.0.1", "more than three fields (ID TYPE KEY; "
	    "ntpd's address list after the key is not supported)", "hunter2" },
	{ "1 MD5 hunter2 garbage", "more than three fields (ID TYPE KEY; "
	    "ntpd's address list after the key is not supported)", "hunter2" },
	{ "1 MD5 hunter2#x", "'#' inside a field (ntpd would cut the key "
	    "there, chrony would not: put a space before a comment)",
	    "hunter2" },
	{ "1 MD5 hunter2\x01", "a byte that is not printable ASCII",
	    "hunter2" },
	{ "1 MD5 hunter2\xc3\xa9", "a byte that is not printable ASCII",
	    "hunter2" },
	{ "3 AES128CMAC hunter2", "AES-128-CMAC needs a key of 16 bytes (32 "
	    "hex digits)", "hunter2" },
	{ "3 AES128 HEX:" HEX40, "AES-128-CMAC needs a key of 16 bytes (32 "
	    "hex digits)", HEX32 },
	{ "3 aes-128 " HEX40, "AES-128-CMAC needs a key of 16 bytes (32 "
	    "hex digits)", HEX32 },
};

static void
test_bad_lines(void **state)
{
	struct ntp_key k;
	char text[512], err[ERRLEN], want[ERRLEN];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		/* Two good lines first: the reason must say line 3. */
		len = (size_t)snprintf(text, sizeof(text),
		    "# keys\n10 MD5 good\n%s\n11 MD5 after\n",
		    bad_lines[i].line);
		/* The bad line breaks the file for every key, also 10. */
		memset(&k, 0xa5, sizeof(k));
		if (keyfile_parse(text, len, 10, &k, err, sizeof(err)) !=
		    KEYFILE_ERROR)
			fail_msg("%s: accepted", bad_lines[i].line);
		snprintf(want, sizeof(want), "line 3: %s", bad_lines[i].reason);
		if (strcmp(err, want) != 0)
			fail_msg("%s:\n got  %s\n want %s", bad_lines[i].line,
			    err, want);
		if (bad_lines[i].secret != NULL &&
		    strstr(err, bad_lines[i].secret) != NULL)
			fail_msg("%s: the reason shows the key", bad_lines[i].line);
		/* Key 10 had been found: it is wiped, not handed out. */
		assert_int_equal(k.len, 0);
		assert_int_equal(k.bytes[0], 0);
	}
}

static void
test_duplicate_id(void **state)
{
	static const char f[] = "1 MD5 first\n2 MD5 other\n\n1 MD5 second\n";
	struct ntp_key k;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(keyfile_parse(f, strlen(f), 1, &k, err, sizeof(err)),
	    KEYFILE_ERROR);
	assert_string_equal(err, "line 4: key 1 is also on line 1");
	assert_int_equal(k.len, 0);
	/* Another id is not ambiguous. */
	find(f, 2, &k);
}

static void
test_wipe(void **state)
{
	struct ntp_key k;
	static const uint8_t zero[sizeof(struct ntp_key)];

	(void)state;
	find("1 MD5 secret\n", 1, &k);
	key_wipe(&k);
	assert_memory_equal(&k, zero, sizeof(k));
}

static void
test_mac_names(void **state)
{
	(void)state;
	assert_string_equal(mac_name(MAC_MD5), "MD5");
	assert_string_equal(mac_name(MAC_SHA1), "SHA1");
	assert_string_equal(mac_name(MAC_AES128_CMAC), "AES128CMAC");
}

/* A temporary file with text and mode; its name goes to path. */
static void
temp_file(char *path, size_t len, const char *text, size_t n, mode_t mode)
{
	int fd;

	snprintf(path, len, "%s/ntpsync-keys-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
test_load(void **state)
{
	char path[256], err[ERRLEN], want[ERRLEN + 256];
	struct ntp_key k;
	int wr = -1;

	(void)state;
	temp_file(path, sizeof(path), VECTORS_KEYS_FILE,
	    strlen(VECTORS_KEYS_FILE), 0600);
	assert_int_equal(keyfile_load(path, 2, &k, &wr, err, sizeof(err)),
	    KEYFILE_FOUND);
	assert_bin_key(&k, MAC_SHA1, hex20, sizeof(hex20));
	assert_int_equal(wr, 0);
	/* Others may read it: the caller is told. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(keyfile_load(path, 1, &k, &wr, err, sizeof(err)),
	    KEYFILE_FOUND);
	assert_int_equal(wr, 1);
	/* A missing id: the file's name, then why. */
	assert_int_equal(keyfile_load(path, 3, &k, &wr, err, sizeof(err)),
	    KEYFILE_NOT_FOUND);
	snprintf(want, sizeof(want), "%s: key 3 is not in the file", path);
	assert_string_equal(err, want);
	unlink(path);

	/* A bad line: the file's name and the line's number. */
	temp_file(path, sizeof(path), "1 MD5 ok\n2 BAD secret\n", 22, 0600);
	assert_int_equal(keyfile_load(path, 1, &k, &wr, err, sizeof(err)),
	    KEYFILE_ERROR);
	snprintf(want, sizeof(want), "%s: line 2: unknown MAC type (ntpsync "
	    "has MD5, SHA1 and AES-128-CMAC)", path);
	assert_string_equal(err, want);
	assert_int_equal(k.len, 0);

	/* Missing. */
	unlink(path);
	assert_int_equal(keyfile_load(path, 1, &k, &wr, err, sizeof(err)),
	    KEYFILE_ERROR);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);
}

static void
test_load_not_a_file(void **state)
{
	struct ntp_key k;
	char err[ERRLEN];
	int wr;

	(void)state;
	assert_int_equal(keyfile_load("/", 1, &k, &wr, err, sizeof(err)),
	    KEYFILE_ERROR);
	assert_string_equal(err, "/: not a regular file");
}

static void
test_load_too_large(void **state)
{
	static char big[KEYFILE_SIZE_MAX + 1];
	char path[256], err[ERRLEN], want[ERRLEN + 256];
	struct ntp_key k;
	int wr;

	(void)state;
	/* Comment lines only: valid, but too large to be read. */
	memset(big, '#', sizeof(big));
	temp_file(path, sizeof(path), big, sizeof(big), 0600);
	assert_int_equal(keyfile_load(path, 1, &k, &wr, err, sizeof(err)),
	    KEYFILE_ERROR);
	snprintf(want, sizeof(want), "%s: larger than 16384 bytes: not a key "
	    "file", path);
	assert_string_equal(err, want);
	/* One byte less is read. */
	assert_int_equal(truncate(path, KEYFILE_SIZE_MAX), 0);
	assert_int_equal(keyfile_load(path, 1, &k, &wr, err, sizeof(err)),
	    KEYFILE_NOT_FOUND);
	unlink(path);
}

/* Unprivileged user for the unreadable-file test when run as root. */
#define NOBODY	65534
#define NO_NOBODY	77	/* the child could not become nobody */

/* 0 when keyfile_load() says path cannot be read, else 1. */
static int
unreadable_says_so(const char *path)
{
	char err[ERRLEN], want[ERRLEN + 256];
	struct ntp_key k;
	int wr;

	if (keyfile_load(path, 1, &k, &wr, err, sizeof(err)) != KEYFILE_ERROR)
		return (1);
	snprintf(want, sizeof(want), "%s: Permission denied", path);
	return (strcmp(err, want) != 0);
}

/*
 * Root reads a mode 000 file anyway: as root, a child that has become
 * nobody does the reading.
 */
static void
test_load_unreadable(void **state)
{
	char path[256];
	pid_t pid;
	int status;

	(void)state;
	temp_file(path, sizeof(path), "1 MD5 x\n", 8, 0);
	if (geteuid() != 0) {
		assert_int_equal(unreadable_says_so(path), 0);
		unlink(path);
		return;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* In a user namespace without nobody there is no one to be. */
		if (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 ||
		    setuid(NOBODY) != 0)
			_exit(NO_NOBODY);
		_exit(unreadable_says_so(path));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(path);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == NO_NOBODY)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_keys_file),
		cmocka_unit_test(test_ntp428),
		cmocka_unit_test(test_ntpsec),
		cmocka_unit_test(test_chrony),
		cmocka_unit_test(test_comments_blanks_crlf),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_ascii_hex_boundary),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_duplicate_id),
		cmocka_unit_test(test_wipe),
		cmocka_unit_test(test_mac_names),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_load_not_a_file),
		cmocka_unit_test(test_load_too_large),
		cmocka_unit_test(test_load_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
