/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of nts.c, NTS-protected NTPv4 (RFC 8915 section 5), through
 * the wolfCrypt it links: AES-SIV on RFC 5297's deterministic vector
 * (appendix A.1), our request byte for byte and checked as a server
 * would (wolfCrypt's decryption with the C2S key), and replies this test
 * makes as a server (encrypted with the S2C key): good ones, and every
 * way one is refused.  Then the two files built on it: auth_nts.c (one
 * cookie per request, the reply's cookies kept, the NAK) and jar.c (the
 * cookie jar's text, both ways, and every line it refuses).
 */
#include <arpa/inet.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "auth_nts.h"
#include "jar.h"
#include "ntp_packet.h"
#include "nts.h"

#define PKT_MAX		1200
#define COOKIE_LEN	100
#define AUTH_OFF(n)	(NTP_PACKET_LEN + 36 + ((n) + 1) * (4 + COOKIE_LEN))

static const uint8_t C2S[NTS_KEY_LEN] = {
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a,
	0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
	0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f };
static const uint8_t S2C[NTS_KEY_LEN] = {
	0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a,
	0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
	0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf };
static uint8_t uid[NTS_UID_LEN], nonce[NTS_NONCE_LEN];
static struct nts_cookie cookie;

static int
setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NTS_UID_LEN; i++)
		uid[i] = (uint8_t)(0x40 + i);
	for (i = 0; i < NTS_NONCE_LEN; i++)
		nonce[i] = (uint8_t)(0xe0 + i);
	cookie.len = COOKIE_LEN;
	for (i = 0; i < COOKIE_LEN; i++)
		cookie.bytes[i] = (uint8_t)(0xc0 ^ i);
	return 0;
}

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t
ef(uint8_t *p, unsigned type, const void *body, size_t len)
{
	put16(p, type);
	put16(p + 2, 4 + len);
	memcpy(p + 4, body, len);
	return 4 + len;
}

static void
rfc5297_a1(void **state)
{
	static const uint8_t key[32] = {
		0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8, 0xf7, 0xf6, 0xf5,
		0xf4, 0xf3, 0xf2, 0xf1, 0xf0, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5,
		0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff };
	static const uint8_t ad[24] = {
		0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a,
		0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
		0x26, 0x27 };
	static const uint8_t pt[14] = {
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
		0xcc, 0xdd, 0xee };
	static const uint8_t want_siv[16] = {
		0x85, 0x63, 0x2d, 0x07, 0xc6, 0xe8, 0xf3, 0x7f, 0x95, 0x0a, 0xcd,
		0x32, 0x0a, 0x2e, 0xcc, 0x93 };
	static const uint8_t want_ct[14] = {
		0x40, 0xc0, 0x2b, 0x96, 0x90, 0xc4, 0xdc, 0x04, 0xda, 0xef, 0x7f,
		0x6a, 0xfe, 0x5c };
	uint8_t siv[16], ct[14], back[14];

	(void)state;
	/* Deterministic: no nonce. */
	assert_int_equal(wc_AesSivEncrypt(key, sizeof(key), ad, sizeof(ad),
	    NULL, 0, pt, sizeof(pt), siv, ct), 0);
	assert_memory_equal(siv, want_siv, sizeof(siv));
	assert_memory_equal(ct, want_ct, sizeof(ct));
	assert_int_equal(wc_AesSivDecrypt(key, sizeof(key), ad, sizeof(ad),
	    NULL, 0, ct, sizeof(ct), siv, back), 0);
	assert_memory_equal(back, pt, sizeof(pt));
	siv[15] ^= 1;
	assert_int_equal(wc_AesSivDecrypt(key, sizeof(key), ad, sizeof(ad),
	    NULL, 0, ct, sizeof(ct), siv, back), AES_SIV_AUTH_E);
}

/* A server's check of the request: the authenticator over its AD. */
static int
server_opens(const uint8_t *req, size_t auth_off, const uint8_t *key)
{
	uint8_t siv[NTS_TAG_LEN], out[1], in[1] = { 0 };
	const uint8_t *a = req + auth_off + 4;

	if (a[0] != 0 || a[1] != NTS_NONCE_LEN || a[2] != 0 ||
	    a[3] != NTS_TAG_LEN)
		return -1;
	memcpy(siv, a + 4 + NTS_NONCE_LEN, NTS_TAG_LEN);
	return wc_AesSivDecrypt(key, NTS_KEY_LEN, req, (word32)auth_off, a + 4,
	    NTS_NONCE_LEN, in, 0, siv, out);
}

