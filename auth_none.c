/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auth_none.c - the requests of RFC 4330: no MAC, no extension fields; a
 * reply's trailing bytes, if any, are ignored (ntp_decode reads the
 * header only).
 */
#include "auth.h"

/* The interface lets sign() write buf; "none" adds nothing. */
static size_t
none_sign(const struct ntp_auth *a, const struct ntp_server *s,
    /* NOLINTNEXTLINE(readability-non-const-parameter) */
    struct ntp_auth_req *req, uint8_t *buf, size_t len, size_t cap)
{
	(void)a;
	(void)s;
	(void)req;
	(void)buf;
	(void)cap;
	return len;
}

static enum ntp_verdict
none_verify(const struct ntp_auth *a, const struct ntp_server *s,
    const struct ntp_auth_req *req, const uint8_t *buf, size_t len)
{
	(void)a;
	(void)s;
	(void)req;
	(void)buf;
	(void)len;
	return NTP_OK;
}

const struct ntp_auth ntp_auth_none = {
	.name = "none",
	.sign = none_sign,
	.verify = none_verify,
	.ctx = NULL,
};
