/*
 * tests/fuzz_reply.c - libFuzzer target for the reply path of ntp_packet.c:
 * decode, validate, compute offset/delay, convert and select, for arbitrary
 * bytes and arbitrary local timestamps.  Pure functions only: no clock, no
 * sockets, so it may run on the host.  Built and run by tests/fuzz.sh:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *       tests/fuzz_reply.c ntp_packet.c -o build/fuzz_reply
 *
 * Input (all integers big-endian, as on the wire):
 *
 *   0..7    xmt: the transmit timestamp (nonce) of our request
 *   8..15   T1: local time the request left
 *   16..23  T4: local time the reply arrived
 *   24      control: bit 0 set = copy xmt into the reply's origin field
 *           before checking, so the checks behind the origin check are
 *           reached by mutated inputs; bits 4..7 = how many samples (1..16)
 *           ntp_select gets (see below)
 *   25..    the reply datagram as received (any length, extensions and MAC
 *           included)
 *
 * tests/fuzz_seeds.sh writes real replies (chrony, NTPsec, the fake
 * server's modes) in this format.  Shorter inputs are padded with zeros.
 *
 * Every property checked here is stated by RFC 5905 / RFC 4330 or by
 * ntp_packet.h and the README; the arithmetic ones are checked against a
 * 128-bit reference computation.  A violated property aborts with the
 * reason on stderr, which libFuzzer reports as a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntp_packet.h"

#define HDR_LEN		25	/* xmt, T1, T4, control */
#define CTL_FORCE_ORG	0x01
#define CTL_RAW_SEL	0x02	/* select over unconstrained samples */
#define MAX_CAND	16	/* ntpsync's MAX_PEERS */
#define REC_LEN		17	/* offset 8, delay 4, root distance 4, stratum 1 */

typedef __int128 i128;

#define TWO32		((i128)1 << 32)

#include "fuzz_check.h"

static uint64_t
rd64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
wr64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static i128
clamp64(i128 v)
{
	if (v > INT64_MAX)
		return INT64_MAX;
	if (v < INT64_MIN)
		return INT64_MIN;
	return v;
}

/* a - b modulo 2^64 as a signed value: the RFC 5905 era-independent rule. */
static i128
ref_diff(uint64_t a, uint64_t b)
{
	return (i128)(int64_t)(a - b);
}

/* (a + b) / 2 rounded toward zero, exactly (C division truncates). */
static i128
ref_half_sum(i128 a, i128 b)
{
	return (a + b) / 2;
}

/* 2^p seconds in 32.32 as ntp_packet.h documents it (clamped to 2^30 s). */
static i128
ref_precision(int8_t p)
{
	if (p < -32)
		return 0;
	if (p > 30)
		p = 30;
	return (i128)1 << (32 + p);
}

/* The tolerance a precision gives: 2^p s, but at most 2^-6 s (README). */
static i128
ref_tolerance(int8_t p)
{
	return ref_precision(p < -6 ? p : -6);
}

static const char *
vname(enum ntp_verdict v)
{
	return ntp_verdict_name(v);
}

/* Every field decoded as RFC 5905 figure 8 lays it out. */
static void
check_decode(const uint8_t *buf, size_t len, const struct ntp_packet *pkt,
    enum ntp_verdict v)
{
	if (len < NTP_PACKET_LEN) {
		CHECK(v == NTP_SHORT, "%zu bytes gave %s", len, vname(v));
		return;
	}
	CHECK(v == NTP_OK, "%zu bytes gave %s", len, vname(v));
	CHECK(pkt->leap == buf[0] >> 6, "leap %u", pkt->leap);
	CHECK(pkt->version == (buf[0] >> 3 & 7), "version %u", pkt->version);
	CHECK(pkt->mode == (buf[0] & 7), "mode %u", pkt->mode);
	CHECK(pkt->stratum == buf[1], "stratum %u", pkt->stratum);
	CHECK(pkt->poll == (int8_t)buf[2], "poll %d", pkt->poll);
	CHECK(pkt->precision == (int8_t)buf[3], "precision %d", pkt->precision);
	CHECK(pkt->root_delay == rd32(buf + 4), "root delay");
	CHECK(pkt->root_disp == rd32(buf + 8), "root dispersion");
	CHECK(pkt->refid == rd32(buf + 12), "refid");
	CHECK(pkt->ref == rd64(buf + 16), "reference");
	CHECK(pkt->org == rd64(buf + 24), "origin");
	CHECK(pkt->rx == rd64(buf + 32), "receive");
	CHECK(pkt->tx == rd64(buf + 40), "transmit");
}

