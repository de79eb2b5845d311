/*
 * ntpsync - set the clock once from one or more NTP servers (SNTP, RFC 4330
 * and RFC 5905), with ntpdate's command line and messages.
 *
 * This file holds everything that touches the outside world: the command
 * line, name resolution, the sockets, the clock and the output.  The
 * protocol arithmetic lives in ntp_packet.c.
 */
#define _GNU_SOURCE
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

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

#if __has_include(<linux/rtc.h>)
#include <linux/rtc.h>
#else
/* Debian's musl-dev ships no kernel headers; this is the kernel's ABI. */
struct rtc_time {
	int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year;
	/* cppcheck-suppress unusedStructMember ; the kernel's layout */
	int tm_wday, tm_yday, tm_isdst;
};
#define RTC_SET_TIME		_IOW('p', 0x0a, struct rtc_time)
#endif

#define NTPSYNC_VERSION		"0.1.0"
/*
 * A clock before the build date has clearly never been set (a board that
 * booted at 1970 or at its RTC's 2000): the step limit does not apply.
 * The Makefile passes the date of the last commit.
 */
#ifndef NTPSYNC_BUILD_EPOCH
#define NTPSYNC_BUILD_EPOCH	1795564800	/* 2026-11-25, release 0.1.0 */
#endif

#define MAX_PEERS		16	/* server addresses in one run */
#define MAX_REQUESTS		8	/* requests remembered per address */
#define SAMPLES_MIN		1
#define SAMPLES_MAX		8	/* as ntpdate's -p */
#define SAMPLES_DEFAULT		4
#define MAX_HOSTS		16	/* server names on the command line */
#define MAX_LOGGED_REPLIES	16	/* replies per address kept for -j */
#define TIMEOUT_DEFAULT		"1"	/* seconds a server gets in all */
#define SECONDS_ARG_MAX		31536000	/* a year, for any seconds option */
#define LOCK_FILE_DEFAULT	"/run/ntpsync.lock"
#define RTC_DEVICE		"/dev/rtc0"
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

/* -W: wait this long after a failed round, doubling up to the maximum. */
#define WAIT_BACKOFF_MIN_NS	(250 * NS_PER_MS)
#define WAIT_BACKOFF_MAX_NS	(4000 * NS_PER_MS)

/* ntpd's panic threshold: a larger step needs -b or -m. */
#define MAX_STEP_DEFAULT	NTP_DUR_SEC(1000)
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
#define EXIT_KOD		6
#define EXIT_LOCKED		7
#define EXIT_RTC		8
#define EXIT_STEP_LIMIT		9

enum adjust { ADJUST_AUTO, ADJUST_STEP, ADJUST_SLEW };

static struct {
	int		family;
	enum adjust	adjust;
	int		debug;
	int		json;
	int		query;
	int		use_syslog;
	int		verbose;
	int		write_rtc;
	int		samples;
	int		version;
	int64_t		timeout_ns;
	int64_t		wait_ns;	/* -W: 0 fails at once */
	int64_t		jitter_ns;	/* -R */
	ntp_dur		max_step;	/* -m: 0 means no limit */
	const char	*lock_file;
	int		lock_given;
	const char	*rtc_device;
	int64_t		clock_shift;	/* s; see measure_from_build_date() */
} opt = { AF_UNSPEC, ADJUST_AUTO, 0, 0, 0, 0, 0, 0, SAMPLES_DEFAULT,
    NTP_VERSION, 0, 0, 0, MAX_STEP_DEFAULT, LOCK_FILE_DEFAULT, 0,
    RTC_DEVICE, 0 };

/* A reply as -j reports it. */
struct reply_log {
	struct ntp_packet	pkt;
	struct ntp_sample	s;
	enum ntp_verdict	v;
	size_t			len;
	int			kernel_rx;
};

struct request {
	uint64_t	xmt;		/* random nonce sent as transmit time */
	uint64_t	t1;		/* real send time */
	int		answered;
};

struct peer {
	const char		*host;
	char			 addr[INET6_ADDRSTRLEN];	/* numeric */
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
	int			 kissed;	/* KoD: not asked again this run */
	int			 falseticker;
	int			 nreplies;
	struct reply_log	 reply[MAX_LOGGED_REPLIES];
};

/* A name given on the command line, and why it did not resolve. */
struct host {
	const char	*name;
	int		 gai_error;
	int		 numeric_port;	/* no "ntp" service: port 123 used */
};

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static const char *const leap_names[] = { "no warning",
    "last minute has 61 s", "last minute has 59 s", "alarm: unsynchronized" };
static const char *const mode_names[] = { "reserved", "symmetric active",
    "symmetric passive", "client", "server", "broadcast", "control",
    "private" };

/*
 * ---- output ----
 * A small printf: musl's brings its float formatting and stdio's printf
 * machinery, about 10 KB of a binary that must fit a 4 MB root
 * filesystem.  It knows what ntpsync prints: %s %c %d %u %x with the
 * flags '+' and '0', a width, the l, ll and z sizes, and %f with a
 * precision of at most 9 (rounded by scaling into an integer).
 */
