/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nts.c - NTS-protected NTPv4 (RFC 8915 section 5), client side: the
 * request's extension fields and the reply's check.  AES-SIV is
 * wolfCrypt's (RFC 5297); this file only says what goes where.
 */
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/misc.h>

#include "mac.h"
#include "ntp_packet.h"
#include "nts.h"

/* Section 5.6: the body starts with Nonce Length and Ciphertext Length. */
#define AUTH_LENGTHS		4

static size_t
pad4(size_t n)
{
	return (n + NTS_EF_ALIGN - 1) / NTS_EF_ALIGN * NTS_EF_ALIGN;
}

/*
 * RFC 7822 section 3: the Length counts the whole field, header and
 * padding, is a multiple of 4 and at least 16.
 */
static size_t
cookie_ef_len(size_t cookie_len)
{
	size_t n = NTS_EF_HDR_LEN + pad4(cookie_len);

	return n < NTS_EF_MIN_LEN ? NTS_EF_MIN_LEN : n;
}

size_t
nts_request_len(size_t cookie_len, unsigned placeholders)
{
	if (cookie_len == 0 || cookie_len > NTS_COOKIE_MAX ||
	    placeholders >= NTS_COOKIES_MAX)
		return 0;
	return NTP_PACKET_LEN + NTS_EF_HDR_LEN + NTS_UID_LEN +
	    (1 + (size_t)placeholders) * cookie_ef_len(cookie_len) +
	    NTS_AUTH_EF_LEN;
}

/* An extension field of `len` bytes whose body (zero padded) is body. */
static size_t
put_ef(uint8_t *p, uint16_t type, size_t len, const uint8_t *body,
    size_t body_len)
{
	ntp_put16(p, type);
	ntp_put16(p + 2, (uint16_t)len);
	memset(p + NTS_EF_HDR_LEN, 0, len - NTS_EF_HDR_LEN);
	if (body != NULL)
		memcpy(p + NTS_EF_HDR_LEN, body, body_len);
	return len;
}

/*
 * Section 5.7: the request carries exactly one Unique Identifier, exactly
 * one NTS Cookie, any Cookie Placeholders (section 5.5: each with a body
 * as long as the cookie's, zeros: one more cookie asked for each), and
 * exactly one NTS Authenticator and Encrypted Extension Fields field.
 * Section 5.6: the authenticator is the AEAD's output with the C2S key,
 * the associated data being the packet from the header to the end of the
 * field before it, the plaintext empty (nothing of ours is secret).
 */
size_t
nts_request(uint8_t *buf, size_t size, const uint8_t uid[NTS_UID_LEN],
    const struct nts_cookie *cookie, unsigned placeholders,
    const uint8_t nonce[NTS_NONCE_LEN], const uint8_t c2s[NTS_KEY_LEN])
{
	size_t len = nts_request_len(cookie->len, placeholders), off, ef;
	uint8_t none[1] = { 0 }, out[1];
	unsigned i;
	int rc;

	if (len == 0 || len > size)
		return 0;
	off = NTP_PACKET_LEN;
	off += put_ef(buf + off, NTS_EF_UID, NTS_EF_HDR_LEN + NTS_UID_LEN, uid,
	    NTS_UID_LEN);
	ef = cookie_ef_len(cookie->len);
	off += put_ef(buf + off, NTS_EF_COOKIE, ef, cookie->bytes, cookie->len);
	for (i = 0; i < placeholders; i++)
		off += put_ef(buf + off, NTS_EF_PLACEHOLDER, ef, NULL, 0);
	ntp_put16(buf + off, NTS_EF_AUTH);
	ntp_put16(buf + off + 2, NTS_AUTH_EF_LEN);
	ntp_put16(buf + off + NTS_EF_HDR_LEN, NTS_NONCE_LEN);
	ntp_put16(buf + off + NTS_EF_HDR_LEN + 2, NTS_TAG_LEN);
	memcpy(buf + off + NTS_EF_HDR_LEN + AUTH_LENGTHS, nonce, NTS_NONCE_LEN);
	/* wolfCrypt wants buffers for the (empty) plaintext and its output. */
	rc = wc_AesSivEncrypt(c2s, NTS_KEY_LEN, buf, (word32)off, nonce,
	    NTS_NONCE_LEN, none, 0,
	    buf + off + NTS_EF_HDR_LEN + AUTH_LENGTHS + NTS_NONCE_LEN, out);
	return rc == 0 ? len : 0;
}

/* The cookies among the decrypted extension fields; 0 if they are malformed. */
static int
read_plain(const uint8_t *p, size_t len, struct nts_cookie *cookies,
    size_t *ncookies)
{
	size_t off = 0, ef, body;

	while (off < len) {
		/*
		 * Section 5.6: encrypted fields follow RFC 7822 but "MAY be
		 * arbitrarily short", still a multiple of 4 octets.
		 */
		if (len - off < NTS_EF_HDR_LEN)
			return 0;
		ef = ntp_get16(p + off + 2);
		if (ef < NTS_EF_HDR_LEN || ef % NTS_EF_ALIGN != 0 ||
		    ef > len - off)
			return 0;
		body = ef - NTS_EF_HDR_LEN;
		/* Past the eighth, or oversized: not kept (nts_ke.c alike). */
		if (ntp_get16(p + off) == NTS_EF_COOKIE && body > 0 &&
		    body <= NTS_COOKIE_MAX && *ncookies < NTS_COOKIES_MAX) {
			cookies[*ncookies].len = (uint16_t)body;
			memcpy(cookies[*ncookies].bytes, p + off +
			    NTS_EF_HDR_LEN, body);
			(*ncookies)++;
		}
		off += ef;
	}
	return 1;
}

