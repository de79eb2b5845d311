/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ntpsync - set the clock once from one or more NTP servers (SNTP, RFC 4330
 * and RFC 5905), with ntpdate's command line and messages.
 *
 * The story of a run: options -> resolve -> exchange -> select -> apply ->
 * report, and the decision that joins them.  Each step is in its own file.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#ifdef NTPSYNC_NTS
#include "auth_nts.h"
#include "jar.h"
#endif
#include "clock.h"
#include "exchange.h"
#include "floor.h"
#ifndef NTPSYNC_NO_AUTH
#include "keyfile.h"
#endif
#include "ntp_packet.h"
#include "ntpsync.h"
#include "options.h"
#include "output.h"
#include "report.h"

#define NTPSYNC_VERSION		"0.1.0"
#define ERR_LEN			1024
/* ntpdate's words for a failed run; the disagreement's end is ours. */
#define NO_SUITABLE		"no server suitable for synchronization found"
#define DISAGREE		"servers that answered disagree, without a " \
				"majority"

/* -W: wait this long after a failed round, doubling up to the maximum. */
#define WAIT_BACKOFF_MIN_NS	(250 * 1000000LL)
#define WAIT_BACKOFF_MAX_NS	(4000 * 1000000LL)

static unsigned
out_modes(const struct options *o)
{
	return (o->debug ? OUT_M_DEBUG : 0u) | (o->verbose ? OUT_M_VERBOSE : 0u) |
	    (o->query ? OUT_M_QUERY : 0u) | (o->json ? OUT_M_JSON : 0u) |
	    (o->use_syslog ? OUT_M_SYSLOG : 0u);
}

/*
 * A board without the default directory runs unlocked; a lock file named
 * with -l must work.
 */
int
take_lock(const struct options *o)
{
	const char *path = o->lock_file;
	int error;

	switch (clock_lock(path, &error)) {
	case LOCK_HELD:
		return EXIT_SYNCED;
	case LOCK_CANNOT_OPEN:
		if (!o->lock_required) {
			out(OUT_INFO, "running without a lock: %s: %s", path,
			    strerror(error));
			return EXIT_SYNCED;
		}
		out(OUT_ERROR, "cannot open the lock file %s: %s", path,
		    strerror(error));
		return EXIT_LOCKED;
	case LOCK_NOT_A_FILE:
		out(OUT_ERROR, "cannot use the lock file %s: not a regular file",
		    path);
		return EXIT_LOCKED;
	case LOCK_TAKEN:
		break;
	}
	out(OUT_ERROR, "another ntpsync is running (%s is locked)", path);
	return EXIT_LOCKED;
}

/* Why nothing could be used, as an exit code. */
int
failure_code(const struct ntp_result *res, size_t n)
{
	size_t i, kissed = 0, unasked = 0;
	int heard = 0;

	if (n == 0)
		return EXIT_DNS;
	for (i = 0; i < n; i++) {
		kissed += res[i].kissed ? 1u : 0u;
		unasked += res[i].unasked[0] != '\0' ? 1u : 0u;
		heard |= res[i].last != NTP_OK;
	}
	if (kissed == n)
		return EXIT_KOD;
	if (unasked == n)
		return EXIT_NTS_KE;
	return heard ? EXIT_NO_SUITABLE : EXIT_NO_REPLY;
}

int
write_rtc(const char *device)
{
	struct tm set;
	int error = 0;

	(void)clock_write_rtc(device, &set, &error);
	report_rtc(device, &set, error);
	return error != 0 ? EXIT_RTC : EXIT_SYNCED;
}

static int
clock_code(enum clock_status st)
{
	switch (st) {
	case CLOCK_STEPPED:
	case CLOCK_SLEWED:
		return EXIT_SYNCED;
	case CLOCK_OVER_LIMIT:
		return EXIT_STEP_LIMIT;
	default:
		return EXIT_CLOCK;
	}
}