/*
 * A kiss code (RFC 5905 section 7.4): 1 to 4 printable ASCII characters,
 * left justified, the rest zero.  code gets it, or "" when it is none.
 */
static int
ref_kiss_code(uint32_t refid, char code[5])
{
	uint8_t b[4] = { (uint8_t)(refid >> 24), (uint8_t)(refid >> 16),
	    (uint8_t)(refid >> 8), (uint8_t)refid };
	int len = 0, i;

	while (len < 4 && b[len] != 0)
		len++;
	for (i = 0; i < 4; i++)
		if (i < len ? b[i] < 0x20 || b[i] > 0x7e : b[i] != 0)
			len = 0;
	memcpy(code, b, (size_t)len);
	code[len] = '\0';
	return len > 0;
}

/* The codes that have words: RFC 5905 figure 13 and RFC 8915's NTSN. */
static int
ref_kiss_known(uint32_t refid)
{
	static const char known[][5] = { "ACST", "AUTH", "AUTO", "BCST",
	    "CRYP", "DENY", "DROP", "RSTR", "INIT", "MCST", "NKEY", "NTSN",
	    "RATE", "RMOT", "STEP" };
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (refid == rd32((const uint8_t *)known[i]))
			return 1;
	return 0;
}

static void
check_kiss(uint32_t refid)
{
	char code[NTP_KISS_LEN + 1], want[5];
	int is = ntp_kiss_code(refid, code);

	CHECK(is == ref_kiss_code(refid, want) && strcmp(code, want) == 0,
	    "refid %08x: code \"%s\", expected \"%s\"", refid, code, want);
	CHECK((ntp_kiss_words(refid) != NULL) == ref_kiss_known(refid),
	    "refid %08x: words", refid);
	if (ntp_kiss_words(refid) != NULL)
		CHECK(strlen(ntp_kiss_words(refid)) > 0 && is, "refid %08x",
		    refid);
}

/*
 * The verdict the README's list ("What a reply must pass") gives, in its
 * order, computed independently of ntp_check_reply.
 */
static enum ntp_verdict
ref_verdict(const struct ntp_packet *p, uint64_t xmt, uint64_t t1,
    uint64_t t4, i128 *offset, i128 *delay, i128 *rdist)
{
	i128 prec = ref_tolerance(p->precision);

	*offset = *delay = *rdist = 0;
	if (p->org != xmt)
		return NTP_BOGUS;
	if (p->version < 1 || p->version > 4)
		return NTP_BAD_VERSION;
	if (p->mode != 4)
		return NTP_BAD_MODE;
	if (p->stratum == 0) {
		char code[5];

		if (p->refid == NTP_KISS('R', 'A', 'T', 'E'))
			return NTP_KOD_RATE;
		if (p->refid == NTP_KISS('D', 'E', 'N', 'Y'))
			return NTP_KOD_DENY;
		if (p->refid == NTP_KISS('R', 'S', 'T', 'R'))
			return NTP_KOD_RSTR;
		/* not synchronized (yet): INIT, STEP, or LI 3 without a code */
		if (p->refid == NTP_KISS('I', 'N', 'I', 'T') ||
		    p->refid == NTP_KISS('S', 'T', 'E', 'P') ||
		    (p->leap == 3 && !ref_kiss_code(p->refid, code)))
			return NTP_STRATUM_HIGH;
		return NTP_KOD_OTHER;
	}
	if (p->stratum > 15)
		return NTP_STRATUM_HIGH;
	if (p->leap == 3)
		return NTP_LEAP_ALARM;
	/* the server's own: root delay / 2 + root dispersion */
	if (((i128)p->root_delay << 15) + ((i128)p->root_disp << 16) >
	    NTP_MAX_ROOT_DISTANCE)
		return NTP_ROOT_DISTANCE;
	if (p->rx == 0 || p->tx == 0)
		return NTP_ZERO_TIME;
	/* a reference time (0: never set) after the transmit time */
	if (p->ref != 0 && ref_diff(p->ref, p->tx) > prec)
		return NTP_REF_AFTER_TX;
	if (ref_diff(p->tx, p->rx) < -prec)
		return NTP_TX_BEFORE_RX;
	*offset = ref_half_sum(ref_diff(p->rx, t1), ref_diff(p->tx, t4));
	/* each term is a 64-bit difference; the result is clamped to 64 bits */
	*delay = clamp64(ref_diff(t4, t1) - ref_diff(p->tx, p->rx));
	*rdist = clamp64(ref_half_sum((i128)p->root_delay << 16,
	    *delay > 0 ? *delay : 0) + ((i128)p->root_disp << 16));
	if (*delay < -prec)
		return NTP_NEGATIVE_DELAY;
	/* this sample's, with our delay: the sample is dropped */
	if (*rdist > NTP_MAX_ROOT_DISTANCE)
		return NTP_DELAY_TOO_LARGE;
	return NTP_OK;
}

