/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report.c - the words and figures of a run: the -d dump, the -q lines,
 * the reasons, the clock's outcome and the -j object.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <string.h>

#ifdef NTPSYNC_NTS
#include "auth_nts.h"
#include "nts.h"
#endif
#include "floor.h"
#include "fmt.h"
#include "output.h"
#include "report.h"

#define NS_PER_MS		1000000LL
#define TS_STR_LEN		128	/* a timestamp as fmt_ts() writes it */
#define WHY_LEN			1024
/* A name whose resolver was still at work at -W's deadline. */
#define UNRESOLVED_IN_TIME	"no answer from the resolver within the wait (-W)"
/* Why T4 was read from the clock, in -d and in -j alike. */
#define T4_CUT_WHY		"the kernel's timestamp did not fit in the " \
				"control data (MSG_CTRUNC)"
#define T4_CLOCK_WHY		"no kernel timestamp"
#define T4_CLOCK_READ		"read after receipt: "

void
report_init(struct report *r, const char *version, int64_t shift,
    int64_t timeout_ns)
{
	memset(r, 0, sizeof(*r));
	r->version = version;
	r->shift = shift;
	r->timeout_ns = timeout_ns;
}

/* "e5a1b2c3.12345678 2026-11-25 03:22:58.071234 UTC" */
static const char *
fmt_ts(uint64_t t, char *buf, size_t len)
{
	char date[FMT_TM_LEN];
	struct timespec ts;
	struct tm tm;

	if (t == 0) {
		str_fmt(buf, len, "00000000.00000000 (zero)");
		return buf;
	}
	ntp_to_timespec(t, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	str_fmt(buf, len, "%08x.%08x %s.%06ld UTC", (unsigned)(t >> 32),
	    (unsigned)t, fmt_tm(&tm, ' ', date, sizeof(date)), ts.tv_nsec / 1000);
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

/*
 * Why a reply was rejected, "name (why)": ntpdate's words where it has
 * them, with what the packet said, its stratum and its kiss code.
 */
static const char *
reply_reason(const struct ntp_packet *p, enum ntp_verdict v, char *buf,
    size_t len)
{
	const char *name = ntp_verdict_name(v), *why = ntp_verdict_why(v);
	const char *words = ntp_kiss_words(p->refid);
	char code[NTP_KISS_LEN + 1];
	int has_code = ntp_kiss_code(p->refid, code);

	if (v == NTP_KOD_OTHER && words != NULL)
		str_fmt(buf, len, "%s %s (%s: the server sent no time)", name,
		    code, words);
	else if (v == NTP_KOD_OTHER && has_code)
		str_fmt(buf, len, "%s %s (a kiss code RFC 5905 does not define: "
		    "the server sent no time)", name, code);
	else if (v == NTP_KOD_OTHER)
		str_fmt(buf, len, "%s (stratum 0 without a kiss code: the server "
		    "sent no time)", name);
	else if (v != NTP_STRATUM_HIGH)
		str_fmt(buf, len, "%s (%s)", name, why);
	else if (p->stratum > NTP_STRATUM_UNSYNC)
		str_fmt(buf, len, "%s (stratum %u: no such stratum; 1 to 15 are "
		    "synchronized servers, 16 an unsynchronized one)", name,
		    p->stratum);
	else if (p->stratum == NTP_STRATUM_UNSYNC)
		str_fmt(buf, len, "%s (stratum 16: %s)", name, why);
	else if (p->refid == NTP_KISS_STEP)
		str_fmt(buf, len, "%s (stratum 0, kiss code STEP: the server "
		    "stepped its clock and is not synchronized again yet (it "
		    "needs a few minutes))", name);
	else if (has_code)
		str_fmt(buf, len, "%s (stratum 0, kiss code %s: %s)", name, code,
		    why);
	else
		str_fmt(buf, len, "%s (stratum 0, leap indicator 3: %s)", name,
		    why);
	return buf;
}

/* Where T4 came from, for -d. */
static const char *
t4_source_name(enum xchg_t4 t4)
{
	switch (t4) {
	case XCHG_T4_KERNEL:
		return "kernel timestamp";
	case XCHG_T4_CUT:
		return T4_CLOCK_READ T4_CUT_WHY;
	case XCHG_T4_CLOCK:
		break;
	}
	return T4_CLOCK_READ T4_CLOCK_WHY;
}

/*
 * -a: the key id and MAC type, and whether the MAC was good (never the
 * key).  The MAC is checked after the origin and the duplicate check.
 */
static void
auth_line(const struct report *r, enum ntp_verdict v)
{
	int ok = v == NTP_OK || v > NTP_NTS_FAILED;

	if (v != NTP_OK && v <= NTP_DUPLICATE)
		return;
	if (r->mac != NULL)
		out(OUT_DEBUG, "  key %u, %s: %s\n", (unsigned)r->key_id,
		    r->mac, ok ? "MAC ok" : ntp_verdict_name(v));
	else if (r->nts)
		out(OUT_DEBUG, "  NTS: %s\n", ok ? "our unique identifier, "
		    "authenticator ok" : ntp_verdict_name(v));
}

#ifdef NTPSYNC_NTS
static const char *
ef_name(uint16_t type)
{
	switch (type) {
	case NTS_EF_UID:
		return "Unique Identifier";
	case NTS_EF_COOKIE:
		return "NTS Cookie";
	case NTS_EF_PLACEHOLDER:
		return "NTS Cookie Placeholder";
	case NTS_EF_AUTH:
		return "NTS Authenticator and Encrypted Extension Fields";
	}
	return "unknown type";
}

/*
 * -d with NTS: the extension fields after the header (RFC 7822: type,
 * length, value), by name and length; what cannot be walked is said.
 */
static void
dump_fields(const uint8_t *b, size_t len)
{
	size_t off = NTP_PACKET_LEN, ef;
	uint16_t type;

	while (len - off >= NTS_EF_HDR_LEN) {
		type = ntp_get16(b + off);
		ef = ntp_get16(b + off + 2);
		if (ef < NTS_EF_HDR_LEN || ef > len - off) {
			out(OUT_DEBUG, "  extension field %04x: length %zu does "
			    "not fit the %zu bytes left\n", (unsigned)type, ef,
			    len - off);
			return;
		}
		out(OUT_DEBUG, "  extension field %04x %s, %zu bytes\n",
		    (unsigned)type, ef_name(type), ef);
		off += ef;
	}
	if (off != len)
		out(OUT_DEBUG, "  %zu bytes after the extension fields\n",
		    len - off);
}
#endif

static void
dump_reply(const struct report *r, const struct xchg_event *e)
{
	const struct ntp_packet *pkt = e->pkt;
	const struct ntp_sample *s = e->sample;
	char b1[TS_STR_LEN], b2[TS_STR_LEN], why[WHY_LEN];
	const char *words;

	if (e->truncated)
		out(OUT_DEBUG, "receive %s: %zu bytes (truncated: the first "
		    "%d read)\n", e->server->addr, e->len, XCHG_RECV_BUF_LEN);
	else
		out(OUT_DEBUG, "receive %s: %zu bytes\n", e->server->addr,
		    e->len);
	if (e->verdict == NTP_SHORT)
		goto verdict;
#ifdef NTPSYNC_NTS
	if (r->nts)
		dump_fields(e->bytes, e->len < XCHG_RECV_BUF_LEN ? e->len :
		    XCHG_RECV_BUF_LEN);
#endif
	out(OUT_DEBUG, "  leap %u (%s), version %u, mode %u (%s), "
	    "stratum %u, poll %d, precision %d (%.9f s)\n", pkt->leap,
	    ntp_leap_name(pkt->leap), pkt->version, pkt->mode,
	    ntp_mode_name(pkt->mode), pkt->stratum, pkt->poll, pkt->precision,
	    ntp_dur_to_double(ntp_precision_to_dur(pkt->precision)));
	out(OUT_DEBUG, "  root delay %.6f s, root dispersion %.6f s, "
	    "refid %s\n", ntp_dur_to_double(ntp_short_to_dur(pkt->root_delay)),
	    ntp_dur_to_double(ntp_short_to_dur(pkt->root_disp)),
	    fmt_refid(pkt, b1, sizeof(b1)));
	words = ntp_kiss_words(pkt->refid);
	if (pkt->stratum == NTP_STRATUM_KOD && words != NULL)
		out(OUT_DEBUG, "  kiss code: %s\n", words);
	out(OUT_DEBUG, "  reference %s\n", fmt_ts(pkt->ref, b1, sizeof(b1)));
	/* Our random nonce, not a time: no date to show. */
	out(OUT_DEBUG, "  origin    %016llx\n", (unsigned long long)pkt->org);
	out(OUT_DEBUG, "  receive   %s  (T2)\n", fmt_ts(pkt->rx, b1,
	    sizeof(b1)));
	out(OUT_DEBUG, "  transmit  %s  (T3)\n", fmt_ts(pkt->tx, b1,
	    sizeof(b1)));
	if (ntp_verdict_has_times(e->verdict))
		out(OUT_DEBUG, "  T1 %s, T4 %s (%s)\n", fmt_ts(s->t1, b1,
		    sizeof(b1)), fmt_ts(s->t4, b2, sizeof(b2)),
		    t4_source_name(e->t4_source));
	if (ntp_verdict_has_offset(e->verdict))
		out(OUT_DEBUG, "  offset %+.6f s, delay %.6f s, "
		    "root distance %.6f s\n",
		    clock_true_offset(s->offset, r->shift),
		    ntp_dur_to_double(s->delay),
		    ntp_dur_to_double(s->root_distance));
	auth_line(r, e->verdict);
verdict:
	if (e->verdict == NTP_OK)
		out(OUT_DEBUG, "  accepted\n");
	else
		out(OUT_DEBUG, "  rejected: %s\n", reply_reason(pkt, e->verdict,
		    why, sizeof(why)));
}

static void
log_reply(struct report *r, const struct xchg_event *e)
{
	struct reply_log *l;

	if (r->nreplies[e->index] == MAX_LOGGED_REPLIES)
		return;
	l = &r->reply[e->index][r->nreplies[e->index]++];
	l->pkt = *e->pkt;
	l->s = *e->sample;
	l->v = e->verdict;
	l->len = e->len;
	l->truncated = e->truncated;
	l->t4_source = e->t4_source;
}

/* The exchange's hook: -d sees every step, -j keeps every reply. */
void
report_event(void *ctx, const struct xchg_event *e)
{
	struct report *r = ctx;
	char b1[TS_STR_LEN];

	switch (e->type) {
	case XCHG_RESOLVING:
		out(OUT_DEBUG, "resolving %s, service ntp\n", e->host);
		break;
	case XCHG_NO_SERVICE:
		out(OUT_INFO, "%s: service ntp unknown (no /etc/services "
		    "entry), using port %d", e->host, NTP_PORT);
		break;
	case XCHG_UNRESOLVED:
		out(OUT_DEBUG, "  %s: %s\n", e->host, e->timed_out ?
		    UNRESOLVED_IN_TIME : gai_strerror(e->gai_error));
		break;
	case XCHG_ADDRESS:
		out(OUT_DEBUG, "  %s -> %s port %u\n", e->host,
		    e->server->addr, e->port);
		break;
	case XCHG_TOO_MANY:
		out(OUT_WARNING, "%s: more addresses than its share of the %d "
		    "servers: %zu asked, the rest ignored", e->host, MAX_PEERS,
		    e->len);
		break;
	case XCHG_START:
		r->nreplies[e->index] = 0;
		break;
	case XCHG_TRANSMIT:
		out(OUT_DEBUG, "transmit %s: %zu bytes, version %d, mode %d, "
		    "transmit (random) %016llx, T1 %s\n", e->server->addr,
		    e->len, e->version, NTP_MODE_CLIENT,
		    (unsigned long long)e->xmt, fmt_ts(e->t1, b1, sizeof(b1)));
#ifdef NTPSYNC_NTS
		if (r->nts)
			dump_fields(e->bytes, e->len);
#endif
		break;
	case XCHG_RECEIVE:
		if (out_wants(OUT_DEBUG))
			dump_reply(r, e);
		log_reply(r, e);
		break;
	case XCHG_ICMP:
		if (e->verified)
			out(OUT_DEBUG, "ICMP error for %s: %s; it quotes our "
			    "request: the server is given up\n", e->server->addr,
			    strerror(e->error));
		else
			out(OUT_DEBUG, "ICMP error for %s: %s; it does not quote "
			    "our request (%zu of its %d bytes): ignored, forged "
			    "or cut short\n", e->server->addr, strerror(e->error),
			    e->len, NTP_PACKET_LEN);
		break;
	}
}

/*
 * No reply at all: the wait and the requests, then what may explain the
 * silence.  The common start is written once, the rest after it.
 */
static void
silence(const struct report *r, const struct ntp_result *res, char *buf,
    size_t len)
{
	size_t n;

	n = str_fmt(buf, len, "no reply within %lld.%03lld s (%d requests "
	    "sent", (long long)(r->timeout_ns / NSEC_PER_SEC),
	    (long long)(r->timeout_ns % NSEC_PER_SEC / NS_PER_MS), res->sent);
	if (n >= len)
		return;
	if (res->icmp_ignored > 0)
		str_fmt(buf + n, len - n, "; %d ICMP errors that did not quote "
		    "them ignored)", res->icmp_ignored);
	else if (r->mac != NULL)
		/* chrony and NTPsec drop a request whose key they lack. */
		str_fmt(buf + n, len - n, ", signed with key %u): chrony and "
		    "NTPsec do not answer a key they do not have, or one that "
		    "differs; the key is probably not known to the server",
		    (unsigned)r->key_id);
	else
		str_fmt(buf + n, len - n, ")");
}

/* Why a server gave no sample, in words. */
const char *
report_failure_reason(const struct report *r, const struct ntp_result *res,
    char *buf, size_t len)
{
	if (res->unasked[0] != '\0')
		str_fmt(buf, len, "%s", res->unasked);
#ifdef NTPSYNC_NTS
	else if (res->error == ENOKEY && r->nts)
		str_fmt(buf, len, "no reply: no NTS cookie left (the requests "
		    "that took them went unanswered)");
#endif
	else if (res->error == ECONNREFUSED)
		str_fmt(buf, len, "no reply: ICMP port unreachable (nothing "
		    "listens on port %d there)", NTP_PORT);
	else if (res->error != 0)
		str_fmt(buf, len, "no reply: %s", strerror(res->error));
	else if (res->last != NTP_OK)
		reply_reason(&res->last_pkt, res->last, buf, len);
	else if (res->limited)
		str_fmt(buf, len, "no reply: it answered earlier in this run, "
		    "then left %d requests in a row unanswered (rate limiting "
		    "by silence?): not asked again", res->losses);
	else
		silence(r, res, buf, len);
	return buf;
}

void
report_unresolved(const struct xchg_host *hosts, size_t n)
{
	size_t h;

	for (h = 0; h < n; h++)
		if (hosts[h].gai_error != 0)
			out(OUT_ERROR, "cannot resolve %s: %s", hosts[h].name,
			    hosts[h].timed_out ? UNRESOLVED_IN_TIME :
			    gai_strerror(hosts[h].gai_error));
}

void
report_server(const struct report *r, const struct ntp_server *s,
    const struct ntp_sample *best)
{
	out(OUT_SERVER, "server %s, stratum %d, offset %+.6f, delay %.5f\n",
	    s->addr, best->stratum, clock_true_offset(best->offset, r->shift),
	    ntp_dur_to_double(best->delay));
}

static void
dropped(const struct report *r, enum out_class c, const struct ntp_server *s,
    const struct ntp_result *res)
{
	char why[WHY_LEN];

	if (out_wants(c))
		out(c, "%s: Server dropped: %s\n", s->addr,
		    report_failure_reason(r, res, why, sizeof(why)));
}

/*
 * Each server's failure is detail under -q, -d and -v; when the whole run
 * failed, the others see it too, on stderr.
 */
void
report_dropped(const struct report *r, const struct ntp_server *s,
    const struct ntp_result *res, int failed_run)
{
	dropped(r, failed_run ? OUT_DROPPED : OUT_DETAIL, s, res);
}

void
report_falseticker(const struct report *r, const struct ntp_server *s,
    const struct ntp_sample *best)
{
	out(OUT_DETAIL, "%s: Server dropped: disagrees with the majority "
	    "(offset %+.6f)\n", s->addr,
	    clock_true_offset(best->offset, r->shift));
}

/* Why a server was not used when the servers that answered disagree. */
const char *
report_no_majority_reason(const struct report *r,
    const struct ntp_sample *best, size_t candidates, char *buf, size_t len)
{
	str_fmt(buf, len, "no majority (offset %+.6f +- %.6f s; of the %zu "
	    "servers that answered, no more than half agree on any time: none "
	    "can be trusted)",
	    clock_true_offset(best->offset, r->shift),
	    ntp_dur_to_double(best->root_distance), candidates);
	return buf;
}

/* Under -q, -d and -v; and for everyone, as the run failed. */
void
report_no_majority(const struct report *r, const struct ntp_server *s,
    const struct ntp_sample *best, size_t candidates)
{
	enum out_class c = out_wants(OUT_DETAIL) ? OUT_DETAIL : OUT_DROPPED;
	char why[WHY_LEN];

	if (out_wants(c))
		out(c, "%s: Server dropped: %s\n", s->addr,
		    report_no_majority_reason(r, best, candidates, why,
		    sizeof(why)));
}

/* What was done to the clock, or under -q and -d what would be. */
void
report_clock(const struct report *r, const struct ntp_server *s,
    ntp_dur offset, ntp_dur max_step, enum clock_status st, int error)
{
	double shown = clock_true_offset(offset, r->shift);

	switch (st) {
	case CLOCK_STEPPED:
		out(OUT_RESULT, "step time server %s offset %+.6f sec",
		    s->addr, shown);
		break;
	case CLOCK_SLEWED:
		out(OUT_RESULT, "adjust time server %s offset %+.6f sec",
		    s->addr, ntp_dur_to_double(offset));
		break;
	case CLOCK_OVER_LIMIT:
		out(OUT_ERROR, "refusing to step the clock by %+.6f s: "
		    "more than the %.0f s limit (-m); -b or -m 0 allows it",
		    shown, ntp_dur_to_double(max_step));
		break;
	case CLOCK_SLEW_TOO_LARGE:
		out(OUT_ERROR, "cannot slew the clock by %+.6f s: more than "
		    "%d s; step it (-b)", shown, (int)(CLOCK_SLEW_MAX >> 32));
		break;
	case CLOCK_STEP_FAILED:
		out(OUT_ERROR, "cannot step the clock by %+.6f s: %s", shown,
		    strerror(error));
		break;
	case CLOCK_SLEW_FAILED:
		out(OUT_ERROR, "cannot slew the clock by %+.6f s: %s",
		    ntp_dur_to_double(offset), strerror(error));
		break;
	}
}

void
report_rtc(const char *device, const struct tm *set, int error)
{
	char date[FMT_TM_LEN];

	if (error != 0)
		out(OUT_ERROR, "cannot write the RTC %s: %s", device,
		    strerror(error));
	else
		out(OUT_INFO, "RTC %s set to %s UTC", device,
		    fmt_tm(set, ' ', date, sizeof(date)));
}

/*
 * sec is the floor, or for FLOOR_ROLLBACK the servers' time and for
 * FLOOR_SAVE_REFUSED the clock's; other is the floor for FLOOR_ROLLBACK and
 * the lower bound for FLOOR_SAVE_REFUSED.
 */
void
report_floor(struct report *r, enum floor_event ev, int64_t sec,
    int64_t other, const char *why, int error)
{
	char at[FLOOR_DATE_LEN], bound[FLOOR_DATE_LEN];
	const char *path = r->floor_file;

	/* For -j: the floor used, whether the clock went to it, what was saved. */
	if (ev == FLOOR_REACHED || ev == FLOOR_RAISED ||
	    ev == FLOOR_RAISE_PLANNED || ev == FLOOR_RAISE_FAILED)
		r->floor = sec;
	r->floor_stepped |= ev == FLOOR_RAISED;
	if (ev == FLOOR_SAVED)
		r->floor_saved = sec;

	floor_date(sec, at, sizeof(at));
	floor_date(other, bound, sizeof(bound));
	switch (ev) {
	case FLOOR_NONE_YET:
		out(OUT_INFO, "no time floor saved in %s yet", path);
		break;
	case FLOOR_IGNORED:
		out(OUT_WARNING, "time floor %s: ignored", why);
		break;
	case FLOOR_UNUSABLE:
		out(OUT_ERROR, "cannot use the time floor %s", why);
		break;
	case FLOOR_FRESH_BOOT:
		out(OUT_INFO, "no sync saved in %s since this boot: the -m limit "
		    "does not apply", path);
		break;
	case FLOOR_REACHED:
		out(OUT_INFO, "the clock is past the time floor %s (%s)", at,
		    path);
		break;
	case FLOOR_RAISED:
		out(OUT_RESULT, "clock stepped forward to the time floor %s "
		    "(%s)", at, path);
		break;
	case FLOOR_RAISE_PLANNED:
		out(OUT_RESULT, "the clock reads before the time floor %s (%s): "
		    "a real run steps it forward", at, path);
		break;
	case FLOOR_RAISE_FAILED:
		out(OUT_ERROR, "cannot step the clock to the time floor %s: %s",
		    at, strerror(error));
		break;
	case FLOOR_ROLLBACK:
		out(OUT_ERROR, "refusing to set the clock to %s: before the time "
		    "floor %s (%s), the last good time; -b allows it", at,
		    bound, path);
		break;
	case FLOOR_SAVED:
		out(OUT_INFO, "time floor %s saved in %s", at, path);
		break;
	case FLOOR_SAVE_PLANNED:
		out(OUT_RESULT, "a real run saves the time floor %s in %s", at,
		    path);
		break;
	case FLOOR_SAVE_FAILED:
		out(OUT_ERROR, "cannot save the time floor in %s: %s", path,
		    strerror(error));
		break;
	case FLOOR_SAVE_REFUSED:
		out(OUT_ERROR, "the clock reads %s, before %s (the build date or "
		    "the time floor saved): not saved, %s is left as it is", at,
		    bound, path);
		break;
	}
}

/* -W: why the last round failed, and what comes next. */
void
report_waiting(const struct report *r, const struct ntp_server *s,
    const struct ntp_result *res, size_t n, size_t names_left,
    int64_t backoff, int64_t left)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!res[i].kissed)
			dropped(r, OUT_RETRY, &s[i], &res[i]);
	out(OUT_PROGRESS, "waiting for %s: next try in %.2f s, %.1f s left\n",
	    n == 0 ? "the server names to resolve" : names_left > 0 ?
	    "a synchronized server and the names left to resolve" :
	    "a synchronized server", (double)backoff / NSEC_PER_SEC,
	    (double)left / NSEC_PER_SEC);
}