static void
request_bytes(void **state)
{
	uint8_t buf[PKT_MAX], hdr[NTP_PACKET_LEN];
	size_t n, off, i, len, pos;
	unsigned bit;

	(void)state;
	ntp_encode_request(hdr, NTP_VERSION, 0x0123456789abcdefull);
	memcpy(buf, hdr, sizeof(hdr));
	len = nts_request(buf, sizeof(buf), uid, &cookie, 2, nonce, C2S);
	assert_int_equal(len, AUTH_OFF(2) + NTS_AUTH_EF_LEN);
	assert_int_equal(len, nts_request_len(COOKIE_LEN, 2));
	assert_memory_equal(buf, hdr, sizeof(hdr));
	off = NTP_PACKET_LEN;
	/* Unique Identifier: type 0x0104, length 4 + 32. */
	assert_int_equal(ntp_get32(buf + off), 0x01040024);
	assert_memory_equal(buf + off + 4, uid, NTS_UID_LEN);
	off += 36;
	/* The cookie: 0x0204, 4 + 100. */
	assert_int_equal(ntp_get32(buf + off), 0x02040068);
	assert_memory_equal(buf + off + 4, cookie.bytes, COOKIE_LEN);
	off += 104;
	/* Two placeholders of the cookie's length, zeros. */
	for (n = 0; n < 2; n++, off += 104) {
		assert_int_equal(ntp_get32(buf + off), 0x03040068);
		for (i = 4; i < 104; i++)
			assert_int_equal(buf[off + i], 0);
	}
	/* The authenticator: 0x0404, 40; nonce 16, ciphertext (tag) 16. */
	assert_int_equal(off, AUTH_OFF(2));
	assert_int_equal(ntp_get32(buf + off), 0x04040028);
	assert_int_equal(ntp_get32(buf + off + 4), 0x00100010);
	assert_memory_equal(buf + off + 8, nonce, NTS_NONCE_LEN);
	assert_int_equal(off + 8 + 16 + 16, len);

	/* A server opens it with the C2S key, not with S2C. */
	assert_int_equal(server_opens(buf, off, C2S), 0);
	assert_int_equal(server_opens(buf, off, S2C), AES_SIV_AUTH_E);
	/* The associated data is every byte before the authenticator. */
	for (pos = 0; pos < off; pos += 7) {
		bit = (unsigned)(pos % 8);
		buf[pos] ^= (uint8_t)(1u << bit);
		assert_int_equal(server_opens(buf, off, C2S), AES_SIV_AUTH_E);
		buf[pos] ^= (uint8_t)(1u << bit);
	}
	/* The tag and the nonce too. */
	buf[len - 1] ^= 0x80;
	assert_int_equal(server_opens(buf, off, C2S), AES_SIV_AUTH_E);
	buf[len - 1] ^= 0x80;
	buf[off + 8] ^= 1;
	assert_int_equal(server_opens(buf, off, C2S), AES_SIV_AUTH_E);
	buf[off + 8] ^= 1;
	assert_int_equal(server_opens(buf, off, C2S), 0);
}

static void
request_padding_and_limits(void **state)
{
	struct nts_cookie c;
	uint8_t buf[PKT_MAX];
	size_t len, off = NTP_PACKET_LEN + 36;

	(void)state;
	memset(buf, 0, NTP_PACKET_LEN);
	memset(&c, 0x5a, sizeof(c));
	/* RFC 7822: at least 16 bytes, a multiple of 4; zero padded. */
	c.len = 5;
	len = nts_request(buf, sizeof(buf), uid, &c, 1, nonce, C2S);
	assert_int_equal(len, off + 16 + 16 + NTS_AUTH_EF_LEN);
	assert_int_equal(ntp_get32(buf + off), 0x02040010);
	assert_int_equal(buf[off + 4 + 4], 0x5a);
	assert_int_equal(buf[off + 4 + 5], 0);
	assert_int_equal(ntp_get32(buf + off + 16), 0x03040010);
	assert_int_equal(server_opens(buf, off + 32, C2S), 0);
	c.len = 13;
	len = nts_request(buf, sizeof(buf), uid, &c, 0, nonce, C2S);
	assert_int_equal(len, off + 20 + NTS_AUTH_EF_LEN);
	assert_int_equal(ntp_get32(buf + off), 0x02040014);
	assert_int_equal(buf[off + 4 + 12], 0x5a);
	assert_int_equal(buf[off + 4 + 13], 0);
	assert_int_equal(server_opens(buf, off + 20, C2S), 0);

	/* What does not fit, or is no cookie. */
	len = nts_request_len(COOKIE_LEN, 3);
	assert_int_equal(nts_request(buf, len - 1, uid, &cookie, 3, nonce,
	    C2S), 0);
	assert_int_equal(nts_request(buf, len, uid, &cookie, 3, nonce, C2S),
	    len);
	assert_int_equal(nts_request_len(COOKIE_LEN, NTS_COOKIES_MAX), 0);
	assert_int_equal(nts_request_len(0, 1), 0);
	assert_int_equal(nts_request_len(NTS_COOKIE_MAX + 1, 1), 0);
	assert_int_equal(nts_request_len(NTS_COOKIE_MAX, NTS_COOKIES_MAX - 1),
	    NTP_PACKET_LEN + 36 + 8 * 260 + NTS_AUTH_EF_LEN);
}

