/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auth_key.c - symmetric-key authentication, as ntpdate -a/-k does it
 * (RFC 5905 section 7.3 and appendix A.2, RFC 8573 for AES-128-CMAC).
 * The MAC follows the header and any extension fields:
 *
 *	key id (32 bits, network order) || digest (16 or 20 bytes)
 *
 * and is computed over everything before the key id (mac.c).  The key is
 * the caller's (keyfile.c): nothing here copies it, prints it or keeps it.
 */
#include <errno.h>
#include <string.h>

#include "auth.h"
#include "keyfile.h"
#include "mac.h"

/* The key id in front of the digest. */
#define KEYID_LEN		4
/*
 * ntpd's crypto-NAK (RFC 5905 section 7.4, ntp_proto.c): the reply to a
 * request whose MAC it cannot verify carries key id 0 and no digest.
 */
#define CRYPTO_NAK_KEYID	0

/* After the len bytes of the request: the key id, then the digest. */
static size_t
key_sign(const struct ntp_auth *a, const struct ntp_server *s,
    struct ntp_auth_req *req, uint8_t *buf, size_t len, size_t cap)
{
	const struct ntp_key *k = a->ctx;
	size_t dlen = mac_len(k->type);

	/* The key is the same for every server and request. */
	(void)s;
	(void)req;
	if (dlen == 0 || len > cap || cap - len < KEYID_LEN + dlen) {
		errno = EMSGSIZE;
		return 0;
	}
	ntp_put32(buf + len, k->id);
	if (mac_compute(k->type, k->bytes, k->len, buf, len,
	    buf + len + KEYID_LEN) != dlen) {
		errno = EINVAL;
		return 0;
	}
	return len + KEYID_LEN + dlen;
}

/*
 * RFC 5905 section 9.2 / appendix A.5.1.1: a reply is authentic when the
 * MAC at its end has our key id and its digest verifies over everything
 * before the key id.  Exactly a key id of 0 after the header is the
 * server's crypto-NAK.  The reply's len is at least NTP_PACKET_LEN
 * (ntp_decode has passed it).
 */
static enum ntp_verdict
key_verify(const struct ntp_auth *a, const struct ntp_server *s,
    const struct ntp_auth_req *req, const uint8_t *buf, size_t len)
{
	const struct ntp_key *k = a->ctx;
	size_t digest_len = mac_len(k->type), len_signed;

	(void)s;
	(void)req;
	if (len < NTP_PACKET_LEN + KEYID_LEN)
		return NTP_AUTH_MISSING;
	if (len == NTP_PACKET_LEN + KEYID_LEN)
		return ntp_get32(buf + NTP_PACKET_LEN) == CRYPTO_NAK_KEYID ?
		    NTP_CRYPTO_NAK : NTP_AUTH_FAILED;
	/* Too short for our digest: whatever it holds is not our MAC. */
	if (len < NTP_PACKET_LEN + KEYID_LEN + digest_len)
		return ntp_get32(buf + NTP_PACKET_LEN) == k->id ?
		    NTP_AUTH_FAILED : NTP_AUTH_KEYID;
	len_signed = len - KEYID_LEN - digest_len;
	if (ntp_get32(buf + len_signed) != k->id)
		return NTP_AUTH_KEYID;
	if (!mac_verify(k->type, k->bytes, k->len, buf, len_signed,
	    buf + len_signed + KEYID_LEN, digest_len))
		return NTP_AUTH_FAILED;
	return NTP_OK;
}

void
auth_key_init(struct ntp_auth *a, struct ntp_key *key)
{
	memset(a, 0, sizeof(*a));
	a->name = "symmetric key";
	a->sign = key_sign;
	a->verify = key_verify;
	a->ctx = key;	/* key_sign and key_verify only read it */
}