/* ---- -j: one JSON object a run ---- */

/*
 * The length of the UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 when it is not one.
 */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

/*
 * A JSON string (RFC 8259): quotes, backslashes and control characters
 * escaped; a byte that is not part of valid UTF-8 (a host name can be any
 * bytes) becomes U+FFFD, so that the object stays valid.
 */
static void
json_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *run;
	size_t n;

	out_write(OUT_JSON, "\"", 1);
	while (*s != '\0') {
		for (run = s; *s >= ' ' && *s != '"' && *s != '\\'; s += n)
			if ((n = *s < 0x80 ? 1 : utf8_len(s)) == 0)
				break;
		out_write(OUT_JSON, (const char *)run, (size_t)(s - run));
		if (*s == '\0')
			break;
		if (*s == '"' || *s == '\\')
			out(OUT_JSON, "\\%c", *s);
		else if (*s >= 0x80)
			out(OUT_JSON, "\\ufffd");
		else
			out(OUT_JSON, "\\u%04x", *s);
		s++;
	}
	out_write(OUT_JSON, "\"", 1);
}

/* ,"key":"value" after an earlier member. */
static void
json_field(const char *key, const char *value)
{
	out(OUT_JSON, ",\"%s\":", key);
	json_str(value);
}

static void
json_ts(const char *key, uint64_t t)
{
	char buf[TS_STR_LEN];

	json_field(key, fmt_ts(t, buf, sizeof(buf)));
}