/* A server's reply under construction. */
struct reply {
	uint8_t b[PKT_MAX];
	size_t n;
};

static void
header(struct reply *r, int stratum, uint32_t refid)
{
	memset(r->b, 0, NTP_PACKET_LEN);
	r->b[0] = NTP_VERSION << NTP_VN_SHIFT | NTP_MODE_SERVER;
	r->b[NTP_OFF_STRATUM] = (uint8_t)stratum;
	ntp_put32(r->b + NTP_OFF_REFID, refid);
	ntp_put64(r->b + NTP_OFF_TX_TS, 0xeeb779427f78cf03ull);
	r->n = NTP_PACKET_LEN;
}

static void
add_uid(struct reply *r, const uint8_t *u)
{
	r->n += ef(r->b + r->n, NTS_EF_UID, u, NTS_UID_LEN);
}

/* The plaintext: n cookie fields, each COOKIE_LEN bytes of 0xa0 + i. */
static size_t
plain_cookies(uint8_t *p, unsigned n)
{
	uint8_t c[COOKIE_LEN];
	size_t len = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		memset(c, 0xa0 + (int)i, sizeof(c));
		len += ef(p + len, NTS_EF_COOKIE, c, sizeof(c));
	}
	return len;
}

/*
 * The authenticator over everything so far, with the S2C key: 16-byte
 * nonce, the plaintext (a multiple of 4) encrypted, `extra` bytes of
 * Additional Padding.
 */
static void
add_auth(struct reply *r, const uint8_t *plain, size_t plain_len,
    size_t extra)
{
	uint8_t *p = r->b + r->n, sn[NTS_NONCE_LEN];
	size_t body = 4 + NTS_NONCE_LEN + NTS_TAG_LEN + plain_len + extra;

	memset(sn, 0x33, sizeof(sn));
	put16(p, NTS_EF_AUTH);
	put16(p + 2, 4 + body);
	put16(p + 4, NTS_NONCE_LEN);
	put16(p + 6, NTS_TAG_LEN + plain_len);
	memcpy(p + 8, sn, NTS_NONCE_LEN);
	assert_int_equal(wc_AesSivEncrypt(S2C, NTS_KEY_LEN, r->b,
	    (word32)r->n, sn, NTS_NONCE_LEN, plain, (word32)plain_len,
	    p + 8 + NTS_NONCE_LEN, p + 8 + NTS_NONCE_LEN + NTS_TAG_LEN), 0);
	memset(p + 8 + NTS_NONCE_LEN + NTS_TAG_LEN + plain_len, 0, extra);
	r->n += 4 + body;
}

static struct nts_cookie got[NTS_COOKIES_MAX];
static size_t ngot;

static enum ntp_verdict
verify(const struct reply *r)
{
	return nts_verify(r->b, r->n, uid, S2C, got, &ngot);
}

/* A good reply with n new cookies. */
static void
good(struct reply *r, unsigned n)
{
	uint8_t plain[PKT_MAX];

	header(r, 2, 0x7f7f0100);
	add_uid(r, uid);
	add_auth(r, plain, plain_cookies(plain, n), 0);
}

