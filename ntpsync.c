/*
 * ntpsync - set the clock once from one or more NTP servers (SNTP, RFC 4330
 * and RFC 5905), with ntpdate's command line and messages.
 *
 * This file holds everything that touches the outside world: the command
 * line, name resolution, the sockets, the clock and the output.  The
 * protocol arithmetic lives in ntp_packet.c.
 */
#define _GNU_SOURCE
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ntp_packet.h"

#define NTPSYNC_VERSION		"0.1.0"

#define MAX_PEERS		16	/* server addresses in one run */
#define MAX_REQUESTS		8	/* requests remembered per address */
#define SAMPLES_MIN		1
#define SAMPLES_MAX		8	/* as ntpdate's -p */
#define SAMPLES_DEFAULT		4
#define TIMEOUT_DEFAULT		"1"	/* seconds a server gets in all */
#define TIMEOUT_MAX_SEC		3600
#define RECV_BUF_LEN		1024	/* header, extension fields and MAC */
#define TS_STR_LEN		128	/* a timestamp as fmt_ts() writes it */

#define NS_PER_MS		1000000LL
/*
 * Retransmission: a LAN answers in well under a millisecond, so a request
 * without an answer after RTO_INITIAL is taken as lost and sent again;
 * once a reply has shown the real round trip, RTO_RTT_FACTOR times it
 * (at least RTO_MIN).  After a first sample, GIVEUP_LOSSES unanswered
 * requests in a row mean the server rate-limits by silence: we keep what
 * we have rather than spend the whole timeout.
 */
#define RTO_INITIAL_NS		(100 * NS_PER_MS)
#define RTO_MIN_NS		(20 * NS_PER_MS)
#define RTO_RTT_FACTOR		4
#define GIVEUP_LOSSES		2

/* ntpdate's rule: step at or above half a second, slew below. */
#define STEP_THRESHOLD		NTP_DUR_MSEC(500)
/* musl's adjtime refuses more; at 0.5 ms/s it would take 23 days anyway. */
#define SLEW_MAX		NTP_DUR_SEC(1000)

/* Exit codes; the README and ntpsync.8 list them. */
#define EXIT_SYNCED		0
#define EXIT_NO_SUITABLE	1
#define EXIT_USAGE		2
#define EXIT_DNS		3
#define EXIT_NO_REPLY		4
#define EXIT_CLOCK		5

enum adjust { ADJUST_AUTO, ADJUST_STEP, ADJUST_SLEW };

static struct {
	int		family;
	enum adjust	adjust;
	int		debug;
	int		query;
	int		use_syslog;
	int		verbose;
	int		samples;
	int		version;
	int64_t		timeout_ns;
} opt = { AF_UNSPEC, ADJUST_AUTO, 0, 0, 0, 0, SAMPLES_DEFAULT,
    NTP_VERSION, 0 };

struct request {
	uint64_t	xmt;		/* random nonce sent as transmit time */
	uint64_t	t1;		/* real send time */
	int		answered;
};

struct peer {
	const char		*host;
	char			 addr[NI_MAXHOST];
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 fd;
	int			 done;
	int			 sent;
	int			 losses;	/* unanswered in a row */
	int64_t			 rto;
	int64_t			 next_tx;	/* CLOCK_MONOTONIC ns */
	int64_t			 deadline;
	struct request		 req[MAX_REQUESTS];
	int			 nsamples;
	struct ntp_sample	 sample[SAMPLES_MAX];
	struct ntp_packet	 pkt[SAMPLES_MAX];
	enum ntp_verdict	 last;		/* why the last reply failed */
	int			 error;		/* errno of a socket failure */
};

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static const char *const leap_names[] = { "no warning",
    "last minute has 61 s", "last minute has 59 s", "alarm: unsynchronized" };
static const char *const mode_names[] = { "reserved", "symmetric active",
    "symmetric passive", "client", "server", "broadcast", "control",
    "private" };

static void __attribute__((format(printf, 2, 3)))
logmsg(int prio, const char *fmt, ...)
{
	va_list ap;
	struct tm tm;
	time_t now;
	FILE *out = prio <= LOG_ERR ? stderr : stdout;

	va_start(ap, fmt);
	if (opt.use_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		/* ntpdate's prefix, so that scripts parsing it by field still work. */
		now = time(NULL);
		localtime_r(&now, &tm);
		fprintf(out, "%2d %s %02d:%02d:%02d ntpsync[%ld]: ", tm.tm_mday,
		    months[tm.tm_mon], tm.tm_hour, tm.tm_min, tm.tm_sec,
		    (long)getpid());
		vfprintf(out, fmt, ap);
		fputc('\n', out);
	}
	va_end(ap);
}

