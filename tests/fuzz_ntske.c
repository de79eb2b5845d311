/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/fuzz_ntske.c - libFuzzer target for nts_ke.c: any bytes as an
 * NTS-KE response (RFC 8915 section 4), through nts_ke_complete() (the
 * TLS reader's question) and nts_ke_parse().  No crypto, no I/O.
 * Built and run by `FUZZ_TARGET=ntske tests/fuzz.sh SECONDS`.
 *
 * Input: the response, in a heap block of exactly its size (ASan sees any
 * read past the end).
 *
 * Properties: the length nts_ke_complete() gives is within the input, and
 * the bytes up to it parse to a whole message (neither truncated nor
 * without End of Message, nothing after it); an accepted response is
 * whole, negotiated NTPv4 and AES-SIV-CMAC-256, has 1 to 8 cookies of 1 to
 * 256 bytes, no Error or Warning, a server name of host characters only
 * and no port 0; every verdict has words that fit the buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nts_ke.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_accepted(const struct nts_ke_response *r, size_t whole, size_t size)
{
	size_t i;

	CHECK(whole == size, "accepted, whole at %zu of %zu", whole, size);
	CHECK(r->protocol == NTS_KE_PROTO_NTPV4, "protocol %d", r->protocol);
	CHECK(r->aead == NTS_KE_AEAD_AES_SIV_CMAC_256, "aead %d", r->aead);
	CHECK(r->ncookies >= 1 && r->ncookies <= NTS_COOKIES_MAX, "%zu cookies",
	    r->ncookies);
	for (i = 0; i < r->ncookies; i++)
		CHECK(r->cookies[i].len >= 1 &&
		    r->cookies[i].len <= NTS_COOKIE_MAX, "cookie of %u bytes",
		    (unsigned)r->cookies[i].len);
	CHECK(r->error == -1 && r->nwarnings == 0, "error %d, %zu warnings",
	    r->error, r->nwarnings);
	CHECK(strlen(r->server) <= NTS_KE_SERVER_MAX &&
	    strspn(r->server, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-.:") == strlen(r->server), "server \"%s\"", r->server);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nts_ke_response r;
	enum nts_ke_verdict v;
	char words[NTS_KE_WORDS_LEN];
	uint8_t *buf;
	size_t whole;

	buf = malloc(size > 0 ? size : 1);
	CHECK(buf != NULL, "malloc");
	if (size > 0)
		memcpy(buf, data, size);
	whole = nts_ke_complete(buf, size);
	CHECK(whole <= size, "complete %zu of %zu", whole, size);
	v = nts_ke_parse(buf, size, &r);
	CHECK((unsigned)v < NTS_KE_VERDICT_COUNT, "verdict %d", (int)v);
	CHECK(v != NTS_KE_BAD_PORT || r.port == 0, "port %u", (unsigned)r.port);
	if (v == NTS_KE_OK)
		check_accepted(&r, whole, size);
	nts_ke_words(v, &r, words, sizeof(words));
	CHECK(words[0] != '\0' && memchr(words, '\0', sizeof(words)) != NULL,
	    "words of verdict %d", (int)v);
	if (whole > 0) {
		v = nts_ke_parse(buf, whole, &r);
		CHECK(v != NTS_KE_TRUNCATED && v != NTS_KE_NO_END &&
		    v != NTS_KE_AFTER_END, "the whole %zu bytes: verdict %d",
		    whole, (int)v);
	}
	free(buf);
	return 0;
}