static void
good_replies(void **state)
{
	struct reply r;
	uint8_t plain[PKT_MAX], other[COOKIE_LEN];
	unsigned i;

	(void)state;
	good(&r, 2);
	assert_int_equal(verify(&r), NTP_OK);
	assert_int_equal(ngot, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(got[i].len, COOKIE_LEN);
		assert_int_equal(got[i].bytes[0], 0xa0 + i);
		assert_int_equal(got[i].bytes[COOKIE_LEN - 1], 0xa0 + i);
	}
	/* No new cookie is still an authenticated reply. */
	good(&r, 0);
	assert_int_equal(verify(&r), NTP_OK);
	assert_int_equal(ngot, 0);
	/* Eight kept of nine. */
	good(&r, 9);
	assert_int_equal(verify(&r), NTP_OK);
	assert_int_equal(ngot, NTS_COOKIES_MAX);

	/*
	 * A cookie outside the encrypted part is not taken (section 5.7),
	 * nor an unknown field; Additional Padding is allowed.
	 */
	header(&r, 2, 0);
	add_uid(&r, uid);
	memset(other, 0x77, sizeof(other));
	r.n += ef(r.b + r.n, NTS_EF_COOKIE, other, sizeof(other));
	r.n += ef(r.b + r.n, 0x7777, other, 12);
	add_auth(&r, plain, plain_cookies(plain, 1), 8);
	assert_int_equal(verify(&r), NTP_OK);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].bytes[0], 0xa0);

	/* Encrypted fields other than cookies, short ones (section 5.6). */
	header(&r, 2, 0);
	add_uid(&r, uid);
	put16(plain, 0x7777);
	put16(plain + 2, 4);
	add_auth(&r, plain, 4 + plain_cookies(plain + 4, 1), 0);
	assert_int_equal(verify(&r), NTP_OK);
	assert_int_equal(ngot, 1);
}

static void
uid_refusals(void **state)
{
	uint8_t other[NTS_UID_LEN], plain[PKT_MAX];
	struct reply r;

	(void)state;
	memcpy(other, uid, sizeof(other));
	other[NTS_UID_LEN - 1] ^= 1;
	/* Another request's identifier, none, or two. */
	header(&r, 2, 0);
	add_uid(&r, other);
	add_auth(&r, plain, plain_cookies(plain, 1), 0);
	assert_int_equal(verify(&r), NTP_NTS_UID);
	assert_int_equal(ngot, 0);
	header(&r, 2, 0);
	add_auth(&r, plain, plain_cookies(plain, 1), 0);
	assert_int_equal(verify(&r), NTP_NTS_UID);
	header(&r, 2, 0);
	add_uid(&r, uid);
	add_uid(&r, uid);
	add_auth(&r, plain, plain_cookies(plain, 1), 0);
	assert_int_equal(verify(&r), NTP_NTS_UID);
	/* Ours as the prefix of a longer one. */
	header(&r, 2, 0);
	memcpy(plain, uid, NTS_UID_LEN);
	memset(plain + NTS_UID_LEN, 0, 4);
	r.n += ef(r.b + r.n, NTS_EF_UID, plain, NTS_UID_LEN + 4);
	add_auth(&r, plain, plain_cookies(plain, 1), 0);
	assert_int_equal(verify(&r), NTP_NTS_UID);
}

static void
authenticator_refusals(void **state)
{
	struct reply r, g;
	uint8_t plain[PKT_MAX];
	size_t auth, i;

	(void)state;
	/* No authenticator: not a NAK without stratum 0 and NTSN. */
	header(&r, 2, 0);
	add_uid(&r, uid);
	assert_int_equal(verify(&r), NTP_NTS_MISSING);
	header(&r, 0, NTP_KISS_RATE);
	add_uid(&r, uid);
	assert_int_equal(verify(&r), NTP_NTS_MISSING);
	header(&r, 3, NTP_KISS_NTSN);
	add_uid(&r, uid);
	assert_int_equal(verify(&r), NTP_NTS_MISSING);

	/* Any flipped byte: header (AD), identifier, nonce, tag, text. */
	good(&g, 2);
	auth = NTP_PACKET_LEN + 36;
	for (i = 0; i < g.n; i++) {
		/* The lengths of the fields make them malformed instead. */
		if ((i >= NTP_PACKET_LEN && i < NTP_PACKET_LEN + 4) ||
		    (i >= auth && i < auth + 8))
			continue;
		r = g;
		r.b[i] ^= 0x10;
		assert_int_equal(verify(&r), i >= NTP_PACKET_LEN + 4 &&
		    i < auth ? NTP_NTS_UID : NTP_NTS_FAILED);
		assert_int_equal(ngot, 0);
	}

	/* The S2C key of another session; our own C2S key. */
	assert_int_equal(nts_verify(g.b, g.n, uid, C2S, got, &ngot),
	    NTP_NTS_FAILED);

	/* A decrypted field whose length is wrong: the server's fault. */
	header(&r, 2, 0);
	add_uid(&r, uid);
	put16(plain, NTS_EF_COOKIE);
	put16(plain + 2, 2);
	add_auth(&r, plain, 4, 0);
	assert_int_equal(verify(&r), NTP_NTS_MALFORMED);
	assert_int_equal(ngot, 0);
	header(&r, 2, 0);
	add_uid(&r, uid);
	put16(plain, NTS_EF_COOKIE);
	put16(plain + 2, 12);
	add_auth(&r, plain, 8, 0);
	assert_int_equal(verify(&r), NTP_NTS_MALFORMED);
}