static void
json_reply(const struct report *r, const struct reply_log *l)
{
	char buf[TS_STR_LEN], code[NTP_KISS_LEN + 1];
	enum ntp_verdict first = NTP_SHORT;
	size_t i;

	out(OUT_JSON, "{\"bytes\":%zu,\"truncated\":%s,\"verdict\":", l->len,
	    l->truncated ? "true" : "false");
	json_str(ntp_verdict_name(l->v));
	out(OUT_JSON, ",\"checks\":{");
	for (i = 0; i < NTP_CHECK_COUNT; i++) {
		/* Without -a or -N there is nothing to check: no such check. */
		if (ntp_checks[i].last != NTP_NTS_FAILED || r->mac != NULL ||
		    r->nts)
			out(OUT_JSON, "%s\"%s\":\"%s\"", i ? "," : "",
			    ntp_checks[i].name,
			    l->v == NTP_OK || l->v > ntp_checks[i].last ?
			    "pass" : l->v >= first ? "fail" : "not reached");
		first = ntp_checks[i].last + 1;
	}
	out(OUT_JSON, "}");
	if (l->v != NTP_SHORT) {
		out(OUT_JSON, ",\"leap\":%u,\"version\":%u,\"mode\":%u,"
		    "\"stratum\":%u,\"poll\":%d,\"precision\":%d,"
		    "\"root_delay\":%.9f,\"root_dispersion\":%.9f,\"refid\":",
		    l->pkt.leap, l->pkt.version, l->pkt.mode, l->pkt.stratum,
		    l->pkt.poll, l->pkt.precision,
		    ntp_dur_to_double(ntp_short_to_dur(l->pkt.root_delay)),
		    ntp_dur_to_double(ntp_short_to_dur(l->pkt.root_disp)));
		json_str(fmt_refid(&l->pkt, buf, sizeof(buf)));
		if (l->pkt.stratum == NTP_STRATUM_KOD) {
			(void)ntp_kiss_code(l->pkt.refid, code);
			json_field("kiss_code", code);
		}
		json_ts("reference", l->pkt.ref);
		json_ts("receive", l->pkt.rx);
		json_ts("transmit", l->pkt.tx);
	}
	if (ntp_verdict_has_times(l->v)) {
		json_ts("t1", l->s.t1);
		json_ts("t4", l->s.t4);
		out(OUT_JSON, ",\"t4_source\":\"%s\"",
		    l->t4_source == XCHG_T4_KERNEL ? "kernel" : "clock");
		/* The -d words' ends: the linker keeps one copy of each. */
		if (l->t4_source == XCHG_T4_CUT)
			json_field("t4_fallback", T4_CUT_WHY);
		else if (l->t4_source == XCHG_T4_CLOCK)
			json_field("t4_fallback", T4_CLOCK_WHY);
	}
	if (ntp_verdict_has_offset(l->v))
		out(OUT_JSON, ",\"offset\":%.9f,\"delay\":%.9f,"
		    "\"root_distance\":%.9f",
		    clock_true_offset(l->s.offset, r->shift),
		    ntp_dur_to_double(l->s.delay),
		    ntp_dur_to_double(l->s.root_distance));
	out(OUT_JSON, "}");
}