static size_t
str_vfmt(char *buf, size_t len, const char *f, va_list ap)
{
	static const char digits[] = "0123456789abcdef";
	char num[32];
	const char *s;
	size_t n = 0, k;
	uint64_t u, scale;
	double d;
	int plus, zero, width, prec, size, neg, i;

	/* c is evaluated even when the buffer is full: it may be num[--k]. */
#define PUT(c) do { char put_ = (c); if (n + 1 < len) buf[n] = put_; n++; } while (0)
	for (; *f != '\0'; f++) {
		if (*f != '%') {
			PUT(*f);
			continue;
		}
		plus = zero = width = size = neg = 0;
		prec = -1;
		for (f++; *f == '+' || *f == '0'; f++)
			*f == '+' ? (plus = 1) : (zero = 1);
		for (; *f >= '0' && *f <= '9'; f++)
			width = width * 10 + (*f - '0');
		if (*f == '.')
			for (prec = 0, f++; *f >= '0' && *f <= '9'; f++)
				prec = prec * 10 + (*f - '0');
		for (; *f == 'l' || *f == 'z'; f++)
			size += *f == 'z' && sizeof(size_t) > sizeof(int) ? 1 :
			    *f == 'l';
		k = 0;
		switch (*f) {
		case 's':
			for (s = va_arg(ap, const char *); *s != '\0'; s++)
				PUT(*s);
			continue;
		case 'c':
			PUT((char)va_arg(ap, int));
			continue;
		case 'd':
			{
				long long v = size > 1 ? va_arg(ap, long long) :
				    size ? va_arg(ap, long) : va_arg(ap, int);

				neg = v < 0;
				u = neg ? 0 - (uint64_t)v : (uint64_t)v;
			}
			break;
		case 'u':
		case 'x':
			u = size > 1 ? va_arg(ap, unsigned long long) :
			    size ? va_arg(ap, unsigned long) :
			    va_arg(ap, unsigned);
			break;
		case 'f':
			d = va_arg(ap, double);
			neg = d < 0;
			if (prec < 0 || prec > 9)
				prec = 6;
			for (scale = 1, i = 0; i < prec; i++)
				scale *= 10;
			d = (neg ? -d : d) * (double)scale + 0.5;
			u = d < 18e18 ? (uint64_t)d : UINT64_MAX;
			for (i = 0; i < prec; i++, u /= 10)
				num[k++] = digits[u % 10];
			if (prec > 0)
				num[k++] = '.';
			break;
		default:
			PUT('%');
			continue;
		}
		do
			num[k++] = digits[u % (*f == 'x' ? 16 : 10)];
		while ((u /= *f == 'x' ? 16 : 10) != 0);
		if (neg || plus)
			width--;
		if (!zero)
			for (; (int)k < width; width--)
				PUT(' ');
		if (neg || plus)
			PUT(neg ? '-' : '+');
		for (; (int)k < width; width--)
			PUT('0');
		while (k > 0)
			PUT(num[--k]);
	}
#undef PUT
	if (len > 0)
		buf[n < len ? n : len - 1] = '\0';
	return n;
}

static void __attribute__((format(printf, 3, 4)))
str_fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	str_vfmt(buf, len, f, ap);
	va_end(ap);
}

#define OUT_LINE_LEN	1024	/* a longer line is cut short */

static void
put_vfmt(FILE *out, const char *f, va_list ap)
{
	char buf[OUT_LINE_LEN];

	str_vfmt(buf, sizeof(buf), f, ap);
	fputs(buf, out);
}

static void __attribute__((format(printf, 2, 3)))
put_fmt(FILE *out, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	put_vfmt(out, f, ap);
	va_end(ap);
}

/*
 * RFC 3164 to the local syslog socket, which is all that musl's syslog()
 * does, without its strftime and printf.  UTC, as everything ntpsync
 * prints.
 */
static void
syslog_send(int prio, const char *msg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	char line[OUT_LINE_LEN];
	time_t now = time(NULL);
	struct tm tm;
	int fd;

	gmtime_r(&now, &tm);
	str_fmt(line, sizeof(line), "<%d>%s %2d %02d:%02d:%02d ntpsync[%ld]: %s",
	    LOG_DAEMON | prio, months[tm.tm_mon], tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)getpid(), msg);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		(void)send(fd, line, strlen(line), MSG_NOSIGNAL);
	close(fd);
}

