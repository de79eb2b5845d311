/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ntp_packet.h - the NTP wire format, timestamps, reply validation and the
 * on-wire calculations (RFC 5905, RFC 4330).  Pure functions: no I/O, no
 * clock, no global state.
 */
#ifndef NTP_PACKET_H
#define NTP_PACKET_H

#include <sys/time.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define NTP_PORT		123
#define NTP_PORT_STR		"123"
#define NTP_PACKET_LEN		48	/* header without extensions or MAC */

/* Header byte 0: LI (2 bits) | VN (3 bits) | Mode (3 bits). */
#define NTP_LI_SHIFT		6
#define NTP_VN_SHIFT		3
#define NTP_VN_MASK		0x07
#define NTP_MODE_MASK		0x07

#define NTP_LI_NOWARNING	0
#define NTP_LI_ALARM		3	/* clock unsynchronized */
#define NTP_VERSION		4
#define NTP_VERSION_MIN		1
#define NTP_VERSION_MAX		4
#define NTP_MODE_CLIENT		3
#define NTP_MODE_SERVER		4

/* RFC 5905 figure 11: 0 unspecified (a kiss code in the refid), 1-15, 16. */
#define NTP_STRATUM_KOD		0	/* kiss-o'-death: refid holds the code */
#define NTP_STRATUM_MAX		15	/* the highest of a synchronized server */
#define NTP_STRATUM_UNSYNC	16	/* unsynchronized; 17-255 are reserved */

/* Byte offsets of the header fields (RFC 5905 figure 8). */
#define NTP_OFF_LI_VN_MODE	0
#define NTP_OFF_STRATUM		1
#define NTP_OFF_POLL		2
#define NTP_OFF_PRECISION	3
#define NTP_OFF_ROOT_DELAY	4
#define NTP_OFF_ROOT_DISP	8
#define NTP_OFF_REFID		12
#define NTP_OFF_REF_TS		16
#define NTP_OFF_ORG_TS		24
#define NTP_OFF_RX_TS		32
#define NTP_OFF_TX_TS		40

/*
 * Kiss codes (RFC 5905 section 7.4, figure 13; NTSN from RFC 8915 section
 * 5.7), as the refid reads in network order: four ASCII characters, left
 * justified and zero filled.
 */
#define NTP_KISS(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define NTP_KISS_ACST		NTP_KISS('A', 'C', 'S', 'T')
#define NTP_KISS_AUTH		NTP_KISS('A', 'U', 'T', 'H')
#define NTP_KISS_AUTO		NTP_KISS('A', 'U', 'T', 'O')
#define NTP_KISS_BCST		NTP_KISS('B', 'C', 'S', 'T')
#define NTP_KISS_CRYP		NTP_KISS('C', 'R', 'Y', 'P')
#define NTP_KISS_DENY		NTP_KISS('D', 'E', 'N', 'Y')
#define NTP_KISS_DROP		NTP_KISS('D', 'R', 'O', 'P')
#define NTP_KISS_RSTR		NTP_KISS('R', 'S', 'T', 'R')
#define NTP_KISS_INIT		NTP_KISS('I', 'N', 'I', 'T')
#define NTP_KISS_MCST		NTP_KISS('M', 'C', 'S', 'T')
#define NTP_KISS_NKEY		NTP_KISS('N', 'K', 'E', 'Y')
#define NTP_KISS_NTSN		NTP_KISS('N', 'T', 'S', 'N')
#define NTP_KISS_RATE		NTP_KISS('R', 'A', 'T', 'E')
#define NTP_KISS_RMOT		NTP_KISS('R', 'M', 'O', 'T')
#define NTP_KISS_STEP		NTP_KISS('S', 'T', 'E', 'P')
#define NTP_KISS_LEN		4

/* Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix epoch). */
#define NTP_UNIX_DELTA		2208988800u
#define NTP_FRAC_ONE		4294967296.0	/* 2^32, for printing only */
#define NSEC_PER_SEC		1000000000
#define USEC_PER_SEC		1000000

