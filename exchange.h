/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exchange.h - from names to samples: resolving, the sockets, the random
 * nonces, retransmission and the receive timestamps.  It prints nothing:
 * whoever wants to see the exchange (-d, -j) gets every step through the
 * hook in xchg_config.
 */
#ifndef NTPSYNC_EXCHANGE_H
#define NTPSYNC_EXCHANGE_H

#include <sys/socket.h>

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "fmt.h"
#include "ntp_packet.h"

#define MAX_PEERS		16	/* server addresses in one run */
/* Server names on the command line: at most MAX_PEERS, each gets a place. */
#define MAX_HOSTS		16
#define MAX_REQUESTS		8	/* requests remembered per address */
#define SAMPLES_MAX		8	/* as ntpdate's -p */
/* A reply's bytes that are read: header, extension fields and MAC. */
#define XCHG_RECV_BUF_LEN	1024
/* Why an address could not be asked, in words. */
#define XCHG_WHY_LEN		256
/* Datagrams read from one socket before the deadlines are looked at again. */
#define XCHG_RECV_BATCH		8

/* A name given on the command line, and why it did not resolve. */
struct xchg_host {
	const char	*name;
	int		 gai_error;
	int		 timed_out;	/* no answer before -W's deadline */
	int		 resolved;	/* its addresses are in the table */
};

/* Addresses of one name that the table takes (its share is less). */
#define XCHG_LOOKUP_MAX		MAX_PEERS

/*
 * What a name resolved to, as its resolver child writes it: in one write
 * of less than PIPE_BUF bytes, so that it arrives whole or not at all.
 */
struct xchg_lookup {
	int32_t		gai_error;
	int32_t		no_service;	/* no "ntp" service: port 123 */
	uint32_t	naddr;
	struct {
		uint32_t		len;
		union {
			struct sockaddr		sa;
			struct sockaddr_in	in;
			struct sockaddr_in6	in6;
		} u;
	} addr[XCHG_LOOKUP_MAX];
};

/* One address of a name. */
struct ntp_server {
	const char		*host;
	char			 addr[ADDR_STR_LEN];	/* numeric */
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
};

/* Where T4 came from. */
enum xchg_t4 {
	XCHG_T4_KERNEL,		/* the kernel's receive timestamp */
	XCHG_T4_CLOCK,		/* the clock, read after receipt: none came */
	XCHG_T4_CUT		/* the same: the control data was cut (MSG_CTRUNC) */
};

/* How a datagram arrived. */
struct xchg_rx {
	size_t		len;		/* its length, even beyond the buffer */
	int		truncated;	/* longer than the buffer: its start read */
	uint64_t	t4;
	enum xchg_t4	t4_source;
};

/*
 * What one address gave in the last round it was asked in, and what the
 * whole run knows of it: the requests are paced per address over the run
 * (see exchange.c), not per round.
 */
struct ntp_result {
	/* The last round it was asked in. */
	int			 sent;		/* requests */
	int			 nsamples;
	struct ntp_sample	 sample[SAMPLES_MAX];
	enum ntp_verdict	 last;		/* why the last reply failed */
	struct ntp_packet	 last_pkt;	/* that reply, for the words */
	int			 error;		/* errno of a socket failure */
	int			 icmp_ignored;	/* ICMP errors not quoting a request */
	/* The whole run. */
	int			 run_sent;	/* requests */
	int			 answered;	/* replies to our requests */
	int			 losses;	/* requests in a row without one */
	int			 waiting;	/* the last request is unanswered */
	int64_t			 rto;		/* the wait after the next request */
	int64_t			 next_tx;	/* none before (CLOCK_MONOTONIC ns) */
	int			 kissed;	/* KoD: not asked again this run */
	int			 limited;	/* silent after it answered: not
						   asked again this run */
	int			 hold;		/* not asked in the next round */
	/* It could not be asked (NTS-KE failed): why, in words. */
	char			 unasked[XCHG_WHY_LEN];
};