static void
malformed(void **state)
{
	struct reply r, g;
	uint8_t *a;

	(void)state;
	good(&g, 1);
	a = g.b + NTP_PACKET_LEN + 36;
	/* Field lengths: past the end, not a multiple of 4, under 16. */
	r = g;
	put16(r.b + NTP_PACKET_LEN + 2, 0xfffc);
	assert_int_equal(verify(&r), NTP_NTS_MALFORMED);
	r = g;
	put16(r.b + NTP_PACKET_LEN + 2, 38);
	assert_int_equal(verify(&r), NTP_NTS_MALFORMED);
	r = g;
	put16(r.b + NTP_PACKET_LEN + 2, 12);
	assert_int_equal(verify(&r), NTP_NTS_MALFORMED);
	r = g;
	put16(r.b + NTP_PACKET_LEN + 2, 0);
	assert_int_equal(verify(&r), NTP_NTS_MALFORMED);
	/* Cut short, or bytes after the last field. */
	r = g;
	r.n -= 4;
	assert_int_equal(verify(&r), NTP_NTS_MALFORMED);
	r = g;
	r.n += 3;
	assert_int_equal(verify(&r), NTP_NTS_MALFORMED);
	/* A field after the authenticator. */
	r = g;
	r.n += ef(r.b + r.n, 0x7777, g.b, 12);
	assert_int_equal(verify(&r), NTP_NTS_MALFORMED);
	/* The authenticator's own lengths. */
	r = g;
	put16(r.b + (a - g.b) + 4, 0);		/* no nonce */
	assert_int_equal(verify(&r), NTP_NTS_MALFORMED);
	r = g;
	put16(r.b + (a - g.b) + 6, NTS_TAG_LEN - 1);	/* no whole tag */
	assert_int_equal(verify(&r), NTP_NTS_MALFORMED);
	r = g;
	put16(r.b + (a - g.b) + 6, 0xffff);	/* past the field */
	assert_int_equal(verify(&r), NTP_NTS_MALFORMED);
	r = g;
	put16(r.b + (a - g.b) + 4, 0x1000);
	assert_int_equal(verify(&r), NTP_NTS_MALFORMED);
	/* A shorter ciphertext in the same field is another text. */
	r = g;
	put16(r.b + (a - g.b) + 6, NTS_TAG_LEN + 4);
	assert_int_equal(verify(&r), NTP_NTS_FAILED);
	/* Not even a header. */
	assert_int_equal(nts_verify(g.b, NTP_PACKET_LEN - 1, uid, S2C, got,
	    &ngot), NTP_SHORT);
	assert_int_equal(nts_verify(g.b, NTP_PACKET_LEN, uid, S2C, got,
	    &ngot), NTP_NTS_UID);
}

static void
nak(void **state)
{
	uint8_t other[NTS_UID_LEN];
	struct reply r;

	(void)state;
	/* Section 5.7: kiss code NTSN, our identifier, no authenticator. */
	header(&r, NTP_STRATUM_KOD, NTP_KISS_NTSN);
	add_uid(&r, uid);
	assert_int_equal(verify(&r), NTP_NTS_NAK);
	assert_int_equal(ngot, 0);
	/* Someone else's NAK, or one without an identifier. */
	memset(other, 0, sizeof(other));
	header(&r, NTP_STRATUM_KOD, NTP_KISS_NTSN);
	add_uid(&r, other);
	assert_int_equal(verify(&r), NTP_NTS_UID);
	header(&r, NTP_STRATUM_KOD, NTP_KISS_NTSN);
	assert_int_equal(verify(&r), NTP_NTS_UID);
	/* With an authenticator it is no NAK: authenticated, the KoD is
	 * ntp_check_reply's to judge. */
	header(&r, NTP_STRATUM_KOD, NTP_KISS_NTSN);
	add_uid(&r, uid);
	add_auth(&r, other, 0, 0);
	assert_int_equal(verify(&r), NTP_OK);
}