static const char *
clock_reason(enum clock_status st)
{
	switch (st) {
	case CLOCK_OVER_LIMIT:
		return "the step is larger than the -m limit";
	case CLOCK_SLEW_TOO_LARGE:
		return "the offset is too large to slew";
	case CLOCK_STEP_FAILED:
	case CLOCK_SLEW_FAILED:
		return "the clock could not be set";
	default:
		return NULL;
	}
}

/*
 * Set the clock to the chosen sample, then the RTC (-w); the action is
 * what was done, decided after the clock call.
 */
int
apply(const struct run *run, const struct ntp_server *s,
    const struct ntp_sample *best, struct outcome *oc)
{
	const struct options *o = run->opt;
	int error, code;
	enum clock_status st;

	st = clock_set(&run->policy, best->offset, &error);
	report_clock(run->rep, s, best->offset, run->policy.max_step, st, error);
	oc->action = st == CLOCK_STEPPED ? "step" : st == CLOCK_SLEWED ? "slew" :
	    "none";
	oc->reason = clock_reason(st);
	if ((code = clock_code(st)) != EXIT_SYNCED || !o->write_rtc)
		return code;
	if ((code = write_rtc(o->rtc_device)) != EXIT_SYNCED)
		oc->reason = "the RTC could not be set";
	return code;
}

/*
 * -F: the floor is the last good time.  A server that would take the
 * clock back before it is broken or an attacker's, unless -b says that
 * the operator knows better (the floor itself was wrong).
 */
static int
rollback(const struct run *run, struct outcome *oc)
{
	const struct clock_policy *p = &run->policy;

	if (p->floor == 0 || p->adjust == ADJUST_STEP ||
	    oc->server_time >= p->floor)
		return 0;
	report_floor(run->rep, FLOOR_ROLLBACK, oc->server_time,
	    p->floor, NULL, 0);
	oc->reason = "the servers' time is before the time floor (-F); -b "
	    "accepts it";
	return 1;
}

/*
 * The decision: each server's best sample (least delay, RFC 5905 section
 * 10), the vote among servers (ntp_select), then the clock; -q and -d only
 * say what would be done.  Fills *oc and returns the exit code.
 */
int
conclude(const struct run *run, const struct ntp_server *s,
    const struct ntp_result *res, size_t n, struct outcome *oc)
{
	const struct ntp_sample *cand[MAX_PEERS];
	int stratum[MAX_PEERS], falseticker[MAX_PEERS];
	size_t i, c, nc = 0, who[MAX_PEERS];
	const struct ntp_sample *best;
	enum clock_status st;

	memset(oc, 0, sizeof(*oc));
	oc->action = "none";
	for (i = 0; i < n; i++) {
		if (res[i].nsamples == 0) {
			report_dropped(run->rep, &s[i], &res[i], 0);
			continue;
		}
		best = &res[i].sample[ntp_best_sample(res[i].sample,
		    (size_t)res[i].nsamples)];
		cand[nc] = best;
		stratum[nc] = best->stratum;
		who[nc++] = i;
		report_server(run->rep, &s[i], best);
	}
	if (nc == 0) {
		for (i = 0; i < n; i++)
			report_dropped(run->rep, &s[i], &res[i], 1);
		out(OUT_ERROR, "%s", NO_SUITABLE);
		oc->reason = NO_SUITABLE;
		return oc->code = failure_code(res, n);
	}
	c = ntp_select(cand, stratum, nc, falseticker);
	oc->candidates = nc;
	if (c == nc) {
		/*
		 * RFC 5905 section 11.2.1: without a majority of truechimers
		 * there is no suitable candidate.  Nobody can be told a liar,
		 * nobody is trusted: the clock stays as it is.
		 */
		oc->no_majority = 1;
		oc->reason = "the " DISAGREE;
		for (i = 0; i < n; i++)
			if (res[i].nsamples == 0)
				report_dropped(run->rep, &s[i], &res[i], 1);
		for (i = 0; i < nc; i++)
			report_no_majority(run->rep, &s[who[i]], cand[i], nc);
		/* In pieces: each stored once, oc->reason holds them too. */
		out(OUT_ERROR, "%s: the %zu %s", NO_SUITABLE, nc, DISAGREE);
		return oc->code = EXIT_NO_MAJORITY;
	}
	for (i = 0; i < nc; i++) {
		oc->falseticker[who[i]] = falseticker[i];
		if (falseticker[i])
			report_falseticker(run->rep, &s[who[i]], cand[i]);
	}
	oc->chosen = &s[who[c]];
	oc->sample = cand[c];
	oc->server_time = clock_seconds(run->policy.shift) +
	    oc->sample->offset / NTP_DUR_SEC(1);
	if (rollback(run, oc))
		return oc->code = EXIT_ROLLBACK;
	if (run->opt->query || run->opt->debug) {
		/* What a real run would do, and its exit code. */
		st = clock_plan_now(&run->policy, oc->sample->offset);
		report_clock(run->rep, oc->chosen, oc->sample->offset,
		    run->policy.max_step, st, 0);
		out(OUT_DEBUG, "clock not changed: -d never sets it\n");
		oc->reason = clock_reason(st);
		return oc->code = clock_code(st);
	}
	return oc->code = apply(run, oc->chosen, oc->sample, oc);
}