enum xchg_event_type {
	XCHG_RESOLVING,		/* host */
	XCHG_NO_SERVICE,	/* host: no "ntp" service, port 123 used */
	XCHG_UNRESOLVED,	/* host, gai_error, timed_out */
	XCHG_ADDRESS,		/* host, server, port */
	XCHG_TOO_MANY,		/* host: more addresses than its share; len:
				   how many are asked */
	XCHG_START,		/* server: a new round begins for it */
	XCHG_TRANSMIT,		/* server, len, bytes, xmt, t1 */
	XCHG_RECEIVE,		/* server, len, bytes, truncated, pkt, verdict,
				   sample, t4_source */
	XCHG_ICMP		/* server, error, len (bytes of our request it
				   quotes), verified (it quotes one of ours) */
};

struct xchg_event {
	enum xchg_event_type	 type;
	const char		*host;
	const struct ntp_server	*server;
	size_t			 index;		/* of server */
	int			 gai_error;
	int			 timed_out;
	unsigned		 port;
	size_t			 len;
	const uint8_t		*bytes;		/* the datagram (what was read) */
	int			 truncated;	/* len is beyond what was read */
	int			 version;
	uint64_t		 xmt;
	uint64_t		 t1;
	const struct ntp_packet	*pkt;
	enum ntp_verdict	 verdict;
	const struct ntp_sample	*sample;
	enum xchg_t4		 t4_source;
	int			 error;
	int			 verified;
};

struct xchg_config {
	int			 family;	/* AF_UNSPEC, -4, -6 */
	int			 version;	/* -o */
	int			 samples;	/* -p */
	int64_t			 timeout_ns;	/* -t */
	int64_t			 until;		/* -W: no round's first request
						   after this (CLOCK_MONOTONIC
						   ns); 0: no limit */
	int64_t			 clock_shift;	/* see clock_unset_shift() */
	const struct ntp_auth	*auth;
	void			(*hook)(void *ctx, const struct xchg_event *e);
	void			*hook_ctx;
};

/* A failure that ends the run: what failed and errno. */
struct xchg_error {
	const char	*what;
	int		 error;
};

/* One request in flight. */
struct xchg_request {
	uint64_t		xmt;	/* random nonce sent as transmit time */
	uint64_t		t1;	/* real send time */
	int			answered;
	struct ntp_auth_req	auth;	/* what its reply must match */
};

/* One address during a round; in the header for the unit tests. */
struct xchg_peer {
	const struct ntp_server	*server;
	size_t			 index;
	struct ntp_result	*res;	/* its pacing is in res: run-long */
	int			 fd;
	int			 recverr;	/* ICMP errors come with their quote */
	int			 done;
	int			 sent;		/* requests in this round */
	int64_t			 deadline;	/* -t after its first request */
	struct xchg_request	 req[MAX_REQUESTS];
};

size_t	xchg_resolve(struct xchg_host *hosts, size_t nhosts,
	    struct ntp_server *servers, size_t nservers,
	    const struct xchg_config *cfg);
size_t	xchg_share(struct xchg_host *hosts, size_t nhosts,
	    const struct xchg_lookup *const *found, struct ntp_server *servers,
	    size_t n, const struct xchg_config *cfg);
int	xchg_round(const struct ntp_server *servers, struct ntp_result *res,
	    size_t n, const struct xchg_config *cfg, struct xchg_error *err);
int	xchg_random(void *buf, size_t len);
int	xchg_random64(uint64_t *out);

/* The steps of a round, for the unit tests. */
int	xchg_send(struct xchg_peer *p, const struct xchg_config *cfg,
	    struct xchg_error *err);
int	xchg_due(struct xchg_peer *p, int64_t now, const struct xchg_config *cfg,
	    struct xchg_error *err);
int	xchg_receive(struct xchg_peer *p, const struct xchg_config *cfg,
	    struct xchg_error *err);
int	xchg_handle_reply(struct xchg_peer *p, const uint8_t *buf, size_t len,
	    const struct xchg_rx *rx, const struct xchg_config *cfg,
	    struct xchg_error *err);

#endif /* NTPSYNC_EXCHANGE_H */