static void __attribute__((noreturn))
usage(const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		fputs("ntpsync: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	fputs("usage: ntpsync [-46bBdqsuvV] [-p samples] [-t timeout] "
	    "[-o version] server ...\n", fmt != NULL ? stderr : stdout);
	exit(fmt != NULL ? EXIT_USAGE : EXIT_SYNCED);
}

static int
parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

/* Seconds with an optional fraction ("0.25"), without pulling in strtod. */
static int
parse_seconds(const char *s, int64_t *ns)
{
	int64_t sec = 0, frac = 0, scale = NSEC_PER_SEC;

	if (*s == '\0' || *s == '.')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		sec = sec * 10 + (*s - '0');
		if (sec > TIMEOUT_MAX_SEC)
			return -1;
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			if (scale >= 10) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
	if (*s != '\0' || sec * NSEC_PER_SEC + frac == 0)
		return -1;
	*ns = sec * NSEC_PER_SEC + frac;
	return 0;
}

static int64_t
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static uint64_t
ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ntp_from_timespec(&ts);
}

/*
 * The nonce must not wait for the entropy pool: at boot, where we run,
 * getrandom() can block for minutes on a board without entropy sources,
 * and kernels before 3.17 lack it.  /dev/urandom never blocks.
 */
static uint64_t
random64(void)
{
	uint64_t v = 0;
	int fd;

	while (v == 0) {
		if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
			continue;
		fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd == -1 || read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v)) {
			logmsg(LOG_ERR, "no random numbers: %s", strerror(errno));
			exit(EXIT_NO_SUITABLE);
		}
		close(fd);
	}
	return v;
}

