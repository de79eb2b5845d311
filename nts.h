/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nts.h - NTS for NTPv4 on the wire (RFC 8915 section 5; extension fields
 * of RFC 7822): the request's extension fields and its authenticator, and
 * the reply's check, AES-SIV-CMAC-256 by wolfCrypt.  Pure given the keys,
 * the unique identifier and the nonce the caller passes in.
 */
#ifndef NTPSYNC_NTS_H
#define NTPSYNC_NTS_H

#include <stddef.h>
#include <stdint.h>

#include "ntp_packet.h"
#include "nts_ke.h"

/* RFC 8915 section 7.5 (IANA's "NTP Extension Field Types"). */
#define NTS_EF_UID		0x0104	/* Unique Identifier */
#define NTS_EF_COOKIE		0x0204	/* NTS Cookie */
#define NTS_EF_PLACEHOLDER	0x0304	/* NTS Cookie Placeholder */
#define NTS_EF_AUTH		0x0404	/* NTS Authenticator and Encrypted
					   Extension Fields */

/* RFC 7822 section 3: Field Type (2 octets), Length (2 octets), Value. */
#define NTS_EF_HDR_LEN		4
#define NTS_EF_ALIGN		4	/* lengths are multiples of 4 */
#define NTS_EF_MIN_LEN		16	/* the shortest extension field */

/* Section 5.3: the Unique Identifier is at least 32 octets: ours is 32. */
#define NTS_UID_LEN		32
/*
 * Section 5.6: with AES-SIV (any nonce length) N_REQ is 16: a 16-octet
 * nonce needs no Additional Padding.
 */
#define NTS_NONCE_LEN		16
/* RFC 5297: the synthetic IV (the tag) leads the ciphertext. */
#define NTS_TAG_LEN		16
/* RFC 5297 section 2.2: AES-SIV-CMAC-256 takes two AES-128 keys. */
#define NTS_KEY_LEN		32
/* Our authenticator: Nonce Length, Ciphertext Length, nonce, tag. */
#define NTS_AUTH_EF_LEN		(NTS_EF_HDR_LEN + 4 + NTS_NONCE_LEN + NTS_TAG_LEN)
/* The most a reply's encrypted fields may hold: ntpsync reads 1024 bytes. */
#define NTS_PLAIN_MAX		1024

/*
 * The request's length: the header, our Unique Identifier, the cookie and
 * `placeholders` Cookie Placeholders (each as long as the cookie's field),
 * the authenticator.  0 for a cookie of no or too many bytes.
 */
size_t	nts_request_len(size_t cookie_len, unsigned placeholders);

/*
 * Appends to the NTP_PACKET_LEN header in buf (size bytes) the request's
 * extension fields, the last the authenticator made with the C2S key over
 * everything before it.  Returns the request's length, 0 when it does not
 * fit or the library fails.
 */
size_t	nts_request(uint8_t *buf, size_t size, const uint8_t uid[NTS_UID_LEN],
	    const struct nts_cookie *cookie, unsigned placeholders,
	    const uint8_t nonce[NTS_NONCE_LEN], const uint8_t c2s[NTS_KEY_LEN]);

/*
 * Checks a reply's len bytes (the header and its extension fields) with
 * our Unique Identifier and the S2C key: NTP_OK when it is authenticated,
 * else one of the NTP_NTS_* verdicts (NTP_SHORT under 48 bytes).  On
 * NTP_OK the new cookies of the encrypted part are in cookies[0 ..
 * *ncookies - 1] (at most NTS_COOKIES_MAX); on anything else *ncookies is 0.
 */
enum ntp_verdict nts_verify(const uint8_t *pkt, size_t len,
	    const uint8_t uid[NTS_UID_LEN], const uint8_t s2c[NTS_KEY_LEN],
	    struct nts_cookie cookies[NTS_COOKIES_MAX], size_t *ncookies);

#endif /* NTPSYNC_NTS_H */
