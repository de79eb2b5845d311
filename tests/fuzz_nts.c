/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/fuzz_nts.c - libFuzzer target for nts.c, NTS-protected NTPv4
 * (RFC 8915 section 5), with fixed keys and Unique Identifier.  It links
 * nts.c, mac.c and wolfCrypt: no clock, no sockets, no files.
 * Built and run by `FUZZ_TARGET=nts tests/fuzz.sh SECONDS`.
 *
 * Input: byte 0 = control, bytes 1-2 = which bit to flip, the rest = the
 * payload.  Control bit 0 clear: the payload is a reply, checked as it is
 * (in a heap block of exactly its size).  Set: the payload's first 48
 * bytes are a header and the rest (cut to a multiple of 4, at most 512)
 * the plaintext of a reply this target makes as the server does (our
 * identifier; control bit 1: a cookie outside the encryption too; the
 * authenticator with the S2C key); and the payload's first bytes are the
 * cookie of a request with (control >> 4) % 8 placeholders.
 *
 * Properties: a reply as it is is refused with an NTS verdict (NTP_SHORT
 * under 48 bytes) and no cookies, a NAK only with stratum 0 and NTSN; the
 * server's reply is accepted exactly when its plaintext is well-formed
 * extension fields, with exactly the cookies inside it, and refused once
 * any one bit is flipped; the request opens with the C2S key over all
 * bytes before its authenticator, and not once a bit there is flipped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/aes.h>

#include "ntp_packet.h"
#include "nts.h"

#include "fuzz_check.h"

#define HEADER		3
#define PLAIN_MAX	512
#define PKT_MAX		4096	/* a request with 7 placeholders of 256 bytes: 2204 */

static const uint8_t uid[NTS_UID_LEN] = "0123456789abcdef0123456789abcdef";
static const uint8_t c2s[NTS_KEY_LEN] = "C2S key of the fuzzer, 32 bytes";
static const uint8_t s2c[NTS_KEY_LEN] = "S2C key of the fuzzer, 32 bytes";
static const uint8_t nonce[NTS_NONCE_LEN] = "a 16-byte nonce";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
as_is(const uint8_t *payload, size_t len)
{
	struct nts_cookie got[NTS_COOKIES_MAX];
	enum ntp_verdict v;
	uint8_t *pkt;
	size_t n = 99;

	pkt = malloc(len > 0 ? len : 1);
	CHECK(pkt != NULL, "malloc");
	if (len > 0)
		memcpy(pkt, payload, len);
	v = nts_verify(pkt, len, uid, s2c, got, &n);
	CHECK(v == NTP_SHORT || v == NTP_NTS_MALFORMED || v == NTP_NTS_UID ||
	    v == NTP_NTS_NAK || v == NTP_NTS_MISSING || v == NTP_NTS_FAILED,
	    "a reply nobody made with the key: verdict %d", (int)v);
	CHECK((v == NTP_SHORT) == (len < NTP_PACKET_LEN), "%zu bytes: %d", len,
	    (int)v);
	CHECK(n == 0, "%zu cookies with verdict %d", n, (int)v);
	CHECK(v != NTP_NTS_NAK || (pkt[NTP_OFF_STRATUM] == NTP_STRATUM_KOD &&
	    ntp_get32(pkt + NTP_OFF_REFID) == NTP_KISS_NTSN), "NAK without NTSN");
	free(pkt);
}

/* The cookies a well-formed plaintext holds, or -1 if it is malformed. */
static int
expected_cookies(const uint8_t *p, size_t len)
{
	size_t off = 0, ef;
	int n = 0;

	while (off < len) {
		if (len - off < 4)
			return -1;
		ef = get16(p + off + 2);
		if (ef < 4 || ef % 4 != 0 || ef > len - off)
			return -1;
		if (get16(p + off) == NTS_EF_COOKIE && ef > 4 &&
		    ef - 4 <= NTS_COOKIE_MAX && n < NTS_COOKIES_MAX)
			n++;
		off += ef;
	}
	return n;
}