/* "e5a1b2c3.12345678 2026-11-25 03:22:58.071234 UTC" */
static const char *
fmt_ts(uint64_t t, char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	if (t == 0) {
		snprintf(buf, len, "00000000.00000000 (zero)");
		return buf;
	}
	ntp_to_timespec(t, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, len, "%08x.%08x %04d-%02d-%02d %02d:%02d:%02d.%06ld UTC",
	    (unsigned)(t >> 32), (unsigned)t, tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
	return buf;
}

/* Stratum 0 and 1 refids are ASCII (a kiss code, "GPS"), above an address. */
static const char *
fmt_refid(const struct ntp_packet *p, char *buf, size_t len)
{
	uint32_t r = p->refid;
	char text[5];
	int i;

	for (i = 0; i < 4; i++) {
		text[i] = (char)(r >> (24 - 8 * i));
		if (text[i] < ' ' || text[i] > '~')
			text[i] = '.';
	}
	text[4] = '\0';
	snprintf(buf, len, "%u.%u.%u.%u \"%s\"", r >> 24, r >> 16 & 0xff,
	    r >> 8 & 0xff, r & 0xff, text);
	return buf;
}

static void
dump_reply(const struct peer *p, const struct ntp_packet *pkt, size_t len,
    enum ntp_verdict v, const struct ntp_sample *s, int kernel_rx)
{
	char b1[TS_STR_LEN], b2[TS_STR_LEN];

	printf("receive %s: %zu bytes\n", p->addr, len);
	if (v == NTP_SHORT)
		goto verdict;
	printf("  leap %u (%s), version %u, mode %u (%s), stratum %u, poll %d, "
	    "precision %d (%.9f s)\n", pkt->leap, leap_names[pkt->leap],
	    pkt->version, pkt->mode, mode_names[pkt->mode], pkt->stratum,
	    pkt->poll, pkt->precision,
	    ntp_dur_to_double(ntp_precision_to_dur(pkt->precision)));
	printf("  root delay %.6f s, root dispersion %.6f s, refid %s\n",
	    ntp_dur_to_double(ntp_short_to_dur(pkt->root_delay)),
	    ntp_dur_to_double(ntp_short_to_dur(pkt->root_disp)),
	    fmt_refid(pkt, b1, sizeof(b1)));
	printf("  reference %s\n", fmt_ts(pkt->ref, b1, sizeof(b1)));
	/* Our random nonce, not a time: no date to show. */
	printf("  origin    %016llx\n", (unsigned long long)pkt->org);
	printf("  receive   %s  (T2)\n", fmt_ts(pkt->rx, b1, sizeof(b1)));
	printf("  transmit  %s  (T3)\n", fmt_ts(pkt->tx, b1, sizeof(b1)));
	if (v == NTP_OK || ntp_verdict_is_server_state(v)) {
		printf("  T1 %s, T4 %s (%s)\n", fmt_ts(s->t1, b1, sizeof(b1)),
		    fmt_ts(s->t4, b2, sizeof(b2)),
		    kernel_rx ? "kernel timestamp" : "read after receipt");
	}
	if (v == NTP_OK || v == NTP_ROOT_DISTANCE || v == NTP_NEGATIVE_DELAY)
		printf("  offset %+.6f s, delay %.6f s, root distance %.6f s\n",
		    ntp_dur_to_double(s->offset), ntp_dur_to_double(s->delay),
		    ntp_dur_to_double(s->root_distance));
verdict:
	if (v == NTP_OK)
		printf("  accepted\n");
	else
		printf("  rejected: %s (%s)\n", ntp_verdict_name(v),
		    ntp_verdict_why(v));
}

static void
finish(struct peer *p)
{
	if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
	p->done = 1;
}

static void
give_up(struct peer *p, int error)
{
	p->error = error;
	finish(p);
}

static void
send_request(struct peer *p, int64_t now)
{
	uint8_t buf[NTP_PACKET_LEN];
	struct request *r = &p->req[p->sent % MAX_REQUESTS];
	char b1[TS_STR_LEN];

	r->xmt = random64();
	r->answered = 0;
	ntp_encode_request(buf, opt.version, r->xmt);
	r->t1 = ntp_now();
	if (send(p->fd, buf, sizeof(buf), 0) == -1) {
		give_up(p, errno);
		return;
	}
	p->sent++;
	p->next_tx = now + p->rto;
	if (opt.debug)
		printf("transmit %s: %zu bytes, version %d, mode %d, "
		    "transmit (random) %016llx, T1 %s\n", p->addr, sizeof(buf),
		    opt.version, NTP_MODE_CLIENT, (unsigned long long)r->xmt,
		    fmt_ts(r->t1, b1, sizeof(b1)));
}

static struct request *
find_request(struct peer *p, uint64_t org)
{
	int i;

	for (i = 0; i < MAX_REQUESTS && i < p->sent; i++)
		if (p->req[i].xmt == org)
			return &p->req[i];
	return NULL;
}

/*
 * The connected socket lets only datagrams from the server's address and
 * port through, and turns ICMP port unreachable into ECONNREFUSED.
 */
static void
handle_reply(struct peer *p, const uint8_t *buf, size_t len, uint64_t t4,
    int kernel_rx)
{
	struct ntp_packet pkt;
	struct ntp_sample s;
	struct request *r = NULL;
	enum ntp_verdict v;

	memset(&s, 0, sizeof(s));
	v = ntp_decode(buf, len, &pkt);
	if (v == NTP_OK) {
		r = find_request(p, pkt.org);
		if (r == NULL)
			v = NTP_BOGUS;
		else if (r->answered)
			v = NTP_DUPLICATE;
		else
			v = ntp_check_reply(&pkt, r->xmt, r->t1, t4, &s);
	}
	if (opt.debug)
		dump_reply(p, &pkt, len, v, &s, kernel_rx);
	if (v != NTP_DUPLICATE && r != NULL)
		r->answered = 1;
	if (v != NTP_OK) {
		p->last = v;
		if (!ntp_verdict_is_server_state(v))
			return;
		/* RATE: stop asking, keep what arrived; the rest taint the server. */
		if (v != NTP_KOD_RATE)
			p->nsamples = 0;
		finish(p);
		return;
	}
	p->sample[p->nsamples] = s;
	p->pkt[p->nsamples] = pkt;
	p->nsamples++;
	p->losses = 0;
	p->rto = RTO_RTT_FACTOR * (int64_t)(ntp_dur_to_double(s.delay) *
	    NSEC_PER_SEC);
	if (p->rto < RTO_MIN_NS)
		p->rto = RTO_MIN_NS;
	if (p->nsamples == opt.samples)
		finish(p);
	else
		send_request(p, mono_now());
}

/* Drain the socket; T4 is the kernel's receive time where it gives one. */
static void
receive(struct peer *p)
{
	uint8_t buf[RECV_BUF_LEN];
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} control;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cm;
	struct timespec ts;
	uint64_t t4;
	ssize_t n;
	int kernel_rx;

	while (!p->done) {
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		n = recvmsg(p->fd, &msg, MSG_DONTWAIT);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				give_up(p, errno);
			return;
		}
		t4 = ntp_now();
		kernel_rx = 0;
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
		    cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_TIMESTAMPNS) {
				memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
				t4 = ntp_from_timespec(&ts);
				kernel_rx = 1;
			}
		}
		handle_reply(p, buf, (size_t)n, t4, kernel_rx);
	}
}