/* ,"key":SECONDS, or null for 0 (none). */
static void
json_seconds(const char *key, int64_t sec)
{
	if (sec != 0)
		out(OUT_JSON, ",\"%s\":%lld", key, (long long)sec);
	else
		out(OUT_JSON, ",\"%s\":null", key);
}

void
report_json(const struct report *r, const struct xchg_host *hosts,
    size_t nhosts, const struct ntp_server *s, const struct ntp_result *res,
    size_t n, const struct outcome *o)
{
	char why[WHY_LEN];
	size_t h, i;
	int k, sep = 0;

	if (!out_wants(OUT_JSON))
		return;
	out(OUT_JSON, "{\"ntpsync\":\"%s\",", r->version);
	if (r->mac != NULL)
		out(OUT_JSON, "\"authentication\":{\"key_id\":%u,\"mac\":"
		    "\"%s\"},", (unsigned)r->key_id, r->mac);
	else if (r->nts)
		out(OUT_JSON, "\"authentication\":{\"nts\":true},");
	out(OUT_JSON, "\"servers\":[");
	for (h = 0; h < nhosts; h++) {
		if (hosts[h].gai_error == 0)
			continue;
		out(OUT_JSON, "%s{\"host\":", sep++ ? "," : "");
		json_str(hosts[h].name);
		json_field("error", hosts[h].timed_out ? UNRESOLVED_IN_TIME :
		    gai_strerror(hosts[h].gai_error));
		out(OUT_JSON, "}");
	}
	for (i = 0; i < n; i++) {
		out(OUT_JSON, "%s{\"host\":", sep++ ? "," : "");
		json_str(s[i].host);
		json_field("address", s[i].addr);
		out(OUT_JSON, ",\"requests\":%d,\"samples\":%d,"
		    "\"falseticker\":%s,\"icmp_ignored\":%d", res[i].run_sent,
		    res[i].nsamples, o->falseticker[i] ? "true" : "false",
		    res[i].icmp_ignored);
		if (res[i].nsamples == 0) {
			json_field("error", report_failure_reason(r, &res[i],
			    why, sizeof(why)));
		} else if (o->no_majority) {
			json_field("error", report_no_majority_reason(r,
			    &res[i].sample[ntp_best_sample(res[i].sample,
			    (size_t)res[i].nsamples)], o->candidates, why,
			    sizeof(why)));
		}
		out(OUT_JSON, ",\"replies\":[");
		for (k = 0; k < r->nreplies[i]; k++) {
			if (k)
				out(OUT_JSON, ",");
			json_reply(r, &r->reply[i][k]);
		}
		out(OUT_JSON, "]}");
	}
	out(OUT_JSON, "],\"majority\":%s,\"chosen\":", o->candidates == 0 ?
	    "null" : o->no_majority ? "false" : "true");
	if (o->chosen != NULL) {
		json_str(o->chosen->addr);
		out(OUT_JSON, ",\"offset\":%.9f,\"delay\":%.9f",
		    clock_true_offset(o->sample->offset, r->shift),
		    ntp_dur_to_double(o->sample->delay));
	} else {
		out(OUT_JSON, "null");
	}
	if (r->floor_file != NULL) {
		out(OUT_JSON, ",\"floor\":{\"file\":");
		json_str(r->floor_file);
		json_seconds("time", r->floor);
		out(OUT_JSON, ",\"stepped\":%s", r->floor_stepped ? "true" :
		    "false");
		json_seconds("saved", r->floor_saved);
		out(OUT_JSON, "}");
	}
	out(OUT_JSON, ",\"action\":\"%s\",\"exit\":%d", o->action, o->code);
	if (o->reason != NULL)
		json_field("reason", o->reason);
	out(OUT_JSON, "}\n");
}