/*
 * Durations (offset, delay, root distance) are signed 32.32 fixed point
 * seconds: differences of two 64-bit NTP timestamps.  They cover +-68 years,
 * the range RFC 5905 section 6 gives for era-independent arithmetic.
 */
typedef int64_t ntp_dur;

#define NTP_DUR_SEC(s)		((ntp_dur)(s) * ((ntp_dur)1 << 32))
#define NTP_DUR_MSEC(ms)	(NTP_DUR_SEC(ms) / 1000)

/*
 * The largest root distance: ntpd's default "tos maxdist".  A server whose
 * own (root delay / 2 + root dispersion) is above it is dropped; a sample
 * whose root distance with our delay, (root delay + delay) / 2 + root
 * dispersion, is above it is dropped, not the server.  A LAN server with a
 * local clock reports well under a millisecond; seconds mean the server
 * itself lost its sources.
 */
#define NTP_MAX_ROOT_DISTANCE	(NTP_DUR_SEC(3) / 2)

/*
 * A server's precision (log2 s) is the noise its timestamps may carry
 * (ntpd fuzzes the bits below it), so T3 a little before T2, or a delay a
 * little below zero, is within it.  The tolerance is bounded: at most
 * 2^-6 s (15.6 ms), the coarsest clock real servers have (a 64 Hz tick;
 * ntpdate claims it for itself).  A claim of a coarser clock, up to 2^127
 * s on the wire, does not widen it.
 */
#define NTP_TOLERANCE_LOG2_MAX	(-6)

struct ntp_packet {
	uint8_t		leap;
	uint8_t		version;
	uint8_t		mode;
	uint8_t		stratum;
	int8_t		poll;
	int8_t		precision;	/* log2 seconds */
	uint32_t	root_delay;	/* NTP short format, 16.16 */
	uint32_t	root_disp;	/* NTP short format, 16.16 */
	uint32_t	refid;
	uint64_t	ref;		/* NTP timestamp format, 32.32 */
	uint64_t	org;
	uint64_t	rx;
	uint64_t	tx;
};

/* The four timestamps of one exchange (RFC 5905 section 8). */
struct ntp_sample {
	uint64_t	t1;		/* client transmit (local clock) */
	uint64_t	t2;		/* server receive */
	uint64_t	t3;		/* server transmit */
	uint64_t	t4;		/* client receive (local clock) */
	ntp_dur		offset;
	ntp_dur		delay;
	ntp_dur		root_distance;
	int		stratum;	/* the server's, from the reply */
};

/*
 * Why a reply was rejected; NTP_OK when it was not.  The reasons are
 * numbered in the order the checks are made (-j reports on that basis).
 */
enum ntp_verdict {
	NTP_OK = 0,
	NTP_SHORT,		/* fewer than NTP_PACKET_LEN bytes */
	NTP_BOGUS,		/* origin is not our transmit timestamp */
	NTP_DUPLICATE,		/* answers a request already answered */
	/* -a: the MAC (auth.h), checked right after the origin. */
	NTP_AUTH_MISSING,	/* no key id and digest after the header */
	NTP_CRYPTO_NAK,		/* key id 0, no digest: the server's answer */
	NTP_AUTH_KEYID,		/* signed with another key id than ours */
	NTP_AUTH_FAILED,	/* the digest does not verify with our key */
	/* NTS (nts.h, RFC 8915 section 5), checked where the MAC is. */
	NTP_NTS_MALFORMED,	/* extension fields malformed (RFC 7822) */
	NTP_NTS_UID,		/* no Unique Identifier, or not ours */
	NTP_NTS_NAK,		/* kiss code NTSN, our UID, no authenticator */
	NTP_NTS_MISSING,	/* no NTS Authenticator extension field */
	NTP_NTS_FAILED,		/* the authenticator does not verify */
	NTP_BAD_VERSION,
	NTP_BAD_MODE,
	NTP_KOD_RATE,
	NTP_KOD_DENY,
	NTP_KOD_RSTR,
	NTP_KOD_OTHER,		/* stratum 0 with any other code, or none */
	NTP_STRATUM_HIGH,	/* not synchronized: stratum 16 or more, or 0
				   with INIT, STEP or LI = 3 */
	NTP_LEAP_ALARM,		/* LI = 3 with stratum 1-15: unsynchronized */
	NTP_ROOT_DISTANCE,	/* the server's own above NTP_MAX_ROOT_DISTANCE */
	NTP_ZERO_TIME,		/* receive or transmit timestamp is zero */
	NTP_REF_AFTER_TX,	/* reference time later than transmit time */
	NTP_TX_BEFORE_RX,	/* server transmit earlier than its receive */
	NTP_NEGATIVE_DELAY,	/* this sample's: a clock jumped */
	NTP_DELAY_TOO_LARGE,	/* this sample's root distance with our delay
				   above NTP_MAX_ROOT_DISTANCE */
	NTP_VERDICT_COUNT
};

