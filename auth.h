/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auth.h - how a request is authenticated and a reply is accepted.  The
 * exchange calls sign() on every request it builds and verify() on every
 * reply whose origin matched, before anything else in the reply is
 * believed (RFC 5905 section 9.2 / appendix A.5.1.1 checks the MAC right
 * after the origin; RFC 8915 section 5.7 the NTS authenticator).  "none"
 * is behind it today; symmetric keys and NTS each add one implementation.
 */
#ifndef NTPSYNC_AUTH_H
#define NTPSYNC_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "ntp_packet.h"

/* A request with room for extension fields and a MAC. */
#define NTP_REQUEST_MAX		1024

struct ntp_server;

/*
 * What sign() leaves with one request for verify() to check its reply
 * against: NTS's Unique Identifier (RFC 8915 section 5.3), which the
 * reply must echo.
 */
#define NTP_AUTH_UID_LEN	32
struct ntp_auth_req {
	uint8_t	uid[NTP_AUTH_UID_LEN];
};

struct ntp_auth {
	const char *name;
	/*
	 * buf holds the request's len bytes (the 48-byte header) for server
	 * s; append what authenticates it within cap bytes and note in *req
	 * what its reply must match.  Returns the new length, or 0 when the
	 * request cannot be authenticated (errno says why).
	 */
	size_t (*sign)(const struct ntp_auth *a, const struct ntp_server *s,
	    struct ntp_auth_req *req, uint8_t *buf, size_t len, size_t cap);
	/*
	 * NTP_OK when the len bytes from server s are an authentic reply to
	 * the request that left *req, else the reason.
	 */
	enum ntp_verdict (*verify)(const struct ntp_auth *a,
	    const struct ntp_server *s, const struct ntp_auth_req *req,
	    const uint8_t *buf, size_t len);
	void *ctx;
};

/* No authentication: nothing is added, nothing is required. */
extern const struct ntp_auth ntp_auth_none;

struct ntp_key;
/*
 * A symmetric key (-a/-k, auth_key.c): every request carries its key id
 * and MAC, a reply is used only when its MAC verifies with it.  *a keeps
 * a pointer to key, which must outlive it.
 */
void	auth_key_init(struct ntp_auth *a, struct ntp_key *key);

#endif /* NTPSYNC_AUTH_H */