static void
start(struct peer *p, int64_t now)
{
	int on = 1;

	p->rto = RTO_INITIAL_NS;
	p->deadline = now + opt.timeout_ns;
	p->fd = socket(p->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p->fd == -1) {
		give_up(p, errno);
		return;
	}
	/* Without the kernel timestamp T4 is read a little later: not fatal. */
	(void)setsockopt(p->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
	if (connect(p->fd, (struct sockaddr *)&p->ss, p->sslen) == -1) {
		give_up(p, errno);
		return;
	}
	send_request(p, now);
}

/*
 * All addresses are asked at once; each gets its samples one after the
 * other, the next request leaving as soon as the previous reply is in.
 */
static void
exchange(struct peer *peers, size_t n)
{
	struct pollfd pfd[MAX_PEERS];
	struct peer *map[MAX_PEERS];
	struct timespec wait;
	int64_t now, wake;
	size_t i, nfds;

	now = mono_now();
	for (i = 0; i < n; i++)
		start(&peers[i], now);
	for (;;) {
		wake = INT64_MAX;
		for (nfds = 0, i = 0; i < n; i++) {
			if (peers[i].done)
				continue;
			pfd[nfds].fd = peers[i].fd;
			pfd[nfds].events = POLLIN;
			map[nfds++] = &peers[i];
			if (peers[i].next_tx < wake)
				wake = peers[i].next_tx;
			if (peers[i].deadline < wake)
				wake = peers[i].deadline;
		}
		if (nfds == 0)
			return;
		now = mono_now();
		wake = wake > now ? wake - now : 0;
		wait.tv_sec = (time_t)(wake / NSEC_PER_SEC);
		wait.tv_nsec = (long)(wake % NSEC_PER_SEC);
		if (ppoll(pfd, nfds, &wait, NULL) == -1 && errno != EINTR) {
			logmsg(LOG_ERR, "poll: %s", strerror(errno));
			exit(EXIT_NO_SUITABLE);
		}
		for (i = 0; i < nfds; i++)
			if (pfd[i].revents != 0)
				receive(map[i]);
		now = mono_now();
		for (i = 0; i < nfds; i++) {
			struct peer *p = map[i];

			if (p->done)
				continue;
			if (now >= p->deadline) {
				finish(p);
			} else if (now >= p->next_tx) {
				if (p->nsamples > 0 && ++p->losses >= GIVEUP_LOSSES)
					finish(p);
				else
					send_request(p, now);
			}
		}
	}
}

/* Every address of every name, each once; returns how many names resolved. */
static size_t
resolve(char **hosts, int nhosts, struct peer *peers, size_t *npeers)
{
	struct addrinfo hints, *res, *ai;
	size_t i, resolved = 0;
	int h, e;

	for (h = 0; h < nhosts; h++) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = opt.family;
		hints.ai_socktype = SOCK_DGRAM;
		if (opt.debug)
			printf("resolving %s, service ntp\n", hosts[h]);
		e = getaddrinfo(hosts[h], "ntp", &hints, &res);
		if (e == EAI_SERVICE) {
			/* No "ntp" line in /etc/services: ntpdate dies here. */
			if (opt.debug || opt.verbose)
				logmsg(LOG_INFO, "%s: service ntp unknown "
				    "(no /etc/services entry), using port %d",
				    hosts[h], NTP_PORT);
			hints.ai_flags = AI_NUMERICSERV;
			e = getaddrinfo(hosts[h], NTP_PORT_STR, &hints, &res);
		}
		if (e != 0) {
			logmsg(LOG_ERR, "cannot resolve %s: %s", hosts[h],
			    gai_strerror(e));
			continue;
		}
		resolved++;
		for (ai = res; ai != NULL; ai = ai->ai_next) {
			struct peer *p = &peers[*npeers];

			if (ai->ai_addrlen > sizeof(p->ss))
				continue;
			for (i = 0; i < *npeers; i++)
				if (peers[i].sslen == ai->ai_addrlen &&
				    memcmp(&peers[i].ss, ai->ai_addr,
				    ai->ai_addrlen) == 0)
					break;
			if (i < *npeers)
				continue;
			if (*npeers == MAX_PEERS) {
				logmsg(LOG_WARNING, "more than %d addresses, "
				    "ignoring the rest", MAX_PEERS);
				break;
			}
			memset(p, 0, sizeof(*p));
			p->fd = -1;
			p->host = hosts[h];
			memcpy(&p->ss, ai->ai_addr, ai->ai_addrlen);
			p->sslen = ai->ai_addrlen;
			if (getnameinfo(ai->ai_addr, ai->ai_addrlen, p->addr,
			    sizeof(p->addr), NULL, 0, NI_NUMERICHOST) != 0)
				snprintf(p->addr, sizeof(p->addr), "?");
			if (opt.debug)
				printf("  %s -> %s port %u\n", hosts[h], p->addr,
				    ntohs(ai->ai_family == AF_INET6 ?
				    ((struct sockaddr_in6 *)ai->ai_addr)->sin6_port :
				    ((struct sockaddr_in *)ai->ai_addr)->sin_port));
			(*npeers)++;
		}
		freeaddrinfo(res);
	}
	return resolved;
}