/*
 * -W: after a round without a usable reply, say what we wait for, sleep
 * and return 1; return 0 when the deadline has passed, or when every name
 * resolved and no server may be asked again before the deadline (a
 * kiss-o'-death, silence after answering, or its pace).  While a name is
 * left the sleep is the backoff that paces names and networks (0.25 s
 * doubling to 4 s); else it lasts until the next server is due, and at
 * least the backoff: a round begins only servers that are due, so that
 * what is measured at its start (the unset-clock shift) holds for them.
 */
static int
wait_more(const struct run *run, const struct xchg_host *hosts, size_t nhosts,
    const struct ntp_server *s, const struct ntp_result *res, size_t n,
    int64_t deadline, int64_t *backoff)
{
	int64_t now = clock_mono_ns(), left = deadline - now, due = INT64_MAX;
	int64_t sleep = *backoff;
	size_t i, asking = 0, names_left = 0;

	for (i = 0; i < nhosts; i++)
		names_left += hosts[i].resolved ? 0u : 1u;
	for (i = 0; i < n; i++)
		if (!res[i].kissed && !res[i].limited &&
		    res[i].next_tx < deadline) {
			asking++;
			if (res[i].next_tx < due)
				due = res[i].next_tx;
		}
	if (left <= 0 || (names_left == 0 && asking == 0))
		return 0;
	if (names_left == 0 && due - now > sleep)
		sleep = due - now;
	if (sleep > left)
		sleep = left;
	report_waiting(run->rep, s, res, n, names_left, sleep, left);
	clock_sleep_ns(sleep);
	*backoff = *backoff * 2 > WAIT_BACKOFF_MAX_NS ? WAIT_BACKOFF_MAX_NS :
	    *backoff * 2;
	return 1;
}

/*
 * -F: the floor into the policy.  A damaged, future-dated or unreadable
 * file is said and ignored, the run going on from the build date; only
 * when restoring is the whole job (-F alone) is that a failure.
 */