/* auth_nts.c's random identifiers and nonces: counted bytes here. */
int
xchg_random(void *buf, size_t len)
{
	static uint8_t next;
	uint8_t *b = buf;

	while (len-- > 0)
		*b++ = next++;
	return 0;
}

static const char host[] = "nts.test";

/* A table with one peer for 127.0.0.1 (host above) holding n cookies. */
static void
one_peer(struct nts_table *t, struct ntp_server *s, size_t n)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&s->ss;
	struct nts_peer *p;
	size_t i;

	memset(t, 0, sizeof(*t));
	memset(s, 0, sizeof(*s));
	s->host = host;
	in->sin_family = AF_INET;
	in->sin_port = htons(NTP_PORT);
	in->sin_addr.s_addr = htonl(0x7f000001);
	s->sslen = sizeof(*in);
	p = nts_add(t, host);
	assert_non_null(p);
	memcpy(&p->ntp, &s->ss, s->sslen);
	p->ntp_len = s->sslen;
	memcpy(&p->ke, &s->ss, s->sslen);
	p->ke_len = s->sslen;
	memcpy(p->c2s, C2S, NTS_KEY_LEN);
	memcpy(p->s2c, S2C, NTS_KEY_LEN);
	for (i = 0; i < n; i++) {
		p->cookies[i] = cookie;
		p->cookies[i].bytes[0] = (uint8_t)i;
	}
	p->ncookies = n;
}

/*
 * RFC 8915 section 5.7: each request takes one cookie (the newest) and
 * asks, with placeholders, for the ones missing from eight; a good reply
 * brings them, another identifier or a broken authenticator brings none.
 */
static void
auth_nts_spends_and_refills(void **state)
{
	struct nts_table t;
	struct ntp_server s;
	struct ntp_auth a;
	struct ntp_auth_req req;
	struct nts_peer *p;
	struct reply r;
	uint8_t buf[NTP_REQUEST_MAX], plain[PKT_MAX];
	size_t n;

	(void)state;
	one_peer(&t, &s, 3);
	p = &t.peer[0];
	auth_nts_init(&a, &t);
	assert_ptr_equal(nts_find(&t, &s), p);
	memset(buf, 0, sizeof(buf));
	n = a.sign(&a, &s, &req, buf, NTP_PACKET_LEN, sizeof(buf));
	assert_int_equal(n, nts_request_len(COOKIE_LEN, 5));
	assert_int_equal(p->ncookies, 2);
	/* The cookie sent was the third, and its copy is wiped. */
	assert_int_equal(buf[NTP_PACKET_LEN + 36 + 4], 2);
	assert_int_equal(p->cookies[2].len, 0);
	assert_int_equal(server_opens(buf, n - NTS_AUTH_EF_LEN, C2S), 0);
	assert_memory_equal(buf + NTP_PACKET_LEN + 4, req.uid, NTS_UID_LEN);

	/* Another identifier: refused, nothing kept. */
	header(&r, 2, 0x7f7f0100);
	add_uid(&r, uid);
	add_auth(&r, plain, plain_cookies(plain, 6), 0);
	assert_int_equal(a.verify(&a, &s, &req, r.b, r.n), NTP_NTS_UID);
	assert_int_equal(p->ncookies, 2);
	/* Ours, authenticated: the six new cookies join the two. */
	header(&r, 2, 0x7f7f0100);
	add_uid(&r, req.uid);
	add_auth(&r, plain, plain_cookies(plain, 6), 0);
	assert_int_equal(a.verify(&a, &s, &req, r.b, r.n), NTP_OK);
	assert_int_equal(p->ncookies, NTS_COOKIES_MAX);
	assert_int_equal(p->cookies[7].bytes[0], 0xa5);
	/* A flipped tag: refused, and no cookie from it. */
	p->ncookies = 2;
	r.b[r.n - 1] ^= 1;
	assert_int_equal(a.verify(&a, &s, &req, r.b, r.n), NTP_NTS_FAILED);
	assert_int_equal(p->ncookies, 2);
	/* A full jar asks for none, an empty one sends nothing. */
	p->ncookies = NTS_COOKIES_MAX;
	assert_int_equal(a.sign(&a, &s, &req, buf, NTP_PACKET_LEN,
	    sizeof(buf)), nts_request_len(COOKIE_LEN, 0));
	p->ncookies = 0;
	errno = 0;
	assert_int_equal(a.sign(&a, &s, &req, buf, NTP_PACKET_LEN,
	    sizeof(buf)), 0);
	assert_int_equal(errno, ENOKEY);
}

