/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exchange.c - resolving the names, then one round of requests and replies
 * with every address at once.
 */
#define _GNU_SOURCE
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "exchange.h"

#define NS_PER_MS		1000000LL
/*
 * Control data: the kernel's receive timestamp.  On a 32-bit CPU with a
 * 64-bit time_t (musl >= 1.2) and a kernel before 5.1, the kernel writes
 * its 32-bit layout and musl appends a 64-bit copy: room for two.
 */
#define RECV_CONTROL_LEN	(2 * CMSG_SPACE(2 * sizeof(int64_t)))
/*
 * The pace of the requests to one address, over the whole run (-W rounds
 * included), so that the packets a run sends to an address are few and
 * bounded (README: the packet budget).
 *
 * A LAN answers in well under a millisecond: a request without an answer
 * after RTO_INITIAL is taken as lost and sent again, and every loss
 * doubles the wait (exponential backoff, as RFC 8633 section 3.4 asks of
 * a client whose server does not answer), up to RTO_MAX: ntpd's average
 * spacing for "restrict limited" (discard average 3: 8 s; NTPsec's allows
 * 1 s), so that a client that waits that long is never limited.  Once a
 * reply has shown the round trip, RTO_RTT_FACTOR times it (at least
 * RTO_MIN) before a loss is assumed.
 *
 * A reply that cannot be used yet (stratum 16, leap 3: a server that has
 * just started) is asked again under -W after at least REASK_MIN, ntpd's
 * minimum spacing (discard minimum 1: 2 s), doubling up to RTO_MAX.
 *
 * A server that answered and then leaves SILENT_LOSSES requests in a row
 * unanswered rate-limits by silence: it is not asked again in this run,
 * and what it gave is kept.
 */
#define RTO_INITIAL_NS		(100 * NS_PER_MS)
#define RTO_MIN_NS		(20 * NS_PER_MS)
#define RTO_MAX_NS		(8000 * NS_PER_MS)
#define RTO_RTT_FACTOR		4
#define REASK_MIN_NS		(2000 * NS_PER_MS)
#define SILENT_LOSSES		2

/*
 * An ICMP error as the kernel queues it with IP_RECVERR / IPV6_RECVERR
 * (struct sock_extended_err of linux/errqueue.h, which musl does not ship),
 * followed by the address of whoever sent it.
 */
struct icmp_report {
	uint32_t	ee_errno;
	uint8_t		ee_origin;
	uint8_t		ee_type;
	uint8_t		ee_code;
	uint8_t		ee_pad;
	uint32_t	ee_info;
	uint32_t	ee_data;
};
#define EE_ORIGIN_ICMP		2
#define EE_ORIGIN_ICMP6		3
#define ICMP_CONTROL_LEN	\
	CMSG_SPACE(sizeof(struct icmp_report) + sizeof(struct sockaddr_in6))

/*
 * The nonce must not wait for the entropy pool: at boot, where we run,
 * getrandom() can block for minutes on a board without entropy sources.
 * GRND_INSECURE (Linux >= 5.6) never waits; /dev/urandom serves older
 * kernels (before 3.17 without getrandom at all), but from Linux 5.18 on
 * its first read stalls for about a second until the pool is ready, which
 * the VM boot test caught eating the whole -t budget.
 */
#ifndef GRND_INSECURE
#define GRND_INSECURE		0x0004
#endif

