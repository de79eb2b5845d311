/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auth_nts.h - NTS (RFC 8915) behind the auth seam: what each server's
 * NTS-KE gave (its two keys, its cookies, where its NTP requests go), and
 * sign() / verify() that spend one cookie per request and take the
 * reply's new ones (auth_nts.c); the NTS-KE itself, nts_ke.c's records
 * over tls.c (nts_ke_tls.c).  Built with NTS only (make NTS=1).
 */
#ifndef NTPSYNC_AUTH_NTS_H
#define NTPSYNC_AUTH_NTS_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "auth.h"
#include "exchange.h"
#include "nts.h"
#include "nts_ke.h"
#include "tls.h"

/* One server's NTS state; the address pair identifies it. */
struct nts_peer {
	const char		*host;		/* the name it was given as */
	struct sockaddr_storage	 ke;		/* its NTS-KE address, port */
	socklen_t		 ke_len;
	struct sockaddr_storage	 ntp;		/* where NTP requests go */
	socklen_t		 ntp_len;
	uint8_t			 c2s[NTS_KEY_LEN];
	uint8_t			 s2c[NTS_KEY_LEN];
	struct nts_cookie	 cookies[NTS_COOKIES_MAX];
	size_t			 ncookies;
	int			 nak;		/* an NTS NAK and no valid reply
						   since: NTS-KE again */
	int			 renewed;	/* NTS-KE again after a NAK, in
						   this run */
};

struct nts_table {
	struct nts_peer	peer[MAX_PEERS];
	size_t		n;
};

/* How one NTS-KE went. */
struct nts_ke_outcome {
	int			 tls_failed;	/* tls says why, else verdict */
	struct tls_error	 tls;
	enum nts_ke_verdict	 verdict;
	struct nts_ke_response	 resp;		/* the records, when read */
	size_t			 len;		/* the response's bytes */
};

/* What NTS-KE needs besides the server. */
struct nts_ke_cfg {
	const char	*ca_file;
	time_t		 verify_time;	/* certificates are checked at it */
	int64_t		 timeout_ns;
};

void	auth_nts_init(struct ntp_auth *a, struct nts_table *t);
/* The peer whose NTP requests go to s's address, or NULL. */
struct nts_peer *nts_find(struct nts_table *t, const struct ntp_server *s);
/* A new, empty peer for host, or NULL when the table is full. */
struct nts_peer *nts_add(struct nts_table *t, const char *host);
/*
 * nts_ke_tls.c: NTS-KE with p's server at p->ke as name (the name or
 * address given): on success (0) the new keys and cookies replace p's,
 * the response's records are in out->resp (cookies wiped); -1 with out
 * saying why, p's keys and cookies left as they were.
 */
int	nts_key(struct nts_peer *p, const char *name,
	    const struct nts_ke_cfg *cfg, struct nts_ke_outcome *out);
/* p's keys and cookies wiped: it needs NTS-KE again. */
void	nts_drop(struct nts_peer *p);
/* Every key and cookie of the table, wiped. */
void	nts_wipe(struct nts_table *t);


#endif /* NTPSYNC_AUTH_NTS_H */