/* Placeholders stop where the request would not fit what a reply may be. */
static void
auth_nts_fits_the_request(void **state)
{
	struct nts_table t;
	struct ntp_server s;
	struct ntp_auth a;
	struct ntp_auth_req req;
	uint8_t buf[NTP_REQUEST_MAX];

	(void)state;
	one_peer(&t, &s, 1);
	t.peer[0].cookies[0].len = NTS_COOKIE_MAX;
	auth_nts_init(&a, &t);
	assert_int_equal(a.sign(&a, &s, &req, buf, NTP_PACKET_LEN,
	    sizeof(buf)), nts_request_len(NTS_COOKIE_MAX, 2));
	assert_true(nts_request_len(NTS_COOKIE_MAX, 3) > sizeof(buf));
}

/*
 * An NTS NAK with our identifier is noted, but it is not authenticated:
 * the cookies stay (RFC 8915 section 5.7) and requests go on; a valid
 * reply after it clears it.
 */
static void
auth_nts_nak_is_noted_not_trusted(void **state)
{
	struct nts_table t;
	struct ntp_server s, other;
	struct ntp_auth a;
	struct ntp_auth_req req;
	struct reply r;
	uint8_t buf[NTP_REQUEST_MAX], plain[PKT_MAX];

	(void)state;
	one_peer(&t, &s, 4);
	auth_nts_init(&a, &t);
	assert_int_not_equal(a.sign(&a, &s, &req, buf, NTP_PACKET_LEN,
	    sizeof(buf)), 0);
	header(&r, NTP_STRATUM_KOD, NTP_KISS_NTSN);
	add_uid(&r, req.uid);
	assert_int_equal(a.verify(&a, &s, &req, r.b, r.n), NTP_NTS_NAK);
	assert_int_equal(t.peer[0].ncookies, 3);
	assert_true(t.peer[0].nak);
	assert_int_not_equal(a.sign(&a, &s, &req, buf, NTP_PACKET_LEN,
	    sizeof(buf)), 0);
	assert_int_equal(t.peer[0].ncookies, 2);
	/* The server's real reply came after all. */
	header(&r, 2, 0x7f7f0100);
	add_uid(&r, req.uid);
	add_auth(&r, plain, plain_cookies(plain, 1), 0);
	assert_int_equal(a.verify(&a, &s, &req, r.b, r.n), NTP_OK);
	assert_false(t.peer[0].nak);
	assert_int_equal(t.peer[0].ncookies, 3);
	/* Another address of the same name has no peer of its own yet. */
	other = s;
	((struct sockaddr_in *)&other.ss)->sin_addr.s_addr = htonl(0x7f000002);
	assert_null(nts_find(&t, &other));
	assert_int_equal(a.verify(&a, &other, &req, r.b, r.n), NTP_NTS_FAILED);
}

