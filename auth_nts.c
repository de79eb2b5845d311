/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auth_nts.c - NTS for the exchange (RFC 8915).  NTS-KE gives each server
 * two keys and a handful of cookies; every request then carries a fresh
 * Unique Identifier, one cookie (never used twice) and placeholders for
 * the cookies it lacks, sealed with the C2S key (nts.c).  A reply counts
 * only when it echoes the identifier and opens with the S2C key; its new
 * cookies are kept.  Keys and cookies are wiped when dropped.
 */
#include <errno.h>
#include <string.h>

#include "auth_nts.h"

static int
same_addr(const struct sockaddr_storage *a, socklen_t alen,
    const struct sockaddr_storage *b, socklen_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

struct nts_peer *
nts_find(struct nts_table *t, const struct ntp_server *s)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->peer[i].host == s->host &&
		    same_addr(&t->peer[i].ntp, t->peer[i].ntp_len, &s->ss,
		    s->sslen))
			return &t->peer[i];
	return NULL;
}

struct nts_peer *
nts_add(struct nts_table *t, const char *host)
{
	struct nts_peer *p;

	if (t->n == MAX_PEERS)
		return NULL;
	p = &t->peer[t->n++];
	memset(p, 0, sizeof(*p));
	p->host = host;
	return p;
}

void
nts_drop(struct nts_peer *p)
{
	explicit_bzero(p->c2s, sizeof(p->c2s));
	explicit_bzero(p->s2c, sizeof(p->s2c));
	explicit_bzero(p->cookies, sizeof(p->cookies));
	p->ncookies = 0;
	p->nak = 0;
}

void
nts_wipe(struct nts_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		nts_drop(&t->peer[i]);
}

/*
 * One cookie per request (RFC 8915 section 5.7: never one twice, so that
 * requests cannot be linked), and a placeholder for each cookie missing
 * from a full jar: the reply brings one cookie for each.  Section 5.7
 * lets the reply be no longer than the request, so a request within cap
 * (what is read of a reply) brings a reply that fits too.
 */
static size_t
nts_sign(const struct ntp_auth *a, const struct ntp_server *s,
    struct ntp_auth_req *req, uint8_t *buf, size_t len, size_t cap)
{
	struct nts_peer *p = nts_find(a->ctx, s);
	uint8_t nonce[NTS_NONCE_LEN];
	struct nts_cookie *c;
	unsigned more;
	size_t n;

	if (p == NULL || p->ncookies == 0) {
		errno = ENOKEY;
		return 0;
	}
	if (len != NTP_PACKET_LEN) {
		errno = EINVAL;
		return 0;
	}
	if (xchg_random(req->uid, sizeof(req->uid)) == -1 ||
	    xchg_random(nonce, sizeof(nonce)) == -1)
		return 0;
	c = &p->cookies[p->ncookies - 1];
	more = (unsigned)(NTS_COOKIES_MAX - p->ncookies);
	while (more > 0 && nts_request_len(c->len, more) > cap)
		more--;
	n = nts_request(buf, cap, req->uid, c, more, nonce, p->c2s);
	if (n == 0) {
		errno = EMSGSIZE;
		return 0;
	}
	explicit_bzero(c, sizeof(*c));
	p->ncookies--;
	return n;
}

/*
 * RFC 8915 section 5.7: an NTS NAK (our identifier, kiss code NTSN) says
 * that the server cannot read our cookie, but it is not authenticated:
 * anyone on the path could send it.  It is noted, the cookies are kept,
 * and the request stays open for a valid reply; only when none came does
 * the caller do NTS-KE again (nts_peer.nak), and a valid reply clears it.
 */
static enum ntp_verdict
nts_check(const struct ntp_auth *a, const struct ntp_server *s,
    const struct ntp_auth_req *req, const uint8_t *buf, size_t len)
{
	struct nts_peer *p = nts_find(a->ctx, s);
	struct nts_cookie fresh[NTS_COOKIES_MAX];
	enum ntp_verdict v;
	size_t n, i;

	if (p == NULL)
		return NTP_NTS_FAILED;
	v = nts_verify(buf, len, req->uid, p->s2c, fresh, &n);
	if (v == NTP_NTS_NAK)
		p->nak = 1;
	if (v == NTP_OK)
		p->nak = 0;
	for (i = 0; v == NTP_OK && i < n && p->ncookies < NTS_COOKIES_MAX; i++)
		p->cookies[p->ncookies++] = fresh[i];
	explicit_bzero(fresh, sizeof(fresh));
	return v;
}

void
auth_nts_init(struct ntp_auth *a, struct nts_table *t)
{
	memset(a, 0, sizeof(*a));
	a->name = "NTS";
	a->sign = nts_sign;
	a->verify = nts_check;
	a->ctx = t;
}