/*
 * Section 5.6: the authenticator's body at p (len bytes): Nonce Length,
 * Ciphertext Length, the nonce and the ciphertext each zero padded to 4
 * octets, any Additional Padding.  The ciphertext (RFC 5297: the 16-byte
 * synthetic IV, then the encrypted fields) is decrypted with the S2C key
 * over the associated data ad (ad_len bytes) into plain.
 */
static enum ntp_verdict
open_auth(const uint8_t *p, size_t len, const uint8_t *ad, size_t ad_len,
    const uint8_t s2c[NTS_KEY_LEN], uint8_t *plain, size_t *plain_len)
{
	uint8_t siv[NTS_TAG_LEN];
	const uint8_t *ct;
	size_t nlen, clen;
	int rc;

	if (len < AUTH_LENGTHS)
		return NTP_NTS_MALFORMED;
	nlen = ntp_get16(p);
	clen = ntp_get16(p + 2);
	/*
	 * wolfCrypt leaves an empty nonce out of S2V rather than taking it
	 * as an empty string, and no server sends one: refused.
	 */
	if (nlen == 0 || clen < NTS_TAG_LEN ||
	    clen - NTS_TAG_LEN > NTS_PLAIN_MAX ||
	    AUTH_LENGTHS + pad4(nlen) + pad4(clen) > len)
		return NTP_NTS_MALFORMED;
	ct = p + AUTH_LENGTHS + pad4(nlen);
	memcpy(siv, ct, NTS_TAG_LEN);
	*plain_len = clen - NTS_TAG_LEN;
	/*
	 * wolfCrypt 5.5.4 compares the synthetic IV with memcmp: a client
	 * answers nothing to a reply, so that timing tells a forger little.
	 */
	rc = wc_AesSivDecrypt(s2c, NTS_KEY_LEN, ad, (word32)ad_len,
	    p + AUTH_LENGTHS, (word32)nlen, ct + NTS_TAG_LEN,
	    (word32)*plain_len, siv, plain);
	return rc == 0 ? NTP_OK : NTP_NTS_FAILED;
}

/*
 * Section 5.7: the client MUST check that the reply's Unique Identifier
 * is its request's, that it authenticates with the S2C key, and that the
 * cookies it takes were inside the encrypted part (one outside is
 * ignored).  An NTS NAK is a kiss-o'-death NTSN with our Unique
 * Identifier and no authenticator: the server's answer, unauthenticated.
 */
enum ntp_verdict
nts_verify(const uint8_t *pkt, size_t len, const uint8_t uid[NTS_UID_LEN],
    const uint8_t s2c[NTS_KEY_LEN], struct nts_cookie cookies[NTS_COOKIES_MAX],
    size_t *ncookies)
{
	uint8_t plain[NTS_PLAIN_MAX];
	size_t off = NTP_PACKET_LEN, auth = 0, ef, plain_len = 0;
	unsigned uids = 0, ours = 0;
	enum ntp_verdict v;
	uint16_t type;

	*ncookies = 0;
	if (len < NTP_PACKET_LEN)
		return NTP_SHORT;
	while (off < len) {
		/* RFC 7822 section 3, and nothing after the authenticator. */
		if (len - off < NTS_EF_HDR_LEN || auth != 0)
			return NTP_NTS_MALFORMED;
		type = ntp_get16(pkt + off);
		ef = ntp_get16(pkt + off + 2);
		if (ef < NTS_EF_MIN_LEN || ef % NTS_EF_ALIGN != 0 ||
		    ef > len - off)
			return NTP_NTS_MALFORMED;
		if (type == NTS_EF_UID) {
			uids++;
			ours = ef == NTS_EF_HDR_LEN + NTS_UID_LEN &&
			    mac_equal(pkt + off + NTS_EF_HDR_LEN, uid,
			    NTS_UID_LEN);
		} else if (type == NTS_EF_AUTH) {
			auth = off;
		}
		off += ef;
	}
	if (uids != 1 || !ours)
		return NTP_NTS_UID;
	if (auth == 0)
		return pkt[NTP_OFF_STRATUM] == NTP_STRATUM_KOD &&
		    ntp_get32(pkt + NTP_OFF_REFID) == NTP_KISS_NTSN ?
		    NTP_NTS_NAK : NTP_NTS_MISSING;
	v = open_auth(pkt + auth + NTS_EF_HDR_LEN, ntp_get16(pkt + auth + 2) -
	    (size_t)NTS_EF_HDR_LEN, pkt, auth, s2c, plain, &plain_len);
	if (v == NTP_OK && !read_plain(plain, plain_len, cookies, ncookies))
		v = NTP_NTS_MALFORMED;
	if (v != NTP_OK)
		*ncookies = 0;
	ForceZero(plain, sizeof(plain));
	return v;
}
