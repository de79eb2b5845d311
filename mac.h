/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mac.h - the MAC of a symmetric-key NTP packet (RFC 5905 section 7.3 and
 * appendix A.2; RFC 8573), computed by wolfCrypt.  Pure: bytes in, bytes
 * out; nothing is kept between calls.
 */
#ifndef NTPSYNC_MAC_H
#define NTPSYNC_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A digest on the wire is at most 20 bytes; longer ones are cut to it. */
#define MAC_DIGEST_MAX		20
/* Digest lengths of the three types, before that cut. */
#define MAC_MD5_LEN		16
#define MAC_SHA1_LEN		20
#define MAC_CMAC_LEN		16
/* AES-128-CMAC takes a 16-byte key (RFC 8573 section 4). */
#define MAC_CMAC_KEY_LEN	16

enum mac_type {
	MAC_MD5,
	MAC_SHA1,
	MAC_AES128_CMAC
};

/* The digest's length on the wire for type t (0 for no such type). */
size_t	mac_len(enum mac_type t);

/*
 * The digest of the packet's len bytes (the header and any extension
 * fields, not the key id) with the key's key_len bytes into out, which has
 * room for MAC_DIGEST_MAX bytes.  Returns mac_len(t), or 0 when the key
 * does not fit the type (AES-128-CMAC: not 16 bytes; MD5, SHA1: empty) or
 * the library fails.  Every copy of the key it makes is wiped.
 */
size_t	mac_compute(enum mac_type t, const uint8_t *key, size_t key_len,
	    const uint8_t *pkt, size_t len, uint8_t out[MAC_DIGEST_MAX]);

/*
 * Whether digest (digest_len bytes, as received) is the MAC of the packet's
 * len bytes with this key.  The comparison takes the same time wherever
 * the bytes differ.
 */
bool	mac_verify(enum mac_type t, const uint8_t *key, size_t key_len,
	    const uint8_t *pkt, size_t len, const uint8_t *digest,
	    size_t digest_len);

/* a and b equal over n bytes, in a time that depends on n only. */
bool	mac_equal(const uint8_t *a, const uint8_t *b, size_t n);

#endif /* NTPSYNC_MAC_H */