static void
server_reply(const uint8_t *payload, size_t len, unsigned ctl, unsigned flip)
{
	static uint8_t pkt[PKT_MAX];
	struct nts_cookie got[NTS_COOKIES_MAX];
	const uint8_t *plain = payload + NTP_PACKET_LEN;
	size_t plen = (len - NTP_PACKET_LEN) / 4 * 4, n = 0, ngot, bit;
	enum ntp_verdict v;
	int want;

	if (plen > PLAIN_MAX)
		plen = PLAIN_MAX;
	memcpy(pkt, payload, NTP_PACKET_LEN);
	n = NTP_PACKET_LEN;
	put16(pkt + n, NTS_EF_UID);
	put16(pkt + n + 2, 4 + NTS_UID_LEN);
	memcpy(pkt + n + 4, uid, NTS_UID_LEN);
	n += 4 + NTS_UID_LEN;
	if (ctl & 2) {
		put16(pkt + n, NTS_EF_COOKIE);
		put16(pkt + n + 2, 16);
		memset(pkt + n + 4, 0x55, 12);
		n += 16;
	}
	put16(pkt + n, NTS_EF_AUTH);
	put16(pkt + n + 2, 8 + NTS_NONCE_LEN + NTS_TAG_LEN + plen);
	put16(pkt + n + 4, NTS_NONCE_LEN);
	put16(pkt + n + 6, NTS_TAG_LEN + plen);
	memcpy(pkt + n + 8, nonce, NTS_NONCE_LEN);
	CHECK(wc_AesSivEncrypt(s2c, NTS_KEY_LEN, pkt, (word32)n, nonce,
	    NTS_NONCE_LEN, plain, (word32)plen, pkt + n + 8 + NTS_NONCE_LEN,
	    pkt + n + 8 + NTS_NONCE_LEN + NTS_TAG_LEN) == 0, "encrypt");
	n += 8 + NTS_NONCE_LEN + NTS_TAG_LEN + plen;

	want = expected_cookies(plain, plen);
	v = nts_verify(pkt, n, uid, s2c, got, &ngot);
	CHECK(v == (want < 0 ? NTP_NTS_MALFORMED : NTP_OK),
	    "plaintext of %zu bytes (%d cookies): verdict %d", plen, want,
	    (int)v);
	CHECK(ngot == (size_t)(want < 0 ? 0 : want), "%zu cookies, %d sent",
	    ngot, want);
	/* Every byte is authenticated, or a length the walk checks. */
	bit = flip % (n * 8);
	pkt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	v = nts_verify(pkt, n, uid, s2c, got, &ngot);
	CHECK(v != NTP_OK && ngot == 0, "bit %zu of %zu flipped: verdict %d",
	    bit, n * 8, (int)v);
}

/* The request as a server opens it: the C2S key over what precedes. */
static int
server_opens(const uint8_t *req, size_t len)
{
	size_t off = len - NTS_AUTH_EF_LEN;
	uint8_t siv[NTS_TAG_LEN], in[1] = { 0 }, out[1];

	memcpy(siv, req + off + 8 + NTS_NONCE_LEN, NTS_TAG_LEN);
	return wc_AesSivDecrypt(c2s, NTS_KEY_LEN, req, (word32)off,
	    req + off + 8, NTS_NONCE_LEN, in, 0, siv, out) == 0;
}

static void
request(const uint8_t *payload, size_t len, unsigned ctl, unsigned flip)
{
	static uint8_t req[PKT_MAX];
	struct nts_cookie c;
	size_t n, bit;
	unsigned placeholders = (ctl >> 4) % NTS_COOKIES_MAX;

	c.len = (uint16_t)(len - NTP_PACKET_LEN > NTS_COOKIE_MAX ?
	    NTS_COOKIE_MAX : len - NTP_PACKET_LEN);
	if (c.len == 0)
		return;
	memcpy(c.bytes, payload + NTP_PACKET_LEN, c.len);
	memcpy(req, payload, NTP_PACKET_LEN);
	n = nts_request(req, sizeof(req), uid, &c, placeholders, nonce, c2s);
	CHECK(n == nts_request_len(c.len, placeholders) && n > 0 && n % 4 == 0,
	    "request of %zu bytes", n);
	CHECK(memcmp(req, payload, NTP_PACKET_LEN) == 0, "header changed");
	CHECK(server_opens(req, n), "own request refused");
	bit = flip % ((n - NTS_AUTH_EF_LEN) * 8);
	req[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	CHECK(!server_opens(req, n), "bit %zu flipped, still opens", bit);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned ctl, flip;

	if (size < HEADER)
		return 0;
	ctl = data[0];
	flip = (unsigned)data[1] << 8 | data[2];
	if (!(ctl & 1)) {
		as_is(data + HEADER, size - HEADER);
		return 0;
	}
	if (size - HEADER < NTP_PACKET_LEN)
		return 0;
	server_reply(data + HEADER, size - HEADER, ctl, flip);
	request(data + HEADER, size - HEADER, ctl, flip);
	return 0;
}