static int
load_floor(struct run *run)
{
	const struct options *o = run->opt;
	char err[ERR_LEN];
	int64_t sec;
	int alone = o->nservers == 0 && !o->save_floor;

	switch (floor_load(o->floor_file, run->policy.build_epoch, &sec,
	    run->floor_id, err, sizeof(err))) {
	case 0:
		run->policy.floor = sec;
		break;
	case 1:
		report_floor(run->rep, FLOOR_NONE_YET, 0, 0, NULL, 0);
		break;
	default:
		report_floor(run->rep, alone ? FLOOR_UNUSABLE : FLOOR_IGNORED, 0,
		    0, err, 0);
		if (alone)
			return EXIT_FLOOR;
		break;
	}
	floor_boot_id(run->boot_id);
	run->policy.fresh_boot = floor_fresh_boot(run->policy.floor,
	    run->floor_id, run->boot_id);
	if (run->policy.fresh_boot && o->nservers > 0)
		report_floor(run->rep, FLOOR_FRESH_BOOT, 0, 0, NULL, 0);
	return EXIT_SYNCED;
}

/*
 * -F: a clock before the floor is stepped forward to it, before anything
 * is measured (under -q and -d, only said).  A clock stepped there is
 * still unset: see clock_plan().
 */
static int
restore_floor(struct run *run)
{
	const struct options *o = run->opt;
	int64_t floor = run->policy.floor;
	int error;

	if (floor == 0)
		return EXIT_SYNCED;
	if (o->query || o->debug) {
		report_floor(run->rep, clock_seconds(0) < floor ?
		    FLOOR_RAISE_PLANNED : FLOOR_REACHED, floor, 0, NULL, 0);
		return EXIT_SYNCED;
	}
	switch (clock_raise(floor, &error)) {
	case RAISE_STEPPED:
		run->policy.restored = 1;
		report_floor(run->rep, FLOOR_RAISED, floor, 0, NULL, 0);
		return EXIT_SYNCED;
	case RAISE_FAILED:
		report_floor(run->rep, FLOOR_RAISE_FAILED, floor, 0, NULL,
		    error);
		return EXIT_CLOCK;
	case RAISE_NOT_NEEDED:
		break;
	}
	report_floor(run->rep, FLOOR_REACHED, floor, 0, NULL, 0);
	return EXIT_SYNCED;
}

/*
 * -F: sec as the new floor, saved by the boot boot_id, or under -q and -d
 * what would be saved.
 */
static int
save_floor(const struct run *run, int64_t sec, const char *boot_id)
{
	const struct options *o = run->opt;

	if (o->query || o->debug) {
		report_floor(run->rep, FLOOR_SAVE_PLANNED, sec, 0, NULL, 0);
		return EXIT_SYNCED;
	}
	if (floor_save(o->floor_file, sec, boot_id) == -1) {
		report_floor(run->rep, FLOOR_SAVE_FAILED, sec, 0, NULL,
		    errno);
		return EXIT_FLOOR;
	}
	report_floor(run->rep, FLOOR_SAVED, sec, 0, NULL, 0);
	return EXIT_SYNCED;
}

/*
 * -F -S (at shutdown): the clock's time as the floor, unless the clock
 * reads before the build date or the floor saved: a clock never set
 * would lower it.  That is a time, not a sync: in a boot without one the
 * floor keeps the boot id it had, and the next run of this boot (a
 * restart of the init script) is still not held by -m.
 */
static int
save_clock(const struct run *run)
{
	int64_t now = clock_seconds(0), lower = clock_lower_bound(&run->policy);

	if (now < lower) {
		report_floor(run->rep, FLOOR_SAVE_REFUSED, now, lower,
		    NULL, 0);
		return EXIT_FLOOR;
	}
	return save_floor(run, now, run->policy.fresh_boot ? run->floor_id :
	    run->boot_id);
}

static int
usage_error(const char *why)
{
	/* In pieces: a long argument must not cut off the newline. */
	out(OUT_USAGE, "ntpsync: ");
	out(OUT_USAGE, "%s", why);
	out(OUT_USAGE, "\n%s", options_usage);
	return EXIT_USAGE;
}

/*
 * With 0, 1 or 2 closed, the lock or a socket would get that descriptor and
 * log lines would be written into it: hold them open on /dev/null first.
 */