uint16_t ntp_get16(const uint8_t *p);
uint32_t ntp_get32(const uint8_t *p);
uint64_t ntp_get64(const uint8_t *p);
void	 ntp_put16(uint8_t *p, uint16_t v);
void	 ntp_put32(uint8_t *p, uint32_t v);
void	 ntp_put64(uint8_t *p, uint64_t v);
void	 ntp_encode_request(uint8_t buf[NTP_PACKET_LEN], int version,
	    uint64_t xmt);
enum ntp_verdict ntp_decode(const uint8_t *buf, size_t len,
	    struct ntp_packet *pkt);
enum ntp_verdict ntp_check_reply(const struct ntp_packet *pkt, uint64_t xmt,
	    uint64_t t1, uint64_t t4, struct ntp_sample *sample);
int	 ntp_verdict_is_forgery(enum ntp_verdict v);
int	 ntp_verdict_is_server_state(enum ntp_verdict v);
int	 ntp_verdict_has_times(enum ntp_verdict v);
int	 ntp_verdict_has_offset(enum ntp_verdict v);
const char *ntp_verdict_name(enum ntp_verdict v);
const char *ntp_verdict_why(enum ntp_verdict v);
const char *ntp_leap_name(unsigned leap);
const char *ntp_mode_name(unsigned mode);
int	 ntp_kiss_code(uint32_t refid, char code[NTP_KISS_LEN + 1]);
const char *ntp_kiss_words(uint32_t refid);

/*
 * The checks ntp_check_reply() and its caller make, in their order, each
 * with the last verdict it can give (the verdicts are numbered in that
 * order): for a reply rejected with verdict v, the checks whose `last` is
 * below v passed and those after the failing one were not reached.
 */
struct ntp_check {
	const char		*name;
	enum ntp_verdict	 last;
};
#define NTP_CHECK_COUNT		15
extern const struct ntp_check ntp_checks[NTP_CHECK_COUNT];

uint64_t ntp_from_timespec(const struct timespec *ts);
void	 ntp_to_timespec(uint64_t t, struct timespec *ts);
ntp_dur	 ntp_diff(uint64_t a, uint64_t b);
ntp_dur	 ntp_half_sum(ntp_dur a, ntp_dur b);
ntp_dur	 ntp_short_to_dur(uint32_t s);
ntp_dur	 ntp_precision_to_dur(int8_t precision);
void	 ntp_dur_to_timespec(ntp_dur d, struct timespec *ts);
void	 ntp_dur_to_timeval(ntp_dur d, struct timeval *tv);
void	 ntp_timespec_add(struct timespec *ts, ntp_dur d);
double	 ntp_dur_to_double(ntp_dur d);

#define NTP_SELECT_MAX		16	/* candidates ntp_select() takes */

size_t	 ntp_best_sample(const struct ntp_sample *s, size_t n);
size_t	 ntp_select(const struct ntp_sample *const *cand, const int *stratum,
	    size_t n, int *falseticker);

#endif /* NTP_PACKET_H */