static void
check_verdict_text(enum ntp_verdict v)
{
	const char *name = ntp_verdict_name(v), *why = ntp_verdict_why(v);

	CHECK((unsigned)v < NTP_VERDICT_COUNT, "verdict %d", (int)v);
	CHECK(name != NULL && why != NULL, "verdict %d has no text", (int)v);
	CHECK(strcmp(name, "?") != 0 && strlen(name) > 0, "verdict %d", (int)v);
	CHECK(strcmp(why, "?") != 0 && strlen(why) > 0, "verdict %d", (int)v);
}

/* NTP timestamp -> timespec: normalized, in the era window, and reversible. */
static void
check_to_timespec(uint64_t t)
{
	struct timespec ts;
	uint64_t back;

	ntp_to_timespec(t, &ts);
	CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < NSEC_PER_SEC, "%016llx: nsec %ld",
	    (unsigned long long)t, ts.tv_nsec);
	/* 1968-01-20 (0x80000000 era 0) to 2104-02-26 (0x7fffffff era 1) */
	CHECK(ts.tv_sec >= -61505152 && ts.tv_sec <= 4233462144LL,
	    "%016llx: sec %lld", (unsigned long long)t, (long long)ts.tv_sec);
	back = ntp_from_timespec(&ts);
	/* 1 ns is 4.3 units of 2^-32 s: two roundings stay within 3 */
	CHECK(ntp_diff(back, t) >= -3 && ntp_diff(back, t) <= 3,
	    "%016llx -> %lld.%09ld -> %016llx", (unsigned long long)t,
	    (long long)ts.tv_sec, ts.tv_nsec, (unsigned long long)back);
}

/* Duration -> timespec/timeval: normalized and within one unit of exact. */
static void
check_dur(ntp_dur d)
{
	struct timespec ts;
	struct timeval tv;
	i128 exact_ns = (i128)d * NSEC_PER_SEC, exact_us = (i128)d * USEC_PER_SEC;
	i128 got;
	double x;

	ntp_dur_to_timespec(d, &ts);
	CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < NSEC_PER_SEC, "%lld: nsec %ld",
	    (long long)d, ts.tv_nsec);
	got = ((i128)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec) * TWO32;
	CHECK(got - exact_ns <= (i128)1 << 31 && exact_ns - got <= (i128)1 << 31,
	    "%lld -> %lld.%09ld not rounded to nearest ns", (long long)d,
	    (long long)ts.tv_sec, ts.tv_nsec);

	ntp_dur_to_timeval(d, &tv);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < USEC_PER_SEC, "%lld: usec %ld",
	    (long long)d, (long)tv.tv_usec);
	got = ((i128)tv.tv_sec * USEC_PER_SEC + tv.tv_usec) * TWO32;
	CHECK(got - exact_us <= (i128)1 << 31 && exact_us - got <= (i128)1 << 31,
	    "%lld -> %lld.%06ld not rounded to nearest us", (long long)d,
	    (long long)tv.tv_sec, (long)tv.tv_usec);

	x = ntp_dur_to_double(d);
	CHECK((d >= 0) == (x >= 0), "%lld -> %g", (long long)d, x);
}

/* now + d, with now as a clock gives it: normalized, and exact to 1 ns. */
static void
check_timespec_add(uint64_t now_ntp, ntp_dur d)
{
	struct timespec ts, before;
	i128 want, got;

	ntp_to_timespec(now_ntp, &ts);
	before = ts;
	ntp_timespec_add(&ts, d);
	CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < NSEC_PER_SEC, "nsec %ld",
	    ts.tv_nsec);
	want = ((i128)before.tv_sec * NSEC_PER_SEC + before.tv_nsec) * TWO32 +
	    (i128)d * NSEC_PER_SEC;
	got = ((i128)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec) * TWO32;
	CHECK(got - want <= (i128)1 << 31 && want - got <= (i128)1 << 31,
	    "%lld.%09ld + %lld -> %lld.%09ld", (long long)before.tv_sec,
	    before.tv_nsec, (long long)d, (long long)ts.tv_sec, ts.tv_nsec);
}