int
xchg_random(void *buf, size_t len)
{
	int fd;

	if (getrandom(buf, len, GRND_NONBLOCK) == (ssize_t)len ||
	    getrandom(buf, len, GRND_INSECURE) == (ssize_t)len)
		return 0;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (read(fd, buf, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Zero is no nonce: RFC 5905 takes an origin of 0 as "not sent". */
int
xchg_random64(uint64_t *out)
{
	uint64_t v = 0;

	while (v == 0)
		if (xchg_random(&v, sizeof(v)) == -1)
			return -1;
	*out = v;
	return 0;
}

static void
notify(const struct xchg_config *cfg, const struct xchg_event *e)
{
	if (cfg->hook != NULL)
		cfg->hook(cfg->hook_ctx, e);
}

static unsigned
port_of(const struct sockaddr *sa)
{
	return ntohs(sa->sa_family == AF_INET6 ?
	    ((const struct sockaddr_in6 *)sa)->sin6_port :
	    ((const struct sockaddr_in *)sa)->sin_port);
}

/*
 * The child that resolves one name: getaddrinfo cannot be cancelled, so
 * it runs where it can be abandoned.  It writes what it found in one
 * write and exits.
 */
static void
lookup_child(const char *name, const struct xchg_config *cfg, int fd)
{
	struct xchg_lookup m;
	struct addrinfo hints, *res, *ai;

	memset(&m, 0, sizeof(m));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = cfg->family;
	hints.ai_socktype = SOCK_DGRAM;
	m.gai_error = getaddrinfo(name, "ntp", &hints, &res);
	if (m.gai_error == EAI_SERVICE) {
		/* No "ntp" line in /etc/services: ntpdate dies here. */
		m.no_service = 1;
		hints.ai_flags = AI_NUMERICSERV;
		m.gai_error = getaddrinfo(name, NTP_PORT_STR, &hints, &res);
	}
	if (m.gai_error == 0) {
		/* Duplicates too: xchg_share() takes each address once. */
		for (ai = res; ai != NULL && m.naddr < XCHG_LOOKUP_MAX;
		    ai = ai->ai_next) {
			if (ai->ai_addrlen > sizeof(m.addr[0].u))
				continue;
			m.addr[m.naddr].len = (uint32_t)ai->ai_addrlen;
			memcpy(&m.addr[m.naddr++].u, ai->ai_addr,
			    ai->ai_addrlen);
		}
		freeaddrinfo(res);
	}
	_exit(write(fd, &m, sizeof(m)) == (ssize_t)sizeof(m) ? 0 : 1);
}

/* One write of at most PIPE_BUF bytes reaches the pipe whole (POSIX). */
_Static_assert(sizeof(struct xchg_lookup) <= PIPE_BUF,
    "a lookup must fit in one atomic pipe write");

/* A resolver child at work. */
struct lookup {
	size_t			host;
	pid_t			pid;
	int			fd;
	size_t			got;	/* bytes of msg read */
	struct xchg_lookup	msg;
};

static int
spawn(struct lookup *l, const char *name, const struct xchg_config *cfg)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	/*
	 * fork() without the atfork handlers (musl's pull in 4 KB of
	 * thread locks): ntpsync has one thread, holding no lock here.
	 */
	l->pid = _Fork();
	if (l->pid == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (l->pid == 0) {
		close(fds[0]);
		lookup_child(name, cfg, fds[1]);
	}
	close(fds[1]);
	l->fd = fds[0];
	l->got = 0;
	return 0;
}

/*
 * Resolve every name that is not in the table yet, each in a child of its
 * own, all at once, and take their addresses in (xchg_share).  With a
 * deadline (cfg->until, -W) the children still at work then are killed:
 * a resolver that gets no answer would take its own timeouts, name after
 * name (musl: 5 s each, glibc: 10 s).  Returns the new number of servers.
 */
size_t
xchg_resolve(struct xchg_host *hosts, size_t nhosts, struct ntp_server *servers,
    size_t n, const struct xchg_config *cfg)
{
	struct lookup lk[MAX_HOSTS];
	const struct xchg_lookup *found[MAX_HOSTS];
	struct pollfd pfd[MAX_HOSTS];
	struct lookup *map[MAX_HOSTS];
	struct xchg_event e;
	struct timespec wait;
	size_t h, i, nl = 0, np;
	ssize_t r;
	int64_t now;

	for (h = 0; h < nhosts && h < MAX_HOSTS; h++) {
		found[h] = NULL;
		if (hosts[h].resolved)
			continue;
		memset(&e, 0, sizeof(e));
		e.type = XCHG_RESOLVING;
		e.host = hosts[h].name;
		notify(cfg, &e);
		hosts[h].timed_out = 0;
		lk[nl].host = h;
		if (spawn(&lk[nl], hosts[h].name, cfg) == 0)
			nl++;
		else
			hosts[h].gai_error = EAI_SYSTEM;
	}
	for (;;) {
		for (np = 0, i = 0; i < nl; i++)
			if (lk[i].fd != -1) {
				pfd[np].fd = lk[i].fd;
				pfd[np].events = POLLIN;
				map[np++] = &lk[i];
			}
		now = clock_mono_ns();
		if (np == 0 || (cfg->until != 0 && now >= cfg->until))
			break;
		wait.tv_sec = (time_t)((cfg->until - now) / NSEC_PER_SEC);
		wait.tv_nsec = (long)((cfg->until - now) % NSEC_PER_SEC);
		if (ppoll(pfd, np, cfg->until != 0 ? &wait : NULL, NULL) == -1 &&
		    errno != EINTR)
			break;
		for (i = 0; i < np; i++) {
			struct lookup *l = map[i];

			if (pfd[i].revents == 0)
				continue;
			r = read(l->fd, (char *)&l->msg + l->got,
			    sizeof(l->msg) - l->got);
			if (r > 0)
				l->got += (size_t)r;
			if (r == 0 || (r == -1 && errno != EINTR) ||
			    l->got == sizeof(l->msg)) {
				close(l->fd);
				l->fd = -1;
			}
		}
	}
	for (i = 0; i < nl; i++) {
		struct xchg_host *host = &hosts[lk[i].host];

		if (lk[i].fd != -1) {
			/* The deadline came first: abandon it. */
			(void)kill(lk[i].pid, SIGKILL);
			close(lk[i].fd);
			lk[i].fd = -1;
			host->timed_out = 1;
			host->gai_error = EAI_AGAIN;
		} else if (lk[i].got != sizeof(lk[i].msg)) {
			host->gai_error = EAI_FAIL;	/* the child died */
		} else {
			host->gai_error = lk[i].msg.gai_error;
			if (host->gai_error == 0)
				found[lk[i].host] = &lk[i].msg;
		}
		while (waitpid(lk[i].pid, NULL, 0) == -1 && errno == EINTR)
			;
		memset(&e, 0, sizeof(e));
		e.host = host->name;
		if (lk[i].got == sizeof(lk[i].msg) && lk[i].msg.no_service) {
			e.type = XCHG_NO_SERVICE;
			notify(cfg, &e);
		}
		if (host->gai_error != 0) {
			e.type = XCHG_UNRESOLVED;
			e.gai_error = host->gai_error;
			e.timed_out = host->timed_out;
			notify(cfg, &e);
		}
	}
	return xchg_share(hosts, nhosts, found, servers, n, cfg);
}

static int
known(const struct ntp_server *servers, size_t n, const struct sockaddr *sa,
    socklen_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (servers[i].sslen == len &&
		    memcmp(&servers[i].ss, sa, len) == 0)
			return 1;
	return 0;
}

/*
 * Take the addresses of the names just resolved (found[h], NULL for the
 * others) into the table, each once: every name gets its share of the
 * MAX_PEERS places.  The names still unresolved keep MAX_PEERS / nhosts
 * places each for a later -W round; the rest go to the names just
 * resolved in turn, one address of each name per pass, so that a name
 * with a hundred addresses cannot crowd out the names after it.  Returns
 * the new number of servers.
 */
size_t
xchg_share(struct xchg_host *hosts, size_t nhosts,
    const struct xchg_lookup *const *found, struct ntp_server *servers,
    size_t n, const struct xchg_config *cfg)
{
	size_t h, reserved = 0, room, quota, pass;
	size_t asked[MAX_HOSTS], seen[MAX_HOSTS];
	const struct sockaddr *sa;
	struct ntp_server *s;
	struct xchg_event e;
	socklen_t len;
	int more = 1;

	if (nhosts == 0 || nhosts > MAX_HOSTS)
		return n;
	quota = MAX_PEERS / nhosts;
	for (h = 0; h < nhosts; h++) {
		asked[h] = seen[h] = 0;
		if (found[h] != NULL)
			hosts[h].resolved = 1;
		else if (!hosts[h].resolved)
			reserved += quota;
	}
	room = n + reserved < MAX_PEERS ? MAX_PEERS - n - reserved : 0;
	memset(&e, 0, sizeof(e));
	for (pass = 0; more && room > 0; pass++) {
		more = 0;
		for (h = 0; h < nhosts && room > 0; h++) {
			if (found[h] == NULL || pass >= found[h]->naddr)
				continue;
			more = 1;
			seen[h]++;
			sa = &found[h]->addr[pass].u.sa;
			len = (socklen_t)found[h]->addr[pass].len;
			if (known(servers, n, sa, len))
				continue;
			s = &servers[n];
			memset(s, 0, sizeof(*s));
			s->host = hosts[h].name;
			s->sslen = len;
			memcpy(&s->ss, sa, len);
			fmt_addr(sa, s->addr, sizeof(s->addr));
			e.type = XCHG_ADDRESS;
			e.host = hosts[h].name;
			e.server = s;
			e.index = n++;
			e.port = port_of(sa);
			notify(cfg, &e);
			room--;
			asked[h]++;
		}
	}
	for (h = 0; h < nhosts; h++)
		if (found[h] != NULL && seen[h] < found[h]->naddr) {
			e.type = XCHG_TOO_MANY;
			e.host = hosts[h].name;
			e.len = asked[h];
			notify(cfg, &e);
		}
	return n;
}

static void
finish(struct xchg_peer *p)
{
	if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
	p->done = 1;
}

static void
give_up(struct xchg_peer *p, int error)
{
	p->res->error = error;
	finish(p);
}

static int64_t
doubled(int64_t rto)
{
	return rto > RTO_MAX_NS / 2 ? RTO_MAX_NS : 2 * rto;
}

/*
 * The server answered, but not with time (stratum 16, a verified ICMP
 * error): done for this round; the next request, in a later round, waits
 * at least min_wait, and longer each time.
 */
static void
answered_no(struct xchg_peer *p, int64_t min_wait)
{
	struct ntp_result *res = p->res;

	res->waiting = 0;
	res->rto = doubled(res->rto);
	if (res->rto < min_wait)
		res->rto = min_wait;
	res->next_tx = clock_mono_ns() + res->rto;
	finish(p);
}

static struct xchg_request *
find_request(struct xchg_peer *p, uint64_t org)
{
	int i;

	for (i = 0; i < MAX_REQUESTS && i < p->sent; i++)
		if (p->req[i].xmt == org)
			return &p->req[i];
	return NULL;
}

/* A message for recvmsg(): one buffer for the datagram, one for control data. */
static void
msg_init(struct msghdr *msg, struct iovec *iov, void *buf, size_t len,
    void *control, size_t control_len)
{
	iov->iov_base = buf;
	iov->iov_len = len;
	memset(msg, 0, sizeof(*msg));
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	msg->msg_control = control;
	msg->msg_controllen = control_len;
}

/*
 * Read one ICMP error from the socket's error queue; returns 0 when there
 * was none.  RFC 8085 section 5.2: an application SHOULD check that an
 * ICMP error quotes a datagram it sent.  Anyone can send an ICMP port
 * unreachable for a guessed port; only one whose quote holds one of our
 * requests' random transmit timestamps, which never left the path to the
 * server, ends the server.  Hosts quote as much of the datagram as fits
 * in 576 bytes (RFC 1812 section 4.3.2.3; Linux does): all of our 48.  An
 * error that quotes less is reported and otherwise ignored: the server
 * then gets its -t, as a silent one would.
 */
static int
read_icmp(struct xchg_peer *p, const struct xchg_config *cfg)
{
	uint8_t quote[NTP_PACKET_LEN];
	union {
		char buf[ICMP_CONTROL_LEN];
		struct cmsghdr align;
	} control;
	struct icmp_report ee;
	struct xchg_event e;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cm;
	ssize_t n;
	int found = 0;

	if (!p->recverr || p->done)
		return 0;
	msg_init(&msg, &iov, quote, sizeof(quote), control.buf,
	    sizeof(control.buf));
	n = recvmsg(p->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (n == -1)
		return 0;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm))
		if (((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
		    (cm->cmsg_level == SOL_IPV6 &&
		    cm->cmsg_type == IPV6_RECVERR)) &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(ee))) {
			memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
			found = ee.ee_origin == EE_ORIGIN_ICMP ||
			    ee.ee_origin == EE_ORIGIN_ICMP6;
		}
	if (!found)
		return 1;	/* not an ICMP error: nothing to learn */
	memset(&e, 0, sizeof(e));
	e.type = XCHG_ICMP;
	e.server = p->server;
	e.index = p->index;
	e.error = (int)ee.ee_errno;
	e.len = (size_t)n;
	if (n == (ssize_t)sizeof(quote))
		e.verified = find_request(p, ntp_get64(quote +
		    NTP_OFF_TX_TS)) != NULL;
	notify(cfg, &e);
	if (e.verified) {
		p->res->error = e.error;
		answered_no(p, 0);
	} else {
		p->res->icmp_ignored++;
	}
	return 1;
}

/* An ICMP error that came just before is queued: read it, send again. */
static int
transmit(struct xchg_peer *p, const struct xchg_config *cfg,
    const uint8_t *buf, size_t len)
{
	if (send(p->fd, buf, len, 0) != -1)
		return 0;
	if (read_icmp(p, cfg) && !p->done && send(p->fd, buf, len, 0) != -1)
		return 0;
	return -1;
}

/*
 * Send the next request; its answer is due within the address's RTO.
 * Returns -1 only for a failure that ends the run.
 */
int
xchg_send(struct xchg_peer *p, const struct xchg_config *cfg,
    struct xchg_error *err)
{
	uint8_t buf[NTP_REQUEST_MAX];
	struct xchg_request *r = &p->req[p->sent % MAX_REQUESTS];
	struct ntp_result *res = p->res;
	struct xchg_event e;
	size_t len;

	if (p->sent == 0) {
		/* The address's round begins: it forgets the last one. */
		res->sent = res->nsamples = res->error = res->icmp_ignored = 0;
		res->last = NTP_OK;
		memset(&e, 0, sizeof(e));
		e.type = XCHG_START;
		e.server = p->server;
		e.index = p->index;
		notify(cfg, &e);
	}

	if (xchg_random64(&r->xmt) == -1) {
		err->what = "no random numbers";
		err->error = errno;
		return -1;
	}
	r->answered = 0;
	ntp_encode_request(buf, cfg->version, r->xmt);
	len = cfg->auth->sign(cfg->auth, p->server, &r->auth, buf,
	    NTP_PACKET_LEN, sizeof(buf));
	if (len == 0) {
		give_up(p, errno);
		return 0;
	}
	r->t1 = clock_ntp_now(cfg->clock_shift);
	if (transmit(p, cfg, buf, len) == -1) {
		if (!p->done)
			give_up(p, errno);
		return 0;
	}
	if (p->sent++ == 0)
		p->deadline = clock_mono_ns() + cfg->timeout_ns;
	res->sent = p->sent;
	res->run_sent++;
	res->waiting = 1;
	res->next_tx = clock_mono_ns() + res->rto;
	memset(&e, 0, sizeof(e));
	e.type = XCHG_TRANSMIT;
	e.server = p->server;
	e.index = p->index;
	e.len = len;
	e.bytes = buf;
	e.version = cfg->version;
	e.xmt = r->xmt;
	e.t1 = r->t1;
	notify(cfg, &e);
	return 0;
}

/*
 * The connected socket lets only datagrams from the server's address and
 * port through.  Nothing in a reply is believed before its origin matches
 * one of our nonces and it passes authentication.
 */
int
xchg_handle_reply(struct xchg_peer *p, const uint8_t *buf, size_t len,
    const struct xchg_rx *rx, const struct xchg_config *cfg,
    struct xchg_error *err)
{
	struct ntp_result *res = p->res;
	struct ntp_packet pkt;
	struct ntp_sample s;
	struct xchg_request *r = NULL;
	struct xchg_event e;
	enum ntp_verdict v;

	memset(&s, 0, sizeof(s));
	v = ntp_decode(buf, len, &pkt);
	if (v == NTP_OK) {
		r = find_request(p, pkt.org);
		if (r == NULL)
			v = NTP_BOGUS;
		else if (r->answered)
			v = NTP_DUPLICATE;
		else if ((v = cfg->auth->verify(cfg->auth, p->server, &r->auth,
		    buf, len)) == NTP_OK)
			v = ntp_check_reply(&pkt, r->xmt, r->t1, rx->t4, &s);
	}
	memset(&e, 0, sizeof(e));
	e.type = XCHG_RECEIVE;
	e.server = p->server;
	e.index = p->index;
	e.len = rx->len;
	e.truncated = rx->truncated;
	e.pkt = &pkt;
	e.bytes = buf;
	e.verdict = v;
	e.sample = &s;
	e.t4_source = rx->t4_source;
	notify(cfg, &e);
	/*
	 * A reply whose MAC is missing or fails may be a forgery by anyone
	 * who saw our request: the request stays open for the real reply.
	 */
	if (v != NTP_DUPLICATE && r != NULL && !ntp_verdict_is_forgery(v)) {
		r->answered = 1;
		res->answered++;
		res->losses = 0;
	}
	if (v != NTP_OK) {
		res->last = v;
		res->last_pkt = pkt;
		if (!ntp_verdict_is_server_state(v))
			return 0;
		/*
		 * RFC 5905 section 7.4: RATE means slow down, DENY and RSTR
		 * stop.  We ask no more in this run either way; after RATE
		 * what arrived is kept, the others taint the server.
		 */
		if (v != NTP_KOD_RATE)
			res->nsamples = 0;
		res->kissed = v == NTP_KOD_RATE || v == NTP_KOD_DENY ||
		    v == NTP_KOD_RSTR;
		answered_no(p, REASK_MIN_NS);
		return 0;
	}
	res->sample[res->nsamples++] = s;
	res->waiting = 0;
	res->rto = RTO_RTT_FACTOR * (int64_t)(ntp_dur_to_double(s.delay) *
	    NSEC_PER_SEC);
	if (res->rto < RTO_MIN_NS)
		res->rto = RTO_MIN_NS;
	if (res->nsamples == cfg->samples) {
		finish(p);
		return 0;
	}
	return xchg_send(p, cfg, err);
}

/*
 * Read what the socket holds; T4 is the kernel's receive time where it
 * gives one.  Datagrams can arrive as fast as they are read (a flood of
 * forgeries, -d to a slow reader): after a batch, or once the server's
 * deadline has passed, return so that the caller looks at the deadlines
 * and the other servers again.
 */
int
xchg_receive(struct xchg_peer *p, const struct xchg_config *cfg,
    struct xchg_error *err)
{
	uint8_t buf[XCHG_RECV_BUF_LEN];
	union {
		char buf[RECV_CONTROL_LEN];
		struct cmsghdr align;
	} control;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cm;
	struct timespec ts;
	struct xchg_rx rx;
	ssize_t n;
	int batch, error;

	for (batch = 0; !p->done && batch < XCHG_RECV_BATCH; batch++) {
		if (batch > 0 && clock_mono_ns() >= p->deadline)
			break;
		if (read_icmp(p, cfg))
			continue;
		msg_init(&msg, &iov, buf, sizeof(buf), control.buf,
		    sizeof(control.buf));
		/* MSG_TRUNC: the datagram's own length, even beyond buf. */
		n = recvmsg(p->fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return 0;
			/* An ICMP error that came after read_icmp(). */
			error = errno;
			if (read_icmp(p, cfg))
				continue;
			give_up(p, error);
			return 0;
		}
		rx.len = (size_t)n;
		rx.truncated = (msg.msg_flags & MSG_TRUNC) != 0 ||
		    rx.len > sizeof(buf);
		rx.t4 = clock_ntp_now(cfg->clock_shift);
		rx.t4_source = (msg.msg_flags & MSG_CTRUNC) != 0 ?
		    XCHG_T4_CUT : XCHG_T4_CLOCK;
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
		    cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_TIMESTAMPNS &&
			    cm->cmsg_len >= CMSG_LEN(sizeof(ts))) {
				memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
				rx.t4 = clock_ntp(ts, cfg->clock_shift);
				rx.t4_source = XCHG_T4_KERNEL;
			}
		}
		if (xchg_handle_reply(p, buf, rx.truncated ? sizeof(buf) :
		    rx.len, &rx, cfg, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * The address's time is due: the last request is lost if it is still
 * unanswered, and the next one leaves, unless the server went silent after
 * answering, or its round may not begin any more.  Returns -1 only for a
 * failure that ends the run.
 */
int
xchg_due(struct xchg_peer *p, int64_t now, const struct xchg_config *cfg,
    struct xchg_error *err)
{
	struct ntp_result *res = p->res;

	if (res->waiting) {
		res->waiting = 0;
		res->losses++;
		res->rto = doubled(res->rto);
		if (res->answered > 0 && res->losses >= SILENT_LOSSES) {
			res->limited = 1;
			finish(p);
			return 0;
		}
	}
	if (p->sent == 0 && cfg->until != 0 && now >= cfg->until) {
		finish(p);
		return 0;
	}
	return xchg_send(p, cfg, err);
}

/* Open the address's socket; its first request leaves when it is due. */
static void
start(struct xchg_peer *p)
{
	int on = 1;

	p->fd = socket(p->server->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p->fd == -1) {
		give_up(p, errno);
		return;
	}
	/* Without the kernel timestamp T4 is read a little later: not fatal. */
	(void)setsockopt(p->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
	/* ICMP errors with what they quote; see read_icmp(). */
	p->recverr = p->server->ss.ss_family == AF_INET6 ?
	    setsockopt(p->fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof(on)) == 0 :
	    setsockopt(p->fd, SOL_IP, IP_RECVERR, &on, sizeof(on)) == 0;
	if (connect(p->fd, (const struct sockaddr *)&p->server->ss,
	    p->server->sslen) == -1)
		give_up(p, errno);
}

static void
close_all(struct xchg_peer *peers, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (peers[i].fd != -1)
			close(peers[i].fd);
}

/*
 * All addresses are asked at once; each gets its samples one after the
 * other, the next request leaving as soon as the previous reply is in.
 * A round begins only the addresses that are due by their pace (-W's
 * rounds come when one is), not one that sent a kiss-o'-death or went
 * silent after answering earlier in the run, is held or could not be
 * asked (NTS-KE failed), and none after cfg->until.
 * Returns -1 for a failure that ends the run (err says which).
 */
int
xchg_round(const struct ntp_server *servers, struct ntp_result *res, size_t n,
    const struct xchg_config *cfg, struct xchg_error *err)
{
	struct xchg_peer peers[MAX_PEERS];
	struct pollfd pfd[MAX_PEERS];
	struct xchg_peer *map[MAX_PEERS];
	struct timespec wait;
	int64_t now, wake;
	size_t i, nfds;

	now = clock_mono_ns();
	for (i = 0; i < n; i++) {
		memset(&peers[i], 0, sizeof(peers[i]));
		peers[i].server = &servers[i];
		peers[i].index = i;
		peers[i].res = &res[i];
		peers[i].fd = -1;
		peers[i].deadline = INT64_MAX;
		if (res[i].kissed || res[i].limited || res[i].hold ||
		    res[i].unasked[0] != '\0' || res[i].next_tx > now ||
		    (cfg->until != 0 && now >= cfg->until)) {
			peers[i].done = 1;	/* keeps its last round's result */
			continue;
		}
		if (res[i].rto == 0)
			res[i].rto = RTO_INITIAL_NS;
		start(&peers[i]);
	}
	for (;;) {
		wake = INT64_MAX;
		for (nfds = 0, i = 0; i < n; i++) {
			if (peers[i].done)
				continue;
			pfd[nfds].fd = peers[i].fd;
			pfd[nfds].events = POLLIN;
			map[nfds++] = &peers[i];
			if (res[i].next_tx < wake)
				wake = res[i].next_tx;
			if (peers[i].deadline < wake)
				wake = peers[i].deadline;
		}
		if (nfds == 0)
			return 0;
		now = clock_mono_ns();
		wake = wake > now ? wake - now : 0;
		wait.tv_sec = (time_t)(wake / NSEC_PER_SEC);
		wait.tv_nsec = (long)(wake % NSEC_PER_SEC);
		if (ppoll(pfd, nfds, &wait, NULL) == -1 && errno != EINTR) {
			err->what = "poll";
			err->error = errno;
			goto fatal;
		}
		for (i = 0; i < nfds; i++)
			if (pfd[i].revents != 0 &&
			    xchg_receive(map[i], cfg, err) == -1)
				goto fatal;
		now = clock_mono_ns();
		for (i = 0; i < nfds; i++) {
			struct xchg_peer *p = map[i];

			if (p->done)
				continue;
			/* An unanswered request stays due into the next round. */
			if (now >= p->deadline)
				finish(p);
			else if (now >= p->res->next_tx &&
			    xchg_due(p, now, cfg, err) == -1)
				goto fatal;
		}
	}
fatal:
	close_all(peers, n);
	return -1;
}