static void __attribute__((format(printf, 2, 3)))
logmsg(int prio, const char *fmt, ...)
{
	va_list ap;
	char msg[OUT_LINE_LEN];
	struct tm tm;
	time_t now;
	FILE *out = prio <= LOG_ERR ? stderr : stdout;

	/* Under -j standard output carries the JSON object and nothing else. */
	if (opt.json && out == stdout && !opt.use_syslog)
		return;
	va_start(ap, fmt);
	str_vfmt(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (opt.use_syslog) {
		syslog_send(prio, msg);
		return;
	}
	/*
	 * ntpdate's prefix, so that scripts parsing it by field still work;
	 * in UTC, since a board's time zone data would cost 8 KB.
	 */
	now = time(NULL);
	gmtime_r(&now, &tm);
	put_fmt(out, "%2d %s %02d:%02d:%02d ntpsync[%ld]: %s\n", tm.tm_mday,
	    months[tm.tm_mon], tm.tm_hour, tm.tm_min, tm.tm_sec, (long)getpid(),
	    msg);
}

static void __attribute__((noreturn))
usage(const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		fputs("ntpsync: ", stderr);
		put_vfmt(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	fputs("usage: ntpsync [-46bBdjqsuvVw] [-l lockfile] [-m maxstep] "
	    "[-o version] [-p samples]\n"
	    "               [-R jitter] [-t timeout] [-W wait] server ...\n",
	    fmt != NULL ? stderr : stdout);
	exit(fmt != NULL ? EXIT_USAGE : EXIT_SYNCED);
}

/* A small decimal number; strtol would bring in 1.5 KB for this. */
static int
parse_int(const char *s, int min, int max, int *out)
{
	int v = 0;

	if (*s == '\0')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (*s - '0')) > max)
			return -1;
	if (*s != '\0' || v < min)
		return -1;
	*out = v;
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
		if (sec > SECONDS_ARG_MAX)
			return -1;
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			if (scale >= 10) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
	if (*s != '\0')
		return -1;
	*ns = sec * NSEC_PER_SEC + frac;
	return 0;
}

static void
sleep_ns(int64_t ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ns / NSEC_PER_SEC);
	ts.tv_nsec = (long)(ns % NSEC_PER_SEC);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int64_t
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* T1 and T4: the local clock, shifted while it is unset (see below). */
static uint64_t
local_ntp(struct timespec ts)
{
	ts.tv_sec += (time_t)opt.clock_shift;
	return ntp_from_timespec(&ts);
}

static uint64_t
ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return local_ntp(ts);
}

/*
 * Offsets are exact only within 68 years (RFC 5905 section 6), and a board
 * that boots at 1970 is further than that from any time after 2038.  A
 * clock before the build date has never been set: measure as if it read
 * the build date, and add the difference back when stepping and printing.
 */
static void
measure_from_build_date(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	opt.clock_shift = now.tv_sec < NTPSYNC_BUILD_EPOCH ?
	    NTPSYNC_BUILD_EPOCH - (int64_t)now.tv_sec : 0;
	if (opt.clock_shift != 0 && (opt.debug || opt.verbose))
		logmsg(LOG_INFO, "the clock is before the build date: it has "
		    "never been set; measuring from the build date, %lld s later",
		    (long long)opt.clock_shift);
}

/* An offset as the clock sees it: with the shift of an unset clock. */
static double
true_offset(ntp_dur offset)
{
	return ntp_dur_to_double(offset) + (double)opt.clock_shift;
}

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

static uint64_t
random64(void)
{
	uint64_t v = 0;
	int fd;

	while (v == 0) {
		if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v) ||
		    getrandom(&v, sizeof(v), GRND_INSECURE) == (ssize_t)sizeof(v))
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
		str_fmt(buf, len, "00000000.00000000 (zero)");
		return buf;
	}
	ntp_to_timespec(t, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	str_fmt(buf, len, "%08x.%08x %04d-%02d-%02d %02d:%02d:%02d.%06ld UTC",
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
	str_fmt(buf, len, "%u.%u.%u.%u \"%s\"", r >> 24, r >> 16 & 0xff,
	    r >> 8 & 0xff, r & 0xff, text);
	return buf;
}

static void
dump_reply(const struct peer *p, const struct ntp_packet *pkt, size_t len,
    enum ntp_verdict v, const struct ntp_sample *s, int kernel_rx)
{
	char b1[TS_STR_LEN], b2[TS_STR_LEN];

	put_fmt(stdout, "receive %s: %zu bytes\n", p->addr, len);
	if (v == NTP_SHORT)
		goto verdict;
	put_fmt(stdout, "  leap %u (%s), version %u, mode %u (%s), stratum %u, poll %d, "
	    "precision %d (%.9f s)\n", pkt->leap, leap_names[pkt->leap],
	    pkt->version, pkt->mode, mode_names[pkt->mode], pkt->stratum,
	    pkt->poll, pkt->precision,
	    ntp_dur_to_double(ntp_precision_to_dur(pkt->precision)));
	put_fmt(stdout, "  root delay %.6f s, root dispersion %.6f s, refid %s\n",
	    ntp_dur_to_double(ntp_short_to_dur(pkt->root_delay)),
	    ntp_dur_to_double(ntp_short_to_dur(pkt->root_disp)),
	    fmt_refid(pkt, b1, sizeof(b1)));
	put_fmt(stdout, "  reference %s\n", fmt_ts(pkt->ref, b1, sizeof(b1)));
	/* Our random nonce, not a time: no date to show. */
	put_fmt(stdout, "  origin    %016llx\n", (unsigned long long)pkt->org);
	put_fmt(stdout, "  receive   %s  (T2)\n", fmt_ts(pkt->rx, b1, sizeof(b1)));
	put_fmt(stdout, "  transmit  %s  (T3)\n", fmt_ts(pkt->tx, b1, sizeof(b1)));
	if (v == NTP_OK || ntp_verdict_is_server_state(v)) {
		put_fmt(stdout, "  T1 %s, T4 %s (%s)\n", fmt_ts(s->t1, b1, sizeof(b1)),
		    fmt_ts(s->t4, b2, sizeof(b2)),
		    kernel_rx ? "kernel timestamp" : "read after receipt");
	}
	if (v == NTP_OK || v == NTP_ROOT_DISTANCE || v == NTP_NEGATIVE_DELAY)
		put_fmt(stdout, "  offset %+.6f s, delay %.6f s, root distance %.6f s\n",
		    true_offset(s->offset), ntp_dur_to_double(s->delay),
		    ntp_dur_to_double(s->root_distance));
verdict:
	if (v == NTP_OK)
		put_fmt(stdout, "  accepted\n");
	else
		put_fmt(stdout, "  rejected: %s (%s)\n", ntp_verdict_name(v),
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
send_request(struct peer *p)
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
	p->next_tx = mono_now() + p->rto;
	if (opt.debug)
		put_fmt(stdout, "transmit %s: %zu bytes, version %d, mode %d, "
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
	if (p->nreplies < MAX_LOGGED_REPLIES) {
		struct reply_log *l = &p->reply[p->nreplies++];

		l->pkt = pkt;
		l->s = s;
		l->v = v;
		l->len = len;
		l->kernel_rx = kernel_rx;
	}
	if (v != NTP_DUPLICATE && r != NULL)
		r->answered = 1;
	if (v != NTP_OK) {
		p->last = v;
		if (!ntp_verdict_is_server_state(v))
			return;
		/* RATE: stop asking, keep what arrived; the rest taint the server. */
		if (v != NTP_KOD_RATE)
			p->nsamples = 0;
		p->kissed = v == NTP_KOD_RATE || v == NTP_KOD_DENY ||
		    v == NTP_KOD_RSTR;
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
		send_request(p);
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
				t4 = local_ntp(ts);
				kernel_rx = 1;
			}
		}
		handle_reply(p, buf, (size_t)n, t4, kernel_rx);
	}
}

/* The server's time starts with its first request, not before the nonce. */
static void
start(struct peer *p)
{
	int on = 1;

	p->rto = RTO_INITIAL_NS;
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
	send_request(p);
	p->deadline = mono_now() + opt.timeout_ns;
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

	for (i = 0; i < n; i++)
		if (!peers[i].done)
			start(&peers[i]);
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
					send_request(p);
			}
		}
	}
}