static void
hold_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= STDERR_FILENO)
		;
	if (fd > STDERR_FILENO)
		close(fd);
}

/*
 * A write to a reader that went away fails with EPIPE instead of killing
 * us: blocking SIGPIPE costs less than a handler (sigaction brings 1 KB),
 * and a blocked signal left pending dies with the process.
 */
static void
block_sigpipe(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
}

/*
 * The unset-clock shift, measured at the start of each round: the clock
 * may have been set meanwhile (by init, say, during -R or -W).
 */
static void
measure(struct run *run, struct xchg_config *xc)
{
	int64_t shift = clock_unset_shift(clock_lower_bound(&run->policy));

	if (shift != 0 && run->policy.shift == 0 &&
	    run->policy.floor > run->policy.build_epoch)
		out(OUT_INFO, "the clock is before the time floor (-F): it has "
		    "not been set since; measuring from the floor, %lld s later",
		    (long long)shift);
	else if (shift != 0 && run->policy.shift == 0)
		out(OUT_INFO, "the clock is before the build date: it has "
		    "never been set; measuring from the build date, %lld s later",
		    (long long)shift);
	run->policy.shift = xc->clock_shift = run->rep->shift = shift;
}

#ifndef NTPSYNC_NO_AUTH
/*
 * -a: the key is read before anything is sent.  A key that cannot be used
 * ends the run as a bad option does (exit 2); the message names the file
 * and, for a bad line, its number, never key material.
 */
static int
load_key(const struct options *o, struct ntp_key *key)
{
	char err[ERR_LEN];
	int world_readable;

	if (keyfile_load(o->key_file, o->key_id, key, &world_readable, err,
	    sizeof(err)) != KEYFILE_FOUND) {
		out(OUT_ERROR, "%s", err);
		return EXIT_USAGE;
	}
	if (world_readable)
		out(OUT_WARNING, "%s is readable by anyone: its keys are not "
		    "secret (chmod 600)", o->key_file);
	return EXIT_SYNCED;
}
#endif

#ifdef NTPSYNC_NTS
/*
 * The time certificates are checked at.  A board without a battery-backed
 * clock boots at 1970 or 2000, before every certificate's notBefore; the
 * build date and the time floor (-F) are lower bounds of the true time
 * (RFC 8915 section 8.5 leaves the bootstrapping to the client): the
 * latest of the clock, the build date and the floor (the shift measures
 * from the later of the two), so that a certificate that had expired by
 * then is never taken.
 */
static time_t
cert_time(const struct run *run)
{
	return (time_t)clock_seconds(run->policy.shift);
}

static void
set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

/*
 * RFC 8915 sections 4.1.7 and 4.1.8: NTP goes to the server and port the
 * NTPv4 Server and Port Negotiation records name; without them, to the
 * NTS-KE server's address and port 123.  A name is resolved as the
 * command line's names are.  Returns 0, or -1 with why.
 */
static int
ntp_address(struct nts_peer *p, const struct nts_ke_response *r,
    const struct xchg_config *xc, char *why, size_t len)
{
	struct xchg_host h = { .name = r->server };
	struct ntp_server named;

	memcpy(&p->ntp, &p->ke, p->ke_len);
	p->ntp_len = p->ke_len;
	if (r->server[0] != '\0' &&
	    fmt_parse_addr(r->server, 0, &p->ntp, &p->ntp_len) == -1) {
		if (xchg_resolve(&h, 1, &named, 0, xc) != 1) {
			str_fmt(why, len, "NTS-KE named the NTP server %s, which "
			    "does not resolve", r->server);
			return -1;
		}
		memcpy(&p->ntp, &named.ss, named.sslen);
		p->ntp_len = named.sslen;
	}
	set_port(&p->ntp, r->port != 0 ? r->port : NTP_PORT);
	return 0;
}

/*
 * NTS-KE with every address that has no cookies yet (or lost them to an
 * NTS NAK) and is due: then its NTP requests go where NTS-KE said.  One
 * that fails is not asked this round; with -W it is tried again when its
 * pace allows.
 */