#ifdef NTPSYNC_NTS
/* "2026-11-30 09:20:00 UTC" */
static const char *
fmt_time(time_t t, char *buf, size_t len)
{
	char date[FMT_TM_LEN];
	struct tm tm;

	gmtime_r(&t, &tm);
	str_fmt(buf, len, "%s UTC", fmt_tm(&tm, ' ', date, sizeof(date)));
	return buf;
}

static unsigned
sa_port(const struct sockaddr *sa)
{
	return ntohs(sa->sa_family == AF_INET6 ?
	    ((const struct sockaddr_in6 *)sa)->sin6_port :
	    ((const struct sockaddr_in *)sa)->sin_port);
}

/*
 * The NTS-KE server's own address: after a first NTS-KE, the server's
 * ntp_server entry holds where NTP goes (a Server record may name another
 * host), and a second NTS-KE (after an NTS NAK) still goes to KE.
 * verify_time is the latest of the clock, the build date and the floor.
 */
void
report_nts_start(const char *host, const struct sockaddr *ke,
    time_t verify_time, const struct clock_policy *p)
{
	char when[TS_STR_LEN], addr[ADDR_STR_LEN];

	fmt_addr(ke, addr, sizeof(addr));
	out(OUT_DEBUG, "NTS-KE with %s (%s port %u, TLS 1.3, ALPN %s)\n",
	    host, addr, sa_port(ke), NTS_KE_ALPN);
	out(OUT_DEBUG, "  certificates checked at %s: %s\n",
	    fmt_time(verify_time, when, sizeof(when)),
	    p->shift == 0 ? (p->restored ? "the clock's time, stepped forward "
	    "to the time floor (-F)" : "the clock's time") :
	    p->floor > p->build_epoch ? "the time floor (-F), as the clock "
	    "reads earlier" :
	    "the build date, as the clock reads earlier (never set)");
}