/* The jar, written and read back: only the names of this run are taken. */
static void
jar_round_trip(void **state)
{
	static char text[JAR_MAX];
	char *const names[] = { (char *)"nts.test" };
	char err[JAR_ERR_LEN];
	struct nts_table t, back;
	struct ntp_server s;
	struct sockaddr_in6 *in6;
	struct nts_peer *p;
	size_t len;

	(void)state;
	one_peer(&t, &s, 3);
	t.peer[0].cookies[1].len = 7;
	p = nts_add(&t, "v6.test");
	assert_non_null(p);
	in6 = (struct sockaddr_in6 *)&p->ke;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(NTS_KE_PORT);
	in6->sin6_addr.s6_addr[15] = 1;
	p->ke_len = sizeof(*in6);
	memcpy(&p->ntp, &p->ke, p->ke_len);
	p->ntp_len = p->ke_len;
	((struct sockaddr_in6 *)&p->ntp)->sin6_port = htons(1123);
	p->cookies[0] = cookie;
	p->ncookies = 1;

	len = jar_format(&t, text, sizeof(text));
	assert_true(len > 0 && len < sizeof(text));
	assert_non_null(strstr(text, "server nts.test 127.0.0.1 123 "
	    "127.0.0.1 123\n"));
	assert_non_null(strstr(text, "server v6.test ::1 4460 ::1 1123\n"));
	memset(&back, 0, sizeof(back));
	assert_int_equal(jar_parse(text, len, names, 1, &back, err,
	    sizeof(err)), 0);
	assert_int_equal(back.n, 1);
	assert_ptr_equal(back.peer[0].host, names[0]);
	assert_int_equal(back.peer[0].ntp_len, s.sslen);
	assert_memory_equal(&back.peer[0].ntp, &s.ss, s.sslen);
	assert_memory_equal(back.peer[0].c2s, C2S, NTS_KEY_LEN);
	assert_memory_equal(back.peer[0].s2c, S2C, NTS_KEY_LEN);
	assert_int_equal(back.peer[0].ncookies, 3);
	assert_int_equal(back.peer[0].cookies[1].len, 7);
	assert_memory_equal(back.peer[0].cookies[2].bytes,
	    t.peer[0].cookies[2].bytes, COOKIE_LEN);
	/* A peer without cookies, or after a NAK, is not written. */
	t.peer[0].ncookies = 0;
	t.peer[1].nak = 1;
	len = jar_format(&t, text, sizeof(text));
	assert_null(strstr(text, "server"));
	/* Too small a buffer: nothing, not half a jar. */
	t.peer[0].ncookies = 3;
	assert_int_equal(jar_format(&t, text, 100), 0);
}

/* Every kind of bad jar: one line that says where and why. */
static void
jar_refusals(void **state)
{
	static const char key[] = "c2s 000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f\n";
	static const char skey[] = "s2c 000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f\n";
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "c2s 00\n", "line 1: a line before the first server line" },
		{ "server nts.test 127.0.0.1 4460\n", "line 1: a server line "
		    "is" },
		{ "server nts.test 127.0.0.1 4460 nts.test 123\n", "line 1: "
		    "not a numeric address and port" },
		{ "server nts.test 127.0.0.1 0 127.0.0.1 123\n", "line 1: "
		    "not a numeric" },
		{ "server nts.test 127.0.0.1 4460 127.0.0.1 123\nc2s 0011\n",
		    "line 2: a key is 64" },
		{ "server nts.test 127.0.0.1 4460 127.0.0.1 123\ncookie abc\n",
		    "line 2: a cookie is" },
		{ "server nts.test 127.0.0.1 4460 127.0.0.1 123\nkey 00\n",
		    "line 2: expected" },
		{ "server nts.test 127.0.0.1 4460 127.0.0.1 123\n", "the server "
		    "on line 1: it lacks its c2s or s2c key" },
	};
	char *const names[] = { (char *)"nts.test" };
	char err[JAR_ERR_LEN], text[512];
	struct nts_table t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&t, 0, sizeof(t));
		assert_int_equal(jar_parse(bad[i].text, strlen(bad[i].text),
		    names, 1, &t, err, sizeof(err)), -1);
		assert_non_null(strstr(err, bad[i].why));
	}
	/* Keys but no cookie. */
	snprintf(text, sizeof(text), "server nts.test 127.0.0.1 4460 "
	    "127.0.0.1 123\n%s%s", key, skey);
	memset(&t, 0, sizeof(t));
	assert_int_equal(jar_parse(text, strlen(text), names, 1, &t, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "it has no cookie"));
	/* Another name's block is skipped whole, even a broken one. */
	snprintf(text, sizeof(text), "# comment\n\nserver other 127.0.0.1 "
	    "4460 127.0.0.1 123\nc2s 00\n");
	memset(&t, 0, sizeof(t));
	assert_int_equal(jar_parse(text, strlen(text), names, 1, &t, err,
	    sizeof(err)), 0);
	assert_int_equal(t.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc5297_a1),
		cmocka_unit_test(request_bytes),
		cmocka_unit_test(request_padding_and_limits),
		cmocka_unit_test(good_replies),
		cmocka_unit_test(uid_refusals),
		cmocka_unit_test(authenticator_refusals),
		cmocka_unit_test(malformed),
		cmocka_unit_test(nak),
		cmocka_unit_test(auth_nts_spends_and_refills),
		cmocka_unit_test(auth_nts_fits_the_request),
		cmocka_unit_test(auth_nts_nak_is_noted_not_trusted),
		cmocka_unit_test(jar_round_trip),
		cmocka_unit_test(jar_refusals),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