static void
nts_prepare(const struct run *run, struct nts_table *t,
    struct ntp_server *s, struct ntp_result *res, size_t n,
    const struct xchg_config *xc)
{
	const struct options *o = run->opt;
	struct nts_ke_cfg kc = { .ca_file = o->ca_file,
	    .verify_time = cert_time(run), .timeout_ns = o->timeout_ns };
	struct nts_ke_outcome ke;
	struct nts_peer *p;
	int64_t now = clock_mono_ns();
	size_t i;

	for (i = 0; i < n; i++) {
		if ((p = nts_find(t, &s[i])) != NULL && p->ncookies > 0 &&
		    !p->nak)
			continue;
		if (res[i].next_tx > now || res[i].kissed)
			continue;
		if (p == NULL && (p = nts_add(t, s[i].host)) != NULL) {
			memcpy(&p->ke, &s[i].ss, s[i].sslen);
			p->ke_len = s[i].sslen;
			set_port(&p->ke, NTS_KE_PORT);
			memcpy(&p->ntp, &s[i].ss, s[i].sslen);
			p->ntp_len = s[i].sslen;
		}
		if (p == NULL)
			continue;
		report_nts_start(s[i].host, (const struct sockaddr *)&p->ke,
		    kc.verify_time, &run->policy);
		res[i].unasked[0] = '\0';
		if (nts_key(p, s[i].host, &kc, &ke) == -1)
			report_nts_failure(&ke, res[i].unasked,
			    sizeof(res[i].unasked));
		else if (ntp_address(p, &ke.resp, xc, res[i].unasked,
		    sizeof(res[i].unasked)) == 0) {
			memcpy(&s[i].ss, &p->ntp, p->ntp_len);
			s[i].sslen = p->ntp_len;
			fmt_addr((const struct sockaddr *)&s[i].ss, s[i].addr,
			    sizeof(s[i].addr));
		}
		report_nts_ke(&s[i], &ke, res[i].unasked);
		if (res[i].unasked[0] != '\0') {
			p->ncookies = 0;
			res[i].next_tx = now + WAIT_BACKOFF_MAX_NS;
		}
	}
}

/*
 * RFC 8915 section 5.7: after an NTS NAK the client waits for a valid
 * reply until its poll ends, and when none came does NTS-KE again.  A
 * real NAK means that the server no longer reads our cookies (its keys
 * rotated, a jar kept too long): NTS-KE again and ask that address once
 * more in this run, the others held as they are.
 */
static int
nts_after_nak(const struct run *run, struct nts_table *t,
    struct ntp_server *s, struct ntp_result *res, size_t n,
    const struct xchg_config *xc, struct xchg_error *xe)
{
	struct nts_peer *p;
	size_t i, again = 0;
	int rc;

	for (i = 0; i < n; i++) {
		p = nts_find(t, &s[i]);
		res[i].hold = !(p != NULL && p->nak && !p->renewed &&
		    res[i].nsamples == 0);
		if (!res[i].hold) {
			p->renewed = 1;
			res[i].next_tx = 0;
			again++;
		}
	}
	rc = 0;
	if (again > 0) {
		nts_prepare(run, t, s, res, n, xc);
		rc = xchg_round(s, res, n, xc, xe);
	}
	for (i = 0; i < n; i++)
		res[i].hold = 0;
	return rc;
}
#endif

/*
 * Under -q and -d the printed result is the whole job: a write that failed
 * (a full disk, a closed pipe) is an error.  Otherwise the exit code is
 * the sync's, whoever reads the output.
 */
static int
finish(const struct options *o, int code)
{
	int e = out_finish();

	if (e != 0 && code == EXIT_SYNCED && (o->query || o->debug)) {
		out(OUT_ERROR, "cannot write the result: %s", strerror(e));
		return EXIT_OUTPUT;
	}
	return code;
}