const char *
report_nts_failure(const struct nts_ke_outcome *ke, char *buf, size_t len)
{
	char why[NTS_KE_WORDS_LEN];
	const struct tls_error *t = &ke->tls;

	if (!ke->tls_failed) {
		str_fmt(buf, len, "NTS-KE failed: %s", nts_ke_words(ke->verdict,
		    &ke->resp, why, sizeof(why)));
		return buf;
	}
	switch (t->status) {
	case TLS_ERR_CA_FILE:
	case TLS_ERR_SOCKET:
	case TLS_ERR_CONNECT:
	case TLS_ERR_IO:
		str_fmt(buf, len, "NTS-KE failed: %s (%s: %s)",
		    tls_reason(t->status), tls_stage_name(t->stage),
		    strerror(t->detail));
		break;
	case TLS_ERR_ALERT:
		str_fmt(buf, len, "NTS-KE failed: %s (%s: TLS alert %d)",
		    tls_reason(t->status), tls_stage_name(t->stage), t->detail);
		break;
	default:
		if (t->detail != 0)
			str_fmt(buf, len, "NTS-KE failed: %s (%s, wolfSSL "
			    "error %d)", tls_reason(t->status),
			    tls_stage_name(t->stage), t->detail);
		else
			str_fmt(buf, len, "NTS-KE failed: %s (%s)",
			    tls_reason(t->status), tls_stage_name(t->stage));
		break;
	}
	return buf;
}

