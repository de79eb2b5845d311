/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ntp_packet.c - the NTP wire format, timestamps, reply validation and the
 * on-wire calculations (RFC 5905, RFC 4330).  Pure functions only: they
 * take bytes and timestamps and return values or a reason.
 */
#include <string.h>

#include "ntp_packet.h"

#define FRAC_BITS	32
#define FRAC_MASK	0xffffffffu
#define ERA_BIT		0x80000000u
#define SHORT_TO_DUR	16	/* 16.16 short format to 32.32 */

/* Network byte order (RFC 5905 section 7.3: every field is big-endian). */
uint16_t
ntp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t
ntp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

uint64_t
ntp_get64(const uint8_t *p)
{
	return (uint64_t)ntp_get32(p) << 32 | ntp_get32(p + 4);
}

void
ntp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
ntp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
ntp_put64(uint8_t *p, uint64_t v)
{
	ntp_put32(p, (uint32_t)(v >> 32));
	ntp_put32(p + 4, (uint32_t)v);
}

/*
 * RFC 4330 section 5 and draft-ietf-ntp-data-minimization: every field is
 * zero except LI/VN/Mode and a random transmit timestamp.  The server copies
 * it into the origin field, so it doubles as a nonce, and the request tells
 * nothing about our clock.
 */
void
ntp_encode_request(uint8_t buf[NTP_PACKET_LEN], int version, uint64_t xmt)
{
	memset(buf, 0, NTP_PACKET_LEN);
	/* cppcheck-suppress badBitmaskCheck ; LI 0 written out on purpose */
	buf[NTP_OFF_LI_VN_MODE] = (uint8_t)(NTP_LI_NOWARNING << NTP_LI_SHIFT |
	    (version & NTP_VN_MASK) << NTP_VN_SHIFT | NTP_MODE_CLIENT);
	ntp_put64(buf + NTP_OFF_TX_TS, xmt);
}

/* Extension fields and a MAC may follow the header (RFC 7822); we ignore them. */
enum ntp_verdict
ntp_decode(const uint8_t *buf, size_t len, struct ntp_packet *pkt)
{
	memset(pkt, 0, sizeof(*pkt));
	if (len < NTP_PACKET_LEN)
		return NTP_SHORT;
	pkt->leap = buf[NTP_OFF_LI_VN_MODE] >> NTP_LI_SHIFT;
	pkt->version = buf[NTP_OFF_LI_VN_MODE] >> NTP_VN_SHIFT & NTP_VN_MASK;
	pkt->mode = buf[NTP_OFF_LI_VN_MODE] & NTP_MODE_MASK;
	pkt->stratum = buf[NTP_OFF_STRATUM];
	pkt->poll = (int8_t)buf[NTP_OFF_POLL];
	pkt->precision = (int8_t)buf[NTP_OFF_PRECISION];
	pkt->root_delay = ntp_get32(buf + NTP_OFF_ROOT_DELAY);
	pkt->root_disp = ntp_get32(buf + NTP_OFF_ROOT_DISP);
	pkt->refid = ntp_get32(buf + NTP_OFF_REFID);
	pkt->ref = ntp_get64(buf + NTP_OFF_REF_TS);
	pkt->org = ntp_get64(buf + NTP_OFF_ORG_TS);
	pkt->rx = ntp_get64(buf + NTP_OFF_RX_TS);
	pkt->tx = ntp_get64(buf + NTP_OFF_TX_TS);
	return NTP_OK;
}

