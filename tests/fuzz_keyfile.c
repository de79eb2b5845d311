/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/fuzz_keyfile.c - libFuzzer target for keyfile.c's parser
 * (keyfile_parse): any bytes as a key file, any key id, any size of the
 * reason's buffer.  It links keyfile.c and fmt.c alone: no clock, no
 * sockets, no files.
 * Built and run by `FUZZ_TARGET=keyfile tests/fuzz.sh SECONDS`.
 *
 * Input: bytes 0..3 = the key id asked for (big-endian), byte 4 = size of
 * the reason's buffer (0..255), the rest = the file's text, in a heap
 * block of exactly its size (no terminating NUL: ASan sees any read past
 * the end).
 *
 * Properties: it returns (no hang); the reason is terminated within its
 * buffer; a key found has the id asked for, 1 to 32 bytes, a known type,
 * and 16 bytes for AES-128-CMAC; a key not found or a file in error
 * leaves the key zeroed; a bad line's reason names a line the text has,
 * and, past "line N: ", is one of keyfile.c's fixed sentences: so no byte
 * of the input (a key among them) can reach a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyfile.h"

#include "fuzz_check.h"

#define HEADER	5
#define ERR_BIG	512

/* Every reason keyfile.c gives for a bad line, after "line N: ". */
static const char *const reasons[] = {
	"missing key after HEX:",
	"the key has an odd number of hex digits",
	"the key is longer than 32 bytes",
	"the key is not hex (a key longer than 20 characters is hex; in "
	    "chrony's keyfile write ASCII: before an ASCII one)",
	"missing key after ASCII:",
	"more than three fields (ID TYPE KEY; ntpd's address list after the "
	    "key is not supported)",
	"'#' inside a field (ntpd would cut the key there, chrony would not: "
	    "put a space before a comment)",
	"a byte that is not printable ASCII",
	"the key id is not a number",
	"the key id is larger than 4294967295",
	"key id 0 is reserved (a server's crypto-NAK)",
	"unsupported MAC type (ntpsync has MD5, SHA1 and AES-128-CMAC)",
	"unknown MAC type (ntpsync has MD5, SHA1 and AES-128-CMAC)",
	"missing key (ID TYPE KEY)",
	"the key id is larger than 65535 (a chrony keyfile line, with HEX: "
	    "or ASCII: before the key, may have 32-bit ids)",
	"AES-128-CMAC needs a key of 16 bytes (32 hex digits)",
};

static int
zeroed(const struct ntp_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		if (p[i] != 0)
			return (0);
	return (1);
}

/* Whether s (past "line N: ") is a fixed reason; N goes to *line. */
static int
fixed_reason(const char *s, unsigned long *line, uint32_t id)
{
	char dup[64];
	unsigned long first;
	char *end;
	size_t i;

	if (strncmp(s, "line ", 5) != 0)
		return (0);
	*line = strtoul(s + 5, &end, 10);
	if (end == s + 5 || strncmp(end, ": ", 2) != 0)
		return (0);
	s = end + 2;
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(s, reasons[i]) == 0)
			return (1);
	/* The one reason with numbers in it: a key id given twice. */
	snprintf(dup, sizeof(dup), "key %u is also on line ", (unsigned)id);
	if (strncmp(s, dup, strlen(dup)) != 0)
		return (0);
	first = strtoul(s + strlen(dup), &end, 10);
	return (*end == '\0' && first >= 1 && first < *line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ntp_key key;
	enum keyfile_result r;
	char big[ERR_BIG], want[64];
	char *text, *err;
	unsigned long line, lines;
	size_t errlen, len, i;
	uint32_t id;

	if (size < HEADER)
		return (0);
	id = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
	    (uint32_t)data[2] << 8 | data[3];
	errlen = data[4];
	len = size - HEADER;
	text = malloc(len > 0 ? len : 1);
	err = malloc(errlen > 0 ? errlen : 1);
	if (text == NULL || err == NULL)
		abort();
	memcpy(text, data + HEADER, len);
	lines = 1;
	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			lines++;

	/* The caller's buffer, of any size: terminated, never overrun. */
	memset(&key, 0xa5, sizeof(key));
	r = keyfile_parse(text, len, id, &key, err, errlen);
	CHECK(r == KEYFILE_FOUND || r == KEYFILE_NOT_FOUND ||
	    r == KEYFILE_ERROR, "result %d", (int)r);
	if (errlen > 0 && r != KEYFILE_FOUND)
		CHECK(memchr(err, '\0', errlen) != NULL, "unterminated reason");

	/* Again with room for the whole reason. */
	memset(&key, 0xa5, sizeof(key));
	CHECK(keyfile_parse(text, len, id, &key, big, sizeof(big)) == r,
	    "a second parse differs");
	switch (r) {
	case KEYFILE_FOUND:
		CHECK(key.id == id, "key %u for id %u", (unsigned)key.id,
		    (unsigned)id);
		CHECK(key.len >= 1 && key.len <= KEY_BYTES_MAX, "length %zu",
		    key.len);
		CHECK(key.type == MAC_MD5 || key.type == MAC_SHA1 ||
		    key.type == MAC_AES128_CMAC, "type %d", (int)key.type);
		CHECK(key.type != MAC_AES128_CMAC || key.len == MAC_CMAC_KEY_LEN,
		    "AES key of %zu bytes", key.len);
		break;
	case KEYFILE_NOT_FOUND:
		CHECK(zeroed(&key), "a key left behind");
		snprintf(want, sizeof(want), "key %u is not in the file",
		    (unsigned)id);
		CHECK(strcmp(big, want) == 0, "reason \"%s\"", big);
		break;
	case KEYFILE_ERROR:
		CHECK(zeroed(&key), "a key left behind");
		CHECK(fixed_reason(big, &line, id), "reason \"%s\"", big);
		CHECK(line >= 1 && line <= lines, "line %lu of %lu", line,
		    lines);
		break;
	}
	key_wipe(&key);
	CHECK(zeroed(&key), "key_wipe left bytes");
	free(text);
	free(err);
	return (0);
}