/* -d: the records the server sent, decoded; or why NTS-KE failed. */
void
report_nts_ke(const struct ntp_server *s, const struct nts_ke_outcome *ke,
    const char *failure)
{
	const struct nts_ke_response *p = &ke->resp;
	size_t i;

	if (!ke->tls_failed && ke->len > 0) {
		out(OUT_DEBUG, "  response: %zu bytes: Next Protocol %d%s, "
		    "AEAD %d%s, %zu cookies", ke->len, p->protocol,
		    p->protocol == NTS_KE_PROTO_NTPV4 ? " (NTPv4)" : "",
		    p->aead, p->aead == NTS_KE_AEAD_AES_SIV_CMAC_256 ?
		    " (AES-SIV-CMAC-256)" : "", p->ncookies);
		if (p->ncookies > 0)
			out(OUT_DEBUG, " of %u bytes",
			    (unsigned)p->cookies[0].len);
		if (p->server[0] != '\0')
			out(OUT_DEBUG, ", NTPv4 server %s", p->server);
		if (p->port != 0)
			out(OUT_DEBUG, ", NTPv4 port %u", (unsigned)p->port);
		for (i = 0; i < p->nwarnings && i < NTS_KE_WARNINGS_MAX; i++)
			out(OUT_DEBUG, ", Warning %u", (unsigned)p->warnings[i]);
		if (p->error >= 0)
			out(OUT_DEBUG, ", Error %d (%s)", p->error,
			    nts_ke_error_name((unsigned)p->error));
		out(OUT_DEBUG, ", End of Message\n");
	}
	if (failure[0] != '\0')
		out(OUT_DEBUG, "  %s\n", failure);
	else
		out(OUT_DEBUG, "  keys exported (C2S, S2C: %d bytes each, not "
		    "shown); NTP goes to %s port %u\n", NTS_KEY_LEN, s->addr,
		    sa_port((const struct sockaddr *)&s->ss));
}
#endif
