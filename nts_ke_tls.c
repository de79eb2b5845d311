/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nts_ke_tls.c - one NTS-KE (RFC 8915 section 4): nts_ke.c's request and
 * response over tls.c's TLS 1.3 connection, the keys exported into the
 * server's nts_peer.  The I/O edge of NTS; nothing is printed here.
 */
#include <string.h>

#include "auth_nts.h"

/*
 * An NTS-KE response: at most 8 cookies of 256 bytes that we keep, with
 * their record headers, the other records, and room for what a server
 * adds that we skip (one TLS record holds 16 KB).
 */
#define NTS_KE_RESPONSE_MAX	8192

/* The cookies' bytes: their number and lengths stay for -d. */
static void
wipe_cookies(struct nts_ke_response *r)
{
	size_t i;

	for (i = 0; i < NTS_COOKIES_MAX; i++)
		explicit_bzero(r->cookies[i].bytes, sizeof(r->cookies[i].bytes));
}

/*
 * RFC 8915 section 4 and 5.1: send Next Protocol (NTPv4), AEAD
 * (AES-SIV-CMAC-256) and End of Message; read the response up to its End
 * of Message; export the C2S and S2C keys with the context of that
 * protocol and AEAD.  The server's choice is checked by nts_ke_parse().
 * Section 5.7: the old keys and cookies are dropped only when the new
 * ones have come (an NTS NAK may have been forged).
 */
int
nts_key(struct nts_peer *p, const char *name, const struct nts_ke_cfg *cfg,
    struct nts_ke_outcome *out)
{
	uint8_t req[NTS_KE_REQUEST_LEN], resp[NTS_KE_RESPONSE_MAX];
	uint8_t c2s[NTS_KE_CONTEXT_LEN], s2c[NTS_KE_CONTEXT_LEN];
	uint8_t kc[NTS_KEY_LEN], ks[NTS_KEY_LEN];
	struct tls_ke_cfg tc = {
		.name = name,
		.addr = (const struct sockaddr *)&p->ke,
		.addrlen = p->ke_len,
		.ca_file = cfg->ca_file,
		.verify_time = cfg->verify_time,
		.timeout_ns = cfg->timeout_ns,
	};
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	nts_ke_request(req);
	nts_ke_context(c2s, NTS_KE_PROTO_NTPV4, NTS_KE_AEAD_AES_SIV_CMAC_256,
	    NTS_KE_C2S);
	nts_ke_context(s2c, NTS_KE_PROTO_NTPV4, NTS_KE_AEAD_AES_SIV_CMAC_256,
	    NTS_KE_S2C);
	if (tls_ke(&tc, req, sizeof(req), resp, sizeof(resp), &out->len,
	    nts_ke_complete, c2s, s2c, NTS_KE_CONTEXT_LEN, kc, ks, NTS_KEY_LEN,
	    &out->tls) == -1) {
		out->tls_failed = 1;
		goto done;
	}
	out->verdict = nts_ke_parse(resp, out->len, &out->resp);
	if (out->verdict != NTS_KE_OK)
		goto done;
	nts_drop(p);
	memcpy(p->c2s, kc, sizeof(kc));
	memcpy(p->s2c, ks, sizeof(ks));
	for (i = 0; i < out->resp.ncookies; i++)
		p->cookies[i] = out->resp.cookies[i];
	p->ncookies = out->resp.ncookies;
	rc = 0;
done:
	explicit_bzero(resp, sizeof(resp));
	explicit_bzero(kc, sizeof(kc));
	explicit_bzero(ks, sizeof(ks));
	wipe_cookies(&out->resp);
	return rc;
}