/* Whether every server's outcome is shown, not only a failed run's. */
static int
chatty(void)
{
	return opt.debug || opt.verbose || opt.query;
}

static void
print_failure(const struct peer *p)
{
	FILE *out = chatty() ? stdout : stderr;

	if (p->error == ECONNREFUSED)
		fprintf(out, "%s: Server dropped: no reply: ICMP port "
		    "unreachable (nothing listens on port %d there)\n", p->addr,
		    NTP_PORT);
	else if (p->error != 0)
		fprintf(out, "%s: Server dropped: no reply: %s\n", p->addr,
		    strerror(p->error));
	else if (p->last != NTP_OK)
		fprintf(out, "%s: Server dropped: %s (%s)\n", p->addr,
		    ntp_verdict_name(p->last), ntp_verdict_why(p->last));
	else
		fprintf(out, "%s: Server dropped: no reply within %lld.%03lld s "
		    "(%d requests sent)\n", p->addr,
		    (long long)(opt.timeout_ns / NSEC_PER_SEC),
		    (long long)(opt.timeout_ns % NSEC_PER_SEC / NS_PER_MS),
		    p->sent);
}

static int
want_step(ntp_dur offset)
{
	if (opt.adjust != ADJUST_AUTO)
		return opt.adjust == ADJUST_STEP;
	return offset >= STEP_THRESHOLD || offset <= -STEP_THRESHOLD;
}

/*
 * Step by exactly the measured offset, or slew by exactly it: no 50 %
 * overshoot as in ntpdate.  Returns the exit code.
 */
static int
set_clock(const char *addr, ntp_dur offset)
{
	struct timespec ts;
	struct timeval tv;

	if (want_step(offset)) {
		/* The offset was measured against the clock as it is now. */
		clock_gettime(CLOCK_REALTIME, &ts);
		ntp_timespec_add(&ts, offset);
		if (clock_settime(CLOCK_REALTIME, &ts) == -1) {
			logmsg(LOG_ERR, "cannot step the clock by %+.6f s: %s",
			    ntp_dur_to_double(offset), strerror(errno));
			return EXIT_CLOCK;
		}
		logmsg(LOG_NOTICE, "step time server %s offset %+.6f sec", addr,
		    ntp_dur_to_double(offset));
		return EXIT_SYNCED;
	}
	if (offset > SLEW_MAX || offset < -SLEW_MAX) {
		logmsg(LOG_ERR, "cannot slew the clock by %+.6f s: more than "
		    "%d s; step it (-b)", ntp_dur_to_double(offset),
		    (int)(SLEW_MAX >> 32));
		return EXIT_CLOCK;
	}
	ntp_dur_to_timeval(offset, &tv);
	if (adjtime(&tv, NULL) == -1) {
		logmsg(LOG_ERR, "cannot slew the clock by %+.6f s: %s",
		    ntp_dur_to_double(offset), strerror(errno));
		return EXIT_CLOCK;
	}
	logmsg(LOG_NOTICE, "adjust time server %s offset %+.6f sec", addr,
	    ntp_dur_to_double(offset));
	return EXIT_SYNCED;
}