/*
 * The address in numbers, as inet_ntop() writes it (RFC 5952 for IPv6:
 * the longest run of two or more zero groups becomes "::"), without the
 * printf that musl's inet_ntop brings.
 */
static void
addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const uint8_t *a;
	size_t n = 0;
	size_t i, run, best = 8, bestlen = 1;	/* best 8: no run of zeros */

	if (sa->sa_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
		str_fmt(buf, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	for (i = 0; i < 8; i += run ? run : 1) {
		for (run = 0; i + run < 8 && (a[2 * (i + run)] |
		    a[2 * (i + run) + 1]) == 0; run++)
			;
		if (run > bestlen) {
			best = i;
			bestlen = run;
		}
	}
	buf[0] = '\0';
	for (i = 0; i < 8 && n < len; i++) {
		if (i == best) {
			str_fmt(buf + n, len - n, "::");
			i += bestlen - 1;
		} else {
			str_fmt(buf + n, len - n, "%s%x",
			    n > 0 && buf[n - 1] != ':' ? ":" : "",
			    (unsigned)(a[2 * i] << 8 | a[2 * i + 1]));
		}
		n = strlen(buf);
	}
}

/*
 * Every address of every name, each once; an address already known from an
 * earlier round of -W keeps its state.  Why a name failed is kept for the
 * report.
 */
static void
resolve(struct host *hosts, int nhosts, struct peer *peers, size_t *npeers)
{
	struct addrinfo hints, *res, *ai;
	struct host *h;
	size_t i;

	for (h = hosts; h < hosts + nhosts; h++) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = opt.family;
		hints.ai_socktype = SOCK_DGRAM;
		if (opt.debug)
			put_fmt(stdout, "resolving %s, service ntp\n", h->name);
		h->gai_error = getaddrinfo(h->name, "ntp", &hints, &res);
		if (h->gai_error == EAI_SERVICE) {
			/* No "ntp" line in /etc/services: ntpdate dies here. */
			if (opt.debug || opt.verbose)
				logmsg(LOG_INFO, "%s: service ntp unknown "
				    "(no /etc/services entry), using port %d",
				    h->name, NTP_PORT);
			h->numeric_port = 1;
			hints.ai_flags = AI_NUMERICSERV;
			h->gai_error = getaddrinfo(h->name, NTP_PORT_STR, &hints,
			    &res);
		}
		if (h->gai_error != 0) {
			if (opt.debug)
				put_fmt(stdout, "  %s: %s\n", h->name,
				    gai_strerror(h->gai_error));
			continue;
		}
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
			p->host = h->name;
			memcpy(&p->ss, ai->ai_addr, ai->ai_addrlen);
			p->sslen = ai->ai_addrlen;
			addr_str(ai->ai_addr, p->addr, sizeof(p->addr));
			if (opt.debug)
				put_fmt(stdout, "  %s -> %s port %u\n", h->name, p->addr,
				    ntohs(ai->ai_family == AF_INET6 ?
				    ((struct sockaddr_in6 *)ai->ai_addr)->sin6_port :
				    ((struct sockaddr_in *)ai->ai_addr)->sin_port));
			(*npeers)++;
		}
		freeaddrinfo(res);
	}
}

