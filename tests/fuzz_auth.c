/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/fuzz_auth.c - libFuzzer target for auth_key.c, the reply path
 * with a MAC (-a): any bytes as a reply, verified with one of three keys
 * (MD5, SHA1, AES-128-CMAC), and a request made of the same bytes signed
 * and verified back.  It links auth_key.c, mac.c and wolfCrypt: no clock,
 * no sockets, no files.
 * Built and run by `FUZZ_TARGET=auth tests/fuzz.sh SECONDS`.
 *
 * Input: byte 0 = the key (0 MD5, 1 SHA1, 2 AES-128-CMAC; modulo 3),
 * byte 1 = which bit of the signed request to flip, the rest = the reply
 * (as ntp_decode passes it on: 48 bytes or more, at most 1024), in a heap
 * block of exactly its size (ASan sees any read past the end).
 *
 * Properties: verify() gives NTP_OK only when the reply ends in our key
 * id and the digest mac_compute() gives for the bytes before it; the
 * crypto-NAK only for exactly 48 + 4 bytes with key id 0; no MAC only for
 * fewer than 52 bytes; nothing but the five verdicts of auth_key.c.
 * sign() of the reply's header and any bytes after it (as extension
 * fields) verifies, and fails once any one bit of it is flipped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "keyfile.h"
#include "mac.h"

#include "fuzz_check.h"

#define HEADER		2
#define KEYID_LEN	4
#define REPLY_MAX	1024
#define NKEYS		3

/* The keys of the captured ntpd exchanges, and an RFC 4493 one for CMAC. */
static struct ntp_key keys[NKEYS] = {
	{ .id = 1, .type = MAC_MD5, .len = 7, .bytes = "secret1" },
	{ .id = 2, .type = MAC_SHA1, .len = 20, .bytes = {
	    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23,
	    0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67 } },
	{ .id = 3, .type = MAC_AES128_CMAC, .len = 16, .bytes = {
	    0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7,
	    0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c } },
};

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t req[REPLY_MAX + KEYID_LEN + MAC_DIGEST_MAX];
	uint8_t want[MAC_DIGEST_MAX], *reply;
	struct ntp_key *k;
	struct ntp_auth a;
	struct ntp_auth_req areq;
	enum ntp_verdict v;
	size_t len, dlen, n, bit;

	if (size < HEADER + NTP_PACKET_LEN || size > HEADER + REPLY_MAX)
		return 0;
	k = &keys[data[0] % NKEYS];
	dlen = mac_len(k->type);
	auth_key_init(&a, k);
	len = size - HEADER;
	reply = malloc(len);
	CHECK(reply != NULL, "malloc");
	memcpy(reply, data + HEADER, len);

	v = a.verify(&a, NULL, &areq, reply, len);
	CHECK(v == NTP_OK || v == NTP_AUTH_MISSING || v == NTP_CRYPTO_NAK ||
	    v == NTP_AUTH_KEYID || v == NTP_AUTH_FAILED, "verdict %d", (int)v);
	CHECK((v == NTP_AUTH_MISSING) == (len < NTP_PACKET_LEN + KEYID_LEN),
	    "no MAC for %zu bytes: %d", len, (int)v);
	CHECK((v == NTP_CRYPTO_NAK) == (len == NTP_PACKET_LEN + KEYID_LEN &&
	    get32(reply + NTP_PACKET_LEN) == 0), "crypto-NAK for %zu bytes",
	    len);
	if (v == NTP_OK) {
		n = len - KEYID_LEN - dlen;
		CHECK(n >= NTP_PACKET_LEN && get32(reply + n) == k->id,
		    "accepted without our key id");
		CHECK(mac_compute(k->type, k->bytes, k->len, reply, n, want) ==
		    dlen && memcmp(want, reply + n + KEYID_LEN, dlen) == 0,
		    "accepted a digest that is not the MAC");
	}

	/* The same bytes as a request (header and extension fields). */
	memcpy(req, reply, len);
	n = a.sign(&a, NULL, &areq, req, len, sizeof(req));
	CHECK(n == len + KEYID_LEN + dlen, "signed %zu bytes into %zu", len, n);
	CHECK(a.verify(&a, NULL, &areq, req, n) == NTP_OK,
	    "own MAC refused");
	bit = data[1] % (n * 8);
	req[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	v = a.verify(&a, NULL, &areq, req, n);
	CHECK(v == NTP_AUTH_FAILED || v == NTP_AUTH_KEYID,
	    "bit %zu flipped: verdict %d", bit, (int)v);
	free(reply);
	return 0;
}