static void
check_arith(uint64_t a, uint64_t b)
{
	ntp_dur h = ntp_half_sum((ntp_dur)a, (ntp_dur)b);
	ntp_dur p;
	int8_t prec = (int8_t)a;

	CHECK(ntp_diff(a, b) == (ntp_dur)ref_diff(a, b), "diff");
	CHECK(h == (ntp_dur)ref_half_sum((int64_t)a, (int64_t)b),
	    "half_sum(%lld, %lld) = %lld", (long long)a, (long long)b,
	    (long long)h);
	CHECK(ntp_short_to_dur((uint32_t)b) == (ntp_dur)((i128)(uint32_t)b << 16),
	    "short");
	p = ntp_precision_to_dur(prec);
	CHECK(p == (ntp_dur)ref_precision(prec) && p >= 0 &&
	    p <= NTP_DUR_SEC(1 << 30), "precision %d -> %lld", prec, (long long)p);
}

/* A request carries LI/VN/mode and the nonce, nothing else (README). */
static void
check_request(uint64_t xmt, int version)
{
	uint8_t buf[NTP_PACKET_LEN];
	struct ntp_packet pkt;
	size_t i;

	ntp_encode_request(buf, version, xmt);
	CHECK(ntp_decode(buf, sizeof(buf), &pkt) == NTP_OK, "decode request");
	CHECK(pkt.leap == 0 && pkt.mode == NTP_MODE_CLIENT &&
	    pkt.version == (version & 7), "request byte 0 %02x", buf[0]);
	CHECK(pkt.tx == xmt, "request transmit");
	for (i = 1; i < NTP_OFF_TX_TS; i++)
		CHECK(buf[i] == 0, "request byte %zu is %02x", i, buf[i]);
}

/* The correctness interval [offset - r, offset + r], exactly (r < 0: 0). */
static void
ref_interval(const struct ntp_sample *s, i128 *lo, i128 *hi)
{
	i128 r = s->root_distance > 0 ? s->root_distance : 0;

	*lo = (i128)s->offset - r;
	*hi = (i128)s->offset + r;
}

/* How many of the n intervals contain the point x. */
static size_t
ref_cover(const struct ntp_sample *s, size_t n, i128 x)
{
	i128 lo, hi;
	size_t i, c = 0;

	for (i = 0; i < n; i++) {
		ref_interval(&s[i], &lo, &hi);
		c += lo <= x && x <= hi;
	}
	return c;
}

/*
 * ntp_select against the README's rule (RFC 5905 section 11.2.1), worked
 * out another way: k, the most intervals that share a point, is found at
 * some lower end; a majority needs 2k > n.  The intersection [l, u] runs
 * from the lowest to the highest point that k intervals share (l is a
 * lower end, u an upper end); the truechimers are the intervals that meet
 * it, and the best of them by (stratum, root distance, delay) wins.  No
 * majority: n, nobody marked.  exact: the samples are as ntpsync hands
 * them (root distance 0..2^35), where the clamped arithmetic must give
 * the exact answer; otherwise only its structural promises hold.
 */