/* Garbage from the network must not overflow: clamp instead of wrapping. */
static ntp_dur
dur_sub(ntp_dur a, ntp_dur b)
{
	ntp_dur r;

	if (__builtin_sub_overflow(a, b, &r))
		r = b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static ntp_dur
dur_add(ntp_dur a, ntp_dur b)
{
	ntp_dur r;

	if (__builtin_add_overflow(a, b, &r))
		r = b < 0 ? INT64_MIN : INT64_MAX;
	return r;
}

/* The noise a server's precision allows, bounded (NTP_TOLERANCE_LOG2_MAX). */
static ntp_dur
tolerance_of(int8_t precision)
{
	if (precision > NTP_TOLERANCE_LOG2_MAX)
		precision = NTP_TOLERANCE_LOG2_MAX;
	return ntp_precision_to_dur(precision);
}

/*
 * The checks of RFC 5905 appendix A.5.1.1 and RFC 4330 section 5, in the
 * order that keeps forgeries harmless: nothing in the packet is believed,
 * a kiss-o'-death included, until its origin matches our random transmit
 * timestamp.  Duplicates are the caller's to detect (it keeps the
 * requests); xmt is the transmit timestamp of the request this reply claims
 * to answer.  The sample is filled as far as the packet allows, so that a
 * rejected reply can still be shown.
 */
enum ntp_verdict
ntp_check_reply(const struct ntp_packet *pkt, uint64_t xmt, uint64_t t1,
    uint64_t t4, struct ntp_sample *s)
{
	ntp_dur tolerance = tolerance_of(pkt->precision);
	ntp_dur root_delay = ntp_short_to_dur(pkt->root_delay);
	ntp_dur root_disp = ntp_short_to_dur(pkt->root_disp);
	char code[NTP_KISS_LEN + 1];

	memset(s, 0, sizeof(*s));
	s->t1 = t1;
	s->t2 = pkt->rx;
	s->t3 = pkt->tx;
	s->t4 = t4;
	s->stratum = pkt->stratum;

	if (pkt->org != xmt)
		return NTP_BOGUS;
	if (pkt->version < NTP_VERSION_MIN || pkt->version > NTP_VERSION_MAX)
		return NTP_BAD_VERSION;
	if (pkt->mode != NTP_MODE_SERVER)
		return NTP_BAD_MODE;
	/*
	 * RFC 5905 section 7.4: stratum 0 carries a kiss code in the refid.
	 * DENY and RSTR: stop asking; RATE: ask less (here: no more).  INIT
	 * ("not yet synchronized for the first time") and STEP ("not yet
	 * resynchronized") are no kiss-o'-death but a state: ntpd and NTPsec
	 * send their internal stratum 16 as 0 on the wire, with INIT.  So is
	 * stratum 0 with LI 3 and no kiss code in the refid (section 7.3: LI
	 * 3 is "clock unsynchronized"): chrony and OpenNTPD send refid 0.
	 * Any other kiss code: the reply carries no time.
	 */
	if (pkt->stratum == NTP_STRATUM_KOD) {
		switch (pkt->refid) {
		case NTP_KISS_RATE:
			return NTP_KOD_RATE;
		case NTP_KISS_DENY:
			return NTP_KOD_DENY;
		case NTP_KISS_RSTR:
			return NTP_KOD_RSTR;
		case NTP_KISS_INIT:
		case NTP_KISS_STEP:
			return NTP_STRATUM_HIGH;
		default:
			break;
		}
		if (pkt->leap == NTP_LI_ALARM && !ntp_kiss_code(pkt->refid, code))
			return NTP_STRATUM_HIGH;
		return NTP_KOD_OTHER;
	}
	/* RFC 5905 figure 11: 16 is unsynchronized, 17-255 are reserved. */
	if (pkt->stratum > NTP_STRATUM_MAX)
		return NTP_STRATUM_HIGH;
	if (pkt->leap == NTP_LI_ALARM)
		return NTP_LEAP_ALARM;
	/*
	 * RFC 5905 appendix A.5.1.1: root delay / 2 + root dispersion, what
	 * the server says of its own time, at most MAXDIST.  Our own delay is
	 * the sample's, below: a slow sample must not drop the server.
	 */
	if (dur_add(root_delay / 2, root_disp) > NTP_MAX_ROOT_DISTANCE)
		return NTP_ROOT_DISTANCE;
	if (pkt->rx == 0 || pkt->tx == 0)
		return NTP_ZERO_TIME;
	/*
	 * RFC 5905 appendix A.5.1.1 drops a reply whose reference time (when
	 * the server's clock was last set) is later than its transmit time:
	 * "invalid header values".  The server's clock went backwards, or the
	 * header is garbage.  Zero means never set (section 6), and NTPsec
	 * sends it in orphan mode: not checked.  The comparison is modulo
	 * 2^64, with the server's noise as in the next check.
	 */
	if (pkt->ref != 0 && ntp_diff(pkt->ref, pkt->tx) > tolerance)
		return NTP_REF_AFTER_TX;
	/* Servers add random noise below their precision to T3. */
	if (ntp_diff(pkt->tx, pkt->rx) < -tolerance)
		return NTP_TX_BEFORE_RX;

	/*
	 * RFC 5905 section 8:
	 *   offset = ((T2 - T1) + (T3 - T4)) / 2
	 *   delay  =  (T4 - T1) - (T3 - T2)
	 * Each difference is taken modulo 2^64 first, so the result is right
	 * across an era boundary as long as the clocks are within 68 years.
	 */
	s->offset = ntp_half_sum(ntp_diff(pkt->rx, t1), ntp_diff(pkt->tx, t4));
	s->delay = dur_sub(ntp_diff(t4, t1), ntp_diff(pkt->tx, pkt->rx));
	/*
	 * RFC 5905 section 10, for a single sample of a one-shot client:
	 *   root distance = (root delay + delay) / 2 + root dispersion
	 * It bounds the sample's correctness interval for the selection.  Our
	 * delay in it can be the network's or our clock jumping between T1
	 * and T4: too large, and the sample is dropped, not the server.
	 */
	s->root_distance = dur_add(ntp_half_sum(root_delay,
	    s->delay > 0 ? s->delay : 0), root_disp);

	if (s->delay < -tolerance)
		return NTP_NEGATIVE_DELAY;
	if (s->root_distance > NTP_MAX_ROOT_DISTANCE)
		return NTP_DELAY_TOO_LARGE;
	return NTP_OK;
}

/*
 * A failed authentication can be a forgery by anyone on the path who saw
 * our request: a MAC that is missing, has another key id or does not
 * verify; NTS fields that are malformed, lack our Unique Identifier or
 * an authenticator that opens, and the NTS NAK, which is not
 * authenticated (RFC 8915 section 5.7: the client keeps waiting for a
 * valid reply).  It is not the server's answer, and the real reply is
 * still waited for.
 */
int
ntp_verdict_is_forgery(enum ntp_verdict v)
{
	return v == NTP_AUTH_MISSING || v == NTP_AUTH_KEYID ||
	    v == NTP_AUTH_FAILED || v == NTP_NTS_MALFORMED ||
	    v == NTP_NTS_UID || v == NTP_NTS_NAK || v == NTP_NTS_MISSING ||
	    v == NTP_NTS_FAILED;
}

/*
 * A verdict reached after the origin matched is the server's own answer
 * (an off-path attacker cannot guess 64 random bits): asking it again in
 * this run would get the same.  Forgeries and strays are not, and must
 * not stop us from waiting for the real reply.  The crypto-NAK is the
 * server's (RFC 5905 section 7.4, ntpd's reply to a request whose MAC it
 * cannot verify): a forged one can only end the wait early.
 */
int
ntp_verdict_is_server_state(enum ntp_verdict v)
{
	return v != NTP_OK && v != NTP_SHORT && v != NTP_BOGUS &&
	    v != NTP_DUPLICATE && !ntp_verdict_is_forgery(v) &&
	    v != NTP_NEGATIVE_DELAY && v != NTP_DELAY_TOO_LARGE;
}

/*
 * Whether T1 and T4 were taken: the origin matched our request and the
 * reply's checks were made (a crypto-NAK's header is not authenticated).
 */
int
ntp_verdict_has_times(enum ntp_verdict v)
{
	return v == NTP_OK || (ntp_verdict_is_server_state(v) &&
	    v != NTP_CRYPTO_NAK);
}

/* Whether the offset and delay were computed. */
int
ntp_verdict_has_offset(enum ntp_verdict v)
{
	return v == NTP_OK || v == NTP_NEGATIVE_DELAY ||
	    v == NTP_DELAY_TOO_LARGE;
}

const struct ntp_check ntp_checks[NTP_CHECK_COUNT] = {
	{ "length", NTP_SHORT }, { "origin", NTP_BOGUS },
	{ "duplicate", NTP_DUPLICATE }, { "authentication", NTP_NTS_FAILED },
	{ "version", NTP_BAD_VERSION },
	{ "mode", NTP_BAD_MODE }, { "kiss_of_death", NTP_KOD_OTHER },
	{ "stratum", NTP_STRATUM_HIGH }, { "leap", NTP_LEAP_ALARM },
	{ "root_distance", NTP_ROOT_DISTANCE },
	{ "timestamps_nonzero", NTP_ZERO_TIME },
	{ "reference_before_transmit", NTP_REF_AFTER_TX },
	{ "transmit_after_receive", NTP_TX_BEFORE_RX },
	{ "delay_nonnegative", NTP_NEGATIVE_DELAY },
	{ "sample_root_distance", NTP_DELAY_TOO_LARGE },
};

/* RFC 5905 section 7.3, figure 9 (LI) and figure 10 (Mode). */
static const char *const leap_names[] = { "no warning",
    "last minute has 61 s", "last minute has 59 s", "alarm: unsynchronized" };
static const char *const mode_names[] = { "reserved", "symmetric active",
    "symmetric passive", "client", "server", "broadcast", "control",
    "private" };

const char *
ntp_leap_name(unsigned leap)
{
	return leap < sizeof(leap_names) / sizeof(leap_names[0]) ?
	    leap_names[leap] : "?";
}

const char *
ntp_mode_name(unsigned mode)
{
	return mode < sizeof(mode_names) / sizeof(mode_names[0]) ?
	    mode_names[mode] : "?";
}

/* RFC 5905 figure 13, and RFC 8915 section 5.7 for NTSN. */
static const struct {
	uint32_t	 code;
	const char	*words;
} kiss_words[] = {
	{ NTP_KISS_ACST, "the association belongs to a unicast server" },
	{ NTP_KISS_AUTH, "server authentication failed" },
	{ NTP_KISS_AUTO, "Autokey sequence failed" },
	{ NTP_KISS_BCST, "the association belongs to a broadcast server" },
	{ NTP_KISS_CRYP, "cryptographic authentication or identification "
	    "failed" },
	{ NTP_KISS_DENY, "access denied by the server" },
	{ NTP_KISS_DROP, "lost peer in symmetric mode" },
	{ NTP_KISS_RSTR, "access denied due to the server's local policy" },
	{ NTP_KISS_INIT, "the association has not yet synchronized for the "
	    "first time" },
	{ NTP_KISS_MCST, "the association belongs to a dynamically discovered "
	    "server" },
	{ NTP_KISS_NKEY, "no key found (never installed, or not trusted)" },
	{ NTP_KISS_NTSN, "NTS negative acknowledgment (the server cannot "
	    "verify the request's NTS cookie)" },
	{ NTP_KISS_RATE, "rate exceeded (the server denies access for a while: "
	    "we asked too often)" },
	{ NTP_KISS_RMOT, "alteration of association from a remote host "
	    "running ntpdc" },
	{ NTP_KISS_STEP, "a step change in system time has occurred, but the "
	    "association has not yet resynchronized" },
};

/* The RFC's meaning of a kiss code, NULL for a code it does not define. */
const char *
ntp_kiss_words(uint32_t refid)
{
	size_t i;

	for (i = 0; i < sizeof(kiss_words) / sizeof(kiss_words[0]); i++)
		if (kiss_words[i].code == refid)
			return kiss_words[i].words;
	return NULL;
}

/* Character i (0-3) of a refid, from the left. */
static unsigned char
refid_char(uint32_t refid, int i)
{
	return (unsigned char)(refid >> (8 * (NTP_KISS_LEN - 1 - i)));
}

/*
 * A refid as a kiss code: one to four printable ASCII characters, left
 * justified and zero filled (RFC 5905 section 7.4).  Returns 0 and an
 * empty string when the refid is not one (chrony and OpenNTPD send 0).
 */
int
ntp_kiss_code(uint32_t refid, char code[NTP_KISS_LEN + 1])
{
	unsigned char c;
	int i, n;

	for (n = 0; n < NTP_KISS_LEN && (c = refid_char(refid, n)) != '\0';
	    n++) {
		if (c < ' ' || c > '~')
			goto none;
		code[n] = (char)c;
	}
	for (i = n; i < NTP_KISS_LEN; i++)
		if (refid_char(refid, i) != '\0')
			goto none;
	if (n == 0)
		goto none;
	code[n] = '\0';
	return 1;
none:
	code[0] = '\0';
	return 0;
}

/*
 * Where ntpdate has words for a reason, these are its words.  Each entry
 * is the name, a NUL and the why: one pointer a verdict instead of two.
 */
#define VERDICT(name, why)	name "\0" why

static const char *const verdicts[NTP_VERDICT_COUNT] = {
	[NTP_OK] = VERDICT("accepted", "a usable reply"),
	[NTP_SHORT] = VERDICT("packet too short",
	    "fewer than 48 bytes: not an NTP reply"),
	[NTP_BOGUS] = VERDICT("bogus origin",
	    "origin timestamp does not match our request: "
	    "a stale, forged or misdirected reply"),
	[NTP_DUPLICATE] = VERDICT("duplicate",
	    "answers a request that was already answered"),
	[NTP_AUTH_MISSING] = VERDICT("no MAC",
	    "the reply carries no key id and MAC: the server did not sign it "
	    "(no such key there?) or the MAC was stripped on the way"),
	[NTP_CRYPTO_NAK] = VERDICT("crypto-NAK",
	    "the server could not verify our request's MAC (key id 0, no "
	    "digest): the server does not have this key or it differs"),
	[NTP_AUTH_KEYID] = VERDICT("wrong key id",
	    "the reply is signed with another key id than ours"),
	[NTP_AUTH_FAILED] = VERDICT("authentication failed",
	    "the reply's MAC does not verify with our key: a forgery, a "
	    "corrupted reply, or the server's key differs"),
#ifdef NTPSYNC_NTS
	/* Only an NTS build (-N) can reach these: the others keep the bytes. */
	[NTP_NTS_MALFORMED] = VERDICT("NTS malformed",
	    "the reply's extension fields are malformed (RFC 7822 lengths, an "
	    "NTS field twice or after the authenticator)"),
	[NTP_NTS_UID] = VERDICT("NTS wrong unique identifier",
	    "the reply carries no Unique Identifier, or not our request's: "
	    "a stale, forged or misdirected reply"),
	[NTP_NTS_NAK] = VERDICT("NTS NAK",
	    "the server cannot use our cookie (kiss code NTSN): its keys "
	    "changed or the cookie is stale; a new NTS-KE session is needed"),
	[NTP_NTS_MISSING] = VERDICT("no NTS authenticator",
	    "the reply carries no NTS Authenticator extension field: the "
	    "server did not authenticate it, or it was stripped on the way"),
	[NTP_NTS_FAILED] = VERDICT("NTS authentication failed",
	    "the reply's NTS authenticator does not verify with the S2C key: "
	    "a forgery, a corrupted reply, or keys of another NTS-KE session"),
#endif
	[NTP_BAD_VERSION] = VERDICT("bad version",
	    "the NTP version is not 1 to 4"),
	[NTP_BAD_MODE] = VERDICT("bad mode",
	    "the mode is not 4 (server): not an answer to a client"),
	[NTP_KOD_RATE] = VERDICT("kiss-o'-death RATE",
	    "the server rate-limits us: no more requests to it in this run"),
	[NTP_KOD_DENY] = VERDICT("kiss-o'-death DENY",
	    "the server denies us access"),
	[NTP_KOD_RSTR] = VERDICT("kiss-o'-death RSTR",
	    "the server restricts our access"),
	[NTP_KOD_OTHER] = VERDICT("kiss-o'-death",
	    "the server sent a kiss code instead of time"),
	[NTP_STRATUM_HIGH] = VERDICT("strata too high",
	    "the server is not synchronized yet (just started? "
	    "it needs a few minutes, or a local clock / `local stratum` line)"),
	[NTP_LEAP_ALARM] = VERDICT("Leap not in sync",
	    "leap indicator 3: the server says its own clock is "
	    "not synchronized"),
	[NTP_ROOT_DISTANCE] = VERDICT("root distance too large",
	    "the server's root delay / 2 + root dispersion is above 1.5 s: "
	    "its own time is too uncertain"),
	[NTP_ZERO_TIME] = VERDICT("zero timestamp",
	    "the receive or transmit timestamp is zero"),
	[NTP_REF_AFTER_TX] = VERDICT("reference time in the future",
	    "the server's reference time (when its clock was last set) is "
	    "after its transmit time: its clock went back, or its header is "
	    "garbage"),
	[NTP_TX_BEFORE_RX] = VERDICT("server is very broken",
	    "transmit timestamp earlier than receive timestamp"),
	[NTP_NEGATIVE_DELAY] = VERDICT("negative delay",
	    "the round-trip delay is below zero: a clock jumped during "
	    "the exchange"),
	[NTP_DELAY_TOO_LARGE] = VERDICT("delay too large",
	    "with this round trip the root distance, (root delay + delay) / "
	    "2 + root dispersion, is above 1.5 s: a slow reply, or our clock "
	    "jumped during the exchange"),
};

/* What a verdict outside the table reads as: "?" for both. */
static const char verdict_unknown[] = VERDICT("?", "?");

const char *
ntp_verdict_name(enum ntp_verdict v)
{
	return (unsigned)v < NTP_VERDICT_COUNT && verdicts[v] != NULL ?
	    verdicts[v] : verdict_unknown;
}

const char *
ntp_verdict_why(enum ntp_verdict v)
{
	const char *name = ntp_verdict_name(v);

	return name + strlen(name) + 1;
}

/* The era is dropped: differences of timestamps do not need it. */
uint64_t
ntp_from_timespec(const struct timespec *ts)
{
	uint32_t sec = (uint32_t)((uint64_t)ts->tv_sec + NTP_UNIX_DELTA);
	uint64_t frac = (((uint64_t)ts->tv_nsec << FRAC_BITS) +
	    NSEC_PER_SEC / 2) / NSEC_PER_SEC;

	return (uint64_t)sec << FRAC_BITS | frac;
}

/*
 * RFC 4330 section 3: with bit 0 of the seconds set, the time is in era 0
 * (1968-2036), else in era 1 (2036-2104, counted from 2036-02-07 06:28:16).
 * time_t is 64 bits wide on every target we build (musl >= 1.2), so era 1
 * needs no special case there.
 */
void
ntp_to_timespec(uint64_t t, struct timespec *ts)
{
	uint32_t sec = (uint32_t)(t >> FRAC_BITS);
	int64_t unix_sec = (int64_t)sec - NTP_UNIX_DELTA;
	uint64_t ns = ((t & FRAC_MASK) * NSEC_PER_SEC +
	    ((uint64_t)1 << (FRAC_BITS - 1))) >> FRAC_BITS;

	if (!(sec & ERA_BIT))
		unix_sec += (int64_t)1 << 32;
	if (ns == NSEC_PER_SEC) {
		unix_sec++;
		ns = 0;
	}
	ts->tv_sec = (time_t)unix_sec;
	ts->tv_nsec = (long)ns;
}

/* a - b as a signed duration, correct while |a - b| < 2^31 s. */
ntp_dur
ntp_diff(uint64_t a, uint64_t b)
{
	uint64_t d = a - b;

	return d <= INT64_MAX ? (ntp_dur)d : -(ntp_dur)(UINT64_MAX - d) - 1;
}

/*
 * (a + b) / 2 rounded toward zero, without the overflow of a + b: halve
 * each term, then put back what the two halvings lost (r / 2, r in -2..2).
 */
ntp_dur
ntp_half_sum(ntp_dur a, ntp_dur b)
{
	ntp_dur q = a / 2 + b / 2;
	ntp_dur r = a % 2 + b % 2;

	if (r == 2 || r == -2)
		return q + r / 2;
	if (r == 1 && q < 0)
		return q + 1;
	if (r == -1 && q > 0)
		return q - 1;
	return q;
}

ntp_dur
ntp_short_to_dur(uint32_t s)
{
	return (ntp_dur)s << SHORT_TO_DUR;
}

/* 2^precision seconds; out-of-range values from the wire are clamped. */
ntp_dur
ntp_precision_to_dur(int8_t precision)
{
	if (precision < -FRAC_BITS)
		return 0;
	if (precision > 30)
		precision = 30;
	return (ntp_dur)1 << (FRAC_BITS + precision);
}

/*
 * Floor seconds and a non-negative part in units of 1/per_sec s, rounded
 * to nearest straight from the 32.32 value (rounding twice would not be).
 */
static void
dur_split(ntp_dur d, uint32_t per_sec, int64_t *sec, uint32_t *part)
{
	int64_t s = d / ((ntp_dur)1 << FRAC_BITS);
	int64_t frac = d % ((ntp_dur)1 << FRAC_BITS);
	uint64_t p;

	if (frac < 0) {
		s--;
		frac += (ntp_dur)1 << FRAC_BITS;
	}
	p = ((uint64_t)frac * per_sec + ((uint64_t)1 << (FRAC_BITS - 1))) >>
	    FRAC_BITS;
	if (p == per_sec) {
		s++;
		p = 0;
	}
	*sec = s;
	*part = (uint32_t)p;
}

void
ntp_dur_to_timespec(ntp_dur d, struct timespec *ts)
{
	int64_t sec;
	uint32_t ns;

	dur_split(d, NSEC_PER_SEC, &sec, &ns);
	ts->tv_sec = (time_t)sec;
	ts->tv_nsec = (long)ns;
}

void
ntp_dur_to_timeval(ntp_dur d, struct timeval *tv)
{
	int64_t sec;
	uint32_t us;

	dur_split(d, USEC_PER_SEC, &sec, &us);
	tv->tv_sec = (time_t)sec;
	tv->tv_usec = (suseconds_t)us;
}

void
ntp_timespec_add(struct timespec *ts, ntp_dur d)
{
	struct timespec add;

	ntp_dur_to_timespec(d, &add);
	ts->tv_sec += add.tv_sec;
	ts->tv_nsec += add.tv_nsec;
	if (ts->tv_nsec >= NSEC_PER_SEC) {
		ts->tv_sec++;
		ts->tv_nsec -= NSEC_PER_SEC;
	}
}

double
ntp_dur_to_double(ntp_dur d)
{
	return (double)d / NTP_FRAC_ONE;
}

/* RFC 5905 section 10 clock filter, for one burst: the least delay wins. */
size_t
ntp_best_sample(const struct ntp_sample *s, size_t n)
{
	size_t i, best = 0;

	for (i = 1; i < n; i++)
		if (s[i].delay < s[best].delay)
			best = i;
	return best;
}

/* An end of a correctness interval, for the selection algorithm. */
struct edge {
	ntp_dur	at;
	int	type;		/* EDGE_LOW or EDGE_HIGH */
};
#define EDGE_LOW	(-1)
#define EDGE_HIGH	1

/*
 * Sorted by offset; at one offset the lower ends come first, so that
 * touching intervals meet.
 */
static int
edge_before(const struct edge *a, const struct edge *b)
{
	return a->at < b->at || (a->at == b->at && a->type < b->type);
}

/* A root distance below zero (not from ntp_check_reply) counts as zero. */
static ntp_dur
radius(const struct ntp_sample *s)
{
	return s->root_distance > 0 ? s->root_distance : 0;
}

static int
better(const struct ntp_sample *a, int sa, const struct ntp_sample *b, int sb)
{
	if (sa != sb)
		return sa < sb;
	if (a->root_distance != b->root_distance)
		return a->root_distance < b->root_distance;
	return a->delay < b->delay;
}

/*
 * RFC 5905 section 11.2.1, the selection algorithm, on the n candidates'
 * correctness intervals [offset - root distance, offset + root distance]:
 * with f = 0, 1, ... while 2f < n (a majority must remain), scan the
 * sorted ends from the lowest, counting +1 at each lower end and -1 at
 * each upper end, until the count reaches n - f: that point is l; scan
 * from the highest the other way for u.  If l <= u, [l, u] is the
 * intersection interval, contained in n - f intervals, and the candidates
 * whose intervals meet it are the truechimers; the others are marked
 * falsetickers.  If no f < n / 2 gives one, there is no majority and
 * nothing may be chosen: n is returned and nobody is marked.  (The RFC
 * also counts the midpoints outside [l, u] against f; like ntpd 4.2.8
 * and NTPsec, this does not: an honest server with a tight interval
 * would otherwise make a majority fail whenever another honest one's
 * offset is not inside it.)  Of the truechimers the best by (stratum,
 * root distance, delay) wins; the RFC's clustering and combining are for
 * a daemon that follows many samples, not for one step.
 */
size_t
ntp_select(const struct ntp_sample *const *cand, const int *stratum,
    size_t n, int *falseticker)
{
	struct edge e[2 * NTP_SELECT_MAX], t;
	ntp_dur l = 0, u = 0;
	size_t i, j, f, best = n, ends = 2 * n;
	int c, found;

	for (i = 0; i < n; i++)
		falseticker[i] = 0;
	if (n == 0 || n > NTP_SELECT_MAX)
		return n;
	for (i = 0; i < n; i++) {
		e[2 * i].at = dur_sub(cand[i]->offset, radius(cand[i]));
		e[2 * i].type = EDGE_LOW;
		e[2 * i + 1].at = dur_add(cand[i]->offset, radius(cand[i]));
		e[2 * i + 1].type = EDGE_HIGH;
	}
	for (i = 1; i < ends; i++)
		for (j = i; j > 0 && edge_before(&e[j], &e[j - 1]); j--) {
			t = e[j];
			e[j] = e[j - 1];
			e[j - 1] = t;
		}
	for (f = 0; 2 * f < n; f++) {
		found = 0;
		for (c = 0, i = 0; i < ends; i++) {
			c -= e[i].type;
			if (c >= (int)(n - f)) {
				l = e[i].at;
				found++;
				break;
			}
		}
		for (c = 0, i = ends; i-- > 0;) {
			c += e[i].type;
			if (c >= (int)(n - f)) {
				u = e[i].at;
				found++;
				break;
			}
		}
		if (found == 2 && l <= u)
			break;
	}
	if (2 * f >= n)
		return n;
	for (i = 0; i < n; i++) {
		falseticker[i] = dur_add(cand[i]->offset, radius(cand[i])) < l ||
		    dur_sub(cand[i]->offset, radius(cand[i])) > u;
		if (!falseticker[i] && (best == n || better(cand[i],
		    stratum[i], cand[best], stratum[best])))
			best = i;
	}
	return best;
}