/* Whether every server's outcome is shown, not only a failed run's. */
static int
chatty(void)
{
	return !opt.json && (opt.debug || opt.verbose || opt.query);
}

/* Why a server gave no sample, in words. */
static const char *
failure_reason(const struct peer *p, char *buf, size_t len)
{
	if (p->error == ECONNREFUSED)
		str_fmt(buf, len, "no reply: ICMP port unreachable (nothing "
		    "listens on port %d there)", NTP_PORT);
	else if (p->error != 0)
		str_fmt(buf, len, "no reply: %s", strerror(p->error));
	else if (p->last != NTP_OK)
		str_fmt(buf, len, "%s (%s)", ntp_verdict_name(p->last),
		    ntp_verdict_why(p->last));
	else
		str_fmt(buf, len, "no reply within %lld.%03lld s (%d requests "
		    "sent)", (long long)(opt.timeout_ns / NSEC_PER_SEC),
		    (long long)(opt.timeout_ns % NSEC_PER_SEC / NS_PER_MS),
		    p->sent);
	return buf;
}

static void
print_failure(const struct peer *p, FILE *out)
{
	char why[OUT_LINE_LEN];

	if (!opt.json)
		put_fmt(out, "%s: Server dropped: %s\n", p->addr,
		    failure_reason(p, why, sizeof(why)));
}