int
main(int argc, char **argv)
{
	static struct ntp_server servers[MAX_PEERS];
	static struct ntp_result results[MAX_PEERS];
	static struct xchg_host hosts[MAX_HOSTS];
	static struct report rep;
#ifndef NTPSYNC_NO_AUTH
	static struct ntp_key key;
	struct ntp_auth auth;
#endif
#ifdef NTPSYNC_NTS
	static struct nts_table nts;
	struct ntp_auth nts_auth;
#endif
	struct options o;
	struct xchg_config xc;
	struct xchg_error xe;
	struct outcome oc;
	struct run run;
	char err[ERR_LEN], built[FLOOR_DATE_LEN];
	size_t i, n = 0;
	int64_t deadline, backoff = WAIT_BACKOFF_MIN_NS;
	uint64_t r;
	int code, usable, rc;

	hold_std_fds();
	/* A reader that goes away must not decide the exit code: see finish(). */
	block_sigpipe();
	switch (options_parse(argc, argv, &o, err, sizeof(err))) {
	case OPTIONS_HELP:
		out(OUT_HELP, "%s", options_usage);
		return finish(&o, EXIT_SYNCED);
	case OPTIONS_VERSION:
		/* The build date is a lower bound of the true time: say which. */
		out(OUT_HELP, "ntpsync %s (built %s)\n", NTPSYNC_VERSION,
		    floor_date(NTPSYNC_BUILD_EPOCH, built, sizeof(built)));
		return finish(&o, EXIT_SYNCED);
	case OPTIONS_ERROR:
		return usage_error(err);
	case OPTIONS_RUN:
		break;
	}
	out_init(out_modes(&o));
	for (i = 0; i < (size_t)o.nservers; i++)
		hosts[i].name = o.servers[i];
	report_init(&rep, NTPSYNC_VERSION, 0, o.timeout_ns);
	rep.floor_file = o.floor_file;
	run = (struct run){
		.opt = &o,
		.rep = &rep,
		.policy = { .adjust = o.adjust, .max_step = o.max_step,
		    .build_epoch = NTPSYNC_BUILD_EPOCH },
	};
	xc = (struct xchg_config){
		.family = o.family, .version = o.version, .samples = o.samples,
		.timeout_ns = o.timeout_ns, .auth = &ntp_auth_none,
		.hook = report_event, .hook_ctx = &rep,
	};
	memset(&oc, 0, sizeof(oc));
	oc.action = "none";
	out(OUT_BANNER, "ntpsync %s", NTPSYNC_VERSION);
	if (o.key_id != 0) {
#ifdef NTPSYNC_NO_AUTH
		out(OUT_ERROR, "-a: this ntpsync was built without authentication "
		    "(AUTH=0)");
		code = EXIT_USAGE;
		oc.reason = "built without authentication";
		goto done;
#else
		if ((code = load_key(&o, &key)) != EXIT_SYNCED) {
			oc.reason = "the key could not be read";
			goto done;
		}
		auth_key_init(&auth, &key);
		xc.auth = &auth;
		rep.key_id = key.id;
		rep.mac = mac_name(key.type);
#endif
	}
	if (o.nts) {
#ifndef NTPSYNC_NTS
		out(OUT_ERROR, "-N: this ntpsync was built without NTS (make "
		    "NTS=1)");
		code = EXIT_USAGE;
		oc.reason = "built without NTS";
		goto done;
#else
		if (o.cookie_jar != NULL && jar_load(o.cookie_jar, o.servers,
		    (size_t)o.nservers, &nts, err, sizeof(err)) == -1) {
			/* A jar that cannot be read costs one NTS-KE, no more. */
			out(OUT_WARNING, "%s: ignored, NTS-KE instead", err);
			memset(&nts, 0, sizeof(nts));
		}
		auth_nts_init(&nts_auth, &nts);
		xc.auth = &nts_auth;
		rep.nts = 1;
#endif
	}
	if (o.floor_file != NULL && (code = load_floor(&run)) != EXIT_SYNCED) {
		oc.reason = "the time floor (-F) cannot be used";
		goto done;
	}
	if (o.save_floor) {
		if ((code = save_clock(&run)) != EXIT_SYNCED)
			oc.reason = "the time floor (-F) was not saved";
		goto done;
	}
	if (!o.query && !o.debug && (code = take_lock(&o)) != EXIT_SYNCED) {
		oc.reason = "the lock could not be taken";
		goto done;
	}
	/* Before anything else: the first measurement starts from the floor. */
	code = restore_floor(&run);
	if (o.nservers == 0) {
		if (code != EXIT_SYNCED)
			oc.reason = "the clock could not be stepped to the time "
			    "floor (-F)";
		goto done;
	}
	measure(&run, &xc);

	if (o.jitter_ns > 0) {
		if (xchg_random64(&r) == -1) {
			out(OUT_ERROR, "no random numbers: %s", strerror(errno));
			oc.reason = "no random numbers";
			code = EXIT_NO_SUITABLE;
			goto done;
		}
		r %= (uint64_t)o.jitter_ns;
		out(OUT_INFO, "waiting %.3f s before starting (-R)",
		    (double)r / NSEC_PER_SEC);
		clock_sleep_ns((int64_t)r);
	}

	deadline = clock_mono_ns() + o.wait_ns;
	xc.until = o.wait_ns > 0 ? deadline : 0;
	do {
		measure(&run, &xc);
		n = xchg_resolve(hosts, (size_t)o.nservers, servers, n, &xc);
#ifdef NTPSYNC_NTS
		if (o.nts)
			nts_prepare(&run, &nts, servers, results, n, &xc);
#endif
		rc = xchg_round(servers, results, n, &xc, &xe);
#ifdef NTPSYNC_NTS
		if (rc == 0 && o.nts)
			rc = nts_after_nak(&run, &nts, servers, results, n, &xc,
			    &xe);
#endif
		if (rc == -1) {
			out(OUT_ERROR, "%s: %s", xe.what, strerror(xe.error));
			oc.reason = xe.what;
			code = EXIT_NO_SUITABLE;
			goto done;
		}
		for (usable = 0, i = 0; i < n; i++)
			usable |= results[i].nsamples > 0;
	} while (!usable && o.wait_ns > 0 &&
	    wait_more(&run, hosts, (size_t)o.nservers, servers, results, n,
	    deadline, &backoff));

	report_unresolved(hosts, (size_t)o.nservers);
	code = conclude(&run, servers, results, n, &oc);
	/*
	 * Only a sync that set or confirmed the clock moves the floor (under
	 * -q and -d: one that would).
	 */
	if (o.floor_file != NULL && (strcmp(oc.action, "none") != 0 ||
	    ((o.query || o.debug) && code == EXIT_SYNCED)) &&
	    save_floor(&run, oc.server_time, run.boot_id) != EXIT_SYNCED &&
	    code == EXIT_SYNCED) {
		oc.reason = "the time floor (-F) could not be saved";
		code = EXIT_FLOOR;
	}
done:
#ifndef NTPSYNC_NO_AUTH
	key_wipe(&key);
#endif
#ifdef NTPSYNC_NTS
	/* The cookies left for the next run (cron): even after a failure. */
	if (o.nts && o.cookie_jar != NULL && nts.n > 0 &&
	    jar_save(o.cookie_jar, &nts) == -1)
		out(OUT_WARNING, "cannot write the cookie jar %s: %s",
		    o.cookie_jar, strerror(errno));
	nts_wipe(&nts);
#endif
	oc.code = code;
	report_json(&rep, hosts, (size_t)o.nservers, servers, results, n, &oc);
	return finish(&o, code);
}