static void
check_select(const struct ntp_sample *s, const int *stratum, size_t n,
    int exact)
{
	const struct ntp_sample *cand[MAX_CAND];
	int ft[MAX_CAND], ref_ft[MAX_CAND];
	size_t i, best, ref_best = n, k = 0, c, b;
	i128 lo, hi, l = 0, u = 0;
	int have_l = 0, have_u = 0;

	for (i = 0; i < n; i++)
		cand[i] = &s[i];
	memset(ft, 0x55, sizeof(ft));
	best = ntp_select(cand, stratum, n, ft);
	CHECK(best <= n, "select returned %zu of %zu", best, n);
	for (i = 0; i < n; i++)
		CHECK(ft[i] == 0 || ft[i] == 1, "falseticker[%zu] = %d", i, ft[i]);
	if (best < n)
		CHECK(!ft[best], "chose falseticker %zu", best);
	else
		for (i = 0; i < n; i++)
			CHECK(!ft[i], "no majority, yet %zu marked", i);
	CHECK(n != 1 || best == 0, "one server, not chosen");

	b = ntp_best_sample(s, n);
	CHECK(b < n, "best_sample returned %zu of %zu", b, n);
	for (i = 0; i < n; i++)
		CHECK(s[b].delay <= s[i].delay && (i >= b ||
		    s[i].delay > s[b].delay), "best_sample %zu, %zu is better",
		    b, i);
	if (!exact)
		return;

	for (i = 0; i < n; i++) {
		ref_interval(&s[i], &lo, &hi);
		c = ref_cover(s, n, lo);
		if (c > k)
			k = c;
	}
	if (2 * k <= n) {
		CHECK(best == n, "no majority (%zu of %zu), chose %zu", k, n,
		    best);
		return;
	}
	for (i = 0; i < n; i++) {
		ref_interval(&s[i], &lo, &hi);
		if (ref_cover(s, n, lo) == k && (!have_l || lo < l)) {
			l = lo;
			have_l = 1;
		}
		if (ref_cover(s, n, hi) == k && (!have_u || hi > u)) {
			u = hi;
			have_u = 1;
		}
	}
	CHECK(have_l && have_u && l <= u, "no intersection for k = %zu", k);
	for (i = 0; i < n; i++) {
		ref_interval(&s[i], &lo, &hi);
		ref_ft[i] = hi < l || lo > u;
		CHECK(ft[i] == ref_ft[i], "falseticker[%zu] %d, expected %d",
		    i, ft[i], ref_ft[i]);
		if (ref_ft[i])
			continue;
		if (ref_best == n || stratum[i] < stratum[ref_best] ||
		    (stratum[i] == stratum[ref_best] &&
		    (s[i].root_distance < s[ref_best].root_distance ||
		    (s[i].root_distance == s[ref_best].root_distance &&
		    s[i].delay < s[ref_best].delay))))
			ref_best = i;
	}
	CHECK(best == ref_best, "select chose %zu, expected %zu", best,
	    ref_best);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[HDR_LEN] = { 0 }, *buf;
	const uint8_t *reply;
	size_t len, i, n;
	uint64_t xmt, t1, t4;
	uint8_t ctl;
	struct ntp_packet pkt;
	struct ntp_sample s, cand[MAX_CAND];
	int stratum[MAX_CAND];
	enum ntp_verdict v, dv, want;
	i128 offset, delay, rdist, prec;

	memcpy(hdr, data, size < HDR_LEN ? size : HDR_LEN);
	xmt = rd64(hdr);
	t1 = rd64(hdr + 8);
	t4 = rd64(hdr + 16);
	ctl = hdr[24];
	reply = size > HDR_LEN ? data + HDR_LEN : data + size;
	len = size > HDR_LEN ? size - HDR_LEN : 0;

	/* An exact-size heap copy, so that ASan sees any read past the end. */
	buf = malloc(len ? len : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, reply, len);
	if ((ctl & CTL_FORCE_ORG) && len >= NTP_PACKET_LEN)
		wr64(buf + NTP_OFF_ORG_TS, xmt);

	dv = ntp_decode(buf, len, &pkt);
	check_decode(buf, len, &pkt, dv);
	check_kiss(pkt.refid);
	check_kiss((uint32_t)xmt);
	check_request(xmt, (int)(ctl >> 4));
	check_arith(xmt, t1);
	check_arith(t4, rd64(hdr + 4));

	if (dv == NTP_OK) {
		v = ntp_check_reply(&pkt, xmt, t1, t4, &s);
		check_verdict_text(v);
		want = ref_verdict(&pkt, xmt, t1, t4, &offset, &delay, &rdist);
		CHECK(v == want, "verdict %s, the README's rules give %s",
		    vname(v), vname(want));
		CHECK(s.t1 == t1 && s.t2 == pkt.rx && s.t3 == pkt.tx &&
		    s.t4 == t4, "sample timestamps not filled in");
		/* Nothing unverified may stop ntpsync from waiting on. */
		if (pkt.org != xmt)
			CHECK(v == NTP_BOGUS && !ntp_verdict_is_server_state(v),
			    "wrong origin gave %s", vname(v));
		CHECK(ntp_verdict_is_server_state(v) == !(v == NTP_OK ||
		    v == NTP_SHORT || v == NTP_BOGUS || v == NTP_DUPLICATE ||
		    v == NTP_NEGATIVE_DELAY || v == NTP_DELAY_TOO_LARGE),
		    "server state of %s", vname(v));
		CHECK(ntp_verdict_has_offset(v) == (v == NTP_OK ||
		    v == NTP_NEGATIVE_DELAY || v == NTP_DELAY_TOO_LARGE),
		    "has offset for %s", vname(v));
		if (v == NTP_OK || v == NTP_NEGATIVE_DELAY ||
		    v == NTP_DELAY_TOO_LARGE) {
			CHECK(s.offset == offset, "offset %lld, exact %lld",
			    (long long)s.offset, (long long)offset);
			CHECK(s.delay == delay, "delay %lld, exact %lld",
			    (long long)s.delay, (long long)delay);
			CHECK(s.root_distance == rdist,
			    "root distance %lld, exact %lld",
			    (long long)s.root_distance, (long long)rdist);
		}
		if (v == NTP_OK) {
			prec = ref_tolerance(pkt.precision);
			CHECK(prec <= TWO32 / 64, "tolerance %lld",
			    (long long)prec);
			CHECK(pkt.org == xmt && pkt.mode == NTP_MODE_SERVER &&
			    pkt.version >= 1 && pkt.version <= 4, "accepted");
			CHECK(pkt.stratum >= 1 && pkt.stratum <= 15,
			    "accepted stratum %u", pkt.stratum);
			CHECK(pkt.leap != 3 && pkt.rx != 0 && pkt.tx != 0,
			    "accepted leap/zero");
			CHECK(s.root_distance >= 0 &&
			    s.root_distance <= NTP_MAX_ROOT_DISTANCE,
			    "accepted root distance %lld",
			    (long long)s.root_distance);
			CHECK(s.delay >= -prec, "accepted delay %lld",
			    (long long)s.delay);
			CHECK(pkt.ref == 0 || ntp_diff(pkt.ref, pkt.tx) <= prec,
			    "accepted reference after transmit");
			CHECK(ntp_diff(s.t3, s.t2) >= -prec, "accepted T3 < T2");
		}
		check_dur(s.offset);
		check_dur(s.delay);
		check_dur(s.root_distance);
		check_dur(ntp_precision_to_dur(pkt.precision));
		check_dur(ntp_short_to_dur(pkt.root_delay));
		check_dur(ntp_short_to_dur(pkt.root_disp));
		check_timespec_add(t4, s.offset);
		check_to_timespec(pkt.ref);
		check_to_timespec(pkt.org);
		check_to_timespec(pkt.rx);
		check_to_timespec(pkt.tx);
	} else {
		v = dv;
		check_verdict_text(v);
		memset(&s, 0, sizeof(s));
	}
	/* Every verdict value, out-of-range ones included, has a text. */
	{
		enum ntp_verdict any = (enum ntp_verdict)(ctl % (NTP_VERDICT_COUNT + 2));

		if ((unsigned)any < NTP_VERDICT_COUNT)
			check_verdict_text(any);
		else
			CHECK(strcmp(ntp_verdict_name(any), "?") == 0 &&
			    strcmp(ntp_verdict_why(any), "?") == 0 &&
			    !ntp_verdict_is_server_state(NTP_SHORT) &&
			    !ntp_verdict_is_server_state(NTP_DUPLICATE),
			    "verdict %d", (int)any);
	}
	check_to_timespec(t1);
	check_to_timespec(t4);
	check_to_timespec(xmt);
	check_dur((ntp_dur)xmt);
	check_dur((ntp_dur)t1);
	check_timespec_add(t1, (ntp_dur)t4);

	/*
	 * Selection: sample 0 is this reply's when it was accepted, the rest
	 * are records read from the reply bytes.  Exact mode keeps the
	 * records as ntpsync would produce them (root distance >= 0).
	 */
	n = 1 + (size_t)(ctl >> 4);
	for (i = 0; i < n; i++) {
		const uint8_t *r = buf + i * REC_LEN;

		if (i == 0 && v == NTP_OK) {
			cand[0] = s;
			stratum[0] = pkt.stratum;
			continue;
		}
		if ((i + 1) * REC_LEN > len) {
			n = i;
			break;
		}
		memset(&cand[i], 0, sizeof(cand[i]));
		cand[i].offset = (ntp_dur)rd64(r);
		cand[i].delay = (ntp_dur)(int32_t)rd32(r + 8) * 256;
		if (ctl & CTL_RAW_SEL) {
			cand[i].root_distance = (ntp_dur)((uint64_t)rd32(r + 12) << 32 |
			    rd32(r + 8));
			cand[i].delay = (ntp_dur)rd64(r + 4);
		} else {
			cand[i].root_distance = (ntp_dur)rd32(r + 12) << 3;
		}
		stratum[i] = r[16];
	}
	if (n > 0)
		check_select(cand, stratum, n, !(ctl & CTL_RAW_SEL));
	free(buf);
	return 0;
}