static int
want_step(ntp_dur offset)
{
	if (opt.adjust != ADJUST_AUTO)
		return opt.adjust == ADJUST_STEP;
	return opt.clock_shift != 0 || offset >= STEP_THRESHOLD ||
	    offset <= -STEP_THRESHOLD;
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
		if (opt.max_step != 0 && opt.adjust != ADJUST_STEP &&
		    (offset > opt.max_step || offset < -opt.max_step) &&
		    ts.tv_sec >= NTPSYNC_BUILD_EPOCH) {
			logmsg(LOG_ERR, "refusing to step the clock by %+.6f s: "
			    "more than the %.0f s limit (-m); -b or -m 0 allows "
			    "it", true_offset(offset),
			    ntp_dur_to_double(opt.max_step));
			return EXIT_STEP_LIMIT;
		}
		ts.tv_sec += (time_t)opt.clock_shift;
		ntp_timespec_add(&ts, offset);
		if (clock_settime(CLOCK_REALTIME, &ts) == -1) {
			logmsg(LOG_ERR, "cannot step the clock by %+.6f s: %s",
			    true_offset(offset), strerror(errno));
			return EXIT_CLOCK;
		}
		logmsg(LOG_NOTICE, "step time server %s offset %+.6f sec", addr,
		    true_offset(offset));
		return EXIT_SYNCED;
	}
	if (opt.clock_shift != 0 || offset > SLEW_MAX || offset < -SLEW_MAX) {
		logmsg(LOG_ERR, "cannot slew the clock by %+.6f s: more than "
		    "%d s; step it (-b)", true_offset(offset),
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

/*
 * -w, as hwclock -w: the RTC keeps UTC in whole seconds, so it is set at
 * the start of the next second, which it then holds to within a few ms.
 */
static int
write_rtc(void)
{
	struct timespec now;
	struct rtc_time rt;
	struct tm tm;
	int fd, e;

	fd = open(opt.rtc_device, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		logmsg(LOG_ERR, "cannot write the RTC %s: %s", opt.rtc_device,
		    strerror(errno));
		return EXIT_RTC;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	sleep_ns(NSEC_PER_SEC - now.tv_nsec);
	now.tv_sec++;
	gmtime_r(&now.tv_sec, &tm);
	memset(&rt, 0, sizeof(rt));
	rt.tm_sec = tm.tm_sec;
	rt.tm_min = tm.tm_min;
	rt.tm_hour = tm.tm_hour;
	rt.tm_mday = tm.tm_mday;
	rt.tm_mon = tm.tm_mon;
	rt.tm_year = tm.tm_year;
	e = ioctl(fd, RTC_SET_TIME, &rt) == -1 ? errno : 0;
	close(fd);
	if (e != 0) {
		logmsg(LOG_ERR, "cannot write the RTC %s: %s", opt.rtc_device,
		    strerror(e));
		return EXIT_RTC;
	}
	if (opt.verbose || opt.debug)
		logmsg(LOG_INFO, "RTC %s set to %04d-%02d-%02d %02d:%02d:%02d UTC",
		    opt.rtc_device, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		    tm.tm_hour, tm.tm_min, tm.tm_sec);
	return EXIT_SYNCED;
}

/*
 * Overlapping cron runs must not stack their corrections.  The descriptor
 * stays open, and the lock held, until the process exits.  A board without
 * the default directory runs unlocked; a lock file named with -l must work.
 */
static int
take_lock(void)
{
	int fd = open(opt.lock_file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd == -1) {
		if (!opt.lock_given) {
			if (opt.verbose || opt.debug)
				logmsg(LOG_INFO, "running without a lock: %s: %s",
				    opt.lock_file, strerror(errno));
			return EXIT_SYNCED;
		}
		logmsg(LOG_ERR, "cannot open the lock file %s: %s",
		    opt.lock_file, strerror(errno));
		return EXIT_LOCKED;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		logmsg(LOG_ERR, "another ntpsync is running (%s is locked)",
		    opt.lock_file);
		close(fd);
		return EXIT_LOCKED;
	}
	/* cppcheck-suppress resourceLeak ; fd holds the lock until we exit */
	return EXIT_SYNCED;
}

/* ---- -j: one JSON object a run ---- */

static void
json_str(const char *s)
{
	fputc('"', stdout);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			put_fmt(stdout, "\\%c", *s);
		else if ((unsigned char)*s < ' ')
			put_fmt(stdout, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, stdout);
	}
	fputc('"', stdout);
}

static void
json_ts(const char *key, uint64_t t)
{
	char buf[TS_STR_LEN];

	put_fmt(stdout, ",\"%s\":", key);
	json_str(fmt_ts(t, buf, sizeof(buf)));
}

/*
 * The checks in the order ntp_check_reply() makes them (the verdicts are
 * numbered in that order): those before the failing one passed, the rest
 * were not reached.
 */
static const struct {
	const char		*name;
	enum ntp_verdict	 last;
} checks[] = {
	{ "length", NTP_SHORT }, { "origin", NTP_BOGUS },
	{ "duplicate", NTP_DUPLICATE }, { "version", NTP_BAD_VERSION },
	{ "mode", NTP_BAD_MODE }, { "kiss_of_death", NTP_KOD_OTHER },
	{ "stratum", NTP_STRATUM_HIGH }, { "leap", NTP_LEAP_ALARM },
	{ "timestamps_nonzero", NTP_ZERO_TIME },
	{ "transmit_after_receive", NTP_TX_BEFORE_RX },
	{ "delay_nonnegative", NTP_NEGATIVE_DELAY },
	{ "root_distance", NTP_ROOT_DISTANCE },
};

static void
json_reply(const struct reply_log *l)
{
	char buf[TS_STR_LEN];
	enum ntp_verdict first = NTP_SHORT;
	size_t i;

	put_fmt(stdout, "{\"bytes\":%zu,\"verdict\":", l->len);
	json_str(ntp_verdict_name(l->v));
	put_fmt(stdout, ",\"checks\":{");
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		put_fmt(stdout, "%s\"%s\":\"%s\"", i ? "," : "", checks[i].name,
		    l->v == NTP_OK || l->v > checks[i].last ? "pass" :
		    l->v >= first ? "fail" : "not reached");
		first = checks[i].last + 1;
	}
	fputc('}', stdout);
	if (l->v != NTP_SHORT) {
		put_fmt(stdout, ",\"leap\":%u,\"version\":%u,\"mode\":%u,\"stratum\":%u,"
		    "\"poll\":%d,\"precision\":%d,\"root_delay\":%.9f,"
		    "\"root_dispersion\":%.9f,\"refid\":", l->pkt.leap,
		    l->pkt.version, l->pkt.mode, l->pkt.stratum, l->pkt.poll,
		    l->pkt.precision,
		    ntp_dur_to_double(ntp_short_to_dur(l->pkt.root_delay)),
		    ntp_dur_to_double(ntp_short_to_dur(l->pkt.root_disp)));
		json_str(fmt_refid(&l->pkt, buf, sizeof(buf)));
		json_ts("reference", l->pkt.ref);
		json_ts("receive", l->pkt.rx);
		json_ts("transmit", l->pkt.tx);
	}
	if (l->v == NTP_OK || ntp_verdict_is_server_state(l->v)) {
		json_ts("t1", l->s.t1);
		json_ts("t4", l->s.t4);
		put_fmt(stdout, ",\"t4_source\":\"%s\"", l->kernel_rx ? "kernel" :
		    "clock");
	}
	if (l->v == NTP_OK || l->v == NTP_ROOT_DISTANCE ||
	    l->v == NTP_NEGATIVE_DELAY)
		put_fmt(stdout, ",\"offset\":%.9f,\"delay\":%.9f,\"root_distance\":%.9f",
		    true_offset(l->s.offset), ntp_dur_to_double(l->s.delay),
		    ntp_dur_to_double(l->s.root_distance));
	fputc('}', stdout);
}

static void
json_report(const struct host *hosts, int nhosts, const struct peer *peers,
    size_t n, const struct peer *chosen, const char *action, int code)
{
	char why[OUT_LINE_LEN];
	size_t i;
	int h, r, sep = 0;

	put_fmt(stdout, "{\"ntpsync\":\"%s\",\"servers\":[", NTPSYNC_VERSION);
	for (h = 0; h < nhosts; h++) {
		if (hosts[h].gai_error == 0)
			continue;
		put_fmt(stdout, "%s{\"host\":", sep++ ? "," : "");
		json_str(hosts[h].name);
		put_fmt(stdout, ",\"error\":");
		json_str(gai_strerror(hosts[h].gai_error));
		fputc('}', stdout);
	}
	for (i = 0; i < n; i++) {
		const struct peer *p = &peers[i];

		put_fmt(stdout, "%s{\"host\":", sep++ ? "," : "");
		json_str(p->host);
		put_fmt(stdout, ",\"address\":");
		json_str(p->addr);
		put_fmt(stdout, ",\"requests\":%d,\"samples\":%d,\"falseticker\":%s",
		    p->sent, p->nsamples, p->falseticker ? "true" : "false");
		if (p->nsamples == 0) {
			put_fmt(stdout, ",\"error\":");
			json_str(failure_reason(p, why, sizeof(why)));
		}
		put_fmt(stdout, ",\"replies\":[");
		for (r = 0; r < p->nreplies; r++) {
			if (r)
				fputc(',', stdout);
			json_reply(&p->reply[r]);
		}
		put_fmt(stdout, "]}");
	}
	put_fmt(stdout, "],\"chosen\":");
	if (chosen != NULL) {
		const struct ntp_sample *s = &chosen->sample[ntp_best_sample(
		    chosen->sample, (size_t)chosen->nsamples)];

		json_str(chosen->addr);
		put_fmt(stdout, ",\"offset\":%.9f,\"delay\":%.9f",
		    true_offset(s->offset), ntp_dur_to_double(s->delay));
	} else {
		put_fmt(stdout, "null");
	}
	put_fmt(stdout, ",\"action\":\"%s\",\"exit\":%d}\n", action, code);
}

/* ---- the outcome ---- */

/* Why nothing could be used, as an exit code. */
static int
failure_code(const struct peer *peers, size_t n)
{
	size_t i, kissed = 0;
	int heard = 0;

	if (n == 0)
		return EXIT_DNS;
	for (i = 0; i < n; i++) {
		kissed += peers[i].kissed ? 1u : 0u;
		heard |= peers[i].last != NTP_OK;
	}
	if (kissed == n)
		return EXIT_KOD;
	return heard ? EXIT_NO_SUITABLE : EXIT_NO_REPLY;
}

static void
report_unresolved(const struct host *hosts, int nhosts)
{
	int h;

	for (h = 0; h < nhosts; h++)
		if (hosts[h].gai_error != 0)
			logmsg(LOG_ERR, "cannot resolve %s: %s", hosts[h].name,
			    gai_strerror(hosts[h].gai_error));
}

/* Pick the server, report, and set the clock; returns the exit code. */
static int
conclude(const struct host *hosts, int nhosts, struct peer *peers, size_t n)
{
	const struct ntp_sample *cand[MAX_PEERS];
	struct peer *cpeer[MAX_PEERS];
	int stratum[MAX_PEERS], falseticker[MAX_PEERS];
	size_t i, b, nc = 0;
	struct peer *p, *chosen;
	const char *action = "none";
	int code;

	report_unresolved(hosts, nhosts);
	for (i = 0; i < n; i++) {
		p = &peers[i];
		if (p->nsamples == 0) {
			if (chatty())
				print_failure(p, stdout);
			continue;
		}
		b = ntp_best_sample(p->sample, (size_t)p->nsamples);
		cand[nc] = &p->sample[b];
		stratum[nc] = p->pkt[b].stratum;
		cpeer[nc++] = p;
		if ((opt.query || opt.debug) && !opt.json)
			put_fmt(stdout, "server %s, stratum %d, offset %+.6f, delay %.5f\n",
			    p->addr, p->pkt[b].stratum,
			    true_offset(p->sample[b].offset),
			    ntp_dur_to_double(p->sample[b].delay));
	}
	if (nc == 0) {
		if (!chatty())
			for (i = 0; i < n; i++)
				print_failure(&peers[i], stderr);
		logmsg(LOG_ERR, "no server suitable for synchronization found");
		code = failure_code(peers, n);
		if (opt.json)
			json_report(hosts, nhosts, peers, n, NULL, action, code);
		return code;
	}
	i = ntp_select(cand, stratum, nc, falseticker);
	chosen = cpeer[i];
	for (i = 0; i < nc; i++) {
		cpeer[i]->falseticker = falseticker[i];
		if (falseticker[i] && chatty())
			put_fmt(stdout, "%s: Server dropped: disagrees with the majority "
			    "(offset %+.6f)\n", cpeer[i]->addr,
			    true_offset(cand[i]->offset));
	}
	b = ntp_best_sample(chosen->sample, (size_t)chosen->nsamples);
	if (opt.query || opt.debug) {
		logmsg(LOG_NOTICE, "%s time server %s offset %+.6f sec",
		    want_step(chosen->sample[b].offset) ? "step" : "adjust",
		    chosen->addr, true_offset(chosen->sample[b].offset));
		if (opt.debug)
			put_fmt(stdout, "clock not changed: -d never sets it\n");
		code = EXIT_SYNCED;
	} else {
		action = want_step(chosen->sample[b].offset) ? "step" : "slew";
		code = set_clock(chosen->addr, chosen->sample[b].offset);
		if (code == EXIT_SYNCED && opt.write_rtc)
			code = write_rtc();
	}
	if (opt.json)
		json_report(hosts, nhosts, peers, n, chosen, action, code);
	return code;
}

/*
 * -W: after a round without a usable reply, say what we wait for, sleep
 * and return 1; return 0 when the deadline has passed or every server has
 * told us to go away.
 */
static int
wait_more(struct peer *peers, size_t n, int64_t deadline, int64_t *backoff)
{
	int64_t left = deadline - mono_now();
	size_t i, asking = 0;

	for (i = 0; i < n; i++)
		asking += peers[i].kissed ? 0u : 1u;
	if (left <= 0 || (n > 0 && asking == 0))
		return 0;
	if (*backoff > left)
		*backoff = left;
	if (opt.verbose || opt.debug) {
		for (i = 0; i < n; i++)
			if (!peers[i].kissed)
				print_failure(&peers[i], stdout);
		put_fmt(stdout, "waiting for %s: next try in %.2f s, %.1f s left\n",
		    n == 0 ? "the server names to resolve" :
		    "a synchronized server", (double)*backoff / NSEC_PER_SEC,
		    (double)left / NSEC_PER_SEC);
	}
	sleep_ns(*backoff);
	*backoff = *backoff * 2 > WAIT_BACKOFF_MAX_NS ? WAIT_BACKOFF_MAX_NS :
	    *backoff * 2;
	for (i = 0; i < n; i++) {
		struct peer *p = &peers[i];

		if (p->kissed)
			continue;
		p->done = p->sent = p->losses = p->nsamples = p->nreplies = 0;
		p->error = 0;
		p->last = NTP_OK;
	}
	return 1;
}

int
main(int argc, char **argv)
{
	static struct peer peers[MAX_PEERS];
	static struct host hosts[MAX_HOSTS];
	size_t i, npeers = 0;
	int64_t deadline, backoff = WAIT_BACKOFF_MIN_NS;
	int ch, h, code, usable;

	if (parse_seconds(TIMEOUT_DEFAULT, &opt.timeout_ns) == -1)
		return EXIT_USAGE;
	while ((ch = getopt(argc, argv, "46bBdhjl:m:o:p:qR:st:uvVwW:")) != -1) {
		int64_t ns;

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
		case 'j':
			opt.json = 1;
			break;
		case 'l':
			opt.lock_file = optarg;
			opt.lock_given = 1;
			break;
		case 'm':
			if (parse_seconds(optarg, &ns) == -1)
				usage("-m %s: the largest step must be seconds, "
				    "0 for no limit", optarg);
			opt.max_step = NTP_DUR_SEC(ns / NSEC_PER_SEC) +
			    NTP_DUR_SEC(ns % NSEC_PER_SEC) / NSEC_PER_SEC;
			break;
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
		case 'q':
			opt.query = 1;
			break;
		case 'R':
			if (parse_seconds(optarg, &opt.jitter_ns) == -1)
				usage("-R %s: the start delay must be seconds, "
				    "such as 30", optarg);
			break;
		case 's':
			opt.use_syslog = 1;
			break;
		case 't':
			if (parse_seconds(optarg, &opt.timeout_ns) == -1 ||
			    opt.timeout_ns == 0)
				usage("-t %s: the timeout must be seconds above 0, "
				    "such as 1 or 0.5", optarg);
			break;
		case 'u':
			/* Requests always leave from a random unprivileged port. */
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'V':
			put_fmt(stdout, "ntpsync %s\n", NTPSYNC_VERSION);
			return EXIT_SYNCED;
		case 'w':
			opt.write_rtc = 1;
			break;
		case 'W':
			if (parse_seconds(optarg, &opt.wait_ns) == -1)
				usage("-W %s: the wait must be seconds, such as 60",
				    optarg);
			break;
		default:
			usage("unknown option");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage("no server given");
	if (argc > MAX_HOSTS)
		usage("at most %d servers", MAX_HOSTS);
	/* getopt stops at the first server: "ntpsync host -q" must not sync. */
	for (h = 0; h < argc; h++)
		if (argv[h][0] == '-')
			usage("%s: options go before the servers", argv[h]);
	if (opt.json && opt.debug)
		usage("-j and -d cannot be combined: both write to stdout");
	for (h = 0; h < argc; h++)
		hosts[h].name = argv[h];
	if (opt.verbose)
		logmsg(LOG_INFO, "ntpsync %s", NTPSYNC_VERSION);
	if (!opt.query && !opt.debug && (code = take_lock()) != EXIT_SYNCED)
		return code;
	measure_from_build_date();
	if (opt.jitter_ns > 0) {
		int64_t delay = (int64_t)(random64() % (uint64_t)opt.jitter_ns);

		if (opt.verbose || opt.debug)
			logmsg(LOG_INFO, "waiting %.3f s before starting (-R)",
			    (double)delay / NSEC_PER_SEC);
		sleep_ns(delay);
	}

	deadline = mono_now() + opt.wait_ns;
	do {
		resolve(hosts, argc, peers, &npeers);
		exchange(peers, npeers);
		for (usable = 0, i = 0; i < npeers; i++)
			usable |= peers[i].nsamples > 0;
	} while (!usable && opt.wait_ns > 0 &&
	    wait_more(peers, npeers, deadline, &backoff));
	return conclude(hosts, argc, peers, npeers);
}