/* Pick the server, report, and set the clock; returns the exit code. */
static int
conclude(struct peer *peers, size_t n)
{
	const struct ntp_sample *cand[MAX_PEERS];
	struct peer *cpeer[MAX_PEERS];
	int stratum[MAX_PEERS], falseticker[MAX_PEERS];
	size_t i, b, nc = 0, chosen;
	int heard = 0;
	struct peer *p;

	for (i = 0; i < n; i++) {
		p = &peers[i];
		heard |= p->nsamples > 0 || p->last != NTP_OK;
		if (p->nsamples == 0) {
			if (chatty())
				print_failure(p);
			continue;
		}
		b = ntp_best_sample(p->sample, (size_t)p->nsamples);
		cand[nc] = &p->sample[b];
		stratum[nc] = p->pkt[b].stratum;
		cpeer[nc++] = p;
		if (opt.query || opt.debug)
			printf("server %s, stratum %d, offset %+.6f, delay %.5f\n",
			    p->addr, p->pkt[b].stratum,
			    ntp_dur_to_double(p->sample[b].offset),
			    ntp_dur_to_double(p->sample[b].delay));
	}
	if (nc == 0) {
		if (!chatty())
			for (i = 0; i < n; i++)
				print_failure(&peers[i]);
		logmsg(LOG_ERR, "no server suitable for synchronization found");
		return heard ? EXIT_NO_SUITABLE : EXIT_NO_REPLY;
	}
	chosen = ntp_select(cand, stratum, nc, falseticker);
	for (i = 0; i < nc; i++)
		if (falseticker[i] && chatty())
			printf("%s: Server dropped: disagrees with the majority "
			    "(offset %+.6f)\n", cpeer[i]->addr,
			    ntp_dur_to_double(cand[i]->offset));
	if (opt.query || opt.debug) {
		logmsg(LOG_NOTICE, "%s time server %s offset %+.6f sec",
		    want_step(cand[chosen]->offset) ? "step" : "adjust",
		    cpeer[chosen]->addr, ntp_dur_to_double(cand[chosen]->offset));
		if (opt.debug)
			printf("clock not changed: -d never sets it\n");
		return EXIT_SYNCED;
	}
	return set_clock(cpeer[chosen]->addr, cand[chosen]->offset);
}

int
main(int argc, char **argv)
{
	static struct peer peers[MAX_PEERS];
	size_t npeers = 0, resolved;
	int ch;

	if (parse_seconds(TIMEOUT_DEFAULT, &opt.timeout_ns) == -1)
		return EXIT_USAGE;
	while ((ch = getopt(argc, argv, "46bBdhqsuvVo:p:t:")) != -1) {
		switch (ch) {
		case '4':
			opt.family = AF_INET;
			break;
		case '6':
			opt.family = AF_INET6;
			break;
		case 'b':
			opt.adjust = ADJUST_STEP;
			break;
		case 'B':
			opt.adjust = ADJUST_SLEW;
			break;
		case 'd':
			opt.debug = 1;
			break;
		case 'h':
			usage(NULL);
		case 'q':
			opt.query = 1;
			break;
		case 's':
			opt.use_syslog = 1;
			break;
		case 'u':
			/* Requests always leave from a random unprivileged port. */
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'V':
			printf("ntpsync %s\n", NTPSYNC_VERSION);
			return EXIT_SYNCED;
		case 'o':
			if (parse_int(optarg, NTP_VERSION_MIN, NTP_VERSION_MAX,
			    &opt.version) == -1)
				usage("-o %s: the NTP version must be %d to %d",
				    optarg, NTP_VERSION_MIN, NTP_VERSION_MAX);
			break;
		case 'p':
			if (parse_int(optarg, SAMPLES_MIN, SAMPLES_MAX,
			    &opt.samples) == -1)
				usage("-p %s: samples must be %d to %d", optarg,
				    SAMPLES_MIN, SAMPLES_MAX);
			break;
		case 't':
			if (parse_seconds(optarg, &opt.timeout_ns) == -1)
				usage("-t %s: the timeout must be seconds above 0 "
				    "and at most %d, such as 1 or 0.5", optarg,
				    TIMEOUT_MAX_SEC);
			break;
		default:
			usage("unknown option");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage("no server given");
	if (opt.use_syslog)
		openlog("ntpsync", LOG_PID, LOG_DAEMON);
	if (opt.verbose)
		logmsg(LOG_INFO, "ntpsync %s", NTPSYNC_VERSION);

	resolved = resolve(argv, argc, peers, &npeers);
	if (npeers == 0) {
		logmsg(LOG_ERR, "no server suitable for synchronization found");
		return resolved == 0 ? EXIT_DNS : EXIT_NO_REPLY;
	}
	exchange(peers, npeers);
	return conclude(peers, npeers);
}
